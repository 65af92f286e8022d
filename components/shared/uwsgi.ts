// The worker count of an API that Debian runs under uwsgi (config `apiWorkers`).
//
// Debian's API services (keystone, placement-api, nova-api, nova-api-metadata, cinder-api,
// neutron-api) start from /etc/init.d/<service> with uwsgi and `lazy-apps = true`: every
// worker imports the whole service, and the packaged inis ask for 8 or 16 of them
// (docs/epoxy-findings.md, "uwsgi (alice)"). Kolla-Ansible sets one count for all of them
// (`openstack_service_workers`); `apiWorkers` does the same here. The count is merged into
// the packaged ini (`[uwsgi] processes`; every other line stays, a repeated `processes`
// line becomes one) as a layer of its own (FileTarget.layer): on zed the keystone uwsgi
// AppArmor fix edits the same file first, and undoing the worker count then gives back
// that fix, not the packaged file.
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { IniDoc } from "./ini";
import { ConfigFile, HostRef, StepDeps, configFile } from "./step";

/** The layer of the worker-count edits (their backups: /var/lib/openstack-lab/layers/api-workers/). */
export const API_WORKERS_LAYER = "api-workers";

/** `[uwsgi] processes` of one uwsgi app. */
export function uwsgiProcesses(processes: number): IniDoc {
    return { uwsgi: { processes } };
}

/**
 * `processes` merged into the uwsgi ini `ini` on `host`: child `${prefix}-conf-<file name>`,
 * the packaged file's mode and owner kept, the worker-count layer, restored on destroy.
 * None (an empty list) when the profile names no ini (Folsom) or the count is unset
 * (config `apiWorkers` absent: the packaged count). Depend on every other step that edits
 * the same file (`opts.dependsOn`), so that destroy undoes this one first. Its `hash`
 * belongs in the triggers of the step that restarts the service.
 */
export function uwsgiWorkersFiles(
    prefix: string,
    host: HostRef,
    ini: string | undefined,
    processes: number | undefined,
    opts: { parent: pulumi.Resource; dependsOn?: StepDeps },
): ConfigFile[] {
    if (ini === undefined || processes === undefined) {
        return [];
    }
    const file = configFile(
        `${prefix}-conf-${path.posix.basename(ini)}`,
        host,
        { path: ini, layer: API_WORKERS_LAYER },
        { mode: "ini", doc: uwsgiProcesses(processes) },
        opts,
    );
    return [file];
}
