// npm run verify — OpenStack's own Tempest against the deployed stack.
//
//   npm run verify -- [--outputs FILE] [--key FILE] [--user root] [--concurrency 2]
//                     [--client-address CIDR --client-interface IFACE] [--regex REGEX | --smoke]
//
// Stack outputs come from `pulumi stack output --json` (the selected stack), or from FILE:
// a JSON object of outputs, or the lab runner's report (its `outputs`). tempest.conf is
// rendered from them (scripts/verify/tempest-conf.ts), then scripts/verify/on-host.sh runs
// on the controller over SSH: Debian's tempest package of the host's release, the selection
// (default --smoke), and prints pass/fail/skip counts, the failures and the skips.
// Tempest's validation SSH goes from the controller to each server's floating IP: where the
// controller has no address on the external network (the lab), --client-address and
// --client-interface give it one for the run. Exit status: 0 when Tempest ran and every
// failed test is a known failure of the release (scripts/verify/known-failures.ts, printed
// with its reason); 1 otherwise.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { classifyFailures } from "./known-failures";
import { VerifyFacts, tempestConf } from "./tempest-conf";

export interface VerifyOutputs {
    release: string;
    controller: string;
    region: string;
    keystoneUrl: string;
    horizonUrl: string;
    imageId: string;
    externalNetworkId: string;
    flavors: Record<string, string>;
    computes: string[];
    /** Catalog service types. */
    services: string[];
    /** cinder-volume runs (config cinder.volumeService). */
    volumeService: boolean;
}

/** Facts for tempest.conf from the stack outputs; throws naming a missing output. Pure. */
export function factsFrom(o: Partial<VerifyOutputs>): VerifyFacts {
    const need = <K extends keyof VerifyOutputs>(k: K): VerifyOutputs[K] => {
        const v = o[k];
        if (v === undefined || v === null || v === "" || v === "[secret]") {
            throw new Error(`stack output ${k} is missing: run pulumi up first (or pass --outputs FILE)`);
        }
        return v as VerifyOutputs[K];
    };
    const flavors = need("flavors");
    const pick = (...names: string[]) => names.map((n) => flavors[n]).find((id) => id !== undefined);
    const flavorRef = pick("m1.tiny", "m1.nano") ?? Object.values(flavors)[0];
    const flavorRefAlt = pick("m1.small", "m1.nano") ?? flavorRef;
    if (!flavorRef) {
        throw new Error("stack output flavors is empty: give the stack at least one flavor (config key flavors)");
    }
    const services = need("services");
    return {
        release: need("release"),
        keystoneUrl: need("keystoneUrl"),
        region: need("region"),
        imageId: need("imageId"),
        flavorRef,
        flavorRefAlt: flavorRefAlt ?? flavorRef,
        externalNetworkId: need("externalNetworkId"),
        externalNetworkName: "ext_net",
        horizonUrl: need("horizonUrl"),
        volumes: o.volumeService === true,
        objectStore: services.includes("object-store"),
        placement: services.includes("placement"),
        computes: need("computes").length,
    };
}

/** Command-line arguments, checked (exact error messages). Pure. */
export function parseArgs(argv: string[]) {
    const a = {
        outputs: "",
        key: "",
        user: "root",
        concurrency: "2",
        clientAddress: "",
        clientInterface: "",
        selection: ["--smoke"],
    };
    for (let i = 0; i < argv.length; i++) {
        const v = () => {
            const next = argv[++i];
            if (next === undefined) {
                throw new Error(`${argv[i - 1]} needs a value`);
            }
            return next;
        };
        switch (argv[i]) {
            case "--outputs":
                a.outputs = v();
                break;
            case "--key":
                a.key = v();
                break;
            case "--user":
                a.user = v();
                break;
            case "--concurrency":
                a.concurrency = v();
                break;
            case "--client-address":
                a.clientAddress = v();
                break;
            case "--client-interface":
                a.clientInterface = v();
                break;
            case "--regex":
                a.selection = ["--regex", v()];
                break;
            case "--smoke":
                a.selection = ["--smoke"];
                break;
            default:
                throw new Error(`unknown argument ${argv[i]} (see scripts/verify/cli.ts)`);
        }
    }
    if (!/^\d+$/.test(a.concurrency)) {
        throw new Error(`--concurrency must be a number, not ${a.concurrency}`);
    }
    if (!a.clientAddress !== !a.clientInterface) {
        throw new Error("--client-address and --client-interface go together");
    }
    if (a.clientAddress && !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(a.clientAddress)) {
        throw new Error(`--client-address must be an IPv4 CIDR such as 198.51.100.141/26, not ${a.clientAddress}`);
    }
    if (a.clientInterface && !/^[A-Za-z0-9_.-]+$/.test(a.clientInterface)) {
        throw new Error(`--client-interface ${a.clientInterface} is not an interface name`);
    }
    return a;
}

