ovs_up() { ovs-vsctl --timeout=5 show >/dev/null 2>&1 && pgrep -x ovs-vswitchd >/dev/null; }
if ovs_up; then echo "Open vSwitch is running"; exit 0; fi
out=$(oslab_svc start openvswitch-switch 2>&1) || true
if ovs_up; then echo "Open vSwitch started"; exit 0; fi
# No kernel module: the userspace (netdev) datapath needs none.
mkdir -p /var/run/openvswitch /var/log/openvswitch
db=/etc/openvswitch/conf.db
[ -f "$db" ] || ovsdb-tool create "$db" /usr/share/openvswitch/vswitch.ovsschema
pgrep -x ovsdb-server >/dev/null || ovsdb-server "$db" --remote=punix:/var/run/openvswitch/db.sock \
  --remote=db:Open_vSwitch,Open_vSwitch,manager_options --pidfile --detach --log-file
ovs-vsctl --no-wait init
pgrep -x ovs-vswitchd >/dev/null || ovs-vswitchd unix:/var/run/openvswitch/db.sock --pidfile --detach --log-file
if ! oslab_retry 15 ovs_up; then
  echo "$out" >&2
  echo "Open vSwitch did not start on $(hostname); see /var/log/openvswitch/" >&2
  exit 1
fi
echo "Open vSwitch started for the userspace datapath (no kernel module)"
