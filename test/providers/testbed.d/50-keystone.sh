#!/bin/bash
# 50-keystone.sh up|down|status - the bed's Debian Keystone (Debian 12: Zed 22.0.x;
# Debian 13 via testbed-trixie.sh: Epoxy 27.0.x) for the KeystoneEndpoint /
# QuantumNetwork provider tests, on the bed's loopback only.
#   - database oslab_tb_keystone in the test bed's MariaDB (user with a generated
#     password, kept root-only in $TB_STATE/keystone/)
#   - its own config dir $TB_STATE/keystone (the packaged /etc/keystone is not
#     touched): fernet tokens, key repositories under the same dir
#   - `keystone-manage bootstrap` with a generated admin password, stored 0600 in
#     $TB_STATE/keystone-admin-password and never printed (it reaches
#     keystone-manage through OS_BOOTSTRAP_PASSWORD, not argv)
#   - served by uwsgi directly on 127.0.0.1:5000 with a copy of Debian's uwsgi ini
#     WITHOUT the apparmor plugin (this kernel has no AppArmor: uwsgi exits with
#     "aa_change_profile(): Invalid argument"; Debian 13's ini has the same two lines,
#     which the lab found harmless on trixie, docs/epoxy-findings.md: stripped alike);
#     PID recorded as `keystone`
# Settings for the tests go to $TB_STATE/env (TESTBED_KEYSTONE_*).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
. "$HERE/testbed-lib.sh"

KS_DIR=$TB_STATE/keystone
KS_CONF=$KS_DIR/keystone.conf
KS_INI=$KS_DIR/keystone-uwsgi.ini
ADMIN_PW_FILE=$TB_STATE/keystone-admin-password
DB_PW_FILE=$KS_DIR/db-password
DB=oslab_tb_keystone
ADDR=127.0.0.1
PORT=5000
URL=http://$ADDR:$PORT/v3

gen_secret() { openssl rand -hex 16; }

ks_answers() {
  /usr/bin/python3 - "$URL" <<'PY' >/dev/null 2>&1
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=3) as r:
    json.load(r)["version"]["id"]
PY
}

