// The whole cloud, composed from the stack config: the body of index.ts, kept in a
// function so tests can build it for any config under mocks.
//
// Order follows data, not a fixed sequence: every step depends only on what it reads
// (its host's base layer, the databases it connects to, the catalog it registers in),
// so hosts and independent services proceed in parallel.
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config";
import { Base } from "./base";
import { Cinder, cinderArgsFrom } from "./cinder";
import { Glance } from "./glance";
import { Horizon } from "./horizon";
import { Keystone } from "./keystone";
import { Mysql } from "./mysql";
import { Nova, novaArgsFrom } from "./nova";
import { Placement, placementArgsFrom } from "./placement";
import { Quantum, quantumArgs } from "./quantum";
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

/** Build the base layer of every node and the controller's infrastructure services. */
export function buildBase(cfg: StackConfig): CloudContext {
    const profile = profileFor(cfg.release);
    const secrets = new SecretsComponent("secrets", cfg.secrets, cfg.secretRotation);
    const ssh = { user: cfg.sshUser, port: cfg.sshPort, privateKey: cfg.secrets.sshPrivateKey };
    const hosts: Record<string, HostRef> = {};
    for (const node of cfg.nodes) {
        const host = new Host(node.name, { node, ssh });
        const base = new Base(`${node.name}-base`, {
            host,
            profile: profile.base,
            aptProxy: cfg.aptProxy,
            rebootOnSysctlChange: cfg.rebootOnSysctlChange,
        });
        hosts[node.name] = { node, connection: host.connection, ssh: host.ssh, ready: base.ready };
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
    buildComputeAndVolume(ctx, {
        identityReady: keystone.ready,
        networkReady: network.ready,
        agentsReady: network.agents,
    });
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
    };
}

/**
 * Keystone (tenants, users, roles, catalog), then Glance (the image) and Horizon, all on
 * the controller. Every other service depends on `keystone.ready`.
 */
export function buildIdentity(ctx: CloudContext): { keystone: Keystone; glance: Glance; horizon: Horizon } {
    const keystone = new Keystone("keystone", { ctx });
    const glance = new Glance("glance", { ctx, keystone });
    const horizon = new Horizon("horizon", { ctx, keystone });
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
