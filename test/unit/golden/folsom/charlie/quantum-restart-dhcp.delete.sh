oslab_svc stop quantum-dhcp-agent >/dev/null 2>&1 || true
