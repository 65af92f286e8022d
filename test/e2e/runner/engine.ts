// Lab runner: the engine. TEST INFRASTRUCTURE — users deploy with `pulumi up`.
//
// No Pulumi CLI (and so no engine) exists where the lab is tested, so this module plays
// the engine for one stack: it runs the Pulumi program in-process under the SDK's mock
// runtime and performs every registered resource for real.
//
// How the program runs
//   `pulumi.runtime.setMocks(…)` installs the SDK's MockMonitor (and the feature flags a
//   real engine reports); the runner then replaces that monitor's `registerResource` with
//   its own, because the Mocks interface only passes type/name/inputs while the runner
//   needs the whole RegisterResourceRequest: parent (URN), dependencies, property
//   dependencies and options (deleteBeforeReplace, replaceOnChanges, ignoreChanges,
//   additionalSecretOutputs, retainOnDelete, protect, customTimeouts). The program is
//   then loaded inside `runInPulumiStack` exactly as the language host does it (module
//   exports become stack outputs), in a fresh SDK LocalStore per run.
//
// Why dependency order holds
//   The SDK sends a resource's RegisterResource only after (a) every Output in its inputs
//   has resolved and (b) the URN of every resource in `dependsOn` (components expanded to
//   their custom children) has resolved — see prepareResource in runtime/resource.js — and
//   (c) its parent's URN has resolved. Under this monitor a URN and the outputs resolve only
//   when our `registerResource` answers, i.e. after the resource was executed. So the SDK
//   itself gates every resource on everything it depends on. The runner additionally
//   awaits the completion of every URN in the request's dependency list before acting, so
//   the invariant does not rest on SDK internals alone (a unit test checks the order).
//   Resources whose dependencies are done are registered concurrently (the mock runtime
//   does not serialise RPCs), so independent resources run in parallel, bounded by a
//   Limiter: at most `parallel` operations at once and `perHost` per SSH host.
//
// Engine semantics implemented (and deviations) are listed in README.md.

import * as os from "os";
import * as path from "path";
import { DialError, Executor, ExecRequest, SshTarget } from "./exec";
import { Limiter } from "./limiter";
import { Logger, Redactor, consoleLogger, seconds } from "./log";
import { Op, ResourceOptionsState, ResourceState, StackState, StateFile } from "./state";
import { summarize, TimedNode, TimingSummary } from "./timing";
import {
    Wire,
    WireMap,
    containsSecret,
    containsUnknown,
    dropUndefined,
    hashAssets,
    isSecret,
    parseDuration,
    secret,
    topLevelKey,
    unwrapSecrets,
} from "./values";
import { copyToRemote, remoteCommand } from "./handlers/command";
import { dynamicResource } from "./handlers/dynamic";
import { isSupportedRandom, randomHandler } from "./handlers/random";
import { DiffResult, EnvMode, Handler, PartialFailure, StepContext, StepError } from "./handlers/types";

export type Mode = "up" | "preview" | "destroy";
export type ProgramFn = () => unknown;

export interface EngineOptions {
    project: string;
    stack: string;
    /** Directory of the program: relative asset paths, dynamic-provider module resolution, the SDK instance. */
    programDir: string;
    /** Module path (like Pulumi.yaml `main`) or a function returning the stack outputs. Not needed for destroy. */
    program?: string | ProgramFn;
    /** Config values as the CLI passes them: "<namespace>:<key>" → string (objects as JSON). */
    config?: Record<string, string>;
    /** Config keys that hold secrets. */
    secretKeys?: string[];
    state: StateFile;
    executor: Executor;
    /** Operations running at once (default: the CLI's, 4 per CPU). */
    parallel?: number;
    /** Operations running at once against one SSH host (default: no limit, as in the engine). */
    perHost?: number;
    /** How remote.Command `environment` is delivered (default "ssh": SSH env requests, like the provider). */
    envMode?: EnvMode;
    logger?: Logger;
    /** Cancels the run like Ctrl-C in `pulumi up`: no new operation starts, running ones finish. */
    signal?: AbortSignal;
    /** Also print unchanged resources and components. */
    verbose?: boolean;
    redactor?: Redactor;
}

export interface ResourceReport {
    urn: string;
    type: string;
    op: Op;
    status: "ok" | "failed" | "skipped" | "planned";
    custom: boolean;
    host?: string;
    /** Epoch ms. */
    start?: number;
    end?: number;
    durationMs?: number;
    /** What the timing graph uses: dependencies + parent (deletes: the dependents deleted first). */
    waitedFor: string[];
    changedKeys?: string[];
    error?: string;
}

export interface RunReport {
    mode: Mode;
    project: string;
    stack: string;
    ok: boolean;
    errors: string[];
    startedAt: string;
    endedAt: string;
    timing: TimingSummary;
    counts: Record<string, number>;
    executed: { remoteCommands: number; fileCopies: number; providerCalls: number; total: number };
    resources: ResourceReport[];
    /** Stack outputs; secret ones are replaced by "[secret]". */
    outputs: Record<string, unknown>;
}

const STACK_TYPE = "pulumi:pulumi:Stack";

