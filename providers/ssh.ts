// SSH executor shared by every dynamic provider (MysqlDatabase, KeystoneEndpoint,
// QuantumNetwork, OvsBridge). Built on ssh2.
//
// Contract
// - `withSsh(conn, what, fn)` opens exactly ONE SSH connection for one provider
//   operation, hands fn a session (exec + HTTP through a tunnel), and always closes it.
//   Connecting retries a bounded number of times (`dialErrorLimit`, default 5, with
//   backoff) within an overall limit of 60 s; authentication failures are not retried.
// - Errors name the host, the resource (`what`) and the failing step, and pass through
//   `redact()` with every secret the session knows (private key, values given in
//   `secrets`, stdin), so they never contain a secret.
// - Scripts travel in the SSH exec request (`exec /bin/bash -c '<script>'`): they are
//   visible in the host's process list, so scripts must never contain secrets. Secrets
//   travel on the channel's stdin, which is kept free for exactly that purpose (that is
//   why `bash -s <script-on-stdin>` is not used).
// - HTTP goes through `forwardOut` (direct-tcpip) to host:port as seen from the SSH
//   host, so services bound to a management address are reachable without exposing
//   them to the machine running Pulumi.
//
// Closure serialization: dynamic providers call these functions from a closure the
// Pulumi SDK serializes by value and evaluates in a separate provider-host process.
// Everything here is therefore self-contained: module scope holds only functions and
// primitive constants, `ssh2`/`http` are `require`d inside the functions (resolved
// from node_modules in the provider host), no Map/Set/Date/RegExp is captured.
// Host keys are not verified (the lab regenerates hosts freely); like
// @pulumi/command's remote connection.
//
// The provider dialect (what all four providers share, defined here once)
// - Shape: each provider is one `SshProvider<XInputs, XOutputs>` (a typed
//   `pulumi.dynamic.ResourceProvider`) built from the module's `SshOperations`: its pure
//   check, diff and describe, and create/read/update/delete, which receive an `OnHost` —
//   the ONE way to reach the host: `ssh(fn)` opens one SSH connection to the resource's
//   `connection` (news for update, the stored outputs otherwise), runs fn, closes it. An
//   operation with nothing to do on the host (an update that only changes outputs, a
//   delete of adopted objects) never calls it and opens no connection.
// - Unknowns: `isUnknown(v)` is true for the engine's unknown marker itself. check tests
//   each field where it reads it (the known rest of a partly unknown object is still
//   validated); diff compares with `same`, where an unknown anywhere inside is a change.
// - Connection: `checkSshConnection` is the one check (defaults port 22, user root).
//   The one rule for a changed connection, the same for every provider:
//     connection.host changed (or unknown) → REPLACE. The host names the machine the
//       managed object lives on, or (API providers) the machine the API URLs are
//       resolved from: a URL such as http://127.0.0.1:5000 or a management address
//       means another API when seen from another host. Keeping the resource would
//       leave state describing objects on a machine we no longer talk to.
//     connection.port/user/privateKey/dialErrorLimit/perDialTimeout changed → UPDATE
//       with no remote action: the same machine, reached another way; the new values
//       are stored and used from now on.
//   Whether the replacement deletes first is each provider's rule (stated in its
//   header): whenever old and new share a natural key they cannot coexist.
// - Registration (the resource classes): providers/resource.ts.

import type { Client, ClientChannel, ConnectConfig } from "ssh2";
import type * as pulumi from "@pulumi/pulumi";

/** Same field names as @pulumi/command's `remote.ConnectionArgs`. */
export interface SshConnection {
    host: string;
    /** Default 22. */
    port?: number;
    /** Default "root". */
    user?: string;
    /** OpenSSH/PEM private key text (secret). */
    privateKey: string;
    /** Connection attempts before giving up (default 5). */
    dialErrorLimit?: number;
    /** Seconds per attempt for the TCP connect + SSH handshake (default 15). */
    perDialTimeout?: number;
}

/** The Input form providers accept (every field may be an Output; privateKey should be secret). */
export type SshConnectionArgs = { [K in keyof SshConnection]: pulumi.Input<SshConnection[K]> };

