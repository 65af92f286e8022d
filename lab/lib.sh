# lab/lib.sh — shared settings and helpers for the lab scripts. Source it, don't run it.
#
# Everything the lab creates is named here, once: state paths, host names and
# roles, addresses, bridge/veth/netns names. The other scripts only call these
# functions, so a change of address plan or naming happens in this file only.
# shellcheck shell=bash disable=SC2034 # constants used by the sourcing scripts

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)   # .../lab
REPO_ROOT=$(dirname "$LAB_ROOT")

# lab_parts PART...: source lab/PART.sh for each PART (net, proxy, hosts, ...),
# after this file: the preamble of the scripts that drive the lab. What the
# parts define stays global (they assign plainly, never `declare` at top level).
lab_parts() {
  local part
  for part in "$@"; do
    # shellcheck source=/dev/null # the parts are checked on their own
    source "$LAB_ROOT/$part.sh"
  done
}

# ---------------------------------------------------------------- state dir
# One directory holds all lab state. It must stay outside the git tree: it
# holds a root filesystem, private keys and sockets.
LAB_DIR=${LAB_DIR:-/var/tmp/openstack-lab}
BASES_DIR=$LAB_DIR/bases          # bases/<suite>: cached debootstrap rootfs (read-only lower layer)
LEGACY_BASE_DIR=$LAB_DIR/base     # where a bookworm base was cached before there were suites
HOSTS_DIR=$LAB_DIR/hosts          # per host: upper/ work/ merged/ *.pid console.log
KEY_FILE=$LAB_DIR/keys/id_ed25519 # the lab's client key (root login on every host)
ACNG_DIR=$LAB_DIR/apt-cacher-ng   # proxy config, cache, logs, pid
LAB_JSON=$LAB_DIR/lab.json        # machine-readable description for test tools
HOSTS_FILE=$LAB_DIR/hosts.list    # names of the hosts of the running lab
STACK_FILE=${LAB_STACK_FILE:-$REPO_ROOT/Pulumi.lab.yaml}
SUITE_FILE=$LAB_DIR/suite         # Debian suite of the running lab

# ---------------------------------------------------------------- suite
# The one place that chooses the hosts' Debian. LAB_SUITE=bookworm (Debian 12,
# the program's release zed; the default) or trixie (Debian 13, release epoxy,
# OpenStack 2025.1). Each suite has its own cached base, so switching never
# rebuilds the other one.
LAB_SUITES=(bookworm trixie)
DEFAULT_SUITE=bookworm

# suite_release SUITE: the program's release for hosts of that suite
suite_release() {
  case $1 in
    bookworm) echo zed ;;
    trixie) echo epoxy ;;
    *) return 1 ;;
  esac
}

# release_suite RELEASE: the suite whose hosts run that release (LAB_RELEASE=zed|epoxy)
release_suite() {
  local s
  for s in "${LAB_SUITES[@]}"; do
    if [[ $(suite_release "$s") == "$1" ]]; then
      echo "$s"
      return 0
    fi
  done
  return 1
}

recorded_suite() { if [[ -f $SUITE_FILE ]]; then cat "$SUITE_FILE"; fi; }

