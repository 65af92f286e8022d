oslab_svc stop neutron-dhcp-agent >/dev/null 2>&1 || true
