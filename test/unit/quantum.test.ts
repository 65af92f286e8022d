// Quantum (Folsom) / Neutron (Zed) under mocks: the exact children per host (the article's
// stack, a two-compute stack, the lab-like Zed stack), golden files of every rendered config
// file and step script per release and host, the provider outputs flowing into
// l3_agent.ini and the metadata route, no secret in any command, and a preview pass.
// UPDATE_GOLDEN=1 rewrites the golden files.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { buildBase, buildCloud } from "../../components/cloud";
import { quantumArgs } from "../../components/cloud";
import { Quantum } from "../../components/quantum";
import * as render from "../../components/quantum/render";
import { preamble } from "../../components/shared/script";
import { RawConfig } from "../../config";
import {
    devConfig,
    find,
    forRelease,
    Outputs,
    Registered,
    run,
    SECRET_SIG,
    TEST_SECRETS,
    unwrap,
    MODERN_RELEASES,
} from "./harness";
import { rabbitTransportUrl } from "../../components/shared/oslo";

const CMD = "command:remote:Command";
const QNET = "pulumi-nodejs:dynamic/network:QuantumNetwork";
const OVSBR = "pulumi-nodejs:dynamic/network:OvsBridge";
const MYSQLDB = "pulumi-nodejs:dynamic/infra:MysqlDatabase";
const GOLDEN = path.join(__dirname, "golden");

/** What the mocked providers return: the IDs the article copies by hand. */
const IDS = {
    routerId: "11111111-1111-4111-8111-111111111111",
    externalNetworkId: "22222222-2222-4222-8222-222222222222",
    tenantNetworkId: "33333333-3333-4333-8333-333333333333",
    tenantSubnetId: "44444444-4444-4444-8444-444444444444",
    externalSubnetId: "55555555-5555-4555-8555-555555555555",
    gatewayIp: "192.168.144.100",
};

function mockOutputs(r: Registered): Record<string, unknown> | undefined {
    if (r.type === QNET) {
        return IDS;
    }
    if (r.type === MYSQLDB) {
        const i = unwrap(r.inputs);
        return { connectionUrl: `${i.urlScheme}://${i.user}:${i.password}@${i.host}/${i.database}` };
    }
    if (r.type === CMD && r.name.endsWith("-data-iface")) {
        return { stdout: "eth1\n", stderr: "" };
    }
    return undefined;
}

function twoComputes(c: RawConfig): RawConfig {
    return {
        ...c,
        nodes: [
            ...(c.nodes as object[]),
            { name: "bob2", role: "compute", managementIp: "192.168.122.114", dataIp: "192.168.133.114" },
        ],
    };
}

/** The component on top of the base layer, with a stand-in for Keystone's `ready`. */
function build(change: (c: RawConfig) => RawConfig = (c) => c): () => Outputs {
    return () => {
        const ctx = buildBase(devConfig(change));
        const identity = new pulumi.ComponentResource("test:index:IdentityReady", "keystone-ready");
        const q = new Quantum(ctx.profile.quantum.name, quantumArgs(ctx, identity));
        return { routerId: q.routerId, externalNetworkId: q.externalNetworkId, gatewayIp: q.gatewayIp, url: q.url };
    };
}