/** The engine's URN: the parent's qualified type chain, except for children of the root stack. Pure. */
export function makeUrn(stack: string, project: string, type: string, name: string, parent?: string): string {
    let qualified = type;
    if (parent) {
        const parentQualified = parent.split("::")[2] ?? "";
        if (parentQualified !== STACK_TYPE && parentQualified !== "") {
            qualified = `${parentQualified}$${type}`;
        }
    }
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** Marks outputs secret where the input of the same name was secret, or additionalSecretOutputs says so. Pure. */
export function annotateSecrets(outputs: WireMap, inputs: WireMap, additionalSecretOutputs: string[] = []): WireMap {
    const out: WireMap = {};
    for (const [k, v] of Object.entries(outputs)) {
        const mustBeSecret = containsSecret(inputs[k]) || additionalSecretOutputs.includes(k);
        out[k] = mustBeSecret && !isSecret(v) ? secret(unwrapSecrets(v) ?? null) : v;
    }
    return out;
}

/** The key the engine gives a change caused by init errors (step_generator.go `initErrorSpecialKey`). */
export const INIT_ERROR_KEY = "#initerror";

/**
 * The operation the engine picks for a diff, given the replaceOnChanges option and whether
 * the old state has init errors (a partially failed create/update), as pulumi/pulumi
 * pkg/resource/deploy/step_generator.go does (`applyReplaceOnChanges`, then "If resource
 * was unchanged, but there were initialization errors, generate an empty update step"):
 * init errors turn "same" into an update, or into a replacement when replaceOnChanges
 * holds `*` or `#initerror`. Pure.
 */
export function chooseOp(
    diff: DiffResult,
    replaceOnChanges: string[],
    hasInitErrors = false,
): { op: Op; replaceKeys: string[] } {
    const roc = replaceOnChanges.map(topLevelKey);
    const replaceKeys = new Set(diff.replaceKeys);
    let changes = diff.changes;
    if (changes) {
        for (const k of diff.changedKeys) {
            if (roc.includes("*") || roc.includes(k)) {
                replaceKeys.add(k);
            }
        }
    }
    if (hasInitErrors && replaceOnChanges.some((p) => p === "*" || p === INIT_ERROR_KEY)) {
        replaceKeys.add(INIT_ERROR_KEY);
        changes = true;
    }
    if (!changes) {
        return { op: hasInitErrors ? "update" : "same", replaceKeys: [] };
    }
    return replaceKeys.size > 0
        ? { op: "replace", replaceKeys: [...replaceKeys].sort() }
        : { op: "update", replaceKeys: [] };
}

function handlerFor(type: string): Handler | undefined {
    if (type === "command:remote:Command") {
        return remoteCommand;
    }
    if (type === "command:remote:CopyToRemote") {
        return copyToRemote;
    }
    if (type === "pulumi-nodejs:dynamic:Resource" || type.startsWith("pulumi-nodejs:dynamic/")) {
        return dynamicResource;
    }
    if (isSupportedRandom(type)) {
        return randomHandler(type);
    }
    return undefined;
}

const SYMBOL: Record<Op, string> = {
    create: "+",
    update: "~",
    replace: "+-",
    delete: "-",
    "delete-replaced": "-",
    same: "=",
    read: ">",
};

function isDelete(op: Op): boolean {
    return op === "delete" || op === "delete-replaced";
}

type DeleteOutcome = "deleted" | "planned" | "failed" | "not started";

interface Deferred {
    promise: Promise<void>;
    resolve: () => void;
}

/**
 * The CLI's default `--parallel` since pulumi/pulumi#15016 (v3.100, 2024): 4 × the CPUs
 * (pkg/cmd/pulumi/operations/up.go, defaultParallel). The engine has no per-host bound.
 */
/** A finished operation's timing as the state records it (ISO times, milliseconds). Pure. */
function stepTiming(start: number, end: number): { start: string; end: string; durationMs: number } {
    return { start: new Date(start).toISOString(), end: new Date(end).toISOString(), durationMs: end - start };
}

export function defaultParallel(): number {
    return 4 * os.cpus().length;
}

/** The limiter key of an operation: the bare SSH host, so commands and providers share a host's slots. Pure. */
export function hostKey(host: string | undefined): string {
    return host ? host.replace(/^.*@/, "").replace(/:\d+$/, "") : "(local)";
}

/**
 * What a resource depends on for deletion, as pulumi/pulumi pkg/resource/graph/
 * dependency_graph.go `DependenciesOf` sees it in the engine's list of old resources
 * (a topological order): the resources listed BEFORE it whose URN is one of its
 * dependencies, property dependencies or its provider (a component among them brings
 * its transitive children listed before the resource), and its parent. Pure.
 */
export function dependenciesForDelete(all: ResourceState[]): Map<ResourceState, Set<ResourceState>> {
    const urnIndex = new Map<string, number>();
    const childrenOf = new Map<string, number[]>();
    all.forEach((r, i) => {
        urnIndex.set(r.urn, i);
        const seen = new Set<string>();
        for (let p = r.parent; p && !seen.has(p); p = all[urnIndex.get(p) ?? -1]?.parent) {
            seen.add(p);
            childrenOf.set(p, [...(childrenOf.get(p) ?? []), i]);
        }
    });
    const result = new Map<ResourceState, Set<ResourceState>>();
    all.forEach((r, i) => {
        const urns = new Set<string>([...r.dependencies, ...Object.values(r.propertyDependencies).flat()]);
        if (r.provider) {
            urns.add(r.provider.includes("::") ? r.provider.slice(0, r.provider.lastIndexOf("::")) : r.provider);
        }
        const deps = new Set<ResourceState>();
        for (let j = i - 1; j >= 0; j--) {
            const c = all[j];
            if (urns.has(c.urn)) {
                deps.add(c);
                if (!c.custom) {
                    for (const k of childrenOf.get(c.urn) ?? []) {
                        if (k < i) {
                            deps.add(all[k]);
                        }
                    }
                }
            }
            if (c.urn === r.parent) {
                deps.add(c);
            }
        }
        result.set(r, deps);
    });
    return result;
}

/**
 * The engine's delete schedule (pulumi/pulumi pkg/resource/deploy/step_generator.go
 * `ScheduleDeletes`, run by deployment_executor.go `performPostSteps`): waves of
 * resources ("antichains"). Built bottom-up — a wave holds the condemned resources none of
 * whose dependencies (`dependenciesForDelete` over `all`, the old state) is still
 * condemned — then reversed, so a resource is deleted only after every condemned
 * resource that depends on it. The deletes of one wave run in parallel and all finish
 * before the next wave starts. Pure.
 */
export function scheduleDeletes(condemned: ResourceState[], all: ResourceState[]): ResourceState[][] {
    const list = [...all, ...condemned.filter((c) => !all.includes(c))];
    const deps = dependenciesForDelete(list);
    const left = new Set(condemned);
    const waves: ResourceState[][] = [];
    while (left.size > 0) {
        const wave = [...left].filter((r) => ![...(deps.get(r) ?? [])].some((d) => left.has(d)));
        if (wave.length === 0) {
            // Dependencies only point to earlier entries, so this cannot happen.
            throw new Error(`dependency cycle among ${[...left].map((r) => r.urn).join(", ")}`);
        }
        wave.forEach((r) => left.delete(r));
        waves.push(wave);
    }
    return waves.reverse();
}

function deferred(): Deferred {
    let resolve: () => void = () => undefined;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Sdk = typeof import("@pulumi/pulumi");
type RegisterRequest = import("@pulumi/pulumi/proto/resource_pb").RegisterResourceRequest;
type Callback = (err: Error | null, resp?: any) => void;
/* eslint-enable @typescript-eslint/no-explicit-any */

interface SdkBits {
    sdk: Sdk;
    Struct: { fromJavaScript(v: Record<string, unknown>): unknown };
    RegisterResourceResponse: new () => {
        setUrn(u: string): void;
        setId(i: string): void;
        setObject(o: unknown): void;
    };
    withLocalStorage: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** Loads the SDK instance the program itself will use (resolved from the program directory). */
function loadSdk(programDir: string): SdkBits {
    const sdkMain = require.resolve("@pulumi/pulumi", { paths: [programDir] });
    const sdkDir = path.dirname(sdkMain);
    const sdk = require(sdkMain) as Sdk;
    const structPath = require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir] });
    const Struct = (require(structPath) as { Struct: SdkBits["Struct"] }).Struct;
    const RegisterResourceResponse = (
        require(path.join(sdkDir, "proto", "resource_pb")) as {
            RegisterResourceResponse: SdkBits["RegisterResourceResponse"];
        }
    ).RegisterResourceResponse;
    let withLocalStorage: SdkBits["withLocalStorage"] = (fn) => fn();
    try {
        const st = require(path.join(sdkDir, "runtime", "state")) as { withLocalStorage?: SdkBits["withLocalStorage"] };
        if (typeof st.withLocalStorage === "function") {
            withLocalStorage = st.withLocalStorage;
        }
    } catch {
        // Older SDK: run in the global store.
    }
    return { sdk, Struct, RegisterResourceResponse, withLocalStorage };
}

