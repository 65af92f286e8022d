// `oslab:compute:Nova` — the article's "Nova – The Computing Component": on the
// controller the APIs and schedulers with their database, on every compute node
// nova-compute and libvirt; then a check that every Nova service reports alive.
//
// Folsom: nova.conf on Alice and Bob from one renderer (only the VNC proxy client address
// differs, docs/sources.md#folsom-pitfalls 5), api-paste.ini without its volume sections on Alice and copied to Bob,
// `nova-manage db sync`, Listing 5 in qemu.conf, TCP in libvirtd.conf, `-l` for libvirtd,
// the article's restarts, `nova-manage service list` smileys.
// Zed: cells v2 (nova_api, nova, nova_cell0), conductor, placement and neutron sections,
// libvirt without per-domain mount namespaces, discover_hosts, `openstack compute service list`.
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { MysqlDatabase } from "../../providers/mysqlDatabase";
import { fileSpec } from "../shared/script";
import { ConfigFile, HostRef, afterHostPackages, configFile, remoteStep, sha256 } from "../shared/step";
import { uwsgiWorkersFiles } from "../shared/uwsgi";
import { NovaArgs } from "./args";
import { NovaDatabase, StaticFile } from "./profiles";
import * as render from "./render";
import { installScript, purgeScript, restartScript } from "../shared/packages";

export * from "./args";

type Deps = pulumi.Input<pulumi.Resource>[];

export class Nova extends pulumi.ComponentResource {
    /** Every Nova service reports alive. */
    readonly ready: pulumi.Resource;
    /** The compute API answers (the controller's services restarted, their ports listen). */
    readonly apiReady: pulumi.Resource;
    /** The files Nova manages, per host and file id (rendered text is secret where it holds one). */
    readonly files: Readonly<Record<string, Readonly<Record<string, ConfigFile>>>>;
    /** The MySQL databases (connectionUrl is secret). */
    readonly databases: Readonly<Record<string, MysqlDatabase>>;
    /** Per compute host name: its nova-compute runs (Zed: and is mapped into cell1). */
    readonly computes: Readonly<Record<string, pulumi.Resource>>;

    private readonly args: NovaArgs;
    private readonly fileMap: Record<string, Record<string, ConfigFile>> = {};

