// The topology picture (scripts/topology): the model drawn from a stack file, its DOT text,
// and the committed SVGs, which must equal what `npm run topology` makes from their stacks.
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { RELEASES, Release } from "../../config";
import { profileFor } from "../../components/release";
import { dotOfStackFile, stackName } from "../../scripts/topology/cli";
import { renderSvg } from "../../scripts/topology/render";
import {
    RELEASE_SERVICES,
    TopologyError,
    esc,
    quote,
    stackConfigFromYaml,
    topologyDot,
    topologyModel,
} from "../../scripts/topology/topology";
import { requireTool } from "./tools";

const ROOT = path.join(__dirname, "..", "..");
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");
const DEV = "Pulumi.dev.yaml";
const LAB = "scripts/topology/Pulumi.lab-example.yaml";

describe("topology picture", () => {
    describe("stackConfigFromYaml", () => {
        it("reads the dev stack through validateConfig (defaults filled in)", () => {
            const c = stackConfigFromYaml(read(DEV));
            expect(c.release).to.equal("folsom");
            expect(c.nodes.map((n) => `${n.name}:${n.role}`)).to.deep.equal([
                "alice:controller",
                "bob:compute",
                "charlie:network",
            ]);
            expect(c.virtType).to.equal("kvm");
            expect(c.cinder.volumeService).to.equal(true);
        });

        it("never reads a secret's value; a set secret is not a problem", () => {
            const text = read(DEV) + "  openstack-lab:adminPassword:\n    secure: AAABAxyz\n";
            expect(stackConfigFromYaml(text).release).to.equal("folsom");
        });

        it("reports every config problem with its key", () => {
            const text = read(DEV).replace("managementIp: 192.168.122.112", "managementIp: 192.168.122.999");
            expect(() => stackConfigFromYaml(text, "x.yaml")).to.throw(
                TopologyError,
                'x.yaml: invalid stack config:\n  - openstack-lab:nodes[1].managementIp: "192.168.122.999" is not an IPv4 address (e.g. 192.168.122.111)',
            );
        });

        it("rejects a file without a config block", () => {
            expect(() => stackConfigFromYaml("a: 1\n", "x.yaml")).to.throw(TopologyError, "x.yaml: no `config:` block");
        });
    });

    it("has a service table for every release in config.ts", () => {
        expect(RELEASES.filter((r) => !(r in RELEASE_SERVICES))).to.deep.equal([]);
    });

    it("the service table agrees with the release profiles (every service named there, router, metadata route)", () => {
        for (const release of Object.keys(RELEASE_SERVICES) as Release[]) {
            const profile = profileFor(release);
            const known = JSON.stringify(profile);
            const m = topologyModel(
                stackConfigFromYaml(read(DEV).replace("release: folsom", `release: ${release}`)),
                "t",
            );
            const names = m.nodes
                .flatMap((n) => n.services)
                // the volume group is the stack's, not a service
                .map((line) => line.replace(/\(LVM [^)]*\)/, ""))
                .flatMap((line) => line.match(/\b(?:nova|neutron|quantum|glance|cinder|placement)-[a-z0-9-]+/g) ?? []);
            expect(names.length, release).to.be.greaterThan(8);
            expect(
                names.filter((n) => !known.includes(`${n}"`) && !known.includes(`/${n}`)),
                release,
            ).to.deep.equal([]);
            expect(RELEASE_SERVICES[release].routerName).to.equal(profile.quantum.networks.routerName);
            expect(RELEASE_SERVICES[release].metadataRoute).to.equal(profile.quantum.metadataRoute);
        }
    });

    it("the lab example is what lab/stack.sh writes for alice bob charlie bob2", () => {
        const script =
            "source lab/lib.sh; source lab/hosts.sh; source lab/stack.sh; owned_config bookworm alice bob charlie bob2";
        const fresh = execFileSync("bash", ["-c", script], { cwd: ROOT, encoding: "utf8" });
        const example = read(LAB).split("config:\n")[1];
        expect(example, `${LAB} is stale: regenerate it from lab/stack.sh (see its header)`).to.equal(fresh);
    });

    it("stack names come from Pulumi.<stack>.yaml", () => {
        expect(stackName("/x/Pulumi.dev.yaml")).to.equal("dev");
        expect(stackName("scripts/topology/Pulumi.lab-example.yaml")).to.equal("lab-example");
        expect(stackName("mine.yml")).to.equal("mine");
    });

    describe("topologyModel", () => {
        it("draws the article's cloud: networks, addresses, router, metadata route", () => {
            const m = topologyModel(stackConfigFromYaml(read(DEV)), "dev");
            expect(m.title).to.equal("openstack-lab: stack dev, release folsom (Quantum)");
            expect(m.networks).to.deep.equal([
                {
                    id: "management",
                    title: "management network",
                    cidr: "192.168.122.0/24",
                    notes: ["APIs, database, message queue, SSH"],
                },
                {
                    id: "data",
                    title: "data network",
                    cidr: "192.168.133.0/24",
                    notes: ["GRE tunnels between the Open vSwitch agents"],
                },
                {
                    id: "external",
                    title: "external network",
                    cidr: "192.168.144.0/25",
                    notes: ["gateway 192.168.144.1", "floating IPs 192.168.144.100 – 192.168.144.126"],
                },
                {
                    id: "tenant",
                    title: 'tenant network "private"',
                    cidr: "10.5.5.0/24",
                    notes: [
                        "gateway 10.5.5.1, DNS 8.8.8.8",
                        "VMs on bob, carried in GRE tunnels over the data network",
                    ],
                },
            ]);
            expect(m.nodes.map((n) => ({ name: n.name, links: n.links }))).to.deep.equal([
                { name: "alice", links: [{ network: "management", label: "192.168.122.111" }] },
                {
                    name: "bob",
                    links: [
                        { network: "management", label: "192.168.122.112" },
                        { network: "data", label: "192.168.133.112" },
                    ],
                },
                {
                    name: "charlie",
                    links: [
                        { network: "management", label: "192.168.122.113" },
                        { network: "data", label: "192.168.133.113" },
                        { network: "external", label: "eth2 in br-ex (no address)" },
                    ],
                },
            ]);
            expect(m.nodes[1].services).to.deep.equal([
                "ntp",
                "Open vSwitch: br-int, br-tun",
                "quantum-openvswitch-agent",
                "nova-compute (libvirt, kvm)",
            ]);
            expect(m.nodes[0].services).to.include("cinder-api, cinder-scheduler, cinder-volume (LVM cinder-volumes)");
            expect(m.router).to.deep.equal({
                name: "provider-router",
                host: "charlie",
                gateway: "gateway port: one of 192.168.144.100 – 192.168.144.126 (known after deploy)",
                tenantInterface: 'interface 10.5.5.1 on "private"',
            });
            expect(m.metadataRoute).to.deep.equal({ host: "alice", label: "route 10.5.5.0/24 via router gateway" });
        });

        it("zed (the lab): no metadata route, the metadata agent, config-dependent services", () => {
            const m = topologyModel(stackConfigFromYaml(read(LAB)), "lab-example");
            expect(m.title).to.equal("openstack-lab: stack lab-example, release zed (Neutron)");
            expect(m.metadataRoute).to.equal(undefined);
            expect(m.nodes.map((n) => n.name)).to.deep.equal(["alice", "bob", "charlie", "bob2"]);
            expect(m.nodes[2].services).to.deep.equal([
                "chrony",
                "Open vSwitch (userspace datapath): br-int, br-tun, br-ex (eth2)",
                "neutron-openvswitch-agent",
                "neutron-l3-agent, neutron-dhcp-agent",
                "neutron-metadata-agent",
            ]);
            expect(m.nodes[3].services).to.include("nova-compute (libvirt, qemu)");
            expect(m.nodes[0].services).to.include("cinder-api, cinder-scheduler (no cinder-volume)");
            expect(m.networks[3].notes[1]).to.equal("VMs on bob, bob2, carried in VXLAN tunnels over the data network");
        });
    });

    describe("topologyDot", () => {
        it("escapes labels and IDs", () => {
            expect(esc(`a<b>&"c"`)).to.equal("a&lt;b&gt;&amp;&quot;c&quot;");
            expect(quote(`x"y\\z`)).to.equal(`"x\\"y\\\\z"`);
        });

        it("links every node to its networks, the router to external and tenant, the route on the controller", () => {
            const dot = topologyDot(topologyModel(stackConfigFromYaml(read(DEV)), "dev"));
            const edges = dot
                .split("\n")
                .filter((l) => l.includes(" -- "))
                .map((l) => l.trim().replace(/ \[.*$/, ""));
            expect(edges).to.deep.equal([
                '"net-management" -- "node-alice"',
                '"net-management" -- "node-bob"',
                '"node-bob" -- "net-data"',
                '"net-management" -- "node-charlie"',
                '"node-charlie" -- "net-data"',
                '"node-charlie" -- "net-external"',
                '"net-external" -- "router"',
                '"router" -- "net-tenant"',
                '"node-alice" -- "router"',
            ]);
            expect(dot).to.include('{ rank=same; "node-alice"; "node-bob"; "node-charlie"; }');
            expect(dot).to.include("<i>route 10.5.5.0/24 via router gateway</i>");
        });
    });

    // Needs Graphviz `dot` and the font it lays the picture out in (test/unit/tools.ts):
    // without them this fails and names the packages, never skips.
    for (const [stack, svg] of [
        [DEV, "docs/topology-dev.svg"],
        [LAB, "docs/topology-lab-example.svg"],
    ]) {
        it(`${svg} is what \`npm run topology -- ${stack}\` makes (regenerate it when this fails)`, () => {
            requireTool("dot", "liberationSans");
            const fresh = renderSvg(dotOfStackFile(path.join(ROOT, stack)));
            expect(fresh.includes("Generated by graphviz")).to.equal(false);
            expect(fresh === read(svg), `${svg} is stale: run npm run topology -- ${stack}`).to.equal(true);
        });
    }
});
