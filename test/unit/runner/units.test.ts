// The lab runner's pure parts: timing math, URNs, op choice, secrets, values, config,
// CLI arguments, limiter, command/dial helpers, random strings, state encryption,
// dynamic-provider loading.

import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { criticalPath, summarize, TimedNode } from "../../e2e/runner/timing";
import { annotateSecrets, chooseOp, hostKey, makeUrn } from "../../e2e/runner/engine";
import { Redactor } from "../../e2e/runner/log";
import {
    SIG,
    SECRET_SIG,
    ASSET_SIG,
    UNKNOWN,
    changedKeys,
    hashAssets,
    parseDuration,
    secret,
    topLevelKey,
    unwrapSecrets,
    wireEqual,
} from "../../e2e/runner/values";
import {
    buildStackConfig,
    configString,
    qualifyKey,
    readProjectFile,
    readSecret,
    stackNameFromFile,
} from "../../e2e/runner/stackConfig";
import { parseArgs } from "../../e2e/runner/cli";
import { Limiter } from "../../e2e/runner/limiter";
import { exportPrefix, failureDetail, trimNewline } from "../../e2e/runner/handlers/command";
import { dialDelayMs, mayDialAgain, targetFromConnection } from "../../e2e/runner/exec";
import { DEFAULT_SPECIAL, generateString, stringSpec } from "../../e2e/runner/handlers/random";
import { SecretBox, StateFile, emptyState } from "../../e2e/runner/state";
import { loadProvider } from "../../e2e/runner/handlers/dynamic";

describe("lab runner: timing report", () => {
    //      A(10) ─┬─ B(30) ─┐
    //             └─ C(15) ─┴─ D(5) ─┐
    //      E(20) ────────────────────┴─ F(2)
    const graph: TimedNode[] = [
        { id: "A", start: 0, end: 10, deps: [] },
        { id: "B", start: 10, end: 40, deps: ["A"] },
        { id: "C", start: 10, end: 25, deps: ["A"] },
        { id: "D", start: 40, end: 45, deps: ["B", "C"] },
        { id: "E", start: 0, end: 20, deps: [] },
        { id: "F", start: 45, end: 47, deps: ["D", "E", "not-in-graph"] },
    ];

    it("finds the longest duration-weighted path", () => {
        expect(criticalPath(graph)).to.deep.equal({ durationMs: 47, path: ["A", "B", "D", "F"] });
    });

    it("summarizes wall time, sum of durations and the critical path", () => {
        expect(summarize(graph, 0, 50)).to.deep.equal({
            wallMs: 50,
            sumMs: 82,
            criticalPath: {
                durationMs: 47,
                resources: [
                    { id: "A", durationMs: 10 },
                    { id: "B", durationMs: 30 },
                    { id: "D", durationMs: 5 },
                    { id: "F", durationMs: 2 },
                ],
            },
        });
        expect(summarize(graph).wallMs).to.equal(47);
    });

    it("breaks ties by input order and rejects cycles", () => {
        const tie: TimedNode[] = [
            { id: "x", start: 0, end: 5, deps: [] },
            { id: "y", start: 0, end: 5, deps: [] },
            { id: "z", start: 5, end: 6, deps: ["y", "x"] },
        ];
        expect(criticalPath(tie)).to.deep.equal({ durationMs: 6, path: ["y", "z"] });
        expect(criticalPath([])).to.deep.equal({ durationMs: 0, path: [] });
        expect(() =>
            criticalPath([
                { id: "a", start: 0, end: 1, deps: ["b"] },
                { id: "b", start: 0, end: 1, deps: ["a"] },
            ]),
        ).to.throw("dependency cycle through a");
    });
});

