#!/bin/bash
# lab/down.sh — `npm run lab:down`: tear the lab down, leave nothing behind.
#
# Stops by recorded PID only: each host's unshare process (its death takes
# the host's whole PID namespace down) and apt-cacher-ng. Then removes the
# namespaces, veths, bridges and the safety route, and wipes the hosts'
# disks (overlay upper dirs) unless LAB_KEEP_HOSTS=1. Keeps the cached base
# rootfs, the apt cache, the lab key and Pulumi.lab.yaml (npm run lab:clean
# removes the state dir). Ends by checking that nothing is left; exit 1 if so.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"
lab_parts net proxy hosts

# Every host the lab may have started: the recorded composition, host dirs
# with a pid file, and namespaces carrying the lab's prefix.
known_hosts() {
  {
    recorded_hosts | tr ' ' '\n'
    for f in "$HOSTS_DIR"/*/unshare.pid; do [[ -f $f ]] && basename "$(dirname "$f")"; done
    lab_netns_list | sed "s/^$NS_PREFIX//"
  } | grep -v '^$' | sort -u
}

# What the lab could have left behind, one line each (empty = clean).
leftovers() {
  local ns f
  for ns in $(lab_netns_list); do echo "network namespace $ns"; done
  for f in $(lab_bridge_list) $(lab_veth_list); do echo "link $f"; done
  ! lab_route_present || echo "route unreachable $LAB_NET"
  for f in "$HOSTS_DIR"/*/unshare.pid "$ACNG_PIDFILE"; do [[ -f $f ]] && echo "pid file $f"; done
  # mounts of the state dir in ANY mount namespace (the hosts' are private)
  grep -lF "$LAB_DIR/" /proc/[0-9]*/mountinfo 2>/dev/null |
    while read -r f; do echo "process $(basename "$(dirname "$f")") still mounts $LAB_DIR"; done
  mounts_under "$LAB_DIR" | sed 's/^/mount /'
}

# Processes in a lab netns that were not started through the lab (e.g. a
# manual `ip netns exec`) survive the hosts; report them, don't kill them.
report_strangers() {
  local ns pids
  for ns in $(lab_netns_list); do
    pids=$(ip netns pids "$ns" | tr '\n' ' ')
    [[ -z ${pids// /} ]] || log "warning: processes not started by the lab remain in $ns: $pids (stop them; then run lab:down again)"
  done
}

main() {
  require_root lab:down
  check_lab_dir
  take_lock
  local h left
  for h in $(known_hosts); do host_stop "$h"; done
  proxy_down
  report_strangers
  net_down
  if [[ ${LAB_KEEP_HOSTS:-0} == 1 ]]; then
    log "keeping host disks in $HOSTS_DIR (LAB_KEEP_HOSTS=1)"
  else
    safe_remove "$HOSTS_DIR"
  fi
  rm -f "$HOSTS_FILE" "$SUITE_FILE" "$LAB_JSON" "$LAB_DIR/etc-hosts"
  left=$(leftovers)
  [[ -z $left ]] || die "lab:down could not remove everything:
$left"
  log "lab down: no lab namespace, link, route, mount or process left (kept: base rootfs per suite, apt cache, key in $LAB_DIR)"
}

main "$@"