/** The component's children: `<type> <name>` for every resource named `${prefix}-…`. */
function children(resources: readonly Registered[], prefix: string): string[] {
    return resources
        .filter((r) => r.name.startsWith(`${prefix}-`))
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

const IP: Record<string, string> = {
    alice: "192.168.122.111",
    bob: "192.168.122.112",
    charlie: "192.168.122.113",
    bob2: "192.168.122.114",
};

/** Children on one host (commands and bridges carry the host in their connection). */
function onHost(resources: readonly Registered[], prefix: string, host: string): string[] {
    return resources
        .filter(
            (r) =>
                r.name.startsWith(`${prefix}-`) &&
                (r.type === CMD || r.type === OVSBR) &&
                unwrap(r.inputs).connection.host === IP[host],
        )
        .map((r) => r.name.slice(prefix.length + 1))
        .sort();
}

function agentChildren(host: string, opts: { networkNode: boolean; netdev: boolean; zed: boolean }): string[] {
    const conf = opts.zed
        ? ["conf-neutron.conf", "conf-openvswitch_agent.ini"]
        : ["conf-api-paste.ini", "conf-quantum.conf", "conf-ovs_quantum_plugin.ini"];
    const names = ["install", "ovs", "br-int", "restart", ...conf];
    if (opts.netdev) {
        names.push("data-iface", "br-phy", "br-phy-ip");
    }
    if (opts.networkNode) {
        names.push("br-ex", "conf-l3_agent.ini", "conf-dhcp_agent.ini", "restart-l3", "restart-dhcp");
        if (opts.zed) {
            names.push("conf-metadata_agent.ini", "restart-metadata");
        }
    }
    return names.map((n) => `${host}-${n}`).sort();
}

/** A config file as the program owns it: path, mode and the keys of its stdin spec. */
function renderedFile(r: Registered): string {
    const i = unwrap(r.inputs);
    const target = /"\$py" - ini (\S+) 3<&0/.exec(i.create);
    const spec = JSON.parse(i.stdin) as {
        set: Record<string, Record<string, string>>;
        remove_sections: string[];
        mode: string;
        owner: string;
        group: string;
    };
    const lines = [`# ${target?.[1]} (${spec.mode} ${spec.owner}:${spec.group})`];
    for (const [section, keys] of Object.entries(spec.set)) {
        lines.push("", `[${section}]`, ...Object.entries(keys).map(([k, v]) => `${k} = ${v}`));
    }
    return lines.join("\n") + "\n";
}

/** A step's script without the shared preamble. */
function body(text: string): string {
    const pre = preamble();
    expect(text.startsWith(pre)).to.equal(true);
    return text.slice(pre.length);
}

/** Golden name of each child: config files by file name, scripts by step. */
function goldenFiles(resources: readonly Registered[], prefix: string, host: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const r of resources.filter(
        (x) => x.type === CMD && x.name.startsWith(`${prefix}-`) && unwrap(x.inputs).connection.host === IP[host],
    )) {
        const step = r.name.slice(prefix.length + 1).replace(`${host}-`, "");
        const i = unwrap(r.inputs);
        if (step.startsWith("conf-")) {
            const file = step.slice("conf-".length);
            out[file === "api-paste.ini" ? `${prefix}-api-paste.ini` : file] = renderedFile(r);
        } else {
            out[`${prefix}-${step}.sh`] = body(i.create);
            if (i.delete) {
                out[`${prefix}-${step}.delete.sh`] = body(i.delete);
            }
        }
    }
    return out;
}

function checkGolden(release: string, host: string, files: Record<string, string>): void {
    const dir = path.join(GOLDEN, release, host);
    if (process.env.UPDATE_GOLDEN) {
        fs.mkdirSync(dir, { recursive: true });
        for (const [name, text] of Object.entries(files)) {
            fs.writeFileSync(path.join(dir, name), text);
        }
    }
    for (const [name, text] of Object.entries(files)) {
        const file = path.join(dir, name);
        expect(fs.existsSync(file), `golden file ${release}/${host}/${name} is missing (UPDATE_GOLDEN=1)`).to.equal(
            true,
        );
        expect(text, `${release}/${host}/${name}`).to.equal(fs.readFileSync(file, "utf8"));
    }
}

function secretFree(resources: readonly Registered[], prefix: string): string[] {
    const leaks: string[] = [];
    for (const r of resources.filter((x) => x.type === CMD && x.name.startsWith(`${prefix}-`))) {
        const i = unwrap(r.inputs);
        for (const field of ["create", "delete"]) {
            for (const s of [TEST_SECRETS.generated, TEST_SECRETS.sshPrivateKey]) {
                if (String(i[field] ?? "").includes(s)) {
                    leaks.push(`${r.name} ${field}`);
                }
            }
        }
    }
    return leaks;
}

