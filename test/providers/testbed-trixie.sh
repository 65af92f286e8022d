#!/bin/bash
# testbed-trixie.sh up|down|status|exec CMD... - the Debian 13 (trixie) test bed for the
# real-service provider tests: the same services as the Debian 12 bed, from Debian 13's
# packages (keystone 27 and neutron-server 26 = OpenStack 2025.1 Epoxy, MariaDB 11.8,
# Open vSwitch 3.5, OpenSSH 10), brought up by the Debian 12 bed's own scripts
# (testbed.sh and testbed.d/, unchanged) run inside a Debian 13 root. run.sh calls it;
# run as root.
#
#   network  its own netns `tb13` holding only `lo`. The services listen on ITS 127.0.0.1
#            with the SAME ports as the Debian 12 bed (sshd 2222, MariaDB 3306, Keystone
#            5000, neutron-server 9696) and never collide with it: the Debian 12 bed
#            listens on the machine's loopback. The name has no `oslab-` prefix: lab:down
#            never touches it, and it holds no lab address.
#   root     overlay: lower = a trixie base built with the lab's own recipe (lab/base.sh,
#            LAB_DIR=$TB13_STATE), upper = $TB13_STATE/upper (packages, MariaDB's data,
#            Keystone's keys: kept across down, like the Debian 12 bed's).
#   mount+pid its own (unshare --mount --uts --pid --fork --kill-child); pivot_root into
#            the overlay; PID 1 is tini, which reaps the daemons testbed.sh detaches.
#   scripts  this directory, bind-mounted read-only at /opt/oslab-testbed inside.
#   state    $TB13_STATE/tb is bind-mounted at the SAME path inside and is the bed's
#            TB_STATE, so the files the tests read on the machine ($TB_STATE/env,
#            id_ed25519, keystone-admin-password) are the ones written inside.
#   env      testbed.sh's settings (TESTBED_*: the addresses are tb13's loopback) plus
#            TESTBED_NETNS=tb13 (the tests must run in it: `ip netns exec tb13 ...`;
#            testbed.ts refuses otherwise) and TESTBED_EXEC, the nsenter prefix that runs
#            the bed's own tools (mariadb, ovs-vsctl, ip) in its root for the tests' checks.
# Packages: those testbed.sh and testbed.d/ install (their `tb_apt_install` lines, read
# from the scripts), installed before the netns is entered (it has no way out) straight
# from the Debian mirror of the machine's apt sources; inside, TB_NO_APT=1 makes a
# missing package an error instead of an apt-get run.
# down: testbed.sh down inside (MariaDB shuts down cleanly), then SIGKILL to the
# namespace's unshare (the kernel kills everything in the PID namespace), then the netns
# is deleted. Leaves no netns, mount or process; `rm -rf $TB13_STATE` makes the next up cold.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
TB13_STATE=${TB13_STATE:-/var/tmp/oslab-testbed-trixie}
NS=tb13
TB=$TB13_STATE/tb
PIDFILE=$TB13_STATE/unshare.pid
INSIDE=/opt/oslab-testbed
INSIDE_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TB_STATE="$TB" TB_NO_APT=1)

