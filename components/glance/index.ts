// `oslab:image:Glance` — the article's "Glance Image Automaton" on the controller:
// install → glance-api.conf (+ glance-registry.conf on Folsom) with the database from
// MysqlDatabase and the glance user's Keystone credentials → tables → restart → the
// configured image (Listing 4), found or created by name and waited for until active.
import * as pulumi from "@pulumi/pulumi";
import { ConfigFile, afterHostPackages, configFile, remoteStep, restart } from "../shared/step";
import { installStep, serviceDatabase } from "../shared/service";
import { GlanceArgs } from "./args";
import * as render from "./render";

export { GlanceArgs } from "./args";

export class Glance extends pulumi.ComponentResource {
    /** Depend on this: Glance serves and the configured image is active. */
    readonly ready: pulumi.Resource;
    /** ID of the configured image (the image step's output). */
    readonly imageId: pulumi.Output<string>;

    constructor(name: string, args: GlanceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:image:Glance", name, {}, opts);
        const { keystone, profile, host } = args;
        const p = { parent: this };
        const user = keystone.serviceUsers.glance;
        if (!user) {
            throw new Error(`${name}: the Keystone profile defines no glance service user`);
        }

        const install = installStep(name, host, profile.packages, profile.purge, {
            ...p,
            dependsOn: afterHostPackages(host, profile.packages),
        });
        const db = serviceDatabase(
            `${name}-db`,
            host,
            profile.db,
            { password: args.dbPassword, urlScheme: args.dbUrlScheme, mysqlReady: args.mysqlReady },
            this,
        );

        const values = pulumi
            .all([db.connectionUrl, args.servicePassword])
            .apply(([connection, password]): render.GlanceConfValues => ({
                connection,
                keystone: {
                    host: keystone.host,
                    publicPort: keystone.publicPort,
                    adminPort: keystone.adminPort,
                    region: keystone.region,
                },
                serviceProject: keystone.serviceProject,
                user,
                password,
            }));
        const files: ConfigFile[] = profile.files.map((f) =>
            configFile(
                `${name}-conf-${f.id}`,
                host,
                { path: f.path, mode: "0640", owner: "root", group: profile.group },
                { mode: "ini", doc: values.apply(f.render), overrides: args.overrides?.[`${f.id}.conf`] },
                { ...p, dependsOn: [install] },
            ),
        );

        const dbSync = remoteStep(
            `${name}-db-sync`,
            host,
            { create: profile.dbSync(), triggers: [db.id] },
            { ...p, dependsOn: [...files.map((f) => f.step), db] },
        );
        const restarted = restart(`${name}-restart`, host, profile.services, files, {
            ...p,
            dependsOn: [dbSync],
            waits: [{ host: host.node.managementIp, port: profile.port }],
        });

        const imageArgs = {
            cli: profile.imageCli,
            env: keystone.clientEnv,
            image: args.image,
            record: render.imageRecord(name),
        };
        const image = remoteStep(
            `${name}-image`,
            host,
            {
                create: render.imageScript(imageArgs),
                delete: render.imageDeleteScript(imageArgs),
                stdin: keystone.adminCredentials.apply((c) => c.password),
            },
            { ...p, dependsOn: [restarted, keystone.ready] },
        );

        this.ready = image;
        this.imageId = image.stdout.apply((out) => out.trim().split("\n").pop() ?? "");
        this.registerOutputs({ imageId: this.imageId });
    }
}
