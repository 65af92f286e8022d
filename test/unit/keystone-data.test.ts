// The on-host Keystone data script (components/keystone/oslab-keystone.py behind the shared
// components/shared/oslab-api.py, as keystonePy() renders it), run for real with python3
// (and python 2.7 when present: the Folsom hosts have only that) against an in-memory fake
// of Keystone's v2.0 and v3 APIs that replaces its `http` function. No network: the fake
// answers inside the python process.
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { keystonePy } from "../../components/keystone/render";
import { requireTool } from "./tools";

// The fake Keystone: just the calls the script makes, with Keystone's status codes.
const FAKE = String.raw`
import io, json, os, re, sys
given = json.loads(sys.stdin.read())
mod = {"__name__": "oslab_keystone"}
exec(compile(given["program"], "oslab-keystone.py", "exec"), mod)

scenario = given["scenario"]
st = scenario["state"]
BASE = scenario["base"]
seq = [0]
def new_id(kind):
    seq[0] += 1
    return "%s%d" % (kind, seq[0])
def by(kind, name):
    for o in st[kind].values():
        if o["name"] == name:
            return o
    return None
tokens = {}
calls = []

def fake_http(method, url, body=None, token=None, timeout=60):
    if st.get("down"):
        raise mod["Unreachable"]("%s %s: [Errno 111] Connection refused" % (method, url))
    assert url.startswith(BASE), url
    path = url[len(BASE):]
    calls.append("%s %s" % (method, path.split("?")[0]))
    def resp(status, obj=None, hdrs=None):
        return status, dict((k.lower(), v) for k, v in (hdrs or {}).items()), obj
    def err(status, msg):
        return resp(status, {"error": {"code": status, "message": msg}})
    tok = token
    if st["dialect"] == "v2.0":
        if method == "POST" and path == "/tokens":
            pc = body["auth"]["passwordCredentials"]
            u = by("users", pc["username"])
            if not u or u.get("password") != pc["password"]:
                return err(401, "Invalid user / password")
            t = new_id("tok")
            tokens[t] = u["id"]
            access = {"token": {"id": t}}
            if body["auth"].get("tenantName"):
                access["serviceCatalog"] = [{"type": x} for x in st["catalog"]]
            return resp(200, {"access": access})
        if tok != st["admin_token"]:
            return err(401, "The request you have made requires authentication.")
        m = re.match(r"^/(tenants|users|OS-KSADM/roles)$", path.split("?")[0])
        if m:
            kind = {"tenants": "projects", "users": "users", "OS-KSADM/roles": "roles"}[m.group(1)]
            key = {"projects": "tenant", "users": "user", "roles": "role"}[kind]
            if method == "GET":
                return resp(200, {m.group(1).split("/")[-1]: [dict((k, v) for k, v in o.items() if k != "password") for o in st[kind].values()]})
            o = dict(body[key]); o["id"] = new_id(kind[0]); st[kind][o["id"]] = o
            return resp(200, {key: dict((k, v) for k, v in o.items() if k != "password")})
        m = re.match(r"^/(tenants|users|OS-KSADM/roles)/([^/]+)$", path)
        if m and method == "DELETE":
            kind = {"tenants": "projects", "users": "users", "OS-KSADM/roles": "roles"}[m.group(1)]
            if m.group(2) not in st[kind]:
                return err(404, "not found")
            del st[kind][m.group(2)]
            st["grants"] = [g for g in st["grants"] if m.group(2) not in g]
            return resp(204)
        m = re.match(r"^/users/([^/]+)/OS-KSADM/password$", path)
        if m and method == "PUT":
            st["users"][m.group(1)]["password"] = body["user"]["password"]
            return resp(200, {"user": {"id": m.group(1)}})
        m = re.match(r"^/tenants/([^/]+)/users/([^/]+)/roles$", path)
        if m and method == "GET":
            return resp(200, {"roles": [st["roles"][g[2]] for g in st["grants"] if g[0] == m.group(2) and g[1] == m.group(1)]})
        m = re.match(r"^/tenants/([^/]+)/users/([^/]+)/roles/OS-KSADM/([^/]+)$", path)
        if m:
            g = [m.group(2), m.group(1), m.group(3)]
            if method == "PUT":
                st["grants"].append(g)
                return resp(200, {"role": st["roles"][g[2]]})
            if g not in st["grants"]:
                return err(404, "not found")
            st["grants"].remove(g)
            return resp(204)
        return err(404, "no route %s %s" % (method, path))
    # v3
    if method == "POST" and path.split("?")[0] == "/auth/tokens":
        ref = body["auth"]["identity"]["password"]["user"]
        u = st["users"].get(ref.get("id")) if "id" in ref else by("users", ref["name"])
        if not u or u.get("password") != ref["password"]:
            return err(401, "The request you have made requires authentication.")
        scope = body["auth"].get("scope")
        if scope:
            p = by("projects", scope["project"]["name"])
            if not p or not [g for g in st["grants"] if g[0] == u["id"] and g[1] == p["id"]]:
                return err(401, "not authorized for that project")
        t = new_id("tok")
        tokens[t] = u["id"]
        tb = {"user": {"id": u["id"]}}
        if "nocatalog" not in path:
            tb["catalog"] = [{"type": x} for x in st["catalog"]]
        return resp(201, {"token": tb}, {"X-Subject-Token": t})
    if tok not in tokens:
        return err(401, "The request you have made requires authentication.")
    m = re.match(r"^/(projects|users|roles)(\?(.*))?$", path)
    if m:
        kind = m.group(1)
        if method == "GET":
            qs = dict(kv.split("=", 1) for kv in (m.group(3) or "").split("&") if kv)
            items = [dict((k, v) for k, v in o.items() if k != "password") for o in st[kind].values()
                     if o["name"] == qs.get("name", o["name"]) and o.get("domain_id") == qs.get("domain_id", o.get("domain_id"))]
            return resp(200, {kind: items})
        key = kind[:-1]
        o = dict(body[key]); o["id"] = new_id(kind[0]); o.setdefault("domain_id", None); st[kind][o["id"]] = o
        return resp(201, {key: dict((k, v) for k, v in o.items() if k != "password")})
    m = re.match(r"^/(projects|users|roles)/([^/]+)$", path)
    if m:
        kind, oid = m.group(1), m.group(2)
        if oid not in st[kind]:
            return err(404, "not found")
        if method == "DELETE":
            del st[kind][oid]
            st["grants"] = [g for g in st["grants"] if oid not in g]
            return resp(204)
        if method == "PATCH":
            st[kind][oid].update(body[kind[:-1]])
            return resp(200, {kind[:-1]: {"id": oid}})
    m = re.match(r"^/projects/([^/]+)/users/([^/]+)/roles/([^/]+)$", path)
    if m:
        g = [m.group(2), m.group(1), m.group(3)]
        if method == "PUT":
            st["grants"].append(g)
            return resp(204)
        if g not in st["grants"]:
            return err(404, "not found")
        if method == "DELETE":
            st["grants"].remove(g)
        return resp(204)
    return err(404, "no route %s %s" % (method, path))

mod["http"] = fake_http
mod["time"].sleep = lambda s: None
results = []
for step in scenario["steps"]:
    r, w = os.pipe()
    os.write(w, json.dumps(step["spec"]).encode("utf-8"))
    os.close(w)
    if r != 3:
        os.dup2(r, 3)
        os.close(r)
    del calls[:]
    out, errs = (io.StringIO(), io.StringIO()) if sys.version_info[0] >= 3 else (__import__("StringIO").StringIO(), __import__("StringIO").StringIO())
    sys.stdout, sys.stderr = out, errs
    sys.argv = ["oslab-keystone.py", step["mode"]]
    code = 0
    try:
        mod["main"]()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    rec = step["spec"].get("record")
    results.append({"code": code, "out": out.getvalue(), "err": errs.getvalue(), "calls": list(calls),
                    "record": json.load(open(rec)) if rec and os.path.exists(rec) else None})
names = lambda kind: sorted(o["name"] for o in st[kind].values())
def gname(g):
    return "%s/%s/%s" % (st["users"][g[0]]["name"], st["projects"][g[1]]["name"], st["roles"][g[2]]["name"])
print(json.dumps({"results": results, "projects": names("projects"), "users": names("users"), "roles": names("roles"),
                  "grants": sorted(gname(g) for g in st["grants"]),
                  "passwords": dict((o["name"], o.get("password")) for o in st["users"].values())}))
`;

