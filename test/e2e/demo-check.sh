#!/usr/bin/env bash
# demo-check.sh — run ON THE CONTROLLER (admin credentials file as $1): the stack's demo
# project (config `demo`, components/demo) is what Kolla's init-runonce gives a user: the
# project and its user with the member role, the tenant network shared to it, ICMP and SSH
# allowed in its default security group. Prints "ok …"/"FAIL …" and "N passed, N failed".
set -uo pipefail
# shellcheck disable=SC1090 # the credentials file
. "$1"
passed=0 failed=0
ok() { echo "ok $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else fail "$what"; fi; }
pid=$(openstack project show demo -f value -c id 2>/dev/null)
check "project demo exists" test -n "$pid"
check "user demo exists" openstack user show demo -f value -c id
check "demo has the member role on demo" bash -c "openstack role assignment list --user demo --project demo --names -f value -c Role 2>/dev/null | grep -qx member"
net=$(openstack network show private -f value -c id 2>/dev/null)
shared_to=""
for r in $(openstack network rbac list --long -f value -c ID -c 'Object ID' -c Action 2>/dev/null | awk -v n="$net" '$2 == n && $3 == "access_as_shared" {print $1}'); do
  shared_to+=" $(openstack network rbac show "$r" -f value -c target_project_id 2>/dev/null)"
done
check "network private shared to demo (RBAC)" bash -c "[[ ' $shared_to ' == *' $pid '* ]]"
sg=$(openstack security group list --project "$pid" -f value -c ID -c Name 2>/dev/null | awk '$2 == "default" {print $1}')
check "demo's default security group exists" test -n "$sg"
check "ICMP allowed in" bash -c "openstack security group rule list '$sg' --protocol icmp --ingress -f value -c ID 2>/dev/null | grep -q ."
check "SSH allowed in" bash -c "openstack security group rule list '$sg' --protocol tcp --ingress -f value -c 'Port Range' 2>/dev/null | grep -q '^22:22$'"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