export async function runLab(mode: Mode, opts: EngineOptions): Promise<RunReport> {
    return new LabRun(mode, opts).run();
}

class LabRun {
    private readonly logger: Logger;
    private readonly redactor: Redactor;
    private readonly limiter: Limiter;
    private readonly preview: boolean;
    private readonly envMode: EnvMode;
    private state!: StackState;
    private oldByUrn = new Map<string, ResourceState>();
    /** Successfully processed resources of this run, by URN, and their registration order. */
    private readonly fresh = new Map<string, ResourceState>();
    private readonly order: string[] = [];
    private readonly completion = new Map<string, Promise<void>>();
    private readonly reports: ResourceReport[] = [];
    private readonly failures: StepError[] = [];
    private readonly programErrors: unknown[] = [];
    private readonly deleted = new Set<ResourceState>();
    private aborted = false;
    /** Resolved on the first failure (resource or program). */
    private readonly failed = deferred();
    /** Registrations being processed. */
    private readonly inflight = new Set<Promise<unknown>>();
    private stackUrn = "";
    private stackOutputs: WireMap = {};
    private executed = { remoteCommands: 0, fileCopies: 0, providerCalls: 0 };

    constructor(
        private readonly mode: Mode,
        private readonly o: EngineOptions,
    ) {
        this.logger = o.logger ?? consoleLogger;
        this.redactor = o.redactor ?? new Redactor();
        this.limiter = new Limiter(o.parallel ?? defaultParallel(), o.perHost ?? Infinity);
        this.preview = mode === "preview";
        this.envMode = o.envMode ?? "ssh";
    }

    private out(text: string): void {
        this.logger.line(this.redactor.redact(text));
    }

    async run(): Promise<RunReport> {
        const startedAt = Date.now();
        this.o.signal?.addEventListener("abort", () => {
            if (this.aborted) {
                return;
            }
            this.out("cancelling: no new operations start; waiting for the running ones");
            this.aborted = true;
            this.failures.push(new StepError("(run)", undefined, "cancel", "cancelled by the user"));
            this.failed.resolve();
        });
        this.state = this.o.state.load(this.o.project, this.o.stack);
        for (const r of [...this.state.resources, ...this.state.pendingDeletes]) {
            this.redactor.addSecretsIn(r.inputs as Wire);
            this.redactor.addSecretsIn(r.outputs as Wire);
        }
        this.oldByUrn = new Map(this.state.resources.map((r) => [r.urn, r]));
        const verb = this.mode === "up" ? "Updating" : this.mode === "preview" ? "Previewing update of" : "Destroying";
        this.out(
            `${verb} stack ${this.o.project}/${this.o.stack} (lab runner — test infrastructure, not \`pulumi up\`)`,
        );

        if (this.mode === "destroy") {
            await this.deleteAll([...this.state.resources, ...this.state.pendingDeletes]);
        } else {
            await this.runProgram();
            const ok = this.failures.length === 0 && this.programErrors.length === 0;
            const registered = new Set(this.order);
            const orphans = this.state.resources.filter((r) => !registered.has(r.urn));
            const toDelete = [...orphans, ...this.state.pendingDeletes];
            // Like the engine, deletes come only after the program and every create/update
            // finished without error (deployment_executor.go: performPostSteps once the
            // source is done; an error cancels before it), in preview as in an update.
            if (ok) {
                await this.deleteAll(toDelete);
            } else if (toDelete.length > 0 && !this.preview) {
                this.out(`  (${toDelete.length} deletion(s) not attempted because the update failed)`);
            }
        }
        if (!this.preview) {
            await this.checkpoint(true);
        }
        return this.finish(startedAt);
    }

