oslab_purge openvswitch-switch neutron-openvswitch-agent
