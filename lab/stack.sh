# lab/stack.sh — what lab:up hands to others: the program's stack config
# (Pulumi.lab.yaml) and a machine-readable lab.json for the test tools.
# Source after lib.sh and hosts.sh.
# shellcheck shell=bash

STACK_NAME=lab
SECRET_KEY_NAME=openstack-lab:sshPrivateKey

# The keys lab:up owns. Other keys in Pulumi.lab.yaml (secrets, the
# encryption salt, anything added by hand) are kept as they are.
# owned_config SUITE HOSTS...
owned_config() {
  local h data suite=$1
  shift
  echo "  openstack-lab:release: $(suite_release "$suite")"
  echo "  openstack-lab:nodes:"
  for h; do
    data=$(host_data_ip "$h")
    case $(host_role "$h") in
      controller) echo "    - { name: $h, role: controller, managementIp: $(host_mgmt_ip "$h") }" ;;
      compute) echo "    - { name: $h, role: compute, managementIp: $(host_mgmt_ip "$h"), dataIp: $data }" ;;
      network) echo "    - { name: $h, role: network, managementIp: $(host_mgmt_ip "$h"), dataIp: $data, externalInterface: eth2 }" ;;
    esac
  done
  cat <<EOF2
  openstack-lab:sshUser: root
  openstack-lab:sshPort: 22
  openstack-lab:managementNetwork: $MGMT_CIDR
  openstack-lab:dataNetwork: $DATA_CIDR
  openstack-lab:externalNetwork: { cidr: $EXT_CIDR, gateway: $EXT_GATEWAY_IP, allocationPool: { start: $EXT_POOL_START, end: $EXT_POOL_END } }
  openstack-lab:tenantNetwork: { name: private, cidr: $TENANT_CIDR, gateway: $TENANT_GATEWAY_IP, dnsNameservers: [$MGMT_ROOT_IP] }
  openstack-lab:region: RegionOne
  openstack-lab:aptProxy: $PROXY_URL
  openstack-lab:datapathType: netdev
  openstack-lab:virtType: qemu
  openstack-lab:cinder: { volumeGroup: cinder-volumes, volumeService: false }
  openstack-lab:image: { name: tiny, url: file:///root/oslab-images/tiny.qcow2, diskFormat: qcow2, containerFormat: bare }
  openstack-lab:demo: true
  openstack-lab:apiWorkers: 2
EOF2
}

# owned_keys: the key names owned_config writes (derived, so never out of sync)
owned_keys() { owned_config "$DEFAULT_SUITE" alice | sed -nE 's/^  ([^ :]+:[^ :]+):.*/\1/p'; }

