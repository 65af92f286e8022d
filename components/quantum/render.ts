// Pure renderers of the networking service: plain values in, INI documents and bash out.
//
// Folsom (the article, docs/sources.md#folsom): Quantum with the monolithic Open vSwitch plugin,
// GRE tunnels, one router with use_namespaces = False, and the metadata return route on
// the controller. Zed (Debian 12, docs/sources.md#zed): Neutron ML2/OVS with VXLAN, the L3,
// DHCP and metadata agents on the network node.
import { IniDoc } from "../shared/ini";
import { HOST_STATE_DIR, shq } from "../shared/script";
import { keystoneAuthtoken, rabbitTransportUrl } from "../shared/oslo";

/** Integration bridge on every agent host (article: `ovs-vsctl add-br br-int`). */
export const INTEGRATION_BRIDGE = "br-int";
/** Tunnel bridge the L2 agent creates itself. */
export const TUNNEL_BRIDGE = "br-tun";
/**
 * External bridge on the network node. The article names it br-ext, but the Folsom L3
 * agent's external_network_bridge defaults to br-ex (docs/sources.md#folsom-pitfalls 2): we create br-ex
 * and set external_network_bridge to the same name.
 */
export const EXTERNAL_BRIDGE = "br-ex";
/** Netdev bridge that owns the data interface and the tunnel address (docs/sources.md#lab-findings). */
export const PHYSICAL_BRIDGE = "br-phy";
/** Physical network name of the external flat network (Debian's default bridge_mappings). */
export const PHYSICAL_NETWORK = "external";
/** The network API port (catalog: http://<controller>:9696/). */
export const API_PORT = 9696;
/** nova-api-metadata on the controller. */
export const METADATA_PORT = 8775;

export type DatapathType = "system" | "netdev";

/** Non-secret values a file is rendered from (one host's view). */
export interface RenderValues {
    /** Controller management address: server, Keystone, RabbitMQ, MySQL, nova metadata. */
    readonly controllerIp: string;
    /** Keystone region (article: RegionOne). */
    readonly region: string;
    /** RabbitMQ user the services log in as (Folsom guest, Zed openstack). */
    readonly rabbitUser: string;
    readonly datapathType: DatapathType;
    /** This host's tunnel endpoint (agent hosts). */
    readonly dataIp?: string;
    /** True on the network node (it maps the external physical network). */
    readonly networkNode: boolean;
    /** Router UUID from the networks (Folsom l3_agent.ini router_id). */
    readonly routerId?: string;
    /** ext_net UUID from the networks (Folsom l3_agent.ini gateway_external_network_id). */
    readonly externalNetworkId?: string;
    /** uwsgi worker processes of the API server (config `apiWorkers`); unset: the renderer's default. */
    readonly apiWorkers?: number;
}

/** Secret values; files rendered from them travel as secret Outputs. */
export interface SecretValues {
    /** SQLAlchemy URL of the service's database (MysqlDatabase.connectionUrl). */
    readonly dbUrl: string;
    /** Password of the Keystone service user (quantum / neutron). */
    readonly servicePassword: string;
    /** Password of the nova service user (Zed: neutron notifies nova of port events). */
    readonly novaPassword: string;
    readonly rabbitPassword: string;
    /** Shared secret of the metadata proxy (Zed metadata agent ↔ nova). */
    readonly metadataSecret: string;
}

function need<T>(value: T | undefined, what: string): T {
    if (value === undefined || value === "") {
        throw new Error(`networking: ${what} is required to render this file`);
    }
    return value;
}

/**
 * An ID from the networks: undefined drops the key (no value yet: unit tests whose mocks
 * return no outputs); "" means the provider found the object missing, which must not be
 * written into a config file.
 */
function networkId(value: string | undefined, what: string): string | undefined {
    if (value === "") {
        throw new Error(`networking: the ${what} is missing in the network API (run pulumi refresh, then up)`);
    }
    return value;
}

// ---------------------------------------------------------------------------------------
// Folsom (Quantum 2012.2, Ubuntu 12.04 + cloud archive)

