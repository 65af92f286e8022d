// `oslab:network:Quantum` — the article's "Quantum: The Network Hydra", "Creating External
// Networks" and "The Thing About Metadata Servers" (Folsom), or Neutron ML2/OVS with the
// metadata agent (Zed):
//   controller  install → config files → database (+ migrations) → server up
//   agent hosts install → Open vSwitch up → br-int (+ br-ex on the network node,
//               + br-phy with the data address on the userspace datapath) → config → L2 agent
//   networks    tenant network, ext_net, provider-router (QuantumNetwork) → l3_agent.ini with
//               their IDs (Folsom) → L3 agent; the controller's route to the tenant network via
//               the router's gateway (Folsom metadata return path)
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { MysqlDatabase } from "../../providers/mysqlDatabase";
import { OvsBridge } from "../../providers/ovsBridge";
import { QuantumNetwork } from "../../providers/quantumNetwork";
import { ConfigFile, HostRef, afterHostPackages, configFile, remoteStep } from "../shared/step";
import { QuantumArgs } from "./args";
import { QuantumFile, QuantumRole, QuantumService } from "./profiles";
import * as render from "./render";
import { installScript, purgeScript } from "../shared/packages";

export { QuantumArgs } from "./args";
export { QuantumProfile } from "./profiles";

type Deps = pulumi.Input<pulumi.Resource>[];

export class Quantum extends pulumi.ComponentResource {
    /** The server answers on its API port (depend on it to use the network API). */
    readonly ready: pulumi.Resource;
    /** Per agent host name: its L2 agent runs (nova-compute plugs VIFs into br-int after it). */
    readonly agents: Readonly<Record<string, pulumi.Resource>>;
    /** The network API (catalog URL of the `network` service). */
    readonly url: string;
    /** UUID of provider-router. */
    readonly routerId: pulumi.Output<string>;
    /** UUID of ext_net. */
    readonly externalNetworkId: pulumi.Output<string>;
    /** The router's address on ext_net (the article's 192.168.144.100). */
    readonly gatewayIp: pulumi.Output<string>;

    private readonly args: QuantumArgs;
    private readonly secretValues: pulumi.Output<render.SecretValues>;

    constructor(name: string, args: QuantumArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:network:Quantum", name, {}, opts);
        this.args = args;
        const { profile, controller } = args;
        const ctlIp = controller.node.managementIp;
        this.url = `http://${ctlIp}:${render.API_PORT}`;

        const db = new MysqlDatabase(
            `${name}-db`,
            {
                connection: controller.ssh,
                database: profile.database.name,
                user: profile.database.user,
                password: pulumi.secret(args.secrets.dbPassword),
                host: ctlIp,
                urlScheme: args.dbUrlScheme,
            },
            { parent: this, dependsOn: [args.mysqlReady] },
        );
        const s = args.secrets;
        this.secretValues = pulumi.secret(
            pulumi
                .all([db.connectionUrl, s.servicePassword, s.novaPassword, s.rabbitPassword, s.metadataSecret])
                .apply(
                    ([dbUrl, servicePassword, novaPassword, rabbitPassword, metadataSecret]): render.SecretValues => ({
                        dbUrl,
                        servicePassword,
                        novaPassword,
                        rabbitPassword,
                        metadataSecret,
                    }),
                ),
        );

        // The controller: the server (the article's Alice).
        const server = this.server(name, controller, db);
        this.ready = server;

        // Every agent host: Open vSwitch, bridges, the L2 agent (Bob, Charlie, more computes).
        const agents: Record<string, pulumi.Resource> = {};
        for (const host of args.computes) {
            agents[host.node.name] = this.agentHost(name, host, [server]).l2;
        }
        const net = this.agentHost(name, args.network, [server]);
        agents[args.network.node.name] = net.l2;
        this.agents = agents;

        // The networks (script [3]), once the server, Keystone and the network node's
        // agents run (so the router is scheduled at once, and on destroy it is removed
        // while the agents still clean up after it).
        const networks = this.networks(name, [
            server,
            ...(args.identityReady ? [args.identityReady] : []),
            net.l2,
            ...net.before,
        ]);
        this.routerId = networks.routerId;
        this.externalNetworkId = networks.externalNetworkId;
        this.gatewayIp = networks.gatewayIp;

        // Folsom: l3_agent.ini gets the router and external network IDs, then the L3 agent.
        net.afterNetworks(networks);

        // Folsom metadata: the controller routes the tenant network via the router's gateway.
        if (profile.metadataRoute) {
            const cidr = args.tenantNetwork.cidr;
            remoteStep(
                `${name}-${controller.node.name}-metadata-route`,
                controller,
                {
                    create: networks.gatewayIp.apply((gw) => render.metadataRouteScript(cidr, gw)),
                    delete: render.metadataRouteDeleteScript(cidr),
                },
                { parent: this, dependsOn: [networks] },
            );
        }

        this.registerOutputs({
            url: this.url,
            routerId: this.routerId,
            externalNetworkId: this.externalNetworkId,
            gatewayIp: this.gatewayIp,
        });
    }

