// KeystoneEndpoint pure parts: check, diff (every field), observation parsing, and the
// exact request plans (method, path, body) for create / update / delete in both dialects.
import { expect } from "chai";
import {
    checkKeystoneEndpoint,
    createdAfter,
    diffKeystoneEndpoint,
    endpointIdsFrom,
    keystoneEndpointId,
    KeystoneEndpointInputs,
    KeystoneEndpointOutputs,
    KeystoneObserved,
    parseKeystoneObserved,
    planKeystoneDelete,
    planKeystoneObserve,
    planKeystoneRollback,
    planKeystoneSync,
} from "../../../providers/keystoneEndpoint";
import { UNKNOWN } from "../../../providers/ssh";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
const CONN = { host: "192.168.122.111", port: 22, user: "root", privateKey: KEY };
const URL9696 = "http://192.168.122.111:9696/";
// Listing 2 for the network service (Folsom, admin token `secret`).
const FOLSOM: KeystoneEndpointInputs = {
    connection: CONN,
    dialect: "v2.0",
    authUrl: "http://192.168.122.111:35357/v2.0",
    credentials: { token: "secret" },
    region: "RegionOne",
    service: { name: "quantum", type: "network", description: "OpenStack Networking service" },
    urls: { public: URL9696, internal: URL9696, admin: URL9696 },
};
const ZED: KeystoneEndpointInputs = {
    connection: { ...CONN, host: "198.51.100.11" },
    dialect: "v3",
    authUrl: "http://198.51.100.11:5000/v3",
    credentials: {
        username: "admin",
        password: "secret",
        projectName: "admin",
        userDomainName: "Default",
        projectDomainName: "Default",
    },
    region: "RegionOne",
    service: { name: "neutron", type: "network", description: "OpenStack Networking" },
    urls: {
        public: "http://198.51.100.11:9696",
        internal: "http://198.51.100.11:9696",
        admin: "http://198.51.100.11:9696",
    },
};
const ALL_CREATED = { service: true, public: true, internal: true, admin: true };
const ZED_OUT: KeystoneEndpointOutputs = {
    ...ZED,
    serviceId: "s1",
    endpointIds: { public: "e-pub", internal: "e-int", admin: "e-adm" },
    created: ALL_CREATED,
};
const FOLSOM_OUT: KeystoneEndpointOutputs = {
    ...FOLSOM,
    serviceId: "s1",
    endpointIds: { public: "e1", internal: "e1", admin: "e1" },
    created: ALL_CREATED,
};
const EMPTY: KeystoneObserved = { endpoints: {}, regionExists: true };