export const OVS_QUANTUM_PLUGIN = "quantum.plugins.openvswitch.ovs_quantum_plugin.OVSQuantumPluginV2";
/** root_helper of the L3/DHCP agents (docs/sources.md#folsom). */
export const QUANTUM_ROOT_HELPER = "sudo quantum-rootwrap /etc/quantum/rootwrap.conf";
/** root_helper of the OVS agent, [AGENT] of ovs_quantum_plugin.ini (docs/sources.md#folsom). */
export const QUANTUM_OVS_ROOT_HELPER = "sudo /usr/bin/quantum-rootwrap /etc/quantum/rootwrap.conf";
/** GRE tunnel IDs for tenant networks (article). */
export const GRE_TUNNEL_ID_RANGES = "1:1000";

/** /etc/quantum/api-paste.ini: the [filter:authtoken] the article edits on Alice and copies as-is. */
export function quantumApiPaste(v: RenderValues, s: SecretValues): IniDoc {
    return {
        "filter:authtoken": {
            auth_host: v.controllerIp,
            auth_port: 35357,
            auth_protocol: "http",
            admin_tenant_name: "service",
            admin_user: "quantum",
            admin_password: s.servicePassword,
        },
    };
}

/** /etc/quantum/quantum.conf on the controller: the OVS plugin, Keystone auth, RabbitMQ. */
export function quantumServerConf(v: RenderValues, s: SecretValues): IniDoc {
    return {
        DEFAULT: {
            core_plugin: OVS_QUANTUM_PLUGIN,
            auth_strategy: "keystone",
            rabbit_host: v.controllerIp,
            rabbit_userid: v.rabbitUser,
            rabbit_password: s.rabbitPassword,
        },
    };
}

/** /etc/quantum/quantum.conf on Bob and Charlie: "the only way of telling the agents … RabbitMQ". */
export function quantumAgentConf(v: RenderValues, s: SecretValues): IniDoc {
    return {
        DEFAULT: {
            rabbit_host: v.controllerIp,
            rabbit_userid: v.rabbitUser,
            rabbit_password: s.rabbitPassword,
        },
    };
}

/**
 * ovs_quantum_plugin.ini on the controller. The three GRE keys are needed by the server
 * too (docs/sources.md#folsom-pitfalls 3): without them tenant networks are `local`.
 */
export function ovsPluginServer(_v: RenderValues, s: SecretValues): IniDoc {
    return {
        DATABASE: { sql_connection: s.dbUrl, reconnect_interval: 2 },
        OVS: { tenant_network_type: "gre", tunnel_id_ranges: GRE_TUNNEL_ID_RANGES, enable_tunneling: true },
        AGENT: { root_helper: QUANTUM_OVS_ROOT_HELPER, polling_interval: 2 },
    };
}

/** ovs_quantum_plugin.ini on Bob and Charlie: Alice's file plus the agent's tunnel keys. */
export function ovsPluginAgent(v: RenderValues, s: SecretValues): IniDoc {
    return {
        DATABASE: { sql_connection: s.dbUrl, reconnect_interval: 2 },
        OVS: {
            tenant_network_type: "gre",
            tunnel_id_ranges: GRE_TUNNEL_ID_RANGES,
            integration_bridge: INTEGRATION_BRIDGE,
            tunnel_bridge: TUNNEL_BRIDGE,
            local_ip: need(v.dataIp, "dataIp"),
            enable_tunneling: true,
        },
        AGENT: { root_helper: QUANTUM_OVS_ROOT_HELPER, polling_interval: 2 },
    };
}

/**
 * /etc/quantum/l3_agent.ini on Charlie. router_id and gateway_external_network_id come
 * from the created networks. The article writes `gateway_external_net_id`, a name the
 * agent never reads (docs/sources.md#folsom-pitfalls 1); router_id is honoured only with use_namespaces = False
 * (docs/sources.md#folsom-pitfalls 4); external_network_bridge names the bridge we create (docs/sources.md#folsom-pitfalls 2).
 */
export function quantumL3Agent(v: RenderValues, s: SecretValues): IniDoc {
    return {
        DEFAULT: {
            interface_driver: "quantum.agent.linux.interface.OVSInterfaceDriver",
            auth_url: `http://${v.controllerIp}:5000/v2.0`,
            auth_region: v.region,
            admin_tenant_name: "service",
            admin_user: "quantum",
            admin_password: s.servicePassword,
            root_helper: QUANTUM_ROOT_HELPER,
            metadata_ip: v.controllerIp,
            metadata_port: METADATA_PORT,
            use_namespaces: false,
            external_network_bridge: EXTERNAL_BRIDGE,
            router_id: networkId(v.routerId, "router"),
            gateway_external_network_id: networkId(v.externalNetworkId, "external network"),
        },
    };
}