describe("quantum (folsom, the article's stack)", function () {
    this.timeout(60000);
    let resources: Registered[];
    let outputs: Outputs;
    before(async () => {
        ({ resources, outputs } = await run(build(), { mockOutputs }));
    });

    it("registers the database, the networks and exactly these steps per host", () => {
        expect(resources.filter((r) => r.type === "oslab:network:Quantum").map((r) => r.name)).to.deep.equal([
            "quantum",
        ]);
        expect(children(resources, "quantum").filter((c) => !c.startsWith(CMD) && !c.startsWith(OVSBR))).to.deep.equal([
            `${MYSQLDB} quantum-db`,
            `${QNET} quantum-networks`,
        ]);
        expect(onHost(resources, "quantum", "alice")).to.deep.equal([
            "alice-conf-api-paste.ini",
            "alice-conf-ovs_quantum_plugin.ini",
            "alice-conf-quantum.conf",
            "alice-install",
            "alice-metadata-route",
            "alice-restart",
        ]);
        expect(onHost(resources, "quantum", "bob")).to.deep.equal(
            agentChildren("bob", { networkNode: false, netdev: false, zed: false }),
        );
        expect(onHost(resources, "quantum", "charlie")).to.deep.equal(
            agentChildren("charlie", { networkNode: true, netdev: false, zed: false }),
        );
        expect(children(resources, "quantum")).to.have.length(6 + 7 + 12 + 2);
    });

    it("renders every file and script as the golden files", () => {
        for (const host of ["alice", "bob", "charlie"]) {
            checkGolden("folsom", host, goldenFiles(resources, "quantum", host));
        }
    });

    it("puts the provider's router and external network IDs into Charlie's l3_agent.ini", () => {
        const l3 = JSON.parse(unwrap(find(resources, "quantum-charlie-conf-l3_agent.ini").inputs).stdin);
        expect(l3.set.DEFAULT.router_id).to.equal(IDS.routerId);
        expect(l3.set.DEFAULT.gateway_external_network_id).to.equal(IDS.externalNetworkId);
        expect(l3.set.DEFAULT).to.not.have.property("gateway_external_net_id");
        expect(l3.set.DEFAULT.external_network_bridge).to.equal("br-ex");
        expect(l3.set.DEFAULT.use_namespaces).to.equal("false");
    });

    it("routes the tenant network via the provider's gateway IP on Alice, and removes exactly that route on destroy", () => {
        const route = unwrap(find(resources, "quantum-alice-metadata-route").inputs);
        expect(body(route.create)).to.equal(`${render.metadataRouteScript("10.5.5.0/24", "192.168.144.100")}\n`);
        expect(route.create).to.include("elif ! ip route replace 10.5.5.0/24 via 192.168.144.100; then\n");
        expect(body(route.delete)).to.equal(`${render.metadataRouteDeleteScript("10.5.5.0/24")}\n`);
        expect(route.delete).to.include('ip route del 10.5.5.0/24 via "$gw"');
    });

    it("creates the networks as admin through Keystone v2.0 with the article's names", () => {
        const n = unwrap(find(resources, "quantum-networks").inputs);
        expect(n.auth).to.deep.equal({
            dialect: "v2.0",
            authUrl: "http://192.168.122.111:5000/v2.0",
            username: "admin",
            password: TEST_SECRETS.generated,
            projectName: "admin",
        });
        expect(n.networkUrl).to.equal("http://192.168.122.111:9696");
        expect(n.tenantNetwork).to.deep.equal({
            name: "private",
            cidr: "10.5.5.0/24",
            gateway: "10.5.5.1",
            dnsNameservers: ["8.8.8.8"],
        });
        expect(n.externalNetwork).to.deep.equal({
            name: "ext_net",
            cidr: "192.168.144.0/25",
            gateway: "192.168.144.1",
            allocationPool: { start: "192.168.144.100", end: "192.168.144.126" },
        });
        expect(n.routerName).to.equal("provider-router");
        expect(n.connection.host).to.equal("192.168.122.111");
        expect(find(resources, "quantum-networks").inputs.auth[SECRET_SIG]).to.not.equal(undefined);
        expect(outputs).to.deep.equal({
            routerId: IDS.routerId,
            externalNetworkId: IDS.externalNetworkId,
            gatewayIp: IDS.gatewayIp,
            url: "http://192.168.122.111:9696",
        });
    });

    it("creates the article's database and user with the generated password", () => {
        const db = unwrap(find(resources, "quantum-db").inputs);
        expect({
            database: db.database,
            user: db.user,
            password: db.password,
            host: db.host,
            urlScheme: db.urlScheme,
        }).to.deep.equal({
            database: "quantum",
            user: "quantumdbadmin",
            password: TEST_SECRETS.generated,
            host: "192.168.122.111",
            urlScheme: "mysql",
        });
        expect(find(resources, "quantum-db").inputs.password[SECRET_SIG]).to.not.equal(undefined);
    });

    it("makes br-int on Bob and Charlie and br-ex with eth2 on Charlie, on the kernel datapath", () => {
        const br = (n: string) => {
            const i = unwrap(find(resources, n).inputs);
            return { host: i.connection.host, bridge: i.bridge, ports: i.ports, datapathType: i.datapathType };
        };
        expect(br("quantum-bob-br-int")).to.deep.equal({
            host: IP.bob,
            bridge: "br-int",
            ports: [],
            datapathType: "system",
        });
        expect(br("quantum-charlie-br-int")).to.deep.equal({
            host: IP.charlie,
            bridge: "br-int",
            ports: [],
            datapathType: "system",
        });
        expect(br("quantum-charlie-br-ex")).to.deep.equal({
            host: IP.charlie,
            bridge: "br-ex",
            ports: ["eth2"],
            datapathType: "system",
        });
    });

    it("restarts each service when (and only when) a file it reads changes, and stops it on destroy", () => {
        const triggers = (n: string) => unwrap(find(resources, n).inputs).triggers as string[];
        expect(triggers("quantum-alice-restart")).to.have.length(3);
        expect(triggers("quantum-bob-restart")).to.have.length(2);
        expect(triggers("quantum-charlie-restart-l3")).to.have.length(2);
        expect(triggers("quantum-charlie-restart-dhcp")).to.have.length(2);
        for (const n of ["quantum-alice-restart", "quantum-bob-restart", "quantum-charlie-restart-l3"]) {
            for (const t of triggers(n)) {
                expect(t).to.match(/^[0-9a-f]{64}$/);
            }
        }
        expect(triggers("quantum-charlie-restart-l3")[0]).to.equal(triggers("quantum-charlie-restart-dhcp")[0]);
    });

    it("sends every secret on stdin only, as secret inputs", () => {
        expect(secretFree(resources, "quantum")).to.deep.equal([]);
        for (const n of [
            "quantum-alice-conf-quantum.conf",
            "quantum-bob-conf-ovs_quantum_plugin.ini",
            "quantum-charlie-conf-l3_agent.ini",
        ]) {
            const r = find(resources, n);
            expect(r.inputs.stdin[SECRET_SIG], n).to.not.equal(undefined);
            expect(unwrap(r.inputs).stdin, n).to.include(TEST_SECRETS.generated);
        }
    });

    it("registers the same resources in preview, where the provider outputs are unknown", async () => {
        const preview = await run(build(), { preview: true });
        expect(children(preview.resources, "quantum")).to.deep.equal(children(resources, "quantum"));
        expect(preview.outputs.routerId).to.equal(undefined);
    });
});

