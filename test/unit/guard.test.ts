// The destroy guard: components/guard/oslab-in-use.py run for real (bash + python3) against
// a stand-in openstacksdk (test/unit/fixtures/fake-openstacksdk) holding a used cloud: the
// check lists exactly what users made and stops, purge removes it in OpenStack's order and
// leaves what the program made; the component depends on everything it is given.
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OwnedResources, inUseScript } from "../../components/guard/render";
import { requireTool } from "./tools";

const ENV = [["OS_AUTH_URL", "http://198.51.100.11:5000/v3"]] as const;
const OWNED: OwnedResources = {
    projects: ["admin", "service"],
    users: ["admin", "nova", "neutron"],
    networks: ["ext_net", "private"],
    routers: ["provider-router"],
    images: ["tiny"],
    wait: 5,
};
const KEY = "openstack-lab:purgeOnDestroy";

const OURS = {
    projects: [
        { id: "p-admin", name: "admin" },
        { id: "p-service", name: "service" },
    ],
    users: [
        { id: "u-admin", name: "admin", default_project_id: "p-admin" },
        { id: "u-nova", name: "nova", default_project_id: "p-service" },
        { id: "u-neutron", name: "neutron", default_project_id: "p-service" },
    ],
    networks: [
        { id: "n-ext", name: "ext_net", project_id: "p-admin" },
        { id: "n-priv", name: "private", project_id: "p-admin" },
    ],
    routers: [{ id: "r-prov", name: "provider-router", project_id: "p-admin" }],
    ports: [
        {
            id: "pt-gw",
            name: "",
            project_id: "",
            network_id: "n-ext",
            device_id: "r-prov",
            device_owner: "network:router_gateway",
            fixed_ips: [],
        },
        {
            id: "pt-if",
            name: "",
            project_id: "p-admin",
            network_id: "n-priv",
            device_id: "r-prov",
            device_owner: "network:router_interface",
            fixed_ips: [{ subnet_id: "s-priv" }],
        },
        {
            id: "pt-dhcp",
            name: "",
            project_id: "p-admin",
            network_id: "n-priv",
            device_id: "dhcp1",
            device_owner: "network:dhcp",
            fixed_ips: [],
        },
    ],
    images: [{ id: "i-tiny", name: "tiny", owner_id: "p-admin" }],
    servers: [],
    ips: [],
    volumes: [],
    keypairs: [],
};

/** The dev cloud after a user's session: a project of their own with a server, a floating IP, a router, a network, a volume, an image and a key pair. */
function used() {
    const c = JSON.parse(JSON.stringify(OURS));
    c.projects.push({ id: "p-demo", name: "demo" });
    c.users.push({ id: "u-demo", name: "demo", default_project_id: "p-demo" });
    c.servers.push({ id: "srv1", name: "vm1", project_id: "p-demo" });
    c.ips.push({ id: "fip1", floating_ip_address: "198.51.100.160", project_id: "p-demo" });
    c.routers.push({ id: "r-demo", name: "demo-router", project_id: "p-demo" });
    c.networks.push({ id: "n-demo", name: "demo-net", project_id: "p-demo" });
    c.ports.push(
        {
            id: "pt-vm1",
            name: "",
            project_id: "p-demo",
            network_id: "n-demo",
            device_id: "srv1",
            device_owner: "compute:nova",
            fixed_ips: [],
        },
        {
            id: "pt-rdemo",
            name: "",
            project_id: "p-demo",
            network_id: "n-demo",
            device_id: "r-demo",
            device_owner: "network:router_interface",
            fixed_ips: [{ subnet_id: "s-demo" }],
        },
        {
            id: "pt-rprov-demo",
            name: "",
            project_id: "p-demo",
            network_id: "n-demo",
            device_id: "r-prov",
            device_owner: "network:router_interface",
            fixed_ips: [{ subnet_id: "s-demo2" }],
        },
        {
            id: "pt-loose",
            name: "spare",
            project_id: "p-demo",
            network_id: "n-priv",
            device_id: "",
            device_owner: "",
            fixed_ips: [],
        },
    );
    c.volumes.push({ id: "vol1", name: "data", project_id: "p-demo" });
    c.images.push({ id: "i-cirros", name: "cirros", owner_id: "p-demo" });
    c.keypairs.push({ name: "demo-key", user_id: "u-demo" });
    return c;
}

