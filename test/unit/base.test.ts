// The base layer under mocks: exact children per host for the article's stack and for a
// stack with three computes; key inputs; no secret in any command; preview registers the
// same resources.
import { expect } from "chai";
import { buildBase, buildCloud } from "../../components/cloud";
import { SYSCTL_FILE, renderSysctl } from "../../components/base/render";
import { RawConfig } from "../../config";
import { Registered, TEST_SECRETS, devConfig, find, run, unwrap } from "./harness";

const CMD = "command:remote:Command";

function baseChildren(host: string): string[] {
    return [
        `${host}-base-apt-keyring`,
        `${host}-base-apt-source`,
        `${host}-base-ntp`,
        `${host}-base-packages`,
        `${host}-base-sysctl`,
        `${host}-base-sysctl-apply`,
        `${host}-ssh-ready`,
    ];
}

function commandsOn(resources: Registered[], ip: string): string[] {
    return resources
        .filter((r) => r.type === CMD && unwrap(r.inputs).connection.host === ip)
        .map((r) => r.name)
        .sort();
}

function threeComputes(c: RawConfig): RawConfig {
    const nodes = [...(c.nodes as object[])];
    nodes.push({ name: "bob2", role: "compute", managementIp: "192.168.122.114", dataIp: "192.168.133.114" });
    nodes.push({ name: "bob3", role: "compute", managementIp: "192.168.122.115", dataIp: "192.168.133.115" });
    return { ...c, nodes };
}

describe("base layer (dev stack)", () => {
    let resources: Registered[];
    before(async () => {
        ({ resources } = await run(() => {
            buildBase(devConfig());
        }));
    });

    it("registers exactly these steps on each host, at the article's addresses", () => {
        expect(commandsOn(resources, "192.168.122.111")).to.deep.equal(
            [
                ...baseChildren("alice"),
                "alice-base-packages-last",
                "alice-base-packages-later",
                "mysql-conf",
                "mysql-install",
                "mysql-restart",
                "rabbitmq-install",
                "rabbitmq-user",
            ].sort(),
        );
        expect(commandsOn(resources, "192.168.122.112")).to.deep.equal(baseChildren("bob"));
        expect(commandsOn(resources, "192.168.122.113")).to.deep.equal(baseChildren("charlie"));
    });

    it("registers the components and one generated password per secret", () => {
        const comps = resources
            .filter((r) => r.type.startsWith("oslab:"))
            .map((r) => `${r.type} ${r.name}`)
            .sort();
        expect(comps).to.deep.equal([
            "oslab:infra:Base alice-base",
            "oslab:infra:Base bob-base",
            "oslab:infra:Base charlie-base",
            "oslab:infra:Host alice",
            "oslab:infra:Host bob",
            "oslab:infra:Host charlie",
            "oslab:infra:Mysql mysql",
            "oslab:infra:RabbitMQ rabbitmq",
            "oslab:infra:Secrets secrets",
        ]);
        const pw = resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
        expect(pw.map((r) => r.name).sort()).to.deep.equal([
            "secrets-admin-password",
            "secrets-admin-token",
            "secrets-db-cinder",
            "secrets-db-glance",
            "secrets-db-keystone",
            "secrets-db-nova",
            "secrets-db-placement",
            "secrets-db-quantum",
            "secrets-metadata-secret",
            "secrets-rabbit-password",
            "secrets-user-cinder",
            "secrets-user-glance",
            "secrets-user-nova",
            "secrets-user-placement",
            "secrets-user-quantum",
        ]);
        for (const r of pw) {
            expect(r.inputs).to.deep.equal({ length: 32, special: false });
        }
    });

    it("writes the cloud archive source and the sysctl drop-in with their exact content", () => {
        const src = unwrap(find(resources, "bob-base-apt-source").inputs);
        expect(JSON.parse(src.stdin)).to.deep.equal({
            content: "deb http://ubuntu-cloud.archive.canonical.com/ubuntu precise-updates/folsom main\n",
            mode: "0644",
        });
        expect(src.create).to.include('"$py" - replace /etc/apt/sources.list.d/cloud.list 3<&0');
        expect(unwrap(find(resources, "bob-base-apt-keyring").inputs).create).to.match(
            /\noslab_install ubuntu-cloud-keyring\n$/,
        );
        const sysctl = unwrap(find(resources, "charlie-base-sysctl").inputs);
        expect(JSON.parse(sysctl.stdin)).to.deep.equal({ content: renderSysctl(), mode: "0644" });
        expect(renderSysctl()).to.equal(
            "# openstack-lab: asynchronous routing for Quantum/Neutron and packet forwarding.\n" +
                "net.ipv4.conf.all.rp_filter = 0\nnet.ipv4.conf.default.rp_filter = 0\nnet.ipv4.ip_forward = 1\n",
        );
        const apply = unwrap(find(resources, "charlie-base-sysctl-apply").inputs);
        expect(apply.create).to.include(`sysctl -q -p ${SYSCTL_FILE}\n`);
        expect(apply.triggers).to.have.length(1);
        expect(apply.triggers[0]).to.match(/^[0-9a-f]{64}$/);
    });

    it("configures MySQL to listen on the management address", () => {
        const conf = unwrap(find(resources, "mysql-conf").inputs);
        expect(JSON.parse(conf.stdin)).to.deep.equal({
            set: { mysqld: { "bind-address": "192.168.122.111" } },
            remove_sections: [],
            mode: "0644",
        });
        expect(conf.create).to.include('"$py" - ini /etc/mysql/conf.d/openstack-lab.cnf 3<&0');
        const restart = unwrap(find(resources, "mysql-restart").inputs);
        expect(restart.create).to.include("oslab_svc restart mysql\n");
        expect(restart.create).to.include("DELETE FROM mysql.user WHERE User = ''; FLUSH PRIVILEGES;");
    });

    it("sends the RabbitMQ password on stdin only, as a secret", () => {
        const user = find(resources, "rabbitmq-user");
        expect(user.inputs.stdin["4dabf18193072939515e22adb298388d"]).to.equal("1b47061264138c4ac30d75fd1eb44270");
        expect(unwrap(user.inputs).stdin).to.equal(TEST_SECRETS.generated);
    });

    it("never puts a secret in a command string", () => {
        for (const r of resources.filter((x) => x.type === CMD)) {
            const { create, delete: del } = unwrap(r.inputs);
            for (const s of [TEST_SECRETS.generated, TEST_SECRETS.sshPrivateKey]) {
                expect(`${create}${del ?? ""}`, r.name).to.not.include(s);
            }
        }
    });

    it("keeps every connection's private key secret", () => {
        for (const r of resources.filter((x) => x.type === CMD)) {
            expect(r.inputs.connection["4dabf18193072939515e22adb298388d"], r.name).to.equal(
                "1b47061264138c4ac30d75fd1eb44270",
            );
        }
    });
});

