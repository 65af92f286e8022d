oslab_purge openvswitch-switch openvswitch-datapath-dkms quantum-plugin-openvswitch-agent quantum-l3-agent quantum-dhcp-agent
