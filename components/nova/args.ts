// The contract of the Nova component (components/cloud.ts fills it from the stack config).
import * as pulumi from "@pulumi/pulumi";
import { IniDoc } from "../shared/ini";
import { HostRef } from "../shared/step";
import { NovaProfile } from "./profiles";
import { VirtType } from "./render";

/** Secrets Nova's files and steps need (each a secret Output; never in a command). */
export interface NovaSecrets {
    /** Password of Nova's MySQL user(s). */
    readonly db: pulumi.Input<string>;
    /** Keystone password of the `nova` service user. */
    readonly nova: pulumi.Input<string>;
    /** Keystone password of the network service user (quantum on Folsom, neutron on Zed). */
    readonly network: pulumi.Input<string>;
    /** Keystone password of the `placement` service user (Zed). */
    readonly placement: pulumi.Input<string>;
    /** Metadata proxy shared secret (Zed). */
    readonly metadata: pulumi.Input<string>;
    /** Keystone admin password (Zed: the final `openstack compute service list`). */
    readonly admin: pulumi.Input<string>;
}

export interface NovaArgs {
    /** The controller: APIs, scheduler (Folsom also cert, consoleauth, objectstore; Zed conductor), DB bootstrap. */
    readonly controller: HostRef;
    /** Every compute node (nova-compute + libvirt). */
    readonly computes: readonly HostRef[];
    readonly profile: NovaProfile;
    /** Keystone region of the catalog (config `region`, default RegionOne). */
    readonly region: string;
    /** Hypervisor type (config `virtType`, default kvm): package flavour and libvirt type. */
    readonly virtType: VirtType;
    /** RabbitMQ user the services log in as, and the broker's readiness. */
    readonly rabbit: {
        readonly user: string;
        readonly password: pulumi.Input<string>;
        readonly ready: pulumi.Input<pulumi.Resource>;
    };
    /** The database server is up (ctx.mysql.ready). */
    readonly mysqlReady: pulumi.Input<pulumi.Resource>;
    readonly secrets: NovaSecrets;
    /** Keystone has the nova user and the catalog (the APIs authenticate against it); unset: no wait. */
    readonly identityReady?: pulumi.Input<pulumi.Resource>;
    /** The Quantum/Neutron server answers; unset: no wait. */
    readonly networkReady?: pulumi.Input<pulumi.Resource>;
    /** Per host name: its L2 agent runs (nova-compute plugs VIFs into br-int after it); unset: no wait. */
    readonly agentsReady?: Readonly<Record<string, pulumi.Input<pulumi.Resource>>>;
    /** Zed: Placement answers (nova-compute reports its resources there); unset: no wait. */
    readonly placementReady?: pulumi.Input<pulumi.Resource>;
    /** User overrides: `nova.conf` and `nova-api-paste.ini` (config `overrides`), merged over every host's copy. */
    readonly overrides?: { readonly "nova.conf"?: IniDoc; readonly "nova-api-paste.ini"?: IniDoc };
    /**
     * uwsgi worker processes of each controller service the profile names a uwsgi ini for
     * (config `apiWorkers`: nova-api, nova-api-metadata); unset: the packaged counts.
     */
    readonly apiWorkers?: number;
}

/** Readiness of services Nova waits for, from components outside the base layer. */
export interface NovaDeps {
    readonly identityReady?: pulumi.Input<pulumi.Resource>;
    readonly networkReady?: pulumi.Input<pulumi.Resource>;
    readonly agentsReady?: Readonly<Record<string, pulumi.Input<pulumi.Resource>>>;
    readonly placementReady?: pulumi.Input<pulumi.Resource>;
}
