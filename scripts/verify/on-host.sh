#!/usr/bin/env bash
# on-host.sh — runs ON THE CONTROLLER for `npm run verify` (root). Usage:
#   on-host.sh CREDENTIALS_FILE TEMPEST_CONF_IN CONCURRENCY SELECTION…
# Installs Debian's tempest package (the host's release), makes a Tempest workspace in
# /root/oslab-tempest, writes tempest.conf (root-only) from TEMPEST_CONF_IN with the cloud's own
# network extension list and the admin password from the credentials file, runs the
# selection (--smoke, or --regex R) and prints "verify: N passed, N failed, N skipped".
set -euo pipefail
creds=$1 conf_in=$2 concurrency=$3; shift 3
# shellcheck disable=SC1090
. "$creds"
export DEBIAN_FRONTEND=noninteractive
dpkg-query -W -f='${Status}' tempest 2>/dev/null | grep -q 'ok installed' || apt-get install -y -q tempest >/dev/null
ws=/root/oslab-tempest
[ -f "$ws/etc/tempest.conf" ] || { rm -rf "$ws"; tempest init "$ws" >/dev/null; }
cd "$ws"
exts=$(openstack extension list --network -f value -c Alias | sort | paste -sd, -)
(umask 077; sed "s|@EXTENSIONS@|$exts|" "$conf_in" > etc/tempest.conf)
python3 - etc/tempest.conf <<'PY'
import configparser, os, sys
c = configparser.RawConfigParser()
c.read(sys.argv[1])
c.set("auth", "admin_password", os.environ["OS_PASSWORD"])
with open(sys.argv[1], "w") as f:
    c.write(f)
PY
chmod 0600 etc/tempest.conf
rc=0
tempest run --concurrency "$concurrency" "$@" > run.log 2>&1 || rc=$?
grep -E '\.\.\. (FAILED|ok|SKIPPED)' run.log | grep -E 'FAILED' | sed 's/^/  failed: /' || true
awk '/^Totals/,0' run.log
passed=$(awk '/ - Passed:/ {print $3}' run.log | tail -n1)
failed=$(awk '/ - Failed:/ {print $3}' run.log | tail -n1)
skipped=$(awk '/ - Skipped:/ {print $3}' run.log | tail -n1)
echo "tempest log: $ws/run.log"
echo "verify: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
[ "$rc" -eq 0 ] && [ "${failed:-0}" = 0 ] && [ -n "$passed" ]
