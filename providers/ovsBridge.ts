// OvsBridge — an Open vSwitch bridge and the ports the program attaches to it
// (the article: `ovs-vsctl add-br br-int` on Bob and Charlie; on Charlie also
// `ovs-vsctl add-br br-ext` + `ovs-vsctl add-port br-ext eth2`).
//
// Identity: ID = bridge name (natural key). Token `pulumi-nodejs:dynamic/network:OvsBridge`.
// Where it connects: over SSH (providers/ssh.ts) to `connection.host`, running
// `ovs-vsctl` there (one atomic ovs-vsctl transaction per operation, `--timeout=30`
// so a dead ovs-vswitchd cannot hang the deployment).
//
// Changes
// - ports: added/removed in place. Only the ports named here are managed: ports other
//   software adds (Quantum/Neutron's patch-tun, qr-…, tap…) are never removed, and
//   `read` reports just the managed ports that are still attached.
// - datapathType ("system" | "netdev"; netdev = userspace datapath, needed where the
//   kernel has no openvswitch module): set in place. Left unset, the bridge's datapath
//   is not managed.
// - connection port/user/key: outputs only.
// - bridge, connection.host (the rule of providers/ssh.ts): REPLACE. deleteBeforeReplace when old and new share the
//   bridge name (host change: may be the same machine) or any port (a port can sit on
//   one bridge only: create-before-delete would fail to attach it).
// - create is find-or-create (`--may-exist add-br/add-port`); delete is
//   `--if-exists del-br` (tolerates absence; removes the bridge's ports with it).
// - read (refresh): no id when the bridge is gone; actual datapath (when managed) and
//   the managed ports still present.

import * as pulumi from "@pulumi/pulumi";
import { checkStart, diffFields, isUnknown, SshProvider } from "./ssh";
import type { CheckOutcome, SshConnection, SshConnectionArgs } from "./ssh";
import { SshResource, type DynamicKind } from "./resource";

export type OvsDatapathType = "system" | "netdev";

export interface OvsBridgeArgs {
    /** SSH connection to the host (Bob, Charlie); privateKey secret. */
    readonly connection: pulumi.Input<SshConnectionArgs>;
    /** Bridge name, e.g. "br-int" (≤ 15 characters of [A-Za-z0-9_.-]). Replaces on change. */
    readonly bridge: pulumi.Input<string>;
    /** Ports to attach, e.g. ["eth2"] (default []). Added/removed in place. */
    readonly ports?: pulumi.Input<pulumi.Input<string>[]>;
    /** "system" (kernel) or "netdev" (userspace); default: not managed. Set in place. */
    readonly datapathType?: pulumi.Input<OvsDatapathType>;
}

export interface OvsBridgeInputs {
    connection: SshConnection;
    bridge: string;
    ports: string[];
    datapathType?: OvsDatapathType;
}

export type OvsBridgeOutputs = OvsBridgeInputs;

export const OVS_DATAPATH_TYPES = ["system", "netdev"];
export const OVS_VSCTL = ["ovs-vsctl", "--timeout=30"];

/** Linux interface name rules (IFNAMSIZ 16 → ≤ 15 characters), shell-safe subset. Pure. */
export function isOvsName(s: unknown): boolean {
    return typeof s === "string" && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(s);
}

/** Validates and normalizes (ports default []); unknowns pass. Pure. */
export function checkOvsBridge(news: Record<string, unknown>): CheckOutcome {
    const { inputs, failures } = checkStart(news);

    const bridge = news.bridge;
    if (!isUnknown(bridge) && !isOvsName(bridge)) {
        failures.push({
            property: "bridge",
            reason: "bridge must be 1-15 characters of [A-Za-z0-9_.-], starting with a letter or digit",
        });
    }
    inputs.bridge = bridge;

    const ports = news.ports === undefined || news.ports === null ? [] : news.ports;
    if (!isUnknown(ports)) {
        if (!Array.isArray(ports)) {
            failures.push({ property: "ports", reason: "ports must be a list of interface names" });
        } else {
            const seen: string[] = [];
            ports.forEach((p: unknown, i: number) => {
                if (isUnknown(p)) {
                    return;
                }
                if (!isOvsName(p)) {
                    failures.push({
                        property: `ports[${i}]`,
                        reason: "port must be 1-15 characters of [A-Za-z0-9_.-], starting with a letter or digit",
                    });
                } else if (seen.includes(p as string)) {
                    failures.push({ property: `ports[${i}]`, reason: `port ${p} is listed twice` });
                } else if (p === bridge) {
                    failures.push({ property: `ports[${i}]`, reason: `port ${p} is the bridge's own internal port` });
                }
                if (typeof p === "string") {
                    seen.push(p);
                }
            });
        }
    }
    inputs.ports = ports;

    const dp = news.datapathType;
    if (dp !== undefined && dp !== null) {
        if (!isUnknown(dp) && (typeof dp !== "string" || !OVS_DATAPATH_TYPES.includes(dp))) {
            failures.push({
                property: "datapathType",
                reason: `datapathType must be one of ${OVS_DATAPATH_TYPES.join(", ")}`,
            });
        }
        inputs.datapathType = dp;
    }
    return { inputs, failures };
}

