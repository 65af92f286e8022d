# oslab-membership.py - one compute node's membership in the cloud, run ON that node.
#
# Usage: python3 /dev/fd/3 MODE HOST [SECONDS]   (MODE: join | drain | leave), with the
# admin's OS_* login in the environment (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD,
# OS_PROJECT_NAME, OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME, OS_REGION_NAME), as the
# openstack CLI reads it. Python 3 standard library only: a compute node has no
# openstack client.
# join   wait (at most SECONDS) until HOST's nova-compute reports up and every network
#        agent on HOST is alive; a compute service that an earlier removal disabled is
#        enabled again. Prints what it found.
# drain  exit 3, listing them, when servers are still on HOST (nothing is changed);
#        else disable HOST's compute service, so nothing is scheduled there any more.
# leave  deregister HOST: delete its compute services (nova then removes the compute
#        node and its resource provider), its network agents, and a resource provider
#        named HOST if one is left; wait until they are gone.
# APIs (the v3 token's catalog gives the endpoints):
#   Keystone  POST /v3/auth/tokens
#             https://docs.openstack.org/api-ref/identity/v3/#password-authentication-with-scoped-authorization
#   Nova      GET/PUT/DELETE /os-services (microversion 2.53: services by UUID),
#             GET /servers/detail?all_tenants=1&host=H
#             https://docs.openstack.org/api-ref/compute/#compute-services-os-services
#   Neutron   GET/DELETE /v2.0/agents  https://docs.openstack.org/api-ref/network/v2/#agents
#   Placement GET/DELETE /resource_providers
#             https://docs.openstack.org/api-ref/placement/#resource-providers
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

MODE, HOST = sys.argv[1], sys.argv[2]
WAIT = int(sys.argv[3]) if len(sys.argv) > 3 else 300
REASON = "openstack-lab: removed from the stack's nodes"
NOVA_VERSION = {"OpenStack-API-Version": "compute 2.53", "X-OpenStack-Nova-API-Version": "2.53"}


def request(method, url, token=None, body=None, headers=None):
    h = {"Accept": "application/json"}
    if token:
        h["X-Auth-Token"] = token
    if body is not None:
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=h, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            text = r.read().decode()
            return r.status, r.headers, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        detail = e.read().decode(errors="replace")[:500]
        raise SystemExit("%s %s: HTTP %d %s" % (method, url, e.code, detail))


def login():
    env = os.environ
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": env["OS_USERNAME"],
                        "domain": {"name": env.get("OS_USER_DOMAIN_NAME", "Default")},
                        "password": env["OS_PASSWORD"],
                    }
                },
            },
            "scope": {
                "project": {
                    "name": env["OS_PROJECT_NAME"],
                    "domain": {"name": env.get("OS_PROJECT_DOMAIN_NAME", "Default")},
                }
            },
        }
    }
    _, headers, doc = request("POST", env["OS_AUTH_URL"].rstrip("/") + "/auth/tokens", body=body)
    region = env.get("OS_REGION_NAME")
    urls = {}
    for svc in doc["token"].get("catalog", []):
        eps = [e for e in svc["endpoints"] if not region or e.get("region_id", e.get("region")) == region]
        for interface in ("internal", "public"):
            for e in eps:
                if e["interface"] == interface and svc["type"] not in urls:
                    urls[svc["type"]] = e["url"].rstrip("/")
    return headers["X-Subject-Token"], urls


TOKEN, URLS = login()


def api(service, method, path, body=None, headers=None):
    if service not in URLS:
        raise SystemExit("the catalog has no %s endpoint" % service)
    base = URLS[service]
    if service == "network" and not base.endswith("/v2.0"):
        base += "/v2.0"
    return request(method, base + path, TOKEN, body, headers)[2]


def services():
    q = urllib.parse.urlencode({"host": HOST})
    return api("compute", "GET", "/os-services?" + q, headers=NOVA_VERSION)["services"]


def agents():
    q = urllib.parse.urlencode({"host": HOST})
    return api("network", "GET", "/agents?" + q)["agents"]


def providers():
    q = urllib.parse.urlencode({"name": HOST})
    return api("placement", "GET", "/resource_providers?" + q)["resource_providers"]


def servers():
    q = urllib.parse.urlencode({"all_tenants": 1, "host": HOST})
    return api("compute", "GET", "/servers/detail?" + q, headers=NOVA_VERSION)["servers"]


def join():
    deadline = time.time() + WAIT
    while True:
        svc = [s for s in services() if s["binary"] == "nova-compute"]
        ags = agents()
        up = svc and all(s["state"] == "up" for s in svc)
        alive = ags and all(a["alive"] for a in ags)
        if up and alive:
            break
        if time.time() > deadline:
            raise SystemExit(
                "%s did not join within %d s: nova-compute %s, network agents %s"
                % (HOST, WAIT, [s["state"] for s in svc] or "not registered",
                   ["%s alive=%s" % (a["binary"], a["alive"]) for a in ags] or "none")
            )
        time.sleep(2)
    for s in svc:
        if s["status"] == "disabled" and s.get("disabled_reason") == REASON:
            api("compute", "PUT", "/os-services/%s" % s["id"], {"status": "enabled"}, NOVA_VERSION)
    print("%s: nova-compute up; agents alive: %s" % (HOST, " ".join(sorted(a["binary"] for a in ags))))


def drain():
    found = servers()
    if found:
        print("%s still runs %d server(s); nothing was changed:" % (HOST, len(found)), file=sys.stderr)
        for s in found:
            print("  server %s (id %s, project %s, %s)" % (s["name"], s["id"], s["tenant_id"], s["status"]),
                  file=sys.stderr)
        sys.exit(3)
    for s in services():
        if s["binary"] == "nova-compute" and s["status"] != "disabled":
            api("compute", "PUT", "/os-services/%s" % s["id"],
                {"status": "disabled", "disabled_reason": REASON}, NOVA_VERSION)
    print("%s: no servers; compute service disabled" % HOST)


def leave():
    for s in services():
        api("compute", "DELETE", "/os-services/%s" % s["id"], headers=NOVA_VERSION)
    for a in agents():
        api("network", "DELETE", "/agents/%s" % a["id"])
    deadline = time.time() + WAIT
    while True:
        rps = providers()
        for rp in rps:
            api("placement", "DELETE", "/resource_providers/%s" % rp["uuid"])
        left = services() + agents() + providers()
        if not left:
            break
        if time.time() > deadline:
            raise SystemExit("%s is still registered after %d s: %s" % (HOST, WAIT, left))
        time.sleep(2)
    print("%s: deregistered from nova, placement and neutron" % HOST)


{"join": join, "drain": drain, "leave": leave}[MODE]()
