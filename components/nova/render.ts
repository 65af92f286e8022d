// Pure renderers for Nova: nova.conf (one renderer per release, fed per-host values),
// the Folsom api-paste.ini [filter:authtoken], the libvirt files of the compute nodes,
// and the scripts of the bootstrap, start and check steps. Plain values in, text or
// IniDoc out; the component lifts its Outputs once and calls these.
import { IniDoc } from "../shared/ini";
import { keystoneAuthtoken, keystonePasswordAuth, pasteAuthtoken, rabbitTransportUrl } from "../shared/oslo";
import { asUser } from "../shared/packages";
import { editorPy, shq } from "../shared/script";

export type VirtType = "kvm" | "qemu";
export type NovaRole = "controller" | "compute";

/** Everything nova.conf is rendered from. Secrets are plain strings here (lifted once). */
export interface NovaConfValues {
    /** Which half of Nova runs on the host. */
    readonly role: NovaRole;
    /** The host's own management address (VNC proxy client address, my_ip). */
    readonly myIp: string;
    /** The controller's management address (APIs, RabbitMQ, MySQL, Keystone). */
    readonly controllerIp: string;
    readonly region: string;
    readonly virtType: VirtType;
    readonly rabbit: { readonly user: string; readonly password: string };
    /** Nova's database URL ([DEFAULT] sql_connection / [database] connection). */
    readonly dbUrl: string;
    /** Zed: the API database URL ([api_database] connection). */
    readonly apiDbUrl?: string;
    /** Keystone password of the `nova` service user. */
    readonly novaPassword: string;
    /** Keystone password of the network service user (quantum / neutron). */
    readonly networkPassword: string;
    /** Zed: Keystone password of the `placement` service user. */
    readonly placementPassword?: string;
    /** Zed: shared secret of the metadata proxy (neutron-metadata-agent ↔ nova-api-metadata). */
    readonly metadataSecret?: string;
}

// ---------------------------------------------------------------------------------------
// nova.conf

/**
 * Folsom nova.conf (docs/sources.md#folsom), one renderer for Alice and Bob: the only per-host
 * value is vncserver_proxyclient_address (docs/sources.md#folsom-pitfalls 5). The guides' non-Folsom leftovers
 * (cc_host, nova_url, ec2_url, allow_admin_api, use_deprecated_auth, image_service,
 * novnc_enable(d), libvirt_vif_type — docs/sources.md#folsom-pitfalls 7) are not written.
 */
export function novaConfFlat(v: NovaConfValues): IniDoc {
    const ctl = v.controllerIp;
    return {
        DEFAULT: {
            // Database
            sql_connection: v.dbUrl,
            // RPC (RabbitMQ on the controller; Folsom nova-compute talks to it and to MySQL directly)
            rabbit_host: ctl,
            rabbit_userid: v.rabbit.user,
            rabbit_password: v.rabbit.password,
            // Authentication and the API paste pipeline
            auth_strategy: "keystone",
            api_paste_config: "/etc/nova/api-paste.ini",
            keystone_ec2_url: `http://${ctl}:5000/v2.0/ec2tokens`,
            // EC2 API and objectstore
            ec2_host: ctl,
            ec2_dmz_host: ctl,
            s3_host: ctl,
            ec2_private_dns_show_ip: true,
            // Metadata (nova-api-metadata on the controller, reached through the L3 agent's DNAT)
            metadata_host: ctl,
            metadata_listen: "0.0.0.0",
            metadata_listen_port: 8775,
            dmz_cidr: "169.254.169.254/32",
            // No osapi_volume: cinder-api owns port 8776 (docs/sources.md#folsom-pitfalls 6)
            enabled_apis: ["ec2", "osapi_compute", "metadata"],
            // Networking through Quantum
            network_api_class: "nova.network.quantumv2.api.API",
            quantum_url: `http://${ctl}:9696`,
            quantum_auth_strategy: "keystone",
            quantum_admin_tenant_name: "service",
            quantum_admin_username: "quantum",
            quantum_admin_password: v.networkPassword,
            quantum_admin_auth_url: `http://${ctl}:35357/v2.0`,
            libvirt_vif_driver: "nova.virt.libvirt.vif.LibvirtHybridOVSBridgeDriver",
            linuxnet_interface_driver: "nova.network.linux_net.LinuxOVSInterfaceDriver",
            libvirt_ovs_bridge: "br-int",
            // Security groups in nova (iptables on the hybrid bridge)
            firewall_driver: "nova.virt.libvirt.firewall.IptablesFirewallDriver",
            // Compute
            compute_driver: "libvirt.LibvirtDriver",
            libvirt_type: v.virtType,
            libvirt_use_virtio_for_bridges: true,
            // Volumes through Cinder
            volume_api_class: "nova.volume.cinder.API",
            // Images
            glance_api_servers: `${ctl}:9292`,
            // VNC console: the proxy on the controller dials each host's own address (docs/sources.md#folsom-pitfalls 5)
            vnc_enabled: true,
            novncproxy_base_url: `http://${ctl}:6080/vnc_auto.html`,
            vncserver_listen: "0.0.0.0",
            vncserver_proxyclient_address: v.myIp,
            // Paths and logging
            logdir: "/var/log/nova",
            state_path: "/var/lib/nova",
            lock_path: "/var/lock/nova",
            rootwrap_config: "/etc/nova/rootwrap.conf",
            verbose: true,
        },
    };
}

