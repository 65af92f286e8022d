py=$(command -v python3 || command -v python)
OSLAB_STATE="${OSLAB_STATE:-/var/lib/openstack-lab}/layers/api-workers" "$py" - ini /etc/keystone/keystone-uwsgi.ini 3<&0 <<'OSLAB_EDIT_PY'
<oslab-edit.py>
OSLAB_EDIT_PY
