#!/bin/bash
# run.sh [mocha args...] - the real-service provider tests (npm run test:providers):
# bring the test bed up, run mocha over test/providers/**/*.test.ts (with the
# timing-table root hook), take the test bed down again (TESTBED_KEEP=1 keeps it
# running for the next run). Exit code = mocha's (or the test bed's, if up fails).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.." || exit 1
bash "$HERE/testbed.sh" up || { rc=$?; echo "testbed.sh up failed ($rc)" >&2; [ "${TESTBED_KEEP:-}" = 1 ] || bash "$HERE/testbed.sh" down; exit $rc; }
if [ $# -gt 0 ]; then specs=("$@"); else specs=('test/providers/**/*.test.ts'); fi
npx mocha --require ts-node/register/transpile-only --require test/providers/hooks.ts --reporter spec --timeout 180000 "${specs[@]}"
rc=$?
[ "${TESTBED_KEEP:-}" = 1 ] || bash "$HERE/testbed.sh" down
exit $rc
