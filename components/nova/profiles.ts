// Release facts of Nova: packages, services, files, databases and the scripts that
// differ between Folsom (Ubuntu 12.04 + Cloud Archive, folsom-facts §4, §5.5, §5.7, §6)
// and Zed (Debian 12's own packages, §7.2, §7.7, vm-boot-probe). Checked against the
// Debian 12 packages nova-* 26.2.2, libvirt-daemon-system(-sysv) 9.0.0.
import { Release } from "../../config";
import { IniDoc } from "../shared/ini";
import * as render from "./render";

/** A file the profile owns outright or as a managed block (no secrets, no per-host values). */
export interface StaticFile {
    /** Child-name and golden-file suffix, e.g. "qemu.conf". */
    readonly id: string;
    readonly path: string;
    readonly mode: "block" | "replace";
    readonly content: string;
}

/** One database of Nova: which nova.conf key it feeds, its name and MySQL user. */
export interface NovaDatabase {
    readonly role: "main" | "api" | "cell0";
    readonly name: string;
    readonly user: string;
}

export interface NovaProfile {
    readonly controller: {
        readonly packages: readonly string[];
        /** Restarted (in this order) whenever one of the controller's Nova files changes. */
        readonly services: readonly string[];
        /** TCP ports waited for after the restart (on the management address). */
        readonly ports: readonly number[];
        /** Services that report in to the service list from the controller. */
        readonly reporting: readonly string[];
        readonly files: readonly StaticFile[];
    };
    readonly compute: {
        readonly packages: (virtType: render.VirtType) => readonly string[];
        /** Added where systemd is not PID 1 (init scripts). */
        readonly packagesWithoutSystemd: readonly string[];
        /** The hypervisor's daemons, restarted when their files change. */
        readonly libvirtServices: readonly string[];
        readonly libvirtFiles: readonly StaticFile[];
        /** Managed blocks written only where systemd is not PID 1. */
        readonly libvirtFilesWithoutSystemd: readonly StaticFile[];
        readonly services: readonly string[];
        readonly reporting: readonly string[];
    };
    /** nova.conf: path, group that must read it, renderer. */
    readonly conf: {
        readonly path: string;
        readonly group: string;
        readonly render: (v: render.NovaConfValues) => IniDoc;
    };
    /** Folsom's api-paste.ini edit (Alice, copied to the computes). */
    readonly apiPaste?: {
        readonly path: string;
        readonly removeSections: readonly string[];
        readonly render: (ctl: string, novaPassword: string) => IniDoc;
    };
    readonly databases: readonly NovaDatabase[];
    readonly urlScheme: "mysql" | "mysql+pymysql";
    /** The DB bootstrap; `cell0Stdin`: the script reads the cell0 DB URL on stdin. */
    readonly dbSync: { readonly script: string; readonly cell0Stdin: boolean };
    /** Zed: map compute hosts into cell1 after they registered. */
    readonly discoverHosts: boolean;
    /** Lines `BINARY HOST up|down`; `needsAdmin`: admin credentials on stdin. */
    readonly serviceList: { readonly command: string; readonly needsAdmin: boolean };
}

const CONF = "/etc/nova/nova.conf";

