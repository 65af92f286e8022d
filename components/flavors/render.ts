// Pure scripts of `oslab:compute:Flavors`: find-or-create one flavor by name with the
// configured vCPUs, RAM and disk; a flavor of that name with other values is deleted and
// created again (Nova flavors cannot be changed in place: the compute API has no update
// of vcpus/ram/disk, https://docs.openstack.org/api-ref/compute/#flavors; servers keep a
// copy of their flavor, so running servers are not affected).
//
// Dialects: `openstack` (python-openstackclient, `openstack flavor …`) and `novaclient`
// (Folsom's python-novaclient 2.x: `nova flavor-list`, `nova flavor-create NAME ID RAM
// DISK VCPUS`, `nova flavor-delete ID`; the ID is required there, so it defaults to the
// flavor's name — Nova stores flavor IDs as strings).
import { FlavorSpec } from "../../config";
import { ClientEnv, clientEnvFromStdin } from "../shared/client";
import { shq } from "../shared/script";

export type FlavorCli = "openstack" | "novaclient";

/**
 * Functions of each dialect: `flavor_get NAME` prints "ID VCPUS RAM DISK" of the flavor
 * called NAME (nothing when there is none), `flavor_create`, `flavor_delete ID`.
 */
const DIALECTS: Record<FlavorCli, string> = {
    openstack: `flavor_get() {
  openstack flavor show "$1" -f json 2>/dev/null | python3 -c 'import json,sys; f=json.load(sys.stdin); print(f["id"], f["vcpus"], f["ram"], f["disk"])' || true
}
flavor_create() { # NAME ID VCPUS RAM DISK (ID "" = generated)
  local id=()
  [ -n "$2" ] && id=(--id "$2")
  openstack flavor create "\${id[@]}" --vcpus "$3" --ram "$4" --disk "$5" "$1" >/dev/null
}
flavor_delete() { openstack flavor delete "$1"; }`,
    novaclient: `flavor_get() {
  nova flavor-list 2>/dev/null | awk -F'|' -v n="$1" '{for (i = 2; i < NF; i++) gsub(/^ +| +$/, "", $i)} NF > 8 && $3 == n {print $2, $8, $4, $5}'
}
flavor_create() { # NAME ID VCPUS RAM DISK
  nova flavor-create "$1" "\${2:-$1}" "$4" "$5" "$3" >/dev/null
}
flavor_delete() { nova flavor-delete "$1"; }`,
};

/** What every flavor script starts with: the admin login, then the dialect's functions. */
function flavorPrelude(cli: FlavorCli, env: ClientEnv): string {
    return `${clientEnvFromStdin(env)}\n${DIALECTS[cli]}`;
}

/** Find-or-create `flavor`; prints its ID (the step's stdout). Retries while the API comes up. */
export function flavorScript(cli: FlavorCli, env: ClientEnv, f: FlavorSpec): string {
    return `${flavorPrelude(cli, env)}
name=${shq(f.name)} want_id=${shq(f.id ?? "")} want="${f.vcpus} ${f.ram} ${f.disk}"
cur=''
for _ in $(seq 30); do
  cur=$(flavor_get "$name")
  [ -n "$cur" ] && break
  # no flavor yet, or the API does not answer yet: creating tells which
  if flavor_create "$name" "$want_id" ${f.vcpus} ${f.ram} ${f.disk} 2>/dev/null; then continue; fi
  sleep 2
done
[ -n "$cur" ] || { echo "flavor $name: the compute API did not create it" >&2; exit 1; }
read -r id vcpus ram disk <<<"$cur"
if [ "$vcpus $ram $disk" != "$want" ] || { [ -n "$want_id" ] && [ "$id" != "$want_id" ]; }; then
  echo "flavor $name is id $id, $vcpus vCPU, $ram MiB, $disk GB; recreating it as $want_id $want" >&2
  flavor_delete "$id"
  flavor_create "$name" "$want_id" ${f.vcpus} ${f.ram} ${f.disk}
  read -r id _ <<<"$(flavor_get "$name")"
fi
echo "$id"`;
}

/** Remove the flavor called `name` (destroy); nothing when it is gone already. */
export function flavorDeleteScript(cli: FlavorCli, env: ClientEnv, name: string): string {
    return `${flavorPrelude(cli, env)}
read -r id _ <<<"$(flavor_get ${shq(name)})"
if [ -n "$id" ]; then flavor_delete "$id"; fi`;
}
