// The first steps of every OpenStack service component, written once (kolla-ansible's
// shared bootstrap, as code): install the service's packages (`${name}-install`, purged on
// destroy) and create its database and user on the controller's MySQL (`${name}-db`,
// after MySQL is up; providers/mysqlDatabase.ts).
import type * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { MysqlDatabase } from "../../providers/mysqlDatabase";
import { installScript, purgeScript } from "./packages";
import { HostRef, StepDeps, remoteStep } from "./step";

/** `${name}-install`: installs `packages`; destroy purges `purge` (those the program installed). */
export function installStep(
    name: string,
    host: HostRef,
    packages: readonly string[],
    purge: readonly string[],
    opts: { parent: pulumi.Resource; dependsOn?: StepDeps },
): command.remote.Command {
    return remoteStep(`${name}-install`, host, { create: installScript(packages), delete: purgeScript(purge) }, opts);
}

/** A service's database and the user granted ALL on it, as the release profile names them. */
export interface ServiceDb {
    readonly name: string;
    readonly user: string;
}

export interface ServiceDatabaseArgs {
    /** The user's password (secret). */
    readonly password: pulumi.Input<string>;
    /** SQLAlchemy URL scheme (MysqlDatabase's default when unset). */
    readonly urlScheme?: pulumi.Input<string>;
    /** MySQL port written into the URL; unset: none (the default 3306). */
    readonly port?: number;
    /** The database server is up (ctx.mysql.ready). */
    readonly mysqlReady: pulumi.Input<pulumi.Resource>;
}

/** The service's database on `host` (the controller), named `resourceName` (`${name}-db`). */
export function serviceDatabase(
    resourceName: string,
    host: HostRef,
    db: ServiceDb,
    args: ServiceDatabaseArgs,
    parent: pulumi.Resource,
): MysqlDatabase {
    const ip = host.node.managementIp;
    return new MysqlDatabase(
        resourceName,
        {
            connection: host.ssh,
            database: db.name,
            user: db.user,
            password: args.password,
            host: args.port ? `${ip}:${args.port}` : ip,
            urlScheme: args.urlScheme,
        },
        { parent, dependsOn: [args.mysqlReady] },
    );
}
