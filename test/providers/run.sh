#!/bin/bash
# run.sh [mocha args...] - the real-service provider tests (npm run test:providers):
# the same specs (test/providers/**/*.test.ts, with the root hooks) against each test bed
#   bookworm  Debian 12 / Zed (keystone 22, neutron-server 21, MariaDB 10.11, OVS 3.1),
#             on this machine's loopback: testbed.sh, state $TB_STATE
#             (default /var/tmp/oslab-testbed)
#   trixie    Debian 13 / Epoxy, OpenStack 2025.1 (keystone 27, neutron-server 26,
#             MariaDB 11.8, OVS 3.5), in netns tb13: testbed-trixie.sh, state $TB13_STATE
#             (default /var/tmp/oslab-testbed-trixie); mocha runs inside the netns
# Per bed: bring it up, run mocha, take it down. TESTBED_BEDS picks the beds (default
# "bookworm trixie"). They run in parallel (nothing is shared: own ports/netns, own
# state dirs, own locks); TESTBED_PARALLEL=0 runs them one after the other. Each bed's
# output goes to <state>/run.log and is printed as one block when that bed is done
# (one bed alone streams it); a summary line per bed follows (up/test/down seconds,
# passing/failing/pending). Exit code 0 only if every bed came up and passed.
# Concurrent runs (several engineers share this machine) are safe: per bed, `up` runs
# under an exclusive lock, each run holds a shared lock while testing, and `down` only
# happens when no other run holds it. TESTBED_KEEP=1 never takes a bed down.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.." || exit 1
export TB_STATE=${TB_STATE:-/var/tmp/oslab-testbed}
export TB13_STATE=${TB13_STATE:-/var/tmp/oslab-testbed-trixie}
BEDS=${TESTBED_BEDS:-bookworm trixie}
if [ $# -gt 0 ]; then specs=("$@"); else specs=('test/providers/**/*.test.ts'); fi

say() { printf '[run %s] %s\n' "$1" "${*:2}" >&2; }

# bed NAME: sets STATE (lock + log dir), BED_TB_STATE (what the tests read), UP/DOWN
# (commands) and IN (prefix that puts mocha where the bed's addresses are).
bed() {
  case $1 in
    bookworm)
      STATE=$TB_STATE BED_TB_STATE=$TB_STATE IN=()
      UP=(bash "$HERE/testbed.sh" up) DOWN=(bash "$HERE/testbed.sh" down)
      ;;
    trixie)
      STATE=$TB13_STATE BED_TB_STATE=$TB13_STATE/tb IN=(ip netns exec tb13)
      UP=(bash "$HERE/testbed-trixie.sh" up) DOWN=(bash "$HERE/testbed-trixie.sh" down)
      ;;
    *)
      echo "run.sh: unknown test bed '$1' (TESTBED_BEDS: bookworm trixie)" >&2
      return 1
      ;;
  esac
}

# run_bed NAME RESULT_FILE: up, mocha, down for one bed; writes
# "rc up_s test_s down_s lock_s" to RESULT_FILE. Output on stdout/stderr.
run_bed() {
  local name=$1 result=$2 rc t up_s=0 test_s=0 down_s=0 lock_s
  bed "$name" || { echo "2 0 0 0 0" >"$result"; return; }
  mkdir -p "$STATE"
  exec 9>"$STATE/run.lock"
  t=$SECONDS
  flock -n -x 9 || { say "$name" "waiting for another run of this test bed ($STATE/run.lock)"; flock -x 9; }
  lock_s=$((SECONDS - t))
  t=$SECONDS
  # 9>&-: the daemons `up` starts must not inherit the lock (they would hold it for
  # as long as they run, and the next run's `flock -x` would wait for ever).
  "${UP[@]}" 9>&-
  rc=$?
  up_s=$((SECONDS - t))
  flock -s 9 # downgrade: other runs may test alongside, none may take the bed down
  if [ $rc != 0 ]; then
    say "$name" "up failed ($rc)"
  else
    t=$SECONDS
    "${IN[@]}" env TB_STATE="$BED_TB_STATE" npx mocha --require ts-node/register/transpile-only \
      --require test/providers/hooks.ts --reporter spec --timeout 180000 "${specs[@]}" 9>&-
    rc=$?
    test_s=$((SECONDS - t))
  fi
  t=$SECONDS
  if [ "${TESTBED_KEEP:-}" = 1 ]; then
    say "$name" "TESTBED_KEEP=1: test bed left running ('bash ${DOWN[*]:1}' stops it)"
  elif flock -n -x 9; then
    "${DOWN[@]}" 9>&-
  else
    say "$name" "another test run is using the test bed; leaving it up for that run"
  fi
  down_s=$((SECONDS - t))
  exec 9>&-
  echo "$rc $up_s $test_s $down_s $lock_s" >"$result"
}

# summary NAME: one line from the bed's result and log
summary() {
  local name=$1 rc up_s test_s down_s lock_s log counts
  bed "$name" 2>/dev/null || return 0
  log=$STATE/run.log
  read -r rc up_s test_s down_s lock_s <"$STATE/run.result" || rc=1
  counts=$(grep -E '^ +[0-9]+ (passing|failing|pending)' "$log" 2>/dev/null | sed -E 's/^ +//; s/ \(.*//' | paste -sd, | sed 's/,/, /g')
  printf '  %-9s %-6s up %3s s, tests %3s s, down %2s s: %s%s\n' "$name" "$([ "$rc" = 0 ] && echo ok || echo FAILED)" \
    "$up_s" "$test_s" "$down_s" "${counts:-no test result}" "$([ "${lock_s:-0}" -gt 0 ] && echo " (waited $lock_s s for another run)")"
}

t0=$SECONDS
names=()
for name in $BEDS; do
  bed "$name" || exit 2
  mkdir -p "$STATE"
  rm -f "$STATE/run.result"
  names+=("$name")
done
if [ "${TESTBED_PARALLEL:-1}" = 1 ] && [ ${#names[@]} -gt 1 ]; then
  declare -A pid_of
  for name in "${names[@]}"; do
    bed "$name"
    say "$name" "started (output: $STATE/run.log)"
    run_bed "$name" "$STATE/run.result" >"$STATE/run.log" 2>&1 &
    pid_of[$name]=$!
  done
  # print each bed's block as soon as it is done, in the order they finish
  while [ ${#pid_of[@]} -gt 0 ]; do
    wait -n "${pid_of[@]}" 2>/dev/null || true
    for name in "${!pid_of[@]}"; do
      kill -0 "${pid_of[$name]}" 2>/dev/null && continue
      wait "${pid_of[$name]}" 2>/dev/null
      unset "pid_of[$name]"
      bed "$name"
      [ -s "$STATE/run.result" ] || echo "1 0 0 0 0" >"$STATE/run.result" # killed before it could write one
      echo "=== test bed $name (done after $((SECONDS - t0)) s)"
      cat "$STATE/run.log"
    done
  done
else
  for name in "${names[@]}"; do
    bed "$name"
    echo "=== test bed $name"
    run_bed "$name" "$STATE/run.result" 2>&1 | tee "$STATE/run.log"
  done
fi

echo "=== provider tests per test bed ($((SECONDS - t0)) s in all)"
rc=0
for name in "${names[@]}"; do
  summary "$name"
  bed "$name"
  read -r r _ <"$STATE/run.result" 2>/dev/null || r=1
  [ "$r" = 0 ] || rc=1
done
exit $rc
