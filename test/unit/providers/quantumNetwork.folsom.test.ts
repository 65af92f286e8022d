// QuantumNetwork with the v2.0 (Folsom) dialect: Keystone v2.0 tokens and Folsom's
// Quantum cannot run here, so the provider is driven against recorded exchanges in
// Quantum v2.0 / Keystone v2.0 formats (test/providers/fixtures/folsom/quantum-v2.0.json):
// the exact request sequence and the outputs are checked. (The network calls themselves
// run for real against Zed's neutron-server in test/providers/quantumNetwork.test.ts.)
import { expect } from "chai";
import { QUANTUM_NETWORK_PROVIDER, type QuantumNetworkOutputs } from "../../../providers/quantumNetwork";
import { expectRejects as rejects } from "../../providers/harness";
import { replayedOps, scenarios } from "../../providers/fixtures/replaySession";
import { FOLSOM_NETWORKS as INPUTS } from "../../providers/fixtures/folsom/quantumNetwork";

const WHAT = "QuantumNetwork private/provider-router/ext_net";
const replay = scenarios("folsom/quantum-v2.0.json", WHAT);
const ID = "private/provider-router/ext_net";
// The provider's operations, each on a replayed session instead of an SSH connection.
const Q = replayedOps(QUANTUM_NETWORK_PROVIDER.ops, ID);

// The IDs the recorded Quantum hands out for script [3] (INPUTS: the article's values, run from Alice).
const EXT = "5b1f2e3d-4c5b-4a69-8e7d-6c5b4a392810";
const EXTSUB = "0c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e61";
const PRIV = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c63";
const PRIVSUB = "2f3e4d5c-6b7a-4898-a7b6-c5d4e3f2a164";
const R = "6c5d4e3f-2a1b-4c0d-9e8f-7a6b5c4d3e25";
const OUTS: QuantumNetworkOutputs = {
    ...INPUTS,
    routerId: R,
    externalNetworkId: EXT,
    tenantNetworkId: PRIV,
    tenantSubnetId: PRIVSUB,
    externalSubnetId: EXTSUB,
    gatewayIp: "192.168.144.100",
};
const LOOKUPS = [
    "GET /v2.0/networks?name=ext_net",
    "GET /v2.0/networks?name=private",
    "GET /v2.0/routers?name=provider-router",
    `GET /v2.0/subnets?network_id=${EXT}`,
    `GET /v2.0/subnets?network_id=${PRIV}`,
    `GET /v2.0/ports?device_id=${R}`,
];
// The teardown, in order (the half-way delete fails at the fifth call).
const TEARDOWN = [
    `PUT /v2.0/routers/${R}`,
    `PUT /v2.0/routers/${R}/remove_router_interface`,
    `DELETE /v2.0/routers/${R}`,
    `DELETE /v2.0/subnets/${PRIVSUB}`,
    `DELETE /v2.0/subnets/${EXTSUB}`,
    `DELETE /v2.0/networks/${PRIV}`,
    `DELETE /v2.0/networks/${EXT}`,
];
// The update the pool scenarios record: the pool starts at .110 instead of .100.
const NARROWER_POOL = {
    ...INPUTS,
    externalNetwork: {
        ...INPUTS.externalNetwork,
        allocationPool: { start: "192.168.144.110", end: "192.168.144.126" },
    },
};
const GW_LOOKUP = `GET /v2.0/ports?device_id=${R}&device_owner=network%3Arouter_gateway`;
const IN_USE_LOOKUPS = [
    `GET /v2.0/ports?network_id=${EXT}`,
    `GET /v2.0/ports?network_id=${PRIV}`,
    `GET /v2.0/ports?device_id=${R}`,
];
// What the used cloud of the fixtures holds: a floating IP on ext_net, a server of another tenant on private.
const FIP = "8f9e0d1c-2b3a-4c5d-9e6f-7a8b9c0d1e2f";
const FIP_PORT = "b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d02";
const VM = "0f1e2d3c-4b5a-4968-8776-655443322110";
const VM_PORT = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e53";
const USER2 = "e5f6a7b8c9d04e1f8a2b3c4d5e6f7a81";

