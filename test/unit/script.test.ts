// The step preamble's package functions, run for real with bash against fake dpkg,
// apt-get and service commands that log what they were asked to do.
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HOST_STATE_DIR, script } from "../../components/shared/script";

const FAKES: Record<string, string> = {
    // dpkg -L PKG…: the files of the fake packages
    dpkg: `[ "$1" = -L ] || exit 1; shift; for p in "$@"; do case $p in keystone) printf '/etc/init.d/keystone\\n/usr/bin/keystone-manage\\n' ;; glance-api) printf '/etc/init.d/glance-api\\n' ;; esac; done`,
    "apt-get": `echo "apt-get $*" >> "$FAKE_LOG"`,
    service: `echo "service $*" >> "$FAKE_LOG"`,
    systemctl: `echo "systemctl $*" >> "$FAKE_LOG"`,
};

describe("step preamble: oslab_purge (run for real with fake package tools)", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-purge-"));
        fs.mkdirSync(path.join(dir, "bin"));
        for (const [name, body] of Object.entries(FAKES)) {
            fs.writeFileSync(path.join(dir, "bin", name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
        }
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    function purge(installed: string[], ...packages: string[]): string[] {
        const state = path.join(dir, "state");
        fs.mkdirSync(state, { recursive: true });
        fs.writeFileSync(path.join(state, "installed-packages"), installed.map((p) => `${p}\n`).join(""));
        const text = script(`oslab_purge ${packages.join(" ")}`)
            .split(HOST_STATE_DIR)
            .join(state);
        const r = spawnSync("bash", ["-c", text], {
            env: {
                ...process.env,
                PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
                FAKE_LOG: path.join(dir, "log"),
            },
        });
        expect(r.status, r.stderr.toString()).to.equal(0);
        return fs.existsSync(path.join(dir, "log"))
            ? fs.readFileSync(path.join(dir, "log"), "utf8").trim().split("\n")
            : [];
    }
    const stop = (s: string) => (fs.existsSync("/run/systemd/system") ? `systemctl stop ${s}` : `service ${s} stop`);

    it("stops the services of the packages it installed, then purges only those", () => {
        expect(purge(["keystone", "glance-api", "curl"], "keystone", "glance-api", "python3-pymysql")).to.deep.equal([
            stop("glance-api"),
            stop("keystone"),
            "apt-get purge -y -q keystone glance-api",
        ]);
    });

    it("touches nothing when it installed none of them", () => {
        expect(purge(["curl"], "keystone")).to.deep.equal([]);
    });
});
