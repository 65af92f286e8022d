// Admin access to the test bed's OpenStack APIs directly from this machine (not through
// a provider): a Keystone v3 password login as admin in project admin, then JSON calls
// with that token. The provider tests check every claim about Keystone's and neutron's
// contents with it.
import * as fs from "fs";
import type { Props } from "./harness";

/** The project admin's scope, as the providers log in. */
export const ADMIN_PROJECT = { project: { name: "admin", domain: { name: "Default" } } };

/** A Keystone v3 password login as admin with `scope`: the token and the project it is scoped to. */
export async function adminLogin(
    keystone: string,
    password: string,
    scope: object = ADMIN_PROJECT,
): Promise<{ token: string; projectId?: string }> {
    const r = await fetch(`${keystone}/auth/tokens`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
            auth: {
                identity: {
                    methods: ["password"],
                    password: { user: { name: "admin", domain: { name: "Default" }, password } },
                },
                scope,
            },
        }),
    });
    if (r.status !== 201) {
        throw new Error(`admin login: HTTP ${r.status}`);
    }
    const body = (await r.json()) as { token?: { project?: { id: string } } };
    return { token: r.headers.get("x-subject-token") ?? "", projectId: body.token?.project?.id };
}

export class OpenStackAdmin {
    private token = "";
    /** `keystone`: the v3 URL; `api`: the URL `call` paths are relative to (default: Keystone's). */
    constructor(
        readonly keystone: string,
        readonly password: string,
        readonly api = keystone,
    ) {}

    /** Logged in to the test bed's Keystone (`env`: testbed.ts `testbedEnv()`); `api` as for the constructor. */
    static async ofTestbed(env: Record<string, string>, api?: string): Promise<OpenStackAdmin> {
        const password = fs.readFileSync(env.TESTBED_KEYSTONE_ADMIN_PASSWORD_FILE, "utf8").trim();
        const admin = new OpenStackAdmin(env.TESTBED_KEYSTONE_URL, password, api);
        await admin.login();
        return admin;
    }

    async login(): Promise<void> {
        this.token = (await adminLogin(this.keystone, this.password)).token;
    }

    async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Props }> {
        const r = await fetch(`${this.api}${path}`, {
            method,
            headers: { "X-Auth-Token": this.token, "Content-Type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await r.text();
        return { status: r.status, body: text ? JSON.parse(text) : {} };
    }

    /** A GET on Keystone, whatever `api` is. */
    async keystoneGet(path: string): Promise<Props> {
        return (
            await fetch(`${this.keystone}${path}`, { headers: { "X-Auth-Token": this.token } })
        ).json() as Promise<Props>;
    }

    /** The status of a GET (404: gone). */
    async status(path: string): Promise<number> {
        return (await this.call("GET", path)).status;
    }
}