# preserved_blocks FILE top|config: the entries of an existing stack file
# that lab:up does not own, with their continuation lines.
preserved_blocks() {
  [[ -f $1 ]] || return 0
  awk -v want="$2" -v owned="$(owned_keys | tr '\n' ' ')" '
    BEGIN { n = split(owned, a, " "); for (i = 1; i <= n; i++) own[a[i]] = 1 }
    /^[[:space:]]*(#|$)/ { next }
    /^[^ ]/ { k = $0; sub(/:.*/, "", k); top = (k != "config"); keep = 0
              if (top && want == "top") print; next }
    top { if (want == "top") print; next }
    /^  [^ ]/ { k = $0; sub(/^  /, "", k); sub(/: .*|:$/, "", k); keep = !(k in own) }
    keep && want == "config" { print }
  ' "$1"
}

# write_stack_config SUITE HOSTS...
write_stack_config() {
  local tmp
  tmp=$(mktemp "$STACK_FILE.XXXXXX")
  {
    echo "# Written by 'npm run lab:up' for the lab in $LAB_DIR. The keys below are"
    echo "# rewritten on every lab:up; other keys (and secrets) are kept."
    preserved_blocks "$STACK_FILE" top
    echo "config:"
    owned_config "$@"
    preserved_blocks "$STACK_FILE" config
  } >"$tmp"
  chmod 644 "$tmp"
  mv "$tmp" "$STACK_FILE"
  log "stack: wrote $STACK_FILE"
}

# The private key is a secret: it goes in through the pulumi CLI on stdin,
# never into this file in clear text. Without a usable CLI/stack, say how.
set_stack_secret() {
  local cmd="pulumi config set --secret --stack $STACK_NAME $SECRET_KEY_NAME < $KEY_FILE"
  if command -v pulumi >/dev/null; then
    if (cd "$REPO_ROOT" && pulumi config get --stack "$STACK_NAME" "$SECRET_KEY_NAME" 2>/dev/null) | cmp -s - "$KEY_FILE"; then
      log "stack: $SECRET_KEY_NAME already set (secret) in stack $STACK_NAME"
      return 0
    fi
    if (cd "$REPO_ROOT" && pulumi config set --non-interactive --secret --stack "$STACK_NAME" "$SECRET_KEY_NAME" <"$KEY_FILE") >/dev/null 2>&1; then
      log "stack: $SECRET_KEY_NAME stored as a secret in stack $STACK_NAME"
      return 0
    fi
    log "stack: could not set $SECRET_KEY_NAME (no stack '$STACK_NAME' or not logged in). In $REPO_ROOT run:"
  else
    log "stack: no pulumi CLI on PATH. To give the program the lab's SSH key, in $REPO_ROOT run:"
  fi
  log "  pulumi stack init $STACK_NAME   # once, if the stack does not exist yet"
  log "  $cmd"
}

# lab.json SUITE HOSTS...: everything a test tool needs to reach the lab, no
# secrets inside.
write_lab_json() {
  local h hosts_json='[]' host suite=$1
  shift
  for h; do
    host=$(jq -n --arg name "$h" --arg role "$(host_role "$h")" --arg netns "$(host_netns "$h")" \
      --arg mgmt "$(host_mgmt_ip "$h")" --arg data "$(host_data_ip "$h")" \
      --arg pid "$(cat "$(host_initpid_file "$h")" 2>/dev/null)" \
      '{name: $name, role: $role, netns: $netns, managementIp: $mgmt,
        dataIp: (if $data == "" then null else $data end),
        externalInterface: (if $role == "network" then "eth2" else null end),
        interfaces: {management: "eth0", data: "eth1", external: "eth2"},
        initPid: (if $pid == "" then null else ($pid | tonumber) end)}')
    hosts_json=$(jq --argjson h "$host" '. + [$h]' <<<"$hosts_json")
  done
  jq -n --arg dir "$LAB_DIR" --arg suite "$suite" --arg release "$(suite_release "$suite")" --arg key "$KEY_FILE" --arg proxy "$PROXY_URL" --arg stack "$STACK_FILE" \
    --argjson hosts "$hosts_json" \
    --arg mgmt "$MGMT_CIDR" --arg mgmtRoot "$MGMT_ROOT_IP" --arg data "$DATA_CIDR" \
    --arg ext "$EXT_CIDR" --arg extGw "$EXT_GATEWAY_IP" --arg tenant "$TENANT_CIDR" \
    --arg brM "$BR_MGMT" --arg brD "$BR_DATA" --arg brX "$BR_EXT" \
    '{stateDir: $dir, suite: $suite, release: $release, sshUser: "root", sshPort: 22, sshPrivateKeyFile: $key,
      sshPublicKeyFile: ($key + ".pub"), aptProxy: $proxy, stackConfigFile: $stack,
      networks: {
        management: {cidr: $mgmt, bridge: $brM, rootAddress: $mgmtRoot},
        data: {cidr: $data, bridge: $brD, rootAddress: null},
        external: {cidr: $ext, bridge: $brX, rootAddress: $extGw, gateway: $extGw},
        tenant: {cidr: $tenant}},
      hosts: $hosts}' >"$LAB_JSON.tmp"
  mv "$LAB_JSON.tmp" "$LAB_JSON"
  log "stack: wrote $LAB_JSON"
}
