// Serialization harness for dynamic providers.
//
// A dynamic provider's methods do not run in the program's process: the SDK serializes
// the provider object (closure serialization, by value) into the `__provider` input,
// and the engine's dynamic-provider host (node_modules/@pulumi/pulumi/cmd/dynamic-provider)
// evaluates that text with `requireFromString(text).handler()` in a fresh module and
// calls check/diff/create/read/update/delete with plain objects decoded from protobuf
// Structs (secrets unwrapped: the host configures acceptSecrets=false).
//
// This harness reproduces exactly that:
//   1. register the resource under `pulumi.runtime.setMocks` and capture the inputs the
//      mock monitor receives, including the serialized `__provider` text;
//   2. evaluate the text the same way the host does (require-from-string, `.handler()`),
//      so anything the closure failed to capture breaks the test;
//   3. drive the provider like the engine: every value crosses a
//      `Struct.fromJavaScript(...).toJavaScript()` round trip (an `undefined` in outputs
//      fails as it would in the host), `__provider` rides along in every property bag,
//      `check` → `create` / `diff` → `update` or replace (honouring deleteBeforeReplace)
//      / `read` for refresh / `delete`.
// Each provider call is timed (see `timings` / `timingTable`).

import * as pulumi from "@pulumi/pulumi";

/** The fixed string the engine sends for unknown values during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const PROVIDER_KEY = "__provider";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Props = Record<string, any>;

export interface Registration {
    type: string;
    name: string;
    /** Inputs as the engine would pass them (secrets unwrapped, JSON values, no __provider). */
    inputs: Props;
    /** Top-level input keys that were registered as secret. */
    secretInputs: string[];
    /** The serialized provider text (what the engine stores in `__provider`). */
    providerText: string;
    /** The resource's `additionalSecretOutputs` as sent in the RegisterResource request. */
    additionalSecretOutputs: string[];
    /** The resource object constructed under mocks (its outputs resolve to the mock state). */
    resource: pulumi.Resource;
}

/** Recursively removes the secret wrappers (as the engine does for acceptSecrets=false). */
export function unwrapSecrets(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map(unwrapSecrets);
    }
    if (v && typeof v === "object") {
        const o = v as Props;
        if (o[SIG_KEY] === SECRET_SIG) {
            return unwrapSecrets(o.value);
        }
        const out: Props = {};
        for (const [k, x] of Object.entries(o)) {
            out[k] = unwrapSecrets(x);
        }
        return out;
    }
    return v;
}

/** The protobuf Struct round trip every property bag makes between engine and provider host. */
export function structRoundTrip(v: Props): Props {
    const structproto = require("google-protobuf/google/protobuf/struct_pb");
    return structproto.Struct.fromJavaScript(v).toJavaScript() as Props;
}

/**
 * Registers the resource built by `factory` under mocks (not preview) and returns what
 * the engine would receive. The factory must create exactly one dynamic resource.
 */
