// The GitHub workflows (.github/workflows): each validates against GitHub's workflow schema
// (@action-validator/core), every npm script they run exists, and the preview/up contract
// holds: preview on pull requests with a PR comment and the diff, up on main behind an
// approval environment, least permissions, secrets only from repository secrets.
import { validateWorkflow } from "@action-validator/core";
import { expect } from "chai";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const DIR = path.join(ROOT, ".github", "workflows");
const SCRIPTS: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;

/** npm commands that are not package.json scripts. */
const NPM_BUILTINS = new Set(["ci", "install", "i", "exec", "version", "--version", "-v"]);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

interface Step {
    readonly uses?: string;
    readonly run?: string;
    readonly with?: Record<string, unknown>;
    readonly env?: Record<string, string>;
}

/** The package.json scripts a shell snippet runs through npm (`npm run x`, `npm test`, …). */
function npmScripts(run: string): string[] {
    const found: string[] = [];
    for (const m of run.matchAll(/(?:^|[\s;&|(])npm[ \t]+([^\s;&|)]+)(?:[ \t]+([^\s;&|)]+))?/g)) {
        const [cmd, arg] = [m[1], m[2]];
        if (cmd === "run" || cmd === "run-script") {
            found.push(arg ?? "");
        } else if (cmd === "test" || cmd === "start" || cmd === "stop" || cmd === "restart") {
            found.push(cmd);
        } else if (!NPM_BUILTINS.has(cmd)) {
            found.push(`npm ${cmd}`);
        }
    }
    return found;
}

const files = fs
    .readdirSync(DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
const load = (f: string): Doc => yaml.load(fs.readFileSync(path.join(DIR, f), "utf8"));
const steps = (doc: Doc): Step[] =>
    Object.values(doc.jobs as Record<string, { steps: Step[] }>).flatMap((j) => j.steps);
const pulumiStep = (doc: Doc, job: string): Step => {
    const s = (doc.jobs[job].steps as Step[]).filter((x) => x.uses?.startsWith("pulumi/actions@"));
    expect(s.length, `${job}: one pulumi/actions step`).to.equal(1);
    return s[0];
};

describe("GitHub workflows", () => {
    it("are the preview and up workflows", () => {
        expect(files).to.deep.equal(["preview.yml", "up.yml"]);
    });

    for (const f of files) {
        it(`${f} is a valid workflow (@action-validator/core)`, () => {
            const state = validateWorkflow(fs.readFileSync(path.join(DIR, f), "utf8"));
            expect(state.actionType).to.equal("workflow");
            expect(state.errors, JSON.stringify(state.errors, null, 2)).to.deep.equal([]);
        });

        it(`${f}: every npm script it runs exists in package.json`, () => {
            const runs = steps(load(f)).flatMap((s) => (s.run ? npmScripts(s.run) : []));
            expect(runs.length).to.be.greaterThan(0);
            expect(runs.filter((r) => !(r in SCRIPTS))).to.deep.equal([]);
        });

        it(`${f}: secrets only from repository secrets, only in the Pulumi step's env, least permissions`, () => {
            const doc = load(f);
            const text = fs.readFileSync(path.join(DIR, f), "utf8");
            const used = [...text.matchAll(/\$\{\{\s*secrets\.([A-Za-z_]+)\s*\}\}/g)].map((m) => m[1]);
            expect([...new Set(used)].sort()).to.deep.equal(["PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"]);
            for (const s of steps(doc)) {
                const where = JSON.stringify({ run: s.run, with: s.with });
                expect(where, "a secret outside env").not.to.match(/secrets\./);
                if (s.env && !s.uses?.startsWith("pulumi/actions@")) {
                    expect(JSON.stringify(s.env)).not.to.match(/secrets\./);
                }
            }
            expect(doc.permissions, "workflow-level permissions: none").to.deep.equal({});
            expect(Object.keys(doc.on)).not.to.include("pull_request_target");
        });
    }

    it("npmScripts finds npm run, npm test and unknown npm commands", () => {
        expect(npmScripts("npm ci --no-audit && npm run build; npm test\nnpm run-script lint")).to.deep.equal([
            "build",
            "test",
            "lint",
        ]);
        expect(npmScripts("npm publish")).to.deep.equal(["npm publish"]);
        expect(npmScripts("echo npmx run y")).to.deep.equal([]);
    });

    it("the validator rejects a broken workflow (a misspelt key)", () => {
        const bad =
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permisions: {}\n    steps:\n      - run: x\n";
        expect(validateWorkflow(bad).errors.length).to.be.greaterThan(0);
    });

    describe("preview.yml", () => {
        const doc = load("preview.yml");
        it("runs on pull requests to main, one job per listed stack, each stack file committed", () => {
            expect(doc.on).to.deep.equal({ pull_request: { branches: ["main"] } });
            const stacks: string[] = doc.jobs.preview.strategy.matrix.stack;
            expect(stacks).to.include("dev");
            for (const s of stacks) {
                expect(fs.existsSync(path.join(ROOT, `Pulumi.${s}.yaml`)), `Pulumi.${s}.yaml`).to.equal(true);
            }
        });

        it("sets up Node, installs with npm ci, then runs the official Pulumi action: preview, PR comment, diff", () => {
            const job = doc.jobs.preview;
            expect(job.permissions).to.deep.equal({ contents: "read", "pull-requests": "write" });
            const uses = (job.steps as Step[]).map((s) => s.uses ?? `run: ${s.run}`);
            expect(uses).to.deep.equal([
                "actions/checkout@v4",
                "actions/setup-node@v4",
                "run: npm ci --no-audit --no-fund",
                "run: npm run build",
                "pulumi/actions@v6",
            ]);
            expect(pulumiStep(doc, "preview").with).to.deep.equal({
                command: "preview",
                "stack-name": "${{ matrix.stack }}",
                "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
                "comment-on-pr": true,
                diff: true,
            });
        });
    });

    describe("up.yml", () => {
        const doc = load("up.yml");
        it("runs on pushes to main behind the production approval environment, one stack at a time", () => {
            expect(doc.on).to.deep.equal({ push: { branches: ["main"] } });
            const job = doc.jobs.up;
            expect(job.environment).to.equal("production");
            expect(job.permissions).to.deep.equal({ contents: "read" });
            expect(job.strategy["max-parallel"]).to.equal(1);
            expect(job.strategy.matrix.stack).to.deep.equal(load("preview.yml").jobs.preview.strategy.matrix.stack);
            expect(pulumiStep(doc, "up").with).to.deep.equal({
                command: "up",
                "stack-name": "${{ matrix.stack }}",
                "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
                diff: true,
            });
        });
    });
});
