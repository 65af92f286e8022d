// Arguments and the outputs other components use.
import type * as pulumi from "@pulumi/pulumi";
import type { ServiceUser } from "../../config";
import type { Dialect } from "../../providers/openstackAuth";
import type { ClientEnv } from "../shared/client";
import type { IniDoc } from "../shared/ini";
import type { HostRef } from "../shared/step";
import type { KeystoneProfile } from "./profiles";

/** Secrets Keystone's files and steps need (each a secret Output; never in a command). */
export interface KeystoneSecrets {
    /** Password of user admin (the dashboard login). */
    readonly adminPassword: pulumi.Output<string>;
    /** Folsom's admin_token (the catalog and data are written with it). */
    readonly adminToken: pulumi.Output<string>;
    /** Password of Keystone's MySQL user. */
    readonly dbPassword: pulumi.Input<string>;
    /** Keystone password per service user (config key → password). */
    readonly servicePasswords: Readonly<Partial<Record<ServiceUser, pulumi.Output<string>>>>;
}

export interface KeystoneArgs {
    /** The controller Keystone runs on (required). */
    readonly host: HostRef;
    /** Keystone's part of the release profile (required). */
    readonly profile: KeystoneProfile;
    /** SQLAlchemy URL scheme of the database (the release's `base.mysql.urlScheme`; required). */
    readonly dbUrlScheme: "mysql" | "mysql+pymysql";
    /** Region of the catalog entries (config `region`, default RegionOne). */
    readonly region: string;
    /** Host of a Swift proxy to put in the catalog (config `swiftHost`); unset: no object-store entry. */
    readonly swiftHost?: string;
    readonly secrets: KeystoneSecrets;
    /** The database server is up (required). */
    readonly mysqlReady: pulumi.Input<pulumi.Resource>;
    /** User overrides merged over keystone.conf (config `overrides["keystone.conf"]`); unset: none. */
    readonly overrides?: IniDoc;
    /**
     * uwsgi worker processes of the API (config `apiWorkers`), set where the profile names
     * its uwsgi ini; unset: the packaged count.
     */
    readonly apiWorkers?: number;
}

/**
 * How to log in as the cloud's admin (secret): the shape QuantumNetwork's `auth` and
 * other API clients take. v2.0: tenant = projectName; the domain names are v3 only.
 */
export interface AdminCredentials {
    readonly dialect: Dialect;
    /** Versioned public Keystone URL, e.g. http://192.168.122.111:5000/v2.0. */
    readonly authUrl: string;
    readonly username: string;
    readonly password: string;
    readonly projectName: string;
    readonly userDomainName: string;
    readonly projectDomainName: string;
}

/** What Glance, Horizon and the other services need from Keystone. */
export interface KeystoneRef {
    /** Depend on this: Keystone is up, its data and catalog are registered and verified. */
    readonly ready: pulumi.Resource;
    /** The controller address Keystone listens on. */
    readonly host: string;
    readonly region: string;
    readonly dialect: Dialect;
    readonly publicUrl: string;
    readonly adminUrl: string;
    readonly authUrl: string;
    readonly publicPort: number;
    readonly adminPort: number;
    /** Tenant/project holding the service users ("service"). */
    readonly serviceProject: string;
    /** Keystone user name per service secret key (Zed: quantum → "neutron"). */
    readonly serviceUsers: Readonly<Partial<Record<ServiceUser, string>>>;
    readonly adminCredentials: pulumi.Output<AdminCredentials>;
    /** The admin's OS_* CLI variables except OS_PASSWORD (scripts read that from stdin). */
    readonly clientEnv: ClientEnv;
}