    constructor(name: string, args: NovaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:compute:Nova", name, {}, opts);
        this.args = args;
        this.files = this.fileMap;
        const { controller, computes, profile } = args;

        // Controller: install, databases, configuration, bootstrap, restart.
        const install = this.install(name, controller, profile.controller.packages);
        this.databases = this.createDatabases(name, profile.databases);
        const dbSteps = Object.values(this.databases);
        const ctlFiles = [
            this.novaConf(name, controller, "controller", [install]),
            ...this.apiPaste(name, controller, [install]),
            ...profile.controller.files.map((f) => this.staticFile(name, controller, f, [install])),
        ];
        const dbSync = remoteStep(
            `${name}-db-sync`,
            controller,
            {
                create: profile.dbSync.script,
                stdin: profile.dbSync.cell0Stdin ? this.databases.cell0.connectionUrl : undefined,
                // The schemas follow the databases; the cell mappings store their URLs and
                // the broker's transport URL, so a rotated password re-maps them too.
                triggers: [
                    pulumi
                        .all([...dbSteps.map((d) => d.connectionUrl), pulumi.output(args.rabbit.password)])
                        .apply((v) => sha256(v.join("\n"))),
                ],
            },
            { parent: this, dependsOn: [...ctlFiles.map((f) => f.step), ...dbSteps] },
        );
        const workers = this.uwsgiWorkers(name, controller, [install]);
        const ctlIp = controller.node.managementIp;
        const ctlRestart = remoteStep(
            `${name}-${controller.node.name}-restart`,
            controller,
            {
                create: restartScript(
                    profile.controller.services,
                    profile.controller.ports.map((port) => ({ host: ctlIp, port })),
                ),
                triggers: [...ctlFiles, ...workers].map((f) => f.hash),
            },
            {
                parent: this,
                dependsOn: [
                    dbSync,
                    ...workers.map((f) => f.step),
                    ...this.optional(args.rabbit.ready, args.identityReady, args.placementReady),
                ],
            },
        );

        this.apiReady = ctlRestart;

        // Compute nodes: libvirt first, then nova-compute once the controller and the
        // network service are up; on Zed each is mapped into cell1 on its own, so adding or
        // removing a compute touches no other host's steps.
        const computeSteps: Record<string, pulumi.Resource> = {};
        for (const h of computes) {
            const restart = this.compute(name, h, [ctlRestart]);
            computeSteps[h.node.name] = profile.discoverHosts
                ? remoteStep(
                      `${name}-${h.node.name}-discover`,
                      controller,
                      { create: render.discoverHostScript(h.node.name, this.cellDatabase()) },
                      { parent: this, dependsOn: [restart] },
                  )
                : restart;
        }
        this.computes = computeSteps;

        // Every service must report alive: on Zed the controller's (each compute's own
        // membership step checks it, components/membership); on Folsom every host's.
        const perCompute = profile.discoverHosts;
        const expected: render.ExpectedService[] = [
            ...profile.controller.reporting.map((binary) => ({ binary, host: controller.node.name })),
            ...(perCompute
                ? []
                : computes.flatMap((h) => profile.compute.reporting.map((binary) => ({ binary, host: h.node.name })))),
        ];
        const checked = perCompute
            ? { [controller.node.name]: this.fileMap[controller.node.name] ?? {} }
            : this.fileMap;
        const list = profile.serviceList;
        this.ready = remoteStep(
            `${name}-check`,
            controller,
            {
                create: render.aliveCheckScript(list.command, expected, {
                    prologue: list.needsAdmin ? render.adminEnvFromStdin(ctlIp, args.region) : undefined,
                }),
                stdin: list.needsAdmin ? pulumi.secret(args.secrets.admin) : undefined,
                triggers: Object.values(checked).flatMap((files) => Object.values(files).map((f) => f.hash)),
            },
            { parent: this, dependsOn: perCompute ? [ctlRestart] : Object.values(computeSteps) },
        );
        this.registerOutputs({});
    }

    /** One compute node: packages, libvirt, nova.conf (+ Folsom api-paste.ini), restarts. */
    private compute(name: string, host: HostRef, after: Deps): pulumi.Resource {
        const { profile } = this.args;
        const n = `${name}-${host.node.name}`;
        const p = { parent: this };
        const install = this.install(
            name,
            host,
            profile.compute.packages(this.args.virtType),
            profile.compute.packagesWithoutSystemd,
            render.stopGuestsScript(),
        );
        const libvirtFiles = [
            ...profile.compute.libvirtFiles.map((f) => this.staticFile(name, host, f, [install])),
            ...profile.compute.libvirtFilesByInit.map((f) =>
                f.withSystemd === undefined
                    ? this.blockUnlessSystemd(name, host, f, [install])
                    : this.blockByInit(name, host, f, [install]),
            ),
        ];
        const socket = profile.compute.migrationSocket;
        const libvirtSteps: pulumi.Resource[] = libvirtFiles.map((f) => f.step);
        if (socket) {
            libvirtSteps.push(
                remoteStep(
                    `${n}-libvirt-tcp-socket`,
                    host,
                    {
                        create: render.libvirtTcpSocketScript(socket),
                        delete: render.libvirtTcpSocketDeleteScript(socket),
                    },
                    { ...p, dependsOn: [install] },
                ),
            );
        }
        const defaultNet = remoteStep(
            `${n}-libvirt-default-net`,
            host,
            {
                create: render.libvirtDefaultNetScript(),
                delete: render.libvirtDefaultNetRestoreScript(),
            },
            { ...p, dependsOn: [install] },
        );
        const libvirtRestart = remoteStep(
            `${n}-restart-libvirt`,
            host,
            {
                create: `${restartScript(profile.compute.libvirtServices)}\n${render.libvirtCapabilitiesScript()}`,
                triggers: libvirtFiles.map((f) => f.hash),
            },
            { ...p, dependsOn: [defaultNet, ...libvirtSteps] },
        );
        const files = [this.novaConf(name, host, "compute", [install]), ...this.apiPaste(name, host, [install])];
        return remoteStep(
            `${n}-restart`,
            host,
            {
                create: restartScript(profile.compute.services),
                triggers: files.map((f) => f.hash),
            },
            {
                ...p,
                dependsOn: [
                    libvirtRestart,
                    ...files.map((f) => f.step),
                    ...after,
                    ...this.optional(this.args.networkReady, this.args.agentsReady?.[host.node.name]),
                ],
            },
        );
    }

