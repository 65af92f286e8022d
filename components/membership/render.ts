// Pure scripts of `oslab:compute:ComputeMembership`: components/membership/oslab-membership.py
// run on the compute node itself, with the admin's login (password on stdin). The program
// travels on fd 3, so the step's stdin stays the password.
import * as fs from "fs";
import * as path from "path";
import { ClientEnv, clientEnvFromStdin } from "../shared/client";
import { shq } from "../shared/script";

let source: string | undefined;
/** The on-host program (python3, standard library only). */
export function membershipPy(): string {
    source ??= fs.readFileSync(path.join(__dirname, "oslab-membership.py"), "utf8");
    return source;
}

function run(mode: "join" | "drain" | "leave", host: string, wait: number, redirect = ""): string {
    return `python3 /dev/fd/3 ${mode} ${shq(host)} ${wait} 3<<'OSLAB_MEMBERSHIP_PY'${redirect}
${membershipPy().trimEnd()}
OSLAB_MEMBERSHIP_PY`;
}

/** Create: the node has joined — its compute service is up and its network agents alive. */
export function joinScript(env: ClientEnv, host: string, wait = 300): string {
    return `${clientEnvFromStdin(env)}
${run("join", host, wait)}`;
}

/**
 * Delete: refuse while servers run on the node (exit 1 naming them and `nodesKey`; nothing
 * changed), else disable its compute service, stop `services` here, and deregister the node
 * from nova, placement and neutron.
 */
export function leaveScript(
    env: ClientEnv,
    host: string,
    services: readonly string[],
    nodesKey: string,
    wait = 300,
): string {
    return `${clientEnvFromStdin(env)}
rc=0
${run("drain", host, wait, " || rc=$?")}
if [ "$rc" = 3 ]; then
  echo "${host} was not removed: move its servers to another compute (openstack server migrate --live-migration <id>) or delete them, then run the update again; or keep ${host} in ${nodesKey}." >&2
  exit 1
fi
[ "$rc" = 0 ] || exit "$rc"
for s in ${services.map(shq).join(" ")}; do oslab_svc stop "$s" >/dev/null 2>&1 || true; done
${run("leave", host, wait)}`;
}
