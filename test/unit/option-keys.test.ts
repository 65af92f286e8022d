// Every key the folsom profile renders, checked against the options Folsom's own code reads.
//
// What the profile renders is exactly the golden files (test/unit/golden/folsom/<host>/<file>);
// each is mapped to the service that reads it (options/registry.ts MANAGED_FILES) and each
// (section, key) looked up in that service's registry, extracted from the upstream 2012.2 sources
// by scripts/options/extract.py (options/folsom/*.json; Python names for class-valued options in
// test/data/options/folsom/*-python-names.json). A key no Folsom code reads fails the test unless
// it is listed below with the reason; a listed key that is no longer rendered (or became known)
// fails it too, so the lists stay exact.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import {
    CHECKED_BLOCKS,
    checkRendered,
    KeyVerdict,
    MANAGED_FILES,
    ManagedFile,
    serviceOptions,
} from "../../options/registry";

const GOLDEN = path.join(__dirname, "golden");
const NAMES = path.join(__dirname, "..", "data", "options");

/** Golden files that are not OpenStack service configuration, with the reason. */
const NOT_SERVICE_CONFIG: Record<string, string> = {
    "libvirtd.conf": "libvirt's own daemon configuration",
    "libvirt-bin.default": "the libvirt-bin init script's defaults file",
    "libvirtd.default": "the libvirtd init script's defaults file (Debian 12/13, hosts without systemd)",
    "qemu.conf": "libvirt's QEMU driver configuration",
    "tgt-targets.conf": "the tgt iSCSI target daemon's include line",
    "keystone-openstack-credentials": "a shell credentials file for the operator",
    "nova-consoleproxy.default": "Debian's nova-consoleproxy init defaults (shell variables)",
};
const isScriptOrData = (name: string) => name.endsWith(".sh") || name.endsWith(".json");

/** Keys the article asks for that no Folsom code reads; kept on purpose (docs/deviations.md). */
const DEAD_KEYS: Record<string, string> = {
    "cinder-api-paste.ini [filter:authtoken] service_protocol":
        "read by no Folsom code (keystone 2012.2 auth_token reads auth_*; the last reader was Diablo's middleware); the article and cinder 2012.2's sample api-paste.ini set it",
    "cinder-api-paste.ini [filter:authtoken] service_host": "as service_protocol",
    "cinder-api-paste.ini [filter:authtoken] service_port": "as service_protocol",
    "horizon-local_settings.py QUANTUM_ENABLED":
        "read by no Folsom horizon code (the dashboard follows the service catalog); the article sets it",
    "horizon-local_settings.py SWIFT_ENABLED": "as QUANTUM_ENABLED",
};

/** Options whose value names a class loaded with a namespace prefix (importutils.import_object_ns). */
const CLASS_NAMESPACES: Record<string, string> = { "nova.conf DEFAULT compute_driver": "nova.virt" };

const label = (golden: string, v: { section: string; key: string }) =>
    v.section ? `${golden} [${v.section}] ${v.key}` : `${golden} ${v.key}`;

interface Checked {
    readonly host: string;
    readonly mf: ManagedFile;
    readonly verdicts: KeyVerdict[];
}

function checkedFiles(release: string): Checked[] {
    const byGolden = new Map<string, ManagedFile>();
    for (const mf of [...MANAGED_FILES[release], ...(CHECKED_BLOCKS[release] ?? [])]) {
        byGolden.set(mf.golden, mf);
    }
    const out: Checked[] = [];
    for (const host of fs.readdirSync(path.join(GOLDEN, release)).sort()) {
        for (const name of fs.readdirSync(path.join(GOLDEN, release, host)).sort()) {
            const mf = byGolden.get(name);
            if (mf?.kind === "unchecked") {
                continue;
            }
            if (!mf) {
                expect(
                    isScriptOrData(name) || name in NOT_SERVICE_CONFIG,
                    `golden ${release}/${host}/${name} is mapped to no service (options/registry.ts MANAGED_FILES) and not listed as other configuration`,
                ).to.equal(true);
                continue;
            }
            const text = fs.readFileSync(path.join(GOLDEN, release, host, name), "utf8");
            out.push({ host, mf, verdicts: checkRendered(release, mf, text) });
        }
    }
    return out;
}