function readOutputs(file: string): Partial<VerifyOutputs> {
    if (file) {
        const j = JSON.parse(fs.readFileSync(file, "utf8"));
        return j.outputs && j.timing ? j.outputs : j;
    }
    const r = spawnSync("pulumi", ["stack", "output", "--json"], { encoding: "utf8" });
    if (r.status !== 0) {
        throw new Error(`pulumi stack output failed (${r.error?.message ?? r.stderr.trim()}); pass --outputs FILE`);
    }
    return JSON.parse(r.stdout);
}

function main(): number {
    const args = parseArgs(process.argv.slice(2));
    const outputs = readOutputs(args.outputs);
    const conf = tempestConf(factsFrom(outputs));
    const ssh = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"];
    if (args.key) {
        ssh.push("-i", args.key);
    }
    const quoted = args.selection.map((s) => `'${s.replace(/'/g, `'"'"'`)}'`).join(" ");
    const target = `${args.user}@${outputs.controller}`;
    const confIn = "/root/oslab-tempest.conf.in";
    const put = spawnSync("ssh", [...ssh, target, `umask 077 && cat > ${confIn}`], { input: conf });
    if (put.status !== 0) {
        throw new Error(`cannot write ${confIn} on ${target}: ${put.stderr?.toString().trim()}`);
    }
    const client = `${args.clientAddress || "-"} ${args.clientInterface || "-"}`;
    const r = spawnSync(
        "ssh",
        [...ssh, target, `bash -s /root/.openstack-credentials ${confIn} ${args.concurrency} ${client} ${quoted}`],
        {
            input: fs.readFileSync(path.join(__dirname, "on-host.sh")),
            stdio: ["pipe", "pipe", "inherit"],
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        },
    );
    process.stdout.write(r.stdout ?? "");
    if (r.status !== 0) {
        return 1;
    }
    const verdict = judge(outputs.release ?? "", r.stdout);
    process.stdout.write(verdict.lines.map((l) => `${l}\n`).join(""));
    return verdict.ok ? 0 : 1;
}

/** on-host.sh's output judged: known failures named with their reasons, the verdict. Pure. */
export function judge(release: string, out: string): { ok: boolean; lines: string[] } {
    const failed = out
        .split("\n")
        .filter((l) => l.startsWith("failed: "))
        .map((l) => l.slice("failed: ".length).trim());
    const passed = /^verify: (\d+) passed,/m.exec(out);
    const c = classifyFailures(release, failed);
    const lines = c.known.map((k) => `verify: known failure on ${release}: ${k.test}: ${k.reason}`);
    if (!passed || passed[1] === "0") {
        lines.push("verify: FAIL no test passed");
    } else if (c.unknown.length > 0) {
        lines.push(`verify: FAIL ${c.unknown.length} failed test(s) not known for ${release}: ${c.unknown.join(", ")}`);
    } else {
        lines.push(`verify: OK (${c.known.length} known failure(s))`);
    }
    return { ok: !!passed && passed[1] !== "0" && c.unknown.length === 0, lines };
}

if (require.main === module) {
    try {
        process.exit(main());
    } catch (e) {
        process.stderr.write(`verify: ${(e as Error).message}\n`);
        process.exit(2);
    }
}
