// Pure renderers of `oslab:identity:DemoProject`: the spec (no secret) and the step bodies
// that run components/demo/oslab-demo.py on the controller. The program travels on fd 3,
// the spec on its stdin (both inline in the command, no secret), the two passwords on the
// step's stdin, which the program reads as fd 4.
import * as fs from "fs";
import * as path from "path";
import { DemoSpec } from "../../config";
import { HOST_STATE_DIR, withApiPy } from "../shared/script";
import { DemoProfile } from "./profiles";

/** What Kolla's init-runonce opens in the default security group: ICMP (every type) and SSH, from anywhere. */
export const DEMO_RULES: readonly { readonly protocol: string; readonly port?: number }[] = [
    { protocol: "icmp" },
    { protocol: "tcp", port: 22 },
];

export interface DemoSpecValues {
    /** Keystone API dialect (`v2.0` Folsom, `v3`). */
    readonly dialect: string;
    /** Keystone's admin URL (v2.0: the admin API on :35357, where tenants and users are made). */
    readonly identityUrl: string;
    readonly region: string;
    readonly profile: DemoProfile;
    readonly demo: DemoSpec;
    /** The tenant network the project boots on. */
    readonly tenantNetwork: string;
    /** Where the program records what it made (`demoRecord`). */
    readonly record: string;
}

/** The program's spec (JSON, no secret; the header of oslab-demo.py describes it). */
export function demoSpec(v: DemoSpecValues): string {
    const d = v.demo;
    return JSON.stringify({
        dialect: v.dialect,
        identityUrl: v.identityUrl,
        region: v.region,
        domain: "default",
        admin: { user: "admin", project: "admin" },
        project: d.project,
        user: d.user,
        role: v.profile.memberRole,
        network: { name: v.tenantNetwork, access: v.profile.networkAccess },
        securityGroups: v.profile.securityGroups,
        rules: DEMO_RULES,
        keypair: d.publicKey === undefined ? null : { name: d.keyName, publicKey: d.publicKey },
        record: v.record,
        wait: 180,
    });
}

/** The step's stdin (secret): both passwords, as the program reads them on fd 4. */
export function demoSecrets(adminPassword: string, demoPassword: string): string {
    return JSON.stringify({ admin: adminPassword, demo: demoPassword });
}

/** What the program made (IDs and names), per component: its delete removes exactly that. */
export function demoRecord(name: string): string {
    return `${HOST_STATE_DIR}/${name}.json`;
}

let source: string | undefined;
/** The on-host program (python 2.7 or 3, standard library only; oslab-api.py + oslab-demo.py). */
export function demoPy(): string {
    source ??= withApiPy(fs.readFileSync(path.join(__dirname, "oslab-demo.py"), "utf8"));
    return source;
}

/** Step body: run the program in `mode` (apply: create and update; delete: destroy) with `spec`. */
export function demoScript(mode: "apply" | "delete", spec: string): string {
    return `# the admin's and the demo user's passwords arrive on stdin (the program's fd 4); the spec is no secret
py=$(command -v python3 || command -v python)
"$py" /dev/fd/3 ${mode} 3<<'OSLAB_DEMO_PY' 4<&0 <<'OSLAB_DEMO_SPEC'
${demoPy().trimEnd()}
OSLAB_DEMO_PY
${spec}
OSLAB_DEMO_SPEC`;
}
