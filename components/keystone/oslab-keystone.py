# oslab-keystone.py - the article's Keystone data script [1], done idempotently:
# tenants/projects, users, roles and role assignments, found or created through
# Keystone's REST API (v2.0 for Folsom, v3 for Zed). Python 2.7 and 3.2+.
# This file is the program's own part: components/keystone/render.ts sends it with
# components/shared/oslab-api.py in front, as one program; http, api_message, q, named,
# run_mode, ApiError and Unreachable come from there (oslab-demo.py uses them too).
#
# Usage: python3 - MODE 3<spec.json     (MODE: apply | delete | verify)
# The spec (JSON, holds the admin token or password and the users' passwords) arrives
# on file descriptor 3, never on a command line:
#   {"dialect": "v2.0" | "v3", "url": "http://192.168.122.111:35357/v2.0",
#    "auth": {"token": "..."} | {"username", "password", "project", "domain"},
#    "domain": "default",                               (v3: domain of everything)
#    "projects": [{"name", "description"}],
#    "users": [{"name", "password" (optional: leave the password alone), "project"}],
#    "roles": ["admin", ...],
#    "assignments": [{"user", "project", "role"}],
#    "record": "/var/lib/openstack-lab/keystone-data.json",
#    "expect": ["identity", "compute", ...],            (verify: catalog service types)
#    "wait": 180}                                       (seconds to wait for the API)
# apply   find-or-create everything in the spec; a user whose password no longer works
#         gets the spec's password. What this script creates is recorded (names only) in
#         `record`; recorded objects that left the spec are removed again, objects it
#         did not create (bootstrap's admin, anything made by hand) are never removed.
# delete  remove every recorded object (assignments, users, projects, roles), then the
#         record. Keystone not answering is a warning only: the data lives in the
#         keystone database, which the same destroy drops right after this step.
# verify  log in with the spec's password credentials and check that the token's
#         service catalog has every `expect`ed service type.
# Prints what it changed (names only); errors name the call and the API's message,
# never a password or token.
import json
import os
import sys
import time

class Keystone(object):
    """Calls shared by both dialects; subclasses know the paths and bodies."""

    def __init__(self, spec):
        self.url = spec["url"].rstrip("/")
        self.auth = spec["auth"]
        self.domain = spec.get("domain", "default")
        self.wait = int(spec.get("wait", 180))
        self.token = None

    def call(self, method, path, body=None, ok=(200,), tolerate=(), what=""):
        status, hdrs, parsed = http(method, self.url + path, body, self.token, timeout=30)
        if status in tolerate:
            return status, None
        if status not in ok:
            raise ApiError("%s: %s %s failed: HTTP %d %s" % (what, method, path, status, api_message(parsed)))
        return status, parsed

    def wait_until_up(self):
        """Keystone was just (re)started: wait until it answers, then log in."""
        deadline = time.time() + self.wait
        while True:
            try:
                self.login()
                return
            except (Unreachable, ApiError) as e:
                retry = isinstance(e, Unreachable) or " HTTP 5" in str(e)
                if not retry or time.time() >= deadline:
                    raise
                time.sleep(2)

    # helpers over the dialect's primitives
    def ensure(self, created, kind, name, find, create):
        obj = find(name)
        if obj is None:
            obj = create()
            created[kind].append(name)
            print("created %s %s" % (kind[:-1], name))
        return obj


