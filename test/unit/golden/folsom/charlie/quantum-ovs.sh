ovs_up() { ovs-vsctl --timeout=5 show >/dev/null 2>&1 && pgrep -x ovs-vswitchd >/dev/null; }
if ovs_up; then echo "Open vSwitch is running"; exit 0; fi
out=$(oslab_svc start openvswitch-switch 2>&1) || true
if ovs_up; then echo "Open vSwitch started"; exit 0; fi
echo "$out" >&2
echo "Open vSwitch did not start on $(hostname): ovs-vswitchd needs the openvswitch kernel module for datapathType system; on hosts without it set openstack-lab:datapathType netdev" >&2
exit 1