describe("lab runner: engine rules", () => {
    it("builds URNs like the engine (no Stack prefix, full parent type chain)", () => {
        const stack = "urn:pulumi:lab::openstack-lab::pulumi:pulumi:Stack::openstack-lab-lab";
        expect(makeUrn("lab", "openstack-lab", "pulumi:pulumi:Stack", "openstack-lab-lab")).to.equal(stack);
        const comp = makeUrn("lab", "openstack-lab", "oslab:identity:Keystone", "keystone", stack);
        expect(comp).to.equal("urn:pulumi:lab::openstack-lab::oslab:identity:Keystone::keystone");
        const child = makeUrn("lab", "openstack-lab", "oslab:infra:Host", "alice", comp);
        expect(child).to.equal("urn:pulumi:lab::openstack-lab::oslab:identity:Keystone$oslab:infra:Host::alice");
        expect(makeUrn("lab", "openstack-lab", "command:remote:Command", "alice-ready", child)).to.equal(
            "urn:pulumi:lab::openstack-lab::oslab:identity:Keystone$oslab:infra:Host$command:remote:Command::alice-ready",
        );
    });

    it("chooses same / update / replace from the diff and replaceOnChanges", () => {
        const diff = (changedKeys: string[], replaceKeys: string[] = []) => ({
            changes: changedKeys.length > 0,
            changedKeys,
            replaceKeys,
        });
        expect(chooseOp(diff([]), ["triggers[*]"])).to.deep.equal({ op: "same", replaceKeys: [] });
        expect(chooseOp(diff(["create", "stdin"]), ["triggers[*]"])).to.deep.equal({ op: "update", replaceKeys: [] });
        expect(chooseOp(diff(["stdin", "triggers"]), ["triggers[*]"])).to.deep.equal({
            op: "replace",
            replaceKeys: ["triggers"],
        });
        expect(chooseOp(diff(["value"], ["name"]), [])).to.deep.equal({ op: "replace", replaceKeys: ["name"] });
        expect(chooseOp(diff(["stdin"]), ["*"])).to.deep.equal({ op: "replace", replaceKeys: ["stdin"] });
    });

    it("shares one host's limiter slots between commands and providers", () => {
        expect(["root@198.51.100.11:22", "198.51.100.11", undefined].map(hostKey)).to.deep.equal([
            "198.51.100.11",
            "198.51.100.11",
            "(local)",
        ]);
    });

    it("marks outputs secret where the input was secret or additionalSecretOutputs names them", () => {
        const out = annotateSecrets(
            { stdin: "pw", stdout: "ok", result: "x", connection: { host: "h" } },
            { stdin: secret("pw"), connection: { privateKey: secret("k") } },
            ["result"],
        );
        expect(out).to.deep.equal({
            stdin: secret("pw"),
            stdout: "ok",
            result: secret("x"),
            connection: secret({ host: "h" }),
        });
    });
});

describe("lab runner: values and redaction", () => {
    it("compares values ignoring secretness, assets by hash", () => {
        expect(wireEqual({ a: secret("x") }, { a: "x" })).to.equal(true);
        expect(wireEqual([1, { b: 2, a: 1 }], [1, { a: 1, b: 2 }])).to.equal(true);
        expect(
            wireEqual({ [SIG]: ASSET_SIG, path: "a", hash: "h1" }, { [SIG]: ASSET_SIG, path: "b", hash: "h1" }),
        ).to.equal(true);
        expect(changedKeys({ a: 1, b: "x", c: secret("s") }, { a: 1, b: "y", d: 2, c: "s" })).to.deep.equal(["b", "d"]);
        expect(changedKeys({ triggers: ["a"] }, { triggers: [UNKNOWN] })).to.deep.equal(["triggers"]);
        expect(unwrapSecrets({ a: [secret({ b: secret("c") })] })).to.deep.equal({ a: [{ b: "c" }] });
    });

    it("hashes string assets, parses paths and durations", () => {
        const h = hashAssets({ source: { [SIG]: ASSET_SIG, text: "hello" } }, "/");
        expect(h).to.deep.equal({
            source: {
                [SIG]: ASSET_SIG,
                text: "hello",
                hash: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            },
        });
        expect(topLevelKey("triggers[*]")).to.equal("triggers");
        expect(topLevelKey("a.b")).to.equal("a");
        expect(parseDuration("1h30m")).to.equal(5400000);
        expect(parseDuration("90s")).to.equal(90000);
        expect(parseDuration(undefined)).to.equal(undefined);
        expect(() => parseDuration("10 minutes")).to.throw("invalid duration");
    });

    it("redacts secrets, lines of multi-line config secrets and PEM keys, not connection addresses", () => {
        const r = new Redactor();
        r.add("line one of the key\nsecond line of the key\n");
        r.addSecretsIn({
            connection: secret({ host: "198.51.100.11", user: "root", privateKey: "KEYDATA-123" }),
            stdin: secret("pw=hunter22\nsecond line"),
            result: secret("s3cr3tpass"),
        });
        const text =
            "second line of the key | 198.51.100.11 root | KEYDATA-123 | s3cr3tpass | pw=hunter22\nsecond line | second line -----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY----- end";
        expect(r.redact(text)).to.equal(
            "[secret] | 198.51.100.11 root | [secret] | [secret] | [secret] | second line [secret] end",
        );
    });

    it("does not take a secret login's identity fields for secrets (adminPassword, keystoneUrl stay readable)", () => {
        const r = new Redactor();
        r.addSecretsIn({
            auth: secret({
                dialect: "v3",
                authUrl: "http://198.51.100.11:5000/v3",
                username: "admin",
                password: "Pa55word-xyz",
                projectName: "admin",
                userDomainName: "Default",
                projectDomainName: "Default",
            }),
        });
        expect(r.redact("adminPassword: Pa55word-xyz keystoneUrl: http://198.51.100.11:5000/v3 Default")).to.equal(
            "adminPassword: [secret] keystoneUrl: http://198.51.100.11:5000/v3 Default",
        );
    });
});