describe("base layer (three computes, zed, reboot option)", () => {
    it("gives every compute the same base steps", async () => {
        const { resources } = await run(() => {
            buildBase(devConfig(threeComputes));
        });
        expect(commandsOn(resources, "192.168.122.114")).to.deep.equal(baseChildren("bob2"));
        expect(commandsOn(resources, "192.168.122.115")).to.deep.equal(baseChildren("bob3"));
        // 7 base steps per host, the controller's two later package runs, 5 MySQL and RabbitMQ steps
        expect(resources.filter((r) => r.type === CMD)).to.have.length(5 * 7 + 2 + 5);
    });

    it("zed: no cloud archive, chrony, MariaDB drop-in, apt proxy when configured", async () => {
        const { resources } = await run(() => {
            buildBase(devConfig((c) => ({ ...c, release: "zed", aptProxy: "http://198.51.100.1:3142" })));
        });
        expect(commandsOn(resources, "192.168.122.112")).to.deep.equal([
            "bob-base-apt-proxy",
            "bob-base-ntp",
            "bob-base-packages",
            "bob-base-sysctl",
            "bob-base-sysctl-apply",
            "bob-ssh-ready",
        ]);
        expect(JSON.parse(unwrap(find(resources, "bob-base-apt-proxy").inputs).stdin).content).to.equal(
            'Acquire::http::Proxy "http://198.51.100.1:3142";\n',
        );
        expect(unwrap(find(resources, "bob-base-ntp").inputs).create).to.include(
            "oslab_install chrony\noslab_svc start chrony",
        );
        // destroy, or removing the node, purges chrony if this step installed it
        expect(unwrap(find(resources, "bob-base-ntp").inputs).delete).to.match(/\noslab_purge chrony\n$/);
        // One package transaction per host, everything its roles need, after NTP; the
        // controller's in three: the identity layer's first, then what the chain to a
        // bootable cloud needs (Glance, Placement, Nova, Neutron), then Cinder and Horizon.
        const pkgs = (h: string, step = "packages") =>
            unwrap(find(resources, `${h}-base-${step}`).inputs).create.split("oslab_retry() {")[1];
        expect(pkgs("alice")).to.contain(
            "\noslab_install chrony mariadb-server python3-pymysql rabbitmq-server keystone python3-openstackclient\n",
        );
        expect(pkgs("alice", "packages-later")).to.contain(
            "\noslab_install glance-api glance-common curl placement-api placement-common nova-api nova-conductor nova-scheduler nova-consoleproxy nova-common neutron-server neutron-api neutron-rpc-server neutron-common\n",
        );
        expect(pkgs("alice", "packages-last")).to.contain(
            "\noslab_install cinder-api cinder-scheduler cinder-common cinder-volume tgt lvm2 openstack-dashboard-apache memcached\n",
        );
        expect(resources.filter((r) => /-packages-la(ter|st)$/.test(r.name)).map((r) => r.name)).to.deep.equal([
            "alice-base-packages-later",
            "alice-base-packages-last",
        ]);
        expect(pkgs("bob")).to.contain(
            "\nif [ ! -d /run/systemd/system ]; then oslab_install libvirt-daemon-system-sysv; fi\noslab_install chrony openvswitch-switch neutron-openvswitch-agent neutron-common nova-compute-kvm nova-compute nova-common genisoimage\n",
        );
        expect(pkgs("charlie")).to.contain(
            "\noslab_install chrony openvswitch-switch neutron-openvswitch-agent neutron-common neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent\n",
        );
        expect(JSON.parse(unwrap(find(resources, "mysql-conf").inputs).stdin).set).to.deep.equal({
            mysqld: {
                "bind-address": "192.168.122.111",
                "default-storage-engine": "innodb",
                innodb_file_per_table: "on",
                max_connections: "4096",
                "collation-server": "utf8_general_ci",
                "character-set-server": "utf8",
            },
        });
    });

    it("epoxy: the MariaDB drop-in also turns innodb_snapshot_isolation off (MariaDB 11.8)", async () => {
        const { resources } = await run(() => {
            buildBase(devConfig((c) => ({ ...c, release: "epoxy" })));
        });
        expect(JSON.parse(unwrap(find(resources, "mysql-conf").inputs).stdin).set).to.deep.equal({
            mysqld: {
                "bind-address": "192.168.122.111",
                "default-storage-engine": "innodb",
                innodb_file_per_table: "on",
                max_connections: "4096",
                "collation-server": "utf8_general_ci",
                "character-set-server": "utf8",
                innodb_snapshot_isolation: "off",
            },
        });
    });

    it("reboot option adds reboot, pause and check steps after sysctl", async () => {
        const { resources } = await run(() => {
            buildBase(devConfig((c) => ({ ...c, rebootOnSysctlChange: true })));
        });
        expect(
            resources
                .filter((r) => r.name.startsWith("bob-base-reboot"))
                .map((r) => `${r.type} ${r.name}`)
                .sort(),
        ).to.deep.equal([
            "command:local:Command bob-base-reboot-pause",
            "command:remote:Command bob-base-reboot",
            "command:remote:Command bob-base-reboot-check",
        ]);
    });

    it("preview registers the same resources and runs nothing", async () => {
        const normal = await run(() => {
            buildBase(devConfig());
        });
        const preview = await run(
            () => {
                buildBase(devConfig());
            },
            { preview: true },
        );
        expect(preview.resources.map((r) => `${r.type} ${r.name}`).sort()).to.deep.equal(
            normal.resources.map((r) => `${r.type} ${r.name}`).sort(),
        );
    });
});

