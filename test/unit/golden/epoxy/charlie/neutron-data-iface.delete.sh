rm -f /var/lib/openstack-lab/br-phy
