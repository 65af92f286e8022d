// QuantumNetwork: the article's networks script [3] as one resource — a tenant
// network + subnet (`private`, 10.5.5.0/24, gw 10.5.5.1, dns 8.8.8.8), the
// external network `ext_net` (router:external, optionally provider:network_type /
// provider:physical_network) + its subnet (allocation pool, DHCP off, gateway), the
// router `provider-router` with an interface on the tenant subnet and its gateway on
// ext_net. Outputs the IDs the article copies into l3_agent.ini (routerId,
// externalNetworkId) and the router gateway port's IP (gatewayIp: the address the
// article routes 10.5.5.0/24 via).
//
// Identity: ID `${tenantNetwork.name}/${routerName}/${externalNetwork.name}`.
// Objects are found by name (networks, router) and by network + CIDR (subnets);
// `create`/`update` are find-or-create, so a re-run after a partial failure adopts
// what the failed run left behind. The resource owns every object it finds by
// these keys: delete removes them all.
// What changes how:
// - routerName, tenantNetwork.name, externalNetwork.name, projectId → replace,
//   always deleteBeforeReplace: the names are the keys objects are found by (a new
//   resource would adopt the unchanged-name objects its predecessor then deletes),
//   only one flat network may use a physical network, and two routers' CIDRs clash.
// - tenantNetwork.cidr / .gateway → the tenant subnet is replaced inside `update`
//   (remove router interface, delete subnet, create subnet, add interface; the
//   router interface port holds the gateway address, so the gateway cannot be PUT).
// - externalNetwork.cidr → the external subnet is replaced (clear router gateway,
//   delete subnet, create subnet, set gateway; gatewayIp changes).
// - externalNetwork.providerNetworkType / .physicalNetwork (immutable in the API) →
//   the external network is replaced with its subnet (externalNetworkId changes).
// - tenantNetwork.dnsNameservers, externalNetwork.gateway → PUT on the subnet.
// - externalNetwork.allocationPool → PUT on the subnet with dialect v3 (Zed); with
//   v2.0 (Folsom) `allocation_pools` is read-only in Quantum (updatable only since
//   Neutron Liberty), so the external subnet is replaced as for a CIDR change.
// - connection.host → replace, delete first (the rule of providers/ssh.ts: the API
//   URLs are resolved from the SSH host, so another host may mean another cloud).
// - auth, networkUrl, connection port/user/key → update (nothing changes in the API).
// Delete order: clear gateway, remove interface, delete router, subnets, networks;
// every step tolerates 404. Refresh (`read`) reports the live CIDRs, gateways,
// pool, DNS servers, provider attributes and IDs ("" for a missing object); nothing
// of the three (router, both networks) left = gone. Diff treats a missing ID as a
// change: update re-creates exactly the missing objects (same names; what is left
// keeps its ID) and their new IDs flow to the dependents.
//
// Never half-way — what a failure leaves, and how the next run learns of it:
// - delete first lists the ports on both recorded networks and on the router
//   (read-only). A port that is neither ours (the router's gateway port, its
//   interface on the tenant subnet) nor one the server removes with its subnet
//   (AUTO_DELETED_PORT_OWNERS) — a floating IP, another router's gateway, a
//   server's port — fails the delete before anything is removed, and the error
//   names each (id, device_owner, device, project, addresses). The recorded state
//   stays true, so the next `up` rightly finds nothing to do.
// - A teardown step that still fails (a port created meanwhile, a server error, a
//   lost connection) leaves a state no provider can record: the engine keeps a
//   failed delete's old state as it was (pulumi/pulumi pkg/resource/deploy/step.go,
//   DeleteStep.Apply), and diff is pure (style: it must not call the cloud), so
//   a plain next `up` sees no change. The error therefore says which steps were
//   done and which not, names the ports in the way (on a 409), and says to run
//   `pulumi refresh` (or `pulumi up --refresh`): read then records the removed
//   objects as missing and the next up re-creates them as above.
// - create/update that fail after changing something re-read the objects and
//   throw the SDK's partial failure (`withPartialState`: id + properties +
//   reasons → ErrorResourceInitFailed): the engine records what exists ("" for
//   the missing parts) and, while the resource has init errors, runs update on
//   the next `up` even when no input changed (pulumi/pulumi
//   pkg/resource/deploy/step_generator.go, "initialization errors") — so reverting
//   an input cannot leave a half-built network "unchanged", and a destroy after a
//   failed create removes what it made. A failure before any change keeps the
//   engine's state as it was (it is still true).
//
// Where it connects: over SSH to `connection`; HTTP to Keystone (`auth.authUrl`)
// and to the network API (`networkUrl`) goes through that SSH connection, as seen
// from the SSH host. The Quantum v2.0 REST API (Folsom) is the Neutron v2.0 API for
// every call used here (`/v2.0/networks|subnets|routers|ports`, add/remove_router_interface,
// external_gateway_info), so one client serves both releases; only the token differs:
// Keystone v2.0 `POST /v2.0/tokens` (passwordCredentials + tenantName) or v3
// password auth.

import * as pulumi from "@pulumi/pulumi";
import { checkStart, checkTools, diffFields, isUnknown, same, SshProvider } from "./ssh";
import type { CheckOutcome, SshConnection, SshSession } from "./ssh";
import {
    acquireToken,
    apiDelete,
    apiGet,
    ApiCall,
    ApiContext,
    apiErrorMessage,
    describeFailure,
    DIALECTS,
    Dialect,
    getJson,
    listOf,
    only,
    pick,
    pickOne,
    plain,
    send,
    splitUrl,
    substitute,
    urlProblem,
} from "./openstackAuth";
import { SshResource, type DynamicKind } from "./resource";

export const DEFAULT_ROUTER_NAME = "provider-router";

/** Login for the network API (a user with the admin role, e.g. the article's admin/secret in tenant admin). */
export interface QuantumAuth {
    /** "v2.0": Keystone v2.0 `POST /v2.0/tokens` (Folsom); "v3": password auth (Zed). */
    dialect: Dialect;
    /** Versioned Keystone URL as reachable from the SSH host: `http://192.168.122.111:5000/v2.0`, `http://198.51.100.11:5000/v3`. */
    authUrl: string;
    username: string;
    /** Secret. */
    password: string;
    /** Tenant (v2.0) / project (v3) to scope the token to. */
    projectName: string;
    /** v3 only; default "Default". */
    userDomainName?: string;
    /** v3 only; default "Default". */
    projectDomainName?: string;
}

export interface TenantNetworkSpec {
    /** Network name, e.g. "private". Part of the identity. */
    name: string;
    /** IPv4 network, e.g. "10.5.5.0/24". A change replaces the subnet. */
    cidr: string;
    /** Gateway inside cidr (the router interface takes it), e.g. "10.5.5.1". A change replaces the subnet. */
    gateway: string;
    /** DNS servers handed out by DHCP, e.g. ["8.8.8.8"]; default []. Updated in place. */
    dnsNameservers?: string[];
}

export interface IpRange {
    start: string;
    end: string;
}

export interface ExternalNetworkSpec {
    /** Network name, e.g. "ext_net". Part of the identity. */
    name: string;
    /** IPv4 network, e.g. "192.168.144.0/25". A change replaces the subnet. */
    cidr: string;
    /** Upstream gateway inside cidr, outside the pool. Updated in place. */
    gateway: string;
    /** Addresses for router gateways and floating IPs. Updated in place (v3) / subnet replaced (v2.0). */
    allocationPool: IpRange;
    /** provider:network_type, e.g. "flat" (Zed). Unset: not requested and not compared. */
    providerNetworkType?: string;
    /** provider:physical_network, e.g. "external" (Zed). Unset: not requested and not compared. */
    physicalNetwork?: string;
}

