service_alive() {
  local re="python[0-9.]* $1( |\$)"
  for _ in $(seq 30); do pgrep -f "$re" >/dev/null && break; sleep 1; done
  sleep 5
  pgrep -f "$re" >/dev/null && return 0
  echo "$1 is not running on $(hostname); the newest log in /var/log/neutron ends with:" >&2
  tail -n 20 "$(ls -t /var/log/neutron/*.log 2>/dev/null | head -n1)" >&2 2>/dev/null || true
  return 1
}
oslab_svc restart neutron-openvswitch-agent
service_alive /usr/bin/neutron-openvswitch-agent