describe("QuantumNetwork v2.0 (Folsom) against recorded Quantum v2.0 exchanges", () => {
    it("create: token from /v2.0/tokens, then the networks script in order; outputs for l3_agent.ini and the route", async () => {
        const s = replay("create");
        const r = await Q.create(s, INPUTS);
        expect(s.sent).to.deep.equal([
            "POST /v2.0/tokens",
            "GET /v2.0/networks?name=ext_net",
            "GET /v2.0/networks?name=private",
            "GET /v2.0/routers?name=provider-router",
            "POST /v2.0/networks",
            "POST /v2.0/subnets",
            "POST /v2.0/networks",
            "POST /v2.0/subnets",
            "POST /v2.0/routers",
            `PUT /v2.0/routers/${R}/add_router_interface`,
            `PUT /v2.0/routers/${R}`,
            GW_LOOKUP,
        ]);
        expect(s.remaining()).to.deep.equal([]);
        expect(r).to.deep.equal({ id: "private/provider-router/ext_net", outs: OUTS });
    });

    it("update with nothing to change: lookups only", async () => {
        const s = replay("same");
        const r = await Q.update(s, OUTS, INPUTS);
        expect(s.sent).to.deep.equal(["POST /v2.0/tokens", ...LOOKUPS, GW_LOOKUP]);
        expect(r.outs).to.deep.equal(OUTS);
    });

    it("update of the allocation pool: the external subnet is replaced around the router gateway", async () => {
        const s = replay("update-pool");
        const news = NARROWER_POOL;
        const r = await Q.update(s, OUTS, news);
        expect(s.sent).to.deep.equal([
            "POST /v2.0/tokens",
            ...LOOKUPS,
            `PUT /v2.0/routers/${R}`,
            `DELETE /v2.0/subnets/${EXTSUB}`,
            "POST /v2.0/subnets",
            `PUT /v2.0/routers/${R}`,
            GW_LOOKUP,
        ]);
        expect(s.remaining()).to.deep.equal([]);
        expect(r.outs).to.deep.equal({
            ...OUTS,
            externalNetwork: news.externalNetwork,
            externalSubnetId: "7e6d5c4b-3a29-4180-9f8e-7d6c5b4a3920",
            gatewayIp: "192.168.144.110",
        });
    });

    it("update of the DNS servers: one PUT on the tenant subnet", async () => {
        const s = replay("update-dns");
        const news = { ...INPUTS, tenantNetwork: { ...INPUTS.tenantNetwork, dnsNameservers: ["192.168.122.1"] } };
        const r = await Q.update(s, OUTS, news);
        expect(s.sent).to.deep.equal(["POST /v2.0/tokens", ...LOOKUPS, `PUT /v2.0/subnets/${PRIVSUB}`, GW_LOOKUP]);
        expect(r.outs).to.deep.equal({ ...OUTS, tenantNetwork: news.tenantNetwork });
    });

    it("read (refresh): a missing router interface shows as a missing tenantSubnetId", async () => {
        const r = await Q.read(replay("read"), "private/provider-router/ext_net", OUTS);
        expect(r).to.deep.equal({ id: "private/provider-router/ext_net", props: { ...OUTS, tenantSubnetId: "" } });
    });

    it("read when everything is gone: no id", async () => {
        expect(await Q.read(replay("read-gone"), "private/provider-router/ext_net", OUTS)).to.deep.equal({});
    });

    it("delete: nothing in the way (own ports, DHCP), then gateway, interface, router, subnets, networks", async () => {
        const s = replay("delete");
        await Q.delete(s, OUTS);
        expect(s.sent).to.deep.equal(["POST /v2.0/tokens", ...IN_USE_LOOKUPS, ...TEARDOWN]);
        expect(s.remaining()).to.deep.equal([]);
    });

    it("delete when already gone: empty port lists, every 404 is fine", async () => {
        const s = replay("delete-gone");
        await Q.delete(s, OUTS);
        expect(s.sent.slice(0, 4)).to.deep.equal(["POST /v2.0/tokens", ...IN_USE_LOOKUPS]);
        expect(s.remaining()).to.deep.equal([]);
    });

    it("delete of a used cloud: a floating IP and another tenant's server are named, nothing is removed", async () => {
        const s = replay("delete-in-use");
        const err = await rejects(Q.delete(s, OUTS));
        expect(s.sent).to.deep.equal(["POST /v2.0/tokens", ...IN_USE_LOOKUPS]);
        expect(s.remaining()).to.deep.equal([]);
        expect(err.message).to.equal(
            `${WHAT}: check what is in the way of deleting on root@192.168.122.111:22 failed: nothing was removed; in the way: ` +
                `port ${FIP_PORT} (device_owner network:floatingip, device ${FIP}, 192.168.144.101 on the ext_net subnet); ` +
                `port ${VM_PORT} (device_owner compute:nova, device ${VM}, project ${USER2}, 10.5.5.3 on the private subnet). ` +
                "Remove them first (a floating IP, another router's gateway or interface, a server's port), then delete again",
        );
    });

    it("delete that fails half-way (a floating IP allocated meanwhile): what was done, what was not, what is in the way", async () => {
        const s = replay("delete-half-way");
        const err = await rejects(Q.delete(s, OUTS));
        expect(s.sent).to.deep.equal([
            "POST /v2.0/tokens",
            ...IN_USE_LOOKUPS,
            ...TEARDOWN.slice(0, 5),
            ...IN_USE_LOOKUPS,
        ]);
        expect(s.remaining()).to.deep.equal([]);
        expect(err.message).to.equal(
            `${WHAT}: delete ext_net subnet (${EXTSUB}) on root@192.168.122.111:22 failed: ` +
                `DELETE http://192.168.122.111:9696/v2.0/subnets/${EXTSUB}: HTTP 409: ` +
                `Unable to complete operation on subnet ${EXTSUB}. One or more ports have an IP allocation from this subnet; ` +
                `in the way: port ${FIP_PORT} (device_owner network:floatingip, device ${FIP}, 192.168.144.101 on the ext_net subnet); ` +
                `done before the failure: clear gateway of router provider-router (${R}); ` +
                `remove interface of router provider-router on the private subnet (${PRIVSUB}); ` +
                `delete router provider-router (${R}); delete private subnet (${PRIVSUB}); ` +
                `not done: delete ext_net subnet (${EXTSUB}); delete tenant network private (${PRIV}); ` +
                `delete external network ext_net (${EXT}). ` +
                "The stack still records the removed objects (a failed delete keeps the old state): " +
                "to keep the networks, run `pulumi refresh` (or `pulumi up --refresh`) before the next up, " +
                "which then re-creates what was removed with the same names; " +
                "to finish the delete, remove what is in the way and delete again",
        );
    });

    it("update that fails half-way: the error carries the state as read after the failure (partial-failure id/properties/reasons)", async () => {
        const s = replay("update-pool-half-way");
        const news = NARROWER_POOL;
        const err = (await rejects(Q.update(s, OUTS, news))) as Error & {
            id?: string;
            properties?: unknown;
            reasons?: string[];
        };
        expect(s.sent).to.deep.equal([
            "POST /v2.0/tokens",
            ...LOOKUPS,
            `PUT /v2.0/routers/${R}`,
            `DELETE /v2.0/subnets/${EXTSUB}`,
            ...LOOKUPS,
            ...IN_USE_LOOKUPS,
        ]);
        expect(s.remaining()).to.deep.equal([]);
        expect(err.message).to.equal(
            `${WHAT}: delete old ext_net subnet 192.168.144.0/25 on root@192.168.122.111:22 failed: ` +
                `DELETE http://192.168.122.111:9696/v2.0/subnets/${EXTSUB}: HTTP 409: ` +
                `Unable to complete operation on subnet ${EXTSUB}. One or more ports have an IP allocation from this subnet; ` +
                `in the way: port ${FIP_PORT} (device_owner network:floatingip, device ${FIP}, 192.168.144.101 on the ext_net subnet); ` +
                "recorded as found after the failure (missing: the gateway of router provider-router): " +
                "the next `pulumi up` completes it",
        );
        // The old subnet (old pool) is still there; the router lost its gateway.
        expect(err.id).to.equal(ID);
        expect(err.properties).to.deep.equal({ ...OUTS, gatewayIp: "" });
        expect(err.reasons).to.deep.equal([err.message]);
    });

    it("a wrong password: the error names host, resource, step and Keystone's answer, not the password", async () => {
        const s = replay("wrong-password");
        const err = await rejects(Q.create(s, { ...INPUTS, auth: { ...INPUTS.auth, password: "wrong-pw-9" } }));
        expect(err.message).to.equal(
            "QuantumNetwork private/provider-router/ext_net: authenticate as admin in project admin (Keystone v2.0) on root@192.168.122.111:22 failed: " +
                "POST http://192.168.122.111:5000/v2.0/tokens: HTTP 401: Invalid user / password (credentials rejected)",
        );
        expect(err.message).not.to.include("wrong-pw-9");
    });

    it("a Quantum error names the step, the request and Quantum's message", async () => {
        const s = replay("gateway-fails");
        const err = await rejects(Q.create(s, INPUTS));
        expect(err.message).to.equal(
            "QuantumNetwork private/provider-router/ext_net: set gateway of router provider-router to ext_net on root@192.168.122.111:22 failed: " +
                `PUT http://192.168.122.111:9696/v2.0/routers/${R}: HTTP 400: Bad router request: Network ${EXT} is not a valid external network`,
        );
        expect(s.remaining()).to.deep.equal([]);
    });
});
