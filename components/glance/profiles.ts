// Release facts of Glance (docs/sources.md#folsom, #zed).
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
    /** The image API's port: the restart waits until it listens, so the image upload finds it. */
    readonly port: number;
    /** Files holding the database URL and the service password: 0640 root:group. */
    readonly files: readonly GlanceFile[];
    readonly group: string;
    /** The article's database and user (only the password is generated). */
    readonly db: { readonly name: string; readonly user: string };
    readonly dbSync: () => string;
    readonly imageCli: render.ImageCli;
}
