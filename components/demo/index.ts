// `oslab:identity:DemoProject` — the optional demo project (config key `demo`), what Kolla's
// init-runonce prepares for a first server, for a user of its own: a project, a user with
// the member role in it (password generated, on stdin only), the tenant network usable from
// the project (Neutron: an RBAC policy; Folsom's Quantum: the network's shared flag), ICMP
// and SSH in the project's default security group, and the user's key pair from
// `demo.publicKey`. One step on the controller runs components/demo/oslab-demo.py:
//   create/update  find-or-create every part; a changed key or a rotated password is
//                  changed in place; a renamed project, user or tenant network replaces
//                  the step (the old one is deleted first)
//   delete         refuses while the project holds what its users made (naming it), else
//                  removes exactly what the program made, in the order OpenStack needs.
// On destroy the in-use guard (components/guard) runs before it and counts the project,
// the user and the key pair as the program's.
import * as pulumi from "@pulumi/pulumi";
import { credentialsFile, userClientEnv } from "../shared/client";
import { remoteStep } from "../shared/step";
import { DemoProjectArgs } from "./args";
import * as render from "./render";

export { DemoProjectArgs } from "./args";
export { DemoProfile } from "./profiles";

export class DemoProject extends pulumi.ComponentResource {
    /** The project's name (stack output `demoProject`). */
    readonly project: string;
    /** The user's name. */
    readonly user: string;
    /** The key pair's name; undefined without `demo.publicKey`. */
    readonly keyName?: string;
    /** The demo user's credentials file (secret; stack output `demoOpenrc`). */
    readonly openrc: pulumi.Output<string>;
    /** Depend on this: the project, user, rules and key pair exist. */
    readonly ready: pulumi.Resource;

    constructor(name: string, args: DemoProjectArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:identity:DemoProject", name, {}, opts);
        const { demo, keystone } = args;
        this.project = demo.project;
        this.user = demo.user;
        this.keyName = demo.publicKey === undefined ? undefined : demo.keyName;
        const spec = render.demoSpec({
            dialect: keystone.dialect,
            identityUrl: keystone.adminUrl,
            region: keystone.region,
            profile: args.profile,
            demo,
            tenantNetwork: args.tenantNetwork,
            record: render.demoRecord(name),
        });
        this.ready = remoteStep(
            `${name}-project`,
            args.host,
            {
                create: render.demoScript("apply", spec),
                delete: render.demoScript("delete", spec),
                stdin: pulumi.secret(
                    pulumi.all([args.adminPassword, args.password]).apply(([a, d]) => render.demoSecrets(a, d)),
                ),
                // the names objects are found by: another name is another project
                triggers: [demo.project, demo.user, args.tenantNetwork],
            },
            { parent: this, dependsOn: args.after },
        );
        const env = userClientEnv(keystone.clientEnv, { user: demo.user, project: demo.project });
        this.openrc = pulumi.secret(pulumi.output(args.password).apply((password) => credentialsFile(env, password)));
        this.registerOutputs({ project: this.project, openrc: this.openrc });
    }
}
