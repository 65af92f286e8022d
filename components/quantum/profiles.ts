// Release facts of the networking service: Quantum on Folsom (docs/sources.md#folsom, #folsom-pitfalls),
// Neutron on Zed / Debian 12 (docs/sources.md#zed; package contents checked with
// dpkg-deb: neutron-common 2:21.0.0-7+deb12u1, openvswitch-switch 3.1.0-2+deb12u1).
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

/** A file holding a secret (rendered with the secret values). */
export function secretFile(
    id: string,
    path: string,
    group: string,
    render: (v: r.RenderValues, s: r.SecretValues) => IniDoc,
): QuantumFile {
    return { id, path, mode: "0640", group, secret: true, render };
}

/** A file without secrets. */
export function plainFile(id: string, path: string, group: string, render: (v: r.RenderValues) => IniDoc): QuantumFile {
    return { id, path, mode: "0640", group, secret: false, render };
}
