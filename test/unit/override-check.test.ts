// User overrides checked at program start against the options the release's services read
// (options/registry.ts): a file the profile does not write, a section or key its service does not
// read, or a value of the wrong type stops the program with the config key path and the fix named.
import { expect } from "chai";
import { ConfigOverrides, formatProblems, RawConfig, validateConfig } from "../../config";
import { checkOverrides, checkRendered, closest, typeProblem } from "../../options/registry";
import { readStackFile } from "./harness";

const WITH_KEY = new Set(["sshPrivateKey"]);

function stack(release: string, overrides: ConfigOverrides, unchecked?: string[]): RawConfig {
    const c = JSON.parse(JSON.stringify(readStackFile("Pulumi.dev.yaml"))) as RawConfig;
    c.release = release;
    c.overrides = overrides;
    if (unchecked) {
        c.overridesUnchecked = unchecked;
    }
    return c;
}

const hatch = (entry: string) => `fix the name, or if a plugin reads it, list "${entry}" in overridesUnchecked`;

interface Case {
    readonly name: string;
    readonly release: string;
    readonly overrides: ConfigOverrides;
    readonly unchecked?: string[];
    /** Exact problems: [config key, message]. */
    readonly want: [string, string][];
}

const ZED_FILES =
    "keystone.conf, nova.conf, placement.conf, glance-api.conf, cinder.conf, neutron.conf, ml2_conf.ini, " +
    "openvswitch_agent.ini, l3_agent.ini, dhcp_agent.ini, metadata_agent.ini, neutron-api-uwsgi.ini, mysql.cnf";

