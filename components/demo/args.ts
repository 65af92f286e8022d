// Args of `oslab:identity:DemoProject`: the optional demo project (config key `demo`).
import * as pulumi from "@pulumi/pulumi";
import { DemoSpec } from "../../config";
import type { KeystoneRef } from "../keystone/args";
import { HostRef } from "../shared/step";
import { DemoProfile } from "./profiles";

export interface DemoProjectArgs {
    /** The controller, where the program runs with the admin's login (required). */
    readonly host: HostRef;
    /** The release's demo facts (`profile.demo`; required). */
    readonly profile: DemoProfile;
    /** Project, user and key pair (config key `demo`; required: the component exists only with it). */
    readonly demo: DemoSpec;
    /** Keystone: its dialect, admin URL, region and the admin's CLI environment (the openrc's base). */
    readonly keystone: Pick<KeystoneRef, "dialect" | "adminUrl" | "region" | "clientEnv">;
    /** Name of the tenant network the project boots on (config `tenantNetwork.name`). */
    readonly tenantNetwork: string;
    /** The admin password, sent on stdin. */
    readonly adminPassword: pulumi.Input<string>;
    /** The demo user's password (generated; `secretRotation.demoPassword`), sent on stdin. */
    readonly password: pulumi.Input<string>;
    /** Up first: Keystone's data, the tenant network, the compute API (their `ready` handles). */
    readonly after: readonly pulumi.Input<pulumi.Resource>[];
}
