// The optional demo project (config key `demo`, components/demo): config validation with
// the exact messages; in the cloud, for every release, exactly the component, its one step
// and the generated password with `demo` set (nothing without it), the spec and the openrc
// each release gets, no secret in a command, the same registrations in preview, the guard
// counting the project, user and key pair as the program's; and the on-host program
// (components/demo/oslab-demo.py) run for real (bash + python3, and python 2.7 where
// present: Folsom's interpreter) against a stand-in of Keystone v3 / v2.0, Nova and
// Neutron / Quantum (test/unit/fixtures/fake-demo-cloud.py): create twice, update in
// place, delete exactly what it made, refuse a delete while users' things are left.
import { expect } from "chai";
import { ChildProcess, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { buildCloud } from "../../components/cloud";
import { demoScript, demoSecrets, demoSpec } from "../../components/demo/render";
import { RELEASE_PROFILES } from "../../components/release/registry";
import { script } from "../../components/shared/script";
import { RawConfig, formatProblems, loadConfig, validateConfig } from "../../config";
import { devConfig, find, readStackFile, RELEASE_CONFIGS, run, startFixture, TEST_SECRETS, unwrap } from "./harness";
import { requireTool } from "./tools";

/** An OpenSSH public key line of `type` whose blob is well-formed (RFC 4253 §6.6), `fill` varying the key. */
function pubKey(type: string, fill: number, comment = "user@example"): string {
    const u32 = (n: number) => {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(n);
        return b;
    };
    const t = Buffer.from(type);
    const body = Buffer.alloc(32, fill);
    return `${type} ${Buffer.concat([u32(t.length), t, u32(body.length), body]).toString("base64")} ${comment}`;
}

const ED_KEY = pubKey("ssh-ed25519", 1);
const RSA_KEY = pubKey("ssh-rsa", 2);

// ---------------------------------------------------------------------------------------
// Config

const dev = (): RawConfig => JSON.parse(JSON.stringify(readStackFile("Pulumi.dev.yaml")));
const WITH_KEY = new Set(["sshPrivateKey"]);
const validate = (change: RawConfig) => validateConfig({ ...dev(), ...change }, WITH_KEY);
const problems = (change: RawConfig) => validate(change).problems.map((p) => `${p.key}: ${p.message}`);

describe("config key demo", () => {
    it("is off unless set; true, {} and a partial object get the defaults; the key is trimmed", () => {
        expect(validate({}).config!.demo).to.equal(undefined);
        expect(validate({ demo: false }).config!.demo).to.equal(undefined);
        const defaults = { project: "demo", user: "demo", keyName: "demo-key" };
        expect(validate({ demo: true }).config!.demo).to.deep.equal(defaults);
        expect(validate({ demo: {} }).config!.demo).to.deep.equal(defaults);
        expect(validate({ demo: { user: "alice-demo", publicKey: ` ${RSA_KEY}\n` } }).config!.demo).to.deep.equal({
            project: "demo",
            user: "alice-demo",
            keyName: "demo-key",
            publicKey: RSA_KEY,
        });
        expect(validate({ release: "zed", demo: { publicKey: ED_KEY } }).problems).to.deep.equal([]);
    });

    it("rejects bad names, unknown fields and the program's own projects and users, naming the key", () => {
        expect(problems({ demo: { project: "my demo", user: "", keyName: "a/b", quota: 3 } })).to.deep.equal([
            "demo.project: project names are 1-64 letters, digits, _ . -; " +
                'give { project?, user?, publicKey?, keyName? } (or true: project and user demo), e.g. pulumi config set --path openstack-lab:demo.publicKey "$(cat ~/.ssh/id_ed25519.pub)"',
            "demo.user: user names are 1-64 letters, digits, _ . -; " +
                'give { project?, user?, publicKey?, keyName? } (or true: project and user demo), e.g. pulumi config set --path openstack-lab:demo.publicKey "$(cat ~/.ssh/id_ed25519.pub)"',
            "demo.keyName: key pair names are 1-64 letters, digits, _ . -; " +
                'give { project?, user?, publicKey?, keyName? } (or true: project and user demo), e.g. pulumi config set --path openstack-lab:demo.publicKey "$(cat ~/.ssh/id_ed25519.pub)"',
            "demo: unrecognized key(s) in object: 'quota'; " +
                'give { project?, user?, publicKey?, keyName? } (or true: project and user demo), e.g. pulumi config set --path openstack-lab:demo.publicKey "$(cat ~/.ssh/id_ed25519.pub)"',
        ]);
        expect(problems({ demo: { project: "service", user: "neutron" } })).to.deep.equal([
            'demo.project: "service" is a project the program makes for itself (admin, service); choose another name',
            'demo.user: "neutron" is a user the program makes for itself (admin, nova, glance, quantum, neutron, cinder, placement); choose another name',
        ]);
    });

    it("rejects what is not an OpenSSH public key Nova imports, with the fix", () => {
        const example = 'give one line "<type> <base64> [comment]", e.g. the content of ~/.ssh/id_ed25519.pub';
        const cases: [string, string][] = [
            ["not a key", `is not an OpenSSH public key: ${example}`],
            ["AAAAC3NzaC1lZDI1NTE5", `is not an OpenSSH public key: ${example}`],
            [`${ED_KEY}\n${RSA_KEY}`, `is not an OpenSSH public key: ${example}`],
            [`from="10.0.0.1" ${ED_KEY}`, `is not an OpenSSH public key: ${example}`],
            [
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
                "is a private key; give the public key (the .pub file next to it), and remove the private key from the stack config",
            ],
            [
                pubKey("ssh-dss", 3),
                'key type "ssh-dss" is not one Nova imports; use one of ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521',
            ],
            [
                `ssh-rsa ${ED_KEY.split(" ")[1]}`,
                `the key data is not a ssh-rsa key (cut short or mixed up?): ${example}`,
            ],
            [
                `ssh-ed25519 ${ED_KEY.split(" ")[1].slice(0, 12)}`,
                `the key data is not a ssh-ed25519 key (cut short or mixed up?): ${example}`,
            ],
        ];
        for (const [key, message] of cases) {
            expect(problems({ release: "zed", demo: { publicKey: key } }), key).to.deep.equal([
                `demo.publicKey: ${message}`,
            ]);
        }
        expect(problems({ release: "folsom", demo: { publicKey: ED_KEY } })).to.deep.equal([
            "demo.publicKey: folsom's Nova reads keys with OpenSSH 5.9 (Ubuntu 12.04), which has no ssh-ed25519; use an RSA or ECDSA key (ssh-keygen -t rsa)",
        ]);
        expect(problems({ release: "folsom", demo: { publicKey: pubKey("ecdsa-sha2-nistp256", 4) } })).to.deep.equal(
            [],
        );
    });

    it("loadConfig reads it as pulumi config set stores it (true, or JSON text)", () => {
        const stack = (demo: string) => {
            const all: Record<string, string> = { "openstack-lab:sshPrivateKey": "KEY", "openstack-lab:demo": demo };
            for (const [k, v] of Object.entries(dev())) {
                all[`openstack-lab:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
            }
            pulumi.runtime.setAllConfig(all, ["openstack-lab:sshPrivateKey"]);
            return loadConfig().demo;
        };
        try {
            expect(stack("true")).to.deep.equal({ project: "demo", user: "demo", keyName: "demo-key" });
            expect(stack(JSON.stringify({ project: "p1", publicKey: RSA_KEY }))).to.deep.equal({
                project: "p1",
                user: "demo",
                keyName: "demo-key",
                publicKey: RSA_KEY,
            });
            expect(() => stack(JSON.stringify({ publicKey: "ssh-rsa" }))).to.throw(
                "openstack-lab:demo.publicKey: is not an OpenSSH public key",
            );
        } finally {
            pulumi.runtime.setAllConfig({});
        }
    });

    it("rotates demoPassword only where there is a demo user, and reports it the way loadConfig prints it", () => {
        expect(problems({ demo: true, secretRotation: { demoPassword: 2 } })).to.deep.equal([]);
        const { problems: p } = validate({ secretRotation: { demoPassword: 1 } });
        expect(formatProblems(p)).to.equal(
            "invalid stack configuration (1 problem):\n" +
                "  - openstack-lab:secretRotation.demoPassword: there is no demo project to rotate it for (config key demo); remove the entry, or set demo",
        );
    });
});

// ---------------------------------------------------------------------------------------
// The component in the cloud, under mocks

interface ExpectedSpec {
    dialect: string;
    identityUrl: string;
    role: string;
    access: string;
    securityGroups: string;
    openrc: string;
}

const EXPECTED: Record<string, ExpectedSpec> = {
    folsom: {
        dialect: "v2.0",
        identityUrl: "http://192.168.122.111:35357/v2.0",
        role: "Member",
        access: "shared",
        securityGroups: "nova",
        openrc: `OS_AUTH_URL="http://192.168.122.111:5000/v2.0/"
OS_PASSWORD="GENERATEDSECRET"
OS_TENANT_NAME="demo"
OS_USERNAME="demo"
OS_NO_CACHE=1

export OS_AUTH_URL OS_PASSWORD
export OS_TENANT_NAME OS_USERNAME
export OS_NO_CACHE
`,
    },
    zed: {
        dialect: "v3",
        identityUrl: "http://192.168.122.111:5000/v3",
        role: "member",
        access: "rbac",
        securityGroups: "neutron",
        openrc: `OS_AUTH_URL="http://192.168.122.111:5000/v3"
OS_PASSWORD="GENERATEDSECRET"
OS_PROJECT_NAME="demo"
OS_USERNAME="demo"
OS_USER_DOMAIN_NAME="Default"
OS_PROJECT_DOMAIN_NAME="Default"
OS_IDENTITY_API_VERSION=3
OS_NO_CACHE=1

export OS_AUTH_URL OS_PASSWORD
export OS_PROJECT_NAME OS_USERNAME
export OS_USER_DOMAIN_NAME OS_PROJECT_DOMAIN_NAME
export OS_IDENTITY_API_VERSION OS_NO_CACHE
`,
    },
};
EXPECTED.epoxy = EXPECTED.zed;

const withDemo =
    (change: (c: RawConfig) => RawConfig, demo: unknown = { publicKey: RSA_KEY }) =>
    (c: RawConfig) => ({ ...change(c), demo });

for (const [release, change] of RELEASE_CONFIGS) {
    describe(`demo project in the cloud (${release})`, function () {
        this.timeout(120000);
        const e = EXPECTED[release];
        const deps = new Map<string, string[]>();
        let on: Awaited<ReturnType<typeof run>>;
        let off: Awaited<ReturnType<typeof run>>;
        let outputs: Record<string, pulumi.Input<unknown>> = {};
        before(async () => {
            off = await run(() => buildCloud(devConfig(change)));
            on = await run(
                () => {
                    outputs = buildCloud(devConfig(withDemo(change))) as Record<string, pulumi.Input<unknown>>;
                    return outputs;
                },
                { dependencies: deps },
            );
        });
        const ids = (r: typeof on) => r.resources.map((x) => `${x.type} ${x.name}`);

        it("registers nothing and exports nothing without the key", () => {
            expect(ids(off).filter((n) => /demo/.test(n))).to.deep.equal([]);
            expect(Object.keys(off.outputs).filter((k) => k.startsWith("demo"))).to.deep.equal([]);
        });

        it("with the key: exactly the component, its step and the generated password, nothing else changed", () => {
            expect(
                ids(on)
                    .filter((n) => !ids(off).includes(n))
                    .sort(),
            ).to.deep.equal([
                "command:remote:Command demo-project",
                "oslab:identity:DemoProject demo",
                "random:index/randomPassword:RandomPassword secrets-demo-password",
            ]);
            const changed = on.resources
                .filter((r) => r.name !== "in-use-check")
                .filter((r) => {
                    const before = off.resources.find((x) => x.name === r.name && x.type === r.type);
                    return before && JSON.stringify(unwrap(before.inputs)) !== JSON.stringify(unwrap(r.inputs));
                })
                .map((r) => r.name);
            expect(changed).to.deep.equal([]);
        });

        it("runs the program on the controller with the release's spec; both passwords only on stdin", () => {
            const i = unwrap(find(on.resources, "demo-project").inputs);
            const spec = {
                dialect: e.dialect,
                identityUrl: e.identityUrl,
                region: "RegionOne",
                domain: "default",
                admin: { user: "admin", project: "admin" },
                project: "demo",
                user: "demo",
                role: e.role,
                network: { name: "private", access: e.access },
                securityGroups: e.securityGroups,
                rules: [{ protocol: "icmp" }, { protocol: "tcp", port: 22 }],
                keypair: { name: "demo-key", publicKey: RSA_KEY },
                record: "/var/lib/openstack-lab/demo.json",
                wait: 180,
            };
            const text = i.create.split("OSLAB_DEMO_PY\n").pop().split("\nOSLAB_DEMO_SPEC")[0];
            expect(JSON.parse(text)).to.deep.equal(spec);
            expect(i.create).to.equal(script(demoScript("apply", JSON.stringify(spec))));
            expect(i.delete).to.equal(script(demoScript("delete", JSON.stringify(spec))));
            expect(i.connection.host).to.equal("192.168.122.111");
            expect(JSON.parse(i.stdin)).to.deep.equal({ admin: "GENERATEDSECRET", demo: "GENERATEDSECRET" });
            expect(i.triggers).to.deep.equal(["demo", "demo", "private"]);
            expect(i.logging).to.equal("stderr");
            for (const s of [TEST_SECRETS.generated, TEST_SECRETS.sshPrivateKey]) {
                expect(`${i.create}\n${i.delete}`).not.to.contain(s);
            }
        });

        it("runs after Keystone, the tenant network and the compute API", () => {
            const d = deps.get("demo-project") ?? [];
            const network = release === "folsom" ? "quantum" : "neutron";
            expect(d).to.include.members(["keystone-verify", `${network}-networks`, "nova-check"]);
        });

        it("exports the demo user's openrc (secret) and the project", async () => {
            expect(on.outputs.demoOpenrc).to.equal(e.openrc);
            expect(on.outputs.demoProject).to.equal("demo");
            expect(await pulumi.isSecret(pulumi.output(outputs.demoOpenrc))).to.equal(true);
        });

        if (RELEASE_PROFILES[release].destroyGuard) {
            it("the destroy guard runs before it and counts its project, user and key pair as the program's", () => {
                expect(deps.get("in-use-check")).to.include("demo-project");
                const i = unwrap(find(on.resources, "in-use-check").inputs);
                const owned = JSON.parse(i.delete.split("OSLAB_IN_USE_PY\n").pop().split("\nOSLAB_IN_USE_SPEC")[0]);
                const service = release === "folsom" ? "quantum" : "neutron";
                expect(owned.projects).to.deep.equal(["admin", "service", "demo"]);
                expect(owned.users).to.deep.equal(["admin", "nova", "glance", service, "cinder", "placement", "demo"]);
                expect(owned.keypairs).to.deep.equal([{ user: "demo", name: "demo-key" }]);
                const without = unwrap(find(off.resources, "in-use-check").inputs);
                expect(without.delete.split("OSLAB_IN_USE_PY\n").pop()).not.to.contain('"keypairs"');
            });
        } else {
            it("has no destroy guard (Folsom): its own delete checks the project first", () => {
                expect(on.resources.filter((r) => r.name === "in-use-check")).to.deep.equal([]);
            });
        }

        it("registers the same in preview", async () => {
            const preview = await run(() => buildCloud(devConfig(withDemo(change))), { preview: true });
            expect(ids(preview).sort()).to.deep.equal(ids(on).sort());
        });

        it("its scripts parse and pass shellcheck", () => {
            requireTool("shellcheck");
            const i = unwrap(find(on.resources, "demo-project").inputs);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-demo-sc-"));
            const files = ["create", "delete"].map((k) => {
                const f = path.join(dir, `${k}.sh`);
                fs.writeFileSync(f, `#!/bin/bash\n${i[k]}`);
                expect(spawnSync("bash", ["-n", f]).status, k).to.equal(0);
                return f;
            });
            const r = spawnSync("shellcheck", ["-s", "bash", "-S", "warning", "-e", "SC2016", ...files]);
            fs.rmSync(dir, { recursive: true, force: true });
            expect(r.stdout.toString()).to.equal("");
        });
    });
}

describe("demo project: names and rotation", function () {
    this.timeout(60000);
    it("takes the configured names, no key pair without a key, and rotates its password with secretRotation", async () => {
        const res = await run(() =>
            buildCloud(
                devConfig((c) => ({
                    ...c,
                    release: "zed",
                    demo: { project: "tenant1", user: "alice1" },
                    secretRotation: { demoPassword: 2 },
                })),
            ),
        );
        const i = unwrap(find(res.resources, "demo-project").inputs);
        const spec = JSON.parse(i.create.split("OSLAB_DEMO_PY\n").pop().split("\nOSLAB_DEMO_SPEC")[0]);
        expect([spec.project, spec.user, spec.keypair]).to.deep.equal(["tenant1", "alice1", null]);
        expect(i.triggers).to.deep.equal(["tenant1", "alice1", "private"]);
        expect(unwrap(find(res.resources, "secrets-demo-password").inputs).keepers).to.deep.equal({ rotation: "2" });
        expect(unwrap(find(res.resources, "secrets-admin-password").inputs).keepers).to.equal(undefined);
        const owned = JSON.parse(
            unwrap(find(res.resources, "in-use-check").inputs)
                .delete.split("OSLAB_IN_USE_PY\n")
                .pop()
                .split("\nOSLAB_IN_USE_SPEC")[0],
        );
        expect([owned.projects, owned.users.slice(-1), owned.keypairs]).to.deep.equal([
            ["admin", "service", "tenant1"],
            ["alice1"],
            undefined,
        ]);
        expect(res.outputs.demoOpenrc).to.contain('OS_PROJECT_NAME="tenant1"\nOS_USERNAME="alice1"\n');
    });
});

// ---------------------------------------------------------------------------------------
// The program, for real, against the stand-in cloud

const FIXTURE = path.join(__dirname, "fixtures", "fake-demo-cloud.py");
const ADMIN_PW = "s3cret-admin";
const DEMO_PW = "demo-pass-1";
const PY_LINE = "py=$(command -v python3 || command -v python)";

/** The first python 2 found, if any (the Folsom hosts' interpreter; Debian 12 has none to install). */
const PYTHON2 = ["python2.7", "/root/.pyenv/versions/2.7.18/bin/python"].find(
    (p) => spawnSync(p, ["-c", "import sys; print(sys.version_info[0])"]).stdout?.toString().trim() === "2",
);
/**
 * Who runs the program: python3 for both dialects; python 2.7 (where present) for v2.0 only,
 * the Folsom hosts' interpreter (Debian 12 and 13 have no python 2).
 */
const RUNS: [string, string, "v3" | "v2.0"][] = [
    ["python3", "python3", "v3"],
    ["python3", "python3", "v2.0"],
    ...(PYTHON2 ? [[PYTHON2, "python 2.7", "v2.0"] as [string, string, "v2.0"]] : []),
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type State = any;

/** The admin's cloud before the demo project: what Keystone's data, the networks and the guard's tests know. */
function baseState(dialect: "v3" | "v2.0"): State {
    const own = (id: string) => (dialect === "v3" ? { project_id: id } : { tenant_id: id });
    return {
        dialect,
        projects: [
            { id: "p-admin", name: "admin" },
            { id: "p-service", name: "service" },
        ],
        users: [{ id: "u-admin", name: "admin", password: ADMIN_PW, default_project_id: "p-admin" }],
        roles:
            dialect === "v3"
                ? [
                      { id: "r-admin", name: "admin" },
                      { id: "r-member", name: "member" },
                      { id: "r-reader", name: "reader" },
                  ]
                : [
                      { id: "r-admin", name: "admin" },
                      { id: "r-member", name: "Member" },
                  ],
        grants: [["u-admin", "p-admin", "r-admin"]],
        networks: [
            { id: "n-ext", name: "ext_net", shared: false, "router:external": true, ...own("p-admin") },
            { id: "n-priv", name: "private", shared: false, ...own("p-admin") },
        ],
        rbac:
            dialect === "v3"
                ? [
                      {
                          id: "rbac-ext",
                          object_type: "network",
                          object_id: "n-ext",
                          action: "access_as_external",
                          target_tenant: "*",
                      },
                  ]
                : [],
        security_groups: [],
        nova_groups: [],
        keypairs: [],
        servers: [],
        floatingips: [],
        routers: [{ id: "r-prov", name: "provider-router", ...own("p-admin") }],
        ports: [
            {
                id: "pt-if",
                name: "",
                network_id: "n-priv",
                device_owner: "network:router_interface",
                device_id: "r-prov",
                ...own("p-admin"),
            },
        ],
    };
}

interface Cloud {
    readonly dir: string;
    readonly port: string;
    readonly proc: ChildProcess;
    readonly stateFile: string;
    readonly log: string;
}

async function startCloud(dir: string, state: State): Promise<Cloud> {
    const stateFile = path.join(dir, "cloud.json");
    const log = path.join(dir, "requests.log");
    const { port, proc } = await startFixture(FIXTURE, stateFile, log, state);
    return { dir, port, proc, stateFile, log };
}

const release = (dialect: "v3" | "v2.0") => (dialect === "v3" ? "zed" : "folsom");

function spec(cloud: Cloud, dialect: "v3" | "v2.0", keypair: { name: string; publicKey: string } | null) {
    const s = JSON.parse(
        demoSpec({
            dialect,
            identityUrl: `http://127.0.0.1:${cloud.port}/identity/${dialect}`,
            region: "RegionOne",
            profile: RELEASE_PROFILES[release(dialect)].demo,
            demo: {
                project: "demo",
                user: "demo",
                keyName: keypair?.name ?? "demo-key",
                publicKey: keypair?.publicKey,
            },
            tenantNetwork: "private",
            record: path.join(cloud.dir, "state", "demo.json"),
        }),
    );
    return { ...s, wait: 5 };
}

/** Run a step body as the host would, with `python`; the passwords on stdin. */
function runDemo(
    cloud: Cloud,
    python: string,
    mode: "apply" | "delete",
    s: object,
    passwords: { admin: string; demo: string } = { admin: ADMIN_PW, demo: DEMO_PW },
) {
    fs.writeFileSync(cloud.log, "");
    const body = demoScript(mode, JSON.stringify(s));
    expect(body).to.contain(PY_LINE);
    const r = spawnSync("bash", ["-c", `set -euo pipefail\n${body.replace(PY_LINE, `py=${python}`)}`], {
        input: demoSecrets(passwords.admin, passwords.demo),
        encoding: "utf8",
    });
    const lines = fs.readFileSync(cloud.log, "utf8").trim().split("\n").filter(Boolean);
    return {
        status: r.status,
        stdout: r.stdout,
        stderr: r.stderr,
        /** Every request that changes something (logins left out). */
        changes: lines.filter((l) => !l.startsWith("GET ") && !/^POST \S*tokens /.test(l)),
        requests: lines,
    };
}

const cloudState = (cloud: Cloud): State => JSON.parse(fs.readFileSync(cloud.stateFile, "utf8"));
const record = (cloud: Cloud) => JSON.parse(fs.readFileSync(path.join(cloud.dir, "state", "demo.json"), "utf8"));

/** What one run of apply leaves on the stand-in, per dialect (IDs as the stand-in hands them out). */
const CREATED = {
    v3: {
        stdout: [
            "created project demo (p-1)",
            "created user demo (u-2)",
            "gave demo the role member in demo",
            "shared network private with project demo (RBAC policy rbac-3)",
            "allowed icmp in security group default of demo (rule sgr-7)",
            "allowed tcp 22 in security group default of demo (rule sgr-8)",
            "imported key pair demo-key for user demo",
        ],
        changes: [
            "POST /identity/v3/projects as admin",
            "POST /identity/v3/users as admin",
            "PUT /identity/v3/projects/p-1/users/u-2/roles/r-member as admin",
            "POST /network/v2.0/rbac-policies as admin",
            "POST /network/v2.0/security-group-rules as demo",
            "POST /network/v2.0/security-group-rules as demo",
            "POST /compute/v2.1/os-keypairs as demo",
        ],
        record: {
            project: { id: "p-1", name: "demo" },
            user: { id: "u-2", name: "demo" },
            grant: {
                user: "u-2",
                project: "p-1",
                role: "r-member",
                userName: "demo",
                projectName: "demo",
                roleName: "member",
            },
            rbac: "rbac-3",
            shared: null,
            group: "sg-4",
            rules: ["sgr-7", "sgr-8"],
            keypair: { name: "demo-key", user: "demo" },
        },
    },
    "v2.0": {
        stdout: [
            "created project demo (p-1)",
            "created user demo (u-2)",
            "gave demo the role Member in demo",
            "set network private shared",
            "allowed icmp in security group default of demo (rule 1002)",
            "allowed tcp 22 in security group default of demo (rule 1003)",
            "imported key pair demo-key for user demo",
        ],
        changes: [
            "POST /identity/v2.0/tenants as admin",
            "POST /identity/v2.0/users as admin",
            "PUT /identity/v2.0/tenants/p-1/users/u-2/roles/OS-KSADM/r-member as admin",
            "PUT /network/v2.0/networks/n-priv as admin",
            "POST /compute/v2/p-1/os-security-group-rules as demo",
            "POST /compute/v2/p-1/os-security-group-rules as demo",
            "POST /compute/v2/p-1/os-keypairs as demo",
        ],
        record: {
            project: { id: "p-1", name: "demo" },
            user: { id: "u-2", name: "demo" },
            grant: {
                user: "u-2",
                project: "p-1",
                role: "r-member",
                userName: "demo",
                projectName: "demo",
                roleName: "Member",
            },
            rbac: null,
            shared: "n-priv",
            group: null,
            rules: [1002, 1003],
            keypair: { name: "demo-key", user: "demo" },
        },
    },
} as const;

for (const [python, pythonName, dialect] of RUNS) {
    const what =
        dialect === "v3"
            ? "Keystone v3, Neutron RBAC and security groups"
            : "Keystone v2.0, Quantum shared, Nova security groups";
    describe(`demo program (${pythonName}; ${what})`, function () {
        this.timeout(30000);
        let dir: string;
        let cloud: Cloud | undefined;
        before(() => requireTool("python3"));
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-demo-"));
        });
        afterEach(() => {
            cloud?.proc.kill();
            cloud = undefined;
            fs.rmSync(dir, { recursive: true, force: true });
        });
        const c = CREATED[dialect];
        const key1 = { name: "demo-key", publicKey: RSA_KEY };

        /** The demo project as apply leaves it in the stand-in's state. */
        function expectCreated(st: State, key: string) {
            expect(st.projects.map((p: State) => p.name)).to.deep.equal(["admin", "service", "demo"]);
            expect(st.users.map((u: State) => [u.name, u.password, u.default_project_id])).to.deep.equal([
                ["admin", ADMIN_PW, "p-admin"],
                ["demo", DEMO_PW, "p-1"],
            ]);
            expect(st.grants).to.deep.equal([
                ["u-admin", "p-admin", "r-admin"],
                ["u-2", "p-1", "r-member"],
            ]);
            expect(st.keypairs).to.deep.equal([{ user_id: "u-2", name: "demo-key", public_key: key }]);
            if (dialect === "v3") {
                expect(st.rbac.slice(1)).to.deep.equal([
                    {
                        id: "rbac-3",
                        object_type: "network",
                        object_id: "n-priv",
                        action: "access_as_shared",
                        target_tenant: "p-1",
                    },
                ]);
                expect(st.networks[1].shared).to.equal(false);
                const group = st.security_groups.find((g: State) => g.project_id === "p-1");
                expect(
                    group.security_group_rules
                        .filter((r: State) => r.remote_ip_prefix)
                        .map((r: State) => [
                            r.direction,
                            r.ethertype,
                            r.protocol,
                            r.port_range_min,
                            r.port_range_max,
                            r.remote_ip_prefix,
                        ]),
                ).to.deep.equal([
                    ["ingress", "IPv4", "icmp", null, null, "0.0.0.0/0"],
                    ["ingress", "IPv4", "tcp", 22, 22, "0.0.0.0/0"],
                ]);
            } else {
                expect(st.networks[1].shared).to.equal(true);
                expect(st.nova_groups).to.deep.equal([
                    {
                        id: 100,
                        name: "default",
                        description: "default",
                        tenant_id: "p-1",
                        rules: [
                            {
                                id: 1002,
                                parent_group_id: 100,
                                ip_protocol: "icmp",
                                from_port: -1,
                                to_port: -1,
                                ip_range: { cidr: "0.0.0.0/0" },
                                group: {},
                            },
                            {
                                id: 1003,
                                parent_group_id: 100,
                                ip_protocol: "tcp",
                                from_port: 22,
                                to_port: 22,
                                ip_range: { cidr: "0.0.0.0/0" },
                                group: {},
                            },
                        ],
                    },
                ]);
            }
        }

        it("creates the project, user, role, network access, rules and key pair; a second run changes nothing", async () => {
            cloud = await startCloud(dir, baseState(dialect));
            const first = runDemo(cloud, python, "apply", spec(cloud, dialect, key1));
            expect(first.stderr).to.equal("");
            expect(first.status).to.equal(0);
            expect(first.stdout.trim().split("\n")).to.deep.equal(c.stdout);
            expect(first.changes).to.deep.equal(c.changes);
            expectCreated(cloudState(cloud), RSA_KEY);
            expect(record(cloud)).to.deep.equal(c.record);
            expect(fs.statSync(path.join(dir, "state", "demo.json")).mode & 0o777).to.equal(0o600);
            // no request ever carries a password in its URL
            expect(first.requests.filter((l) => l.includes(DEMO_PW) || l.includes(ADMIN_PW))).to.deep.equal([]);

            const second = runDemo(cloud, python, "apply", spec(cloud, dialect, key1));
            expect(second.status, second.stderr).to.equal(0);
            expect(second.stdout).to.equal("");
            expect(second.changes).to.deep.equal([]);
            expect(record(cloud)).to.deep.equal(c.record);
        });

        it("updates in place: a rotated password, a changed key, a renamed key pair, a removed key", async () => {
            cloud = await startCloud(dir, baseState(dialect));
            runDemo(cloud, python, "apply", spec(cloud, dialect, key1));
            const key2 = { name: "demo-key", publicKey: pubKey("ssh-rsa", 9) };
            const r1 = runDemo(cloud, python, "apply", spec(cloud, dialect, key2), {
                admin: ADMIN_PW,
                demo: "demo-pass-2",
            });
            expect(r1.status, r1.stderr).to.equal(0);
            expect(r1.stdout.trim().split("\n")).to.deep.equal([
                "set the password of user demo",
                "removed key pair demo-key of user demo",
                "imported key pair demo-key for user demo",
            ]);
            let st = cloudState(cloud);
            expect(st.users[1].password).to.equal("demo-pass-2");
            expect(st.keypairs).to.deep.equal([{ user_id: "u-2", name: "demo-key", public_key: key2.publicKey }]);

            // the same key with another comment is the same key
            const sameKey = { name: "demo-key", publicKey: key2.publicKey.replace("user@example", "other") };
            const r2 = runDemo(cloud, python, "apply", spec(cloud, dialect, sameKey), {
                admin: ADMIN_PW,
                demo: "demo-pass-2",
            });
            expect([r2.status, r2.stdout, r2.changes]).to.deep.equal([0, "", []]);

            const renamed = { name: "laptop", publicKey: key2.publicKey };
            const r3 = runDemo(cloud, python, "apply", spec(cloud, dialect, renamed), {
                admin: ADMIN_PW,
                demo: "demo-pass-2",
            });
            expect(r3.stdout.trim().split("\n")).to.deep.equal([
                "removed key pair demo-key of user demo",
                "imported key pair laptop for user demo",
            ]);
            expect(cloudState(cloud).keypairs.map((k: State) => k.name)).to.deep.equal(["laptop"]);

            const r4 = runDemo(cloud, python, "apply", spec(cloud, dialect, null), {
                admin: ADMIN_PW,
                demo: "demo-pass-2",
            });
            expect(r4.stdout.trim().split("\n")).to.deep.equal(["removed key pair laptop of user demo"]);
            st = cloudState(cloud);
            expect(st.keypairs).to.deep.equal([]);
            expect(record(cloud).keypair).to.equal(null);
            expect(st.projects.map((p: State) => p.name)).to.deep.equal(["admin", "service", "demo"]);
        });

        it("delete removes exactly what it made, in OpenStack's order; a second delete finds nothing recorded", async () => {
            cloud = await startCloud(dir, baseState(dialect));
            runDemo(cloud, python, "apply", spec(cloud, dialect, key1));
            const r = runDemo(cloud, python, "delete", spec(cloud, dialect, key1));
            expect(r.stderr).to.equal("");
            expect(r.status).to.equal(0);
            const st = cloudState(cloud);
            const base = baseState(dialect);
            if (dialect === "v3") {
                expect(r.stdout.trim().split("\n")).to.deep.equal([
                    "removed key pair demo-key of user demo",
                    "removed rule sgr-7 from security group default of demo",
                    "removed rule sgr-8 from security group default of demo",
                    "removed security group default of demo (sg-4)",
                    "removed RBAC policy rbac-3 (network private for project demo)",
                    "took the role member of demo in demo",
                    "removed user demo",
                    "removed project demo",
                ]);
                expect(r.changes).to.deep.equal([
                    "DELETE /compute/v2.1/os-keypairs/demo-key as demo",
                    "DELETE /network/v2.0/security-group-rules/sgr-7 as admin",
                    "DELETE /network/v2.0/security-group-rules/sgr-8 as admin",
                    "DELETE /network/v2.0/security-groups/sg-4 as admin",
                    "DELETE /network/v2.0/rbac-policies/rbac-3 as admin",
                    "DELETE /identity/v3/projects/p-1/users/u-2/roles/r-member as admin",
                    "DELETE /identity/v3/users/u-2 as admin",
                    "DELETE /identity/v3/projects/p-1 as admin",
                ]);
                expect(st).to.deep.equal(base);
            } else {
                expect(r.stdout.trim().split("\n")).to.deep.equal([
                    "removed key pair demo-key of user demo",
                    "removed rule 1002 from security group default of demo",
                    "removed rule 1003 from security group default of demo",
                    "set network private not shared",
                    "took the role Member of demo in demo",
                    "removed user demo",
                    "removed project demo",
                ]);
                expect(r.changes).to.deep.equal([
                    "DELETE /compute/v2/p-1/os-keypairs/demo-key as demo",
                    "DELETE /compute/v2/p-1/os-security-group-rules/1002 as demo",
                    "DELETE /compute/v2/p-1/os-security-group-rules/1003 as demo",
                    "PUT /network/v2.0/networks/n-priv as admin",
                    "DELETE /identity/v2.0/tenants/p-1/users/u-2/roles/OS-KSADM/r-member as admin",
                    "DELETE /identity/v2.0/users/u-2 as admin",
                    "DELETE /identity/v2.0/tenants/p-1 as admin",
                ]);
                // Nova will not delete a `default` group: its empty row stays in nova's database
                expect({ ...st, nova_groups: [] }).to.deep.equal(base);
                expect(st.nova_groups.map((g: State) => [g.name, g.tenant_id, g.rules])).to.deep.equal([
                    ["default", "p-1", []],
                ]);
            }
            expect(fs.existsSync(path.join(dir, "state", "demo.json"))).to.equal(false);
            const again = runDemo(cloud, python, "delete", spec(cloud, dialect, key1));
            expect([again.status, again.stdout, again.requests]).to.deep.equal([0, "nothing recorded\n", []]);
        });

        it("delete refuses while the project holds what its users made, naming it, and changes nothing", async () => {
            cloud = await startCloud(dir, baseState(dialect));
            runDemo(cloud, python, "apply", spec(cloud, dialect, key1));
            const st = cloudState(cloud);
            const own = dialect === "v3" ? { project_id: "p-1" } : { tenant_id: "p-1" };
            st.servers.push({ id: "srv-1", name: "vm1", status: "ACTIVE", tenant_id: "p-1" });
            st.floatingips.push({ id: "fip-1", floating_ip_address: "198.51.100.160", ...own });
            st.ports.push(
                {
                    id: "pt-vm1",
                    name: "",
                    network_id: "n-priv",
                    device_owner: "compute:nova",
                    device_id: "srv-1",
                    ...own,
                },
                { id: "pt-spare", name: "spare", network_id: "n-priv", device_owner: "", device_id: "", ...own },
            );
            cloud.proc.kill();
            const restarted = await startCloud(dir, st);
            cloud = { ...restarted, port: restarted.port };
            const r = runDemo(cloud, python, "delete", spec(cloud, dialect, key1));
            expect(r.status).to.equal(1);
            expect(r.stderr).to.equal(
                "oslab-demo: the project demo still holds what its users made; nothing was changed:\n" +
                    "  server vm1 (id srv-1, ACTIVE)\n" +
                    "  floating IP 198.51.100.160 (id fip-1)\n" +
                    "  port spare (id pt-spare)\n" +
                    "delete it (logged in as demo: the stack output demoOpenrc), then run pulumi again\n",
            );
            expect(r.changes).to.deep.equal([]);
            expect(cloudState(cloud)).to.deep.equal(st);
            expect(record(cloud)).to.deep.equal(c.record);
        });

        it("adopts a project made by hand and leaves it on delete; removes only what it made", async () => {
            const base = baseState(dialect);
            base.projects.push({ id: "p-hand", name: "demo" });
            cloud = await startCloud(dir, base);
            const a = runDemo(cloud, python, "apply", spec(cloud, dialect, key1));
            expect(a.status, a.stderr).to.equal(0);
            expect(a.stdout.split("\n")[0]).to.equal("created user demo (u-1)");
            expect(record(cloud).project).to.equal(null);
            expect(record(cloud).group).to.equal(null);
            const d = runDemo(cloud, python, "delete", spec(cloud, dialect, key1));
            expect(d.status, d.stderr).to.equal(0);
            const st = cloudState(cloud);
            expect(st.projects.map((p: State) => p.id)).to.deep.equal(["p-admin", "p-service", "p-hand"]);
            expect(st.users.map((u: State) => u.name)).to.deep.equal(["admin"]);
            expect(st.keypairs).to.deep.equal([]);
            const rules =
                dialect === "v3"
                    ? st.security_groups
                          .find((g: State) => g.project_id === "p-hand")
                          .security_group_rules.filter((r: State) => r.remote_ip_prefix)
                    : st.nova_groups[0].rules;
            expect(rules).to.deep.equal([]);
            expect(d.stdout).not.to.contain("removed project");
        });

        it("refuses a key pair of that name holding another key that it did not make", async () => {
            cloud = await startCloud(dir, baseState(dialect));
            runDemo(cloud, python, "apply", spec(cloud, dialect, null));
            const st = cloudState(cloud);
            st.keypairs.push({ user_id: "u-2", name: "demo-key", public_key: ED_KEY });
            cloud.proc.kill();
            cloud = await startCloud(dir, st);
            const r = runDemo(cloud, python, "apply", spec(cloud, dialect, key1));
            expect(r.status).to.equal(1);
            expect(r.stderr).to.equal(
                "oslab-demo: key pair demo-key of user demo holds another public key and was not made by openstack-lab: " +
                    "delete it (as demo: openstack keypair delete demo-key) or choose another demo.keyName\n",
            );
            expect(cloudState(cloud).keypairs).to.deep.equal(st.keypairs);
        });

        it("fails on a wrong admin password without changing anything", async () => {
            cloud = await startCloud(dir, baseState(dialect));
            const r = runDemo(cloud, python, "apply", spec(cloud, dialect, key1), {
                admin: "wrong",
                demo: DEMO_PW,
            });
            expect(r.status).to.equal(1);
            expect(r.stderr).to.equal("oslab-demo: log in as admin: credentials rejected\n");
            expect(r.changes).to.deep.equal([]);
        });
    });
}
