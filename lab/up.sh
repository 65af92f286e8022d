#!/bin/bash
# lab/up.sh — `npm run lab:up`: bring up the lab (idempotent).
#
#   LAB_COMPUTES=N   number of compute hosts: bob, bob2 ... bobN (default 1)
#   LAB_SUITE=S      Debian of the hosts: bookworm (release zed, default) or
#                    trixie (release epoxy); see lib.sh
#   LAB_DIR=DIR      state directory (default /var/tmp/openstack-lab)
#
# Order: root-ns packages -> refuse on address conflicts -> key -> cached
# base rootfs -> bridges/namespaces/veths -> apt proxy -> hosts (overlay
# root + sshd each) -> apt-get update in the new hosts -> lab.json and
# Pulumi.lab.yaml. Each step checks before it acts, so a second run only
# verifies (and repairs what is missing).
set -euo pipefail
LAB_BIN=$(dirname "$(readlink -f "$0")")
# shellcheck source=lib.sh
source "$LAB_BIN/lib.sh"
# shellcheck source=net.sh
source "$LAB_BIN/net.sh"
# shellcheck source=base.sh
source "$LAB_BIN/base.sh"
# shellcheck source=proxy.sh
source "$LAB_BIN/proxy.sh"
# shellcheck source=hosts.sh
source "$LAB_BIN/hosts.sh"
# shellcheck source=stack.sh
source "$LAB_BIN/stack.sh"

TIMINGS=()
step() { # step FUNCTION ARGS...: run and time one stage
  local t0
  t0=$(date +%s.%N)
  "$@"
  TIMINGS+=("$1 $(elapsed "$t0")s")
}

# Changing the composition of a running lab is not supported: it would
# renumber nothing, but /etc/hosts of the running hosts would be stale.
check_composition() {
  local recorded h
  recorded=$(recorded_hosts)
  [[ -n $recorded && $recorded != "$*" ]] || return 0
  for h in $recorded; do
    host_running "$h" && die "the lab is up with hosts ($recorded) but LAB_COMPUTES asks for ($*); run 'npm run lab:down' first"
  done
  return 0
}

# Likewise the suite: the running hosts' disks sit on their suite's base, and
# so do disks kept by LAB_KEEP_HOSTS=1 (refused here, before anything is built).
check_suite() {
  local recorded h f
  recorded=$(recorded_suite)
  if [[ -n $recorded && $recorded != "$1" ]]; then
    for h in $(recorded_hosts); do
      host_running "$h" && die "the lab is up with $recorded hosts but LAB_SUITE asks for $1; run 'npm run lab:down' first"
    done
  fi
  for f in "$HOSTS_DIR"/*/suite; do
    [[ ! -f $f || $(<"$f") == "$1" ]] ||
      die "the kept disk of $(basename "$(dirname "$f")") was built on $(<"$f"), not $1; run 'npm run lab:down' (without LAB_KEEP_HOSTS) first, or set LAB_SUITE=$(<"$f")"
  done
  return 0
}

summary() {
  local h
  log "hosts (ssh -i $KEY_FILE root@<ip>, or ip netns exec oslab-<host> ...):"
  for h; do
    log "$(printf '  %-8s %-10s mgmt %-14s data %-14s' "$h" "$(host_role "$h")" "$(host_mgmt_ip "$h")" "$(host_data_ip "$h")")"
  done
  log "Debian $BASE_SUITE (release $(suite_release "$BASE_SUITE")), apt proxy $PROXY_URL, external gateway $EXT_GATEWAY_IP on $BR_EXT"
}

BUILDING=0 # set once lab:up starts changing the machine
on_exit() {
  local rc=$?
  ((rc == 0 || BUILDING == 0)) || log "lab:up failed (exit $rc). What was built stays for inspection: npm run lab:status; clean up with: npm run lab:down"
}

main() {
  require_root lab:up
  check_lab_dir
  local t0 hosts
  t0=$(date +%s.%N)
  read -ra hosts <<<"$(requested_hosts)"
  trap on_exit EXIT
  take_lock
  check_composition "${hosts[@]}"
  check_suite "$BASE_SUITE"
  step bash "$LAB_BIN/install-deps.sh"
  step check_no_conflicts
  warn_br_netfilter
  BUILDING=1
  mkdir -p "$LAB_DIR/logs" "$HOSTS_DIR"
  ensure_key
  step base_ensure
  step net_up "${hosts[@]}"
  echo "${hosts[*]}" >"$HOSTS_FILE"
  echo "$BASE_SUITE" >"$SUITE_FILE"
  step proxy_up
  step hosts_up "$BASE_SUITE" "${hosts[@]}"
  write_lab_json "$BASE_SUITE" "${hosts[@]}"
  write_stack_config "$BASE_SUITE" "${hosts[@]}"
  set_stack_secret
  summary "${hosts[@]}"
  log "timings: ${TIMINGS[*]}"
  log "lab up in $(elapsed "$t0")s"
}

main "$@"
