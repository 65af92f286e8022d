oslab_svc stop neutron-openvswitch-agent >/dev/null 2>&1 || true
if command -v ovs-vsctl >/dev/null; then ovs-vsctl --timeout=30 --if-exists del-br br-tun; fi
