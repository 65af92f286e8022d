read -r dev cidr < /var/lib/openstack-lab/br-phy
has() { ip -o -4 addr show dev "$1" 2>/dev/null | awk '{print $4}' | grep -qxF "$cidr"; }
if has "$dev"; then ip addr del "$cidr" dev "$dev"; fi
if has br-phy; then echo "$cidr is on br-phy"; else ip addr replace "$cidr" dev br-phy; echo "moved $cidr from $dev to br-phy"; fi
ip link set br-phy up
