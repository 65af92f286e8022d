// Release facts of Keystone (folsom-facts §1, §2, §5.1, §6; §7.4, §7.5 for Zed).
import { Release } from "../../config";
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
    /** Host-dependent fixes applied before the restart. */
    readonly hostFixes: () => readonly render.HostFix[];
    /** The admin's CLI environment (Listing 3 without the password). */
    readonly clientEnv: (authUrl: string) => render.ClientEnv;
}

export const keystoneProfiles: Record<Release, KeystoneProfile> = {
    folsom: {
        packages: ["keystone", "python-keystone", "python-keystoneclient"],
        purge: ["keystone", "python-keystone"],
        service: "keystone",
        confPath: "/etc/keystone/keystone.conf",
        confGroup: "keystone",
        renderConf: render.folsomKeystoneConf,
        db: { name: "keystone", user: "keystonedbadmin" },
        dialect: "v2.0",
        adminAuth: "token",
        urls: render.folsomUrls,
        catalog: render.folsomCatalog,
        data: {
            roles: ["admin", "Member", "KeystoneAdmin", "KeystoneServiceAdmin"],
            adminRoles: ["admin", "KeystoneAdmin", "KeystoneServiceAdmin"],
            adminPassword: true,
            serviceProjectDescription: "",
            serviceUsers: { nova: "nova", glance: "glance", quantum: "quantum", cinder: "cinder" },
        },
        keys: render.folsomKeysScript,
        hostFixes: () => [],
        clientEnv: render.folsomClientEnv,
    },
    zed: {
        packages: ["keystone", "python3-pymysql", "python3-openstackclient"],
        purge: ["keystone"],
        service: "keystone",
        confPath: "/etc/keystone/keystone.conf",
        confGroup: "keystone",
        renderConf: render.zedKeystoneConf,
        db: { name: "keystone", user: "keystonedbadmin" },
        dialect: "v3",
        adminAuth: "password",
        urls: render.zedUrls,
        catalog: render.zedCatalog,
        data: {
            // bootstrap creates admin ⊃ member ⊃ reader; member is Horizon's default role
            roles: ["admin", "member", "reader"],
            adminRoles: ["admin"],
            adminPassword: false,
            serviceProjectDescription: "Service Project",
            serviceUsers: {
                nova: "nova",
                glance: "glance",
                quantum: "neutron",
                cinder: "cinder",
                placement: "placement",
            },
        },
        keys: render.zedKeysScript,
        bootstrap: render.bootstrapScript,
        hostFixes: () => [render.uwsgiApparmorFix()],
        clientEnv: render.zedClientEnv,
    },
};
