oslab_svc stop quantum-l3-agent >/dev/null 2>&1 || true
