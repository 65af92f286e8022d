// Arguments of the Horizon component.
import type { CloudContext } from "../cloud";
import type { KeystoneRef } from "../keystone/args";

export interface HorizonArgs {
    /** The cloud built so far: controller host, release profile (required). */
    readonly ctx: CloudContext;
    /** Keystone: its port, and `ready` before the dashboard is checked (required). */
    readonly keystone: KeystoneRef;
}