type Inputify<T> = { readonly [K in keyof T]: pulumi.Input<T[K]> };

export interface QuantumNetworkArgs {
    /** SSH connection to a host that reaches Keystone and the network API (the controller). */
    readonly connection: pulumi.Input<SshConnection>;
    /** Secret (carries the password). */
    readonly auth: pulumi.Input<Inputify<QuantumAuth>>;
    /** Network API as reachable from the SSH host, e.g. `http://192.168.122.111:9696`. */
    readonly networkUrl: pulumi.Input<string>;
    readonly tenantNetwork: pulumi.Input<Inputify<TenantNetworkSpec>>;
    readonly externalNetwork: pulumi.Input<Inputify<ExternalNetworkSpec>>;
    /** Default "provider-router". Part of the identity. */
    readonly routerName?: pulumi.Input<string>;
    /** Owner (tenant_id) of the tenant network, its subnet and the router; default: the token's project. */
    readonly projectId?: pulumi.Input<string>;
}

/** Plain inputs after check (defaults applied). */
export interface QuantumNetworkInputs {
    connection: SshConnection;
    auth: QuantumAuth;
    networkUrl: string;
    tenantNetwork: Required<TenantNetworkSpec>;
    externalNetwork: ExternalNetworkSpec;
    routerName: string;
    projectId?: string;
}

export interface QuantumNetworkIds {
    routerId: string;
    externalNetworkId: string;
    tenantNetworkId: string;
    tenantSubnetId: string;
    externalSubnetId: string;
    /** The router gateway port's address on the external network. */
    gatewayIp: string;
}

/** State: the inputs echoed (connection and auth are secret outputs) plus the IDs ("" = missing). */
export type QuantumNetworkOutputs = QuantumNetworkInputs & QuantumNetworkIds;

// ---------------------------------------------------------------------------
// check

/** Validates and defaults the inputs; unknown values (preview) are accepted. Uses ipaddr.js. */
export function checkQuantumNetwork(news: Record<string, unknown>): CheckOutcome {
    const ipaddr = require("ipaddr.js") as typeof import("ipaddr.js");
    const { inputs, failures } = checkStart(news);
    const { fail, known, str } = checkTools(failures);
    Object.assign(
        inputs,
        only(news, ["auth", "networkUrl", "tenantNetwork", "externalNetwork", "routerName", "projectId"]),
    );
    inputs.auth = only(news.auth, [
        "dialect",
        "authUrl",
        "username",
        "password",
        "projectName",
        "userDomainName",
        "projectDomainName",
    ]);
    inputs.externalNetwork = only(news.externalNetwork, [
        "name",
        "cidr",
        "gateway",
        "allocationPool",
        "providerNetworkType",
        "physicalNetwork",
    ]);
    const pool0 = (news.externalNetwork as Record<string, unknown> | undefined)?.allocationPool;
    if (pool0 !== undefined && inputs.externalNetwork && typeof inputs.externalNetwork === "object") {
        (inputs.externalNetwork as Record<string, unknown>).allocationPool = only(pool0, ["start", "end"]);
    }

    const auth = news.auth as Record<string, unknown> | undefined;
    if (known(auth)) {
        if (!auth || typeof auth !== "object") {
            fail("auth", "required: { dialect, authUrl, username, password, projectName }");
        } else {
            const dOk = known(auth.dialect) && DIALECTS.includes(auth.dialect as Dialect);
            if (known(auth.dialect) && !dOk) {
                fail(
                    "auth.dialect",
                    `must be one of ${DIALECTS.map((d) => `"${d}"`).join(", ")}, got ${JSON.stringify(auth.dialect)}`,
                );
            }
            if (known(auth.authUrl)) {
                const p = urlProblem(auth.authUrl);
                if (p) {
                    fail("auth.authUrl", p);
                } else if (dOk) {
                    const want = auth.dialect === "v2.0" ? "/v2.0" : "/v3";
                    if (!splitUrl(auth.authUrl as string).basePath.endsWith(want)) {
                        fail(
                            "auth.authUrl",
                            `for dialect "${auth.dialect}" the path must end in ${want}, got "${auth.authUrl}"`,
                        );
                    }
                }
            }
            for (const k of ["username", "password", "projectName"]) {
                if (known(auth[k]) && !str(auth[k])) {
                    fail(`auth.${k}`, "required");
                }
            }
        }
    }

    if (known(news.networkUrl)) {
        const p = urlProblem(news.networkUrl);
        if (p) {
            fail("networkUrl", p);
        }
    }

    const routerName = news.routerName ?? DEFAULT_ROUTER_NAME;
    inputs.routerName = routerName;
    checkName("routerName", routerName, fail);
    if (news.projectId !== undefined && known(news.projectId) && !str(news.projectId)) {
        fail("projectId", "must be a non-empty project ID when given");
    }

    // Parsed CIDRs, for the overlap check at the end.
    const nets: { prop: string; net: [import("ipaddr.js").IPv4, number] }[] = [];
    const parseCidr = (prop: string, v: unknown): [import("ipaddr.js").IPv4, number] | undefined => {
        if (!known(v)) {
            return undefined;
        }
        if (typeof v !== "string" || !ipaddr.IPv4.isValidCIDR(v)) {
            fail(prop, `must be an IPv4 CIDR like 10.5.5.0/24, got ${JSON.stringify(v)}`);
            return undefined;
        }
        const [addr, bits] = ipaddr.IPv4.parseCIDR(v);
        const netAddr = ipaddr.IPv4.networkAddressFromCIDR(v).toString();
        if (addr.toString() !== netAddr) {
            fail(prop, `has host bits set: use ${netAddr}/${bits}`);
            return undefined;
        }
        if (bits > 30) {
            fail(prop, "must leave room for a gateway and hosts (/30 or larger)");
            return undefined;
        }
        nets.push({ prop, net: [addr, bits] });
        return [addr, bits];
    };
    const parseIp = (
        prop: string,
        v: unknown,
        net: [import("ipaddr.js").IPv4, number] | undefined,
    ): import("ipaddr.js").IPv4 | undefined => {
        if (!known(v)) {
            return undefined;
        }
        if (typeof v !== "string" || !ipaddr.IPv4.isValidFourPartDecimal(v)) {
            fail(prop, `must be an IPv4 address, got ${JSON.stringify(v)}`);
            return undefined;
        }
        const ip = ipaddr.IPv4.parse(v);
        if (net) {
            const cidr = `${net[0].toString()}/${net[1]}`;
            if (!ip.match(net)) {
                fail(prop, `${v} is not inside ${cidr}`);
                return undefined;
            }
            if (
                v === ipaddr.IPv4.networkAddressFromCIDR(cidr).toString() ||
                v === ipaddr.IPv4.broadcastAddressFromCIDR(cidr).toString()
            ) {
                fail(prop, `${v} is the network or broadcast address of ${cidr}`);
                return undefined;
            }
        }
        return ip;
    };
    const toNum = (ip: import("ipaddr.js").IPv4) => ip.toByteArray().reduce((a, b) => a * 256 + b, 0);

    const tn = news.tenantNetwork as Record<string, unknown> | undefined;
    if (known(tn)) {
        if (!tn || typeof tn !== "object") {
            fail("tenantNetwork", "required: { name, cidr, gateway, dnsNameservers? }");
        } else {
            checkName("tenantNetwork.name", tn.name, fail);
            const net = parseCidr("tenantNetwork.cidr", tn.cidr);
            parseIp("tenantNetwork.gateway", tn.gateway, net);
            const dns = tn.dnsNameservers ?? [];
            if (known(dns)) {
                if (!Array.isArray(dns)) {
                    fail("tenantNetwork.dnsNameservers", "must be a list of IPv4 addresses");
                } else {
                    dns.forEach((d, i) => parseIp(`tenantNetwork.dnsNameservers[${i}]`, d, undefined));
                }
            }
            inputs.tenantNetwork = only({ ...tn, dnsNameservers: dns }, ["name", "cidr", "gateway", "dnsNameservers"]);
        }
    }

    const en = news.externalNetwork as Record<string, unknown> | undefined;
    if (known(en)) {
        if (!en || typeof en !== "object") {
            fail(
                "externalNetwork",
                "required: { name, cidr, gateway, allocationPool: { start, end }, providerNetworkType?, physicalNetwork? }",
            );
        } else {
            checkName("externalNetwork.name", en.name, fail);
            const net = parseCidr("externalNetwork.cidr", en.cidr);
            const gw = parseIp("externalNetwork.gateway", en.gateway, net);
            const pool = en.allocationPool as Record<string, unknown> | undefined;
            if (known(pool)) {
                if (!pool || typeof pool !== "object") {
                    fail("externalNetwork.allocationPool", "required: { start, end }");
                } else {
                    const s = parseIp("externalNetwork.allocationPool.start", pool.start, net);
                    const e = parseIp("externalNetwork.allocationPool.end", pool.end, net);
                    if (s && e && toNum(s) > toNum(e)) {
                        fail("externalNetwork.allocationPool", `start ${pool.start} is after end ${pool.end}`);
                    }
                    if (s && e && gw && toNum(gw) >= toNum(s) && toNum(gw) <= toNum(e)) {
                        fail(
                            "externalNetwork.gateway",
                            `${en.gateway} lies inside the allocation pool ${pool.start}-${pool.end}`,
                        );
                    }
                }
            }
            for (const k of ["providerNetworkType", "physicalNetwork"]) {
                if (en[k] !== undefined && known(en[k]) && !str(en[k])) {
                    fail(`externalNetwork.${k}`, "must be a non-empty string when given");
                }
            }
            if (
                known(en.providerNetworkType) &&
                (en.providerNetworkType === "flat" || en.providerNetworkType === "vlan") &&
                en.physicalNetwork === undefined
            ) {
                fail(
                    "externalNetwork.physicalNetwork",
                    `required with providerNetworkType "${en.providerNetworkType}" (e.g. "external")`,
                );
            }
        }
    }

    if (nets.length === 2) {
        const [a, b] = nets;
        if (a.net[0].match(b.net[0], b.net[1]) || b.net[0].match(a.net[0], a.net[1])) {
            fail("externalNetwork.cidr", `overlaps tenantNetwork.cidr: the router cannot connect both`);
        }
    }
    for (const k of Object.keys(inputs)) {
        if (inputs[k] === undefined) {
            delete inputs[k];
        }
    }
    return { inputs, failures };
}