    /** `beforePurge`: runs on destroy before the packages are purged. */
    private install(
        name: string,
        host: HostRef,
        packages: readonly string[],
        withoutSystemd: readonly string[] = [],
        beforePurge?: string,
    ): pulumi.Resource {
        const purge = purgeScript([...packages, ...withoutSystemd]);
        return remoteStep(
            `${name}-${host.node.name}-install`,
            host,
            {
                create: installScript(packages, withoutSystemd),
                delete: beforePurge ? `${beforePurge}\n${purge}` : purge,
            },
            { parent: this, dependsOn: afterHostPackages(host, packages) },
        );
    }

    private createDatabases(name: string, dbs: readonly NovaDatabase[]): Record<string, MysqlDatabase> {
        const { controller, profile } = this.args;
        const out: Record<string, MysqlDatabase> = {};
        for (const d of dbs) {
            out[d.role] = new MysqlDatabase(
                d.role === "main" ? `${name}-db` : `${name}-db-${d.role}`,
                {
                    connection: controller.ssh,
                    database: d.name,
                    user: d.user,
                    password: this.args.secrets.db,
                    host: controller.node.managementIp,
                    urlScheme: profile.urlScheme,
                },
                { parent: this, dependsOn: [this.args.mysqlReady] },
            );
        }
        return out;
    }

    /** nova.conf for one host, from the release's renderer with that host's values. */
    private novaConf(name: string, host: HostRef, role: render.NovaRole, after: Deps): ConfigFile {
        const a = this.args;
        const s = a.secrets;
        const doc = pulumi
            .all([
                this.databases.main.connectionUrl,
                this.databases.api?.connectionUrl,
                pulumi.output(a.rabbit.password),
                s.nova,
                s.network,
                s.placement,
                s.metadata,
            ])
            .apply(([dbUrl, apiDbUrl, rabbitPassword, nova, network, placement, metadata]) =>
                a.profile.conf.render({
                    role,
                    myIp: host.node.managementIp,
                    controllerIp: a.controller.node.managementIp,
                    region: a.region,
                    virtType: a.virtType,
                    rabbit: { user: a.rabbit.user, password: rabbitPassword },
                    dbUrl,
                    apiDbUrl,
                    novaPassword: nova,
                    networkPassword: network,
                    placementPassword: placement,
                    metadataSecret: metadata,
                }),
            );
        return this.track(
            host,
            "nova.conf",
            configFile(
                `${name}-${host.node.name}-conf-nova.conf`,
                host,
                { path: a.profile.conf.path, mode: "0640", owner: "root", group: a.profile.conf.group },
                { mode: "ini", doc: pulumi.secret(doc), overrides: a.overrides?.["nova.conf"] },
                { parent: this, dependsOn: after },
            ),
        );
    }

    /** (config `apiWorkers`) The worker count in the uwsgi ini of each API service that has one. */
    private uwsgiWorkers(name: string, host: HostRef, after: Deps): ConfigFile[] {
        const { apiWorkers, profile } = this.args;
        return Object.values(profile.controller.uwsgiInis ?? {}).flatMap((ini) =>
            uwsgiWorkersFiles(`${name}-${host.node.name}`, host, ini, apiWorkers, {
                parent: this,
                dependsOn: after,
            }).map((file) => this.track(host, path.posix.basename(ini), file)),
        );
    }

