// scripts/topology/topology.ts — the cloud's topology as a Graphviz graph, from the stack
// config alone (no host, no engine). Pure: a stack file's text in, DOT text out.
// `npm run topology` (cli.ts) hands the DOT to Graphviz `dot` for the layout and writes the
// SVG; nothing here computes a coordinate.
//
// What is drawn: the four networks with their CIDRs; every node with its role, the services
// the program runs there and its address on each network; the router (gateway port on the
// external network, interface on the tenant network); and, where the release has it, the
// controller's metadata return route to the tenant network via the router's gateway port.
import * as yaml from "js-yaml";
import { CONFIG_KEYS, NAMESPACE, NodeSpec, PlainConfig, RawConfig, Release, Role, validateConfig } from "../../config";

/** Thrown for a stack file that cannot be drawn (unreadable YAML or invalid config). */
export class TopologyError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TopologyError";
    }
}

/**
 * The plain `openstack-lab:` keys of a stack file, validated by the program's own
 * `validateConfig`. Secret keys (`secure:` values) are never read: a secret that is set
 * counts as present, and the SSH key counts as present even when unset, since the
 * picture needs no secret.
 */
export function stackConfigFromYaml(text: string, file = "stack file"): PlainConfig {
    let doc: unknown;
    try {
        doc = yaml.load(text);
    } catch (e) {
        throw new TopologyError(`${file}: not YAML: ${(e as Error).message}`);
    }
    const config = (doc as { config?: unknown } | null)?.config;
    if (!config || typeof config !== "object" || Array.isArray(config)) {
        throw new TopologyError(`${file}: no \`config:\` block`);
    }
    const raw: RawConfig = {};
    const present = new Set<string>(["sshPrivateKey"]);
    for (const [k, v] of Object.entries(config as Record<string, unknown>)) {
        if (!k.startsWith(`${NAMESPACE}:`)) {
            continue;
        }
        const key = k.slice(NAMESPACE.length + 1);
        if (CONFIG_KEYS[key]?.secret) {
            present.add(key);
        } else {
            raw[key] = v;
        }
    }
    const { config: plain, problems } = validateConfig(raw, present);
    if (!plain) {
        throw new TopologyError(
            `${file}: invalid stack config:\n` +
                problems.map((p) => `  - ${NAMESPACE}:${p.key}: ${p.message}`).join("\n"),
        );
    }
    return plain;
}

// ---------------------------------------------------------------------------------------
// What runs where. A summary table, maintained by hand from the release profiles in
// components/*/profiles.ts (packages and services each component installs and restarts);
// test/unit/topology.test.ts checks that every release in config.ts has an entry.

/** Per release: the services on each role, and the release's networking facts. */
export interface ReleaseServices {
    /** Networking service name as the release says it. */
    readonly networking: string;
    /** Tunnel type on the data network. */
    readonly tunnels: string;
    /** The router the program creates (name from the release's network profile). */
    readonly routerName: string;
    /** The controller routes the tenant network via the router's gateway port (Folsom). */
    readonly metadataRoute: boolean;
    /** Service lines per role; `cfg` supplies the config-dependent parts. */
    readonly services: (role: Role, cfg: PlainConfig, node: NodeSpec) => readonly string[];
}

const ovs = (cfg: PlainConfig, bridges: string) =>
    `Open vSwitch${cfg.datapathType === "netdev" ? " (userspace datapath)" : ""}: ${bridges}`;
const cinderLine = (cfg: PlainConfig) =>
    cfg.cinder.volumeService
        ? [`cinder-api, cinder-scheduler, cinder-volume (LVM ${cfg.cinder.volumeGroup})`]
        : ["cinder-api, cinder-scheduler (no cinder-volume)"];

/**
 * The network and compute nodes' lines, the same in every release but for the names: time
 * sync, the OVS bridges, the networking service's agents (`net`: quantum or neutron), and
 * the network node's `extraAgents` or the compute node's nova-compute.
 */
