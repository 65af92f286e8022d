oslab_purge openvswitch-switch neutron-openvswitch-agent neutron-common neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent
