// The e2e's expected day-two sets (test/e2e/day-two/add-compute.txt, remove-compute.txt)
// are what the program registers for one more compute, and nothing else: a compute added
// to the lab's stack creates only that compute's resources (no other host's, no shared
// step), and removing it deletes exactly those. Checked here under mocks for every release
// with compute membership, so the files cannot drift from the program.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { buildCloud } from "../../components/cloud";
import { RELEASE_PROFILES } from "../../components/release/registry";
import { RawConfig } from "../../config";
import { readStackFile, run, stackConfig } from "./harness";

const DIR = path.join(__dirname, "..", "e2e", "day-two");
const lines = (f: string) => fs.readFileSync(path.join(DIR, f), "utf8").trim().split("\n");

/** Custom resources of the lab example stack with its first `n` computes. */
async function customResources(release: string, n: number): Promise<Set<string>> {
    const raw: RawConfig = { ...readStackFile("scripts/topology/Pulumi.lab-example.yaml"), release };
    let seen = 0;
    raw.nodes = (raw.nodes as { role: string }[]).filter((x) => x.role !== "compute" || ++seen <= n);
    const { resources } = await run(() => buildCloud(stackConfig(raw)));
    return new Set(resources.filter((r) => !r.type.startsWith("oslab:")).map((r) => r.name));
}

for (const [release, profile] of Object.entries(RELEASE_PROFILES)) {
    if (!profile.computeMembership) {
        continue;
    }
    describe(`day two sets (${release})`, function () {
        this.timeout(60000);
        it("adding bob2 creates exactly add-compute.txt; removing it deletes exactly remove-compute.txt", async () => {
            const one = await customResources(release, 1);
            const two = await customResources(release, 2);
            const added = [...two].filter((x) => !one.has(x)).sort();
            expect([...one].filter((x) => !two.has(x))).to.deep.equal([]);
            expect(added.map((n) => `create ${n}`)).to.deep.equal(lines("add-compute.txt"));
            expect(added.map((n) => `delete ${n}`)).to.deep.equal(lines("remove-compute.txt"));
            expect(added.every((n) => n.includes("bob2"))).to.equal(true);
        });
    });
}