function agentNode(
    role: Exclude<Role, "controller">,
    cfg: PlainConfig,
    node: NodeSpec,
    time: string,
    net: string,
    extraAgents: readonly string[],
): string[] {
    if (role === "network") {
        const bridges = ovs(cfg, `br-int, br-tun, br-ex (${node.externalInterface})`);
        return [time, bridges, `${net}-openvswitch-agent`, `${net}-l3-agent, ${net}-dhcp-agent`, ...extraAgents];
    }
    return [time, ovs(cfg, "br-int, br-tun"), `${net}-openvswitch-agent`, `nova-compute (libvirt, ${cfg.virtType})`];
}

/** The services of the Debian releases (zed, epoxy). */
const DEBIAN_SERVICES: ReleaseServices = {
    networking: "Neutron",
    tunnels: "VXLAN",
    routerName: "provider-router",
    metadataRoute: false,
    services: (role, cfg, node) => {
        switch (role) {
            case "controller":
                return [
                    "chrony, MariaDB, RabbitMQ",
                    "keystone",
                    "glance-api, placement-api",
                    "neutron-api, neutron-rpc-server (ML2/OVS)",
                    "nova-api, nova-api-metadata",
                    "nova-conductor, nova-scheduler, nova-novncproxy",
                    ...cinderLine(cfg),
                    "Horizon (apache2, memcached)",
                ];
            default:
                return agentNode(role, cfg, node, "chrony", "neutron", ["neutron-metadata-agent"]);
        }
    },
};

/** Hand-maintained summary of components/*\/profiles.ts, keyed by release name. */
export const RELEASE_SERVICES: Readonly<Record<string, ReleaseServices>> = {
    folsom: {
        networking: "Quantum",
        tunnels: "GRE",
        routerName: "provider-router",
        metadataRoute: true,
        services: (role, cfg, node) => {
            switch (role) {
                case "controller":
                    return [
                        "ntp, MySQL, RabbitMQ",
                        "keystone",
                        "glance-api, glance-registry",
                        "quantum-server (OVS plugin)",
                        "nova-api-os-compute, -ec2, -metadata",
                        "nova-scheduler, -cert, -consoleauth",
                        "nova-novncproxy, nova-objectstore",
                        ...cinderLine(cfg),
                        "Horizon (apache2, memcached)",
                    ];
                default:
                    return agentNode(role, cfg, node, "ntp", "quantum", []);
            }
        },
    },
    zed: DEBIAN_SERVICES,
    /** Epoxy runs the same services as zed (components/release/epoxy derives from zed). */
    epoxy: DEBIAN_SERVICES,
};

export function releaseServices(release: Release): ReleaseServices {
    const r = RELEASE_SERVICES[release];
    if (!r) {
        throw new TopologyError(
            `no service table for release ${release}: add one to RELEASE_SERVICES in scripts/topology/topology.ts`,
        );
    }
    return r;
}

// ---------------------------------------------------------------------------------------
// The model: what the picture says, independent of Graphviz.

export type NetworkId = "management" | "data" | "external" | "tenant";

export interface NetworkModel {
    readonly id: NetworkId;
    readonly title: string;
    readonly cidr: string;
    /** Further facts, one per line (gateway, pool, purpose). */
    readonly notes: readonly string[];
}

export interface LinkModel {
    readonly network: NetworkId;
    /** What the node has on that network: an address or an interface. */
    readonly label: string;
}

export interface NodeModel {
    readonly name: string;
    readonly role: Role;
    readonly services: readonly string[];
    readonly links: readonly LinkModel[];
}

export interface TopologyModel {
    readonly title: string;
    readonly networks: readonly NetworkModel[];
    readonly nodes: readonly NodeModel[];
    readonly router: {
        readonly name: string;
        /** The network node whose L3 agent hosts the router. */
        readonly host: string;
        /** The gateway port on the external network. */
        readonly gateway: string;
        /** The interface on the tenant network. */
        readonly tenantInterface: string;
    };
    /** The controller's route to the tenant network via the router's gateway port. */
    readonly metadataRoute?: { readonly host: string; readonly label: string };
}

