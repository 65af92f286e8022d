// QuantumNetwork pure parts: check (ipaddr.js validation), diff (every field), parsing,
// and the exact request plans (method, path, body) for create / update / delete.
import { expect } from "chai";
import {
    AUTO_DELETED_PORT_OWNERS,
    checkQuantumNetwork,
    describeDeleteFailure,
    describeInUse,
    describePort,
    diffQuantumNetwork,
    gatewayIpFrom,
    networkBase,
    QUANTUM_NO_IDS,
    parseNetworks,
    parsePorts,
    parseRouters,
    parseSubnets,
    planGatewayPortLookup,
    planQuantumDelete,
    planQuantumInUseLookups,
    planQuantumLookups,
    planQuantumSync,
    quantumFeatures,
    quantumMissingParts,
    quantumNetworkId,
    QuantumNetworkInputs,
    QuantumNetworkOutputs,
    QuantumObserved,
    quantumPartialState,
    quantumPortsInTheWay,
    quantumReadState,
    PortObs,
    QUANTUM_DUPLICATES_FIX,
    withPartialState,
} from "../../../providers/quantumNetwork";
import { ApiCall, pickOne } from "../../../providers/openstackAuth";
import { UNKNOWN } from "../../../providers/ssh";
import { FOLSOM_NETWORKS as FOLSOM, KEY } from "../../providers/fixtures/folsom/quantumNetwork";

const CONN = { host: "198.51.100.11", port: 22, user: "root", privateKey: KEY };
// The networks script with Zed and the lab's addresses.
const ZED: QuantumNetworkInputs = {
    connection: CONN,
    auth: {
        dialect: "v3",
        authUrl: "http://198.51.100.11:5000/v3",
        username: "admin",
        password: "secret",
        projectName: "admin",
    },
    networkUrl: "http://198.51.100.11:9696",
    tenantNetwork: {
        name: "private",
        cidr: "198.51.100.192/27",
        gateway: "198.51.100.193",
        dnsNameservers: ["8.8.8.8"],
    },
    externalNetwork: {
        name: "ext_net",
        cidr: "198.51.100.128/26",
        gateway: "198.51.100.129",
        allocationPool: { start: "198.51.100.150", end: "198.51.100.180" },
        providerNetworkType: "flat",
        physicalNetwork: "external",
    },
    routerName: "provider-router",
};
// ... and with Folsom and the article's addresses: FOLSOM (script [3], run from Alice).
const IDS = {
    routerId: "r1",
    externalNetworkId: "en1",
    tenantNetworkId: "tn1",
    tenantSubnetId: "ts1",
    externalSubnetId: "es1",
    gatewayIp: "198.51.100.160",
};
const ZED_OUT: QuantumNetworkOutputs = { ...ZED, ...IDS };

/** What the API holds when everything matches ZED. */
const LIVE: QuantumObserved = {
    extNet: { id: "en1", name: "ext_net", external: true, providerNetworkType: "flat", physicalNetwork: "external" },
    extSubnets: [
        {
            id: "es1",
            cidr: "198.51.100.128/26",
            gateway: "198.51.100.129",
            allocationPools: [{ start: "198.51.100.150", end: "198.51.100.180" }],
            dnsNameservers: [],
            enableDhcp: false,
        },
    ],
    tenantNet: { id: "tn1", name: "private", external: false },
    tenantSubnets: [
        {
            id: "ts1",
            cidr: "198.51.100.192/27",
            gateway: "198.51.100.193",
            allocationPools: [{ start: "198.51.100.194", end: "198.51.100.222" }],
            dnsNameservers: ["8.8.8.8"],
            enableDhcp: true,
        },
    ],
    router: { id: "r1", name: "provider-router", gatewayNetworkId: "en1" },
    routerPorts: [
        { id: "p-gw", deviceOwner: "network:router_gateway", subnetIds: ["es1"], ips: ["198.51.100.160"] },
        { id: "p-if", deviceOwner: "network:router_interface", subnetIds: ["ts1"], ips: ["198.51.100.193"] },
    ],
};
const NOTHING: QuantumObserved = { extSubnets: [], tenantSubnets: [], routerPorts: [] };

const brief = (calls: ApiCall[]) =>
    calls.map((c) => `${c.method} ${c.path}${c.body === undefined ? "" : " " + JSON.stringify(c.body)}`);

