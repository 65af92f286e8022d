// Pure scripts of `oslab:infra:InUseGuard`: run components/guard/oslab-in-use.py on the
// controller with the admin's login (password on stdin) and the list of what the program
// made. The program travels on fd 3, the spec (no secret) on the python's stdin.
import * as fs from "fs";
import * as path from "path";
import { ClientEnv, clientEnvFromStdin } from "../shared/client";

export type InUseMode = "report" | "check" | "purge";

/** What the program itself made: everything else found in the cloud belongs to users. */
export interface OwnedResources {
    readonly projects: readonly string[];
    readonly users: readonly string[];
    readonly networks: readonly string[];
    readonly routers: readonly string[];
    readonly images: readonly string[];
    /** Key pairs the program imported (the demo user's); left out when there are none. */
    readonly keypairs?: readonly { readonly user: string; readonly name: string }[];
    /** Seconds to wait for each purged server or volume to be gone. */
    readonly wait: number;
}

let source: string | undefined;
/** The on-host program (python3 + openstacksdk). */
export function inUsePy(): string {
    source ??= fs.readFileSync(path.join(__dirname, "oslab-in-use.py"), "utf8");
    return source;
}

/** Step body: MODE over `owned`; `check` exits non-zero with the list and `purgeKey`'s fix. */
export function inUseScript(mode: InUseMode, env: ClientEnv, owned: OwnedResources, purgeKey: string): string {
    const tail =
        mode === "check"
            ? `rc=0
python3 /dev/fd/3 check 3<<'OSLAB_IN_USE_PY' <<'OSLAB_IN_USE_SPEC' >&2 || rc=$?
${inUsePy().trimEnd()}
OSLAB_IN_USE_PY
${JSON.stringify(owned)}
OSLAB_IN_USE_SPEC
if [ "$rc" = 3 ]; then
  echo "destroy stopped before deleting anything: the cloud holds what users made (listed above)." >&2
  echo "Delete it, or let destroy purge it: pulumi config set ${purgeKey} true && pulumi up && pulumi destroy" >&2
fi
exit "$rc"`
            : `python3 /dev/fd/3 ${mode} 3<<'OSLAB_IN_USE_PY' <<'OSLAB_IN_USE_SPEC'
${inUsePy().trimEnd()}
OSLAB_IN_USE_PY
${JSON.stringify(owned)}
OSLAB_IN_USE_SPEC`;
    return `${clientEnvFromStdin(env)}
${tail}`;
}