describe("quantum (folsom, two computes)", function () {
    this.timeout(60000);
    it("gives every compute Open vSwitch, br-int, its files and an L2 agent with its own tunnel address", async () => {
        const { resources } = await run(build(twoComputes), { mockOutputs });
        expect(onHost(resources, "quantum", "bob2")).to.deep.equal(
            agentChildren("bob2", { networkNode: false, netdev: false, zed: false }),
        );
        expect(onHost(resources, "quantum", "bob")).to.deep.equal(
            agentChildren("bob", { networkNode: false, netdev: false, zed: false }),
        );
        const plugin = JSON.parse(unwrap(find(resources, "quantum-bob2-conf-ovs_quantum_plugin.ini").inputs).stdin);
        expect(plugin.set.OVS.local_ip).to.equal("192.168.133.114");
        expect(unwrap(find(resources, "quantum-bob2-br-int").inputs).bridge).to.equal("br-int");
    });
});

for (const release of MODERN_RELEASES) {
    describe(`neutron (${release}, lab-like: netdev datapath)`, function () {
        this.timeout(60000);
        let resources: Registered[];
        before(async () => {
            ({ resources } = await run(build(forRelease(release)), { mockOutputs }));
        });

        it("registers the database, migrations, the networks and exactly these steps per host", () => {
            expect(resources.filter((r) => r.type === "oslab:network:Quantum").map((r) => r.name)).to.deep.equal([
                "neutron",
            ]);
            expect(
                children(resources, "neutron").filter(
                    (c) =>
                        !c.startsWith(OVSBR) &&
                        !c.includes(" neutron-alice-") &&
                        !c.includes(" neutron-bob-") &&
                        !c.includes(" neutron-charlie-"),
                ),
            ).to.deep.equal([`${CMD} neutron-db-sync`, `${MYSQLDB} neutron-db`, `${QNET} neutron-networks`]);
            expect(onHost(resources, "neutron", "alice")).to.deep.equal([
                "alice-conf-ml2_conf.ini",
                "alice-conf-neutron-api-uwsgi.ini",
                "alice-conf-neutron.conf",
                "alice-install",
                "alice-restart",
                "db-sync",
            ]);
            expect(onHost(resources, "neutron", "bob")).to.deep.equal(
                agentChildren("bob", { networkNode: false, netdev: true, zed: true }),
            );
            expect(onHost(resources, "neutron", "charlie")).to.deep.equal(
                agentChildren("charlie", { networkNode: true, netdev: true, zed: true }),
            );
        });

        it("renders every file and script as the golden files", () => {
            for (const host of ["alice", "bob", "charlie"]) {
                checkGolden(release, host, goldenFiles(resources, "neutron", host));
            }
        });

        it("has no metadata route (the metadata agent does it) and leaves the provider IDs out of l3_agent.ini", () => {
            expect(resources.filter((r) => r.name.includes("metadata-route"))).to.deep.equal([]);
            const l3 = JSON.parse(unwrap(find(resources, "neutron-charlie-conf-l3_agent.ini").inputs).stdin);
            expect(l3.set).to.deep.equal({ DEFAULT: { interface_driver: "openvswitch" } });
            const md = JSON.parse(unwrap(find(resources, "neutron-charlie-conf-metadata_agent.ini").inputs).stdin);
            expect(md.set.DEFAULT).to.deep.equal({
                nova_metadata_host: "192.168.122.111",
                nova_metadata_port: "8775",
                metadata_proxy_shared_secret: TEST_SECRETS.generated,
            });
        });

        it("creates the networks through Keystone v3 with a flat external network on physnet external", () => {
            const n = unwrap(find(resources, "neutron-networks").inputs);
            expect(n.auth).to.deep.equal({
                dialect: "v3",
                authUrl: "http://192.168.122.111:5000/v3",
                username: "admin",
                password: TEST_SECRETS.generated,
                projectName: "admin",
                userDomainName: "Default",
                projectDomainName: "Default",
            });
            expect(n.externalNetwork).to.deep.equal({
                name: "ext_net",
                cidr: "192.168.144.0/25",
                gateway: "192.168.144.1",
                allocationPool: { start: "192.168.144.100", end: "192.168.144.126" },
                providerNetworkType: "flat",
                physicalNetwork: "external",
            });
            const db = unwrap(find(resources, "neutron-db").inputs);
            expect([db.database, db.user, db.urlScheme]).to.deep.equal(["neutron", "neutron", "mysql+pymysql"]);
        });

        it("puts the data interface on the netdev bridge br-phy and every bridge on the userspace datapath", () => {
            const br = (n: string) => {
                const i = unwrap(find(resources, n).inputs);
                return { bridge: i.bridge, ports: i.ports, datapathType: i.datapathType };
            };
            for (const h of ["bob", "charlie"]) {
                expect(br(`neutron-${h}-br-phy`)).to.deep.equal({
                    bridge: "br-phy",
                    ports: ["eth1"],
                    datapathType: "netdev",
                });
                expect(br(`neutron-${h}-br-int`)).to.deep.equal({
                    bridge: "br-int",
                    ports: [],
                    datapathType: "netdev",
                });
            }
            expect(br("neutron-charlie-br-ex")).to.deep.equal({
                bridge: "br-ex",
                ports: ["eth2"],
                datapathType: "netdev",
            });
            const iface = unwrap(find(resources, "neutron-bob-data-iface").inputs);
            expect(body(iface.create)).to.equal(`${render.dataInterfaceScript("192.168.133.112")}\n`);
        });

        it("maps the external network only on the network node", () => {
            const ovs = (h: string) =>
                JSON.parse(unwrap(find(resources, `neutron-${h}-conf-openvswitch_agent.ini`).inputs).stdin).set.ovs;
            expect(ovs("charlie").bridge_mappings).to.equal("external:br-ex");
            expect(ovs("bob").bridge_mappings).to.equal("");
            expect(ovs("bob").local_ip).to.equal("192.168.133.112");
        });

        it("sends every secret on stdin only", () => {
            expect(secretFree(resources, "neutron")).to.deep.equal([]);
            const conf = unwrap(find(resources, "neutron-alice-conf-neutron.conf").inputs);
            expect(JSON.parse(conf.stdin).set.database.connection).to.equal(
                `mysql+pymysql://neutron:${TEST_SECRETS.generated}@192.168.122.111/neutron`,
            );
            // Files without secrets stay readable in previews.
            expect(find(resources, "neutron-alice-conf-ml2_conf.ini").inputs.stdin[SECRET_SIG]).to.equal(undefined);
            expect(find(resources, "neutron-alice-conf-neutron.conf").inputs.stdin[SECRET_SIG]).to.not.equal(undefined);
        });

        it("registers the same resources in preview", async () => {
            const preview = await run(build(forRelease(release)), { preview: true });
            expect(children(preview.resources, "neutron")).to.deep.equal(children(resources, "neutron"));
        });
    });
}

