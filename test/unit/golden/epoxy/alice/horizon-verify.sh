status() {
  local line=''
  exec 3<>"/dev/tcp/$1/80" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$2" "$1" >&3
  IFS= read -r line <&3 || true
  exec 3<&- 3>&-
  line=${line%$'\r'}
  line=${line#* }
  echo "${line%% *}"
}
code=''
for _ in $(seq 60); do
  code=$(status 192.168.122.111 /horizon/auth/login/ 2>/dev/null || true)
  [ "$code" = 200 ] && break
  sleep 2
done
[ "$code" = 200 ] || { echo "http://192.168.122.111/horizon/auth/login/ answers HTTP ${code:-nothing}, not 200" >&2; exit 1; }
echo "http://192.168.122.111/horizon/auth/login/: HTTP 200"
