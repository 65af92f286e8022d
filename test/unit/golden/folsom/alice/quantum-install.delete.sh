oslab_purge quantum-server quantum-plugin-openvswitch quantum-common
