// The lab runner against a real sshd: the provider test bed's (test/providers/testbed.sh,
// 127.0.0.1:2222, root with $TB_STATE/id_ed25519). Skipped when the test bed is not up.
// Not part of `npm run test:unit`; run with `npm run runner:test-ssh`.
//
// Everything it does on the host stays under /tmp/lab-runner-e2e-<random>, removed by the
// program's own delete step (destroy) and again in `after`.

import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import { runLab, Mode, RunReport } from "./engine";
import { SshExecutor, SshTarget } from "./exec";
import { MemoryLogger, Redactor } from "./log";
import { StateFile } from "./state";
import { EnvMode } from "./handlers/types";

const TB_STATE = process.env.TB_STATE ?? "/var/tmp/oslab-testbed";

function testbed(): Record<string, string> | undefined {
    const file = path.join(TB_STATE, "env");
    if (!fs.existsSync(file)) {
        return undefined;
    }
    const env: Record<string, string> = {};
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (m) {
            env[m[1]] = m[2];
        }
    }
    return env.TESTBED_SSH_KEY && fs.existsSync(env.TESTBED_SSH_KEY) ? env : undefined;
}

function reachable(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const s = net.connect({ host, port, timeout: 1000 });
        s.on("connect", () => (s.destroy(), resolve(true)));
        s.on("error", () => resolve(false));
        s.on("timeout", () => (s.destroy(), resolve(false)));
    });
}