/**
 * Zed nova.conf (nova unmaintained/zed doc/source/install/controller-install-ubuntu.rst, compute-install-ubuntu.rst; docs/sources.md#lab-findings): the controller
 * gets the databases and the APIs, computes get neither (they reach the database through
 * nova-conductor) but [libvirt].
 */
export function novaConf(v: NovaConfValues): IniDoc {
    const ctl = v.controllerIp;
    const controller = v.role === "controller";
    const compute = v.role === "compute";
    return {
        DEFAULT: {
            transport_url: rabbitTransportUrl(v.rabbit.user, v.rabbit.password, ctl),
            my_ip: v.myIp,
            enabled_apis: controller ? ["osapi_compute", "metadata"] : undefined,
            compute_driver: compute ? "libvirt.LibvirtDriver" : undefined,
        },
        api: { auth_strategy: "keystone" },
        api_database: { connection: controller ? v.apiDbUrl : undefined },
        database: { connection: controller ? v.dbUrl : undefined },
        keystone_authtoken: keystoneAuthtoken(ctl, v.region, "nova", v.novaPassword),
        service_user: {
            send_service_user_token: true,
            ...keystonePasswordAuth(ctl, "nova", v.novaPassword, { authPath: "/v3" }),
        },
        vnc: {
            enabled: true,
            server_listen: controller ? v.myIp : "0.0.0.0",
            server_proxyclient_address: v.myIp,
            novncproxy_base_url: `http://${ctl}:6080/vnc_auto.html`,
        },
        // Debian enables SPICE by default; the console of this cloud is noVNC.
        spice: { enabled: false },
        glance: { api_servers: `http://${ctl}:9292` },
        oslo_concurrency: { lock_path: "/var/lib/nova/tmp" },
        placement: keystonePasswordAuth(ctl, "placement", v.placementPassword ?? "", {
            authPath: "/v3",
            region: v.region,
        }),
        neutron: {
            ...keystonePasswordAuth(ctl, "neutron", v.networkPassword, { region: v.region }),
            // The metadata API (controller) checks the proxy's signature.
            service_metadata_proxy: controller ? true : undefined,
            metadata_proxy_shared_secret: controller ? v.metadataSecret : undefined,
        },
        // Debian's default is regionOne (see keystoneAuthtoken).
        cinder: { os_region_name: v.region },
        libvirt: {
            virt_type: compute ? v.virtType : undefined,
            // Live migration between computes over libvirt's TCP transport (the article's
            // listen_tcp), to the destination's management address rather than its host name
            // (nova 26/31 nova/conf/libvirt.py: live_migration_scheme, live_migration_inbound_addr).
            live_migration_scheme: compute ? "tcp" : undefined,
            live_migration_inbound_addr: compute ? v.myIp : undefined,
        },
    };
}

// ---------------------------------------------------------------------------------------
// api-paste.ini (Folsom)

/**
 * The sections of Folsom's /etc/nova/api-paste.ini that serve the volume API; removed
 * so nova-api and cinder-api do not both claim the volume endpoint (article, docs/sources.md#folsom).
 */
export const NOVA_VOLUME_API_SECTIONS = [
    "composite:osapi_volume",
    "composite:openstack_volume_api_v1",
    "app:osapi_volume_app_v1",
    "pipeline:osvolumeversions",
    "app:osvolumeversionapp",
] as const;

export function novaApiPaste(ctl: string, novaPassword: string): IniDoc {
    return {
        "filter:authtoken": pasteAuthtoken(ctl, "nova", novaPassword, {
            signing_dir: "/tmp/keystone-signing-nova",
        }),
    };
}

// ---------------------------------------------------------------------------------------
// libvirt on the compute nodes

