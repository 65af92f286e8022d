#!/bin/bash
# lab/host.sh ACTION HOST — `npm run lab:host -- ACTION HOST`: power one host of the running
# lab off and on, keeping its disk, the way the e2e's fault stages need it.
#   stop     kill every process of HOST at once (a power cut: no service is stopped
#            cleanly); its network namespace, addresses and disk stay
#   start    boot HOST again: host-boot.sh starts sshd, then every service enabled in
#            the default runlevel, as a real boot does
#   restart  stop, then start
# Exit 0 when the action is done (start/restart: HOST answers SSH again).
set -euo pipefail
LAB_BIN=$(dirname "$(readlink -f "$0")")
# shellcheck source=lib.sh
source "$LAB_BIN/lib.sh"
# shellcheck source=hosts.sh
source "$LAB_BIN/hosts.sh"

main() {
  require_root lab:host
  local action=${1:-} h=${2:-} suite
  [[ $action =~ ^(stop|start|restart)$ && -n $h ]] || die "usage: lab/host.sh stop|start|restart HOST"
  [[ " $(recorded_hosts) " == *" $h "* ]] || die "$h is not a host of the running lab (hosts: $(recorded_hosts))"
  suite=$(recorded_suite)
  take_lock
  if [[ $action != start ]]; then
    host_stop "$h"
  fi
  if [[ $action != stop ]]; then
    host_running "$h" && {
      log "host $h: already running"
      return 0
    }
    host_start "$h" "$suite"
    wait_ssh "$h"
    log "host $h: booted ($(host_role "$h"), $(host_mgmt_ip "$h"))"
  fi
}

main "$@"
