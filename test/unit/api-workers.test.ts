// Config `apiWorkers` (zed, epoxy): the uwsgi worker count of every API Debian runs under
// uwsgi. Under mocks, for the lab-like stack: exactly the children the key adds, their specs
// and scripts (golden files in test/unit/golden/<release>-workers/alice), the restart
// triggers, which steps a changed count re-runs, keystone's worker count after zed's AppArmor
// fix, nothing registered without the key, a preview pass; validation. For real (python3 on
// temporary files, the registered scripts): the worker count and the AppArmor fix on one
// keystone-uwsgi.ini, applied and undone in the engine's orders, and nova-api-metadata's
// repeated `processes` line.
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildCloud } from "../../components/cloud";
import { KEYSTONE_UWSGI_INI } from "../../components/keystone/render";
import { profileFor } from "../../components/release";
import { renderIni } from "../../components/shared/ini";
import { uwsgiInis } from "../../components/release/profile";
import { editorPy, fileApplyScript, fileRestoreScript, preamble } from "../../components/shared/script";
import { sha256 } from "../../components/shared/step";
import { API_WORKERS_LAYER } from "../../components/shared/uwsgi";
import { RawConfig, RELEASES, validateConfig } from "../../config";
import {
    devConfig,
    find,
    forRelease,
    golden,
    MODERN_RELEASES,
    readStackFile,
    Registered,
    run,
    unwrap,
    DEBIAN_KEYSTONE_UWSGI_INI,
    keystoneAppArmorProfileLoaded,
} from "./harness";
import { requireTool } from "./tools";

const CMD = "command:remote:Command";

/** The uwsgi files the key adds, by child name: path and the restart step whose triggers hold its hash. */
const ADDED: Readonly<Record<string, { path: string; restart: string; install: string }>> = {
    "keystone-conf-keystone-uwsgi.ini": {
        path: "/etc/keystone/keystone-uwsgi.ini",
        restart: "keystone-restart",
        install: "keystone-install",
    },
    "placement-conf-placement-api-uwsgi.ini": {
        path: "/etc/placement/placement-api-uwsgi.ini",
        restart: "placement-restart",
        install: "placement-install",
    },
    "nova-alice-conf-nova-api-uwsgi.ini": {
        path: "/etc/nova/nova-api-uwsgi.ini",
        restart: "nova-alice-restart",
        install: "nova-alice-install",
    },
    "nova-alice-conf-nova-api-metadata-uwsgi.ini": {
        path: "/etc/nova/nova-api-metadata-uwsgi.ini",
        restart: "nova-alice-restart",
        install: "nova-alice-install",
    },
    "cinder-conf-cinder-api-uwsgi.ini": {
        path: "/etc/cinder/cinder-api-uwsgi.ini",
        restart: "cinder-restart",
        install: "cinder-install",
    },
};
const NEUTRON_UWSGI = "neutron-alice-conf-neutron-api-uwsgi.ini";

/** The lab-like stack of `release` with `apiWorkers` (unset: without the key). */
function stack(release: (typeof RELEASES)[number], apiWorkers?: number): () => void {
    return () => {
        buildCloud(
            devConfig((c) => {
                const r = forRelease(release)(c);
                return apiWorkers === undefined ? r : { ...r, apiWorkers };
            }),
        );
    };
}

interface Pass {
    readonly resources: Registered[];
    readonly deps: Map<string, string[]>;
}

async function pass(release: (typeof RELEASES)[number], apiWorkers?: number, preview = false): Promise<Pass> {
    const deps = new Map<string, string[]>();
    const { resources } = await run(stack(release, apiWorkers), { dependencies: deps, preview });
    return { resources, deps };
}

function customNames(p: Pass): string[] {
    return p.resources
        .filter((r) => !r.type.startsWith("oslab:"))
        .map((r) => r.name)
        .sort();
}

/** Names of resources registered in both passes whose inputs differ. */
function changed(a: Pass, b: Pass, what: (r: Registered) => unknown = (r) => unwrap(r.inputs)): string[] {
    const before = new Map(a.resources.map((r) => [`${r.type} ${r.name}`, JSON.stringify(what(r))]));
    return b.resources
        .filter((r) => {
            const old = before.get(`${r.type} ${r.name}`);
            return old !== undefined && old !== JSON.stringify(what(r));
        })
        .map((r) => r.name)
        .sort();
}