# The suite a kept host disk was built on (LAB_KEEP_HOSTS), else empty.
kept_disk_suite() {
  local f
  for f in "$HOSTS_DIR"/*/suite; do
    if [[ -f $f ]]; then
      cat "$f"
      return 0
    fi
  done
}

# The requested suite: LAB_SUITE, else LAB_RELEASE's, else that of the running lab, else that of
# the kept host disks, else bookworm (like LAB_COMPUTES, a plain lab:up keeps
# what is there).
requested_suite() {
  local s=${LAB_SUITE:-}
  if [[ -z $s && -n ${LAB_RELEASE:-} ]]; then
    s=$(release_suite "$LAB_RELEASE") || die "LAB_RELEASE must be a release the lab has hosts for: $(for x in "${LAB_SUITES[@]}"; do suite_release "$x"; done | tr '\n' ' ')(got '$LAB_RELEASE')"
  fi
  [[ -n $s ]] || s=$(recorded_suite)
  [[ -n $s ]] || s=$(kept_disk_suite)
  [[ -n $s ]] || s=$DEFAULT_SUITE
  suite_release "$s" >/dev/null || die "LAB_SUITE must be one of: ${LAB_SUITES[*]} (got '$s')"
  echo "$s"
}

base_dir_for() { echo "$BASES_DIR/$1"; }

# ---------------------------------------------------------------- names
# Prefixes mark what belongs to the lab, so teardown and checks can find
# leftovers without guessing: netns "oslab-<host>", bridges "oslab-<net>",
# root-side veth ends "ol-<host>-<m|d|x>" (<= 15 chars for hosts up to 10 chars).
NS_PREFIX=oslab-
BR_MGMT=oslab-mgmt
BR_DATA=oslab-data
BR_EXT=oslab-ext
LAB_BRIDGES=("$BR_MGMT" "$BR_DATA" "$BR_EXT")
VETH_PREFIX=ol-
MAX_COMPUTES=20

# ---------------------------------------------------------------- addresses
# Only 198.51.100.0/24 (TEST-NET-2). On the CI machines 192.0.2.0/24 is the
# uplink and the mirrors/npm registry resolve into 203.0.113.0/24, so neither
# of the other TEST-NETs may be routed into the lab.
LAB_NET=198.51.100.0/24
MGMT_CIDR=198.51.100.0/26
DATA_CIDR=198.51.100.64/26
EXT_CIDR=198.51.100.128/26
TENANT_CIDR=198.51.100.192/27
MGMT_PREFIX=26
MGMT_ROOT_IP=198.51.100.1     # root-ns end of the management bridge (apt proxy)
EXT_GATEWAY_IP=198.51.100.129 # root-ns end of the external bridge (external gateway)
EXT_POOL_START=198.51.100.150
EXT_POOL_END=198.51.100.180
TENANT_GATEWAY_IP=198.51.100.193
PROXY_PORT=3142
PROXY_URL=http://$MGMT_ROOT_IP:$PROXY_PORT
HOST_MGMT_BASE=11 # alice .11, bob .12, charlie .13, bob2 .14 ...
HOST_DATA_BASE=75 # (.75 reserved for alice), bob .76, charlie .77, bob2 .78 ...

# "label cidr" for every range the lab routes; the conflict check uses it.
lab_ranges() {
  printf '%s\t%s\n' \
    "management network" "$MGMT_CIDR" \
    "data network" "$DATA_CIDR" \
    "external network" "$EXT_CIDR" \
    "tenant network" "$TENANT_CIDR" \
    "lab range (unreachable safety route)" "$LAB_NET"
}

# ---------------------------------------------------------------- hosts
# lab_hosts_for N: the host names for N computes, in index order:
# alice bob charlie bob2 bob3 ... (index = position, fixes the addresses).
lab_hosts_for() {
  local n=$1 i
  local -a names=(alice bob charlie)
  for ((i = 2; i <= n; i++)); do names+=("bob$i"); done
  echo "${names[*]}"
}

# The requested composition: LAB_COMPUTES, else that of the running lab
# (so a plain lab:up re-checks it), else 1 compute.
requested_hosts() {
  local recorded n
  recorded=$(recorded_hosts)
  if [[ -n ${LAB_COMPUTES:-} ]]; then
    n=$LAB_COMPUTES
  elif [[ -n $recorded ]]; then
    n=$(($(wc -w <<<"$recorded") - 2))
  else
    n=1
  fi
  if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 1 || n > MAX_COMPUTES)); then
    die "LAB_COMPUTES must be a number from 1 to $MAX_COMPUTES (got '$n')"
  fi
  lab_hosts_for "$n"
}

# The composition of the lab that is up (recorded by lab:up), else empty.
recorded_hosts() {
  if [[ -f $HOSTS_FILE ]]; then cat "$HOSTS_FILE"; fi
}

host_index() {
  case $1 in
    alice) echo 0 ;;
    bob) echo 1 ;;
    charlie) echo 2 ;;
    bob[0-9]*) echo $((${1#bob} + 1)) ;; # bob2 -> 3
    *) die "unknown lab host '$1'" ;;
  esac
}

host_role() {
  case $1 in
    alice) echo controller ;;
    charlie) echo network ;;
    bob*) echo compute ;;
    *) die "unknown lab host '$1'" ;;
  esac
}

host_mgmt_ip() { echo "198.51.100.$((HOST_MGMT_BASE + $(host_index "$1")))"; }

# Data address only where the role uses the data network (controller has none).
host_data_ip() {
  [[ $(host_role "$1") == controller ]] && return 0
  echo "198.51.100.$((HOST_DATA_BASE + $(host_index "$1")))"
}

host_netns() { echo "$NS_PREFIX$1"; }
host_dir() { echo "$HOSTS_DIR/$1"; }
# root-side veth end for host $1 on network letter $2 (m|d|x)
host_veth() { echo "$VETH_PREFIX$1-$2"; }

# ---------------------------------------------------------------- IPv4 math
ip_to_int() {
  local IFS=. a b c d
  read -r a b c d <<<"$1"
  echo $(((a << 24) | (b << 16) | (c << 8) | d))
}

# cidr_contains CIDR IP
cidr_contains() {
  local net=${1%/*} len=${1#*/}
  local mask=$(((0xffffffff << (32 - len)) & 0xffffffff))
  (($(($(ip_to_int "$2") & mask)) == $(($(ip_to_int "$net") & mask))))
}

