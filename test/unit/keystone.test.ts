// Keystone under mocks, both releases: the exact children (all on the controller), golden
// copies of every file it writes and of its scripts, the data set (tenants/projects,
// users, roles, assignments), the catalog (with and without a Swift host), secrets only
// in stdin / secret inputs, the outputs, and a preview pass.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildBase, buildIdentity } from "../../components/cloud";
import { Keystone } from "../../components/keystone";
import { renderIni } from "../../components/shared/ini";
import { editorPy, preamble, script } from "../../components/shared/script";
import { KEYSTONE_UWSGI_INI, uwsgiApparmorFix } from "../../components/keystone/render";
import { profileFor } from "../../components/release";
import { RawConfig } from "../../config";
import {
    devConfig,
    find,
    forRelease,
    golden,
    Registered,
    run,
    SECRET_SIG,
    TEST_SECRETS,
    unwrap,
    MODERN_RELEASES,
    mysqlOutputs,
    DEBIAN_KEYSTONE_UWSGI_INI,
    keystoneAppArmorProfileLoaded,
} from "./harness";
import { requireTool } from "./tools";

const CMD = "command:remote:Command";
const MYSQL = "pulumi-nodejs:dynamic/infra:MysqlDatabase";
const ENDPOINT = "pulumi-nodejs:dynamic/identity:KeystoneEndpoint";
const S = TEST_SECRETS.generated;

const mockOutputs = mysqlOutputs;

/** What a config-file step owns in its file, from the spec it sends on stdin. */
function owned(r: Registered): string {
    const spec = JSON.parse(unwrap(r.inputs).stdin);
    if (spec.set) {
        return renderIni(spec.set);
    }
    return spec.content ?? spec.block;
}

/** A step's script without the shared preamble. */
function body(script: string): string {
    expect(script.startsWith(preamble())).to.equal(true);
    return script.slice(preamble().length);
}

function withSwift(c: RawConfig): RawConfig {
    return { ...c, swiftHost: "192.168.122.113" };
}

function twoComputes(c: RawConfig): RawConfig {
    return {
        ...c,
        nodes: [
            ...(c.nodes as object[]),
            { name: "bob2", role: "compute", managementIp: "192.168.122.114", dataIp: "192.168.133.114" },
        ],
    };
}

function ofKeystone(resources: readonly Registered[]): Registered[] {
    return resources.filter((r) => r.name === "keystone" || r.name.startsWith("keystone-"));
}

