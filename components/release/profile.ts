// The shape of a release: everything that differs between releases, one field per
// service. A release folder (`components/release/<name>/index.ts`) exports one complete
// ReleaseProfile, written in full or derived from its parent with deriveProfile.
import { BaseProfile } from "../base/profiles";
import { CinderProfile } from "../cinder/profiles";
import { DemoProfile } from "../demo/profiles";
import { GlanceProfile } from "../glance/profiles";
import { HorizonProfile } from "../horizon/profiles";
import { KeystoneProfile } from "../keystone/profiles";
import { NovaProfile } from "../nova/profiles";
import { PlacementProfile } from "../placement/profiles";
import { QuantumProfile } from "../quantum/profiles";

export interface ReleaseProfile {
    /** The release's name, as in the stack config's `release` (the registry's key). */
    readonly name: string;
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
    /** The optional demo project (config `demo`): member role, network access, security groups. */
    readonly demo: DemoProfile;
    /**
     * The destroy guard (components/guard) runs on the controller with openstacksdk, which
     * the release's openstack client brings; Folsom's clients have none, so no guard there.
     */
    readonly destroyGuard: boolean;
    /**
     * Compute nodes join and leave the cloud through components/membership (on the node,
     * the compute API at microversion 2.53, Placement and the agents API): Zed and later.
     * Folsom's API has no service delete, so a Folsom compute is only removed by destroy.
     */
    readonly computeMembership: boolean;
}

/**
 * A typed change to T: every field optional, objects changed field by field; arrays and
 * functions are values (given whole, they replace the parent's).
 */
export type ProfileDelta<T> = T extends (...args: never[]) => unknown
    ? T
    : T extends readonly unknown[]
      ? T
      : T extends object
        ? { readonly [K in keyof T]?: ProfileDelta<T[K]> }
        : T;

function isPlainObject(v: unknown): v is Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
        return false;
    }
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}

function merge(parent: unknown, delta: unknown): unknown {
    if (delta === undefined) {
        return parent;
    }
    if (!isPlainObject(delta) || !isPlainObject(parent)) {
        return delta;
    }
    const out: Record<string, unknown> = { ...parent };
    for (const [k, v] of Object.entries(delta)) {
        out[k] = merge(parent[k], v);
    }
    return out;
}

/**
 * A release written as a change over its parent (the way openstack-ansible falls back from
 * `vars/debian-13.yml` to `debian.yml`): plain objects are merged key by key, arrays and
 * functions replace the parent's, a key given as `undefined` (or left out) keeps the
 * parent's value. Neither argument is modified. A field cannot be removed this way; a
 * release that drops a service writes that part in full.
 */
export function deriveProfile<T extends object>(parent: T, delta: ProfileDelta<T>): T {
    return merge(parent, delta) as T;
}

/**
 * The uwsgi inis whose worker count config `apiWorkers` adds (keystone, placement-api,
 * nova-api, nova-api-metadata, cinder-api; Neutron's neutron-api-uwsgi.ini is a file of
 * the quantum profile, written with or without the key). Empty: the release runs no API
 * under uwsgi (Folsom).
 */
export function uwsgiInis(p: ReleaseProfile): string[] {
    return [
        p.keystone.uwsgiIni,
        p.placement?.uwsgiIni,
        ...Object.values(p.nova.controller.uwsgiInis ?? {}),
        p.cinder.uwsgiIni,
    ].filter((ini): ini is string => ini !== undefined);
}