function sameSet(a: unknown, b: unknown): boolean {
    if (!Array.isArray(a) || !Array.isArray(b)) {
        return false;
    }
    return a.length === b.length && a.every((x) => b.includes(x)) && b.every((x) => a.includes(x));
}

/**
 * Field-by-field diff of stored outputs against new inputs (the shared `diffFields`, with
 * the connection rule of providers/ssh.ts; ports compared as a set). Unknowns count as
 * changes. Pure.
 */
export function diffOvsBridge(
    olds: Partial<OvsBridgeOutputs>,
    news: Record<string, unknown>,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
    const { replaces, changed } = diffFields(olds, news, { replace: ["bridge"], update: ["datapathType"] });
    const portsUnknown = isUnknown(news.ports) || (Array.isArray(news.ports) && news.ports.some(isUnknown));
    const portsChanged = portsUnknown || !sameSet(olds.ports ?? [], news.ports ?? []);
    const oldPorts = Array.isArray(olds.ports) ? (olds.ports as unknown[]) : [];
    const sharePorts = portsUnknown || (Array.isArray(news.ports) && news.ports.some((p) => oldPorts.includes(p)));
    const deleteBeforeReplace = replaces.length > 0 && (!changed.includes("bridge") || sharePorts);
    return { changes: changed.length > 0 || portsChanged, replaces, deleteBeforeReplace };
}

/** argv of the single ovs-vsctl transaction that makes the bridge match `i` (find-or-create). Pure. */
export function planOvsBridgeCreate(i: OvsBridgeInputs): string[] {
    const argv = [...OVS_VSCTL, "--may-exist", "add-br", i.bridge];
    if (i.datapathType) {
        argv.push("--", "set", "bridge", i.bridge, `datapath_type=${i.datapathType}`);
    }
    for (const p of i.ports) {
        argv.push("--", "--may-exist", "add-port", i.bridge, p);
    }
    return argv;
}

/**
 * argv for an update: remove the managed ports no longer wanted, then converge like
 * create (re-attaches managed ports removed out of band). Undefined when nothing on
 * the host changes (only connection details). Pure.
 */
export function planOvsBridgeUpdate(olds: OvsBridgeOutputs, news: OvsBridgeInputs): string[] | undefined {
    const removed = (olds.ports ?? []).filter((p) => !news.ports.includes(p));
    const dpChanged = (olds.datapathType ?? null) !== (news.datapathType ?? null);
    if (removed.length === 0 && sameSet(olds.ports ?? [], news.ports) && !dpChanged) {
        return undefined;
    }
    const argv = [...OVS_VSCTL];
    for (const p of removed) {
        argv.push("--if-exists", "del-port", news.bridge, p, "--");
    }
    const ensure = planOvsBridgeCreate(news).slice(OVS_VSCTL.length);
    return [...argv, ...ensure];
}

/** argv for delete. Pure. */
export function planOvsBridgeDelete(i: Pick<OvsBridgeInputs, "bridge">): string[] {
    return [...OVS_VSCTL, "--if-exists", "del-br", i.bridge];
}

/** The read script: prints `absent`, or `datapath=<type>` and one `port=<name>` per port. Pure. */
export function planOvsBridgeRead(i: Pick<OvsBridgeInputs, "bridge">): string {
    const vsctl = OVS_VSCTL.join(" ");
    return [
        "set -euo pipefail",
        "rc=0",
        `${vsctl} br-exists ${i.bridge} || rc=$?`,
        'if [ "$rc" = 2 ]; then echo absent; exit 0; elif [ "$rc" != 0 ]; then exit "$rc"; fi',
        `echo "datapath=$(${vsctl} get bridge ${i.bridge} datapath_type)"`,
        `${vsctl} list-ports ${i.bridge} | sed 's/^/port=/'`,
    ].join("\n");
}

