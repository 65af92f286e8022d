// The lab runner's engine against the fixture program, with a recording fake executor:
// order, parallelism, no-op reruns, replacement by trigger, updates, dynamic providers,
// orphan deletion, destroy order, preview, failures and secrets.

import { expect } from "chai";
import * as fs from "fs";
import { unwrapSecrets } from "../../e2e/runner/values";
import { rendezvous } from "./fakeExecutor";
import { program, providerCalls } from "./fixtures/program";
import { Lab as BaseLab, Run, P, expectDependencyOrder, res, shortStackTraces } from "./lab";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";

const U = {
    stack: `${P}pulumi:pulumi:Stack::fixture-test`,
    alice: `${P}oslab:test:Node::alice`,
    aliceReady: `${P}oslab:test:Node$command:remote:Command::alice-ready`,
    bobReady: `${P}oslab:test:Node$command:remote:Command::bob-ready`,
    password: `${P}random:index/randomPassword:RandomPassword::db-password`,
    db: `${P}command:remote:Command::alice-db`,
    conf: `${P}command:remote:Command::alice-conf`,
    motd: `${P}command:remote:Command::bob-motd`,
    check: `${P}command:remote:Command::bob-motd-check`,
    marker: `${P}pulumi-nodejs:dynamic/fixture:Marker::alice-marker`,
    extra: `${P}command:remote:Command::bob-extra`,
};
const A = "198.51.100.11";
const B = "198.51.100.12";

class Lab extends BaseLab {
    constructor() {
        super(program, providerCalls);
    }

    password(): string {
        const r = this.state().resources.find((x) => x.urn === U.password);
        return unwrapSecrets(r?.outputs.result) as string;
    }
}

