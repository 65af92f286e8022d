// Lab runner: stack configuration the way the Pulumi CLI hands it to a program.
//
//   - Pulumi.yaml `config:` declares project keys (un-namespaced names belong to the
//     project); a declared `default` (or a plain value) applies when the stack does not set
//     the key; `secret: true` marks the key secret.
//   - Pulumi.<stack>.yaml `config:` holds the stack's values ("ns:key": value).
//   - Values reach the program as strings: numbers and booleans as their text, objects and
//     arrays as JSON (what Config.getObject parses), exactly like the CLI's PULUMI_CONFIG.
//   - Encrypted values (`secure: v1:…`) cannot be decrypted without the CLI: supply every
//     secret separately (`--secret key=@file` or `--secret key=env:VAR`); a stack file
//     may keep its `secure:` entries, they are then overridden.

import * as fs from "fs";
import * as path from "path";

export interface ProjectFile {
    name: string;
    main?: string;
    /** Namespaced key → default value (already in CLI string form). */
    defaults: Record<string, string>;
    /** Namespaced keys declared `secret: true`. */
    secretKeys: string[];
}

export interface StackConfig {
    project: string;
    stack: string;
    config: Record<string, string>;
    secretKeys: string[];
}

export interface SecretSource {
    key: string;
    /** "@<path>" (file contents) or "env:<NAME>". */
    source: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function loadYaml(text: string, file: string): any {
    // js-yaml ships with @pulumi/pulumi (its own dependency); resolve it from there.
    const sdkDir = path.dirname(require.resolve("@pulumi/pulumi"));
    const yaml = require(require.resolve("js-yaml", { paths: [sdkDir] })) as { load(s: string): unknown };
    try {
        return yaml.load(text);
    } catch (e) {
        throw new Error(`${file}: ${(e as Error).message}`);
    }
}

/** The CLI's string form of a config value. Pure. */
export function configString(v: unknown): string {
    if (typeof v === "string") {
        return v;
    }
    if (typeof v === "number" || typeof v === "boolean") {
        return String(v);
    }
    return JSON.stringify(v);
}

/** "key" → "<project>:key"; namespaced keys unchanged. Pure. */
export function qualifyKey(key: string, project: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

export function readProjectFile(dir: string): ProjectFile | undefined {
    const file = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(file)) {
        return undefined;
    }
    const doc = loadYaml(fs.readFileSync(file, "utf8"), file) ?? {};
    if (typeof doc.name !== "string") {
        throw new Error(`${file}: no project name`);
    }
    const defaults: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [k, decl] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) {
        const key = qualifyKey(k, doc.name);
        if (decl !== null && typeof decl === "object" && !Array.isArray(decl)) {
            const d = decl as Record<string, unknown>;
            if ("default" in d) {
                defaults[key] = configString(d.default);
            } else if ("value" in d) {
                defaults[key] = configString(d.value);
            }
            if (d.secret === true) {
                secretKeys.push(key);
            }
        } else {
            defaults[key] = configString(decl);
        }
    }
    return { name: doc.name, main: typeof doc.main === "string" ? doc.main : undefined, defaults, secretKeys };
}

/** "Pulumi.lab.yaml" → "lab". Pure. */
export function stackNameFromFile(file: string): string | undefined {
    const m = /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file));
    return m ? m[1] : undefined;
}

export function readSecret(s: SecretSource): string {
    if (s.source.startsWith("@")) {
        const file = s.source.slice(1);
        if (!fs.existsSync(file)) {
            throw new Error(`secret ${s.key}: file ${file} does not exist`);
        }
        return fs.readFileSync(file, "utf8");
    }
    if (s.source.startsWith("env:")) {
        const name = s.source.slice(4);
        const v = process.env[name];
        if (v === undefined || v === "") {
            throw new Error(`secret ${s.key}: environment variable ${name} is not set`);
        }
        return v;
    }
    throw new Error(`secret ${s.key}: give the value as @<file> or env:<VARIABLE> (never on the command line)`);
}

/**
 * Merges project defaults, the stack file, plain overrides and secrets into the config
 * the program sees. Throws for a `secure:` value nobody supplied.
 */
export function buildStackConfig(args: {
    project: ProjectFile | undefined;
    projectName?: string;
    stack: string;
    stackFile?: string;
    overrides?: Record<string, string>;
    secrets?: SecretSource[];
}): StackConfig {
    const project = args.projectName ?? args.project?.name;
    if (!project) {
        throw new Error("no project name: run from the project directory (Pulumi.yaml) or pass --project");
    }
    const config: Record<string, string> = { ...(args.project?.defaults ?? {}) };
    const secretKeys = new Set<string>();
    const encrypted: string[] = [];
    if (args.stackFile) {
        const doc = loadYaml(fs.readFileSync(args.stackFile, "utf8"), args.stackFile) ?? {};
        for (const [k, v] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) {
            const key = qualifyKey(k, project);
            if (
                v !== null &&
                typeof v === "object" &&
                !Array.isArray(v) &&
                "secure" in (v as object) &&
                Object.keys(v as object).length === 1
            ) {
                encrypted.push(key);
                delete config[key];
                continue;
            }
            config[key] = configString(v);
        }
    }
    for (const [k, v] of Object.entries(args.overrides ?? {})) {
        config[qualifyKey(k, project)] = v;
    }
    for (const s of args.secrets ?? []) {
        const key = qualifyKey(s.key, project);
        config[key] = readSecret(s);
        secretKeys.add(key);
    }
    const missing = encrypted.filter((k) => !secretKeys.has(k));
    if (missing.length > 0) {
        throw new Error(
            `${args.stackFile}: ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} encrypted; without the Pulumi CLI supply ${missing.length > 1 ? "them" : "it"} with --secret <key>=@<file>`,
        );
    }
    for (const k of args.project?.secretKeys ?? []) {
        if (k in config) {
            secretKeys.add(k);
        }
    }
    return { project, stack: args.stack, config, secretKeys: [...secretKeys].sort() };
}