/** A step's script without the shared preamble, the file editor as a placeholder. */
function body(script: string): string {
    expect(script.startsWith(preamble())).to.equal(true);
    return script.slice(preamble().length).split(editorPy().trimEnd()).join("<oslab-edit.py>");
}

/** What a config-file step owns in its file, as configFile renders it for its hash. */
function owned(r: Registered): string {
    return renderIni(JSON.parse(unwrap(r.inputs).stdin).set);
}

for (const release of MODERN_RELEASES) {
    describe(`apiWorkers (${release}, the lab-like stack)`, function () {
        this.timeout(180000);
        let without: Pass, three: Pass, four: Pass;
        before(async () => {
            without = await pass(release);
            three = await pass(release, 3);
            four = await pass(release, 4);
        });

        it("the profile names the five uwsgi inis of docs/epoxy-findings.md's table (glance-api runs under eventlet)", () => {
            expect(uwsgiInis(profileFor(release))).to.deep.equal([
                KEYSTONE_UWSGI_INI,
                "/etc/placement/placement-api-uwsgi.ini",
                "/etc/nova/nova-api-uwsgi.ini",
                "/etc/nova/nova-api-metadata-uwsgi.ini",
                "/etc/cinder/cinder-api-uwsgi.ini",
            ]);
            const nova = profileFor(release).nova.controller;
            for (const service of Object.keys(nova.uwsgiInis ?? {})) {
                expect(nova.services, service).to.include(service);
            }
        });

        it("adds exactly one file step per uwsgi ini and removes nothing; none without the key", () => {
            const a = customNames(without);
            const b = customNames(three);
            expect(b.filter((n) => !a.includes(n))).to.deep.equal(Object.keys(ADDED).sort());
            expect(a.filter((n) => !b.includes(n))).to.deep.equal([]);
            expect(a.filter((n) => n.endsWith("uwsgi.ini"))).to.deep.equal([NEUTRON_UWSGI]);
        });

        it("merges [uwsgi] processes into each packaged ini (mode and owner kept) as the api-workers layer; restores it on destroy", () => {
            for (const [name, f] of Object.entries(ADDED)) {
                const r = find(three.resources, name);
                const i = unwrap(r.inputs);
                expect(r.type, name).to.equal(CMD);
                expect(JSON.parse(i.stdin), name).to.deep.equal({
                    set: { uwsgi: { processes: "3" } },
                    remove_sections: [],
                });
                expect(owned(r), name).to.equal("[uwsgi]\nprocesses = 3\n");
                golden(
                    `${release}-workers`,
                    "alice",
                    path.posix.basename(f.path),
                    `# ${f.path} (packaged mode and owner; layer ${API_WORKERS_LAYER})\n\n${owned(r)}`,
                );
                const target = { path: f.path, layer: API_WORKERS_LAYER };
                expect(i.create, name).to.equal(fileApplyScript("ini", target));
                expect(i.delete, name).to.equal(fileRestoreScript(target));
                const state = 'OSLAB_STATE="${OSLAB_STATE:-/var/lib/openstack-lab}/layers/api-workers"';
                expect(body(i.create).split("\n")[1], name).to.equal(
                    `${state} "$py" - ini ${f.path} 3<&0 <<'OSLAB_EDIT_PY'`,
                );
                expect(body(i.delete).split("\n")[1], name).to.equal(
                    `${state} "$py" - restore ${f.path} 3</dev/null <<'OSLAB_EDIT_PY'`,
                );
            }
            const ks = unwrap(find(three.resources, "keystone-conf-keystone-uwsgi.ini").inputs);
            golden(`${release}-workers`, "alice", "keystone-conf-keystone-uwsgi.ini.sh", body(ks.create));
            golden(`${release}-workers`, "alice", "keystone-conf-keystone-uwsgi.ini.delete.sh", body(ks.delete));
        });

        it("neutron-api-uwsgi.ini gets processes = apiWorkers instead of 2, threads stay 1", () => {
            const without_ = find(without.resources, NEUTRON_UWSGI);
            const with_ = find(three.resources, NEUTRON_UWSGI);
            expect(JSON.parse(unwrap(without_.inputs).stdin).set).to.deep.equal({
                uwsgi: { processes: "2", threads: "1" },
            });
            expect(JSON.parse(unwrap(with_.inputs).stdin).set).to.deep.equal({
                uwsgi: { processes: "3", threads: "1" },
            });
            golden(
                `${release}-workers`,
                "alice",
                "neutron-api-uwsgi.ini",
                `# /etc/neutron/neutron-api-uwsgi.ini (0640 root:neutron)\n\n${owned(with_)}`,
            );
            const { create, delete: del } = unwrap(with_.inputs);
            expect([create, del]).to.deep.equal([unwrap(without_.inputs).create, unwrap(without_.inputs).delete]);
        });

        it("each file's hash joins the triggers of the step that restarts its service", () => {
            const hashOf = (name: string, p: string) => sha256(`${p}\n\n${owned(find(three.resources, name))}`);
            const expected: Record<string, string[]> = {};
            for (const [name, f] of Object.entries(ADDED)) {
                (expected[f.restart] ??= []).push(hashOf(name, f.path));
            }
            for (const [restart, hashes] of Object.entries(expected)) {
                const before = unwrap(find(without.resources, restart).inputs).triggers as string[];
                const after = unwrap(find(three.resources, restart).inputs).triggers as string[];
                expect(
                    after.filter((t) => !before.includes(t)),
                    restart,
                ).to.deep.equal(hashes);
                expect(
                    before.filter((t) => !after.includes(t)),
                    restart,
                ).to.deep.equal([]);
            }
            // neutron-api's file was there already: its new hash replaces the old one
            const neutron = (p: Pass) => unwrap(find(p.resources, "neutron-alice-restart").inputs).triggers;
            const neutronHash = sha256(
                `/etc/neutron/neutron-api-uwsgi.ini\n0640\n${owned(find(three.resources, NEUTRON_UWSGI))}`,
            );
            expect(neutron(three)).to.include(neutronHash);
            expect(neutron(three).filter((t: string) => !neutron(without).includes(t))).to.deep.equal([neutronHash]);
        });

        it("a changed count re-runs the file steps and exactly the restart steps of those services (and nova's check)", () => {
            const restarts = [
                "cinder-restart",
                "keystone-restart",
                "neutron-alice-restart",
                "nova-alice-restart",
                "nova-check",
                "placement-restart",
            ];
            expect(changed(three, four, (r) => unwrap(r.inputs).triggers ?? null)).to.deep.equal(restarts);
            expect(changed(three, four)).to.deep.equal([...Object.keys(ADDED), NEUTRON_UWSGI, ...restarts].sort());
            expect(changed(without, three)).to.deep.equal([NEUTRON_UWSGI, ...restarts].sort());
        });

        it("orders each file after its install step (keystone's also after the host fixes), and each restart after its files", () => {
            const fixes = profileFor(release)
                .keystone.hostFixes()
                .map((f) => `keystone-${f.id}`);
            expect(fixes).to.deep.equal(release === "zed" ? ["keystone-uwsgi-apparmor"] : []);
            for (const [name, f] of Object.entries(ADDED)) {
                const deps = three.deps.get(name) ?? [];
                expect(deps, name).to.include(f.install);
                if (name.startsWith("keystone-")) {
                    // destroy undoes the worker count before the fix that edits the same file
                    for (const fix of fixes) {
                        expect(deps, name).to.include(fix);
                    }
                }
                expect(three.deps.get(f.restart), f.restart).to.include(name);
            }
        });

        it("preview registers the same resources", async () => {
            const preview = await pass(release, 3, true);
            expect(customNames(preview)).to.deep.equal(customNames(three));
        });
    });
}

