// test/lab/check-stack-config.ts FILE — does the stack config that `lab:up`
// writes (Pulumi.lab.yaml) pass the program's own validation (config.ts)?
// Values are handed over the way the Pulumi runtime hands them to readPlain:
// scalars as strings, structured values as JSON text. A `secure:` entry counts
// as a present secret. Prints the node names on success; exit 1 with the
// program's messages otherwise. Run by test/lab/selftest.sh.
//
// The lab writes the release of its Debian suite (lab/lib.sh). A release the
// program does not know yet (epoxy, before its profile lands) is reported; the
// rest of the file is then validated as the lab's other modern release, zed, so
// every other key is still checked. Any other problem with `release` fails.
import * as fs from "fs";
import * as yaml from "js-yaml"; // already installed as a dependency of @pulumi/pulumi
import { NAMESPACE, formatProblems, validateConfig } from "../../config";

function asRuntimeText(value: unknown): string {
    return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

function parseLikeReadPlain(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

function main(file: string): number {
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | undefined;
    const raw: Record<string, unknown> = {};
    const secrets = new Set<string>(["sshPrivateKey"]); // lab:up prints how to set it
    for (const [fullKey, value] of Object.entries(doc?.config ?? {})) {
        if (!fullKey.startsWith(`${NAMESPACE}:`)) {
            continue;
        }
        const key = fullKey.slice(NAMESPACE.length + 1);
        if (typeof value === "object" && value !== null && "secure" in value) {
            secrets.add(key);
            continue;
        }
        raw[key] = parseLikeReadPlain(asRuntimeText(value));
    }
    let result = validateConfig(raw, secrets);
    let note = "";
    const releaseOnly = result.problems.length > 0 && result.problems.every((p) => p.key === "release");
    if (releaseOnly && LAB_RELEASES_AHEAD.includes(String(raw.release))) {
        note = ` (release ${String(raw.release)} is not known to this program yet; the rest validated as zed)`;
        result = validateConfig({ ...raw, release: "zed" }, secrets);
    }
    if (result.problems.length > 0 || !result.config) {
        console.error(formatProblems(result.problems));
        return 1;
    }
    console.log(`valid: ${result.config.nodes.map((n) => `${n.name}/${n.role}`).join(" ")}${note}`);
    return 0;
}

/** Releases lab:up may write before the program has their profile (lab/lib.sh suite_release). */
const LAB_RELEASES_AHEAD: readonly string[] = ["epoxy"];

process.exitCode = main(process.argv[2] ?? "Pulumi.lab.yaml");
