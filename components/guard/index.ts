// `oslab:infra:InUseGuard` — `pulumi destroy` on a cloud that has been used. One step on
// the controller that depends on every other part of the cloud, so the engine deletes it
// FIRST (dependents are deleted before what they depend on). Its delete lists what users
// made (servers, floating IPs, routers, networks, ports, volumes, images, key pairs,
// projects, users): by default it fails with that list and the config key that allows
// purging, before anything else has been deleted; with `purgeOnDestroy` it removes them
// in the order OpenStack needs and destroy continues. Its create only reports.
//
// Pulumi runs a resource's delete with the inputs recorded at the last `up`, so turning
// purge on takes `pulumi config set openstack-lab:purgeOnDestroy true && pulumi up`
// (which updates only this step) before `pulumi destroy`.
import * as pulumi from "@pulumi/pulumi";
import { ClientEnv } from "../shared/client";
import { remoteStep, HostRef } from "../shared/step";
import * as render from "./render";

export interface InUseGuardArgs {
    /** The controller, where the admin's CLI login works. */
    readonly host: HostRef;
    /** The admin's CLI environment without the password (Keystone's `clientEnv`). */
    readonly clientEnv: ClientEnv;
    /** The admin password, sent on stdin. */
    readonly adminPassword: pulumi.Input<string>;
    /** What the program made (never reported, never purged). */
    readonly owned: render.OwnedResources;
    /** Purge what users made on destroy instead of stopping (config `purgeOnDestroy`, default false). */
    readonly purge: boolean;
    /** Every part of the cloud: the guard runs after them on `up` and before them on destroy. */
    readonly after: readonly pulumi.Input<pulumi.Resource>[];
}

export const PURGE_KEY = "openstack-lab:purgeOnDestroy";

export class InUseGuard extends pulumi.ComponentResource {
    constructor(name: string, args: InUseGuardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:infra:InUseGuard", name, {}, opts);
        remoteStep(
            `${name}-check`,
            args.host,
            {
                create: render.inUseScript("report", args.clientEnv, args.owned, PURGE_KEY),
                delete: render.inUseScript(args.purge ? "purge" : "check", args.clientEnv, args.owned, PURGE_KEY),
                stdin: pulumi.secret(args.adminPassword),
            },
            { parent: this, dependsOn: args.after },
        );
        this.registerOutputs({});
    }
}
