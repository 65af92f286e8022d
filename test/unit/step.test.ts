// The step helpers hand the engine their explicit dependencies as a plain array of
// resources, in a fixed order: the host's readiness, (restart) the files' steps, then the
// caller's. Not an Output: an Output walks its resolved value for unknowns, and from a
// resource that walk reaches the whole cloud (program time was quadratic in computes).
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { buildBase } from "../../components/cloud";
import { configFile, remoteStep, restart } from "../../components/shared/step";
import { devConfig, names, run } from "./harness";

/** A parent whose transformation records the `dependsOn` option of every child. */
class Probe extends pulumi.ComponentResource {
    constructor(seen: Map<string, unknown>) {
        super(
            "test:index:Probe",
            "probe",
            {},
            {
                transformations: [
                    (a) => {
                        seen.set(a.name, a.opts.dependsOn);
                        return undefined;
                    },
                ],
            },
        );
    }
}

function expectDeps(actual: unknown, expected: pulumi.Resource[]): void {
    expect(Array.isArray(actual), "dependsOn is a plain array").to.equal(true);
    const deps = actual as unknown[];
    expect(deps.length).to.equal(expected.length);
    // Strict identity per element (a deep comparison would walk the resource graph).
    deps.forEach((d, i) => expect(d === expected[i], `dependsOn[${i}]`).to.equal(true));
}

describe("step helpers: dependsOn", () => {
    const seen = new Map<string, unknown>();
    let expected: Record<string, pulumi.Resource[]> = {};
    let registered: string[] = [];

    before(async () => {
        const { resources } = await run(() => {
            const host = buildBase(devConfig()).hosts.bob;
            const probe = new Probe(seen);
            const p = { parent: probe };
            const first = remoteStep("probe-first", host, { create: "true" }, p);
            const file = configFile(
                "probe-file",
                host,
                { path: "/etc/probe.conf" },
                { mode: "replace", content: "x\n" },
                { ...p, dependsOn: [first] },
            );
            restart("probe-restart", host, ["probe"], [file], { ...p, dependsOn: [first] });
            expected = {
                "probe-first": [host.ready],
                "probe-file": [host.ready, first],
                "probe-restart": [host.ready, file.step, first],
            };
        });
        registered = names(resources, "command:remote:Command").filter((n) => n.startsWith("probe-"));
    });

    it("registers the three steps", () => {
        expect(registered).to.deep.equal(["probe-file", "probe-first", "probe-restart"]);
    });

    it("remoteStep: the host's readiness", () => {
        expectDeps(seen.get("probe-first"), expected["probe-first"]);
    });

    it("configFile: the host's readiness, then the caller's", () => {
        expectDeps(seen.get("probe-file"), expected["probe-file"]);
    });

    it("restart: the host's readiness, the files' steps, then the caller's", () => {
        expectDeps(seen.get("probe-restart"), expected["probe-restart"]);
    });
});