function children(resources: readonly Registered[]): string[] {
    return ofKeystone(resources)
        .filter((r) => r.type !== "oslab:identity:Keystone")
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

function hostOf(r: Registered): string {
    return unwrap(r.inputs).connection.host;
}

function catalog(resources: readonly Registered[]) {
    return resources
        .filter((r) => r.type === ENDPOINT)
        .map((r) => {
            const i = unwrap(r.inputs);
            return {
                name: r.name,
                dialect: i.dialect,
                authUrl: i.authUrl,
                region: i.region,
                service: i.service,
                urls: i.urls,
            };
        });
}

let keystoneRef: Keystone | undefined;
function build(change: (c: RawConfig) => RawConfig = (c) => c) {
    return () => {
        const ctx = buildBase(devConfig(change));
        const { keystone } = buildIdentity(ctx);
        keystoneRef = keystone;
        return { keystoneUrl: keystone.authUrl, openrc: keystone.openrc, adminCredentials: keystone.adminCredentials };
    };
}

const FOLSOM_CHILDREN = [
    `${CMD} keystone-conf-keystone`,
    `${CMD} keystone-credentials`,
    `${CMD} keystone-data`,
    `${CMD} keystone-db-sync`,
    `${CMD} keystone-install`,
    `${CMD} keystone-keys`,
    `${CMD} keystone-restart`,
    `${CMD} keystone-verify`,
    `${ENDPOINT} keystone-catalog-compute`,
    `${ENDPOINT} keystone-catalog-ec2`,
    `${ENDPOINT} keystone-catalog-identity`,
    `${ENDPOINT} keystone-catalog-image`,
    `${ENDPOINT} keystone-catalog-network`,
    `${ENDPOINT} keystone-catalog-volume`,
    `${MYSQL} keystone-db`,
];

describe("keystone (folsom, the article's stack)", function () {
    this.timeout(120000);
    let resources: Registered[];
    let outputs: Record<string, unknown>;
    before(async () => {
        ({ resources, outputs } = await run(build(), { mockOutputs }));
    });

    it("registers exactly these children, every one on the controller", () => {
        expect(children(resources)).to.deep.equal(FOLSOM_CHILDREN);
        for (const r of ofKeystone(resources).filter((x) => x.type !== "oslab:identity:Keystone")) {
            expect(hostOf(r), r.name).to.equal("192.168.122.111");
        }
    });

    it("creates the article's database and user; only the password is generated", () => {
        const db = unwrap(find(resources, "keystone-db").inputs);
        expect(db).to.deep.include({
            database: "keystone",
            user: "keystonedbadmin",
            password: S,
            host: "192.168.122.111",
            urlScheme: "mysql",
        });
        expect(find(resources, "keystone-db").inputs.password[SECRET_SIG]).to.not.equal(undefined);
    });

    it("writes keystone.conf 0640 root:keystone, merged into the packaged file, as the golden copy", () => {
        const conf = find(resources, "keystone-conf-keystone");
        expect(JSON.parse(unwrap(conf.inputs).stdin)).to.deep.include({
            mode: "0640",
            owner: "root",
            group: "keystone",
            remove_sections: [],
        });
        expect(unwrap(conf.inputs).create).to.include('"$py" - ini /etc/keystone/keystone.conf 3<&0');
        expect(owned(conf)).to.equal(
            [
                "[DEFAULT]",
                `admin_token = ${S}`,
                "",
                "[sql]",
                `connection = mysql://keystonedbadmin:${S}@192.168.122.111/keystone`,
                "idle_timeout = 200",
                "",
                "[identity]",
                "driver = keystone.identity.backends.sql.Identity",
                "",
                "[catalog]",
                "driver = keystone.catalog.backends.sql.Catalog",
                "",
            ].join("\n"),
        );
        golden("folsom", "alice", "keystone.conf", owned(conf));
    });

    it("writes the credentials file of Listing 3, 0600 root", () => {
        const file = find(resources, "keystone-credentials");
        expect(JSON.parse(unwrap(file.inputs).stdin)).to.deep.include({ mode: "0600", owner: "root", group: "root" });
        expect(unwrap(file.inputs).create).to.include('"$py" - replace /root/.openstack-credentials 3<&0');
        expect(owned(file)).to.equal(
            [
                'OS_AUTH_URL="http://192.168.122.111:5000/v2.0/"',
                `OS_PASSWORD="${S}"`,
                'OS_TENANT_NAME="admin"',
                'OS_USERNAME="admin"',
                "OS_NO_CACHE=1",
                "",
                "export OS_AUTH_URL OS_PASSWORD",
                "export OS_TENANT_NAME OS_USERNAME",
                "export OS_NO_CACHE",
                "",
            ].join("\n"),
        );
        golden("folsom", "alice", "keystone-openstack-credentials", owned(file));
    });

    it("sends the article's tenants, users, roles and assignments with the admin token on stdin", () => {
        const data = find(resources, "keystone-data");
        expect(data.inputs.stdin[SECRET_SIG]).to.not.equal(undefined);
        const spec = JSON.parse(unwrap(data.inputs).stdin);
        expect(spec).to.deep.equal({
            dialect: "v2.0",
            url: "http://192.168.122.111:35357/v2.0",
            domain: "default",
            auth: { token: S },
            record: "/var/lib/openstack-lab/keystone-data.json",
            wait: 180,
            projects: [
                { name: "admin", description: "" },
                { name: "service", description: "" },
            ],
            roles: ["admin", "Member", "KeystoneAdmin", "KeystoneServiceAdmin"],
            users: [
                { name: "admin", password: S, project: "admin" },
                { name: "nova", password: S, project: "service" },
                { name: "glance", password: S, project: "service" },
                { name: "quantum", password: S, project: "service" },
                { name: "cinder", password: S, project: "service" },
            ],
            assignments: [
                { user: "admin", project: "admin", role: "admin" },
                { user: "admin", project: "admin", role: "KeystoneAdmin" },
                { user: "admin", project: "admin", role: "KeystoneServiceAdmin" },
                { user: "nova", project: "service", role: "admin" },
                { user: "glance", project: "service", role: "admin" },
                { user: "quantum", project: "service", role: "admin" },
                { user: "cinder", project: "service", role: "admin" },
            ],
        });
        golden("folsom", "alice", "keystone-data.json", `${JSON.stringify(spec, null, 2)}\n`);
        expect(body(unwrap(data.inputs).create)).to.match(
            /^py=\$\(command -v python3 \|\| command -v python\)\n"\$py" - apply 3<&0 <<'OSLAB_KEYSTONE_PY'\n/,
        );
        expect(body(unwrap(data.inputs).delete)).to.match(
            /^py=\$\(command -v python3 \|\| command -v python\)\n"\$py" - delete 3<&0 <<'OSLAB_KEYSTONE_PY'\n/,
        );
    });

    it("registers Listing 2's catalog with the admin token (v2.0 on :35357), no object-store without a Swift host", () => {
        const c = "192.168.122.111";
        const common = { dialect: "v2.0", authUrl: `http://${c}:35357/v2.0`, region: "RegionOne" };
        const same = (u: string) => ({ public: u, internal: u, admin: u });
        expect(catalog(resources)).to.deep.equal([
            {
                name: "keystone-catalog-identity",
                ...common,
                service: { name: "keystone", type: "identity", description: "OpenStack Identity" },
                urls: {
                    public: `http://${c}:5000/v2.0`,
                    internal: `http://${c}:5000/v2.0`,
                    admin: `http://${c}:35357/v2.0`,
                },
            },
            {
                name: "keystone-catalog-compute",
                ...common,
                service: { name: "nova", type: "compute", description: "OpenStack Compute Service" },
                urls: same(`http://${c}:8774/v2/$(tenant_id)s`),
            },
            {
                name: "keystone-catalog-volume",
                ...common,
                service: { name: "cinder", type: "volume", description: "OpenStack Volume Service" },
                urls: same(`http://${c}:8776/v1/$(tenant_id)s`),
            },
            {
                name: "keystone-catalog-image",
                ...common,
                service: { name: "glance", type: "image", description: "OpenStack Image Service" },
                urls: same(`http://${c}:9292/v2`),
            },
            {
                name: "keystone-catalog-network",
                ...common,
                service: { name: "quantum", type: "network", description: "OpenStack Networking service" },
                urls: same(`http://${c}:9696/`),
            },
            {
                name: "keystone-catalog-ec2",
                ...common,
                service: { name: "ec2", type: "ec2", description: "OpenStack EC2 service" },
                urls: {
                    public: `http://${c}:8773/services/Cloud`,
                    internal: `http://${c}:8773/services/Cloud`,
                    admin: `http://${c}:8773/services/Admin`,
                },
            },
        ]);
        golden("folsom", "alice", "keystone-catalog.json", `${JSON.stringify(catalog(resources), null, 2)}\n`);
        for (const r of resources.filter((x) => x.type === ENDPOINT)) {
            expect(r.inputs.credentials[SECRET_SIG], r.name).to.not.equal(undefined);
            expect(unwrap(r.inputs).credentials).to.deep.equal({ token: S });
        }
    });

    it("runs db_sync as keystone, makes the PKI certificates, restarts on config changes, verifies the catalog", () => {
        expect(body(unwrap(find(resources, "keystone-install").inputs).create)).to.equal(
            "oslab_install keystone python-keystone python-keystoneclient\n",
        );
        expect(body(unwrap(find(resources, "keystone-install").inputs).delete)).to.equal(
            "oslab_purge keystone python-keystone\n",
        );
        const sync = unwrap(find(resources, "keystone-db-sync").inputs);
        expect(body(sync.create)).to.equal("su -s /bin/sh -c 'keystone-manage db_sync' keystone\n");
        expect(sync.triggers).to.deep.equal(["keystone-db-id"]);
        const keys = unwrap(find(resources, "keystone-keys").inputs);
        golden("folsom", "alice", "keystone-keys.sh", body(keys.create));
        golden("folsom", "alice", "keystone-keys.delete.sh", body(keys.delete));
        const restart = unwrap(find(resources, "keystone-restart").inputs);
        expect(body(restart.create)).to.equal("oslab_svc restart keystone\n");
        expect(restart.triggers).to.have.length(1);
        expect(restart.triggers[0]).to.match(/^[0-9a-f]{64}$/);
        const verify = unwrap(find(resources, "keystone-verify").inputs);
        expect(body(verify.create).split("\n")[0]).to.equal("# expect: identity compute volume image network ec2");
        expect(JSON.parse(verify.stdin)).to.deep.equal({
            dialect: "v2.0",
            url: "http://192.168.122.111:5000/v2.0",
            wait: 180,
            expect: ["identity", "compute", "volume", "image", "network", "ec2"],
            auth: { username: "admin", password: S, project: "admin", domain: "Default" },
        });
    });

    it("exposes the URLs, the admin login and openrc; the secrets stay secret", async () => {
        expect(outputs.keystoneUrl).to.equal("http://192.168.122.111:5000/v2.0/");
        expect(outputs.openrc).to.equal(owned(find(resources, "keystone-credentials")));
        expect(outputs.adminCredentials).to.deep.equal({
            dialect: "v2.0",
            authUrl: "http://192.168.122.111:5000/v2.0",
            username: "admin",
            password: S,
            projectName: "admin",
            userDomainName: "Default",
            projectDomainName: "Default",
        });
        const k = keystoneRef!;
        expect(await pulumi.isSecret(k.openrc)).to.equal(true);
        expect(await pulumi.isSecret(k.adminCredentials)).to.equal(true);
        expect({
            host: k.host,
            region: k.region,
            dialect: k.dialect,
            publicUrl: k.publicUrl,
            adminUrl: k.adminUrl,
            publicPort: k.publicPort,
            adminPort: k.adminPort,
        }).to.deep.equal({
            host: "192.168.122.111",
            region: "RegionOne",
            dialect: "v2.0",
            publicUrl: "http://192.168.122.111:5000/v2.0",
            adminUrl: "http://192.168.122.111:35357/v2.0",
            publicPort: 5000,
            adminPort: 35357,
        });
        expect(k.serviceUsers).to.deep.equal({ nova: "nova", glance: "glance", quantum: "quantum", cinder: "cinder" });
        expect(k.clientEnv).to.deep.equal([
            ["OS_AUTH_URL", "http://192.168.122.111:5000/v2.0/"],
            ["OS_TENANT_NAME", "admin"],
            ["OS_USERNAME", "admin"],
            ["OS_NO_CACHE", 1],
        ]);
    });

    it("never puts a secret in a command string; every stdin with one is a secret", () => {
        for (const r of ofKeystone(resources).filter((x) => x.type === CMD)) {
            const i = unwrap(r.inputs);
            for (const s of [S, TEST_SECRETS.sshPrivateKey]) {
                expect(`${i.create}${i.delete ?? ""}`, r.name).to.not.include(s);
            }
            if (i.stdin?.includes(S)) {
                expect(r.inputs.stdin[SECRET_SIG], r.name).to.not.equal(undefined);
            }
        }
    });
});

for (const release of MODERN_RELEASES) {
    describe(`keystone (${release}, the lab-like stack)`, function () {
        this.timeout(120000);
        let resources: Registered[];
        let outputs: Record<string, unknown>;
        before(async () => {
            ({ resources, outputs } = await run(build(forRelease(release)), { mockOutputs }));
        });

        // The uwsgi AppArmor fix: zed only (Debian 13's keystone starts without it, epoxy-2).
        const apparmorFix = profileFor(release).keystone.hostFixes().length > 0;
        it("registers exactly these children: bootstrap (and zed's uwsgi fix), the v3 catalog", () => {
            expect(children(resources)).to.deep.equal([
                `${CMD} keystone-bootstrap`,
                `${CMD} keystone-conf-keystone`,
                `${CMD} keystone-credentials`,
                `${CMD} keystone-data`,
                `${CMD} keystone-db-sync`,
                `${CMD} keystone-install`,
                `${CMD} keystone-keys`,
                `${CMD} keystone-restart`,
                ...(apparmorFix ? [`${CMD} keystone-uwsgi-apparmor`] : []),
                `${CMD} keystone-verify`,
                `${ENDPOINT} keystone-catalog-compute`,
                `${ENDPOINT} keystone-catalog-identity`,
                `${ENDPOINT} keystone-catalog-image`,
                `${ENDPOINT} keystone-catalog-network`,
                `${ENDPOINT} keystone-catalog-placement`,
                `${ENDPOINT} keystone-catalog-volumev3`,
                `${MYSQL} keystone-db`,
            ]);
        });

        it("installs keystone (the openstack CLI with it), purges it on destroy", () => {
            const install = unwrap(find(resources, "keystone-install").inputs);
            expect(body(install.create)).to.equal("oslab_install keystone python3-pymysql python3-openstackclient\n");
            expect(body(install.delete)).to.equal("oslab_purge keystone\n");
        });

        it("keystone.conf: PyMySQL database, Fernet tokens, no admin token", () => {
            const conf = find(resources, "keystone-conf-keystone");
            expect(owned(conf)).to.equal(
                [
                    "[database]",
                    `connection = mysql+pymysql://keystonedbadmin:${S}@192.168.122.111/keystone`,
                    "",
                    "[token]",
                    "provider = fernet",
                    "",
                ].join("\n"),
            );
            expect(JSON.parse(unwrap(conf.inputs).stdin)).to.deep.include({
                mode: "0640",
                owner: "root",
                group: "keystone",
            });
            golden(release, "alice", "keystone.conf", owned(conf));
            golden(release, "alice", "keystone-openstack-credentials", owned(find(resources, "keystone-credentials")));
        });

        it("bootstraps with the admin password in the environment from stdin, never on argv", () => {
            const b = unwrap(find(resources, "keystone-bootstrap").inputs);
            expect(b.stdin).to.equal(S);
            expect(find(resources, "keystone-bootstrap").inputs.stdin[SECRET_SIG]).to.not.equal(undefined);
            expect(body(b.create)).to.equal(
                [
                    "OS_BOOTSTRAP_PASSWORD=$(cat)",
                    "export OS_BOOTSTRAP_PASSWORD",
                    "# su keeps the environment (no -l); the password is never on a command line",
                    "su -s /bin/sh -c 'keystone-manage bootstrap --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin " +
                        "--bootstrap-service-name keystone --bootstrap-region-id RegionOne --bootstrap-admin-url http://192.168.122.111:5000/v3/ " +
                        "--bootstrap-internal-url http://192.168.122.111:5000/v3/ --bootstrap-public-url http://192.168.122.111:5000/v3/' keystone",
                    "unset OS_BOOTSTRAP_PASSWORD",
                    "",
                ].join("\n"),
            );
            golden(release, "alice", "keystone-bootstrap.sh", body(b.create));
            const keys = unwrap(find(resources, "keystone-keys").inputs);
            golden(release, "alice", "keystone-keys.sh", body(keys.create));
            golden(release, "alice", "keystone-keys.delete.sh", body(keys.delete));
            if (apparmorFix) {
                const fix = unwrap(find(resources, "keystone-uwsgi-apparmor").inputs);
                // the shared file editor is someone else's golden: stand in a placeholder for it
                const noEditor = (t: string) => t.split(editorPy().trimEnd()).join("<oslab-edit.py>");
                golden(release, "alice", "keystone-uwsgi-apparmor.sh", noEditor(body(fix.create)));
                golden(release, "alice", "keystone-uwsgi-apparmor.delete.sh", noEditor(body(fix.delete)));
            }
            expect(unwrap(find(resources, "keystone-restart").inputs).triggers).to.have.length(apparmorFix ? 2 : 1);
        });

        it("adds the service project, five service users (neutron for Quantum) and their grants to bootstrap's data", () => {
            const spec = JSON.parse(unwrap(find(resources, "keystone-data").inputs).stdin);
            const svc = ["nova", "glance", "neutron", "cinder", "placement"];
            expect(spec).to.deep.equal({
                dialect: "v3",
                url: "http://192.168.122.111:5000/v3",
                domain: "default",
                wait: 180,
                auth: { username: "admin", password: S, project: "admin", domain: "Default" },
                record: "/var/lib/openstack-lab/keystone-data.json",
                projects: [
                    { name: "admin", description: "" },
                    { name: "service", description: "Service Project" },
                ],
                // epoxy-12: the service role too, for Neutron 26's port-binding policy
                roles: release === "epoxy" ? ["admin", "member", "reader", "service"] : ["admin", "member", "reader"],
                users: [
                    { name: "admin", project: "admin" },
                    ...svc.map((name) => ({ name, password: S, project: "service" })),
                ],
                assignments: [
                    { user: "admin", project: "admin", role: "admin" },
                    ...svc.flatMap((user) =>
                        (release === "epoxy" ? ["admin", "service"] : ["admin"]).map((role) => ({
                            user,
                            project: "service",
                            role,
                        })),
                    ),
                ],
            });
            golden(release, "alice", "keystone-data.json", `${JSON.stringify(spec, null, 2)}\n`);
        });

        it("registers the §7.5 catalog with admin's password (v3), identity as bootstrap made it", () => {
            const c = "192.168.122.111";
            const common = { dialect: "v3", authUrl: `http://${c}:5000/v3`, region: "RegionOne" };
            const same = (u: string) => ({ public: u, internal: u, admin: u });
            expect(catalog(resources)).to.deep.equal([
                {
                    name: "keystone-catalog-identity",
                    ...common,
                    service: { name: "keystone", type: "identity", description: "OpenStack Identity" },
                    urls: same(`http://${c}:5000/v3/`),
                },
                {
                    name: "keystone-catalog-image",
                    ...common,
                    service: { name: "glance", type: "image", description: "OpenStack Image" },
                    urls: same(`http://${c}:9292`),
                },
                {
                    name: "keystone-catalog-placement",
                    ...common,
                    service: { name: "placement", type: "placement", description: "Placement API" },
                    urls: same(`http://${c}:8778`),
                },
                {
                    name: "keystone-catalog-compute",
                    ...common,
                    service: { name: "nova", type: "compute", description: "OpenStack Compute" },
                    urls: same(`http://${c}:8774/v2.1`),
                },
                {
                    name: "keystone-catalog-network",
                    ...common,
                    service: { name: "neutron", type: "network", description: "OpenStack Networking" },
                    urls: same(`http://${c}:9696`),
                },
                {
                    name: "keystone-catalog-volumev3",
                    ...common,
                    service: { name: "cinderv3", type: "volumev3", description: "OpenStack Block Storage" },
                    urls: same(`http://${c}:8776/v3/%(project_id)s`),
                },
            ]);
            golden(release, "alice", "keystone-catalog.json", `${JSON.stringify(catalog(resources), null, 2)}\n`);
            for (const r of resources.filter((x) => x.type === ENDPOINT)) {
                expect(unwrap(r.inputs).credentials).to.deep.equal({
                    username: "admin",
                    password: S,
                    projectName: "admin",
                    userDomainName: "Default",
                    projectDomainName: "Default",
                });
            }
        });

        it("exposes the v3 URLs", () => {
            expect(outputs.keystoneUrl).to.equal("http://192.168.122.111:5000/v3");
            expect(keystoneRef!.serviceUsers).to.deep.equal({
                nova: "nova",
                glance: "glance",
                quantum: "neutron",
                cinder: "cinder",
                placement: "placement",
            });
            expect((outputs.adminCredentials as { authUrl: string }).authUrl).to.equal(
                "http://192.168.122.111:5000/v3",
            );
        });
    });
}

describe("keystone uwsgi AppArmor fix (run for real on a copy of Debian's file)", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-uwsgi-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("without a loaded 'keystone' profile (this machine, the lab) loads only python3; idempotent; delete restores", function () {
        requireTool("python3");
        if (keystoneAppArmorProfileLoaded()) {
            this.skip();
        }
        const ini = path.join(dir, "keystone-uwsgi.ini");
        fs.writeFileSync(ini, DEBIAN_KEYSTONE_UWSGI_INI, { mode: 0o644 });
        const fix = uwsgiApparmorFix();
        const runIt = (text: string) =>
            execFileSync("bash", ["-c", script(text).split(KEYSTONE_UWSGI_INI).join(ini)], {
                env: { ...process.env, OSLAB_STATE: path.join(dir, "state") },
            }).toString();
        expect(runIt(fix.create)).to.equal("changed\n");
        expect(fs.readFileSync(ini, "utf8")).to.equal(
            DEBIAN_KEYSTONE_UWSGI_INI.replace("plugins = python3,apparmor", "plugins = python3"),
        );
        expect(runIt(fix.create)).to.equal("unchanged\n");
        expect(runIt(fix.delete)).to.equal("changed\n");
        expect(fs.readFileSync(ini, "utf8")).to.equal(DEBIAN_KEYSTONE_UWSGI_INI);
    });
});

