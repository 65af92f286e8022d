// One SSH connection per host, built once, and the first step on every host: wait
// until SSH answers (the connection's dial retries do the waiting).
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { NodeSpec } from "../../config";
import { HostRef } from "./step";

export interface SshSettings {
    readonly user: string;
    readonly port: number;
    readonly privateKey: pulumi.Input<string>;
}

/** How long the first step keeps dialling a host that is still booting: 60 × 10 s. */
export const WAIT_FOR_SSH = { dialErrorLimit: 60, perDialTimeout: 10 } as const;

export function connectionFor(node: NodeSpec, ssh: SshSettings): command.types.input.remote.ConnectionArgs {
    return {
        host: node.managementIp,
        port: ssh.port,
        user: ssh.user,
        privateKey: pulumi.secret(ssh.privateKey),
        dialErrorLimit: WAIT_FOR_SSH.dialErrorLimit,
        perDialTimeout: WAIT_FOR_SSH.perDialTimeout,
    };
}

/** Script of the wait-for-SSH step: proves a shell works and reports what the host is. */
export const HOST_PROBE = `set -eu
echo "$(hostname) $(uname -r) $(. /etc/os-release && echo "$ID $VERSION_ID")"`;

/**
 * `oslab:infra:Host` — the connection to one node and its wait-for-SSH step. Everything
 * that runs on the host depends on `ready`.
 */
export class Host extends pulumi.ComponentResource implements HostRef {
    readonly node: NodeSpec;
    readonly connection: command.types.input.remote.ConnectionArgs;
    readonly ssh: HostRef["ssh"];
    readonly ready: command.remote.Command;

    constructor(name: string, args: { node: NodeSpec; ssh: SshSettings }, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:infra:Host", name, {}, opts);
        this.node = args.node;
        this.connection = connectionFor(args.node, args.ssh);
        this.ssh = pulumi.secret(
            pulumi.output(args.ssh.privateKey).apply((privateKey) => ({
                host: args.node.managementIp,
                port: args.ssh.port,
                user: args.ssh.user,
                privateKey,
            })),
        );
        this.ready = new command.remote.Command(
            `${name}-ssh-ready`,
            {
                connection: this.connection,
                create: HOST_PROBE,
            },
            { parent: this },
        );
        this.registerOutputs({ ready: this.ready.stdout });
    }
}