describe("lab runner engine", function () {
    this.timeout(20000);
    shortStackTraces();
    let lab: Lab;
    let first: Run;

    before(async () => {
        lab = new Lab();
        providerCalls();
        // Both hosts' first steps must be running at the same moment to get past this.
        const meet = rendezvous(2);
        first = await lab.run("up", {}, (_h, cmd) => (cmd === "probe" ? { until: meet } : {}));
    });
    after(() => lab.cleanup());

    it("first up runs every command once, on the right host", () => {
        expect(first.report.errors).to.deep.equal([]);
        expect([...first.fake.commands()].sort()).to.deep.equal(
            [
                `${A} probe`,
                `${B} probe`,
                `${A} install-db`,
                `${A} write-conf`,
                `${B} write-motd`,
                `${B} check-motd`,
            ].sort(),
        );
        expect(first.calls).to.deep.equal(["create db=v1"]);
        expect(first.report.executed).to.deep.equal({ remoteCommands: 6, fileCopies: 0, providerCalls: 1, total: 7 });
        expect(first.report.counts).to.deep.equal({ create: 8 });
    });

    it("honours data dependencies and dependsOn (also on a component)", () => {
        const f = first.fake;
        expect(f.call("probe", A).end).to.be.at.most(f.call("install-db").start); // dependsOn: [alice] (component)
        expect(f.call("install-db").end).to.be.at.most(f.call("write-conf").start); // dependsOn: [db]
        expect(f.call("probe", B).end).to.be.at.most(f.call("write-motd").start); // dependsOn: [bob.ready]
        expect(f.call("write-motd").end).to.be.at.most(f.call("check-motd").start); // triggers: [motd.id]
        expect(res(first.report, U.conf).end).to.be.at.most(res(first.report, U.marker).start as number);
        // dependencies (data + dependsOn, a component expanded to its custom children) and the parent
        expect(res(first.report, U.db).waitedFor).to.have.members([U.aliceReady, U.password, U.stack]);
        expect(res(first.report, U.check).waitedFor).to.have.members([U.motd, U.stack]);
        expect(res(first.report, U.aliceReady).waitedFor).to.have.members([U.alice]);
        expectDependencyOrder(first.report);
    });

    it("runs independent resources in parallel", () => {
        // The probes met at a rendezvous (a serial run would have failed there).
        expect(first.report.errors).to.deep.equal([]);
        const a = first.fake.call("probe", A);
        const b = first.fake.call("probe", B);
        expect(a.start).to.be.at.most(b.end);
        expect(b.start).to.be.at.most(a.end);
        expect(first.fake.maxRunning).to.be.at.least(2);
    });

    it("sends the generated password on stdin and keeps it out of every printed line", () => {
        const pw = lab.password();
        expect(pw).to.match(/^[A-Za-z0-9]{24}$/);
        expect(first.fake.call("install-db").stdin).to.equal(pw);
        expect(first.fake.call("write-motd").stdin).to.equal("hello");
        expect(first.report.outputs.password).to.equal("[secret]");
        expect(first.report.outputs.motd).to.equal("out:write-motd");
        const printed = first.log.lines.join("\n");
        expect(printed).not.to.include(pw);
        expect(printed).not.to.include("fixturekeymaterial");
        expect(printed).to.include(`+ create  ${U.db} [root@${A}:22]`);
    });

    it("writes a 0600 state file with secrets encrypted, dependencies and timing", () => {
        const raw = fs.readFileSync(lab.statePath, "utf8");
        expect(fs.statSync(lab.statePath).mode & 0o777).to.equal(0o600);
        expect(fs.statSync(lab.statePath.replace(/\.json$/, ".key")).mode & 0o777).to.equal(0o600);
        expect(raw).not.to.include(lab.password());
        expect(raw).not.to.include("fixturekeymaterial");
        const s = lab.state();
        expect(s.resources.map((r) => r.urn)).to.have.members(
            Object.values(U)
                .filter((u) => u !== U.extra && !u.endsWith("Node::bob"))
                .concat(`${P}oslab:test:Node::bob`),
        );
        expect(s.resources[0].urn).to.equal(U.stack);
        const db = s.resources.find((r) => r.urn === U.db);
        expect(db?.dependencies).to.have.members([U.aliceReady, U.password]);
        expect(db?.propertyDependencies.stdin).to.deep.equal([U.password]);
        expect(db?.lastOp).to.equal("create");
        expect(unwrapSecrets(db?.outputs.stdout)).to.equal("out:install-db");
        expect(unwrapSecrets(db?.outputs.delete)).to.equal("remove-db");
        expect(db?.timing?.durationMs).to.be.a("number");
        expect(Date.parse(db?.timing?.end as string)).to.be.at.least(Date.parse(db?.timing?.start as string));
        expect(s.resources.find((r) => r.urn === U.password)?.outputs.result).to.have.property(
            "4dabf18193072939515e22adb298388d",
        );
    });

    it("a second up with unchanged config executes nothing and keeps the password", async () => {
        const pw = lab.password();
        const r = await lab.run("up");
        expect(r.fake.calls).to.deep.equal([]);
        expect(r.calls).to.deep.equal([]);
        expect(r.report.executed.total).to.equal(0);
        expect(r.report.counts).to.deep.equal({ same: 8 });
        expect(r.log.lines).to.include("Executed: nothing (0 remote commands, 0 file copies, 0 provider calls)");
        expect(lab.password()).to.equal(pw);
    });

    it("preview runs nothing, leaves the state alone and prints the plan", async () => {
        const before = fs.readFileSync(lab.statePath, "utf8");
        const r = await lab.run("preview", { motd: "bonjour", conf: "a=2" });
        expect(r.fake.calls).to.deep.equal([]);
        expect(r.calls).to.deep.equal([]);
        expect(fs.readFileSync(lab.statePath, "utf8")).to.equal(before);
        expect(r.report.counts).to.deep.equal({ replace: 2, update: 1, same: 5 });
        expect(r.log.lines).to.include.members([
            `+- replace ${U.motd} [root@${B}:22] (stdin, triggers)`,
            `+- replace ${U.check} [root@${B}:22] (triggers)`,
            `~ update  ${U.conf} [root@${A}:22] (stdin)`,
        ]);
    });

    it("a changed trigger replaces only that resource and its dependents by trigger, old one deleted last", async () => {
        const r = await lab.run("up", { motd: "bonjour" });
        expect(r.fake.commands()).to.deep.equal([`${B} write-motd`, `${B} check-motd`, `${B} remove-motd`]);
        expect(r.fake.call("write-motd").stdin).to.equal("bonjour");
        expect(r.report.counts).to.deep.equal({ replace: 2, "delete-replaced": 2, same: 6 });
        expect(lab.state().pendingDeletes).to.deep.equal([]);
        const again = await lab.run("up", { motd: "bonjour" });
        expect(again.fake.calls).to.deep.equal([]);
    });

    it("an input change without a trigger runs the update script with the previous output in the environment", async () => {
        const r = await lab.run("up", { motd: "bonjour", conf: "a=2" });
        expect(r.fake.commands()).to.deep.equal([`${A} reload-conf`]);
        const c = r.fake.call("reload-conf");
        expect(c.stdin).to.equal("a=2");
        expect(c.env).to.deep.equal({ PULUMI_COMMAND_STDOUT: "out:write-conf" });
        expect(r.report.counts).to.deep.equal({ update: 1, same: 7 });
    });

    it("in export mode the environment travels as exported variables in the command", async () => {
        const r = await lab.run("up", { motd: "bonjour", conf: "a=3" }, undefined, { envMode: "export" });
        const c = r.fake.call("export PULUMI_COMMAND_STDOUT='out:reload-conf'\nreload-conf");
        expect(c.env).to.equal(undefined);
        expect(r.fake.calls).to.have.length(1);
    });

    it("a dynamic provider's diff leads to update, with no remote command", async () => {
        const r = await lab.run("up", { motd: "bonjour", conf: "a=3", markerValue: "v2" });
        expect(r.calls).to.deep.equal(["update marker-db db=v2"]);
        expect(r.fake.calls).to.deep.equal([]);
        expect(res(r.report, U.marker).op).to.equal("update");
        expect(r.report.outputs.marker).to.equal("updated");
    });

    it("a resource gone from the program is deleted at the end of the update", async () => {
        const cfg = { motd: "bonjour", conf: "a=3", markerValue: "v2" };
        const added = await lab.run("up", { ...cfg, extra: "true" });
        expect(added.fake.commands()).to.deep.equal([`${B} extra`]);
        const removed = await lab.run("up", cfg);
        expect(removed.fake.commands()).to.deep.equal([`${B} remove-extra`]);
        expect(removed.report.counts).to.deep.equal({ delete: 1, same: 8 });
        expect(lab.state().resources.map((x) => x.urn)).not.to.include(U.extra);
    });

    it("destroy deletes in reverse dependency order and empties the state", async () => {
        const r = await lab.run("destroy");
        expect(r.report.errors).to.deep.equal([]);
        expect([...r.fake.commands()].sort()).to.deep.equal(
            [`${A} bye`, `${A} remove-db`, `${B} bye`, `${B} remove-motd`].sort(),
        );
        expect(r.calls).to.deep.equal(["delete marker-db"]);
        const f = r.fake;
        expect(f.call("remove-db").end).to.be.at.most(f.call("bye", A).start);
        expect(f.call("remove-motd").end).to.be.at.most(f.call("bye", B).start);
        const del = (u: string) => res(r.report, u, "delete");
        expect(del(U.marker).end).to.be.at.most(del(U.conf).start as number);
        expect(del(U.conf).end).to.be.at.most(del(U.db).start as number);
        expect(del(U.check).end).to.be.at.most(del(U.motd).start as number);
        expect(del(U.db).end).to.be.at.most(del(U.password).start as number);
        expect(del(U.aliceReady).end).to.be.at.most(del(U.alice).start as number);
        expect(r.report.counts).to.deep.equal({ delete: 8 });
        expect(lab.state().resources).to.deep.equal([]);
    });
});