export async function register(factory: () => pulumi.Resource): Promise<Registration> {
    let captured: { type: string; name: string; inputs: Props } | undefined;
    let failure: unknown;
    await pulumi.runtime.setMocks(
        {
            newResource: (args: pulumi.runtime.MockResourceArgs) => {
                if (args.type.startsWith("pulumi-nodejs:dynamic")) {
                    captured = { type: args.type, name: args.name, inputs: args.inputs };
                }
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: () => ({}),
        },
        "oslab",
        "providers-test",
        false,
    );
    // The mock monitor ignores resource options; read additionalSecretOutputs off the request.
    let additionalSecretOutputs: string[] = [];
    const monitor = require("@pulumi/pulumi/runtime/settings").getMonitor();
    const origRegister = monitor.registerResource.bind(monitor);
    monitor.registerResource = (
        req: { getType(): string; getAdditionalsecretoutputsList(): string[] },
        cb: unknown,
    ) => {
        if (req.getType().startsWith("pulumi-nodejs:dynamic")) {
            additionalSecretOutputs = [...req.getAdditionalsecretoutputsList()];
        }
        return origRegister(req, cb);
    };
    let resource: pulumi.Resource;
    try {
        resource = factory();
    } catch (e) {
        failure = e;
        throw e;
    }
    // The URN resolves once the registration round trip (including closure serialization)
    // completes, and rejects when serializing the provider fails.
    // A failed serialization surfaces only as an unhandled rejection of the SDK's
    // registration promise, so listen for that too.
    const urn = (resource.urn as unknown as { promise(): Promise<string> }).promise();
    let onRejection: ((reason: unknown) => void) | undefined;
    try {
        await Promise.race([
            urn,
            new Promise<never>((_, reject) => {
                onRejection = (reason: unknown) => reject(reason instanceof Error ? reason : new Error(String(reason)));
                process.on("unhandledRejection", onRejection);
            }),
            new Promise<never>((_, reject) =>
                setTimeout(
                    () =>
                        reject(new Error("registration did not complete within 15 s (closure serialization failed?)")),
                    15000,
                ).unref(),
            ),
        ]);
    } finally {
        if (onRejection) {
            process.off("unhandledRejection", onRejection);
        }
    }
    if (failure) {
        throw failure;
    }
    if (!captured) {
        throw new Error("no dynamic resource was registered");
    }
    const raw = captured.inputs;
    const providerText = unwrapSecrets(raw[PROVIDER_KEY]);
    if (typeof providerText !== "string" || providerText.length === 0) {
        throw new Error("the registration carried no serialized __provider (closure serialization failed)");
    }
    const secretInputs = Object.keys(raw).filter(
        (k) => raw[k] && typeof raw[k] === "object" && raw[k][SIG_KEY] === SECRET_SIG,
    );
    const inputs = unwrapSecrets(raw) as Props;
    delete inputs[PROVIDER_KEY];
    return {
        type: captured.type,
        name: captured.name,
        inputs: structRoundTrip(inputs),
        secretInputs,
        providerText,
        additionalSecretOutputs,
        resource,
    };
}

/** Evaluates a serialized provider exactly like the dynamic-provider host does. */
export function deserializeProvider(providerText: string): pulumi.dynamic.ResourceProvider {
    const requireFromString = require("require-from-string");
    const mod = requireFromString(providerText);
    if (!mod || typeof mod.handler !== "function") {
        throw new Error("serialized provider has no handler()");
    }
    return mod.handler() as pulumi.dynamic.ResourceProvider;
}

/** Register under mocks and deserialize: the provider as the engine's host would see it. */
export async function serializedProvider(
    factory: () => pulumi.Resource,
): Promise<{ provider: pulumi.dynamic.ResourceProvider; reg: Registration }> {
    const reg = await register(factory);
    return { provider: deserializeProvider(reg.providerText), reg };
}

export interface Timing {
    resource: string;
    op: string;
    ms: number;
}
/** Every provider call made through a Driver, in order. */
export const timings: Timing[] = [];

/** Renders the timings as a table: per resource type and operation, count / mean / max ms. */
export function timingTable(rows: Timing[] = timings): string {
    const groups: Record<string, number[]> = {};
    const order: string[] = [];
    for (const t of rows) {
        const k = `${t.resource}\u0000${t.op}`;
        if (!groups[k]) {
            groups[k] = [];
            order.push(k);
        }
        groups[k].push(t.ms);
    }
    const lines = [["resource", "operation", "n", "mean ms", "max ms"]];
    for (const k of order) {
        const [r, op] = k.split("\u0000");
        const v = groups[k];
        lines.push([
            r,
            op,
            String(v.length),
            String(Math.round(v.reduce((a, b) => a + b, 0) / v.length)),
            String(Math.max(...v)),
        ]);
    }
    const w = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
    return lines.map((l) => l.map((c, i) => (i >= 2 ? c.padStart(w[i]) : c.padEnd(w[i]))).join("  ")).join("\n");
}

export interface DiffOutcome {
    changes?: boolean;
    replaces: string[];
    deleteBeforeReplace: boolean;
}

/**
 * Drives one resource's provider the way the engine does. Holds the current state
 * (id, outputs, and the inputs that produced them) like a one-resource stack.
 */
export class Driver {
    id: string | undefined;
    /** Stored outputs (as the engine stores them, including __provider). */
    state: Props | undefined;
    /** The checked inputs of the last successful up (the engine's "old inputs"). */
    inputs: Props | undefined;
    /** The operations the last `up` performed, e.g. ["check", "diff", "update"]. */
    lastOps: string[] = [];

    constructor(
        readonly provider: pulumi.dynamic.ResourceProvider,
        readonly providerText: string,
        readonly label: string,
    ) {}

    static async for(factory: () => pulumi.Resource, label?: string): Promise<{ driver: Driver; reg: Registration }> {
        const { provider, reg } = await serializedProvider(factory);
        return { driver: new Driver(provider, reg.providerText, label ?? reg.type.split(":").pop() ?? reg.type), reg };
    }

    private bag(p: Props): Props {
        return { ...structRoundTrip(p), [PROVIDER_KEY]: this.providerText };
    }

    /** Times one provider call; failed calls are recorded as "<op> (failed)". */
    private async timed<T>(op: string, f: () => Promise<T>): Promise<T> {
        const t0 = process.hrtime.bigint();
        let failed = true;
        try {
            const r = await f();
            failed = false;
            return r;
        } finally {
            timings.push({
                resource: this.label,
                op: failed ? `${op} (failed)` : op,
                ms: Number((process.hrtime.bigint() - t0) / 1000000n),
            });
            this.lastOps.push(op);
        }
    }

    private strip(p: Props): Props {
        const o = { ...p };
        delete o[PROVIDER_KEY];
        return o;
    }

    /** check(olds, news) as the host calls it; throws if check reports failures. Returns checked inputs (no __provider). */
    async check(news: Props, olds: Props = this.inputs ?? {}): Promise<Props> {
        const r: pulumi.dynamic.CheckResult = await this.timed("check", async () =>
            this.provider.check ? this.provider.check(this.bag(olds), this.bag(news)) : { inputs: news },
        );
        if (r.failures && r.failures.length > 0) {
            const e = new Error(
                `check failed: ${r.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`,
            ) as Error & { failures: unknown };
            e.failures = r.failures;
            throw e;
        }
        return this.strip(structRoundTrip({ ...(r.inputs ?? news) }));
    }

    /** Only check's failures (empty when valid). */
    async checkFailures(news: Props, olds: Props = {}): Promise<pulumi.dynamic.CheckFailure[]> {
        const r: pulumi.dynamic.CheckResult = await this.timed("check", async () =>
            this.provider.check ? this.provider.check(this.bag(olds), this.bag(news)) : {},
        );
        return [...(r.failures ?? [])];
    }

    async diff(news: Props): Promise<DiffOutcome> {
        if (!this.state || !this.id) {
            throw new Error("diff without state");
        }
        const id = this.id;
        const state = this.state;
        const r: pulumi.dynamic.DiffResult = await this.timed("diff", async () =>
            this.provider.diff ? this.provider.diff(id, state, this.bag(news)) : {},
        );
        return { changes: r.changes, replaces: [...(r.replaces ?? [])], deleteBeforeReplace: !!r.deleteBeforeReplace };
    }

    async create(inputs: Props): Promise<void> {
        const r = await this.timed("create", () => this.provider.create(this.bag(inputs)));
        if (!r.id) {
            throw new Error("create returned no id");
        }
        this.id = r.id;
        this.state = this.bag(r.outs ?? {});
        this.inputs = inputs;
    }

    async update(news: Props): Promise<void> {
        if (!this.state || !this.id) {
            throw new Error("update without state");
        }
        const id = this.id;
        const state = this.state;
        if (!this.provider.update) {
            throw new Error("provider has no update");
        }
        const update = this.provider.update.bind(this.provider);
        const r = await this.timed("update", () => update(id, state, this.bag(news)));
        this.state = this.bag(r.outs ?? {});
        this.inputs = news;
    }

    /** pulumi refresh: read; a missing id drops the resource from state. Returns the id read. */
    async refresh(): Promise<string | undefined> {
        if (!this.state || !this.id) {
            throw new Error("refresh without state");
        }
        const id = this.id;
        const state = this.state;
        if (!this.provider.read) {
            throw new Error("provider has no read");
        }
        const read = this.provider.read.bind(this.provider);
        const r = await this.timed("read", () => read(id, state));
        if (!r.id) {
            this.id = undefined;
            this.state = undefined;
            this.inputs = undefined;
            return undefined;
        }
        this.id = r.id;
        this.state = this.bag(r.props ?? {});
        return r.id;
    }

    /** Deletes with the stored id and outputs (the engine passes outputs, not inputs). */
    async delete(id: string | undefined = this.id, state: Props | undefined = this.state): Promise<void> {
        if (!id || !state) {
            throw new Error("delete without state");
        }
        if (!this.provider.delete) {
            throw new Error("provider has no delete");
        }
        const del = this.provider.delete.bind(this.provider);
        await this.timed("delete", () => del(id, state));
        if (id === this.id) {
            this.id = undefined;
            this.state = undefined;
            this.inputs = undefined;
        }
    }

    /**
     * pulumi up for this resource: check, then create (no state) or diff and then
     * update / replace (create-before-delete unless deleteBeforeReplace) / nothing.
     * Returns what happened: "create" | "update" | "replace" | "same".
     */
    async up(news: Props): Promise<"create" | "update" | "replace" | "same"> {
        this.lastOps = [];
        const checked = await this.check(news);
        if (!this.state) {
            await this.create(checked);
            return "create";
        }
        const d = await this.diff(checked);
        if (d.replaces.length > 0) {
            const oldId = this.id;
            const oldState = this.state;
            if (d.deleteBeforeReplace) {
                await this.delete(oldId, oldState);
                await this.create(checked);
            } else {
                await this.create(checked);
                const del = this.provider.delete?.bind(this.provider);
                if (del && oldId && oldState) {
                    await this.timed("delete", () => del(oldId, oldState));
                }
            }
            return "replace";
        }
        if (d.changes === false) {
            return "same";
        }
        await this.update(checked);
        return "update";
    }

    /** `up` with every SSH connection attempt counted: what happened, the provider calls, the connections. */
    async upCounted(news: Props): Promise<{ result: string; ops: string[]; connects: number }> {
        const ssh = countSshConnects();
        try {
            const result = await this.up(news);
            return { result, ops: [...this.lastOps], connects: ssh.count() };
        } finally {
            ssh.restore();
        }
    }

    /** pulumi refresh, and the outputs it changed: `{ id, changed }` (id undefined: gone). */
    async refreshChanges(): Promise<{ id: string | undefined; changed: string[] }> {
        const { isDeepStrictEqual } = require("util") as typeof import("util");
        const before = this.outputs;
        const id = await this.refresh();
        const after = id ? this.outputs : {};
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
        return { id, changed: keys.filter((k) => !isDeepStrictEqual(before[k], after[k])) };
    }

    /** The current outputs without __provider. */
    get outputs(): Props {
        if (!this.state) {
            throw new Error("no state");
        }
        return this.strip(this.state);
    }
}

/** Resource args from plain `a`, the `secret` fields wrapped in `pulumi.secret` (as a component passes them). */
export function withSecrets<T>(a: Props, secret: readonly string[]): T {
    return { ...a, ...Object.fromEntries(secret.map((k) => [k, pulumi.secret(a[k])])) } as T;
}

/** The error `p` rejects with; a `p` that resolves fails the test. */
export async function expectRejects(p: Promise<unknown>): Promise<Error> {
    try {
        await p;
    } catch (e) {
        return e as Error;
    }
    throw new Error("expected a rejection");
}

/**
 * Counts SSH connection attempts made through ssh2 in this process (the deserialized
 * provider `require`s the same cached ssh2 module). Use to prove check/diff stay offline.
 */
export function countSshConnects(): { count: () => number; restore: () => void } {
    const ssh2 = require("ssh2");
    const proto = ssh2.Client.prototype;
    const orig = proto.connect;
    let n = 0;
    proto.connect = function (this: unknown, ...args: unknown[]) {
        n++;
        return orig.apply(this, args);
    };
    return {
        count: () => n,
        restore: () => {
            proto.connect = orig;
        },
    };
}
