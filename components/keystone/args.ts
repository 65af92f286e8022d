// Arguments and the outputs other components use.
import type * as pulumi from "@pulumi/pulumi";
import type { ServiceUser } from "../../config";
import type { Dialect } from "../../providers/openstackAuth";
import type { CloudContext } from "../cloud";

export interface KeystoneArgs {
    /** The cloud built so far: controller host, release profile, secrets, MySQL (required). */
    readonly ctx: CloudContext;
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
    readonly clientEnv: readonly (readonly [string, string | number])[];
}
