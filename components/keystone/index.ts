// `oslab:identity:Keystone` — the article's "OpenStack Keystone", "Endpoints in
// Keystone" and "Storing Credentials" on the controller: install → keystone.conf (its
// database from MysqlDatabase) → db_sync → token keys (→ bootstrap on Zed) → restart →
// tenants/users/roles (script [1]) → credentials file (Listing 3) → catalog (Listing 2,
// one KeystoneEndpoint per service) → verify (log in as admin, check the catalog).
import * as pulumi from "@pulumi/pulumi";
import { ServiceUser } from "../../config";
import { KeystoneEndpoint } from "../../providers/keystoneEndpoint";
import type { Credentials, Dialect } from "../../providers/openstackAuth";
import { configFile, remoteStep, restart, sha256 } from "../shared/step";
import { installStep, serviceDatabase } from "../shared/service";
import { uwsgiWorkersFiles } from "../shared/uwsgi";
import { AdminCredentials, KeystoneArgs, KeystoneRef } from "./args";
import * as render from "./render";

export { AdminCredentials, KeystoneArgs, KeystoneRef } from "./args";

export class Keystone extends pulumi.ComponentResource implements KeystoneRef {
    readonly ready: pulumi.Resource;
    readonly host: string;
    readonly region: string;
    readonly dialect: Dialect;
    readonly publicUrl: string;
    readonly adminUrl: string;
    readonly authUrl: string;
    readonly publicPort: number;
    readonly adminPort: number;
    readonly serviceProject = render.SERVICE_PROJECT;
    readonly serviceUsers: Readonly<Partial<Record<ServiceUser, string>>>;
    /** Service types of the catalog it registers (identity, image, compute, …). */
    readonly serviceTypes: readonly string[];
    readonly adminCredentials: pulumi.Output<AdminCredentials>;
    readonly clientEnv: render.ClientEnv;
    /** The credentials file's content (secret): `source` it to use the CLIs as admin. */
    readonly openrc: pulumi.Output<string>;

