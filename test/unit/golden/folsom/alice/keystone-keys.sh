if [ ! -f /etc/keystone/ssl/certs/signing_cert.pem ]; then
  keystone-manage pki_setup
  touch /var/lib/openstack-lab/keystone-pki-created
fi
chown -R keystone:keystone /etc/keystone/ssl
# keystone-manage run as root must not leave the service's log file root-owned
if [ -e /var/log/keystone/keystone.log ] && [ "$(stat -c %U /var/log/keystone/keystone.log)" != keystone ]; then chown keystone:keystone /var/log/keystone/keystone.log; fi
