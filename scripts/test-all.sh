#!/usr/bin/env bash
# test-all.sh — every test tier, in order, with its wall time; what CI runs.
#   unit       type check, lint, unit tests under mocks          (npm test)
#   providers  the dynamic providers against real services         (npm run test:providers)
#   lab        the multi-host lab self-test                        (npm run test:lab)
#   e2e        deploy zed into the lab, smoke test, re-run, destroy (npm run test:e2e)
# TIERS="unit providers" limits the run. Needs root for everything but unit.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
tiers=${TIERS:-"unit providers lab e2e"}
passed=0 failed=0 summary=()
for tier in $tiers; do
  case $tier in
    unit) cmd="npm test" ;;
    *) cmd="npm run test:$tier" ;;
  esac
  if ! grep -q "\"test:${tier}\"" package.json && [ "$tier" != unit ]; then
    echo "test-all: no script test:$tier in package.json" >&2; failed=$((failed + 1)); summary+=("$tier: missing"); continue
  fi
  echo "=== $tier: $cmd"
  start=$SECONDS
  if $cmd; then passed=$((passed + 1)); r=ok; else failed=$((failed + 1)); r=FAILED; fi
  summary+=("$tier: $r in $((SECONDS - start))s")
done
echo "=== summary"
printf '  %s\n' "${summary[@]}"
echo "tiers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
