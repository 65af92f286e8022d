oslab_purge openvswitch-switch openvswitch-datapath-dkms quantum-plugin-openvswitch-agent quantum-common quantum-l3-agent quantum-dhcp-agent
