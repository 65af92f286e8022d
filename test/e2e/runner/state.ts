// Lab runner: the state file (the runner's stand-in for a Pulumi checkpoint).
//
// JSON, one entry per resource URN in registration order, holding what the next run
// needs: inputs (to diff), outputs (to hand back unchanged, and for deletes: the
// connection, the delete script, the previous stdout), dependencies (delete order),
// options and the last operation's timing.
//
// Secrets: like a Pulumi checkpoint, every secret value is stored encrypted in the
// checkpoint's own shape, { "<sig>": "<secret sig>", "ciphertext": "…" }, here with
// AES-256-GCM under a key in `<state>.key` (32 random bytes, created on first use).
// The state file holds the SSH private key and generated passwords in that form, so the
// directory is created 0700 and both files are written 0600; keep them root-only and
// out of git (.e2e-state/ is git-ignored).

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { SIG, SECRET_SIG, Wire, WireMap, isObject } from "./values";

/** "delete-replaced": deleting the old instance of a resource replaced create-before-delete. */
export type Op = "create" | "update" | "replace" | "delete" | "delete-replaced" | "same" | "read";

export interface ResourceOptionsState {
    deleteBeforeReplace?: boolean;
    retainOnDelete?: boolean;
    protect?: boolean;
    additionalSecretOutputs?: string[];
    replaceOnChanges?: string[];
    ignoreChanges?: string[];
    customTimeouts?: { create?: string; update?: string; delete?: string };
}

export interface ResourceState {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    id?: string;
    parent?: string;
    provider?: string;
    inputs: WireMap;
    outputs: WireMap;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    options: ResourceOptionsState;
    /**
     * Reasons of a create/update that failed partially (the engine's `InitErrors`): the
     * resource exists with these outputs but did not finish, so the next update runs the
     * provider's update even when its diff finds no change.
     */
    initErrors?: string[];
    /** The operation that produced this entry. */
    lastOp: Op;
    /** ISO times and duration of that operation. */
    timing?: { start: string; end: string; durationMs: number };
}

export interface StackState {
    version: 1;
    project: string;
    stack: string;
    updatedAt: string;
    resources: ResourceState[];
    /** Old instances of replaced resources (create-before-delete) not deleted yet. */
    pendingDeletes: ResourceState[];
}

export function emptyState(project: string, stack: string): StackState {
    return { version: 1, project, stack, updatedAt: new Date(0).toISOString(), resources: [], pendingDeletes: [] };
}

/** Encrypts / decrypts the secret values of a state with a key file. */
export class SecretBox {
    private constructor(private readonly key: Buffer) {}

    /** Loads the key, creating it (0600) when `create` and it does not exist. */
    static open(keyFile: string, create: boolean): SecretBox | undefined {
        if (fs.existsSync(keyFile)) {
            const hex = fs.readFileSync(keyFile, "utf8").trim();
            if (!/^[0-9a-f]{64}$/.test(hex)) {
                throw new Error(`${keyFile}: not a lab-runner state key (64 hex characters)`);
            }
            return new SecretBox(Buffer.from(hex, "hex"));
        }
        if (!create) {
            return undefined;
        }
        fs.mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
        const key = crypto.randomBytes(32);
        fs.writeFileSync(keyFile, key.toString("hex") + "\n", { mode: 0o600, flag: "wx" });
        return new SecretBox(key);
    }

    static fromKey(key: Buffer): SecretBox {
        return new SecretBox(key);
    }

    encrypt(v: Wire): Wire {
        if (isObject(v) && v[SIG] === SECRET_SIG && "value" in v) {
            const iv = crypto.randomBytes(12);
            const c = crypto.createCipheriv("aes-256-gcm", this.key, iv);
            const ct = Buffer.concat([c.update(JSON.stringify(v.value), "utf8"), c.final()]);
            return {
                [SIG]: SECRET_SIG,
                ciphertext: [
                    "v1",
                    iv.toString("base64"),
                    c.getAuthTag().toString("base64"),
                    ct.toString("base64"),
                ].join(":"),
            };
        }
        if (Array.isArray(v)) {
            return v.map((e) => this.encrypt(e));
        }
        if (isObject(v)) {
            const out: Record<string, Wire> = {};
            for (const [k, e] of Object.entries(v)) {
                out[k] = this.encrypt(e);
            }
            return out;
        }
        return v;
    }