class V2(Keystone):
    """Keystone v2.0 (Folsom): the admin API on :35357, OS-KSADM extensions."""

    def login(self):
        if "token" in self.auth:
            self.token = self.auth["token"]
            self.call("GET", "/tenants", what="check the admin token")
            return
        self.token = self.password_token(self.auth["username"], self.auth["password"], self.auth.get("project"))
        if self.token is None:
            raise ApiError("log in as %s: credentials rejected" % self.auth["username"])

    def password_token(self, user, password, project=None, catalog=False):
        body = {"auth": {"passwordCredentials": {"username": user, "password": password}}}
        if project:
            body["auth"]["tenantName"] = project
        status, hdrs, parsed = http("POST", self.url + "/tokens", body, timeout=30)
        if status == 401:
            return None
        if status != 200:
            raise ApiError("log in as %s: POST /tokens failed: HTTP %d %s" % (user, status, api_message(parsed)))
        if catalog:
            return parsed["access"].get("serviceCatalog", [])
        return parsed["access"]["token"]["id"]

    def _by_name(self, path, key, name):
        return named(self.call("GET", path, what="list %s" % key)[1][key], name)

    def find_project(self, name):
        return self._by_name("/tenants", "tenants", name)

    def create_project(self, p):
        body = {"tenant": {"name": p["name"], "description": p.get("description", ""), "enabled": True}}
        return self.call("POST", "/tenants", body, what="create tenant %s" % p["name"])[1]["tenant"]

    def delete_project(self, o):
        self.call("DELETE", "/tenants/%s" % o["id"], ok=(200, 204), tolerate=(404,), what="delete tenant %s" % o["name"])

    def find_user(self, name):
        return self._by_name("/users", "users", name)

    def create_user(self, u, project):
        body = {"user": {"name": u["name"], "enabled": True}}
        if u.get("password") is not None:
            body["user"]["password"] = u["password"]
        if project is not None:
            body["user"]["tenantId"] = project["id"]
        return self.call("POST", "/users", body, what="create user %s" % u["name"])[1]["user"]

    def password_works(self, user, password):
        return self.password_token(user["name"], password) is not None

    def set_password(self, user, password):
        self.call("PUT", "/users/%s/OS-KSADM/password" % user["id"], {"user": {"password": password}},
                  what="set the password of user %s" % user["name"])

    def delete_user(self, o):
        self.call("DELETE", "/users/%s" % o["id"], ok=(200, 204), tolerate=(404,), what="delete user %s" % o["name"])

    def find_role(self, name):
        return self._by_name("/OS-KSADM/roles", "roles", name)

    def create_role(self, name):
        return self.call("POST", "/OS-KSADM/roles", {"role": {"name": name}}, what="create role %s" % name)[1]["role"]

    def delete_role(self, o):
        self.call("DELETE", "/OS-KSADM/roles/%s" % o["id"], ok=(200, 204), tolerate=(404,), what="delete role %s" % o["name"])

    def _grant_path(self, user, project, role):
        return "/tenants/%s/users/%s/roles/OS-KSADM/%s" % (project["id"], user["id"], role["id"])

    def has_grant(self, user, project, role):
        roles = self.call("GET", "/tenants/%s/users/%s/roles" % (project["id"], user["id"]),
                          what="list roles of %s in %s" % (user["name"], project["name"]))[1]["roles"]
        return any(r.get("id") == role["id"] for r in roles)

    def grant(self, user, project, role):
        self.call("PUT", self._grant_path(user, project, role), ok=(200, 201, 204),
                  what="give %s the role %s in %s" % (user["name"], role["name"], project["name"]))

    def revoke(self, user, project, role):
        self.call("DELETE", self._grant_path(user, project, role), ok=(200, 204), tolerate=(404,),
                  what="take the role %s of %s in %s" % (role["name"], user["name"], project["name"]))

    def catalog_types(self):
        cat = self.password_token(self.auth["username"], self.auth["password"], self.auth.get("project"), catalog=True)
        if cat is None:
            raise ApiError("log in as %s: credentials rejected" % self.auth["username"])
        return sorted(set(s.get("type") for s in cat))


