// The admin's login for a step that calls OpenStack APIs on a host (the openstack CLI, or a
// program that reads the same OS_* variables): the password arrives on the step's stdin,
// the rest of the login is no secret and is written inline.
import { shq } from "./script";

/** The OS_* variables of a CLI login as admin, except OS_PASSWORD (no secret): Keystone's `clientEnv`. */
export type ClientEnv = readonly (readonly [string, string | number])[];

/** Script lines that export the login: OS_PASSWORD read from stdin, then `env`. */
export function clientEnvFromStdin(env: ClientEnv): string {
    return `# the admin password arrives on stdin, the rest of the login is no secret
OS_PASSWORD=$(cat)
export OS_PASSWORD
${env.map(([k, v]) => `export ${k}=${shq(v)}`).join("\n")}`;
}
