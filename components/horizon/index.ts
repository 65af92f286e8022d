// `oslab:dashboard:Horizon` — the article's "The OpenStack Dashboard" on the controller:
// install → the settings block → restart Apache → the login page answers.
import * as pulumi from "@pulumi/pulumi";
import { afterHostPackages, configFile, remoteStep, restart } from "../shared/step";
import { HorizonArgs } from "./args";
import * as render from "./render";
import { purgeScript } from "../shared/packages";

export { HorizonArgs } from "./args";

export class Horizon extends pulumi.ComponentResource {
    /** Depend on this: the dashboard answers. */
    readonly ready: pulumi.Resource;
    /** The dashboard's URL (the article: http://192.168.122.111/horizon). */
    readonly url: string;

    constructor(name: string, args: HorizonArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:dashboard:Horizon", name, {}, opts);
        const { keystone, profile, host } = args;
        const ip = host.node.managementIp;
        const p = { parent: this };
        this.url = `http://${ip}${profile.urlPath}`;

        const install = remoteStep(
            `${name}-install`,
            host,
            {
                create: render.installScript(profile.packages, profile.cache),
                delete: purgeScript(profile.purge),
            },
            { ...p, dependsOn: afterHostPackages(host, profile.packages) },
        );
        const settings = configFile(
            `${name}-conf-local-settings`,
            host,
            { path: profile.settingsFile, mode: "0644" },
            {
                mode: "block",
                block: profile.render({
                    host: ip,
                    hostName: host.node.name,
                    keystonePort: keystone.publicPort,
                    cacheBackend: profile.cacheBackend,
                }),
            },
            { ...p, dependsOn: [install] },
        );
        const files = [settings];
        if (profile.webServerConf) {
            files.push(
                configFile(
                    `${name}-conf-web-server`,
                    host,
                    { path: profile.webServerConf.path, mode: "0644" },
                    { mode: "replace", content: profile.webServerConf.content },
                    { ...p, dependsOn: [install] },
                ),
            );
        }
        const restarted = restart(`${name}-restart`, host, [profile.webServer], files, p);
        this.ready = remoteStep(
            `${name}-verify`,
            host,
            { create: render.verifyScript(ip, profile.loginPath), triggers: files.map((f) => f.hash) },
            { ...p, dependsOn: [restarted, keystone.ready] },
        );
        this.registerOutputs({ url: this.url });
    }
}