class V3(Keystone):
    """Keystone v3 (Zed): password login, everything in one domain."""

    def _password_body(self, user_ref, password, project=None):
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": dict(user_ref, password=password)}}}}
        if project:
            body["auth"]["scope"] = {"project": {"name": project, "domain": {"name": self.auth.get("domain", "Default")}}}
        return body

    def _login(self, user_ref, password, project=None, catalog=False):
        path = "/auth/tokens" if catalog else "/auth/tokens?nocatalog"
        status, hdrs, parsed = http("POST", self.url + path, self._password_body(user_ref, password, project), timeout=30)
        if status == 401:
            return None
        if status != 201:
            raise ApiError("log in: POST /auth/tokens failed: HTTP %d %s" % (status, api_message(parsed)))
        if catalog:
            return parsed["token"].get("catalog", [])
        return hdrs.get("x-subject-token")

    def login(self):
        ref = {"name": self.auth["username"], "domain": {"name": self.auth.get("domain", "Default")}}
        self.token = self._login(ref, self.auth["password"], self.auth.get("project"))
        if self.token is None:
            raise ApiError("log in as %s: credentials rejected" % self.auth["username"])

    def _one(self, path, key):
        items = self.call("GET", path, what="list %s" % key)[1][key]
        return items[0] if items else None

    def find_project(self, name):
        return self._one("/projects?domain_id=%s&name=%s" % (q(self.domain), q(name)), "projects")

    def create_project(self, p):
        body = {"project": {"name": p["name"], "description": p.get("description", ""), "domain_id": self.domain, "enabled": True}}
        return self.call("POST", "/projects", body, ok=(201,), what="create project %s" % p["name"])[1]["project"]

    def delete_project(self, o):
        self.call("DELETE", "/projects/%s" % o["id"], ok=(204,), tolerate=(404,), what="delete project %s" % o["name"])

    def find_user(self, name):
        return self._one("/users?domain_id=%s&name=%s" % (q(self.domain), q(name)), "users")

    def create_user(self, u, project):
        body = {"user": {"name": u["name"], "domain_id": self.domain, "enabled": True}}
        if u.get("password") is not None:
            body["user"]["password"] = u["password"]
        return self.call("POST", "/users", body, ok=(201,), what="create user %s" % u["name"])[1]["user"]

    def password_works(self, user, password):
        return self._login({"id": user["id"]}, password) is not None

    def set_password(self, user, password):
        self.call("PATCH", "/users/%s" % user["id"], {"user": {"password": password}},
                  what="set the password of user %s" % user["name"])

    def delete_user(self, o):
        self.call("DELETE", "/users/%s" % o["id"], ok=(204,), tolerate=(404,), what="delete user %s" % o["name"])

    def find_role(self, name):
        for r in self.call("GET", "/roles?name=%s" % q(name), what="list roles")[1]["roles"]:
            if r.get("domain_id") is None:
                return r
        return None

    def create_role(self, name):
        return self.call("POST", "/roles", {"role": {"name": name}}, ok=(201,), what="create role %s" % name)[1]["role"]

    def delete_role(self, o):
        self.call("DELETE", "/roles/%s" % o["id"], ok=(204,), tolerate=(404,), what="delete role %s" % o["name"])

    def _grant_path(self, user, project, role):
        return "/projects/%s/users/%s/roles/%s" % (project["id"], user["id"], role["id"])

    def has_grant(self, user, project, role):
        status, _ = self.call("GET", self._grant_path(user, project, role), ok=(200, 204), tolerate=(404,),
                              what="check the role %s of %s in %s" % (role["name"], user["name"], project["name"]))
        return status != 404

    def grant(self, user, project, role):
        self.call("PUT", self._grant_path(user, project, role), ok=(204,),
                  what="give %s the role %s in %s" % (user["name"], role["name"], project["name"]))

    def revoke(self, user, project, role):
        self.call("DELETE", self._grant_path(user, project, role), ok=(204,), tolerate=(404,),
                  what="take the role %s of %s in %s" % (role["name"], user["name"], project["name"]))

    def catalog_types(self):
        ref = {"name": self.auth["username"], "domain": {"name": self.auth.get("domain", "Default")}}
        cat = self._login(ref, self.auth["password"], self.auth.get("project"), catalog=True)
        if cat is None:
            raise ApiError("log in as %s: credentials rejected" % self.auth["username"])
        return sorted(set(s.get("type") for s in cat))


KINDS = ("projects", "users", "roles", "assignments")


def empty_record():
    return dict((k, []) for k in KINDS)


def read_record(path):
    if not os.path.exists(path):
        return empty_record()
    with open(path) as f:
        rec = json.load(f)
    out = empty_record()
    for k in KINDS:
        out[k] = [tuple(x) if k == "assignments" else x for x in rec.get(k, [])]
    return out


def write_record(path, rec):
    make_dirs(os.path.dirname(path), 0o700)
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(dict((k, [list(x) if k == "assignments" else x for x in rec[k]]) for k in KINDS), f, sort_keys=True)
    os.rename(tmp, path)


def desired(spec):
    return {
        "projects": [p["name"] for p in spec.get("projects", [])],
        "users": [u["name"] for u in spec.get("users", [])],
        "roles": list(spec.get("roles", [])),
        "assignments": [(a["user"], a["project"], a["role"]) for a in spec.get("assignments", [])],
    }