describe("QuantumNetwork: check", () => {
    it("accepts the Zed and the Folsom (article) forms unchanged", () => {
        expect(checkQuantumNetwork({ ...ZED })).to.deep.equal({ inputs: ZED, failures: [] });
        expect(checkQuantumNetwork({ ...FOLSOM })).to.deep.equal({ inputs: FOLSOM, failures: [] });
    });
    it("defaults routerName to provider-router and dnsNameservers to [], drops unknown keys", () => {
        const { routerName: _r, ...rest } = FOLSOM;
        const r = checkQuantumNetwork({
            ...rest,
            extra: 1,
            tenantNetwork: { name: "private", cidr: "10.5.5.0/24", gateway: "10.5.5.1" },
        });
        expect(r).to.deep.equal({
            inputs: { ...FOLSOM, tenantNetwork: { ...FOLSOM.tenantNetwork, dnsNameservers: [] } },
            failures: [],
        });
    });
    it("accepts unknowns (preview), whole objects and single fields", () => {
        const news = {
            connection: UNKNOWN,
            auth: UNKNOWN,
            networkUrl: UNKNOWN,
            tenantNetwork: UNKNOWN,
            externalNetwork: UNKNOWN,
            routerName: UNKNOWN,
        };
        expect(checkQuantumNetwork(news)).to.deep.equal({ inputs: news, failures: [] });
        const some = {
            ...ZED,
            externalNetwork: {
                ...ZED.externalNetwork,
                cidr: UNKNOWN,
                allocationPool: { start: UNKNOWN, end: "198.51.100.180" },
            },
        };
        expect(checkQuantumNetwork(some).failures).to.deep.equal([]);
    });
    it("still validates the known members of a partly unknown object", () => {
        const some = {
            ...ZED,
            externalNetwork: {
                ...ZED.externalNetwork,
                gateway: "198.51.100.1",
                allocationPool: { start: UNKNOWN, end: "198.51.100.180" },
            },
        };
        expect(checkQuantumNetwork(some).failures).to.deep.equal([
            { property: "externalNetwork.gateway", reason: "198.51.100.1 is not inside 198.51.100.128/26" },
        ]);
        const conn = { ...ZED, connection: { host: UNKNOWN, privateKey: "" } };
        expect(checkQuantumNetwork(conn).failures).to.deep.equal([
            {
                property: "connection.privateKey",
                reason: "privateKey must be a PEM/OpenSSH private key (-----BEGIN ... PRIVATE KEY-----)",
            },
        ]);
    });
    const ext = ZED.externalNetwork;
    const ten = ZED.tenantNetwork;
    const bad: [string, Record<string, unknown>, { property: string; reason: string }[]][] = [
        [
            "an unknown dialect",
            { auth: { ...ZED.auth, dialect: "v1" } },
            [{ property: "auth.dialect", reason: 'must be one of "v2.0", "v3", got "v1"' }],
        ],
        [
            "a v2.0 authUrl with v3",
            { auth: { ...ZED.auth, authUrl: "http://198.51.100.11:5000/v2.0" } },
            [
                {
                    property: "auth.authUrl",
                    reason: 'for dialect "v3" the path must end in /v3, got "http://198.51.100.11:5000/v2.0"',
                },
            ],
        ],
        ["no password", { auth: { ...ZED.auth, password: "" } }, [{ property: "auth.password", reason: "required" }]],
        [
            "a bad networkUrl",
            { networkUrl: "198.51.100.11:9696" },
            [{ property: "networkUrl", reason: 'not a URL: "198.51.100.11:9696"' }],
        ],
        [
            "an https networkUrl",
            { networkUrl: "https://198.51.100.11:9696" },
            [
                {
                    property: "networkUrl",
                    reason: 'only http:// URLs are supported (the SSH tunnel carries plain HTTP): "https://198.51.100.11:9696"',
                },
            ],
        ],
        [
            "a router name with a slash",
            { routerName: "a/b" },
            [{ property: "routerName", reason: "must not contain '/'" }],
        ],
        [
            "an empty network name",
            { tenantNetwork: { ...ten, name: "" } },
            [{ property: "tenantNetwork.name", reason: "required" }],
        ],
        [
            "a CIDR that is not one",
            { tenantNetwork: { ...ten, cidr: "10.5.5.0" } },
            [{ property: "tenantNetwork.cidr", reason: 'must be an IPv4 CIDR like 10.5.5.0/24, got "10.5.5.0"' }],
        ],
        [
            "an IPv6 CIDR",
            { tenantNetwork: { ...ten, cidr: "2001:db8::/64" } },
            [{ property: "tenantNetwork.cidr", reason: 'must be an IPv4 CIDR like 10.5.5.0/24, got "2001:db8::/64"' }],
        ],
        [
            "host bits in a CIDR",
            { tenantNetwork: { ...ten, cidr: "198.51.100.200/27" } },
            [{ property: "tenantNetwork.cidr", reason: "has host bits set: use 198.51.100.192/27" }],
        ],
        [
            "a /31",
            { tenantNetwork: { ...ten, cidr: "198.51.100.192/31", gateway: "198.51.100.192" } },
            [{ property: "tenantNetwork.cidr", reason: "must leave room for a gateway and hosts (/30 or larger)" }],
        ],
        [
            "a gateway outside the CIDR",
            { tenantNetwork: { ...ten, gateway: "198.51.100.1" } },
            [{ property: "tenantNetwork.gateway", reason: "198.51.100.1 is not inside 198.51.100.192/27" }],
        ],
        [
            "the network address as gateway",
            { tenantNetwork: { ...ten, gateway: "198.51.100.192" } },
            [
                {
                    property: "tenantNetwork.gateway",
                    reason: "198.51.100.192 is the network or broadcast address of 198.51.100.192/27",
                },
            ],
        ],
        [
            "a bad DNS server",
            { tenantNetwork: { ...ten, dnsNameservers: ["8.8.8.8", "dns.example"] } },
            [{ property: "tenantNetwork.dnsNameservers[1]", reason: 'must be an IPv4 address, got "dns.example"' }],
        ],
        [
            "DNS servers not a list",
            { tenantNetwork: { ...ten, dnsNameservers: "8.8.8.8" } },
            [{ property: "tenantNetwork.dnsNameservers", reason: "must be a list of IPv4 addresses" }],
        ],
        [
            "a pool outside the CIDR",
            { externalNetwork: { ...ext, allocationPool: { start: "198.51.100.150", end: "198.51.100.200" } } },
            [
                {
                    property: "externalNetwork.allocationPool.end",
                    reason: "198.51.100.200 is not inside 198.51.100.128/26",
                },
            ],
        ],
        [
            "a reversed pool",
            { externalNetwork: { ...ext, allocationPool: { start: "198.51.100.180", end: "198.51.100.150" } } },
            [
                {
                    property: "externalNetwork.allocationPool",
                    reason: "start 198.51.100.180 is after end 198.51.100.150",
                },
            ],
        ],
        [
            "the gateway inside the pool",
            { externalNetwork: { ...ext, gateway: "198.51.100.160" } },
            [
                {
                    property: "externalNetwork.gateway",
                    reason: "198.51.100.160 lies inside the allocation pool 198.51.100.150-198.51.100.180",
                },
            ],
        ],
        [
            "no pool",
            { externalNetwork: { ...ext, allocationPool: undefined } },
            [{ property: "externalNetwork.allocationPool", reason: "required: { start, end }" }],
        ],
        [
            "flat without a physical network",
            { externalNetwork: { ...ext, physicalNetwork: undefined } },
            [
                {
                    property: "externalNetwork.physicalNetwork",
                    reason: 'required with providerNetworkType "flat" (e.g. "external")',
                },
            ],
        ],
        [
            "an empty provider type",
            { externalNetwork: { ...ext, providerNetworkType: "" } },
            [{ property: "externalNetwork.providerNetworkType", reason: "must be a non-empty string when given" }],
        ],
        [
            "overlapping CIDRs",
            { tenantNetwork: { ...ten, cidr: "198.51.100.128/25", gateway: "198.51.100.254" } },
            [
                {
                    property: "externalNetwork.cidr",
                    reason: "overlaps tenantNetwork.cidr: the router cannot connect both",
                },
            ],
        ],
        [
            "an empty projectId",
            { projectId: "" },
            [{ property: "projectId", reason: "must be a non-empty project ID when given" }],
        ],
        [
            "no connection host",
            { connection: { privateKey: KEY } },
            [{ property: "connection.host", reason: "host must be a host name or IP address" }],
        ],
    ];
    for (const [name, patch, failures] of bad) {
        it(`rejects ${name}`, () => expect(checkQuantumNetwork({ ...ZED, ...patch }).failures).to.deep.equal(failures));
    }
});

