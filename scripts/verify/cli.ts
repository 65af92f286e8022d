// npm run verify — OpenStack's own Tempest against the deployed stack.
//
//   npm run verify -- [--outputs FILE] [--key FILE] [--user root] [--concurrency 2]
//                     [--regex REGEX | --smoke]
//
// Stack outputs come from `pulumi stack output --json` (the selected stack), or from FILE:
// a JSON object of outputs, or the lab runner's report (its `outputs`). tempest.conf is
// rendered from them (scripts/verify/tempest-conf.ts), then scripts/verify/on-host.sh runs
// on the controller over SSH: Debian's tempest package of the host's release, the selection
// (default --smoke), and prints pass/fail/skip counts and the failures. Exit status: 0
// when every selected test that ran passed.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
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

function parseArgs(argv: string[]) {
    const a = { outputs: "", key: "", user: "root", concurrency: "2", selection: ["--smoke"] };
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
    const r = spawnSync(
        "ssh",
        [...ssh, target, `bash -s /root/.openstack-credentials ${confIn} ${args.concurrency} ${quoted}`],
        { input: fs.readFileSync(path.join(__dirname, "on-host.sh")), stdio: ["pipe", "inherit", "inherit"] },
    );
    return r.status ?? 1;
}

if (require.main === module) {
    try {
        process.exit(main());
    } catch (e) {
        process.stderr.write(`verify: ${(e as Error).message}\n`);
        process.exit(2);
    }
}
