// Glance under mocks, both releases: the exact children (all on the controller), golden
// copies of its config files and scripts, the image step (find-or-create, password on
// stdin only), imageId from the step's output, and a preview pass. The image scripts
// themselves run for real against a fake `glance` / `openstack` CLI.
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildBase, buildIdentity } from "../../components/cloud";
import { GLANCE_CLI, ImageCli, OPENSTACK_CLI, imageDeleteScript, imageScript } from "../../components/glance/render";
import { renderIni } from "../../components/shared/ini";
import { preamble, script } from "../../components/shared/script";
import { ImageSpec, RawConfig } from "../../config";
import {
    devConfig,
    find,
    forRelease,
    golden,
    Registered,
    RELEASE_CONFIGS,
    run,
    SECRET_SIG,
    TEST_SECRETS,
    unwrap,
    mysqlOutputs,
} from "./harness";

const CMD = "command:remote:Command";
const MYSQL = "pulumi-nodejs:dynamic/infra:MysqlDatabase";
const S = TEST_SECRETS.generated;

function mockOutputs(r: Registered): Record<string, unknown> | undefined {
    if (r.type === MYSQL) {
        return mysqlOutputs(r);
    }
    if (r.name === "glance-image") {
        return { stdout: "0b9a7c3e-5d4f-4c1e-9f57-1a2b3c4d5e6f", stderr: "" };
    }
    return undefined;
}

function body(text: string): string {
    expect(text.startsWith(preamble())).to.equal(true);
    return text.slice(preamble().length);
}

