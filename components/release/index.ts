// The release seam: everything that differs between Folsom (the article) and Zed
// (Debian 12) is reached through the ReleaseProfile returned here. Each service keeps
// its own release facts in `components/<service>/profiles.ts`; components receive their
// part of the profile and contain no release conditionals.
import { Release } from "../../config";
import { BaseProfile, baseProfiles } from "../base/profiles";
import { CinderProfile, cinderProfiles } from "../cinder/profiles";
import { GlanceProfile, glanceProfiles } from "../glance/profiles";
import { HorizonProfile, horizonProfiles } from "../horizon/profiles";
import { KeystoneProfile, keystoneProfiles } from "../keystone/profiles";
import { NovaProfile, novaProfiles } from "../nova/profiles";
import { PlacementProfile, placementProfiles } from "../placement/profiles";
import { QuantumProfile, quantumProfiles } from "../quantum/profiles";

export interface ReleaseProfile {
    readonly name: Release;
    readonly base: BaseProfile;
    readonly keystone: KeystoneProfile;
    readonly glance: GlanceProfile;
    readonly horizon: HorizonProfile;
    readonly nova: NovaProfile;
    /** Undefined where the release has no Placement (Folsom). */
    readonly placement?: PlacementProfile;
    readonly cinder: CinderProfile;
    /** Networking: Quantum (Folsom) / Neutron (Zed). */
    readonly quantum: QuantumProfile;
}

export function profileFor(release: Release): ReleaseProfile {
    return {
        name: release,
        base: baseProfiles[release],
        keystone: keystoneProfiles[release],
        glance: glanceProfiles[release],
        horizon: horizonProfiles[release],
        nova: novaProfiles[release],
        placement: placementProfiles[release],
        cinder: cinderProfiles[release],
        quantum: quantumProfiles[release],
    };
}
