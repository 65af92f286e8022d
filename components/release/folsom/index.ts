import { plainFile, secretFile } from "../../quantum/profiles";
import * as keystone from "../../keystone/render";
import * as glance from "../../glance/render";
import * as horizon from "../../horizon/render";
import * as nova from "../../nova/render";
import * as cinder from "../../cinder/render";
import * as quantum from "../../quantum/render";
import { CINDER_PACKAGING, NOVA_CONF } from "../common";
import { ReleaseProfile } from "../profile";

const QUANTUM_GROUP = "quantum";
const F_API_PASTE = "quantum/api-paste.ini";
const F_CONF = "quantum.conf";
const F_PLUGIN = "ovs_quantum_plugin.ini";
const F_PLUGIN_PATH = "/etc/quantum/plugins/openvswitch/ovs_quantum_plugin.ini";

type SecretRenderer = Parameters<typeof secretFile>[3];

/** Quantum's three files on a node (server or agent): the same paths, each role's renderers. */
function quantumFiles(conf: SecretRenderer, plugin: SecretRenderer) {
    return [
        secretFile(F_API_PASTE, "/etc/quantum/api-paste.ini", QUANTUM_GROUP, quantum.quantumApiPaste),
        secretFile(F_CONF, "/etc/quantum/quantum.conf", QUANTUM_GROUP, conf),
        secretFile(F_PLUGIN, F_PLUGIN_PATH, QUANTUM_GROUP, plugin),
    ];
}

/** The nova services on Alice: the article's restart loop, one package each. */
const NOVA_CONTROLLER = [
    "nova-api-metadata",
    "nova-api-os-compute",
    "nova-api-ec2",
    "nova-objectstore",
    "nova-scheduler",
    "nova-novncproxy",
    "nova-consoleauth",
    "nova-cert",
];