describe("QuantumNetwork: diff", () => {
    it("no change → changes: false", () =>
        expect(diffQuantumNetwork(ZED_OUT, { ...ZED })).to.deep.equal({
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        }));
    const upd = { changes: true, replaces: [], deleteBeforeReplace: false };
    const cases: [
        string,
        Record<string, unknown>,
        { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean },
    ][] = [
        ["routerName", { routerName: "r2" }, { changes: true, replaces: ["routerName"], deleteBeforeReplace: true }],
        [
            "tenantNetwork.name",
            { tenantNetwork: { ...ZED.tenantNetwork, name: "p2" } },
            { changes: true, replaces: ["tenantNetwork.name"], deleteBeforeReplace: true },
        ],
        [
            "externalNetwork.name",
            { externalNetwork: { ...ZED.externalNetwork, name: "e2" } },
            { changes: true, replaces: ["externalNetwork.name"], deleteBeforeReplace: true },
        ],
        ["projectId", { projectId: "p" }, { changes: true, replaces: ["projectId"], deleteBeforeReplace: true }],
        ["tenantNetwork.cidr", { tenantNetwork: { ...ZED.tenantNetwork, cidr: "198.51.100.224/28" } }, upd],
        ["tenantNetwork.gateway", { tenantNetwork: { ...ZED.tenantNetwork, gateway: "198.51.100.194" } }, upd],
        ["tenantNetwork.dnsNameservers", { tenantNetwork: { ...ZED.tenantNetwork, dnsNameservers: [] } }, upd],
        ["externalNetwork.cidr", { externalNetwork: { ...ZED.externalNetwork, cidr: "198.51.100.128/27" } }, upd],
        ["externalNetwork.gateway", { externalNetwork: { ...ZED.externalNetwork, gateway: "198.51.100.130" } }, upd],
        [
            "externalNetwork.allocationPool",
            {
                externalNetwork: {
                    ...ZED.externalNetwork,
                    allocationPool: { start: "198.51.100.140", end: "198.51.100.180" },
                },
            },
            upd,
        ],
        [
            "externalNetwork.providerNetworkType",
            { externalNetwork: { ...ZED.externalNetwork, providerNetworkType: "vlan" } },
            upd,
        ],
        [
            "externalNetwork.physicalNetwork",
            { externalNetwork: { ...ZED.externalNetwork, physicalNetwork: "physnet2" } },
            upd,
        ],
        ["auth", { auth: { ...ZED.auth, password: "new" } }, upd],
        ["networkUrl", { networkUrl: "http://198.51.100.11:9697" }, upd],
        ["connection port", { connection: { ...CONN, port: 2222 } }, upd],
        ["connection user", { connection: { ...CONN, user: "admin" } }, upd],
        [
            "connection host",
            { connection: { ...CONN, host: "198.51.100.12" } },
            { changes: true, replaces: ["connection"], deleteBeforeReplace: true },
        ],
    ];
    for (const [f, patch, want] of cases) {
        it(`${f} → ${want.replaces.length ? "replace (delete first)" : "update"}`, () =>
            expect(diffQuantumNetwork(ZED_OUT, { ...ZED, ...patch })).to.deep.equal(want));
    }
    it("an object a refresh found missing → update", () => {
        for (const k of Object.keys(IDS)) {
            expect(diffQuantumNetwork({ ...ZED_OUT, [k]: "" }, { ...ZED }).changes, k).to.equal(true);
        }
    });
    it("unknown CIDR during preview → update; unknown names → replace", () => {
        expect(
            diffQuantumNetwork(ZED_OUT, { ...ZED, externalNetwork: { ...ZED.externalNetwork, cidr: UNKNOWN } }),
        ).to.deep.equal(upd);
        expect(diffQuantumNetwork(ZED_OUT, { ...ZED, tenantNetwork: UNKNOWN }).replaces).to.deep.equal([
            "tenantNetwork.name",
        ]);
    });
    it("id is tenant/router/external", () => expect(quantumNetworkId(ZED)).to.equal("private/provider-router/ext_net"));
});