/** /etc/quantum/dhcp_agent.ini on Charlie: the sample's drivers, no namespaces like the L3 agent. */
export function quantumDhcpAgent(): IniDoc {
    return {
        DEFAULT: {
            interface_driver: "quantum.agent.linux.interface.OVSInterfaceDriver",
            dhcp_driver: "quantum.agent.linux.dhcp.Dnsmasq",
            root_helper: QUANTUM_ROOT_HELPER,
            use_namespaces: false,
        },
    };
}

// ---------------------------------------------------------------------------------------
// Zed (Neutron 21, Debian 12)

/** VXLAN network IDs for tenant networks (Debian's default, docs/sources.md#zed). */
export const VXLAN_VNI_RANGES = "1:1000";
/** oslo.concurrency lock directory (install guide; the neutron user owns /var/lib/neutron). */
export const NEUTRON_LOCK_PATH = "/var/lib/neutron/tmp";

/**
 * Security groups on the L2 agent. The openvswitch driver (Debian's default) needs
 * kernel conntrack; on the userspace datapath only `noop` is proven (docs/sources.md#lab-findings), so
 * netdev hosts run without security-group filtering.
 */
export function firewallDriver(datapathType: DatapathType): string {
    return datapathType === "netdev" ? "noop" : "openvswitch";
}

/** /etc/neutron/neutron.conf on the controller (docs/sources.md#zed + Debian's debconf keys). */
export function neutronServerConf(v: RenderValues, s: SecretValues): IniDoc {
    const keystone = `http://${v.controllerIp}:5000`;
    return {
        DEFAULT: {
            core_plugin: "ml2",
            service_plugins: "router",
            transport_url: rabbitTransportUrl(v.rabbitUser, s.rabbitPassword, v.controllerIp),
            auth_strategy: "keystone",
            notify_nova_on_port_status_changes: true,
            notify_nova_on_port_data_changes: true,
        },
        database: { connection: s.dbUrl },
        // region_name always written: Debian ships `regionOne` (docs/sources.md#lab-findings).
        keystone_authtoken: keystoneAuthtoken(v.controllerIp, v.region, "neutron", s.servicePassword),
        nova: {
            auth_url: keystone,
            auth_type: "password",
            project_domain_name: "Default",
            user_domain_name: "Default",
            region_name: v.region,
            project_name: "service",
            username: "nova",
            password: s.novaPassword,
        },
        oslo_concurrency: { lock_path: NEUTRON_LOCK_PATH },
    };
}

/** /etc/neutron/neutron.conf on the network and compute nodes: messaging and locks only. */
export function neutronAgentConf(v: RenderValues, s: SecretValues): IniDoc {
    return {
        DEFAULT: { transport_url: rabbitTransportUrl(v.rabbitUser, s.rabbitPassword, v.controllerIp) },
        oslo_concurrency: { lock_path: NEUTRON_LOCK_PATH },
    };
}

/** /etc/neutron/plugins/ml2/ml2_conf.ini on the controller. */
export function ml2Conf(): IniDoc {
    return {
        ml2: {
            type_drivers: "flat,vxlan",
            tenant_network_types: "vxlan",
            mechanism_drivers: "openvswitch,l2population",
            extension_drivers: "port_security",
        },
        ml2_type_flat: { flat_networks: PHYSICAL_NETWORK },
        ml2_type_vxlan: { vni_ranges: VXLAN_VNI_RANGES },
    };
}

/**
 * Worker processes of Debian's neutron-api uwsgi service without config `apiWorkers`
 * (packaged: 8 processes x 32 threads).
 */
export const NEUTRON_API_PROCESSES = 2;

/**
 * /etc/neutron/neutron-api-uwsgi.ini. Neutron monkey-patches eventlet, so more than one
 * uwsgi thread per worker makes greenlets switch threads ("greenlet.error: cannot switch
 * to a different thread") and the network API stops answering minutes after it started.
 * One thread per worker, and `apiWorkers` workers (unset: as many as a lab controller can
 * afford, NEUTRON_API_PROCESSES).
 */