const CASES: Case[] = [
    {
        name: "a known key (the e2e run's override)",
        release: "zed",
        overrides: { "nova.conf": { DEFAULT: { cpu_allocation_ratio: 4 } } },
        want: [],
    },
    {
        name: "a misspelt key",
        release: "zed",
        overrides: { "nova.conf": { DEFAULT: { cpu_alocation_ratio: 4 } } },
        want: [
            [
                "overrides.nova.conf.DEFAULT.cpu_alocation_ratio",
                "zed nova reads no option cpu_alocation_ratio in [DEFAULT] of nova.conf (did you mean cpu_allocation_ratio?); " +
                    hatch("nova.conf:DEFAULT.cpu_alocation_ratio"),
            ],
        ],
    },
    {
        name: "a misspelt file",
        release: "zed",
        overrides: { "nova.cnf": { DEFAULT: { cpu_allocation_ratio: 4 } } },
        want: [
            [
                "overrides.nova.cnf",
                `the zed profile writes no file nova.cnf (did you mean nova.conf?); files that take overrides: ${ZED_FILES}`,
            ],
        ],
    },
    {
        name: "a file only the folsom profile writes",
        release: "zed",
        overrides: { "nova-api-paste.ini": { "filter:authtoken": { signing_dir: "/var/lib/nova/keystone-signing" } } },
        want: [
            [
                "overrides.nova-api-paste.ini",
                `the zed profile writes no file nova-api-paste.ini; files that take overrides: ${ZED_FILES}`,
            ],
        ],
    },
    {
        name: "a misspelt section",
        release: "zed",
        overrides: { "nova.conf": { libvrit: { virt_type: "qemu" } } },
        want: [
            [
                "overrides.nova.conf.libvrit",
                "zed nova reads no section [libvrit] in nova.conf (did you mean libvirt?); " +
                    hatch("nova.conf:libvrit"),
            ],
        ],
    },
    {
        name: "values of the wrong type, outside the choices or out of range",
        release: "zed",
        overrides: {
            "nova.conf": {
                DEFAULT: { cpu_allocation_ratio: "four", debug: "maybe" },
                libvirt: { virt_type: "vmware" },
            },
            "neutron.conf": { DEFAULT: { bind_port: 70000 } },
        },
        want: [
            [
                "overrides.nova.conf.DEFAULT.cpu_allocation_ratio",
                'cpu_allocation_ratio is a float option of zed nova: expects a number, got "four"',
            ],
            [
                "overrides.nova.conf.DEFAULT.debug",
                'debug is a bool option of zed nova: expects a boolean (true or false), got "maybe"',
            ],
            [
                "overrides.nova.conf.libvirt.virt_type",
                'virt_type is a str option of zed nova: expects one of kvm, lxc, qemu, parallels, got "vmware"',
            ],
            [
                "overrides.neutron.conf.DEFAULT.bind_port",
                "bind_port is a port option of zed neutron: expects a TCP/UDP port (0-65535), got 70000",
            ],
        ],
    },
    {
        name: "a plugin's own key and section let through explicitly",
        release: "zed",
        overrides: { "nova.conf": { libvirt: { my_plugin_opt: 1 }, my_plugin: { anything: "x" } } },
        unchecked: ["nova.conf:libvirt.my_plugin_opt", "nova.conf:my_plugin"],
        want: [],
    },
    {
        name: "an escape-hatch entry for a file the profile does not write",
        release: "zed",
        overrides: {},
        unchecked: ["nova-api-paste.ini:filter:authtoken.x"],
        want: [["overridesUnchecked[0]", "the zed profile writes no file nova-api-paste.ini; remove the entry"]],
    },
    {
        name: "a malformed escape-hatch entry",
        release: "zed",
        overrides: {},
        unchecked: ["nova.conf"],
        want: [
            [
                "overridesUnchecked[0]",
                'entries are <file>:<section> or <file>:<section>.<key>; give a list of "<file>:<section>" or "<file>:<section>.<key>", e.g. ["nova.conf:libvirt.some_plugin_key"]',
            ],
        ],
    },
    {
        name: "the cinder backend section, keystoneauth options, an upper-case group, MySQL",
        release: "zed",
        overrides: {
            "cinder.conf": { lvm: { volume_group: "vg0", volume_grup: "vg1" } },
            "neutron.conf": { nova: { auth_type: "password", username: "nova", region_name: "RegionOne" } },
            "openvswitch_agent.ini": { OVS: { bridge_mappings: "external:br-ex" } },
            "glance-api.conf": { fs: { filesystem_store_datadir: "/srv/glance" } },
            "mysql.cnf": { mysqld: { max_connections: 500 } },
        },
        want: [
            [
                "overrides.cinder.conf.lvm.volume_grup",
                "zed cinder reads no option volume_grup in [lvm] of cinder.conf (did you mean volume_group?); " +
                    hatch("cinder.conf:lvm.volume_grup"),
            ],
        ],
    },
    {
        name: "an option of another neutron file, a section the file's namespaces do not list",
        release: "zed",
        overrides: {
            "l3_agent.ini": { ovs: { local_ip: "198.51.100.3" }, DEFAULT: { ovs_integration_bridge: "br-int" } },
            "openvswitch_agent.ini": { database: { connection: "mysql+pymysql://x" } },
            "neutron.conf": { database: { connection: "mysql+pymysql://x" } },
        },
        want: [
            [
                "overrides.l3_agent.ini.ovs.local_ip",
                "zed neutron reads no option local_ip in [ovs] of l3_agent.ini; " + hatch("l3_agent.ini:ovs.local_ip"),
            ],
            [
                "overrides.openvswitch_agent.ini.database",
                "zed neutron reads no section [database] in openvswitch_agent.ini; " +
                    hatch("openvswitch_agent.ini:database"),
            ],
        ],
    },
    {
        name: "a deprecated name (the program's current name would win over it)",
        release: "zed",
        overrides: {
            "nova.conf": { DEFAULT: { osapi_max_limit: 100, logdir: "/var/log/nova", log_dir: "/var/log/nova" } },
        },
        want: [
            [
                "overrides.nova.conf.DEFAULT.osapi_max_limit",
                "osapi_max_limit in [DEFAULT] is the deprecated name of [api] max_limit (zed nova); set that instead (where both are set, the current name wins)",
            ],
            [
                "overrides.nova.conf.DEFAULT.logdir",
                "logdir in [DEFAULT] is the deprecated name of [DEFAULT] log_dir (zed nova); set that instead (where both are set, the current name wins)",
            ],
        ],
    },
    {
        name: "folsom: the paste filter's signing_dirname (the sample's wrong name)",
        release: "folsom",
        overrides: {
            "nova-api-paste.ini": { "filter:authtoken": { signing_dirname: "/tmp/k", signing_dir: "/tmp/k" } },
        },
        want: [
            [
                "overrides.nova-api-paste.ini.filter:authtoken.signing_dirname",
                "folsom nova reads no option signing_dirname in [filter:authtoken] of nova-api-paste.ini (did you mean signing_dir?); " +
                    hatch("nova-api-paste.ini:filter:authtoken.signing_dirname"),
            ],
        ],
    },
    {
        name: "folsom: a zed-era section",
        release: "folsom",
        overrides: { "nova.conf": { libvirt: { virt_type: "qemu" }, DEFAULT: { libvirt_type: "qemu" } } },
        want: [
            [
                "overrides.nova.conf.libvirt",
                "folsom nova reads no section [libvirt] in nova.conf; " + hatch("nova.conf:libvirt"),
            ],
        ],
    },
    {
        name: "folsom: the DHCP agent's option in l3_agent.ini (only what the L3 agent's imports register)",
        release: "folsom",
        overrides: {
            "l3_agent.ini": { DEFAULT: { dhcp_driver: "quantum.agent.linux.dhcp.Dnsmasq", use_namespaces: false } },
            "dhcp_agent.ini": { DEFAULT: { dhcp_driver: "quantum.agent.linux.dhcp.Dnsmasq" } },
        },
        want: [
            [
                "overrides.l3_agent.ini.DEFAULT.dhcp_driver",
                "folsom quantum reads no option dhcp_driver in [DEFAULT] of l3_agent.ini; " +
                    hatch("l3_agent.ini:DEFAULT.dhcp_driver"),
            ],
        ],
    },
    {
        name: "folsom: a misspelt OVS plugin key; upper-case groups are exact in Folsom",
        release: "folsom",
        overrides: { "ovs_quantum_plugin.ini": { OVS: { tunnel_id_range: "1:100" }, ovs: { local_ip: "10.0.0.1" } } },
        want: [
            [
                "overrides.ovs_quantum_plugin.ini.OVS.tunnel_id_range",
                "folsom quantum reads no option tunnel_id_range in [OVS] of ovs_quantum_plugin.ini (did you mean tunnel_id_ranges?); " +
                    hatch("ovs_quantum_plugin.ini:OVS.tunnel_id_range"),
            ],
            [
                "overrides.ovs_quantum_plugin.ini.ovs",
                "folsom quantum reads no section [ovs] in ovs_quantum_plugin.ini (did you mean OVS?); " +
                    hatch("ovs_quantum_plugin.ini:ovs"),
            ],
        ],
    },
];

