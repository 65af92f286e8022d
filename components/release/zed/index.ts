import { plainFile, secretFile } from "../../quantum/profiles";
import * as keystone from "../../keystone/render";
import * as glance from "../../glance/render";
import * as horizon from "../../horizon/render";
import * as nova from "../../nova/render";
import * as placement from "../../placement/render";
import * as cinder from "../../cinder/render";
import * as quantum from "../../quantum/render";
import { CINDER_PACKAGING, NOVA_CONF } from "../common";
import { ReleaseProfile } from "../profile";

const NEUTRON_GROUP = "neutron";
const Z_CONF = "neutron.conf";
const Z_ML2 = "ml2_conf.ini";
const Z_OVS = "openvswitch_agent.ini";
const Z_UWSGI = "neutron-api-uwsgi.ini";

export const profile: ReleaseProfile = {
    name: "zed",
    base: {
        distribution: "Debian 12 (bookworm)",
        ntp: { packages: ["chrony"], service: "chrony" },
        rabbitmq: {
            packages: ["rabbitmq-server"],
            service: "rabbitmq-server",
            user: "openstack",
            // rabbitmqctl ≥ 3.7 reads the password from stdin when it is omitted.
            setPassword: `if rabbitmqctl -q list_users | awk '{print $1}' | grep -qx "$user"; then
  rabbitmqctl -q change_password "$user" < "$pwfile" >/dev/null
else
  rabbitmqctl -q add_user "$user" < "$pwfile" >/dev/null
fi
rabbitmqctl -q set_permissions "$user" '.*' '.*' '.*' >/dev/null`,
        },
        mysql: {
            packages: ["mariadb-server", "python3-pymysql"],
            service: "mariadb",
            configFile: "/etc/mysql/mariadb.conf.d/99-openstack-lab.cnf",
            config: (bindAddress) => ({
                mysqld: {
                    "bind-address": bindAddress,
                    "default-storage-engine": "innodb",
                    innodb_file_per_table: "on",
                    max_connections: 4096,
                    "collation-server": "utf8_general_ci",
                    "character-set-server": "utf8",
                },
            }),
            urlScheme: "mysql+pymysql",
        },
    },
    keystone: {
        packages: ["keystone", "python3-pymysql", "python3-openstackclient"],
        purge: ["keystone"],
        service: "keystone",
        confPath: "/etc/keystone/keystone.conf",
        confGroup: "keystone",
        renderConf: keystone.keystoneConf,
        db: { name: "keystone", user: "keystonedbadmin" },
        dialect: "v3",
        adminAuth: "password",
        urls: keystone.v3Urls,
        catalog: keystone.v3Catalog,
        data: {
            // bootstrap creates admin ⊃ member ⊃ reader; member is Horizon's default role
            roles: ["admin", "member", "reader"],
            adminRoles: ["admin"],
            adminPassword: false,
            serviceProjectDescription: "Service Project",
            serviceUsers: {
                nova: "nova",
                glance: "glance",
                quantum: "neutron",
                cinder: "cinder",
                placement: "placement",
            },
        },
        keys: keystone.fernetKeysScript,
        bootstrap: keystone.bootstrapScript,
        uwsgiIni: keystone.KEYSTONE_UWSGI_INI,
        hostFixes: () => [keystone.uwsgiApparmorFix()],
        clientEnv: keystone.v3ClientEnv,
    },
    glance: {
        packages: ["glance-api", "glance-common", "python3-pymysql", "python3-openstackclient", "curl"],
        purge: ["glance-api", "glance-common"],
        services: ["glance-api"],
        port: 9292,
        files: [{ id: "glance-api", path: "/etc/glance/glance-api.conf", render: glance.glanceApiConf }],
        group: "glance",
        db: { name: "glance", user: "glancedbadmin" },
        dbSync: glance.dbSyncScript,
        imageCli: glance.OPENSTACK_CLI,
    },
    horizon: {
        // openstack-dashboard-apache: Apache + mod_wsgi, alias mode (/horizon) by default
        packages: ["openstack-dashboard-apache", "memcached"],
        purge: ["openstack-dashboard-apache", "memcached"],
        webServer: "apache2",
        cache: "memcached",
        settingsFile: "/etc/openstack-dashboard/local_settings.d/_90_openstack_lab.py",
        render: horizon.localSettingsDropIn,
        urlPath: "/horizon",
        loginPath: "/horizon/auth/login/",
    },
    nova: {
        flavorCli: "openstack",
        controller: {
            // nova-api carries both nova-api and nova-api-metadata (uwsgi, init scripts);
            // nova-consoleproxy carries nova-novncproxy. nova-common (/etc/nova) is named so
            // that destroy purges it too.
            packages: ["nova-api", "nova-conductor", "nova-scheduler", "nova-consoleproxy", "nova-common"],
            services: ["nova-api", "nova-api-metadata", "nova-conductor", "nova-scheduler", "nova-novncproxy"],
            ports: [8774, 8775, 6080],
            reporting: ["nova-conductor", "nova-scheduler"],
            files: [
                {
                    id: "nova-consoleproxy.default",
                    path: "/etc/default/nova-consoleproxy",
                    mode: "block",
                    content: nova.novaConsoleproxyDefaults(),
                },
            ],
            // the init scripts of the same names run them under uwsgi with these files
            uwsgiInis: {
                "nova-api": "/etc/nova/nova-api-uwsgi.ini",
                "nova-api-metadata": "/etc/nova/nova-api-metadata-uwsgi.ini",
            },
        },
        compute: {
            // nova-compute (the service and its init script) and nova-common come in as
            // dependencies; named, destroy stops and purges them with the flavour.
            // genisoimage: nova builds a config drive by running `[DEFAULT] mkisofs_cmd`
            // (default genisoimage, nova/conf/configdrive.py; nova/virt/configdrive.py), and
            // Debian 12's python3-nova 26.2.2 does not depend on it (Debian 13's does): a
            // server with a config drive went to ERROR without it (deviation nova-15).
            packages: (virtType) => [`nova-compute-${virtType}`, "nova-compute", "nova-common", "genisoimage"],
            packagesWithoutSystemd: ["libvirt-daemon-system-sysv"],
            libvirtServices: ["virtlogd", "libvirtd"],
            libvirtFiles: [],
            // Quirks of hosts without systemd (the lab); real Debian hosts keep the defaults.
            libvirtFilesByInit: [
                {
                    id: "qemu.conf",
                    path: "/etc/libvirt/qemu.conf",
                    mode: "block",
                    content: nova.qemuConfNoNamespaces(),
                },
                {
                    // Live migration over TCP (the article's three libvirtd.conf lines, where
                    // libvirtd opens its own sockets) plus the lab's socket access without polkit;
                    // under systemd only the TCP authentication (the socket unit opens the port).
                    id: "libvirtd.conf",
                    path: "/etc/libvirt/libvirtd.conf",
                    mode: "block",
                    content: nova.libvirtdConfNoPolkit() + nova.libvirtdConfTcp(),
                    withSystemd: nova.libvirtdConfTcpAuth(),
                },
                {
                    id: "libvirtd.default",
                    path: "/etc/default/libvirtd",
                    mode: "block",
                    content: nova.libvirtdListenDefaults(),
                },
            ],
            migrationSocket: "libvirtd-tcp.socket",
            services: ["nova-compute"],
            reporting: ["nova-compute"],
        },
        conf: { path: NOVA_CONF, group: "nova", render: nova.novaConf },
        databases: [
            { role: "api", name: "nova_api", user: "nova_api" },
            { role: "main", name: "nova", user: "nova" },
            { role: "cell0", name: "nova_cell0", user: "nova_cell0" },
        ],
        urlScheme: "mysql+pymysql",
        dbSync: { script: nova.cellsV2DbSync(NOVA_CONF), cell0Stdin: true },
        discoverHosts: true,
        serviceList: { command: nova.COMPUTE_API_SERVICE_LIST, needsAdmin: true },
    },
    placement: {
        packages: ["placement-api", "placement-common"],
        service: "placement-api",
        port: 8778,
        uwsgiIni: "/etc/placement/placement-api-uwsgi.ini",
        conf: { path: "/etc/placement/placement.conf", group: "placement", render: placement.placementConf },
        database: { name: "placement", user: "placement" },
        urlScheme: "mysql+pymysql",
        dbSync: "placement-manage db sync",
    },
    cinder: {
        ...CINDER_PACKAGING,
        uwsgiIni: "/etc/cinder/cinder-api-uwsgi.ini",
        conf: { path: "/etc/cinder/cinder.conf", group: "cinder", render: cinder.cinderConf },
        database: { name: "cinder", user: "cinder" },
        urlScheme: "mysql+pymysql",
    },
    destroyGuard: true,
    computeMembership: true,
    demo: { memberRole: "member", networkAccess: "rbac", securityGroups: "neutron" },
    quantum: {
        name: "neutron",
        product: "Neutron",
        logDir: "/var/log/neutron",
        database: { name: "neutron", user: "neutron" },
        dbSync: {
            user: "neutron",
            command:
                "neutron-db-manage --config-file /etc/neutron/neutron.conf --config-file /etc/neutron/plugins/ml2/ml2_conf.ini upgrade head",
        },
        server: {
            // Debian's neutron-server is a metapackage: neutron-api (uwsgi, port 9696, init
            // script /etc/init.d/neutron-api) + neutron-rpc-server (agents' RPC). The parts are
            // named too, so that destroy purges them (and neutron-common's /etc/neutron).
            packages: ["neutron-server", "neutron-api", "neutron-rpc-server", "neutron-common"],
            files: [
                secretFile(Z_CONF, "/etc/neutron/neutron.conf", NEUTRON_GROUP, quantum.neutronServerConf),
                plainFile(Z_ML2, "/etc/neutron/plugins/ml2/ml2_conf.ini", NEUTRON_GROUP, quantum.ml2Conf),
                plainFile(Z_UWSGI, "/etc/neutron/neutron-api-uwsgi.ini", NEUTRON_GROUP, quantum.neutronApiUwsgi),
            ],
            services: [
                {
                    step: "restart",
                    names: ["neutron-api", "neutron-rpc-server"],
                    programs: ["/usr/bin/neutron-rpc-server"],
                    port: quantum.API_PORT,
                    reads: [Z_CONF, Z_ML2, Z_UWSGI],
                },
            ],
        },
        agent: {
            packages: ["openvswitch-switch", "neutron-openvswitch-agent", "neutron-common"],
            files: [
                secretFile(Z_CONF, "/etc/neutron/neutron.conf", NEUTRON_GROUP, quantum.neutronAgentConf),
                plainFile(
                    Z_OVS,
                    "/etc/neutron/plugins/ml2/openvswitch_agent.ini",
                    NEUTRON_GROUP,
                    quantum.openvswitchAgent,
                ),
            ],
            services: [
                {
                    step: "restart",
                    names: ["neutron-openvswitch-agent"],
                    programs: ["/usr/bin/neutron-openvswitch-agent"],
                    reads: [Z_CONF, Z_OVS],
                    cleanup: quantum.removeTunnelBridgeScript(),
                },
            ],
        },
        networkNode: {
            packages: ["neutron-l3-agent", "neutron-dhcp-agent", "neutron-metadata-agent"],
            files: [
                plainFile("l3_agent.ini", "/etc/neutron/l3_agent.ini", NEUTRON_GROUP, quantum.neutronL3Agent),
                plainFile("dhcp_agent.ini", "/etc/neutron/dhcp_agent.ini", NEUTRON_GROUP, quantum.neutronDhcpAgent),
                secretFile(
                    "metadata_agent.ini",
                    "/etc/neutron/metadata_agent.ini",
                    NEUTRON_GROUP,
                    quantum.metadataAgent,
                ),
            ],
            services: [
                {
                    step: "restart-dhcp",
                    names: ["neutron-dhcp-agent"],
                    programs: ["/usr/bin/neutron-dhcp-agent"],
                    reads: [Z_CONF, "dhcp_agent.ini"],
                },
                {
                    step: "restart-l3",
                    names: ["neutron-l3-agent"],
                    programs: ["/usr/bin/neutron-l3-agent"],
                    reads: [Z_CONF, "l3_agent.ini"],
                },
                {
                    step: "restart-metadata",
                    names: ["neutron-metadata-agent"],
                    programs: ["/usr/bin/neutron-metadata-agent"],
                    reads: [Z_CONF, "metadata_agent.ini"],
                },
            ],
        },
        networks: {
            dialect: "v3",
            authPath: "/v3",
            externalNetworkName: "ext_net",
            routerName: "provider-router",
            externalProvider: { networkType: "flat", physicalNetwork: quantum.PHYSICAL_NETWORK },
        },
        metadataRoute: false,
    },
};
