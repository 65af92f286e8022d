#!/bin/bash
# test/lab/selftest.sh — `npm run test:lab`: does the lab do what it promises?
#
# Brings the lab up if it is down, checks reachability, isolation, apt,
# idempotency, a second composition (LAB_COMPUTES=2) and a clean teardown,
# and leaves the lab as it found it: up if it was up (same composition and
# suite, but fresh hosts: the teardown test wipes their disks), down otherwise.
# The suite under test: that of the running lab, else LAB_SUITE (lib.sh),
# else bookworm; LAB_SUITE=trixie sudo -E npm run test:lab tests Debian 13.
# The last line is "N passed, M failed"; exit 1 on any failure.
# Root only. Traffic goes to loopback and the lab's own namespaces only.
set -euo pipefail
TEST_DIR=$(dirname "$(readlink -f "$0")")
REPO=$(dirname "$(dirname "$TEST_DIR")")
# shellcheck source=../../lab/lib.sh
source "$REPO/lab/lib.sh"
# shellcheck source=../../lab/net.sh
source "$REPO/lab/net.sh"
# shellcheck source=../../lab/proxy.sh
source "$REPO/lab/proxy.sh"
# shellcheck source=../../lab/hosts.sh
source "$REPO/lab/hosts.sh"

PASSED=0 FAILED=0
FAILURES=()

# check NAME COMMAND...: one test; prints ok/not ok, shows output on failure
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    PASSED=$((PASSED + 1))
    printf 'ok   %s\n' "$name"
  else
    FAILED=$((FAILED + 1))
    FAILURES+=("$name")
    printf 'FAIL %s\n' "$name"
    [[ -z $out ]] || head -n 30 <<<"$out" | sed 's/^/     | /'
  fi
}

section() { printf '\n## %s\n' "$*"; }
lab() { bash "$REPO/lab/$1.sh"; } # lab up|down|status, output to the caller
lab_quiet() { bash "$REPO/lab/$1.sh" >/dev/null 2>&1; }

hosts_now() { read -ra HOSTS <<<"$(recorded_hosts)"; }
data_hosts() { for h in "${HOSTS[@]}"; do [[ -z $(host_data_ip "$h") ]] || echo "$h"; done; }

# expect_fail PATTERN COMMAND...: COMMAND fails and its output matches PATTERN
expect_fail() {
  local pattern=$1 out
  shift
  if out=$("$@" 2>&1); then
    echo "expected a failure, got success: $out"
    return 1
  fi
  grep -qE -- "$pattern" <<<"$out" || {
    echo "output does not match /$pattern/:"
    echo "$out"
    return 1
  }
}

