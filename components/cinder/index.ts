// `oslab:volume:Cinder` — the article's "Block Storage with Cinder" on the controller:
// packages, database, cinder.conf (Folsom also api-paste.ini), `cinder-manage db sync`,
// the tgt workaround (Folsom), the LVM volume group, the restarts.
// With `cinder.volumeService` false (hosts without device-mapper, e.g. the lab) only
// cinder-api and cinder-scheduler are installed and run.
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import type { CinderSpec } from "../../config";
import { MysqlDatabase } from "../../providers/mysqlDatabase";
import { asUser, restartScript } from "../shared/packages";
import { IniDoc } from "../shared/ini";
import { ConfigFile, HostRef, afterHostPackages, configFile, remoteStep } from "../shared/step";
import { installStep, serviceDatabase } from "../shared/service";
import { uwsgiWorkersFiles } from "../shared/uwsgi";
import { CinderProfile } from "./profiles";
import * as render from "./render";

export interface CinderArgs {
    /** The controller (article: Alice holds the volume group). */
    readonly host: HostRef;
    readonly profile: CinderProfile;
    /** Keystone region of the catalog (config `region`). */
    readonly region: string;
    /** Volume group, device to build it from, whether cinder-volume runs (config `cinder`). */
    readonly cinder: CinderSpec;
    /** RabbitMQ user the services log in as, and the broker's readiness. */
    readonly rabbit: {
        readonly user: string;
        readonly password: pulumi.Input<string>;
        readonly ready: pulumi.Input<pulumi.Resource>;
    };
    /** The database server is up (ctx.mysql.ready). */
    readonly mysqlReady: pulumi.Input<pulumi.Resource>;
    /** Password of Cinder's MySQL user (secret). */
    readonly dbPassword: pulumi.Input<string>;
    /** Keystone password of the `cinder` service user (secret). */
    readonly servicePassword: pulumi.Input<string>;
    /** Keystone has the cinder user and the volume endpoint; unset: no wait. */
    readonly identityReady?: pulumi.Input<pulumi.Resource>;
    /** User overrides: `cinder.conf` and `cinder-api-paste.ini` (config `overrides`). */
    readonly overrides?: { readonly "cinder.conf"?: IniDoc; readonly "cinder-api-paste.ini"?: IniDoc };
    /**
     * uwsgi worker processes of cinder-api (config `apiWorkers`), set where the profile names
     * its uwsgi ini; unset: the packaged count.
     */
    readonly apiWorkers?: number;
}

export class Cinder extends pulumi.ComponentResource {
    /** The Cinder services run and the API answers. */
    readonly ready: pulumi.Resource;
    /** The files Cinder manages by id (rendered text is secret where it holds one). */
    readonly files: Readonly<Record<string, ConfigFile>>;
    readonly database: MysqlDatabase;

    constructor(name: string, args: CinderArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:volume:Cinder", name, {}, opts);
        const { host, profile, cinder } = args;
        const p = { parent: this };
        const ip = host.node.managementIp;
        const files: Record<string, ConfigFile> = {};
        this.files = files;

        const packages = [...profile.packages.api, ...(cinder.volumeService ? profile.packages.volume : [])];
        const install = installStep(name, host, packages, packages, {
            ...p,
            dependsOn: afterHostPackages(host, packages),
        });
        this.database = serviceDatabase(
            `${name}-db`,
            host,
            profile.database,
            {
                password: args.dbPassword,
                urlScheme: profile.urlScheme,
                port: profile.dbPort,
                mysqlReady: args.mysqlReady,
            },
            this,
        );

        const conf = pulumi
            .all([this.database.connectionUrl, pulumi.output(args.rabbit.password), args.servicePassword])
            .apply(([dbUrl, rabbitPassword, password]) =>
                profile.conf.render({
                    controllerIp: ip,
                    region: args.region,
                    dbUrl,
                    rabbit: { user: args.rabbit.user, password: rabbitPassword },
                    password,
                    volumeGroup: cinder.volumeGroup,
                }),
            );
        files["cinder.conf"] = configFile(
            `${name}-conf-cinder.conf`,
            host,
            { path: profile.conf.path, mode: "0640", owner: "root", group: profile.conf.group },
            {
                mode: "ini",
                doc: pulumi.secret(conf),
                overrides: args.overrides?.["cinder.conf"],
                removeSections: profile.conf.replaceSections,
            },
            { ...p, dependsOn: [install] },
        );
        const paste = profile.apiPaste;
        if (paste) {
            const doc = pulumi.output(args.servicePassword).apply((pw) => paste.render(ip, pw));
            files["cinder-api-paste.ini"] = configFile(
                `${name}-conf-api-paste.ini`,
                host,
                { path: paste.path, mode: "0640", owner: "root", group: profile.conf.group },
                { mode: "ini", doc: pulumi.secret(doc), overrides: args.overrides?.["cinder-api-paste.ini"] },
                { ...p, dependsOn: [install] },
            );
        }
        // (apiWorkers) cinder-api's worker count, a trigger of the restart below
        const [workers] = uwsgiWorkersFiles(name, host, profile.uwsgiIni, args.apiWorkers, {
            ...p,
            dependsOn: [install],
        });
        if (workers && profile.uwsgiIni) {
            files[path.posix.basename(profile.uwsgiIni)] = workers;
        }
        const dbSync = remoteStep(
            `${name}-db-sync`,
            host,
            {
                create: asUser("cinder", profile.dbSync),
                triggers: [this.database.id],
            },
            { ...p, dependsOn: [files["cinder.conf"].step, this.database] },
        );

        const before: pulumi.Input<pulumi.Resource>[] = [dbSync, args.rabbit.ready, ...(workers ? [workers.step] : [])];
        if (args.identityReady) {
            before.push(args.identityReady);
        }
        if (cinder.volumeService) {
            if (profile.tgtTargets) {
                files["tgt-targets.conf"] = configFile(
                    `${name}-conf-targets.conf`,
                    host,
                    { path: profile.tgtTargets.path },
                    { mode: "replace", content: profile.tgtTargets.content },
                    { ...p, dependsOn: [install] },
                );
                before.push(files["tgt-targets.conf"].step);
            }
            before.push(
                remoteStep(
                    `${name}-volume-group`,
                    host,
                    {
                        create: render.volumeGroupScript(cinder.volumeGroup, host.node.name, cinder.device),
                    },
                    { ...p, dependsOn: [install] },
                ),
            );
        }
        const services = [...profile.services.api, ...(cinder.volumeService ? profile.services.volume : [])];
        this.ready = remoteStep(
            `${name}-restart`,
            host,
            {
                create: restartScript(
                    services,
                    [{ host: ip, port: profile.port }],
                    cinder.volumeService ? profile.volumeDaemons : [],
                ),
                triggers: Object.values(files).map((f) => f.hash),
            },
            { ...p, dependsOn: before },
        );
        this.registerOutputs({});
    }
}
