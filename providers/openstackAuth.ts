// OpenStack REST plumbing shared by the KeystoneEndpoint and QuantumNetwork
// dynamic providers: URL splitting, token acquisition per Keystone dialect,
// a data-only description of API calls (`ApiCall`) plus the one runner that
// executes them through an `SshSession.http` tunnel, and error texts. The
// provider dialect itself (unknown values, the connection check and rule, the
// provider shape, the SSH wrapper) is in providers/ssh.ts.
//
// Dialects:
// - "v2.0" (Folsom): Keystone v2.0. Either the admin token from keystone.conf
//   is sent as-is in `X-Auth-Token` (catalog administration on :35357), or a
//   user token is fetched with `POST /v2.0/tokens` {passwordCredentials,
//   tenantName} and read from `access.token.id`.
// - "v3" (Zed): `POST /v3/auth/tokens` with password auth scoped to a project;
//   the token comes back in the `X-Subject-Token` response header.
//
// Everything but `send`/`getJson`/`runCalls`/`acquireToken` is pure. Errors
// are raised through the SSH session's `fail`, which names the SSH host and the
// resource and redacts every secret the session knows (token, password).
//
// These functions are captured by value when Pulumi serializes a provider, so
// they use no module-level state and `require` nothing.

import type { HttpRequest, HttpResponse, OnHost, SshSession } from "./ssh";

export type Dialect = "v2.0" | "v3";
export const DIALECTS: readonly Dialect[] = ["v2.0", "v3"];

/**
 * Check helper: the listed keys of a plain object (undefined members dropped);
 * anything else (an unknown, a wrong type) is returned as it is.
 */
export function only(v: unknown, keys: readonly string[]): unknown {
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
        return v;
    }
    const o = v as Record<string, unknown>;
    return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

/** Where an HTTP API lives, as seen from the SSH host. */
export interface ApiTarget {
    host: string;
    port: number;
    basePath: string;
}

/**
 * Splits `http://host:port/base` into a tunnel target and base path (no
 * trailing slash). Throws with a message that names the URL on anything
 * other than plain http with a host.
 */
export function splitUrl(url: string): ApiTarget {
    let u: URL;
    try {
        u = new URL(url);
    } catch {
        throw new Error(`not a URL: "${url}"`);
    }
    if (u.protocol !== "http:") {
        throw new Error(`only http:// URLs are supported (the SSH tunnel carries plain HTTP): "${url}"`);
    }
    if (!u.hostname) {
        throw new Error(`URL has no host: "${url}"`);
    }
    if (u.username || u.password) {
        throw new Error(`URL must not carry credentials: "${u.host}"`);
    }
    if (u.search || u.hash) {
        throw new Error(`URL must not carry a query or fragment: "${url}"`);
    }
    const host = u.hostname.replace(/^\[|\]$/g, "");
    const port = u.port ? Number(u.port) : 80;
    return { host, port, basePath: u.pathname.replace(/\/+$/, "") };
}

/** Check helper: returns a reason when `url` is not an http URL, else undefined. */
export function urlProblem(url: unknown): string | undefined {
    if (typeof url !== "string" || url === "") {
        return "must be a non-empty http:// URL";
    }
    try {
        splitUrl(url);
    } catch (e) {
        return (e as Error).message;
    }
    return undefined;
}

/** Keystone credentials: the admin token (v2.0) or a password login (v2.0 or v3). */
export interface TokenCredentials {
    token: string;
}
export interface PasswordCredentials {
    username: string;
    password: string;
    projectName: string;
    /** v3 only; default "Default". */
    userDomainName?: string;
    /** v3 only; default "Default". */
    projectDomainName?: string;
}
export type Credentials = TokenCredentials | PasswordCredentials;

export function isTokenCredentials(c: Credentials): c is TokenCredentials {
    return typeof (c as TokenCredentials).token === "string";
}

