# the admin password arrives on stdin, the rest of the login is no secret
OS_PASSWORD=$(cat)
export OS_PASSWORD
export OS_AUTH_URL=http://192.168.122.111:5000/v2.0/
export OS_TENANT_NAME=admin
export OS_USERNAME=admin
export OS_NO_CACHE=1
export OSLAB_IMAGE_NAME='Ubuntu 12.04 cloudimg amd64'
export OSLAB_IMAGE_URL=http://uec-images.ubuntu.com/releases/12.04/release/ubuntu-12.04-server-cloudimg-amd64-disk1.img
export OSLAB_IMAGE_DISK_FORMAT=qcow2
export OSLAB_IMAGE_CONTAINER_FORMAT=ovf
record=/var/lib/openstack-lab/glance-image
table_value() {
  awk -F'|' -v k="$1" '{ a = $2; b = $3; gsub(/^ +| +$/, "", a); gsub(/^ +| +$/, "", b); if (a == k) print b }'
}
image_ids() {
  glance image-list | awk -F'|' 'NF >= 7 { id = $2; n = $3; gsub(/^ +| +$/, "", id); gsub(/^ +| +$/, "", n); if (id != "ID" && n == ENVIRON["OSLAB_IMAGE_NAME"]) print id }'
}
image_status() {
  glance image-show "$1" | table_value status
}
image_create() {
  local -a from
  case $OSLAB_IMAGE_SOURCE in
    file://*) from=(--file "${OSLAB_IMAGE_SOURCE#file://}") ;;
    *) from=(--copy-from "$OSLAB_IMAGE_SOURCE") ;;
  esac
  glance image-create --name "$OSLAB_IMAGE_NAME" --is-public true --container-format "$OSLAB_IMAGE_CONTAINER_FORMAT" \
    --disk-format "$OSLAB_IMAGE_DISK_FORMAT" "${from[@]}" | table_value id
}
image_delete() {
  glance image-delete "$1"
}
image_set_properties() {
  glance image-update "${OSLAB_IMAGE_PROPERTIES[@]}" "$1" >/dev/null
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
