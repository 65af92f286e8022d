// npm run bench — how long the program takes to run under mocks (no engine, no hosts)
// for the article's stack and for stacks with 10 and 50 computes, for every registered
// release (components/release/registry.ts, configured as the unit tests run it), against
// the floor: the time the Pulumi SDK itself needs, in the same process and under the
// same mocks, to register as many plain `remote.Command`s and small dynamic resources
// (grouped in components of ten) as the program registers. program ÷ floor is what
// our own code costs on top of the SDK; the goal is ≤ 1.5 (issue #17).
// Times run from the start of the program until registrations settle (no new one for
// 30 consecutive 10 ms ticks), as wall time and as this process's CPU time; each row is
// the median of BENCH_RUNS runs (default 3). BENCH_RELEASES=zed and BENCH_COMPUTES=10
// narrow the table (for profiling one case:
// `node --cpu-prof -r ts-node/register/transpile-only bench/program.ts`).
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as v8 from "v8";
import * as vm from "vm";
import { buildCloud } from "../components/cloud";
import { RawConfig } from "../config";
import { RELEASES, type Release } from "../components/release/registry";
import { devConfig, forRelease } from "../test/unit/harness";

/** The article's stack as the tests run it for `release` (forRelease), with `n` computes. */
function withComputes(n: number, release: Release) {
    return (raw: RawConfig): RawConfig => {
        const c = forRelease(release)(raw);
        const nodes = (c.nodes as Array<Record<string, unknown>>).filter((x) => x.role !== "compute");
        for (let i = 0; i < n; i++) {
            nodes.push({
                name: i === 0 ? "bob" : `bob${i + 1}`,
                role: "compute",
                managementIp: `192.168.122.${112 + (i === 0 ? 0 : i + 2)}`,
                dataIp: `192.168.133.${112 + (i === 0 ? 0 : i + 2)}`,
            });
        }
        return { ...c, nodes };
    };
}

/** What one run registered, by kind. */
interface Counts {
    commands: number;
    dynamic: number;
    /** random.RandomPassword (the program's generated secrets). */
    passwords: number;
    /** Custom resources of any other type (none today; the floor registers them as Commands). */
    otherCustom: number;
    components: number;
}

// A full garbage collection before each run, so that one run's garbage is not collected
// in (and charged to) the next.
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/**
 * Runs `build` under fresh mocks: what was registered, the wall time from start until
 * registrations settle (`ms`), and the CPU time this process used in that span (`cpuMs`,
 * user + system, every thread: what the run cost, however busy the machine was).
 */
async function measure(build: () => void): Promise<{ counts: Counts; ms: number; cpuMs: number }> {
    const counts: Counts = { commands: 0, dynamic: 0, passwords: 0, otherCustom: 0, components: 0 };
    let total = 0;
    await pulumi.runtime.setMocks(
        {
            newResource: (a) => {
                total++;
                if (a.custom === false) {
                    counts.components++;
                } else if (a.type === "command:remote:Command") {
                    counts.commands++;
                } else if (a.type.startsWith("pulumi-nodejs:dynamic")) {
                    counts.dynamic++;
                } else if (a.type === "random:index/randomPassword:RandomPassword") {
                    counts.passwords++;
                } else {
                    counts.otherCustom++;
                }
                return { id: `${a.name}-id`, state: { ...a.inputs, stdout: "", result: "x" } };
            },
            call: (a) => a.inputs,
        },
        "openstack-lab",
        "bench",
        true,
    );
    gc();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    build();
    let last = -1;
    let stable = 0;
    let settledAt = t0;
    let settledCpu = cpu0;
    while (stable < 30) {
        await new Promise((r) => setTimeout(r, 10));
        if (total !== last) {
            last = total;
            stable = 0;
            settledAt = process.hrtime.bigint();
            settledCpu = process.cpuUsage();
        } else {
            stable++;
        }
    }
    const cpuMs = (settledCpu.user - cpu0.user + settledCpu.system - cpu0.system) / 1e3;
    return { counts, ms: Number(settledAt - t0) / 1e6, cpuMs };
}