# cidr_overlaps CIDR CIDR: true if the two ranges share any address
cidr_overlaps() {
  local l1=${1#*/} l2=${2#*/} len
  len=$((l1 < l2 ? l1 : l2))
  cidr_contains "${1%/*}/$len" "${2%/*}"
}

# ---------------------------------------------------------------- output
log() { printf '[lab] %s\n' "$*" >&2; }
die() {
  printf '[lab] ERROR: %s\n' "$*" >&2
  exit 1
}

require_root() {
  ((EUID == 0)) || die "this command must be run as root (it creates network namespaces, bridges and mounts); try: sudo npm run ${1:-lab:up}"
}

# The state dir must not live inside the git tree (keys, a rootfs, sockets).
check_lab_dir() {
  local dir repo
  dir=$(realpath -m "$LAB_DIR")
  repo=$(realpath -m "$REPO_ROOT")
  [[ $dir != / && $dir != "$repo" && $dir != "$repo"/* ]] ||
    die "LAB_DIR=$LAB_DIR must be outside the repository ($repo) and not /"
}

# Serialise lab commands: two concurrent ups would race on names and addresses.
# Daemons the lab starts must not inherit fd 9 (start them with 9>&-), or
# they would hold the lock for their whole life.
take_lock() {
  mkdir -p "$LAB_DIR"
  exec 9>"$LAB_DIR/.lock"
  flock -w 600 9 || die "another lab command holds $LAB_DIR/.lock"
}

# elapsed SECONDS_START: seconds since SECONDS_START, one decimal
elapsed() { printf '%.1f' "$(bc <<<"$(date +%s.%N) - $1")"; }

# ---------------------------------------------------------------- processes
# pid_is PIDFILE PATTERN: the recorded process is alive AND its command line
# matches PATTERN (guards against a recycled PID).
pid_is() {
  local file=$1 pattern=$2 pid
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qE -- "$pattern"
}

# wait_gone PID SECONDS: wait for a process to exit. A zombie counts as gone:
# its new parent (the machine's init) may take a while to reap it.
wait_gone() {
  local pid=$1 i
  for ((i = 0; i < $2 * 10; i++)); do
    [[ $(ps -o stat= -p "$pid" 2>/dev/null) == Z* || ! -e /proc/$pid ]] && return 0
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------- ssh
# Host keys are regenerated whenever a host's disk is wiped, so the lab does
# not pin them; all traffic stays on the lab's own bridges.
SSH_OPTS=(-i "$KEY_FILE" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
  -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=5)

# lab_ssh HOST CMD...: run CMD as root on HOST over the management network.
# Refuses unless the address is routed into the lab's bridge: with the lab
# down, 198.51.100.x would otherwise leave through the machine's uplink.
lab_ssh() {
  local h=$1 ip
  shift
  ip=$(host_mgmt_ip "$h")
  if ! ip -4 route get "$ip" 2>/dev/null | grep -q " dev $BR_MGMT "; then
    echo "lab_ssh: $ip is not routed into $BR_MGMT (is the lab up?)" >&2
    return 255
  fi
  # shellcheck disable=SC2029 # the command is meant to run on the host
  ssh "${SSH_OPTS[@]}" "root@$ip" "$@"
}

# ---------------------------------------------------------------- files
# mounts_under DIR: mount points at or below DIR in this mount ns, deepest first
mounts_under() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r
}

# safe_remove DIR: delete a tree, never following a mount out of it
# (an interrupted debootstrap can leave /proc or /sys mounted inside).
safe_remove() {
  local dir=$1 m
  [[ -e $dir ]] || return 0
  for m in $(mounts_under "$dir"); do umount -l "$m"; done
  rm -rf --one-file-system -- "$dir"
}

# stop_recorded PIDFILE PATTERN: stop the recorded process if it is still the
# one we started (TERM, then KILL after 10 s) and forget it.
stop_recorded() {
  local file=$1 pattern=$2 pid
  if pid_is "$file" "$pattern"; then
    pid=$(<"$file")
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 10; then
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || log "warning: pid $pid ($file) did not exit"
    fi
  fi
  rm -f "$file"
}