    // ---------------------------------------------------------------- program

    private async runProgram(): Promise<void> {
        const bits = loadSdk(this.o.programDir);
        const { sdk } = bits;
        const savedListeners = process.listeners("unhandledRejection");
        process.removeAllListeners("unhandledRejection");
        const onUnhandled = (reason: unknown) => {
            this.programErrors.push(reason);
            this.failed.resolve();
        };
        process.on("unhandledRejection", onUnhandled);
        const cacheBefore = new Set(Object.keys(require.cache));
        try {
            await bits.withLocalStorage(async () => {
                await sdk.runtime.setMocks(
                    {
                        newResource: (args) => {
                            throw new Error(
                                `${args.type} ${args.name}: reading existing resources (.get / import) is not supported by the lab runner`,
                            );
                        },
                        call: (args) => {
                            throw new Error(
                                `invoke ${args.token}: provider functions are not supported by the lab runner`,
                            );
                        },
                    },
                    this.o.project,
                    this.o.stack,
                    this.preview,
                );
                sdk.runtime.setAllConfig(this.o.config ?? {}, this.o.secretKeys ?? []);
                this.patchMonitor(bits);
                const program = sdk.runtime
                    .runInPulumiStack(async () => {
                        let exported: unknown;
                        if (typeof this.o.program === "function") {
                            exported = this.o.program();
                        } else {
                            exported = require(path.resolve(this.o.programDir, this.o.program ?? "."));
                        }
                        return await (exported instanceof Function ? exported() : exported);
                    })
                    .then(
                        () => "done",
                        (e: unknown) => {
                            this.programErrors.push(e);
                            return "error";
                        },
                    );
                const first = await Promise.race([program, this.failed.promise.then(() => "failed")]);
                if (first === "done") {
                    // Waits for every outstanding registration (resources not reachable from the outputs too).
                    await sdk.runtime.disconnect();
                } else {
                    // Like the language host, which exits on the first error: stop waiting for the
                    // program (resources depending on a failed one never register, so the SDK's RPC
                    // queue never drains) and let the operations already running finish.
                    await this.drain();
                }
            });
            await new Promise((r) => setImmediate(r));
        } finally {
            process.removeListener("unhandledRejection", onUnhandled);
            for (const l of savedListeners) {
                process.on("unhandledRejection", l);
            }
            // Forget the program's own modules so a second run in this process loads them afresh.
            for (const k of Object.keys(require.cache)) {
                if (!cacheBefore.has(k) && !k.includes(`${path.sep}node_modules${path.sep}`)) {
                    delete require.cache[k];
                }
            }
        }
    }

    /** Waits until no registration is being processed (new ones may start while others finish). */
    private async drain(): Promise<void> {
        for (;;) {
            while (this.inflight.size > 0) {
                await Promise.allSettled([...this.inflight]);
            }
            await new Promise((r) => setImmediate(r));
            if (this.inflight.size === 0) {
                return;
            }
        }
    }

    private patchMonitor(bits: SdkBits): void {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const monitor = bits.sdk.runtime.getMonitor() as any;
        if (!monitor || !(monitor.resources instanceof Map)) {
            throw new Error("unexpected SDK: setMocks did not install a MockMonitor");
        }
        monitor.registerResource = (req: RegisterRequest, cb: Callback) => {
            const p = this.onRegister(req);
            this.inflight.add(p);
            p.then(
                () => this.inflight.delete(p),
                () => this.inflight.delete(p),
            );
            p.then(
                ({ urn, id, outputs }) => {
                    monitor.resources.set(urn, { urn, id: id ?? null, state: outputs });
                    const resp = new bits.RegisterResourceResponse();
                    resp.setUrn(urn);
                    resp.setId(id ?? "");
                    resp.setObject(bits.Struct.fromJavaScript(outputs));
                    cb(null, resp);
                },
                // A plain Error (no gRPC code) so the SDK rejects the URN and outputs, which fails dependents.
                (err: unknown) => cb(new Error(this.redactor.redact(err instanceof Error ? err.message : String(err)))),
            );
        };
        const original = monitor.registerResourceOutputs.bind(monitor);
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        monitor.registerResourceOutputs = (req: any, cb: Callback) => {
            const urn: string = req.getUrn();
            const outs = (req.getOutputs()?.toJavaScript() ?? {}) as WireMap;
            if (urn === this.stackUrn) {
                this.stackOutputs = dropUndefined(outs) as WireMap;
            }
            const entry = this.fresh.get(urn);
            if (entry && !entry.custom) {
                entry.outputs = dropUndefined(outs) as WireMap;
            }
            original(req, cb);
        };
    }

    // ---------------------------------------------------------------- registration

