// Lab runner: command:remote:Command and command:remote:CopyToRemote with the semantics
// of @pulumi/command 1.x (provider/pkg/provider/remote in pulumi-command):
//
// Command
//   - Create runs `create` (nothing when unset); outputs = inputs + stdout + stderr, each
//     with one trailing newline trimmed. The id is "<name><8 hex>".
//   - Diff: any changed input is a change (the provider diffs all inputs, so editing only
//     `delete` or `logging` also counts). `triggers` changes replace the resource (the SDK
//     sets replaceOnChanges: ["triggers[*]"], the schema marks triggers replaceOnChanges);
//     `create`, `stdin`, `environment`, `connection` changes are UPDATES.
//   - Update runs `update` if set, else `create`, with PULUMI_COMMAND_STDOUT/STDERR set to
//     the previous stdout/stderr (addPreviousOutputInEnv, default true; only when non-empty).
//   - Delete runs `delete` (nothing when unset) with the previous stdout/stderr likewise.
//   - A non-zero exit fails the step; the error shows the tail of stdout/stderr (as far as
//     `logging` allows; redacted later) and never stdin.
//   - `environment` goes out as SSH env requests (the provider's session.Setenv; sshd keeps
//     only what AcceptEnv lists). With envMode "export" the runner instead prefixes the
//     command with `export K='v';` lines — a lab convenience, not what `pulumi up` does.
//
// CopyToRemote
//   - Create/Update write the asset (FileAsset or StringAsset) to `remotePath` over SFTP;
//     Update copies only when the asset hash or remotePath changed. Delete does nothing
//     (the provider leaves the file). Archives and copying into an existing directory
//     are not supported by the lab runner.

import { tail } from "../log";
import { ExecResult, SshTarget, targetFromConnection } from "../exec";
import { ResourceState } from "../state";
import { Wire, WireMap, assetContent, changedKeys, isObject, unwrapMap, wireEqual } from "../values";
import { DiffResult, Handler, StepContext, StepError, hostLabel, uniqueHexId } from "./types";

type Step = "create" | "update" | "delete";

function targetOf(ctx: StepContext, props: WireMap, step: string): SshTarget {
    try {
        return targetFromConnection(unwrapMap(props).connection);
    } catch (e) {
        throw new StepError(ctx.urn, undefined, step, (e as Error).message);
    }
}

function hostOf(inputs: WireMap): string | undefined {
    const conn = unwrapMap(inputs).connection;
    if (!isObject(conn) || typeof conn.host !== "string") {
        return undefined;
    }
    return `${typeof conn.user === "string" ? conn.user : "root"}@${conn.host}:${typeof conn.port === "number" ? conn.port : 22}`;
}

/** Single-quotes a value for a POSIX shell. Pure. */
export function shq(s: string): string {
    return "'" + s.split("'").join("'\\''") + "'";
}

/** `export K='v'` lines prepended to a command (envMode "export"). Pure. */
export function exportPrefix(env: Record<string, string>): string {
    return Object.keys(env)
        .sort()
        .map((k) => {
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
                throw new Error(`environment variable name ${JSON.stringify(k)} is not valid in a shell`);
            }
            return `export ${k}=${shq(env[k])}\n`;
        })
        .join("");
}

/** One trailing newline removed, like strings.TrimSuffix(out, "\n"). Pure. */
export function trimNewline(s: string): string {
    return s.endsWith("\n") ? s.slice(0, -1) : s;
}

/** The failure detail for a non-zero exit: exit status and output tails as `logging` allows. Pure. */
export function failureDetail(r: ExecResult, logging: string | undefined, lines = 20): string {
    const status =
        r.exitCode === null
            ? `no exit status${r.signal ? ` (signal ${r.signal})` : " (connection lost?)"}`
            : `exit code ${r.exitCode}`;
    const mode = logging ?? "stdoutAndStderr";
    const parts = [status];
    const showOut = mode === "stdout" || mode === "stdoutAndStderr";
    const showErr = mode === "stderr" || mode === "stdoutAndStderr";
    if (showOut && r.stdout.trim()) {
        parts.push(`--- stdout (last ${lines} lines) ---\n${tail(r.stdout, lines)}`);
    }
    if (showErr && r.stderr.trim()) {
        parts.push(`--- stderr (last ${lines} lines) ---\n${tail(r.stderr, lines)}`);
    }
    if (!showOut || !showErr) {
        parts.push(`(output not shown: logging=${mode})`);
    }
    return parts.join("\n");
}

