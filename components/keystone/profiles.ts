// Release facts of Keystone (docs/sources.md#folsom, #zed).
import type { Dialect } from "../../providers/openstackAuth";
import { IniDoc } from "../shared/ini";
import * as render from "./render";

export interface KeystoneProfile {
    readonly packages: readonly string[];
    /** Packages removed on destroy (those the program installed; shared clients stay). */
    readonly purge: readonly string[];
    /** Service (upstart job / init script / systemd unit) to restart. */
    readonly service: string;
    /** keystone.conf and its owner group (the service reads it: 0640 root:group). */
    readonly confPath: string;
    readonly confGroup: string;
    readonly renderConf: (v: render.KeystoneConfValues) => IniDoc;
    /** The article's database and user (only the password is generated). */
    readonly db: { readonly name: string; readonly user: string };
    /** Keystone API dialect of the catalog and data calls. */
    readonly dialect: Dialect;
    /** Whether catalog and data are administered with the admin token (Folsom) or admin's password. */
    readonly adminAuth: "token" | "password";
    readonly urls: (host: string) => render.KeystoneUrls;
    readonly catalog: (hosts: render.CatalogHosts) => render.CatalogEntry[];
    readonly data: render.DataProfile;
    /** Token signing / Fernet / credential keys: created before the restart, removed on destroy. */
    readonly keys: () => { create: string; delete: string };
    /** `keystone-manage bootstrap` (Zed): identity URL → script; none on Folsom. */
    readonly bootstrap?: (v: { identityUrl: string; region: string }) => string;
    /**
     * The uwsgi ini of the service (Debian: /etc/keystone/keystone-uwsgi.ini), where config
     * `apiWorkers` sets `[uwsgi] processes`; unset: no uwsgi (Folsom's keystone-all).
     */
    readonly uwsgiIni?: string;
    /** Host-dependent fixes applied before the restart. */
    readonly hostFixes: () => readonly render.HostFix[];
    /** The admin's CLI environment (Listing 3 without the password). */
    readonly clientEnv: (authUrl: string) => render.ClientEnv;
}