function checkName(prop: string, v: unknown, fail: (p: string, r: string) => void): void {
    if (isUnknown(v)) {
        return;
    }
    if (typeof v !== "string" || v === "") {
        fail(prop, "required");
        return;
    }
    if (v.includes("/")) {
        fail(prop, "must not contain '/'");
    }
}

// ---------------------------------------------------------------------------
// diff

/** Fields that force a replacement (the keys objects are found by); connection.host too (providers/ssh.ts). */
export const QUANTUM_REPLACE_FIELDS = ["routerName", "tenantNetwork.name", "externalNetwork.name", "projectId"];
/** Fields updated in place (connection port/user/key too, providers/ssh.ts). */
export const QUANTUM_UPDATE_FIELDS = [
    "tenantNetwork.cidr",
    "tenantNetwork.gateway",
    "tenantNetwork.dnsNameservers",
    "externalNetwork.cidr",
    "externalNetwork.gateway",
    "externalNetwork.allocationPool",
    "externalNetwork.providerNetworkType",
    "externalNetwork.physicalNetwork",
    "auth",
    "networkUrl",
];
export const QUANTUM_ID_FIELDS: (keyof QuantumNetworkIds)[] = [
    "routerId",
    "externalNetworkId",
    "tenantNetworkId",
    "tenantSubnetId",
    "externalSubnetId",
    "gatewayIp",
];

export function diffQuantumNetwork(
    olds: Partial<QuantumNetworkOutputs>,
    news: Record<string, unknown>,
): pulumi.dynamic.DiffResult {
    const { replaces, changed } = diffFields(olds, news, {
        replace: QUANTUM_REPLACE_FIELDS,
        update: QUANTUM_UPDATE_FIELDS,
    });
    const missing = QUANTUM_ID_FIELDS.some((k) => !olds[k]);
    return { changes: changed.length > 0 || missing, replaces, deleteBeforeReplace: replaces.length > 0 };
}

export function quantumNetworkId(
    i: Pick<QuantumNetworkInputs, "tenantNetwork" | "routerName" | "externalNetwork">,
): string {
    return `${i.tenantNetwork.name}/${i.routerName}/${i.externalNetwork.name}`;
}

// ---------------------------------------------------------------------------
// observation (what the network API holds) — parsing is pure

export interface NetworkObs {
    id: string;
    name: string;
    external: boolean;
    providerNetworkType?: string;
    physicalNetwork?: string;
}
export interface SubnetObs {
    id: string;
    cidr: string;
    gateway: string | null;
    allocationPools: IpRange[];
    dnsNameservers: string[];
    enableDhcp: boolean;
}
export interface RouterObs {
    id: string;
    name: string;
    gatewayNetworkId?: string;
}
export interface PortObs {
    id: string;
    deviceOwner: string;
    subnetIds: string[];
    ips: string[];
    /** device_id: the router, server or floating IP the port belongs to. */
    deviceId?: string;
    /** project_id (Neutron) / tenant_id (Quantum); "" for router gateway ports. */
    projectId?: string;
}
export interface QuantumObserved {
    extNet?: NetworkObs;
    extSubnets: SubnetObs[];
    tenantNet?: NetworkObs;
    tenantSubnets: SubnetObs[];
    router?: RouterObs;
    routerPorts: PortObs[];
}

/** The network API's path prefix (`networkUrl` may or may not end in /v2.0). */
export function networkBase(networkUrl: string): string {
    return `${splitUrl(networkUrl).basePath.replace(/\/v2\.0$/, "")}/v2.0`;
}

const q = (s: string) => encodeURIComponent(s);

/** The first three observation GETs (by name); the rest depend on what they find. */
export function planQuantumLookups(
    inputs: Pick<QuantumNetworkInputs, "networkUrl" | "tenantNetwork" | "externalNetwork" | "routerName" | "projectId">,
): ApiCall[] {
    const b = networkBase(inputs.networkUrl);
    const owner = inputs.projectId ? `&tenant_id=${q(inputs.projectId)}` : "";
    const { externalNetwork: en, tenantNetwork: tn, routerName } = inputs;
    return [
        apiGet("network", `find external network ${en.name}`, `${b}/networks?name=${q(en.name)}`),
        apiGet("network", `find tenant network ${tn.name}`, `${b}/networks?name=${q(tn.name)}${owner}`),
        apiGet("network", `find router ${routerName}`, `${b}/routers?name=${q(routerName)}${owner}`),
    ];
}

export function planSubnetLookup(networkUrl: string, networkId: string, what: string): ApiCall {
    return apiGet(
        "network",
        `list subnets of ${what}`,
        `${networkBase(networkUrl)}/subnets?network_id=${q(networkId)}`,
    );
}

export function planRouterPortLookup(networkUrl: string, routerId: string): ApiCall {
    return apiGet("network", "list router ports", `${networkBase(networkUrl)}/ports?device_id=${q(routerId)}`);
}

export function planGatewayPortLookup(networkUrl: string, routerId: string): ApiCall {
    const path = `${networkBase(networkUrl)}/ports?device_id=${q(routerId)}&device_owner=${q("network:router_gateway")}`;
    return apiGet("network", "find the router gateway port", path);
}

