// Deletes as the engine does them (pulumi/pulumi pkg/resource/deploy): resources the
// program no longer registers are deleted only after the program and every create/update
// finished (deployment_executor.go performPostSteps), in the waves of
// step_generator.go ScheduleDeletes over the OLD state's dependencies (a resource only after
// everything that depended on it; a wave completes before the next starts), stopping at
// the first failed delete with the rest kept; preview lists exactly these deletes; destroy
// the same for everything.

import { expect } from "chai";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { dependenciesForDelete, scheduleDeletes } from "../../e2e/runner/engine";
import { ResourceState } from "../../e2e/runner/state";
import { Lab, P, Run, shortStackTraces } from "./lab";

const A = "198.51.100.11";
const B = "198.51.100.12";
const C = `${P}command:remote:Command::`;
const U = {
    stack: `${P}pulumi:pulumi:Stack::fixture-test`,
    keep: `${C}keep`,
    fresh: `${C}fresh`,
    base: `${C}base`,
    mid: `${C}mid`,
    top: `${C}top`,
    side: `${C}side`,
};

/**
 * keep (A) always; base (B) ← mid (B, dependsOn) ← top (A, stdin = mid's stdout) and an
 * independent side (A) unless `all: false`; fresh (A) with `fresh: true`.
 */
function deletesProgram(): Record<string, unknown> {
    const cfg = new pulumi.Config();
    const key = cfg.requireSecret("sshPrivateKey");
    const on = (host: string) => ({ host, user: "root", privateKey: key });
    const cmd = (name: string, host: string, args: Partial<command.remote.CommandArgs> = {}, opts = {}) =>
        new command.remote.Command(name, { connection: on(host), create: name, delete: `del-${name}`, ...args }, opts);
    cmd("keep", A, { update: "keep-update", stdin: cfg.get("keep") ?? "k1" });
    if (cfg.getBoolean("all") ?? true) {
        const base = cmd("base", B);
        const mid = cmd("mid", B, {}, { dependsOn: [base] });
        cmd("top", A, { stdin: mid.stdout });
        cmd("side", A, {}, { protect: cfg.getBoolean("protectSide") ?? false });
    }
    if (cfg.getBoolean("fresh") ?? false) {
        cmd("fresh", A);
    }
    if (cfg.getBoolean("boom") ?? false) {
        throw new Error("boom");
    }
    return {};
}

/** The second version: the chain and side removed, keep changed, fresh added. */
const REMOVED = { all: "false", keep: "k2", fresh: "true" };

function planned(r: Run, op = "delete"): string[] {
    return r.report.resources.filter((x) => x.status === "planned" && x.op === op).map((x) => x.urn);
}

function urns(lab: Lab): string[] {
    return lab.state().resources.map((x) => x.urn);
}

