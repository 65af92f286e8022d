// The whole program under mocks, for every release: every remote script parses
// (bash -n) and passes shellcheck (needs shellcheck: test/unit/tools.ts; the folsom stack cannot be deployed here: no Ubuntu
// 12.04 packages — this is how its scripts are checked), no secret reaches a command
// string, and preview opens no connection and registers the same resources.
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildCloud } from "../../components/cloud";
import { devConfig, forRelease, Registered, RELEASE_CONFIGS, run, TEST_SECRETS, unwrap } from "./harness";
import { requireTool } from "./tools";

const CMD = "command:remote:Command";

function scripts(resources: readonly Registered[]): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const r of resources.filter((x) => x.type === CMD)) {
        const i = unwrap(r.inputs);
        if (i.create) {
            out.push([`${r.name} create`, i.create]);
        }
        if (i.delete) {
            out.push([`${r.name} delete`, i.delete]);
        }
    }
    return out;
}

for (const [release, change] of RELEASE_CONFIGS) {
    describe(`whole program (${release})`, function () {
        this.timeout(120000);
        let resources: Registered[];
        before(async () => {
            ({ resources } = await run(() => buildCloud(devConfig(change))));
        });

        it("every remote script parses with bash -n", () => {
            const bad: string[] = [];
            for (const [name, text] of scripts(resources)) {
                const r = spawnSync("bash", ["-n"], { input: text });
                if (r.status !== 0) {
                    bad.push(`${name}: ${r.stderr.toString().trim()}`);
                }
            }
            expect(bad).to.deep.equal([]);
        });

        it("every remote script passes shellcheck", () => {
            requireTool("shellcheck");
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-sc-"));
            const files: string[] = [];
            const all = scripts(resources);
            // Identical scripts (same preamble + body) need checking once.
            const unique = new Map<string, string>();
            for (const [name, text] of all) {
                if (!unique.has(text)) {
                    unique.set(text, name);
                }
            }
            let n = 0;
            for (const [text, name] of unique) {
                const f = path.join(dir, `${String(n++).padStart(4, "0")}-${name.replace(/[^A-Za-z0-9-]/g, "_")}.sh`);
                fs.writeFileSync(f, `#!/bin/bash\n${text}`);
                files.push(f);
            }
            // SC2016: single-quoted $ in scripts meant for a remote tool (awk, SQL) is intended.
            const r = spawnSync("shellcheck", ["-s", "bash", "-S", "warning", "-e", "SC2016", ...files]);
            fs.rmSync(dir, { recursive: true, force: true });
            expect(r.stdout.toString().replace(new RegExp(dir, "g"), "")).to.equal("");
            expect(files.length).to.be.greaterThan(5);
        });

        it("no secret appears in any command string", () => {
            const leaks: string[] = [];
            for (const [name, text] of scripts(resources)) {
                for (const s of [TEST_SECRETS.generated, TEST_SECRETS.sshPrivateKey]) {
                    if (text.includes(s)) {
                        leaks.push(name);
                    }
                }
            }
            expect(leaks).to.deep.equal([]);
        });

        it("preview registers the same resources", async () => {
            const preview = await run(() => buildCloud(devConfig(change)), { preview: true });
            expect(preview.resources.map((r) => `${r.type} ${r.name}`).sort()).to.deep.equal(
                resources.map((r) => `${r.type} ${r.name}`).sort(),
            );
        });
    });
}

describe("preview touches no host", function () {
    this.timeout(300000);
    it("opens no SSH connection and spawns no process while the program runs", async () => {
        const ssh2 = require("ssh2");
        const cp = require("child_process");
        const calls: string[] = [];
        const saved = { connect: ssh2.Client.prototype.connect, spawn: cp.spawn, exec: cp.exec, execFile: cp.execFile };
        ssh2.Client.prototype.connect = function () {
            calls.push("ssh2.connect");
            throw new Error("no connections in preview");
        };
        cp.spawn = () => {
            calls.push("spawn");
            throw new Error("no processes in preview");
        };
        cp.exec = () => {
            calls.push("exec");
            throw new Error("no processes in preview");
        };
        cp.execFile = () => {
            calls.push("execFile");
            throw new Error("no processes in preview");
        };
        try {
            await run(() => buildCloud(devConfig()), { preview: true });
            await run(() => buildCloud(devConfig(forRelease("zed"))), { preview: true });
        } finally {
            Object.assign(ssh2.Client.prototype, { connect: saved.connect });
            Object.assign(cp, { spawn: saved.spawn, exec: saved.exec, execFile: saved.execFile });
        }
        expect(calls).to.deep.equal([]);
    });
});
