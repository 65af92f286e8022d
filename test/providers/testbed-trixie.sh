#!/bin/bash
# testbed-trixie.sh up|down|status|exec CMD... — PROTOTYPE: a Debian 13 (trixie) root for
# the real-service provider tests, so that they can run against Debian 13's Keystone and
# neutron-server as well as Debian 12's (issue 12, item 4). Run as root.
#
# What it is: one "host" like a lab host (lab/host-init.sh), but on its own:
#   network  its own netns `tb13` holding only `lo`. Services listen on ITS 127.0.0.1
#            with the SAME ports as the Debian 12 test bed (sshd 2222, MariaDB 3306,
#            Keystone 5000, neutron-server 9696) and never collide with it, because the
#            Debian 12 bed listens on the machine's loopback. The netns name has no
#            `oslab-` prefix: lab:down never touches it, and it holds no lab address.
#   root     overlay: lower = a trixie base built with the lab's own recipe
#            (lab/base.sh, LAB_DIR=$TB13_STATE), upper = $TB13_STATE/upper (the packages;
#            kept across down, like the Debian 12 bed's installed packages).
#   mount+pid its own (unshare --mount --pid --fork --kill-child); pivot_root into the
#            overlay; PID 1 is tini. down = SIGKILL the recorded unshare PID, then the
#            kernel kills everything in the PID namespace.
#   state    $TB13_STATE/tb (default /var/tmp/oslab-testbed-trixie/tb) is bind-mounted
#            at the SAME path inside, so the files the tests read on the machine
#            ($TB_STATE/env, id_ed25519, keystone-admin-password) are the ones written
#            inside. Use it as TB_STATE.
# Packages are installed from the machine's own network before the netns is entered
# (the netns has no way out), straight from the Debian mirror (no lab proxy needed).
#
# Pointing the provider tests at it (they read only $TB_STATE/env, see testbed.ts):
#   bash test/providers/testbed-trixie.sh up
#   bash test/providers/testbed-trixie.sh exec env TB_STATE=/var/tmp/oslab-testbed-trixie/tb \
#        bash <repo>/test/providers/testbed.sh up   # the Debian 12 bed's own scripts, inside
# (not run yet: testbed.sh belongs to another helper today; its apt installs are no-ops
# here because PKGS holds what it installs, and the repo path must be bind-mounted too)
#   TB_STATE=/var/tmp/oslab-testbed-trixie/tb ip netns exec tb13 \
#        npx mocha -r ts-node/register/transpile-only test/providers/keystoneEndpoint.test.ts \
#        test/providers/quantumNetwork.test.ts
# The mocha process runs on the machine (node, the repo) but inside netns tb13, so
# TESTBED_SSH_HOST=127.0.0.1:2222, TESTBED_KEYSTONE_URL=http://127.0.0.1:5000/v3 and
# TESTBED_NEUTRON_URL=http://127.0.0.1:9696 reach the Debian 13 services. (mysqlDatabase
# tests also call the local `mariadb` client on the machine's socket; they would need
# `exec`-ing into the root instead: not covered.)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
TB13_STATE=${TB13_STATE:-/var/tmp/oslab-testbed-trixie}
NS=tb13
TB=$TB13_STATE/tb
PIDFILE=$TB13_STATE/unshare.pid
PKGS=(openssh-server openssh-client mariadb-server python3-pymysql keystone neutron-server
  python3-keystoneclient python3-openstackclient openvswitch-switch openssl uwsgi-plugin-python3 curl)

