oslab_purge openvswitch-switch neutron-openvswitch-agent neutron-common