/** What the picture of `cfg` shows. `stack` names the stack in the title. */
export function topologyModel(cfg: PlainConfig, stack: string): TopologyModel {
    const rel = releaseServices(cfg.release);
    const e = cfg.externalNetwork;
    const t = cfg.tenantNetwork;
    const network = cfg.nodes.find((n) => n.role === "network")!;
    const controller = cfg.nodes.find((n) => n.role === "controller")!;
    const computes = cfg.nodes.filter((n) => n.role === "compute").map((n) => n.name);
    const networks: NetworkModel[] = [
        {
            id: "management",
            title: "management network",
            cidr: cfg.managementNetwork,
            notes: ["APIs, database, message queue, SSH"],
        },
        {
            id: "data",
            title: "data network",
            cidr: cfg.dataNetwork,
            notes: [`${rel.tunnels} tunnels between the Open vSwitch agents`],
        },
        {
            id: "external",
            title: "external network",
            cidr: e.cidr,
            notes: [`gateway ${e.gateway}`, `floating IPs ${e.allocationPool.start} – ${e.allocationPool.end}`],
        },
        {
            id: "tenant",
            title: `tenant network "${t.name}"`,
            cidr: t.cidr,
            notes: [
                `gateway ${t.gateway}, DNS ${t.dnsNameservers.join(", ")}`,
                `VMs on ${computes.join(", ")}, carried in ${rel.tunnels} tunnels over the data network`,
            ],
        },
    ];
    const nodes: NodeModel[] = cfg.nodes.map((n) => {
        const links: LinkModel[] = [{ network: "management", label: n.managementIp }];
        if (n.dataIp !== undefined) {
            links.push({ network: "data", label: n.dataIp });
        }
        if (n.role === "network") {
            links.push({ network: "external", label: `${n.externalInterface} in br-ex (no address)` });
        }
        return { name: n.name, role: n.role, services: rel.services(n.role, cfg, n), links };
    });
    return {
        title: `openstack-lab: stack ${stack}, release ${cfg.release} (${rel.networking})`,
        networks,
        nodes,
        router: {
            name: rel.routerName,
            host: network.name,
            gateway: `gateway port: one of ${e.allocationPool.start} – ${e.allocationPool.end} (known after deploy)`,
            tenantInterface: `interface ${t.gateway} on "${t.name}"`,
        },
        metadataRoute: rel.metadataRoute
            ? { host: controller.name, label: `route ${t.cidr} via router gateway` }
            : undefined,
    };
}

// ---------------------------------------------------------------------------------------
// DOT text. Layout is Graphviz's: ranks follow the edge directions (management network on
// top, nodes, then the data and external networks, the router, the tenant network).

export const FONT = "Liberation Sans";

const COLORS: Record<NetworkId, { line: string; fill: string }> = {
    management: { line: "#1f5fa8", fill: "#dce8f6" },
    data: { line: "#2e7d32", fill: "#dcefdc" },
    external: { line: "#c25e00", fill: "#fbe7d3" },
    tenant: { line: "#6a3d9a", fill: "#e9e0f3" },
};
const ROLE_FILL: Record<Role, string> = { controller: "#fff4c2", network: "#ffe0e0", compute: "#e0f2f1" };