export function neutronApiUwsgi(v: RenderValues): IniDoc {
    return { uwsgi: { processes: v.apiWorkers ?? NEUTRON_API_PROCESSES, threads: 1 } };
}

/**
 * /etc/neutron/plugins/ml2/openvswitch_agent.ini. Only the network node maps the
 * external network (Debian maps external:br-ex everywhere; a compute without br-ex would
 * make the agent exit).
 */
export function openvswitchAgent(v: RenderValues): IniDoc {
    return {
        ovs: {
            local_ip: need(v.dataIp, "dataIp"),
            datapath_type: v.datapathType,
            integration_bridge: INTEGRATION_BRIDGE,
            tunnel_bridge: TUNNEL_BRIDGE,
            bridge_mappings: v.networkNode ? `${PHYSICAL_NETWORK}:${EXTERNAL_BRIDGE}` : "",
        },
        agent: { tunnel_types: "vxlan", l2_population: true },
        securitygroup: { firewall_driver: firewallDriver(v.datapathType) },
    };
}

/** /etc/neutron/l3_agent.ini: routers in namespaces, external network through br-int + bridge_mappings. */
export function neutronL3Agent(): IniDoc {
    return { DEFAULT: { interface_driver: "openvswitch" } };
}

/** /etc/neutron/dhcp_agent.ini (docs/sources.md#zed: dnsmasq, isolated metadata). */
export function neutronDhcpAgent(): IniDoc {
    return {
        DEFAULT: {
            interface_driver: "openvswitch",
            dhcp_driver: "neutron.agent.linux.dhcp.Dnsmasq",
            enable_isolated_metadata: true,
        },
    };
}

/** /etc/neutron/metadata_agent.ini: proxies instances' metadata requests to nova (docs/sources.md#zed). */
export function metadataAgent(v: RenderValues, s: SecretValues): IniDoc {
    return {
        DEFAULT: {
            nova_metadata_host: v.controllerIp,
            nova_metadata_port: METADATA_PORT,
            metadata_proxy_shared_secret: s.metadataSecret,
        },
    };
}

/**
 * Start Open vSwitch and prove it runs (ovsdb-server answers, ovs-vswitchd is up).
 * The packaged init script (Debian 3.1 and Ubuntu alike) runs `ovs-ctl start`, which
 * stops before ovs-vswitchd when the openvswitch kernel module cannot be loaded. With
 * the userspace datapath no module is needed, so on netdev hosts the daemons are then
 * started the way ovs-ctl starts them, minus the module; on system hosts that is an error.
 */
export function ovsStartScript(datapathType: DatapathType, service = "openvswitch-switch"): string {
    const head = `ovs_up() { ovs-vsctl --timeout=5 show >/dev/null 2>&1 && pgrep -x ovs-vswitchd >/dev/null; }
if ovs_up; then echo "Open vSwitch is running"; exit 0; fi
out=$(oslab_svc start ${service} 2>&1) || true
if ovs_up; then echo "Open vSwitch started"; exit 0; fi`;
    if (datapathType === "system") {
        return `${head}
echo "$out" >&2
echo "Open vSwitch did not start on $(hostname): ovs-vswitchd needs the openvswitch kernel module for datapathType system; on hosts without it set openstack-lab:datapathType netdev" >&2
exit 1`;
    }
    return `${head}
# No kernel module: the userspace (netdev) datapath needs none.
mkdir -p /var/run/openvswitch /var/log/openvswitch
db=/etc/openvswitch/conf.db
[ -f "$db" ] || ovsdb-tool create "$db" /usr/share/openvswitch/vswitch.ovsschema
pgrep -x ovsdb-server >/dev/null || ovsdb-server "$db" --remote=punix:/var/run/openvswitch/db.sock \\
  --remote=db:Open_vSwitch,Open_vSwitch,manager_options --pidfile --detach --log-file
ovs-vsctl --no-wait init
pgrep -x ovs-vswitchd >/dev/null || ovs-vswitchd unix:/var/run/openvswitch/db.sock --pidfile --detach --log-file
if ! oslab_retry 15 ovs_up; then
  echo "$out" >&2
  echo "Open vSwitch did not start on $(hostname); see /var/log/openvswitch/" >&2
  exit 1
fi
echo "Open vSwitch started for the userspace datapath (no kernel module)"`;
}

