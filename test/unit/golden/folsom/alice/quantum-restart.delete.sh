oslab_svc stop quantum-server >/dev/null 2>&1 || true