    decrypt(v: Wire): Wire {
        if (isObject(v) && v[SIG] === SECRET_SIG && typeof v.ciphertext === "string") {
            const [ver, iv, tag, ct] = v.ciphertext.split(":");
            if (ver !== "v1") {
                throw new Error("unknown secret format in the state file");
            }
            const d = crypto.createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64"));
            d.setAuthTag(Buffer.from(tag, "base64"));
            const pt = Buffer.concat([d.update(Buffer.from(ct, "base64")), d.final()]).toString("utf8");
            return { [SIG]: SECRET_SIG, value: JSON.parse(pt) as Wire };
        }
        if (Array.isArray(v)) {
            return v.map((e) => this.decrypt(e));
        }
        if (isObject(v)) {
            const out: Record<string, Wire> = {};
            for (const [k, e] of Object.entries(v)) {
                out[k] = this.decrypt(e);
            }
            return out;
        }
        return v;
    }
}

function hasCiphertext(v: Wire): boolean {
    if (isObject(v) && v[SIG] === SECRET_SIG && typeof v.ciphertext === "string") {
        return true;
    }
    if (Array.isArray(v)) {
        return v.some(hasCiphertext);
    }
    if (isObject(v)) {
        return Object.values(v).some(hasCiphertext);
    }
    return false;
}

/** A state file on disk: load once, save atomically (0600) as often as needed. */
export class StateFile {
    private box: SecretBox | undefined;

    constructor(
        readonly file: string,
        readonly keyFile: string = file.replace(/\.json$/, "") + ".key",
    ) {}

    load(project: string, stack: string): StackState {
        if (!fs.existsSync(this.file)) {
            return emptyState(project, stack);
        }
        const raw = JSON.parse(fs.readFileSync(this.file, "utf8")) as StackState;
        if (raw.version !== 1) {
            throw new Error(`${this.file}: unsupported state version ${String(raw.version)}`);
        }
        if (raw.project !== project || raw.stack !== stack) {
            throw new Error(`${this.file} belongs to ${raw.project}/${raw.stack}, not ${project}/${stack}`);
        }
        const all = [...raw.resources, ...(raw.pendingDeletes ?? [])];
        if (all.some((r) => hasCiphertext(r.inputs as Wire) || hasCiphertext(r.outputs as Wire))) {
            this.box = SecretBox.open(this.keyFile, false);
            if (!this.box) {
                throw new Error(`${this.file} holds encrypted secrets but its key ${this.keyFile} is missing`);
            }
        }
        const dec = (r: ResourceState): ResourceState =>
            this.box
                ? {
                      ...r,
                      inputs: this.box.decrypt(r.inputs as Wire) as WireMap,
                      outputs: this.box.decrypt(r.outputs as Wire) as WireMap,
                  }
                : r;
        return { ...raw, resources: raw.resources.map(dec), pendingDeletes: (raw.pendingDeletes ?? []).map(dec) };
    }

    /**
     * Queues an atomic write (temp file + rename, 0600) of the state. Saves requested while
     * a write is pending coalesce: the latest state wins. Resolves once it is on disk.
     */
    save(state: StackState): Promise<void> {
        this.pending = state;
        if (!this.writing) {
            this.writing = this.flush().finally(() => (this.writing = undefined));
        }
        return this.writing;
    }

    private pending: StackState | undefined;
    private writing: Promise<void> | undefined;

    private async flush(): Promise<void> {
        while (this.pending) {
            await new Promise((r) => setImmediate(r));
            const state = this.pending;
            this.pending = undefined;
            const snapshot = this.serialize(state);
            fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
            const tmp = `${this.file}.tmp-${process.pid}`;
            fs.writeFileSync(tmp, snapshot, { mode: 0o600 });
            fs.renameSync(tmp, this.file);
        }
    }

    private serialize(state: StackState): string {
        if (!this.box) {
            this.box = SecretBox.open(this.keyFile, true);
        }
        const box = this.box as SecretBox;
        const enc = (r: ResourceState): ResourceState => ({
            ...r,
            inputs: box.encrypt(r.inputs as Wire) as WireMap,
            outputs: box.encrypt(r.outputs as Wire) as WireMap,
        });
        const out: StackState = {
            ...state,
            updatedAt: new Date().toISOString(),
            resources: state.resources.map(enc),
            pendingDeletes: state.pendingDeletes.map(enc),
        };
        return JSON.stringify(out, null, 2) + "\n";
    }
}
