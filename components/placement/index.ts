// `oslab:placement:Placement` — the Placement API on the controller (Zed; Folsom has
// no Placement and the cloud builds none): package, database, placement.conf,
// `placement-manage db sync`, (re)start and wait for port 8778.
import * as pulumi from "@pulumi/pulumi";
import { MysqlDatabase } from "../../providers/mysqlDatabase";
import { asUser, restartScript } from "../shared/packages";
import { IniDoc } from "../shared/ini";
import { ConfigFile, HostRef, afterHostPackages, configFile, remoteStep } from "../shared/step";
import { installStep, serviceDatabase } from "../shared/service";
import { uwsgiWorkersFiles } from "../shared/uwsgi";
import { PlacementProfile } from "./profiles";

export interface PlacementArgs {
    /** The controller. */
    readonly host: HostRef;
    readonly profile: PlacementProfile;
    /** Keystone region of the catalog (config `region`). */
    readonly region: string;
    /** The database server is up (ctx.mysql.ready). */
    readonly mysqlReady: pulumi.Input<pulumi.Resource>;
    /** Password of the `placement` MySQL user (secret). */
    readonly dbPassword: pulumi.Input<string>;
    /** Keystone password of the `placement` service user (secret). */
    readonly servicePassword: pulumi.Input<string>;
    /** Keystone has the placement user and endpoint; unset: no wait. */
    readonly identityReady?: pulumi.Input<pulumi.Resource>;
    /** User overrides (config `overrides["placement.conf"]`). */
    readonly overrides?: IniDoc;
    /**
     * uwsgi worker processes of the API (config `apiWorkers`), set where the profile names
     * its uwsgi ini; unset: the packaged count.
     */
    readonly apiWorkers?: number;
}

export class Placement extends pulumi.ComponentResource {
    /** Placement answers on its port. */
    readonly ready: pulumi.Resource;
    readonly url: string;
    readonly conf: ConfigFile;
    readonly database: MysqlDatabase;

    constructor(name: string, args: PlacementArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:placement:Placement", name, {}, opts);
        const { host, profile } = args;
        const p = { parent: this };
        const ip = host.node.managementIp;
        this.url = `http://${ip}:${profile.port}`;

        const install = installStep(name, host, profile.packages, profile.packages, {
            ...p,
            dependsOn: afterHostPackages(host, profile.packages),
        });
        this.database = serviceDatabase(
            `${name}-db`,
            host,
            profile.database,
            { password: args.dbPassword, urlScheme: profile.urlScheme, mysqlReady: args.mysqlReady },
            this,
        );
        const doc = pulumi
            .all([this.database.connectionUrl, args.servicePassword])
            .apply(([dbUrl, password]) =>
                profile.conf.render({ controllerIp: ip, region: args.region, dbUrl, password }),
            );
        this.conf = configFile(
            `${name}-conf-placement.conf`,
            host,
            { path: profile.conf.path, mode: "0640", owner: "root", group: profile.conf.group },
            { mode: "ini", doc: pulumi.secret(doc), overrides: args.overrides },
            { ...p, dependsOn: [install] },
        );
        const dbSync = remoteStep(
            `${name}-db-sync`,
            host,
            {
                create: asUser(profile.database.user, profile.dbSync),
                triggers: [this.database.id],
            },
            { ...p, dependsOn: [this.conf.step, this.database] },
        );
        const workers = uwsgiWorkersFiles(name, host, profile.uwsgiIni, args.apiWorkers, {
            ...p,
            dependsOn: [install],
        });
        this.ready = remoteStep(
            `${name}-restart`,
            host,
            {
                create: restartScript([profile.service], [{ host: ip, port: profile.port }]),
                triggers: [this.conf.hash, ...workers.map((f) => f.hash)],
            },
            {
                ...p,
                dependsOn: [dbSync, ...workers.map((f) => f.step), ...(args.identityReady ? [args.identityReady] : [])],
            },
        );
        this.registerOutputs({ url: this.url });
    }
}