# ---------------------------------------------------------------- static checks
t_shellcheck() { (cd "$REPO" && shellcheck -x lab/*.sh test/lab/*.sh); }

t_not_root() {
  local s
  for s in up down status clean; do
    expect_fail 'must be run as root' setpriv --reuid=65534 --regid=65534 --clear-groups bash "$REPO/lab/$s.sh" || return 1
  done
}

t_conflicts_named() {
  local out
  out=$(printf 'mirror\t198.51.100.70\nuplink eth9\t198.51.0.0/16\nsafe\t203.0.113.80\nuplink eth0\t192.0.2.2/24\n' | find_conflicts)
  if ! { grep -qx 'mirror (198.51.100.70/32) overlaps the lab data network 198.51.100.64/26' <<<"$out" &&
    grep -qx 'uplink eth9 (198.51.0.0/16) overlaps the lab management network 198.51.100.0/26' <<<"$out" &&
    (($(wc -l <<<"$out") == 2)); }; then
    echo "$out"
    return 1
  fi
}

t_machine_has_no_conflicts() {
  local out
  out=$(protected_addresses | find_conflicts)
  [[ -z $out ]] || {
    echo "$out"
    return 1
  }
}

# lab:up must refuse (and change nothing) when a registry resolves into the lab
t_up_refuses_conflict() {
  local before after
  before=$(ip -br link | grep -c "^$VETH_PREFIX" || true)
  expect_fail '^198\.51\.100\.70 \(198\.51\.100\.70/32\) overlaps the lab data network 198\.51\.100\.64/26$' \
    env LAB_PROTECTED_HOSTS=198.51.100.70 bash "$REPO/lab/up.sh" || return 1
  after=$(ip -br link | grep -c "^$VETH_PREFIX" || true)
  [[ $before == "$after" ]] || echo "links changed: $before -> $after"
}

# ---------------------------------------------------------------- reachability
t_ssh_all() {
  local h name
  for h in "${HOSTS[@]}"; do
    name=$(lab_ssh "$h" hostname) || return 1
    [[ $name == "$h" ]] || {
      echo "$h answers as '$name'"
      return 1
    }
  done
}

# ping_from HOST IP: one ping from inside HOST
ping_from() { lab_ssh "$1" "ping -c1 -W2 -q $2 >/dev/null" || echo "$1 cannot ping $2"; }

t_mgmt_mesh() {
  local a b out=''
  for a in "${HOSTS[@]}"; do
    # the root ns has no ping (not a lab dependency): a TCP connect to sshd
    timeout 3 bash -c "exec 3<>/dev/tcp/$(host_mgmt_ip "$a")/22" || out+="root ns cannot reach $a"$'\n'
    for b in "${HOSTS[@]}"; do
      [[ $a == "$b" ]] || out+=$(ping_from "$a" "$(host_mgmt_ip "$b")")
    done
  done
  [[ -z $out ]] || {
    echo "$out"
    return 1
  }
}

t_data_mesh() {
  local a b out='' n=0
  for a in $(data_hosts); do
    for b in $(data_hosts); do
      [[ $a == "$b" ]] && continue
      out+=$(ping_from "$a" "$(host_data_ip "$b")")
      n=$((n + 1))
    done
  done
  if ((n == 0)) || [[ -n $out ]]; then
    echo "pairs: $n; $out"
    return 1
  fi
}

# charlie's eth2 is attached and up but carries no address (OVS will own it);
# a temporary test address proves the external bridge reaches the gateway.
t_external() {
  local test_ip=198.51.100.140 rc=0
  lab_ssh charlie "ip -br link show eth2 | grep -q ' UP '" || {
    echo "eth2 not UP"
    return 1
  }
  [[ -z $(lab_ssh charlie "ip -4 -o addr show dev eth2") ]] || {
    echo "eth2 has an IPv4 address"
    return 1
  }
  lab_ssh charlie "ip addr add $test_ip/26 dev eth2 && ping -c1 -W2 -q $EXT_GATEWAY_IP >/dev/null" || rc=1
  lab_ssh charlie "ip addr del $test_ip/26 dev eth2" || rc=1
  # every external veth's root-side end finishes checksums (lab/net.sh ensure_nic)
  local h
  for h in "${HOSTS[@]}"; do
    ethtool -k "$(host_veth "$h" x)" | grep -qx 'tx-checksumming: off' || {
      echo "$(host_veth "$h" x): tx checksumming on"
      rc=1
    }
  done
  return $rc
}

t_no_way_out() {
  local h out=''
  for h in "${HOSTS[@]}"; do
    [[ -z $(lab_ssh "$h" "ip route show default") ]] || out+="$h has a default route; "
    lab_ssh "$h" "! ping -c1 -W1 -q 192.0.2.1 >/dev/null 2>&1" || out+="$h reaches the uplink gateway; "
    lab_ssh "$h" "! ping -c1 -W1 -q 203.0.113.80 >/dev/null 2>&1" || out+="$h reaches the mirror; "
  done
  [[ -z $out ]] || {
    echo "$out"
    return 1
  }
}

# RabbitMQ and the services need every short name (their own too) to resolve
t_names_resolve() {
  local h b got
  for h in "${HOSTS[@]}"; do
    for b in "${HOSTS[@]}"; do
      got=$(lab_ssh "$h" "getent hosts $b" | awk '{print $1}')
      [[ $got == "$(host_mgmt_ip "$b")" ]] || {
        echo "on $h, $b resolves to '$got'"
        return 1
      }
    done
  done
}

# ---------------------------------------------------------------- isolation
t_fs_isolation() {
  local f=/etc/oslab-selftest-$$ h rc=0
  lab_ssh alice "echo alice > $f" || return 1
  for h in "${HOSTS[@]}"; do
    [[ $h == alice ]] && continue
    lab_ssh "$h" "test ! -e $f" || {
      echo "$f visible on $h"
      rc=1
    }
  done
  [[ ! -e $(base_dir_for "$SUITE")$f ]] || {
    echo "$f leaked into the base"
    rc=1
  }
  [[ -f $(host_dir alice)/upper$f ]] || {
    echo "$f not in alice's upper dir"
    rc=1
  }
  lab_ssh alice "rm -f $f"
  return $rc
}

t_pid_isolation() {
  local h out
  for h in "${HOSTS[@]}"; do
    out=$(lab_ssh "$h" "echo pid1=\$(cat /proc/1/comm) listeners=\$(pgrep -c -f '^sshd: /usr/sbin/sshd') acng=\$(pgrep -c apt-cacher-ng) procs=\$(ps -e --no-headers | wc -l)")
    if ! [[ $out =~ ^pid1=tini\ listeners=1\ acng=0\ procs=([0-9]+)$ ]] || ((BASH_REMATCH[1] >= 20)); then
      echo "$h: $out"
      return 1
    fi
  done
}

t_mount_isolation() {
  local h root_view
  root_view=$(mounts_under "$LAB_DIR")
  [[ -z $root_view ]] || {
    echo "root ns sees: $root_view"
    return 1
  }
  for h in "${HOSTS[@]}"; do
    # overlay root; the machine's filesystem (this repo) is not reachable
    lab_ssh "$h" "findmnt -n -o FSTYPE / | grep -qx overlay && test ! -e $REPO/package.json && test ! -e $LAB_DIR" || {
      echo "$h: root is not a private overlay"
      return 1
    }
  done
}

t_uts_isolation() {
  [[ $(hostname) != alice ]] && [[ $(lab_ssh bob 'cat /etc/hostname; hostname' | sort -u) == bob ]]
}

t_host_keys_differ() {
  local h n
  n=$(for h in "${HOSTS[@]}"; do lab_ssh "$h" 'cat /etc/ssh/ssh_host_ed25519_key.pub'; done | awk '{print $2}' | sort -u | wc -l)
  ((n == ${#HOSTS[@]}))
}

# ---------------------------------------------------------------- host services
t_service_works() {
  lab_ssh alice 'service ssh status && test -x /usr/sbin/policy-rc.d && /usr/sbin/policy-rc.d; test $? -eq 101'
}

# installs through the proxy, drops the .deb, leaves no trace
t_apt_install() {
  lab_ssh bob 'set -e
    apt-config dump | grep -q "Acquire::http::Proxy \"http://198.51.100.1:3142\""
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q hello >/tmp/selftest-apt.log 2>&1 || { tail -20 /tmp/selftest-apt.log; exit 1; }
    hello | grep -qx "Hello, world!"
    ! ls /var/cache/apt/archives/*.deb >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -q hello >/dev/null 2>&1
    rm -f /tmp/selftest-apt.log'
}

# ---------------------------------------------------------------- suite
t_hosts_run_suite() {
  local h got
  for h in "${HOSTS[@]}"; do
    # shellcheck disable=SC2016 # expanded on the host
    got=$(lab_ssh "$h" '. /etc/os-release && echo "$VERSION_CODENAME" && sed -n "s/^Suites: //p" /etc/apt/sources.list.d/debian.sources')
    [[ $got == "$SUITE"$'\n'"$SUITE $SUITE-updates"$'\n'"$SUITE-security" ]] || {
      echo "$h: $got"
      return 1
    }
  done
}

t_stack_release() {
  local want
  want=$(suite_release "$SUITE")
  grep -qx "  openstack-lab:release: $want" "$STACK_FILE" &&
    (($(grep -c '^  openstack-lab:release:' "$STACK_FILE") == 1)) &&
    jq -e --arg s "$SUITE" --arg r "$want" '.suite == $s and .release == $r' "$LAB_JSON" >/dev/null
}

t_suite_change_refused() {
  local other
  other=$(other_suite)
  expect_fail "up with $SUITE hosts but LAB_SUITE asks for $other" env LAB_SUITE="$other" bash "$REPO/lab/up.sh"
}

t_unknown_suite_refused() {
  expect_fail "LAB_SUITE must be one of: bookworm trixie \(got 'sid'\)" env LAB_SUITE=sid bash "$REPO/lab/up.sh"
}

other_suite() { if [[ $SUITE == bookworm ]]; then echo trixie; else echo bookworm; fi; }
# the other suite's cached base: its stamp's inode and mtime, or "absent"
other_base_state() { stat -c '%i %Y' "$(base_dir_for "$(other_suite)")/.oslab-base" 2>/dev/null || echo absent; }

t_other_base_untouched() {
  local now
  now=$(other_base_state)
  [[ $now == "$OTHER_BASE_BEFORE" ]] || {
    echo "$(other_suite) base: $OTHER_BASE_BEFORE -> $now"
    return 1
  }
}

# ---------------------------------------------------------------- config output
t_lab_json() {
  local h
  jq -e '.aptProxy == "http://198.51.100.1:3142" and (.sshPrivateKeyFile | test("id_ed25519$"))' "$LAB_JSON" >/dev/null || return 1
  for h in "${HOSTS[@]}"; do
    jq -e --arg h "$h" --arg ip "$(host_mgmt_ip "$h")" --arg ns "$(host_netns "$h")" \
      '.hosts[] | select(.name == $h and .managementIp == $ip and .netns == $ns)' "$LAB_JSON" >/dev/null ||
      {
        echo "lab.json lacks $h"
        return 1
      }
  done
}

t_stack_config_valid() {
  ! grep -q 'PRIVATE KEY' "$STACK_FILE" &&
    (cd "$REPO" && node -r ts-node/register/transpile-only test/lab/check-stack-config.ts "$STACK_FILE")
}

# keys lab:up does not own (secrets, the salt, hand-added keys) survive lab:up
t_stack_config_preserves() {
  local backup rc=0
  backup=$(mktemp)
  cp "$STACK_FILE" "$backup"
  printf 'encryptionsalt: v1:selftest\n' >>"$STACK_FILE"
  printf '  openstack-lab:sshPrivateKey:\n    secure: v1:selftest-secret\n  openstack-lab:rebootOnSysctlChange: "false"\n' >>"$STACK_FILE"
  lab_quiet up || rc=1
  if ! { grep -qx 'encryptionsalt: v1:selftest' "$STACK_FILE" && grep -qx '    secure: v1:selftest-secret' "$STACK_FILE" &&
    grep -qx '  openstack-lab:rebootOnSysctlChange: "false"' "$STACK_FILE" &&
    (($(grep -c '^  openstack-lab:nodes:' "$STACK_FILE") == 1)); }; then
    cat "$STACK_FILE"
    rc=1
  fi
  cp "$backup" "$STACK_FILE"
  rm -f "$backup"
  return $rc
}

# ---------------------------------------------------------------- idempotency
snapshot() { # everything a second lab:up must leave exactly as it was
  local h
  for h in "${HOSTS[@]}"; do echo "$h $(cat "$(host_pidfile "$h")") $(cat "$(host_initpid_file "$h")")"; done
  echo "acng $(cat "$ACNG_PIDFILE")"
  lab_netns_list
  lab_bridge_list
  lab_veth_list | sort
  ip -4 -o addr show dev "$BR_MGMT" | awk '{print $4}'
  ip -4 route show "$LAB_NET"
  ss -Hltn "sport = :$PROXY_PORT" | awk '{print $4}'
}

# The program moves a host's data address off eth1 (to OVS's br-phy, userspace datapath):
# lab:up again must not put a second copy back on eth1 (it took the tunnels' route).
t_up_keeps_moved_data_address() {
  local h ip rc=0
  h=$(data_hosts | head -n1)
  ip=$(host_data_ip "$h")
  # (moved to lo here: no kernel module to load, e.g. dummy, inside a lab host)
  lab_ssh "$h" "ip addr del $ip/${DATA_CIDR#*/} dev eth1 && ip addr add $ip/${DATA_CIDR#*/} dev lo" || return 1
  lab_quiet up || rc=1
  if lab_ssh "$h" "ip -o -4 addr show dev eth1" | grep -q .; then
    echo "$h: lab:up gave eth1 the data address again"
    rc=1
  fi
  lab_ssh "$h" "ip addr del $ip/${DATA_CIDR#*/} dev lo; ip addr replace $ip/${DATA_CIDR#*/} dev eth1" || rc=1
  return $rc
}

t_up_idempotent() {
  local before after
  before=$(snapshot)
  lab_quiet up || return 1
  after=$(snapshot)
  [[ $before == "$after" ]] || {
    diff <(echo "$before") <(echo "$after")
    return 1
  }
  (($(lab_veth_list | wc -l) == 3 * ${#HOSTS[@]})) && (($(lab_netns_list | wc -l) == ${#HOSTS[@]}))
}

t_composition_change_refused() {
  local computes=$((${#HOSTS[@]} - 2))
  expect_fail 'LAB_COMPUTES asks for' env LAB_COMPUTES=$((computes + 1)) bash "$REPO/lab/up.sh"
}

# ---------------------------------------------------------------- teardown
# pids recorded before lab:down, checked after it
recorded_pids() {
  local f
  for f in "$HOSTS_DIR"/*/unshare.pid "$HOSTS_DIR"/*/init.pid "$ACNG_PIDFILE"; do [[ -f $f ]] && cat "$f"; done
}

t_nothing_left() {
  local out='' p
  out+=$(lab_netns_list | sed 's/^/netns /')
  out+=$(lab_bridge_list | sed 's/^/bridge /')
  out+=$(lab_veth_list | sed 's/^/veth /')
  ! lab_route_present || out+="unreachable route; "
  out+=$(grep -lF "$LAB_DIR/" /proc/[0-9]*/mountinfo 2>/dev/null | sed 's/^/mount ns of /')
  out+=$(mounts_under "$LAB_DIR")
  for p in $PIDS_BEFORE_DOWN; do
    [[ -e /proc/$p && $(ps -o stat= -p "$p") != Z* ]] && out+="pid $p alive ($(tr '\0' ' ' <"/proc/$p/cmdline")); "
  done
  # ([h] and [a]: the pattern must not match grep's own command line)
  out+=$(grep -lE '[h]ost-init\.sh|[a]pt-cacher-ng -c /' /proc/[0-9]*/cmdline 2>/dev/null | sed 's/^/process /')
  [[ -f $(base_dir_for "$SUITE")/.oslab-base ]] || out+="base cache deleted; "
  [[ -z $out ]] || {
    echo "$out"
    return 1
  }
}

t_status_down() {
  local rc=0
  lab_quiet status || rc=$?
  ((rc == 3)) || echo "lab:status exit $rc, expected 3 (down)"
  ((rc == 3))
}

t_down_again() { lab_quiet down; }

# ---------------------------------------------------------------- main
main() {
  require_root test:lab
  local initial=0 initial_computes=1 t0
  t0=$(date +%s.%N)
  lab_quiet status || initial=$?
  if ((initial == 0)); then
    SUITE=$(recorded_suite)
    SUITE=${SUITE:-$DEFAULT_SUITE}
    [[ -z ${LAB_SUITE:-} || $LAB_SUITE == "$SUITE" ]] ||
      die "the lab is up with $SUITE hosts but LAB_SUITE=$LAB_SUITE; run lab:down first"
  else
    SUITE=$(requested_suite)
  fi
  export LAB_SUITE=$SUITE # every lab:up below builds this suite
  OTHER_BASE_BEFORE=$(other_base_state)
  if ((initial == 0)); then
    initial_computes=$(($(wc -w <"$HOSTS_FILE") - 2))
    echo "lab is up ($(recorded_hosts), $SUITE); it will be up again at the end"
  else
    echo "lab is not up (lab:status exit $initial); bringing it up ($SUITE) on fresh disks, it will be down at the end"
    # fresh disks: a lab that was never taken down (a machine restart, a killed run) leaves
    # its hosts' disks, and lab:up boots what is on them (their OpenStack services included)
    lab_quiet down
    LAB_COMPUTES=1 lab up
  fi
  hosts_now

  section "static"
  if command -v shellcheck >/dev/null; then check "scripts are shellcheck-clean" t_shellcheck; fi
  check "lab scripts refuse to run without root" t_not_root
  check "conflict check names the lab range an address falls into" t_conflicts_named
  check "this machine's uplink, resolver, mirrors and registry are outside the lab" t_machine_has_no_conflicts
  check "lab:up refuses when a registry resolves into the lab, changes nothing" t_up_refuses_conflict

  section "reachability (${HOSTS[*]})"
  check "every host answers SSH from the root ns with its own name" t_ssh_all
  check "management: root ns reaches every host, every host pings every host" t_mgmt_mesh
  check "data: compute and network hosts ping each other" t_data_mesh
  check "external: charlie eth2 up without address; reaches gateway .129; checksums finished" t_external
  check "no default route, no way to the uplink or mirrors from a host" t_no_way_out
  check "every host resolves every lab host name to its management IP" t_names_resolve

  section "isolation"
  check "a file written under /etc on alice exists nowhere else" t_fs_isolation
  check "each host sees only its own processes (PID 1 tini, one sshd)" t_pid_isolation
  check "overlay root per host, no lab mount visible in the root ns" t_mount_isolation
  check "own hostname per host (UTS)" t_uts_isolation
  check "per-host SSH host keys" t_host_keys_differ

  section "suite ($SUITE, release $(suite_release "$SUITE"))"
  check "every host runs Debian $SUITE and its apt sources name $SUITE" t_hosts_run_suite
  check "Pulumi.lab.yaml and lab.json carry release $(suite_release "$SUITE")" t_stack_release
  check "lab:up refuses an unknown LAB_SUITE" t_unknown_suite_refused

  section "host services and packages"
  check "'service' works and policy-rc.d denies postinst starts" t_service_works
  check "apt-get install -y hello through the proxy (and purge)" t_apt_install

  section "stack config"
  check "lab.json describes the hosts" t_lab_json
  check "Pulumi.lab.yaml passes the program's validateConfig, no key inside" t_stack_config_valid
  check "lab:up keeps foreign keys, secrets and the salt in Pulumi.lab.yaml" t_stack_config_preserves

  section "idempotency"
  check "lab:up on a running lab changes nothing (same PIDs, links, routes)" t_up_idempotent
  check "lab:up leaves a data address the host moved off eth1 where it is" t_up_keeps_moved_data_address
  check "lab:up refuses another composition while up" t_composition_change_refused
  check "lab:up refuses another suite while up" t_suite_change_refused

  section "teardown"
  PIDS_BEFORE_DOWN=$(recorded_pids | tr '\n' ' ')
  check "lab:down succeeds" lab_quiet down
  check "nothing left: netns, bridges, veths, route, mounts, processes; base kept" t_nothing_left
  check "lab:status reports down" t_status_down
  check "lab:down on a down lab succeeds" t_down_again

  section "second composition: LAB_COMPUTES=2"
  if check "LAB_COMPUTES=2 lab:up (warm)" env LAB_COMPUTES=2 bash "$REPO/lab/up.sh"; then
    hosts_now
    check "hosts are ${HOSTS[*]}" test "${HOSTS[*]}" == "alice bob charlie bob2"
    check "every host answers SSH" t_ssh_all
    check "management mesh" t_mgmt_mesh
    check "data mesh (bob, charlie, bob2)" t_data_mesh
    check "Pulumi.lab.yaml lists bob2 and is valid" \
      bash -c "grep -q 'name: bob2, role: compute, managementIp: 198.51.100.14, dataIp: 198.51.100.78' '$STACK_FILE' && cd '$REPO' && node -r ts-node/register/transpile-only test/lab/check-stack-config.ts '$STACK_FILE'"
  fi
  PIDS_BEFORE_DOWN=$(recorded_pids | tr '\n' ' ')
  check "lab:down" lab_quiet down
  check "nothing left after the second composition" t_nothing_left
  check "the $(other_suite) base was neither built nor changed" t_other_base_untouched

  if ((initial == 0)); then
    section "restore"
    check "lab back up as found (LAB_COMPUTES=$initial_computes)" env LAB_COMPUTES="$initial_computes" bash "$REPO/lab/up.sh"
  fi

  printf '\nselftest took %ss\n' "$(elapsed "$t0")"
  ((FAILED == 0)) || printf 'failed: %s\n' "${FAILURES[@]}"
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0))
}

main "$@"
