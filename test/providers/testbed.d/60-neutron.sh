#!/bin/bash
# 60-neutron.sh up|down|status - the bed's Debian neutron-server (Debian 12: Zed 21.0.x;
# Debian 13 via testbed-trixie.sh: Epoxy 26.0.x, still with the eventlet server), API only,
# for the QuantumNetwork provider tests. Needs 50-keystone.sh (runs before it).
#   - ML2 with the router service plugin; tenant networks vxlan (vni 1:1000), flat
#     provider network on physnet `external`; no agents (ports stay DOWN, which the
#     API tests do not care about)
#   - database oslab_tb_neutron in the test bed's MariaDB; `neutron-db-manage upgrade head`
#   - Keystone: project `service`, user `neutron` (generated password, root-only
#     file) with role admin; [keystone_authtoken] region_name = RegionOne (Debian
#     ships `regionOne`, which makes every API call fail with HTTP 500 once the
#     middleware has to look up the identity endpoint)
#   - messaging: oslo.messaging's in-memory `fake://` transport (no RabbitMQ: the
#     API never waits for an agent); notifications off; nova notifications off
#   - its own config files under $TB_STATE/neutron (the packaged /etc/neutron is
#     only read for api-paste.ini); the classic eventlet `neutron-server` started
#     directly as user neutron with api_workers 1, rpc_workers 0, on 127.0.0.1:9696;
#     PID recorded as `neutron-server` (its workers are its children and exit with it)
# Settings for the tests go to $TB_STATE/env (TESTBED_NEUTRON_URL).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
. "$HERE/testbed-lib.sh"

N_DIR=$TB_STATE/neutron
N_CONF=$N_DIR/neutron.conf
N_ML2=$N_DIR/ml2_conf.ini
DB_PW_FILE=$N_DIR/db-password
SVC_PW_FILE=$N_DIR/service-password
ADMIN_PW_FILE=$TB_STATE/keystone-admin-password
DB=oslab_tb_neutron
ADDR=127.0.0.1
PORT=9696
URL=http://$ADDR:$PORT
KS=http://127.0.0.1:5000

gen_secret() { openssl rand -hex 16; }

# The API answers (GET / is unauthenticated and lists the versions).
n_answers() { /usr/bin/python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=3)" "$URL/" >/dev/null 2>&1; }

# Keystone objects for the service user. Passwords are read from files by python,
# never put on a command line.
keystone_user() {
  /usr/bin/python3 - "$KS/v3" "$ADMIN_PW_FILE" "$SVC_PW_FILE" <<'PY'
import sys
from keystoneauth1.identity import v3
from keystoneauth1 import session
from keystoneclient.v3 import client
url, admin_pw_file, svc_pw_file = sys.argv[1:]
admin_pw = open(admin_pw_file).read().strip()
svc_pw = open(svc_pw_file).read().strip()
auth = v3.Password(auth_url=url, username="admin", password=admin_pw, project_name="admin",
                   user_domain_name="Default", project_domain_name="Default")
ks = client.Client(session=session.Session(auth=auth))
projects = ks.projects.list(name="service", domain="default")
project = projects[0] if projects else ks.projects.create("service", "default", description="service users")
users = ks.users.list(name="neutron", domain="default")
user = users[0] if users else ks.users.create("neutron", domain="default", password=svc_pw)
if users:
    ks.users.update(user, password=svc_pw)
admin = ks.roles.list(name="admin")[0]
ks.roles.grant(admin, user=user, project=project)
PY
}

