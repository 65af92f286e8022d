// `oslab:infra:Base` — what the article sets up on every node before any OpenStack
// service ("Required Packages" to "NTP"): the package source, asynchronous routing and
// forwarding (persisted and applied live), optionally a reboot, and NTP.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { ConfigFile, HostRef, PackageRun, configFile, remoteStep } from "../shared/step";
import { BaseProfile } from "./profiles";
import { installScript, purgeScript } from "../shared/packages";
import * as render from "./render";

export interface BaseArgs {
    /** The host to prepare. */
    readonly host: HostRef;
    /** Release facts (package source, NTP package). */
    readonly profile: BaseProfile;
    /** HTTP proxy for apt (the lab's apt-cacher-ng); unset: none. */
    readonly aptProxy?: string;
    /** Reboot after the kernel settings changed (default false: they are applied live). */
    readonly rebootOnSysctlChange?: boolean;
    /**
     * The whole host's packages for its roles, installed once the package source is set
     * (default none): one dpkg run instead of one per service under the host's apt lock.
     * `packages` first (the host is ready after them), then `later` and `last` in runs of
     * their own that nothing waits for but the host's apt lock, so the steps that need only
     * the first set go ahead meanwhile, and the services of `later` while `last` installs
     * (`packageRuns`, `afterHostPackages`). The services' install steps still name (and
     * purge) their own.
     */
    readonly packages?: {
        readonly packages: readonly string[];
        readonly later?: readonly string[];
        readonly last?: readonly string[];
        readonly withoutSystemd: readonly string[];
    };
}

export class Base extends pulumi.ComponentResource {
    /** Depend on this to run after the node's base layer. */
    readonly ready: pulumi.Resource;
    /** Every package of the host's roles is installed: the last run, else `ready`. */
    readonly packages: pulumi.Resource;
    /** The runs after `ready` (`later`, `last`), in order; empty: none. */
    readonly packageRuns: readonly PackageRun[];
    readonly sysctl: ConfigFile;

    constructor(name: string, args: BaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:infra:Base", name, {}, opts);
        const { host, profile } = args;
        const p = { parent: this };

        const aptSteps: pulumi.Resource[] = [];
        if (args.aptProxy) {
            aptSteps.push(
                configFile(
                    `${name}-apt-proxy`,
                    host,
                    { path: render.APT_PROXY_FILE, mode: "0644" },
                    { mode: "replace", content: render.renderAptProxy(args.aptProxy) },
                    p,
                ).step,
            );
        }
        if (profile.aptSource) {
            const keyring = remoteStep(
                `${name}-apt-keyring`,
                host,
                { create: render.aptSourceScript(profile.aptSource.keyringPackage) },
                { ...p, dependsOn: aptSteps },
            );
            aptSteps.push(
                configFile(
                    `${name}-apt-source`,
                    host,
                    { path: profile.aptSource.file, mode: "0644" },
                    { mode: "replace", content: `${profile.aptSource.line}\n` },
                    { ...p, dependsOn: [keyring] },
                ).step,
            );
        }

        this.sysctl = configFile(
            `${name}-sysctl`,
            host,
            { path: render.SYSCTL_FILE, mode: "0644" },
            { mode: "replace", content: render.renderSysctl() },
            p,
        );
        let kernel: pulumi.Resource = remoteStep(
            `${name}-sysctl-apply`,
            host,
            {
                create: render.sysctlApplyScript(),
                triggers: [this.sysctl.hash],
            },
            { ...p, dependsOn: [this.sysctl.step] },
        );
        if (args.rebootOnSysctlChange) {
            kernel = this.reboot(name, host, kernel);
        }

        const ntp = remoteStep(
            `${name}-ntp`,
            host,
            {
                create: render.ntpScript(profile.ntp.packages, profile.ntp.service),
                // destroy (or the node's removal) purges the NTP daemon if this step installed it
                delete: purgeScript(profile.ntp.packages),
            },
            { ...p, dependsOn: [...aptSteps, kernel] },
        );

        this.ready =
            args.packages && args.packages.packages.length
                ? remoteStep(
                      `${name}-packages`,
                      host,
                      { create: installScript(args.packages.packages, args.packages.withoutSystemd) },
                      { ...p, dependsOn: [ntp] },
                  )
                : ntp;
        const runs: PackageRun[] = [];
        let installed: readonly string[] = args.packages?.packages ?? [];
        for (const [run, packages] of [
            ["later", args.packages?.later],
            ["last", args.packages?.last],
        ] as const) {
            if (packages?.length) {
                const after = runs.length ? runs[runs.length - 1].step : this.ready;
                const step = remoteStep(
                    `${name}-packages-${run}`,
                    host,
                    { create: installScript(packages) },
                    { ...p, dependsOn: [after] },
                );
                installed = [...installed, ...packages];
                runs.push({ packages: installed, step });
            }
        }
        this.packageRuns = runs;
        this.packages = runs.length ? runs[runs.length - 1].step : this.ready;
        this.registerOutputs({});
    }

    /** The article's reboot, as an option: only when the kernel settings changed. */
    private reboot(name: string, host: HostRef, after: pulumi.Resource): pulumi.Resource {
        const p = { parent: this };
        const reboot = remoteStep(
            `${name}-reboot`,
            host,
            {
                create: render.rebootScript(),
                triggers: [this.sysctl.hash],
            },
            { ...p, dependsOn: [after] },
        );
        // Give the host time to go down before dialling it again; the check's connection
        // then retries until SSH is back.
        const pause = new command.local.Command(
            `${name}-reboot-pause`,
            {
                create: "sleep 20",
                triggers: [reboot.stdout],
            },
            { ...p, dependsOn: [reboot] },
        );
        return remoteStep(
            `${name}-reboot-check`,
            host,
            {
                create: reboot.stdout.apply((old) => render.rebootCheckScript(old)),
                triggers: [reboot.stdout],
            },
            { ...p, dependsOn: [pause] },
        );
    }
}
