// Arguments of the Glance component.
import type { CloudContext } from "../cloud";
import type { KeystoneRef } from "../keystone/args";

export interface GlanceArgs {
    /** The cloud built so far: controller host, release profile, secrets, MySQL (required). */
    readonly ctx: CloudContext;
    /** Keystone: authtoken settings, the glance user, admin login for the image (required). */
    readonly keystone: KeystoneRef;
}
