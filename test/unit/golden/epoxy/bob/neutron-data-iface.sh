state=/var/lib/openstack-lab/br-phy
if [ -s "$state" ]; then read -r dev _ < "$state"; echo "$dev"; exit 0; fi
found=$(ip -o -4 addr show | awk -v ip=192.168.133.112 '{ split($4, a, "/"); if (a[1] == ip) { sub(/@.*/, "", $2); print $2, $4; exit } }')
if [ -z "$found" ]; then
  echo "no interface on $(hostname) holds the data address 192.168.133.112 (nodes[].dataIp)" >&2
  exit 1
fi
dev=${found%% *}
if [ "$dev" = br-phy ]; then
  echo "192.168.133.112 already sits on br-phy but $state is missing: move it back to the data interface and run again" >&2
  exit 1
fi
echo "$found" > "$state"
echo "$dev"
