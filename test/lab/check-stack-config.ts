// test/lab/check-stack-config.ts FILE — does the stack config that `lab:up`
// writes (Pulumi.lab.yaml) pass the program's own validation (config.ts)?
// Values are handed over the way the Pulumi runtime hands them to readPlain:
// scalars as strings, structured values as JSON text. A `secure:` entry counts
// as a present secret. Prints the node names on success; exit 1 with the
// program's messages otherwise. Run by test/lab/selftest.sh.
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
    const result = validateConfig(raw, secrets);
    if (result.problems.length > 0 || !result.config) {
        console.error(formatProblems(result.problems));
        return 1;
    }
    console.log(`valid: ${result.config.nodes.map((n) => `${n.name}/${n.role}`).join(" ")}`);
    return 0;
}

process.exitCode = main(process.argv[2] ?? "Pulumi.lab.yaml");
