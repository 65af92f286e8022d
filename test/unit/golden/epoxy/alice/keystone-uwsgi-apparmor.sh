py=$(command -v python3 || command -v python)
profile_loaded() {
  [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] || return 1
  [ -r /sys/kernel/security/apparmor/profiles ] || return 1
  grep -q '^keystone ' /sys/kernel/security/apparmor/profiles
}
if profile_loaded; then
  "$py" - restore /etc/keystone/keystone-uwsgi.ini 3</dev/null <<'OSLAB_EDIT_PY'
<oslab-edit.py>
OSLAB_EDIT_PY
else
  "$py" - ini /etc/keystone/keystone-uwsgi.ini 3<<<'{"set":{"uwsgi":{"plugins":"python3"}}}' <<'OSLAB_EDIT_PY'
<oslab-edit.py>
OSLAB_EDIT_PY
fi