type Raw = Record<string, unknown>;
type NetworkKind = "network" | "subnet" | "router";

/** What to do about several same-named objects (none of them recorded): `pickOne`'s advice. */
export const QUANTUM_DUPLICATES_FIX = "remove the duplicates or rename";

export function parseNetworks(body: unknown, name: string): NetworkObs[] {
    return listOf(body, "networks")
        .filter((n) => n.name === name)
        .map((n) => ({
            id: n.id as string,
            name: n.name as string,
            external: n["router:external"] === true,
            providerNetworkType: (n["provider:network_type"] as string | undefined) ?? undefined,
            physicalNetwork: (n["provider:physical_network"] as string | null | undefined) ?? undefined,
        }));
}

export function parseSubnets(body: unknown): SubnetObs[] {
    return listOf(body, "subnets").map((s) => ({
        id: s.id as string,
        cidr: s.cidr as string,
        gateway: (s.gateway_ip as string | null | undefined) ?? null,
        allocationPools: ((s.allocation_pools as IpRange[] | undefined) ?? []).map((p) => ({
            start: p.start,
            end: p.end,
        })),
        dnsNameservers: (s.dns_nameservers as string[] | undefined) ?? [],
        enableDhcp: s.enable_dhcp === true,
    }));
}

export function parseRouters(body: unknown, name: string): RouterObs[] {
    return listOf(body, "routers")
        .filter((r) => r.name === name)
        .map((r) => ({
            id: r.id as string,
            name: r.name as string,
            gatewayNetworkId:
                ((r.external_gateway_info as Raw | null | undefined)?.network_id as string | undefined) ?? undefined,
        }));
}

export function parsePorts(body: unknown): PortObs[] {
    return listOf(body, "ports").map((p) => {
        const fixed = (p.fixed_ips as { subnet_id: string; ip_address: string }[] | undefined) ?? [];
        return {
            id: p.id as string,
            deviceOwner: (p.device_owner as string | undefined) ?? "",
            subnetIds: fixed.map((f) => f.subnet_id),
            ips: fixed.map((f) => f.ip_address),
            deviceId: (p.device_id as string | undefined) ?? "",
            projectId: ((p.project_id ?? p.tenant_id) as string | undefined) ?? "",
        };
    });
}

/** The router gateway port's first IPv4 address, or "". */
export function gatewayIpFrom(ports: PortObs[]): string {
    const gw = ports.find((p) => p.deviceOwner === "network:router_gateway");
    return gw?.ips.find((ip) => !ip.includes(":")) ?? "";
}

const isInterface = (p: PortObs) =>
    p.deviceOwner.startsWith("network:router_interface") || p.deviceOwner === "network:ha_router_replicated_interface";

// ---------------------------------------------------------------------------
// plans (pure)

/** What differs per release, beyond the token: only the allocation-pool update. */
export function quantumFeatures(dialect: Dialect): { poolUpdatable: boolean } {
    return { poolUpdatable: dialect === "v3" };
}

/** What every subnet here is created with: `<network>-subnet`, IPv4, on the network saved as `networkVar`. */
function subnetFields(net: { name: string; cidr: string; gateway: string }, networkVar: string): Raw {
    return {
        name: `${net.name}-subnet`,
        network_id: `{{${networkVar}}}`,
        ip_version: 4,
        cidr: net.cidr,
        gateway_ip: net.gateway,
    };
}

/** The POST that creates one network, subnet or router; its id is saved as variable `saveAs`. */
function networkPost(b: string, kind: NetworkKind, step: string, fields: Raw, saveAs: string): ApiCall {
    const path = `${b}/${kind}s`;
    return {
        step,
        api: "network",
        method: "POST",
        path,
        body: { [kind]: fields },
        ok: [201],
        save: { [saveAs]: `${kind}.id` },
    };
}

/** The PUT of some fields of one network, subnet or router. */
function networkPut(b: string, kind: NetworkKind, id: string, step: string, fields: Raw): ApiCall {
    return { step, api: "network", method: "PUT", path: `${b}/${kind}s/${id}`, body: { [kind]: fields }, ok: [200] };
}

/** The PUT of a router's gateway (`{}` clears it); `tolerate`: statuses that mean "already done". */
function routerGateway(b: string, routerId: string, step: string, info: Raw, tolerate?: number[]): ApiCall {
    const put = networkPut(b, "router", routerId, step, { external_gateway_info: info });
    return tolerate ? { ...put, tolerate } : put;
}

/** The PUT add/remove_router_interface for a subnet; a removal tolerates 404 (gone already). */
function routerInterface(
    b: string,
    routerId: string,
    action: "add" | "remove",
    subnetId: string,
    step: string,
): ApiCall {
    const path = `${b}/routers/${routerId}/${action}_router_interface`;
    const call: ApiCall = { step, api: "network", method: "PUT", path, body: { subnet_id: subnetId }, ok: [200] };
    return action === "remove" ? { ...call, tolerate: [404] } : call;
}

export interface QuantumPlan {
    calls: ApiCall[];
    /** IDs of kept objects (variables for the runner). */
    vars: Record<string, string>;
}

function samePool(pools: IpRange[], want: IpRange): boolean {
    return pools.length === 1 && pools[0].start === want.start && pools[0].end === want.end;
}

/**
 * The calls that make the network API hold `inputs` given `obs`: teardown of
 * what must be replaced (in dependency order), then find-or-create / PUT of the
 * rest. Variables: routerId, externalNetworkId, externalSubnetId, tenantNetworkId,
 * tenantSubnetId. `prior` (stored outputs) identifies subnets being replaced.
 */