    private async onRegister(req: RegisterRequest): Promise<{ urn: string; id?: string; outputs: WireMap }> {
        const type = req.getType();
        const name = req.getName();
        const parent = req.getParent() || undefined;
        const custom = req.getCustom();
        const urn = makeUrn(this.o.stack, this.o.project, type, name, parent);
        if (this.completion.has(urn)) {
            const err = new StepError(
                urn,
                undefined,
                "register",
                "duplicate resource URN: two resources share type, name and parent type",
            );
            this.fail({ urn, type, custom } as ResourceState, [], "create", undefined, err, Date.now());
            throw err;
        }
        const done = deferred();
        this.completion.set(urn, done.promise);
        this.order.push(urn);
        if (type === STACK_TYPE && !parent) {
            this.stackUrn = urn;
        }
        try {
            const raw = dropUndefined(req.getObject()?.toJavaScript() ?? {}) as WireMap;
            const inputs = custom ? (hashAssets(raw, this.o.programDir) as WireMap) : raw;
            this.redactor.addSecretsIn(inputs as Wire);
            const dependencies = req.getDependenciesList();
            const propertyDependencies: Record<string, string[]> = {};
            req.getPropertydependenciesMap().forEach((v, k) => (propertyDependencies[k] = v.getUrnsList()));
            const ct = req.getCustomtimeouts();
            const options: ResourceOptionsState = {
                deleteBeforeReplace: req.getDeletebeforereplace() || undefined,
                retainOnDelete: req.getRetainondelete() || undefined,
                protect: req.getProtect() || undefined,
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                replaceOnChanges: req.getReplaceonchangesList(),
                ignoreChanges: req.getIgnorechangesList(),
                customTimeouts: ct
                    ? {
                          create: ct.getCreate() || undefined,
                          update: ct.getUpdate() || undefined,
                          delete: ct.getDelete() || undefined,
                      }
                    : undefined,
            };
            // The SDK has already waited for these (see the header); keep the invariant explicit.
            await Promise.all([...dependencies, ...(parent ? [parent] : [])].map((d) => this.completion.get(d)));
            const entry: ResourceState = {
                urn,
                type,
                name,
                custom,
                parent,
                provider: req.getProvider() || undefined,
                inputs,
                outputs: {},
                dependencies,
                propertyDependencies,
                options,
                lastOp: "same",
            };
            const waitedFor = [...dependencies, ...(parent ? [parent] : [])];
            if (req.getRemote()) {
                throw new Error("multi-language (remote) components are not supported by the lab runner");
            }
            if (req.getImportid()) {
                throw new Error("importing existing resources is not supported by the lab runner");
            }
            if (!custom || type.startsWith("pulumi:providers:")) {
                return this.recordPassive(entry, waitedFor);
            }
            return await this.step(entry, waitedFor);
        } catch (e) {
            if (e instanceof StepError) {
                throw e;
            }
            // Anything else (an unreadable asset, a malformed request) still names the resource.
            const err = new StepError(urn, undefined, "register", e instanceof Error ? e.message : String(e));
            this.fail({ urn, type, custom } as ResourceState, [], "create", undefined, err, Date.now());
            throw err;
        } finally {
            done.resolve();
        }
    }

    /** Components, the stack and explicit provider resources: nothing to execute. */
    private recordPassive(entry: ResourceState, waitedFor: string[]): { urn: string; id?: string; outputs: WireMap } {
        const old = this.oldByUrn.get(entry.urn);
        const now = Date.now();
        const op: Op = old ? "same" : "create";
        entry.lastOp = old ? old.lastOp : "create";
        entry.id = entry.custom ? (old?.id ?? `${entry.name}-lab`) : undefined;
        entry.outputs = entry.custom ? entry.inputs : (old?.outputs ?? {});
        entry.timing = old
            ? old.timing
            : { start: new Date(now).toISOString(), end: new Date(now).toISOString(), durationMs: 0 };
        this.reports.push({
            urn: entry.urn,
            type: entry.type,
            op,
            status: this.preview ? "planned" : "ok",
            custom: entry.custom,
            start: now,
            end: now,
            durationMs: 0,
            waitedFor,
        });
        if (this.o.verbose && entry.type !== STACK_TYPE) {
            this.out(`${SYMBOL[op]} ${op.padEnd(7)} ${entry.urn}`);
        }
        if (!this.preview) {
            this.commit(entry);
        }
        return { urn: entry.urn, id: entry.id, outputs: entry.custom ? entry.outputs : {} };
    }

    private context(entry: ResourceState, timeout?: string): StepContext {
        return {
            urn: entry.urn,
            type: entry.type,
            name: entry.name,
            programDir: this.o.programDir,
            envMode: this.envMode,
            timeoutMs: parseDuration(timeout),
            // Counted once the host was reached (a dial failure ran nothing).
            exec: async (target: SshTarget, req: ExecRequest) => {
                try {
                    const r = await this.o.executor.exec(target, req);
                    this.executed.remoteCommands++;
                    return r;
                } catch (e) {
                    if (!(e instanceof DialError)) {
                        this.executed.remoteCommands++;
                    }
                    throw e;
                }
            },
            putFile: async (target: SshTarget, remotePath: string, content: Buffer) => {
                try {
                    await this.o.executor.putFile(target, remotePath, content);
                    this.executed.fileCopies++;
                } catch (e) {
                    if (!(e instanceof DialError)) {
                        this.executed.fileCopies++;
                    }
                    throw e;
                }
            },
            countProviderCall: () => {
                this.executed.providerCalls++;
            },
        };
    }