say() { printf '[testbed-trixie] %s\n' "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}
[ "$(id -u)" = 0 ] || die "run as root"

# the trixie base, built by the lab's recipe into our own state dir
base_dir() { echo "$TB13_STATE/bases/trixie"; }
ensure_base() {
  (
    export LAB_DIR=$TB13_STATE LAB_SUITE=trixie
    # shellcheck source=lab/lib.sh
    source "$REPO/lab/lib.sh"
    # shellcheck source=lab/net.sh
    source "$REPO/lab/net.sh"
    # shellcheck source=lab/base.sh
    source "$REPO/lab/base.sh"
    mkdir -p "$HOSTS_DIR"
    base_ensure
  )
}

running() {
  [ -f "$PIDFILE" ] && tr '\0' ' ' <"/proc/$(cat "$PIDFILE")/cmdline" 2>/dev/null | grep -q "testbed-trixie.sh _init"
}

# _init: PID 1 of the new PID namespace (inside netns tb13): mount the root, pivot, tini.
init_root() {
  local root=$TB13_STATE/merged
  mount -t overlay overlay -o "lowerdir=$(base_dir),upperdir=$TB13_STATE/upper,workdir=$TB13_STATE/work" "$root"
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=755 tmpfs "$root/run"
  mkdir -p "$root$TB"
  mount --bind "$TB" "$root$TB"
  printf '127.0.0.1 localhost tb13\n' >"$root/etc/hosts"
  echo tb13 >"$root/etc/hostname"
  hostname tb13
  cd "$root"
  pivot_root . mnt
  cd /
  umount -l /mnt
  exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 /usr/bin/tini -- sleep infinity
}

# packages: a throw-away mount ns in the ROOT netns (the mirror is reachable from there)
install_packages() {
  mkdir -p "$TB13_STATE"/{upper,work,merged}
  # shellcheck disable=SC2016 # expanded by the inner bash
  unshare --mount --fork --propagation private bash -c '
    set -e
    root=$1/merged
    mount -t overlay overlay -o "lowerdir=$2,upperdir=$1/upper,workdir=$1/work" "$root"
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    shift 2
    chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -q -o Acquire::http::Proxy=DIRECT update >/dev/null
    chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Acquire::http::Proxy=DIRECT "$@" >/dev/null
    printf "# no DNS inside tb13\n" > "$root/etc/resolv.conf"
  ' _ "$TB13_STATE" "$(base_dir)" "${PKGS[@]}"
}

up() {
  if running; then
    say "up (pid $(cat "$PIDFILE"))"
    return 0
  fi
  ensure_base
  if [ ! -f "$TB13_STATE/packages.done" ] || [ "$(cat "$TB13_STATE/packages.done")" != "${PKGS[*]}" ]; then
    say "installing ${#PKGS[@]} packages into the trixie root (minutes, once)"
    install_packages
    echo "${PKGS[*]}" >"$TB13_STATE/packages.done"
  fi
  mkdir -p "$TB"
  ip netns list | grep -qx "$NS" || ip netns add "$NS"
  ip -n "$NS" link set lo up
  setsid ip netns exec "$NS" unshare --mount --uts --pid --fork --propagation private --kill-child=SIGKILL \
    bash "$HERE/testbed-trixie.sh" _init >"$TB13_STATE/console.log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 50); do
    exec_in test -x /usr/sbin/sshd 2>/dev/null && break
    sleep 0.2
  done
  say "up: Debian $(exec_in cat /etc/debian_version) root in netns $NS (pid $(cat "$PIDFILE")); TB_STATE=$TB"
}

# exec_in CMD...: run CMD inside the root (its mount, pid and net namespaces)
exec_in() {
  local init
  init=$(pgrep -P "$(cat "$PIDFILE")" | head -n1)
  [ -n "$init" ] || return 1
  nsenter --target "$init" --mount --uts --pid --net -- "$@"
}

down() {
  if running; then
    kill -KILL "$(cat "$PIDFILE")"
    sleep 0.5
  fi
  rm -f "$PIDFILE"
  if ip netns list | grep -qx "$NS"; then
    [ -z "$(ip netns pids "$NS")" ] || die "processes not started by testbed-trixie.sh remain in netns $NS: $(ip netns pids "$NS" | tr '\n' ' ')"
    ip netns del "$NS"
  fi
  say "down (kept: $TB13_STATE/bases, upper with the packages; rm -rf $TB13_STATE to start cold)"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) if running; then
    echo "up (pid $(cat "$PIDFILE"), netns $NS, TB_STATE=$TB)"
  else
    echo down
    exit 3
  fi ;;
  exec)
    shift
    exec_in "$@"
    ;;
  _init) init_root ;;
  *) die "usage: testbed-trixie.sh up|down|status|exec CMD..." ;;
esac
