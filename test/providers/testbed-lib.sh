# shellcheck shell=bash
# testbed-lib.sh - helpers shared by testbed.sh and its components in testbed.d/
# (source it, don't run it). Everything the test bed starts is recorded by PID
# in $TB_STATE/pids/<name>.pid and stopped by that PID only (never by name).
TB_STATE=${TB_STATE:-/var/tmp/oslab-testbed}
TB_LOG=$TB_STATE/log
mkdir -p "$TB_STATE/pids" "$TB_LOG"

tb_say() { printf '[testbed] %s\n' "$*" >&2; }

# tb_alive NAME: the recorded process is still running.
tb_alive() {
  local f=$TB_STATE/pids/$1.pid pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# tb_record NAME PID
tb_record() { echo "$2" > "$TB_STATE/pids/$1.pid"; }

# tb_stop NAME: TERM the recorded PID, wait up to 10 s, then KILL it. Removes the record.
tb_stop() {
  local name=$1 f=$TB_STATE/pids/$1.pid pid i
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then tb_say "$name ($pid) ignored TERM, sending KILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    tb_say "stopped $name (pid $pid)"
  fi
  rm -f "$f"
}

# tb_wait DESCRIPTION SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
tb_wait() {
  local what=$1 secs=$2 i; shift 2
  for i in $(seq $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  tb_say "timed out after ${secs}s waiting for $what"; return 1
}

# tb_apt_install PKG...: install missing Debian packages without starting their
# daemons (temporary policy-rc.d), waiting for the apt/dpkg lock if another
# engineer holds it. TB_NO_APT=1 (the Debian 13 bed's root, which has no network:
# testbed-trixie.sh installs its packages beforehand) makes a missing package an error.
tb_apt_install() {
  local missing=() p created=0 i rc=1
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "${TB_NO_APT:-}" = 1 ]; then
    tb_say "missing packages ${missing[*]} and TB_NO_APT=1 (no apt here)"; return 1
  fi
  tb_say "installing ${missing[*]}"
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; created=1; fi
  for i in $(seq 10); do
    if [ ! -f "$TB_STATE/apt-updated" ] || [ -n "$(find "$TB_STATE/apt-updated" -mmin +360)" ]; then
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -q >>"$TB_LOG/apt.log" 2>&1 && touch "$TB_STATE/apt-updated"
    fi
    if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${missing[@]}" >>"$TB_LOG/apt.log" 2>&1; then rc=0; break; fi
    tb_say "apt-get install failed (attempt $i, lock held?), retrying in 10 s; see $TB_LOG/apt.log"; sleep 10
  done
  [ $created = 1 ] && rm -f /usr/sbin/policy-rc.d
  return $rc
}

# tb_env KEY VALUE: record a setting for tests in $TB_STATE/env (KEY=VALUE lines).
tb_env() {
  touch "$TB_STATE/env"
  grep -v "^$1=" "$TB_STATE/env" > "$TB_STATE/env.tmp" || true
  echo "$1=$2" >> "$TB_STATE/env.tmp"; mv "$TB_STATE/env.tmp" "$TB_STATE/env"
}

# tb_policy_mode [CONF...]: the [oslo_policy] enforce_scope / enforce_new_defaults that a
# service reading these config files runs with: the installed oslo.policy's defaults
# (False in 4.0 on Debian 12, True from 4.4, so in Debian 13's 4.5) unless a file sets
# them. Without files: the defaults.
tb_policy_mode() {
  /usr/bin/python3 - "$@" <<'PY'
import sys
from oslo_config import cfg
from oslo_policy import opts
conf = cfg.ConfigOpts()
opts.set_defaults(conf)
conf(args=[], default_config_files=sys.argv[1:])
print("enforce_scope=%s enforce_new_defaults=%s" % (conf.oslo_policy.enforce_scope, conf.oslo_policy.enforce_new_defaults))
PY
}

# tb_ssh CMD...: run a command over the test bed's sshd (as the providers do).
tb_ssh() {
  ssh -i "$TB_STATE/id_ed25519" -p 2222 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=5 root@127.0.0.1 "$@"
}