    constructor(name: string, args: KeystoneArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:identity:Keystone", name, {}, opts);
        const { profile, host } = args;
        const p = { parent: this };
        const urls = profile.urls(host.node.managementIp);
        const catalog = profile.catalog({ controller: host.node.managementIp, swift: args.swiftHost });
        this.serviceTypes = catalog.map((e) => e.service.type);
        const secrets = {
            adminPassword: args.secrets.adminPassword,
            adminToken: args.secrets.adminToken,
            db: { keystone: args.secrets.dbPassword },
            service: args.secrets.servicePasswords,
        };

        this.host = host.node.managementIp;
        this.region = args.region;
        this.dialect = profile.dialect;
        ({
            publicUrl: this.publicUrl,
            adminUrl: this.adminUrl,
            authUrl: this.authUrl,
            publicPort: this.publicPort,
            adminPort: this.adminPort,
        } = urls);
        this.serviceUsers = profile.data.serviceUsers;
        this.clientEnv = profile.clientEnv(urls.authUrl);
        this.openrc = pulumi.secret(
            secrets.adminPassword.apply((password) => render.credentialsFile(this.clientEnv, password)),
        );
        this.adminCredentials = pulumi.secret(
            secrets.adminPassword.apply((password) => ({
                dialect: profile.dialect,
                authUrl: urls.publicUrl,
                username: render.ADMIN,
                password,
                projectName: render.ADMIN,
                userDomainName: "Default",
                projectDomainName: "Default",
            })),
        );

        // install, database, keystone.conf
        const install = installStep(name, host, profile.packages, profile.purge, p);
        const db = serviceDatabase(
            `${name}-db`,
            host,
            profile.db,
            { password: secrets.db.keystone, urlScheme: args.dbUrlScheme, mysqlReady: args.mysqlReady },
            this,
        );
        const conf = configFile(
            `${name}-conf-keystone`,
            host,
            { path: profile.confPath, mode: "0640", owner: "root", group: profile.confGroup },
            {
                mode: "ini",
                doc: pulumi
                    .all([db.connectionUrl, secrets.adminToken])
                    .apply(([connection, adminToken]) => profile.renderConf({ connection, adminToken })),
                overrides: args.overrides,
            },
            { ...p, dependsOn: [install] },
        );

        // tables, token keys, (Zed) bootstrap, host fixes, (apiWorkers) worker count, restart
        const dbSync = remoteStep(
            `${name}-db-sync`,
            host,
            { create: render.dbSyncScript(), triggers: [db.id] },
            { ...p, dependsOn: [conf.step, db] },
        );
        const keyScripts = profile.keys();
        const keys = remoteStep(`${name}-keys`, host, keyScripts, { ...p, dependsOn: [dbSync] });
        const beforeRestart: pulumi.Resource[] = [keys];
        const identity = catalog.find((e) => e.service.type === "identity");
        if (profile.bootstrap && identity) {
            beforeRestart.push(
                remoteStep(
                    `${name}-bootstrap`,
                    host,
                    {
                        create: profile.bootstrap({ identityUrl: identity.urls.public, region: this.region }),
                        stdin: secrets.adminPassword,
                    },
                    { ...p, dependsOn: [keys] },
                ),
            );
        }
        const fixes = profile.hostFixes();
        const fixSteps = fixes.map((fix) =>
            remoteStep(
                `${name}-${fix.id}`,
                host,
                { create: fix.create, delete: fix.delete },
                { ...p, dependsOn: [install] },
            ),
        );
        beforeRestart.push(...fixSteps);
        // After the host fixes: zed's uwsgi-apparmor edits the same file, and the worker
        // count, a layer over it, must be undone first (components/shared/uwsgi.ts).
        const workers = uwsgiWorkersFiles(name, host, profile.uwsgiIni, args.apiWorkers, {
            ...p,
            dependsOn: [install, ...fixSteps],
        });
        const restarted = restart(`${name}-restart`, host, [profile.service], [conf, ...workers], {
            ...p,
            dependsOn: beforeRestart,
            extraTriggers: fixes.map((f) => sha256(f.create)),
        });

        // tenants/projects, users, roles, assignments
        const serviceKeys = Object.keys(profile.data.serviceUsers) as ServiceUser[];
        const spec = pulumi
            .all([secrets.adminPassword, secrets.adminToken, pulumi.all(serviceKeys.map((k) => secrets.service[k]))])
            .apply(([adminPassword, adminToken, servicePasswords]) =>
                render.dataSpec({
                    dialect: profile.dialect,
                    url: urls.adminUrl,
                    auth:
                        profile.adminAuth === "token"
                            ? { token: adminToken }
                            : {
                                  username: render.ADMIN,
                                  password: adminPassword,
                                  project: render.ADMIN,
                                  domain: "Default",
                              },
                    record: render.dataRecord(name),
                    data: render.keystoneData(profile.data, {
                        admin: adminPassword,
                        service: Object.fromEntries(serviceKeys.map((k, i) => [k, servicePasswords[i]])),
                    }),
                }),
            );
        const data = remoteStep(
            `${name}-data`,
            host,
            {
                create: render.dataScript("apply"),
                delete: render.dataScript("delete"),
                stdin: pulumi.secret(spec),
            },
            { ...p, dependsOn: [restarted] },
        );

        // Listing 3 on the controller
        const credentialsFile = configFile(
            `${name}-credentials`,
            host,
            { path: render.CREDENTIALS_FILE, mode: "0600", owner: "root", group: "root" },
            { mode: "replace", content: this.openrc },
            { ...p, dependsOn: [data] },
        );

        // Listing 2: one catalog entry per service
        const credentials: pulumi.Output<Credentials> = pulumi.secret(
            pulumi.all([secrets.adminPassword, secrets.adminToken]).apply(([password, token]): Credentials =>
                profile.adminAuth === "token"
                    ? { token }
                    : {
                          username: render.ADMIN,
                          password,
                          projectName: render.ADMIN,
                          userDomainName: "Default",
                          projectDomainName: "Default",
                      },
            ),
        );
        const endpoints = catalog.map(
            (entry) =>
                new KeystoneEndpoint(
                    `${name}-catalog-${entry.service.type}`,
                    {
                        connection: host.ssh,
                        dialect: profile.dialect,
                        authUrl: urls.adminUrl,
                        credentials,
                        region: this.region,
                        service: entry.service,
                        urls: entry.urls,
                    },
                    { ...p, dependsOn: [data] },
                ),
        );

        // verify: the admin logs in through the public API and sees every service
        this.ready = remoteStep(
            `${name}-verify`,
            host,
            {
                create: render.verifyScript(catalog.map((e) => e.service.type)),
                stdin: pulumi.secret(
                    secrets.adminPassword.apply((password) =>
                        render.verifySpec({
                            dialect: profile.dialect,
                            url: urls.publicUrl,
                            username: render.ADMIN,
                            password,
                            expect: catalog.map((e) => e.service.type),
                        }),
                    ),
                ),
            },
            { ...p, dependsOn: [...endpoints, credentialsFile.step] },
        );

        this.registerOutputs({ publicUrl: this.publicUrl, adminUrl: this.adminUrl, authUrl: this.authUrl });
    }
}
