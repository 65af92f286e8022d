oslab_install neutron-server neutron-api neutron-rpc-server neutron-common