/**
 * The string the engine sends for unknown values during preview (dynamic providers see
 * it in check/diff; `pulumi.runtime.isDryRun()` is not available in the provider host).
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when `v` is the engine's unknown-value marker (the value itself, not one inside it). Pure. */
export function isUnknown(v: unknown): boolean {
    return v === UNKNOWN;
}

/**
 * Deep equality of JSON values for diff: arrays element by element, objects key by key
 * (undefined members ignored). An unknown value anywhere inside is never equal. Pure.
 */
export function same(a: unknown, b: unknown): boolean {
    if (isUnknown(a) || isUnknown(b)) {
        return false;
    }
    if (Array.isArray(a) || Array.isArray(b)) {
        return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
    }
    if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
        const ao = a as Record<string, unknown>;
        const bo = b as Record<string, unknown>;
        return [...Object.keys(ao), ...Object.keys(bo)].every((k) => same(ao[k], bo[k]));
    }
    return a === b;
}

/** `a.b.c` lookup for diff; a path through an unknown value is unknown. Pure. */
export function fieldAt(o: unknown, path: string): unknown {
    let cur = o;
    for (const part of path.split(".")) {
        if (isUnknown(cur)) {
            return cur;
        }
        if (cur === null || typeof cur !== "object") {
            return undefined;
        }
        cur = (cur as Record<string, unknown>)[part];
    }
    return cur;
}

/**
 * The diff all four providers share: `replaces` = "connection" when the host rule says
 * so (see the header), then the `replace` fields that differ; `changed` = every field
 * that differs, "connection" included for a port/user/key change. Fields are dotted
 * paths compared with `same`. Pure.
 */
export function diffFields(
    olds: unknown,
    news: unknown,
    fields: { replace: readonly string[]; update: readonly string[] },
): { replaces: string[]; changed: string[] } {
    const conn = diffSshConnection(fieldAt(olds, "connection"), fieldAt(news, "connection"));
    const differs = (f: string) => !same(fieldAt(olds, f), fieldAt(news, f));
    const replaces = [...(conn.hostChanged ? ["connection"] : []), ...fields.replace.filter(differs)];
    const changed = [
        ...replaces,
        ...(conn.otherChanged && !conn.hostChanged ? ["connection"] : []),
        ...fields.update.filter(differs),
    ];
    return { replaces, changed };
}

export interface CheckFailure {
    property: string;
    reason: string;
}

/** What a provider's pure check returns: normalized inputs and every failure. */
export interface CheckOutcome {
    inputs: Record<string, unknown>;
    failures: CheckFailure[];
}

/** The start of every check: the checked connection as `inputs.connection`, its failures. Pure. */
export function checkStart(news: Record<string, unknown>): CheckOutcome {
    const conn = checkSshConnection(news.connection);
    return { inputs: { connection: conn.value }, failures: [...conn.failures] };
}

/** What a check's field tests share: record a failure; is a value known; is it a non-empty string. Pure. */
export function checkTools(failures: CheckFailure[]): {
    fail: (property: string, reason: string) => void;
    known: (v: unknown) => boolean;
    str: (v: unknown) => boolean;
} {
    return {
        fail: (property, reason) => {
            failures.push({ property, reason });
        },
        known: (v) => !isUnknown(v),
        str: (v) => typeof v === "string" && v.length > 0,
    };
}

/**
 * Validates and normalizes a connection input for `check` (defaults port 22, user
 * root). Unknown values (preview) pass through unvalidated; the whole connection may
 * be unknown. Reasons never contain the private key. Pure.
 */