up() {
  tb_apt_install keystone uwsgi-plugin-python3 python3-openstackclient
  mariadb -e 'select 1' >/dev/null 2>&1 || { tb_say "$(basename "$0") needs the test bed's MariaDB: run it through testbed.sh up"; return 1; }
  install -d -m 0750 -o root -g keystone "$KS_DIR"
  install -d -m 0750 -o keystone -g keystone "$KS_DIR/fernet-keys" "$KS_DIR/credential-keys"
  install -d -m 0750 -o keystone -g keystone /var/log/keystone
  umask 077
  [ -s "$ADMIN_PW_FILE" ] || gen_secret > "$ADMIN_PW_FILE"
  [ -s "$DB_PW_FILE" ] || gen_secret > "$DB_PW_FILE"
  chmod 0600 "$ADMIN_PW_FILE" "$DB_PW_FILE"
  umask 022
  local dbpw; dbpw=$(cat "$DB_PW_FILE")
  # SQL on stdin, not argv (it carries the password).
  mariadb <<SQL
CREATE DATABASE IF NOT EXISTS $DB;
CREATE USER IF NOT EXISTS '$DB'@'127.0.0.1' IDENTIFIED BY '$dbpw';
ALTER USER '$DB'@'127.0.0.1' IDENTIFIED BY '$dbpw';
GRANT ALL ON $DB.* TO '$DB'@'127.0.0.1';
SQL
  cat > "$KS_CONF.tmp" <<CONF
[DEFAULT]
log_file = $TB_LOG/keystone.log
[database]
connection = mysql+pymysql://$DB:$dbpw@127.0.0.1/$DB
[token]
provider = fernet
[fernet_tokens]
key_repository = $KS_DIR/fernet-keys
[fernet_receipts]
key_repository = $KS_DIR/fernet-keys
[credential]
key_repository = $KS_DIR/credential-keys
CONF
  install -m 0640 -o root -g keystone "$KS_CONF.tmp" "$KS_CONF"; rm -f "$KS_CONF.tmp"
  touch "$TB_LOG/keystone.log" "$TB_LOG/keystone-uwsgi.log"; chown keystone:keystone "$TB_LOG/keystone.log" "$TB_LOG/keystone-uwsgi.log"

  local t; t=$(date +%s)
  setpriv --reuid=keystone --regid=keystone --init-groups -- keystone-manage --config-file "$KS_CONF" db_sync >>"$TB_LOG/keystone-manage.log" 2>&1
  [ -e "$KS_DIR/fernet-keys/0" ] || keystone-manage --config-file "$KS_CONF" fernet_setup --keystone-user keystone --keystone-group keystone >>"$TB_LOG/keystone-manage.log" 2>&1
  [ -e "$KS_DIR/credential-keys/0" ] || keystone-manage --config-file "$KS_CONF" credential_setup --keystone-user keystone --keystone-group keystone >>"$TB_LOG/keystone-manage.log" 2>&1
  OS_BOOTSTRAP_PASSWORD=$(cat "$ADMIN_PW_FILE") keystone-manage --config-file "$KS_CONF" bootstrap \
    --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-admin-url "$URL/" --bootstrap-internal-url "$URL/" --bootstrap-public-url "$URL/" \
    --bootstrap-region-id RegionOne >>"$TB_LOG/keystone-manage.log" 2>&1
  tb_say "keystone db_sync + bootstrap: $(( $(date +%s) - t )) s"

  if ! tb_alive keystone; then
    if ks_answers; then
      tb_say "something not started by the test bed already answers on $URL; refusing to start a second Keystone"; return 1
    fi
    # Debian's ini minus the apparmor plugin/profile, minus its own logto; fewer workers.
    sed -e 's/^plugins = .*/plugins = python3/' -e '/^apparmor-profile/d' -e '/^logto/d' \
        -e 's/^processes = .*/processes = 2/' -e 's/^threads = .*/threads = 4/' \
        /etc/keystone/keystone-uwsgi.ini > "$KS_INI"
    printf 'env = OS_KEYSTONE_CONFIG_FILES=%s\n' "$KS_CONF" >> "$KS_INI"
    t=$(date +%s)
    setsid /usr/bin/uwsgi_python3 --ini "$KS_INI" --http-socket "$ADDR:$PORT" --logto "$TB_LOG/keystone-uwsgi.log" \
      >"$TB_LOG/keystone-uwsgi.out" 2>&1 </dev/null &
    tb_record keystone $!
    tb_wait "Keystone on $URL" 60 ks_answers || { tail -20 "$TB_LOG/keystone-uwsgi.log" >&2; return 1; }
    tb_say "keystone answering after $(( $(date +%s) - t )) s"
  fi
  tb_env TESTBED_KEYSTONE_URL "$URL"
  tb_env TESTBED_KEYSTONE_VERSION "$(dpkg-query -W -f='${Version}' keystone)"
  tb_env TESTBED_OSLO_POLICY_DEFAULTS "$(tb_policy_mode)"
  tb_env TESTBED_KEYSTONE_POLICY "$(tb_policy_mode "$KS_CONF")"
  tb_env TESTBED_KEYSTONE_REGION RegionOne
  tb_env TESTBED_KEYSTONE_ADMIN_USER admin
  tb_env TESTBED_KEYSTONE_ADMIN_PROJECT admin
  tb_env TESTBED_KEYSTONE_ADMIN_PASSWORD_FILE "$ADMIN_PW_FILE"
  tb_say "Keystone up (pid $(cat "$TB_STATE/pids/keystone.pid")) on $URL"
}

down() {
  tb_stop keystone
}

status() {
  if tb_alive keystone; then echo "keystone: running (pid $(cat "$TB_STATE/pids/keystone.pid")) on $URL"; else echo "keystone: stopped"; fi
}

case ${1:-status} in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