export function planQuantumSync(
    inputs: QuantumNetworkInputs,
    obs: QuantumObserved,
    prior?: Partial<QuantumNetworkIds>,
): QuantumPlan {
    const b = networkBase(inputs.networkUrl);
    const { tenantNetwork: tn, externalNetwork: en, routerName, projectId } = inputs;
    const features = quantumFeatures(inputs.auth.dialect);
    const owner = projectId ? { tenant_id: projectId } : {};
    const teardown: ApiCall[] = [];
    const build: ApiCall[] = [];
    const vars: Record<string, string> = {};

    // External network: replaced when a requested provider attribute differs.
    const extNet = obs.extNet;
    const extNetReplace =
        !!extNet &&
        ((en.providerNetworkType !== undefined && extNet.providerNetworkType !== en.providerNetworkType) ||
            (en.physicalNetwork !== undefined && extNet.physicalNetwork !== en.physicalNetwork));
    const extNetKept = extNet && !extNetReplace ? extNet : undefined;

    // External subnet: kept if its CIDR matches (and its pool, where the pool cannot be PUT).
    let extSub = extNetKept ? obs.extSubnets.find((s) => s.cidr === en.cidr) : undefined;
    let extSubDelete: SubnetObs | undefined;
    if (extSub && !samePool(extSub.allocationPools, en.allocationPool) && !features.poolUpdatable) {
        extSubDelete = extSub;
        extSub = undefined;
    }
    if (extNetKept && !extSub && !extSubDelete) {
        extSubDelete = obs.extSubnets.find((s) => s.id === prior?.externalSubnetId);
    }

    // Tenant subnet: kept if CIDR and gateway match.
    const tenantNet = obs.tenantNet;
    let tenantSub = tenantNet ? obs.tenantSubnets.find((s) => s.cidr === tn.cidr) : undefined;
    let tenantSubDelete: SubnetObs | undefined;
    if (tenantSub && tenantSub.gateway !== tn.gateway) {
        tenantSubDelete = tenantSub;
        tenantSub = undefined;
    }
    if (tenantNet && !tenantSub && !tenantSubDelete) {
        tenantSubDelete = obs.tenantSubnets.find((s) => s.id === prior?.tenantSubnetId);
    }

    const router = obs.router;
    // Teardown, in dependency order.
    const gwOnExt = !!router && !!extNet && router.gatewayNetworkId === extNet.id;
    const clearGw = gwOnExt && (extNetReplace || !!extSubDelete);
    if (router && clearGw) {
        teardown.push(routerGateway(b, router.id, `clear gateway of router ${routerName}`, {}));
    }
    if (
        router &&
        tenantSubDelete &&
        obs.routerPorts.some((p) => isInterface(p) && p.subnetIds.includes(tenantSubDelete!.id))
    ) {
        const step = `remove interface of router ${routerName} on the old ${tn.name} subnet`;
        teardown.push(routerInterface(b, router.id, "remove", tenantSubDelete.id, step));
    }
    if (tenantSubDelete) {
        const step = `delete old ${tn.name} subnet ${tenantSubDelete.cidr}`;
        teardown.push(apiDelete("network", step, `${b}/subnets/${tenantSubDelete.id}`));
    }
    if (extSubDelete) {
        const step = `delete old ${en.name} subnet ${extSubDelete.cidr}`;
        teardown.push(apiDelete("network", step, `${b}/subnets/${extSubDelete.id}`));
    }
    if (extNet && extNetReplace) {
        const step = `delete external network ${en.name} (provider attributes changed)`;
        teardown.push(apiDelete("network", step, `${b}/networks/${extNet.id}`));
    }

    // Build: external network and subnet.
    if (extNetKept) {
        vars.externalNetworkId = extNetKept.id;
        if (!extNetKept.external) {
            build.push(
                networkPut(b, "network", extNetKept.id, `mark ${en.name} external`, { "router:external": true }),
            );
        }
    } else {
        const net: Raw = { name: en.name, admin_state_up: true, "router:external": true };
        if (en.providerNetworkType !== undefined) {
            net["provider:network_type"] = en.providerNetworkType;
        }
        if (en.physicalNetwork !== undefined) {
            net["provider:physical_network"] = en.physicalNetwork;
        }
        build.push(networkPost(b, "network", `create external network ${en.name}`, net, "externalNetworkId"));
    }
    if (extSub) {
        vars.externalSubnetId = extSub.id;
        const put: Raw = {};
        if (extSub.gateway !== en.gateway) {
            put.gateway_ip = en.gateway;
        }
        if (!samePool(extSub.allocationPools, en.allocationPool)) {
            put.allocation_pools = [{ start: en.allocationPool.start, end: en.allocationPool.end }];
        }
        if (extSub.enableDhcp) {
            put.enable_dhcp = false;
        }
        if (Object.keys(put).length > 0) {
            const step = `update ${en.name} subnet ${en.cidr} (${Object.keys(put).join(", ")})`;
            build.push(networkPut(b, "subnet", extSub.id, step, put));
        }
    } else {
        const subnet = {
            ...subnetFields(en, "externalNetworkId"),
            allocation_pools: [{ start: en.allocationPool.start, end: en.allocationPool.end }],
            enable_dhcp: false,
        };
        build.push(networkPost(b, "subnet", `create ${en.name} subnet ${en.cidr}`, subnet, "externalSubnetId"));
    }

    // Tenant network and subnet.
    if (tenantNet) {
        vars.tenantNetworkId = tenantNet.id;
    } else {
        const network = { name: tn.name, admin_state_up: true, ...owner };
        build.push(networkPost(b, "network", `create tenant network ${tn.name}`, network, "tenantNetworkId"));
    }
    if (tenantSub) {
        vars.tenantSubnetId = tenantSub.id;
        if (!same(tenantSub.dnsNameservers, tn.dnsNameservers)) {
            const step = `update ${tn.name} subnet ${tn.cidr} (dns_nameservers)`;
            build.push(networkPut(b, "subnet", tenantSub.id, step, { dns_nameservers: tn.dnsNameservers }));
        }
    } else {
        const subnet = {
            ...subnetFields(tn, "tenantNetworkId"),
            dns_nameservers: tn.dnsNameservers,
            ...owner,
        };
        build.push(networkPost(b, "subnet", `create ${tn.name} subnet ${tn.cidr}`, subnet, "tenantSubnetId"));
    }

    // Router, its interface on the tenant subnet, its gateway on the external network.
    if (router) {
        vars.routerId = router.id;
    } else {
        const fields = { name: routerName, admin_state_up: true, ...owner };
        build.push(networkPost(b, "router", `create router ${routerName}`, fields, "routerId"));
    }
    const hasInterface =
        !!router && !!tenantSub && obs.routerPorts.some((p) => isInterface(p) && p.subnetIds.includes(tenantSub!.id));
    if (!hasInterface) {
        const step = `add interface of router ${routerName} on the ${tn.name} subnet`;
        build.push(routerInterface(b, "{{routerId}}", "add", "{{tenantSubnetId}}", step));
    }
    const gatewayOk = gwOnExt && !clearGw && !extNetReplace;
    if (!gatewayOk) {
        const step = `set gateway of router ${routerName} to ${en.name}`;
        build.push(routerGateway(b, "{{routerId}}", step, { network_id: "{{externalNetworkId}}" }));
    }
    return { calls: [...teardown, ...build], vars };
}

/**
 * Teardown from the stored IDs (no lookups), each step tolerating 404: clear the
 * gateway, remove the interface, delete the router, the subnets, the networks.
 */
export function planQuantumDelete(
    outs: Pick<QuantumNetworkOutputs, "networkUrl" | "routerName" | "tenantNetwork" | "externalNetwork"> &
        Partial<QuantumNetworkIds>,
): ApiCall[] {
    const b = networkBase(outs.networkUrl);
    const calls: ApiCall[] = [];
    const r = outs.routerId;
    if (r) {
        calls.push(routerGateway(b, r, `clear gateway of router ${outs.routerName} (${r})`, {}, [404]));
        const sub = outs.tenantSubnetId;
        if (sub) {
            const step = `remove interface of router ${outs.routerName} on the ${outs.tenantNetwork.name} subnet (${sub})`;
            calls.push(routerInterface(b, r, "remove", sub, step));
        }
        calls.push(apiDelete("network", `delete router ${outs.routerName} (${r})`, `${b}/routers/${r}`));
    }
    // The subnets, then the networks; each only when recorded.
    const objects: [string | undefined, string, string][] = [
        [outs.tenantSubnetId, "subnets", `${outs.tenantNetwork.name} subnet`],
        [outs.externalSubnetId, "subnets", `${outs.externalNetwork.name} subnet`],
        [outs.tenantNetworkId, "networks", `tenant network ${outs.tenantNetwork.name}`],
        [outs.externalNetworkId, "networks", `external network ${outs.externalNetwork.name}`],
    ];
    for (const [id, collection, what] of objects) {
        if (id) {
            calls.push(apiDelete("network", `delete ${what} (${id})`, `${b}/${collection}/${id}`));
        }
    }
    return calls;
}

// ---------------------------------------------------------------------------
// never half-way (pure): what is in the way of a delete, what a failure left

/**
 * Ports the server removes by itself with their subnet or network, so they never
 * block a delete: openstack/neutron neutron/common/constants.py
 * `AUTO_DELETE_PORT_OWNERS` (Quantum's db_base_plugin_v2.py has network:dhcp).
 */
export const AUTO_DELETED_PORT_OWNERS = ["network:dhcp", "network:distributed", "network:floatingip_agent_gateway"];

type InUseKeys = Pick<QuantumNetworkOutputs, "networkUrl" | "routerName" | "tenantNetwork" | "externalNetwork"> &
    Partial<QuantumNetworkIds>;

