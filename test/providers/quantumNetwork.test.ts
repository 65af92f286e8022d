// QuantumNetwork against a real neutron-server (Debian 12 / Zed, ML2, router plugin)
// from testbed.d/60-neutron.sh with Keystone v3 from 50-keystone.sh, over real SSH,
// driven through the serialization harness. Addresses: external 198.51.100.128/26,
// tenant 198.51.100.192/27 (they only ever live in neutron's database here).
// Every claim about the network objects is checked against the API itself.
import { expect } from "chai";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { countSshConnects, Driver, Props, UNKNOWN } from "./harness";
import { testbedConnection, testbedEnv } from "./testbed";
import { QuantumNetwork, QuantumNetworkArgs } from "../../providers/quantumNetwork";
import type { SshConnection } from "../../providers/ssh";

/** Admin access to the test bed's Keystone + neutron directly (this machine). */
class NetAdmin {
    private token = "";
    constructor(
        readonly keystone: string,
        readonly neutron: string,
        private readonly password: string,
    ) {}
    async login(): Promise<void> {
        const r = await fetch(`${this.keystone}/auth/tokens`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({
                auth: {
                    identity: {
                        methods: ["password"],
                        password: { user: { name: "admin", domain: { name: "Default" }, password: this.password } },
                    },
                    scope: { project: { name: "admin", domain: { name: "Default" } } },
                },
            }),
        });
        if (r.status !== 201) {
            throw new Error(`admin login: HTTP ${r.status}`);
        }
        this.token = r.headers.get("x-subject-token") ?? "";
    }
    async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Props }> {
        const r = await fetch(`${this.neutron}/v2.0${path}`, {
            method,
            headers: { "X-Auth-Token": this.token, "Content-Type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await r.text();
        return { status: r.status, body: text ? JSON.parse(text) : {} };
    }
    async keystoneGet(path: string): Promise<Props> {
        return (
            await fetch(`${this.keystone}${path}`, { headers: { "X-Auth-Token": this.token } })
        ).json() as Promise<Props>;
    }
    async status(path: string): Promise<number> {
        return (await this.call("GET", path)).status;
    }
}

async function expectRejects(p: Promise<unknown>): Promise<Error> {
    try {
        await p;
    } catch (e) {
        return e as Error;
    }
    throw new Error("expected a rejection");
}

const ipNum = (ip: string) => ip.split(".").reduce((a, b) => a * 256 + Number(b), 0);

describe("QuantumNetwork (real neutron-server over SSH, Keystone v3 token, through the serialization harness)", function () {
    this.timeout(180000);
    const run = Date.now().toString(36);
    let conn: SshConnection;
    let password: string;
    let authUrl: string;
    let networkUrl: string;
    let api: NetAdmin;

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
        (
            await Driver.for(
                () =>
                    new QuantumNetwork(name, {
                        ...(a as unknown as QuantumNetworkArgs),
                        connection: pulumi.secret(a.connection as SshConnection),
                        auth: pulumi.secret(a.auth),
                    }),
            )
        ).driver;

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
            await api.call("DELETE", `/networks/${n.id}`);
        }
    }

    before(async function () {
        const env = testbedEnv();
        if (!env.TESTBED_NEUTRON_URL) {
            throw new Error("neutron-server is not part of the test bed (testbed.d/60-neutron.sh did not run)");
        }
        conn = testbedConnection();
        authUrl = env.TESTBED_KEYSTONE_URL;
        networkUrl = env.TESTBED_NEUTRON_URL;
        password = fs.readFileSync(env.TESTBED_KEYSTONE_ADMIN_PASSWORD_FILE, "utf8").trim();
        api = new NetAdmin(authUrl, networkUrl, password);
        await api.login();
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
            () =>
                new QuantumNetwork("reg", {
                    ...(args() as unknown as QuantumNetworkArgs),
                    auth: pulumi.secret(args().auth),
                }),
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
            expect(await d.refresh()).to.equal(d.id);
            expect(d.outputs).to.deep.equal(first);
        });

        it("no-op: diff reports no changes", async () => {
            expect(await d.up(args())).to.equal("same");
            expect(d.lastOps).to.deep.equal(["check", "diff"]);
        });

        it("update: allocation pool and DNS servers change in place (PUT, same subnet IDs)", async () => {
            const a = args();
            a.externalNetwork = {
                ...a.externalNetwork,
                allocationPool: { start: "198.51.100.140", end: "198.51.100.185" },
            };
            a.tenantNetwork = { ...a.tenantNetwork, dnsNameservers: ["198.51.100.53", "8.8.4.4"] };
            expect(await d.diff(await d.check(a))).to.deep.equal({
                changes: true,
                replaces: [],
                deleteBeforeReplace: false,
            });
            expect(await d.up(a)).to.equal("update");
            const o = d.outputs;
            for (const k of [
                "routerId",
                "externalNetworkId",
                "tenantNetworkId",
                "tenantSubnetId",
                "externalSubnetId",
                "gatewayIp",
            ]) {
                expect(o[k], k).to.equal(first[k]);
            }
            const l = await live(o);
            expect(l.extSub.allocation_pools).to.deep.equal([{ start: "198.51.100.140", end: "198.51.100.185" }]);
            expect(l.tenSub.dns_nameservers).to.deep.equal(["198.51.100.53", "8.8.4.4"]);
        });

        it("update: a tenant CIDR change replaces only the tenant subnet (interface moves, router stays)", async () => {
            const a = args();
            a.externalNetwork = {
                ...a.externalNetwork,
                allocationPool: { start: "198.51.100.140", end: "198.51.100.185" },
            };
            a.tenantNetwork = {
                ...a.tenantNetwork,
                cidr: "198.51.100.224/28",
                gateway: "198.51.100.225",
                dnsNameservers: ["198.51.100.53", "8.8.4.4"],
            };
            expect(await d.up(a)).to.equal("update");
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
            const a = args();
            a.externalNetwork = {
                ...a.externalNetwork,
                allocationPool: { start: "198.51.100.140", end: "198.51.100.185" },
            };
            a.tenantNetwork = {
                ...a.tenantNetwork,
                cidr: "198.51.100.224/28",
                gateway: "198.51.100.225",
                dnsNameservers: ["198.51.100.53", "8.8.4.4"],
            };
            expect(await d.up(a)).to.equal("update");
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