/**
 * The token request for a password login, or undefined when the credentials
 * already are a token. `authUrl` is the versioned Keystone URL
 * (`…/v2.0` or `…/v3`).
 */
export function planTokenRequest(dialect: Dialect, authUrl: string, creds: Credentials): HttpRequest | undefined {
    if (isTokenCredentials(creds)) {
        return undefined;
    }
    const base = splitUrl(authUrl).basePath;
    if (dialect === "v2.0") {
        return {
            method: "POST",
            path: `${base}/tokens`,
            body: {
                auth: {
                    passwordCredentials: { username: creds.username, password: creds.password },
                    tenantName: creds.projectName,
                },
            },
        };
    }
    return {
        method: "POST",
        path: `${base}/auth/tokens`,
        body: {
            auth: {
                identity: {
                    methods: ["password"],
                    password: {
                        user: {
                            name: creds.username,
                            domain: { name: creds.userDomainName ?? "Default" },
                            password: creds.password,
                        },
                    },
                },
                scope: { project: { name: creds.projectName, domain: { name: creds.projectDomainName ?? "Default" } } },
            },
        },
    };
}

/** Reads the token (and the project it is scoped to) out of a token response. */
export function parseTokenResponse(dialect: Dialect, resp: HttpResponse): { token: string; projectId?: string } {
    if (dialect === "v2.0") {
        const token = resp.body?.access?.token?.id;
        if (typeof token !== "string" || token === "") {
            throw new Error("token response has no access.token.id");
        }
        return { token, projectId: resp.body?.access?.token?.tenant?.id };
    }
    const raw = resp.headers["x-subject-token"] ?? resp.headers["X-Subject-Token"];
    const token = Array.isArray(raw) ? raw[0] : raw;
    if (typeof token !== "string" || token === "") {
        throw new Error("token response has no X-Subject-Token header");
    }
    return { token, projectId: resp.body?.token?.project?.id };
}

/**
 * One API call, as data. `{{name}}` anywhere in `path` or in a string of
 * `body` is replaced by a variable saved by an earlier call (`save`:
 * variable name → dotted path into that call's response body).
 */
export interface ApiCall {
    /** What this call achieves, for error texts ("create service network/quantum"). */
    step: string;
    /** Which API (key into the runner's targets). */
    api: string;
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
    path: string;
    body?: unknown;
    /** Statuses that mean success. */
    ok: number[];
    /** Statuses that mean "already done" (e.g. 404 on DELETE): no error, nothing saved. */
    tolerate?: number[];
    save?: Record<string, string>;
}

/** A GET whose body a plan reads; `tolerate`: statuses that mean "not there" (no body). */
export function apiGet(api: string, step: string, path: string, tolerate?: number[]): ApiCall {
    return { step, api, method: "GET", path, ok: [200], ...(tolerate ? { tolerate } : {}) };
}

/** A DELETE that also succeeds when the object is gone already (404); `ok`: the API's success statuses. */
export function apiDelete(api: string, step: string, path: string, ok: number[] = [204]): ApiCall {
    return { step, api, method: "DELETE", path, ok, tolerate: [404] };
}

/** Replaces `{{var}}` placeholders in strings inside `v`. Unknown variables are an error. */
export function substitute<T>(v: T, vars: Record<string, string>): T {
    const fill = (s: string): string =>
        s.replace(/\{\{([A-Za-z0-9_.]+)\}\}/g, (_m, k: string) => {
            if (!(k in vars)) {
                throw new Error(`internal: plan refers to {{${k}}} before it is known`);
            }
            return vars[k];
        });
    const walk = (x: unknown): unknown => {
        if (typeof x === "string") {
            return fill(x);
        }
        if (Array.isArray(x)) {
            return x.map(walk);
        }
        if (x !== null && typeof x === "object") {
            return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y)]));
        }
        return x;
    };
    return walk(v) as T;
}

