// Arguments of the Horizon component.
import type { KeystoneRef } from "../keystone/args";
import type { HostRef } from "../shared/step";
import type { HorizonProfile } from "./profiles";

export interface HorizonArgs {
    /** The controller the dashboard runs on (required). */
    readonly host: HostRef;
    /** Horizon's part of the release profile (required). */
    readonly profile: HorizonProfile;
    /** Keystone: its port, and `ready` before the dashboard is checked (required). */
    readonly keystone: KeystoneRef;
}
