py=$(command -v python3 || command -v python)
"$py" - restore /etc/keystone/keystone-uwsgi.ini 3</dev/null <<'OSLAB_EDIT_PY'
<oslab-edit.py>
OSLAB_EDIT_PY
