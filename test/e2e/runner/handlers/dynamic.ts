// Lab runner: dynamic providers (pulumi-nodejs:dynamic[/<module>]:<Type>), run the way
// @pulumi/pulumi/cmd/dynamic-provider/index.js runs them in the engine's provider host:
//   - the provider is the serialized `__provider` text, loaded like require-from-string
//     (`exports.handler()`), once per distinct text; relative module resolution starts
//     at the program directory (the provider host's working directory);
//   - the host is plain Node.js: a provider that requires a .ts file would fail there,
//     so the runner refuses it too instead of letting ts-node paper over it;
//   - values reach the provider as JSON (protobuf Struct) without secret markers (the
//     dynamic provider does not accept secrets); during preview unknowns arrive as the
//     unknown sentinel string;
//   - check(olds = previous inputs, news) → checked inputs (+ __provider);
//     diff(id, olds = previous OUTPUTS, news); update(id, previous outputs, news) — its
//     outs (+ __provider) become the outputs, so a provider without update loses them,
//     as in the real host; delete(id, previous outputs) — the provider is loaded from
//     the outputs' __provider only (the host's getProvider(props)), never the inputs';
//   - create/update that throw an error carrying a truthy `id` fail partially
//     (grpcResponseFromError → ErrorResourceInitFailed with id, `properties || {}` and
//     `reasons || []`): the properties are the outputs as they are, the host adds no
//     __provider to them (the provider must, or a later delete cannot load it);
//   - like the engine, outputs whose input was secret are marked secret again.
// When diff is missing or returns `changes: undefined`, the engine's fallback applies:
// compare old and new inputs.

import * as path from "path";
import { ResourceState } from "../state";
import { UNKNOWN, Wire, WireMap, changedKeys, containsSecret, isObject, secret, unwrapSecrets } from "../values";
import { DiffResult, Handler, PartialFailure, StepContext, StepError } from "./types";

const PROVIDER_KEY = "__provider";

