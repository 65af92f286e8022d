// Lab runner: console output with secret redaction.
//
// Every line the runner prints goes through `Redactor.redact`. It knows
//   - every secret config value (and each non-trivial line of a multi-line one, e.g. a
//     private key), registered by the CLI before the program runs;
//   - every string inside a secret resource property (inputs and outputs, e.g. a
//     RandomPassword result or a secret `stdin`, whole), except the addressing fields of
//     an SSH connection (host, user, port, …), which are secret only because the
//     connection object also holds the key;
// plus the shape of a PEM private key. stdin is never printed at all.

import { Wire, isObject, isSecret } from "./values";

/** Connection fields that identify a target rather than authenticate to it. */
const ADDRESSING_FIELDS = new Set([
    "host",
    "user",
    "port",
    "dialErrorLimit",
    "perDialTimeout",
    "agentSocketPath",
    "hostKey",
    // a Keystone login's identity fields travel inside the same secret object as its password
    "authUrl",
    "username",
    "projectName",
    "userDomainName",
    "projectDomainName",
    "dialect",
    "region",
]);

export class Redactor {
    private readonly values = new Set<string>();
    private sorted: string[] | undefined;

    /**
     * Registers one secret value, whole and (with `lines`) each line of ≥ 8 characters:
     * right for secret config values such as a private key; for rendered secret documents
     * (a config file holding a password) the lines are mostly harmless text and the
     * sensitive atoms inside are registered on their own.
     */
    add(value: string | undefined, lines = true): void {
        if (typeof value !== "string" || value.length < 4) {
            return;
        }
        this.values.add(value);
        if (lines && value.includes("\n")) {
            for (const line of value.split("\n")) {
                if (line.trim().length >= 8) {
                    this.values.add(line.trim());
                }
            }
        }
        this.sorted = undefined;
    }

    /** Registers every string inside the secret parts of a property value. */
    addSecretsIn(v: Wire | undefined, inSecret = false, key?: string): void {
        if (isSecret(v)) {
            return this.addSecretsIn(v.value, true, key);
        }
        if (Array.isArray(v)) {
            for (const e of v) {
                this.addSecretsIn(e, inSecret);
            }
            return;
        }
        if (isObject(v)) {
            for (const [k, e] of Object.entries(v)) {
                if (inSecret && ADDRESSING_FIELDS.has(k)) {
                    continue;
                }
                this.addSecretsIn(e, inSecret, k);
            }
            return;
        }
        if (inSecret && typeof v === "string") {
            this.add(v, false);
        }
    }

    redact(text: string): string {
        if (!this.sorted) {
            this.sorted = [...this.values].sort((a, b) => b.length - a.length);
        }
        let out = text;
        for (const v of this.sorted) {
            if (out.includes(v)) {
                out = out.split(v).join("[secret]");
            }
        }
        return out.replace(
            /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
            "[secret]",
        );
    }
}

export interface Logger {
    /** One line to the console (already redacted by the caller or known secret-free). */
    line(text: string): void;
}

export const consoleLogger: Logger = { line: (t) => process.stdout.write(t + "\n") };

/** Collects lines in memory (tests). */
export class MemoryLogger implements Logger {
    readonly lines: string[] = [];
    line(text: string): void {
        this.lines.push(text);
    }
}

/** Last `n` lines of a text. */
export function tail(text: string, n: number): string {
    const lines = text.replace(/\n$/, "").split("\n");
    return lines.slice(Math.max(0, lines.length - n)).join("\n");
}

export function seconds(ms: number): string {
    return (ms / 1000).toFixed(1) + "s";
}