function pythonNames(release: string, services: readonly string[]): Set<string> {
    const out = new Set<string>();
    for (const s of services) {
        const p = path.join(NAMES, release, `${s}-python-names.json`);
        for (const n of (JSON.parse(fs.readFileSync(p, "utf8")) as { names: string[] }).names) {
            out.add(n);
        }
    }
    return out;
}

/** `a.b.Class` or a paste `a.b:callable` (the part after ':' may be `Class.factory`). */
const CLASS_PATH = /^[a-z_][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const PASTE_PATH = /^([a-z_][a-z0-9_.]*):([A-Za-z_][A-Za-z0-9_]*)(\.[A-Za-z_]+)?$/;

/** Whether a value names a Python class / paste callable, and if so whether it exists at the release. */
function classValue(names: Set<string>, ns: string | undefined, value: string): boolean | undefined {
    const paste = PASTE_PATH.exec(value);
    if (paste) {
        return names.has(`${paste[1]}.${paste[2]}`);
    }
    const last = value.split(".").pop()!;
    if (!CLASS_PATH.test(value) || !/^[A-Z]/.test(last)) {
        return undefined;
    }
    return names.has(value) || (ns !== undefined && names.has(`${ns}.${value}`));
}

describe("managed files", () => {
    for (const release of ["folsom", "zed"]) {
        it(`${release}: every file that takes overrides is a golden file (mysql.cnf has none)`, () => {
            const golden = new Set(
                fs
                    .readdirSync(path.join(GOLDEN, release))
                    .flatMap((h) => fs.readdirSync(path.join(GOLDEN, release, h))),
            );
            const missing = MANAGED_FILES[release].filter((f) => !golden.has(f.golden)).map((f) => f.file);
            expect(missing).to.deep.equal(["mysql.cnf"]);
        });
    }
});

describe("folsom option keys against the 2012.2 sources", () => {
    const files = checkedFiles("folsom");
    const all = files.flatMap((f) => f.verdicts.map((v) => ({ ...v, golden: f.mf.golden, host: f.host, mf: f.mf })));
    const unique = new Map(all.map((v) => [label(v.golden, v), v]));

    it("registries name the upstream repository, tag 2012.2 and commit they came from", () => {
        for (const s of ["nova", "keystone", "glance", "cinder", "quantum", "horizon"]) {
            const reg = serviceOptions("folsom", s)!;
            expect(reg, s).to.not.equal(undefined);
            expect(reg.sources.length, s).to.be.greaterThan(0);
            for (const src of reg.sources) {
                expect(src.repository, s).to.match(/^https:\/\/github\.com\/openstack\/[a-z]+$/);
                expect(src.tag, s).to.equal("2012.2");
                expect(src.commit, s).to.match(/^[0-9a-f]{40}$/);
            }
        }
    });

    it("maps every golden config file to a service and checks keys on every host", () => {
        expect(files.map((f) => `${f.host}/${f.mf.golden}`)).to.deep.equal([
            "alice/cinder-api-paste.ini",
            "alice/cinder.conf",
            "alice/glance-api.conf",
            "alice/glance-registry.conf",
            "alice/horizon-local_settings.py",
            "alice/keystone.conf",
            "alice/nova-api-paste.ini",
            "alice/nova.conf",
            "alice/ovs_quantum_plugin.ini",
            "alice/quantum-api-paste.ini",
            "alice/quantum.conf",
            "bob/nova-api-paste.ini",
            "bob/nova.conf",
            "bob/ovs_quantum_plugin.ini",
            "bob/quantum-api-paste.ini",
            "bob/quantum.conf",
            "charlie/dhcp_agent.ini",
            "charlie/l3_agent.ini",
            "charlie/ovs_quantum_plugin.ini",
            "charlie/quantum-api-paste.ini",
            "charlie/quantum.conf",
        ]);
        expect(all.length).to.equal(211);
        expect(unique.size).to.equal(128);
    });

    it("finds every rendered key in Folsom's registry, except the listed dead keys", () => {
        const unknown = [...unique.values()].filter((v) => !v.known).map((v) => label(v.golden, v));
        expect(unknown.sort()).to.deep.equal(Object.keys(DEAD_KEYS).sort());
        expect([...unique.values()].filter((v) => v.known).length).to.equal(123);
    });

    it("names classes and paste factories that exist at 2012.2", () => {
        const names: Record<string, Set<string>> = {};
        const checked: string[] = [];
        for (const v of unique.values()) {
            const services = [v.mf.service, ...(v.mf.alsoReads ?? [])];
            names[v.mf.service] ??= pythonNames("folsom", services);
            const ok = classValue(names[v.mf.service], CLASS_NAMESPACES[`${v.golden} ${v.section} ${v.key}`], v.value);
            if (ok !== undefined) {
                checked.push(`${v.key} = ${v.value}`);
                expect(ok, `${label(v.golden, v)} = ${v.value} names nothing in ${v.mf.service} 2012.2`).to.equal(true);
            }
        }
        // The paste factories of the filter sections the profile writes (from the packaged samples).
        for (const mf of MANAGED_FILES.folsom.filter((f) => f.kind === "paste")) {
            const sample = serviceOptions("folsom", mf.service)!.pasteSamples![mf.file].sections["filter:authtoken"];
            const factory = sample["paste.filter_factory"];
            checked.push(`${mf.file} paste.filter_factory = ${factory}`);
            expect(classValue(pythonNames("folsom", ["keystone"]), undefined, factory), factory).to.equal(true);
        }
        expect(checked.sort()).to.deep.equal([
            "cinder-api-paste.ini paste.filter_factory = keystone.middleware.auth_token:filter_factory",
            "compute_driver = libvirt.LibvirtDriver",
            "core_plugin = quantum.plugins.openvswitch.ovs_quantum_plugin.OVSQuantumPluginV2",
            "dhcp_driver = quantum.agent.linux.dhcp.Dnsmasq",
            "driver = keystone.catalog.backends.sql.Catalog",
            "driver = keystone.identity.backends.sql.Identity",
            "firewall_driver = nova.virt.libvirt.firewall.IptablesFirewallDriver",
            "interface_driver = quantum.agent.linux.interface.OVSInterfaceDriver",
            "interface_driver = quantum.agent.linux.interface.OVSInterfaceDriver",
            "libvirt_vif_driver = nova.virt.libvirt.vif.LibvirtHybridOVSBridgeDriver",
            "linuxnet_interface_driver = nova.network.linux_net.LinuxOVSInterfaceDriver",
            "network_api_class = nova.network.quantumv2.api.API",
            "nova-api-paste.ini paste.filter_factory = keystone.middleware.auth_token:filter_factory",
            "quantum/api-paste.ini paste.filter_factory = keystone.middleware.auth_token:filter_factory",
            "volume_api_class = nova.volume.cinder.API",
        ]);
    });

    // The checker must fail on a misspelt or misplaced key: each case edits one golden text.
    const NEGATIVE: { name: string; golden: string; from: string; to: string; want: string; suggestion?: string }[] = [
        {
            name: "misspelt nova.conf key",
            golden: "nova.conf",
            from: "libvirt_use_virtio_for_bridges",
            to: "libvirt_use_virtio_for_bridge",
            want: "nova.conf [DEFAULT] libvirt_use_virtio_for_bridge",
            suggestion: "libvirt_use_virtio_for_bridges",
        },
        {
            name: "key in the wrong section",
            golden: "keystone.conf",
            from: "[sql]\nconnection",
            to: "[sql]\ndriver",
            want: "keystone.conf [sql] driver",
        },
        {
            name: "unknown section",
            golden: "glance-api.conf",
            from: "[paste_deploy]",
            to: "[paste_deploy_]",
            want: "glance-api.conf [paste_deploy_] config_file",
            suggestion: "paste_deploy",
        },
        {
            name: "misspelt paste filter key",
            golden: "quantum-api-paste.ini",
            from: "auth_protocol",
            to: "auth_protocl",
            want: "quantum-api-paste.ini [filter:authtoken] auth_protocl",
            suggestion: "auth_protocol",
        },
        {
            name: "misspelt OVS plugin key",
            golden: "ovs_quantum_plugin.ini",
            from: "tunnel_id_ranges",
            to: "tunnel_ranges",
            want: "ovs_quantum_plugin.ini [OVS] tunnel_ranges",
            suggestion: "tunnel_id_ranges",
        },
        {
            name: "misspelt l3 agent key",
            golden: "l3_agent.ini",
            from: "external_network_bridge",
            to: "external_bridge",
            want: "l3_agent.ini [DEFAULT] external_bridge",
        },
        {
            name: "misspelt horizon setting",
            golden: "horizon-local_settings.py",
            from: "OPENSTACK_KEYSTONE_URL =",
            to: "OPENSTACK_KEYSTONE_URI =",
            want: "horizon-local_settings.py OPENSTACK_KEYSTONE_URI",
            suggestion: "OPENSTACK_KEYSTONE_URL",
        },
    ];
    for (const c of NEGATIVE) {
        it(`fails on a ${c.name}`, () => {
            const f = files.find((x) => x.mf.golden === c.golden)!;
            const text = fs.readFileSync(path.join(GOLDEN, "folsom", f.host, c.golden), "utf8");
            expect(text).to.contain(c.from);
            const bad = checkRendered("folsom", f.mf, text.replace(c.from, c.to)).filter((v) => !v.known);
            const labels = bad.map((v) => label(c.golden, v));
            expect(labels.filter((l) => !(l in DEAD_KEYS))[0]).to.equal(c.want);
            const hit = bad.find((v) => label(c.golden, v) === c.want)!;
            if (c.suggestion) {
                expect(hit.suggestion).to.equal(c.suggestion);
            }
        });
    }

    it("fails on a class that does not exist at 2012.2", () => {
        const names = pythonNames("folsom", ["nova"]);
        expect(classValue(names, "nova.virt", "libvirt.LibvirtDriver")).to.equal(true);
        expect(classValue(names, "nova.virt", "libvirt.LibvirtDriverX")).to.equal(false);
        // LibvirtGenericVIFDriver came with Grizzly (2013.1).
        expect(classValue(names, undefined, "nova.virt.libvirt.vif.LibvirtGenericVIFDriver")).to.equal(false);
        expect(classValue(names, undefined, "nova.virt.libvirt.vif.LibvirtOpenVswitchDriver")).to.equal(true);
        expect(classValue(names, undefined, "192.168.122.111")).to.equal(undefined);
    });
});

describe("zed option keys against the zed sources and their libraries", () => {
    const files = checkedFiles("zed");
    const all = files.flatMap((f) => f.verdicts.map((v) => ({ ...v, golden: f.mf.golden, host: f.host })));
    const unique = new Map(all.map((v) => [label(v.golden, v), v]));

    it("registries name the service and library tags and the upper-constraints they came from", () => {
        const nova = serviceOptions("zed", "nova")!;
        expect(nova.sources[0]).to.deep.include({ repository: "https://github.com/openstack/nova", tag: "26.0.0" });
        expect(
            nova.sources.map((s) => `${s.repository.replace("https://github.com/openstack/", "")} ${s.tag}`),
        ).to.include.members(["keystonemiddleware 10.1.1", "oslo.messaging 14.0.3", "oslo.concurrency 5.0.1"]);
        for (const s of ["nova", "keystone", "glance", "cinder", "neutron", "placement"]) {
            for (const src of serviceOptions("zed", s)!.sources) {
                expect(src.commit, `${s} ${src.repository}`).to.match(/^[0-9a-f]{40}$/);
            }
        }
    });

    it("finds every key the zed profile renders", () => {
        const unknown = [...unique.values()]
            .filter((v) => !v.known)
            .map((v) => `${label(v.golden, v)}${v.suggestion ? ` (${v.suggestion}?)` : ""}`);
        expect(unknown).to.deep.equal([]);
        expect(files.length).to.equal(16);
        expect(all.length).to.equal(210);
        expect(unique.size).to.equal(154);
    });

    const zedCase = (golden: string, from: string, to: string) => {
        const f = files.find((x) => x.mf.golden === golden)!;
        const text = fs.readFileSync(path.join(GOLDEN, "zed", f.host, golden), "utf8");
        expect(text).to.contain(from);
        return checkRendered("zed", f.mf, text.replace(from, to)).filter((v) => !v.known);
    };

    it("fails on a misspelt key, a keystoneauth option in the wrong section and a backend option outside its backend", () => {
        expect(zedCase("nova.conf", "server_proxyclient_address", "server_proxy_client_address")).to.deep.equal([
            {
                section: "vnc",
                key: "server_proxy_client_address",
                value: "192.168.122.111",
                known: false,
                suggestion: "server_proxyclient_address",
            },
        ]);
        // [vnc] takes no keystoneauth options; [placement] does (auth_type = password and its options).
        expect(
            zedCase("nova.conf", "[vnc]\n", "[vnc]\nproject_domain_name = Default\n").map((v) => v.key),
        ).to.deep.equal(["project_domain_name"]);
        expect(
            zedCase("cinder.conf", "[lvm]\n", "[oslo_concurrency]\nvolume_group = x\n[lvm]\n").map((v) => v.key),
        ).to.deep.equal(["volume_group"]);
    });

    it("checks the dashboard block against Django's, Horizon's and openstack_auth's settings", () => {
        const reg = serviceOptions("zed", "horizon")!;
        expect(reg.sources.map((x) => `${x.repository} ${x.tag}`)).to.deep.equal([
            "https://github.com/openstack/horizon 23.0.0",
        ]);
        expect(
            zedCase(
                "horizon-_90_openstack_lab.py",
                "OPENSTACK_KEYSTONE_DEFAULT_DOMAIN",
                "OPENSTACK_KEYSTONE_DEFAULT_DOMIAN",
            ),
        ).to.deep.equal([
            {
                section: "",
                key: "OPENSTACK_KEYSTONE_DEFAULT_DOMIAN",
                value: '"Default"',
                known: false,
                suggestion: "OPENSTACK_KEYSTONE_DEFAULT_DOMAIN",
            },
        ]);
        // CACHES spans five lines: one key; its inner "BACKEND" is no setting of its own.
        const keys = [...unique.values()].filter((v) => v.golden === "horizon-_90_openstack_lab.py");
        expect(keys.map((v) => v.key)).to.deep.equal([
            "OPENSTACK_HOST",
            "ALLOWED_HOSTS",
            "OPENSTACK_KEYSTONE_URL",
            "OPENSTACK_KEYSTONE_DEFAULT_DOMAIN",
            "OPENSTACK_KEYSTONE_DEFAULT_ROLE",
            "SESSION_ENGINE",
            "CACHES",
            "TIME_ZONE",
        ]);
    });

    it("reads groups case-insensitively, as oslo.config does ([OVS] is [ovs])", () => {
        expect(zedCase("openvswitch_agent.ini", "[ovs]", "[OVS]")).to.deep.equal([]);
    });
});