    private async step(
        entry: ResourceState,
        waitedFor: string[],
    ): Promise<{ urn: string; id?: string; outputs: WireMap }> {
        const { urn, type } = entry;
        const handler = handlerFor(type);
        if (!handler) {
            const e = new StepError(
                urn,
                undefined,
                "register",
                `resource type ${type} is not supported by the lab runner`,
            );
            this.fail(entry, waitedFor, "create", undefined, e, Date.now());
            throw e;
        }
        const old = this.oldByUrn.get(urn);
        let news = entry.inputs;
        // ignoreChanges: keep the old value of each ignored (top-level) property.
        if (old && entry.options.ignoreChanges?.length) {
            news = { ...news };
            for (const p of entry.options.ignoreChanges) {
                const k = topLevelKey(p);
                if (k in old.inputs) {
                    news[k] = old.inputs[k];
                } else {
                    delete news[k];
                }
            }
        }
        let op: Op = "create";
        let changedKeys: string[] | undefined;
        let providerDbr = false;
        const planStart = Date.now();
        try {
            if (handler.check) {
                news = await handler.check(this.context(entry), old?.inputs ?? {}, news, this.preview);
            }
            if (old) {
                const diff = await handler.diff(this.context(entry), old, news);
                const initErrors = (old.initErrors?.length ?? 0) > 0;
                const chosen = chooseOp(diff, entry.options.replaceOnChanges ?? [], initErrors);
                op = chosen.op;
                changedKeys = initErrors ? [...diff.changedKeys, INIT_ERROR_KEY] : diff.changedKeys;
                providerDbr = diff.deleteBeforeReplace === true;
            }
        } catch (e) {
            const err =
                e instanceof StepError ? e : new StepError(urn, handler.host(news), "check/diff", (e as Error).message);
            this.fail(entry, waitedFor, old ? "update" : "create", handler.host(news), err, planStart);
            throw err;
        }
        entry.inputs = news;
        const host = handler.host(news);

        if (op === "same" && old) {
            const now = Date.now();
            // The entry still describes the operation that produced it.
            Object.assign(entry, { id: old.id, outputs: old.outputs, lastOp: old.lastOp, timing: old.timing });
            this.reports.push({
                urn,
                type,
                op: "same",
                status: this.preview ? "planned" : "ok",
                custom: true,
                host,
                start: now,
                end: now,
                durationMs: 0,
                waitedFor,
            });
            if (this.o.verbose || this.preview) {
                this.out(`= same    ${urn}${host ? ` [${host}]` : ""}`);
            }
            if (!this.preview) {
                this.commit(entry);
            }
            return { urn, id: old.id, outputs: old.outputs };
        }

        if (this.preview) {
            this.plan(urn, type, op, true, host, changedKeys);
            // As the engine does for providers without preview support: the outputs are the
            // inputs; absent outputs (stdout, a password's result, …) stay unknown.
            return { urn, id: op === "update" ? old?.id : undefined, outputs: news };
        }

        const isLocal = type.startsWith("random:");
        const exec = async (): Promise<void> => {
            if (this.aborted) {
                const e = new StepError(urn, host, op, "not started: an earlier resource failed");
                this.reports.push({
                    urn,
                    type,
                    op,
                    status: "skipped",
                    custom: true,
                    host,
                    waitedFor,
                    changedKeys,
                    error: e.message,
                });
                throw e;
            }
            const start = Date.now();
            const dbr = op === "replace" && (entry.options.deleteBeforeReplace === true || providerDbr);
            const hostNote = host ? ` [${host}]` : "";
            const why = changedKeys && changedKeys.length ? ` (${changedKeys.join(", ")})` : "";
            this.out(`  ${op}… ${urn}${hostNote}${why}`);
            let stepName = op === "replace" ? (dbr ? "delete (replace)" : "create (replace)") : op;
            try {
                const timeouts = entry.options.customTimeouts ?? {};
                if (op === "create" || op === "replace") {
                    if (dbr && old) {
                        await handler.delete(this.context(old, old.options.customTimeouts?.delete), old);
                        this.deleted.add(old);
                        stepName = "create (replace)";
                    }
                    const r = await handler.create(this.context(entry, timeouts.create), news);
                    entry.id = r.id;
                    entry.outputs = annotateSecrets(r.outputs, news, entry.options.additionalSecretOutputs);
                    if (op === "replace" && !dbr && old) {
                        this.state.pendingDeletes.push(old);
                    }
                } else {
                    const outs = await handler.update(this.context(entry, timeouts.update), old as ResourceState, news);
                    entry.id = old?.id;
                    entry.outputs = annotateSecrets(outs, news, entry.options.additionalSecretOutputs);
                }
            } catch (e) {
                const err = e instanceof StepError ? e : new StepError(urn, host, stepName, (e as Error).message);
                if (err instanceof PartialFailure) {
                    this.recordPartial(entry, old, op, dbr, news, err, start);
                }
                this.fail(entry, waitedFor, op, host, err, start, changedKeys);
                throw err;
            }
            const end = Date.now();
            entry.lastOp = op;
            entry.timing = stepTiming(start, end);
            this.redactor.addSecretsIn(entry.outputs as Wire);
            this.reports.push({
                urn,
                type,
                op,
                status: "ok",
                custom: true,
                host,
                start,
                end,
                durationMs: end - start,
                waitedFor,
                changedKeys,
            });
            this.out(`${SYMBOL[op]} ${op.padEnd(7)} ${urn}${hostNote} ${seconds(end - start)}`);
            this.commit(entry);
        };
        if (isLocal) {
            await exec();
        } else {
            await this.limiter.run(hostKey(host), exec);
        }
        return { urn, id: entry.id, outputs: entry.outputs };
    }

