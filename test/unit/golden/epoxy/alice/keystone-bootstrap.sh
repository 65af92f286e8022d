OS_BOOTSTRAP_PASSWORD=$(cat)
export OS_BOOTSTRAP_PASSWORD
# su keeps the environment (no -l); the password is never on a command line
su -s /bin/sh -c 'keystone-manage bootstrap --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin --bootstrap-service-name keystone --bootstrap-region-id RegionOne --bootstrap-admin-url http://192.168.122.111:5000/v3/ --bootstrap-internal-url http://192.168.122.111:5000/v3/ --bootstrap-public-url http://192.168.122.111:5000/v3/' keystone
unset OS_BOOTSTRAP_PASSWORD
