// npm run bench — how long the program takes to run under mocks (no engine, no hosts)
// for the article's stack and for stacks with 10 and 50 computes, per release: the
// resources registered and the milliseconds from start until registrations settle.
// Preview time is dominated by this program time; it should grow linearly with nodes
// (ms per resource roughly flat once the fixed start-up cost is amortised).
import * as pulumi from "@pulumi/pulumi";
import { buildCloud } from "../components/cloud";
import { RawConfig } from "../config";
import { devConfig } from "../test/unit/harness";

function withComputes(n: number, release: string) {
    return (c: RawConfig): RawConfig => {
        const nodes = (c.nodes as Array<Record<string, unknown>>).filter((x) => x.role !== "compute");
        for (let i = 0; i < n; i++) {
            nodes.push({
                name: i === 0 ? "bob" : `bob${i + 1}`,
                role: "compute",
                managementIp: `192.168.122.${112 + (i === 0 ? 0 : i + 2)}`,
                dataIp: `192.168.133.${112 + (i === 0 ? 0 : i + 2)}`,
            });
        }
        return { ...c, release, nodes, ...(release === "zed" ? { datapathType: "netdev", virtType: "qemu" } : {}) };
    };
}

async function measure(n: number, release: string): Promise<{ resources: number; ms: number }> {
    let count = 0;
    await pulumi.runtime.setMocks(
        {
            newResource: (a) => {
                count++;
                return { id: `${a.name}-id`, state: { ...a.inputs, stdout: "", result: "x" } };
            },
            call: (a) => a.inputs,
        },
        "openstack-lab",
        "bench",
        true,
    );
    const cfg = devConfig(withComputes(n, release));
    const t0 = process.hrtime.bigint();
    buildCloud(cfg);
    let last = -1,
        stable = 0;
    let settledAt = t0;
    // Settled: no new registration for 30 consecutive 10 ms ticks.
    while (stable < 30) {
        await new Promise((r) => setTimeout(r, 10));
        if (count !== last) {
            last = count;
            stable = 0;
            settledAt = process.hrtime.bigint();
        } else {
            stable++;
        }
    }
    return { resources: count, ms: Number(settledAt - t0) / 1e6 };
}

async function main() {
    const rows: string[] = [
        "| release | computes | nodes | resources | ms | ms per node | ms per resource |",
        "|---|---|---|---|---|---|---|",
    ];
    console.log(rows.join("\n"));
    for (const release of ["folsom", "zed"]) {
        await measure(1, release); // warm-up: module loading and JIT
        for (const n of [1, 10, 50]) {
            const runs = [];
            const repeat = Number(process.env.BENCH_RUNS ?? 3);
            for (let i = 0; i < repeat; i++) {
                runs.push(await measure(n, release));
            }
            const ms = runs.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(repeat / 2)];
            const row = `| ${release} | ${n} | ${n + 2} | ${runs[0].resources} | ${ms.toFixed(0)} | ${(ms / (n + 2)).toFixed(1)} | ${(ms / runs[0].resources).toFixed(1)} |`;
            rows.push(row);
            console.log(row);
        }
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
