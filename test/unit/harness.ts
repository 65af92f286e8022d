// Unit-test harness: run (part of) the program under pulumi.runtime.setMocks and return
// every resource it registered, with its inputs as the engine would receive them.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import {
    NAMESPACE,
    RawConfig,
    Release,
    RELEASES,
    SecretConfig,
    StackConfig,
    validateConfig,
    withDerived,
} from "../../config";
import { RELEASE_PROFILES } from "../../components/release/registry";

export interface Registered {
    readonly type: string;
    readonly name: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly inputs: any;
}

export const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Values used for secrets in tests; asserted absent from every command string. */
export const TEST_SECRETS = {
    sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----TESTKEY-----END OPENSSH PRIVATE KEY-----",
    generated: "GENERATEDSECRET",
};

/** Unwrap secret markers the mock monitor passes through. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function unwrap(v: any): any {
    if (Array.isArray(v)) {
        return v.map(unwrap);
    }
    if (v && typeof v === "object") {
        if (v[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270") {
            return unwrap(v.value);
        }
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
    }
    return v;
}

/** Read a stack file's `openstack-lab:` keys as plain values. */
export function readStackFile(file: string): RawConfig {
    const doc = yaml.load(fs.readFileSync(path.join(__dirname, "..", "..", file), "utf8")) as {
        config: Record<string, unknown>;
    };
    const raw: RawConfig = {};
    for (const [k, v] of Object.entries(doc.config)) {
        if (k.startsWith(`${NAMESPACE}:`)) {
            raw[k.slice(NAMESPACE.length + 1)] = v;
        }
    }
    return raw;
}

/** A validated StackConfig from plain values; secrets are the test values. */
export function stackConfig(raw: RawConfig, given: Partial<Omit<SecretConfig, "sshPrivateKey">> = {}): StackConfig {
    const { config, problems } = validateConfig(raw, new Set(["sshPrivateKey"]));
    if (!config) {
        throw new Error(problems.map((p) => `${p.key}: ${p.message}`).join("\n"));
    }
    return withDerived(config, {
        sshPrivateKey: pulumi.secret(TEST_SECRETS.sshPrivateKey),
        dbPasswords: {},
        servicePasswords: {},
        ...given,
    });
}

/** The article's stack (Pulumi.dev.yaml) with optional changes. */
export function devConfig(change: (raw: RawConfig) => RawConfig = (r) => r): StackConfig {
    return stackConfig(change(readStackFile("Pulumi.dev.yaml")));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Outputs = Record<string, any>;

export interface RunResult {
    readonly resources: Registered[];
    readonly outputs: Outputs;
}

/**
 * Run `build` under mocks and wait until registrations settle. `mockOutputs(type, name,
 * inputs)` may supply a resource's outputs (e.g. a provider's IDs).
 */
export async function run(
    build: () => Record<string, pulumi.Input<unknown>> | void,
    opts: {
        preview?: boolean;
        mockOutputs?: (r: Registered) => Record<string, unknown> | undefined;
        /** Filled with each resource's name → the names of the resources it depends on (as the engine gets them). */
        dependencies?: Map<string, string[]>;
    } = {},
): Promise<RunResult> {
    const resources: Registered[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const r = { type: args.type, name: args.name, inputs: args.inputs };
                resources.push(r);
                const extra = opts.mockOutputs?.(r) ?? defaultOutputs(r);
                return { id: `${args.name}-id`, state: { ...args.inputs, ...extra } };
            },
            call: (args) => args.inputs,
        },
        "openstack-lab",
        "test",
        opts.preview ?? false,
    );
    if (opts.dependencies) {
        captureDependencies(opts.dependencies);
    }
    const exported = build() ?? {};
    const outputs: Outputs = {};
    for (const [k, v] of Object.entries(exported)) {
        outputs[k] = await settleOutput(pulumi.output(v));
    }
    let last = -1,
        stable = 0;
    for (let i = 0; i < 2000 && stable < 20; i++) {
        await new Promise((r) => setImmediate(r));
        if (resources.length === last) {
            stable++;
        } else {
            stable = 0;
            last = resources.length;
        }
    }
    return { resources, outputs };
}

/**
 * Record the dependency list of every registration: the mock monitor's registerResource
 * sees the whole request (the Mocks interface sees only type, name and inputs).
 */
function captureDependencies(into: Map<string, string[]>): void {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const monitor = (pulumi.runtime as any).getMonitor();
    const register = monitor.registerResource.bind(monitor);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    monitor.registerResource = (req: any, callback: unknown) => {
        const name = (urn: string) => urn.split("::").pop() as string;
        into.set(req.getName(), (req.getDependenciesList() as string[]).map(name));
        return register(req, callback);
    };
}

