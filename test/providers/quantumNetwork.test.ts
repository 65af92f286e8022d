// QuantumNetwork against a real neutron-server (Debian 12 / Zed, ML2, router plugin)
// from testbed.d/60-neutron.sh with Keystone v3 from 50-keystone.sh, over real SSH,
// driven through the serialization harness. Addresses: external 198.51.100.128/26,
// tenant 198.51.100.192/27 (they only ever live in neutron's database here).
// Every claim about the network objects is checked against the API itself.
import { expect } from "chai";
import type { ClientRequest, IncomingMessage, RequestOptions } from "http";
import { countSshConnects, Driver, expectRejects, Props, structRoundTrip, UNKNOWN, withSecrets } from "./harness";
import { OpenStackAdmin } from "./openstackAdmin";
import { testbedConnection, testbedEnv } from "./testbed";
import { QUANTUM_ID_FIELDS, QuantumNetwork, QuantumNetworkArgs } from "../../providers/quantumNetwork";
import type { SshConnection } from "../../providers/ssh";

const ipNum = (ip: string) => ip.split(".").reduce((a, b) => a * 256 + Number(b), 0);

/**
 * Holds the answer to the provider's first `method path` request until `meanwhile`
 * has run: something happens in the cloud between two of the provider's calls. The
 * provider's HTTP runs in this process (the harness evaluates the serialized
 * provider here) through node's http module (providers/ssh.ts `http`), which this
 * wraps; the test's own API calls use fetch, not http.
 */
function meanwhile(
    method: string,
    path: string,
    act: () => Promise<void>,
): { restore: () => void; fired: () => boolean } {
    // The module object itself (an `import * as` namespace has read-only getters).
    const mod = require("http") as { request: (...a: unknown[]) => ClientRequest };
    const orig = mod.request;
    let fired = false;
    mod.request = function (this: unknown, ...a: unknown[]) {
        const opts = a[0] as RequestOptions;
        const cb = a[1] as ((res: IncomingMessage) => void) | undefined;
        if (!fired && a.length === 2 && typeof cb === "function" && opts.method === method && opts.path === path) {
            fired = true;
            return orig.call(this, opts, (res: IncomingMessage) => {
                res.pause();
                act().then(
                    () => {
                        cb(res);
                        res.resume();
                    },
                    (e: Error) => res.destroy(e),
                );
            });
        }
        return orig.apply(this, a);
    };
    return {
        restore: () => {
            mod.request = orig;
        },
        fired: () => fired,
    };
}

/**
 * What the engine does with a create/update's partial failure (@pulumi/pulumi
 * cmd/dynamic-provider: an error with id + properties → ErrorResourceInitFailed):
 * the error's properties become the recorded state. The harness models successes
 * only, so the tests apply it here.
 */
function recordPartial(d: Driver, err: Error & { id?: string; properties?: Props }): void {
    if (!err.id || !err.properties) {
        throw new Error(`not a partial failure: ${err.message}`);
    }
    d.id = err.id;
    d.state = structRoundTrip(err.properties);
}