/** The floor's dynamic provider: as small as a provider gets. */
class FloorProvider implements pulumi.dynamic.ResourceProvider {
    async create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
        return { id: String(inputs.name), outs: inputs };
    }
}

/**
 * One instance for all: the SDK caches the serialized provider per instance, so this is
 * the least a dynamic resource costs (the floor is the SDK at its cheapest).
 */
const FLOOR_PROVIDER = new FloorProvider();

class FloorThing extends pulumi.dynamic.Resource {
    constructor(name: string, opts?: pulumi.CustomResourceOptions) {
        super(FLOOR_PROVIDER, name, { name }, opts, "floor", "Thing");
    }
}

class FloorGroup extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("floor:index:Group", name, {}, opts);
    }
}

/**
 * The floor program: as many remote.Commands (with a one-line script), small dynamic
 * resources and RandomPasswords as the program registered, ten to a component.
 */
function floor(c: Counts): void {
    const connection = { host: "198.51.100.11", user: "root", privateKey: pulumi.secret("key") };
    const commands = c.commands + c.otherCustom;
    const total = commands + c.dynamic + c.passwords;
    let group: FloorGroup | undefined;
    for (let i = 0; i < total; i++) {
        if (i % 10 === 0) {
            group = new FloorGroup(`group-${i / 10}`);
        }
        const name = `r${i}`;
        if (i < commands) {
            new command.remote.Command(name, { connection, create: `echo ${name}` }, { parent: group });
        } else if (i < commands + c.dynamic) {
            new FloorThing(name, { parent: group });
        } else {
            new random.RandomPassword(name, { length: 16 }, { parent: group });
        }
    }
}

function median(xs: number[]): number {
    return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

async function main() {
    const repeat = Number(process.env.BENCH_RUNS ?? 3);
    const rows: string[] = [
        "| release | computes | resources | commands | dynamic | passwords | components | program ms | floor ms | program ÷ floor | program CPU ms | floor CPU ms | CPU program ÷ floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ];
    console.log(rows.join("\n"));
    const releases = (process.env.BENCH_RELEASES?.split(",") ?? RELEASES) as Release[];
    const unknown = releases.filter((r) => !RELEASES.includes(r));
    if (unknown.length > 0) {
        throw new Error(`BENCH_RELEASES: unknown release ${unknown.join(", ")} (registered: ${RELEASES.join(", ")})`);
    }
    const computes = (process.env.BENCH_COMPUTES ?? "1,10,50").split(",").map(Number);
    for (const release of releases) {
        const program = (n: number) => () => buildCloud(devConfig(withComputes(n, release)));
        // warm-up: module loading and JIT, for both programs
        const warm = await measure(program(1));
        const warmFloor = await measure(() => floor(warm.counts));
        console.log(
            `| ${release} | first run: 1 compute, with JIT and each provider type serialized once (the SDK caches it per instance) | | | | | | ${warm.ms.toFixed(0)} | ${warmFloor.ms.toFixed(0)} | | ${warm.cpuMs.toFixed(0)} | ${warmFloor.cpuMs.toFixed(0)} | |`,
        );
        for (const n of computes) {
            const progRuns = [];
            const floorRuns = [];
            for (let i = 0; i < repeat; i++) {
                const p = await measure(program(n));
                progRuns.push(p);
                floorRuns.push(await measure(() => floor(p.counts)));
            }
            const c = progRuns[0].counts;
            const pm = median(progRuns.map((r) => r.ms));
            const fm = median(floorRuns.map((r) => r.ms));
            const pc = median(progRuns.map((r) => r.cpuMs));
            const fc = median(floorRuns.map((r) => r.cpuMs));
            const all = c.commands + c.dynamic + c.passwords + c.otherCustom + c.components;
            const row =
                `| ${release} | ${n} | ${all} | ${c.commands + c.otherCustom} | ${c.dynamic} | ${c.passwords} | ${c.components} ` +
                `| ${pm.toFixed(0)} | ${fm.toFixed(0)} | ${(pm / fm).toFixed(2)} | ${pc.toFixed(0)} | ${fc.toFixed(0)} | ${(pc / fc).toFixed(2)} |`;
            rows.push(row);
            console.log(row);
        }
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
