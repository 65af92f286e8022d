// The resource side of the provider dialect (the provider side is providers/ssh.ts): how
// every dynamic resource of this program registers. Each provider module declares one
// `DynamicKind` and its resource class extends `SshResource`:
// - Token `pulumi-nodejs:dynamic/<module>:<type>`, `module` being the service type as in
//   the component tokens (`infra`, `identity`, `network`). Tokens are identity: a rename
//   needs `aliases`.
// - One provider instance per type, held by the kind: the SDK serializes a provider's
//   closure once per instance (a WeakMap in @pulumi/pulumi's dynamic module), so an
//   instance per resource would serialize the whole provider module for every resource.
// - `connection` (it carries the private key) and the kind's other secret fields are
//   secret outputs, added to any the caller's options list.
// This file is never part of a provider's serialized closure: only the resource classes
// use it.
import * as pulumi from "@pulumi/pulumi";

/** What a dynamic resource type registers as, and with which provider. */
export interface DynamicKind {
    /** The type's one provider instance. */
    readonly provider: pulumi.dynamic.ResourceProvider;
    /** Service type, e.g. "network". */
    readonly module: string;
    /** Resource type, e.g. "OvsBridge". */
    readonly type: string;
    /** Outputs to keep secret besides `connection`, e.g. ["password"]. */
    readonly secretOutputs: readonly string[];
}

/** Base class of every dynamic resource here: registers `props` as `kind` says. */
export abstract class SshResource extends pulumi.dynamic.Resource {
    protected constructor(kind: DynamicKind, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(
            kind.provider,
            name,
            props,
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["connection", ...kind.secretOutputs] }),
            kind.module,
            kind.type,
        );
    }
}