    /** Values every file on `host` is rendered from. */
    private values(host: HostRef, networkNode: boolean, ids?: QuantumNetwork): pulumi.Output<render.RenderValues> {
        const a = this.args;
        return pulumi.output({
            controllerIp: a.controller.node.managementIp,
            region: a.region,
            rabbitUser: a.rabbitUser,
            datapathType: a.datapathType,
            dataIp: host.node.dataIp,
            networkNode,
            routerId: ids?.routerId,
            externalNetworkId: ids?.externalNetworkId,
            apiWorkers: a.apiWorkers,
        });
    }

    /** The config files of `files` on `host`, merged into the packaged files; by file id. */
    private files(
        prefix: string,
        host: HostRef,
        files: readonly QuantumFile[],
        values: pulumi.Output<render.RenderValues>,
        deps: Deps,
    ): Record<string, ConfigFile> {
        const out: Record<string, ConfigFile> = {};
        for (const f of files) {
            const doc = f.secret
                ? pulumi.all([values, this.secretValues]).apply(([v, s]) => f.render(v, s))
                : values.apply((v) => f.render(v));
            out[f.id] = configFile(
                `${prefix}-conf-${path.basename(f.id)}`,
                host,
                { path: f.path, mode: f.mode, owner: "root", group: f.group },
                { mode: "ini", doc, overrides: this.args.overrides?.[f.id] },
                { parent: this, dependsOn: deps },
            );
        }
        return out;
    }

    /** One step per service group: restart when a file it reads changes, stop on destroy. */
    private service(
        prefix: string,
        host: HostRef,
        svc: QuantumService,
        files: Readonly<Record<string, ConfigFile>>,
        deps: Deps,
    ): pulumi.Resource {
        const read = svc.reads.map((id) => {
            const f = files[id];
            if (!f) {
                throw new Error(
                    `${prefix}-${svc.step}: ${svc.names.join(", ")} reads ${id}, which this host does not have`,
                );
            }
            return f;
        });
        // remoteStep replaces a step with triggers and a delete delete-first: stop, then start.
        return remoteStep(
            `${prefix}-${svc.step}`,
            host,
            {
                create: render.serviceScript(svc, this.args.profile.logDir, host.node.managementIp),
                delete: render.serviceStopScript(svc),
                triggers: read.map((f) => f.hash),
            },
            { parent: this, dependsOn: [...read.map((f) => f.step), ...deps] },
        );
    }

    private install(prefix: string, host: HostRef, roles: readonly QuantumRole[]): pulumi.Resource {
        const packages = [...new Set(roles.flatMap((r) => r.packages))];
        return remoteStep(
            `${prefix}-install`,
            host,
            {
                create: installScript(packages),
                delete: purgeScript(packages),
            },
            { parent: this, dependsOn: afterHostPackages(host, packages) },
        );
    }

    private server(name: string, host: HostRef, db: MysqlDatabase): pulumi.Resource {
        const { profile } = this.args;
        const prefix = `${name}-${host.node.name}`;
        const install = this.install(prefix, host, [profile.server]);
        const files = this.files(prefix, host, profile.server.files, this.values(host, false), [install]);
        const before: Deps = [db, this.args.rabbitmqReady];
        if (profile.dbSync) {
            before.push(
                remoteStep(
                    `${name}-db-sync`,
                    host,
                    {
                        create: render.dbSyncScript(profile.dbSync.user, profile.dbSync.command),
                        triggers: [db.id],
                    },
                    { parent: this, dependsOn: [db, ...Object.values(files).map((f) => f.step)] },
                ),
            );
        }
        const [svc, ...rest] = profile.server.services;
        if (!svc || rest.length) {
            throw new Error(`${profile.product}: the server role needs exactly one service step`);
        }
        return this.service(prefix, host, svc, files, before);
    }

