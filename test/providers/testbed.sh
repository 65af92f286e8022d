#!/bin/bash
# testbed.sh up|down|status - real services for the provider tests, on this
# machine, without systemd (run as root). The Debian 12 bed; testbed-trixie.sh runs
# this same script, unchanged, inside a Debian 13 root for the Debian 13 bed:
#   sshd        127.0.0.1:2222, own config + host key, root login with a generated
#               ed25519 key ($TB_STATE/id_ed25519; path also in $TB_STATE/env)
#   MariaDB     Debian's mariadb-server, 127.0.0.1:3306, root via unix socket
#   Open vSwitch ovsdb-server + ovs-vswitchd started by hand (no kernel module:
#               test bridges use datapath_type=netdev and the prefix tbr-)
#   testbed.d/*.sh  optional components (Keystone, neutron-server, ...), run in
#               name order with `up`/`status`, in reverse order with `down`.
# State (PID files, keys, logs, env): $TB_STATE (default /var/tmp/oslab-testbed).
# Daemons are started directly (setsid / --detach) and stopped by recorded PID only.
# TESTBED_ONLY=core skips testbed.d. Anything not started here is left alone (the
# lab's oslab*/lpbr* bridges, namespaces, apt-cacher-ng).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export TB_STATE=${TB_STATE:-/var/tmp/oslab-testbed}
. "$HERE/testbed-lib.sh"
[ "$(id -u)" = 0 ] || { echo "testbed.sh must run as root" >&2; exit 1; }

SSHD_DIR=$TB_STATE/sshd
OVS_RUN=/var/run/openvswitch
TB_USER=oslabtb
OVS_DB=/etc/openvswitch/conf.db

