oslab_install openvswitch-switch neutron-openvswitch-agent neutron-common