/* eslint-disable @typescript-eslint/no-explicit-any */
interface DynamicProvider {
    check?(olds: any, news: any): Promise<{ inputs?: any; failures?: { property: string; reason: string }[] }>;
    diff?(
        id: string,
        olds: any,
        news: any,
    ): Promise<{ changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }>;
    create(inputs: any): Promise<{ id: string; outs?: any }>;
    read?(id: string, props?: any): Promise<any>;
    update?(id: string, olds: any, news: any): Promise<{ outs?: any } | undefined>;
    delete?(id: string, props: any): Promise<void>;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const cache = new Map<string, DynamicProvider>();

/** Evaluates serialized provider text as the provider host does (requireFromString(text).handler()). */
export function loadProvider(text: string, programDir: string): DynamicProvider {
    const key = programDir + "\0" + text;
    const hit = cache.get(key);
    if (hit) {
        return hit;
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const Module = require("module") as any;
    const filename = path.join(programDir, "[dynamic-provider].js");
    const m = new Module(filename, module);
    m.filename = filename;
    m.paths = Module._nodeModulePaths(programDir);
    m.require = (id: string) => {
        const resolved: string = Module._resolveFilename(id, m);
        if (/\.[cm]?tsx?$/.test(resolved)) {
            throw new Error(
                `the provider requires ${JSON.stringify(id)} (${resolved}); Pulumi's dynamic-provider host runs plain Node.js and cannot load TypeScript — ` +
                    "require only packages inside provider methods and keep helpers in the serialized closure",
            );
        }
        return Module.prototype.require.call(m, id);
    };
    m._compile(text, filename);
    const provider = m.exports.handler() as DynamicProvider;
    cache.set(key, provider);
    return provider;
}

/** What the provider host receives: JSON values, secrets unwrapped, unknowns as the sentinel. */
export function toProviderValues(m: WireMap): Record<string, unknown> {
    return JSON.parse(JSON.stringify(unwrapSecrets(m) ?? {})) as Record<string, unknown>;
}

function providerFor(ctx: StepContext, props: WireMap, fallback?: WireMap): DynamicProvider {
    let text = unwrapSecrets(props[PROVIDER_KEY]);
    if ((text === undefined || text === UNKNOWN) && fallback) {
        text = unwrapSecrets(fallback[PROVIDER_KEY]);
    }
    if (typeof text !== "string") {
        throw new StepError(ctx.urn, undefined, "load provider", "the resource has no serialized __provider");
    }
    try {
        return loadProvider(text, ctx.programDir);
    } catch (e) {
        throw new StepError(ctx.urn, undefined, "load provider", (e as Error).message);
    }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Outputs from the provider's outs: __provider added, secrets re-applied where the input was secret. */
function outputsFrom(outs: unknown, props: WireMap): WireMap {
    const result: WireMap = {};
    if (isPlainObject(outs)) {
        for (const [k, v] of Object.entries(JSON.parse(JSON.stringify(outs)) as Record<string, Wire>)) {
            result[k] = v;
        }
    }
    result[PROVIDER_KEY] = props[PROVIDER_KEY];
    return result;
}

function hostOf(inputs: WireMap): string | undefined {
    const p = unwrapSecrets(inputs);
    if (!isObject(p)) {
        return undefined;
    }
    if (typeof p.host === "string") {
        return p.host;
    }
    for (const v of Object.values(p)) {
        if (isObject(v) && typeof v.host === "string") {
            return v.host;
        }
    }
    return undefined;
}

async function call<T>(ctx: StepContext, step: string, host: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (e) {
        if (e instanceof StepError) {
            throw e;
        }
        throw new StepError(ctx.urn, host, step, e instanceof Error ? e.message : String(e));
    }
}

/**
 * create/update as the provider host runs them: an error with a truthy `id` becomes a
 * partial failure (cmd/dynamic-provider/index.js `grpcResponseFromError`), any other a
 * plain failure.
 */
async function mutate<T>(ctx: StepContext, step: string, host: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (e) {
        const x = e as { id?: unknown; properties?: unknown; reasons?: unknown } | null | undefined;
        if (typeof x === "object" && x !== null && x.id) {
            const props = isPlainObject(x.properties)
                ? (JSON.parse(JSON.stringify(x.properties)) as Record<string, Wire>)
                : {};
            const reasons = Array.isArray(x.reasons) ? x.reasons.map(String) : [];
            throw new PartialFailure(ctx.urn, host, step, String(x.id), props, reasons);
        }
        if (e instanceof StepError) {
            throw e;
        }
        throw new StepError(ctx.urn, host, step, e instanceof Error ? e.message : String(e));
    }
}

export const dynamicResource: Handler = {
    host: hostOf,

    async check(ctx, olds, news) {
        const provider = providerFor(ctx, news, olds);
        if (!provider.check) {
            return news;
        }
        const check = provider.check.bind(provider);
        const r = await call(ctx, "check", hostOf(news), () => check(toProviderValues(olds), toProviderValues(news)));
        if (r.failures && r.failures.length > 0) {
            throw new StepError(
                ctx.urn,
                hostOf(news),
                "check",
                r.failures.map((f) => `${f.property}: ${f.reason}`).join("; "),
            );
        }
        if (!r.inputs) {
            return news;
        }
        // The checked inputs keep the secretness of the news (the engine re-annotates them).
        const checked: WireMap = {};
        for (const [k, v] of Object.entries(JSON.parse(JSON.stringify(r.inputs)) as Record<string, Wire>)) {
            checked[k] = containsSecret(news[k]) ? secret(v) : v;
        }
        checked[PROVIDER_KEY] = news[PROVIDER_KEY];
        return checked;
    },

    async diff(ctx, old: ResourceState, news): Promise<DiffResult> {
        const keys = changedKeys(old.inputs, news);
        const provider = providerFor(ctx, news, old.outputs);
        if (!provider.diff) {
            return { changes: keys.length > 0, changedKeys: keys, replaceKeys: [] };
        }
        const diff = provider.diff.bind(provider);
        const r = await call(ctx, "diff", hostOf(news), () =>
            diff(old.id ?? "", toProviderValues(old.outputs), toProviderValues(news)),
        );
        const replaces = r.replaces ?? [];
        if (r.changes === false) {
            return { changes: false, changedKeys: [], replaceKeys: [] };
        }
        if (r.changes === true) {
            return {
                changes: true,
                changedKeys: [...new Set([...keys, ...replaces])].sort(),
                replaceKeys: replaces,
                deleteBeforeReplace: r.deleteBeforeReplace,
            };
        }
        return {
            changes: keys.length > 0 || replaces.length > 0,
            changedKeys: keys,
            replaceKeys: replaces,
            deleteBeforeReplace: r.deleteBeforeReplace,
        };
    },

    async create(ctx, inputs) {
        const provider = providerFor(ctx, inputs);
        ctx.countProviderCall();
        const create = provider.create.bind(provider);
        const r = await mutate(ctx, "create", hostOf(inputs), () => create(toProviderValues(inputs)));
        if (typeof r?.id !== "string" || r.id === "") {
            throw new StepError(ctx.urn, hostOf(inputs), "create", "the provider returned no id");
        }
        return { id: r.id, outputs: outputsFrom(r.outs, inputs) };
    },

    async update(ctx, old, inputs) {
        const provider = providerFor(ctx, inputs, old.outputs);
        ctx.countProviderCall();
        let outs: unknown = undefined;
        if (provider.update) {
            const upd = provider.update.bind(provider);
            const r = await mutate(ctx, "update", hostOf(inputs), () =>
                upd(old.id ?? "", toProviderValues(old.outputs), toProviderValues(inputs)),
            );
            outs = r?.outs;
        }
        return outputsFrom(outs, inputs);
    },

    async delete(ctx, old) {
        const provider = providerFor(ctx, old.outputs);
        ctx.countProviderCall();
        if (!provider.delete) {
            return;
        }
        const del = provider.delete.bind(provider);
        await call(ctx, "delete", hostOf(old.inputs), () => del(old.id ?? "", toProviderValues(old.outputs)));
    },
};
