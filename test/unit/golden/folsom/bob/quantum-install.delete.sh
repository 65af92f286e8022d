oslab_purge openvswitch-switch openvswitch-datapath-dkms quantum-plugin-openvswitch-agent quantum-common
