// Lab runner: the execution layer for remote.Command / remote.CopyToRemote.
//
// `Executor` is the seam the unit tests replace with a recording fake. `SshExecutor`
// is the real one, built on ssh2 with the semantics of @pulumi/command 1.x's Go
// provider (provider/pkg/provider/remote):
//   - one SSH connection per command (dialled, used for one session, closed);
//   - dialling retries until more than `dialErrorLimit` dials failed (-1 = unlimited, default 10),
//     each bounded by `perDialTimeout` seconds (default 15; covers TCP + handshake +
//     auth), with the SDK's retry.Until backoff (100 ms × 1.5 per try, at most 5 s);
//     authentication failures count as dial errors, as in the provider;
//   - the command string is sent as-is in the exec request (the login shell runs it), no PTY;
//   - `env` travels as SSH "env" requests (the provider's session.Setenv): sshd drops
//     variables its AcceptEnv does not list, silently, exactly like the real provider;
//   - stdin is written and then closed (EOF), also when empty;
//   - host keys are not verified unless `hostKey` is given.
// Proxy (bastion) connections are not supported by the lab runner.

import type { Client, ClientChannel, ConnectConfig } from "ssh2";

export interface SshTarget {
    host: string;
    port: number;
    user: string;
    privateKey?: string;
    privateKeyPassword?: string;
    password?: string;
    agentSocketPath?: string;
    /** Expected host key, "<type> <base64>" (or just the base64 blob). */
    hostKey?: string;
    /** Failed dials allowed before giving up; -1 = unlimited. */
    dialErrorLimit: number;
    /** Seconds per dial attempt; 0 = no limit. */
    perDialTimeout: number;
}

export interface ExecRequest {
    command: string;
    stdin?: string;
    env?: Record<string, string>;
    /** Kill the command after this many milliseconds (customTimeouts). */
    timeoutMs?: number;
}

export interface ExecResult {
    /** null when the command ended without an exit status (signal, lost connection). */
    exitCode: number | null;
    signal?: string;
    stdout: string;
    stderr: string;
}

export interface Executor {
    /** Runs one command; rejects only when the host cannot be reached or the command times out. */
    exec(target: SshTarget, req: ExecRequest): Promise<ExecResult>;
    /** Writes one file over SFTP. */
    putFile(target: SshTarget, remotePath: string, content: Buffer): Promise<void>;
}

/** Builds the target from a (secret-unwrapped) remote.Command `connection` input, with the SDK's defaults. */
export function targetFromConnection(conn: unknown): SshTarget {
    if (typeof conn !== "object" || conn === null) {
        throw new Error("the resource has no connection");
    }
    const c = conn as Record<string, unknown>;
    if (typeof c.host !== "string" || c.host === "") {
        throw new Error("connection.host is not set");
    }
    if (c.proxy !== undefined && c.proxy !== null) {
        throw new Error("connection.proxy (bastion hosts) is not supported by the lab runner");
    }
    const num = (v: unknown, d: number) => (typeof v === "number" && Number.isFinite(v) ? v : d);
    const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
    return {
        host: c.host,
        port: num(c.port, 22),
        user: str(c.user) ?? "root",
        privateKey: str(c.privateKey),
        privateKeyPassword: str(c.privateKeyPassword),
        password: str(c.password),
        agentSocketPath: str(c.agentSocketPath),
        hostKey: str(c.hostKey),
        dialErrorLimit: num(c.dialErrorLimit, 10),
        perDialTimeout: num(c.perDialTimeout, 15),
    };
}

/** "user@host:port" for messages. */
export function describeTarget(t: SshTarget): string {
    return `${t.user}@${t.host}:${t.port}`;
}

/** Delays between dial attempts: retry.Until's 100 ms, ×1.5 per try, capped at 5 s. Pure. */
export function dialDelayMs(attempt: number): number {
    return Math.min(5000, 100 * Math.pow(1.5, attempt - 1));
}

/**
 * True when another dial is allowed after `dials` failed ones. As in the provider
 * (`reachedDialingErrorLimit`): give up once failed dials exceed the limit, so a limit
 * of 10 allows 11 dials and 0 allows one; a negative limit never gives up. Pure.
 */
export function mayDialAgain(dials: number, dialErrorLimit: number): boolean {
    return dialErrorLimit < 0 || dials <= dialErrorLimit;
}

export class DialError extends Error {
    constructor(
        readonly target: SshTarget,
        readonly dials: number,
        readonly last: string,
    ) {
        super(`cannot connect to ${describeTarget(target)} after ${dials} dial(s): ${last}`);
        this.name = "DialError";
    }
}

export class SshExecutor implements Executor {
    async exec(target: SshTarget, req: ExecRequest): Promise<ExecResult> {
        const client = await this.dial(target);
        try {
            return await runOnClient(client, req, target);
        } finally {
            client.end();
        }
    }

