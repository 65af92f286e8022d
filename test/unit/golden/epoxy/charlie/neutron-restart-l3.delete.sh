oslab_svc stop neutron-l3-agent >/dev/null 2>&1 || true