describe("apiWorkers: validation", () => {
    const lab = (): RawConfig => readStackFile("scripts/topology/Pulumi.lab-example.yaml");
    const HINT =
        "give the uwsgi worker processes of each API service, a whole number from 1 to 64 (e.g. 2 on a small controller): pulumi config set openstack-lab:apiWorkers 2";
    const problems = (raw: RawConfig) => validateConfig(raw, new Set(["sshPrivateKey"])).problems;

    it("the lab sets 2; 1 and 64 are accepted; unset stays unset", () => {
        expect(lab().apiWorkers).to.equal(2);
        for (const n of [1, 2, 64]) {
            const { config, problems: p } = validateConfig({ ...lab(), apiWorkers: n }, new Set(["sshPrivateKey"]));
            expect(p, String(n)).to.deep.equal([]);
            expect(config!.apiWorkers).to.equal(n);
        }
        const raw = lab();
        delete raw.apiWorkers;
        expect(validateConfig(raw, new Set(["sshPrivateKey"])).config!.apiWorkers).to.equal(undefined);
    });

    for (const [value, message] of [
        [0, "number must be greater than or equal to 1"],
        [65, "number must be less than or equal to 64"],
        [2.5, "expected integer, received float"],
        ["two", "expected number, received string"],
    ] as const) {
        it(`rejects ${JSON.stringify(value)} with the key, the reason and the fix`, () => {
            expect(problems({ ...lab(), apiWorkers: value })).to.deep.equal([
                { key: "apiWorkers", message: `${message}; ${HINT}` },
            ]);
        });
    }

    it("rejects it on folsom, which runs no API under uwsgi", () => {
        expect(problems({ ...readStackFile("Pulumi.dev.yaml"), apiWorkers: 2 })).to.deep.equal([
            {
                key: "apiWorkers",
                message:
                    "the folsom profile runs no API under uwsgi (folsom: Ubuntu 12.04's services are single eventlet processes), so there is no worker count to set; remove it: pulumi config rm openstack-lab:apiWorkers",
            },
        ]);
        expect(uwsgiInis(profileFor("folsom"))).to.deep.equal([]);
    });
});