    /** Folsom: api-paste.ini's authtoken filter, volume sections removed (none on Zed). */
    private apiPaste(name: string, host: HostRef, after: Deps): ConfigFile[] {
        const a = this.args;
        const paste = a.profile.apiPaste;
        if (!paste) {
            return [];
        }
        const doc = pulumi.output(a.secrets.nova).apply((pw) => paste.render(a.controller.node.managementIp, pw));
        return [
            this.track(
                host,
                "nova-api-paste.ini",
                configFile(
                    `${name}-${host.node.name}-conf-api-paste.ini`,
                    host,
                    { path: paste.path, mode: "0640", owner: "root", group: a.profile.conf.group },
                    {
                        mode: "ini",
                        doc: pulumi.secret(doc),
                        removeSections: paste.removeSections,
                        overrides: a.overrides?.["nova-api-paste.ini"],
                    },
                    { parent: this, dependsOn: after },
                ),
            ),
        ];
    }

    private staticFile(name: string, host: HostRef, f: StaticFile, after: Deps): ConfigFile {
        const content =
            f.mode === "block"
                ? { mode: "block" as const, block: f.content }
                : { mode: "replace" as const, content: f.content };
        return this.track(
            host,
            f.id,
            configFile(`${name}-${host.node.name}-conf-${f.id}`, host, { path: f.path }, content, {
                parent: this,
                dependsOn: after,
            }),
        );
    }

    /**
     * A managed block applied only where systemd is not PID 1. Like configFile, the spec
     * travels on stdin and a change is an update (never a replacement, whose delete would
     * restore the original after the new block was written).
     */
    private blockUnlessSystemd(name: string, host: HostRef, f: StaticFile, after: Deps): ConfigFile {
        const step = remoteStep(
            `${name}-${host.node.name}-conf-${f.id}`,
            host,
            {
                create: render.blockUnlessSystemdScript(f.path),
                delete: render.restoreFileScript(f.path),
                stdin: fileSpec("block", { path: f.path }, { block: f.content, comment: "#" }),
            },
            { parent: this, dependsOn: after },
        );
        return this.track(host, f.id, {
            step,
            hash: pulumi.output(sha256(`${f.path}\nunless-systemd\n${f.content}`)),
            rendered: pulumi.output(f.content),
        });
    }

    /**
     * A managed block whose content depends on the host's init system (StaticFile.withSystemd).
     * Both specs travel on stdin; a change is an update, as with blockUnlessSystemd.
     */
    private blockByInit(name: string, host: HostRef, f: StaticFile, after: Deps): ConfigFile {
        const spec = (block: string) => JSON.parse(fileSpec("block", { path: f.path }, { block, comment: "#" }));
        const step = remoteStep(
            `${name}-${host.node.name}-conf-${f.id}`,
            host,
            {
                create: render.blockByInitScript(f.path),
                delete: render.restoreFileScript(f.path),
                stdin: JSON.stringify({ systemd: spec(f.withSystemd ?? ""), other: spec(f.content) }),
            },
            { parent: this, dependsOn: after },
        );
        return this.track(host, f.id, {
            step,
            hash: pulumi.output(sha256(`${f.path}\nby-init\n${f.withSystemd ?? ""}\n${f.content}`)),
            rendered: pulumi.output(`# where systemd is PID 1\n${f.withSystemd ?? ""}# elsewhere\n${f.content}`),
        });
    }

    /** The cell database (cell1): the main database of the profile. */
    private cellDatabase(): string {
        const main = this.args.profile.databases.find((d) => d.role === "main");
        if (!main) {
            throw new Error("Nova's profile needs a main database");
        }
        return main.name;
    }

    private track(host: HostRef, id: string, file: ConfigFile): ConfigFile {
        (this.fileMap[host.node.name] ??= {})[id] = file;
        return file;
    }

    private optional(...deps: (pulumi.Input<pulumi.Resource> | undefined)[]): pulumi.Input<pulumi.Resource>[] {
        return deps.filter((d): d is pulumi.Input<pulumi.Resource> => d !== undefined);
    }
}
