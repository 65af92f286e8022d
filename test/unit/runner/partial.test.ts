// Partial failures of dynamic providers, as the engine handles them: the provider host
// turns an error carrying `id`/`properties`/`reasons` into ErrorResourceInitFailed
// (@pulumi/pulumi cmd/dynamic-provider/index.js `grpcResponseFromError`); the engine fails
// the step but records the resource with those properties and its init errors
// (pulumi/pulumi pkg/resource/deploy/step.go CreateStep/UpdateStep.Apply; for an update
// with the OLD inputs, pkg/engine/update.go OnResourceStepPost) and runs update on the
// next run even when diff finds no change (pkg/resource/deploy/step_generator.go).

import { expect } from "chai";
import * as fs from "fs";
import { chooseOp, INIT_ERROR_KEY } from "../../e2e/runner/engine";
import { ResourceState } from "../../e2e/runner/state";
import { isSecret, unwrapSecrets } from "../../e2e/runner/values";
import { netControl, partialProgram } from "./fixtures/partial";
import { Lab, P, res, shortStackTraces } from "./lab";

const NET = `${P}pulumi-nodejs:dynamic/fixture:Net::net`;
const USE = `${P}command:remote:Command::use-net`;
const TOKEN = "tok-3f9a1c";

function entry(lab: Lab): ResourceState {
    const e = lab.state().resources.find((r) => r.urn === NET);
    if (!e) {
        throw new Error("no state entry for the Net");
    }
    return e;
}

/** The entry's values without secret markers and without the serialized provider. */
function plain(m: Record<string, unknown>): Record<string, unknown> {
    const { __provider, ...rest } = unwrapSecrets(m as never) as Record<string, unknown>;
    return { ...rest, hasProvider: typeof __provider === "string" };
}

