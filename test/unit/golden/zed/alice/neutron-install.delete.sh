oslab_purge neutron-server
