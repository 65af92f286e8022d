// Release facts of Nova: packages, services, files, databases and the scripts that
// differ between Folsom (Ubuntu 12.04 + Cloud Archive, docs/sources.md#folsom)
// and Zed (Debian 12's own packages, docs/sources.md#zed, #lab-findings). Checked against the
// Debian 12 packages nova-* 26.2.2, libvirt-daemon-system(-sysv) 9.0.0.
import { IniDoc } from "../shared/ini";
import * as render from "./render";

/** A file the profile owns outright or as a managed block (no secrets, no per-host values). */
export interface StaticFile {
    /** Child-name and golden-file suffix, e.g. "qemu.conf". */
    readonly id: string;
    readonly path: string;
    readonly mode: "block" | "replace";
    readonly content: string;
    /**
     * Only in `libvirtFilesByInit`: the block where systemd is PID 1 (unset: such hosts keep
     * the packaged file); `content` is then the block where it is not (the lab's hosts).
     */
    readonly withSystemd?: string;
}

/** One database of Nova: which nova.conf key it feeds, its name and MySQL user. */
export interface NovaDatabase {
    readonly role: "main" | "api" | "cell0";
    readonly name: string;
    readonly user: string;
}

export interface NovaProfile {
    /** The CLI that manages flavors (components/flavors): novaclient (Folsom) or openstack. */
    readonly flavorCli: "openstack" | "novaclient";
    readonly controller: {
        readonly packages: readonly string[];
        /** Restarted (in this order) whenever one of the controller's Nova files changes. */
        readonly services: readonly string[];
        /** TCP ports waited for after the restart (on the management address). */
        readonly ports: readonly number[];
        /** Services that report in to the service list from the controller. */
        readonly reporting: readonly string[];
        readonly files: readonly StaticFile[];
        /**
         * The uwsgi ini of each of `services` that runs under uwsgi, by service, where config
         * `apiWorkers` sets `[uwsgi] processes`; unset: none (Folsom).
         */
        readonly uwsgiInis?: Readonly<Record<string, string>>;
    };
    readonly compute: {
        readonly packages: (virtType: render.VirtType) => readonly string[];
        /** Added where systemd is not PID 1 (init scripts). */
        readonly packagesWithoutSystemd: readonly string[];
        /** The hypervisor's daemons, restarted when their files change. */
        readonly libvirtServices: readonly string[];
        readonly libvirtFiles: readonly StaticFile[];
        /**
         * Managed blocks that depend on the init system: `content` where systemd is not PID 1
         * (the lab's hosts: libvirtd makes its own sockets there), `withSystemd` where it is.
         */
        readonly libvirtFilesByInit: readonly StaticFile[];
        /**
         * Live migration over libvirt's TCP transport (the article's `listen_tcp`): the systemd
         * socket unit that opens libvirt's TCP port where systemd is PID 1 (elsewhere libvirtd
         * listens itself, `--listen`). Unset: nothing beyond the files.
         */
        readonly migrationSocket?: string;
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
    /**
     * Zed: map each compute host into cell1 once its nova-compute registered (one step per
     * compute, so adding or removing a compute touches no other host's steps).
     */
    readonly discoverHosts: boolean;
    /** Lines `BINARY HOST up|down`; `needsAdmin`: admin credentials on stdin. */
    readonly serviceList: { readonly command: string; readonly needsAdmin: boolean };
}
