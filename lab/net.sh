# lab/net.sh — the lab's networks: safety checks, bridges, namespaces, veths.
# Source after lib.sh.
#
#   root ns:  oslab-mgmt 198.51.100.1/26    oslab-data (no address)    oslab-ext 198.51.100.129/26
#                 |                              |                          |
#   host:        eth0 (management)             eth1 (data)               eth2 (external, never addressed)
#
# Every host gets the same three NICs; which of them carry an address depends
# on the role (see host_data_ip). There is no default route in any host and
# no forwarding or NAT in the root namespace: hosts reach only each other, the
# apt proxy on .1 and the external gateway .129.
# shellcheck shell=bash

# ---------------------------------------------------------------- conflict check
# The lab must never capture the machine's uplink, its resolver or the hosts
# that package installs depend on. Each line printed is "label<TAB>ip-or-cidr".

# url_hosts: read URLs on stdin, print their host names
url_hosts() {
  sed -nE 's#^[a-z0-9+]+://([^@/]*@)?([^]/:[]+).*#\2#p'
}

# apt_source_urls: every URI in the apt sources (one-line and deb822 format,
# whatever the file name: a disabled file may be re-enabled later).
apt_source_urls() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*; do
    [[ -f $f ]] || continue
    sed -nE -e 's/^[[:space:]]*deb(-src)?[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\3/p' \
      -e 's/^[[:space:]]*URIs:[[:space:]]*//p' "$f"
  done | tr -s ' \t' '\n'
}

# apt_proxy_urls: proxies apt itself uses in the root namespace
apt_proxy_urls() {
  apt-config dump 2>/dev/null | sed -nE 's/^Acquire::[a-z]+::Proxy "([^"]+)";/\1/p'
}

registry_urls() {
  echo https://registry.npmjs.org/
  if command -v npm >/dev/null; then timeout 20 npm config get registry 2>/dev/null || true; fi
}

# resolve_v4 NAME: its IPv4 addresses (an unresolvable name cannot conflict)
resolve_v4() { getent ahostsv4 "$1" 2>/dev/null | awk '{print $1}' | sort -u; }

is_lab_dev() { [[ $1 == "$NS_PREFIX"* || $1 == "$VETH_PREFIX"* ]]; }

protected_addresses() {
  local dev cidr gw name ip dst
  # the uplink and every other network the root namespace is on
  while read -r dev cidr; do
    is_lab_dev "$dev" || printf 'network of %s\t%s\n' "$dev" "$cidr"
  done < <(ip -4 -o addr show | awk '{print $2, $4}')
  while read -r gw dev; do
    printf 'default gateway via %s\t%s\n' "$dev" "$gw"
  done < <(ip -4 route show default | awk '{for (i = 1; i < NF; i++) { if ($i == "via") g = $(i+1); if ($i == "dev") d = $(i+1) } print g, d}')
  # routes into the lab range that the lab did not make
  while read -r dst dev; do
    is_lab_dev "$dev" || printf 'route %s dev %s\t%s\n' "$dst" "$dev" "$dst"
  done < <(ip -4 route show | awk '$1 != "unreachable" && $1 != "default" {for (i = 1; i < NF; i++) if ($i == "dev") print $1, $(i+1)}')
  while read -r ip; do
    printf 'nameserver\t%s\n' "$ip"
  done < <(awk '$1 == "nameserver" && $2 ~ /^[0-9.]+$/ {print $2}' /etc/resolv.conf 2>/dev/null)
  # package mirrors, proxies and registries, resolved as the root ns resolves them
  while read -r name; do
    for ip in $(resolve_v4 "$name"); do printf '%s\t%s\n' "$name" "$ip"; done
  done < <({
    apt_source_urls
    apt_proxy_urls
    registry_urls
  } | url_hosts | sort -u)
  for name in ${LAB_PROTECTED_HOSTS:-}; do
    for ip in $(resolve_v4 "$name"); do printf '%s\t%s\n' "$name" "$ip"; done
  done
}

