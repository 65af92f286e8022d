// Cinder under mocks, both releases: exact children with and without the volume
// service, golden files, the database URL (the article's :3306 on Folsom), the restart
// lines, secrets only on stdin, preview; the volume-group script run for real against a
// stubbed LVM (present / missing without device / device that is no block device).
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Cinder } from "../../components/cinder";
import { volumeGroupScript } from "../../components/cinder/render";
import { buildBase, buildComputeAndVolume } from "../../components/cloud";
import { RawConfig } from "../../config";
import {
    devConfig,
    find,
    forRelease,
    golden,
    Registered,
    run,
    settleOutput,
    TEST_SECRETS,
    unwrap,
    MODERN_RELEASES,
    mysqlOutputs,
} from "./harness";

const CMD = "command:remote:Command";

const mockOutputs = mysqlOutputs;

async function build(change: (c: RawConfig) => RawConfig, preview = false) {
    let cinder: Cinder | undefined;
    const result = await run(
        () => {
            cinder = buildComputeAndVolume(buildBase(devConfig(change))).cinder;
        },
        { mockOutputs, preview },
    );
    return { ...result, cinder: cinder! };
}

const mine = (rs: readonly Registered[]) =>
    rs
        .filter((r) => /^cinder(-|$)/.test(r.name))
        .map((r) => r.name)
        .sort();
const body = (rs: readonly Registered[], n: string) =>
    (unwrap(find(rs, n).inputs).create as string).split("oslab_retry() {")[1];
const noVolume = (c: RawConfig): RawConfig => ({ ...c, cinder: { volumeService: false } });

describe("cinder (folsom)", function () {
    this.timeout(60000);
    let res: Awaited<ReturnType<typeof build>>;
    before(async () => {
        res = await build((c) => c);
    });

    it("registers exactly these children", () => {
        expect(mine(res.resources)).to.deep.equal(
            [
                "cinder",
                "cinder-install",
                "cinder-db",
                "cinder-conf-cinder.conf",
                "cinder-conf-api-paste.ini",
                "cinder-db-sync",
                "cinder-conf-targets.conf",
                "cinder-volume-group",
                "cinder-restart",
            ].sort(),
        );
        expect(find(res.resources, "cinder").type).to.equal("oslab:volume:Cinder");
    });

    it("renders cinder.conf, api-paste.ini and targets.conf as the golden copies", async () => {
        expect(Object.keys(res.cinder.files).sort()).to.deep.equal([
            "cinder-api-paste.ini",
            "cinder.conf",
            "tgt-targets.conf",
        ]);
        for (const [id, f] of Object.entries(res.cinder.files)) {
            golden("folsom", "alice", id, (await settleOutput(f.rendered))!);
        }
    });

    it("keeps the article's database, user and :3306 in the URL", async () => {
        const i = unwrap(find(res.resources, "cinder-db").inputs);
        expect([i.database, i.user, i.password, i.host, i.urlScheme]).to.deep.equal([
            "cinder",
            "cinderdbadmin",
            TEST_SECRETS.generated,
            "192.168.122.111:3306",
            "mysql",
        ]);
        expect(await settleOutput(res.cinder.database.connectionUrl)).to.equal(
            `mysql://cinderdbadmin:${TEST_SECRETS.generated}@192.168.122.111:3306/cinder`,
        );
    });

    it("installs, syncs, builds the volume group, starts tgt and restarts api, scheduler, volume", () => {
        expect(body(res.resources, "cinder-install")).to.contain(
            "\noslab_install cinder-api cinder-scheduler cinder-common cinder-volume tgt lvm2\n",
        );
        expect(unwrap(find(res.resources, "cinder-install").inputs).delete).to.contain(
            "\noslab_purge cinder-api cinder-scheduler cinder-common cinder-volume tgt lvm2\n",
        );
        expect(body(res.resources, "cinder-db-sync")).to.contain("\nsu -s /bin/sh -c 'cinder-manage db sync' cinder\n");
        expect(unwrap(find(res.resources, "cinder-db-sync").inputs).triggers).to.deep.equal(["cinder-db-id"]);
        expect(body(res.resources, "cinder-volume-group")).to.contain(
            `\n${volumeGroupScript("cinder-volumes", "alice")}\n`,
        );
        expect(body(res.resources, "cinder-restart")).to.contain(
            "\noslab_svc start tgt || oslab_svc restart tgt\noslab_svc restart cinder-api cinder-scheduler cinder-volume\noslab_wait_tcp 192.168.122.111 8776 180\n",
        );
    });

    it("sends secrets only on stdin, files root:cinder 0640", () => {
        for (const n of ["cinder-conf-cinder.conf", "cinder-conf-api-paste.ini"]) {
            const spec = JSON.parse(unwrap(find(res.resources, n).inputs).stdin);
            expect([spec.mode, spec.owner, spec.group]).to.deep.equal(["0640", "root", "cinder"]);
            expect(JSON.stringify(spec)).to.contain(TEST_SECRETS.generated);
        }
        for (const r of res.resources.filter((x) => x.type === CMD && /^cinder/.test(x.name))) {
            const i = unwrap(r.inputs);
            expect(`${i.create}\n${i.delete ?? ""}`, r.name).not.to.contain(TEST_SECRETS.generated);
        }
    });

    it("registers the same resources in preview", async () => {
        expect(mine((await build((c) => c, true)).resources)).to.deep.equal(mine(res.resources));
    });
});

