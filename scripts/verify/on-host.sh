#!/usr/bin/env bash
# on-host.sh — runs ON THE CONTROLLER for `npm run verify` (root). Usage:
#   on-host.sh CREDENTIALS_FILE TEMPEST_CONF_IN CONCURRENCY CLIENT_ADDRESS CLIENT_INTERFACE SELECTION…
# Installs Debian's tempest package (the host's release), makes a Tempest workspace in
# /root/oslab-tempest, writes tempest.conf (root-only) from TEMPEST_CONF_IN with the cloud's own
# network extension list and the admin password from the credentials file, runs the
# selection (--smoke, or --regex R) and prints one "failed: ID" line per failed test, one
# "skipped: ID: reason" line per skip, "verify: N passed, N failed, N skipped" and
# "verify: tempest ran N s". CLIENT_ADDRESS (CIDR) / CLIENT_INTERFACE, or "-": an address
# the controller holds on that interface while Tempest runs, so it reaches the floating IPs
# of its servers (validation SSH) where the controller has no address on the external network
# (the lab); removed afterwards unless it was there before.
# Exit status: 0 when Tempest ran and reported totals (whatever failed), 3 when it did not.
set -euo pipefail
trap 'echo "verify: on-host.sh failed at line $LINENO: $BASH_COMMAND" >&2' ERR
creds=$1 conf_in=$2 concurrency=$3 client_addr=$4 client_if=$5; shift 5
# shellcheck disable=SC1090
. "$creds"
export DEBIAN_FRONTEND=noninteractive
# one run at a time: two would share the workspace and the client address
exec 9>/root/oslab-tempest.lock
flock -n 9 || { echo "verify: another verify run holds /root/oslab-tempest.lock on this host" >&2; exit 3; }
dpkg-query -W -f='${Status}' tempest 2>/dev/null | grep -q 'ok installed' || apt-get install -y -q tempest >/dev/null
ws=/root/oslab-tempest
# tempest init also registers the workspace by name (~/.tempest/workspace.yaml) and refuses a
# name that is registered already, e.g. for a workspace directory that was removed
if [ ! -f "$ws/etc/tempest.conf" ]; then
  rm -rf "$ws"
  tempest workspace remove --name oslab-tempest >/dev/null 2>&1 || true
  tempest init --name oslab-tempest "$ws" >/dev/null
fi
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
added=""
if [ "$client_addr" != - ]; then
  ip link set "$client_if" up
  if ! ip -o -4 addr show dev "$client_if" | grep -qw "inet $client_addr"; then
    ip addr add "$client_addr" dev "$client_if"
    added=1
  fi
fi
trap '[ -z "$added" ] || ip addr del "$client_addr" dev "$client_if" 2>/dev/null || true' EXIT
start=$SECONDS
tempest run --concurrency "$concurrency" "$@" > run.log 2>&1 || true
took=$((SECONDS - start))
# {worker} ID [time or attributes] ... FAILED|SKIPPED: reason
grep -aE '^\{[0-9]+\} .* \.\.\. FAILED$' run.log | sed -E 's/^\{[0-9]+\} //; s/ \[[^]]*\]//g; s/ \.\.\. FAILED$//; s/^/failed: /' || true
grep -aE '^\{[0-9]+\} .* \.\.\. SKIPPED: ' run.log | sed -E 's/^\{[0-9]+\} //; s/ \[[^]]*\]//g; s/ \.\.\. SKIPPED: /: /; s/^/skipped: /' || true
passed=$(awk '/ - Passed:/ {print $3}' run.log | tail -n1)
failed=$(awk '/ - Failed:/ {print $3}' run.log | tail -n1)
skipped=$(awk '/ - Skipped:/ {print $3}' run.log | tail -n1)
echo "tempest log: $ws/run.log"
echo "verify: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
echo "verify: tempest ran $took s (concurrency $concurrency)"
[ -n "$passed" ] || { tail -n 20 run.log; exit 3; }
