if ! out=$(su -s /bin/sh -c 'glance-manage version_control 0' glance 2>&1); then
  if ! printf '%s\n' "$out" | grep -qiE 'already under (migration|version) control'; then
    printf '%s\n' "$out" >&2
    exit 1
  fi
fi
su -s /bin/sh -c 'glance-manage db_sync' glance
