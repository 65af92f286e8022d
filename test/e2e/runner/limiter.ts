// Lab runner: bounded parallelism. A slot needs one of `total` global slots and one of
// `perKey` slots for its key (the SSH host). Waiters are served in FIFO order per key;
// a waiter for a busy host does not block waiters for other hosts.

export class Limiter {
    private running = 0;
    private readonly perKeyRunning = new Map<string, number>();
    private readonly queue: { key: string; start: () => void }[] = [];

    constructor(
        readonly total: number,
        readonly perKey: number,
    ) {
        if (total < 1 || perKey < 1) {
            throw new Error("parallelism must be at least 1");
        }
    }

    /** Runs fn once a slot for `key` is free. */
    async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
        await new Promise<void>((resolve) => {
            this.queue.push({ key, start: resolve });
            this.pump();
        });
        try {
            return await fn();
        } finally {
            this.running--;
            this.perKeyRunning.set(key, (this.perKeyRunning.get(key) ?? 1) - 1);
            this.pump();
        }
    }

    private pump(): void {
        for (let i = 0; i < this.queue.length && this.running < this.total;) {
            const w = this.queue[i];
            const busy = this.perKeyRunning.get(w.key) ?? 0;
            if (busy >= this.perKey) {
                i++;
                continue;
            }
            this.queue.splice(i, 1);
            this.running++;
            this.perKeyRunning.set(w.key, busy + 1);
            w.start();
        }
    }
}
