#!/bin/bash
# lab/host-boot.sh — runs INSIDE a lab host, as the only child of tini (PID 1),
# like a tiny init: create this host's SSH host keys on first boot, start sshd
# the way the program will start services (`service X start`, there is no
# systemd), then start every service enabled in the default runlevel, as a
# real host's boot does (a fresh host has none; a host restarted by the lab
# gets its OpenStack services back), then stay alive. tini reaps the orphans
# of daemonised services. Restarting sshd (`service ssh restart`) is safe: the
# host does not depend on it staying up, only on this process.
set -euo pipefail
ssh-keygen -A >/dev/null # only the missing keys: new per host, kept on its disk
service ssh start
echo "host $(hostname) booted"

# Enabled services: /etc/rc2.d/S* (without insserv every link is S01, so the
# order is ours): what others need first (database, broker, cache, switch,
# hypervisor), then the rest by name. A service that fails to start is logged
# and the boot goes on, as sysvinit does.
boot_services() {
  local first=(mariadb mysql rabbitmq-server memcached openvswitch-switch virtlogd libvirtd)
  local s seen=" ssh "
  for s in "${first[@]}" $(find /etc/rc2.d -name 'S*' -printf '%f\n' 2>/dev/null | sed 's/^S[0-9]*//' | sort -u); do
    [[ $seen == *" $s "* ]] && continue
    compgen -G "/etc/rc2.d/S[0-9][0-9]$s" >/dev/null || continue
    seen+="$s "
    service "$s" start >"/run/boot-$s.log" 2>&1 || echo "boot: $s failed to start (/run/boot-$s.log)"
  done
}
boot_services
echo "host $(hostname) services started"
exec sleep infinity