/** Listing 5: the devices qemu may open (the article's list, as a managed block). */
export const CGROUP_DEVICE_ACL = [
    "/dev/null",
    "/dev/full",
    "/dev/zero",
    "/dev/random",
    "/dev/urandom",
    "/dev/ptmx",
    "/dev/kvm",
    "/dev/kqemu",
    "/dev/rtc",
    "/dev/hpet",
    "/dev/net/tun",
] as const;

export function qemuConfDeviceAcl(): string {
    return `cgroup_device_acl = [${CGROUP_DEVICE_ACL.map((d) => JSON.stringify(d)).join(", ")}]\n`;
}

/** libvirtd listens on TCP without authentication (article: for live migration later). */
export function libvirtdConfTcp(): string {
    return 'listen_tls = 0\nlisten_tcp = 1\nauth_tcp = "none"\n';
}

/** /etc/default/libvirt-bin: `-l` makes libvirtd honour listen_tcp. Sourced: the last assignment wins. */
export function libvirtBinDefaults(): string {
    return 'libvirtd_opts="-d -l"\n';
}

/**
 * Zed qemu.conf where systemd is not PID 1 (the lab): no per-domain mount namespace.
 * On the lab's hosts qemu could not create its PTY inside that namespace
 * ("Failed to create PTY", docs/sources.md#lab-findings); real Debian hosts keep the namespace.
 */
export function qemuConfNoNamespaces(): string {
    return "namespaces = [ ]\n";
}

/**
 * Zed libvirtd.conf where systemd is not PID 1 (the lab): libvirtd then makes its own
 * sockets, and its default access check on the read-write socket is polkit — which needs
 * D-Bus and polkitd, absent there — so nova-compute (user nova, group libvirt) would be
 * refused. Root and the libvirt group only, no polkit. Under systemd the packaged
 * defaults stay (socket activation, polkit lets the libvirt group in).
 */
export function libvirtdConfNoPolkit(): string {
    return 'unix_sock_group = "libvirt"\nunix_sock_rw_perms = "0770"\nauth_unix_rw = "none"\n';
}

/**
 * Zed libvirtd.conf where systemd is PID 1: the TCP transport for live migration without
 * authentication (the article's `auth_tcp = "none"`: any host on the management network may
 * drive libvirt — keep that network private). Under systemd socket activation libvirtd reads
 * no listen_* settings; the port comes from the socket unit (libvirtd(8), "System socket
 * activation": https://libvirt.org/manpages/libvirtd.html).
 */
export function libvirtdConfTcpAuth(): string {
    return 'auth_tcp = "none"\n';
}

/** /etc/default/libvirtd where systemd is not PID 1: Debian's init script passes LIBVIRTD_ARGS; `--listen` opens TCP. */
export function libvirtdListenDefaults(): string {
    return 'LIBVIRTD_ARGS="--listen"\n';
}

/**
 * Where systemd is PID 1: enable the socket unit that opens libvirt's TCP port (before the
 * libvirt restart, which hands the socket to libvirtd). Elsewhere nothing: libvirtd listens
 * itself (`--listen`, libvirtdListenDefaults).
 */
export function libvirtTcpSocketScript(unit: string): string {
    return `if [ -d /run/systemd/system ]; then
  systemctl enable ${shq(unit)}
  systemctl start ${shq(unit)}
else
  echo "no systemd: libvirtd listens itself (--listen)"
fi`;
}

/** Undo of libvirtTcpSocketScript. */
export function libvirtTcpSocketDeleteScript(unit: string): string {
    return `if [ -d /run/systemd/system ]; then
  systemctl disable --now ${shq(unit)} || true
fi`;
}

/**
 * A managed block whose content depends on the init system. stdin: {"systemd": spec | null,
 * "other": spec} (file specs of the editor); a host keeps its packaged file where its spec is null.
 */
export function blockByInitScript(path: string): string {
    return `if [ -d /run/systemd/system ]; then which=systemd; else which=other; fi
spec=$(python3 -c 'import json, sys; s = json.load(sys.stdin)[sys.argv[1]]; print(json.dumps(s) if s else "")' "$which")
if [ -z "$spec" ]; then
  echo "${path} keeps its packaged settings here"
  exit 0
fi
py=$(command -v python3 || command -v python)
printf '%s' "$spec" | "$py" - block ${shq(path)} 3<&0 <<'OSLAB_EDIT_PY'
${editorPy().trimEnd()}
OSLAB_EDIT_PY`;
}

