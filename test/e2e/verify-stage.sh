#!/usr/bin/env bash
# verify-stage.sh RELEASE REPORT KEY — the e2e's verify stage (root, lab up, cloud deployed):
# OpenStack's Tempest, smoke set, against the cloud through `npm run verify`
# (scripts/verify/cli.ts: tempest.conf from the stack outputs in REPORT, the runner's
# report of the deploy; Debian's tempest package on the controller, reached with KEY).
# Prints "ok …" or "FAIL …", Tempest's counts and wall time, the known failures with their
# reasons, and keeps the whole output next to REPORT (<stack>.verify.log). Exit status 0 when
# every smoke test that ran passed or is a known failure of RELEASE
# (scripts/verify/known-failures.ts).
# VERIFY_CONCURRENCY: Tempest workers, default 6. Most of a smoke run is waiting (servers
# booting under TCG, agents, SSH), so more workers than the machine's two cores pay off;
# measured on epoxy (79 tests, fresh workspace): 2 → 697 s, 4 → 482 s, 6 → 375 s, 8 → 429 s
# (stestr hands out test classes round-robin without timing data, and at 8 two of the long
# scenario classes shared a worker).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
release=${1:?usage: verify-stage.sh RELEASE REPORT KEY} report=${2:?report} key=${3:?key}
LAB_DIR=${LAB_DIR:-/var/tmp/openstack-lab}
concurrency=${VERIFY_CONCURRENCY:-6}
log=${report%.report.json}
log=${log%.up}.verify.log
# Tempest's validation SSH goes from the controller to each server's floating IP. The lab's
# controller has no address on the external network, so it borrows one for the run on its
# external interface: the network's 13th address (198.51.100.141), outside the gateway
# (.129), the self-test's probe (.140) and the floating-IP pool (.150-.180).
read -r client_addr client_if < <(python3 - "$LAB_DIR/lab.json" <<'PY'
import ipaddress, json, sys
lab = json.load(open(sys.argv[1]))
net = ipaddress.ip_network(lab["networks"]["external"]["cidr"])
ctl = [h for h in lab["hosts"] if h["role"] == "controller"][0]
print(f"{net[13]}/{net.prefixlen} {ctl['interfaces']['external']}")
PY
)
start=$SECONDS
rc=0
npx ts-node --transpile-only scripts/verify/cli.ts --outputs "$report" --key "$key" --concurrency "$concurrency" \
  --client-address "$client_addr" --client-interface "$client_if" > "$log" 2>&1 || rc=$?
took=$((SECONDS - start))
grep -E '^(failed: |verify: )' "$log" | sed 's/^/  /'
counts=$(sed -n 's/^verify: \([0-9]* passed, [0-9]* failed, [0-9]* skipped\)$/\1/p' "$log" | tail -n1)
ran=$(sed -n 's/^verify: tempest ran \([0-9]*\) s.*/\1/p' "$log" | tail -n1)
summary="Tempest smoke on $release: ${counts:-no counts}, tempest ${ran:-?} s (stage $took s, concurrency $concurrency)"
if [ "$rc" = 0 ]; then
  echo "ok $summary"
else
  echo "FAIL $summary; see $log"
  [ -n "$counts" ] || tail -n 20 "$log" | sed 's/^/    /'
fi
exit "$rc"
