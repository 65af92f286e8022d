// The policy mode the test bed's Keystone and neutron-server run with, so the
// KeystoneEndpoint and QuantumNetwork tests are known to run under it: the installed
// oslo.policy's defaults for [oslo_policy] enforce_scope / enforce_new_defaults (False in
// 4.0, Debian 12; True from 4.4, so Debian 13's 4.5 = OpenStack 2025.1), nothing set in
// the bed's config files (testbed-lib.sh: tb_policy_mode reads what the services read).
// The providers log in with a project-scoped admin token, which must work either way;
// here a system-scoped admin token shows that scope checks are really on or off.
import { expect } from "chai";
import * as fs from "fs";
import { testbedEnv } from "./testbed";

interface Login {
    token: string;
    projectId?: string;
}

async function login(authUrl: string, password: string, scope: object): Promise<Login> {
    const r = await fetch(`${authUrl}/auth/tokens`, {
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
    expect(r.status, "admin login").to.equal(201);
    const body = (await r.json()) as { token: { project?: { id: string } } };
    return { token: r.headers.get("x-subject-token") ?? "", projectId: body.token.project?.id };
}

describe("policy mode of the test bed's Keystone and neutron-server", function () {
    this.timeout(60000);
    const env = () => testbedEnv();
    const name = `oslabtest-scope-${Date.now().toString(36)}`;
    let project: Login;
    let system: Login;

    /** The (enforce_scope, enforce_new_defaults) pair recorded for a service by the bed. */
    const mode = (recorded: string | undefined) => {
        expect(recorded, "policy mode recorded by the test bed").to.match(
            /^enforce_scope=(True|False) enforce_new_defaults=(True|False)$/,
        );
        const m = /enforce_scope=(\w+) enforce_new_defaults=(\w+)/.exec(recorded as string) as RegExpExecArray;
        return { enforceScope: m[1] === "True", enforceNewDefaults: m[2] === "True" };
    };

    before(async () => {
        const e = env();
        const password = fs.readFileSync(e.TESTBED_KEYSTONE_ADMIN_PASSWORD_FILE, "utf8").trim();
        project = await login(e.TESTBED_KEYSTONE_URL, password, {
            project: { name: "admin", domain: { name: "Default" } },
        });
        system = await login(e.TESTBED_KEYSTONE_URL, password, { system: { all: true } });
    });

    after(async () => {
        const url = env().TESTBED_NEUTRON_URL;
        const r = await fetch(`${url}/v2.0/networks?name=${name}`, { headers: { "X-Auth-Token": project.token } });
        for (const n of ((await r.json()) as { networks: { id: string }[] }).networks) {
            await fetch(`${url}/v2.0/networks/${n.id}`, {
                method: "DELETE",
                headers: { "X-Auth-Token": project.token },
            });
        }
    });

    it("Keystone and neutron-server run with oslo.policy's defaults (the bed sets neither option)", () => {
        const defaults = mode(env().TESTBED_OSLO_POLICY_DEFAULTS);
        expect(mode(env().TESTBED_KEYSTONE_POLICY), "keystone").to.deep.equal(defaults);
        expect(mode(env().TESTBED_NEUTRON_POLICY), "neutron-server").to.deep.equal(defaults);
    });

    it("neutron-server refuses a system-scoped admin token for a project's network exactly when scope is enforced", async () => {
        const { enforceScope } = mode(env().TESTBED_NEUTRON_POLICY);
        const r = await fetch(`${env().TESTBED_NEUTRON_URL}/v2.0/networks`, {
            method: "POST",
            headers: { "X-Auth-Token": system.token, "Content-Type": "application/json" },
            body: JSON.stringify({ network: { name, tenant_id: project.projectId } }),
        });
        const body = (await r.json()) as { NeutronError?: { type: string; message: string } };
        if (enforceScope) {
            expect({ status: r.status, error: body.NeutronError }).to.deep.equal({
                status: 403,
                error: {
                    type: "InvalidScope",
                    message: "rule:create_network requires a scope of ['project'], request was made with system scope.",
                    detail: "",
                },
            });
        } else {
            expect(r.status).to.equal(201);
        }
    });
});
