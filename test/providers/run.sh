#!/bin/bash
# run.sh [mocha args...] - the real-service provider tests (npm run test:providers):
# bring the test bed up, run mocha over test/providers/**/*.test.ts (with the
# timing-table root hook), take the test bed down again. Exit code = mocha's (or
# the test bed's, if up fails).
# Concurrent runs (several engineers share this machine) are safe: `up` runs under
# an exclusive lock, each run holds a shared lock while testing, and `down` only
# happens when no other run holds it. TESTBED_KEEP=1 never takes it down.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.." || exit 1
export TB_STATE=${TB_STATE:-/var/tmp/oslab-testbed}
mkdir -p "$TB_STATE"
exec 9>"$TB_STATE/run.lock"
flock -x 9
# 9>&-: the daemons `up` starts must not inherit the lock (they would hold it for
# as long as they run, and the next run's `flock -x` would wait for ever).
bash "$HERE/testbed.sh" up 9>&-; rc=$?
flock -s 9   # downgrade: other runs may test alongside, none may take the bed down
if [ $rc != 0 ]; then
  echo "testbed.sh up failed ($rc)" >&2
else
  if [ $# -gt 0 ]; then specs=("$@"); else specs=('test/providers/**/*.test.ts'); fi
  npx mocha --require ts-node/register/transpile-only --require test/providers/hooks.ts --reporter spec --timeout 180000 "${specs[@]}"
  rc=$?
fi
if [ "${TESTBED_KEEP:-}" = 1 ]; then
  echo "TESTBED_KEEP=1: test bed left running ('bash test/providers/testbed.sh down' stops it)" >&2
elif flock -n -x 9; then
  bash "$HERE/testbed.sh" down 9>&-
else
  echo "another test run is using the test bed; leaving it up for that run" >&2
fi
exit $rc