async function run(
    ctx: StepContext,
    step: Step,
    script: string,
    props: WireMap,
    prev?: WireMap,
): Promise<{ stdout: string; stderr: string }> {
    const target = targetOf(ctx, props, step);
    const p = unwrapMap(props);
    const env: Record<string, string> = {};
    if (isObject(p.environment)) {
        for (const [k, v] of Object.entries(p.environment)) {
            env[k] = String(v);
        }
    }
    if (p.addPreviousOutputInEnv !== false && prev) {
        const pv = unwrapMap(prev);
        if (typeof pv.stdout === "string" && pv.stdout !== "") {
            env.PULUMI_COMMAND_STDOUT = pv.stdout;
        }
        if (typeof pv.stderr === "string" && pv.stderr !== "") {
            env.PULUMI_COMMAND_STDERR = pv.stderr;
        }
    }
    const hasEnv = Object.keys(env).length > 0;
    let command = script;
    try {
        if (ctx.envMode === "export" && hasEnv) {
            command = exportPrefix(env) + script;
        }
    } catch (e) {
        throw new StepError(ctx.urn, hostLabel(target), step, (e as Error).message);
    }
    let r: ExecResult;
    try {
        r = await ctx.exec(target, {
            command,
            stdin: typeof p.stdin === "string" ? p.stdin : undefined,
            env: ctx.envMode === "ssh" && hasEnv ? env : undefined,
            timeoutMs: ctx.timeoutMs,
        });
    } catch (e) {
        throw new StepError(ctx.urn, hostLabel(target), step, (e as Error).message);
    }
    if (r.exitCode !== 0) {
        throw new StepError(
            ctx.urn,
            hostLabel(target),
            step,
            failureDetail(r, typeof p.logging === "string" ? p.logging : undefined),
        );
    }
    return { stdout: trimNewline(r.stdout), stderr: trimNewline(r.stderr) };
}

function str(v: Wire | undefined): string | undefined {
    return typeof v === "string" ? v : undefined;
}

export const remoteCommand: Handler = {
    host: hostOf,

    async diff(_ctx, old: ResourceState, news: WireMap): Promise<DiffResult> {
        const keys = changedKeys(old.inputs, news);
        return { changes: keys.length > 0, changedKeys: keys, replaceKeys: keys.filter((k) => k === "triggers") };
    },

    async create(ctx, inputs) {
        const create = str(unwrapMap(inputs).create);
        const out = create === undefined ? { stdout: "", stderr: "" } : await run(ctx, "create", create, inputs);
        return { id: uniqueHexId(ctx.name), outputs: { ...inputs, stdout: out.stdout, stderr: out.stderr } };
    },

    async update(ctx, old, inputs) {
        const p = unwrapMap(inputs);
        const script = str(p.update) ?? str(p.create);
        const prev = { stdout: old.outputs.stdout ?? "", stderr: old.outputs.stderr ?? "" };
        const out = script === undefined ? prev : await run(ctx, "update", script, inputs, old.outputs);
        return { ...inputs, stdout: out.stdout, stderr: out.stderr };
    },

    async delete(ctx, old) {
        const del = str(unwrapMap(old.outputs).delete);
        if (del === undefined) {
            return;
        }
        await run(ctx, "delete", del, old.outputs, old.outputs);
    },
};

async function copy(ctx: StepContext, step: Step, inputs: WireMap): Promise<void> {
    const target = targetOf(ctx, inputs, step);
    const p = unwrapMap(inputs);
    if (typeof p.remotePath !== "string" || p.remotePath === "") {
        throw new StepError(ctx.urn, hostLabel(target), step, "remotePath is not set");
    }
    if (!isObject(p.source)) {
        throw new StepError(ctx.urn, hostLabel(target), step, "source is not set");
    }
    let content: Buffer;
    try {
        content = assetContent(p.source, ctx.programDir);
    } catch (e) {
        throw new StepError(ctx.urn, hostLabel(target), step, (e as Error).message);
    }
    try {
        await ctx.putFile(target, p.remotePath, content);
    } catch (e) {
        throw new StepError(ctx.urn, hostLabel(target), step, (e as Error).message);
    }
}

export const copyToRemote: Handler = {
    host: hostOf,

    async diff(_ctx, old, news) {
        const keys = changedKeys(old.inputs, news);
        return { changes: keys.length > 0, changedKeys: keys, replaceKeys: keys.filter((k) => k === "triggers") };
    },

    async create(ctx, inputs) {
        await copy(ctx, "create", inputs);
        return { id: uniqueHexId(""), outputs: { ...inputs } };
    },

    async update(ctx, old, inputs) {
        const o = unwrapMap(old.inputs);
        const n = unwrapMap(inputs);
        if (!wireEqual(o.source, n.source) || o.remotePath !== n.remotePath) {
            await copy(ctx, "update", inputs);
        }
        return { ...inputs };
    },

    async delete() {
        // The provider leaves the remote file in place.
    },
};