/** `a.b.c` lookup in a parsed JSON body. */
export function pick(body: unknown, path: string): unknown {
    let cur: unknown = body;
    for (const part of path.split(".")) {
        if (cur === null || typeof cur !== "object") {
            return undefined;
        }
        cur = (cur as Record<string, unknown>)[part];
    }
    return cur;
}

/** The array under `key` in a parsed JSON list response (`{"networks": [...]}`); [] when absent. */
export function listOf(body: unknown, key: string): Record<string, unknown>[] {
    const v = (body as Record<string, unknown> | undefined)?.[key];
    return Array.isArray(v) ? (v as Record<string, unknown>[]) : [];
}

/**
 * The one object a resource means among those an API lists under its natural key: the
 * one whose id was recorded, else the only one; none → undefined. Several, none of them
 * recorded, is an error that names them all and says how to fix it (`fix`).
 */
export function pickOne<T extends { id: string }>(
    found: T[],
    preferId: string | undefined,
    what: string,
    fix = "remove the duplicates",
): T | undefined {
    if (found.length === 0) {
        return undefined;
    }
    const preferred = found.find((f) => f.id === preferId);
    if (preferred) {
        return preferred;
    }
    if (found.length === 1) {
        return found[0];
    }
    throw new Error(`${found.length} ${what} exist (ids ${found.map((f) => f.id).join(", ")}); ${fix}`);
}

/**
 * The API's own error text from an error response: Keystone
 * `{"error":{"message"}}`, Neutron `{"NeutronError":{"message"}}`, Folsom
 * Quantum `{"QuantumError":"…"}`, else the start of the raw text.
 */
