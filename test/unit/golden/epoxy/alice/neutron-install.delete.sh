oslab_purge neutron-server neutron-api neutron-rpc-server neutron-common
