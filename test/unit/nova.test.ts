// Nova (and the compute part of the cloud) under mocks, both releases: the exact
// children per host, golden files of every rendered file per release and host, per-host
// values on a two-compute stack, secrets only on stdin, the scripts' key lines, preview.
import { expect } from "chai";
import { buildBase, buildComputeAndVolume } from "../../components/cloud";
import { Nova } from "../../components/nova";
import * as render from "../../components/nova/render";
import { sha256 } from "../../components/shared/step";
import { RawConfig } from "../../config";
import {
    devConfig,
    find,
    golden,
    Registered,
    RELEASE_CONFIGS,
    run,
    settleOutput,
    TEST_SECRETS,
    unwrap,
} from "./harness";
import { rabbitTransportUrl } from "../../components/shared/oslo";

const CMD = "command:remote:Command";
const MYSQL = "pulumi-nodejs:dynamic/infra:MysqlDatabase";

function twoComputes(c: RawConfig): RawConfig {
    const nodes = [
        ...(c.nodes as object[]),
        { name: "carol", role: "compute", managementIp: "192.168.122.114", dataIp: "192.168.133.114" },
    ];
    return { ...c, nodes };
}

/** MysqlDatabase outputs as the provider computes them (connectionUrl from the inputs). */
function mockOutputs(r: Registered): Record<string, unknown> | undefined {
    if (r.type !== MYSQL) {
        return undefined;
    }
    const i = unwrap(r.inputs);
    return { connectionUrl: `${i.urlScheme}://${i.user}:${i.password}@${i.host}/${i.database}` };
}

async function build(change: (c: RawConfig) => RawConfig, preview = false) {
    let nova: Nova | undefined;
    const result = await run(
        () => {
            nova = buildComputeAndVolume(buildBase(devConfig(change))).nova;
        },
        { mockOutputs, preview },
    );
    return { ...result, nova: nova! };
}

const mine = (rs: readonly Registered[]) =>
    rs
        .filter((r) => /^nova(-|$)/.test(r.name))
        .map((r) => r.name)
        .sort();

const EXPECTED_BY_RELEASE: Record<string, string[]> = {
    folsom: [
        "nova",
        "nova-db",
        "nova-db-sync",
        "nova-check",
        "nova-alice-install",
        "nova-alice-conf-nova.conf",
        "nova-alice-conf-api-paste.ini",
        "nova-alice-restart",
        "nova-bob-install",
        "nova-bob-conf-qemu.conf",
        "nova-bob-conf-libvirtd.conf",
        "nova-bob-conf-libvirt-bin.default",
        "nova-bob-libvirt-default-net",
        "nova-bob-restart-libvirt",
        "nova-bob-conf-nova.conf",
        "nova-bob-conf-api-paste.ini",
        "nova-bob-restart",
    ].sort(),
    zed: [
        "nova",
        "nova-db-api",
        "nova-db",
        "nova-db-cell0",
        "nova-db-sync",
        "nova-check",
        "nova-alice-install",
        "nova-alice-conf-nova.conf",
        "nova-alice-conf-nova-consoleproxy.default",
        "nova-alice-restart",
        "nova-bob-install",
        "nova-bob-conf-qemu.conf",
        "nova-bob-conf-libvirtd.conf",
        "nova-bob-conf-libvirtd.default",
        "nova-bob-libvirt-tcp-socket",
        "nova-bob-libvirt-default-net",
        "nova-bob-restart-libvirt",
        "nova-bob-conf-nova.conf",
        "nova-bob-restart",
        "nova-bob-discover",
    ].sort(),
};
const EXPECTED: Record<string, string[]> = { ...EXPECTED_BY_RELEASE, epoxy: EXPECTED_BY_RELEASE.zed };

const GOLDEN_FILES_BY_RELEASE: Record<string, Record<string, string[]>> = {
    folsom: {
        alice: ["nova.conf", "nova-api-paste.ini"],
        bob: ["nova.conf", "nova-api-paste.ini", "qemu.conf", "libvirtd.conf", "libvirt-bin.default"],
    },
    zed: {
        alice: ["nova.conf", "nova-consoleproxy.default"],
        bob: ["nova.conf", "qemu.conf", "libvirtd.conf", "libvirtd.default"],
    },
};
const GOLDEN_FILES: Record<string, Record<string, string[]>> = {
    ...GOLDEN_FILES_BY_RELEASE,
    epoxy: GOLDEN_FILES_BY_RELEASE.zed,
};