/** Known value of an Output (undefined when unknown, e.g. in preview). */
export async function settleOutput<T>(o: pulumi.Output<T>): Promise<T | undefined> {
    // In preview `apply` never runs its callback for an unknown value: ask first.
    if (!(await (o as unknown as { isKnown: Promise<boolean> }).isKnown)) {
        return undefined;
    }
    return new Promise((resolve) =>
        o.apply((v) => {
            resolve(v);
            return v;
        }),
    );
}

/** Outputs the mocks give resources by default: stdout for commands, random results. */
/** A MysqlDatabase's `connectionUrl` as its provider computes it (the mocks echo inputs only); undefined for other resources. */
export function mysqlOutputs(r: Registered): Record<string, unknown> | undefined {
    if (r.type !== "pulumi-nodejs:dynamic/infra:MysqlDatabase") {
        return undefined;
    }
    const i = unwrap(r.inputs);
    return { connectionUrl: `${i.urlScheme}://${i.user}:${i.password}@${i.host}/${i.database}` };
}

function defaultOutputs(r: Registered): Record<string, unknown> {
    if (r.type === "random:index/randomPassword:RandomPassword") {
        return { result: TEST_SECRETS.generated };
    }
    if (r.type === "command:remote:Command") {
        return { stdout: "", stderr: "" };
    }
    return {};
}

export function byType(resources: readonly Registered[], type: string): Registered[] {
    return resources.filter((r) => r.type === type);
}

export function names(resources: readonly Registered[], type?: string): string[] {
    return (type ? byType(resources, type) : resources).map((r) => r.name).sort();
}

export function find(resources: readonly Registered[], name: string): Registered {
    const r = resources.find((x) => x.name === name);
    if (!r) {
        throw new Error(`no resource named ${name}; have: ${resources.map((x) => x.name).join(", ")}`);
    }
    return r;
}

const GOLDEN_DIR = path.join(__dirname, "golden");

/** Compare with (or, with UPDATE_GOLDEN=1, write) test/unit/golden/<release>/<host>/<file>. */
export function golden(release: string, host: string, file: string, actual: string): void {
    const p = path.join(GOLDEN_DIR, release, host, file);
    if (process.env.UPDATE_GOLDEN === "1") {
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, actual);
    }
    expect(actual, `golden ${release}/${host}/${file}`).to.equal(fs.readFileSync(p, "utf8"));
}

/**
 * The dev stack (Pulumi.dev.yaml: the article, folsom) switched to `release`: its own
 * release as it is, every other one the way the lab deploys it (the netdev datapath, qemu).
 */
export function forRelease(release: Release): (c: RawConfig) => RawConfig {
    return (c) => (c.release === release ? c : { ...c, release, datapathType: "netdev", virtType: "qemu" });
}

/** The releases after Folsom (Keystone v3, Debian's packages): zed, epoxy, … */
export const MODERN_RELEASES: readonly Release[] = RELEASES.filter(
    (r) => RELEASE_PROFILES[r].keystone.dialect === "v3",
);

/** Every registered release with its config change (tests loop over these). */
export const RELEASE_CONFIGS: ReadonlyArray<readonly [Release, (c: RawConfig) => RawConfig]> = RELEASES.map(
    (r) => [r, forRelease(r)] as const,
);

/**
 * Starts a fake HTTP API (a python3 fixture taking STATE_FILE LOG and printing its port): the
 * state is written to `stateFile`, requests are logged to `log`. Resolves with the port.
 */
export async function startFixture(
    fixture: string,
    stateFile: string,
    log: string,
    state: object,
): Promise<{ port: string; proc: ChildProcess }> {
    fs.writeFileSync(stateFile, JSON.stringify(state));
    fs.writeFileSync(log, "");
    const proc = spawn("python3", [fixture, stateFile, log], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<string>((resolve, reject) => {
        proc.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
        proc.once("exit", (code) => reject(new Error(`${path.basename(fixture)} exited ${code}`)));
    });
    return { port, proc };
}

/**
 * Debian 12's /etc/keystone/keystone-uwsgi.ini (keystone 2:22.0.2-0+deb12u6), the lines
 * that matter to the AppArmor fix and the worker count (test/unit/fixtures/keystone-uwsgi.ini).
 */
export const DEBIAN_KEYSTONE_UWSGI_INI = fs.readFileSync(
    path.join(__dirname, "fixtures", "keystone-uwsgi.ini"),
    "utf8",
);

/** This machine has AppArmor's "keystone" profile loaded (the AppArmor fix then keeps the packaged file). */
export function keystoneAppArmorProfileLoaded(): boolean {
    const profiles = "/sys/kernel/security/apparmor/profiles";
    return (
        fs.existsSync(profiles) &&
        fs
            .readFileSync(profiles, "utf8")
            .split("\n")
            .some((l) => l.startsWith("keystone "))
    );
}
