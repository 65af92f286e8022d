oslab_svc stop neutron-metadata-agent >/dev/null 2>&1 || true