up() {
  tb_apt_install neutron-server python3-keystoneclient
  mariadb -e 'select 1' >/dev/null 2>&1 || { tb_say "$(basename "$0") needs the test bed's MariaDB: run it through testbed.sh up"; return 1; }
  tb_alive keystone || { tb_say "neutron needs Keystone (50-keystone.sh) running"; return 1; }
  install -d -m 0750 -o root -g neutron "$N_DIR"
  install -d -m 0750 -o neutron -g neutron "$N_DIR/lock" "$N_DIR/state"
  umask 077
  [ -s "$DB_PW_FILE" ] || gen_secret > "$DB_PW_FILE"
  [ -s "$SVC_PW_FILE" ] || gen_secret > "$SVC_PW_FILE"
  chmod 0600 "$DB_PW_FILE" "$SVC_PW_FILE"
  umask 022
  local dbpw svcpw; dbpw=$(cat "$DB_PW_FILE"); svcpw=$(cat "$SVC_PW_FILE")
  mariadb <<SQL
CREATE DATABASE IF NOT EXISTS $DB;
CREATE USER IF NOT EXISTS '$DB'@'127.0.0.1' IDENTIFIED BY '$dbpw';
ALTER USER '$DB'@'127.0.0.1' IDENTIFIED BY '$dbpw';
GRANT ALL ON $DB.* TO '$DB'@'127.0.0.1';
SQL
  keystone_user
  cat > "$N_CONF.tmp" <<CONF
[DEFAULT]
bind_host = $ADDR
bind_port = $PORT
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
api_paste_config = /etc/neutron/api-paste.ini
state_path = $N_DIR/state
transport_url = fake://
api_workers = 1
rpc_workers = 0
rpc_state_report_workers = 0
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
[database]
connection = mysql+pymysql://$DB:$dbpw@127.0.0.1/$DB
[keystone_authtoken]
www_authenticate_uri = $KS
auth_url = $KS
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = neutron
password = $svcpw
region_name = RegionOne
[oslo_concurrency]
lock_path = $N_DIR/lock
[oslo_messaging_notifications]
driver = noop
[agent]
report_interval = 0
CONF
  cat > "$N_ML2.tmp" <<CONF
[ml2]
type_drivers = flat,vxlan
tenant_network_types = vxlan
mechanism_drivers = openvswitch
extension_drivers = port_security
[ml2_type_flat]
flat_networks = external
[ml2_type_vxlan]
vni_ranges = 1:1000
[securitygroup]
enable_security_group = true
CONF
  install -m 0640 -o root -g neutron "$N_CONF.tmp" "$N_CONF"; install -m 0640 -o root -g neutron "$N_ML2.tmp" "$N_ML2"
  rm -f "$N_CONF.tmp" "$N_ML2.tmp"
  touch "$TB_LOG/neutron-server.log" "$TB_LOG/neutron-db-manage.log"
  chown neutron:neutron "$TB_LOG/neutron-server.log" "$TB_LOG/neutron-db-manage.log"

  local t; t=$(date +%s)
  setpriv --reuid=neutron --regid=neutron --init-groups -- \
    neutron-db-manage --config-file "$N_CONF" --config-file "$N_ML2" upgrade head >>"$TB_LOG/neutron-db-manage.log" 2>&1
  tb_say "neutron-db-manage upgrade head: $(( $(date +%s) - t )) s"

  if ! tb_alive neutron-server; then
    if n_answers; then
      tb_say "something not started by the test bed already answers on $URL; refusing to start a second neutron-server"; return 1
    fi
    t=$(date +%s)
    setsid setpriv --reuid=neutron --regid=neutron --init-groups -- \
      /usr/bin/neutron-server --config-file "$N_CONF" --config-file "$N_ML2" --log-file "$TB_LOG/neutron-server.log" \
      >"$TB_LOG/neutron-server.out" 2>&1 </dev/null &
    tb_record neutron-server $!
    tb_wait "neutron-server on $URL" 120 n_answers || { tail -30 "$TB_LOG/neutron-server.log" >&2; return 1; }
    tb_say "neutron-server answering after $(( $(date +%s) - t )) s"
  fi
  tb_env TESTBED_NEUTRON_URL "$URL"
  tb_env TESTBED_NEUTRON_VERSION "$(dpkg-query -W -f='${Version}' neutron-server)"
  tb_env TESTBED_NEUTRON_POLICY "$(tb_policy_mode "$N_CONF" "$N_ML2")"
  tb_say "neutron-server up (pid $(cat "$TB_STATE/pids/neutron-server.pid")) on $URL"
}

down() {
  tb_stop neutron-server
}

status() {
  if tb_alive neutron-server; then echo "neutron-server: running (pid $(cat "$TB_STATE/pids/neutron-server.pid")) on $URL"; else echo "neutron-server: stopped"; fi
}

case ${1:-status} in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
