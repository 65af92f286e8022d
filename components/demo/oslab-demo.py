# oslab-demo.py - the optional demo project (config key `demo`), as Kolla's init-runonce
# prepares a cloud for a first server: a project and a user with the member role in it,
# the tenant network usable from the project, ICMP and SSH in the project's default
# security group, and the user's key pair. Runs on the controller with Python 2.7 (Folsom's
# Ubuntu 12.04) or 3.2+, standard library only: Folsom's clients have no openstacksdk.
# This file is the program's own part: components/demo/render.ts sends it with
# components/shared/oslab-api.py in front, as one program; http, api_message, q, named,
# run_mode, ApiError and Unreachable come from there (oslab-keystone.py uses them too).
#
# Usage: python /dev/fd/3 MODE 4<secrets <spec     (MODE: apply | delete)
# secrets (fd 4, JSON; never on a command line): {"admin": "<admin password>", "demo": "<the demo user's>"}
# spec (stdin, JSON, no secret):
#   {"dialect": "v2.0" | "v3", "identityUrl": "http://...:35357/v2.0" (v2.0: the admin API),
#    "region": "RegionOne", "domain": "default", "admin": {"user": "admin", "project": "admin"},
#    "project": "demo", "user": "demo", "role": "member",
#    "network": {"name": "private", "access": "rbac" | "shared"},
#    "securityGroups": "neutron" | "nova",
#    "rules": [{"protocol": "icmp"}, {"protocol": "tcp", "port": 22}],
#    "keypair": {"name": "demo-key", "publicKey": "ssh-ed25519 ..."} | null,
#    "record": "/var/lib/openstack-lab/demo.json", "wait": 180}
# apply   find-or-create each part; what this program created is recorded (IDs and names,
#         no secret) in `record`, written even when a run fails half-way. A user whose
#         password no longer works gets the spec's (rotation). A recorded key pair that left
#         the spec or holds another key is removed (and the new one imported); recorded rules
#         that left the spec are removed. Objects it did not create are never removed.
# delete  first, read-only: refuse (exit 1, nothing changed) while the project still holds
#         what its users made - servers, floating IPs, routers, networks, ports - naming
#         each. Then remove every recorded object: key pair, rules, the project's default
#         security group (Neutron made it for a project this program made), the RBAC policy
#         or the network's shared flag, the role assignment, the user, the project; the
#         record shrinks with each, so a failed delete continues where it stopped.
# Prints what it changed (names and IDs); errors name the call and the API's message,
# never a password or token.
#
# How the project reaches the tenant network (the admin owns it):
#   rbac    Neutron: an `access_as_shared` RBAC policy on the network for the project
#           (https://docs.openstack.org/neutron/latest/admin/config-rbac.html); the external
#           network is `router:external`, usable by every project for floating IPs, and the
#           admin's router on the tenant subnet carries them.
#   shared  Quantum v2.0 (Folsom) has no RBAC: the network's `shared` attribute (admin only)
#           opens it to every tenant; put back to false on delete when this program set it.
# Where the rules go:
#   neutron the project's `default` group in the network API, which Neutron creates when
#           the project first lists its groups (neutron/db/securitygroups_db.py
#           get_security_groups -> _ensure_default_security_group); done as the demo user.
#           Deleting a default group is allowed to the admin only, so delete does that.
#   nova    Folsom: Nova's own groups (nova.conf has no security_group_api = quantum;
#           IptablesFirewallDriver enforces them), os-security-groups / -rules of the compute
#           API; listing creates `default` (ensure_default_security_group). Nova refuses to
#           delete a `default` group, so only the rules go; the group row stays in nova's
#           database, which destroy drops.
# The key pair is imported as the demo user (a key pair belongs to the token's user; Folsom's
# compute API has no user_id parameter); one of that name with another key that this
# program did not import fails the run, naming it.
# APIs: Keystone v2.0 (tokens, tenants, users, OS-KSADM roles) and v3
#   (https://docs.openstack.org/api-ref/identity/v3/), compute os-keypairs and
#   servers/detail (https://docs.openstack.org/api-ref/compute/), network rbac-policies,
#   security-groups, security-group-rules, networks, ports, routers, floatingips
#   (https://docs.openstack.org/api-ref/network/v2/). Endpoints come from the tokens' catalogs.
import json
import os
import sys
import time