/**
 * Destroy: stop Open vSwitch (after its bridges are gone), whether the init script or
 * ovsStartScript started it; maintainer scripts may not stop it where policy-rc.d forbids.
 */
export function ovsStopScript(service = "openvswitch-switch"): string {
    return `command -v ovs-appctl >/dev/null || exit 0
oslab_svc stop ${service} >/dev/null 2>&1 || true
for d in ovs-vswitchd ovsdb-server; do
  if pgrep -x "$d" >/dev/null; then ovs-appctl -t "$d" exit >/dev/null 2>&1 || true; fi
done`;
}

/** Where the br-phy steps remember the data interface and its address (for the way back). */
export const BR_PHY_STATE = `${HOST_STATE_DIR}/br-phy`;

/**
 * Find the interface that holds the data address (the config names only the address)
 * and remember it with the address's prefix. Prints the interface name: it becomes the
 * port of br-phy. Once remembered, the remembered interface is printed.
 */
export function dataInterfaceScript(dataIp: string): string {
    return `state=${BR_PHY_STATE}
if [ -s "$state" ]; then read -r dev _ < "$state"; echo "$dev"; exit 0; fi
found=$(ip -o -4 addr show | awk -v ip=${dataIp} '{ split($4, a, "/"); if (a[1] == ip) { sub(/@.*/, "", $2); print $2, $4; exit } }')
if [ -z "$found" ]; then
  echo "no interface on $(hostname) holds the data address ${dataIp} (nodes[].dataIp)" >&2
  exit 1
fi
dev=\${found%% *}
if [ "$dev" = ${PHYSICAL_BRIDGE} ]; then
  echo "${dataIp} already sits on ${PHYSICAL_BRIDGE} but $state is missing: move it back to the data interface and run again" >&2
  exit 1
fi
echo "$found" > "$state"
echo "$dev"`;
}

/** Destroy: forget the data interface (runs after the address went back to it). */
export function dataInterfaceDeleteScript(): string {
    return `rm -f ${BR_PHY_STATE}`;
}

/**
 * Move the data address from the data interface to br-phy (whose port the interface now
 * is): with the userspace datapath, VXLAN packets leave only through an OVS bridge that
 * owns the tunnel address (docs/sources.md#lab-findings). local_ip stays the same.
 */
export function brPhyAddressScript(): string {
    return `read -r dev cidr < ${BR_PHY_STATE}
has() { ip -o -4 addr show dev "$1" 2>/dev/null | awk '{print $4}' | grep -qxF "$cidr"; }
if has "$dev"; then ip addr del "$cidr" dev "$dev"; fi
if has ${PHYSICAL_BRIDGE}; then echo "$cidr is on ${PHYSICAL_BRIDGE}"; else ip addr replace "$cidr" dev ${PHYSICAL_BRIDGE}; echo "moved $cidr from $dev to ${PHYSICAL_BRIDGE}"; fi
ip link set ${PHYSICAL_BRIDGE} up`;
}

/** Destroy: give the data address back to the data interface. */
export function brPhyAddressDeleteScript(): string {
    return `[ -s ${BR_PHY_STATE} ] || exit 0
read -r dev cidr < ${BR_PHY_STATE}
has() { ip -o -4 addr show dev "$1" 2>/dev/null | awk '{print $4}' | grep -qxF "$cidr"; }
if has ${PHYSICAL_BRIDGE}; then ip addr del "$cidr" dev ${PHYSICAL_BRIDGE}; fi
if ip link show "$dev" >/dev/null 2>&1; then ip addr replace "$cidr" dev "$dev"; ip link set "$dev" up; fi`;
}

/** A service restart as one step: restart, prove it runs; destroy stops it. */
export interface ServiceRun {
    /** Service names (systemd unit / upstart job / init script), restarted in order. */
    readonly names: readonly string[];
    /** Python entry points that must be running afterwards, e.g. /usr/bin/neutron-l3-agent. */
    readonly programs: readonly string[];
    /** TCP port that must answer on `address` afterwards. */
    readonly port?: number;
    /** Shell run on destroy after the services stopped (e.g. remove a bridge the agent made). */
    readonly cleanup?: string;
}

