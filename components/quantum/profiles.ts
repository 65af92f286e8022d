// Release facts of the networking service: Quantum on Folsom (folsom-facts §5.3, §6, §8),
// Neutron on Zed / Debian 12 (§7.2, §7.3, §7.9, §7.10; package contents checked with
// dpkg-deb: neutron-common 2:21.0.0-7+deb12u1, openvswitch-switch 3.1.0-2+deb12u1).
import { Release } from "../../config";
import { IniDoc } from "../shared/ini";
import * as r from "./render";

/** One config file the program merges keys into (ini mode; the packaged file is kept). */
export type QuantumFile = {
    /** Key of `overrides` and name of the golden file; unique per host. */
    readonly id: string;
    readonly path: string;
    /** Every file here is 0640 root:<service group>: it holds a secret or the service must read it. */
    readonly mode: string;
    readonly group: string;
} & (
    | { readonly secret: false; readonly render: (v: r.RenderValues) => IniDoc }
    | { readonly secret: true; readonly render: (v: r.RenderValues, s: r.SecretValues) => IniDoc }
);

/** Services restarted together by one step when one of the files they read changes. */
export interface QuantumService extends r.ServiceRun {
    /** Child-name suffix: `${name}-${host}-${step}`. */
    readonly step: string;
    /** Ids of the files the services read (their hashes are the step's triggers). */
    readonly reads: readonly string[];
}

/** What one kind of host runs. */
export interface QuantumRole {
    readonly packages: readonly string[];
    readonly files: readonly QuantumFile[];
    readonly services: readonly QuantumService[];
}

export interface QuantumProfile {
    /** Component and child-name prefix. */
    readonly name: "quantum" | "neutron";
    /** Product name for messages. */
    readonly product: "Quantum" | "Neutron";
    /** Where the services log (shown when one fails to start). */
    readonly logDir: string;
    /** The service's MySQL database and user (article: quantum / quantumdbadmin). */
    readonly database: { readonly name: string; readonly user: string };
    /** Schema migrations run on the controller before the server starts (Zed). */
    readonly dbSync?: { readonly user: string; readonly command: string };
    /** Controller. */
    readonly server: QuantumRole;
    /** Every network and compute node: Open vSwitch + the L2 agent. */
    readonly agent: QuantumRole;
    /** The network node in addition to `agent`. */
    readonly networkNode: QuantumRole;
    /** Id of the network-node file that carries the router / external network IDs (Folsom). */
    readonly networkIdsFile?: string;
    /** How the networks are created: Keystone dialect and path, external network type. */
    readonly networks: {
        readonly dialect: "v2.0" | "v3";
        /** Versioned Keystone path on port 5000. */
        readonly authPath: string;
        readonly externalNetworkName: string;
        readonly routerName: string;
        /** provider:network_type / physical_network of the external network (Zed: flat on `external`). */
        readonly externalProvider?: { readonly networkType: string; readonly physicalNetwork: string };
    };
    /** Folsom: the controller routes the tenant network via the router (metadata return path). */
    readonly metadataRoute: boolean;
}

const QUANTUM_GROUP = "quantum";
const NEUTRON_GROUP = "neutron";

function secretFile(
    id: string,
    path: string,
    group: string,
    render: (v: r.RenderValues, s: r.SecretValues) => IniDoc,
): QuantumFile {
    return { id, path, mode: "0640", group, secret: true, render };
}

function plainFile(id: string, path: string, group: string, render: (v: r.RenderValues) => IniDoc): QuantumFile {
    return { id, path, mode: "0640", group, secret: false, render };
}

// Folsom --------------------------------------------------------------------------------

const F_API_PASTE = "quantum/api-paste.ini";
const F_CONF = "quantum.conf";
const F_PLUGIN = "ovs_quantum_plugin.ini";
const F_PLUGIN_PATH = "/etc/quantum/plugins/openvswitch/ovs_quantum_plugin.ini";

const folsom: QuantumProfile = {
    name: "quantum",
    product: "Quantum",
    logDir: "/var/log/quantum",
    database: { name: "quantum", user: "quantumdbadmin" },
    server: {
        packages: ["quantum-server", "quantum-plugin-openvswitch", "quantum-common"],
        files: [
            secretFile(F_API_PASTE, "/etc/quantum/api-paste.ini", QUANTUM_GROUP, r.folsomApiPaste),
            secretFile(F_CONF, "/etc/quantum/quantum.conf", QUANTUM_GROUP, r.folsomServerConf),
            secretFile(F_PLUGIN, F_PLUGIN_PATH, QUANTUM_GROUP, r.folsomServerPlugin),
        ],
        services: [
            {
                step: "restart",
                names: ["quantum-server"],
                programs: ["/usr/bin/quantum-server"],
                port: r.API_PORT,
                reads: [F_API_PASTE, F_CONF, F_PLUGIN],
            },
        ],
    },
    agent: {
        // 12.04's kernel (3.2) has no openvswitch module: the guides build it with DKMS.
        packages: [
            "openvswitch-switch",
            "openvswitch-datapath-dkms",
            "quantum-plugin-openvswitch-agent",
            "quantum-common",
        ],
        files: [
            secretFile(F_API_PASTE, "/etc/quantum/api-paste.ini", QUANTUM_GROUP, r.folsomApiPaste),
            secretFile(F_CONF, "/etc/quantum/quantum.conf", QUANTUM_GROUP, r.folsomAgentConf),
            secretFile(F_PLUGIN, F_PLUGIN_PATH, QUANTUM_GROUP, r.folsomAgentPlugin),
        ],
        services: [
            {
                step: "restart",
                names: ["quantum-plugin-openvswitch-agent"],
                programs: ["/usr/bin/quantum-openvswitch-agent"],
                reads: [F_CONF, F_PLUGIN],
                cleanup: r.removeTunnelBridgeScript(),
            },
        ],
    },
    networkNode: {
        packages: ["quantum-l3-agent", "quantum-dhcp-agent"],
        files: [
            secretFile("l3_agent.ini", "/etc/quantum/l3_agent.ini", QUANTUM_GROUP, r.folsomL3Agent),
            plainFile("dhcp_agent.ini", "/etc/quantum/dhcp_agent.ini", QUANTUM_GROUP, r.folsomDhcpAgent),
        ],
        services: [
            {
                step: "restart-dhcp",
                names: ["quantum-dhcp-agent"],
                programs: ["/usr/bin/quantum-dhcp-agent"],
                reads: [F_CONF, "dhcp_agent.ini"],
            },
            {
                step: "restart-l3",
                names: ["quantum-l3-agent"],
                programs: ["/usr/bin/quantum-l3-agent"],
                reads: [F_CONF, "l3_agent.ini"],
            },
        ],
    },
    networkIdsFile: "l3_agent.ini",
    networks: { dialect: "v2.0", authPath: "/v2.0", externalNetworkName: "ext_net", routerName: "provider-router" },
    metadataRoute: true,
};

