#!/bin/bash
# lab/status.sh — `npm run lab:status`: what of the lab is running.
# Exit 0 = up and every host answers SSH, 3 = down (nothing running),
# 1 = partly up (run lab:up to repair or lab:down to remove).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"
lab_parts net proxy hosts

main() {
  require_root lab:status
  local h hosts ok=0 bad=0 state ssh_state br pid1
  hosts=$(recorded_hosts)
  [[ -n $hosts ]] || hosts=$(lab_netns_list | sed "s/^$NS_PREFIX//" | tr '\n' ' ')
  local s cached=''
  for s in "${LAB_SUITES[@]}"; do [[ ! -f $(base_dir_for "$s")/.oslab-base ]] || cached+=" $s"; done
  echo "state dir: $LAB_DIR (cached bases:${cached:- none})"
  s=$(recorded_suite)
  [[ -z $s ]] || echo "suite: $s (release $(suite_release "$s"))"
  printf '%-8s %-10s %-14s %-14s %-8s %-8s %s\n' HOST ROLE MANAGEMENT DATA PID1 STATE SSH
  for h in $hosts; do
    state=stopped ssh_state=- pid1=-
    if host_running "$h"; then
      state=running
      pid1=$(cat "$(host_initpid_file "$h")" 2>/dev/null || echo '?')
      host_answers "$h" && ssh_state=ok || ssh_state=FAIL
    fi
    [[ $state/$ssh_state == running/ok ]] && ok=$((ok + 1)) || bad=$((bad + 1))
    printf '%-8s %-10s %-14s %-14s %-8s %-8s %s\n' "$h" "$(host_role "$h")" "$(host_mgmt_ip "$h")" \
      "$(host_data_ip "$h")" "$pid1" "$state" "$ssh_state"
  done
  for br in "${LAB_BRIDGES[@]}"; do
    if ip link show dev "$br" >/dev/null 2>&1; then
      echo "bridge $br: $(ip -br link show dev "$br" | awk '{print $2}') $(ip -br -4 addr show dev "$br" | awk '{print $3}')"
    else
      echo "bridge $br: absent"
      bad=$((bad + 1))
    fi
  done
  if proxy_running; then echo "apt proxy: $PROXY_URL (pid $(<"$ACNG_PIDFILE"))"; else
    echo "apt proxy: stopped"
    bad=$((bad + 1))
  fi
  lab_route_present && echo "safety route: unreachable $LAB_NET" || echo "safety route: absent"
  if ((ok > 0 && bad == 0)); then
    echo "lab: up"
  elif ((ok == 0)) && [[ -z $(lab_netns_list) ]] && ! proxy_running; then
    echo "lab: down"
    exit 3
  else
    echo "lab: partly up (npm run lab:up repairs, npm run lab:down removes)"
    exit 1
  fi
}

main "$@"