say() { printf '[testbed-trixie] %s\n' "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}
[ "$(id -u)" = 0 ] || die "run as root"

# What the Debian 12 bed's scripts install, plus what they use without installing it
# on a full Debian 12 machine (openssl: generated secrets).
bed_packages() {
  {
    sed -n 's/^[[:space:]]*tb_apt_install[[:space:]]\+//p' "$HERE/testbed.sh" "$HERE"/testbed.d/*.sh | tr ' ' '\n'
    echo openssl
  } | grep -v '^$' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# the trixie base, built by the lab's recipe into our own state dir
base_dir() { echo "$TB13_STATE/bases/trixie"; }
ensure_base() {
  # what the lab's recipe needs on the machine (a fresh CI machine has none of it)
  TB_STATE=$TB13_STATE/machine bash -c '. "$1/testbed-lib.sh"; tb_apt_install debootstrap debian-archive-keyring bc' _ "$HERE"
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
  mkdir -p "$root$TB" "$root$INSIDE"
  mount --bind "$TB" "$root$TB"
  mount --bind "$HERE" "$root$INSIDE"
  mount -o remount,bind,ro "$root$INSIDE"
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
  ' _ "$TB13_STATE" "$(base_dir)" "$@"
}

# the PID (on the machine) of the root's PID 1 (tini)
init_pid() { pgrep -P "$(cat "$PIDFILE")" | head -n1; }

# exec_in CMD...: run CMD inside the root (its mount, uts, pid and net namespaces)
exec_in() {
  local init
  init=$(init_pid)
  [ -n "$init" ] || return 1
  nsenter --target "$init" --mount --uts --pid --net -- "$@"
}

# The root: netns, namespaces, overlay, tini. Idempotent.
root_up() {
  local pkgs i
  ensure_base
  pkgs=$(bed_packages)
  if [ ! -f "$TB13_STATE/packages.done" ] || [ "$(cat "$TB13_STATE/packages.done")" != "$pkgs" ]; then
    say "installing into the trixie root: $pkgs (minutes, once)"
    # shellcheck disable=SC2086 # one word per package
    install_packages $pkgs
    echo "$pkgs" >"$TB13_STATE/packages.done"
  fi
  # a new PID namespace: no PID recorded by an earlier root means anything in it
  mkdir -p "$TB"
  rm -f "$TB"/pids/*.pid
  ip netns list | grep -qx "$NS" || ip netns add "$NS"
  ip -n "$NS" link set lo up
  setsid ip netns exec "$NS" unshare --mount --uts --pid --fork --propagation private --kill-child=SIGKILL \
    bash "$HERE/testbed-trixie.sh" _init >"$TB13_STATE/console.log" 2>&1 </dev/null 9>&- &
  echo $! >"$PIDFILE"
  for i in $(seq 50); do
    exec_in test -x "$INSIDE/testbed.sh" 2>/dev/null && return 0
    running || break
    sleep 0.2
  done
  die "the trixie root did not come up; $TB13_STATE/console.log: $(tail -5 "$TB13_STATE/console.log")"
}

up() {
  local t0=$SECONDS init
  if running; then
    say "root up (pid $(cat "$PIDFILE"))"
  else
    root_up
    say "root up: Debian $(exec_in cat /etc/debian_version) in netns $NS (pid $(cat "$PIDFILE")) after $((SECONDS - t0)) s"
  fi
  exec_in "${INSIDE_ENV[@]}" bash "$INSIDE/testbed.sh" up 9>&-
  init=$(init_pid)
  TB_STATE=$TB
  # shellcheck source=test/providers/testbed-lib.sh
  . "$HERE/testbed-lib.sh"
  tb_env TESTBED_NETNS "$NS"
  tb_env TESTBED_EXEC "nsenter --target $init --mount --net --"
  say "up in $((SECONDS - t0)) s; tests: TB_STATE=$TB ip netns exec $NS ..."
}

down() {
  local i
  if running; then
    exec_in "${INSIDE_ENV[@]}" bash "$INSIDE/testbed.sh" down 9>&- || say "testbed.sh down failed inside; killing the namespace anyway"
    kill -KILL "$(cat "$PIDFILE")"
    for i in $(seq 100); do
      running || break
      sleep 0.1
    done
  fi
  rm -f "$PIDFILE" "$TB/env" "$TB"/pids/*.pid
  if ip netns list | grep -qx "$NS"; then
    for i in $(seq 50); do
      [ -n "$(ip netns pids "$NS")" ] || break
      sleep 0.1
    done
    [ -z "$(ip netns pids "$NS")" ] || die "processes not started by testbed-trixie.sh remain in netns $NS: $(ip netns pids "$NS" | tr '\n' ' ')"
    ip netns del "$NS"
  fi
  say "down (kept: $TB13_STATE with the base and the upper layer; rm -rf it to start cold)"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status)
    if running; then
      echo "root: up (pid $(cat "$PIDFILE"), netns $NS, TB_STATE=$TB)"
      exec_in "${INSIDE_ENV[@]}" bash "$INSIDE/testbed.sh" status
    else
      echo "root: down"
      exit 3
    fi
    ;;
  exec)
    shift
    exec_in "$@"
    ;;
  _init) init_root ;;
  *) die "usage: testbed-trixie.sh up|down|status|exec CMD..." ;;
esac
