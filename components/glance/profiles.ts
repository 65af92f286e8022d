// Release facts of Glance (folsom-facts §5.2, §6; §7.2, §7.8 for Zed).
import { Release } from "../../config";
import { IniDoc } from "../shared/ini";
import * as render from "./render";

export interface GlanceFile {
    /** Child name suffix and the key of user overrides (`<id>.conf`). */
    readonly id: string;
    readonly path: string;
    readonly render: (v: render.GlanceConfValues) => IniDoc;
}

export interface GlanceProfile {
    readonly packages: readonly string[];
    /** Packages removed on destroy (those the program installed; shared clients stay). */
    readonly purge: readonly string[];
    /** Services restarted when a file changes. */
    readonly services: readonly string[];
    /** Files holding the database URL and the service password: 0640 root:group. */
    readonly files: readonly GlanceFile[];
    readonly group: string;
    /** The article's database and user (only the password is generated). */
    readonly db: { readonly name: string; readonly user: string };
    readonly dbSync: () => string;
    readonly imageCli: render.ImageCli;
}

export const glanceProfiles: Record<Release, GlanceProfile> = {
    folsom: {
        packages: ["glance-api", "glance-registry", "python-glanceclient"],
        purge: ["glance-api", "glance-registry"],
        services: ["glance-api", "glance-registry"],
        files: [
            {
                id: "glance-api",
                path: "/etc/glance/glance-api.conf",
                render: render.folsomGlanceConf("/etc/glance/glance-api-paste.ini"),
            },
            {
                id: "glance-registry",
                path: "/etc/glance/glance-registry.conf",
                render: render.folsomGlanceConf("/etc/glance/glance-registry-paste.ini"),
            },
        ],
        group: "glance",
        db: { name: "glance", user: "glancedbadmin" },
        dbSync: render.folsomDbSyncScript,
        imageCli: render.FOLSOM_IMAGE_CLI,
    },
    zed: {
        packages: ["glance-api", "glance-common", "python3-pymysql", "python3-openstackclient", "curl"],
        purge: ["glance-api", "glance-common"],
        services: ["glance-api"],
        files: [{ id: "glance-api", path: "/etc/glance/glance-api.conf", render: render.zedGlanceApiConf }],
        group: "glance",
        db: { name: "glance", user: "glancedbadmin" },
        dbSync: render.zedDbSyncScript,
        imageCli: render.ZED_IMAGE_CLI,
    },
};
