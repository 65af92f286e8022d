// KeystoneEndpoint against a real Keystone (v3 dialect; run.sh runs it on Debian 12 /
// Zed and on Debian 13 / Epoxy with 2025.1's policy defaults) from testbed.d/50-keystone.sh, over real SSH (the test bed's sshd), driven through the
// serialization harness (the provider runs as the engine's provider host would run it).
// Every assertion about Keystone's contents is checked against the API itself.
import { expect } from "chai";
import { countSshConnects, Driver, expectRejects, Props, UNKNOWN, withSecrets } from "./harness";
import { OpenStackAdmin } from "./openstackAdmin";
import { testbedConnection, testbedEnv } from "./testbed";
import { KeystoneEndpoint, KeystoneEndpointArgs } from "../../providers/keystoneEndpoint";
import type { SshConnection } from "../../providers/ssh";

describe("KeystoneEndpoint (real Keystone v3 over SSH, through the serialization harness)", function () {
    this.timeout(120000);
    const run = Date.now().toString(36);
    const type = `oslabtest-${run}`;
    let conn: SshConnection;
    let password: string;
    let authUrl: string;
    let admin: OpenStackAdmin;

    const args = (over: Partial<Props> = {}): Props => ({
        connection: conn,
        dialect: "v3",
        authUrl,
        credentials: {
            username: "admin",
            password,
            projectName: "admin",
            userDomainName: "Default",
            projectDomainName: "Default",
        },
        region: "RegionOne",
        service: { name: `quantum-${run}`, type, description: "OpenStack Networking service" },
        urls: {
            public: "http://192.168.122.111:9696/",
            internal: "http://192.168.122.111:9696/",
            admin: "http://192.168.122.111:9696/",
        },
        ...over,
    });
    const secretArgs = (a: Props) => withSecrets<KeystoneEndpointArgs>(a, ["connection", "credentials"]);
    const newDriver = async (a: Props, name = "ks") =>
        (await Driver.for(() => new KeystoneEndpoint(name, secretArgs(a)))).driver;

    const endpointsOf = async (serviceId: string) =>
        ((await admin.call("GET", `/endpoints?service_id=${serviceId}`)).body.endpoints as Props[])
            .map((e) => ({ id: e.id, interface: e.interface, region: e.region_id, url: e.url }))
            .sort((a, b) => String(a.interface).localeCompare(String(b.interface)));

    before(async function () {
        const env = testbedEnv();
        if (!env.TESTBED_KEYSTONE_URL) {
            throw new Error("Keystone is not part of the test bed (testbed.d/50-keystone.sh did not run)");
        }
        conn = testbedConnection();
        admin = await OpenStackAdmin.ofTestbed(env);
        ({ keystone: authUrl, password } = admin);
    });

    after(async () => {
        // Leave nothing behind, whatever failed: every service of this run's type, this run's region.
        const svcs = (await admin.call("GET", `/services?type=${type}`)).body.services as Props[];
        for (const s of svcs ?? []) {
            await admin.call("DELETE", `/services/${s.id}`);
        }
        await admin.call("DELETE", `/regions/oslabtest-${run}`);
    });

    it("registers as pulumi-nodejs:dynamic/identity:KeystoneEndpoint with secret connection and credentials", async () => {
        const { reg } = await Driver.for(() => new KeystoneEndpoint("reg", secretArgs(args())));
        expect(reg.type).to.equal("pulumi-nodejs:dynamic/identity:KeystoneEndpoint");
        expect(reg.secretInputs.sort()).to.deep.equal(["connection", "credentials"]);
        expect(Object.keys(reg.inputs).sort()).to.deep.equal([
            "authUrl",
            "connection",
            "credentials",
            "dialect",
            "region",
            "service",
            "urls",
        ]);
    });

    it("preview: check accepts unknowns, check and diff open no SSH connection", async () => {
        const d = await newDriver(args());
        const counter = countSshConnects();
        try {
            const failures = await d.checkFailures({
                ...args(),
                urls: { public: UNKNOWN, internal: UNKNOWN, admin: UNKNOWN },
                connection: UNKNOWN,
            });
            expect(failures).to.deep.equal([]);
            expect(counter.count()).to.equal(0);
        } finally {
            counter.restore();
        }
    });

    describe("lifecycle", () => {
        let d: Driver;
        let first: Props;

        it("create: service + three endpoints in RegionOne, IDs as Keystone reports them", async () => {
            d = await newDriver(args());
            expect(await d.up(args())).to.equal("create");
            expect(d.id).to.equal(`${type}/quantum-${run}/RegionOne`);
            first = d.outputs;
            const svc = (await admin.call("GET", `/services/${first.serviceId}`)).body.service;
            expect({
                name: svc.name,
                type: svc.type,
                description: svc.description,
                enabled: svc.enabled,
            }).to.deep.equal({
                name: `quantum-${run}`,
                type,
                description: "OpenStack Networking service",
                enabled: true,
            });
            const eps = await endpointsOf(first.serviceId);
            expect(eps).to.deep.equal([
                {
                    id: first.endpointIds.admin,
                    interface: "admin",
                    region: "RegionOne",
                    url: "http://192.168.122.111:9696/",
                },
                {
                    id: first.endpointIds.internal,
                    interface: "internal",
                    region: "RegionOne",
                    url: "http://192.168.122.111:9696/",
                },
                {
                    id: first.endpointIds.public,
                    interface: "public",
                    region: "RegionOne",
                    url: "http://192.168.122.111:9696/",
                },
            ]);
            expect(first.created).to.deep.equal({ service: true, public: true, internal: true, admin: true });
        });

        it("read (refresh) returns the same id and outputs", async () => {
            expect(await d.refreshChanges()).to.deep.equal({ id: `${type}/quantum-${run}/RegionOne`, changed: [] });
        });

        it("no-op: diff reports no changes, nothing is called", async () => {
            expect(await d.upCounted(args())).to.deep.equal({ result: "same", ops: ["check", "diff"], connects: 0 });
        });

        it("update: a URL change PATCHes the endpoint in place (same IDs)", async () => {
            const a = args({
                urls: {
                    public: "http://198.51.100.11:9696",
                    internal: "http://192.168.122.111:9696/",
                    admin: "http://192.168.122.111:9696/",
                },
            });
            expect(await d.up(a)).to.equal("update");
            expect(d.outputs.endpointIds).to.deep.equal(first.endpointIds);
            expect(d.outputs.serviceId).to.equal(first.serviceId);
            const eps = await endpointsOf(first.serviceId);
            expect(eps.find((e) => e.interface === "public")).to.deep.equal({
                id: first.endpointIds.public,
                interface: "public",
                region: "RegionOne",
                url: "http://198.51.100.11:9696",
            });
        });

        it("update: a description change PATCHes the service in place", async () => {
            const a = args({
                service: { name: `quantum-${run}`, type, description: "Networking (Quantum)" },
                urls: {
                    public: "http://198.51.100.11:9696",
                    internal: "http://192.168.122.111:9696/",
                    admin: "http://192.168.122.111:9696/",
                },
            });
            expect(await d.up(a)).to.equal("update");
            expect(d.outputs.serviceId).to.equal(first.serviceId);
            expect((await admin.call("GET", `/services/${first.serviceId}`)).body.service.description).to.equal(
                "Networking (Quantum)",
            );
        });

        it("refresh sees drift made behind its back; the next up repairs it", async () => {
            await admin.call("PATCH", `/endpoints/${first.endpointIds.admin}`, {
                endpoint: { url: "http://drifted:1/" },
            });
            await d.refresh();
            expect(d.outputs.urls.admin).to.equal("http://drifted:1/");
            const a = args({
                service: { name: `quantum-${run}`, type, description: "Networking (Quantum)" },
                urls: {
                    public: "http://198.51.100.11:9696",
                    internal: "http://192.168.122.111:9696/",
                    admin: "http://192.168.122.111:9696/",
                },
            });
            expect(await d.up(a)).to.equal("update");
            expect((await admin.call("GET", `/endpoints/${first.endpointIds.admin}`)).body.endpoint.url).to.equal(
                "http://192.168.122.111:9696/",
            );
        });

        let renamed: Props;
        it("replace: a rename creates the new service before deleting the old one", async () => {
            const a = args({ service: { name: `neutron-${run}`, type, description: "OpenStack Networking" } });
            const diff = await d.diff(await d.check(a));
            expect(diff).to.deep.equal({ changes: true, replaces: ["service.name"], deleteBeforeReplace: false });
            expect(await d.up(a)).to.equal("replace");
            expect(d.lastOps).to.deep.equal(["check", "diff", "create", "delete"]);
            renamed = d.outputs;
            expect(d.id).to.equal(`${type}/neutron-${run}/RegionOne`);
            expect((await admin.call("GET", `/services/${first.serviceId}`)).status).to.equal(404);
            for (const i of ["public", "internal", "admin"]) {
                expect(
                    (await admin.call("GET", `/endpoints/${first.endpointIds[i]}`)).status,
                    `old ${i} endpoint`,
                ).to.equal(404);
            }
            expect((await admin.call("GET", `/services/${renamed.serviceId}`)).body.service.name).to.equal(
                `neutron-${run}`,
            );
            expect((await endpointsOf(renamed.serviceId)).map((e) => e.interface)).to.deep.equal([
                "admin",
                "internal",
                "public",
            ]);
        });

        it("delete removes the service and its endpoints", async () => {
            const state = d.state as Props;
            const id = d.id as string;
            await d.delete();
            expect((await admin.call("GET", `/services/${renamed.serviceId}`)).status).to.equal(404);
            for (const i of ["public", "internal", "admin"]) {
                expect((await admin.call("GET", `/endpoints/${renamed.endpointIds[i]}`)).status).to.equal(404);
            }
            // delete again, with the same stored state: already gone is fine
            await d.delete(id, state);
            // refresh of a gone resource: no id
            d.id = id;
            d.state = state;
            expect(await d.refresh()).to.equal(undefined);
        });
    });

    it("a new region is created on demand; a region change replaces, deleting first (same service)", async () => {
        const region = `oslabtest-${run}`;
        const a = args({ service: { name: `region-${run}`, type, description: "" }, region });
        const d = await newDriver(a, "region");
        expect((await admin.call("GET", `/regions/${region}`)).status).to.equal(404);
        expect(await d.up(a)).to.equal("create");
        expect((await admin.call("GET", `/regions/${region}`)).status).to.equal(200);
        expect((await endpointsOf(d.outputs.serviceId)).map((e) => e.region)).to.deep.equal([region, region, region]);
        const b = { ...a, region: "RegionOne" };
        expect(await d.diff(await d.check(b))).to.deep.equal({
            changes: true,
            replaces: ["region"],
            deleteBeforeReplace: true,
        });
        expect(await d.up(b)).to.equal("replace");
        expect(d.lastOps).to.deep.equal(["check", "diff", "delete", "create"]);
        expect(d.id).to.equal(`${type}/region-${run}/RegionOne`);
        expect((await endpointsOf(d.outputs.serviceId)).map((e) => e.region)).to.deep.equal([
            "RegionOne",
            "RegionOne",
            "RegionOne",
        ]);
        const serviceId = d.outputs.serviceId;
        await d.delete();
        expect((await admin.call("GET", `/services/${serviceId}`)).status).to.equal(404);
    });

    it("adopts an existing service and endpoints, and leaves them in place on delete", async () => {
        const svc = (
            await admin.call("POST", "/services", {
                service: { name: `adopt-${run}`, type, description: "pre-existing" },
            })
        ).body.service;
        const ep = (
            await admin.call("POST", "/endpoints", {
                endpoint: { service_id: svc.id, interface: "public", region_id: "RegionOne", url: "http://a:1/" },
            })
        ).body.endpoint;
        const a = args({
            service: { name: `adopt-${run}`, type, description: "pre-existing" },
            urls: { public: "http://a:1/", internal: "http://a:2/", admin: "http://a:3/" },
        });
        const d = await newDriver(a, "adopt");
        expect(await d.up(a)).to.equal("create");
        expect(d.outputs.serviceId).to.equal(svc.id);
        expect(d.outputs.endpointIds.public).to.equal(ep.id);
        expect(d.outputs.created).to.deep.equal({ service: false, public: false, internal: true, admin: true });
        await d.delete();
        expect((await admin.call("GET", `/services/${svc.id}`)).status).to.equal(200);
        expect((await endpointsOf(svc.id)).map((e) => e.id)).to.deep.equal([ep.id]);
        await admin.call("DELETE", `/services/${svc.id}`);
    });

    it("wrong credentials: a clear error naming host, resource and step, without the password", async () => {
        const a = args({ credentials: { username: "admin", password: "not-the-password-42", projectName: "admin" } });
        const d = await newDriver(a, "badcreds");
        const err = await expectRejects(d.up(a));
        expect(err.message).to.include(`KeystoneEndpoint ${type}/quantum-${run}/RegionOne`);
        expect(err.message).to.include(
            "authenticate as admin in project admin (Keystone v3) on root@127.0.0.1:2222 failed",
        );
        expect(err.message).to.include(`POST ${authUrl}/auth/tokens: HTTP 401`);
        expect(err.message).to.include("credentials rejected");
        expect(err.message).not.to.include("not-the-password-42");
        expect(err.message).not.to.include(password);
        expect((await admin.call("GET", `/services?type=${type}&name=quantum-${run}`)).body.services).to.deep.equal([]);
    });

    it("unreachable SSH host: a bounded error naming the host", async () => {
        const a = args({ connection: { ...conn, port: 1, dialErrorLimit: 2 } });
        const d = await newDriver(a, "nossh");
        const t0 = Date.now();
        const err = await expectRejects(d.up(a));
        expect(Date.now() - t0).to.be.below(20000);
        expect(err.message).to.match(
            /^KeystoneEndpoint .*: connect on root@127\.0\.0\.1:1 failed: unreachable after 2 attempt\(s\)/,
        );
        expect(err.message).to.include("ECONNREFUSED");
    });

    it("unreachable Keystone behind a reachable SSH host: the failing request is named", async () => {
        const a = args({ authUrl: "http://127.0.0.1:5999/v3" });
        const d = await newDriver(a, "noks");
        const err = await expectRejects(d.up(a));
        expect(err.message).to.include(
            "authenticate as admin in project admin (Keystone v3) on root@127.0.0.1:2222 failed: POST http://127.0.0.1:5999/v3/auth/tokens: no response",
        );
        expect(err.message).not.to.include(password);
    });
});