describe("lab runner over real SSH (provider test bed)", function () {
    this.timeout(60000);
    const tb = testbed();
    const dir = `/tmp/lab-runner-e2e-${crypto.randomBytes(4).toString("hex")}`;
    const local = fs.mkdtempSync(path.join(os.tmpdir(), "lab-runner-ssh-"));
    const statePath = path.join(local, "ssh.json");
    let target: SshTarget;
    let key: string;

    before(async function () {
        if (!tb || !(await reachable(tb.TESTBED_SSH_HOST, Number(tb.TESTBED_SSH_PORT)))) {
            return this.skip();
        }
        key = fs.readFileSync(tb.TESTBED_SSH_KEY, "utf8");
        target = {
            host: tb.TESTBED_SSH_HOST,
            port: Number(tb.TESTBED_SSH_PORT),
            user: tb.TESTBED_SSH_USER,
            privateKey: key,
            dialErrorLimit: 3,
            perDialTimeout: 10,
        };
    });
    after(async () => {
        if (target) {
            await new SshExecutor().exec(target, { command: `rm -rf ${dir}` });
        }
        fs.rmSync(local, { recursive: true, force: true });
    });

    function program(): Record<string, unknown> {
        const cfg = new pulumi.Config();
        const connection = {
            host: cfg.require("host"),
            port: cfg.requireNumber("port"),
            user: cfg.require("user"),
            privateKey: cfg.requireSecret("sshPrivateKey"),
            dialErrorLimit: 3,
        };
        const ready = new command.remote.Command("ready", {
            connection,
            create: `mkdir -p ${dir} && echo ready`,
            delete: `rm -rf ${dir}`,
        });
        const pw = new random.RandomPassword("pw", { length: 16, special: false });
        const secretFile = new command.remote.Command(
            "secret-file",
            { connection, create: `umask 077 && cat > ${dir}/secret && stat -c %a ${dir}/secret`, stdin: pw.result },
            { dependsOn: [ready] },
        );
        const env = new command.remote.Command(
            "env",
            {
                connection,
                create: 'echo "foo=${LAB_FOO:-unset}"',
                update: 'echo "prev=${PULUMI_COMMAND_STDOUT:-unset} conf=$(cat)"',
                stdin: cfg.get("conf") ?? "c1",
                environment: { LAB_FOO: "bar" },
            },
            { dependsOn: [ready] },
        );
        const copied = cfg.get("copied") ?? "copied v1\n";
        const copy = new command.remote.CopyToRemote(
            "copy",
            { connection, source: new pulumi.asset.StringAsset(copied), remotePath: `${dir}/copied.txt` },
            { dependsOn: [ready] },
        );
        // An update keeps the copy's id, so the trigger is the content's hash.
        const hash = crypto.createHash("sha256").update(copied).digest("hex");
        const show = new command.remote.Command(
            "show",
            { connection, create: `cat ${dir}/copied.txt`, triggers: [hash] },
            { dependsOn: [copy] },
        );
        if (cfg.getBoolean("fail")) {
            new command.remote.Command(
                "fail",
                { connection, create: `echo "about to fail with $(cat ${dir}/secret)"; exit 7` },
                { dependsOn: [secretFile] },
            );
        }
        if (cfg.getBoolean("unreachable")) {
            new command.remote.Command("unreachable", {
                connection: { ...connection, port: 1, dialErrorLimit: 1, perDialTimeout: 2 },
                create: "true",
            });
        }
        return { mode: secretFile.stdout, env: env.stdout, show: show.stdout, password: pw.result };
    }

    async function run(
        mode: Mode,
        extra: Record<string, string> = {},
        envMode: EnvMode = "ssh",
    ): Promise<{ report: RunReport; log: MemoryLogger }> {
        const log = new MemoryLogger();
        const redactor = new Redactor();
        redactor.add(key);
        const config: Record<string, string> = {
            "e2e:host": target.host,
            "e2e:port": String(target.port),
            "e2e:user": target.user,
            "e2e:sshPrivateKey": key,
        };
        for (const [k, v] of Object.entries(extra)) {
            config[`e2e:${k}`] = v;
        }
        const report = await runLab(mode, {
            project: "e2e",
            stack: "ssh",
            programDir: __dirname,
            program,
            config,
            secretKeys: ["e2e:sshPrivateKey"],
            state: new StateFile(statePath),
            executor: new SshExecutor(),
            envMode,
            logger: log,
            redactor,
        });
        return { report, log };
    }

    const sh = async (cmd: string) => (await new SshExecutor().exec(target, { command: cmd })).stdout.trim();

    it("creates everything over SSH: stdin, SSH env requests (dropped without AcceptEnv), SFTP copy", async () => {
        const { report } = await run("up");
        expect(report.errors).to.deep.equal([]);
        expect(report.outputs).to.deep.equal({
            mode: "600",
            env: "foo=unset",
            show: "copied v1",
            password: "[secret]",
        });
        const pw = await sh(`cat ${dir}/secret`);
        expect(pw).to.match(/^[A-Za-z0-9]{16}$/);
        expect(report.executed).to.deep.equal({ remoteCommands: 4, fileCopies: 1, providerCalls: 0, total: 5 });
    });

    it("a second run executes nothing", async () => {
        const { report } = await run("up");
        expect(report.executed.total).to.equal(0);
        expect(report.counts).to.deep.equal({ same: 6 });
    });

    it("updates and replacements run the right scripts; export mode delivers the environment", async () => {
        const { report } = await run("up", { conf: "c2", copied: "copied v2\n" }, "export");
        expect(report.errors).to.deep.equal([]);
        expect(report.outputs.env).to.equal("prev=foo=unset conf=c2");
        expect(report.outputs.show).to.equal("copied v2");
        expect(report.counts).to.deep.equal({ update: 2, replace: 1, "delete-replaced": 1, same: 3 });
    });

    it("a failing command names resource, host and step and never shows the secret", async () => {
        const { report, log } = await run("up", { conf: "c2", copied: "copied v2\n", fail: "true" }, "export");
        const pw = await sh(`cat ${dir}/secret`);
        expect(report.ok).to.equal(false);
        expect(report.errors[0]).to.match(
            /^urn:pulumi:ssh::e2e::command:remote:Command::fail: create on root@127\.0\.0\.1:2222 failed: exit code 7/,
        );
        expect(report.errors[0]).to.include("about to fail with [secret]");
        expect(log.lines.join("\n")).not.to.include(pw);
        expect(JSON.stringify(report)).not.to.include(pw);
    });

    it("an unreachable host fails after the dial limit", async () => {
        const { report } = await run("up", { conf: "c2", copied: "copied v2\n", unreachable: "true" }, "export");
        expect(report.errors[0]).to.match(
            /unreachable: create on root@127\.0\.0\.1:1 failed: cannot connect to root@127\.0\.0\.1:1 after 2 dial\(s\)/,
        );
    });

    it("destroy runs the delete steps and empties the state", async () => {
        const { report } = await run("destroy");
        expect(report.errors).to.deep.equal([]);
        expect(await sh(`test -e ${dir} && echo present || echo gone`)).to.equal("gone");
        expect(new StateFile(statePath).load("e2e", "ssh").resources).to.deep.equal([]);
    });
});
