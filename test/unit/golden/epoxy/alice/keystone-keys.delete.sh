if [ -f /var/lib/openstack-lab/keystone-fernet-keys-created ]; then rm -rf /etc/keystone/fernet-keys; rm -f /var/lib/openstack-lab/keystone-fernet-keys-created; fi
if [ -f /var/lib/openstack-lab/keystone-credential-keys-created ]; then rm -rf /etc/keystone/credential-keys; rm -f /var/lib/openstack-lab/keystone-credential-keys-created; fi