/**
 * The read-only look for what is in the way (before a delete, and after a 409):
 * the ports on the recorded external and tenant networks and the router's ports.
 */
export function planQuantumInUseLookups(outs: InUseKeys): ApiCall[] {
    const b = networkBase(outs.networkUrl);
    const calls: ApiCall[] = [];
    const networks: [string | undefined, string][] = [
        [outs.externalNetworkId, `external network ${outs.externalNetwork.name}`],
        [outs.tenantNetworkId, `tenant network ${outs.tenantNetwork.name}`],
    ];
    for (const [id, what] of networks) {
        if (id) {
            calls.push(apiGet("network", `list ports on ${what} (${id})`, `${b}/ports?network_id=${q(id)}`));
        }
    }
    if (outs.routerId) {
        calls.push({
            ...planRouterPortLookup(outs.networkUrl, outs.routerId),
            step: `list ports of router ${outs.routerName} (${outs.routerId})`,
        });
    }
    return calls;
}

/**
 * The ports (each once) that would make a delete fail: everything on our networks
 * and on our router except our router's gateway port, its interface on our tenant
 * subnet and the ports the server removes itself (AUTO_DELETED_PORT_OWNERS).
 * Floating IPs, other routers' gateways and interfaces, servers' ports remain.
 */
export function quantumPortsInTheWay(
    ids: Pick<Partial<QuantumNetworkIds>, "routerId" | "tenantSubnetId">,
    ports: PortObs[],
): PortObs[] {
    const seen: string[] = [];
    return ports.filter((p) => {
        if (seen.includes(p.id)) {
            return false;
        }
        seen.push(p.id);
        if (AUTO_DELETED_PORT_OWNERS.includes(p.deviceOwner)) {
            return false;
        }
        const ours = !!ids.routerId && p.deviceId === ids.routerId;
        if (ours && p.deviceOwner === "network:router_gateway") {
            return false;
        }
        return !(ours && isInterface(p) && !!ids.tenantSubnetId && p.subnetIds.includes(ids.tenantSubnetId));
    });
}

/** What a user needs to find and remove a port: id, device_owner, device, project, addresses. */
export function describePort(
    p: PortObs,
    outs: Pick<InUseKeys, "tenantNetwork" | "externalNetwork" | "tenantSubnetId" | "externalSubnetId">,
): string {
    const subnet = (id: string) =>
        id && id === outs.externalSubnetId
            ? `the ${outs.externalNetwork.name} subnet`
            : id && id === outs.tenantSubnetId
              ? `the ${outs.tenantNetwork.name} subnet`
              : `subnet ${id}`;
    const parts = [`device_owner ${p.deviceOwner ? p.deviceOwner : '""'}`];
    if (p.deviceId) {
        parts.push(`device ${p.deviceId}`);
    }
    if (p.projectId) {
        parts.push(`project ${p.projectId}`);
    }
    p.ips.forEach((ip, i) => parts.push(`${ip} on ${subnet(p.subnetIds[i])}`));
    return `port ${p.id} (${parts.join(", ")})`;
}

/** A message as the start of a longer one: its closing full stop dropped ("…subnet." → "…subnet"). */
export function clause(text: string): string {
    return text.replace(/\.\s*$/, "");
}

/** The refusal before anything is removed. */
export function describeInUse(inTheWay: string[]): string {
    return (
        `nothing was removed; in the way: ${inTheWay.join("; ")}. ` +
        "Remove them first (a floating IP, another router's gateway or interface, a server's port), then delete again"
    );
}

/**
 * A delete step that failed: the API's answer, what is in the way, what was
 * removed before, what was not, and how the next run learns of the removed part.
 */
export function describeDeleteFailure(detail: string, done: ApiCall[], notDone: ApiCall[], inTheWay: string[]): string {
    detail = clause(detail);
    const way = inTheWay.length > 0 ? `; in the way: ${inTheWay.join("; ")}` : "";
    if (done.length === 0) {
        return `${detail}${way}; nothing was removed`;
    }
    return (
        `${detail}${way}; done before the failure: ${done.map((c) => c.step).join("; ")}; ` +
        `not done: ${notDone.map((c) => c.step).join("; ")}. ` +
        "The stack still records the removed objects (a failed delete keeps the old state): " +
        "to keep the networks, run `pulumi refresh` (or `pulumi up --refresh`) before the next up, " +
        "which then re-creates what was removed with the same names; " +
        "to finish the delete, remove what is in the way and delete again"
    );
}

/** The parts a state records as missing (""), for messages. */
export function quantumMissingParts(
    o: Pick<QuantumNetworkOutputs, "routerName" | "tenantNetwork" | "externalNetwork"> & QuantumNetworkIds,
): string[] {
    const parts: [keyof QuantumNetworkIds, string][] = [
        ["externalNetworkId", `external network ${o.externalNetwork.name}`],
        ["externalSubnetId", `the ${o.externalNetwork.name} subnet`],
        ["tenantNetworkId", `tenant network ${o.tenantNetwork.name}`],
        ["tenantSubnetId", `the ${o.tenantNetwork.name} subnet with the router interface`],
        ["routerId", `router ${o.routerName}`],
        ["gatewayIp", `the gateway of router ${o.routerName}`],
    ];
    return parts.filter(([k]) => !o[k]).map(([, what]) => what);
}

/** Every ID missing: what a state records when nothing of the objects is found. */
export const QUANTUM_NO_IDS: QuantumNetworkIds = {
    routerId: "",
    externalNetworkId: "",
    tenantNetworkId: "",
    tenantSubnetId: "",
    externalSubnetId: "",
    gatewayIp: "",
};

/**
 * The state to record after a create/update failed half-way: what the API holds
 * now (as refresh reads it), "" for every missing part; `ids` (stored outputs and
 * IDs saved during the run) pick the recorded objects among same-named ones.
 */
export function quantumPartialState(
    inputs: QuantumNetworkInputs,
    obs: QuantumObserved,
    gatewayIp: string,
    ids: Partial<QuantumNetworkIds>,
): QuantumNetworkOutputs {
    const known = Object.fromEntries(QUANTUM_ID_FIELDS.filter((k) => ids[k]).map((k) => [k, ids[k]]));
    const base: QuantumNetworkOutputs = { ...inputs, ...QUANTUM_NO_IDS, ...known };
    return quantumReadState(base, obs, gatewayIp) ?? plain({ ...inputs, ...QUANTUM_NO_IDS });
}

/**
 * Turns a create/update error into the SDK's partial failure: with `id`,
 * `properties` and `reasons` the dynamic-provider host answers
 * ErrorResourceInitFailed (@pulumi/pulumi cmd/dynamic-provider/index.js
 * `grpcResponseFromError`); the engine records `properties` as the outputs and,
 * while the resource has init errors, runs update on the next up even without a
 * change. The host does not add `__provider` to these properties (it does for a
 * success), so it is copied from the inputs: a later delete needs it.
 */
export function withPartialState(e: Error, id: string, state: QuantumNetworkOutputs, provider: unknown): Error {
    const missing = quantumMissingParts(state);
    e.message =
        clause(e.message) +
        `; recorded as found after the failure (${missing.length > 0 ? `missing: ${missing.join(", ")}` : "nothing missing"}): ` +
        "the next `pulumi up` completes it";
    return Object.assign(e, {
        id,
        properties: typeof provider === "string" ? { ...state, __provider: provider } : state,
        reasons: [e.message],
    });
}

/**
 * Live state → outputs for refresh: the observed values where the API has them,
 * "" for a missing object's ID. Undefined when nothing is left.
 */
