// Lab runner: @pulumi/random resources, generated locally with node's CSPRNG.
//
// As in terraform-provider-random (which @pulumi/random bridges), every input forces a
// replacement (a new value); unchanged inputs keep the value stored in the state file.
// Outputs are the inputs with the provider's defaults filled in plus the result;
// RandomPassword's `result` is secret (the SDK lists it in additionalSecretOutputs).
// Not reproduced: RandomPassword.bcryptHash (left unset), RandomInteger.seed.

import * as crypto from "crypto";
import { WireMap, changedKeys, unwrapMap } from "../values";
import { Handler, StepError } from "./types";

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NUMERIC = "0123456789";
/** The provider's default special characters. */
export const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

export interface StringSpec {
    length: number;
    lower: boolean;
    upper: boolean;
    numeric: boolean;
    special: boolean;
    minLower: number;
    minUpper: number;
    minNumeric: number;
    minSpecial: number;
    overrideSpecial?: string;
}

/** Inputs with the provider's defaults. Pure. */
export function stringSpec(inputs: WireMap): StringSpec {
    const p = unwrapMap(inputs);
    const b = (v: unknown, d: boolean) => (typeof v === "boolean" ? v : d);
    const n = (v: unknown, d: number) => (typeof v === "number" ? v : d);
    if (typeof p.length !== "number" || p.length < 1) {
        throw new Error("length must be a positive number");
    }
    return {
        length: p.length,
        lower: b(p.lower, true),
        upper: b(p.upper, true),
        numeric: b(p.numeric, b(p.number, true)),
        special: b(p.special, true),
        minLower: n(p.minLower, 0),
        minUpper: n(p.minUpper, 0),
        minNumeric: n(p.minNumeric, 0),
        minSpecial: n(p.minSpecial, 0),
        overrideSpecial: typeof p.overrideSpecial === "string" ? p.overrideSpecial : undefined,
    };
}

/**
 * A random string per the spec: the minimum counts first, the rest from all enabled
 * character sets, then shuffled. `rand(n)` returns an integer in [0, n).
 */
export function generateString(spec: StringSpec, rand: (n: number) => number = (n) => crypto.randomInt(n)): string {
    const special = spec.overrideSpecial ?? DEFAULT_SPECIAL;
    const sets: [boolean, string, number][] = [
        [spec.lower, LOWER, spec.minLower],
        [spec.upper, UPPER, spec.minUpper],
        [spec.numeric, NUMERIC, spec.minNumeric],
        [spec.special, special, spec.minSpecial],
    ];
    const chars: string[] = [];
    let all = "";
    for (const [on, set, min] of sets) {
        if (!on || set === "") {
            continue;
        }
        all += set;
        for (let i = 0; i < min; i++) {
            chars.push(set[rand(set.length)]);
        }
    }
    if (all === "") {
        throw new Error("no character set enabled");
    }
    while (chars.length < spec.length) {
        chars.push(all[rand(all.length)]);
    }
    for (let i = chars.length - 1; i > 0; i--) {
        const j = rand(i + 1);
        [chars[i], chars[j]] = [chars[j], chars[i]];
    }
    return chars.join("");
}

function withDefaults(inputs: WireMap, spec: StringSpec): WireMap {
    return {
        ...inputs,
        length: spec.length,
        lower: spec.lower,
        upper: spec.upper,
        numeric: spec.numeric,
        number: spec.numeric,
        special: spec.special,
        minLower: spec.minLower,
        minUpper: spec.minUpper,
        minNumeric: spec.minNumeric,
        minSpecial: spec.minSpecial,
    };
}

type Generator = (inputs: WireMap) => { id: string; outputs: WireMap };

const generators: Record<string, Generator> = {
    "random:index/randomPassword:RandomPassword": (inputs) => {
        const spec = stringSpec(inputs);
        return { id: "none", outputs: { ...withDefaults(inputs, spec), result: generateString(spec) } };
    },
    "random:index/randomString:RandomString": (inputs) => {
        const spec = stringSpec(inputs);
        const result = generateString(spec);
        return { id: result, outputs: { ...withDefaults(inputs, spec), result } };
    },
    "random:index/randomId:RandomId": (inputs) => {
        const p = unwrapMap(inputs);
        if (typeof p.byteLength !== "number" || p.byteLength < 1) {
            throw new Error("byteLength must be a positive number");
        }
        const prefix = typeof p.prefix === "string" ? p.prefix : "";
        const bytes = crypto.randomBytes(p.byteLength);
        const b64Url = bytes.toString("base64url");
        return {
            id: b64Url,
            outputs: {
                ...inputs,
                b64Url: prefix + b64Url,
                b64Std: prefix + bytes.toString("base64"),
                hex: prefix + bytes.toString("hex"),
                dec: prefix + BigInt("0x" + bytes.toString("hex")).toString(10),
            },
        };
    },
    "random:index/randomInteger:RandomInteger": (inputs) => {
        const p = unwrapMap(inputs);
        if (typeof p.min !== "number" || typeof p.max !== "number" || p.max < p.min) {
            throw new Error("min and max must be numbers with min <= max");
        }
        const result = p.min + crypto.randomInt(p.max - p.min + 1);
        return { id: String(result), outputs: { ...inputs, result } };
    },
    "random:index/randomUuid:RandomUuid": (inputs) => {
        const result = crypto.randomUUID();
        return { id: result, outputs: { ...inputs, result } };
    },
};

export function isSupportedRandom(type: string): boolean {
    return type in generators;
}

export function randomHandler(type: string): Handler {
    const gen = generators[type];
    return {
        host: () => undefined,
        async diff(_ctx, old, news) {
            const keys = changedKeys(old.inputs, news);
            return { changes: keys.length > 0, changedKeys: keys, replaceKeys: keys };
        },
        async create(ctx, inputs) {
            try {
                return gen(inputs);
            } catch (e) {
                throw new StepError(ctx.urn, undefined, "create", (e as Error).message);
            }
        },
        async update(_ctx, old) {
            // Unreachable (every change replaces); keep the value.
            return old.outputs;
        },
        async delete() {
            // Nothing exists outside the state.
        },
    };
}