// Zed -----------------------------------------------------------------------------------

const Z_CONF = "neutron.conf";
const Z_ML2 = "ml2_conf.ini";
const Z_OVS = "openvswitch_agent.ini";
const Z_UWSGI = "neutron-api-uwsgi.ini";

const zed: QuantumProfile = {
    name: "neutron",
    product: "Neutron",
    logDir: "/var/log/neutron",
    database: { name: "neutron", user: "neutron" },
    dbSync: {
        user: "neutron",
        command:
            "neutron-db-manage --config-file /etc/neutron/neutron.conf --config-file /etc/neutron/plugins/ml2/ml2_conf.ini upgrade head",
    },
    server: {
        // Debian's neutron-server is a metapackage: neutron-api (uwsgi, port 9696, init
        // script /etc/init.d/neutron-api) + neutron-rpc-server (agents' RPC). The parts are
        // named too, so that destroy purges them (and neutron-common's /etc/neutron).
        packages: ["neutron-server", "neutron-api", "neutron-rpc-server", "neutron-common"],
        files: [
            secretFile(Z_CONF, "/etc/neutron/neutron.conf", NEUTRON_GROUP, r.zedServerConf),
            plainFile(Z_ML2, "/etc/neutron/plugins/ml2/ml2_conf.ini", NEUTRON_GROUP, r.zedMl2),
            plainFile(Z_UWSGI, "/etc/neutron/neutron-api-uwsgi.ini", NEUTRON_GROUP, r.zedApiUwsgi),
        ],
        services: [
            {
                step: "restart",
                names: ["neutron-api", "neutron-rpc-server"],
                programs: ["/usr/bin/neutron-rpc-server"],
                port: r.API_PORT,
                reads: [Z_CONF, Z_ML2, Z_UWSGI],
            },
        ],
    },
    agent: {
        packages: ["openvswitch-switch", "neutron-openvswitch-agent", "neutron-common"],
        files: [
            secretFile(Z_CONF, "/etc/neutron/neutron.conf", NEUTRON_GROUP, r.zedAgentConf),
            plainFile(Z_OVS, "/etc/neutron/plugins/ml2/openvswitch_agent.ini", NEUTRON_GROUP, r.zedOvsAgent),
        ],
        services: [
            {
                step: "restart",
                names: ["neutron-openvswitch-agent"],
                programs: ["/usr/bin/neutron-openvswitch-agent"],
                reads: [Z_CONF, Z_OVS],
                cleanup: r.removeTunnelBridgeScript(),
            },
        ],
    },
    networkNode: {
        packages: ["neutron-l3-agent", "neutron-dhcp-agent", "neutron-metadata-agent"],
        files: [
            plainFile("l3_agent.ini", "/etc/neutron/l3_agent.ini", NEUTRON_GROUP, r.zedL3Agent),
            plainFile("dhcp_agent.ini", "/etc/neutron/dhcp_agent.ini", NEUTRON_GROUP, r.zedDhcpAgent),
            secretFile("metadata_agent.ini", "/etc/neutron/metadata_agent.ini", NEUTRON_GROUP, r.zedMetadataAgent),
        ],
        services: [
            {
                step: "restart-dhcp",
                names: ["neutron-dhcp-agent"],
                programs: ["/usr/bin/neutron-dhcp-agent"],
                reads: [Z_CONF, "dhcp_agent.ini"],
            },
            {
                step: "restart-l3",
                names: ["neutron-l3-agent"],
                programs: ["/usr/bin/neutron-l3-agent"],
                reads: [Z_CONF, "l3_agent.ini"],
            },
            {
                step: "restart-metadata",
                names: ["neutron-metadata-agent"],
                programs: ["/usr/bin/neutron-metadata-agent"],
                reads: [Z_CONF, "metadata_agent.ini"],
            },
        ],
    },
    networks: {
        dialect: "v3",
        authPath: "/v3",
        externalNetworkName: "ext_net",
        routerName: "provider-router",
        externalProvider: { networkType: "flat", physicalNetwork: r.PHYSICAL_NETWORK },
    },
    metadataRoute: false,
};

export const quantumProfiles: Record<Release, QuantumProfile> = { folsom, zed };
