#!/usr/bin/env bash
# used-cloud.sh — run ON THE CONTROLLER: use the cloud as a second project would, so that
# destroy meets a cloud in use. Usage: used-cloud.sh CREDENTIALS_FILE IMAGE FLAVOR
# Makes project oslab-user2 with user oslab-user2 (member), its own network and subnet, a
# router with a gateway on ext_net and an interface on that subnet, and a server there
# with a floating IP. Prints "made KIND NAME" per object, "N passed, N failed" at the end.
set -uo pipefail
creds=$1 image=$2 flavor=$3
# shellcheck disable=SC1090
. "$creds"
passed=0 failed=0
ok() { echo "ok $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
os() { openstack "$@" 2>&1; }
# as the second project's own user (its password only in this shell's environment)
as_user() { OS_USERNAME=$p OS_PROJECT_NAME=$p OS_PASSWORD=$pw openstack "$@" 2>&1; }
p=oslab-user2
pw=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
made() { if "${@:3}" >/dev/null; then ok "made $1 $2"; else fail "make $1 $2"; fi; }
made project $p os project create --domain default $p
# the user through Keystone's API with the password in the JSON on stdin: the client's
# --password-prompt reads the terminal (Debian 13's), and --password would put it on a
# command line
new_user() {
  local t pid
  t=$(openstack token issue -f value -c id) && pid=$(openstack project show $p -f value -c id) || return 1
  printf '{"user": {"name": "%s", "domain_id": "default", "default_project_id": "%s", "password": "%s"}}' "$p" "$pid" "$pw" |
    curl -fsS -o /dev/null -X POST -H "X-Auth-Token: $t" -H 'Content-Type: application/json' --data-binary @- "${OS_AUTH_URL%/}/users"
}
made user $p new_user
made role-assignment "member@$p" os role add --project $p --user $p member
made network $p-net as_user network create $p-net
made subnet $p-subnet as_user subnet create --network $p-net --subnet-range 10.77.0.0/24 --dns-nameserver 198.51.100.1 $p-subnet
made router $p-router as_user router create $p-router
made router-gateway "$p-router ext_net" as_user router set --external-gateway ext_net $p-router
made router-interface "$p-router $p-subnet" as_user router add subnet $p-router $p-subnet
made server $p-vm as_user server create --wait --image "$image" --flavor "$flavor" --network $p-net $p-vm
fip=$(OS_USERNAME=$p OS_PROJECT_NAME=$p OS_PASSWORD=$pw openstack floating ip create ext_net -f value -c floating_ip_address 2>/dev/null)
if [ -n "$fip" ]; then ok "made floating-ip $fip"; else fail "make floating-ip"; fi
made floating-ip-attached "$fip" as_user server add floating ip $p-vm "$fip"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