describe("lab runner engine: deletes", function () {
    this.timeout(20000);
    shortStackTraces();
    let lab: Lab;
    beforeEach(async () => {
        lab = new Lab(deletesProgram);
        const first = await lab.run("up");
        expect(first.report.errors).to.deep.equal([]);
    });
    afterEach(() => lab.cleanup());

    it("creates/updates the program's resources first, then deletes the removed ones in waves of reverse dependency order", async () => {
        const r = await lab.run("up", REMOVED, () => ({ delayMs: 15 }));
        expect(r.report.errors).to.deep.equal([]);
        expect(r.report.counts).to.deep.equal({ update: 1, create: 1, delete: 4 });
        const f = r.fake;
        const firstDelete = Math.min(...["del-top", "del-mid", "del-base", "del-side"].map((c) => f.call(c).start));
        expect(f.call("keep-update").end).to.be.at.most(firstDelete);
        expect(f.call("fresh").end).to.be.at.most(firstDelete);
        // waves [top] → [mid] → [base, side]: side, independent, still waits for the wave before
        expect(f.call("del-top").end).to.be.at.most(f.call("del-mid").start);
        expect(f.call("del-mid").end).to.be.at.most(f.call("del-base").start);
        expect(f.call("del-mid").end).to.be.at.most(f.call("del-side").start);
        expect(urns(lab)).to.have.members([U.stack, U.keep, U.fresh]);
    });

    it("preview lists exactly those deletes, in the engine's order, and runs nothing", async () => {
        const before = fs.readFileSync(lab.statePath, "utf8");
        const r = await lab.run("preview", REMOVED);
        expect(r.fake.calls).to.deep.equal([]);
        expect(fs.readFileSync(lab.statePath, "utf8")).to.equal(before);
        expect(r.report.counts).to.deep.equal({ update: 1, create: 1, delete: 4 });
        const dels = planned(r);
        expect(dels.slice(0, 2)).to.deep.equal([U.top, U.mid]);
        expect(dels.slice(2)).to.have.members([U.base, U.side]);
        expect(r.log.lines).to.include.members([
            `- delete  ${U.top} [root@${A}:22]`,
            `- delete  ${U.mid} [root@${B}:22]`,
            `- delete  ${U.base} [root@${B}:22]`,
            `- delete  ${U.side} [root@${A}:22]`,
        ]);
    });

    it("preview of a program that fails lists no deletes (the engine bails before them)", async () => {
        const r = await lab.run("preview", { ...REMOVED, boom: "true" });
        expect(r.report.ok).to.equal(false);
        expect(planned(r)).to.deep.equal([]);
    });

    it("a protected resource fails the preview of its delete, naming it", async () => {
        await lab.run("up", { protectSide: "true" });
        const r = await lab.run("preview", REMOVED);
        expect(r.report.errors).to.deep.equal([
            `${U.side}: delete on root@${A}:22 failed: the resource is protected (protect: true); unprotect it first`,
        ]);
    });

    it("stops at the first failed delete with the rest kept; preview then lists exactly the rest; a rerun finishes", async () => {
        const r = await lab.run("up", REMOVED, (_h, cmd) =>
            cmd === "del-mid" ? { exitCode: 1, stderr: "busy\n" } : {},
        );
        expect(r.report.ok).to.equal(false);
        expect(r.report.errors).to.have.length(1);
        expect(r.report.errors[0]).to.match(
            new RegExp(`^${U.mid.replace(/[$.]/g, "\\$&")}: delete on root@${B}:22 failed: exit code 1`),
        );
        expect(r.fake.commands().slice(0, 2)).to.have.members([`${A} keep-update`, `${A} fresh`]);
        expect(r.fake.commands().slice(2)).to.deep.equal([`${A} del-top`, `${B} del-mid`]);
        expect(r.log.lines).to.include("  (2 deletion(s) not attempted because of a failure)");
        expect(urns(lab)).to.have.members([U.stack, U.keep, U.fresh, U.mid, U.base, U.side]);

        const preview = await lab.run("preview", REMOVED);
        expect(planned(preview)[0]).to.equal(U.mid);
        expect(planned(preview)).to.have.members([U.mid, U.base, U.side]);
        expect(planned(preview)).to.have.length(3);

        const again = await lab.run("up", REMOVED);
        expect(again.report.errors).to.deep.equal([]);
        expect(again.fake.commands().slice(0, 1)).to.deep.equal([`${B} del-mid`]);
        expect(again.fake.commands()).to.have.members([`${B} del-mid`, `${B} del-base`, `${A} del-side`]);
        expect(urns(lab)).to.have.members([U.stack, U.keep, U.fresh]);
    });

    it("destroy with a failed delete names resource and host, keeps every resource not deleted; a later destroy finishes", async () => {
        const r = await lab.run("destroy", {}, (_h, cmd) => (cmd === "del-mid" ? { exitCode: 1 } : {}));
        expect(r.report.errors).to.have.length(1);
        expect(r.report.errors[0]).to.match(
            new RegExp(`^${U.mid.replace(/[$.]/g, "\\$&")}: delete on root@${B}:22 failed: exit code 1`),
        );
        expect(r.fake.commands()).to.deep.equal([`${A} del-top`, `${B} del-mid`]);
        expect(r.log.lines).to.include("  (3 deletion(s) not attempted because of a failure)");
        expect(urns(lab)).to.have.members([U.stack, U.keep, U.base, U.mid, U.side]);

        const again = await lab.run("destroy");
        expect(again.report.errors).to.deep.equal([]);
        expect(again.fake.commands()[0]).to.equal(`${B} del-mid`);
        expect(again.fake.commands()).to.have.members([
            `${B} del-mid`,
            `${A} del-keep`,
            `${B} del-base`,
            `${A} del-side`,
        ]);
        expect(lab.state().resources).to.deep.equal([]);
    });
});

describe("scheduleDeletes / dependenciesForDelete (ScheduleDeletes, DependencyGraph.DependenciesOf)", () => {
    const r = (urn: string, o: Partial<ResourceState> = {}): ResourceState => ({
        urn,
        type: "command:remote:Command",
        name: urn,
        custom: true,
        inputs: {},
        outputs: {},
        dependencies: [],
        propertyDependencies: {},
        options: {},
        lastOp: "create",
        ...o,
    });
    const names = (waves: ResourceState[][]) => waves.map((w) => w.map((x) => x.urn).sort());

    it("waves are built bottom-up and reversed: an independent resource shares the last wave", () => {
        const base = r("base");
        const mid = r("mid", { dependencies: ["base"] });
        const top = r("top", { propertyDependencies: { stdin: ["mid"] } });
        const side = r("side");
        const all = [base, mid, top, side];
        expect(names(scheduleDeletes([side, top, base, mid], all))).to.deep.equal([["top"], ["mid"], ["base", "side"]]);
    });

    it("parent, provider and a component's children before the resource count; later entries do not", () => {
        const prov = r("prov", { type: "pulumi:providers:command" });
        const comp = r("comp", { custom: false, type: "oslab:test:Node" });
        const child = r("child", { parent: "comp" });
        const user = r("user", { dependencies: ["comp"], provider: "prov::id-1" });
        const late = r("late");
        const early = r("early", { dependencies: ["late"] }); // "late" comes after it: not a dependency
        const all = [prov, comp, child, early, user, late];
        const deps = dependenciesForDelete(all);
        expect([...(deps.get(user) ?? [])].map((x) => x.urn).sort()).to.deep.equal(["child", "comp", "prov"]);
        expect([...(deps.get(child) ?? [])].map((x) => x.urn)).to.deep.equal(["comp"]);
        expect([...(deps.get(early) ?? [])]).to.deep.equal([]);
        expect(names(scheduleDeletes(all, all))).to.deep.equal([
            ["user"],
            ["child"],
            ["comp", "early", "late", "prov"],
        ]);
    });
});
