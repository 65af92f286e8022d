// Remote steps: the one place that builds `command.remote.Command`s.
//
// - `remoteStep`  an idempotent script (preamble + body), secrets on stdin, `triggers` to
//                 re-run it when something it depends on changes, `delete` to undo it.
// - `configFile`  a config file change (replace / ini merge / managed block) whose spec
//                 travels on stdin; re-applied when the rendered content changes (an
//                 update, never a replacement: a replacement would restore the original
//                 after writing the new one); restored on destroy. Returns the content
//                 hash that restarts put in their triggers.
// - `restart`     restart services when (and only when) the hashes of the files they read
//                 change.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { NodeSpec } from "../../config";
import { SshConnection } from "../../providers/ssh";
import { IniDoc, compactIni, iniValue, mergeIni, renderIni } from "./ini";
import { FileMode, FileTarget, fileApplyScript, fileRestoreScript, fileSpec, script } from "./script";
import { restartScript } from "./packages";

/** One host as every component sees it: its node entry, SSH connection, and readiness. */
export interface HostRef {
    readonly node: NodeSpec;
    /** Connection for remote.Command (private key is a secret Output). */
    readonly connection: command.types.input.remote.ConnectionArgs;
    /** The same connection as a plain object for the dynamic providers. */
    readonly ssh: pulumi.Output<SshConnection>;
    /** Depend on this before touching the host (the wait-for-SSH step). */
    readonly ready: pulumi.Resource;
    /**
     * Every package of the host's roles is installed (Base's last package run); unset: `ready`.
     * A service whose packages come in that run installs after it (`afterHostPackages`).
     */
    readonly packages?: pulumi.Resource;
    /**
     * Base's package runs after `ready`, in order, each with the packages it installs;
     * unset or empty: none (every package comes with `ready`, or `packages` covers all).
     */
    readonly packageRuns?: readonly PackageRun[];
}

/** One of Base's package runs on a host: the step, and what the host has once it is done. */
export interface PackageRun {
    /** Every package installed by this run and the runs before it. */
    readonly packages: readonly string[];
    readonly step: pulumi.Resource;
}

/**
 * What a service's install step waits for when Base installs its packages in a later run:
 * the step then finds them installed instead of waiting on the host's apt lock while it holds
 * one of the engine's parallel slots (`pulumi up --parallel`, 4 per CPU by default). With
 * `packages` (the service's own), the first of the host's runs that brings them all;
 * otherwise, or when no run has them all, the host's last run.
 */
export function afterHostPackages(host: HostRef, packages: readonly string[] = []): pulumi.Resource[] {
    // the first run that brings every one of `packages`: the service goes ahead while
    // later runs install other services' packages
    const run =
        packages.length > 0
            ? host.packageRuns?.find((r) => packages.every((pkg) => r.packages.includes(pkg)))
            : undefined;
    if (run) {
        return [run.step];
    }
    return host.packages ? [host.packages] : [];
}