describe("QuantumNetwork (real neutron-server over SSH, Keystone v3 token, through the serialization harness)", function () {
    this.timeout(180000);
    const run = Date.now().toString(36);
    let conn: SshConnection;
    let password: string;
    let authUrl: string;
    let networkUrl: string;
    let api: OpenStackAdmin;

    const names = { tenant: `private-${run}`, ext: `ext_net-${run}`, router: `provider-router-${run}` };
    const args = (over: Partial<Props> = {}): Props => ({
        connection: conn,
        auth: {
            dialect: "v3",
            authUrl,
            username: "admin",
            password,
            projectName: "admin",
            userDomainName: "Default",
            projectDomainName: "Default",
        },
        networkUrl,
        tenantNetwork: {
            name: names.tenant,
            cidr: "198.51.100.192/27",
            gateway: "198.51.100.193",
            dnsNameservers: ["8.8.8.8"],
        },
        externalNetwork: {
            name: names.ext,
            cidr: "198.51.100.128/26",
            gateway: "198.51.100.129",
            allocationPool: { start: "198.51.100.150", end: "198.51.100.180" },
            providerNetworkType: "flat",
            physicalNetwork: "external",
        },
        routerName: names.router,
        ...over,
    });
    const newDriver = async (a: Props, name = "net") =>
        (await Driver.for(() => new QuantumNetwork(name, withSecrets<QuantumNetworkArgs>(a, ["connection", "auth"]))))
            .driver;

    /** The objects as the API reports them, for the IDs in `o`. */
    async function live(o: Props) {
        const router = (await api.call("GET", `/routers/${o.routerId}`)).body.router;
        const ext = (await api.call("GET", `/networks/${o.externalNetworkId}`)).body.network;
        const extSub = (await api.call("GET", `/subnets/${o.externalSubnetId}`)).body.subnet;
        const tenSub = (await api.call("GET", `/subnets/${o.tenantSubnetId}`)).body.subnet;
        const ports = (await api.call("GET", `/ports?device_id=${o.routerId}`)).body.ports as Props[];
        return { router, ext, extSub, tenSub, ports };
    }

    async function cleanup(): Promise<void> {
        for (const r of ((await api.call("GET", `/routers`)).body.routers as Props[]).filter((x) =>
            String(x.name).endsWith(run),
        )) {
            await api.call("PUT", `/routers/${r.id}`, { router: { external_gateway_info: {} } });
            for (const p of (await api.call("GET", `/ports?device_id=${r.id}`)).body.ports as Props[]) {
                for (const f of p.fixed_ips) {
                    await api.call("PUT", `/routers/${r.id}/remove_router_interface`, { subnet_id: f.subnet_id });
                }
            }
            await api.call("DELETE", `/routers/${r.id}`);
        }
        for (const n of ((await api.call("GET", `/networks`)).body.networks as Props[]).filter((x) =>
            String(x.name).endsWith(run),
        )) {
            for (const f of (await api.call("GET", `/floatingips?floating_network_id=${n.id}`)).body.floatingips ??
                []) {
                await api.call("DELETE", `/floatingips/${f.id}`);
            }
            for (const p of (await api.call("GET", `/ports?network_id=${n.id}`)).body.ports as Props[]) {
                if (!String(p.device_owner).startsWith("network:")) {
                    await api.call("DELETE", `/ports/${p.id}`);
                }
            }
            await api.call("DELETE", `/networks/${n.id}`);
        }
    }

    before(async function () {
        const env = testbedEnv();
        if (!env.TESTBED_NEUTRON_URL) {
            throw new Error("neutron-server is not part of the test bed (testbed.d/60-neutron.sh did not run)");
        }
        conn = testbedConnection();
        networkUrl = env.TESTBED_NEUTRON_URL;
        api = await OpenStackAdmin.ofTestbed(env, `${networkUrl}/v2.0`);
        ({ keystone: authUrl, password } = api);
    });
    after(cleanup);

    it("registers as pulumi-nodejs:dynamic/network:QuantumNetwork; preview check accepts unknowns offline", async () => {
        const d = await newDriver(args());
        const counter = countSshConnects();
        try {
            const a = args();
            const failures = await d.checkFailures({
                ...a,
                connection: UNKNOWN,
                externalNetwork: { ...a.externalNetwork, cidr: UNKNOWN, gateway: UNKNOWN },
            });
            expect(failures).to.deep.equal([]);
            expect(counter.count()).to.equal(0);
        } finally {
            counter.restore();
        }
        const { reg } = await Driver.for(
            () => new QuantumNetwork("reg", withSecrets<QuantumNetworkArgs>(args(), ["auth"])),
        );
        expect(reg.type).to.equal("pulumi-nodejs:dynamic/network:QuantumNetwork");
        expect(reg.secretInputs).to.deep.equal(["auth"]);
    });

    describe("lifecycle", () => {
        let d: Driver;
        let first: Props;

        it("create: networks, subnets, router, interface and gateway; outputs match the API", async () => {
            d = await newDriver(args());
            expect(await d.up(args())).to.equal("create");
            expect(d.id).to.equal(`${names.tenant}/${names.router}/${names.ext}`);
            first = d.outputs;
            const l = await live(first);
            expect(l.router.name).to.equal(names.router);
            expect(l.router.external_gateway_info.network_id).to.equal(first.externalNetworkId);
            expect(l.ext).to.include({
                name: names.ext,
                "router:external": true,
                "provider:network_type": "flat",
                "provider:physical_network": "external",
            });
            expect(l.extSub).to.deep.include({
                network_id: first.externalNetworkId,
                cidr: "198.51.100.128/26",
                gateway_ip: "198.51.100.129",
                enable_dhcp: false,
                allocation_pools: [{ start: "198.51.100.150", end: "198.51.100.180" }],
            });
            expect(l.tenSub).to.deep.include({
                network_id: first.tenantNetworkId,
                cidr: "198.51.100.192/27",
                gateway_ip: "198.51.100.193",
                dns_nameservers: ["8.8.8.8"],
            });
            const gw = l.ports.find((p) => p.device_owner === "network:router_gateway");
            const iface = l.ports.find((p) => p.device_owner === "network:router_interface");
            expect(gw?.fixed_ips.map((f: Props) => f.ip_address)).to.deep.equal([first.gatewayIp]);
            expect(ipNum(first.gatewayIp)).to.be.within(ipNum("198.51.100.150"), ipNum("198.51.100.180"));
            expect(iface?.fixed_ips).to.deep.equal([{ subnet_id: first.tenantSubnetId, ip_address: "198.51.100.193" }]);
        });

        it("read (refresh) returns the same id and outputs", async () => {
            expect(await d.refreshChanges()).to.deep.equal({
                id: `${names.tenant}/${names.router}/${names.ext}`,
                changed: [],
            });
        });

        it("no-op: diff reports no changes", async () => {
            expect(await d.upCounted(args())).to.deep.equal({ result: "same", ops: ["check", "diff"], connects: 0 });
        });

        // The inputs after the in-place update below (wider pool, other DNS servers); `tenant`
        // changes the tenant subnet further.
        const updated = (tenant: Props = {}): Props => {
            const a = args();
            a.externalNetwork = {
                ...a.externalNetwork,
                allocationPool: { start: "198.51.100.140", end: "198.51.100.185" },
            };
            a.tenantNetwork = { ...a.tenantNetwork, dnsNameservers: ["198.51.100.53", "8.8.4.4"], ...tenant };
            return a;
        };
        const moved = () => updated({ cidr: "198.51.100.224/28", gateway: "198.51.100.225" });

        it("update: allocation pool and DNS servers change in place (PUT, same subnet IDs)", async () => {
            const a = updated();
            expect(await d.diff(await d.check(a))).to.deep.equal({
                changes: true,
                replaces: [],
                deleteBeforeReplace: false,
            });
            expect(await d.up(a)).to.equal("update");
            const o = d.outputs;
            for (const k of QUANTUM_ID_FIELDS) {
                expect(o[k], k).to.equal(first[k]);
            }
            const l = await live(o);
            expect(l.extSub.allocation_pools).to.deep.equal([{ start: "198.51.100.140", end: "198.51.100.185" }]);
            expect(l.tenSub.dns_nameservers).to.deep.equal(["198.51.100.53", "8.8.4.4"]);
        });

        it("update: a tenant CIDR change replaces only the tenant subnet (interface moves, router stays)", async () => {
            expect(await d.up(moved())).to.equal("update");
            const o = d.outputs;
            expect(o.routerId).to.equal(first.routerId);
            expect(o.tenantNetworkId).to.equal(first.tenantNetworkId);
            expect(o.tenantSubnetId).not.to.equal(first.tenantSubnetId);
            expect(await api.status(`/subnets/${first.tenantSubnetId}`)).to.equal(404);
            const l = await live(o);
            expect(l.tenSub).to.deep.include({ cidr: "198.51.100.224/28", gateway_ip: "198.51.100.225" });
            const iface = l.ports.filter((p) => p.device_owner === "network:router_interface");
            expect(iface.map((p) => p.fixed_ips)).to.deep.equal([
                [{ subnet_id: o.tenantSubnetId, ip_address: "198.51.100.225" }],
            ]);
        });

        it("refresh reports a router interface removed behind its back; the next up re-attaches it", async () => {
            const o = d.outputs;
            await api.call("PUT", `/routers/${o.routerId}/remove_router_interface`, { subnet_id: o.tenantSubnetId });
            await d.refresh();
            expect(d.outputs.tenantSubnetId).to.equal("");
            expect(await d.up(moved())).to.equal("update");
            expect(d.outputs.tenantSubnetId).to.equal(o.tenantSubnetId);
            const l = await live(d.outputs);
            expect(l.ports.filter((p) => p.device_owner === "network:router_interface").length).to.equal(1);
        });

        let renamed: Props;
        it("replace: renaming the router deletes everything first, then builds the new set", async () => {
            const a = args({ routerName: `r2-${run}` });
            expect(await d.diff(await d.check(a))).to.deep.equal({
                changes: true,
                replaces: ["routerName"],
                deleteBeforeReplace: true,
            });
            const old = d.outputs;
            expect(await d.up(a)).to.equal("replace");
            expect(d.lastOps).to.deep.equal(["check", "diff", "delete", "create"]);
            renamed = d.outputs;
            expect(d.id).to.equal(`${names.tenant}/r2-${run}/${names.ext}`);
            expect(await api.status(`/routers/${old.routerId}`)).to.equal(404);
            expect(await api.status(`/networks/${old.externalNetworkId}`)).to.equal(404);
            const l = await live(renamed);
            expect(l.router.name).to.equal(`r2-${run}`);
            expect(l.router.external_gateway_info.network_id).to.equal(renamed.externalNetworkId);
            expect(l.tenSub.cidr).to.equal("198.51.100.192/27");
        });

        it("update: an external CIDR change replaces the external subnet and re-sets the gateway", async () => {
            const a = args({
                routerName: `r2-${run}`,
                externalNetwork: {
                    ...args().externalNetwork,
                    cidr: "198.51.100.128/27",
                    gateway: "198.51.100.129",
                    allocationPool: { start: "198.51.100.140", end: "198.51.100.150" },
                },
            });
            expect(await d.up(a)).to.equal("update");
            const o = d.outputs;
            expect(o.routerId).to.equal(renamed.routerId);
            expect(o.externalNetworkId).to.equal(renamed.externalNetworkId);
            expect(o.externalSubnetId).not.to.equal(renamed.externalSubnetId);
            expect(ipNum(o.gatewayIp)).to.be.within(ipNum("198.51.100.140"), ipNum("198.51.100.150"));
            const l = await live(o);
            expect(l.extSub.cidr).to.equal("198.51.100.128/27");
            expect(l.ports.find((p) => p.device_owner === "network:router_gateway")?.fixed_ips[0].ip_address).to.equal(
                o.gatewayIp,
            );
            renamed = o;
        });

        it("delete tears everything down; a second delete and a refresh find nothing", async () => {
            const state = d.state as Props;
            const id = d.id as string;
            await d.delete();
            expect(await api.status(`/routers/${renamed.routerId}`)).to.equal(404);
            expect(await api.status(`/subnets/${renamed.tenantSubnetId}`)).to.equal(404);
            expect(await api.status(`/subnets/${renamed.externalSubnetId}`)).to.equal(404);
            expect(await api.status(`/networks/${renamed.tenantNetworkId}`)).to.equal(404);
            expect(await api.status(`/networks/${renamed.externalNetworkId}`)).to.equal(404);
            await d.delete(id, state);
            d.id = id;
            d.state = state;
            expect(await d.refresh()).to.equal(undefined);
        });
    });

    describe("never half-way (a used cloud)", () => {
        let service: string;
        before(async () => {
            service = (await api.keystoneGet("/projects?name=service")).projects[0].id as string;
        });
        afterEach(cleanup);

        /** The port of a floating IP on ext_net, made in project service as a user of the cloud would. */
        async function floatingIp(extNetId: string): Promise<{ fip: Props; port: Props }> {
            const r = await api.call("POST", "/floatingips", {
                floatingip: { floating_network_id: extNetId, project_id: service },
            });
            expect(r.status, JSON.stringify(r.body)).to.equal(201);
            const fip = r.body.floatingip;
            const port = (await api.call("GET", `/ports?device_id=${fip.id}`)).body.ports[0];
            return { fip, port };
        }
        /** How the provider names a port in the way (what the API says about it). */
        const named = (p: Props, subnet: string) =>
            `port ${p.id} (device_owner ${p.device_owner}, device ${p.device_id}` +
            `${p.project_id ? `, project ${p.project_id}` : ""}, ${p.fixed_ips[0].ip_address} on the ${subnet} subnet)`;

        it("delete with a floating IP on ext_net: refused before anything is removed, the port named; the next up is rightly unchanged", async () => {
            const d = await newDriver(args(), "inuse");
            expect(await d.up(args())).to.equal("create");
            const first = d.outputs;
            const { fip, port } = await floatingIp(first.externalNetworkId);
            expect(port.device_owner).to.equal("network:floatingip");

            const err = await expectRejects(d.delete());
            expect(err.message).to.equal(
                `QuantumNetwork ${names.tenant}/${names.router}/${names.ext}: check what is in the way of deleting on root@127.0.0.1:2222 failed: ` +
                    `nothing was removed; in the way: ${named(port, names.ext)}. ` +
                    "Remove them first (a floating IP, another router's gateway or interface, a server's port), then delete again",
            );
            expect(d.lastOps.slice(-1)).to.deep.equal(["delete"]);
            // Nothing was touched: the recorded state is still the truth.
            const l = await live(first);
            expect(l.router.external_gateway_info.network_id).to.equal(first.externalNetworkId);
            expect(l.ports.map((p) => p.device_owner).sort()).to.deep.equal([
                "network:router_gateway",
                "network:router_interface",
            ]);
            expect(await d.up(args())).to.equal("same");
            expect(d.outputs).to.deep.equal(first);

            await api.call("DELETE", `/floatingips/${fip.id}`);
            await d.delete();
            expect(await api.status(`/networks/${first.externalNetworkId}`)).to.equal(404);
        });

        it("delete that fails half-way for real (a port on ext_net's subnet appears meanwhile): the error says what was done; refresh + up bring back exactly that — the router with a new ID in the outputs, the networks with theirs", async () => {
            const d = await newDriver(args(), "halfway");
            expect(await d.up(args())).to.equal("create");
            const first = d.outputs;
            const state = d.state;
            // Once the router is deleted (after the check found nothing in the way), a
            // server of project service gets a port on ext_net's subnet.
            let foreign: Props = {};
            const hook = meanwhile("DELETE", `/v2.0/routers/${first.routerId}`, async () => {
                const r = await api.call("POST", "/ports", {
                    port: {
                        name: `foreign-${run}`,
                        network_id: first.externalNetworkId,
                        fixed_ips: [{ subnet_id: first.externalSubnetId }],
                        device_owner: "compute:nova",
                        device_id: "0f1e2d3c-4b5a-4968-8776-655443322110",
                        project_id: service,
                    },
                });
                expect(r.status, JSON.stringify(r.body)).to.equal(201);
                foreign = r.body.port;
            });
            let err: Error;
            try {
                err = await expectRejects(d.delete());
            } finally {
                hook.restore();
            }
            expect(hook.fired()).to.equal(true);
            const tn = names.tenant;
            const r = names.router;
            expect(err.message).to.equal(
                `QuantumNetwork ${tn}/${r}/${names.ext}: delete ${names.ext} subnet (${first.externalSubnetId}) on root@127.0.0.1:2222 failed: ` +
                    `DELETE ${networkUrl}/v2.0/subnets/${first.externalSubnetId}: HTTP 409: ` +
                    `SubnetInUse: Unable to complete operation on subnet ${first.externalSubnetId}: One or more ports have an IP allocation from this subnet; ` +
                    `in the way: ${named(foreign, names.ext)}; ` +
                    `done before the failure: clear gateway of router ${r} (${first.routerId}); ` +
                    `remove interface of router ${r} on the ${tn} subnet (${first.tenantSubnetId}); ` +
                    `delete router ${r} (${first.routerId}); delete ${tn} subnet (${first.tenantSubnetId}); ` +
                    `not done: delete ${names.ext} subnet (${first.externalSubnetId}); ` +
                    `delete tenant network ${tn} (${first.tenantNetworkId}); ` +
                    `delete external network ${names.ext} (${first.externalNetworkId}). ` +
                    "The stack still records the removed objects (a failed delete keeps the old state): " +
                    "to keep the networks, run `pulumi refresh` (or `pulumi up --refresh`) before the next up, " +
                    "which then re-creates what was removed with the same names; " +
                    "to finish the delete, remove what is in the way and delete again",
            );
            expect(await api.status(`/routers/${first.routerId}`)).to.equal(404);
            expect(await api.status(`/subnets/${first.tenantSubnetId}`)).to.equal(404);
            expect(await api.status(`/subnets/${first.externalSubnetId}`)).to.equal(200);
            expect(await api.status(`/networks/${first.tenantNetworkId}`)).to.equal(200);
            expect(await api.status(`/networks/${first.externalNetworkId}`)).to.equal(200);

            // The engine keeps a failed delete's old state, and diff is pure: without a
            // refresh the next up would see no change (hence the message).
            expect(d.state).to.deep.equal(state);
            expect(await d.diff(await d.check(args()))).to.deep.equal({
                changes: false,
                replaces: [],
                deleteBeforeReplace: false,
            });

            // pulumi up --refresh: read records the removed objects as missing ...
            expect(await d.refresh()).to.equal(d.id);
            expect(d.outputs).to.deep.equal({
                ...first,
                routerId: "",
                tenantSubnetId: "",
                gatewayIp: "",
            });
            // ... and the up re-creates exactly those, under the same names.
            expect(await d.up(args())).to.equal("update");
            expect(d.lastOps).to.deep.equal(["check", "diff", "update"]);
            const o = d.outputs;
            expect(o.externalNetworkId).to.equal(first.externalNetworkId);
            expect(o.tenantNetworkId).to.equal(first.tenantNetworkId);
            expect(o.externalSubnetId).to.equal(first.externalSubnetId);
            expect(o.routerId).to.match(/^[0-9a-f-]{36}$/);
            expect(o.routerId).not.to.equal(first.routerId);
            expect(o.tenantSubnetId).to.match(/^[0-9a-f-]{36}$/);
            expect(o.tenantSubnetId).not.to.equal(first.tenantSubnetId);
            expect(ipNum(o.gatewayIp)).to.be.within(ipNum("198.51.100.150"), ipNum("198.51.100.180"));
            const l = await live(o);
            expect(l.router.name).to.equal(r);
            expect(l.router.external_gateway_info.network_id).to.equal(first.externalNetworkId);
            expect(l.tenSub).to.deep.include({
                name: `${tn}-subnet`,
                cidr: "198.51.100.192/27",
                gateway_ip: "198.51.100.193",
            });
            const gw = l.ports.find((p) => p.device_owner === "network:router_gateway");
            const iface = l.ports.find((p) => p.device_owner === "network:router_interface");
            expect(gw?.fixed_ips.map((f: Props) => f.ip_address)).to.deep.equal([o.gatewayIp]);
            expect(iface?.fixed_ips).to.deep.equal([{ subnet_id: o.tenantSubnetId, ip_address: "198.51.100.193" }]);
            // The next up: nothing left to do.
            expect(await d.up(args())).to.equal("same");

            // Finishing the delete: remove what is in the way, delete again.
            await api.call("DELETE", `/ports/${foreign.id}`);
            await d.delete();
            expect(await api.status(`/networks/${first.externalNetworkId}`)).to.equal(404);
            expect(await api.status(`/routers/${o.routerId}`)).to.equal(404);
        });

        it("update that fails half-way is recorded as found (partial failure); reverting the input still re-sets the gateway", async () => {
            const d = await newDriver(args(), "updhalf");
            expect(await d.up(args())).to.equal("create");
            const first = d.outputs;
            const { fip, port } = await floatingIp(first.externalNetworkId);
            // A new external CIDR replaces the subnet: gateway cleared, then the delete of
            // the old subnet meets the floating IP.
            const a = args({
                externalNetwork: {
                    ...args().externalNetwork,
                    cidr: "198.51.100.128/27",
                    allocationPool: { start: "198.51.100.140", end: "198.51.100.150" },
                },
            });
            const err = (await expectRejects(d.up(a))) as Error & {
                id?: string;
                properties?: Props;
                reasons?: string[];
            };
            expect(d.lastOps).to.deep.equal(["check", "diff", "update"]);
            expect(err.message).to.equal(
                `QuantumNetwork ${names.tenant}/${names.router}/${names.ext}: delete old ${names.ext} subnet 198.51.100.128/26 on root@127.0.0.1:2222 failed: ` +
                    `DELETE ${networkUrl}/v2.0/subnets/${first.externalSubnetId}: HTTP 409: ` +
                    `SubnetInUse: Unable to complete operation on subnet ${first.externalSubnetId}: One or more ports have an IP allocation from this subnet; ` +
                    `in the way: ${named(port, names.ext)}; ` +
                    `recorded as found after the failure (missing: the gateway of router ${names.router}): ` +
                    "the next `pulumi up` completes it",
            );
            expect(err.id).to.equal(d.id);
            expect(err.reasons).to.deep.equal([err.message]);
            expect(err.properties?.__provider).to.equal(d.providerText);
            const { __provider: _p, ...recorded } = err.properties as Props;
            // The old subnet (old CIDR and pool) is still there; the router lost its gateway.
            expect(recorded).to.deep.equal({ ...first, gatewayIp: "" });

            recordPartial(d, err);
            // The user gives up the CIDR change: the inputs equal the old ones, the gap is still seen.
            expect(await d.up(args())).to.equal("update");
            const o = d.outputs;
            expect(o.routerId).to.equal(first.routerId);
            expect(o.externalSubnetId).to.equal(first.externalSubnetId);
            expect(ipNum(o.gatewayIp)).to.be.within(ipNum("198.51.100.150"), ipNum("198.51.100.180"));
            expect((await live(o)).router.external_gateway_info.network_id).to.equal(first.externalNetworkId);

            await api.call("DELETE", `/floatingips/${fip.id}`);
            await d.delete();
        });
    });

    it("a re-run after a partial failure adopts what exists (find-or-create by name)", async () => {
        // What a run that died after its first two steps leaves behind.
        const ext = (
            await api.call("POST", "/networks", {
                network: {
                    name: names.ext,
                    "router:external": true,
                    "provider:network_type": "flat",
                    "provider:physical_network": "external",
                },
            })
        ).body.network;
        const router = (await api.call("POST", "/routers", { router: { name: names.router } })).body.router;
        const d = await newDriver(args(), "adopt");
        expect(await d.up(args())).to.equal("create");
        expect(d.outputs.externalNetworkId).to.equal(ext.id);
        expect(d.outputs.routerId).to.equal(router.id);
        expect((await live(d.outputs)).router.external_gateway_info.network_id).to.equal(ext.id);
        await d.delete();
        expect(await api.status(`/networks/${ext.id}`)).to.equal(404);
        expect(await api.status(`/routers/${router.id}`)).to.equal(404);
    });

    it("projectId: the tenant network, its subnet and the router belong to that project, ext_net to the caller's", async () => {
        const service = (await api.keystoneGet("/projects?name=service")).projects[0].id as string;
        const a = args({ projectId: service });
        const d = await newDriver(a, "owned");
        expect(await d.up(a)).to.equal("create");
        const l = await live(d.outputs);
        const tenantNet = (await api.call("GET", `/networks/${d.outputs.tenantNetworkId}`)).body.network;
        expect([tenantNet.tenant_id, l.tenSub.tenant_id, l.router.tenant_id]).to.deep.equal([
            service,
            service,
            service,
        ]);
        expect(l.ext.tenant_id).not.to.equal(service);
        const routerId = d.outputs.routerId;
        await d.delete();
        expect(await api.status(`/routers/${routerId}`)).to.equal(404);
    });

    it("wrong credentials: a clear error, no secret in it, nothing created", async () => {
        const a = args({ auth: { ...args().auth, password: "wrong-password-77" } });
        const d = await newDriver(a, "badcreds");
        const err = await expectRejects(d.up(a));
        expect(err.message).to.include(`QuantumNetwork ${names.tenant}/${names.router}/${names.ext}`);
        expect(err.message).to.include(
            `authenticate as admin in project admin (Keystone v3) on root@127.0.0.1:2222 failed: POST ${authUrl}/auth/tokens: HTTP 401`,
        );
        expect(err.message).to.include("credentials rejected");
        expect(err.message).not.to.include("wrong-password-77");
        expect(err.message).not.to.include(password);
        expect((await api.call("GET", `/networks?name=${names.ext}`)).body.networks).to.deep.equal([]);
    });

    it("an API error names the step, the request and neutron's message", async () => {
        // physnet "nosuch" is not in flat_networks: neutron refuses the external network.
        const a = args({ externalNetwork: { ...args().externalNetwork, physicalNetwork: "nosuch" } });
        const d = await newDriver(a, "apierr");
        const err = await expectRejects(d.up(a));
        expect(err.message).to.include(
            `create external network ${names.ext} on root@127.0.0.1:2222 failed: POST ${networkUrl}/v2.0/networks: HTTP 400`,
        );
        expect(err.message).to.match(/InvalidInput: .*nosuch/);
        expect(err.message).not.to.include(password);
    });

    it("unreachable SSH host and unreachable network API: bounded, named errors", async () => {
        const a = args({ connection: { ...conn, port: 1, dialErrorLimit: 2 } });
        const t0 = Date.now();
        const e1 = await expectRejects((await newDriver(a, "nossh")).up(a));
        expect(Date.now() - t0).to.be.below(20000);
        expect(e1.message).to.match(
            /^QuantumNetwork .*: connect on root@127\.0\.0\.1:1 failed: unreachable after 2 attempt\(s\)/,
        );
        const b = args({ networkUrl: "http://127.0.0.1:9699" });
        const e2 = await expectRejects((await newDriver(b, "noneutron")).up(b));
        expect(e2.message).to.include(
            `find external network ${names.ext} on root@127.0.0.1:2222 failed: GET http://127.0.0.1:9699/v2.0/networks?name=${encodeURIComponent(names.ext)}: no response`,
        );
    });
});