/** Parses the read script's output. datapath "" (OVS default) reads as "system". Pure. */
export function parseOvsBridgeRead(
    stdout: string,
): { exists: false } | { exists: true; datapathType: string; ports: string[] } {
    const lines = stdout
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.length > 0);
    if (lines.length === 1 && lines[0] === "absent") {
        return { exists: false };
    }
    let datapathType: string | undefined;
    const ports: string[] = [];
    for (const l of lines) {
        if (l.startsWith("datapath=")) {
            const v = l.slice("datapath=".length).replace(/^"(.*)"$/, "$1");
            datapathType = v === "" ? "system" : v;
        } else if (l.startsWith("port=")) {
            ports.push(l.slice("port=".length));
        } else {
            throw new Error(`unexpected read output line: ${JSON.stringify(l.slice(0, 100))}`);
        }
    }
    if (datapathType === undefined) {
        throw new Error("read output has no datapath line");
    }
    return { exists: true, datapathType, ports };
}

/** Renders argv as a shell command line (names are validated shell-safe by check). Pure. */
export function renderOvsCommand(argv: string[]): string {
    return argv.map((a) => (/^[A-Za-z0-9_.=\/:,+-]+$/.test(a) ? a : "'" + a.split("'").join("'\\''") + "'")).join(" ");
}

/** Outputs for checked inputs (datapathType omitted when unmanaged: no undefined in a Struct). Pure. */
export function ovsBridgeOutputs(i: OvsBridgeInputs): OvsBridgeOutputs {
    const o: OvsBridgeOutputs = { connection: i.connection, bridge: i.bridge, ports: [...i.ports] };
    if (i.datapathType) {
        o.datapathType = i.datapathType;
    }
    return o;
}

/** The provider: the pure functions above and the four operations over SSH (providers/ssh.ts). */
export const OVS_BRIDGE_PROVIDER = new SshProvider<OvsBridgeInputs, OvsBridgeOutputs>({
    check: checkOvsBridge,
    diff: diffOvsBridge,
    describe: (p, id) => `OvsBridge ${p.bridge ?? id}`,

    create: async (ssh, inputs) => {
        const argv = planOvsBridgeCreate(inputs);
        await ssh((s) => s.run("add bridge and ports", `set -euo pipefail\n${renderOvsCommand(argv)}`));
        return { id: inputs.bridge, outs: ovsBridgeOutputs(inputs) };
    },

    read: async (ssh, id, props) => {
        const bridge = props.bridge ?? id;
        const live = await ssh(async (s) => {
            const r = await s.run("read bridge", planOvsBridgeRead({ bridge }));
            return parseOvsBridgeRead(r.stdout);
        });
        if (!live.exists) {
            return {};
        }
        const out: OvsBridgeOutputs = {
            connection: props.connection,
            bridge,
            ports: (props.ports ?? []).filter((p) => live.ports.includes(p)),
        };
        if (props.datapathType) {
            out.datapathType = live.datapathType as OvsDatapathType;
        }
        return { id, props: out };
    },

    update: async (ssh, _id, olds, news) => {
        const argv = planOvsBridgeUpdate(olds, news);
        if (argv) {
            await ssh((s) => s.run("update ports and datapath", `set -euo pipefail\n${renderOvsCommand(argv)}`));
        }
        return { outs: ovsBridgeOutputs(news) };
    },

    delete: async (ssh, id, props) => {
        const bridge = props.bridge ?? id;
        await ssh((s) =>
            s.run("delete bridge", `set -euo pipefail\n${renderOvsCommand(planOvsBridgeDelete({ bridge }))}`),
        );
    },
});

/** `pulumi-nodejs:dynamic/network:OvsBridge`, with its one provider instance (providers/resource.ts). */
const OVS_BRIDGE: DynamicKind = {
    provider: OVS_BRIDGE_PROVIDER,
    module: "network",
    type: "OvsBridge",
    secretOutputs: [],
};

/** An Open vSwitch bridge with the ports the program attaches (br-int, br-ex/br-ext + eth2). */
export class OvsBridge extends SshResource {
    declare readonly connection: pulumi.Output<SshConnection>;
    declare readonly bridge: pulumi.Output<string>;
    declare readonly ports: pulumi.Output<string[]>;
    declare readonly datapathType: pulumi.Output<OvsDatapathType | undefined>;

    constructor(name: string, args: OvsBridgeArgs, opts?: pulumi.CustomResourceOptions) {
        const props = {
            connection: pulumi.secret(args.connection),
            bridge: args.bridge,
            ports: args.ports ?? [],
            datapathType: args.datapathType,
        };
        super(OVS_BRIDGE, name, props, opts);
    }
}