export function sha256(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

export interface StepArgs {
    /** Script body (the preamble is prepended). Must be idempotent; never holds a secret. */
    readonly create: pulumi.Input<string>;
    /** Undo script for destroy (preamble prepended). Must tolerate a half-built host. */
    readonly delete?: string;
    /** Data for the script, e.g. secrets. Never put secrets in `create`. */
    readonly stdin?: pulumi.Input<string>;
    /** Re-run (replace) the step when any of these change. */
    readonly triggers?: pulumi.Input<unknown>[];
    /** Silence the step's output in the engine log (use when output could echo input). */
    readonly quiet?: boolean;
}

/**
 * Explicit dependencies of a step: a plain array, handed to the engine as one. Never wrap
 * it in an Output (`pulumi.output(deps).apply(...)`): an Output checks its resolved value
 * for unknowns by walking every object it reaches, and from a Resource that walk follows
 * `__parentResource` into the component's fields (Nova's hosts and files, …), i.e. the
 * whole cloud. One such walk per step made program time quadratic in the compute count.
 */
export type StepDeps = readonly pulumi.Input<pulumi.Resource>[];

/** A remote step on `host`, named `${name}`, child of `parent`. */
export function remoteStep(
    name: string,
    host: HostRef,
    args: StepArgs,
    opts: { parent: pulumi.Resource; dependsOn?: StepDeps },
): command.remote.Command {
    return new command.remote.Command(
        name,
        {
            connection: host.connection,
            create: pulumi.output(args.create).apply(script),
            delete: args.delete ? script(args.delete) : undefined,
            stdin: args.stdin,
            triggers: args.triggers,
            logging: args.quiet || args.stdin !== undefined ? "stderr" : "stdoutAndStderr",
        },
        {
            parent: opts.parent,
            dependsOn: [host.ready, ...(opts.dependsOn ?? [])],
            // A step that undoes itself on delete must undo the old instance BEFORE the new
            // one runs: the default create-then-delete order would undo the fresh work.
            deleteBeforeReplace: args.delete !== undefined && args.triggers !== undefined,
        },
    );
}

export type FileContent =
    | { readonly mode: "replace"; readonly content: pulumi.Input<string> }
    | {
          readonly mode: "ini";
          readonly doc: pulumi.Input<IniDoc>;
          readonly removeSections?: readonly string[];
          readonly overrides?: IniDoc;
      }
    | { readonly mode: "block"; readonly block: pulumi.Input<string>; readonly comment?: string };

export interface ConfigFile {
    readonly step: command.remote.Command;
    /** sha256 of what the program owns in the file (secret when the content is). */
    readonly hash: pulumi.Output<string>;
    /** What the program owns in the file, rendered (INI text for `ini`; secret when the content is). */
    readonly rendered: pulumi.Output<string>;
}

/** Render the owned part of a file: the text golden tests compare. */
export function renderOwned(content: {
    mode: FileMode;
    content?: string;
    doc?: IniDoc;
    removeSections?: readonly string[];
    block?: string;
}): string {
    switch (content.mode) {
        case "replace":
            return content.content ?? "";
        case "block":
            return content.block ?? "";
        case "ini": {
            const removed = (content.removeSections ?? []).map((s) => `removed section [${s}]`);
            return renderIni(content.doc ?? {}, removed);
        }
    }
}

/** A managed config file on `host`. */
export function configFile(
    name: string,
    host: HostRef,
    target: FileTarget,
    content: FileContent,
    opts: { parent: pulumi.Resource; dependsOn?: StepDeps },
): ConfigFile {
    let payload: pulumi.Output<{ spec: string; rendered: string }>;
    if (content.mode === "ini") {
        payload = pulumi.output(content.doc).apply((doc) => {
            const merged = mergeIni(doc as IniDoc, content.overrides);
            const set: Record<string, Record<string, string>> = {};
            for (const [sec, keys] of Object.entries(compactIni(merged))) {
                set[sec] = Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, iniValue(v)]));
            }
            return {
                spec: fileSpec("ini", target, { set, removeSections: content.removeSections }),
                rendered: renderOwned({ mode: "ini", doc: merged, removeSections: content.removeSections }),
            };
        });
    } else if (content.mode === "replace") {
        payload = pulumi.output(content.content).apply((text) => ({
            spec: fileSpec("replace", target, { content: text }),
            rendered: text,
        }));
    } else {
        payload = pulumi.output(content.block).apply((block) => ({
            spec: fileSpec("block", target, { block, comment: content.comment }),
            rendered: block,
        }));
    }
    const step = new command.remote.Command(
        name,
        {
            connection: host.connection,
            create: fileApplyScript(content.mode, target),
            delete: fileRestoreScript(target),
            stdin: payload.apply((p) => p.spec),
            logging: "stderr",
        },
        { parent: opts.parent, dependsOn: [host.ready, ...(opts.dependsOn ?? [])] },
    );
    return {
        step,
        hash: payload.apply((p) => sha256(`${target.path}\n${target.mode ?? ""}\n${p.rendered}`)),
        rendered: payload.apply((p) => p.rendered),
    };
}

/** Restart `services` on `host` whenever one of `files` changes (and once at creation). */
export function restart(
    name: string,
    host: HostRef,
    services: readonly string[],
    files: readonly ConfigFile[],
    opts: {
        parent: pulumi.Resource;
        dependsOn?: StepDeps;
        extraTriggers?: pulumi.Input<unknown>[];
        /** Ports the restarted services listen on: the step ends once they accept connections. */
        waits?: readonly { host: string; port: number }[];
    },
): command.remote.Command {
    return remoteStep(
        name,
        host,
        {
            create: restartScript(services, opts.waits),
            triggers: [...files.map((f) => f.hash), ...(opts.extraTriggers ?? [])],
        },
        {
            parent: opts.parent,
            dependsOn: [...files.map((f) => f.step), ...(opts.dependsOn ?? [])],
        },
    );
}
