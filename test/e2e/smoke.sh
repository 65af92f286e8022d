#!/usr/bin/env bash
# smoke.sh — run ON THE CONTROLLER after a deploy: prove the cloud works with the
# openstack CLI. Usage: smoke.sh CREDENTIALS_FILE EXPECTED_GATEWAY_IP COMPUTE_HOST IMAGE [PHASE]
# PHASE: all (default); boot (leave the server and its floating IP for checks from
# outside, print "floating-ip <addr>"); cleanup (remove what boot left, nothing else).
# Prints one "ok <check>" line per check and "N passed, N failed" at the end.
set -uo pipefail
creds=$1 gateway_ip=$2 compute=$3 image=$4 phase=${5:-all}
# shellcheck disable=SC1090
. "$creds"
passed=0 failed=0
ok() { echo "ok $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
# check WHAT CMD…: CMD's output is discarded (it may hold a token).
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else fail "$what"; fi; }
os() { openstack "$@" 2>/dev/null; }
until_true() { local n=$1 _; shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 2; done; return 1; }
# Leave nothing behind that destroy would not know about.
cleanup() {
  os server delete --wait oslab-smoke >/dev/null
  for f in $(openstack floating ip list --tags oslab-smoke -f value -c 'Floating IP Address' 2>/dev/null); do os floating ip delete "$f" >/dev/null; done
}
if [ "$phase" = cleanup ]; then
  cleanup
  check "smoke server and floating IP removed" bash -c "! openstack server show oslab-smoke >/dev/null 2>&1"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]; exit
fi

check "token issue" os token issue -f value -c id
for t in identity image compute network placement volumev3; do
  check "catalog has $t" bash -c "openstack catalog list -f value -c Type 2>/dev/null | grep -qx $t"
done
all_up() { # all_up COMMAND… : every row's state column is up/True and there is at least one
  local out; out=$("$@" 2>/dev/null) || return 1
  [ -n "$out" ] && ! grep -qvE '(up|True|:-\))$' <<<"$out"
}
check "compute services up" until_true 30 all_up openstack compute service list -f value -c State
check "network agents alive" until_true 30 all_up openstack network agent list -f value -c Alive
check "hypervisor $compute listed" until_true 30 bash -c "openstack hypervisor list -f value -c 'Hypervisor Hostname' 2>/dev/null | grep -q '^$compute'"
check "image $image active" until_true 30 bash -c "[ \"\$(openstack image show '$image' -f value -c status 2>/dev/null)\" = active ]"
check "network private exists" os network show private -f value -c id
check "network ext_net is external" bash -c "[ \"\$(openstack network show ext_net -f value -c router:external 2>/dev/null)\" = True ]"
check "router provider-router exists" os router show provider-router -f value -c id
gw=$(openstack port list --router provider-router --device-owner network:router_gateway -f value -c 'Fixed IP Addresses' 2>/dev/null | grep -oE "[0-9]+(\.[0-9]+){3}" | head -n1)
check "router gateway IP = stack output ($gateway_ip)" test "$gw" = "$gateway_ip"

# The program's own flavors (config flavors): the guest boots on m1.tiny without any setup.
for f in m1.nano m1.tiny m1.small m1.medium m1.large; do check "flavor $f made by the program" os flavor show "$f" -f value -c id; done
os server delete --wait oslab-smoke >/dev/null
start=$SECONDS
os server create --image "$image" --flavor m1.tiny --network private oslab-smoke -f value -c id >/dev/null
status=""
for _ in $(seq 120); do status=$(os server show oslab-smoke -f value -c status); [ "$status" = ACTIVE ] || [ "$status" = ERROR ] && break; sleep 2; done
check "server ACTIVE on $compute (after $((SECONDS - start))s)" test "$status" = ACTIVE
[ "$status" = ERROR ] && os server show oslab-smoke -f value -c fault
host=$(os server show oslab-smoke -f value -c OS-EXT-SRV-ATTR:host)
check "server runs on $compute" test "$host" = "$compute"
console() { os console log show oslab-smoke | tr -d '\r'; }
check "guest booted (console LAB-GUEST-UP)" until_true 60 bash -c "openstack console log show oslab-smoke 2>/dev/null | grep -q LAB-GUEST-UP"
check "guest got a DHCP address (console LAB-GUEST-NET)" until_true 60 bash -c "openstack console log show oslab-smoke 2>/dev/null | grep -qE 'LAB-GUEST-NET [0-9]'"
console | grep -a LAB-GUEST || true
fip=$(os floating ip create --tag oslab-smoke ext_net -f value -c floating_ip_address)
check "floating IP allocated ($fip)" test -n "$fip"
check "floating IP attached" os server add floating ip oslab-smoke "$fip"
check "floating IP listed on the server" until_true 15 bash -c "openstack server show oslab-smoke -f value -c addresses 2>/dev/null | grep -q '$fip'"
# The guest asks http://169.254.169.254 for its instance ID (L3 agent's proxy → metadata
# agent on the network node → nova metadata on the controller) and prints the answer.
check "metadata service answered the guest (console LAB-GUEST-METADATA i-…)" \
  until_true 45 bash -c "openstack console log show oslab-smoke 2>/dev/null | grep -qE 'LAB-GUEST-METADATA i-[0-9a-f]+'"
console | grep -a LAB-GUEST-METADATA || true

if [ "$phase" = boot ]; then echo "floating-ip $fip"; else cleanup; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
