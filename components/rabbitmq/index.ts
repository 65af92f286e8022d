// `oslab:infra:RabbitMQ` — the message broker on the controller. The article leaves it
// at its defaults; we set a generated password for the services' user (guest on Folsom,
// where every service logs in as guest; `openstack` on Zed, as the install guide does).
import * as pulumi from "@pulumi/pulumi";
import { BaseProfile } from "../base/profiles";
import { HostRef, remoteStep } from "../shared/step";
import * as render from "./render";

export interface RabbitMQArgs {
    /** The controller. */
    readonly host: HostRef;
    readonly profile: BaseProfile["rabbitmq"];
    /** Password of the services' RabbitMQ user (secret). */
    readonly password: pulumi.Input<string>;
}

export class RabbitMQ extends pulumi.ComponentResource {
    readonly ready: pulumi.Resource;
    /** User the services log in as. */
    readonly user: string;
    readonly password: pulumi.Output<string>;

    constructor(name: string, args: RabbitMQArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:infra:RabbitMQ", name, {}, opts);
        const { host, profile } = args;
        const p = { parent: this };
        const install = remoteStep(
            `${name}-install`,
            host,
            { create: render.installScript(profile.packages, profile.service) },
            p,
        );
        this.password = pulumi.secret(args.password);
        this.user = profile.user;
        this.ready = remoteStep(
            `${name}-user`,
            host,
            {
                create: render.passwordScript(profile.user, profile.setPassword),
                stdin: this.password,
            },
            { ...p, dependsOn: [install] },
        );
        this.registerOutputs({});
    }
}