    /**
     * An agent host. Returns its L2 agent step, the network node's steps that may run
     * before the networks exist, and a function that finishes the host once they do.
     */
    private agentHost(
        name: string,
        host: HostRef,
        after: Deps,
    ): { l2: pulumi.Resource; before: pulumi.Resource[]; afterNetworks: (n: QuantumNetwork) => void } {
        const { profile, datapathType } = this.args;
        const networkNode = host === this.args.network;
        const prefix = `${name}-${host.node.name}`;
        const p = { parent: this };
        const roles = networkNode ? [profile.agent, profile.networkNode] : [profile.agent];
        const install = this.install(prefix, host, roles);
        const ovs = remoteStep(
            `${prefix}-ovs`,
            host,
            {
                create: render.ovsStartScript(datapathType),
                delete: render.ovsStopScript(),
            },
            { ...p, dependsOn: [install] },
        );

        const bridges: pulumi.Resource[] = [
            new OvsBridge(
                `${prefix}-br-int`,
                {
                    connection: host.ssh,
                    bridge: render.INTEGRATION_BRIDGE,
                    datapathType,
                },
                { ...p, dependsOn: [ovs] },
            ),
        ];
        if (networkNode) {
            const ext = host.node.externalInterface;
            if (!ext) {
                throw new Error(`${host.node.name}: the network node needs externalInterface`);
            }
            bridges.push(
                new OvsBridge(
                    `${prefix}-br-ex`,
                    {
                        connection: host.ssh,
                        bridge: render.EXTERNAL_BRIDGE,
                        ports: [ext],
                        datapathType,
                    },
                    { ...p, dependsOn: [ovs] },
                ),
            );
        }
        if (datapathType === "netdev") {
            bridges.push(this.physicalBridge(prefix, host, ovs));
        }

        const values = this.values(host, networkNode);
        const idsFile = profile.networkIdsFile;
        const early = roles.flatMap((r) => r.files).filter((f) => f.id !== idsFile);
        const files = this.files(prefix, host, early, values, [install]);
        const ready = [...after, ...bridges, this.args.rabbitmqReady];

        const [l2svc, ...l2rest] = profile.agent.services;
        if (!l2svc || l2rest.length) {
            throw new Error(`${profile.product}: the agent role needs exactly one service step`);
        }
        const l2 = this.service(prefix, host, l2svc, files, ready);
        if (!networkNode) {
            return { l2, before: [], afterNetworks: () => undefined };
        }

        const needsIds = (s: QuantumService) => idsFile !== undefined && s.reads.includes(idsFile);
        const before = profile.networkNode.services
            .filter((s) => !needsIds(s))
            .map((s) => this.service(prefix, host, s, files, [...ready, l2]));
        const afterNetworks = (networks: QuantumNetwork) => {
            const late = profile.networkNode.services.filter(needsIds);
            if (!late.length || !idsFile) {
                return;
            }
            const withIds = this.files(
                prefix,
                host,
                profile.networkNode.files.filter((f) => f.id === idsFile),
                this.values(host, true, networks),
                [install, networks],
            );
            for (const s of late) {
                this.service(prefix, host, s, { ...files, ...withIds }, [...ready, l2, networks]);
            }
        };
        return { l2, before, afterNetworks };
    }

    /**
     * Userspace datapath: the data interface becomes a port of the netdev bridge br-phy and
     * its address moves there (VXLAN/GRE packets leave only through an OVS bridge owning the
     * tunnel address). The interface is discovered on the host from the data address.
     */
    private physicalBridge(prefix: string, host: HostRef, ovs: pulumi.Resource): pulumi.Resource {
        const p = { parent: this };
        const dataIp = host.node.dataIp;
        if (!dataIp) {
            throw new Error(`${host.node.name}: an agent host needs dataIp`);
        }
        const iface = remoteStep(
            `${prefix}-data-iface`,
            host,
            {
                create: render.dataInterfaceScript(dataIp),
                delete: render.dataInterfaceDeleteScript(),
            },
            { ...p, dependsOn: [ovs] },
        );
        const brPhy = new OvsBridge(
            `${prefix}-br-phy`,
            {
                connection: host.ssh,
                bridge: render.PHYSICAL_BRIDGE,
                ports: iface.stdout.apply((s) => [s.trim()]),
                datapathType: "netdev",
            },
            { ...p, dependsOn: [iface] },
        );
        return remoteStep(
            `${prefix}-br-phy-ip`,
            host,
            {
                create: render.brPhyAddressScript(),
                delete: render.brPhyAddressDeleteScript(),
            },
            { ...p, dependsOn: [brPhy] },
        );
    }

    /** Tenant network, ext_net and provider-router, as the Keystone admin. */
    private networks(name: string, deps: Deps): QuantumNetwork {
        const { profile, controller, tenantNetwork: t, externalNetwork: e, secrets } = this.args;
        const n = profile.networks;
        const domains = n.dialect === "v3" ? { userDomainName: "Default", projectDomainName: "Default" } : {};
        return new QuantumNetwork(
            `${name}-networks`,
            {
                connection: controller.ssh,
                auth: {
                    dialect: n.dialect,
                    authUrl: `http://${controller.node.managementIp}:5000${n.authPath}`,
                    username: "admin",
                    password: pulumi.secret(secrets.adminPassword),
                    projectName: "admin",
                    ...domains,
                },
                networkUrl: this.url,
                tenantNetwork: {
                    name: t.name,
                    cidr: t.cidr,
                    gateway: t.gateway,
                    dnsNameservers: [...t.dnsNameservers],
                },
                externalNetwork: {
                    name: n.externalNetworkName,
                    cidr: e.cidr,
                    gateway: e.gateway,
                    allocationPool: { start: e.allocationPool.start, end: e.allocationPool.end },
                    ...(n.externalProvider
                        ? {
                              providerNetworkType: n.externalProvider.networkType,
                              physicalNetwork: n.externalProvider.physicalNetwork,
                          }
                        : {}),
                },
                routerName: n.routerName,
            },
            { parent: this, dependsOn: deps },
        );
    }
}
