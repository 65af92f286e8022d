// The contract of the networking component (`oslab:network:Quantum`).
import * as pulumi from "@pulumi/pulumi";
import { ConfigOverrides, ExternalNetworkSpec, TenantNetworkSpec } from "../../config";
import { HostRef } from "../shared/step";
import { DatapathType } from "./render";
import { QuantumProfile } from "./profiles";

/** Secrets the service needs; they reach hosts only inside config-file specs (stdin). */
export interface QuantumSecrets {
    /** Password of the database user (ctx.secrets.db.quantum). */
    readonly dbPassword: pulumi.Input<string>;
    /** Password of the Keystone service user quantum / neutron (ctx.secrets.service.quantum). */
    readonly servicePassword: pulumi.Input<string>;
    /** Password of the nova service user (Zed: port notifications to nova). */
    readonly novaPassword: pulumi.Input<string>;
    /** Password of the RabbitMQ user. */
    readonly rabbitPassword: pulumi.Input<string>;
    /** Keystone admin password (the networks are created as admin in tenant admin). */
    readonly adminPassword: pulumi.Input<string>;
    /** Metadata proxy shared secret (Zed metadata agent). */
    readonly metadataSecret: pulumi.Input<string>;
}

export interface QuantumArgs {
    /** Release facts: packages, files, services (profileFor(release).quantum). */
    readonly profile: QuantumProfile;
    /** The controller: server, database, Keystone, RabbitMQ, nova metadata (article: Alice). */
    readonly controller: HostRef;
    /** The network node: external bridge, L3/DHCP(/metadata) agents (article: Charlie). */
    readonly network: HostRef;
    /** Compute nodes: Open vSwitch, br-int and the L2 agent each (article: Bob). */
    readonly computes: readonly HostRef[];
    /** Keystone region (default RegionOne). */
    readonly region: string;
    /** Open vSwitch datapath on agent hosts: system (kernel module, default) or netdev (userspace). */
    readonly datapathType: DatapathType;
    /** The tenant network (article: private 10.5.5.0/24, gateway 10.5.5.1, DNS 8.8.8.8). */
    readonly tenantNetwork: TenantNetworkSpec;
    /** The external network ext_net (article: 192.168.144.0/25). */
    readonly externalNetwork: ExternalNetworkSpec;
    /** RabbitMQ user the services log in as (RabbitMQ component). */
    readonly rabbitUser: string;
    /** SQLAlchemy URL scheme: mysql (Folsom) or mysql+pymysql (Zed). */
    readonly dbUrlScheme: "mysql" | "mysql+pymysql";
    readonly secrets: QuantumSecrets;
    /** Keys merged over the rendered files, by file id (`quantum.conf`, `quantum/api-paste.ini`, …); default none. */
    readonly overrides?: ConfigOverrides;
    /** MySQL accepts new databases (Mysql component's `ready`). */
    readonly mysqlReady: pulumi.Input<pulumi.Resource>;
    /** RabbitMQ has the services' user (RabbitMQ component's `ready`). */
    readonly rabbitmqReady: pulumi.Input<pulumi.Resource>;
    /** Keystone answers and holds the admin and service users and the catalog (Keystone component's `ready`); unset: nothing to wait for. */
    readonly identityReady?: pulumi.Input<pulumi.Resource>;
    /** uwsgi worker processes of the API server (config `apiWorkers`); unset: the profile's renderer decides (Neutron: 2). */
    readonly apiWorkers?: number;
}