# find_conflicts: read "label<TAB>ip-or-cidr" lines, print one message per
# protected address that falls into a lab range (naming the narrowest range).
find_conflicts() {
  local label value range_label range
  while IFS=$'\t' read -r label value; do
    [[ $value == */* ]] || value=$value/32
    while IFS=$'\t' read -r range_label range; do
      if cidr_overlaps "$value" "$range"; then
        printf '%s (%s) overlaps the lab %s %s\n' "$label" "$value" "$range_label" "$range"
        break
      fi
    done < <(lab_ranges)
  done
}

check_no_conflicts() {
  local conflicts
  conflicts=$(protected_addresses | find_conflicts)
  [[ -z $conflicts ]] || die "refusing to start, the lab's addresses would capture traffic this machine needs:
$conflicts"
}

# ---------------------------------------------------------------- up
no_ipv6() { # the lab is IPv4 only; keep the root side of it quiet on IPv6
  if [[ -e /proc/sys/net/ipv6/conf/$1 ]]; then sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1"; fi
}

ensure_bridge() {
  ip link show dev "$1" >/dev/null 2>&1 || ip link add name "$1" type bridge
  no_ipv6 "$1"
  ip link set dev "$1" up
}

ensure_netns() {
  local ns=$1
  ip netns list | awk '{print $1}' | grep -qx -- "$ns" || ip netns add "$ns"
  ip -n "$ns" link set lo up
}

# ensure_nic HOST IFNAME BRIDGE LETTER: a veth from BRIDGE into the host's netns
ensure_nic() {
  local h=$1 ifname=$2 br=$3 veth ns
  veth=$(host_veth "$h" "$4")
  ns=$(host_netns "$h")
  if ! ip link show dev "$veth" >/dev/null 2>&1; then
    ip link add "$veth" type veth peer name "$ifname" netns "$ns"
  fi
  no_ipv6 "$veth"
  # External network: the root-side end finishes TCP/UDP checksums before a frame enters
  # the host. A veth otherwise hands the peer the sender's unfinished (CHECKSUM_PARTIAL)
  # segment, and the network node's Open vSwitch userspace datapath, which reads its
  # external port (eth2, a port of br-ex) from an AF_PACKET socket without vnet headers
  # (lib/netdev-linux.c; docs/epoxy-findings.md, Open vSwitch 3.5), forwards it unfinished:
  # ICMP to a floating IP worked, TCP (SSH from outside to a server) died in the guest. A
  # physical NIC finishes checksums on the wire, so real hosts never see this.
  [[ $4 != x ]] || ethtool -K "$veth" tx off >/dev/null
  ip link set dev "$veth" master "$br" up
  ip -n "$ns" link set dev "$ifname" up
}

net_up() {
  local h ns data_ip
  # Safety net: if a bridge route disappears, lab traffic must hit this
  # unreachable /24 instead of falling through to the uplink's default route.
  ip route replace unreachable "$LAB_NET" metric 9999
  for br in "${LAB_BRIDGES[@]}"; do ensure_bridge "$br"; done
  ip addr replace "$MGMT_ROOT_IP/$MGMT_PREFIX" dev "$BR_MGMT"
  ip addr replace "$EXT_GATEWAY_IP/${EXT_CIDR#*/}" dev "$BR_EXT"
  for h in "$@"; do
    ns=$(host_netns "$h")
    ensure_netns "$ns"
    ensure_nic "$h" eth0 "$BR_MGMT" m
    ensure_nic "$h" eth1 "$BR_DATA" d
    ensure_nic "$h" eth2 "$BR_EXT" x # attached, no address: OVS (br-ex) owns it
    ip -n "$ns" addr replace "$(host_mgmt_ip "$h")/$MGMT_PREFIX" dev eth0
    data_ip=$(host_data_ip "$h")
    # the data address goes to eth1 only while no interface holds it: on a deployed host
    # the program has moved it to OVS's br-phy (userspace datapath), and a second copy on
    # eth1 would take the route the VXLAN tunnels need (lab:up again broke them)
    if [[ -n $data_ip ]] && ! ip -n "$ns" -o -4 addr show | awk '{print $4}' | grep -q "^$data_ip/"; then
      ip -n "$ns" addr replace "$data_ip/${DATA_CIDR#*/}" dev eth1
    fi
  done
}

# Bridged frames pass the root ns's iptables FORWARD chain when br_netfilter
# is loaded with bridge-nf-call-iptables=1 (e.g. next to Docker): a DROP
# policy or rules there would silently cut the lab's bridges. Only warn:
# that firewall is not ours.
warn_br_netfilter() {
  local f=/proc/sys/net/bridge/bridge-nf-call-iptables rules
  [[ -r $f && $(<"$f") == 1 ]] && command -v iptables >/dev/null || return 0
  rules=$(iptables -S FORWARD 2>/dev/null | grep -vx -- '-P FORWARD ACCEPT' || true)
  [[ -z $rules ]] ||
    log "warning: bridged lab traffic passes this FORWARD chain (br_netfilter, $f=1); make sure it accepts the lab bridges: $(tr '\n' ';' <<<"$rules")"
}

# ---------------------------------------------------------------- down
lab_netns_list() { ip netns list | awk '{print $1}' | grep "^$NS_PREFIX" || true; }
lab_veth_list() { ip -o link show type veth | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^$VETH_PREFIX" || true; }
lab_bridge_list() { ip -o link show type bridge | awk -F': ' '{print $2}' | grep -xF -f <(printf '%s\n' "${LAB_BRIDGES[@]}") || true; }
lab_route_present() { ip -4 route show "$LAB_NET" | grep -q unreachable; }

# Removes every lab namespace, veth, bridge and the safety route. Deleting a
# netns whose processes are gone also deletes the veth ends inside it.
net_down() {
  local ns veth br
  for ns in $(lab_netns_list); do ip netns del "$ns"; done
  for veth in $(lab_veth_list); do ip link del dev "$veth" 2>/dev/null || true; done
  for br in $(lab_bridge_list); do ip link del dev "$br"; done
  while lab_route_present; do ip route del unreachable "$LAB_NET" metric 9999; done
}