/** Text for a Graphviz HTML-like label. */
export function esc(s: string): string {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A quoted DOT ID or string attribute. */
export function quote(s: string): string {
    return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

const netId = (id: NetworkId) => quote(`net-${id}`);
const nodeId = (name: string) => quote(`node-${name}`);
const ROUTER = quote("router");

function networkNode(n: NetworkModel): string {
    const c = COLORS[n.id];
    const lines = [
        `<b>${esc(n.title)}  ${esc(n.cidr)}</b>`,
        ...n.notes.map((x) => `<font point-size="9">${esc(x)}</font>`),
    ];
    return (
        `    ${netId(n.id)} [shape=box, style=filled, penwidth=2, color=${quote(c.line)}, fillcolor=${quote(c.fill)}, ` +
        `fontcolor=${quote(c.line)}, width=7, label=<${lines.join("<br/>")}>];`
    );
}

const LINK_TITLE: Record<NetworkId, string> = {
    management: "management",
    data: "data",
    external: "external",
    tenant: "tenant",
};

function hostNode(n: NodeModel, route: string | undefined): string {
    const cell = (text: string, color = "black", bg?: string) =>
        `<tr><td align="left"${bg ? ` bgcolor=${quote(bg)}` : ""}><font point-size="9" color=${quote(color)}>${text}</font></td></tr>`;
    const links = n.links.map((l) =>
        cell(`${LINK_TITLE[l.network]}: <b>${esc(l.label)}</b>`, COLORS[l.network].line, COLORS[l.network].fill),
    );
    const services = n.services.map((s) => cell(esc(s)));
    const routeRow = route ? [cell(`<i>${esc(route)}</i>`, "#555555", "#eeeeee")] : [];
    const label =
        `<table border="1" cellborder="0" cellspacing="0" cellpadding="2" bgcolor="white">` +
        `<tr><td bgcolor=${quote(ROLE_FILL[n.role])} cellpadding="4"><b>${esc(n.name)} (${esc(n.role)})</b></td></tr>` +
        [...links, ...services, ...routeRow].join("") +
        `</table>`;
    return `    ${nodeId(n.name)} [shape=plain, label=<${label}>];`;
}

function edge(from: string, to: string, attrs: Record<string, string>): string {
    const a = Object.entries(attrs)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ");
    return `    ${from} -- ${to} [${a}];`;
}

/** The DOT text of a topology model; byte-identical for the same model. */
export function topologyDot(m: TopologyModel): string {
    const out: string[] = [];
    out.push("graph topology {");
    out.push(
        `    graph [fontname=${quote(FONT)}, fontsize=14, labelloc=t, label=${quote(m.title)}, ` +
            `nodesep=0.35, ranksep=0.5, newrank=true, pad=0.2];`,
    );
    out.push(`    node [fontname=${quote(FONT)}, fontsize=11];`);
    out.push(`    edge [fontname=${quote(FONT)}, fontsize=9, penwidth=1.5];`);
    out.push("");
    for (const n of m.networks) {
        out.push(networkNode(n));
    }
    const r = m.router;
    const small = (x: string) => `<br/><font point-size="9">${esc(x)}</font>`;
    out.push(
        `    ${ROUTER} [shape=box, style="rounded,filled", fillcolor="#f2f2f2", ` +
            `label=<<b>router ${esc(r.name)}</b>${small(`L3 agent on ${r.host}`)}${small(r.gateway)}${small(r.tenantInterface)}>];`,
    );
    for (const n of m.nodes) {
        out.push(hostNode(n, m.metadataRoute?.host === n.name ? m.metadataRoute.label : undefined));
    }
    out.push("");
    out.push(`    { rank=same; ${m.nodes.map((n) => nodeId(n.name)).join("; ")}; }`);
    out.push(`    { rank=same; ${netId("data")}; ${netId("external")}; }`);
    out.push("");
    // Edges point down the picture: management → nodes → data/external → router → tenant.
    const colored = (id: NetworkId | "route", attrs: Record<string, string> = {}) => {
        const c = quote(id === "route" ? "#555555" : COLORS[id].line);
        return { color: c, fontcolor: c, ...attrs };
    };
    for (const n of m.nodes) {
        for (const l of n.links) {
            if (l.network === "management") {
                out.push(edge(netId("management"), nodeId(n.name), colored(l.network)));
            } else {
                out.push(edge(nodeId(n.name), netId(l.network), colored(l.network)));
            }
        }
    }
    out.push(edge(netId("external"), ROUTER, colored("external", { label: quote("gateway port") })));
    out.push(edge(ROUTER, netId("tenant"), colored("tenant", { label: quote(r.tenantInterface.split(" ")[1]) })));
    if (m.metadataRoute) {
        const attrs = { style: "dashed", constraint: "false", label: quote("metadata return route") };
        out.push(edge(nodeId(m.metadataRoute.host), ROUTER, colored("route", attrs)));
    }
    out.push("}");
    return out.join("\n") + "\n";
}