function children(resources: readonly Registered[]): string[] {
    return resources
        .filter((r) => r.name.startsWith("glance-"))
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

function build(change: (c: RawConfig) => RawConfig = (c) => c) {
    return () => {
        const { glance } = buildIdentity(buildBase(devConfig(change)));
        return { imageId: glance.imageId };
    };
}

for (const [release, change] of RELEASE_CONFIGS) {
    describe(`glance (${release})`, function () {
        this.timeout(120000);
        let resources: Registered[];
        let outputs: Record<string, unknown>;
        before(async () => {
            ({ resources, outputs } = await run(build(change), { mockOutputs }));
        });

        const files = release === "folsom" ? ["glance-api", "glance-registry"] : ["glance-api"];

        it("registers exactly these children, every one on the controller", () => {
            expect(children(resources)).to.deep.equal(
                [
                    ...files.map((f) => `${CMD} glance-conf-${f}`),
                    `${CMD} glance-db-sync`,
                    `${CMD} glance-image`,
                    `${CMD} glance-install`,
                    `${CMD} glance-restart`,
                    `${MYSQL} glance-db`,
                ].sort(),
            );
            for (const r of resources.filter((x) => x.name.startsWith("glance-"))) {
                expect(unwrap(r.inputs).connection.host, r.name).to.equal("192.168.122.111");
            }
        });

        it("installs the packages, purges the services' on destroy", () => {
            const install = unwrap(find(resources, "glance-install").inputs);
            expect([body(install.create), body(install.delete)]).to.deep.equal(
                release === "folsom"
                    ? [
                          "oslab_install glance-api glance-registry python-glanceclient\n",
                          "oslab_purge glance-api glance-registry\n",
                      ]
                    : [
                          "oslab_install glance-api glance-common python3-pymysql python3-openstackclient curl\n",
                          "oslab_purge glance-api glance-common\n",
                      ],
            );
        });

        it("creates the article's database and user", () => {
            expect(unwrap(find(resources, "glance-db").inputs)).to.deep.include({
                database: "glance",
                user: "glancedbadmin",
                password: S,
                host: "192.168.122.111",
                urlScheme: release === "folsom" ? "mysql" : "mysql+pymysql",
            });
        });

        it("writes every config file 0640 root:glance as the golden copy", () => {
            for (const f of files) {
                const r = find(resources, `glance-conf-${f}`);
                const spec = JSON.parse(unwrap(r.inputs).stdin);
                expect(spec).to.deep.include({ mode: "0640", owner: "root", group: "glance", remove_sections: [] });
                expect(r.inputs.stdin[SECRET_SIG]).to.not.equal(undefined);
                expect(unwrap(r.inputs).create).to.include(`"$py" - ini /etc/glance/${f}.conf 3<&0`);
                golden(release, "alice", `${f}.conf`, renderIni(spec.set));
            }
        });

        it("syncs the database, restarts on config changes, then registers the image with the password on stdin", () => {
            const sync = unwrap(find(resources, "glance-db-sync").inputs);
            golden(release, "alice", "glance-db-sync.sh", body(sync.create));
            // the schema follows the database, not the config files
            expect(sync.triggers).to.deep.equal(["glance-db-id"]);
            const restart = unwrap(find(resources, "glance-restart").inputs);
            // and ends once the API listens: the image upload right after it needs it
            expect(body(restart.create)).to.equal(
                `oslab_svc restart ${release === "folsom" ? "glance-api glance-registry" : "glance-api"}\n` +
                    "oslab_wait_tcp 192.168.122.111 9292 180\n",
            );
            expect(restart.triggers).to.have.length(files.length);
            for (const t of restart.triggers) {
                expect(t).to.match(/^[0-9a-f]{64}$/);
            }
            const image = find(resources, "glance-image");
            expect(unwrap(image.inputs).stdin).to.equal(S);
            expect(image.inputs.stdin[SECRET_SIG]).to.not.equal(undefined);
            golden(release, "alice", "glance-image.sh", body(unwrap(image.inputs).create));
            golden(release, "alice", "glance-image.delete.sh", body(unwrap(image.inputs).delete));
            expect(outputs.imageId).to.equal("0b9a7c3e-5d4f-4c1e-9f57-1a2b3c4d5e6f");
        });

        it("never puts a secret in a command string", () => {
            for (const r of resources.filter((x) => x.type === CMD && x.name.startsWith("glance-"))) {
                const i = unwrap(r.inputs);
                for (const s of [S, TEST_SECRETS.sshPrivateKey]) {
                    expect(`${i.create}${i.delete ?? ""}`, r.name).to.not.include(s);
                }
            }
        });

        it("preview registers the same resources; imageId is unknown", async () => {
            const preview = await run(build(change), { preview: true, mockOutputs });
            expect(children(preview.resources)).to.deep.equal(children(resources));
        });
    });
}

describe("glance config values", function () {
    this.timeout(120000);
    it("folsom: authtoken on Keystone's admin port, the paste files, the article's keys", async () => {
        const { resources } = await run(build(), { mockOutputs });
        expect(JSON.parse(unwrap(find(resources, "glance-conf-glance-registry").inputs).stdin).set).to.deep.equal({
            DEFAULT: { sql_connection: `mysql://glancedbadmin:${S}@192.168.122.111/glance` },
            keystone_authtoken: {
                auth_host: "192.168.122.111",
                auth_port: "35357",
                auth_protocol: "http",
                admin_tenant_name: "service",
                admin_user: "glance",
                admin_password: S,
            },
            paste_deploy: { config_file: "/etc/glance/glance-registry-paste.ini", flavor: "keystone" },
        });
    });

    it("zed: region_name set (Debian's regionOne default breaks every API), user overrides merged", async () => {
        const { resources } = await run(
            build((c) => ({
                ...forRelease("zed")(c),
                region: "Lab1",
                overrides: { "glance-api.conf": { DEFAULT: { workers: 1 } } },
            })),
            { mockOutputs },
        );
        const set = JSON.parse(unwrap(find(resources, "glance-conf-glance-api").inputs).stdin).set;
        expect(set.keystone_authtoken.region_name).to.equal("Lab1");
        expect(set.DEFAULT).to.deep.equal({ enabled_backends: "fs:file", workers: "1" });
    });
});

// ---------------------------------------------------------------------------------------
// The image scripts, run for real with bash against a fake CLI that keeps its images in a
// directory (one file per image: "name|status").

const FAKE_GLANCE = `#!/bin/bash
# fake glance v1 CLI: image-list | image-show ID | image-create ... | image-delete ID
db=$FAKE_DB; mkdir -p "$db"; echo "glance $*" >> "$db/log"
[ "$OS_PASSWORD" = "$FAKE_PASSWORD" ] || { echo "401 Unauthorized" >&2; exit 1; }
case $1 in
  image-list)
    echo "+----+------+-------------+------------------+------+--------+"
    echo "| ID | Name | Disk Format | Container Format | Size | Status |"
    for f in "$db"/img-*; do [ -e "$f" ] || continue; IFS='|' read -r n s < "$f"; echo "| \${f##*/img-} | $n | qcow2 | ovf | 1 | $s |"; done ;;
  image-show)
    [ -e "$db/img-$2" ] || { echo "No image with a name or ID of '$2' exists." >&2; exit 1; }
    IFS='|' read -r n s < "$db/img-$2"; echo "| Property | Value |"; echo "| name | $n |"; echo "| status | $s |" ;;
  image-create)
    shift; name=''; while [ $# -gt 0 ]; do case $1 in --name) name=$2; shift ;; --copy-from|--file) echo "$1 $2" >> "$db/log"; shift ;; esac; shift; done
    id=id$(ls "$db" | grep -c '^img-')x; echo "$name|\${FAKE_STATUS:-active}" > "$db/img-$id"
    echo "| Property | Value |"; echo "| id | $id |"; echo "| status | queued |" ;;
  image-delete) rm "$db/img-$2" ;;
esac`;

const FAKE_OPENSTACK = `#!/bin/bash
# fake openstack CLI: image list --name N -f value -c ID | image show ID -f value -c status | image create ... | image delete ID
db=$FAKE_DB; mkdir -p "$db"; echo "openstack $*" >> "$db/log"
[ "$OS_PASSWORD" = "$FAKE_PASSWORD" ] || { echo "The request you have made requires authentication. (HTTP 401)" >&2; exit 1; }
case "$1 $2" in
  "image list") for f in "$db"/img-*; do [ -e "$f" ] || continue; IFS='|' read -r n s < "$f"; [ "$n" = "$4" ] && echo "\${f##*/img-}"; done; true ;;
  "image show") [ -e "$db/img-$3" ] || { echo "No Image found for $3" >&2; exit 1; }; IFS='|' read -r n s < "$db/img-$3"; echo "$s" ;;
  "image create")
    shift 2; name=''; while [ $# -gt 0 ]; do case $1 in --file) [ -r "$2" ] || exit 1; echo "--file $(cat "$2")" >> "$db/log"; shift ;; -f|-c|--disk-format|--container-format) shift ;; --*) ;; *) name=$1 ;; esac; shift; done
    id=id$(ls "$db" | grep -c '^img-')x; echo "$name|\${FAKE_STATUS:-active}" > "$db/img-$id"; echo "$id" ;;
  "image delete") [ -e "$db/img-$3" ] || { echo "Failed to delete 1 of 1 images." >&2; exit 1; }; rm "$db/img-$3" ;;
esac`;

const FAKE_CURL = `#!/bin/bash
# fake curl: -o FILE URL writes "downloaded URL"
out=''; url=''; while [ $# -gt 0 ]; do case $1 in -o) out=$2; shift ;; -*) ;; *) url=$1 ;; esac; shift; done
echo "downloaded $url" > "$out"`;

describe("glance image scripts (run for real against a fake CLI)", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-image-"));
        fs.mkdirSync(path.join(dir, "bin"));
        for (const [n, t] of [
            ["glance", FAKE_GLANCE],
            ["openstack", FAKE_OPENSTACK],
            ["curl", FAKE_CURL],
        ]) {
            fs.writeFileSync(path.join(dir, "bin", n), t, { mode: 0o755 });
        }
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const image: ImageSpec = {
        name: "Ubuntu 12.04 cloudimg amd64",
        url: "http://uec-images.ubuntu.com/x.img",
        diskFormat: "qcow2",
        containerFormat: "ovf",
        properties: {},
    };
    function exec(
        cli: ImageCli,
        img: ImageSpec,
        which: "create" | "delete",
        opts: { password?: string; status?: string } = {},
    ) {
        const v = {
            cli,
            env: [
                ["OS_AUTH_URL", "http://192.168.122.111:5000/v2.0/"],
                ["OS_USERNAME", "admin"],
            ] as const,
            image: img,
            record: path.join(dir, "record"),
            timeoutSeconds: 4,
        };
        // the script's fixed state paths point into the test directory
        const text = script(which === "create" ? imageScript(v) : imageDeleteScript(v))
            .split("/var/lib/openstack-lab")
            .join(path.join(dir, "state"))
            .split("/var/lib/glance/images/")
            .join(`${path.join(dir, "store")}/`)
            .replace(/mktemp \/var\/tmp\//, `mktemp ${dir}/`)
            .replace(/sleep 2/, "sleep 0.1");
        return spawnSync("bash", ["-c", text], {
            input: opts.password ?? "PW",
            env: {
                ...process.env,
                PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
                FAKE_DB: path.join(dir, "db"),
                FAKE_PASSWORD: "PW",
                FAKE_STATUS: opts.status ?? "active",
            },
        });
    }
    const log = () =>
        fs
            .readFileSync(path.join(dir, "db", "log"), "utf8")
            .trim()
            .split("\n");

    for (const [release, cli] of [
        ["folsom", GLANCE_CLI],
        ["zed", OPENSTACK_CLI],
    ] as const) {
        it(`${release}: creates once, finds it next time, prints the ID; delete removes only its own image`, () => {
            const first = exec(cli, image, "create");
            expect(first.stderr.toString()).to.equal(
                release === "zed" ? "downloading http://uec-images.ubuntu.com/x.img\n" : "",
            );
            expect(first.status).to.equal(0);
            expect(first.stdout.toString()).to.equal("id0x\n");
            expect(log()).to.include(
                release === "folsom"
                    ? "--copy-from http://uec-images.ubuntu.com/x.img"
                    : "--file downloaded http://uec-images.ubuntu.com/x.img",
            );
            const second = exec(cli, image, "create");
            expect([second.status, second.stdout.toString()]).to.deep.equal([0, "id0x\n"]);
            expect(log().filter((l) => l.includes("image-create") || l.includes("image create"))).to.have.length(1);
            expect(fs.readFileSync(path.join(dir, "record"), "utf8")).to.equal("id0x\tUbuntu 12.04 cloudimg amd64\n");
            const del = exec(cli, image, "delete");
            expect(del.status).to.equal(0);
            expect(fs.existsSync(path.join(dir, "db", "img-id0x"))).to.equal(false);
            expect(fs.existsSync(path.join(dir, "record"))).to.equal(false);
            expect(exec(cli, image, "delete").status).to.equal(0);
        });

        it(`${release}: a foreign non-active image with the name is an error; a foreign active one is used and kept`, () => {
            fs.mkdirSync(path.join(dir, "db"));
            fs.writeFileSync(path.join(dir, "db", "img-other"), `${image.name}|queued\n`);
            const r = exec(cli, image, "create");
            expect(r.status).to.equal(1);
            expect(r.stderr.toString()).to.equal(
                `image '${image.name}' (other) exists with status queued and was not created by openstack-lab: delete or rename it\n`,
            );
            fs.writeFileSync(path.join(dir, "db", "img-other"), `${image.name}|active\n`);
            expect(exec(cli, image, "create").stdout.toString()).to.equal("other\n");
            expect(exec(cli, image, "delete").status).to.equal(0);
            expect(fs.existsSync(path.join(dir, "db", "img-other"))).to.equal(true);
        });

        it(`${release}: a killed image fails the step; the next run replaces it; a renamed image replaces the old one`, () => {
            const killed = exec(cli, image, "create", { status: "killed" });
            expect([killed.status, killed.stderr.toString().split("\n").slice(-2)[0]]).to.deep.equal([
                1,
                "image id0x went killed",
            ]);
            const again = exec(cli, image, "create");
            expect([again.status, again.stdout.toString()]).to.deep.equal([0, "id0x\n"]);
            expect(again.stderr.toString()).to.include("removing image id0x left in status killed by an earlier run\n");
            const renamed = exec(
                cli,
                { ...image, name: "tiny", url: `file://${path.join(dir, "tiny.qcow2")}` },
                "create",
            );
            expect(renamed.status).to.equal(1);
            expect(renamed.stderr.toString()).to.equal(
                `removing image id0x (Ubuntu 12.04 cloudimg amd64): the configured image is now tiny\nimage file ${path.join(dir, "tiny.qcow2")} not found on ${os.hostname()}\n`,
            );
            fs.writeFileSync(path.join(dir, "tiny.qcow2"), "TINY");
            const tiny = exec(cli, { ...image, name: "tiny", url: `file://${path.join(dir, "tiny.qcow2")}` }, "create");
            expect([tiny.status, tiny.stdout.toString()]).to.deep.equal([0, "id0x\n"]);
            expect(log()).to.include(release === "folsom" ? `--file ${path.join(dir, "tiny.qcow2")}` : "--file TINY");
        });

        it(`${release}: an image left queued by a create that failed half-way is ours: replaced next run, removed by delete`, () => {
            fs.mkdirSync(path.join(dir, "db"));
            fs.writeFileSync(path.join(dir, "db", "img-half"), `${image.name}|queued\n`);
            fs.mkdirSync(path.join(dir, "state"), { recursive: true });
            fs.writeFileSync(path.join(dir, "record"), `pending\t${image.name}\n`);
            const r = exec(cli, image, "create");
            expect([r.status, r.stdout.toString()]).to.deep.equal([0, "id0x\n"]);
            expect(r.stderr.toString()).to.include("removing image half left in status queued by an earlier run\n");
            fs.writeFileSync(path.join(dir, "db", "img-half2"), `${image.name}|queued\n`);
            fs.writeFileSync(path.join(dir, "record"), `pending\t${image.name}\n`);
            expect(exec(cli, image, "delete").status).to.equal(0);
            expect(
                fs
                    .readdirSync(path.join(dir, "db"))
                    .filter((f) => f.startsWith("img-"))
                    .sort(),
            ).to.deep.equal(["img-id0x"]);
        });

        it(`${release}: sets the configured properties on the image it creates and on one it finds, each run`, () => {
            const withProps = { ...image, properties: { hw_vif_model: "e1000", hw_disk_bus: "virtio" } };
            const set =
                release === "folsom"
                    ? "glance image-update --property hw_disk_bus=virtio --property hw_vif_model=e1000 id0x"
                    : "openstack image set --property hw_disk_bus=virtio --property hw_vif_model=e1000 id0x";
            expect(exec(cli, withProps, "create").status).to.equal(0);
            expect(exec(cli, withProps, "create").status).to.equal(0);
            expect(log().filter((l) => l.includes("update") || l.includes("image set"))).to.deep.equal([set, set]);
            expect(exec(cli, image, "create").status).to.equal(0);
            expect(log().filter((l) => l.includes("update") || l.includes("image set"))).to.have.length(2);
        });

        it(`${release}: wrong credentials fail; delete without an API removes the file from the store`, () => {
            expect(exec(cli, image, "create", { password: "nope" }).status).to.equal(1);
            expect(exec(cli, image, "create").status).to.equal(0);
            fs.mkdirSync(path.join(dir, "store"));
            fs.writeFileSync(path.join(dir, "store", "id0x"), "bits");
            const del = exec(cli, image, "delete", { password: "nope" });
            expect(del.status).to.equal(0);
            expect(del.stderr.toString()).to.include(
                "warning: image id0x (Ubuntu 12.04 cloudimg amd64) not deleted through the API; removing its file from the store\n",
            );
            expect(fs.existsSync(path.join(dir, "store", "id0x"))).to.equal(false);
        });
    }
});
