#!/usr/bin/env bash
# e2e.sh — one release end to end (root). The proof on this machine, which has no Pulumi
# CLI: the lab runner (test/e2e/runner, test infrastructure) plays the engine.
#   1. lab:up (fresh hosts of the release's Debian suite), the tiny guest image on alice
#   deploy  the stack (Pulumi.lab.yaml, written by lab:up for E2E_RELEASE) into the lab
#   smoke   the openstack CLI on the controller (test/e2e/smoke.sh), ICMP to the floating IP
#   config  every OpenStack config file on every host through oslo-config-validator
#   verify  OpenStack's Tempest smoke set against the cloud (npm run verify, test/e2e/verify-stage.sh)
#   rerun   a second run that must execute nothing
#   blast   single-key edits whose re-run sets must equal test/e2e/blast-radius/*.txt
#   add-compute, migrate, remove-compute, rotate   day two (README: "Day two")
#   faults  the SSH connection cut mid-step, the controller restarted mid-run: each followed
#           by re-runs that converge and a no-change run that executes and restarts nothing
#   guard   a second project uses the cloud; destroy must refuse with nothing deleted;
#           purgeOnDestroy on (an up that changes only the guard)
#   destroy first with the network node down (must fail naming it, state kept), then for
#           real; then check the hosts hold nothing that `up` made (no guest, namespace, bridge)
# E2E_RELEASE: zed (default) or any release the lab builds hosts for. E2E_STAGES: the
# stages after deploy, in this order (default: all of them).
# E2E_KEEP=1 skips destroy and leaves the lab and the cloud up; E2E_LAB_DOWN=0 leaves the
# lab up. test/e2e/all.sh runs this once per release (what `npm run test:e2e` does).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "test:e2e needs root (it starts the lab)" >&2; exit 2; }
LAB_DIR=${LAB_DIR:-/var/tmp/openstack-lab}
release=${E2E_RELEASE:-zed}
stages=" ${E2E_STAGES:-smoke config verify rerun blast add-compute migrate remove-compute rotate faults guard destroy} "
[ "${E2E_KEEP:-0}" = 1 ] && stages=${stages/ destroy / }
[ "${E2E_BLAST:-1}" = 1 ] || stages=${stages/ blast / }
want() { [[ $stages == *" $1 "* ]]; }
export LAB_RELEASE=$release
state=${E2E_STATE:-$LAB_DIR/e2e/$release.json}
key=$LAB_DIR/keys/id_ed25519
mkdir -p "$(dirname "$state")"
# A fresh stack for fresh hosts: no state, reports or logs of an earlier run.
# E2E_REUSE=1 (development only): keep the running lab, its cloud and the state of the last
# deploy, and run only the stages after it (E2E_STAGES).
reuse=${E2E_REUSE:-0}
[ "$reuse" = 1 ] || rm -f "$state" "${state%.json}.key" "${state%.json}".*.report.json "${state%.json}".*.log \
  "${state%.json}".*.daemons "${state%.json}.rotated-glance.json"
