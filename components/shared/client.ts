// The admin's login for a step that calls OpenStack APIs on a host (the openstack CLI, or a
// program that reads the same OS_* variables): the password arrives on the step's stdin,
// the rest of the login is no secret and is written inline. And the credentials file a user
// sources (the article's Listing 3, the `openrc` and `demoOpenrc` stack outputs).
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

/** The same login for another user and project (OS_USERNAME, OS_TENANT_NAME / OS_PROJECT_NAME replaced). */
export function userClientEnv(env: ClientEnv, login: { user: string; project: string }): ClientEnv {
    return env.map(([k, v]): readonly [string, string | number] =>
        k === "OS_USERNAME"
            ? [k, login.user]
            : k === "OS_TENANT_NAME" || k === "OS_PROJECT_NAME"
              ? [k, login.project]
              : [k, v],
    );
}

/** A shell value: the article's double quotes when that is safe, else single quotes. */
export function shellValue(v: string): string {
    if (/^[A-Za-z0-9_@%+=:,./-]*$/.test(v)) {
        return `"${v}"`;
    }
    return `'${v.replace(/'/g, `'"'"'`)}'`;
}

export interface CredentialVars {
    readonly vars: readonly (readonly [string, string | number])[];
    /** `export` lines, names grouped as the article prints them. */
    readonly exports: readonly (readonly string[])[];
}

export function renderCredentials(c: CredentialVars): string {
    const lines = c.vars.map(([k, v]) => `${k}=${typeof v === "number" ? v : shellValue(v)}`);
    return [...lines, "", ...c.exports.map((names) => `export ${names.join(" ")}`)].join("\n") + "\n";
}

/** The credentials file: the client environment with the password after OS_AUTH_URL, exported two by two. */
export function credentialsFile(env: ClientEnv, password: string): string {
    const vars: [string, string | number][] = [];
    for (const [k, v] of env) {
        vars.push([k, v]);
        if (k === "OS_AUTH_URL") {
            vars.push(["OS_PASSWORD", password]);
        }
    }
    const names = vars.map(([k]) => k);
    const exports: string[][] = [];
    for (let i = 0; i < names.length; i += 2) {
        exports.push(names.slice(i, i + 2));
    }
    return renderCredentials({ vars, exports });
}