interface StepResult {
    code: number;
    out: string;
    err: string;
    calls: string[];
    record: Record<string, unknown> | null;
}
interface Outcome {
    results: StepResult[];
    projects: string[];
    users: string[];
    roles: string[];
    grants: string[];
    passwords: Record<string, string | null>;
}

/** The first python 2 found, if any (the Folsom hosts' interpreter; Debian 12 has none to install). */
const PYTHON2 = ["python2.7", "/root/.pyenv/versions/2.7.18/bin/python"].find(
    (p) => spawnSync(p, ["-c", "import sys; print(sys.version_info[0])"]).stdout?.toString().trim() === "2",
);

/** python3 always (missing, the suite fails: test/unit/tools.ts), python 2 where present. */
const PYTHONS = ["python3", ...(PYTHON2 ? [PYTHON2] : [])];

function run(python: string, scenario: unknown): Outcome {
    const r = spawnSync(python, ["-c", FAKE], {
        input: JSON.stringify({ program: keystonePy(), scenario }),
    });
    if (r.status !== 0) {
        throw new Error(`${python} harness failed: ${r.stderr.toString()}`);
    }
    return JSON.parse(r.stdout.toString()) as Outcome;
}

const V2_URL = "http://192.168.122.111:35357/v2.0";
const V3_URL = "http://198.51.100.11:5000/v3";

