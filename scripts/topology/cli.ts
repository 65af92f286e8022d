// scripts/topology/cli.ts — `npm run topology -- [stack file] [--out file.svg] [--png file.png] [--dot]`
// Draws the topology of a stack file (default Pulumi.dev.yaml) as SVG, by default into
// docs/topology-<stack>.svg (`<stack>` from Pulumi.<stack>.yaml). `--dot` prints the DOT text.
import * as fs from "fs";
import * as path from "path";
import { renderSvg, runDot } from "./render";
import { stackConfigFromYaml, topologyDot, topologyModel } from "./topology";

const ROOT = path.join(__dirname, "..", "..");

/** `Pulumi.dev.yaml` → `dev`; any other file: its name without `.yaml`/`.yml`. */
export function stackName(file: string): string {
    const base = path.basename(file);
    const m = /^Pulumi\.(.+)\.ya?ml$/.exec(base);
    return m ? m[1] : base.replace(/\.ya?ml$/, "");
}

/** The DOT text of a stack file. */
export function dotOfStackFile(file: string): string {
    const cfg = stackConfigFromYaml(fs.readFileSync(file, "utf8"), file);
    return topologyDot(topologyModel(cfg, stackName(file)));
}

function main(argv: string[]): void {
    let file: string | undefined;
    let out: string | undefined;
    let png: string | undefined;
    let printDot = false;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--out" || a === "--png") {
            const v = argv[++i];
            if (v === undefined) {
                throw new Error(`${a} needs a file name`);
            }
            if (a === "--out") {
                out = v;
            } else {
                png = v;
            }
        } else if (a === "--dot") {
            printDot = true;
        } else if (a.startsWith("-") || file !== undefined) {
            throw new Error(`usage: npm run topology -- [stack file] [--out file.svg] [--png file.png] [--dot]`);
        } else {
            file = a;
        }
    }
    file ??= path.join(ROOT, "Pulumi.dev.yaml");
    const dot = dotOfStackFile(file);
    if (printDot) {
        process.stdout.write(dot);
        return;
    }
    out ??= path.join(ROOT, "docs", `topology-${stackName(file)}.svg`);
    fs.writeFileSync(out, renderSvg(dot));
    console.log(`topology: wrote ${path.relative(process.cwd(), out) || out}`);
    if (png) {
        fs.writeFileSync(png, runDot(dot, "png"));
        console.log(`topology: wrote ${path.relative(process.cwd(), png) || png}`);
    }
}

if (require.main === module) {
    try {
        main(process.argv.slice(2));
    } catch (e) {
        console.error(`topology: ${(e as Error).message}`);
        process.exit(1);
    }
}