describe("lab runner engine: failures and limits", function () {
    this.timeout(20000);
    shortStackTraces();
    const labs: Lab[] = [];
    afterEach(() => labs.splice(0).forEach((l) => l.cleanup()));

    it("a failing command fails the run naming resource, host and step, with redacted output; a rerun resumes", async () => {
        const lab = new Lab();
        labs.push(lab);
        const r = await lab.run("up", {}, (_h, cmd, req) =>
            cmd === "install-db"
                ? { exitCode: 3, stdout: "creating database\n", stderr: `ERROR: bad password ${req.stdin ?? ""}\n` }
                : { delayMs: cmd === "probe" ? 5 : 30 },
        );
        const pw = lab.password();
        expect(r.report.ok).to.equal(false);
        expect(r.report.errors).to.have.length(1);
        const err = r.report.errors[0];
        expect(err).to.match(
            new RegExp(`^${U.db.replace(/[$.]/g, "\\$&")}: create on root@198\\.51\\.100\\.11:22 failed: exit code 3`),
        );
        expect(err).to.include("creating database");
        expect(err).to.include("ERROR: bad password [secret]");
        expect(err).not.to.include(pw);
        expect(r.log.lines.join("\n")).not.to.include(pw);
        expect(res(r.report, U.db).status).to.equal("failed");
        expect(r.fake.commands()).not.to.include(`${A} write-conf`);
        expect(r.calls).to.deep.equal([]);
        const urns = lab.state().resources.map((x) => x.urn);
        expect(urns).to.include(U.aliceReady);
        expect(urns).not.to.include(U.db);

        const again = await lab.run("up");
        expect(again.report.errors).to.deep.equal([]);
        expect(again.fake.commands()).to.include.members([`${A} install-db`, `${A} write-conf`]);
        expect(again.fake.commands()).not.to.include(`${A} probe`);
        expect(again.fake.call("install-db").stdin).to.equal(pw);
    });

    it("refuses resource types it cannot run and duplicate URNs, naming the resource", async () => {
        const lab = new Lab();
        labs.push(lab);
        const unsupported = await lab.run("up", {}, undefined, {
            program: () => {
                new command.local.Command("here", { create: "true" });
                return {};
            },
        });
        expect(unsupported.report.errors).to.deep.equal([
            `${P}command:local:Command::here: register failed: resource type command:local:Command is not supported by the lab runner`,
        ]);
        const dup = await lab.run("up", {}, undefined, {
            program: () => {
                new random.RandomString("same", { length: 4 });
                new random.RandomString("same", { length: 5 });
                return {};
            },
        });
        expect(dup.report.errors).to.deep.equal([
            `${P}random:index/randomString:RandomString::same: register failed: duplicate resource URN: two resources share type, name and parent type`,
        ]);
    });

    it("bounds concurrency per host and in total", async () => {
        const lab = new Lab();
        labs.push(lab);
        const r = await lab.run("up", {}, () => ({ delayMs: 15 }), { parallel: 1, perHost: 1 });
        expect(r.report.errors).to.deep.equal([]);
        expect(r.fake.maxRunning).to.equal(1);
        const sorted = [...r.fake.calls].sort((a, b) => a.start - b.start);
        for (let i = 1; i < sorted.length; i++) {
            expect(sorted[i].start).to.be.at.least(sorted[i - 1].end);
        }
    });
});