/** nova-api-metadata-uwsgi.ini's worker lines as Debian ships them: `processes = 4`, then `processes = 8` (docs/epoxy-findings.md). */
const METADATA_INI = [
    "[uwsgi]",
    "master = true",
    "processes = 4",
    "",
    "# Number of workers",
    "processes = 8",
    "threads = 32",
    "wsgi-file = /usr/bin/nova-metadata-wsgi",
    "",
].join("\n");

describe("apiWorkers on the host (the registered scripts, run for real on temporary files)", function () {
    this.timeout(180000);
    let dir: string;
    let three: Pass, four: Pass;
    before(async () => {
        three = await pass("zed", 3);
        four = await pass("zed", 4);
    });
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-workers-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Run a registered step's create (with its stdin) or delete on `file` instead of `hostPath`. */
    function step(p: Pass, name: string, hostPath: string, file: string) {
        const i = unwrap(find(p.resources, name).inputs);
        const exec = (script: string, input?: string) =>
            execFileSync("bash", ["-c", script.split(hostPath).join(file)], {
                input: input ?? "",
                env: { ...process.env, OSLAB_STATE: path.join(dir, "state") },
            })
                .toString()
                .trim();
        return { create: () => exec(i.create, i.stdin), delete: () => exec(i.delete) };
    }

    /** Regular files left under the state directory (backups, markers). */
    function backups(): string[] {
        const out: string[] = [];
        const walk = (d: string) => {
            for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
                const p = path.join(d, e.name);
                if (e.isDirectory()) {
                    walk(p);
                } else {
                    out.push(path.relative(path.join(dir, "state"), p));
                }
            }
        };
        walk(path.join(dir, "state"));
        return out.sort();
    }

    /** Debian's keystone-uwsgi.ini in the temporary folder and zed's AppArmor fix step on it (skipped where the profile is loaded). */
    function keystoneIni(ctx: Mocha.Context) {
        requireTool("python3");
        if (keystoneAppArmorProfileLoaded()) {
            ctx.skip();
        }
        const ini = path.join(dir, "keystone-uwsgi.ini");
        fs.writeFileSync(ini, DEBIAN_KEYSTONE_UWSGI_INI, { mode: 0o644 });
        return {
            ini,
            fix: step(three, "keystone-uwsgi-apparmor", KEYSTONE_UWSGI_INI, ini),
            workers: step(three, "keystone-conf-keystone-uwsgi.ini", KEYSTONE_UWSGI_INI, ini),
        };
    }

    it("keystone on zed: the AppArmor fix and the worker count keep each other's edit on apply, change, removal and destroy", function () {
        const { ini, fix, workers } = keystoneIni(this);
        const workers4 = step(four, "keystone-conf-keystone-uwsgi.ini", KEYSTONE_UWSGI_INI, ini);
        const text = () => fs.readFileSync(ini, "utf8");
        const fixed = DEBIAN_KEYSTONE_UWSGI_INI.replace("plugins = python3,apparmor", "plugins = python3");

        // up: the fix, then the worker count (it depends on the fix)
        expect(fix.create()).to.equal("changed");
        expect(workers.create()).to.equal("changed");
        expect(text()).to.equal(fixed.replace("processes = 8", "processes = 3"));
        expect(fs.statSync(ini).mode & 0o777).to.equal(0o644);
        expect(backups()).to.deep.equal(["layers/api-workers/orig" + path.resolve(ini), "orig" + path.resolve(ini)]);
        // a second up changes nothing
        expect(fix.create()).to.equal("unchanged");
        expect(workers.create()).to.equal("unchanged");
        // apiWorkers 3 → 4: an update of the file step
        expect(workers4.create()).to.equal("changed");
        expect(text()).to.equal(fixed.replace("processes = 8", "processes = 4"));
        // apiWorkers removed: the file step is deleted; the fix stays in the file
        expect(workers4.delete()).to.equal("changed");
        expect(text()).to.equal(fixed);
        expect(fix.create()).to.equal("unchanged");
        // set again, then destroy in the engine's order: the dependent (worker count) first
        expect(workers.create()).to.equal("changed");
        expect(workers.delete()).to.equal("changed");
        expect(fix.delete()).to.equal("changed");
        expect(text()).to.equal(DEBIAN_KEYSTONE_UWSGI_INI);
        expect(fs.statSync(ini).mode & 0o777).to.equal(0o644);
        expect(backups()).to.deep.equal([]);
    });

    it("the order matters, hence the dependency: undone the other way round the fix would stay behind", function () {
        const { ini, fix, workers } = keystoneIni(this);
        fix.create();
        workers.create();
        fix.delete();
        workers.delete();
        expect(fs.readFileSync(ini, "utf8")).to.equal(
            DEBIAN_KEYSTONE_UWSGI_INI.replace("plugins = python3,apparmor", "plugins = python3"),
        );
    });

    it("and without a layer of its own (one backup for both), removing apiWorkers would undo the fix too", function () {
        const { ini, fix } = keystoneIni(this);
        const env = { ...process.env, OSLAB_STATE: path.join(dir, "state") };
        fix.create();
        execFileSync("bash", ["-c", fileApplyScript("ini", { path: ini })], {
            input: unwrap(find(three.resources, "keystone-conf-keystone-uwsgi.ini").inputs).stdin,
            env,
        });
        execFileSync("bash", ["-c", fileRestoreScript({ path: ini })], { env });
        expect(fs.readFileSync(ini, "utf8")).to.equal(DEBIAN_KEYSTONE_UWSGI_INI);
    });

    it("nova-api-metadata: the two packaged processes lines become one; destroy restores both", () => {
        requireTool("python3");
        const ini = path.join(dir, "nova-api-metadata-uwsgi.ini");
        fs.writeFileSync(ini, METADATA_INI, { mode: 0o644 });
        const hostPath = "/etc/nova/nova-api-metadata-uwsgi.ini";
        const workers = step(three, "nova-alice-conf-nova-api-metadata-uwsgi.ini", hostPath, ini);
        expect(workers.create()).to.equal("changed");
        expect(fs.readFileSync(ini, "utf8")).to.equal(
            METADATA_INI.replace("processes = 4\n", "processes = 3\n").replace("processes = 8\n", ""),
        );
        expect(workers.create()).to.equal("unchanged");
        expect(workers.delete()).to.equal("changed");
        expect(fs.readFileSync(ini, "utf8")).to.equal(METADATA_INI);
        expect(backups()).to.deep.equal([]);
    });
});
