// `oslab:infra:Mysql` — the article's "NTP, RabbitMQ, and MySQL": MySQL (Folsom) or
// MariaDB (Zed) on the controller, listening on the management address, root able to
// log in locally without a password (the article's assumption; MariaDB: unix socket),
// which is what the MysqlDatabase resources use over SSH.
import * as pulumi from "@pulumi/pulumi";
import { BaseProfile } from "../base/profiles";
import { ConfigFile, HostRef, configFile, remoteStep } from "../shared/step";
import { IniDoc } from "../shared/ini";
import * as render from "./render";
import { installScript } from "../shared/packages";

export interface MysqlArgs {
    /** The controller. */
    readonly host: HostRef;
    readonly profile: BaseProfile["mysql"];
    /** Keys merged over the server drop-in (overrides["mysql.cnf"]). */
    readonly overrides?: IniDoc;
}

export class Mysql extends pulumi.ComponentResource {
    /** Depend on this before creating databases. */
    readonly ready: pulumi.Resource;
    readonly conf: ConfigFile;

    constructor(name: string, args: MysqlArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:infra:Mysql", name, {}, opts);
        const { host, profile } = args;
        const p = { parent: this };
        const install = remoteStep(`${name}-install`, host, { create: installScript(profile.packages) }, p);
        this.conf = configFile(
            `${name}-conf`,
            host,
            { path: profile.configFile, mode: "0644" },
            { mode: "ini", doc: profile.config(host.node.managementIp), overrides: args.overrides },
            { ...p, dependsOn: [install] },
        );
        this.ready = remoteStep(
            `${name}-restart`,
            host,
            {
                create: render.restartScript(profile.service, host.node.managementIp),
                triggers: [this.conf.hash],
            },
            { ...p, dependsOn: [this.conf.step] },
        );
        this.registerOutputs({});
    }
}
