// A service as one remote step: `create` (re)starts it and proves it runs, `delete` stops it.
//
// Unlike `restart()` in shared/step.ts this step is replaced delete-first when a file it
// reads changes: the old step's delete (stop) runs before the new step's create (start),
// which is a restart; with the default create-first order the old delete would stop the
// service right after it was restarted. On destroy the service stops, so an L2 agent
// cannot re-create the bridges the program removes after it.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { script } from "../shared/script";
import { HostRef } from "../shared/step";

export interface ServiceStepArgs {
    /** (Re)start and check; idempotent, holds no secret. */
    readonly create: string;
    /** Stop (destroy, and before every replacement); tolerates a half-built host. */
    readonly delete: string;
    /** Hashes of the files the service reads: a change restarts it. */
    readonly triggers: pulumi.Input<unknown>[];
}

export function serviceStep(
    name: string,
    host: HostRef,
    args: ServiceStepArgs,
    opts: { parent: pulumi.Resource; dependsOn?: pulumi.Input<pulumi.Input<pulumi.Resource>[]> },
): command.remote.Command {
    const deps = pulumi.output(opts.dependsOn ?? []).apply((d) => [host.ready, ...d]);
    return new command.remote.Command(name, {
        connection: host.connection,
        create: script(args.create),
        delete: script(args.delete),
        triggers: args.triggers,
        logging: "stdoutAndStderr",
    }, { parent: opts.parent, dependsOn: deps as pulumi.Input<pulumi.Resource[]>, deleteBeforeReplace: true });
}
