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

# child CMD...: run CMD in the background (without the lock fd 9) and wait for it, so a
# TERM/INT (trap in run_bed) is handled at once; this keeps waiting until CMD has really
# exited and returns its status. An `up` is left to finish (killing it half-way would
# race its own daemons against `down`); mocha runs as `child setsid ...`, in a process
# group of its own that the trap can TERM as a whole (npx does not pass TERM on).
child() {
  "$@" 9>&- &
  CHILD=$!
  local r
  while :; do
    wait "$CHILD"
    r=$?
    kill -0 "$CHILD" 2>/dev/null || break
  done
  CHILD=
  return $r
}

# stop_tests PGID: TERM the mocha process group, KILL what is left after 10 s
stop_tests() {
  kill -TERM -- "-$1" 2>/dev/null || return 0
  for _ in $(seq 100); do
    pgrep -g "$1" >/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$1" 2>/dev/null || true
}

# run_bed NAME RESULT_FILE: up, mocha, down for one bed; writes
# "rc up_s test_s down_s lock_s" to RESULT_FILE. Output on stdout/stderr.
# TERM or INT stops what runs (up or mocha) and still takes the bed down.
run_bed() {
  local name=$1 result=$2 rc t up_s=0 test_s=0 down_s=0 lock_s stop=0 testing=0
  CHILD=
  trap 'stop=1; say "$name" "interrupted: taking the test bed down"; [ $testing = 0 ] || [ -z "$CHILD" ] || stop_tests "$CHILD"' INT TERM
  bed "$name" || { echo "2 0 0 0 0" >"$result"; return; }
  mkdir -p "$STATE"
  exec 9>"$STATE/run.lock"
  t=$SECONDS
  if ! flock -n -x 9; then
    say "$name" "waiting for another run of this test bed ($STATE/run.lock)"
    until flock -x -w 2 9; do
      [ $stop = 0 ] || { echo "130 0 0 0 $((SECONDS - t))" >"$result"; return; }
    done
  fi
  lock_s=$((SECONDS - t))
  t=$SECONDS
  # the daemons `up` starts must not inherit the lock (child closes fd 9): they would
  # hold it for as long as they run, and the next run's `flock -x` would wait for ever.
  child "${UP[@]}"
  rc=$?
  up_s=$((SECONDS - t))
  flock -s 9 # downgrade: other runs may test alongside, none may take the bed down
  if [ $rc != 0 ]; then
    say "$name" "up failed ($rc)"
  elif [ $stop = 0 ]; then
    t=$SECONDS
    testing=1
    child setsid "${IN[@]}" env TB_STATE="$BED_TB_STATE" npx mocha --require ts-node/register/transpile-only \
      --require test/providers/hooks.ts --reporter spec --timeout 180000 "${specs[@]}"
    rc=$?
    testing=0
    test_s=$((SECONDS - t))
  fi
  [ $stop = 0 ] || rc=130
  t=$SECONDS
  if [ "${TESTBED_KEEP:-}" = 1 ] && [ $stop = 0 ]; then
    say "$name" "TESTBED_KEEP=1: test bed left running ('bash ${DOWN[*]:1}' stops it)"
  elif flock -n -x 9; then
    trap '' INT TERM # down runs to the end
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
parallel=${TESTBED_PARALLEL:-1}
[ ${#names[@]} -gt 1 ] || parallel=0
declare -A pid_of
# TERM/INT: passed on to every running bed (each stops, then goes down); we keep waiting.
forward_term() {
  local p
  for p in "${pid_of[@]}"; do kill -TERM "$p" 2>/dev/null; done
}
trap forward_term INT TERM

# start NAME: one bed in the background, its output to <state>/run.log
start() {
  bed "$1"
  run_bed "$1" "$STATE/run.result" >"$STATE/run.log" 2>&1 &
  pid_of[$1]=$!
}
# finished NAME: forget the bed's process; make sure it left a result
finished() {
  wait "${pid_of[$1]}" 2>/dev/null
  unset "pid_of[$1]"
  bed "$1"
  [ -s "$STATE/run.result" ] || echo "1 0 0 0 0" >"$STATE/run.result" # killed before it wrote one
}

if [ "$parallel" = 1 ]; then
  for name in "${names[@]}"; do
    start "$name"
    say "$name" "started (output: $STATE/run.log)"
  done
  # print each bed's block as soon as it is done, in the order they finish
  while [ ${#pid_of[@]} -gt 0 ]; do
    wait -n "${pid_of[@]}" 2>/dev/null
    for name in "${!pid_of[@]}"; do
      kill -0 "${pid_of[$name]}" 2>/dev/null && continue
      finished "$name"
      echo "=== test bed $name (done after $((SECONDS - t0)) s)"
      cat "$STATE/run.log"
    done
  done
else
  # one bed at a time, its output streamed
  for name in "${names[@]}"; do
    echo "=== test bed $name"
    start "$name"
    tail -n +1 -F --pid="${pid_of[$name]}" "$STATE/run.log" 2>/dev/null &
    tailer=$!
    while kill -0 "$tailer" 2>/dev/null; do wait "$tailer"; done
    finished "$name"
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
