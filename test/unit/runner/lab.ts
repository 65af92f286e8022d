// Shared harness of the lab-runner engine tests: runs a fixture program through `runLab`
// against a recording fake executor, with a state file in a temporary directory.

import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runLab, Mode, ProgramFn, RunReport, EngineOptions } from "../../e2e/runner/engine";
import { ExecRequest } from "../../e2e/runner/exec";
import { MemoryLogger, Redactor } from "../../e2e/runner/log";
import { StateFile } from "../../e2e/runner/state";
import { FakeExecutor, FakeBehaviour } from "./fakeExecutor";

export const KEY =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAfixturekeymaterial\n-----END OPENSSH PRIVATE KEY-----\n";
/** URN prefix of the fixture stack. */
export const P = "urn:pulumi:test::fixture::";

export interface Run {
    report: RunReport;
    fake: FakeExecutor;
    log: MemoryLogger;
    /** What `providerCalls` recorded during the run. */
    calls: string[];
}

export class Lab {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-runner-"));
    readonly statePath = path.join(this.dir, "state", "test.json");

    /**
     * @param program the fixture program
     * @param providerCalls the dynamic providers' call log (emptied before each run)
     * @param secrets secret config values besides the SSH key ("fixture:" is prefixed)
     */
    constructor(
        private readonly program: ProgramFn,
        private readonly providerCalls: () => string[] = () => [],
        private readonly secrets: Record<string, string> = {},
    ) {}

    async run(
        mode: Mode,
        config: Record<string, string> = {},
        behave?: (host: string, command: string, req: ExecRequest) => FakeBehaviour,
        extra: Partial<EngineOptions> = {},
    ): Promise<Run> {
        const fake = new FakeExecutor(behave);
        const log = new MemoryLogger();
        const redactor = new Redactor();
        redactor.add(KEY);
        const calls = this.providerCalls();
        calls.length = 0;
        const full: Record<string, string> = { "fixture:sshPrivateKey": KEY };
        for (const [k, v] of Object.entries({ ...this.secrets, ...config })) {
            full[`fixture:${k}`] = v;
        }
        const report = await runLab(mode, {
            project: "fixture",
            stack: "test",
            programDir: path.join(__dirname, "fixtures"),
            program: this.program,
            config: full,
            secretKeys: ["fixture:sshPrivateKey", ...Object.keys(this.secrets).map((k) => `fixture:${k}`)],
            state: new StateFile(this.statePath),
            executor: fake,
            logger: log,
            redactor,
            ...extra,
        });
        return { report, fake, log, calls: [...calls] };
    }

    state() {
        return new StateFile(this.statePath).load("fixture", "test");
    }

    cleanup(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

export function res(r: RunReport, urn: string, op?: string) {
    const x = r.resources.find((e) => e.urn === urn && (op === undefined || e.op === op));
    if (!x) {
        throw new Error(`no report for ${urn} ${op ?? ""}`);
    }
    return x;
}

/** Every resource started only after everything it waited for (dependencies, parent) had ended. */
export function expectDependencyOrder(r: RunReport): void {
    for (const e of r.resources) {
        if (e.start === undefined || e.op === "delete") {
            continue;
        }
        for (const d of e.waitedFor) {
            const dep = r.resources.find((x) => x.urn === d && x.op !== "delete");
            if (dep?.end !== undefined) {
                expect(dep.end, `${e.urn} started before ${d} ended`).to.be.at.most(e.start);
            }
        }
    }
}

/**
 * The SDK records a stack trace for every promise it creates (debuggablePromise), which
 * ts-node's source-map support makes expensive; short traces keep these tests fast.
 */
export function shortStackTraces(): void {
    let saved = Error.stackTraceLimit;
    before(() => {
        saved = Error.stackTraceLimit;
        Error.stackTraceLimit = 1;
    });
    after(() => {
        Error.stackTraceLimit = saved;
    });
}