def remove(ks, rec):
    """Remove the objects in `rec`: assignments, users, projects, roles. Returns what is gone."""
    gone = empty_record()
    for (u, p, r) in rec["assignments"]:
        user, project, role = ks.find_user(u), ks.find_project(p), ks.find_role(r)
        if user and project and role:
            ks.revoke(user, project, role)
            print("removed role %s of %s in %s" % (r, u, p))
        gone["assignments"].append((u, p, r))
    for kind, find, delete in (("users", ks.find_user, ks.delete_user), ("projects", ks.find_project, ks.delete_project),
                               ("roles", ks.find_role, ks.delete_role)):
        for name in rec[kind]:
            obj = find(name)
            if obj is not None:
                delete(obj)
                print("removed %s %s" % (kind[:-1], name))
            gone[kind].append(name)
    return gone


def apply(ks, spec, record_path):
    ks.wait_until_up()
    rec = read_record(record_path)
    created = empty_record()
    projects, users, roles = {}, {}, {}
    try:
        for p in spec.get("projects", []):
            projects[p["name"]] = ks.ensure(created, "projects", p["name"], ks.find_project, lambda: ks.create_project(p))
        for r in spec.get("roles", []):
            roles[r] = ks.ensure(created, "roles", r, ks.find_role, lambda: ks.create_role(r))
        for u in spec.get("users", []):
            project = None
            if u.get("project"):
                project = projects.get(u["project"]) or ks.find_project(u["project"])
            user = ks.ensure(created, "users", u["name"], ks.find_user, lambda: ks.create_user(u, project))
            if u["name"] not in created["users"] and u.get("password") is not None and not ks.password_works(user, u["password"]):
                ks.set_password(user, u["password"])
                print("set the password of user %s" % u["name"])
            users[u["name"]] = user
        for a in spec.get("assignments", []):
            user = users.get(a["user"]) or ks.find_user(a["user"])
            project = projects.get(a["project"]) or ks.find_project(a["project"])
            role = roles.get(a["role"]) or ks.find_role(a["role"])
            for what, obj in (("user", user), ("project", project), ("role", role)):
                if obj is None:
                    raise ApiError("assignment %s/%s/%s: %s %s does not exist" % (a["user"], a["project"], a["role"], what, a[what]))
            if not ks.has_grant(user, project, role):
                ks.grant(user, project, role)
                created["assignments"].append((a["user"], a["project"], a["role"]))
                print("gave %s the role %s in %s" % (a["user"], a["role"], a["project"]))
    finally:
        # record what this run created even when it failed half-way, so delete finds it
        kept = dict((k, rec[k] + [x for x in created[k] if x not in rec[k]]) for k in KINDS)
        write_record(record_path, kept)
    want = desired(spec)
    gone = remove(ks, dict((k, [x for x in kept[k] if x not in want[k]]) for k in KINDS))
    if any(gone[k] for k in KINDS):
        write_record(record_path, dict((k, [x for x in kept[k] if x not in gone[k]]) for k in KINDS))


def delete(ks, record_path):
    if not os.path.exists(record_path):
        print("nothing recorded")
        return
    rec = read_record(record_path)
    try:
        ks.wait_until_up()
        remove(ks, rec)
    except (Unreachable, ApiError) as e:
        sys.stderr.write("warning: keystone data not removed through the API (%s); the keystone database that holds it is dropped by this destroy\n" % e)
    os.remove(record_path)


def verify(ks, spec):
    ks.wait_until_up()
    have = ks.catalog_types()
    missing = [t for t in spec.get("expect", []) if t not in have]
    if missing:
        raise ApiError("the service catalog lacks %s (has: %s)" % (", ".join(missing), ", ".join(have)))
    print("catalog: %s" % ", ".join(have))


def main():
    mode = sys.argv[1]
    with os.fdopen(3) as f:
        spec = json.loads(f.read())
    ks = (V3 if spec["dialect"] == "v3" else V2)(spec)
    record_path = spec.get("record", "/var/lib/openstack-lab/keystone-data.json")
    run_mode("oslab-keystone", mode, {
        "apply": lambda: apply(ks, spec, record_path),
        "delete": lambda: delete(ks, record_path),
        "verify": lambda: verify(ks, spec),
    })


if __name__ == "__main__":
    main()
