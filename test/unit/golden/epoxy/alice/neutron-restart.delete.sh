oslab_svc stop neutron-rpc-server >/dev/null 2>&1 || true
oslab_svc stop neutron-api >/dev/null 2>&1 || true