describe("lab runner: stack config and CLI", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-runner-cfg-"));
        fs.writeFileSync(
            path.join(dir, "Pulumi.yaml"),
            "name: proj\nmain: prog.ts\nconfig:\n  release:\n    type: string\n    default: folsom\n  sshPort:\n    type: integer\n    default: 22\n  sshPrivateKey:\n    type: string\n    secret: true\n  plain: 7\n",
        );
        fs.writeFileSync(
            path.join(dir, "Pulumi.lab.yaml"),
            "config:\n  proj:release: zed\n  proj:nodes:\n    - name: alice\n      managementIp: 198.51.100.11\n  proj:flag: true\n  proj:sshPrivateKey:\n    secure: v1:abc\n",
        );
        fs.writeFileSync(path.join(dir, "key"), "KEY\n");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("merges project defaults, the stack file, overrides and secrets into CLI-style strings", () => {
        const project = readProjectFile(dir);
        expect(project).to.deep.equal({
            name: "proj",
            main: "prog.ts",
            defaults: { "proj:release": "folsom", "proj:sshPort": "22", "proj:plain": "7" },
            secretKeys: ["proj:sshPrivateKey"],
        });
        const cfg = buildStackConfig({
            project,
            stack: "lab",
            stackFile: path.join(dir, "Pulumi.lab.yaml"),
            overrides: { sshPort: "2222" },
            secrets: [{ key: "sshPrivateKey", source: "@" + path.join(dir, "key") }],
        });
        expect(cfg).to.deep.equal({
            project: "proj",
            stack: "lab",
            config: {
                "proj:release": "zed",
                "proj:sshPort": "2222",
                "proj:plain": "7",
                "proj:nodes": '[{"name":"alice","managementIp":"198.51.100.11"}]',
                "proj:flag": "true",
                "proj:sshPrivateKey": "KEY\n",
            },
            secretKeys: ["proj:sshPrivateKey"],
        });
    });

    it("refuses an encrypted stack value nobody supplied, and secrets given on the command line", () => {
        expect(() =>
            buildStackConfig({
                project: readProjectFile(dir),
                stack: "lab",
                stackFile: path.join(dir, "Pulumi.lab.yaml"),
            }),
        ).to.throw("proj:sshPrivateKey is encrypted; without the Pulumi CLI supply it with --secret <key>=@<file>");
        expect(() => readSecret({ key: "k", source: "plain" })).to.throw("never on the command line");
        process.env.LAB_RUNNER_TEST_SECRET = "from-env";
        expect(readSecret({ key: "k", source: "env:LAB_RUNNER_TEST_SECRET" })).to.equal("from-env");
        delete process.env.LAB_RUNNER_TEST_SECRET;
        expect(configString({ a: [1] })).to.equal('{"a":[1]}');
        expect(qualifyKey("aws:region", "proj")).to.equal("aws:region");
        expect(stackNameFromFile("/x/Pulumi.lab.yaml")).to.equal("lab");
        expect(stackNameFromFile("stack.yaml")).to.equal(undefined);
    });

    it("parses the command line", () => {
        expect(
            parseArgs([
                "up",
                "--stack-file",
                "Pulumi.lab.yaml",
                "--secret",
                "sshPrivateKey=@/k",
                "--state",
                "s.json",
                "--parallel",
                "4",
                "--config",
                "a=b=c",
                "--verbose",
            ]),
        ).to.deep.equal({
            mode: "up",
            stackFile: "Pulumi.lab.yaml",
            secrets: [{ key: "sshPrivateKey", source: "@/k" }],
            state: "s.json",
            parallel: 4,
            config: { a: "b=c" },
            verbose: true,
        });
        expect(parseArgs(["destroy", "--stack", "lab"]).stack).to.equal("lab");
        expect(() => parseArgs(["up"])).to.throw("up needs --stack-file");
        expect(() => parseArgs(["up", "--stack-file", "x", "--secret", "k=value"])).to.throw("never the value itself");
        expect(() => parseArgs(["apply"])).to.throw('unknown or missing command "apply"');
        expect(() => parseArgs(["up", "--stack-file", "x", "--parallel", "0"])).to.throw(
            "--parallel expects a positive integer",
        );
    });
});

