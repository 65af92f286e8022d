// Package and service steps every component writes the same way (bodies; the step
// helpers prepend the shared preamble with oslab_install, oslab_purge, oslab_svc and
// oslab_wait_tcp — components/shared/script.ts).
import { shq } from "./script";

/**
 * Install packages; `withoutSystemd` are added where systemd is not PID 1 (e.g. Debian's
 * libvirt init scripts live in libvirt-daemon-system-sysv; without it apt picks the
 * systemd flavour, which has none).
 */
export function installScript(packages: readonly string[], withoutSystemd: readonly string[] = []): string {
    const lines = [`oslab_install ${packages.map(shq).join(" ")}`];
    if (withoutSystemd.length) {
        lines.unshift(`if [ ! -d /run/systemd/system ]; then oslab_install ${withoutSystemd.map(shq).join(" ")}; fi`);
    }
    return lines.join("\n");
}

/** Destroy: purge the packages this program installed (stops their services). */
export function purgeScript(packages: readonly string[]): string {
    return `oslab_purge ${packages.map(shq).join(" ")}`;
}

/** Restart services (`started`: started, or restarted if running), then wait until their TCP ports answer (bounded). */
export function restartScript(
    services: readonly string[],
    waits: readonly { host: string; port: number }[] = [],
    started: readonly string[] = [],
): string {
    const lines: string[] = [];
    for (const s of started) {
        lines.push(`oslab_svc start ${shq(s)} || oslab_svc restart ${shq(s)}`);
    }
    if (services.length) {
        lines.push(`oslab_svc restart ${services.map(shq).join(" ")}`);
    }
    for (const w of waits) {
        lines.push(`oslab_wait_tcp ${shq(w.host)} ${w.port} 180`);
    }
    return lines.join("\n");
}

/** Run a command as a service user (Debian: /bin/sh; Ubuntu 12.04: /bin/false as login shell). */
export function asUser(user: string, cmd: string): string {
    return `su -s /bin/sh -c ${shq(cmd)} ${shq(user)}`;
}
