// A compute node's membership (components/membership): in the cloud, one step per compute
// that depends — through its dependencies' dependencies — on every other step of that node,
// so the engine makes it last and deletes it first; its scripts (bash + python3) run for
// real against a stand-in of the Keystone, Nova, Neutron and Placement APIs
// (test/unit/fixtures/fake-openstack-api.py): a node with servers is refused with nothing
// changed, an empty node is disabled, stopped and deregistered, a node that joins is
// awaited (and re-enabled when an earlier removal had disabled it).
import { expect } from "chai";
import { ChildProcess, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildCloud } from "../../components/cloud";
import { joinScript, leaveScript } from "../../components/membership/render";
import { RawConfig } from "../../config";
import { devConfig, find, RELEASE_CONFIGS, run, startFixture, TEST_SECRETS, unwrap } from "./harness";

function twoComputes(c: RawConfig): RawConfig {
    const nodes = [
        ...(c.nodes as object[]),
        { name: "carol", role: "compute", managementIp: "192.168.122.114", dataIp: "192.168.133.114" },
    ];
    return { ...c, nodes };
}

for (const [release, change] of RELEASE_CONFIGS) {
    describe(`compute membership in the cloud (${release})`, function () {
        this.timeout(60000);
        const deps = new Map<string, string[]>();
        let res: Awaited<ReturnType<typeof run>>;
        before(async () => {
            res = await run(() => buildCloud(devConfig((c) => change(twoComputes(c)))), { dependencies: deps });
        });

        if (release === "folsom") {
            it("has none: Folsom's compute API cannot delete a service", () => {
                expect(res.resources.filter((r) => r.name.includes("membership"))).to.deep.equal([]);
            });
            return;
        }

        it("is one component and one step per compute, on that compute", () => {
            expect(
                res.resources
                    .filter((r) => r.name.includes("membership"))
                    .map((r) => [r.type, r.name])
                    .sort(),
            ).to.deep.equal([
                ["command:remote:Command", "bob-membership-node"],
                ["command:remote:Command", "carol-membership-node"],
                ["oslab:compute:ComputeMembership", "bob-membership"],
                ["oslab:compute:ComputeMembership", "carol-membership"],
            ]);
            const i = unwrap(find(res.resources, "carol-membership-node").inputs);
            expect(i.connection.host).to.equal("192.168.122.114");
            expect(i.stdin).to.equal(TEST_SECRETS.generated);
            expect(`${i.create}\n${i.delete}`).not.to.contain(TEST_SECRETS.generated);
            expect(i.create).to.contain("python3 /dev/fd/3 join carol 300");
            expect(i.delete).to.contain("python3 /dev/fd/3 drain carol 300 3<<'OSLAB_MEMBERSHIP_PY' || rc=$?");
            expect(i.delete).to.contain(
                'for s in nova-compute neutron-openvswitch-agent; do oslab_svc stop "$s" >/dev/null 2>&1 || true; done',
            );
            expect(i.delete).to.contain("keep carol in openstack-lab:nodes");
        });

        it("depends on every step of its compute, and on no step of another compute", () => {
            const closure = (from: string): Set<string> => {
                const seen = new Set<string>();
                const todo = [...(deps.get(from) ?? [])];
                while (todo.length) {
                    const n = todo.pop()!;
                    if (!seen.has(n)) {
                        seen.add(n);
                        todo.push(...(deps.get(n) ?? []));
                    }
                }
                return seen;
            };
            const custom = res.resources.filter((r) => !r.type.startsWith("oslab:")).map((r) => r.name);
            const ofHost = (h: string) =>
                custom.filter(
                    (n) => n.startsWith(`${h}-`) || n.startsWith(`nova-${h}-`) || n.startsWith(`neutron-${h}-`),
                );
            for (const [h, other] of [
                ["bob", "carol"],
                ["carol", "bob"],
            ]) {
                const own = ofHost(h).filter((n) => n !== `${h}-membership-node`);
                expect(own.length).to.be.greaterThan(15);
                const reach = closure(`${h}-membership-node`);
                expect(own.filter((n) => !reach.has(n))).to.deep.equal([]);
                expect(ofHost(other).filter((n) => reach.has(n))).to.deep.equal([]);
            }
            // nothing of the cloud's shared steps waits for a compute: adding one changes none of them
            for (const shared of ["nova-check", "neutron-networks", "nova-flavors-m1.tiny"]) {
                expect(
                    [...closure(shared)].filter((n) => /^(nova|neutron)-(bob|carol)-|^(bob|carol)-/.test(n)),
                ).to.deep.equal([]);
            }
        });
    });
}

// ---------------------------------------------------------------------------------------
// The scripts, for real, against the stand-in APIs.

const FIXTURE = path.join(__dirname, "fixtures", "fake-openstack-api.py");
const PASSWORD = "s3cret-admin";

interface Api {
    readonly env: [string, string][];
    readonly log: string;
    readonly proc: ChildProcess;
}

function cloudState() {
    return {
        password: PASSWORD,
        services: [
            { id: "svc-bob", binary: "nova-compute", host: "bob", state: "up", status: "enabled" },
            { id: "svc-bob2", binary: "nova-compute", host: "bob2", state: "up", status: "enabled" },
        ],
        servers: [] as object[],
        agents: [
            { id: "ag-bob", binary: "neutron-openvswitch-agent", host: "bob", alive: true },
            { id: "ag-bob2", binary: "neutron-openvswitch-agent", host: "bob2", alive: true },
        ],
        resource_providers: [
            { uuid: "rp-bob", name: "bob" },
            { uuid: "rp-bob2", name: "bob2" },
        ],
    };
}