describe("lab runner engine: partial failures of dynamic providers", function () {
    this.timeout(20000);
    shortStackTraces();
    let lab: Lab;
    const control = netControl();
    beforeEach(() => {
        lab = new Lab(partialProgram, () => control.calls, { token: TOKEN });
        Object.assign(control, { failCreate: false, failUpdate: false, dropProvider: false, noReasons: false });
    });
    afterEach(() => lab.cleanup());

    it("a create that fails partially fails the run, yet records id, the properties as outputs, the new inputs and the init errors", async () => {
        control.failCreate = true;
        const r = await lab.run("up");
        expect(r.calls).to.deep.equal(["create a size=1"]);
        expect(r.report.ok).to.equal(false);
        expect(r.report.errors).to.deep.equal([
            `${NET}: create failed: router: 500 Internal Server Error; recorded as found`,
        ]);
        expect(res(r.report, NET).status).to.equal("failed");
        expect(r.fake.calls).to.deep.equal([]); // the dependent command never ran
        const e = entry(lab);
        expect(e.id).to.equal("net-a");
        expect(e.initErrors).to.deep.equal(["router: 500 Internal Server Error; recorded as found"]);
        expect(e.lastOp).to.equal("create");
        expect(plain(e.outputs)).to.deep.equal({
            name: "a",
            size: 1,
            token: TOKEN,
            networkId: "n-1",
            routerId: "",
            hasProvider: true,
        });
        expect(plain(e.inputs)).to.deep.equal({ name: "a", size: 1, token: TOKEN, hasProvider: true });
        // The secret input's output is secret again (and encrypted in the file).
        expect(isSecret(e.outputs.token)).to.equal(true);
        expect(fs.readFileSync(lab.statePath, "utf8")).not.to.include(TOKEN);
        expect(lab.state().resources.map((x) => x.urn)).not.to.include(USE);
    });

    it("the next up updates it although nothing changed, clears the init errors, then runs the dependents; the one after does nothing", async () => {
        control.failCreate = true;
        await lab.run("up");
        control.failCreate = false;
        const preview = await lab.run("preview");
        expect(preview.calls).to.deep.equal([]);
        expect(res(preview.report, NET).op).to.equal("update");
        expect(preview.log.lines).to.include(`~ update  ${NET} (${INIT_ERROR_KEY})`);

        const r = await lab.run("up");
        expect(r.report.errors).to.deep.equal([]);
        expect(r.calls).to.deep.equal(["update net-a size=1 routerId(old)="]);
        expect(res(r.report, NET).op).to.equal("update");
        expect(r.fake.commands()).to.deep.equal(["198.51.100.11 use-net"]);
        expect(r.fake.call("use-net").stdin).to.equal("r-1");
        const e = entry(lab);
        expect(e.initErrors).to.equal(undefined);
        expect(e.id).to.equal("net-a");
        expect(unwrapSecrets(e.outputs.routerId)).to.equal("r-1");

        const again = await lab.run("up");
        expect(again.calls).to.deep.equal([]);
        expect(again.fake.calls).to.deep.equal([]);
        expect(again.report.counts).to.deep.equal({ same: 2 });
    });

    it("an update that fails partially records the properties with the OLD inputs; the next up updates even with the input reverted", async () => {
        await lab.run("up");
        control.failUpdate = true;
        const r = await lab.run("up", { size: "2" });
        expect(r.calls).to.deep.equal(["update net-a size=2 routerId(old)=r-1"]);
        expect(r.report.errors).to.deep.equal([`${NET}: update failed: router: 409 Conflict; recorded as found`]);
        const e = entry(lab);
        expect(e.id).to.equal("net-a");
        expect(e.lastOp).to.equal("update");
        expect(e.initErrors).to.deep.equal(["router: 409 Conflict; recorded as found"]);
        expect(plain(e.outputs)).to.deep.equal({
            name: "a",
            size: 2,
            token: TOKEN,
            networkId: "n-1",
            routerId: "",
            hasProvider: true,
        });
        expect(plain(e.inputs)).to.deep.equal({ name: "a", size: 1, token: TOKEN, hasProvider: true });

        // Same config: the provider's diff (outputs say 2, news say 2) finds no change;
        // the init errors alone force the update.
        control.failUpdate = false;
        const same = await lab.run("up", { size: "2" });
        expect(same.calls).to.deep.equal(["update net-a size=2 routerId(old)="]);
        expect(entry(lab).initErrors).to.equal(undefined);
        expect(unwrapSecrets(entry(lab).outputs.routerId)).to.equal("r-1");
        expect(plain(entry(lab).inputs)).to.deep.include({ size: 2 });

        // Fails again on the way to 3; going back to 2 still completes the resource.
        control.failUpdate = true;
        await lab.run("up", { size: "3" });
        expect(entry(lab).initErrors).to.have.length(1);
        control.failUpdate = false;
        const reverted = await lab.run("up", { size: "2" });
        expect(reverted.calls).to.deep.equal(["update net-a size=2 routerId(old)="]);
        expect(reverted.report.errors).to.deep.equal([]);
    });

    it("a destroy after a partial create deletes it with the recorded outputs", async () => {
        control.failCreate = true;
        await lab.run("up");
        const r = await lab.run("destroy");
        expect(r.report.errors).to.deep.equal([]);
        expect(r.calls).to.deep.equal(["delete net-a routerId="]);
        expect(lab.state().resources).to.deep.equal([]);
    });

    it("without __provider in the partial properties the delete cannot load the provider, as in the real host", async () => {
        control.failCreate = true;
        control.dropProvider = true;
        await lab.run("up");
        expect(entry(lab).outputs).not.to.have.property("__provider");
        const r = await lab.run("destroy");
        expect(r.calls).to.deep.equal([]);
        expect(r.report.errors).to.deep.equal([
            `${NET}: load provider failed: the resource has no serialized __provider`,
        ]);
        expect(lab.state().resources.map((x) => x.urn)).to.include(NET);
    });

    it("without reasons the error is the engine's 'resource init failed' and nothing forces the next update", async () => {
        control.failCreate = true;
        control.noReasons = true;
        const r = await lab.run("up");
        expect(r.report.errors).to.deep.equal([`${NET}: create failed: resource init failed`]);
        expect(entry(lab).id).to.equal("net-a");
        expect(entry(lab).initErrors).to.equal(undefined);
        control.failCreate = false;
        const next = await lab.run("up");
        expect(next.calls).to.deep.equal([]);
        expect(res(next.report, NET).op).to.equal("same");
    });

    it("a create-before-delete replacement that fails partially records the new one and leaves the old one to delete", async () => {
        await lab.run("up");
        control.failCreate = true;
        const r = await lab.run("up", { netName: "b" });
        expect(r.calls).to.deep.equal(["create b size=1"]);
        expect(entry(lab).id).to.equal("net-b");
        expect(lab.state().pendingDeletes.map((x) => x.id)).to.deep.equal(["net-a"]);

        control.failCreate = false;
        const preview = await lab.run("preview", { netName: "b" });
        expect(preview.report.resources.filter((x) => x.urn === NET).map((x) => x.op)).to.deep.equal([
            "update",
            "delete-replaced",
        ]);
        const next = await lab.run("up", { netName: "b" });
        expect(next.calls).to.deep.equal(["update net-b size=1 routerId(old)=", "delete net-a routerId=r-1"]);
        expect(lab.state().pendingDeletes).to.deep.equal([]);
        expect(entry(lab).initErrors).to.equal(undefined);
    });
});

describe("chooseOp with init errors (step_generator.go applyReplaceOnChanges)", () => {
    const none = { changes: false, changedKeys: [], replaceKeys: [] };
    it("no change + init errors → update; without them → same", () => {
        expect(chooseOp(none, [], true)).to.deep.equal({ op: "update", replaceKeys: [] });
        expect(chooseOp(none, [], false)).to.deep.equal({ op: "same", replaceKeys: [] });
    });
    it("replaceOnChanges `*` or `#initerror` turns init errors into a replacement; `triggers[*]` does not", () => {
        expect(chooseOp(none, ["*"], true)).to.deep.equal({ op: "replace", replaceKeys: [INIT_ERROR_KEY] });
        expect(chooseOp(none, [INIT_ERROR_KEY], true)).to.deep.equal({ op: "replace", replaceKeys: [INIT_ERROR_KEY] });
        expect(chooseOp(none, ["triggers[*]"], true)).to.deep.equal({ op: "update", replaceKeys: [] });
    });
});
