// Lab runner CLI — TEST INFRASTRUCTURE for proving the program end to end where no
// Pulumi CLI exists. Users deploy with `pulumi up`. See README.md.
//
//   ts-node --transpile-only test/e2e/runner/cli.ts up|preview|destroy \
//       --stack-file Pulumi.lab.yaml --secret sshPrivateKey=@/root/.ssh/lab_ed25519 \
//       [--state .e2e-state/lab.json] [--program index.ts] [--report out.json] \
//       [--config key=value]… [--parallel N] [--per-host N] [--env-mode ssh|export] [--verbose]
//
// Exit status: 0 success, 1 a resource or the program failed (the message names the
// resource URN, the host and the step), 2 usage or setup error.

import * as fs from "fs";
import * as path from "path";
import { runLab, Mode, RunReport } from "./engine";
import { SshExecutor } from "./exec";
import { Redactor, consoleLogger } from "./log";
import { StateFile } from "./state";
import { SecretSource, buildStackConfig, readProjectFile, stackNameFromFile } from "./stackConfig";
import { EnvMode } from "./handlers/types";

export interface CliArgs {
    mode: Mode;
    stackFile?: string;
    stack?: string;
    project?: string;
    projectDir?: string;
    program?: string;
    state?: string;
    report?: string;
    secrets: SecretSource[];
    config: Record<string, string>;
    parallel?: number;
    perHost?: number;
    envMode?: EnvMode;
    verbose: boolean;
}

export const USAGE = `usage: cli.ts up|preview|destroy --stack-file Pulumi.<stack>.yaml [options]
  --stack-file <file>       stack config (YAML, config: map); the stack name comes from the file name
  --stack <name>            stack name (default: from --stack-file)
  --project-dir <dir>       directory with Pulumi.yaml (default: the stack file's directory)
  --project <name>          project name (default: Pulumi.yaml name)
  --program <path>          program module, relative to the current directory (default: Pulumi.yaml main, else the project directory)
  --secret <key>=@<file>    secret config value from a file (repeatable); or <key>=env:<VAR>
  --config <key>=<value>    plain config value (repeatable)
  --state <file>            state file (default .e2e-state/<stack>.json; key in <state>.key)
  --report <file>           JSON report (default <state without .json>.report.json)
  --parallel <n>            operations at once (default 4 per CPU, as pulumi up)
  --per-host <n>            operations at once per SSH host (default: no limit, as pulumi up)
  --env-mode ssh|export     remote.Command environment: SSH env requests like the provider (default) or exported in the command
  --verbose                 also print unchanged resources and components`;

/** Parses argv (without node and script). Throws with a usage message. Pure. */
export function parseArgs(argv: string[]): CliArgs {
    const [mode, ...rest] = argv;
    if (mode !== "up" && mode !== "preview" && mode !== "destroy") {
        throw new Error(`unknown or missing command ${JSON.stringify(mode ?? "")}\n${USAGE}`);
    }
    const a: CliArgs = { mode, secrets: [], config: {}, verbose: false };
    const need = (i: number, flag: string): string => {
        const v = rest[i + 1];
        if (v === undefined || v.startsWith("--")) {
            throw new Error(`${flag} needs a value\n${USAGE}`);
        }
        return v;
    };
    const kv = (s: string, flag: string): [string, string] => {
        const i = s.indexOf("=");
        if (i <= 0) {
            throw new Error(`${flag} expects <key>=<value>, got ${JSON.stringify(s)}`);
        }
        return [s.slice(0, i), s.slice(i + 1)];
    };
    const int = (s: string, flag: string): number => {
        const n = Number(s);
        if (!Number.isInteger(n) || n < 1) {
            throw new Error(`${flag} expects a positive integer`);
        }
        return n;
    };
    for (let i = 0; i < rest.length; i++) {
        const f = rest[i];
        switch (f) {
            case "--stack-file":
                a.stackFile = need(i++, f);
                break;
            case "--stack":
                a.stack = need(i++, f);
                break;
            case "--project":
                a.project = need(i++, f);
                break;
            case "--project-dir":
                a.projectDir = need(i++, f);
                break;
            case "--program":
                a.program = need(i++, f);
                break;
            case "--state":
                a.state = need(i++, f);
                break;
            case "--report":
                a.report = need(i++, f);
                break;
            case "--parallel":
                a.parallel = int(need(i++, f), f);
                break;
            case "--per-host":
                a.perHost = int(need(i++, f), f);
                break;
            case "--verbose":
                a.verbose = true;
                break;
            case "--env-mode": {
                const v = need(i++, f);
                if (v !== "ssh" && v !== "export") {
                    throw new Error("--env-mode is ssh or export");
                }
                a.envMode = v;
                break;
            }
            case "--secret": {
                const [key, source] = kv(need(i++, f), f);
                if (!source.startsWith("@") && !source.startsWith("env:")) {
                    throw new Error(`--secret ${key}: give @<file> or env:<VARIABLE>, never the value itself`);
                }
                a.secrets.push({ key, source });
                break;
            }
            case "--config": {
                const [key, value] = kv(need(i++, f), f);
                a.config[key] = value;
                break;
            }
            default:
                throw new Error(`unknown option ${f}\n${USAGE}`);
        }
    }
    if (a.mode !== "destroy" && !a.stackFile) {
        throw new Error(`${a.mode} needs --stack-file\n${USAGE}`);
    }
    return a;
}