for (const release of MODERN_RELEASES) {
    describe(`neutron (${release}, kernel datapath)`, function () {
        this.timeout(60000);
        it("has no br-phy and uses the openvswitch firewall", async () => {
            const { resources } = await run(
                build((c) => ({ ...c, release: release })),
                { mockOutputs },
            );
            expect(onHost(resources, "neutron", "bob")).to.deep.equal(
                agentChildren("bob", { networkNode: false, netdev: false, zed: true }),
            );
            const ovs = JSON.parse(unwrap(find(resources, "neutron-bob-conf-openvswitch_agent.ini").inputs).stdin).set;
            expect(ovs.ovs.datapath_type).to.equal("system");
            expect(ovs.securitygroup.firewall_driver).to.equal("openvswitch");
            expect(body(unwrap(find(resources, "neutron-bob-ovs").inputs).create)).to.equal(
                `${render.ovsStartScript("system")}\n`,
            );
        });
    });
}

describe("networking in the whole cloud", function () {
    this.timeout(120000);
    it("exports the router ID, the external network ID and the gateway IP", async () => {
        const { outputs } = await run(() => buildCloud(devConfig()), { mockOutputs });
        expect({
            routerId: outputs.routerId,
            externalNetworkId: outputs.externalNetworkId,
            gatewayIp: outputs.gatewayIp,
        }).to.deep.equal({
            routerId: IDS.routerId,
            externalNetworkId: IDS.externalNetworkId,
            gatewayIp: IDS.gatewayIp,
        });
    });
});

