// The programs some unit tests run for real, and the Debian packages that provide them.
// A test that needs one calls `requireTool` first: where the tool is missing the test
// fails and names the package to install. It never skips, because a skipped check passes
// in CI without having checked anything. `.ci/run` installs every package listed here
// (test/unit/tools.test.ts holds it to that).
import { spawnSync } from "child_process";
import * as fs from "fs";

export interface Tool {
    /** What the failure message calls it. */
    readonly what: string;
    /** Whether it is usable on this machine. */
    readonly present: () => boolean;
    /** The Debian packages that provide it (`apt-get install …`). */
    readonly packages: readonly string[];
}

/** True when `cmd args…` runs and exits 0. */
function runs(cmd: string, ...args: string[]): () => boolean {
    return () => spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}

/** Where Debian's fonts-liberation2 puts the regular face (used when fontconfig's fc-match is missing). */
const LIBERATION_SANS_FILE = "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf";

/** Whether fontconfig resolves "Liberation Sans" to itself rather than to a fallback font. */
function hasLiberationSans(): boolean {
    const r = spawnSync("fc-match", ["-f", "%{family}", "Liberation Sans"]);
    if (r.error) {
        return fs.existsSync(LIBERATION_SANS_FILE);
    }
    return r.status === 0 && r.stdout.toString().split(",").includes("Liberation Sans");
}

export const TOOLS = {
    shellcheck: { what: "shellcheck", present: runs("shellcheck", "--version"), packages: ["shellcheck"] },
    dot: { what: "Graphviz `dot`", present: runs("dot", "-V"), packages: ["graphviz"] },
    liberationSans: {
        what: "the font Liberation Sans (Graphviz lays the topology picture out in it)",
        present: hasLiberationSans,
        packages: ["fonts-liberation2"],
    },
    python3: { what: "python3", present: runs("python3", "--version"), packages: ["python3"] },
} as const satisfies Record<string, Tool>;

export type ToolName = keyof typeof TOOLS;

/** The failure message for a missing tool. Pure. */
export function missingToolMessage(t: Tool): string {
    return `${t.what} not found: install it (Debian: apt-get install ${t.packages.join(" ")})`;
}

const seen = new Map<ToolName, boolean>();

/** Throws (failing the calling test) unless every named tool is present; each is probed once per run. */
export function requireTool(...names: ToolName[]): void {
    for (const name of names) {
        if (!seen.has(name)) {
            seen.set(name, TOOLS[name].present());
        }
        if (!seen.get(name)) {
            throw new Error(missingToolMessage(TOOLS[name]));
        }
    }
}
