// The release seam: everything that differs between releases is reached through the
// ReleaseProfile returned here; components receive their part of it and contain no
// release conditionals. One folder per release (folsom: the article; zed: Debian 12).
import { ReleaseProfile } from "./profile";
import { Release, RELEASE_PROFILES } from "./registry";

export { deriveProfile, ProfileDelta, ReleaseProfile } from "./profile";
export { Release, RELEASES, RELEASE_PROFILES } from "./registry";

export function profileFor(release: Release): ReleaseProfile {
    return RELEASE_PROFILES[release];
}