export function quantumReadState(
    prior: QuantumNetworkOutputs,
    obs: QuantumObserved,
    gatewayIp: string,
): QuantumNetworkOutputs | undefined {
    if (!obs.router && !obs.extNet && !obs.tenantNet) {
        return undefined;
    }
    const extSub =
        obs.extSubnets.find((s) => s.id === prior.externalSubnetId) ??
        obs.extSubnets.find((s) => s.cidr === prior.externalNetwork.cidr);
    const tenantSub =
        obs.tenantSubnets.find((s) => s.id === prior.tenantSubnetId) ??
        obs.tenantSubnets.find((s) => s.cidr === prior.tenantNetwork.cidr);
    const en = { ...prior.externalNetwork };
    if (extSub) {
        en.cidr = extSub.cidr;
        en.gateway = extSub.gateway ?? "";
        en.allocationPool = extSub.allocationPools.length === 1 ? extSub.allocationPools[0] : { start: "", end: "" };
    }
    if (obs.extNet && en.providerNetworkType !== undefined) {
        en.providerNetworkType = obs.extNet.providerNetworkType ?? "";
    }
    if (obs.extNet && en.physicalNetwork !== undefined) {
        en.physicalNetwork = obs.extNet.physicalNetwork ?? "";
    }
    const tn = { ...prior.tenantNetwork };
    if (tenantSub) {
        tn.cidr = tenantSub.cidr;
        tn.gateway = tenantSub.gateway ?? "";
        tn.dnsNameservers = tenantSub.dnsNameservers;
    }
    const hasIface = !!tenantSub && obs.routerPorts.some((p) => isInterface(p) && p.subnetIds.includes(tenantSub.id));
    return plain({
        ...prior,
        externalNetwork: en,
        tenantNetwork: tn,
        routerId: obs.router?.id ?? "",
        externalNetworkId: obs.extNet?.id ?? "",
        tenantNetworkId: obs.tenantNet?.id ?? "",
        // A subnet without the router interface must be re-attached: report it missing.
        tenantSubnetId: tenantSub && hasIface ? tenantSub.id : "",
        externalSubnetId: extSub?.id ?? "",
        // No gateway on our external network = missing.
        gatewayIp: obs.router && obs.extNet && obs.router.gatewayNetworkId === obs.extNet.id ? gatewayIp : "",
    });
}

// ---------------------------------------------------------------------------
// I/O helpers (run inside withSsh; captured by value with the provider)

async function networkSession(s: SshSession, inputs: QuantumNetworkInputs): Promise<ApiContext> {
    const a = inputs.auth;
    const creds = {
        username: a.username,
        password: a.password,
        projectName: a.projectName,
        userDomainName: a.userDomainName,
        projectDomainName: a.projectDomainName,
    };
    const { token } = await acquireToken(s, a.dialect, a.authUrl, creds);
    return { session: s, targets: { network: splitUrl(inputs.networkUrl) }, token };
}

async function get(ctx: ApiContext, call: ApiCall): Promise<unknown> {
    return getJson(ctx, call.api, call.path, call.step);
}

/** The observation GETs, in order; duplicates by name are an error (unless one was recorded). */
async function observeQuantum(
    ctx: ApiContext,
    inputs: QuantumNetworkInputs,
    prior?: Partial<QuantumNetworkIds>,
): Promise<QuantumObserved> {
    const [extCall, tenantCall, routerCall] = planQuantumLookups(inputs);
    const pickOr = <T extends { id: string }>(
        found: T[],
        id: string | undefined,
        what: string,
        step: string,
    ): T | undefined => {
        try {
            return pickOne(found, id, what, QUANTUM_DUPLICATES_FIX);
        } catch (e) {
            return ctx.session.fail(step, (e as Error).message);
        }
    };
    const extNet = pickOr(
        parseNetworks(await get(ctx, extCall), inputs.externalNetwork.name),
        prior?.externalNetworkId,
        `networks named ${inputs.externalNetwork.name}`,
        extCall.step,
    );
    const tenantNet = pickOr(
        parseNetworks(await get(ctx, tenantCall), inputs.tenantNetwork.name),
        prior?.tenantNetworkId,
        `networks named ${inputs.tenantNetwork.name}`,
        tenantCall.step,
    );
    const router = pickOr(
        parseRouters(await get(ctx, routerCall), inputs.routerName),
        prior?.routerId,
        `routers named ${inputs.routerName}`,
        routerCall.step,
    );
    const obs: QuantumObserved = { extNet, tenantNet, router, extSubnets: [], tenantSubnets: [], routerPorts: [] };
    if (extNet) {
        obs.extSubnets = parseSubnets(
            await get(ctx, planSubnetLookup(inputs.networkUrl, extNet.id, inputs.externalNetwork.name)),
        );
    }
    if (tenantNet) {
        obs.tenantSubnets = parseSubnets(
            await get(ctx, planSubnetLookup(inputs.networkUrl, tenantNet.id, inputs.tenantNetwork.name)),
        );
    }
    if (router) {
        obs.routerPorts = parsePorts(await get(ctx, planRouterPortLookup(inputs.networkUrl, router.id)));
    }
    return obs;
}

/** How a run of calls ended: the variables saved, the calls done, the failure (if any). */
interface Tracked {
    vars: Record<string, string>;
    done: ApiCall[];
    failed?: { call: ApiCall; status?: number; detail: string };
}

/**
 * Runs calls in order like `runCalls`, but stops at the first failure and reports
 * it (with the HTTP status, so a 409 can be explained) instead of throwing, so
 * the caller can say what was done before it.
 */
async function runTracked(ctx: ApiContext, calls: ApiCall[], vars: Record<string, string>): Promise<Tracked> {
    const saved = { ...vars };
    const done: ApiCall[] = [];
    // `send` reports a transport failure through session.fail: keep its detail.
    const quiet: ApiContext = {
        ...ctx,
        session: {
            http: ctx.session.http,
            fail: (_step: string, detail: string): never => {
                throw new Error(detail);
            },
        },
    };
    for (const call of calls) {
        const path = substitute(call.path, saved);
        const body = call.body === undefined ? undefined : substitute(call.body, saved);
        let status: number;
        let resp: Awaited<ReturnType<typeof send>>;
        try {
            resp = await send(quiet, call.api, { method: call.method, path, body }, call.step);
            status = resp.status;
        } catch (e) {
            return { vars: saved, done, failed: { call, detail: (e as Error).message } };
        }
        const target = ctx.targets[call.api];
        if ((call.tolerate ?? []).includes(status)) {
            done.push(call);
            continue;
        }
        if (!call.ok.includes(status)) {
            const detail = describeFailure(target, call.method, path, status, apiErrorMessage(resp));
            return { vars: saved, done, failed: { call, status, detail } };
        }
        for (const [name, at] of Object.entries(call.save ?? {})) {
            const v = pick(resp.body, at);
            if (typeof v !== "string") {
                const detail = describeFailure(target, call.method, path, status, `response has no ${at}`);
                return { vars: saved, done, failed: { call, status, detail } };
            }
            saved[name] = v;
        }
        done.push(call);
    }
    return { vars: saved, done };
}

/** The ports in the way of deleting what `outs` records, described for a user. */
async function portsInTheWay(ctx: ApiContext, outs: InUseKeys): Promise<string[]> {
    const ports: PortObs[] = [];
    for (const call of planQuantumInUseLookups(outs)) {
        ports.push(...parsePorts(await get(ctx, call)));
    }
    return quantumPortsInTheWay(outs, ports).map((p) => describePort(p, outs));
}

/** Same, for an error message that is already being built: a failing lookup adds nothing. */
async function portsInTheWayIfAny(ctx: ApiContext, outs: InUseKeys): Promise<string[]> {
    try {
        return await portsInTheWay(ctx, outs);
    } catch {
        return [];
    }
}