export function apiErrorMessage(resp: Pick<HttpResponse, "body" | "text">): string {
    const b = resp.body;
    if (b && typeof b === "object") {
        if (typeof b.error?.message === "string") {
            return b.error.message;
        }
        for (const k of ["NeutronError", "QuantumError"]) {
            const e = b[k];
            if (typeof e === "string") {
                return e;
            }
            if (e && typeof e.message === "string") {
                return e.type ? `${e.type}: ${e.message}` : e.message;
            }
        }
        if (typeof b.message === "string") {
            return b.message;
        }
    }
    const text = (resp.text ?? "")
        .replace(/<[^>]*>/g, " ")
        .replace(/\s+/g, " ")
        .trim();
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** `METHOD http://host:port/path: HTTP 409: message` — the detail of a failed call. */
export function describeFailure(
    target: ApiTarget,
    method: string,
    path: string,
    status: number | undefined,
    message: string,
): string {
    const st = status === undefined ? "no response" : `HTTP ${status}`;
    return `${method} http://${target.host}:${target.port}${path}: ${st}${message ? `: ${message}` : ""}`;
}

/**
 * How a provider talks to the APIs during one operation. `session.fail`
 * raises the error (naming the SSH host and the resource, redacting every
 * secret the session knows: the token header, request bodies, the password
 * registered with `addSecrets`).
 */
export interface ApiContext {
    session: Pick<SshSession, "http" | "fail">;
    targets: Record<string, ApiTarget>;
    token: string;
}

/** Sends one request with the token. Transport failures raise a named error. */
export async function send(ctx: ApiContext, api: string, req: HttpRequest, step: string): Promise<HttpResponse> {
    const target = ctx.targets[api];
    const headers: Record<string, string> = {
        "X-Auth-Token": ctx.token,
        Accept: "application/json",
        ...(req.headers ?? {}),
    };
    if (req.body !== undefined) {
        headers["Content-Type"] = "application/json";
    }
    try {
        return await ctx.session.http({ host: target.host, port: target.port }, { ...req, headers });
    } catch (e) {
        return ctx.session.fail(step, describeFailure(target, req.method, req.path, undefined, (e as Error).message));
    }
}

/** A GET that returns the body, or undefined on 404. */
export async function getJson(ctx: ApiContext, api: string, path: string, step: string): Promise<unknown> {
    const resp = await send(ctx, api, { method: "GET", path }, step);
    if (resp.status === 404) {
        return undefined;
    }
    if (resp.status !== 200) {
        return ctx.session.fail(
            step,
            describeFailure(ctx.targets[api], "GET", path, resp.status, apiErrorMessage(resp)),
        );
    }
    return resp.body;
}

/**
 * Executes a plan in order, stopping at the first failure. Returns the
 * variables saved along the way (the `vars` passed in, extended).
 */
export async function runCalls(
    ctx: ApiContext,
    calls: ApiCall[],
    vars: Record<string, string> = {},
): Promise<Record<string, string>> {
    const saved = { ...vars };
    for (const call of calls) {
        const path = substitute(call.path, saved);
        const body = call.body === undefined ? undefined : substitute(call.body, saved);
        const resp = await send(ctx, call.api, { method: call.method, path, body }, call.step);
        if ((call.tolerate ?? []).includes(resp.status)) {
            continue;
        }
        if (!call.ok.includes(resp.status)) {
            ctx.session.fail(
                call.step,
                describeFailure(ctx.targets[call.api], call.method, path, resp.status, apiErrorMessage(resp)),
            );
        }
        for (const [name, p] of Object.entries(call.save ?? {})) {
            const v = pick(resp.body, p);
            if (typeof v !== "string") {
                ctx.session.fail(
                    call.step,
                    describeFailure(ctx.targets[call.api], call.method, path, resp.status, `response has no ${p}`),
                );
            }
            saved[name] = v as string;
        }
    }
    return saved;
}

/**
 * Runs a plan (a delete) on the host after `login`; an empty plan opens no connection.
 */
export async function runPlanOnHost(
    ssh: OnHost,
    calls: ApiCall[],
    login: (s: SshSession) => Promise<ApiContext>,
): Promise<void> {
    if (calls.length > 0) {
        await ssh(async (s) => runCalls(await login(s), calls));
    }
}

/**
 * Gets a token: the admin token as-is, or a password login against
 * `authUrl` (through the same tunnel). A 401 says "credentials rejected"
 * and names the user and project, never the password.
 */
export async function acquireToken(
    session: Pick<SshSession, "http" | "fail" | "addSecrets">,
    dialect: Dialect,
    authUrl: string,
    creds: Credentials,
): Promise<{ token: string; projectId?: string }> {
    if (isTokenCredentials(creds)) {
        session.addSecrets(creds.token);
        return { token: creds.token };
    }
    session.addSecrets(creds.password);
    const req = planTokenRequest(dialect, authUrl, creds) as HttpRequest;
    const target = splitUrl(authUrl);
    const step = `authenticate as ${creds.username} in project ${creds.projectName} (Keystone ${dialect})`;
    let resp: HttpResponse;
    try {
        resp = await session.http(
            { host: target.host, port: target.port },
            { ...req, headers: { "Content-Type": "application/json", Accept: "application/json" } },
        );
    } catch (e) {
        return session.fail(step, describeFailure(target, req.method, req.path, undefined, (e as Error).message));
    }
    const expected = dialect === "v3" ? 201 : 200;
    if (resp.status !== expected) {
        const hint = resp.status === 401 ? " (credentials rejected)" : "";
        return session.fail(
            step,
            describeFailure(target, req.method, req.path, resp.status, apiErrorMessage(resp) + hint),
        );
    }
    let parsed: { token: string; projectId?: string };
    try {
        parsed = parseTokenResponse(dialect, resp);
    } catch (e) {
        return session.fail(step, describeFailure(target, req.method, req.path, resp.status, (e as Error).message));
    }
    session.addSecrets(parsed.token);
    return parsed;
}

/** Drops `undefined` members (they do not survive the engine's struct encoding). */
export function plain<T>(v: T): T {
    return JSON.parse(JSON.stringify(v)) as T;
}