    /**
     * A create/update that failed partially is recorded as the engine records it
     * (pulumi/pulumi pkg/resource/deploy/step.go CreateStep/UpdateStep.Apply keep the
     * provider's ID and properties and set InitErrors; pkg/engine/update.go
     * OnResourceStepPost saves the step as successful, with the OLD inputs for an update):
     * the ID (an update keeps the old one), the properties as outputs, init errors; a
     * create-before-delete replacement still leaves the old instance to be deleted.
     */
    private recordPartial(
        entry: ResourceState,
        old: ResourceState | undefined,
        op: Op,
        dbr: boolean,
        news: WireMap,
        err: PartialFailure,
        start: number,
    ): void {
        const end = Date.now();
        const isUpdate = op === "update" && old !== undefined;
        entry.id = isUpdate ? old.id : err.id;
        entry.inputs = isUpdate ? old.inputs : news;
        entry.outputs = annotateSecrets(err.outputs, news, entry.options.additionalSecretOutputs);
        // Reasons are what the engine keeps; without any, nothing forces the next update.
        entry.initErrors = err.reasons.length > 0 ? err.reasons : undefined;
        entry.lastOp = op;
        entry.timing = stepTiming(start, end);
        this.redactor.addSecretsIn(entry.outputs as Wire);
        if (op === "replace" && !dbr && old && !this.state.pendingDeletes.includes(old)) {
            this.state.pendingDeletes.push(old);
        }
        this.commit(entry);
    }

    private fail(
        entry: ResourceState,
        waitedFor: string[],
        op: Op,
        host: string | undefined,
        err: StepError,
        start: number,
        changedKeys?: string[],
    ): void {
        const end = Date.now();
        this.aborted = true;
        this.failed.resolve();
        this.failures.push(err);
        this.reports.push({
            urn: entry.urn,
            type: entry.type,
            op,
            status: "failed",
            custom: entry.custom,
            host,
            start,
            end,
            durationMs: end - start,
            waitedFor,
            changedKeys,
            error: this.redactor.redact(err.message),
        });
        this.out(`x ${op.padEnd(7)} ${entry.urn}${host ? ` [${host}]` : ""} FAILED after ${seconds(end - start)}`);
    }

    private plan(urn: string, type: string, op: Op, custom: boolean, host?: string, changedKeys?: string[]): void {
        this.reports.push({ urn, type, op, status: "planned", custom, host, waitedFor: [], changedKeys });
        if (!custom && !this.o.verbose) {
            return;
        }
        const why = changedKeys && changedKeys.length ? ` (${changedKeys.join(", ")})` : "";
        this.out(`${SYMBOL[op]} ${op.padEnd(7)} ${urn}${host ? ` [${host}]` : ""}${why}`);
    }

    // ---------------------------------------------------------------- state

    private commit(entry: ResourceState): void {
        this.fresh.set(entry.urn, entry);
        this.checkpointSoon();
    }

    private checkpointSoon(): void {
        this.checkpoint(false).catch((e: unknown) => this.programErrors.push(e));
    }

    /** The state as of now: this run's resources in registration order, then untouched old ones. */
    private currentState(): StackState {
        const resources: ResourceState[] = [];
        for (const u of this.order) {
            const r = this.fresh.get(u);
            if (r) {
                resources.push(r);
            }
        }
        for (const r of this.state.resources) {
            if (!this.fresh.has(r.urn) && !this.deleted.has(r)) {
                resources.push(r);
            }
        }
        return {
            ...this.state,
            resources,
            pendingDeletes: this.state.pendingDeletes.filter((r) => !this.deleted.has(r)),
        };
    }

    private async checkpoint(final: boolean): Promise<void> {
        if (this.preview) {
            return;
        }
        const s = this.currentState();
        if (final) {
            this.state = s;
        }
        await this.o.state.save(s);
    }

    // ---------------------------------------------------------------- deletes

    /**
     * Deletes (in preview: lists) resources in the engine's order (`scheduleDeletes` over
     * the old state): wave after wave, the deletes of a wave in parallel (bounded by the
     * limiter). After a failed delete no further delete starts, running ones finish, and
     * every resource not deleted stays in the state (the engine's step executor cancels
     * on the first error; DeleteStep failures keep the old state).
     */
    private async deleteAll(entries: ResourceState[]): Promise<void> {
        if (entries.length === 0) {
            return;
        }
        const all = this.state.resources;
        const waves = scheduleDeletes(entries, all);
        const deps = dependenciesForDelete([...all, ...entries.filter((e) => !all.includes(e))]);
        const dependents = (e: ResourceState) => entries.filter((o) => deps.get(o)?.has(e)).map((o) => o.urn);
        const attempted = new Set<ResourceState>();
        for (const wave of waves) {
            if (this.aborted) {
                break;
            }
            await Promise.all(
                wave.map(async (e) => {
                    if ((await this.deleteOne(e, dependents(e))) !== "not started") {
                        attempted.add(e);
                    }
                }),
            );
        }
        const notAttempted = entries.filter((e) => e.custom && !attempted.has(e)).length;
        if (notAttempted > 0) {
            this.out(`  (${notAttempted} deletion(s) not attempted because of a failure)`);
        }
    }

