// The whole cloud, composed from the stack config: the body of index.ts, kept in a
// function so tests can build it for any config under mocks.
//
// Order follows data, not a fixed sequence: every step depends only on what it reads
// (its host's base layer, the databases it connects to, the catalog it registers in),
// so hosts and independent services proceed in parallel.
import * as pulumi from "@pulumi/pulumi";
import { NodeSpec, StackConfig } from "../config";
import { Base } from "./base";
import { Cinder, CinderArgs } from "./cinder";
import { DemoProject } from "./demo";
import { Flavors } from "./flavors";
import { InUseGuard } from "./guard";
import { Glance } from "./glance";
import { Horizon } from "./horizon";
import { Keystone } from "./keystone";
import { ComputeMembership, ComputeMembershipArgs } from "./membership";
import { Mysql } from "./mysql";
import { Nova, NovaArgs, NovaDeps } from "./nova";
import { Placement, PlacementArgs } from "./placement";
import { Quantum, QuantumArgs } from "./quantum";
import { RabbitMQ } from "./rabbitmq";
import { ReleaseProfile, profileFor } from "./release";
import { Host } from "./shared/host";
import { SecretsComponent } from "./shared/secrets";
import { HostRef } from "./shared/step";

/** What every service component may use. */
export interface CloudContext {
    readonly cfg: StackConfig;
    readonly profile: ReleaseProfile;
    readonly secrets: SecretsComponent;
    /** Every node by name; `ready` is the node's base layer, so steps start after it. */
    readonly hosts: Readonly<Record<string, HostRef>>;
    readonly controller: HostRef;
    readonly network: HostRef;
    readonly computes: readonly HostRef[];
    readonly mysql: Mysql;
    readonly rabbitmq: RabbitMQ;
}

export interface CloudOutputs {
    readonly [name: string]: pulumi.Input<unknown>;
}

/**
 * Every package a node's roles need, for Base's package transactions: the services' own
 * install steps then find them installed and only record what they purge on destroy.
 * The controller installs in three: `packages` (NTP, the database, the broker, Keystone —
 * what the identity layer needs first), `later` (Glance, Placement, Nova, Neutron: the
 * chain to a bootable cloud), which installs while the database, broker and Keystone are
 * configured and bootstrapped, and `last` (Cinder, Horizon: off that chain; Horizon's
 * packages are the biggest part), which installs while Nova's and Neutron's databases
 * are built. A service's own install step waits for the run that brings its packages
 * (`afterHostPackages`). `withoutSystemd`: added where systemd is not PID 1.
 */
export function hostPackages(
    profile: ReleaseProfile,
    cfg: StackConfig,
    role: NodeSpec["role"],
): { packages: string[]; later: string[]; last: string[]; withoutSystemd: string[] } {
    const b = profile.base;
    const q = profile.quantum;
    const n = profile.nova;
    const unique = (lists: (readonly string[])[]) => [...new Set(lists.flat())];
    if (role === "controller") {
        const packages = unique([b.ntp.packages, b.mysql.packages, b.rabbitmq.packages, profile.keystone.packages]);
        const later = unique([
            profile.glance.packages,
            profile.placement?.packages ?? [],
            n.controller.packages,
            q.server.packages,
        ]).filter((p) => !packages.includes(p));
        const last = unique([
            profile.cinder.packages.api,
            cfg.cinder.volumeService ? profile.cinder.packages.volume : [],
            profile.horizon.packages,
        ]).filter((p) => !packages.includes(p) && !later.includes(p));
        return { packages, later, last, withoutSystemd: [] };
    }
    const lists: (readonly string[])[] = [b.ntp.packages, q.agent.packages];
    if (role === "network") {
        lists.push(q.networkNode.packages);
    }
    if (role === "compute") {
        lists.push(n.compute.packages(cfg.virtType));
    }
    return {
        packages: unique(lists),
        later: [],
        last: [],
        withoutSystemd: role === "compute" ? [...n.compute.packagesWithoutSystemd] : [],
    };
}

