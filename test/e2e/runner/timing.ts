// Lab runner: timing report. Pure functions over recorded start/end times.
//
// The critical path is the longest path through the dependency graph where a path's
// length is the sum of the durations (end - start) of the resources on it: the least
// wall time any scheduler could have achieved with unbounded parallelism, given those
// step durations. Edges are dependencies (data, dependsOn) and parent links.

export interface TimedNode {
    id: string;
    /** Epoch milliseconds. */
    start: number;
    end: number;
    /** Ids this node waited for; unknown ids are ignored. */
    deps: string[];
}

export interface CriticalPath {
    durationMs: number;
    /** Ids from the first resource to the last. */
    path: string[];
}

/**
 * Longest duration-weighted path. Ties are broken by input order (the first node
 * wins), so the result is deterministic. Throws on a dependency cycle.
 */
export function criticalPath(nodes: TimedNode[]): CriticalPath {
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const best = new Map<string, { total: number; prev?: string }>();
    const visiting = new Set<string>();
    const visit = (id: string): number => {
        const done = best.get(id);
        if (done) {
            return done.total;
        }
        if (visiting.has(id)) {
            throw new Error(`dependency cycle through ${id}`);
        }
        visiting.add(id);
        const n = byId.get(id) as TimedNode;
        let prevTotal = 0;
        let prev: string | undefined;
        for (const d of n.deps) {
            if (!byId.has(d) || d === id) {
                continue;
            }
            const t = visit(d);
            if (prev === undefined || t > prevTotal) {
                prevTotal = t;
                prev = d;
            }
        }
        visiting.delete(id);
        const total = prevTotal + Math.max(0, n.end - n.start);
        best.set(id, { total, prev });
        return total;
    };
    let endId: string | undefined;
    let endTotal = -1;
    for (const n of nodes) {
        const t = visit(n.id);
        if (t > endTotal) {
            endTotal = t;
            endId = n.id;
        }
    }
    const path: string[] = [];
    for (let id = endId; id !== undefined; id = best.get(id)?.prev) {
        path.unshift(id);
    }
    return { durationMs: Math.max(0, endTotal), path };
}

export interface TimingSummary {
    wallMs: number;
    sumMs: number;
    criticalPath: { durationMs: number; resources: { id: string; durationMs: number }[] };
}

/** Wall time (first start to last end, or the given run bounds), sum of durations, critical path. */
export function summarize(nodes: TimedNode[], runStart?: number, runEnd?: number): TimingSummary {
    const starts = nodes.map((n) => n.start);
    const ends = nodes.map((n) => n.end);
    const from = runStart ?? (starts.length ? Math.min(...starts) : 0);
    const to = runEnd ?? (ends.length ? Math.max(...ends) : from);
    const cp = criticalPath(nodes);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    return {
        wallMs: to - from,
        sumMs: nodes.reduce((s, n) => s + Math.max(0, n.end - n.start), 0),
        criticalPath: {
            durationMs: cp.durationMs,
            resources: cp.path.map((id) => {
                const n = byId.get(id) as TimedNode;
                return { id, durationMs: n.end - n.start };
            }),
        },
    };
}
