// Every release the program can deploy. Adding a release: a folder
// `components/release/<name>/index.ts` exporting its ReleaseProfile, one line here, and
// the golden files of the new release (UPDATE_GOLDEN=1 npm run test:unit).
import { profile as epoxy } from "./epoxy";
import { profile as folsom } from "./folsom";
import { ReleaseProfile } from "./profile";
import { profile as zed } from "./zed";

export const RELEASE_PROFILES = {
    folsom,
    zed,
    epoxy,
} as const satisfies Readonly<Record<string, ReleaseProfile>>;

/** A registered release's name (the stack config's `release`). */
export type Release = keyof typeof RELEASE_PROFILES;

/** The registered releases' names, in registration order. */
export const RELEASES = Object.keys(RELEASE_PROFILES) as readonly Release[] as readonly [Release, ...Release[]];