describe("package runs: each service's install waits for the run that brings its packages", () => {
    for (const release of ["zed", "epoxy"] as const) {
        it(`${release}: the chain to a bootable cloud goes ahead while Cinder and Horizon install`, async () => {
            const deps = new Map<string, string[]>();
            await run(() => buildCloud(devConfig((c) => ({ ...c, release }))), { dependencies: deps });
            const installs = [...deps.keys()].filter((n) => n.endsWith("-install") && !/^(mysql|rabbitmq)-/.test(n));
            const waitsFor = Object.fromEntries(
                installs.sort().map((n) => [
                    n,
                    deps
                        .get(n)!
                        .filter((d) => d.includes("-base-packages"))
                        .sort(),
                ]),
            );
            // every step of a host waits for its first run (the host's `ready`)
            expect(waitsFor).to.deep.equal({
                "cinder-install": ["alice-base-packages", "alice-base-packages-last"],
                "glance-install": ["alice-base-packages", "alice-base-packages-later"],
                "horizon-install": ["alice-base-packages", "alice-base-packages-last"],
                "keystone-install": ["alice-base-packages"],
                "neutron-alice-install": ["alice-base-packages", "alice-base-packages-later"],
                "neutron-bob-install": ["bob-base-packages"],
                "neutron-charlie-install": ["charlie-base-packages"],
                "nova-alice-install": ["alice-base-packages", "alice-base-packages-later"],
                "nova-bob-install": ["bob-base-packages"],
                "placement-install": ["alice-base-packages", "alice-base-packages-later"],
            });
            expect(deps.get("alice-base-packages-later")).to.deep.equal(["alice-ssh-ready", "alice-base-packages"]);
            expect(deps.get("alice-base-packages-last")).to.deep.equal([
                "alice-ssh-ready",
                "alice-base-packages-later",
            ]);
        });
    }
});
