oslab_install openvswitch-switch openvswitch-datapath-dkms quantum-plugin-openvswitch-agent quantum-common