function folsomSpec(
    record: string,
    passwords: Record<string, string>,
    services = ["nova", "glance", "quantum", "cinder"],
) {
    return {
        dialect: "v2.0",
        url: V2_URL,
        auth: { token: "ADMINTOKEN" },
        record,
        wait: 5,
        projects: [
            { name: "admin", description: "" },
            { name: "service", description: "" },
        ],
        roles: ["admin", "Member", "KeystoneAdmin", "KeystoneServiceAdmin"],
        users: [
            { name: "admin", password: passwords.admin, project: "admin" },
            ...services.map((s) => ({ name: s, password: passwords[s], project: "service" })),
        ],
        assignments: [
            { user: "admin", project: "admin", role: "admin" },
            { user: "admin", project: "admin", role: "KeystoneAdmin" },
            { user: "admin", project: "admin", role: "KeystoneServiceAdmin" },
            ...services.map((s) => ({ user: s, project: "service", role: "admin" })),
        ],
    };
}

function emptyV2() {
    return { dialect: "v2.0", admin_token: "ADMINTOKEN", projects: {}, users: {}, roles: {}, grants: [], catalog: [] };
}

/** What `keystone-manage bootstrap` leaves behind (Zed). */
function bootstrapped() {
    return {
        dialect: "v3",
        projects: { p0: { id: "p0", name: "admin", domain_id: "default" } },
        users: { u0: { id: "u0", name: "admin", domain_id: "default", password: "ADMINPW" } },
        roles: {
            r0: { id: "r0", name: "admin", domain_id: null },
            r1: { id: "r1", name: "member", domain_id: null },
            r2: { id: "r2", name: "reader", domain_id: null },
        },
        grants: [["u0", "p0", "r0"]],
        catalog: ["identity", "image", "compute"],
    };
}

function zedSpec(record: string) {
    const services = ["nova", "glance", "neutron", "cinder", "placement"];
    return {
        dialect: "v3",
        url: V3_URL,
        domain: "default",
        record,
        wait: 5,
        auth: { username: "admin", password: "ADMINPW", project: "admin", domain: "Default" },
        projects: [
            { name: "admin", description: "" },
            { name: "service", description: "" },
        ],
        roles: ["admin", "member", "reader"],
        users: [
            { name: "admin", project: "admin" },
            ...services.map((s) => ({ name: s, password: `${s}-pw`, project: "service" })),
        ],
        assignments: [
            { user: "admin", project: "admin", role: "admin" },
            ...services.map((s) => ({ user: s, project: "service", role: "admin" })),
        ],
    };
}