describe("QuantumNetwork: observation", () => {
    it("looks networks and router up by name (and owner when projectId is set)", () => {
        expect(brief(planQuantumLookups(ZED))).to.deep.equal([
            "GET /v2.0/networks?name=ext_net",
            "GET /v2.0/networks?name=private",
            "GET /v2.0/routers?name=provider-router",
        ]);
        expect(brief(planQuantumLookups({ ...ZED, projectId: "t1" }))).to.deep.equal([
            "GET /v2.0/networks?name=ext_net",
            "GET /v2.0/networks?name=private&tenant_id=t1",
            "GET /v2.0/routers?name=provider-router&tenant_id=t1",
        ]);
        expect(brief([planGatewayPortLookup(ZED.networkUrl, "r1")])).to.deep.equal([
            "GET /v2.0/ports?device_id=r1&device_owner=network%3Arouter_gateway",
        ]);
    });
    it("networkUrl may carry /v2.0 or a prefix", () => {
        expect(networkBase("http://h:9696")).to.equal("/v2.0");
        expect(networkBase("http://h:9696/")).to.equal("/v2.0");
        expect(networkBase("http://h:9696/v2.0/")).to.equal("/v2.0");
        expect(networkBase("http://h/networking")).to.equal("/networking/v2.0");
    });
    it("parses Neutron/Quantum bodies", () => {
        expect(
            parseNetworks(
                {
                    networks: [
                        {
                            id: "a",
                            name: "ext_net",
                            "router:external": true,
                            "provider:network_type": "flat",
                            "provider:physical_network": "external",
                        },
                        { id: "b", name: "other" },
                    ],
                },
                "ext_net",
            ),
        ).to.deep.equal([
            { id: "a", name: "ext_net", external: true, providerNetworkType: "flat", physicalNetwork: "external" },
        ]);
        // Folsom without the provider extension: no provider keys at all.
        expect(
            parseNetworks({ networks: [{ id: "a", name: "private", "router:external": false }] }, "private"),
        ).to.deep.equal([
            { id: "a", name: "private", external: false, providerNetworkType: undefined, physicalNetwork: undefined },
        ]);
        expect(
            parseSubnets({
                subnets: [
                    {
                        id: "s",
                        cidr: "10.5.5.0/24",
                        gateway_ip: null,
                        allocation_pools: [{ start: "10.5.5.2", end: "10.5.5.254" }],
                        dns_nameservers: ["8.8.8.8"],
                        enable_dhcp: true,
                    },
                ],
            }),
        ).to.deep.equal([
            {
                id: "s",
                cidr: "10.5.5.0/24",
                gateway: null,
                allocationPools: [{ start: "10.5.5.2", end: "10.5.5.254" }],
                dnsNameservers: ["8.8.8.8"],
                enableDhcp: true,
            },
        ]);
        expect(
            parseRouters(
                { routers: [{ id: "r", name: "provider-router", external_gateway_info: null }] },
                "provider-router",
            ),
        ).to.deep.equal([{ id: "r", name: "provider-router", gatewayNetworkId: undefined }]);
        const ports = parsePorts({
            ports: [
                {
                    id: "p",
                    device_owner: "network:router_gateway",
                    fixed_ips: [{ subnet_id: "s", ip_address: "192.168.144.100" }],
                },
            ],
        });
        expect(gatewayIpFrom(ports)).to.equal("192.168.144.100");
        expect(gatewayIpFrom([])).to.equal("");
    });
    it("duplicates by name: the recorded one wins, otherwise a clear error", () => {
        const two = [{ id: "a" }, { id: "b" }];
        expect(pickOne(two, "b", "routers named x", QUANTUM_DUPLICATES_FIX)).to.deep.equal({ id: "b" });
        expect(() => pickOne(two, undefined, "routers named x", QUANTUM_DUPLICATES_FIX)).to.throw(
            "2 routers named x exist (ids a, b); remove the duplicates or rename",
        );
    });
});