function runGuard(mode: "report" | "check" | "purge", cloud: unknown, owned: OwnedResources = OWNED) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-guard-"));
    const file = path.join(dir, "cloud.json");
    fs.writeFileSync(file, JSON.stringify(cloud));
    const r = spawnSync("bash", ["-c", `set -euo pipefail\n${inUseScript(mode, ENV, owned, KEY)}`], {
        input: "s3cret\n",
        encoding: "utf8",
        env: {
            ...process.env,
            FAKE_CLOUD: file,
            PYTHONPATH: path.join(__dirname, "fixtures", "fake-openstacksdk"),
        },
    });
    const log = fs.existsSync(`${file}.log`) ? fs.readFileSync(`${file}.log`, "utf8").trim().split("\n") : [];
    return {
        status: r.status,
        stdout: r.stdout,
        stderr: r.stderr,
        cloud: JSON.parse(fs.readFileSync(file, "utf8")),
        log,
    };
}

const FOUND = [
    "found server vm1 (project demo)",
    "found floating IP 198.51.100.160 (project demo)",
    "found router demo-router (project demo)",
    "found network demo-net (project demo)",
    "found port spare (project demo)",
    "found volume data (project demo)",
    "found image cirros (project demo)",
    "found key pair demo-key (user demo)",
    "found project demo (project demo)",
    "found user demo (project demo)",
];

describe("destroy guard (oslab-in-use.py with a stand-in openstacksdk)", function () {
    this.timeout(20000);
    before(() => requireTool("python3"));
    it("finds nothing in a cloud that holds only what the program made", () => {
        const r = runGuard("check", OURS);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stderr).to.equal("");
        expect(r.log).to.deep.equal([]);
    });

    it("check: lists exactly what users made, names the key, fails, deletes nothing", () => {
        const r = runGuard("check", used());
        expect(r.status).to.equal(3);
        expect(r.stderr.trim().split("\n")).to.deep.equal([
            ...FOUND,
            "destroy stopped before deleting anything: the cloud holds what users made (listed above).",
            `Delete it, or let destroy purge it: pulumi config set ${KEY} true && pulumi up && pulumi destroy`,
        ]);
        expect(r.log).to.deep.equal([]);
        expect(r.cloud).to.deep.equal(used());
    });

    it("report (create): the same list on stdout, never fails", () => {
        const r = runGuard("report", used());
        expect(r.status).to.equal(0);
        expect(r.stdout.trim().split("\n")).to.deep.equal(FOUND);
    });

    it("purge: servers first, then floating IPs, routers, ports, networks, volumes, images, key pairs, projects, users; ours stay", () => {
        const r = runGuard("purge", used());
        expect(r.status, r.stderr).to.equal(0);
        expect(r.log).to.deep.equal([
            "delete servers srv1",
            "delete ips fip1",
            "delete ports pt-rprov-demo",
            "delete ports pt-rdemo",
            "gateway-clear r-demo",
            "delete routers r-demo",
            "delete ports pt-loose",
            "delete ports pt-vm1",
            "delete networks n-demo",
            "delete volumes vol1",
            "delete images i-cirros",
            "delete keypairs demo-key",
            "delete projects p-demo",
            "delete users u-demo",
        ]);
        expect(r.cloud).to.deep.equal(OURS);
    });

    // config `demo` (components/demo): its project, user and key pair are the program's; what
    // the demo user made in it is still the users'
    const WITH_DEMO: OwnedResources = {
        ...OWNED,
        projects: [...OWNED.projects, "demo"],
        users: [...OWNED.users, "demo"],
        keypairs: [{ user: "demo", name: "demo-key" }],
    };
    const DEMOS = new Set([
        "found key pair demo-key (user demo)",
        "found project demo (project demo)",
        "found user demo (project demo)",
    ]);

    it("with the demo project: reports what the demo user made, never the project, the user or their imported key pair", () => {
        const r = runGuard("check", used(), WITH_DEMO);
        expect(r.status).to.equal(3);
        expect(r.stderr.trim().split("\n").slice(0, -2)).to.deep.equal(FOUND.filter((l) => !DEMOS.has(l)));
        const other = used();
        other.keypairs.push({ name: "laptop", user_id: "u-demo" });
        expect(runGuard("report", other, WITH_DEMO).stdout).to.contain("found key pair laptop (user demo)\n");
    });

    it("with the demo project: purge removes what the demo user made and leaves the project, the user and the key pair", () => {
        const r = runGuard("purge", used(), WITH_DEMO);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.log.filter((l) => / (projects|users|keypairs) /.test(l))).to.deep.equal([]);
        const left = JSON.parse(JSON.stringify(OURS));
        left.projects.push({ id: "p-demo", name: "demo" });
        left.users.push({ id: "u-demo", name: "demo", default_project_id: "p-demo" });
        left.keypairs.push({ name: "demo-key", user_id: "u-demo" });
        expect(r.cloud).to.deep.equal(left);
    });
});