describe("KeystoneEndpoint: check", () => {
    it("accepts Listing 2 (v2.0, admin token) and the Zed form (v3, password) unchanged", () => {
        expect(checkKeystoneEndpoint({ ...FOLSOM })).to.deep.equal({ inputs: FOLSOM, failures: [] });
        expect(checkKeystoneEndpoint({ ...ZED })).to.deep.equal({ inputs: ZED, failures: [] });
    });
    it('defaults the description to "" and drops unknown keys', () => {
        const r = checkKeystoneEndpoint({
            ...ZED,
            extra: 1,
            service: { name: "neutron", type: "network", x: 2 },
            urls: { ...ZED.urls, other: "y" },
        });
        expect(r).to.deep.equal({
            inputs: { ...ZED, service: { name: "neutron", type: "network", description: "" } },
            failures: [],
        });
    });
    it("accepts Folsom URL templates ($(tenant_id)s / %(tenant_id)s)", () => {
        const urls = {
            public: "http://192.168.122.111:8774/v2/$(tenant_id)s",
            internal: "http://192.168.122.111:8774/v2/%(tenant_id)s",
            admin: "http://192.168.122.111:8774/v2/$(tenant_id)s",
        };
        expect(checkKeystoneEndpoint({ ...FOLSOM, urls }).failures).to.deep.equal([]);
    });
    it("accepts unknowns (preview) anywhere, whole objects included", () => {
        const news = {
            connection: UNKNOWN,
            dialect: UNKNOWN,
            authUrl: UNKNOWN,
            credentials: UNKNOWN,
            region: UNKNOWN,
            service: UNKNOWN,
            urls: UNKNOWN,
        };
        expect(checkKeystoneEndpoint(news)).to.deep.equal({ inputs: news, failures: [] });
        const nested = {
            ...ZED,
            service: { name: UNKNOWN, type: "network", description: UNKNOWN },
            urls: { public: UNKNOWN, internal: UNKNOWN, admin: UNKNOWN },
        };
        expect(checkKeystoneEndpoint(nested).failures).to.deep.equal([]);
    });
    it("still validates the known members of a partly unknown object", () => {
        const r = checkKeystoneEndpoint({
            ...ZED,
            urls: { public: UNKNOWN, internal: "ftp://x/", admin: UNKNOWN },
            service: { name: UNKNOWN, type: "a/b" },
        });
        expect(r.failures).to.deep.equal([
            { property: "service.type", reason: "must not contain '/'" },
            { property: "urls.internal", reason: 'must be http:// or https://, got "ftp://x/"' },
        ]);
    });
    const bad: [
        string,
        Partial<Record<keyof KeystoneEndpointInputs, unknown>>,
        { property: string; reason: string }[],
    ][] = [
        [
            "an unknown dialect",
            { dialect: "v2" },
            [{ property: "dialect", reason: 'must be one of "v2.0", "v3", got "v2"' }],
        ],
        [
            "a v3 authUrl for v2.0",
            { authUrl: "http://192.168.122.111:5000/v3" },
            [
                {
                    property: "authUrl",
                    reason: 'for dialect "v2.0" the path must end in /v2.0 (e.g. http://host:35357/v2.0), got "http://192.168.122.111:5000/v3"',
                },
            ],
        ],
        [
            "https for the tunnel",
            { authUrl: "https://192.168.122.111:35357/v2.0" },
            [
                {
                    property: "authUrl",
                    reason: 'only http:// URLs are supported (the SSH tunnel carries plain HTTP): "https://192.168.122.111:35357/v2.0"',
                },
            ],
        ],
        ["a non-URL authUrl", { authUrl: "alice" }, [{ property: "authUrl", reason: 'not a URL: "alice"' }]],
        [
            "an empty token",
            { credentials: { token: "" } },
            [{ property: "credentials.token", reason: "must not be empty" }],
        ],
        [
            "a password login without password",
            { credentials: { username: "admin", projectName: "admin" } },
            [{ property: "credentials.password", reason: "required (or give { token } for v2.0)" }],
        ],
        [
            "no credentials",
            { credentials: undefined },
            [{ property: "credentials", reason: "required: { token } (v2.0) or { username, password, projectName }" }],
        ],
        ["no region", { region: "" }, [{ property: "region", reason: "required, e.g. RegionOne" }]],
        ["a region with a slash", { region: "a/b" }, [{ property: "region", reason: "must not contain '/'" }]],
        [
            "no service type",
            { service: { name: "quantum", type: "" } },
            [{ property: "service.type", reason: "required" }],
        ],
        [
            "a service name with a slash",
            { service: { name: "q/x", type: "network" } },
            [{ property: "service.name", reason: "must not contain '/'" }],
        ],
        [
            "a non-string description",
            { service: { name: "quantum", type: "network", description: 5 } },
            [{ property: "service.description", reason: "must be a string" }],
        ],
        [
            "an ftp URL",
            { urls: { public: "ftp://x/", internal: URL9696, admin: URL9696 } },
            [{ property: "urls.public", reason: 'must be http:// or https://, got "ftp://x/"' }],
        ],
        [
            "a missing admin URL",
            { urls: { public: URL9696, internal: URL9696 } },
            [{ property: "urls.admin", reason: "must be a non-empty http(s) URL" }],
        ],
        [
            "no connection",
            { connection: undefined },
            [{ property: "connection", reason: "connection must be an object { host, port?, user?, privateKey }" }],
        ],
        [
            "a connection without key",
            { connection: { host: "192.168.122.111", privateKey: "" } },
            [
                {
                    property: "connection.privateKey",
                    reason: "privateKey must be a PEM/OpenSSH private key (-----BEGIN ... PRIVATE KEY-----)",
                },
            ],
        ],
        [
            "a bad SSH port",
            { connection: { ...CONN, port: 70000 } },
            [{ property: "connection.port", reason: "port must be an integer between 1 and 65535" }],
        ],
    ];
    for (const [name, patch, failures] of bad) {
        it(`rejects ${name}`, () =>
            expect(checkKeystoneEndpoint({ ...FOLSOM, ...patch }).failures).to.deep.equal(failures));
    }
    it("rejects an admin token with v3", () => {
        expect(checkKeystoneEndpoint({ ...ZED, credentials: { token: "secret" } }).failures).to.deep.equal([
            {
                property: "credentials",
                reason: "dialect v3 needs a password login ({ username, password, projectName }), not an admin token",
            },
        ]);
    });
    it("allows a password login with v2.0 (an admin user instead of the admin token)", () => {
        expect(
            checkKeystoneEndpoint({
                ...FOLSOM,
                credentials: { username: "admin", password: "secret", projectName: "admin" },
            }).failures,
        ).to.deep.equal([]);
    });
});