/**
 * Find-or-create (observe, plan, run). A failure after something changed records
 * what the API holds then (see `withPartialState`); a failure before leaves the
 * engine's state as it was (nothing changed).
 */
async function syncQuantum(
    s: SshSession,
    inputs: QuantumNetworkInputs,
    record: { id: string; provider: unknown },
    prior?: Partial<QuantumNetworkIds>,
): Promise<QuantumNetworkOutputs> {
    const ctx = await networkSession(s, inputs);
    const obs = await observeQuantum(ctx, inputs, prior);
    const plan = planQuantumSync(inputs, obs, prior);
    const run = await runTracked(ctx, plan.calls, plan.vars);
    try {
        if (run.failed) {
            s.fail(run.failed.call.step, run.failed.detail);
        }
        const vars = run.vars;
        const ports = parsePorts(await get(ctx, planGatewayPortLookup(inputs.networkUrl, vars.routerId)));
        const gatewayIp = gatewayIpFrom(ports);
        if (!gatewayIp) {
            s.fail(
                "find the router gateway port",
                `router ${inputs.routerName} (${vars.routerId}) has no gateway port with an IPv4 address`,
            );
        }
        return plain({
            ...inputs,
            routerId: vars.routerId,
            externalNetworkId: vars.externalNetworkId,
            tenantNetworkId: vars.tenantNetworkId,
            tenantSubnetId: vars.tenantSubnetId,
            externalSubnetId: vars.externalSubnetId,
            gatewayIp,
        });
    } catch (e) {
        if (run.done.length === 0) {
            throw e;
        }
        const ids: Partial<QuantumNetworkIds> = {};
        for (const k of QUANTUM_ID_FIELDS) {
            const v = run.vars[k] ?? prior?.[k];
            if (v) {
                ids[k] = v;
            }
        }
        let state: QuantumNetworkOutputs;
        try {
            const now = await observeQuantum(ctx, inputs, ids);
            state = quantumPartialState(inputs, now, now.router ? gatewayIpFrom(now.routerPorts) : "", ids);
        } catch {
            throw e; // cannot tell what is there: the engine keeps what it had
        }
        if (run.failed?.status === 409) {
            const way = await portsInTheWayIfAny(ctx, state);
            if (way.length > 0) {
                (e as Error).message = `${clause((e as Error).message)}; in the way: ${way.join("; ")}`;
            }
        }
        throw withPartialState(e as Error, record.id, state, record.provider);
    }
}

/**
 * Delete: first the look for what is in the way (anything found: fail, nothing
 * removed), then the teardown; a step that still fails names what was removed
 * before it and what is in the way.
 */
async function deleteQuantum(s: SshSession, outs: QuantumNetworkOutputs, calls: ApiCall[]): Promise<void> {
    const ctx = await networkSession(s, toQuantumInputs(outs));
    const before = await portsInTheWay(ctx, outs);
    if (before.length > 0) {
        s.fail(`check what is in the way of deleting`, describeInUse(before));
    }
    const run = await runTracked(ctx, calls, {});
    if (run.failed) {
        const way = run.failed.status === 409 ? await portsInTheWayIfAny(ctx, outs) : [];
        s.fail(
            run.failed.call.step,
            describeDeleteFailure(run.failed.detail, run.done, calls.slice(run.done.length), way),
        );
    }
}

/** The serialized provider riding along in the engine's property bags (`__provider`), if any. */
function providerText(bag: QuantumNetworkInputs): unknown {
    return (bag as unknown as Record<string, unknown>).__provider;
}

/** The inputs out of inputs or stored outputs (IDs dropped, defaults applied). */
export function toQuantumInputs(p: QuantumNetworkInputs): QuantumNetworkInputs {
    return {
        connection: p.connection,
        auth: p.auth,
        networkUrl: p.networkUrl,
        tenantNetwork: { ...p.tenantNetwork, dnsNameservers: p.tenantNetwork.dnsNameservers ?? [] },
        externalNetwork: p.externalNetwork,
        routerName: p.routerName ?? DEFAULT_ROUTER_NAME,
        ...(p.projectId ? { projectId: p.projectId } : {}),
    };
}

// ---------------------------------------------------------------------------
// provider

/** The provider: the pure functions above and the four operations over SSH (providers/ssh.ts). */
export const QUANTUM_NETWORK_PROVIDER = new SshProvider<QuantumNetworkInputs, QuantumNetworkOutputs>({
    check: checkQuantumNetwork,
    diff: diffQuantumNetwork,
    describe: (p) => `QuantumNetwork ${quantumNetworkId({ ...p, routerName: p.routerName ?? DEFAULT_ROUTER_NAME })}`,

    /** Find-or-create every object (adopting what a failed run left). */
    create: async (ssh, news) => {
        const inputs = toQuantumInputs(news);
        const id = quantumNetworkId(inputs);
        return { id, outs: await ssh((s) => syncQuantum(s, inputs, { id, provider: providerText(news) })) };
    },

    /** Refresh: live values and IDs; no id when router and both networks are gone. */
    read: async (ssh, id, props) => {
        const inputs = toQuantumInputs(props);
        const obs = await ssh(async (s) => observeQuantum(await networkSession(s, inputs), inputs, props));
        const gatewayIp = obs.router ? gatewayIpFrom(obs.routerPorts) : "";
        const outs = quantumReadState({ ...props, ...inputs }, obs, gatewayIp);
        return outs ? { id, props: outs } : {};
    },

    /** PUT what can change in place, replace affected subnets / the external network. */
    update: async (ssh, id, olds, news) => {
        const inputs = toQuantumInputs(news);
        return { outs: await ssh((s) => syncQuantum(s, inputs, { id, provider: providerText(news) }, olds)) };
    },

    /**
     * Nothing in the way (else fail, nothing removed), then gateway, interface,
     * router, subnets, networks; 404s are fine. Nothing recorded: no connection.
     */
    delete: async (ssh, _id, props) => {
        const calls = planQuantumDelete(props);
        if (calls.length > 0) {
            await ssh((s) => deleteQuantum(s, props, calls));
        }
    },
});

/** `pulumi-nodejs:dynamic/network:QuantumNetwork`, with its one provider instance (providers/resource.ts). */
const QUANTUM_NETWORK: DynamicKind = {
    provider: QUANTUM_NETWORK_PROVIDER,
    module: "network",
    type: "QuantumNetwork",
    secretOutputs: ["auth"],
};

/**
 * The article's networks script: tenant network + subnet, external network +
 * subnet, router with interface and gateway. Registers as
 * `pulumi-nodejs:dynamic/network:QuantumNetwork`.
 */
export class QuantumNetwork extends SshResource {
    declare readonly routerId: pulumi.Output<string>;
    declare readonly externalNetworkId: pulumi.Output<string>;
    declare readonly tenantNetworkId: pulumi.Output<string>;
    declare readonly tenantSubnetId: pulumi.Output<string>;
    declare readonly externalSubnetId: pulumi.Output<string>;
    declare readonly gatewayIp: pulumi.Output<string>;
    declare readonly routerName: pulumi.Output<string>;
    declare readonly tenantNetwork: pulumi.Output<Required<TenantNetworkSpec>>;
    declare readonly externalNetwork: pulumi.Output<ExternalNetworkSpec>;
    declare readonly networkUrl: pulumi.Output<string>;

    constructor(name: string, args: QuantumNetworkArgs, opts?: pulumi.CustomResourceOptions) {
        const props = {
            routerId: undefined,
            externalNetworkId: undefined,
            tenantNetworkId: undefined,
            tenantSubnetId: undefined,
            externalSubnetId: undefined,
            gatewayIp: undefined,
            ...args,
            routerName: args.routerName ?? DEFAULT_ROUTER_NAME,
        };
        super(QUANTUM_NETWORK, name, props, opts);
    }
}
