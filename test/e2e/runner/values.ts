// Lab runner (test infrastructure, not a deployment tool): property values.
//
// The runner handles resource properties in the engine's wire format, i.e. what
// `RegisterResourceRequest.object.toJavaScript()` yields and what a Pulumi
// checkpoint stores:
//   - plain JSON (strings, numbers, booleans, null, arrays, objects);
//   - secrets   { [SIG]: SECRET_SIG, value: <wire value> };
//   - unknowns  the string UNKNOWN (only during preview);
//   - assets    { [SIG]: ASSET_SIG, path | text | uri, hash? } (archives likewise).
// Everything here is pure.

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Keys and sentinels of the SDK's RPC format (@pulumi/pulumi/runtime/rpc). */
export const SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
export const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Wire = null | boolean | number | string | Wire[] | { [k: string]: Wire };
export type WireMap = Record<string, Wire>;

export function isObject(v: unknown): v is Record<string, Wire> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isSecret(v: unknown): v is { [SIG]: string; value: Wire } {
    return isObject(v) && v[SIG] === SECRET_SIG;
}

export function isAsset(v: unknown): v is Record<string, Wire> {
    return isObject(v) && (v[SIG] === ASSET_SIG || v[SIG] === ARCHIVE_SIG);
}

export function secret(value: Wire): Wire {
    return { [SIG]: SECRET_SIG, value };
}

/** True when the value is a secret or contains one anywhere. */
export function containsSecret(v: Wire | undefined): boolean {
    if (isSecret(v)) {
        return true;
    }
    if (Array.isArray(v)) {
        return v.some(containsSecret);
    }
    if (isObject(v)) {
        return Object.values(v).some(containsSecret);
    }
    return false;
}

/** True when the value is unknown or contains an unknown (preview only). */
export function containsUnknown(v: Wire | undefined): boolean {
    if (v === UNKNOWN) {
        return true;
    }
    if (Array.isArray(v)) {
        return v.some(containsUnknown);
    }
    if (isObject(v)) {
        return Object.values(v).some(containsUnknown);
    }
    return false;
}

/** Removes secret markers (what the engine sends a provider that does not accept secrets). */
export function unwrapSecrets(v: Wire | undefined): Wire | undefined {
    if (isSecret(v)) {
        return unwrapSecrets(v.value);
    }
    if (Array.isArray(v)) {
        return v.map((e) => unwrapSecrets(e) as Wire);
    }
    if (isObject(v)) {
        const out: Record<string, Wire> = {};
        for (const [k, e] of Object.entries(v)) {
            const u = unwrapSecrets(e);
            if (u !== undefined) {
                out[k] = u;
            }
        }
        return out;
    }
    return v;
}

export function unwrapMap(m: WireMap): WireMap {
    return (unwrapSecrets(m) ?? {}) as WireMap;
}

/** Drops `undefined` members so a value survives JSON and protobuf Struct. */
export function dropUndefined(v: unknown): Wire {
    if (v === undefined) {
        return null;
    }
    if (Array.isArray(v)) {
        return v.map((e) => dropUndefined(e));
    }
    if (isObject(v)) {
        const out: Record<string, Wire> = {};
        for (const [k, e] of Object.entries(v)) {
            if (e !== undefined) {
                out[k] = dropUndefined(e);
            }
        }
        return out;
    }
    return v as Wire;
}

/** Canonical JSON (sorted keys): the basis of equality and hashes. */
export function canonical(v: Wire | undefined): string {
    if (v === undefined) {
        return "undefined";
    }
    if (Array.isArray(v)) {
        return "[" + v.map(canonical).join(",") + "]";
    }
    if (isObject(v)) {
        const keys = Object.keys(v).sort();
        return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(v[k])).join(",") + "}";
    }
    return JSON.stringify(v);
}

/**
 * Equality as the engine sees it for diffs: secretness does not matter, assets
 * compare by content hash.
 */
export function wireEqual(a: Wire | undefined, b: Wire | undefined): boolean {
    return canonical(forCompare(a)) === canonical(forCompare(b));
}

function forCompare(v: Wire | undefined): Wire | undefined {
    const u = unwrapSecrets(v);
    if (isAsset(u) && typeof u.hash === "string") {
        return { [SIG]: u[SIG], hash: u.hash };
    }
    if (Array.isArray(u)) {
        return u.map((e) => forCompare(e) as Wire);
    }
    if (isObject(u)) {
        const out: Record<string, Wire> = {};
        for (const [k, e] of Object.entries(u)) {
            out[k] = forCompare(e) as Wire;
        }
        return out;
    }
    return u;
}

/** Top-level keys whose values differ between two property maps (sorted). */
export function changedKeys(olds: WireMap, news: WireMap): string[] {
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
    return [...keys].filter((k) => !wireEqual(olds[k], news[k])).sort();
}

/**
 * The top-level property a `replaceOnChanges` / `ignoreChanges` path names:
 * "triggers[*]" → "triggers", "a.b" → "a", "*" → "*".
 */
export function topLevelKey(p: string): string {
    const m = /^([^.[]+)/.exec(p);
    return m ? m[1] : p;
}

/**
 * Adds the content hash to every asset in the value (the engine stores and diffs
 * assets by hash). File paths are relative to `baseDir` (the program directory).
 */
export function hashAssets(v: Wire, baseDir: string): Wire {
    if (isObject(v) && v[SIG] === ASSET_SIG) {
        const content = assetContent(v, baseDir);
        return { ...v, hash: crypto.createHash("sha256").update(content).digest("hex") };
    }
    if (Array.isArray(v)) {
        return v.map((e) => hashAssets(e, baseDir));
    }
    if (isObject(v)) {
        const out: Record<string, Wire> = {};
        for (const [k, e] of Object.entries(v)) {
            out[k] = hashAssets(e, baseDir);
        }
        return out;
    }
    return v;
}

/** Bytes of a file or string asset; other kinds are not supported by the lab runner. */
export function assetContent(a: Record<string, Wire>, baseDir: string): Buffer {
    if (typeof a.text === "string") {
        return Buffer.from(a.text, "utf8");
    }
    if (typeof a.path === "string") {
        return fs.readFileSync(path.resolve(baseDir, a.path));
    }
    throw new Error(
        "the lab runner supports only FileAsset and StringAsset sources (got a remote asset or an archive)",
    );
}

/** Parses a Go-style duration used by customTimeouts ("90s", "10m", "1h30m"); undefined when empty. */
export function parseDuration(s: string | undefined): number | undefined {
    if (!s) {
        return undefined;
    }
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
    let total = 0;
    let matched = "";
    for (let m = re.exec(s); m; m = re.exec(s)) {
        const n = Number(m[1]);
        total += m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : m[2] === "m" ? n * 60000 : n * 3600000;
        matched += m[0];
    }
    if (matched !== s) {
        throw new Error(`invalid duration ${JSON.stringify(s)}`);
    }
    return total;
}
