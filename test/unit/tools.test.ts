// The tools the unit tests run for real (test/unit/tools.ts): CI installs each one, and
// a missing one fails with the package to install.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { TOOLS, missingToolMessage } from "./tools";

const ROOT = path.join(__dirname, "..", "..");

/** The packages of every `apt-get install` line in a shell script. */
function aptInstalled(script: string): string[] {
    return script
        .split("\n")
        .filter((l) => /^\s*apt-get\s.*\binstall\b/.test(l))
        .flatMap((l) =>
            l
                .replace(/>.*$/, "")
                .split(/\s+/)
                .filter((w) => /^[a-z0-9][a-z0-9.+-]+$/.test(w) && !["apt-get", "install"].includes(w)),
        );
}

describe("tools the unit tests need", () => {
    it(".ci/run installs the package of every tool", () => {
        const installed = aptInstalled(fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8"));
        const needed = Object.values(TOOLS).flatMap((t) => t.packages);
        expect(needed.filter((p) => !installed.includes(p))).to.deep.equal([]);
    });

    it("a missing tool's message names the Debian package", () => {
        expect(missingToolMessage(TOOLS.dot)).to.equal(
            "Graphviz `dot` not found: install it (Debian: apt-get install graphviz)",
        );
        expect(missingToolMessage(TOOLS.shellcheck)).to.equal(
            "shellcheck not found: install it (Debian: apt-get install shellcheck)",
        );
    });
});