describe("lab runner: limiter, commands, SSH dialling, random strings", () => {
    it("limits operations in total and per key, FIFO, without blocking other keys", async () => {
        const lim = new Limiter(2, 1);
        const log: string[] = [];
        const job = (key: string, name: string, ms: number) =>
            lim.run(key, async () => {
                log.push(`start ${name}`);
                await new Promise((r) => setTimeout(r, ms));
                log.push(`end ${name}`);
            });
        await Promise.all([job("h1", "a", 20), job("h1", "b", 5), job("h2", "c", 5)]);
        expect(log).to.deep.equal(["start a", "start c", "end c", "end a", "start b", "end b"]);
    });

    it("renders exported environment, trims one newline and describes failures as logging allows", () => {
        expect(exportPrefix({ B: "it's", A: "x" })).to.equal("export A='x'\nexport B='it'\\''s'\n");
        expect(() => exportPrefix({ "A-B": "x" })).to.throw("not valid in a shell");
        expect(trimNewline("a\n\n")).to.equal("a\n");
        const r = { exitCode: 2, stdout: "1\n2\n3\n", stderr: "boom\n" };
        expect(failureDetail(r, undefined, 2)).to.equal(
            "exit code 2\n--- stdout (last 2 lines) ---\n2\n3\n--- stderr (last 2 lines) ---\nboom",
        );
        expect(failureDetail(r, "none")).to.equal("exit code 2\n(output not shown: logging=none)");
        expect(failureDetail({ exitCode: null, signal: "KILL", stdout: "", stderr: "" }, "stderr")).to.equal(
            "no exit status (signal KILL)\n(output not shown: logging=stderr)",
        );
    });

    it("applies the provider's connection defaults and dial-retry rules", () => {
        expect(targetFromConnection({ host: "h" })).to.deep.equal({
            host: "h",
            port: 22,
            user: "root",
            privateKey: undefined,
            privateKeyPassword: undefined,
            password: undefined,
            agentSocketPath: undefined,
            hostKey: undefined,
            dialErrorLimit: 10,
            perDialTimeout: 15,
        });
        expect(() => targetFromConnection({ host: "h", proxy: { host: "b" } })).to.throw("not supported");
        expect(() => targetFromConnection({})).to.throw("connection.host is not set");
        expect([10, 11].map((d) => mayDialAgain(d, 10))).to.deep.equal([true, false]);
        expect([mayDialAgain(1, 0), mayDialAgain(1000, -1)]).to.deep.equal([false, true]);
        expect([1, 2, 3, 20].map(dialDelayMs)).to.deep.equal([100, 150, 225, 5000]);
    });

    it("generates strings with the requested sets and minimums", () => {
        const spec = stringSpec({ length: 12, special: false, minNumeric: 3, minUpper: 2 });
        expect(spec).to.deep.equal({
            length: 12,
            lower: true,
            upper: true,
            numeric: true,
            special: false,
            minLower: 0,
            minUpper: 2,
            minNumeric: 3,
            minSpecial: 0,
            overrideSpecial: undefined,
        });
        for (let i = 0; i < 20; i++) {
            const s = generateString(spec);
            expect(s).to.have.length(12);
            expect(s).to.match(/^[A-Za-z0-9]+$/);
            expect(s.replace(/[^0-9]/g, "").length).to.be.at.least(3);
            expect(s.replace(/[^A-Z]/g, "").length).to.be.at.least(2);
        }
        const first = (n: number) => (n > 0 ? 0 : 0);
        expect(
            generateString(
                stringSpec({ length: 3, lower: false, upper: false, numeric: false, overrideSpecial: "#" }),
                first,
            ),
        ).to.equal("###");
        expect(DEFAULT_SPECIAL).to.equal("!@#$%&*()-_=+[]{}<>:?");
        expect(() => stringSpec({ length: 0 })).to.throw("length must be a positive number");
    });
});

describe("lab runner: state file and dynamic providers", () => {
    it("encrypts secrets in the checkpoint's shape and refuses another stack's state", async () => {
        const box = SecretBox.fromKey(Buffer.alloc(32, 7));
        const enc = box.encrypt({ a: secret("the-plaintext-password"), b: "plain" }) as Record<
            string,
            Record<string, string>
        >;
        expect(enc.b).to.equal("plain");
        expect(enc.a[SIG]).to.equal(SECRET_SIG);
        expect(enc.a.ciphertext).to.match(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
        expect(JSON.stringify(enc)).not.to.include("plaintext");
        expect(box.decrypt(enc)).to.deep.equal({ a: secret("the-plaintext-password"), b: "plain" });

        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-runner-state-"));
        try {
            const file = new StateFile(path.join(dir, "s.json"));
            await file.save(emptyState("p", "a"));
            expect(() => file.load("p", "b")).to.throw("belongs to p/a, not p/b");
            expect(file.load("p", "a").resources).to.deep.equal([]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("loads a serialized provider like the provider host and refuses TypeScript modules", () => {
        const ok = loadProvider(
            'exports.handler = () => ({ create: async () => ({ id: require("path").basename("/a/b") }) });',
            __dirname,
        );
        expect(ok.create).to.be.a("function");
        expect(() => loadProvider('exports.handler = () => require("./fixtures/program");', __dirname)).to.throw(
            "cannot load TypeScript",
        );
    });
});
