if ip route show exact 10.5.5.0/24 | grep -qF "via 192.168.144.100 "; then
  echo "route 10.5.5.0/24 via 192.168.144.100 is in place"
elif ! ip route replace 10.5.5.0/24 via 192.168.144.100; then
  echo "cannot route 10.5.5.0/24 via 192.168.144.100 on $(hostname): the controller needs a route to the external network (e.g. its default gateway)" >&2
  exit 1
fi
echo 192.168.144.100 > /var/lib/openstack-lab/metadata-route-10.5.5.0_24