describe("QuantumNetwork: sync plans", () => {
    it("from nothing: the networks script's order, IDs chained through variables", () => {
        const plan = planQuantumSync(ZED, NOTHING);
        expect(plan.vars).to.deep.equal({});
        expect(brief(plan.calls)).to.deep.equal([
            'POST /v2.0/networks {"network":{"name":"ext_net","admin_state_up":true,"router:external":true,"provider:network_type":"flat","provider:physical_network":"external"}}',
            'POST /v2.0/subnets {"subnet":{"name":"ext_net-subnet","network_id":"{{externalNetworkId}}","ip_version":4,"cidr":"198.51.100.128/26","gateway_ip":"198.51.100.129","allocation_pools":[{"start":"198.51.100.150","end":"198.51.100.180"}],"enable_dhcp":false}}',
            'POST /v2.0/networks {"network":{"name":"private","admin_state_up":true}}',
            'POST /v2.0/subnets {"subnet":{"name":"private-subnet","network_id":"{{tenantNetworkId}}","ip_version":4,"cidr":"198.51.100.192/27","gateway_ip":"198.51.100.193","dns_nameservers":["8.8.8.8"]}}',
            'POST /v2.0/routers {"router":{"name":"provider-router","admin_state_up":true}}',
            'PUT /v2.0/routers/{{routerId}}/add_router_interface {"subnet_id":"{{tenantSubnetId}}"}',
            'PUT /v2.0/routers/{{routerId}} {"router":{"external_gateway_info":{"network_id":"{{externalNetworkId}}"}}}',
        ]);
        expect(plan.calls.map((c) => [c.ok, c.save ?? null])).to.deep.equal([
            [[201], { externalNetworkId: "network.id" }],
            [[201], { externalSubnetId: "subnet.id" }],
            [[201], { tenantNetworkId: "network.id" }],
            [[201], { tenantSubnetId: "subnet.id" }],
            [[201], { routerId: "router.id" }],
            [[200], null],
            [[200], null],
        ]);
    });
    it("Folsom: no provider attributes unless asked for", () => {
        expect(brief(planQuantumSync(FOLSOM, NOTHING).calls)[0]).to.equal(
            'POST /v2.0/networks {"network":{"name":"ext_net","admin_state_up":true,"router:external":true}}',
        );
    });
    it("projectId: the tenant network, subnet and router are created for that tenant", () => {
        const calls = brief(planQuantumSync({ ...ZED, projectId: "t1" }, NOTHING).calls);
        expect(
            calls.filter((c) => c.includes('"tenant_id":"t1"')).map((c) => c.split(" ").slice(0, 2).join(" ")),
        ).to.deep.equal(["POST /v2.0/networks", "POST /v2.0/subnets", "POST /v2.0/routers"]);
        expect(calls[0]).not.to.include("tenant_id");
    });
    it("everything in place: no calls, IDs known", () => {
        expect(planQuantumSync(ZED, LIVE, IDS)).to.deep.equal({
            calls: [],
            vars: {
                externalNetworkId: "en1",
                externalSubnetId: "es1",
                tenantNetworkId: "tn1",
                tenantSubnetId: "ts1",
                routerId: "r1",
            },
        });
    });
    it("partial failure left ext_net and the router: adopt them, build the rest", () => {
        const obs: QuantumObserved = { ...NOTHING, extNet: LIVE.extNet, router: { id: "r1", name: "provider-router" } };
        expect(planQuantumSync(ZED, obs).calls.map((c) => c.step)).to.deep.equal([
            "create ext_net subnet 198.51.100.128/26",
            "create tenant network private",
            "create private subnet 198.51.100.192/27",
            "add interface of router provider-router on the private subnet",
            "set gateway of router provider-router to ext_net",
        ]);
    });
    it("pool change with v3: PUT allocation_pools", () => {
        const want = {
            ...ZED,
            externalNetwork: {
                ...ZED.externalNetwork,
                allocationPool: { start: "198.51.100.140", end: "198.51.100.185" },
            },
        };
        expect(brief(planQuantumSync(want, LIVE, IDS).calls)).to.deep.equal([
            'PUT /v2.0/subnets/es1 {"subnet":{"allocation_pools":[{"start":"198.51.100.140","end":"198.51.100.185"}]}}',
        ]);
    });
    it("pool change with v2.0 (Folsom: allocation_pools is read-only): replace the external subnet around the gateway", () => {
        expect(quantumFeatures("v2.0")).to.deep.equal({ poolUpdatable: false });
        const want = {
            ...ZED,
            auth: { ...ZED.auth, dialect: "v2.0" as const, authUrl: "http://198.51.100.11:5000/v2.0" },
            externalNetwork: {
                ...ZED.externalNetwork,
                allocationPool: { start: "198.51.100.140", end: "198.51.100.185" },
            },
        };
        expect(planQuantumSync(want, LIVE, IDS).calls.map((c) => `${c.method} ${c.path}`)).to.deep.equal([
            "PUT /v2.0/routers/r1",
            "DELETE /v2.0/subnets/es1",
            "POST /v2.0/subnets",
            "PUT /v2.0/routers/{{routerId}}",
        ]);
    });
    it("DNS servers and the external gateway: PUT in place", () => {
        const want = {
            ...ZED,
            tenantNetwork: { ...ZED.tenantNetwork, dnsNameservers: ["198.51.100.53"] },
            externalNetwork: { ...ZED.externalNetwork, gateway: "198.51.100.130" },
        };
        expect(brief(planQuantumSync(want, LIVE, IDS).calls)).to.deep.equal([
            'PUT /v2.0/subnets/es1 {"subnet":{"gateway_ip":"198.51.100.130"}}',
            'PUT /v2.0/subnets/ts1 {"subnet":{"dns_nameservers":["198.51.100.53"]}}',
        ]);
    });
    it("DHCP found enabled on the external subnet: PUT it off", () => {
        const obs = { ...LIVE, extSubnets: [{ ...LIVE.extSubnets[0], enableDhcp: true }] };
        expect(brief(planQuantumSync(ZED, obs, IDS).calls)).to.deep.equal([
            'PUT /v2.0/subnets/es1 {"subnet":{"enable_dhcp":false}}',
        ]);
    });
    it("tenant CIDR change: remove interface, delete the old subnet, create the new one, add interface", () => {
        const want = {
            ...ZED,
            tenantNetwork: { ...ZED.tenantNetwork, cidr: "198.51.100.224/28", gateway: "198.51.100.225" },
        };
        expect(brief(planQuantumSync(want, LIVE, IDS).calls)).to.deep.equal([
            'PUT /v2.0/routers/r1/remove_router_interface {"subnet_id":"ts1"}',
            "DELETE /v2.0/subnets/ts1",
            'POST /v2.0/subnets {"subnet":{"name":"private-subnet","network_id":"{{tenantNetworkId}}","ip_version":4,"cidr":"198.51.100.224/28","gateway_ip":"198.51.100.225","dns_nameservers":["8.8.8.8"]}}',
            'PUT /v2.0/routers/{{routerId}}/add_router_interface {"subnet_id":"{{tenantSubnetId}}"}',
        ]);
    });
    it("tenant gateway change: the subnet is replaced the same way (the interface port holds the gateway)", () => {
        const want = { ...ZED, tenantNetwork: { ...ZED.tenantNetwork, gateway: "198.51.100.222" } };
        expect(planQuantumSync(want, LIVE, IDS).calls.map((c) => `${c.method} ${c.path}`)).to.deep.equal([
            "PUT /v2.0/routers/r1/remove_router_interface",
            "DELETE /v2.0/subnets/ts1",
            "POST /v2.0/subnets",
            "PUT /v2.0/routers/{{routerId}}/add_router_interface",
        ]);
    });
    it("external CIDR change: clear gateway, delete the old subnet, create the new one, set gateway", () => {
        const want = {
            ...ZED,
            externalNetwork: {
                ...ZED.externalNetwork,
                cidr: "198.51.100.128/27",
                allocationPool: { start: "198.51.100.140", end: "198.51.100.150" },
            },
        };
        expect(brief(planQuantumSync(want, LIVE, IDS).calls)).to.deep.equal([
            'PUT /v2.0/routers/r1 {"router":{"external_gateway_info":{}}}',
            "DELETE /v2.0/subnets/es1",
            'POST /v2.0/subnets {"subnet":{"name":"ext_net-subnet","network_id":"{{externalNetworkId}}","ip_version":4,"cidr":"198.51.100.128/27","gateway_ip":"198.51.100.129","allocation_pools":[{"start":"198.51.100.140","end":"198.51.100.150"}],"enable_dhcp":false}}',
            'PUT /v2.0/routers/{{routerId}} {"router":{"external_gateway_info":{"network_id":"{{externalNetworkId}}"}}}',
        ]);
    });
    it("provider attribute change: the external network is replaced with its subnet", () => {
        const want = { ...ZED, externalNetwork: { ...ZED.externalNetwork, physicalNetwork: "physnet2" } };
        const plan = planQuantumSync(want, LIVE, IDS);
        expect(plan.calls.map((c) => `${c.method} ${c.path}`)).to.deep.equal([
            "PUT /v2.0/routers/r1",
            "DELETE /v2.0/networks/en1",
            "POST /v2.0/networks",
            "POST /v2.0/subnets",
            "PUT /v2.0/routers/{{routerId}}",
        ]);
        expect(plan.vars.externalNetworkId).to.equal(undefined);
    });
    it("ext_net found without router:external: PUT it", () => {
        const obs = { ...LIVE, extNet: { ...LIVE.extNet!, external: false } };
        expect(brief(planQuantumSync(ZED, obs, IDS).calls)).to.deep.equal([
            'PUT /v2.0/networks/en1 {"network":{"router:external":true}}',
        ]);
    });
    it("router gateway on another network: set it to ext_net (no clear needed)", () => {
        const obs = { ...LIVE, router: { ...LIVE.router!, gatewayNetworkId: "other" } };
        expect(brief(planQuantumSync(ZED, obs, IDS).calls)).to.deep.equal([
            'PUT /v2.0/routers/{{routerId}} {"router":{"external_gateway_info":{"network_id":"{{externalNetworkId}}"}}}',
        ]);
    });
});