sshd_up() {
  tb_apt_install openssh-server openssh-client
  mkdir -p "$SSHD_DIR" /run/sshd; chmod 0755 /run/sshd
  [ -f "$TB_STATE/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C oslab-testbed -f "$TB_STATE/id_ed25519"
  [ -f "$SSHD_DIR/host_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/host_key"
  # 0644: sshd reads AuthorizedKeysFile as the target user, and the tests also log in
  # as the unprivileged $TB_USER (to exercise "the SSH user is not root" failures).
  install -m644 "$TB_STATE/id_ed25519.pub" "$SSHD_DIR/authorized_keys"
  if ! id "$TB_USER" >/dev/null 2>&1; then
    # password "*" (not "!"): without PAM, sshd refuses "!"-locked accounts even for keys
    useradd --system --no-create-home --home-dir "$TB_STATE/home-$TB_USER" --shell /bin/bash --password '*' "$TB_USER"
    touch "$TB_STATE/user-created"
  fi
  install -d -o "$TB_USER" -g "$TB_USER" -m 0700 "$TB_STATE/home-$TB_USER"
  cat > "$SSHD_DIR/sshd_config" <<CFG
ListenAddress 127.0.0.1:2222
HostKey $SSHD_DIR/host_key
PidFile $TB_STATE/pids/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile $SSHD_DIR/authorized_keys
StrictModes no
UsePAM no
AllowTcpForwarding yes
MaxStartups 50:30:100
MaxSessions 20
LogLevel VERBOSE
Subsystem sftp /usr/lib/openssh/sftp-server
CFG
  if ! tb_alive sshd; then
    /usr/sbin/sshd -t -f "$SSHD_DIR/sshd_config"
    /usr/sbin/sshd -f "$SSHD_DIR/sshd_config" -E "$TB_LOG/sshd.log"   # daemonizes, writes PidFile
    tb_wait "sshd pid file" 10 test -s "$TB_STATE/pids/sshd.pid"
  fi
  tb_wait "ssh login" 20 tb_ssh true
  tb_env TESTBED_SSH_HOST 127.0.0.1
  tb_env TESTBED_SSH_PORT 2222
  tb_env TESTBED_SSH_USER root
  tb_env TESTBED_SSH_KEY "$TB_STATE/id_ed25519"
  tb_env TESTBED_SSH_UNPRIVILEGED_USER "$TB_USER"
  tb_say "sshd up (pid $(cat "$TB_STATE/pids/sshd.pid")) on 127.0.0.1:2222"
}

mariadb_up() {
  tb_apt_install mariadb-server mariadb-client
  printf '[mysqld]\nbind-address=127.0.0.1\nport=3306\nmax_connections=200\n' > /etc/mysql/mariadb.conf.d/99-oslab-testbed.cnf
  install -d -o mysql -g mysql /run/mysqld
  if ! tb_alive mariadb; then
    if mariadb -e 'select 1' >/dev/null 2>&1; then
      tb_say "a MariaDB not started by the test bed already answers on the default socket; using it, not recording it"
    else
      [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >>"$TB_LOG/mariadb-install.log" 2>&1
      setsid /usr/sbin/mariadbd --user=mysql >"$TB_LOG/mariadbd.out" 2>&1 </dev/null &
      tb_record mariadb $!
    fi
  fi
  tb_wait "MariaDB" 60 mariadb -e 'select 1'
  tb_env TESTBED_MYSQL_HOST 127.0.0.1
  tb_env TESTBED_MYSQL_VERSION "$(dpkg-query -W -f='${Version}' mariadb-server)"
  tb_say "MariaDB up ($(mariadb -N -e 'select version()'))"
}

ovs_up() {
  tb_apt_install openvswitch-switch
  mkdir -p "$OVS_RUN" /var/log/openvswitch
  [ -f "$OVS_DB" ] || ovsdb-tool create "$OVS_DB" /usr/share/openvswitch/vswitch.ovsschema
  if ! tb_alive ovsdb-server; then
    if [ -S "$OVS_RUN/db.sock" ] && ovs-vsctl --timeout=2 show >/dev/null 2>&1; then
      tb_say "an ovsdb-server not started by the test bed answers; using it, not recording it"
    else
      ovsdb-server "$OVS_DB" --remote=punix:$OVS_RUN/db.sock \
        --remote=db:Open_vSwitch,Open_vSwitch,manager_options \
        --pidfile="$TB_STATE/pids/ovsdb-server.pid" --detach --log-file="$TB_LOG/ovsdb-server.log" 2>>"$TB_LOG/ovs-start.log"
    fi
  fi
  ovs-vsctl --no-wait init
  if ! tb_alive ovs-vswitchd; then
    if ovs-appctl -t ovs-vswitchd version >/dev/null 2>&1; then
      tb_say "an ovs-vswitchd not started by the test bed answers; using it, not recording it"
    else
      ovs-vswitchd --pidfile="$TB_STATE/pids/ovs-vswitchd.pid" --detach --log-file="$TB_LOG/ovs-vswitchd.log" 2>>"$TB_LOG/ovs-start.log"
    fi
  fi
  tb_wait "ovs-vswitchd" 20 ovs-vsctl --timeout=2 --may-exist add-br tbr-probe -- set bridge tbr-probe datapath_type=netdev
  ovs-vsctl --timeout=10 --if-exists del-br tbr-probe
  tb_env TESTBED_OVS_VERSION "$(dpkg-query -W -f='${Version}' openvswitch-switch)"
  tb_say "Open vSwitch up ($(ovs-vsctl --version | head -1))"
}

ovs_down() {
  if [ -S "$OVS_RUN/db.sock" ] && (tb_alive ovsdb-server || ovs-vsctl --timeout=2 show >/dev/null 2>&1); then
    local b
    for b in $(ovs-vsctl --timeout=5 list-br 2>/dev/null | grep '^tbr-' || true); do
      ovs-vsctl --timeout=10 --if-exists del-br "$b" && tb_say "removed test bridge $b"
    done
  fi
  tb_stop ovs-vswitchd
  tb_stop ovsdb-server
}

components() { ls "$HERE"/testbed.d/*.sh 2>/dev/null | sort ${1:-}; }

status_line() { if tb_alive "$1"; then echo "$1: running (pid $(cat "$TB_STATE/pids/$1.pid"))"; else echo "$1: stopped"; fi; }

cmd=${1:-status}
case $cmd in
  up)
    t0=$(date +%s)
    tb_env TESTBED_OS "$(. /etc/os-release && echo "$PRETTY_NAME") $(cat /etc/debian_version)"
    sshd_up
    mariadb_up
    ovs_up
    if [ "${TESTBED_ONLY:-}" != core ]; then
      for c in $(components); do tb_say "component $(basename "$c") up"; bash "$c" up; done
    fi
    tb_say "test bed up in $(( $(date +%s) - t0 )) s; settings in $TB_STATE/env"
    ;;
  down)
    for c in $(components -r); do tb_say "component $(basename "$c") down"; bash "$c" down || tb_say "$(basename "$c") down failed"; done
    ovs_down
    tb_stop mariadb
    tb_stop sshd
    if [ -f "$TB_STATE/user-created" ] && id "$TB_USER" >/dev/null 2>&1; then userdel "$TB_USER" && rm -f "$TB_STATE/user-created"; fi
    rm -f "$TB_STATE/env"
    tb_say "test bed down"
    ;;
  status)
    for n in sshd mariadb ovsdb-server ovs-vswitchd; do status_line $n; done
    if tb_alive ovsdb-server; then echo "test bridges: $(ovs-vsctl --timeout=5 list-br | grep '^tbr-' | tr '\n' ' ')"; fi
    for c in $(components); do bash "$c" status || true; done
    ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
