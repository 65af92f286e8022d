[ -s /var/lib/openstack-lab/metadata-route-10.5.5.0_24 ] || exit 0
gw=$(cat /var/lib/openstack-lab/metadata-route-10.5.5.0_24)
if ip route show exact 10.5.5.0/24 | grep -qF "via $gw "; then ip route del 10.5.5.0/24 via "$gw"; fi
rm -f /var/lib/openstack-lab/metadata-route-10.5.5.0_24