/** Build the base layer of every node and the controller's infrastructure services. */
export function buildBase(cfg: StackConfig): CloudContext {
    const profile = profileFor(cfg.release);
    const secrets = new SecretsComponent("secrets", cfg.secrets, cfg.secretRotation, { demoPassword: !!cfg.demo });
    const ssh = { user: cfg.sshUser, port: cfg.sshPort, privateKey: cfg.secrets.sshPrivateKey };
    const hosts: Record<string, HostRef> = {};
    for (const node of cfg.nodes) {
        const host = new Host(node.name, { node, ssh });
        const base = new Base(`${node.name}-base`, {
            host,
            profile: profile.base,
            aptProxy: cfg.aptProxy,
            rebootOnSysctlChange: cfg.rebootOnSysctlChange,
            packages: hostPackages(profile, cfg, node.role),
        });
        hosts[node.name] = {
            node,
            connection: host.connection,
            ssh: host.ssh,
            ready: base.ready,
            packages: base.packages,
            packageRuns: base.packageRuns,
        };
    }
    const controller = hosts[cfg.controller.name];
    const mysql = new Mysql("mysql", {
        host: controller,
        profile: profile.base.mysql,
        overrides: cfg.overrides["mysql.cnf"],
    });
    const rabbitmq = new RabbitMQ("rabbitmq", {
        host: controller,
        profile: profile.base.rabbitmq,
        password: secrets.rabbitPassword,
    });
    return {
        cfg,
        profile,
        secrets,
        hosts,
        controller,
        network: hosts[cfg.network.name],
        computes: cfg.computes.map((n) => hosts[n.name]),
        mysql,
        rabbitmq,
    };
}

/** The whole cloud. Returns the stack outputs. */
export function buildCloud(cfg: StackConfig): CloudOutputs {
    const ctx = buildBase(cfg);
    const { keystone, glance, horizon } = buildIdentity(ctx);
    const network = buildNetwork(ctx, { identityReady: keystone.ready });
    const { placement, nova, cinder } = buildComputeAndVolume(ctx, {
        identityReady: keystone.ready,
        networkReady: network.ready,
        agentsReady: network.agents,
    });
    const flavors = new Flavors("nova-flavors", {
        host: ctx.controller,
        flavors: cfg.flavors,
        cli: ctx.profile.nova.flavorCli,
        clientEnv: keystone.clientEnv,
        adminPassword: ctx.secrets.adminPassword,
        apiReady: nova.apiReady,
    });
    // Each compute's place in the cloud: made last, removed first (components/membership).
    const memberships = ctx.profile.computeMembership
        ? ctx.computes.map(
              (h) =>
                  new ComputeMembership(
                      `${h.node.name}-membership`,
                      membershipArgsFrom(ctx, h, {
                          clientEnv: keystone.clientEnv,
                          computeReady: nova.computes[h.node.name],
                          agentReady: network.agents[h.node.name],
                      }),
                  ),
          )
        : [];
    // The optional demo project (config `demo`, components/demo): on the tenant network,
    // with the compute API for its key pair; made after them, removed before them.
    const demo =
        cfg.demo && ctx.secrets.demoPassword
            ? new DemoProject("demo", {
                  host: ctx.controller,
                  profile: ctx.profile.demo,
                  demo: cfg.demo,
                  keystone,
                  tenantNetwork: cfg.tenantNetwork.name,
                  adminPassword: ctx.secrets.adminPassword,
                  password: ctx.secrets.demoPassword,
                  after: [keystone.ready, network, nova.ready],
              })
            : undefined;
    if (ctx.profile.destroyGuard) {
        // Depends on every component, so destroy deletes it first (components/guard).
        const q = ctx.profile.quantum.networks;
        new InUseGuard("in-use", {
            host: ctx.controller,
            clientEnv: keystone.clientEnv,
            adminPassword: ctx.secrets.adminPassword,
            owned: {
                projects: ["admin", keystone.serviceProject, ...(demo ? [demo.project] : [])],
                users: [
                    "admin",
                    ...Object.values(keystone.serviceUsers).filter((u): u is string => !!u),
                    ...(demo ? [demo.user] : []),
                ],
                networks: [q.externalNetworkName, cfg.tenantNetwork.name],
                routers: [q.routerName],
                images: [cfg.image.name],
                ...(demo?.keyName ? { keypairs: [{ user: demo.user, name: demo.keyName }] } : {}),
                wait: 300,
            },
            purge: cfg.purgeOnDestroy,
            after: [
                ...[ctx.secrets, ctx.mysql, ctx.rabbitmq, keystone, glance, horizon, network, nova, cinder, flavors],
                ...(placement ? [placement] : []),
                ...memberships,
                ...(demo ? [demo] : []),
                ...Object.values(ctx.hosts).map((h) => h.ready),
            ] as pulumi.Resource[],
        });
    }
    return {
        release: ctx.profile.name,
        controller: ctx.controller.node.managementIp,
        keystoneUrl: keystone.authUrl,
        horizonUrl: horizon.url,
        openrc: keystone.openrc,
        adminPassword: ctx.secrets.adminPassword,
        imageId: glance.imageId,
        routerId: network.routerId,
        externalNetworkId: network.externalNetworkId,
        gatewayIp: network.gatewayIp,
        region: cfg.region,
        flavors: flavors.ids,
        computes: cfg.computes.map((n) => n.name),
        services: keystone.serviceTypes,
        volumeService: cfg.cinder.volumeService,
        ...(demo ? { demoOpenrc: demo.openrc, demoProject: demo.project } : {}),
    };
}