export const profile: ReleaseProfile = {
    name: "folsom",
    base: {
        distribution: "Ubuntu 12.04 (precise) with the Ubuntu Cloud Archive",
        aptSource: {
            keyringPackage: "ubuntu-cloud-keyring",
            file: "/etc/apt/sources.list.d/cloud.list",
            line: "deb http://ubuntu-cloud.archive.canonical.com/ubuntu precise-updates/folsom main",
        },
        ntp: { packages: ["ntp"], service: "ntp" },
        rabbitmq: {
            packages: ["rabbitmq-server"],
            service: "rabbitmq-server",
            // RabbitMQ 2.7 reads no password from stdin: evaluate an Erlang expression that
            // reads the root-only file, so the password never reaches a command line.
            user: "guest",
            setPassword: `rabbitmqctl eval "{ok, P} = file:read_file(\\"$pwfile\\"), rabbit_auth_backend_internal:change_password(<<\\"$user\\">>, P)." >/dev/null`,
        },
        mysql: {
            packages: ["mysql-server", "python-mysqldb"],
            service: "mysql",
            configFile: "/etc/mysql/conf.d/openstack-lab.cnf",
            config: (bindAddress) => ({ mysqld: { "bind-address": bindAddress } }),
            urlScheme: "mysql",
        },
    },
    keystone: {
        packages: ["keystone", "python-keystone", "python-keystoneclient"],
        purge: ["keystone", "python-keystone"],
        service: "keystone",
        confPath: "/etc/keystone/keystone.conf",
        confGroup: "keystone",
        renderConf: keystone.keystoneConfAdminToken,
        db: { name: "keystone", user: "keystonedbadmin" },
        dialect: "v2.0",
        adminAuth: "token",
        urls: keystone.v2Urls,
        catalog: keystone.v2Catalog,
        data: {
            roles: ["admin", "Member", "KeystoneAdmin", "KeystoneServiceAdmin"],
            adminRoles: ["admin", "KeystoneAdmin", "KeystoneServiceAdmin"],
            adminPassword: true,
            serviceProjectDescription: "",
            serviceUsers: { nova: "nova", glance: "glance", quantum: "quantum", cinder: "cinder" },
        },
        keys: keystone.pkiKeysScript,
        hostFixes: () => [],
        clientEnv: keystone.v2ClientEnv,
    },
    glance: {
        packages: ["glance-api", "glance-registry", "python-glanceclient"],
        purge: ["glance-api", "glance-registry"],
        services: ["glance-api", "glance-registry"],
        port: 9292,
        files: [
            {
                id: "glance-api",
                path: "/etc/glance/glance-api.conf",
                render: glance.glanceConfWithPaste("/etc/glance/glance-api-paste.ini"),
            },
            {
                id: "glance-registry",
                path: "/etc/glance/glance-registry.conf",
                render: glance.glanceConfWithPaste("/etc/glance/glance-registry-paste.ini"),
            },
        ],
        group: "glance",
        db: { name: "glance", user: "glancedbadmin" },
        dbSync: glance.versionControlDbSyncScript,
        imageCli: glance.GLANCE_CLI,
    },
    horizon: {
        packages: ["openstack-dashboard", "memcached"],
        purge: ["openstack-dashboard", "memcached"],
        webServer: "apache2",
        cache: "memcached",
        settingsFile: "/etc/openstack-dashboard/local_settings.py",
        render: horizon.localSettingsEdit,
        urlPath: "/horizon",
        loginPath: "/horizon/auth/login/",
    },
    nova: {
        flavorCli: "novaclient",
        controller: {
            packages: NOVA_CONTROLLER,
            services: NOVA_CONTROLLER,
            ports: [8773, 8774, 8775, 6080],
            reporting: ["nova-cert", "nova-consoleauth", "nova-scheduler"],
            files: [],
        },
        compute: {
            // python-mysqldb: Folsom's nova-compute reaches MySQL itself (no conductor yet).
            // genisoimage: nova 2012.2 runs it by that name for every config drive
            // (nova/virt/configdrive.py `_make_iso9660`, the default format iso9660) (deviation nova-15).
            packages: (virtType) => [`nova-compute-${virtType}`, "libvirt-bin", "python-mysqldb", "genisoimage"],
            packagesWithoutSystemd: [],
            libvirtServices: ["libvirt-bin"],
            libvirtFiles: [
                { id: "qemu.conf", path: "/etc/libvirt/qemu.conf", mode: "block", content: nova.qemuConfDeviceAcl() },
                {
                    id: "libvirtd.conf",
                    path: "/etc/libvirt/libvirtd.conf",
                    mode: "block",
                    content: nova.libvirtdConfTcp(),
                },
                {
                    id: "libvirt-bin.default",
                    path: "/etc/default/libvirt-bin",
                    mode: "block",
                    content: nova.libvirtBinDefaults(),
                },
            ],
            libvirtFilesByInit: [],
            services: ["nova-compute"],
            reporting: ["nova-compute"],
        },
        conf: { path: NOVA_CONF, group: "nova", render: nova.novaConfFlat },
        apiPaste: {
            path: "/etc/nova/api-paste.ini",
            removeSections: nova.NOVA_VOLUME_API_SECTIONS,
            render: nova.novaApiPaste,
        },
        databases: [{ role: "main", name: "nova", user: "novadbadmin" }],
        urlScheme: "mysql",
        dbSync: { script: nova.novaDbSync(), cell0Stdin: false },
        discoverHosts: false,
        serviceList: { command: nova.NOVA_MANAGE_SERVICE_LIST, needsAdmin: false },
    },
    cinder: {
        ...CINDER_PACKAGING,
        conf: { path: "/etc/cinder/cinder.conf", group: "cinder", render: cinder.cinderConfFlat },
        apiPaste: { path: "/etc/cinder/api-paste.ini", render: cinder.cinderApiPaste },
        database: { name: "cinder", user: "cinderdbadmin" },
        urlScheme: "mysql",
        dbPort: 3306,
        tgtTargets: { path: "/etc/tgt/targets.conf", content: cinder.tgtTargetsCinderOnly() },
    },
    destroyGuard: false,
    computeMembership: false,
    // Quantum v2.0 has no RBAC: the tenant network is opened with its shared flag (a network of
    // the demo tenant's own would need its own CIDR in the article's one router, which runs
    // without namespaces, and its own metadata route); nova.conf keeps Nova's security groups.
    demo: { memberRole: "Member", networkAccess: "shared", securityGroups: "nova" },
    quantum: {
        name: "quantum",
        product: "Quantum",
        logDir: "/var/log/quantum",
        database: { name: "quantum", user: "quantumdbadmin" },
        server: {
            packages: ["quantum-server", "quantum-plugin-openvswitch", "quantum-common"],
            files: quantumFiles(quantum.quantumServerConf, quantum.ovsPluginServer),
            services: [
                {
                    step: "restart",
                    names: ["quantum-server"],
                    programs: ["/usr/bin/quantum-server"],
                    port: quantum.API_PORT,
                    reads: [F_API_PASTE, F_CONF, F_PLUGIN],
                },
            ],
        },
        agent: {
            // 12.04's kernel (3.2) has no openvswitch module: the guides build it with DKMS.
            packages: [
                "openvswitch-switch",
                "openvswitch-datapath-dkms",
                "quantum-plugin-openvswitch-agent",
                "quantum-common",
            ],
            files: quantumFiles(quantum.quantumAgentConf, quantum.ovsPluginAgent),
            services: [
                {
                    step: "restart",
                    names: ["quantum-plugin-openvswitch-agent"],
                    programs: ["/usr/bin/quantum-openvswitch-agent"],
                    reads: [F_CONF, F_PLUGIN],
                    cleanup: quantum.removeTunnelBridgeScript(),
                },
            ],
        },
        networkNode: {
            packages: ["quantum-l3-agent", "quantum-dhcp-agent"],
            files: [
                secretFile("l3_agent.ini", "/etc/quantum/l3_agent.ini", QUANTUM_GROUP, quantum.quantumL3Agent),
                plainFile("dhcp_agent.ini", "/etc/quantum/dhcp_agent.ini", QUANTUM_GROUP, quantum.quantumDhcpAgent),
            ],
            services: [
                {
                    step: "restart-dhcp",
                    names: ["quantum-dhcp-agent"],
                    programs: ["/usr/bin/quantum-dhcp-agent"],
                    reads: [F_CONF, "dhcp_agent.ini"],
                },
                {
                    step: "restart-l3",
                    names: ["quantum-l3-agent"],
                    programs: ["/usr/bin/quantum-l3-agent"],
                    reads: [F_CONF, "l3_agent.ini"],
                },
            ],
        },
        networkIdsFile: "l3_agent.ini",
        networks: { dialect: "v2.0", authPath: "/v2.0", externalNetworkName: "ext_net", routerName: "provider-router" },
        metadataRoute: true,
    },
};
