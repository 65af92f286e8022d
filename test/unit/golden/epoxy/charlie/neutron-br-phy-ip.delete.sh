[ -s /var/lib/openstack-lab/br-phy ] || exit 0
read -r dev cidr < /var/lib/openstack-lab/br-phy
has() { ip -o -4 addr show dev "$1" 2>/dev/null | awk '{print $4}' | grep -qxF "$cidr"; }
if has br-phy; then ip addr del "$cidr" dev br-phy; fi
if ip link show "$dev" >/dev/null 2>&1; then ip addr replace "$cidr" dev "$dev"; ip link set "$dev" up; fi
