py=$(command -v python3 || command -v python)
OSLAB_STATE="${OSLAB_STATE:-/var/lib/openstack-lab}/layers/api-workers" "$py" - restore /etc/keystone/keystone-uwsgi.ini 3</dev/null <<'OSLAB_EDIT_PY'
<oslab-edit.py>
OSLAB_EDIT_PY
