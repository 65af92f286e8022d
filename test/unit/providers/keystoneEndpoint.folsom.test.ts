// KeystoneEndpoint's v2.0 (Folsom) dialect cannot run here (no Folsom Keystone on
// Debian 12), so it is proven against recorded exchanges in Keystone v2.0's documented
// formats (test/providers/fixtures/folsom/keystone-v2.0.json): a fake session replays
// them and the test checks the exact sequence of requests and the outputs.
import { expect } from "chai";
import {
    KEYSTONE_ENDPOINT_PROVIDER,
    type KeystoneEndpointInputs,
    type KeystoneEndpointOutputs,
} from "../../../providers/keystoneEndpoint";
import { expectRejects as rejects } from "../../providers/harness";
import { replayedOps, replaySession, scenarios } from "../../providers/fixtures/replaySession";

const WHAT = "KeystoneEndpoint network/quantum/RegionOne";
const replay = scenarios("folsom/keystone-v2.0.json", WHAT);
const ID = "network/quantum/RegionOne";
// The provider's operations, each on a replayed session instead of an SSH connection.
const K = replayedOps(KEYSTONE_ENDPOINT_PROVIDER.ops, ID);

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
const URL = "http://192.168.122.111:9696/";
// Listing 2 (-E http://192.168.122.111:35357/v2.0 -T secret -R RegionOne), the network service.
const INPUTS: KeystoneEndpointInputs = {
    connection: { host: "192.168.122.111", port: 22, user: "root", privateKey: KEY },
    dialect: "v2.0",
    authUrl: "http://192.168.122.111:35357/v2.0",
    credentials: { token: "secret" },
    region: "RegionOne",
    service: { name: "quantum", type: "network", description: "OpenStack Networking service" },
    urls: { public: URL, internal: URL, admin: URL },
};
const Q_ID = "3f8c1d6e9b2a4f7c8e5d1a0b3c6f9e24";
const Q_EP = "5a7c9e1b3d5f4a6c8e0b2d4f6a8c0e58";
const Q_EP2 = "9e8d7c6b5a4f4e3d2c1b0a9f8e7d6c69";
const ALL = { service: true, public: true, internal: true, admin: true };
const OUTS: KeystoneEndpointOutputs = {
    ...INPUTS,
    serviceId: Q_ID,
    endpointIds: { public: Q_EP, internal: Q_EP, admin: Q_EP },
    created: ALL,
};