describe("KeystoneEndpoint: diff", () => {
    it("no change → changes: false", () => {
        expect(diffKeystoneEndpoint(ZED_OUT, { ...ZED })).to.deep.equal({
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
    });
    const cases: [
        string,
        Partial<KeystoneEndpointInputs>,
        { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean },
    ][] = [
        [
            "service.name",
            { service: { ...ZED.service, name: "quantum" } },
            { changes: true, replaces: ["service.name"], deleteBeforeReplace: false },
        ],
        [
            "service.type",
            { service: { ...ZED.service, type: "network2" } },
            { changes: true, replaces: ["service.type"], deleteBeforeReplace: false },
        ],
        [
            "region (same service: delete first)",
            { region: "RegionTwo" },
            { changes: true, replaces: ["region"], deleteBeforeReplace: true },
        ],
        [
            "dialect (same service: delete first)",
            { dialect: "v2.0" },
            { changes: true, replaces: ["dialect"], deleteBeforeReplace: true },
        ],
        [
            "service.description",
            { service: { ...ZED.service, description: "x" } },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "urls.public",
            { urls: { ...ZED.urls, public: "http://x:1" } },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "urls.internal",
            { urls: { ...ZED.urls, internal: "http://x:1" } },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "urls.admin",
            { urls: { ...ZED.urls, admin: "http://x:1" } },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "authUrl",
            { authUrl: "http://198.51.100.12:5000/v3" },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "credentials",
            { credentials: { ...ZED.credentials, password: "other" } as never },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "connection port",
            { connection: { ...ZED.connection, port: 2222 } },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "connection key",
            { connection: { ...ZED.connection, privateKey: ZED.connection.privateKey + "\n" } },
            { changes: true, replaces: [], deleteBeforeReplace: false },
        ],
        [
            "connection host (same service: delete first)",
            { connection: { ...ZED.connection, host: "198.51.100.12" } },
            { changes: true, replaces: ["connection"], deleteBeforeReplace: true },
        ],
    ];
    for (const [f, patch, want] of cases) {
        it(`${f} → ${want.replaces.length ? "replace" : "update"}`, () =>
            expect(diffKeystoneEndpoint(ZED_OUT, { ...ZED, ...patch })).to.deep.equal(want));
    }
    it("an unknown URL (preview) counts as a change, an unknown name as a replacement", () => {
        expect(diffKeystoneEndpoint(ZED_OUT, { ...ZED, urls: { ...ZED.urls, admin: UNKNOWN } })).to.deep.equal({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
        expect(diffKeystoneEndpoint(ZED_OUT, { ...ZED, service: UNKNOWN })).to.deep.equal({
            changes: true,
            replaces: ["service.name", "service.type"],
            deleteBeforeReplace: false,
        });
    });
    it("an endpoint a refresh found missing → update", () => {
        expect(
            diffKeystoneEndpoint({ ...ZED_OUT, endpointIds: { ...ZED_OUT.endpointIds, internal: "" } }, { ...ZED })
                .changes,
        ).to.equal(true);
    });
    it("id is type/name/region", () => expect(keystoneEndpointId(FOLSOM)).to.equal("network/quantum/RegionOne"));
});

describe("KeystoneEndpoint: observation", () => {
    it("v2.0 lists OS-KSADM services and all endpoints", () => {
        expect(planKeystoneObserve(FOLSOM).map((c) => `${c.method} ${c.path}`)).to.deep.equal([
            "GET /v2.0/OS-KSADM/services",
            "GET /v2.0/endpoints",
        ]);
    });
    it("v3 filters services by type and endpoints by region, and looks up the region", () => {
        expect(
            planKeystoneObserve({ ...ZED, region: "Region One" }).map(
                (c) => `${c.method} ${c.path} ${c.tolerate ?? ""}`,
            ),
        ).to.deep.equal([
            "GET /v3/services?type=network ",
            "GET /v3/endpoints?region_id=Region%20One ",
            "GET /v3/regions/Region%20One 404",
        ]);
    });
    it("v2.0: picks the service by type+name and its endpoint in the region", () => {
        const obs = parseKeystoneObserved(FOLSOM, [
            {
                "OS-KSADM:services": [
                    { id: "k", name: "keystone", type: "identity" },
                    { id: "q", name: "quantum", type: "network", description: "d" },
                ],
            },
            {
                endpoints: [
                    { id: "e0", service_id: "k", region: "RegionOne", publicurl: "p", internalurl: "i", adminurl: "a" },
                    { id: "e2", service_id: "q", region: "RegionTwo", publicurl: "x", internalurl: "x", adminurl: "x" },
                    {
                        id: "e1",
                        service_id: "q",
                        region: "RegionOne",
                        publicurl: "p1",
                        internalurl: "i1",
                        adminurl: "a1",
                    },
                ],
            },
        ]);
        expect(obs).to.deep.equal({
            service: { id: "q", name: "quantum", type: "network", description: "d" },
            endpoints: {
                public: { id: "e1", url: "p1" },
                internal: { id: "e1", url: "i1" },
                admin: { id: "e1", url: "a1" },
            },
            regionExists: true,
        });
    });
    it("v3: per interface; a missing region is reported", () => {
        const obs = parseKeystoneObserved(ZED, [
            { services: [{ id: "n", name: "neutron", type: "network", description: "" }] },
            { endpoints: [{ id: "p", service_id: "n", interface: "public", region_id: "RegionOne", url: "u" }] },
            undefined,
        ]);
        expect(obs).to.deep.equal({
            service: { id: "n", name: "neutron", type: "network", description: "" },
            endpoints: { public: { id: "p", url: "u" } },
            regionExists: false,
        });
    });
    it("duplicates: the recorded one wins, otherwise a clear error", () => {
        const bodies = [
            {
                services: [
                    { id: "a", name: "neutron", type: "network" },
                    { id: "b", name: "neutron", type: "network" },
                ],
            },
            { endpoints: [] },
            {},
        ];
        expect(
            parseKeystoneObserved(ZED, bodies, { serviceId: "b", endpointIds: ZED_OUT.endpointIds }).service?.id,
        ).to.equal("b");
        expect(() => parseKeystoneObserved(ZED, bodies)).to.throw(
            "2 services of type network named neutron exist (ids a, b); remove the duplicates",
        );
    });
});

describe("KeystoneEndpoint: plans, v3 (Zed)", () => {
    it("create from nothing: service, then one endpoint per interface", () => {
        const plan = planKeystoneSync(ZED, EMPTY);
        expect(plan.vars).to.deep.equal({});
        expect(plan.creates).to.deep.equal(ALL_CREATED);
        expect(plan.calls.map(({ method, path, body, ok, save }) => ({ method, path, body, ok, save }))).to.deep.equal([
            {
                method: "POST",
                path: "/v3/services",
                body: {
                    service: { name: "neutron", type: "network", description: "OpenStack Networking", enabled: true },
                },
                ok: [201],
                save: { serviceId: "service.id" },
            },
            ...["public", "internal", "admin"].map((i) => ({
                method: "POST",
                path: "/v3/endpoints",
                body: {
                    endpoint: {
                        service_id: "{{serviceId}}",
                        interface: i,
                        region_id: "RegionOne",
                        url: "http://198.51.100.11:9696",
                        enabled: true,
                    },
                },
                ok: [201],
                save: { [`endpoint_${i}`]: "endpoint.id" },
            })),
        ]);
    });
    it("a missing region is created first (409 = someone else just did)", () => {
        const plan = planKeystoneSync(ZED, { ...EMPTY, regionExists: false });
        expect(plan.calls[1]).to.deep.include({
            method: "POST",
            path: "/v3/regions",
            body: { region: { id: "RegionOne" } },
            ok: [201],
            tolerate: [409],
        });
    });
    const existing: KeystoneObserved = {
        service: { id: "s1", name: "neutron", type: "network", description: "OpenStack Networking" },
        endpoints: {
            public: { id: "e-pub", url: "http://198.51.100.11:9696" },
            internal: { id: "e-int", url: "http://198.51.100.11:9696" },
            admin: { id: "e-adm", url: "http://198.51.100.11:9696" },
        },
        regionExists: true,
    };
    it("everything in place: no calls, IDs known", () => {
        expect(planKeystoneSync(ZED, existing)).to.deep.equal({
            calls: [],
            vars: { serviceId: "s1", endpoint_public: "e-pub", endpoint_internal: "e-int", endpoint_admin: "e-adm" },
            creates: { service: false, public: false, internal: false, admin: false },
        });
    });
    it("URL change: PATCH that endpoint only", () => {
        const plan = planKeystoneSync({ ...ZED, urls: { ...ZED.urls, admin: "http://198.51.100.11:9697" } }, existing);
        expect(plan.calls.map(({ method, path, body, ok }) => ({ method, path, body, ok }))).to.deep.equal([
            {
                method: "PATCH",
                path: "/v3/endpoints/e-adm",
                body: { endpoint: { url: "http://198.51.100.11:9697" } },
                ok: [200],
            },
        ]);
    });
    it("description change: PATCH the service", () => {
        const plan = planKeystoneSync({ ...ZED, service: { ...ZED.service, description: "new" } }, existing);
        expect(plan.calls.map(({ method, path, body }) => ({ method, path, body }))).to.deep.equal([
            { method: "PATCH", path: "/v3/services/s1", body: { service: { description: "new" } } },
        ]);
    });
    it("adopts an existing service and creates only the missing endpoint", () => {
        const plan = planKeystoneSync(ZED, {
            ...existing,
            endpoints: { public: existing.endpoints.public, admin: existing.endpoints.admin },
        });
        expect(plan.calls.map((c) => `${c.method} ${c.path} ${JSON.stringify(c.body)}`)).to.deep.equal([
            'POST /v3/endpoints {"endpoint":{"service_id":"{{serviceId}}","interface":"internal","region_id":"RegionOne","url":"http://198.51.100.11:9696","enabled":true}}',
        ]);
        expect(plan.creates).to.deep.equal({ service: false, public: false, internal: true, admin: false });
        expect(createdAfter(plan, "s1", { public: "e-pub", internal: "new", admin: "e-adm" })).to.deep.equal({
            service: false,
            public: false,
            internal: true,
            admin: false,
        });
    });
    it("delete: the three endpoints, then the service; 404 tolerated", () => {
        expect(
            planKeystoneDelete(ZED_OUT).map(({ method, path, ok, tolerate }) => ({ method, path, ok, tolerate })),
        ).to.deep.equal([
            { method: "DELETE", path: "/v3/endpoints/e-pub", ok: [204], tolerate: [404] },
            { method: "DELETE", path: "/v3/endpoints/e-int", ok: [204], tolerate: [404] },
            { method: "DELETE", path: "/v3/endpoints/e-adm", ok: [204], tolerate: [404] },
            { method: "DELETE", path: "/v3/services/s1", ok: [204], tolerate: [404] },
        ]);
    });
    it("delete leaves adopted objects alone", () => {
        expect(
            planKeystoneDelete({
                ...ZED_OUT,
                created: { service: false, public: false, internal: true, admin: false },
            }).map((c) => c.path),
        ).to.deep.equal(["/v3/endpoints/e-int"]);
        expect(
            planKeystoneDelete({
                ...ZED_OUT,
                created: { service: false, public: false, internal: false, admin: false },
            }),
        ).to.deep.equal([]);
    });
    it("rollback of a failed create removes what this attempt made", () => {
        const plan = planKeystoneSync(ZED, EMPTY);
        expect(
            planKeystoneRollback(ZED, plan.creates, { serviceId: "s9", endpoint_public: "p9" }).map((c) => c.path),
        ).to.deep.equal(["/v3/endpoints/p9", "/v3/services/s9"]);
    });
    it("ownership carries over for kept objects", () => {
        const plan = planKeystoneSync(ZED, existing);
        expect(createdAfter(plan, "s1", ZED_OUT.endpointIds, ZED_OUT)).to.deep.equal(ALL_CREATED);
        expect(
            createdAfter(plan, "s1", ZED_OUT.endpointIds, { ...ZED_OUT, created: { ...ALL_CREATED, service: false } }),
        ).to.deep.equal({ ...ALL_CREATED, service: false });
        expect(endpointIdsFrom("v3", plan.vars)).to.deep.equal(ZED_OUT.endpointIds);
    });
});

describe("KeystoneEndpoint: plans, v2.0 (Folsom)", () => {
    it("create from nothing: OS-KSADM service, then one v2.0 endpoint carrying all three URLs", () => {
        const plan = planKeystoneSync(FOLSOM, EMPTY);
        expect(plan.calls.map(({ method, path, body, ok, save }) => ({ method, path, body, ok, save }))).to.deep.equal([
            {
                method: "POST",
                path: "/v2.0/OS-KSADM/services",
                ok: [200, 201],
                save: { serviceId: "OS-KSADM:service.id" },
                body: {
                    "OS-KSADM:service": {
                        name: "quantum",
                        type: "network",
                        description: "OpenStack Networking service",
                    },
                },
            },
            {
                method: "POST",
                path: "/v2.0/endpoints",
                ok: [200, 201],
                save: { endpoint: "endpoint.id" },
                body: {
                    endpoint: {
                        region: "RegionOne",
                        service_id: "{{serviceId}}",
                        publicurl: URL9696,
                        internalurl: URL9696,
                        adminurl: URL9696,
                    },
                },
            },
        ]);
        expect(plan.creates).to.deep.equal(ALL_CREATED);
        expect(endpointIdsFrom("v2.0", { endpoint: "e1" })).to.deep.equal({
            public: "e1",
            internal: "e1",
            admin: "e1",
        });
    });
    const existing: KeystoneObserved = {
        service: { id: "s1", name: "quantum", type: "network", description: "OpenStack Networking service" },
        endpoints: {
            public: { id: "e1", url: URL9696 },
            internal: { id: "e1", url: URL9696 },
            admin: { id: "e1", url: URL9696 },
        },
        regionExists: true,
    };
    it("everything in place: no calls", () => {
        expect(planKeystoneSync(FOLSOM, existing)).to.deep.equal({
            calls: [],
            vars: { serviceId: "s1", endpoint: "e1" },
            creates: { service: false, public: false, internal: false, admin: false },
        });
    });
    it("URL change: no endpoint update in v2.0, so delete and re-create the endpoint", () => {
        const plan = planKeystoneSync(
            { ...FOLSOM, urls: { ...FOLSOM.urls, admin: "http://192.168.122.111:9697/" } },
            existing,
        );
        expect(plan.calls.map((c) => `${c.method} ${c.path} ${JSON.stringify(c.body ?? null)}`)).to.deep.equal([
            "DELETE /v2.0/endpoints/e1 null",
            `POST /v2.0/endpoints {"endpoint":{"region":"RegionOne","service_id":"{{serviceId}}","publicurl":"${URL9696}","internalurl":"${URL9696}","adminurl":"http://192.168.122.111:9697/"}}`,
        ]);
        expect(plan.vars).to.deep.equal({ serviceId: "s1" });
    });
    it("description change: no service update in v2.0, so the service is re-created with its endpoint", () => {
        const plan = planKeystoneSync({ ...FOLSOM, service: { ...FOLSOM.service, description: "Quantum" } }, existing);
        expect(plan.calls.map((c) => `${c.method} ${c.path}`)).to.deep.equal([
            "DELETE /v2.0/endpoints/e1",
            "DELETE /v2.0/OS-KSADM/services/s1",
            "POST /v2.0/OS-KSADM/services",
            "POST /v2.0/endpoints",
        ]);
        expect(plan.creates).to.deep.equal(ALL_CREATED);
    });
    it("delete: endpoint, then service; 200/204 ok, 404 tolerated", () => {
        expect(
            planKeystoneDelete(FOLSOM_OUT).map(({ method, path, ok, tolerate }) => ({ method, path, ok, tolerate })),
        ).to.deep.equal([
            { method: "DELETE", path: "/v2.0/endpoints/e1", ok: [200, 204], tolerate: [404] },
            { method: "DELETE", path: "/v2.0/OS-KSADM/services/s1", ok: [200, 204], tolerate: [404] },
        ]);
    });
});
