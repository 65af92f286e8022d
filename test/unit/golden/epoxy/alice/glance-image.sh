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
OSLAB_IMAGE_PROPERTIES=(--property hw_vif_model=e1000)
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
old_id='' old_name=''
if [ -f "$record" ]; then IFS=$'\t' read -r old_id old_name < "$record" || true; fi
if [ -n "$old_id" ] && [ "$old_name" != "$OSLAB_IMAGE_NAME" ]; then
  echo "removing image $old_id ($old_name): the configured image is now $OSLAB_IMAGE_NAME" >&2
  image_delete "$old_id" >&2 || true
  rm -f "$record"
  old_id=''
fi
id=''
ids=$(image_ids)
for c in $ids; do
  s=$(image_status "$c")
  if [ "$s" = active ]; then id=$c; break; fi
  # ours: recorded, or left behind by a run that failed while creating it ("pending")
  if [ "$c" = "$old_id" ] || [ "$old_id" = pending ]; then
    echo "removing image $c left in status $s by an earlier run" >&2
    image_delete "$c" >&2
    rm -f "$record"
    continue
  fi
  echo "image '$OSLAB_IMAGE_NAME' ($c) exists with status $s and was not created by openstack-lab: delete or rename it" >&2
  exit 1
done
if [ -z "$id" ]; then
  if [[ $OSLAB_IMAGE_URL == file://* ]] && [ ! -r "${OSLAB_IMAGE_URL#file://}" ]; then
    echo "image file ${OSLAB_IMAGE_URL#file://} not found on $(hostname)" >&2
    exit 1
  fi
  case $OSLAB_IMAGE_URL in
    file://*) OSLAB_IMAGE_SOURCE=$OSLAB_IMAGE_URL ;;
    *)
      tmp=$(mktemp /var/tmp/oslab-image.XXXXXX)
      trap 'rm -f "$tmp"' EXIT
      echo "downloading $OSLAB_IMAGE_URL" >&2
      curl -fsSL --retry 3 -o "$tmp" "$OSLAB_IMAGE_URL"
      OSLAB_IMAGE_SOURCE=file://$tmp ;;
  esac
  export OSLAB_IMAGE_SOURCE
  printf 'pending	%s
' "$OSLAB_IMAGE_NAME" > "$record"
  id=$(image_create)
  [ -n "$id" ] || { echo "creating image $OSLAB_IMAGE_NAME printed no ID" >&2; exit 1; }
  printf '%s\t%s\n' "$id" "$OSLAB_IMAGE_NAME" > "$record"
fi
# the configured properties, on a new image and on one found by name alike
if [ ${#OSLAB_IMAGE_PROPERTIES[@]} -gt 0 ]; then image_set_properties "$id" >&2; fi
s=''
for _ in $(seq 900); do
  s=$(image_status "$id")
  case $s in
    active) break ;;
    killed|deleted|pending_delete) echo "image $id went $s" >&2; exit 1 ;;
  esac
  sleep 2
done
[ "$s" = active ] || { echo "image $id is not active after 1800 s (status $s)" >&2; exit 1; }
echo "$id"