describe("KeystoneEndpoint v2.0 (Folsom) against recorded Keystone v2.0 exchanges", () => {
    it("create: list services, list endpoints, POST OS-KSADM service, POST one endpoint", async () => {
        const s = replay("create");
        const r = await K.create(s, INPUTS);
        expect(s.sent).to.deep.equal([
            "GET /v2.0/OS-KSADM/services",
            "GET /v2.0/endpoints",
            "POST /v2.0/OS-KSADM/services",
            "POST /v2.0/endpoints",
        ]);
        expect(s.remaining()).to.deep.equal([]);
        expect(r).to.deep.equal({ id: "network/quantum/RegionOne", outs: OUTS });
    });

    it("create over what endpoints.sh made: adopts, writes nothing, owns nothing", async () => {
        const s = replay("create-adopt");
        const r = await K.create(s, INPUTS);
        expect(s.sent).to.deep.equal(["GET /v2.0/OS-KSADM/services", "GET /v2.0/endpoints"]);
        expect(r.outs).to.deep.equal({
            ...OUTS,
            created: { service: false, public: false, internal: false, admin: false },
        });
    });

    it("create with an admin user's password: POST /v2.0/tokens first, then the user token", async () => {
        const s = replay("create-password");
        const creds = { username: "admin", password: "secret", projectName: "admin" };
        const r = await K.create(s, { ...INPUTS, credentials: creds });
        expect(s.sent).to.deep.equal([
            "POST /v2.0/tokens",
            "GET /v2.0/OS-KSADM/services",
            "GET /v2.0/endpoints",
            "POST /v2.0/OS-KSADM/services",
            "POST /v2.0/endpoints",
        ]);
        expect(s.remaining()).to.deep.equal([]);
        expect(r.outs).to.deep.equal({ ...OUTS, credentials: creds });
    });

    it("update of a URL: DELETE the endpoint, POST it again (new endpoint ID, same service)", async () => {
        const s = replay("update-url");
        const news = { ...INPUTS, urls: { ...INPUTS.urls, public: "http://192.168.122.111:9696/v2.0/" } };
        const r = await K.update(s, OUTS, news);
        expect(s.sent).to.deep.equal([
            "GET /v2.0/OS-KSADM/services",
            "GET /v2.0/endpoints",
            `DELETE /v2.0/endpoints/${Q_EP}`,
            "POST /v2.0/endpoints",
        ]);
        expect(s.remaining()).to.deep.equal([]);
        expect(r.outs).to.deep.equal({
            ...OUTS,
            urls: news.urls,
            endpointIds: { public: Q_EP2, internal: Q_EP2, admin: Q_EP2 },
        });
    });

    it("update of the description: service and endpoint are re-created", async () => {
        const s = replay("update-description");
        const news = { ...INPUTS, service: { ...INPUTS.service, description: "Quantum" } };
        const r = await K.update(s, OUTS, news);
        expect(s.sent).to.deep.equal([
            "GET /v2.0/OS-KSADM/services",
            "GET /v2.0/endpoints",
            `DELETE /v2.0/endpoints/${Q_EP}`,
            `DELETE /v2.0/OS-KSADM/services/${Q_ID}`,
            "POST /v2.0/OS-KSADM/services",
            "POST /v2.0/endpoints",
        ]);
        expect(r.outs).to.deep.equal({
            ...OUTS,
            service: news.service,
            serviceId: "a41e7b3c9d2f4e6a8b0c1d3e5f7a9b36",
            endpointIds: { public: Q_EP2, internal: Q_EP2, admin: Q_EP2 },
        });
    });

    it("read (refresh) reports the live URLs; a drifted adminurl shows up", async () => {
        const s = replay("read");
        const r = await K.read(s, "network/quantum/RegionOne", OUTS);
        expect(r).to.deep.equal({
            id: "network/quantum/RegionOne",
            props: { ...OUTS, urls: { ...OUTS.urls, admin: "http://192.168.122.111:9697/" } },
        });
    });

    it("read of a deleted service: no id", async () => {
        expect(await K.read(replay("read-gone"), "network/quantum/RegionOne", OUTS)).to.deep.equal({});
    });

    it("delete: endpoint, then service", async () => {
        const s = replay("delete");
        await K.delete(s, OUTS);
        expect(s.sent).to.deep.equal([`DELETE /v2.0/endpoints/${Q_EP}`, `DELETE /v2.0/OS-KSADM/services/${Q_ID}`]);
        expect(s.remaining()).to.deep.equal([]);
    });

    it("delete when already gone: the 404s are fine", async () => {
        const s = replay("delete-gone");
        await K.delete(s, OUTS);
        expect(s.remaining()).to.deep.equal([]);
    });

    it("delete of an adopted entry sends nothing", async () => {
        const s = replaySession([], WHAT);
        await K.delete(s, { ...OUTS, created: { service: false, public: false, internal: false, admin: false } });
        expect(s.sent).to.deep.equal([]);
    });

    it("a wrong admin token: the error names host, resource, step, request and Keystone's message, not the token", async () => {
        const s = replay("wrong-token");
        const err = await rejects(K.create(s, { ...INPUTS, credentials: { token: "wrong-token-1234" } }));
        expect(err.message).to.equal(
            "KeystoneEndpoint network/quantum/RegionOne: list services on root@192.168.122.111:22 failed: " +
                "GET http://192.168.122.111:35357/v2.0/OS-KSADM/services: HTTP 401: The request you have made requires authentication.",
        );
        expect(err.message).not.to.include("wrong-token-1234");
    });

    it("a failed create rolls back the service it had just created", async () => {
        const s = replay("create-fails-rollback");
        const err = await rejects(K.create(s, INPUTS));
        expect(s.sent).to.deep.equal([
            "GET /v2.0/OS-KSADM/services",
            "GET /v2.0/endpoints",
            "POST /v2.0/OS-KSADM/services",
            "POST /v2.0/endpoints",
            `DELETE /v2.0/OS-KSADM/services/${Q_ID}`,
        ]);
        expect(s.remaining()).to.deep.equal([]);
        expect(err.message).to.match(
            /^KeystoneEndpoint network\/quantum\/RegionOne: create v2\.0 endpoint of network\/quantum in RegionOne on root@192\.168\.122\.111:22 failed: POST http:\/\/192\.168\.122\.111:35357\/v2\.0\/endpoints: HTTP 400: Expecting to find publicurl/,
        );
    });
});