describe("override check at program start", () => {
    for (const c of CASES) {
        it(`${c.release}: ${c.name}`, () => {
            const { config, problems } = validateConfig(stack(c.release, c.overrides, c.unchecked), WITH_KEY);
            expect(problems.map((p) => [p.key, p.message])).to.deep.equal(c.want);
            expect(config === undefined).to.equal(c.want.length > 0);
        });
    }

    it("names the config key path in the one error message", () => {
        const { problems } = validateConfig(
            stack("zed", { "nova.conf": { DEFAULT: { cpu_alocation_ratio: 4 } } }),
            WITH_KEY,
        );
        expect(formatProblems(problems)).to.equal(
            "invalid stack configuration (1 problem):\n" +
                "  - openstack-lab:overrides.nova.conf.DEFAULT.cpu_alocation_ratio: zed nova reads no option cpu_alocation_ratio " +
                "in [DEFAULT] of nova.conf (did you mean cpu_allocation_ratio?); " +
                hatch("nova.conf:DEFAULT.cpu_alocation_ratio"),
        );
    });

    it("keeps overrides and the escape hatch in the validated config", () => {
        const { config } = validateConfig(
            stack("zed", { "nova.conf": { my_plugin: { a: 1 } } }, ["nova.conf:my_plugin"]),
            WITH_KEY,
        );
        expect(config!.overrides).to.deep.equal({ "nova.conf": { my_plugin: { a: 1 } } });
        expect(config!.overridesUnchecked).to.deep.equal(["nova.conf:my_plugin"]);
    });

    it("fails loudly when a managed file's option data is missing (a build that left options/*.json behind)", () => {
        expect(() =>
            checkRendered(
                "zed",
                { file: "x.conf", golden: "x.conf", service: "nosuch", kind: "oslo" },
                "[DEFAULT]\na = 1\n",
            ),
        ).to.throw(/^option data missing: .*options\/zed\/nosuch\.json/);
    });

    it("suggests only near misses and checks types exactly", () => {
        expect(closest("cpu_alocation_ratio", ["cpu_allocation_ratio", "ram_allocation_ratio"])).to.equal(
            "cpu_allocation_ratio",
        );
        expect(closest("totally_different", ["cpu_allocation_ratio"])).to.equal(undefined);
        const int = { type: "int", module: "m", min: 1 } as const;
        expect(typeProblem(int, "2")).to.equal(undefined);
        expect(typeProblem(int, 0)).to.equal("expects at least 1, got 0");
        expect(typeProblem(int, "2.5")).to.equal('expects an integer, got "2.5"');
        expect(typeProblem({ type: "bool", module: "m" }, "True")).to.equal(undefined);
        expect(typeProblem({ type: "list", module: "m" }, "a,b")).to.equal(undefined);
        expect(checkOverrides("zed", { "nova.conf": { DEFAULT: { debug: true } } })).to.deep.equal([]);
    });
});