/**
 * Before the compute packages are purged: stop every guest libvirt still runs (servers are
 * deleted or moved first, the membership step sees to that; this catches any left over), so
 * no qemu process outlives nova-compute.
 */
export function stopGuestsScript(): string {
    return `if command -v virsh >/dev/null 2>&1; then
  for d in $(virsh -c qemu:///system list --name 2>/dev/null); do
    virsh -c qemu:///system destroy "$d" >/dev/null 2>&1 || true
  done
fi`;
}

/** /etc/default/nova-consoleproxy: Debian's init script starts noVNC only when asked to. */
export function novaConsoleproxyDefaults(): string {
    return "NOVA_CONSOLE_PROXY_TYPE=novnc\n";
}

// ---------------------------------------------------------------------------------------
// Scripts

/**
 * Apply a managed block (spec on stdin, the on-host editor) only where systemd is not
 * PID 1; elsewhere leave the file alone.
 */
export function blockUnlessSystemdScript(path: string): string {
    return `if [ -d /run/systemd/system ]; then
  echo "systemd runs here: ${path} keeps its packaged settings"
  exit 0
fi
py=$(command -v python3 || command -v python)
"$py" - block ${shq(path)} 3<&0 <<'OSLAB_EDIT_PY'
${editorPy().trimEnd()}
OSLAB_EDIT_PY`;
}

/** Undo of blockUnlessSystemdScript: the editor restores the original (no-op if untouched). */
export function restoreFileScript(path: string): string {
    return `py=$(command -v python3 || command -v python)
"$py" - restore ${shq(path)} 3</dev/null <<'OSLAB_EDIT_PY'
${editorPy().trimEnd()}
OSLAB_EDIT_PY`;
}

export const LIBVIRT_DEFAULT_NET_MARKER = "/var/lib/openstack-lab/libvirt-default-net-autostart";

/**
 * Keep libvirt's NAT network `default` (192.168.122.0/24 — the article's management
 * network!) from starting: drop its autostart link and stop it if it runs. Check-then-act.
 */
export function libvirtDefaultNetScript(): string {
    return `link=/etc/libvirt/qemu/networks/autostart/default.xml
if [ -e "$link" ] || [ -L "$link" ]; then
  rm -f "$link"
  touch ${LIBVIRT_DEFAULT_NET_MARKER}
  echo "default network: autostart disabled"
fi
if command -v virsh >/dev/null 2>&1 && virsh -c qemu:///system net-list 2>/dev/null | awk '$1 == "default" && $2 == "active" {f = 1} END {exit !f}'; then
  virsh -c qemu:///system net-destroy default
fi`;
}

/**
 * Ask libvirt for the host's capabilities once, right after its restart: libvirt probes QEMU
 * for them and caches the answer (/var/cache/libvirt/qemu/capabilities), a probe that
 * otherwise happens inside nova-compute's start (12 s in the lab, on the deploy's critical
 * path). Best effort: nova-compute probes again if this fails.
 */
export function libvirtCapabilitiesScript(): string {
    return "virsh -c qemu:///system capabilities >/dev/null 2>&1 || true";
}

/** Undo of libvirtDefaultNetScript: give the autostart link back if we removed it. */
export function libvirtDefaultNetRestoreScript(): string {
    return `if [ -f ${LIBVIRT_DEFAULT_NET_MARKER} ]; then
  if [ -f /etc/libvirt/qemu/networks/default.xml ]; then
    mkdir -p /etc/libvirt/qemu/networks/autostart
    ln -sf ../default.xml /etc/libvirt/qemu/networks/autostart/default.xml
  fi
  rm -f ${LIBVIRT_DEFAULT_NET_MARKER}
fi`;
}

/** Folsom: one database. */
export function novaDbSync(): string {
    return asUser("nova", "nova-manage db sync");
}

export const CELL0_UUID = "00000000-0000-0000-0000-000000000000";

/**
 * Zed: cells v2 bootstrap (nova unmaintained/zed doc/source/install/controller-install-ubuntu.rst), convergent on every run:
 * api_db sync → cell0 mapped and its URL refreshed → cell1 created (or its URLs
 * refreshed from nova.conf) → db sync (cell0 and cell1). stdin: the cell0 database URL.
 * Cell0 has its own MySQL user, so its URL is not the one map_cell0 derives; the step
 * sets it through a temporary config file (never on a command line).
 */