export function checkSshConnection(v: unknown, property = "connection"): { value: unknown; failures: CheckFailure[] } {
    const failures: CheckFailure[] = [];
    if (isUnknown(v)) {
        return { value: v, failures };
    }
    if (!v || typeof v !== "object" || Array.isArray(v)) {
        return {
            value: v,
            failures: [{ property, reason: "connection must be an object { host, port?, user?, privateKey }" }],
        };
    }
    const c = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    if (isUnknown(c.host)) {
        out.host = c.host;
    } else if (
        typeof c.host !== "string" ||
        !/^[A-Za-z0-9]([A-Za-z0-9.:_-]*[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$/.test(c.host)
    ) {
        failures.push({ property: `${property}.host`, reason: "host must be a host name or IP address" });
        out.host = c.host;
    } else {
        out.host = c.host;
    }
    if (c.port === undefined || c.port === null) {
        out.port = 22;
    } else if (isUnknown(c.port)) {
        out.port = c.port;
    } else if (typeof c.port !== "number" || !Number.isInteger(c.port) || c.port < 1 || c.port > 65535) {
        failures.push({ property: `${property}.port`, reason: "port must be an integer between 1 and 65535" });
        out.port = c.port;
    } else {
        out.port = c.port;
    }
    if (c.user === undefined || c.user === null) {
        out.user = "root";
    } else if (isUnknown(c.user)) {
        out.user = c.user;
    } else if (typeof c.user !== "string" || !/^[a-z_][a-z0-9_.-]{0,31}$/.test(c.user)) {
        failures.push({ property: `${property}.user`, reason: "user must be a POSIX user name" });
        out.user = c.user;
    } else {
        out.user = c.user;
    }
    if (isUnknown(c.privateKey)) {
        out.privateKey = c.privateKey;
    } else if (typeof c.privateKey !== "string" || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(c.privateKey)) {
        failures.push({
            property: `${property}.privateKey`,
            reason: "privateKey must be a PEM/OpenSSH private key (-----BEGIN ... PRIVATE KEY-----)",
        });
        out.privateKey = c.privateKey;
    } else {
        out.privateKey = c.privateKey;
    }
    for (const k of ["dialErrorLimit", "perDialTimeout"]) {
        const x = c[k];
        if (x === undefined || x === null) {
            continue;
        }
        if (!isUnknown(x) && (typeof x !== "number" || !(x > 0))) {
            failures.push({ property: `${property}.${k}`, reason: `${k} must be a positive number` });
        }
        out[k] = x;
    }
    return { value: out, failures };
}

/**
 * The connection rule (see the header): `hostChanged` → replace; `otherChanged` (port,
 * user, key, dial settings) → update with no remote action. Pure.
 */
export function diffSshConnection(olds: unknown, news: unknown): { hostChanged: boolean; otherChanged: boolean } {
    if (isUnknown(news) || !news || typeof news !== "object") {
        return { hostChanged: true, otherChanged: true };
    }
    const o = (olds && typeof olds === "object" ? olds : {}) as Record<string, unknown>;
    const n = news as Record<string, unknown>;
    const hostChanged = isUnknown(n.host) || o.host !== n.host;
    let otherChanged = false;
    for (const k of ["port", "user", "privateKey", "dialErrorLimit", "perDialTimeout"]) {
        if (isUnknown(n[k]) || o[k] !== n[k]) {
            otherChanged = true;
        }
    }
    return { hostChanged, otherChanged };
}

export interface ExecResult {
    code: number;
    stdout: string;
    stderr: string;
}

export interface ExecOptions {
    /** Data for the script's standard input (the ONLY place secrets may travel). */
    stdin?: string;
    /** Extra secret values to redact from any error this session raises from now on. */
    secrets?: string[];
    /** Kill the command after this many milliseconds (default 300 000). */
    timeoutMs?: number;
}

export interface HttpRequest {
    method: string;
    path: string;
    headers?: Record<string, string>;
    /** Sent as JSON (Content-Type: application/json) unless it is a string. */
    body?: unknown;
}

export interface HttpResponse {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    /** Parsed JSON when the body parses as JSON, else the text. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    body: any;
    text: string;
}

export interface SshSession {
    /** Runs the script with bash on the SSH host; resolves with the exit code (non-zero does not throw). */
    exec(script: string, opts?: ExecOptions): Promise<ExecResult>;
    /** Like exec, but a non-zero exit throws an error naming host, resource and `step` (stderr redacted). */
    run(step: string, script: string, opts?: ExecOptions): Promise<ExecResult>;
    /** HTTP through an SSH tunnel to host:port as seen from the SSH host. Any status resolves. */
    http(target: { host: string; port: number }, req: HttpRequest): Promise<HttpResponse>;
    /** Throws an error naming host, resource and step; the detail is redacted. */
    fail(step: string, detail: string): never;
    /** Registers secret values for redaction in this session's errors. */
    addSecrets(...values: (string | undefined)[]): void;
    /** "user@host:port", for messages. */
    readonly target: string;
}

/** Error raised by withSsh and the session: message = `<what>: <step> on <target> failed: <detail>`. */
export interface SshError extends Error {
    host: string;
    what: string;
    step: string;
}

/**
 * Replaces every occurrence of the given secrets (and of a few well-known secret
 * shapes: PEM blocks, `IDENTIFIED BY '…'`, `PASSWORD('…')`, `scheme://user:pw@`,
 * JSON "password"/"token" fields, X-Auth-Token headers) with `[secret]`.
 * Also redacts each non-trivial line of a multi-line secret. Pure.
 */
export function redact(text: string, secrets: (string | undefined)[] = []): string {
    let out = String(text);
    const values: string[] = [];
    for (const s of secrets) {
        if (typeof s !== "string" || s.length === 0) {
            continue;
        }
        values.push(s);
        if (s.includes("\n")) {
            for (const line of s.split("\n")) {
                if (line.trim().length >= 8) {
                    values.push(line.trim());
                }
            }
        }
    }
    // Longest first so a secret containing another is removed whole.
    values.sort((a, b) => b.length - a.length);
    for (const v of values) {
        out = out.split(v).join("[secret]");
    }
    out = out.replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, "[secret]");
    out = out.replace(/(IDENTIFIED\s+BY\s+)'(?:[^'\\]|\\.|'')*'/gi, "$1'[secret]'");
    out = out.replace(/(PASSWORD\s*\(\s*)'(?:[^'\\]|\\.|'')*'/gi, "$1'[secret]'");
    out = out.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi, "$1[secret]@");
    out = out.replace(/("(?:password|token|secret|admin_token)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"[secret]"');
    out = out.replace(/(X-(?:Auth|Subject)-Token\s*:\s*)\S+/gi, "$1[secret]");
    return out;
}

/** Builds the error thrown by withSsh / sessions (message redacted). */
export function sshError(
    host: string,
    what: string,
    step: string,
    detail: string,
    secrets: (string | undefined)[] = [],
): SshError {
    const msg = `${what}: ${step} on ${host} failed: ${redact(detail, secrets)}`;
    const e = new Error(msg) as SshError;
    e.name = "SshError";
    e.host = host;
    e.what = what;
    e.step = step;
    return e;
}

/** Single-quotes a string for bash. Pure. */
export function shellQuote(s: string): string {
    return "'" + String(s).split("'").join("'\\''") + "'";
}

/** The exec request sent over SSH for a script: bash runs the script text given as argument. Pure. */
export function execCommand(script: string): string {
    return "exec /bin/bash -c " + shellQuote(script);
}

/** Connection defaults and bounds: [attempts, per-attempt timeout ms, overall limit ms]. Pure. */
export function dialPolicy(conn: SshConnection): {
    attempts: number;
    perDialMs: number;
    overallMs: number;
    backoffMs: number[];
} {
    const attempts = Math.max(1, Math.min(20, Math.floor(conn.dialErrorLimit ?? 5)));
    const perDialMs = Math.max(1, Math.min(120, conn.perDialTimeout ?? 15)) * 1000;
    const backoffMs: number[] = [];
    for (let i = 0; i < attempts - 1; i++) {
        backoffMs.push(Math.min(8000, 500 * 2 ** i));
    }
    return { attempts, perDialMs, overallMs: 60000, backoffMs };
}

/**
 * Opens one SSH connection (bounded retries), runs fn with a session, closes the
 * connection whatever happens. `what` names the resource in errors, e.g.
 * `MysqlDatabase nova`.
 */
export async function withSsh<T>(conn: SshConnection, what: string, fn: (s: SshSession) => Promise<T>): Promise<T> {
    const ssh2 = require("ssh2") as typeof import("ssh2");
    const port = conn.port ?? 22;
    const user = conn.user ?? "root";
    const target = `${user}@${conn.host}:${port}`;
    const secrets: string[] = [conn.privateKey];
    const fail = (step: string, detail: string): never => {
        throw sshError(target, what, step, detail, secrets);
    };
    if (typeof conn.host !== "string" || conn.host.length === 0) {
        fail("connect", "no host given");
    }
    if (typeof conn.privateKey !== "string" || conn.privateKey.length === 0) {
        fail("connect", "no private key given");
    }

    const policy = dialPolicy(conn);
    const started = Date.now();
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

    const dialOnce = (timeoutMs: number): Promise<Client> =>
        new Promise<Client>((resolve, reject) => {
            const c = new ssh2.Client();
            let settled = false;
            const timer = setTimeout(() => {
                if (settled) {
                    return;
                }
                settled = true;
                c.end();
                reject(
                    Object.assign(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s`), {
                        level: "client-timeout",
                    }),
                );
            }, timeoutMs + 1000);
            c.on("ready", () => {
                if (settled) {
                    return;
                }
                settled = true;
                clearTimeout(timer);
                resolve(c);
            });
            c.on("error", (err: Error & { level?: string }) => {
                if (settled) {
                    return;
                }
                settled = true;
                clearTimeout(timer);
                c.end();
                reject(err);
            });
            c.on("close", () => {
                if (settled) {
                    return;
                }
                settled = true;
                clearTimeout(timer);
                reject(new Error("connection closed during handshake"));
            });
            let key: ConnectConfig["privateKey"];
            try {
                key = conn.privateKey;
                c.connect({
                    host: conn.host,
                    port,
                    username: user,
                    privateKey: key,
                    readyTimeout: timeoutMs,
                    keepaliveInterval: 10000,
                    keepaliveCountMax: 3,
                    tryKeyboard: false,
                });
            } catch (e) {
                // ssh2 throws synchronously for unparsable keys; never echo the key.
                settled = true;
                clearTimeout(timer);
                reject(
                    Object.assign(new Error(`invalid private key (${(e as Error).message})`), { level: "client-key" }),
                );
            }
        });

    let client: Client | undefined;
    const errors: string[] = [];
    for (let attempt = 1; attempt <= policy.attempts; attempt++) {
        const left = policy.overallMs - (Date.now() - started);
        if (left <= 0) {
            break;
        }
        try {
            client = await dialOnce(Math.min(policy.perDialMs, left));
            break;
        } catch (e) {
            const err = e as Error & { level?: string; code?: string };
            errors.push(`attempt ${attempt}: ${err.code ? err.code + " " : ""}${err.message}`);
            // Wrong credentials or a broken key will not fix themselves: no retry.
            if (err.level === "client-authentication" || err.level === "client-key") {
                fail(
                    "connect (authentication)",
                    `${err.message}: the SSH server rejected the private key for user ${user}`,
                );
            }
            const wait = policy.backoffMs[attempt - 1];
            if (wait === undefined || Date.now() - started + wait >= policy.overallMs) {
                break;
            }
            await sleep(wait);
        }
    }
    if (!client) {
        return fail(
            "connect",
            `unreachable after ${errors.length} attempt(s) in ${Math.round((Date.now() - started) / 1000)} s (${errors.join("; ")})`,
        );
    }
    const c: Client = client;

    const exec = (script: string, opts: ExecOptions = {}): Promise<ExecResult> => {
        if (opts.secrets) {
            for (const s of opts.secrets) {
                if (s) {
                    secrets.push(s);
                }
            }
        }
        // The whole stdin (and each of its longer lines, see redact) counts as secret;
        // very short stdin is not treated as a secret (it would mangle messages): pass
        // short secrets in `secrets`.
        if (opts.stdin && opts.stdin.length >= 6) {
            secrets.push(opts.stdin);
        }
        const command = execCommand(script);
        if (command.length > 120000) {
            fail("exec", `script too long (${command.length} bytes); ship large content on stdin`);
        }
        const timeoutMs = opts.timeoutMs ?? 300000;
        return new Promise<ExecResult>((resolve, reject) => {
            c.exec(command, (err: Error | undefined, stream: ClientChannel) => {
                if (err) {
                    reject(sshError(target, what, "exec", `cannot open a session channel: ${err.message}`, secrets));
                    return;
                }
                const out: Buffer[] = [];
                const errb: Buffer[] = [];
                let code: number | undefined;
                let signal: string | undefined;
                let done = false;
                const timer = setTimeout(() => {
                    if (done) {
                        return;
                    }
                    done = true;
                    try {
                        stream.signal("KILL");
                    } catch {
                        /* ignore */
                    }
                    stream.close();
                    reject(
                        sshError(
                            target,
                            what,
                            "exec",
                            `command timed out after ${Math.round(timeoutMs / 1000)} s`,
                            secrets,
                        ),
                    );
                }, timeoutMs);
                stream.on("data", (d: Buffer) => out.push(d));
                stream.stderr.on("data", (d: Buffer) => errb.push(d));
                stream.on("exit", (c1: number | null, sig?: string) => {
                    if (typeof c1 === "number") {
                        code = c1;
                    }
                    if (sig) {
                        signal = sig;
                    }
                });
                stream.on("close", () => {
                    if (done) {
                        return;
                    }
                    done = true;
                    clearTimeout(timer);
                    resolve({
                        code: code ?? (signal ? 128 : 255),
                        stdout: Buffer.concat(out).toString("utf8"),
                        stderr: Buffer.concat(errb).toString("utf8") + (signal ? `\n(killed by signal ${signal})` : ""),
                    });
                });
                if (opts.stdin !== undefined && opts.stdin.length > 0) {
                    stream.end(opts.stdin);
                } else {
                    stream.end();
                }
            });
        });
    };

    const run = async (step: string, script: string, opts: ExecOptions = {}): Promise<ExecResult> => {
        const r = await exec(script, opts);
        if (r.code !== 0) {
            const tail = (r.stderr.trim() || r.stdout.trim()).split("\n").slice(-15).join("\n");
            fail(step, `exit ${r.code}: ${tail}`);
        }
        return r;
    };

    const http = (t: { host: string; port: number }, req: HttpRequest): Promise<HttpResponse> => {
        const httpMod = require("http") as typeof import("http");
        const step = `HTTP ${req.method} http://${t.host}:${t.port}${req.path.split("?")[0]}`;
        return new Promise<HttpResponse>((resolve, reject) => {
            c.forwardOut("127.0.0.1", 0, t.host, t.port, (err: Error | undefined, stream: ClientChannel) => {
                if (err) {
                    reject(
                        sshError(target, what, step, `tunnel to ${t.host}:${t.port} refused: ${err.message}`, secrets),
                    );
                    return;
                }
                let payload: string | undefined;
                const headers: Record<string, string> = { Accept: "application/json", ...(req.headers ?? {}) };
                for (const [k, v] of Object.entries(headers)) {
                    if (/token|authorization|password|secret/i.test(k)) {
                        secrets.push(v);
                    }
                }
                if (req.body !== undefined) {
                    payload = typeof req.body === "string" ? req.body : JSON.stringify(req.body);
                    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
                        headers["Content-Type"] = "application/json";
                    }
                    headers["Content-Length"] = String(Buffer.byteLength(payload));
                    secrets.push(payload);
                }
                const r = httpMod.request(
                    {
                        host: t.host,
                        port: t.port,
                        method: req.method,
                        path: req.path,
                        headers,
                        agent: false,
                        createConnection: () => stream as unknown as import("net").Socket,
                        timeout: 120000,
                    },
                    (res) => {
                        const chunks: Buffer[] = [];
                        res.on("data", (d: Buffer) => chunks.push(d));
                        res.on("error", (e: Error) =>
                            reject(sshError(target, what, step, `reading response: ${e.message}`, secrets)),
                        );
                        res.on("end", () => {
                            const text = Buffer.concat(chunks).toString("utf8");
                            let body: unknown = text;
                            if (text.length > 0) {
                                try {
                                    body = JSON.parse(text);
                                } catch {
                                    body = text;
                                }
                            }
                            resolve({
                                status: res.statusCode ?? 0,
                                headers: res.headers as Record<string, string | string[] | undefined>,
                                body,
                                text,
                            });
                        });
                    },
                );
                r.on("timeout", () => r.destroy(new Error("no response within 120 s")));
                r.on("error", (e: Error) => reject(sshError(target, what, step, e.message, secrets)));
                if (payload !== undefined) {
                    r.end(payload);
                } else {
                    r.end();
                }
            });
        });
    };

    const session: SshSession = {
        exec,
        run,
        http,
        fail,
        addSecrets: (...values: (string | undefined)[]) => {
            for (const v of values) {
                if (v) {
                    secrets.push(v);
                }
            }
        },
        target,
    };
    try {
        return await fn(session);
    } catch (e) {
        const err = e as Partial<SshError>;
        if (err && err.name === "SshError") {
            throw e;
        }
        // Anything else (a bug, a parse error in fn) still gets context and redaction.
        throw sshError(target, what, "operation", err && err.message ? err.message : String(e), secrets);
    } finally {
        c.end();
    }
}

/** One operation's way to its host: each call opens ONE SSH connection for fn and closes it. */
export type OnHost = <T>(fn: (s: SshSession) => Promise<T>) => Promise<T>;

/** The OnHost for a connection; `what` names the resource in errors (`MysqlDatabase nova`). */
export function sshTo(conn: SshConnection, what: string): OnHost {
    return (fn) => withSsh(conn, what, fn);
}

/**
 * What a provider module gives `SshProvider` (see "The provider dialect" in the header):
 * its pure check, diff and describe, and the four operations, each on an `OnHost`.
 */
export interface SshOperations<I extends { connection: SshConnection }, O extends I> {
    /** The pure check (raw inputs as the engine sends them). */
    check(news: Record<string, unknown>): CheckOutcome;
    /** The pure diff of stored outputs against new (checked) inputs. */
    diff(olds: O, news: Record<string, unknown>): pulumi.dynamic.DiffResult;
    /** `<Type> <natural key>`, for errors. */
    describe(p: I, id?: string): string;
    create(ssh: OnHost, inputs: I): Promise<pulumi.dynamic.CreateResult<O>>;
    read(ssh: OnHost, id: string, props: O): Promise<pulumi.dynamic.ReadResult<O>>;
    update(ssh: OnHost, id: string, olds: O, news: I): Promise<pulumi.dynamic.UpdateResult<O>>;
    delete(ssh: OnHost, id: string, props: O): Promise<void>;
}

/**
 * The one provider shape (see "The provider dialect" in the header): the engine's calls
 * on a module's `ops`, with the connection picked for each operation. Its one field,
 * `ops`, is serialized with the instance.
 */
export class SshProvider<I extends { connection: SshConnection }, O extends I> implements pulumi.dynamic
    .ResourceProvider<I, O> {
    constructor(readonly ops: SshOperations<I, O>) {}

    async check(_olds: I, news: I): Promise<pulumi.dynamic.CheckResult<I>> {
        const r = this.ops.check(news as unknown as Record<string, unknown>);
        return { inputs: r.inputs as unknown as I, failures: r.failures };
    }

    async diff(_id: string, olds: O, news: I): Promise<pulumi.dynamic.DiffResult> {
        return this.ops.diff(olds, news as unknown as Record<string, unknown>);
    }

    async create(inputs: I): Promise<pulumi.dynamic.CreateResult<O>> {
        return this.ops.create(sshTo(inputs.connection, this.ops.describe(inputs)), inputs);
    }

    async read(id: string, props?: O): Promise<pulumi.dynamic.ReadResult<O>> {
        if (!props || !props.connection) {
            throw new Error(`resource ${id}: read needs the stored connection (import is not supported)`);
        }
        return this.ops.read(sshTo(props.connection, this.ops.describe(props, id)), id, props);
    }

    async update(id: string, olds: O, news: I): Promise<pulumi.dynamic.UpdateResult<O>> {
        return this.ops.update(sshTo(news.connection, this.ops.describe(news, id)), id, olds, news);
    }

    async delete(id: string, props: O): Promise<void> {
        return this.ops.delete(sshTo(props.connection, this.ops.describe(props, id)), id, props);
    }
}