for (const [release, change] of RELEASE_CONFIGS) {
    describe(`nova (${release})`, function () {
        this.timeout(60000);
        let res: Awaited<ReturnType<typeof build>>;
        before(async () => {
            res = await build(change);
        });

        it("registers exactly these children", () => {
            expect(mine(res.resources)).to.deep.equal(EXPECTED[release]);
            expect(find(res.resources, "nova").type).to.equal("oslab:compute:Nova");
        });

        it("renders every file as the golden copy", async () => {
            const hosts = GOLDEN_FILES[release];
            expect(Object.keys(res.nova.files).sort()).to.deep.equal(Object.keys(hosts).sort());
            for (const [host, files] of Object.entries(hosts)) {
                expect(Object.keys(res.nova.files[host]).sort()).to.deep.equal([...files].sort());
                for (const f of files) {
                    golden(release, host, f, (await settleOutput(res.nova.files[host][f].rendered))!);
                }
            }
        });

        it("writes files holding secrets root:nova 0640, secrets only on stdin", () => {
            for (const host of ["alice", "bob"]) {
                const spec = JSON.parse(unwrap(find(res.resources, `nova-${host}-conf-nova.conf`).inputs).stdin);
                expect([spec.mode, spec.owner, spec.group]).to.deep.equal(["0640", "root", "nova"]);
                expect(JSON.stringify(spec)).to.contain(TEST_SECRETS.generated);
            }
            for (const r of res.resources.filter((x) => x.type === CMD && /^nova/.test(x.name))) {
                const i = unwrap(r.inputs);
                expect(`${i.create}\n${i.delete ?? ""}`, r.name).not.to.contain(TEST_SECRETS.generated);
            }
        });

        it("creates the databases with the generated password", () => {
            const dbs = res.resources
                .filter((r) => r.type === MYSQL && /^nova/.test(r.name))
                .map((r) => {
                    const i = unwrap(r.inputs);
                    return [r.name, i.database, i.user, i.password, i.host, i.urlScheme];
                });
            expect(dbs).to.deep.equal(
                release === "folsom"
                    ? [["nova-db", "nova", "novadbadmin", TEST_SECRETS.generated, "192.168.122.111", "mysql"]]
                    : [
                          [
                              "nova-db-api",
                              "nova_api",
                              "nova_api",
                              TEST_SECRETS.generated,
                              "192.168.122.111",
                              "mysql+pymysql",
                          ],
                          ["nova-db", "nova", "nova", TEST_SECRETS.generated, "192.168.122.111", "mysql+pymysql"],
                          [
                              "nova-db-cell0",
                              "nova_cell0",
                              "nova_cell0",
                              TEST_SECRETS.generated,
                              "192.168.122.111",
                              "mysql+pymysql",
                          ],
                      ],
            );
        });

        it("installs, bootstraps, restarts and checks with the release's commands", () => {
            const create = (n: string) => unwrap(find(res.resources, n).inputs).create as string;
            const body = (n: string) => create(n).split("oslab_retry() {")[1];
            if (release === "folsom") {
                expect(body("nova-alice-install")).to.contain(
                    "\noslab_install nova-api-metadata nova-api-os-compute nova-api-ec2 nova-objectstore nova-scheduler nova-novncproxy nova-consoleauth nova-cert\n",
                );
                expect(body("nova-bob-install")).to.contain(
                    "\noslab_install nova-compute-kvm libvirt-bin python-mysqldb genisoimage\n",
                );
                expect(body("nova-db-sync")).to.contain("\nsu -s /bin/sh -c 'nova-manage db sync' nova\n");
                expect(body("nova-alice-restart")).to.contain(
                    "\noslab_svc restart nova-api-metadata nova-api-os-compute nova-api-ec2 nova-objectstore nova-scheduler nova-novncproxy nova-consoleauth nova-cert\n",
                );
                expect(body("nova-bob-restart-libvirt")).to.contain("\noslab_svc restart libvirt-bin\n");
                expect(body("nova-bob-restart")).to.contain("\noslab_svc restart nova-compute\n");
                expect(body("nova-check")).to.contain(
                    "expected=(nova-cert@alice nova-consoleauth@alice nova-scheduler@alice nova-compute@bob)",
                );
                expect(body("nova-check")).to.contain(render.NOVA_MANAGE_SERVICE_LIST);
                expect(unwrap(find(res.resources, "nova-check").inputs).stdin).to.equal(undefined);
            } else {
                expect(body("nova-alice-install")).to.contain(
                    "\noslab_install nova-api nova-conductor nova-scheduler nova-consoleproxy nova-common\n",
                );
                expect(body("nova-bob-install")).to.contain(
                    "\nif [ ! -d /run/systemd/system ]; then oslab_install libvirt-daemon-system-sysv; fi\noslab_install nova-compute-qemu nova-compute nova-common genisoimage\n",
                );
                expect(body("nova-db-sync")).to.contain(`\n${render.cellsV2DbSync("/etc/nova/nova.conf")}\n`);
                expect(unwrap(find(res.resources, "nova-db-sync").inputs).stdin).to.equal(
                    `mysql+pymysql://nova_cell0:${TEST_SECRETS.generated}@192.168.122.111/nova_cell0`,
                );
                // re-run when a database URL or the broker password (cell mappings) changes, not on any nova.conf key
                const url = (db: string) => `mysql+pymysql://${db}:${TEST_SECRETS.generated}@192.168.122.111/${db}`;
                expect(unwrap(find(res.resources, "nova-db-sync").inputs).triggers).to.deep.equal([
                    sha256([url("nova_api"), url("nova"), url("nova_cell0"), TEST_SECRETS.generated].join("\n")),
                ]);
                expect(body("nova-alice-restart")).to.contain(
                    "\noslab_svc restart nova-api nova-api-metadata nova-conductor nova-scheduler nova-novncproxy\n" +
                        "oslab_wait_tcp 192.168.122.111 8774 180\noslab_wait_tcp 192.168.122.111 8775 180\noslab_wait_tcp 192.168.122.111 6080 180\n",
                );
                expect(body("nova-bob-restart-libvirt")).to.contain("\noslab_svc restart virtlogd libvirtd\n");
                // each compute is mapped by its own step; its membership checks it is alive
                expect(body("nova-bob-discover")).to.contain(`\n${render.discoverHostScript("bob", "nova")}\n`);
                expect(body("nova-check")).to.contain("expected=(nova-conductor@alice nova-scheduler@alice)");
                expect(unwrap(find(res.resources, "nova-check").inputs).stdin).to.equal(TEST_SECRETS.generated);
            }
            expect(unwrap(find(res.resources, "nova-bob-libvirt-default-net").inputs).delete).to.contain(
                render.libvirtDefaultNetRestoreScript(),
            );
            // the compute's guests are stopped before its packages are purged
            expect(unwrap(find(res.resources, "nova-bob-install").inputs).delete).to.contain(
                `\n${render.stopGuestsScript()}\noslab_purge `,
            );
            if (release !== "folsom") {
                // qemu.conf and /etc/default/libvirtd are edited only where systemd is not PID 1;
                // libvirtd.conf differs by init system; spec on stdin, restore on delete.
                for (const [id, path, block] of [
                    ["qemu.conf", "/etc/libvirt/qemu.conf", render.qemuConfNoNamespaces()],
                    ["libvirtd.default", "/etc/default/libvirtd", 'LIBVIRTD_ARGS="--listen"\n'],
                ]) {
                    const i = unwrap(find(res.resources, `nova-bob-conf-${id}`).inputs);
                    expect(i.create).to.contain(`\n${render.blockUnlessSystemdScript(path)}\n`);
                    expect(i.delete).to.contain(`\n${render.restoreFileScript(path)}\n`);
                    expect(JSON.parse(i.stdin)).to.deep.equal({ block, comment: "#" });
                    expect(i.triggers).to.equal(undefined);
                }
                const libvirtd = unwrap(find(res.resources, "nova-bob-conf-libvirtd.conf").inputs);
                expect(libvirtd.create).to.contain(`\n${render.blockByInitScript("/etc/libvirt/libvirtd.conf")}\n`);
                expect(libvirtd.delete).to.contain(`\n${render.restoreFileScript("/etc/libvirt/libvirtd.conf")}\n`);
                expect(JSON.parse(libvirtd.stdin)).to.deep.equal({
                    systemd: { block: 'auth_tcp = "none"\n', comment: "#" },
                    other: {
                        block: 'unix_sock_group = "libvirt"\nunix_sock_rw_perms = "0770"\nauth_unix_rw = "none"\nlisten_tls = 0\nlisten_tcp = 1\nauth_tcp = "none"\n',
                        comment: "#",
                    },
                });
                const socket = unwrap(find(res.resources, "nova-bob-libvirt-tcp-socket").inputs);
                expect(socket.create).to.contain(`\n${render.libvirtTcpSocketScript("libvirtd-tcp.socket")}\n`);
                expect(socket.delete).to.contain(`\n${render.libvirtTcpSocketDeleteScript("libvirtd-tcp.socket")}\n`);
            }
        });

        it("registers the same resources in preview", async () => {
            const preview = await build(change, true);
            expect(mine(preview.resources)).to.deep.equal(EXPECTED[release]);
        });
    });

    describe(`nova (${release}, two computes)`, function () {
        this.timeout(60000);
        it("gives each compute its own nova.conf, libvirt and restart, and expects both", async () => {
            const res = await build((c) => change(twoComputes(c)));
            const carol = mine(res.resources).filter((n) => n.startsWith("nova-carol-"));
            expect(carol).to.deep.equal(
                EXPECTED[release]
                    .filter((n) => n.startsWith("nova-bob-"))
                    .map((n) => n.replace("bob", "carol"))
                    .sort(),
            );
            const bob = (await settleOutput(res.nova.files.bob["nova.conf"].rendered))!;
            const carolConf = (await settleOutput(res.nova.files.carol["nova.conf"].rendered))!;
            expect(carolConf).to.equal(bob.split("192.168.122.112").join("192.168.122.114"));
            expect(carolConf).not.to.equal(bob);
            const check = unwrap(find(res.resources, "nova-check").inputs).create as string;
            if (release === "folsom") {
                expect(check).to.contain("nova-compute@bob nova-compute@carol)");
            } else {
                // the controller's check knows no compute: adding one leaves it unchanged
                expect(check).to.contain("expected=(nova-conductor@alice nova-scheduler@alice)");
                expect(unwrap(find(res.resources, "nova-carol-discover").inputs).create).to.contain(
                    `\n${render.discoverHostScript("carol", "nova")}\n`,
                );
            }
        });
    });
}

describe("nova renderers", () => {
    it("percent-encodes the RabbitMQ credentials in transport_url", () => {
        expect(rabbitTransportUrl("openstack", "p@ss/w:rd", "198.51.100.11")).to.equal(
            "rabbit://openstack:p%40ss%2Fw%3Ard@198.51.100.11:5672/",
        );
    });

    it("uses the article's kvm or the configured qemu for libvirt_type", () => {
        const v: render.NovaConfValues = {
            role: "compute",
            myIp: "10.0.0.2",
            controllerIp: "10.0.0.1",
            region: "RegionOne",
            virtType: "qemu",
            rabbit: { user: "guest", password: "r" },
            dbUrl: "mysql://u:p@10.0.0.1/nova",
            novaPassword: "n",
            networkPassword: "q",
        };
        expect(render.novaConfFlat(v).DEFAULT.libvirt_type).to.equal("qemu");
        expect(render.novaConf(v).libvirt.virt_type).to.equal("qemu");
        expect(render.novaConf({ ...v, role: "controller" }).libvirt.virt_type).to.equal(undefined);
        expect(render.novaConf(v).database.connection).to.equal(undefined);
    });
});