    async putFile(target: SshTarget, remotePath: string, content: Buffer): Promise<void> {
        const client = await this.dial(target);
        try {
            await new Promise<void>((resolve, reject) => {
                client.sftp((err, sftp) => {
                    if (err) {
                        return reject(err);
                    }
                    sftp.writeFile(remotePath, content, (werr) => {
                        sftp.end();
                        if (werr) {
                            reject(new Error(`sftp write ${remotePath}: ${werr.message}`));
                        } else {
                            resolve();
                        }
                    });
                });
            });
        } finally {
            client.end();
        }
    }

    private async dial(target: SshTarget): Promise<Client> {
        let dials = 0;
        for (;;) {
            try {
                return await dialOnce(target);
            } catch (e) {
                dials++;
                const msg = (e as Error).message;
                if (!mayDialAgain(dials, target.dialErrorLimit)) {
                    throw new DialError(target, dials, msg);
                }
                await new Promise((r) => setTimeout(r, dialDelayMs(dials)));
            }
        }
    }
}

function dialOnce(t: SshTarget): Promise<Client> {
    const { Client: SshClient } = require("ssh2") as typeof import("ssh2");
    return new Promise<Client>((resolve, reject) => {
        const c = new SshClient();
        let settled = false;
        const settle = (err?: Error) => {
            if (settled) {
                return;
            }
            settled = true;
            if (err) {
                c.end();
                reject(err);
            } else {
                resolve(c);
            }
        };
        c.on("ready", () => settle());
        c.on("error", (err) => settle(err));
        c.on("close", () => settle(new Error("connection closed during the handshake")));
        const cfg: ConnectConfig = {
            host: t.host,
            port: t.port,
            username: t.user,
            readyTimeout: t.perDialTimeout > 0 ? t.perDialTimeout * 1000 : 24 * 3600 * 1000,
            // Not in the provider: keeps a command on a host that vanished (no FIN) from hanging forever.
            keepaliveInterval: 15000,
            keepaliveCountMax: 4,
            tryKeyboard: t.password !== undefined,
        };
        if (t.privateKey) {
            cfg.privateKey = t.privateKey;
        }
        if (t.privateKeyPassword) {
            cfg.passphrase = t.privateKeyPassword;
        }
        if (t.password) {
            cfg.password = t.password;
        }
        const agent = t.agentSocketPath ?? process.env.SSH_AUTH_SOCK;
        if (agent) {
            cfg.agent = agent;
        }
        if (t.hostKey) {
            const expected =
                t.hostKey.trim().split(/\s+/).length > 1 ? t.hostKey.trim().split(/\s+/)[1] : t.hostKey.trim();
            cfg.hostVerifier = (key: Buffer) => key.toString("base64") === expected;
        }
        if (t.password) {
            c.on("keyboard-interactive", (_n, _i, _l, prompts, finish) => finish(prompts.map(() => t.password ?? "")));
        }
        try {
            c.connect(cfg);
        } catch (e) {
            // ssh2 throws synchronously for an unparsable key; never echo the key.
            settle(new Error(`invalid SSH credentials (${(e as Error).message})`));
        }
    });
}

function runOnClient(client: Client, req: ExecRequest, target: SshTarget): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
        const opts = req.env && Object.keys(req.env).length > 0 ? { env: req.env } : {};
        client.exec(req.command, opts, (err, stream: ClientChannel) => {
            if (err) {
                return reject(new Error(`exec request refused by ${describeTarget(target)}: ${err.message}`));
            }
            const out: Buffer[] = [];
            const errb: Buffer[] = [];
            let exitCode: number | null = null;
            let signal: string | undefined;
            let timer: NodeJS.Timeout | undefined;
            let timedOut = false;
            if (req.timeoutMs !== undefined) {
                timer = setTimeout(() => {
                    timedOut = true;
                    stream.close();
                    client.end();
                }, req.timeoutMs);
            }
            stream.on("data", (d: Buffer) => out.push(d));
            stream.stderr.on("data", (d: Buffer) => errb.push(d));
            stream.on("exit", (code: number | null, sig?: string) => {
                exitCode = typeof code === "number" ? code : null;
                if (sig) {
                    signal = sig;
                }
            });
            stream.on("close", () => {
                if (timer) {
                    clearTimeout(timer);
                }
                const res = {
                    exitCode,
                    signal,
                    stdout: Buffer.concat(out).toString("utf8"),
                    stderr: Buffer.concat(errb).toString("utf8"),
                };
                if (timedOut) {
                    const e = new Error(
                        `command timed out after ${Math.round((req.timeoutMs ?? 0) / 1000)}s`,
                    ) as Error & { result?: ExecResult };
                    e.result = res;
                    reject(e);
                } else {
                    resolve(res);
                }
            });
            stream.end(req.stdin && req.stdin.length > 0 ? req.stdin : undefined);
        });
    });
}