export const novaProfiles: Record<Release, NovaProfile> = {
    folsom: {
        controller: {
            packages: [
                "nova-api-metadata",
                "nova-api-os-compute",
                "nova-api-ec2",
                "nova-objectstore",
                "nova-scheduler",
                "nova-novncproxy",
                "nova-consoleauth",
                "nova-cert",
            ],
            // The article's restart loop on Alice.
            services: [
                "nova-api-metadata",
                "nova-api-os-compute",
                "nova-api-ec2",
                "nova-objectstore",
                "nova-scheduler",
                "nova-novncproxy",
                "nova-consoleauth",
                "nova-cert",
            ],
            ports: [8773, 8774, 8775, 6080],
            reporting: ["nova-cert", "nova-consoleauth", "nova-scheduler"],
            files: [],
        },
        compute: {
            // python-mysqldb: Folsom's nova-compute reaches MySQL itself (no conductor yet).
            packages: (virtType) => [`nova-compute-${virtType}`, "libvirt-bin", "python-mysqldb"],
            packagesWithoutSystemd: [],
            libvirtServices: ["libvirt-bin"],
            libvirtFiles: [
                { id: "qemu.conf", path: "/etc/libvirt/qemu.conf", mode: "block", content: render.qemuConfFolsom() },
                {
                    id: "libvirtd.conf",
                    path: "/etc/libvirt/libvirtd.conf",
                    mode: "block",
                    content: render.libvirtdConfFolsom(),
                },
                {
                    id: "libvirt-bin.default",
                    path: "/etc/default/libvirt-bin",
                    mode: "block",
                    content: render.libvirtDefaultsFolsom(),
                },
            ],
            libvirtFilesWithoutSystemd: [],
            services: ["nova-compute"],
            reporting: ["nova-compute"],
        },
        conf: { path: CONF, group: "nova", render: render.novaConfFolsom },
        apiPaste: {
            path: "/etc/nova/api-paste.ini",
            removeSections: render.FOLSOM_VOLUME_SECTIONS,
            render: render.novaApiPasteFolsom,
        },
        databases: [{ role: "main", name: "nova", user: "novadbadmin" }],
        urlScheme: "mysql",
        dbSync: { script: render.dbSyncFolsom(), cell0Stdin: false },
        discoverHosts: false,
        serviceList: { command: render.FOLSOM_SERVICE_LIST, needsAdmin: false },
    },
    zed: {
        controller: {
            // nova-api carries both nova-api and nova-api-metadata (uwsgi, init scripts);
            // nova-consoleproxy carries nova-novncproxy. nova-common (/etc/nova) is named so
            // that destroy purges it too.
            packages: ["nova-api", "nova-conductor", "nova-scheduler", "nova-consoleproxy", "nova-common"],
            services: ["nova-api", "nova-api-metadata", "nova-conductor", "nova-scheduler", "nova-novncproxy"],
            ports: [8774, 8775, 6080],
            reporting: ["nova-conductor", "nova-scheduler"],
            files: [
                {
                    id: "nova-consoleproxy.default",
                    path: "/etc/default/nova-consoleproxy",
                    mode: "block",
                    content: render.novaConsoleproxyDefaultsZed(),
                },
            ],
        },
        compute: {
            // nova-compute (the service and its init script) and nova-common come in as
            // dependencies; named, destroy stops and purges them with the flavour.
            packages: (virtType) => [`nova-compute-${virtType}`, "nova-compute", "nova-common"],
            packagesWithoutSystemd: ["libvirt-daemon-system-sysv"],
            libvirtServices: ["virtlogd", "libvirtd"],
            libvirtFiles: [],
            // Quirks of hosts without systemd (the lab); real Debian hosts keep the defaults.
            libvirtFilesWithoutSystemd: [
                { id: "qemu.conf", path: "/etc/libvirt/qemu.conf", mode: "block", content: render.qemuConfZed() },
                {
                    id: "libvirtd.conf",
                    path: "/etc/libvirt/libvirtd.conf",
                    mode: "block",
                    content: render.libvirtdConfZedWithoutSystemd(),
                },
            ],
            services: ["nova-compute"],
            reporting: ["nova-compute"],
        },
        conf: { path: CONF, group: "nova", render: render.novaConfZed },
        databases: [
            { role: "api", name: "nova_api", user: "nova_api" },
            { role: "main", name: "nova", user: "nova" },
            { role: "cell0", name: "nova_cell0", user: "nova_cell0" },
        ],
        urlScheme: "mysql+pymysql",
        dbSync: { script: render.dbSyncZed(CONF), cell0Stdin: true },
        discoverHosts: true,
        serviceList: { command: render.ZED_SERVICE_LIST, needsAdmin: true },
    },
};
