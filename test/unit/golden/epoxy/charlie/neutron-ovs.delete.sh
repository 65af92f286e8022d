command -v ovs-appctl >/dev/null || exit 0
oslab_svc stop openvswitch-switch >/dev/null 2>&1 || true
for d in ovs-vswitchd ovsdb-server; do
  if pgrep -x "$d" >/dev/null; then ovs-appctl -t "$d" exit >/dev/null 2>&1 || true; fi
done