for (const release of MODERN_RELEASES) {
    describe(`cinder (${release})`, function () {
        this.timeout(60000);

        it("renders cinder.conf as the golden copy and registers volume service children", async () => {
            const res = await build(forRelease(release));
            expect(mine(res.resources)).to.deep.equal(
                [
                    "cinder",
                    "cinder-install",
                    "cinder-db",
                    "cinder-conf-cinder.conf",
                    "cinder-db-sync",
                    "cinder-volume-group",
                    "cinder-restart",
                ].sort(),
            );
            expect(Object.keys(res.cinder.files)).to.deep.equal(["cinder.conf"]);
            golden(release, "alice", "cinder.conf", (await settleOutput(res.cinder.files["cinder.conf"].rendered))!);
            expect(await settleOutput(res.cinder.database.connectionUrl)).to.equal(
                `mysql+pymysql://cinder:${TEST_SECRETS.generated}@192.168.122.111/cinder`,
            );
        });

        it("without the volume service: api and scheduler only, no volume group, no tgt", async () => {
            const res = await build((c) => noVolume(forRelease(release)(c)));
            expect(mine(res.resources)).to.deep.equal(
                [
                    "cinder",
                    "cinder-install",
                    "cinder-db",
                    "cinder-conf-cinder.conf",
                    "cinder-db-sync",
                    "cinder-restart",
                ].sort(),
            );
            expect(body(res.resources, "cinder-install")).to.contain(
                "\noslab_install cinder-api cinder-scheduler cinder-common\n",
            );
            expect(body(res.resources, "cinder-restart")).to.contain(
                "\noslab_svc restart cinder-api cinder-scheduler\noslab_wait_tcp 192.168.122.111 8776 180\n",
            );
            expect(body(res.resources, "cinder-restart")).not.to.contain("tgt");
        });

        it("folsom without the volume service leaves targets.conf alone", async () => {
            const res = await build(noVolume);
            expect(mine(res.resources)).not.to.include.members(["cinder-conf-targets.conf", "cinder-volume-group"]);
        });

        it("builds the configured group from the configured device", async () => {
            const res = await build((c) => ({
                ...forRelease(release)(c),
                cinder: { volumeGroup: "vg-lab", device: "/dev/vdb", volumeService: true },
            }));
            expect(body(res.resources, "cinder-volume-group")).to.contain(
                '\nif vgs vg-lab >/dev/null 2>&1; then\n  echo "volume group vg-lab present"\n  exit 0\nfi\n' +
                    "if [ ! -b /dev/vdb ]; then\n" +
                    "  echo '/dev/vdb (openstack-lab:cinder.device) is not a block device on alice; cannot create volume group \"vg-lab\"' >&2\n  exit 1\nfi\n" +
                    "pvs /dev/vdb >/dev/null 2>&1 || pvcreate /dev/vdb\nvgcreate vg-lab /dev/vdb\n",
            );
            expect(await settleOutput(res.cinder.files["cinder.conf"].rendered)).to.contain(
                "\n[lvm]\nvolume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver\nvolume_group = vg-lab\n",
            );
        });
    });
}

describe("cinder volume-group script (run with stubbed LVM tools)", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-vg-"));
        // vgs succeeds only for the group named in $VG_PRESENT; pvcreate/vgcreate record calls.
        fs.writeFileSync(path.join(dir, "vgs"), '#!/bin/sh\n[ "$1" = "$VG_PRESENT" ]\n', { mode: 0o755 });
        for (const t of ["pvs", "pvcreate", "vgcreate"]) {
            fs.writeFileSync(path.join(dir, t), `#!/bin/sh\necho ${t} "$@" >> "$CALLS"\nexit 1\n`, { mode: 0o755 });
        }
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const runScript = (text: string, present: string) =>
        spawnSync("bash", ["--norc", "--noprofile", "-c", `set -euo pipefail\n${text}`], {
            env: { HOME: dir, PATH: `${dir}:/usr/bin:/bin`, VG_PRESENT: present, CALLS: path.join(dir, "calls") },
        });

    it("does nothing when the group exists", () => {
        const r = runScript(volumeGroupScript("cinder-volumes", "alice"), "cinder-volumes");
        expect([r.status, r.stdout.toString(), r.stderr.toString()]).to.deep.equal([
            0,
            "volume group cinder-volumes present\n",
            "",
        ]);
    });

    it("fails at up with a message naming the group and the config keys when it is missing and no device is set", () => {
        const r = runScript(volumeGroupScript("cinder-volumes", "alice"), "other");
        expect([r.status, r.stdout.toString(), r.stderr.toString()]).to.deep.equal([
            1,
            "",
            'LVM volume group "cinder-volumes" does not exist on alice, and cinder-volume needs it. Create it (pvcreate/vgcreate), ' +
                'or set openstack-lab:cinder.device to a free block device the program may turn into "cinder-volumes", ' +
                "or set openstack-lab:cinder.volumeService to false to run Cinder without cinder-volume.\n",
        ]);
    });

    it("refuses a device that is not a block device, touching nothing", () => {
        const r = runScript(volumeGroupScript("cinder-volumes", "alice", "/dev/null"), "other");
        expect([r.status, r.stderr.toString()]).to.deep.equal([
            1,
            '/dev/null (openstack-lab:cinder.device) is not a block device on alice; cannot create volume group "cinder-volumes"\n',
        ]);
        expect(fs.existsSync(path.join(dir, "calls"))).to.equal(false);
    });
});