/**
 * Keystone (tenants, users, roles, catalog), then Glance (the image) and Horizon, all on
 * the controller. Every other service depends on `keystone.ready`.
 */
export function buildIdentity(ctx: CloudContext): { keystone: Keystone; glance: Glance; horizon: Horizon } {
    const { cfg, secrets, controller: host, profile } = ctx;
    const keystone = new Keystone("keystone", {
        host,
        profile: profile.keystone,
        dbUrlScheme: profile.base.mysql.urlScheme,
        region: cfg.region,
        swiftHost: cfg.swiftHost,
        secrets: {
            adminPassword: secrets.adminPassword,
            adminToken: secrets.adminToken,
            dbPassword: secrets.db.keystone,
            servicePasswords: secrets.service,
        },
        mysqlReady: ctx.mysql.ready,
        overrides: cfg.overrides["keystone.conf"],
        apiWorkers: cfg.apiWorkers,
    });
    const glance = new Glance("glance", {
        host,
        profile: profile.glance,
        dbUrlScheme: profile.base.mysql.urlScheme,
        keystone,
        image: cfg.image,
        dbPassword: secrets.db.glance,
        servicePassword: secrets.service.glance,
        mysqlReady: ctx.mysql.ready,
        overrides: cfg.overrides,
    });
    const horizon = new Horizon("horizon", { host, profile: profile.horizon, keystone });
    return { keystone, glance, horizon };
}

/**
 * Quantum (Folsom) / Neutron (Zed): server, agents, bridges, the networks and the
 * metadata path. `identityReady`: Keystone holds the users and the catalog.
 */
export function buildNetwork(ctx: CloudContext, deps: { identityReady?: pulumi.Input<pulumi.Resource> } = {}): Quantum {
    return new Quantum(ctx.profile.quantum.name, quantumArgs(ctx, deps.identityReady));
}

/**
 * Placement (Zed), Nova and Cinder. `deps` carries the readiness of Keystone (users and
 * catalog) and of the network service, from the components that own them.
 */
export function buildComputeAndVolume(
    ctx: CloudContext,
    deps: {
        identityReady?: pulumi.Input<pulumi.Resource>;
        networkReady?: pulumi.Input<pulumi.Resource>;
        agentsReady?: Readonly<Record<string, pulumi.Input<pulumi.Resource>>>;
    } = {},
): { placement?: Placement; nova: Nova; cinder: Cinder } {
    const placementArgs = placementArgsFrom(ctx, { identityReady: deps.identityReady });
    const placement = placementArgs ? new Placement("placement", placementArgs) : undefined;
    const nova = new Nova("nova", novaArgsFrom(ctx, { ...deps, placementReady: placement?.ready }));
    const cinder = new Cinder("cinder", cinderArgsFrom(ctx, { identityReady: deps.identityReady }));
    return { placement, nova, cinder };
}

// ---------------------------------------------------------------------------------------
// Adapters: each component's args from the cloud context (the only place that reads it).

