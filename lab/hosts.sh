# lab/hosts.sh — start, check and stop the lab hosts. Source after lib.sh.
#
# A host = its network namespace (net.sh) + a process started with
#   setsid ip netns exec oslab-<h> unshare --mount --uts --pid --fork \
#          --propagation private --kill-child=SIGKILL bash host-init.sh <h>
# host-init.sh becomes PID 1 of a new PID namespace, mounts the host's overlay
# root and pivots into it (host-init.sh explains the mounts). We record the
# unshare PID: killing it SIGKILLs the host's PID 1 (--kill-child), and the
# kernel then kills every process in that PID namespace — sshd, mariadbd,
# ovs-vswitchd, qemu, whatever the program started on the host.
# shellcheck shell=bash

host_pidfile() { echo "$(host_dir "$1")/unshare.pid"; }
host_initpid_file() { echo "$(host_dir "$1")/init.pid"; }
host_pattern() { echo "^unshare .*/host-init\\.sh $1 \$"; }
host_running() { pid_is "$(host_pidfile "$1")" "$(host_pattern "$1")"; }
host_answers() { lab_ssh "$1" true 2>/dev/null; }

# The lab's /etc/hosts (each host copies it at boot): RabbitMQ and the
# OpenStack services need the short host names to resolve, and there is no DNS.
write_etc_hosts() {
  local h
  {
    echo "127.0.0.1 localhost"
    echo "::1 localhost ip6-localhost ip6-loopback"
    for h; do echo "$(host_mgmt_ip "$h") $h"; done
  } >"$LAB_DIR/etc-hosts"
}

ensure_key() {
  [[ -f $KEY_FILE ]] && return 0
  install -d -m 700 "$(dirname "$KEY_FILE")"
  ssh-keygen -q -t ed25519 -N '' -C openstack-lab -f "$KEY_FILE"
  log "key: generated $KEY_FILE"
}

# host_start HOST SUITE: boot HOST on SUITE's base. A kept disk (LAB_KEEP_HOSTS)
# only ever boots on the base it was built on.
host_start() {
  local h=$1 suite=$2 dir pid i
  dir=$(host_dir "$h")
  if [[ -f $dir/suite && $(<"$dir/suite") != "$suite" ]]; then
    die "the kept disk of $h was built on $(<"$dir/suite"), not $suite; run 'npm run lab:down' (without LAB_KEEP_HOSTS) first, or set LAB_SUITE=$(<"$dir/suite")"
  fi
  # a disk left by LAB_KEEP_HOSTS, lab:host stop, or a lab that was never taken down (a
  # machine restart): the host boots what is on it, its enabled services included
  [[ -n $(ls -A "$dir/upper" 2>/dev/null) ]] && log "$h: booting its existing disk ($dir/upper); 'npm run lab:down' first for a fresh one"
  mkdir -p "$dir/upper" "$dir/work" "$dir/merged"
  echo "$suite" >"$dir/suite" # host-init.sh mounts this suite's base
  setsid ip netns exec "$(host_netns "$h")" \
    unshare --mount --uts --pid --fork --propagation private --kill-child=SIGKILL \
    bash "$LAB_ROOT/host-init.sh" "$h" >"$dir/console.log" 2>&1 </dev/null 9>&- &
  pid=$! # setsid and ip exec in place, so this is unshare's PID
  echo "$pid" >"$(host_pidfile "$h")"
  # the host's PID 1 as the root namespace sees it (for lab:status)
  for ((i = 0; i < 50; i++)); do
    pgrep -P "$pid" >"$(host_initpid_file "$h")" && return 0
    sleep 0.1
  done
  die "host $h did not start; see $dir/console.log"
}

host_stop() {
  local h=$1 init=
  [[ -f $(host_initpid_file "$h") ]] && init=$(<"$(host_initpid_file "$h")")
  if host_running "$h"; then
    kill -KILL "$(<"$(host_pidfile "$h")")" # unshare ignores TERM while it waits for its child
    [[ -z $init ]] || wait_gone "$init" 10 || log "warning: PID 1 ($init) of $h is still there"
    log "host $h: stopped"
  fi
  rm -f "$(host_pidfile "$h")" "$(host_initpid_file "$h")"
}

wait_ssh() {
  local h=$1 i
  for ((i = 0; i < 150; i++)); do
    host_answers "$h" && return 0
    host_running "$h" || break
    sleep 0.2
  done
  die "host $h does not answer SSH on $(host_mgmt_ip "$h"); console:
$(tail -n 20 "$(host_dir "$h")/console.log" 2>/dev/null)"
}

# apt-get update on HOSTS in parallel. `wait PID` per job, not a bare `wait`:
# that would also wait for apt-cacher-ng, a child of this shell.
hosts_apt_update() {
  local h failed=
  local -A pids=()
  for h; do
    # Bounded: a stalled mirror connection must fail lab:up, not hang it (seen once
    # in a CI run: 7 minutes and counting). apt retries each fetch with a timeout.
    lab_ssh "$h" 'timeout 300 apt-get update -q -o Acquire::http::Timeout=30 -o Acquire::Retries=3' \
      >"$LAB_DIR/logs/apt-update-$h.log" 2>&1 </dev/null &
    pids[$h]=$!
  done
  for h in "${!pids[@]}"; do wait "${pids[$h]}" || failed+=" $h"; done
  # A stalled fetch (parallel hosts through one proxy) is retried one host at a
  # time; by then the proxy holds the lists.
  local retry=$failed
  failed=
  for h in $retry; do
    lab_ssh "$h" 'timeout 300 apt-get update -q -o Acquire::http::Timeout=30 -o Acquire::Retries=3' \
      >>"$LAB_DIR/logs/apt-update-$h.log" 2>&1 </dev/null || failed+=" $h"
  done
  [[ -z $failed ]] || die "apt-get update failed on:$failed (see $LAB_DIR/logs/apt-update-<host>.log)"
}

# hosts_up SUITE HOSTS...: start what is not running on SUITE's base (a running
# host that no longer answers SSH is restarted), wait for SSH, refresh apt on
# the started ones.
hosts_up() {
  local suite=$1 h t0
  shift
  local -a started=()
  write_etc_hosts "$@"
  for h; do
    if host_running "$h"; then
      if host_answers "$h"; then
        log "host $h: running"
        continue
      fi
      log "host $h: running but not answering SSH, restarting it"
      host_stop "$h"
    fi
    host_start "$h" "$suite"
    started+=("$h")
  done
  ((${#started[@]} > 0)) || return 0
  t0=$(date +%s.%N)
  for h in "${started[@]}"; do
    wait_ssh "$h"
    log "host $h: up ($(host_role "$h"), $(host_mgmt_ip "$h"))"
  done
  log "hosts: sshd answering after $(elapsed "$t0")s"
  t0=$(date +%s.%N)
  hosts_apt_update "${started[@]}"
  log "hosts: apt-get update (parallel, via the proxy) took $(elapsed "$t0")s"
}
