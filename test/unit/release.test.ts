// The release seam: the registry, and deriveProfile's merge rules (a release written as a
// change over its parent).
import { expect } from "chai";
import { deriveProfile, profileFor, RELEASE_PROFILES, RELEASES } from "../../components/release";
import { RELEASES as CONFIG_RELEASES } from "../../config";

describe("release registry", () => {
    it("lists folsom and zed, and config validates against the same list", () => {
        expect(RELEASES).to.deep.equal(["folsom", "zed", "epoxy"]);
        expect(CONFIG_RELEASES).to.equal(RELEASES);
    });
    for (const release of RELEASES) {
        it(`${release}: the profile carries its registry name`, () => {
            expect(profileFor(release).name).to.equal(release);
            expect(profileFor(release)).to.equal(RELEASE_PROFILES[release]);
        });
    }
});

interface Shape {
    readonly name: string;
    readonly nested: { readonly a: number; readonly b: { readonly c: string; readonly d: string } };
    readonly list: readonly string[];
    readonly fn: (x: number) => number;
    readonly optional?: { readonly x: number; readonly y: number };
}

describe("deriveProfile", () => {
    const parent: Shape = {
        name: "parent",
        nested: { a: 1, b: { c: "c", d: "d" } },
        list: ["x", "y", "z"],
        fn: (x) => x + 1,
        optional: { x: 1, y: 2 },
    };

    it("an empty delta gives a copy equal to the parent", () => {
        const child = deriveProfile(parent, {});
        expect(child).to.deep.equal(parent);
        expect(child).to.not.equal(parent);
    });

    it("merges objects key by key, at every depth", () => {
        const child = deriveProfile(parent, { name: "child", nested: { b: { d: "D" } } });
        expect(child).to.deep.equal({
            name: "child",
            nested: { a: 1, b: { c: "c", d: "D" } },
            list: ["x", "y", "z"],
            fn: parent.fn,
            optional: { x: 1, y: 2 },
        });
    });

    it("replaces arrays whole (no element merge, no concatenation)", () => {
        const child = deriveProfile(parent, { list: ["q"] });
        expect(child.list).to.deep.equal(["q"]);
        expect(deriveProfile(parent, { list: [] }).list).to.deep.equal([]);
    });

    it("replaces functions", () => {
        const fn = (x: number) => x * 10;
        const child = deriveProfile(parent, { fn });
        expect(child.fn).to.equal(fn);
        expect(child.fn(2)).to.equal(20);
    });

    it("an undefined leaf keeps the parent's value", () => {
        const child = deriveProfile(parent, { name: undefined, nested: { a: undefined }, optional: undefined });
        expect(child).to.deep.equal(parent);
    });

    it("sets an object the parent lacks", () => {
        const bare: Shape = { ...parent, optional: undefined };
        expect(deriveProfile(bare, { optional: { x: 5 } }).optional).to.deep.equal({ x: 5 });
    });

    it("leaves the parent and the delta unmodified", () => {
        const delta = { nested: { b: { c: "C" } }, list: ["n"] };
        deriveProfile(parent, delta);
        expect(parent.nested).to.deep.equal({ a: 1, b: { c: "c", d: "d" } });
        expect(parent.list).to.deep.equal(["x", "y", "z"]);
        expect(delta).to.deep.equal({ nested: { b: { c: "C" } }, list: ["n"] });
    });

    it("a release derived from zed with a one-field change differs from zed only there", () => {
        const zed = profileFor("zed");
        const next = deriveProfile(zed, { name: "next", horizon: { packages: ["openstack-dashboard-apache"] } });
        expect(next.name).to.equal("next");
        expect(next.horizon.packages).to.deep.equal(["openstack-dashboard-apache"]);
        expect(next.horizon.purge).to.equal(zed.horizon.purge);
        expect(next.horizon.render).to.equal(zed.horizon.render);
        expect(next.nova).to.deep.equal(zed.nova);
        expect(next.quantum.server.files).to.equal(zed.quantum.server.files);
    });
});
