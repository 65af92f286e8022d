// Arguments of the Glance component.
import type * as pulumi from "@pulumi/pulumi";
import type { KeystoneRef } from "../keystone/args";
import type { IniDoc } from "../shared/ini";
import type { HostRef } from "../shared/step";
import type { GlanceProfile } from "./profiles";
import type { ImageValues } from "./render";

export interface GlanceArgs {
    /** The controller Glance runs on (required). */
    readonly host: HostRef;
    /** Glance's part of the release profile (required). */
    readonly profile: GlanceProfile;
    /** SQLAlchemy URL scheme of the database (the release's `base.mysql.urlScheme`; required). */
    readonly dbUrlScheme: "mysql" | "mysql+pymysql";
    /** Keystone: authtoken settings, the glance user, admin login for the image (required). */
    readonly keystone: KeystoneRef;
    /** The image uploaded and waited for until active (config `image`; required). */
    readonly image: ImageValues;
    /** Password of Glance's MySQL user (secret; required). */
    readonly dbPassword: pulumi.Input<string>;
    /** Keystone password of the glance service user (secret; required). */
    readonly servicePassword: pulumi.Input<string>;
    /** The database server is up (required). */
    readonly mysqlReady: pulumi.Input<pulumi.Resource>;
    /** User overrides per file, keyed `<file id>.conf` (config `overrides`); unset: none. */
    readonly overrides?: Readonly<Record<string, IniDoc | undefined>>;
}