describe("keystone (variants)", function () {
    this.timeout(240000);
    it("registers object-store at the Swift host when one is configured (both releases)", async () => {
        for (const [release, change, url] of [
            ["folsom", withSwift, "http://192.168.122.113:8080/v1/AUTH_$(tenant_id)s"],
            [
                "zed",
                (c: RawConfig) => withSwift(forRelease("zed")(c)),
                "http://192.168.122.113:8080/v1/AUTH_%(project_id)s",
            ],
        ] as const) {
            const { resources } = await run(build(change), { mockOutputs });
            const swift = catalog(resources).find((e) => e.name === "keystone-catalog-object-store");
            expect(swift, release).to.deep.include({
                service: {
                    name: "swift",
                    type: "object-store",
                    description: release === "folsom" ? "OpenStack Storage Service" : "OpenStack Object Storage",
                },
                urls: { public: url, internal: url, admin: "http://192.168.122.113:8080/v1" },
            });
            expect(unwrap(find(resources, "keystone-verify").inputs).create).to.include("object-store");
        }
    });

    it("a second compute changes nothing in Keystone; preview registers the same resources", async () => {
        const normal = await run(build(), { mockOutputs });
        const more = await run(build(twoComputes), { mockOutputs });
        expect(children(more.resources)).to.deep.equal(FOLSOM_CHILDREN);
        const preview = await run(build(), { preview: true, mockOutputs });
        expect(children(preview.resources)).to.deep.equal(children(normal.resources));
    });
});
