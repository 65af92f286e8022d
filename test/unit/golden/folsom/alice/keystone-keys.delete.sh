if [ -f /var/lib/openstack-lab/keystone-pki-created ]; then rm -rf /etc/keystone/ssl; rm -f /var/lib/openstack-lab/keystone-pki-created; fi