SPEC = json.loads(sys.stdin.read())
DEADLINE = time.time() + int(SPEC.get("wait", 180))
ANYWHERE = "0.0.0.0/0"


def say(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def call(method, url, body=None, token=None, ok=(200,), tolerate=(), what=""):
    """A request that waits (until the spec's deadline) while the API is down or starting."""
    while True:
        try:
            status, hdrs, parsed = http(method, url, body, token)
        except Unreachable:
            if time.time() < DEADLINE:
                time.sleep(2)
                continue
            raise
        if status in (502, 503, 504) and time.time() < DEADLINE:
            time.sleep(2)
            continue
        break
    if status in tolerate:
        return status, hdrs, None
    if status not in ok:
        raise ApiError("%s: %s %s failed: HTTP %d %s" % (what, method, url.split("?")[0], status, api_message(parsed)))
    return status, hdrs, parsed


def owner(obj):
    return obj.get("project_id") or obj.get("tenant_id")


class Session(object):
    """A token and the endpoints of its catalog (public interface, the spec's region)."""

    def __init__(self, token, endpoints):
        self.token = token
        self.endpoints = endpoints

    def url(self, kind):
        if kind not in self.endpoints:
            raise ApiError("the service catalog has no %s endpoint in region %s" % (kind, SPEC["region"]))
        base = self.endpoints[kind].rstrip("/")
        if kind == "network" and not base.endswith("/v2.0"):
            base += "/v2.0"
        return base

    def get(self, kind, path, what, tolerate=()):
        return call("GET", self.url(kind) + path, token=self.token, tolerate=tolerate, what=what)[2]

    def send(self, method, kind, path, body=None, ok=(200,), tolerate=(), what=""):
        return call(method, self.url(kind) + path, body, self.token, ok, tolerate, what)[2]


class Identity(object):
    def __init__(self):
        self.url = SPEC["identityUrl"].rstrip("/")
        self.admin = None

    def admin_login(self, password):
        self.admin = self.login(SPEC["admin"]["user"], password, SPEC["admin"]["project"])
        if self.admin is None:
            raise ApiError("log in as %s: credentials rejected" % SPEC["admin"]["user"])
        return self.admin

    def a(self, method, path, body=None, ok=(200,), tolerate=(), what=""):
        return call(method, self.url + path, body, self.admin.token, ok, tolerate, what)[2]


class V2(Identity):
    """Keystone v2.0 (Folsom): the admin API (:35357), OS-KSADM extensions."""

    def login(self, user, password, project=None):
        body = {"auth": {"passwordCredentials": {"username": user, "password": password}}}
        if project:
            body["auth"]["tenantName"] = project
        status, _, parsed = call("POST", self.url + "/tokens", body, ok=(200,), tolerate=(401,), what="log in as %s" % user)
        if status == 401:
            return None
        access = parsed["access"]
        endpoints = {}
        for s in access.get("serviceCatalog", []):
            for e in s.get("endpoints", []):
                if e.get("region") in (None, SPEC["region"]) and e.get("publicURL"):
                    endpoints.setdefault(s.get("type"), e["publicURL"])
        return Session(access["token"]["id"], endpoints)

    def _named(self, path, key, name):
        return named(self.a("GET", path, what="list %s" % key)[key], name)

    def find_project(self, name):
        return self._named("/tenants", "tenants", name)

    def create_project(self, name):
        body = {"tenant": {"name": name, "description": "openstack-lab demo", "enabled": True}}
        return self.a("POST", "/tenants", body, what="create tenant %s" % name)["tenant"]

    def delete_project(self, pid, name):
        self.a("DELETE", "/tenants/%s" % pid, ok=(200, 204), tolerate=(404,), what="delete tenant %s" % name)

    def find_user(self, name):
        return self._named("/users", "users", name)

    def create_user(self, name, password, project):
        body = {"user": {"name": name, "password": password, "tenantId": project["id"], "enabled": True}}
        return self.a("POST", "/users", body, what="create user %s" % name)["user"]

    def set_password(self, user, password):
        self.a("PUT", "/users/%s/OS-KSADM/password" % user["id"], {"user": {"password": password}},
               what="set the password of user %s" % user["name"])

    def delete_user(self, uid, name):
        self.a("DELETE", "/users/%s" % uid, ok=(200, 204), tolerate=(404,), what="delete user %s" % name)

    def find_role(self, name):
        return self._named("/OS-KSADM/roles", "roles", name)

    def _grant(self, g):
        return "/tenants/%s/users/%s/roles/OS-KSADM/%s" % (g["project"], g["user"], g["role"])

    def has_grant(self, g):
        roles = self.a("GET", "/tenants/%s/users/%s/roles" % (g["project"], g["user"]), what="list roles of user %s" % g["userName"])
        return any(r.get("id") == g["role"] for r in roles["roles"])

    def grant(self, g):
        self.a("PUT", self._grant(g), ok=(200, 201, 204), what="give %s the role %s" % (g["userName"], g["roleName"]))

    def revoke(self, g):
        self.a("DELETE", self._grant(g), ok=(200, 204), tolerate=(404,), what="take the role %s of %s" % (g["roleName"], g["userName"]))


class V3(Identity):
    """Keystone v3 (Zed and later): one domain for everything."""

    def login(self, user, password, project=None):
        ident = {"methods": ["password"], "password": {"user": {"name": user, "domain": {"name": "Default"}, "password": password}}}
        body = {"auth": {"identity": ident}}
        if project:
            body["auth"]["scope"] = {"project": {"name": project, "domain": {"name": "Default"}}}
        status, hdrs, parsed = call("POST", self.url + "/auth/tokens", body, ok=(201,), tolerate=(401,), what="log in as %s" % user)
        if status == 401:
            return None
        endpoints = {}
        for s in parsed["token"].get("catalog", []):
            for e in s.get("endpoints", []):
                region = e.get("region_id") or e.get("region")
                if e.get("interface") == "public" and region in (None, SPEC["region"]):
                    endpoints.setdefault(s.get("type"), e["url"])
        return Session(hdrs.get("x-subject-token"), endpoints)

    def _one(self, path, key):
        items = self.a("GET", path, what="list %s" % key)[key]
        return items[0] if items else None

    def find_project(self, name):
        return self._one("/projects?domain_id=%s&name=%s" % (q(SPEC["domain"]), q(name)), "projects")

    def create_project(self, name):
        body = {"project": {"name": name, "domain_id": SPEC["domain"], "description": "openstack-lab demo", "enabled": True}}
        return self.a("POST", "/projects", body, ok=(201,), what="create project %s" % name)["project"]

    def delete_project(self, pid, name):
        self.a("DELETE", "/projects/%s" % pid, ok=(204,), tolerate=(404,), what="delete project %s" % name)

    def find_user(self, name):
        return self._one("/users?domain_id=%s&name=%s" % (q(SPEC["domain"]), q(name)), "users")

    def create_user(self, name, password, project):
        body = {"user": {"name": name, "domain_id": SPEC["domain"], "password": password,
                         "default_project_id": project["id"], "enabled": True}}
        return self.a("POST", "/users", body, ok=(201,), what="create user %s" % name)["user"]

    def set_password(self, user, password):
        self.a("PATCH", "/users/%s" % user["id"], {"user": {"password": password}},
               what="set the password of user %s" % user["name"])
        # Keystone revokes the user's tokens with a revocation event of one-second
        # precision: a token issued in the same second as the change counts as revoked,
        # and the services then answer 401 (seen after a rotation). Log in a second later.
        time.sleep(1.1)

    def delete_user(self, uid, name):
        self.a("DELETE", "/users/%s" % uid, ok=(204,), tolerate=(404,), what="delete user %s" % name)

    def find_role(self, name):
        for r in self.a("GET", "/roles?name=%s" % q(name), what="list roles")["roles"]:
            if r.get("domain_id") is None:
                return r
        return None

    def _grant(self, g):
        return "/projects/%s/users/%s/roles/%s" % (g["project"], g["user"], g["role"])

    def has_grant(self, g):
        status, _, _ = call("GET", self.url + self._grant(g), token=self.admin.token, ok=(200, 204), tolerate=(404,),
                            what="check the role %s of %s" % (g["roleName"], g["userName"]))
        return status != 404

    def grant(self, g):
        self.a("PUT", self._grant(g), ok=(204,), what="give %s the role %s" % (g["userName"], g["roleName"]))

    def revoke(self, g):
        self.a("DELETE", self._grant(g), ok=(204,), tolerate=(404,), what="take the role %s of %s" % (g["roleName"], g["userName"]))


def rule_key(rule):
    """A spec rule as (protocol, port or None)."""
    return (rule["protocol"], rule.get("port"))


class NeutronGroups(object):
    """Security groups of the network API."""

    deletes_group = True

    def default_group(self, demo, pid):
        for g in demo.get("network", "/security-groups?name=default", what="list security groups")["security_groups"]:
            if owner(g) == pid:
                return g
        raise ApiError("project %s has no default security group" % SPEC["project"])

    def rules(self, group):
        """(rule id, key) of the group's ingress IPv4 rules from anywhere."""
        out = []
        for r in group.get("security_group_rules", []):
            if r.get("direction") != "ingress" or r.get("ethertype") != "IPv4" or r.get("remote_group_id"):
                continue
            if r.get("remote_ip_prefix") not in (None, ANYWHERE) or not r.get("protocol"):
                continue
            lo, hi = r.get("port_range_min"), r.get("port_range_max")
            out.append((r["id"], (r["protocol"], lo if lo == hi else (lo, hi))))
        return out

    def add_rule(self, demo, group, rule):
        port = rule.get("port")
        body = {"security_group_rule": {"security_group_id": group["id"], "direction": "ingress", "ethertype": "IPv4",
                                        "protocol": rule["protocol"], "port_range_min": port, "port_range_max": port,
                                        "remote_ip_prefix": ANYWHERE}}
        return demo.send("POST", "network", "/security-group-rules", body, ok=(201,),
                         what="allow %s in group default" % rule["protocol"])["security_group_rule"]["id"]

    def delete_rule(self, admin, demo, rid):
        admin.send("DELETE", "network", "/security-group-rules/%s" % rid, ok=(204,), tolerate=(404,), what="delete rule %s" % rid)

    def delete_group(self, admin, gid):
        admin.send("DELETE", "network", "/security-groups/%s" % gid, ok=(204,), tolerate=(404,),
                   what="delete the default security group of project %s" % SPEC["project"])


class NovaGroups(object):
    """Folsom: Nova's own security groups (os-security-groups, os-security-group-rules)."""

    deletes_group = False

    def default_group(self, demo, pid):
        for g in demo.get("compute", "/os-security-groups", what="list security groups")["security_groups"]:
            if g.get("name") == "default":
                return g
        raise ApiError("project %s has no default security group" % SPEC["project"])

    def rules(self, group):
        out = []
        for r in group.get("rules", []):
            if (r.get("ip_range") or {}).get("cidr") != ANYWHERE or r.get("group"):
                continue
            proto = (r.get("ip_protocol") or "").lower()
            lo, hi = r.get("from_port"), r.get("to_port")
            port = None if proto == "icmp" and lo == -1 and hi == -1 else (lo if lo == hi else (lo, hi))
            out.append((r["id"], (proto, port)))
        return out

    def add_rule(self, demo, group, rule):
        port = rule.get("port")
        body = {"security_group_rule": {"parent_group_id": group["id"], "ip_protocol": rule["protocol"],
                                        "from_port": -1 if port is None else port, "to_port": -1 if port is None else port,
                                        "cidr": ANYWHERE}}
        return demo.send("POST", "compute", "/os-security-group-rules", body, ok=(200,),
                         what="allow %s in group default" % rule["protocol"])["security_group_rule"]["id"]

    def delete_rule(self, admin, demo, rid):
        demo.send("DELETE", "compute", "/os-security-group-rules/%s" % rid, ok=(200, 202, 204), tolerate=(404,),
                  what="delete rule %s" % rid)

    def delete_group(self, admin, gid):
        pass


def describe_rule(key):
    proto, port = key
    return proto if port is None else "%s %s" % (proto, port)


def same_key(a, b):
    """Two OpenSSH public keys are the same key when type and data match (the comment may differ)."""
    return (a or "").split()[:2] == (b or "").split()[:2]


def keypairs(demo):
    out = {}
    for k in demo.get("compute", "/os-keypairs", what="list key pairs")["keypairs"]:
        k = k.get("keypair", k)
        out[k["name"]] = k.get("public_key")
    return out


def delete_keypair(demo, name):
    demo.send("DELETE", "compute", "/os-keypairs/%s" % q(name), ok=(200, 202, 204), tolerate=(404,),
              what="delete key pair %s" % name)


# ---------------------------------------------------------------------------------------
# The record: what this program created (IDs and names), per component.

RECORD_KEYS = ("project", "user", "grant", "rbac", "shared", "group", "rules", "keypair")


def read_record():
    rec = dict((k, None) for k in RECORD_KEYS)
    rec["rules"] = []
    if os.path.exists(SPEC["record"]):
        with open(SPEC["record"]) as f:
            rec.update(json.load(f))
    return rec


def write_record(rec):
    make_dirs(os.path.dirname(SPEC["record"]), 0o700)
    tmp = SPEC["record"] + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(rec, f, sort_keys=True)
    os.rename(tmp, SPEC["record"])


def network_named(admin, name):
    net = named(admin.get("network", "/networks?name=%s" % q(name), what="find network %s" % name)["networks"], name)
    if net is None:
        raise ApiError("the tenant network %s does not exist" % name)
    return net


def rbac_policies(admin, net):
    path = "/rbac-policies?object_type=network&object_id=%s&action=access_as_shared" % q(net["id"])
    return admin.get("network", path, what="list RBAC policies of network %s" % net["name"])["rbac_policies"]


def apply(ks, secrets):
    ks.admin_login(secrets["admin"])
    admin = ks.admin
    rec = read_record()
    groups = NeutronGroups() if SPEC["securityGroups"] == "neutron" else NovaGroups()
    try:
        project = ks.find_project(SPEC["project"])
        if project is None:
            project = ks.create_project(SPEC["project"])
            rec["project"] = {"id": project["id"], "name": SPEC["project"]}
            say("created project %s (%s)" % (SPEC["project"], project["id"]))
        user = ks.find_user(SPEC["user"])
        if user is None:
            user = ks.create_user(SPEC["user"], secrets["demo"], project)
            rec["user"] = {"id": user["id"], "name": SPEC["user"]}
            say("created user %s (%s)" % (SPEC["user"], user["id"]))
        elif ks.login(SPEC["user"], secrets["demo"]) is None:
            ks.set_password(user, secrets["demo"])
            say("set the password of user %s" % SPEC["user"])
        role = ks.find_role(SPEC["role"])
        if role is None:
            raise ApiError("the role %s does not exist" % SPEC["role"])
        g = {"user": user["id"], "project": project["id"], "role": role["id"],
             "userName": SPEC["user"], "projectName": SPEC["project"], "roleName": SPEC["role"]}
        if not ks.has_grant(g):
            ks.grant(g)
            rec["grant"] = g
            say("gave %s the role %s in %s" % (SPEC["user"], SPEC["role"], SPEC["project"]))
        demo = ks.login(SPEC["user"], secrets["demo"], SPEC["project"])
        if demo is None:
            raise ApiError("log in as %s in %s: credentials rejected" % (SPEC["user"], SPEC["project"]))

        # the tenant network, from the project
        net = network_named(admin, SPEC["network"]["name"])
        if SPEC["network"]["access"] == "rbac":
            if not any(p.get("target_tenant") in (project["id"], "*") for p in rbac_policies(admin, net)):
                body = {"rbac_policy": {"object_type": "network", "object_id": net["id"],
                                        "action": "access_as_shared", "target_tenant": project["id"]}}
                pol = admin.send("POST", "network", "/rbac-policies", body, ok=(201,),
                                 what="share network %s with %s" % (net["name"], SPEC["project"]))["rbac_policy"]
                rec["rbac"] = pol["id"]
                say("shared network %s with project %s (RBAC policy %s)" % (net["name"], SPEC["project"], pol["id"]))
        elif not net.get("shared"):
            admin.send("PUT", "network", "/networks/%s" % net["id"], {"network": {"shared": True}},
                       what="share network %s" % net["name"])
            rec["shared"] = net["id"]
            say("set network %s shared" % net["name"])

        # ICMP and SSH in the project's default security group (as the demo user: listing creates it)
        group = groups.default_group(demo, project["id"])
        if groups.deletes_group and rec["project"] and not rec["group"]:
            rec["group"] = group["id"]
        have = groups.rules(group)
        present = dict(have)
        wanted = [rule_key(r) for r in SPEC["rules"]]
        kept = []
        for rid in rec["rules"]:
            if rid not in present:
                continue  # gone (removed by hand): forget it
            if present[rid] in wanted:
                kept.append(rid)
            else:
                groups.delete_rule(admin, demo, rid)
                say("removed rule %s (%s) from security group default of %s" % (rid, describe_rule(present[rid]), SPEC["project"]))
        rec["rules"] = kept
        for rule in SPEC["rules"]:
            if not any(k == rule_key(rule) for _, k in have):
                rid = groups.add_rule(demo, group, rule)
                rec["rules"].append(rid)
                say("allowed %s in security group default of %s (rule %s)" % (describe_rule(rule_key(rule)), SPEC["project"], rid))

        # the key pair
        want = SPEC.get("keypair")
        have_keys = keypairs(demo)
        mine = rec["keypair"]
        if mine and (not want or mine["name"] != want["name"] or not same_key(have_keys.get(mine["name"]), want["publicKey"])):
            delete_keypair(demo, mine["name"])
            rec["keypair"] = None
            have_keys.pop(mine["name"], None)
            say("removed key pair %s of user %s" % (mine["name"], SPEC["user"]))
        if want:
            if want["name"] not in have_keys:
                demo.send("POST", "compute", "/os-keypairs", {"keypair": {"name": want["name"], "public_key": want["publicKey"]}},
                          ok=(200, 201), what="import key pair %s" % want["name"])
                rec["keypair"] = {"name": want["name"], "user": SPEC["user"]}
                say("imported key pair %s for user %s" % (want["name"], SPEC["user"]))
            elif not same_key(have_keys[want["name"]], want["publicKey"]):
                raise ApiError("key pair %s of user %s holds another public key and was not made by openstack-lab: "
                               "delete it (as %s: openstack keypair delete %s) or choose another demo.keyName"
                               % (want["name"], SPEC["user"], SPEC["user"], want["name"]))
    finally:
        write_record(rec)


def blockers(admin, pid):
    """What the project's users made that would be left without an owner (read-only)."""
    out = []
    for s in admin.get("compute", "/servers/detail?all_tenants=1", what="list servers")["servers"]:
        if owner(s) == pid:
            out.append("server %s (id %s, %s)" % (s.get("name"), s["id"], s.get("status")))
    for ip in admin.get("network", "/floatingips", what="list floating IPs")["floatingips"]:
        if owner(ip) == pid:
            out.append("floating IP %s (id %s)" % (ip.get("floating_ip_address"), ip["id"]))
    for r in admin.get("network", "/routers", what="list routers")["routers"]:
        if owner(r) == pid:
            out.append("router %s (id %s)" % (r.get("name"), r["id"]))
    for n in admin.get("network", "/networks", what="list networks")["networks"]:
        if owner(n) == pid:
            out.append("network %s (id %s)" % (n.get("name"), n["id"]))
    for p in admin.get("network", "/ports", what="list ports")["ports"]:
        dev = p.get("device_owner") or ""
        # a server's, router's, network's or floating IP's own port goes with it
        if owner(p) == pid and not (dev.startswith("compute:") or dev.startswith("network:")):
            out.append("port %s (id %s)" % (p.get("name") or "-", p["id"]))
    return out


def delete(ks, secrets):
    if not os.path.exists(SPEC["record"]):
        say("nothing recorded")
        return
    rec = read_record()
    ks.admin_login(secrets["admin"])
    admin = ks.admin
    groups = NeutronGroups() if SPEC["securityGroups"] == "neutron" else NovaGroups()
    project = ks.find_project(SPEC["project"])
    # what users made blocks removing the project (it would be left without an owner) and
    # the network access (Neutron refuses while the project has ports on the network)
    if project is not None and (rec["project"] or rec["rbac"] or rec["shared"]):
        left = blockers(admin, project["id"])
        if left:
            raise ApiError("the project %s still holds what its users made; nothing was changed:\n  %s\n"
                           "delete it (logged in as %s: the stack output demoOpenrc), then run pulumi again"
                           % (SPEC["project"], "\n  ".join(left), SPEC["user"]))
    try:
        demo = None
        if rec["keypair"] or (rec["rules"] and not groups.deletes_group):
            user = ks.find_user(SPEC["user"])
            if user is not None and project is not None:
                demo = ks.login(SPEC["user"], secrets["demo"], SPEC["project"])
                if demo is None:
                    ks.set_password(user, secrets["demo"])
                    demo = ks.login(SPEC["user"], secrets["demo"], SPEC["project"])
                if demo is None:
                    raise ApiError("log in as %s in %s: credentials rejected (was its role %s in the project taken?)"
                                   % (SPEC["user"], SPEC["project"], SPEC["role"]))
        if rec["keypair"]:
            if demo is not None:
                delete_keypair(demo, rec["keypair"]["name"])
                say("removed key pair %s of user %s" % (rec["keypair"]["name"], SPEC["user"]))
            rec["keypair"] = None
        for rid in list(rec["rules"]):
            if demo is not None or groups.deletes_group:
                groups.delete_rule(admin, demo, rid)
                say("removed rule %s from security group default of %s" % (rid, SPEC["project"]))
            rec["rules"].remove(rid)
        if rec["group"]:
            groups.delete_group(admin, rec["group"])
            say("removed security group default of %s (%s)" % (SPEC["project"], rec["group"]))
            rec["group"] = None
        if rec["rbac"]:
            admin.send("DELETE", "network", "/rbac-policies/%s" % rec["rbac"], ok=(204,), tolerate=(404,),
                       what="remove RBAC policy %s" % rec["rbac"])
            say("removed RBAC policy %s (network %s for project %s)" % (rec["rbac"], SPEC["network"]["name"], SPEC["project"]))
            rec["rbac"] = None
        if rec["shared"]:
            admin.send("PUT", "network", "/networks/%s" % rec["shared"], {"network": {"shared": False}}, tolerate=(404,),
                       what="unshare network %s" % SPEC["network"]["name"])
            say("set network %s not shared" % SPEC["network"]["name"])
            rec["shared"] = None
        if rec["grant"]:
            ks.revoke(rec["grant"])
            say("took the role %s of %s in %s" % (rec["grant"]["roleName"], rec["grant"]["userName"], rec["grant"]["projectName"]))
            rec["grant"] = None
        if rec["user"]:
            ks.delete_user(rec["user"]["id"], rec["user"]["name"])
            say("removed user %s" % rec["user"]["name"])
            rec["user"] = None
        if rec["project"]:
            ks.delete_project(rec["project"]["id"], rec["project"]["name"])
            say("removed project %s" % rec["project"]["name"])
            rec["project"] = None
    finally:
        write_record(rec)
    os.remove(SPEC["record"])


def main():
    mode = sys.argv[1]
    with os.fdopen(4) as f:
        secrets = json.loads(f.read())
    ks = V3() if SPEC["dialect"] == "v3" else V2()
    run_mode("oslab-demo", mode, {
        "apply": lambda: apply(ks, secrets),
        "delete": lambda: delete(ks, secrets),
    })


main()
