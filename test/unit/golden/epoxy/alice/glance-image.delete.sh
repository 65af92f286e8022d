# the admin password arrives on stdin, the rest of the login is no secret
OS_PASSWORD=$(cat)
export OS_PASSWORD
export OS_AUTH_URL=http://192.168.122.111:5000/v3
export OS_PROJECT_NAME=admin
export OS_USERNAME=admin
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_IDENTITY_API_VERSION=3
export OS_NO_CACHE=1
export OSLAB_IMAGE_NAME='Ubuntu 12.04 cloudimg amd64'
export OSLAB_IMAGE_URL=http://uec-images.ubuntu.com/releases/12.04/release/ubuntu-12.04-server-cloudimg-amd64-disk1.img
export OSLAB_IMAGE_DISK_FORMAT=qcow2
export OSLAB_IMAGE_CONTAINER_FORMAT=ovf
record=/var/lib/openstack-lab/glance-image
image_ids() {
  openstack image list --name "$OSLAB_IMAGE_NAME" -f value -c ID
}
image_status() {
  openstack image show "$1" -f value -c status
}
image_create() {
  openstack image create --public --container-format "$OSLAB_IMAGE_CONTAINER_FORMAT" --disk-format "$OSLAB_IMAGE_DISK_FORMAT" \
    --file "${OSLAB_IMAGE_SOURCE#file://}" "$OSLAB_IMAGE_NAME" -f value -c id
}
image_delete() {
  openstack image delete "$1"
}
image_set_properties() {
  openstack image set "${OSLAB_IMAGE_PROPERTIES[@]}" "$1"
}
[ -f "$record" ] || exit 0
id='' name=''
IFS=$'\t' read -r id name < "$record" || true
if [ "$id" = pending ]; then
  # a run failed while creating it: remove the images of that name that never became active
  for c in $(image_ids 2>/dev/null || true); do
    [ "$(image_status "$c" 2>/dev/null || true)" = active ] || image_delete "$c" >&2 || true
  done
elif [ -n "$id" ] && ! image_delete "$id" >&2; then
  echo "warning: image $id ($name) not deleted through the API; removing its file from the store" >&2
  rm -f /var/lib/glance/images/"$id"
fi
rm -f "$record"