describe("QuantumNetwork: delete plan and refresh state", () => {
    it("delete: gateway, interface, router, subnets, networks — each tolerating 404", () => {
        const calls = planQuantumDelete(ZED_OUT);
        expect(brief(calls)).to.deep.equal([
            'PUT /v2.0/routers/r1 {"router":{"external_gateway_info":{}}}',
            'PUT /v2.0/routers/r1/remove_router_interface {"subnet_id":"ts1"}',
            "DELETE /v2.0/routers/r1",
            "DELETE /v2.0/subnets/ts1",
            "DELETE /v2.0/subnets/es1",
            "DELETE /v2.0/networks/tn1",
            "DELETE /v2.0/networks/en1",
        ]);
        expect(calls.every((c) => c.tolerate?.includes(404))).to.equal(true);
        expect(calls.map((c) => c.step)).to.deep.equal([
            "clear gateway of router provider-router (r1)",
            "remove interface of router provider-router on the private subnet (ts1)",
            "delete router provider-router (r1)",
            "delete private subnet (ts1)",
            "delete ext_net subnet (es1)",
            "delete tenant network private (tn1)",
            "delete external network ext_net (en1)",
        ]);
    });
    it("delete skips objects that never existed", () => {
        expect(brief(planQuantumDelete({ ...ZED_OUT, routerId: "", tenantSubnetId: "" }))).to.deep.equal([
            "DELETE /v2.0/subnets/es1",
            "DELETE /v2.0/networks/tn1",
            "DELETE /v2.0/networks/en1",
        ]);
        expect(
            planQuantumDelete({
                ...ZED_OUT,
                routerId: "",
                tenantSubnetId: "",
                externalSubnetId: "",
                tenantNetworkId: "",
                externalNetworkId: "",
            }),
        ).to.deep.equal([]);
    });
    it("refresh: unchanged state reads back identically; nothing left = gone", () => {
        expect(quantumReadState(ZED_OUT, LIVE, "198.51.100.160")).to.deep.equal(ZED_OUT);
        expect(quantumReadState(ZED_OUT, NOTHING, "")).to.equal(undefined);
    });
    it("refresh: drift is reported as live values and missing IDs", () => {
        const obs: QuantumObserved = {
            ...LIVE,
            extSubnets: [
                { ...LIVE.extSubnets[0], allocationPools: [{ start: "198.51.100.140", end: "198.51.100.190" }] },
            ],
            tenantSubnets: [{ ...LIVE.tenantSubnets[0], dnsNameservers: [] }],
            routerPorts: [LIVE.routerPorts[0]], // interface removed
        };
        const s = quantumReadState(ZED_OUT, obs, "198.51.100.160")!;
        expect(s.externalNetwork.allocationPool).to.deep.equal({ start: "198.51.100.140", end: "198.51.100.190" });
        expect(s.tenantNetwork.dnsNameservers).to.deep.equal([]);
        expect(s.tenantSubnetId).to.equal("");
        const noGw = quantumReadState(
            ZED_OUT,
            { ...LIVE, router: { ...LIVE.router!, gatewayNetworkId: undefined } },
            "",
        )!;
        expect(noGw.gatewayIp).to.equal("");
    });
});

