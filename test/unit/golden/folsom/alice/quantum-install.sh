oslab_install quantum-server quantum-plugin-openvswitch quantum-common