export async function main(argv: string[]): Promise<number> {
    let args: CliArgs;
    let report: RunReport;
    let reportFile: string;
    const redactor = new Redactor();
    try {
        args = parseArgs(argv);
        const projectDir = path.resolve(args.projectDir ?? (args.stackFile ? path.dirname(args.stackFile) : "."));
        const projectFile = readProjectFile(projectDir);
        const stack = args.stack ?? (args.stackFile ? stackNameFromFile(args.stackFile) : undefined);
        if (!stack) {
            throw new Error("cannot tell the stack name: pass --stack or a stack file named Pulumi.<stack>.yaml");
        }
        const cfg = buildStackConfig({
            project: projectFile,
            projectName: args.project,
            stack,
            stackFile: args.stackFile,
            overrides: args.config,
            secrets: args.secrets,
        });
        for (const k of cfg.secretKeys) {
            redactor.add(cfg.config[k]);
        }
        const statePath = path.resolve(args.state ?? path.join(projectDir, ".e2e-state", `${stack}.json`));
        reportFile = path.resolve(args.report ?? statePath.replace(/\.json$/, "") + ".report.json");
        const program = args.program ? path.resolve(args.program) : path.resolve(projectDir, projectFile?.main ?? ".");
        // The program and its dynamic providers resolve paths as under the Pulumi CLI: from the project directory.
        process.chdir(projectDir);
        // Ctrl-C: like `pulumi up`, stop starting operations and let the running ones finish (again: exit now).
        const cancel = new AbortController();
        process.on("SIGINT", () => {
            if (cancel.signal.aborted) {
                process.exit(130);
            }
            cancel.abort();
        });
        report = await runLab(args.mode, {
            project: cfg.project,
            stack: cfg.stack,
            programDir: projectDir,
            program,
            config: cfg.config,
            secretKeys: cfg.secretKeys,
            state: new StateFile(statePath),
            executor: new SshExecutor(),
            parallel: args.parallel,
            perHost: args.perHost,
            envMode: args.envMode,
            logger: consoleLogger,
            signal: cancel.signal,
            verbose: args.verbose,
            redactor,
        });
    } catch (e) {
        process.stderr.write(redactor.redact(`error: ${(e as Error).message}`) + "\n");
        return 2;
    }
    fs.mkdirSync(path.dirname(reportFile), { recursive: true, mode: 0o700 });
    fs.writeFileSync(reportFile, redactor.redact(JSON.stringify(report, null, 2)) + "\n", { mode: 0o600 });
    process.stdout.write(`Report: ${reportFile}\n`);
    return report.ok ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e: unknown) => {
            process.stderr.write(`error: ${(e as Error).message}\n`);
            process.exit(2);
        },
    );
}
