// A recording Executor for the lab-runner tests: no network, configurable delay and result
// per command, and a log of every call with start/end times and concurrency.

import { ExecRequest, ExecResult, Executor, SshTarget } from "../../e2e/runner/exec";

export interface FakeCall {
    host: string;
    command: string;
    stdin?: string;
    env?: Record<string, string>;
    start: number;
    end: number;
}

export interface FakeBehaviour {
    delayMs?: number;
    /** Awaited instead of the delay (e.g. a rendezvous proving two commands overlap). */
    until?: () => Promise<void>;
    exitCode?: number;
    stdout?: string;
    stderr?: string;
}

export class FakeExecutor implements Executor {
    readonly calls: FakeCall[] = [];
    readonly files: { host: string; path: string; content: string }[] = [];
    private running = 0;
    private readonly runningPerHost = new Map<string, number>();
    maxRunning = 0;
    maxPerHost = 0;

    constructor(
        private readonly behave: (host: string, command: string, req: ExecRequest) => FakeBehaviour = () => ({}),
    ) {}

    async exec(target: SshTarget, req: ExecRequest): Promise<ExecResult> {
        const b = {
            delayMs: 10,
            exitCode: 0,
            stdout: `out:${req.command}\n`,
            stderr: "",
            ...this.behave(target.host, req.command, req),
        };
        const start = Date.now();
        this.running++;
        this.runningPerHost.set(target.host, (this.runningPerHost.get(target.host) ?? 0) + 1);
        this.maxRunning = Math.max(this.maxRunning, this.running);
        this.maxPerHost = Math.max(this.maxPerHost, this.runningPerHost.get(target.host) ?? 0);
        if (b.until) {
            await b.until();
        } else {
            await new Promise((r) => setTimeout(r, b.delayMs));
        }
        this.running--;
        this.runningPerHost.set(target.host, (this.runningPerHost.get(target.host) ?? 1) - 1);
        this.calls.push({
            host: target.host,
            command: req.command,
            stdin: req.stdin,
            env: req.env,
            start,
            end: Date.now(),
        });
        return { exitCode: b.exitCode, stdout: b.stdout, stderr: b.stderr };
    }

    async putFile(target: SshTarget, remotePath: string, content: Buffer): Promise<void> {
        this.files.push({ host: target.host, path: remotePath, content: content.toString("utf8") });
    }

    /** "host command" in completion order. */
    commands(): string[] {
        return this.calls.map((c) => `${c.host} ${c.command}`);
    }

    call(command: string, host?: string): FakeCall {
        const c = this.calls.find((x) => x.command === command && (host === undefined || x.host === host));
        if (!c) {
            throw new Error(`no call ${command}${host ? ` on ${host}` : ""}; calls: ${this.commands().join(", ")}`);
        }
        return c;
    }
}

/**
 * A rendezvous for `n` parties: `arrive()` resolves once all n arrived, or rejects after
 * `timeoutMs` — so commands that meet here provably ran at the same time.
 */
export function rendezvous(n: number, timeoutMs = 5000): () => Promise<void> {
    let arrived = 0;
    let open: () => void = () => undefined;
    const all = new Promise<void>((r) => (open = r));
    return async () => {
        if (++arrived >= n) {
            open();
        }
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>(
            (_, reject) =>
                (timer = setTimeout(() => reject(new Error(`rendezvous: only ${arrived} of ${n} arrived`)), timeoutMs)),
        );
        try {
            await Promise.race([all, timeout]);
        } finally {
            clearTimeout(timer);
        }
    };
}