    private async deleteOne(e: ResourceState, waitedFor: string[]): Promise<DeleteOutcome> {
        const op: Op = this.state.pendingDeletes.includes(e) ? "delete-replaced" : "delete";
        const label = op === "delete" ? "delete " : "delete-replaced";
        const handler = handlerFor(e.type);
        const passive = !e.custom || e.type.startsWith("pulumi:providers:");
        const host = handler?.host(e.inputs);
        const now = Date.now();
        const fail = (err: StepError, start: number): DeleteOutcome => {
            const end = Date.now();
            this.aborted = true;
            this.failures.push(err);
            this.reports.push({
                urn: e.urn,
                type: e.type,
                op,
                status: "failed",
                custom: e.custom,
                host,
                start,
                end,
                durationMs: end - start,
                waitedFor,
                error: this.redactor.redact(err.message),
            });
            this.out(`x ${label} ${e.urn}${host ? ` [${host}]` : ""} FAILED after ${seconds(end - start)}`);
            return "failed";
        };
        // The engine refuses before anything else, in preview too, for components as well;
        // not for the old instance of a replaced resource (step.go DeleteStep.Apply).
        if (op === "delete" && e.options.protect) {
            return fail(
                new StepError(e.urn, host, "delete", "the resource is protected (protect: true); unprotect it first"),
                now,
            );
        }
        if (this.preview) {
            this.plan(e.urn, e.type, op, e.custom, host);
            return "planned";
        }
        if (passive || e.options.retainOnDelete) {
            this.deleted.add(e);
            this.reports.push({
                urn: e.urn,
                type: e.type,
                op,
                status: "ok",
                custom: e.custom,
                host,
                start: now,
                end: now,
                durationMs: 0,
                waitedFor,
            });
            if (this.o.verbose || (e.custom && e.options.retainOnDelete)) {
                this.out(`- ${label} ${e.urn}${e.options.retainOnDelete ? " (retainOnDelete: left in place)" : ""}`);
            }
            return "deleted";
        }
        if (!handler) {
            return fail(
                new StepError(e.urn, undefined, "delete", `resource type ${e.type} is not supported by the lab runner`),
                now,
            );
        }
        const body = async (): Promise<DeleteOutcome> => {
            if (this.aborted) {
                return "not started";
            }
            const start = Date.now();
            this.out(`  ${op}… ${e.urn}${host ? ` [${host}]` : ""}`);
            try {
                await handler.delete(this.context(e, e.options.customTimeouts?.delete), e);
            } catch (err) {
                return fail(
                    err instanceof StepError ? err : new StepError(e.urn, host, "delete", (err as Error).message),
                    start,
                );
            }
            const end = Date.now();
            this.deleted.add(e);
            this.reports.push({
                urn: e.urn,
                type: e.type,
                op,
                status: "ok",
                custom: true,
                host,
                start,
                end,
                durationMs: end - start,
                waitedFor,
            });
            this.out(`- ${label} ${e.urn}${host ? ` [${host}]` : ""} ${seconds(end - start)}`);
            this.checkpointSoon();
            return "deleted";
        };
        return e.type.startsWith("random:") ? body() : this.limiter.run(hostKey(host), body);
    }

    // ---------------------------------------------------------------- report

    private finish(startedAt: number): RunReport {
        const endedAt = Date.now();
        const withTimes = this.reports.filter((r) => r.start !== undefined && r.end !== undefined);
        const idOf = (r: ResourceReport) => (isDelete(r.op) ? `${r.urn} (${r.op})` : r.urn);
        const deleteIds = (urn: string) => withTimes.filter((r) => r.urn === urn && isDelete(r.op)).map(idOf);
        const timed: TimedNode[] = withTimes.map((r) => ({
            id: idOf(r),
            start: r.start as number,
            end: r.end as number,
            deps: isDelete(r.op) ? r.waitedFor.flatMap(deleteIds) : r.waitedFor,
        }));
        const timing = summarize(timed, startedAt, endedAt);
        const counts: Record<string, number> = {};
        for (const r of this.reports) {
            if (!r.custom || r.status === "failed" || r.status === "skipped") {
                continue;
            }
            counts[r.op] = (counts[r.op] ?? 0) + 1;
        }
        const errors = [
            ...this.failures.map((f) => this.redactor.redact(f.message)),
            ...(this.failures.length === 0
                ? this.programErrors.map((e) =>
                      this.redactor.redact(e instanceof Error ? (e.stack ?? e.message) : String(e)),
                  )
                : []),
        ];
        const outputs: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(this.stackOutputs)) {
            outputs[k] = containsSecret(v) ? "[secret]" : containsUnknown(v) ? "[unknown]" : v;
        }
        const executed = {
            ...this.executed,
            total: this.executed.remoteCommands + this.executed.fileCopies + this.executed.providerCalls,
        };
        const report: RunReport = {
            mode: this.mode,
            project: this.o.project,
            stack: this.o.stack,
            ok: errors.length === 0,
            errors,
            startedAt: new Date(startedAt).toISOString(),
            endedAt: new Date(endedAt).toISOString(),
            timing,
            counts,
            executed,
            resources: this.reports,
            outputs,
        };
        this.printSummary(report);
        return report;
    }

    private printSummary(r: RunReport): void {
        const c = (op: string) => r.counts[op] ?? 0;
        const custom = this.reports.filter((x) => x.custom);
        this.out("");
        if (this.preview) {
            this.out(
                `Plan: ${c("create")} to create, ${c("update")} to update, ${c("replace")} to replace, ${c("delete")} to delete, ${c("same")} unchanged`,
            );
        } else {
            this.out(
                `Resources: ${c("create")} created, ${c("update")} updated, ${c("replace")} replaced, ${c("delete")} deleted, ${c("same")} unchanged`,
            );
            const skipped = custom.filter((x) => x.status === "skipped").length;
            if (skipped) {
                this.out(`           ${skipped} not started because of a failure`);
            }
            this.out(
                r.executed.total === 0
                    ? "Executed: nothing (0 remote commands, 0 file copies, 0 provider calls)"
                    : `Executed: ${r.executed.remoteCommands} remote command(s), ${r.executed.fileCopies} file copy(ies), ${r.executed.providerCalls} provider call(s)`,
            );
            const cp = r.timing.criticalPath;
            this.out(
                `Time: wall ${seconds(r.timing.wallMs)}, sum of resource times ${seconds(r.timing.sumMs)}, critical path ${seconds(cp.durationMs)}`,
            );
            for (const n of cp.resources) {
                if (n.durationMs > 0 || this.o.verbose) {
                    this.out(`  ${seconds(n.durationMs).padStart(8)}  ${n.id}`);
                }
            }
        }
        const outs = Object.entries(r.outputs);
        if (outs.length > 0 && r.ok && !this.preview && this.mode === "up") {
            this.out("Outputs:");
            for (const [k, v] of outs) {
                this.out(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
            }
        }
        for (const e of r.errors) {
            this.out(`error: ${e}`);
        }
    }
}