async function startApi(dir: string, state: object): Promise<Api> {
    const stateFile = path.join(dir, "state.json");
    const log = path.join(dir, "requests.log");
    const { port, proc } = await startFixture(FIXTURE, stateFile, log, state);
    const env: [string, string][] = [
        ["OS_AUTH_URL", `http://127.0.0.1:${port}/identity/v3`],
        ["OS_USERNAME", "admin"],
        ["OS_PROJECT_NAME", "admin"],
        ["OS_USER_DOMAIN_NAME", "Default"],
        ["OS_PROJECT_DOMAIN_NAME", "Default"],
        ["OS_REGION_NAME", "RegionOne"],
    ];
    return { env, log, proc };
}

/** Run a step body as the host would: oslab_svc recorded instead of acting. */
function runStep(body: string, dir: string, password = PASSWORD) {
    const svcLog = path.join(dir, "svc.log");
    const r = spawnSync("bash", ["-c", `set -euo pipefail\noslab_svc() { echo "$*" >> ${svcLog}; }\n${body}`], {
        input: password,
        encoding: "utf8",
    });
    const svc = fs.existsSync(svcLog) ? fs.readFileSync(svcLog, "utf8").trim().split("\n") : [];
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, svc };
}

const requests = (api: Api) =>
    fs
        .readFileSync(api.log, "utf8")
        .trim()
        .split("\n")
        .filter((l) => !l.startsWith("POST /identity"));

describe("compute membership scripts (python3 against stand-in APIs)", function () {
    this.timeout(30000);
    let dir: string;
    let api: Api | undefined;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-membership-"));
    });
    afterEach(() => {
        api?.proc.kill();
        api = undefined;
        fs.rmSync(dir, { recursive: true, force: true });
    });
    const SERVICES = ["nova-compute", "neutron-openvswitch-agent"];

    it("refuses to remove a compute that still runs a server, naming it and the key, and changes nothing", async () => {
        const state = cloudState();
        state.servers.push({ id: "srv-1", name: "oslab-smoke", tenant_id: "p-admin", status: "ACTIVE", host: "bob2" });
        api = await startApi(dir, state);
        const r = runStep(leaveScript(api.env, "bob2", SERVICES, "openstack-lab:nodes", 5), dir);
        expect(r.status).to.equal(1);
        expect(r.stderr).to.equal(
            "bob2 still runs 1 server(s); nothing was changed:\n" +
                "  server oslab-smoke (id srv-1, project p-admin, ACTIVE)\n" +
                "bob2 was not removed: move its servers to another compute (openstack server migrate --live-migration <id>) or delete them, then run the update again; or keep bob2 in openstack-lab:nodes.\n",
        );
        expect(r.svc).to.deep.equal([]);
        expect(requests(api)).to.deep.equal(["GET /compute/v2.1/servers/detail?all_tenants=1&host=bob2"]);
    });

    it("removes an empty compute: disables it, stops its services, deregisters it from nova, neutron and placement", async () => {
        api = await startApi(dir, cloudState());
        const r = runStep(leaveScript(api.env, "bob2", SERVICES, "openstack-lab:nodes", 5), dir);
        expect(r.stderr).to.equal("");
        expect(r.status).to.equal(0);
        expect(r.stdout).to.equal(
            "bob2: no servers; compute service disabled\nbob2: deregistered from nova, placement and neutron\n",
        );
        expect(r.svc).to.deep.equal(["stop nova-compute", "stop neutron-openvswitch-agent"]);
        expect(requests(api)).to.deep.equal([
            "GET /compute/v2.1/servers/detail?all_tenants=1&host=bob2",
            "GET /compute/v2.1/os-services?host=bob2",
            "PUT /compute/v2.1/os-services/svc-bob2",
            "GET /compute/v2.1/os-services?host=bob2",
            "DELETE /compute/v2.1/os-services/svc-bob2",
            "GET /network/v2.0/agents?host=bob2",
            "DELETE /network/v2.0/agents/ag-bob2",
            "GET /placement/resource_providers?name=bob2",
            "GET /compute/v2.1/os-services?host=bob2",
            "GET /network/v2.0/agents?host=bob2",
            "GET /placement/resource_providers?name=bob2",
        ]);
    });

    it("waits for a compute to join and enables a service an earlier removal disabled", async () => {
        const state = cloudState();
        Object.assign(state.services[1], {
            status: "disabled",
            disabled_reason: "openstack-lab: removed from the stack's nodes",
        });
        api = await startApi(dir, state);
        const r = runStep(joinScript(api.env, "bob2", 5), dir);
        expect(r.stderr).to.equal("");
        expect(r.stdout).to.equal("bob2: nova-compute up; agents alive: neutron-openvswitch-agent\n");
        expect(requests(api)).to.deep.equal([
            "GET /compute/v2.1/os-services?host=bob2",
            "GET /network/v2.0/agents?host=bob2",
            "PUT /compute/v2.1/os-services/svc-bob2",
        ]);
    });

    it("fails to join, saying what is missing, when the compute never registers", async () => {
        api = await startApi(dir, cloudState());
        const r = runStep(joinScript(api.env, "bob3", 1), dir);
        expect(r.status).to.equal(1);
        expect(r.stderr).to.equal("bob3 did not join within 1 s: nova-compute not registered, network agents none\n");
    });

    it("fails on a wrong admin password without touching anything", async () => {
        api = await startApi(dir, cloudState());
        const r = runStep(leaveScript(api.env, "bob2", SERVICES, "openstack-lab:nodes", 5), dir, "wrong");
        expect(r.status).to.equal(1);
        expect(r.stderr).to.match(/^POST http:\/\/127\.0\.0\.1:\d+\/identity\/v3\/auth\/tokens: HTTP 401 /);
        expect(r.svc).to.deep.equal([]);
        expect(requests(api)).to.deep.equal([]);
    });
});