export function cellsV2DbSync(confPath: string): string {
    return `umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{ printf '[database]\\nconnection = '; cat; printf '\\n'; } > "$tmp/cell0.conf"
chown -R nova:nova "$tmp"
nm() { su -s /bin/sh -c "nova-manage $*" nova; }
nm api_db sync
nm cell_v2 map_cell0 >/dev/null
# (the transport URL goes on the command line: nova-manage itself connects with nova.conf's)
nm --config-file ${confPath} --config-file "$tmp/cell0.conf" cell_v2 update_cell --cell_uuid ${CELL0_UUID} --transport-url none:/// >/dev/null
cell1=$(nm cell_v2 list_cells | awk -F'|' '{gsub(/ /, "", $2); gsub(/ /, "", $3)} $2 == "cell1" {print $3}')
if [ -z "$cell1" ]; then
  nm cell_v2 create_cell --name=cell1 --verbose
else
  nm cell_v2 update_cell --cell_uuid "$cell1" >/dev/null
fi
nm db sync
nm cell_v2 list_cells`;
}

/** A (binary, host) pair that must report alive. */
export interface ExpectedService {
    readonly binary: string;
    readonly host: string;
}

/**
 * Wait (bounded: tries × 5 s) until every expected service is alive. `list` prints one
 * line per service: BINARY HOST up|down. `prologue` runs first (e.g. credentials).
 */
export function aliveCheckScript(
    list: string,
    expected: readonly ExpectedService[],
    opts: { tries?: number; prologue?: string } = {},
): string {
    const tries = opts.tries ?? 60;
    const want = expected.map((e) => shq(`${e.binary}@${e.host}`)).join(" ");
    return `${opts.prologue ? `${opts.prologue.trim()}\n` : ""}expected=(${want})
listing=""
missing=()
for _ in $(seq ${tries}); do
  listing=$(${list}) || listing=""
  missing=()
  for e in "\${expected[@]}"; do
    echo "$listing" | awk -v b="\${e%@*}" -v h="\${e#*@}" '$1 == b && $2 == h && $3 == "up" {f = 1} END {exit !f}' || missing+=("$e")
  done
  if [ \${#missing[@]} -eq 0 ]; then
    echo "alive: \${expected[*]}"
    exit 0
  fi
  sleep 5
done
echo "not alive after $((${tries} * 5)) s: \${missing[*]} (binary@host; nova names hosts by their hostname)" >&2
echo "$listing" >&2
exit 1`;
}

/** Folsom: nova-manage's smileys, as BINARY HOST up|down. */
export const NOVA_MANAGE_SERVICE_LIST = `nova-manage service list 2>/dev/null | awk 'NR > 1 {print $1, $2, ($5 == ":-)" ? "up" : "down")}'`;

/** Zed: the compute API's service list (admin credentials in the environment). */
export const COMPUTE_API_SERVICE_LIST = "openstack compute service list -f value -c Binary -c Host -c State";

/** Zed: admin credentials for the openstack CLI; the password arrives on stdin. */
export function adminEnvFromStdin(ctl: string, region: string): string {
    return `IFS= read -r OS_PASSWORD || true
export OS_PASSWORD OS_USERNAME=admin OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default
export OS_AUTH_URL=http://${ctl}:5000/v3 OS_IDENTITY_API_VERSION=3 OS_REGION_NAME=${shq(region)}`;
}

/**
 * Zed: map one compute host into cell1. Polls (2 s) the cell database until the host's
 * nova-compute has registered its compute node — a cheap query as MySQL's root on the
 * controller — then runs `discover_hosts` until the host is mapped (another compute's step
 * may run it at the same moment: a failed attempt is retried). Bounded: 300 s to register.
 */
export function discoverHostScript(host: string, cellDb: string): string {
    const q = `SELECT host FROM ${cellDb}.compute_nodes WHERE host = '${host}' AND deleted = 0`;
    return `nm() { su -s /bin/sh -c "nova-manage $*" nova; }
host=${shq(host)}
for i in $(seq 150); do
  [ -n "$(mysql -N -B -e ${shq(q)} 2>/dev/null)" ] && break
  if [ "$i" = 150 ]; then
    echo "nova-compute on $host has not registered after 300 s (is it running there? /var/log/nova/nova-compute.log)" >&2
    exit 1
  fi
  sleep 2
done
for _ in $(seq 10); do
  nm cell_v2 discover_hosts >/dev/null 2>&1 || true
  if nm cell_v2 list_hosts | awk -F'|' 'NF > 3 {gsub(/ /, "", $4); print $4}' | grep -qx "$host"; then
    echo "$host mapped to cell1"
    exit 0
  fi
  sleep 2
done
echo "$host registered but could not be mapped to cell1 (nova-manage cell_v2 discover_hosts --verbose)" >&2
exit 1`;
}
