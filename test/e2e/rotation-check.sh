#!/usr/bin/env bash
# rotation-check.sh — run ON THE CONTROLLER around a secret rotation (test only).
#   save    keep what the current secrets open (the admin's credentials file, nova's
#           database URL, the broker URL from nova.conf; root-only, under /root) and the
#           row counts of a few tables
#   check   the old admin password, nova database password and broker password are refused,
#           the new ones work, and no table lost rows; removes what `save` kept.
# Prints "ok …"/"FAIL …" lines and "N passed, N failed". Secrets never reach a command line:
# they go to the clients through files and stdin.
set -uo pipefail
dir=/root/oslab-rotation
mode=${1:?save|check}
ini() { python3 -c 'import configparser,sys; c=configparser.RawConfigParser(strict=False); c.read(sys.argv[1]); print(c.get(sys.argv[2], sys.argv[3]))' "$@"; }
counts() {
  mariadb -N -B -e "SELECT 'keystone.project', COUNT(*) FROM keystone.project UNION ALL SELECT 'keystone.user', COUNT(*) FROM keystone.user
    UNION ALL SELECT 'glance.images', COUNT(*) FROM glance.images UNION ALL SELECT 'nova_api.flavors', COUNT(*) FROM nova_api.flavors
    UNION ALL SELECT 'neutron.networks', COUNT(*) FROM neutron.networks"
}
if [ "$mode" = save ]; then
  rm -rf "$dir"; (umask 077; mkdir -p "$dir")
  cp /root/.openstack-credentials "$dir/credentials"
  ini /etc/nova/nova.conf database connection > "$dir/nova-db"
  ini /etc/nova/nova.conf DEFAULT transport_url > "$dir/broker"
  counts > "$dir/counts"
  echo "saved"; exit 0
fi
passed=0 failed=0
ok() { echo "ok $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
# db_login: can the user of the URL on stdin log in to its database? (password in a defaults file)
db_login() { python3 -c '
import sys, urllib.parse
u = urllib.parse.urlparse(sys.stdin.read().strip())
print("[client]\nuser=%s\npassword=%s\nhost=%s" % (urllib.parse.unquote(u.username), urllib.parse.unquote(u.password), u.hostname))
' > "$dir/my.cnf"
  mariadb --defaults-extra-file="$dir/my.cnf" -N -e 'SELECT 1' >/dev/null 2>&1; }
# broker_login: does RabbitMQ accept the user and password of the URL on stdin? (password on stdin)
broker_login() { local url user
  url=$(cat)
  user=$(printf '%s' "$url" | python3 -c 'import sys,urllib.parse as p; print(p.unquote(p.urlparse(sys.stdin.read().strip()).username))')
  printf '%s' "$url" | python3 -c 'import sys,urllib.parse as p; sys.stdout.write(p.unquote(p.urlparse(sys.stdin.read().strip()).password))' \
    | timeout 60 rabbitmqctl authenticate_user "$user" >/dev/null 2>&1; }
# shellcheck disable=SC1090 # a credentials file
token() { ( . "$1"; openstack token issue -f value -c id >/dev/null 2>&1 ); }
if token "$dir/credentials"; then fail "the old admin password still logs in"; else ok "old admin password refused"; fi
if token /root/.openstack-credentials; then ok "new admin password logs in"; else fail "new admin password refused"; fi
if db_login < "$dir/nova-db"; then fail "nova's old database password still logs in"; else ok "nova's old database password refused"; fi
if ini /etc/nova/nova.conf database connection | db_login; then ok "nova's new database password logs in"; else fail "nova's new database password refused"; fi
if broker_login < "$dir/broker"; then fail "the old broker password still logs in"; else ok "old broker password refused"; fi
if ini /etc/nova/nova.conf DEFAULT transport_url | broker_login; then ok "new broker password logs in"; else fail "new broker password refused"; fi
if [ "$(counts)" = "$(cat "$dir/counts")" ]; then ok "no rows lost ($(tr '\t\n' '= ' < "$dir/counts"))"
else fail "row counts changed: before $(tr '\t\n' '= ' < "$dir/counts"), after $(counts | tr '\t\n' '= ')"; fi
rm -rf "$dir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
