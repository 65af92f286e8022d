// Lab runner: what a resource type's implementation (a "handler", the runner's stand-in
// for a provider plugin) looks like. Handlers see inputs and outputs in wire format
// (secrets wrapped, see values.ts) and do the real work; the engine decides which
// operation to run and in which order.

import { ExecRequest, ExecResult, SshTarget, describeTarget } from "../exec";
import { ResourceState } from "../state";
import { WireMap } from "../values";

export type EnvMode = "ssh" | "export";

export interface StepContext {
    urn: string;
    type: string;
    name: string;
    /** Base directory of the program (relative asset paths, dynamic-provider module paths). */
    programDir: string;
    envMode: EnvMode;
    /** From the resource's customTimeouts for the current operation, if any. */
    timeoutMs?: number;
    /** Runs a remote command (counted in the report). */
    exec(target: SshTarget, req: ExecRequest): Promise<ExecResult>;
    /** Copies a file over SFTP (counted in the report). */
    putFile(target: SshTarget, remotePath: string, content: Buffer): Promise<void>;
    /** Counts one dynamic-provider create/update/delete call. */
    countProviderCall(): void;
}

export interface DiffResult {
    /** Whether anything changed at all. */
    changes: boolean;
    /** Top-level input keys that changed (for display and replaceOnChanges). */
    changedKeys: string[];
    /** Keys whose change forces a replacement, as the provider sees it. */
    replaceKeys: string[];
    /** The provider asks to delete the old resource before creating its replacement. */
    deleteBeforeReplace?: boolean;
}

export interface Handler {
    /** The host a resource's operations run on (concurrency key, messages), if any. */
    host(inputs: WireMap): string | undefined;
    /** Provider Check: validates / defaults the new inputs (olds = the previous inputs). */
    check?(ctx: StepContext, olds: WireMap, news: WireMap, preview: boolean): Promise<WireMap>;
    /** Provider Diff of the old state against the checked new inputs. */
    diff(ctx: StepContext, old: ResourceState, news: WireMap): Promise<DiffResult>;
    create(ctx: StepContext, inputs: WireMap): Promise<{ id: string; outputs: WireMap }>;
    update(ctx: StepContext, old: ResourceState, inputs: WireMap): Promise<WireMap>;
    delete(ctx: StepContext, old: ResourceState): Promise<void>;
}

/** A failed operation: names the resource, the host and the step. */
export class StepError extends Error {
    constructor(
        readonly urn: string,
        readonly host: string | undefined,
        readonly step: string,
        readonly detail: string,
    ) {
        super(`${urn}: ${step}${host ? ` on ${host}` : ""} failed: ${detail}`);
        this.name = "StepError";
    }
}

/**
 * A create or update that failed after changing something: the provider answered with the
 * resource's ID and its properties as they are now, and the reasons (gRPC
 * ErrorResourceInitFailed, which @pulumi/pulumi cmd/dynamic-provider/index.js
 * `grpcResponseFromError` sends for an error carrying `id`). The engine records the
 * resource with these outputs and init errors and still fails the step (pulumi/pulumi
 * pkg/resource/plugin/provider_plugin.go `parseError` → `InitError`, whose message is
 * the reasons).
 */
export class PartialFailure extends StepError {
    constructor(
        urn: string,
        host: string | undefined,
        step: string,
        readonly id: string,
        readonly outputs: WireMap,
        readonly reasons: string[],
    ) {
        super(urn, host, step, reasons.length > 0 ? reasons.join("; ") : "resource init failed");
        this.name = "PartialFailure";
    }
}

export function hostLabel(t: SshTarget): string {
    return describeTarget(t);
}

/** "<name><8 hex>" like resource.NewUniqueHex(name, 8, 0) in the Go providers. */
export function uniqueHexId(name: string): string {
    return name + require("crypto").randomBytes(4).toString("hex");
}
