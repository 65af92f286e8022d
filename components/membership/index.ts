// `oslab:compute:ComputeMembership` — one compute node's place in the cloud (Kolla-Ansible
// documents its removal as six manual steps; here it is `pulumi up` without the node).
// One step on the node that depends on every other step of it, so the engine makes it
// last and deletes it FIRST:
//   create  waits until the node's nova-compute reports up and its network agents are alive
//   delete  refuses while servers run on the node (naming them and the config key), before
//           anything else of the node is touched; else disables its compute service, stops
//           its services and deregisters it from nova, placement and neutron — then the
//           engine deletes the node's other steps (configs restored, packages purged).
// A full destroy runs the same delete for every compute (after the destroy guard).
import * as pulumi from "@pulumi/pulumi";
import { remoteStep } from "../shared/step";
import { ComputeMembershipArgs } from "./args";
import * as render from "./render";

export { ComputeMembershipArgs } from "./args";

/** The config key that lists the nodes (named in the refusal). */
export const NODES_KEY = "openstack-lab:nodes";

export class ComputeMembership extends pulumi.ComponentResource {
    /** The node has joined: depend on it to use the node. */
    readonly ready: pulumi.Resource;

    constructor(name: string, args: ComputeMembershipArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:compute:ComputeMembership", name, {}, opts);
        const node = args.host.node.name;
        this.ready = remoteStep(
            `${name}-node`,
            args.host,
            {
                create: render.joinScript(args.clientEnv, node),
                delete: render.leaveScript(args.clientEnv, node, args.services, NODES_KEY),
                stdin: pulumi.secret(args.adminPassword),
            },
            { parent: this, dependsOn: args.after },
        );
        this.registerOutputs({});
    }
}
