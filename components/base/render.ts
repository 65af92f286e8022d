// Pure renderers of the base layer's files.

/** Kernel settings from the article's "Enabling Asynchronous Routing" section. */
export const SYSCTL_FILE = "/etc/sysctl.d/60-openstack-lab.conf";

export const SYSCTL_SETTINGS: ReadonlyArray<readonly [string, string]> = [
    ["net.ipv4.conf.all.rp_filter", "0"],
    ["net.ipv4.conf.default.rp_filter", "0"],
    ["net.ipv4.ip_forward", "1"],
];

export function renderSysctl(): string {
    return (
        [
            "# openstack-lab: asynchronous routing for Quantum/Neutron and packet forwarding.",
            ...SYSCTL_SETTINGS.map(([k, v]) => `${k} = ${v}`),
        ].join("\n") + "\n"
    );
}

/** Script that applies the file live (so the article's reboot is not needed). */
export function sysctlApplyScript(): string {
    return `sysctl -q -p ${SYSCTL_FILE}
${SYSCTL_SETTINGS.map(([k, v]) => `[ "$(sysctl -n ${k})" = ${v} ] || { echo "${k} did not take the value ${v}" >&2; exit 1; }`).join("\n")}`;
}

export const APT_PROXY_FILE = "/etc/apt/apt.conf.d/01openstack-lab-proxy";

export function renderAptProxy(url: string): string {
    return `Acquire::http::Proxy "${url}";\n`;
}

/** Install the archive's keyring, then the sources line (file written by its own step). */
export function aptSourceScript(keyringPackage: string): string {
    return `oslab_install ${keyringPackage}`;
}

/** Reboot in the background so the step's own SSH session ends cleanly first. */
export function rebootScript(): string {
    return `cat /proc/sys/kernel/random/boot_id
nohup sh -c 'sleep 2; reboot' >/dev/null 2>&1 &`;
}

/** Runs after the reboot: fail clearly if the host did not actually restart. */
export function rebootCheckScript(oldBootId: string): string {
    return `now=$(cat /proc/sys/kernel/random/boot_id)
if [ "$now" = ${JSON.stringify(oldBootId.trim())} ]; then echo "host did not reboot (boot id unchanged)" >&2; exit 1; fi
echo "rebooted: $now"`;
}

export function ntpScript(packages: readonly string[], service: string): string {
    return `oslab_install ${packages.join(" ")}
oslab_svc start ${service} || oslab_svc restart ${service}`;
}
