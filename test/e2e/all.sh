#!/usr/bin/env bash
# all.sh — npm run test:e2e (root): test/e2e/e2e.sh once per release the lab deploys.
#   E2E_RELEASES   "release[:stage,stage…] …"; a release without a list runs every stage.
#                  Default: "epoxy zed:smoke,rerun,destroy" — every stage on epoxy (the
#                  recommended release), deploy, smoke, second run and destroy on zed.
# Each release starts on fresh hosts of its own Debian suite and takes the lab down after.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
plan=${E2E_RELEASES:-"epoxy zed:smoke,rerun,destroy"}
summary=() rc=0
for entry in $plan; do
  release=${entry%%:*} stages=""
  [ "$entry" != "$release" ] && stages=${entry#*:} && stages=${stages//,/ }
  start=$SECONDS
  if E2E_RELEASE=$release E2E_STAGES=${stages:-${E2E_STAGES:-}} bash test/e2e/e2e.sh; then r=ok; else r=FAILED; rc=1; fi
  summary+=("$release (${stages:-all stages}): $r in $((SECONDS - start)) s")
done
echo "=== e2e summary"
printf '  %s\n' "${summary[@]}"
exit $rc
