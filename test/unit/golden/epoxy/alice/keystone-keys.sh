if [ ! -e /etc/keystone/fernet-keys/0 ]; then
  keystone-manage fernet_setup --keystone-user keystone --keystone-group keystone
  touch /var/lib/openstack-lab/keystone-fernet-keys-created
fi
if [ ! -e /etc/keystone/credential-keys/0 ]; then
  keystone-manage credential_setup --keystone-user keystone --keystone-group keystone
  touch /var/lib/openstack-lab/keystone-credential-keys-created
fi
# keystone-manage run as root must not leave the service's log file root-owned
if [ -e /var/log/keystone/keystone.log ] && [ "$(stat -c %U /var/log/keystone/keystone.log)" != keystone ]; then chown keystone:keystone /var/log/keystone/keystone.log; fi