ssh_opts=(-i "$key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=10)
# shellcheck disable=SC2029 # the commands are meant to expand on the host
on() { local h=$1; shift; ssh "${ssh_opts[@]}" "root@$h" "$@"; }
# runner MODE [TAG [EXTRA-ARGS…]]: the report is <state>.<TAG>.report.json (TAG defaults to MODE).
# The stack the runs deploy: the lab's Pulumi.lab.yaml, without the spare compute hosts
# that the day-two stages add later (stack name "lab", project in this directory).
stack_file=$(dirname "$state")/$release/Pulumi.lab.yaml
runner() { local mode=$1 tag=${2:-$1}; shift; [ $# -gt 0 ] && shift
  npx ts-node --transpile-only test/e2e/runner/cli.ts "$mode" --stack-file "$stack_file" --project-dir "$PWD" \
  --secret "sshPrivateKey=@$key" --state "$state" --report "${state%.json}.$tag.report.json" "$@"; }
# changed TAG: "op name" of every resource the run TAG did not leave unchanged, one per line.
changed() { python3 - "${state%.json}.$1.report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for x in r["resources"]:
    if x["custom"] and x["op"] not in ("same", "delete-replaced"):
        print(x["op"], x["urn"].rsplit("::", 1)[1])
PY
}
passed=0 failed=0
ok() { echo "ok $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
# expect_empty VALUE OK-MESSAGE FAIL-MESSAGE
expect_empty() { if [ -z "$1" ]; then ok "$2"; else fail "$3: $1"; fi; }
# snapshot TAG: every lab host's long-running processes (test/e2e/daemons.sh), kept as
# <state>.TAG.<host>.daemons; restarted TAG1 TAG2 HOST…: the processes of TAG1 that are
# gone in TAG2 (a restart gives a new PID and start time), one "host: pid start comm" each.
lab_hosts() { python3 -c "import json;d=json.load(open('$LAB_DIR/lab.json'));print(' '.join(x['name'] + '=' + x['managementIp'] for x in d['hosts']))"; }
snapshot() { local hv; for hv in $(lab_hosts); do on "${hv#*=}" "bash -s" < test/e2e/daemons.sh > "${state%.json}.$1.${hv%%=*}.daemons" || true; done; }
restarted() { local a=$1 b=$2 h; shift 2
  for h in "$@"; do comm -23 "${state%.json}.$a.$h.daemons" "${state%.json}.$b.$h.daemons" | sed "s/^/$h: /"; done; }
t0=$SECONDS
stage() { echo "=== [$((SECONDS - t0))s] $*"; }

# Stop the lab however the run ends (leave the machine as found), unless the cloud is
# kept (E2E_KEEP=1) or E2E_LAB_DOWN=0.
if [ "${E2E_KEEP:-0}" = 1 ]; then lab_down=${E2E_LAB_DOWN:-0}; else lab_down=${E2E_LAB_DOWN:-1}; fi
[ "$lab_down" = 1 ] && trap 'bash lab/down.sh' EXIT

stage "$release: lab up (fresh hosts: a running lab is taken down first)"
[ "$reuse" = 1 ] || bash lab/down.sh >/dev/null
# add-compute needs a spare compute host: the lab starts it, the stack does not use it yet.
if want add-compute; then export LAB_COMPUTES=2; else export LAB_COMPUTES=${LAB_COMPUTES:-1}; fi
bash lab/up.sh
mkdir -p "$(dirname "$stack_file")"
# stack_nodes N: the lab's stack file with the first N compute hosts
stack_nodes() { python3 - "$1" Pulumi.lab.yaml "$stack_file" <<'PY'
import sys, yaml
n, src, dst = int(sys.argv[1]), sys.argv[2], sys.argv[3]
doc = yaml.safe_load(open(src))
nodes = doc["config"]["openstack-lab:nodes"]
computes = [x for x in nodes if x["role"] == "compute"][:n]
doc["config"]["openstack-lab:nodes"] = [x for x in nodes if x["role"] != "compute" or x in computes]
yaml.safe_dump(doc, open(dst, "w"), sort_keys=False)
PY
}
stack_nodes 1
ALICE=$(python3 -c "import json;d=json.load(open('$LAB_DIR/lab.json'));print([h['managementIp'] for h in d['hosts'] if h['role']=='controller'][0])")
BOB=$(python3 -c "import json;d=json.load(open('$LAB_DIR/lab.json'));print([h['name'] for h in d['hosts'] if h['role']=='compute'][0])")

if [ "$reuse" != 1 ]; then
  stage "guest image"
  bash test/e2e/tiny-image.sh "$LAB_DIR/images"
  on "$ALICE" "mkdir -p /root/oslab-images"
  scp -q "${ssh_opts[@]}" "$LAB_DIR/images/tiny.qcow2" "root@$ALICE:/root/oslab-images/tiny.qcow2"
  stage "deploy (runner up)"
  runner up | tee "${state%.json}.up.log"
fi
gateway_ip=$(python3 -c "import json;print(json.load(open('${state%.json}.up.report.json'))['outputs'].get('gatewayIp',''))")
if [ -n "$gateway_ip" ]; then ok "stack output gatewayIp = $gateway_ip"; else fail "stack output gatewayIp missing"; fi

if want smoke; then
  stage "smoke test on the controller"
  on "$ALICE" "bash -s /root/.openstack-credentials $gateway_ip $BOB tiny boot" < test/e2e/smoke.sh | tee "${state%.json}.smoke.log" || true
  if grep -qE '^[0-9]+ passed, 0 failed$' "${state%.json}.smoke.log"; then ok "smoke test"; else fail "smoke test"; fi
  # From outside the cloud: this machine is the external network's gateway (lab bridge).
  fip=$(awk '$1 == "floating-ip" {print $2}' "${state%.json}.smoke.log")
  if [ -n "$fip" ] && python3 test/e2e/icmp-ping.py "$fip" 15; then ok "guest answers on its floating IP $fip from the external network"
  else fail "guest does not answer on its floating IP '$fip'"; fi
  if on "$ALICE" "bash -s /root/.openstack-credentials $gateway_ip $BOB tiny cleanup" < test/e2e/smoke.sh >> "${state%.json}.smoke.log"; then
    ok "smoke server and floating IP removed"; else fail "smoke cleanup (${state%.json}.smoke.log)"; fi
fi

if want smoke; then
  stage "demo project (config demo: what init-runonce gives a user)"
  on "$ALICE" "bash -s /root/.openstack-credentials" < test/e2e/demo-check.sh | tee "${state%.json}.demo.log" | sed 's/^/  /' || true
  if grep -qE '^[0-9]+ passed, 0 failed$' "${state%.json}.demo.log"; then ok "demo project ready"; else fail "demo project"; fi
fi

if want config; then
  stage "config files checked against the installed services (oslo-config-validator)"
  for hv in $(lab_hosts); do
    h=${hv%%=*} ip=${hv#*=}
    scp -q "${ssh_opts[@]}" test/e2e/config-check/validate.py "root@$ip:/root/oslab-validate.py"
    rc=0; out=$(on "$ip" "python3 /root/oslab-validate.py" < "test/e2e/config-check/$release.tsv") || rc=$?
    printf '%s\n' "$out" | sed "s/^/  $h: /"
    n=$(grep -c '^validated' <<<"$out" || true)
    if [ "$rc" = 0 ]; then ok "$h: $n config files, no unknown key or group"; else fail "$h: unknown keys or groups (above)"; fi
  done
fi

if want verify; then stage "Tempest smoke (test/e2e/verify-stage.sh)"; if bash test/e2e/verify-stage.sh "$release" "${state%.json}.up.report.json" "$key"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi; fi

if want rerun; then
  stage "second run (must change nothing)"
  snapshot before-rerun
  runner up rerun | tee "${state%.json}.rerun.log" || true
  if grep -q '^Executed: nothing' "${state%.json}.rerun.log"; then ok "second run executed nothing"; else fail "second run executed commands"; fi
  snapshot after-rerun
  # shellcheck disable=SC2046 # host names
  gone=$(restarted before-rerun after-rerun $(lab_hosts | tr ' ' '\n' | cut -d= -f1))
  expect_empty "$gone" "second run restarted no process on any host" "second run restarted"
fi

# Blast radius: single-key edits, each on top of the previous one; every run must re-run
# exactly the resources that read the edited key (expected lists below, sorted "op name").
# blast TAG EXPECTED-FILE RUNNER-ARGS…
blast_summary=()
# The config of the last blast run: later runs pass it again (the stack file holds the
# original values; the runner's --config applies to one run only).
last_config=()
blast() { local tag=$1 want=$2 start=$SECONDS; shift 2
  stage "blast radius: $tag"
  last_config=("$@")
  if ! runner up "blast-$tag" "$@" > "${state%.json}.blast-$tag.log" 2>&1; then
    fail "blast $tag: run failed (${state%.json}.blast-$tag.log)"; return; fi
  got=$(changed "blast-$tag" | sort)
  blast_summary+=("blast radius $tag: $((SECONDS - start)) s, re-ran: $(echo "$got" | awk '{print $2}' | tr '\n' ' ')")
  printf '%s\n' "$got" | sed "s/^/  $tag: /"
  if [ "$got" = "$(sort "$want")" ]; then ok "blast $tag re-ran only: $(echo "$got" | awk '{print $2}' | tr '\n' ' ')"
  else fail "blast $tag re-ran other resources than expected:"; diff <(sort "$want") <(echo "$got") | sed 's/^/    /' || true; fi
}
if want blast; then
  exp=test/e2e/blast-radius
  tenant='{"name":"private","cidr":"198.51.100.192/27","gateway":"198.51.100.193","dnsNameservers":["198.51.100.2"]}'
  blast tenant-dns "$exp/tenant-dns.txt" --config "tenantNetwork=$tenant"
  external='{"cidr":"198.51.100.128/26","gateway":"198.51.100.129","allocationPool":{"start":"198.51.100.150","end":"198.51.100.170"}}'
  blast allocation-pool "$exp/allocation-pool.txt" --config "tenantNetwork=$tenant" --config "externalNetwork=$external"
  overrides='{"nova.conf":{"DEFAULT":{"cpu_allocation_ratio":4}}}'
  blast nova-override "$exp/nova-override.txt" --config "tenantNetwork=$tenant" --config "externalNetwork=$external" --config "overrides=$overrides"
  pw=${state%.json}.rotated-glance.json
  (umask 077; python3 -c 'import json,secrets;print(json.dumps({"glance":secrets.token_hex(16)}))' > "$pw")
  blast glance-password "$exp/glance-password.txt" --config "tenantNetwork=$tenant" --config "externalNetwork=$external" \
    --config "overrides=$overrides" --secret "servicePasswords=@$pw"
  # $pw stays (0600, in the state directory) while later stages run with this config; it is
  # removed when the run ends (below) and with the state at the start of the next run
fi

# Day two. expect_set TAG FILE: the resources run TAG changed must be exactly FILE's, and
# the preview before it (TAG-preview) must have planned exactly those.
expect_set() { local tag=$1 want=$2 got planned
  got=$(changed "$tag" | sort)
  planned=$(changed "$tag-preview" | sort)
  printf '%s\n' "$got" | sed "s/^/  $tag: /"
  if [ "$got" = "$(sort "$want")" ]; then ok "$tag re-ran only the expected resources ($(echo "$got" | wc -l))"
  else fail "$tag re-ran other resources than expected:"; diff <(sort "$want") <(echo "$got") | sed 's/^/    /' || true; fi
  if [ "$planned" = "$got" ]; then ok "$tag: the preview planned exactly what ran"
  else fail "$tag: preview and run differ:"; diff <(echo "$planned") <(echo "$got") | sed 's/^/    /' || true; fi
}
# day2 TAG STAGE-TITLE RUNNER-ARGS…: preview, then up, both with the same config; timed.
day2_summary=()
day2() { local tag=$1 title=$2 start; shift 2
  stage "$title"
  runner preview "$tag-preview" "${last_config[@]}" "$@" > "${state%.json}.$tag-preview.log" 2>&1 || fail "$tag: preview failed"
  start=$SECONDS
  if runner up "$tag" "${last_config[@]}" "$@" > "${state%.json}.$tag.log" 2>&1; then ok "$tag: up succeeded"
  else fail "$tag: up failed (${state%.json}.$tag.log)"; tail -n 20 "${state%.json}.$tag.log" | sed 's/^/    /'; fi
  day2_summary+=("$tag: $((SECONDS - start)) s, re-ran: $(changed "$tag" | awk '{print $2}' | tr '\n' ' ')")
}
alice_os() { on "$ALICE" ". /root/.openstack-credentials && openstack $*"; }
if want add-compute; then
  spare=$(python3 -c "import json;d=json.load(open('$LAB_DIR/lab.json'));print([h['name'] for h in d['hosts'] if h['role']=='compute'][1])")
  on "$ALICE" "bash -s /root/.openstack-credentials $gateway_ip $BOB tiny boot" < test/e2e/smoke.sh > "${state%.json}.day2-boot.log" || true
  fip=$(awk '$1 == "floating-ip" {print $2}' "${state%.json}.day2-boot.log")
  if [ -n "$fip" ]; then ok "a server runs on $BOB (floating IP $fip)"; else fail "no server on $BOB for the day-two stages"; fi
  snapshot before-add
  stack_nodes 2
  day2 add-compute "add compute $spare"
  expect_set add-compute test/e2e/day-two/add-compute.txt
  snapshot after-add
  gone=$(restarted before-add after-add alice "$BOB" charlie)
  expect_empty "$gone" "adding $spare restarted nothing on alice, $BOB, charlie" "adding $spare restarted"
  if python3 test/e2e/icmp-ping.py "$fip" 15; then ok "the server on $BOB still answers on $fip"; else fail "the server on $BOB stopped answering"; fi
  alice_os "server create --wait --image tiny --flavor m1.nano --network private --availability-zone nova:$spare oslab-day2 -f value -c id" >/dev/null 2>&1 || true
  host=$(alice_os "server show oslab-day2 -f value -c OS-EXT-SRV-ATTR:host" 2>/dev/null || true)
  if [ "$host" = "$spare" ]; then ok "a new server was scheduled onto $spare"; else fail "new server on '$host', not $spare"; fi
  alice_os "server delete --wait oslab-day2" >/dev/null 2>&1 || true
fi
if want migrate; then
  stage "live migration $BOB -> $spare"
  start=$SECONDS
  alice_os "server migrate --live-migration --block-migration --host $spare --wait oslab-smoke" > "${state%.json}.migrate.log" 2>&1 || true
  host=$(alice_os "server show oslab-smoke -f value -c OS-EXT-SRV-ATTR:host" 2>/dev/null || true)
  if [ "$host" = "$spare" ]; then ok "oslab-smoke live-migrated to $spare in $((SECONDS - start)) s"
  else fail "oslab-smoke is on '$host' after the live migration ($(tr '\n' ' ' < "${state%.json}.migrate.log"))"; fi
  if python3 test/e2e/icmp-ping.py "$fip" 15; then ok "the migrated server answers on $fip"; else fail "the migrated server does not answer on $fip"; fi
fi
if want remove-compute; then
  stack_nodes 1
  stage "remove compute $spare while a server runs there: refused"
  runner up remove-refused "${last_config[@]}" > "${state%.json}.remove-refused.log" 2>&1 && fail "removing $spare with a server on it went ahead"
  if grep -q "oslab-smoke" "${state%.json}.remove-refused.log"; then ok "removing $spare refused, naming its server"
  else fail "the refusal does not name the server (${state%.json}.remove-refused.log)"; fi
  grep -E "still runs|server oslab|openstack-lab:nodes" "${state%.json}.remove-refused.log" | sed 's/^/  /' | sort -u | head -n 5 || true
  # Before touching anything: the membership's delete is the only operation, and it failed.
  touched=$(python3 -c "import json;r=json.load(open('${state%.json}.remove-refused.report.json'));print(' '.join(x['urn'].rsplit('::',1)[1] for x in r['resources'] if x['op'] != 'same' and x['status'] == 'ok'))")
  expect_empty "$touched" "the refused removal changed nothing" "the refused removal changed"
  on "$ALICE" "bash -s /root/.openstack-credentials $gateway_ip $BOB tiny cleanup" < test/e2e/smoke.sh > /dev/null 2>&1 || true
  day2 remove-compute "remove compute $spare (empty)"
  expect_set remove-compute test/e2e/day-two/remove-compute.txt
  left=$(alice_os "compute service list --host $spare -f value -c ID; openstack network agent list --host $spare -f value -c ID" 2>/dev/null | tr '\n' ' ' || true)
  # placement directly (the client's `resource provider` commands come with osc-placement,
  # which the program does not install)
  left+=$(on "$ALICE" ". /root/.openstack-credentials && t=\$(openstack token issue -f value -c id) && curl -fsS -H \"X-Auth-Token: \$t\" 'http://$ALICE:8778/resource_providers?name=$spare'" 2>/dev/null \
    | python3 -c "import json,sys;print(' '.join('provider ' + r['uuid'] for r in json.load(sys.stdin)['resource_providers']))" 2>/dev/null || echo "(placement not asked)")
  expect_empty "$left" "$spare deregistered from nova, placement and neutron" "$spare still registered"
  spare_ip=$(python3 -c "import json;d=json.load(open('$LAB_DIR/lab.json'));print([h['managementIp'] for h in d['hosts'] if h['name']=='$spare'][0])")
  ours=$(on "$spare_ip" "cat /var/lib/openstack-lab/installed-packages 2>/dev/null | xargs -r dpkg-query -W -f='\${Package} \${Status}\n' 2>/dev/null | grep ' installed' || true; find /var/lib/openstack-lab/new -type f 2>/dev/null; command -v ovs-vsctl >/dev/null && ovs-vsctl --timeout=5 list-br 2>/dev/null || true" | tr '\n' ' ' || true)
  expect_empty "$ours" "$spare holds nothing of ours (packages, files, bridges)" "$spare still holds"
fi
if want rotate; then
  # What the old secrets opened, and how much the databases hold, before the rotation.
  on "$ALICE" "bash -s save" < test/e2e/rotation-check.sh > "${state%.json}.rotate-before.log" 2>&1 || fail "saving the old secrets"
  day2 rotate "rotate every generated secret" --config secretRotation='{"all":1}'
  last_config+=(--config secretRotation='{"all":1}')
  expect_set rotate test/e2e/day-two/rotate.txt
  on "$ALICE" "bash -s check" < test/e2e/rotation-check.sh | tee "${state%.json}.rotate-check.log" | sed 's/^/  /' || true
  if grep -qE '^[0-9]+ passed, 0 failed$' "${state%.json}.rotate-check.log"; then ok "old secrets refused, new ones work, no rows lost"
  else fail "rotation check (${state%.json}.rotate-check.log)"; fi
  on "$ALICE" "bash -s /root/.openstack-credentials $gateway_ip $BOB tiny all" < test/e2e/smoke.sh > "${state%.json}.rotate-smoke.log" 2>&1 || true
  if grep -qE '^[0-9]+ passed, 0 failed$' "${state%.json}.rotate-smoke.log"; then ok "smoke test after rotation"; else fail "smoke test after rotation"; fi
fi

# Faults, each followed by a plain re-run that must converge (and a no-change run after it
# that executes nothing and restarts no process on any host).
# converge TAG: re-run until done (at most 3 runs), then a no-change run.
converge() { local tag=$1 i
  for i in 1 2 3; do
    if runner up "$tag-converge$i" "${last_config[@]}" > "${state%.json}.$tag-converge$i.log" 2>&1; then
      ok "$tag: converged in $i re-run(s) (re-ran: $(changed "$tag-converge$i" | awk '{print $2}' | tr '\n' ' '))"; break; fi
    [ "$i" = 3 ] && { fail "$tag: no convergence after 3 re-runs (${state%.json}.$tag-converge3.log)"; return; }
  done
  snapshot "$tag-before-noop"
  runner up "$tag-noop" "${last_config[@]}" > "${state%.json}.$tag-noop.log" 2>&1 || true
  if grep -q '^Executed: nothing' "${state%.json}.$tag-noop.log"; then ok "$tag: the run after it executed nothing"; else fail "$tag: the run after it executed commands"; fi
  snapshot "$tag-after-noop"
  # shellcheck disable=SC2046 # host names
  gone=$(restarted "$tag-before-noop" "$tag-after-noop" $(lab_hosts | tr ' ' '\n' | cut -d= -f1))
  expect_empty "$gone" "$tag: the no-change run restarted no process" "$tag: the no-change run restarted"
}
# during TAG WAIT-FOR ACTION RUNNER-ARGS…: start `runner up TAG`, wait until a process
# matching WAIT-FOR (a pgrep -f pattern; "[n]ova-manage" does not match the shell asking)
# runs on the controller, do ACTION (a function), wait for the run.
during() { local tag=$1 pattern=$2 action=$3 pid i; shift 3
  runner up "$tag" "$@" > "${state%.json}.$tag.log" 2>&1 &
  pid=$!
  for i in $(seq 600); do on "$ALICE" "pgrep -f -- '$pattern'" >/dev/null 2>&1 && break; sleep 0.5; done
  if [ "$i" = 600 ]; then fail "$tag: '$pattern' never ran"; wait "$pid"; return; fi
  "$action"
  if wait "$pid"; then fail "$tag: the run did not notice the fault"; else ok "$tag: the run failed on the fault, as it must"; fi
  grep -E '^error:' "${state%.json}.$tag.log" | head -n 3 | sed 's/^/  /' || true
}
# cut_ssh: kill the sshd process of the SSH session that runs the db sync (the connection
# drops mid-step; the remote command is left to whatever the host does with it).
# shellcheck disable=SC2016 # the script runs on the controller
cut_ssh() { on "$ALICE" 'p=$(pgrep -f -- "[n]ova-manage" | head -n1); while [ -n "$p" ] && [ "$p" != 1 ]; do c=$(ps -o comm= -p "$p"); case "$c" in sshd*) echo "killing $c $p (the SSH session running nova-manage)"; kill "$p"; exit 0 ;; esac; p=$(ps -o ppid= -p "$p" | tr -d " "); done; echo "no sshd found" >&2; exit 1' | sed 's/^/  /' || true; }
restart_alice() { echo "  restarting alice"; bash lab/host.sh restart alice 2>&1 | sed 's/^/  /' || true; }
if want faults; then
  stage "fault: the SSH connection cut during nova's db sync (nova's database password rotated)"
  during fault-ssh "[n]ova-manage" cut_ssh "${last_config[@]}" --config secretRotation='{"all":1,"dbPasswords.nova":1}'
  last_config+=(--config secretRotation='{"all":1,"dbPasswords.nova":1}')
  converge fault-ssh
  # (nova's db sync again: it re-runs whenever nova's database URLs change, while glance's
  # follows only its database's identity, so a glance password rotation runs no glance-manage)
  stage "fault: the controller restarted during nova's db sync (nova's database password rotated again)"
  during fault-reboot "[n]ova-manage" restart_alice "${last_config[@]}" --config secretRotation='{"all":1,"dbPasswords.nova":2}'
  last_config+=(--config secretRotation='{"all":1,"dbPasswords.nova":2}')
  converge fault-reboot
  on "$ALICE" "bash -s /root/.openstack-credentials $gateway_ip $BOB tiny all" < test/e2e/smoke.sh > "${state%.json}.faults-smoke.log" 2>&1 || true
  if grep -qE '^[0-9]+ passed, 0 failed$' "${state%.json}.faults-smoke.log"; then ok "smoke test after the faults"; else fail "smoke test after the faults"; fi
fi

# Destroy of a cloud that a second project has used: refused with nothing deleted, then
# (purgeOnDestroy on, one `up` that updates only the guard) purged by the destroy below.
if want guard; then
  stage "destroy of a used cloud (refused)"
  if on "$ALICE" "bash -s /root/.openstack-credentials tiny m1.nano" < test/e2e/used-cloud.sh | tee "${state%.json}.used.log" \
    | grep -qE '^[0-9]+ passed, 0 failed$'; then ok "a second project made a server, floating IP, router and network"
  else fail "using the cloud as a second project (${state%.json}.used.log)"; fi
  cp "$state" "${state%.json}.before-guard.json"
  if runner destroy guard-refused > "${state%.json}.guard-refused.log" 2>&1; then fail "destroy of the used cloud went ahead"
  else ok "destroy of the used cloud refused"; fi
  grep -E 'found |destroy stopped|pulumi config set' "${state%.json}.guard-refused.log" | sed 's/^/  /' | sort -u || true
  deleted=$(python3 -c "import json;r=json.load(open('${state%.json}.guard-refused.report.json'));print(' '.join(x['urn'].rsplit('::',1)[1] for x in r['resources'] if x['op']=='delete' and x['status']=='ok'))")
  expect_empty "$deleted" "the refused destroy deleted nothing" "the refused destroy deleted"
  if python3 test/e2e/same-state.py "${state%.json}.before-guard.json" "$state"; then ok "state unchanged by the refused destroy"
  else fail "state changed by the refused destroy"; fi
  if on "$ALICE" ". /root/.openstack-credentials && openstack server list --all-projects -f value -c Name -c Status" | grep -qx 'oslab-user2-vm ACTIVE'
  then ok "services answer and the second project's server still runs"; else fail "cloud not answering after the refused destroy"; fi
  stage "purgeOnDestroy on (one up, the guard only)"
  runner up guard-purge "${last_config[@]}" --config purgeOnDestroy=true > "${state%.json}.guard-purge.log" 2>&1 || fail "up with purgeOnDestroy"
  got=$(changed guard-purge | tr '\n' ' ')
  if [ "$got" = "update in-use-check " ]; then ok "purgeOnDestroy changed only the guard"; else fail "purgeOnDestroy re-ran: $got"; fi
fi

if want destroy; then
  network_node=$(python3 -c "import json;d=json.load(open('$LAB_DIR/lab.json'));print([h['name'] for h in d['hosts'] if h['role']=='network'][0])")
  stage "destroy with $network_node unreachable (fault: must stop, name it, keep what it could not remove)"
  bash lab/host.sh stop "$network_node" 2>&1 | sed 's/^/  /' || true
  if runner destroy destroy-unreachable > "${state%.json}.destroy-unreachable.log" 2>&1; then fail "destroy went ahead with $network_node down"
  else ok "destroy with $network_node down failed"; fi
  grep -E '^error:' "${state%.json}.destroy-unreachable.log" | head -n 3 | sed 's/^/  /' || true
  if grep -E '^error:' "${state%.json}.destroy-unreachable.log" | grep -qF "$(python3 -c "import json;d=json.load(open('$LAB_DIR/lab.json'));print([h['managementIp'] for h in d['hosts'] if h['role']=='network'][0])")"; then
    ok "the error names $network_node's address"; else fail "the error does not name $network_node"; fi
  kept=$(python3 -c "import json;s=json.load(open('$state'));print(sum(1 for r in s.get('resources', []) if '$network_node' in r.get('urn','').rsplit('::',1)[1]))")
  if [ "${kept:-0}" -gt 0 ]; then ok "the state keeps $kept resources of $network_node"; else fail "the state lost $network_node's resources"; fi
  bash lab/host.sh start "$network_node" 2>&1 | sed 's/^/  /' || true
  stage "destroy ($network_node back)"
  runner destroy | tee "${state%.json}.destroy.log"
  python3 test/e2e/timing-summary.py "$release destroy" "${state%.json}.destroy.report.json"
  stage "hosts are clean"
  dbs=$(on "$ALICE" "mariadb -N -e 'SHOW DATABASES'" | grep -vxE 'information_schema|mysql|performance_schema|sys' | tr '\n' ' ' || true)
  expect_empty "$dbs" "no OpenStack database left" "databases left"
  users=$(on "$ALICE" "mariadb -N -e \"SELECT CONCAT(user,'@',host) FROM mysql.user WHERE user NOT IN ('root','mysql','mariadb.sys')\"" | tr '\n' ' ' || true)
  expect_empty "$users" "no OpenStack database user left" "database users left"
  for h in $(python3 -c "import json;d=json.load(open('$LAB_DIR/lab.json'));print(' '.join(x['managementIp'] for x in d['hosts']))"); do
    br=$(on "$h" "command -v ovs-vsctl >/dev/null && ovs-vsctl --timeout=5 list-br 2>/dev/null || true" | tr '\n' ' ')
    expect_empty "$br" "$h: no OVS bridge left" "$h: bridges left"
    left=$(on "$h" "find /var/lib/openstack-lab/new /var/lib/openstack-lab/orig /var/lib/openstack-lab/layers -type f 2>/dev/null || true" | tr '\n' ' ')
    expect_empty "$left" "$h: every managed file restored" "$h: managed files not restored"
  done
  route=$(on "$ALICE" "ip route | grep -F 198.51.100.192 || true")
  expect_empty "$route" "no tenant route on the controller" "route left"
  for h in $(python3 -c "import json;d=json.load(open('$LAB_DIR/lab.json'));print(' '.join(x['managementIp'] for x in d['hosts']))"); do
    guests=$(on "$h" "ps -eo comm= | grep -E '^qemu' || true" | tr '\n' ' ')
    expect_empty "$guests" "$h: no guest process left" "$h: guest processes left"
    ns=$(on "$h" "ip netns list 2>/dev/null || true" | tr '\n' ' ')
    expect_empty "$ns" "$h: no network namespace left" "$h: namespaces left"
  done
fi

stage "done ($release)"
rm -f "${state%.json}.rotated-glance.json"
python3 test/e2e/timing-summary.py "$release deploy" "${state%.json}.up.report.json"
[ ${#blast_summary[@]} -eq 0 ] || printf '%s\n' "${blast_summary[@]}"
[ ${#day2_summary[@]} -eq 0 ] || printf '%s\n' "${day2_summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
