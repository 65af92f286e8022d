// The harness itself: a serializable provider survives the round trip the engine's
// dynamic-provider host makes; closures that do not serialize are caught.
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { Driver, deserializeProvider, register, structRoundTrip, timings, UNKNOWN } from "./harness";

const MODULE_CONSTANT = "from-module-scope";

class EchoProvider implements pulumi.dynamic.ResourceProvider {
    async check(_olds: Record<string, string>, news: Record<string, string>) {
        return { inputs: { value: news.value, secret: news.secret } };
    }
    async diff(_id: string, olds: Record<string, string>, news: Record<string, string>) {
        return {
            changes: olds.value !== news.value || olds.secret !== news.secret,
            replaces: olds.value !== news.value ? ["value"] : [],
        };
    }
    async create(inputs: Record<string, string>) {
        const crypto = require("crypto");
        const digest: string = crypto.createHash("sha256").update(inputs.value).digest("hex").slice(0, 8);
        return {
            id: inputs.value,
            outs: { value: inputs.value, secret: inputs.secret, digest, constant: MODULE_CONSTANT },
        };
    }
    async update(_id: string, _olds: Record<string, string>, news: Record<string, string>) {
        return { outs: { value: news.value, secret: news.secret, digest: "updated", constant: MODULE_CONSTANT } };
    }
    async delete() {
        /* nothing */
    }
}

class Echo extends pulumi.dynamic.Resource {
    declare readonly digest: pulumi.Output<string>;
    constructor(name: string, args: { value: pulumi.Input<string>; secret: pulumi.Input<string> }) {
        super(
            new EchoProvider(),
            name,
            { digest: undefined, ...args },
            { additionalSecretOutputs: ["secret"] },
            "test",
            "Echo",
        );
    }
}

// Captures a Map: the SDK serializes it but it arrives EMPTY in the provider host.
const registry = new Map<string, string>([["k", "v"]]);
class MapProvider implements pulumi.dynamic.ResourceProvider {
    async create() {
        return { id: "x", outs: { fromMap: registry.get("k") ?? "lost" } };
    }
}
class MapUser extends pulumi.dynamic.Resource {
    constructor(name: string) {
        super(new MapProvider(), name, {}, {}, "test", "MapUser");
    }
}

// Captures a bound native function: cannot be serialized at all.
const nativeBound = Math.max.bind(Math);
class NativeProvider implements pulumi.dynamic.ResourceProvider {
    async create() {
        return { id: String(nativeBound(1, 2)), outs: {} };
    }
}
class NativeUser extends pulumi.dynamic.Resource {
    constructor(name: string) {
        super(new NativeProvider(), name, {}, {}, "test", "NativeUser");
    }
}

describe("serialization harness", () => {
    // Keep the toy providers out of the run's timing table.
    after(() => {
        const keep = timings.filter((t) => t.resource !== "Echo" && t.resource !== "MapUser");
        timings.splice(0, timings.length, ...keep);
    });

    it("captures the registration as the engine sees it (type token, unwrapped secret inputs, provider text)", async () => {
        const reg = await register(() => new Echo("e1", { value: "abc", secret: pulumi.secret("s3cr3t") }));
        expect(reg.type).to.equal("pulumi-nodejs:dynamic/test:Echo");
        expect(reg.name).to.equal("e1");
        expect(reg.inputs).to.deep.equal({ value: "abc", secret: "s3cr3t" });
        expect(reg.secretInputs).to.deep.equal(["secret"]);
        expect(reg.additionalSecretOutputs).to.deep.equal(["secret"]);
        expect(reg.providerText).to.match(/exports\.handler = /);
    });

    it("drives check → create → diff → update → replace → delete on the deserialized provider", async () => {
        const { driver } = await Driver.for(() => new Echo("e2", { value: "abc", secret: pulumi.secret("s") }));
        expect(await driver.up({ value: "abc", secret: "s" })).to.equal("create");
        expect(driver.id).to.equal("abc");
        expect(driver.outputs).to.deep.equal({
            value: "abc",
            secret: "s",
            digest: "ba7816bf",
            constant: "from-module-scope",
        });
        expect(await driver.up({ value: "abc", secret: "s" })).to.equal("same");
        expect(driver.lastOps).to.deep.equal(["check", "diff"]);
        expect(await driver.up({ value: "abc", secret: "t" })).to.equal("update");
        expect(driver.outputs).to.deep.equal({
            value: "abc",
            secret: "t",
            digest: "updated",
            constant: "from-module-scope",
        });
        expect(await driver.up({ value: "xyz", secret: "t" })).to.equal("replace");
        expect(driver.lastOps).to.deep.equal(["check", "diff", "create", "delete"]);
        expect(driver.id).to.equal("xyz");
        await driver.delete();
        expect(driver.state).to.equal(undefined);
    });

    it("breaks a provider that uses a captured Map, exactly as the provider host does", async () => {
        const { driver } = await Driver.for(() => new MapUser("m1"));
        let err: Error | undefined;
        try {
            await driver.create({});
        } catch (e) {
            err = e as Error;
        }
        expect(err?.message).to.equal("Method Map.prototype.get called on incompatible receiver #<Object>");
    });

    it("fails when the closure cannot be serialized", async () => {
        let err: Error | undefined;
        try {
            const reg = await register(() => new NativeUser("n1"));
            deserializeProvider(reg.providerText);
        } catch (e) {
            err = e as Error;
        }
        expect(err, "serialization of a bound native function must fail").to.be.instanceOf(Error);
        expect(err?.message).to.match(/^error serializing property "__provider"/);
    });

    it("round-trips property bags like protobuf Structs (undefined is rejected)", () => {
        expect(structRoundTrip({ a: 1, b: [true, "x"], c: { d: null } })).to.deep.equal({
            a: 1,
            b: [true, "x"],
            c: { d: null },
        });
        expect(() => structRoundTrip({ a: undefined })).to.throw();
        expect(UNKNOWN).to.equal("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
    });
});