/**
 * Restart the services, then check they stay up: each program runs and still runs 5 s
 * later (agents exit right after start on a bad config), and the API port answers. On
 * failure the newest log of `logDir` is shown. Processes are matched on "python…
 * PROGRAM": Neutron's agents rewrite their title ("neutron-l3-agent (/usr/bin/python3
 * /usr/bin/neutron-l3-agent …)") but keep the original command line inside it, and this
 * script's own command line never holds the interpreter next to the program.
 */
export function serviceScript(run: ServiceRun, logDir: string, address: string): string {
    const lines = [`oslab_svc restart ${run.names.map(shq).join(" ")}`];
    const log = `tail -n 20 "$(ls -t ${logDir}/*.log 2>/dev/null | head -n1)" >&2 2>/dev/null || true`;
    if (run.programs.length) {
        lines.unshift(`service_alive() {
  local re="python[0-9.]* $1( |\\$)"
  for _ in $(seq 30); do pgrep -f "$re" >/dev/null && break; sleep 1; done
  sleep 5
  pgrep -f "$re" >/dev/null && return 0
  echo "$1 is not running on $(hostname); the newest log in ${logDir} ends with:" >&2
  ${log}
  return 1
}`);
        for (const p of run.programs) {
            lines.push(`service_alive ${shq(p)}`);
        }
    }
    if (run.port !== undefined) {
        lines.push(
            `oslab_wait_tcp ${address} ${run.port} 180 || { echo "nothing answers on ${address}:${run.port}; the newest log in ${logDir} ends with:" >&2; ${log}; exit 1; }`,
        );
    }
    return lines.join("\n");
}

/** Destroy: stop the services (absent ones are fine), then clean up. */
export function serviceStopScript(run: ServiceRun): string {
    const lines = [...run.names].reverse().map((n) => `oslab_svc stop ${shq(n)} >/dev/null 2>&1 || true`);
    if (run.cleanup) {
        lines.push(run.cleanup);
    }
    return lines.join("\n");
}

/** Remove the tunnel bridge the L2 agent created (destroy). */
export function removeTunnelBridgeScript(): string {
    return `if command -v ovs-vsctl >/dev/null; then ovs-vsctl --timeout=30 --if-exists del-br ${TUNNEL_BRIDGE}; fi`;
}

/** Neutron's schema migrations, as the service user (Zed; Folsom's plugin makes its tables at start). */
export function dbSyncScript(user: string, command: string): string {
    return `su -s /bin/sh -c ${shq(command)} ${shq(user)}`;
}

/** Where the metadata route step remembers its gateway (destroy removes exactly that route). */
export function metadataRouteState(cidr: string): string {
    return `${HOST_STATE_DIR}/metadata-route-${cidr.replace(/[^0-9.]/g, "_")}`;
}

/**
 * The article's last section: on the controller, the tenant network is reached via the
 * router's gateway port on the external network (the return path of metadata requests,
 * which the L3 agent DNATs to the controller without SNAT). `replace` keeps it idempotent.
 */
export function metadataRouteScript(cidr: string, gateway: string | undefined): string {
    const state = metadataRouteState(cidr);
    if (!gateway) {
        return `echo "provider-router has no gateway port on the external network: no route for ${cidr} (run pulumi refresh, then up)" >&2
exit 1`;
    }
    return `if ip route show exact ${cidr} | grep -qF "via ${gateway} "; then
  echo "route ${cidr} via ${gateway} is in place"
elif ! ip route replace ${cidr} via ${gateway}; then
  echo "cannot route ${cidr} via ${gateway} on $(hostname): the controller needs a route to the external network (e.g. its default gateway)" >&2
  exit 1
fi
echo ${gateway} > ${state}`;
}

/** Destroy: remove the route this program added (and only that one). */
export function metadataRouteDeleteScript(cidr: string): string {
    const state = metadataRouteState(cidr);
    return `[ -s ${state} ] || exit 0
gw=$(cat ${state})
if ip route show exact ${cidr} | grep -qF "via $gw "; then ip route del ${cidr} via "$gw"; fi
rm -f ${state}`;
}