for (const python of PYTHONS) {
    describe(`keystone data script (${python})`, () => {
        let dir: string;
        let record: string;
        before(() => {
            if (python === "python3") {
                requireTool("python3");
            }
        });
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-ks-"));
            record = path.join(dir, "state", "keystone-data.json");
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("v2.0 (Folsom): creates the article's data once, reconciles changes, delete removes all of it", () => {
            const pw = { admin: "A-pw", nova: "N-pw", glance: "G-pw", quantum: "Q-pw", cinder: "C-pw" };
            const spec = folsomSpec(record, pw);
            const changed = folsomSpec(record, { ...pw, glance: "G-pw2" }, ["nova", "glance", "quantum"]);
            const o = run(python, {
                base: V2_URL,
                state: emptyV2(),
                steps: [
                    { mode: "apply", spec },
                    { mode: "apply", spec },
                    { mode: "apply", spec: changed },
                    { mode: "delete", spec: changed },
                ],
            });
            const [first, second, third, del] = o.results;
            expect(first.code).to.equal(0);
            expect(first.out).to.equal(
                [
                    "created project admin",
                    "created project service",
                    "created role admin",
                    "created role Member",
                    "created role KeystoneAdmin",
                    "created role KeystoneServiceAdmin",
                    "created user admin",
                    "created user nova",
                    "created user glance",
                    "created user quantum",
                    "created user cinder",
                    "gave admin the role admin in admin",
                    "gave admin the role KeystoneAdmin in admin",
                    "gave admin the role KeystoneServiceAdmin in admin",
                    "gave nova the role admin in service",
                    "gave glance the role admin in service",
                    "gave quantum the role admin in service",
                    "gave cinder the role admin in service",
                    "",
                ].join("\n"),
            );
            expect(first.record).to.deep.equal({
                projects: ["admin", "service"],
                roles: ["admin", "Member", "KeystoneAdmin", "KeystoneServiceAdmin"],
                users: ["admin", "nova", "glance", "quantum", "cinder"],
                assignments: [
                    ["admin", "admin", "admin"],
                    ["admin", "admin", "KeystoneAdmin"],
                    ["admin", "admin", "KeystoneServiceAdmin"],
                    ["nova", "service", "admin"],
                    ["glance", "service", "admin"],
                    ["quantum", "service", "admin"],
                    ["cinder", "service", "admin"],
                ],
            });
            // second run: nothing to do, only reads (and password checks)
            expect(second).to.include({ code: 0, out: "", err: "" });
            expect(second.calls.filter((c) => !c.startsWith("GET ") && c !== "POST /tokens")).to.deep.equal([]);
            expect(second.record).to.deep.equal(first.record);
            // third: glance's password changed, cinder left the spec
            expect(third.code).to.equal(0);
            expect(third.out).to.equal(
                "set the password of user glance\nremoved role admin of cinder in service\nremoved user cinder\n",
            );
            expect((third.record as { users: string[] }).users).to.deep.equal(["admin", "nova", "glance", "quantum"]);
            // delete: everything recorded is gone, and the record with it
            expect(del.code).to.equal(0);
            expect(del.record).to.equal(null);
            expect(o).to.deep.include({ projects: [], users: [], roles: [], grants: [] });
            for (const r of o.results) {
                for (const secret of ["ADMINTOKEN", ...Object.values(pw), "G-pw2"]) {
                    expect(r.out + r.err).to.not.include(secret);
                }
            }
        });

        it("v2.0: an object it did not create (a hand-made role) is used but never removed", () => {
            const state = { ...emptyV2(), roles: { r9: { id: "r9", name: "Member" } } };
            const spec = folsomSpec(record, { admin: "a", nova: "n", glance: "g", quantum: "q", cinder: "c" });
            const o = run(python, {
                base: V2_URL,
                state,
                steps: [
                    { mode: "apply", spec },
                    { mode: "delete", spec },
                ],
            });
            expect(o.results[0].out).to.not.include("created role Member");
            expect((o.results[0].record as { roles: string[] }).roles).to.deep.equal([
                "admin",
                "KeystoneAdmin",
                "KeystoneServiceAdmin",
            ]);
            expect(o.roles).to.deep.equal(["Member"]);
            expect(o.users).to.deep.equal([]);
        });

        it("v2.0: a wrong admin token fails with the API's message and no secret", () => {
            const spec = {
                ...folsomSpec(record, { admin: "a", nova: "n", glance: "g", quantum: "q", cinder: "c" }),
                auth: { token: "WRONGTOKEN" },
            };
            const o = run(python, { base: V2_URL, state: emptyV2(), steps: [{ mode: "apply", spec }] });
            expect(o.results[0]).to.include({ code: 1, out: "" });
            expect(o.results[0].err).to.equal(
                "oslab-keystone: check the admin token: GET /tenants failed: HTTP 401 The request you have made requires authentication.\n",
            );
        });

        it("v3 (Zed): adds the service project, users and grants to bootstrap's data; delete leaves bootstrap's", () => {
            const spec = zedSpec(record);
            const o = run(python, {
                base: V3_URL,
                state: bootstrapped(),
                steps: [
                    { mode: "apply", spec },
                    { mode: "apply", spec },
                    { mode: "delete", spec },
                ],
            });
            expect(o.results[0].code).to.equal(0);
            expect(o.results[0].out).to.equal(
                [
                    "created project service",
                    "created user nova",
                    "created user glance",
                    "created user neutron",
                    "created user cinder",
                    "created user placement",
                    "gave nova the role admin in service",
                    "gave glance the role admin in service",
                    "gave neutron the role admin in service",
                    "gave cinder the role admin in service",
                    "gave placement the role admin in service",
                    "",
                ].join("\n"),
            );
            expect(o.results[0].record).to.deep.equal({
                projects: ["service"],
                roles: [],
                users: ["nova", "glance", "neutron", "cinder", "placement"],
                assignments: ["nova", "glance", "neutron", "cinder", "placement"].map((s) => [s, "service", "admin"]),
            });
            expect(o.results[1]).to.include({ code: 0, out: "", err: "" });
            expect(o.results[2].code).to.equal(0);
            expect(o).to.deep.include({
                projects: ["admin"],
                users: ["admin"],
                roles: ["admin", "member", "reader"],
                grants: ["admin/admin/admin"],
            });
            expect(o.passwords).to.deep.equal({ admin: "ADMINPW" });
        });

        it("v3: a service user whose password changed gets the new one (PATCH), checked by logging in", () => {
            const spec = zedSpec(record);
            const changed = {
                ...spec,
                users: spec.users.map((u) => (u.name === "nova" ? { ...u, password: "nova-pw2" } : u)),
            };
            const o = run(python, {
                base: V3_URL,
                state: bootstrapped(),
                steps: [
                    { mode: "apply", spec },
                    { mode: "apply", spec: changed },
                ],
            });
            expect(o.results[1]).to.include({ code: 0, out: "set the password of user nova\n" });
            expect(o.results[1].calls.filter((c) => !c.startsWith("GET ") && c !== "POST /auth/tokens")).to.have.length(
                1,
            );
            expect(o.results[1].calls.find((c) => c.startsWith("PATCH "))).to.match(/^PATCH \/users\/u\d+$/);
            expect(o.passwords.nova).to.equal("nova-pw2");
        });

        it("verify: passes with every expected service type, fails naming the missing ones", () => {
            const auth = { username: "admin", password: "ADMINPW", project: "admin", domain: "Default" };
            const ok = { dialect: "v3", url: V3_URL, auth, expect: ["identity", "image"], wait: 5 };
            const bad = { ...ok, expect: ["identity", "network", "volumev3"] };
            const o = run(python, {
                base: V3_URL,
                state: bootstrapped(),
                steps: [
                    { mode: "verify", spec: ok },
                    { mode: "verify", spec: bad },
                ],
            });
            expect(o.results[0]).to.include({ code: 0, out: "catalog: compute, identity, image\n" });
            expect(o.results[1]).to.include({
                code: 1,
                out: "",
                err: "oslab-keystone: the service catalog lacks network, volumev3 (has: compute, identity, image)\n",
            });
            const v2 = {
                dialect: "v2.0",
                url: V2_URL,
                auth: { username: "admin", password: "A", project: "admin" },
                expect: ["compute", "ec2"],
                wait: 5,
            };
            const state = {
                ...emptyV2(),
                users: { u1: { id: "u1", name: "admin", password: "A" } },
                catalog: ["identity", "compute", "ec2"],
            };
            const o2 = run(python, { base: V2_URL, state, steps: [{ mode: "verify", spec: v2 }] });
            expect(o2.results[0]).to.include({ code: 0, out: "catalog: compute, ec2, identity\n" });
        });

        it("delete tolerates a Keystone that no longer answers (its database is dropped next) and a host never set up", () => {
            const spec = zedSpec(record);
            fs.mkdirSync(path.dirname(record), { recursive: true });
            fs.writeFileSync(
                record,
                JSON.stringify({ projects: ["service"], users: ["nova"], roles: [], assignments: [] }),
            );
            const o = run(python, {
                base: V3_URL,
                state: { ...bootstrapped(), down: true },
                steps: [
                    { mode: "delete", spec },
                    { mode: "delete", spec },
                ],
            });
            expect(o.results[0].code).to.equal(0);
            expect(o.results[0].err).to.equal(
                "warning: keystone data not removed through the API (POST http://198.51.100.11:5000/v3/auth/tokens?nocatalog: " +
                    "[Errno 111] Connection refused); the keystone database that holds it is dropped by this destroy\n",
            );
            expect(o.results[0].record).to.equal(null);
            expect(o.results[1]).to.include({ code: 0, out: "nothing recorded\n" });
        });
    });
}