describe("QuantumNetwork: never half-way (what is in the way, what a failure leaves)", () => {
    it("looks for what is in the way: ports on both recorded networks and on the router, only for recorded IDs", () => {
        const calls = planQuantumInUseLookups(ZED_OUT);
        expect(brief(calls)).to.deep.equal([
            "GET /v2.0/ports?network_id=en1",
            "GET /v2.0/ports?network_id=tn1",
            "GET /v2.0/ports?device_id=r1",
        ]);
        expect(calls.map((c) => c.step)).to.deep.equal([
            "list ports on external network ext_net (en1)",
            "list ports on tenant network private (tn1)",
            "list ports of router provider-router (r1)",
        ]);
        expect(brief(planQuantumInUseLookups({ ...ZED_OUT, routerId: "", tenantNetworkId: "" }))).to.deep.equal([
            "GET /v2.0/ports?network_id=en1",
        ]);
        expect(planQuantumInUseLookups({ ...ZED_OUT, ...QUANTUM_NO_IDS })).to.deep.equal([]);
    });

    const port = (over: Partial<PortObs>): PortObs => ({
        id: "p",
        deviceOwner: "",
        subnetIds: [],
        ips: [],
        deviceId: "",
        projectId: "",
        ...over,
    });
    const inTheWay: [string, PortObs, boolean][] = [
        ["our router's gateway port", port({ deviceOwner: "network:router_gateway", deviceId: "r1" }), false],
        [
            "our router's interface on the tenant subnet",
            port({ deviceOwner: "network:router_interface", deviceId: "r1", subnetIds: ["ts1"] }),
            false,
        ],
        ["a DHCP port", port({ deviceOwner: "network:dhcp", deviceId: "dhcp-x", subnetIds: ["ts1"] }), false],
        ["an OVN metadata port", port({ deviceOwner: "network:distributed", subnetIds: ["ts1"] }), false],
        ["a DVR floating IP agent gateway", port({ deviceOwner: "network:floatingip_agent_gateway" }), false],
        ["a floating IP", port({ deviceOwner: "network:floatingip", deviceId: "fip1", subnetIds: ["es1"] }), true],
        [
            "another router's gateway on ext_net",
            port({ deviceOwner: "network:router_gateway", deviceId: "r2", subnetIds: ["es1"] }),
            true,
        ],
        [
            "another router's interface on the tenant subnet",
            port({ deviceOwner: "network:router_interface", deviceId: "r2", subnetIds: ["ts1"] }),
            true,
        ],
        [
            "our router's interface on another subnet (router delete would fail)",
            port({ deviceOwner: "network:router_interface", deviceId: "r1", subnetIds: ["other"] }),
            true,
        ],
        ["a server's port", port({ deviceOwner: "compute:nova", deviceId: "vm1", subnetIds: ["ts1"] }), true],
        ["a port without owner", port({ subnetIds: ["es1"] }), true],
    ];
    for (const [what, p, blocks] of inTheWay) {
        it(`${what}: ${blocks ? "in the way" : "not in the way"}`, () =>
            expect(quantumPortsInTheWay(IDS, [p]).length).to.equal(blocks ? 1 : 0));
    }
    it("no recorded router: any router's gateway is someone else's", () =>
        expect(
            quantumPortsInTheWay({ routerId: "", tenantSubnetId: "ts1" }, [
                port({ deviceOwner: "network:router_gateway", deviceId: "r1" }),
            ]).length,
        ).to.equal(1));
    it("a port listed twice (by network and by router) is reported once", () => {
        const p = port({ id: "x", deviceOwner: "network:router_interface", deviceId: "r1", subnetIds: ["other"] });
        expect(quantumPortsInTheWay(IDS, [p, { ...p }]).map((q) => q.id)).to.deep.equal(["x"]);
    });
    it("AUTO_DELETED_PORT_OWNERS are the owners neutron deletes with the subnet", () =>
        expect(AUTO_DELETED_PORT_OWNERS).to.deep.equal([
            "network:dhcp",
            "network:distributed",
            "network:floatingip_agent_gateway",
        ]));

    const ports: [string, PortObs, string][] = [
        [
            "a floating IP (no project on its port)",
            port({
                id: "p1",
                deviceOwner: "network:floatingip",
                deviceId: "f1",
                subnetIds: ["es1"],
                ips: ["198.51.100.151"],
            }),
            "port p1 (device_owner network:floatingip, device f1, 198.51.100.151 on the ext_net subnet)",
        ],
        [
            "a server in another project",
            port({
                id: "p2",
                deviceOwner: "compute:nova",
                deviceId: "vm1",
                projectId: "u2",
                subnetIds: ["ts1"],
                ips: ["198.51.100.200"],
            }),
            "port p2 (device_owner compute:nova, device vm1, project u2, 198.51.100.200 on the private subnet)",
        ],
        [
            "a port on another subnet with two addresses",
            port({ id: "p3", deviceOwner: "x", subnetIds: ["s9", "es1"], ips: ["10.0.0.5", "198.51.100.152"] }),
            "port p3 (device_owner x, 10.0.0.5 on subnet s9, 198.51.100.152 on the ext_net subnet)",
        ],
        ["no owner, no address", port({ id: "p4" }), 'port p4 (device_owner "")'],
    ];
    for (const [what, p, text] of ports) {
        it(`describes ${what}`, () => expect(describePort(p, ZED_OUT)).to.equal(text));
    }

    it("the refusal before anything is removed", () =>
        expect(describeInUse(["port a (…)", "port b (…)"])).to.equal(
            "nothing was removed; in the way: port a (…); port b (…). " +
                "Remove them first (a floating IP, another router's gateway or interface, a server's port), then delete again",
        ));
    it("a first step that fails: nothing was removed, no refresh needed", () => {
        const calls = planQuantumDelete(ZED_OUT);
        expect(describeDeleteFailure("PUT …: HTTP 500: boom", [], calls, [])).to.equal(
            "PUT …: HTTP 500: boom; nothing was removed",
        );
    });
    it("a step that fails half-way: done, not done, in the way, and the way back", () => {
        const calls = planQuantumDelete(ZED_OUT);
        expect(
            describeDeleteFailure("DELETE …: HTTP 409: SubnetInUse.", calls.slice(0, 4), calls.slice(4), ["port f"]),
        ).to.equal(
            "DELETE …: HTTP 409: SubnetInUse; in the way: port f; " +
                "done before the failure: clear gateway of router provider-router (r1); " +
                "remove interface of router provider-router on the private subnet (ts1); " +
                "delete router provider-router (r1); delete private subnet (ts1); " +
                "not done: delete ext_net subnet (es1); delete tenant network private (tn1); " +
                "delete external network ext_net (en1). " +
                "The stack still records the removed objects (a failed delete keeps the old state): " +
                "to keep the networks, run `pulumi refresh` (or `pulumi up --refresh`) before the next up, " +
                "which then re-creates what was removed with the same names; " +
                "to finish the delete, remove what is in the way and delete again",
        );
    });

    const missing: [keyof typeof IDS, string][] = [
        ["externalNetworkId", "external network ext_net"],
        ["externalSubnetId", "the ext_net subnet"],
        ["tenantNetworkId", "tenant network private"],
        ["tenantSubnetId", "the private subnet with the router interface"],
        ["routerId", "router provider-router"],
        ["gatewayIp", "the gateway of router provider-router"],
    ];
    for (const [k, part] of missing) {
        it(`missing ${k} reads "${part}"`, () =>
            expect(quantumMissingParts({ ...ZED_OUT, [k]: "" })).to.deep.equal([part]));
    }
    it("nothing missing: no parts", () => expect(quantumMissingParts(ZED_OUT)).to.deep.equal([]));

    // The state the next run starts from after a partial delete (refresh) or a partial
    // create/update (recorded by the engine): every missing part makes an update.
    const partial: [string, Partial<QuantumNetworkOutputs>][] = [
        ["router gone (with its gateway and interface)", { routerId: "", gatewayIp: "", tenantSubnetId: "" }],
        ["gateway cleared", { gatewayIp: "" }],
        ["tenant subnet deleted", { tenantSubnetId: "" }],
        ["only the external network left", { ...QUANTUM_NO_IDS, externalNetworkId: "en1" }],
    ];
    for (const [what, patch] of partial) {
        it(`diff after a partial failure (${what}) → update, no replace`, () =>
            expect(diffQuantumNetwork({ ...ZED_OUT, ...patch }, { ...ZED })).to.deep.equal({
                changes: true,
                replaces: [],
                deleteBeforeReplace: false,
            }));
    }

    it("partial state: what the API holds after the failure (router without gateway → no gatewayIp)", () => {
        const obs = {
            ...LIVE,
            router: { ...LIVE.router!, gatewayNetworkId: undefined },
            routerPorts: [LIVE.routerPorts[1]],
        };
        expect(quantumPartialState(ZED, obs, "", IDS)).to.deep.equal({ ...ZED_OUT, gatewayIp: "" });
    });
    it("partial state: recorded IDs pick the object, a subnet without the interface counts as missing", () => {
        const obs: QuantumObserved = {
            ...LIVE,
            tenantSubnets: [{ ...LIVE.tenantSubnets[0], id: "ts2" }, LIVE.tenantSubnets[0]],
            routerPorts: [LIVE.routerPorts[0]],
        };
        expect(quantumPartialState(ZED, obs, "198.51.100.160", IDS)).to.deep.equal({ ...ZED_OUT, tenantSubnetId: "" });
    });
    it("partial state: nothing found → every ID missing (the next up builds all)", () =>
        expect(quantumPartialState(ZED, NOTHING, "", { routerId: "r9" })).to.deep.equal({ ...ZED, ...QUANTUM_NO_IDS }));

    it("withPartialState: the SDK's partial-failure fields, __provider kept for a later delete", () => {
        const e = withPartialState(
            new Error("X: set gateway failed: HTTP 500"),
            "private/provider-router/ext_net",
            { ...ZED_OUT, gatewayIp: "" },
            "exports.handler = …",
        ) as Error & {
            id: string;
            properties: Record<string, unknown>;
            reasons: string[];
        };
        const msg =
            "X: set gateway failed: HTTP 500; recorded as found after the failure " +
            "(missing: the gateway of router provider-router): the next `pulumi up` completes it";
        expect(e.message).to.equal(msg);
        expect(e.id).to.equal("private/provider-router/ext_net");
        expect(e.properties).to.deep.equal({ ...ZED_OUT, gatewayIp: "", __provider: "exports.handler = …" });
        expect(e.reasons).to.deep.equal([msg]);
        const bare = withPartialState(new Error("m"), "i", ZED_OUT, undefined) as Error & { properties: unknown };
        expect(bare.properties).to.deep.equal(ZED_OUT);
        expect(bare.message).to.equal(
            "m; recorded as found after the failure (nothing missing): the next `pulumi up` completes it",
        );
    });
});
