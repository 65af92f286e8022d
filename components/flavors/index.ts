// `oslab:compute:Flavors` — the flavors a user boots from right after `up` (Folsom's Nova
// created m1.* in its database migrations; later releases create none). One step per
// flavor on the controller, named after the flavor: a changed size re-runs only that
// step (the flavor is recreated under the same name), a removed flavor is deleted, and
// destroy deletes them all.
import * as pulumi from "@pulumi/pulumi";
import { remoteStep } from "../shared/step";
import { FlavorsArgs } from "./args";
import * as render from "./render";

export { FlavorsArgs } from "./args";

export class Flavors extends pulumi.ComponentResource {
    /** Flavor name → ID. */
    readonly ids: pulumi.Output<Record<string, string>>;
    readonly ready: pulumi.Resource;

    constructor(name: string, args: FlavorsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:compute:Flavors", name, {}, opts);
        const steps = args.flavors.map((f) =>
            remoteStep(
                `${name}-${f.name}`,
                args.host,
                {
                    create: render.flavorScript(args.cli, args.clientEnv, f),
                    delete: render.flavorDeleteScript(args.cli, args.clientEnv, f.name),
                    stdin: pulumi.secret(args.adminPassword),
                },
                { parent: this, dependsOn: [args.apiReady] },
            ),
        );
        this.ids = pulumi
            .all(steps.map((s) => s.stdout))
            .apply((outs) => Object.fromEntries(args.flavors.map((f, i) => [f.name, outs[i].trim()])));
        this.ready = steps.length ? steps[steps.length - 1] : args.host.ready;
        this.registerOutputs({ ids: this.ids });
    }
}
