// Config validation: every bad input is rejected at program start, with the exact key
// named and a fix; good stacks validate. Pure: validateConfig() sees plain values.
import { expect } from "chai";
import { RawConfig, formatProblems, validateConfig } from "../../config";
import { readStackFile } from "./harness";

const dev = (): RawConfig => JSON.parse(JSON.stringify(readStackFile("Pulumi.dev.yaml")));
const WITH_KEY = new Set(["sshPrivateKey"]);

/** Apply `edit` to a copy of the dev stack. */
function variant(edit: (c: RawConfig) => void): RawConfig {
    const c = dev();
    edit(c);
    return c;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const nodes = (c: RawConfig) => c.nodes as any[];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const obj = (c: RawConfig, k: string) => c[k] as any;

function problemKeys(raw: RawConfig, secrets: ReadonlySet<string> = WITH_KEY): string[] {
    return validateConfig(raw, secrets).problems.map((p) => p.key);
}

describe("config validation", () => {
    it("accepts the article's stack (Pulumi.dev.yaml) and fills defaults", () => {
        const { config, problems } = validateConfig(dev(), WITH_KEY);
        expect(problems).to.deep.equal([]);
        expect(config!.release).to.equal("folsom");
        expect(config!.sshUser).to.equal("root");
        expect(config!.sshPort).to.equal(22);
        expect(config!.region).to.equal("RegionOne");
        expect(config!.cinder).to.deep.equal({ volumeGroup: "cinder-volumes", volumeService: true });
        expect(config!.datapathType).to.equal("system");
        expect(config!.virtType).to.equal("kvm");
        expect(config!.rebootOnSysctlChange).to.equal(false);
        expect(config!.image.properties).to.deep.equal({});
        expect(config!.nodes.map((n) => [n.name, n.role, n.managementIp])).to.deep.equal([
            ["alice", "controller", "192.168.122.111"],
            ["bob", "compute", "192.168.122.112"],
            ["charlie", "network", "192.168.122.113"],
        ]);
    });

    it("manages the classic flavors by default, and rejects bad or duplicate ones with the key named", () => {
        expect(
            validateConfig(dev(), WITH_KEY).config!.flavors.map((f) => `${f.name} ${f.vcpus}/${f.ram}/${f.disk}`),
        ).to.deep.equal([
            "m1.nano 1/128/1",
            "m1.tiny 1/512/1",
            "m1.small 1/2048/20",
            "m1.medium 2/4096/40",
            "m1.large 4/8192/80",
        ]);
        const bad = variant((c) => {
            c.flavors = [
                { name: "m1.tiny", vcpus: 1, ram: 512, disk: 1 },
                { name: "m1.tiny", vcpus: 2, ram: 512, disk: 1 },
                { name: "has space", vcpus: 0, ram: 512, disk: 1 },
            ];
        });
        const { problems } = validateConfig(bad, WITH_KEY);
        expect(problems.map((p) => p.key)).to.deep.equal(["flavors[2].name", "flavors[2].vcpus"]);
        expect(problems[0].message).to.equal(
            "flavor names are 1-64 letters, digits, _ . -; give a list of { name, vcpus, ram (MiB), disk (GB), id? }, e.g. [{ name: m1.tiny, vcpus: 1, ram: 512, disk: 1 }]",
        );
        const dup = validateConfig(
            variant((c) => {
                c.flavors = [
                    { name: "m1.tiny", vcpus: 1, ram: 512, disk: 1 },
                    { name: "m1.tiny", vcpus: 2, ram: 512, disk: 1 },
                ];
            }),
            WITH_KEY,
        ).problems;
        expect(dup).to.deep.equal([
            {
                key: "flavors[1].name",
                message: 'duplicate flavor name "m1.tiny" (also flavors[0]); give each flavor its own name',
            },
        ]);
    });

    it("gives images the e1000 NIC model on a netdev datapath, unless the stack names a model", () => {
        const netdev = (props?: Record<string, string>) =>
            validateConfig(
                variant((c) => {
                    c.release = "zed";
                    c.datapathType = "netdev";
                    if (props) {
                        obj(c, "image").properties = props;
                    }
                }),
                WITH_KEY,
            ).config!.image.properties;
        expect(netdev()).to.deep.equal({ hw_vif_model: "e1000" });
        expect(netdev({ hw_vif_model: "rtl8139", os_distro: "debian" })).to.deep.equal({
            hw_vif_model: "rtl8139",
            os_distro: "debian",
        });
        expect(
            validateConfig(
                variant((c) => {
                    obj(c, "image").properties = { os_distro: "ubuntu" };
                }),
                WITH_KEY,
            ).config!.image.properties,
        ).to.deep.equal({ os_distro: "ubuntu" });
    });

    it("accepts three computes", () => {
        const raw = variant((c) => {
            nodes(c).push({
                name: "bob2",
                role: "compute",
                managementIp: "192.168.122.114",
                dataIp: "192.168.133.114",
            });
            nodes(c).push({
                name: "bob3",
                role: "compute",
                managementIp: "192.168.122.115",
                dataIp: "192.168.133.115",
            });
        });
        expect(validateConfig(raw, WITH_KEY).problems).to.deep.equal([]);
    });

    // [description, edit, exact keys reported]
    const table: Array<[string, (c: RawConfig) => void, string[]]> = [
        [
            "unknown release",
            (c) => {
                c.release = "grizzly";
            },
            ["release"],
        ],
        [
            "malformed management CIDR",
            (c) => {
                c.managementNetwork = "192.168.122.0/33";
            },
            ["managementNetwork"],
        ],
        [
            "host bits set in a CIDR",
            (c) => {
                c.dataNetwork = "192.168.133.7/24";
            },
            ["dataNetwork"],
        ],
        [
            "malformed node IP",
            (c) => {
                nodes(c)[0].managementIp = "192.168.122";
            },
            ["nodes[0].managementIp"],
        ],
        [
            "management IP outside its network",
            (c) => {
                nodes(c)[1].managementIp = "192.168.123.112";
            },
            ["nodes[1].managementIp"],
        ],
        [
            "data IP outside its network",
            (c) => {
                nodes(c)[2].dataIp = "192.168.122.200";
            },
            ["nodes[2].dataIp"],
        ],
        [
            "network address used as host",
            (c) => {
                nodes(c)[0].managementIp = "192.168.122.0";
            },
            ["nodes[0].managementIp"],
        ],
        [
            "duplicate node names",
            (c) => {
                nodes(c)[2].name = "bob";
            },
            ["nodes[2].name"],
        ],
        [
            "duplicate management addresses",
            (c) => {
                nodes(c)[2].managementIp = "192.168.122.112";
            },
            ["nodes[2].managementIp"],
        ],
        [
            "duplicate data addresses",
            (c) => {
                nodes(c)[2].dataIp = "192.168.133.112";
            },
            ["nodes[2].dataIp"],
        ],
        [
            "two controllers",
            (c) => {
                nodes(c)[1].role = "controller";
                delete nodes(c)[1].dataIp;
            },
            ["nodes", "nodes"],
        ],
        [
            "no network node",
            (c) => {
                nodes(c)[2].role = "compute";
                delete nodes(c)[2].externalInterface;
            },
            ["nodes"],
        ],
        [
            "no compute node",
            (c) => {
                c.nodes = nodes(c).filter((n) => n.role !== "compute");
            },
            ["nodes"],
        ],
        [
            "unknown role",
            (c) => {
                nodes(c)[1].role = "storage";
            },
            ["nodes[1].role"],
        ],
        [
            "compute without dataIp",
            (c) => {
                delete nodes(c)[1].dataIp;
            },
            ["nodes[1].dataIp"],
        ],
        [
            "network node without externalInterface",
            (c) => {
                delete nodes(c)[2].externalInterface;
            },
            ["nodes[2].externalInterface"],
        ],
        [
            "external interface on a compute",
            (c) => {
                nodes(c)[1].externalInterface = "eth2";
            },
            ["nodes[1].externalInterface"],
        ],
        [
            "interface name too long",
            (c) => {
                nodes(c)[2].externalInterface = "averyveryverylongname0";
            },
            ["nodes[2].externalInterface"],
        ],
        [
            "invalid host name",
            (c) => {
                nodes(c)[0].name = "Alice_1";
            },
            ["nodes[0].name"],
        ],
        [
            "pool outside the external CIDR",
            (c) => {
                obj(c, "externalNetwork").allocationPool.end = "192.168.144.200";
            },
            ["externalNetwork.allocationPool.end"],
        ],
        [
            "pool reversed",
            (c) => {
                obj(c, "externalNetwork").allocationPool = { start: "192.168.144.120", end: "192.168.144.100" };
            },
            ["externalNetwork.allocationPool"],
        ],
        [
            "pool contains the gateway",
            (c) => {
                obj(c, "externalNetwork").gateway = "192.168.144.110";
            },
            ["externalNetwork.allocationPool"],
        ],
        [
            "external gateway outside its CIDR",
            (c) => {
                obj(c, "externalNetwork").gateway = "192.168.145.1";
            },
            ["externalNetwork.gateway"],
        ],
        [
            "tenant CIDR overlapping management",
            (c) => {
                obj(c, "tenantNetwork").cidr = "192.168.122.0/25";
                obj(c, "tenantNetwork").gateway = "192.168.122.1";
            },
            ["tenantNetwork.cidr"],
        ],
        [
            "tenant gateway outside tenant CIDR",
            (c) => {
                obj(c, "tenantNetwork").gateway = "10.5.6.1";
            },
            ["tenantNetwork.gateway"],
        ],
        [
            "bad DNS server",
            (c) => {
                obj(c, "tenantNetwork").dnsNameservers = ["8.8.8"];
            },
            ["tenantNetwork.dnsNameservers[0]"],
        ],
        [
            "external overlapping data",
            (c) => {
                obj(c, "externalNetwork").cidr = "192.168.133.0/25";
            },
            [
                "externalNetwork.cidr",
                "externalNetwork.gateway",
                "externalNetwork.allocationPool.start",
                "externalNetwork.allocationPool.end",
            ],
        ],
        [
            "missing required key",
            (c) => {
                delete c.managementNetwork;
            },
            ["managementNetwork"],
        ],
        [
            "unknown key",
            (c) => {
                c.sshPasword = "x";
            },
            ["sshPasword"],
        ],
        [
            "secret set in plain text",
            (c) => {
                c.adminPassword = "<plain>";
            },
            ["adminPassword"],
        ],
        [
            "ssh port out of range",
            (c) => {
                c.sshPort = 70000;
            },
            ["sshPort"],
        ],
        [
            "image URL scheme",
            (c) => {
                obj(c, "image").url = "ftp://example/img";
            },
            ["image.url"],
        ],
        [
            "image property with a space",
            (c) => {
                obj(c, "image").properties = { hw_vif_model: "e1000 x" };
            },
            ["image.properties.hw_vif_model"],
        ],
        [
            "bad datapath type",
            (c) => {
                c.datapathType = "dpdk";
            },
            ["datapathType"],
        ],
        [
            "netdev with folsom",
            (c) => {
                c.datapathType = "netdev";
            },
            ["datapathType"],
        ],
        [
            "bad swift host",
            (c) => {
                c.swiftHost = "charlie";
            },
            ["swiftHost"],
        ],
        [
            "bad cinder device",
            (c) => {
                c.cinder = { device: "sdb" };
            },
            ["cinder.device"],
        ],
    ];
    for (const [what, edit, keys] of table) {
        it(`rejects ${what}: names ${keys.join(", ")}`, () => {
            expect(problemKeys(variant(edit))).to.deep.equal(keys);
        });
    }

    it("requires sshPrivateKey and shows the exact command to set it", () => {
        const { problems } = validateConfig(dev(), new Set());
        expect(problems).to.deep.equal([
            {
                key: "sshPrivateKey",
                message:
                    "is required: set the private key that logs in to every node with: cat ~/.ssh/id_ed25519 | pulumi config set --secret openstack-lab:sshPrivateKey",
            },
        ]);
    });

    it("reports every problem at once, each with its key and a fix", () => {
        const raw = variant((c) => {
            c.release = "havana";
            delete nodes(c)[1].dataIp;
            obj(c, "externalNetwork").allocationPool = { start: "192.168.144.120", end: "192.168.144.100" };
        });
        // The schema error (release) is reported alone first: semantic checks need a typed config.
        expect(problemKeys(raw)).to.deep.equal(["release"]);
        const fixed = variant((c) => {
            delete nodes(c)[1].dataIp;
            obj(c, "externalNetwork").allocationPool = { start: "192.168.144.120", end: "192.168.144.100" };
            nodes(c)[0].name = "Alice";
        });
        const { problems } = validateConfig(fixed, new Set());
        expect(problems.map((p) => p.key)).to.deep.equal([
            "sshPrivateKey",
            "externalNetwork.allocationPool",
            "nodes[0].name",
            "nodes[1].dataIp",
        ]);
        expect(formatProblems(problems).split("\n")).to.deep.equal([
            "invalid stack configuration (4 problems):",
            "  - openstack-lab:sshPrivateKey: is required: set the private key that logs in to every node with: cat ~/.ssh/id_ed25519 | pulumi config set --secret openstack-lab:sshPrivateKey",
            "  - openstack-lab:externalNetwork.allocationPool: start 192.168.144.120 is after end 192.168.144.100; swap them",
            '  - openstack-lab:nodes[0].name: "Alice" is not a valid host name (lower-case letters, digits and -, starting with a letter, at most 63 characters)',
            "  - openstack-lab:nodes[1].dataIp: is required for a compute node: the GRE/VXLAN tunnel endpoint on dataNetwork (article: 192.168.133.112)",
        ]);
    });

    it("explains a pool that contains the gateway", () => {
        const { problems } = validateConfig(
            variant((c) => {
                obj(c, "externalNetwork").gateway = "192.168.144.110";
            }),
            WITH_KEY,
        );
        expect(problems).to.deep.equal([
            {
                key: "externalNetwork.allocationPool",
                message: "contains the gateway 192.168.144.110; start the pool after it (e.g. the article's .100)",
            },
        ]);
    });
});