describe("networking renderers (edge cases)", () => {
    const v: render.RenderValues = {
        controllerIp: "10.0.0.1",
        region: "RegionOne",
        rabbitUser: "openstack",
        datapathType: "system",
        dataIp: "10.1.0.5",
        networkNode: true,
    };
    const s: render.SecretValues = {
        dbUrl: "mysql://u:p@h/d",
        servicePassword: "sp",
        novaPassword: "np",
        rabbitPassword: "p@ss/word",
        metadataSecret: "ms",
    };

    it("URL-encodes the RabbitMQ credentials in transport_url", () => {
        expect(rabbitTransportUrl("open stack", "p@ss/word", "10.0.0.1")).to.equal(
            "rabbit://open%20stack:p%40ss%2Fword@10.0.0.1:5672/",
        );
        expect(render.neutronAgentConf(v, s)).to.deep.equal({
            DEFAULT: { transport_url: "rabbit://openstack:p%40ss%2Fword@10.0.0.1:5672/" },
            oslo_concurrency: { lock_path: "/var/lib/neutron/tmp" },
        });
    });

    it("picks the security-group driver by datapath", () => {
        expect([render.firewallDriver("system"), render.firewallDriver("netdev")]).to.deep.equal([
            "openvswitch",
            "noop",
        ]);
    });

    it("refuses an empty router or external network ID, and leaves unknown ones out", () => {
        expect(() => render.quantumL3Agent({ ...v, routerId: "", externalNetworkId: "x" }, s)).to.throw(
            "networking: the router is missing in the network API (run pulumi refresh, then up)",
        );
        const doc = render.quantumL3Agent(v, s);
        expect(doc.DEFAULT.router_id).to.equal(undefined);
        expect(doc.DEFAULT.gateway_external_network_id).to.equal(undefined);
    });

    it("needs the tunnel address on agent hosts", () => {
        expect(() => render.openvswitchAgent({ ...v, dataIp: undefined })).to.throw(
            "networking: dataIp is required to render this file",
        );
        expect(() => render.ovsPluginAgent({ ...v, dataIp: undefined }, s)).to.throw(
            "networking: dataIp is required to render this file",
        );
    });

    it("fails the metadata route clearly when the router has no gateway port", () => {
        expect(render.metadataRouteScript("10.5.5.0/24", "")).to.equal(
            'echo "provider-router has no gateway port on the external network: no route for 10.5.5.0/24 (run pulumi refresh, then up)" >&2\nexit 1',
        );
    });

    it("restarts a service without programs or port as a bare restart; stops in reverse order", () => {
        const run = { names: ["a", "b"], programs: [] };
        expect(render.serviceScript(run, "/var/log/x", "10.0.0.1")).to.equal("oslab_svc restart a b");
        expect(render.serviceStopScript({ ...run, cleanup: "echo done" })).to.equal(
            "oslab_svc stop b >/dev/null 2>&1 || true\noslab_svc stop a >/dev/null 2>&1 || true\necho done",
        );
    });
});