/** NovaArgs from the cloud's context. */
export function novaArgsFrom(ctx: CloudContext, deps: NovaDeps = {}): NovaArgs {
    const s = ctx.secrets;
    return {
        controller: ctx.controller,
        computes: ctx.computes,
        profile: ctx.profile.nova,
        region: ctx.cfg.region,
        virtType: ctx.cfg.virtType,
        rabbit: { user: ctx.rabbitmq.user, password: ctx.rabbitmq.password, ready: ctx.rabbitmq.ready },
        mysqlReady: ctx.mysql.ready,
        secrets: {
            db: s.db.nova,
            nova: s.service.nova,
            network: s.service.quantum,
            placement: s.service.placement,
            metadata: s.metadataSecret,
            admin: s.adminPassword,
        },
        ...deps,
        overrides: {
            "nova.conf": ctx.cfg.overrides["nova.conf"],
            "nova-api-paste.ini": ctx.cfg.overrides["nova-api-paste.ini"],
        },
        apiWorkers: ctx.cfg.apiWorkers,
    };
}

/**
 * ComputeMembershipArgs of compute `host` from the cloud's context: the admin's login, the
 * services stopped before it is deregistered (nova-compute, the L2 agent), and its last
 * steps — Nova's (mapped into the cell) and the network agent's — which depend on every
 * other step of the host.
 */
export function membershipArgsFrom(
    ctx: CloudContext,
    host: HostRef,
    deps: {
        clientEnv: ComputeMembershipArgs["clientEnv"];
        computeReady: pulumi.Resource;
        agentReady: pulumi.Resource;
    },
): ComputeMembershipArgs {
    return {
        host,
        clientEnv: deps.clientEnv,
        adminPassword: ctx.secrets.adminPassword,
        services: [...ctx.profile.nova.compute.services, ...ctx.profile.quantum.agent.services.flatMap((s) => s.names)],
        after: [deps.computeReady, deps.agentReady],
    };
}

/** CinderArgs from the cloud's context. */
export function cinderArgsFrom(
    ctx: CloudContext,
    deps: { identityReady?: pulumi.Input<pulumi.Resource> } = {},
): CinderArgs {
    return {
        host: ctx.controller,
        profile: ctx.profile.cinder,
        region: ctx.cfg.region,
        cinder: ctx.cfg.cinder,
        rabbit: { user: ctx.rabbitmq.user, password: ctx.rabbitmq.password, ready: ctx.rabbitmq.ready },
        mysqlReady: ctx.mysql.ready,
        dbPassword: ctx.secrets.db.cinder,
        servicePassword: ctx.secrets.service.cinder,
        ...deps,
        overrides: {
            "cinder.conf": ctx.cfg.overrides["cinder.conf"],
            "cinder-api-paste.ini": ctx.cfg.overrides["cinder-api-paste.ini"],
        },
        apiWorkers: ctx.cfg.apiWorkers,
    };
}

/** PlacementArgs from the cloud's context; undefined where the release has no Placement. */
export function placementArgsFrom(
    ctx: CloudContext,
    deps: { identityReady?: pulumi.Input<pulumi.Resource> } = {},
): PlacementArgs | undefined {
    const profile = ctx.profile.placement;
    if (!profile) {
        return undefined;
    }
    return {
        host: ctx.controller,
        profile,
        region: ctx.cfg.region,
        mysqlReady: ctx.mysql.ready,
        dbPassword: ctx.secrets.db.placement,
        servicePassword: ctx.secrets.service.placement,
        ...deps,
        overrides: ctx.cfg.overrides["placement.conf"],
        apiWorkers: ctx.cfg.apiWorkers,
    };
}

/** QuantumArgs from the cloud's context (used by buildNetwork and the tests). */
export function quantumArgs(ctx: CloudContext, identityReady?: pulumi.Input<pulumi.Resource>): QuantumArgs {
    const { cfg, secrets } = ctx;
    return {
        profile: ctx.profile.quantum,
        controller: ctx.controller,
        network: ctx.network,
        computes: ctx.computes,
        region: cfg.region,
        datapathType: cfg.datapathType,
        tenantNetwork: cfg.tenantNetwork,
        externalNetwork: cfg.externalNetwork,
        rabbitUser: ctx.rabbitmq.user,
        dbUrlScheme: ctx.profile.base.mysql.urlScheme,
        secrets: {
            dbPassword: secrets.db.quantum,
            servicePassword: secrets.service.quantum,
            novaPassword: secrets.service.nova,
            rabbitPassword: secrets.rabbitPassword,
            adminPassword: secrets.adminPassword,
            metadataSecret: secrets.metadataSecret,
        },
        overrides: cfg.overrides,
        mysqlReady: ctx.mysql.ready,
        rabbitmqReady: ctx.rabbitmq.ready,
        identityReady,
        apiWorkers: cfg.apiWorkers,
    };
}
