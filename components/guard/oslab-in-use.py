# oslab-in-use.py - what users made in the cloud, found before destroy deletes anything.
#
# Usage: python3 - MODE <<spec   (MODE: report | check | purge), with the admin's
# OS_* login in the environment (openstacksdk reads it: openstack.connect()).
# The spec (JSON, no secrets) names what the program itself made:
#   {"projects": [...], "users": [...], "networks": [...], "routers": [...],
#    "images": [...], "keypairs": [{"user", "name"}, ...] (optional), "wait": 300}
# report  print what was found, one "KIND NAME (project P)" line each; exit 0
# check   the same, exit 3 when anything was found (destroy stops before any delete)
# purge   delete what was found, in the order OpenStack needs: servers (waiting until
#         they are gone, so no guest process is left on a compute), floating IPs, other
#         projects' routers (interfaces, gateway), interfaces of our router on foreign
#         subnets, user ports, foreign networks, volumes, images, key pairs, projects and
#         users; then check again and fail if anything is left.
# Listing and deleting use openstacksdk (python3-openstacksdk, a dependency of
# python3-openstackclient): https://docs.openstack.org/openstacksdk/latest/user/
import json
import sys
import time

import openstack

MODE = sys.argv[1]
SPEC = json.loads(sys.stdin.read())
conn = openstack.connect()
# Ports Neutron makes itself for our router, DHCP and floating IPs.
NETWORK_OWNED = ("network:router_gateway", "network:router_interface", "network:dhcp", "network:floatingip")


def project_names():
    return dict((p.id, p.name) for p in conn.identity.projects())


def found():
    """Everything the program did not make: (kind, name, project, id, extra)."""
    names = project_names()
    pname = lambda pid: names.get(pid, pid or "-")
    ours_net = set(n.id for n in conn.network.networks() if n.name in SPEC["networks"])
    ours_router = set(r.id for r in conn.network.routers() if r.name in SPEC["routers"])
    out = []
    for s in conn.compute.servers(all_projects=True):
        out.append(("server", s.name, pname(s.project_id), s.id, {}))
    for ip in conn.network.ips():
        out.append(("floating IP", ip.floating_ip_address, pname(ip.project_id), ip.id, {}))
    for r in conn.network.routers():
        if r.id not in ours_router:
            out.append(("router", r.name, pname(r.project_id), r.id, {}))
    for n in conn.network.networks():
        if n.id not in ours_net:
            out.append(("network", n.name, pname(n.project_id), n.id, {}))
    for p in conn.network.ports():
        owner = p.device_owner or ""
        if owner in NETWORK_OWNED and (p.network_id in ours_net or p.device_id in ours_router):
            continue
        if owner.startswith("compute:") or owner in NETWORK_OWNED:
            continue  # goes with its server, router or network
        out.append(("port", p.name or p.id, pname(p.project_id), p.id, {}))
    for v in conn.block_storage.volumes(all_projects=True):
        out.append(("volume", v.name or v.id, pname(v.project_id), v.id, {}))
    for i in conn.image.images():
        if i.name not in SPEC["images"]:
            out.append(("image", i.name, pname(i.owner_id), i.id, {}))
    users = [u for u in conn.identity.users()]
    ours_key = set((k["user"], k["name"]) for k in SPEC.get("keypairs", []))
    for u in users:
        for k in conn.compute.keypairs(user_id=u.id):
            if (u.name, k.name) in ours_key:
                continue
            out.append(("key pair", k.name, "user " + u.name, k.name, {"user_id": u.id}))
    for pid, name in sorted(names.items(), key=lambda x: x[1]):
        if name not in SPEC["projects"]:
            out.append(("project", name, name, pid, {}))
    for u in users:
        if u.name not in SPEC["users"]:
            out.append(("user", u.name, pname(u.default_project_id), u.id, {}))
    return out


def wait_gone(get, rid, what):
    deadline = time.time() + SPEC.get("wait", 300)
    while time.time() < deadline:
        if get(rid) is None:
            return
        time.sleep(2)
    raise SystemExit("purge: %s still exists after %d s" % (what, SPEC.get("wait", 300)))


def detach_router(router, foreign_only):
    for p in conn.network.ports(device_id=router.id, device_owner="network:router_interface"):
        if foreign_only and p.network_id in SPEC["_ours_net"]:
            continue
        for ip in p.fixed_ips:
            conn.network.remove_interface_from_router(router, subnet_id=ip["subnet_id"])
            print("purged interface of router %s on subnet %s" % (router.name, ip["subnet_id"]))


def purge(items):
    SPEC["_ours_net"] = set(n.id for n in conn.network.networks() if n.name in SPEC["networks"])
    by = lambda kind: [x for x in items if x[0] == kind]
    for _, name, project, sid, _ in by("server"):
        conn.compute.delete_server(sid, force=True)
    for _, name, project, sid, _ in by("server"):
        wait_gone(conn.compute.find_server, sid, "server %s" % name)
        print("purged server %s (project %s)" % (name, project))
    for _, name, project, iid, _ in by("floating IP"):
        conn.network.delete_ip(iid, ignore_missing=True)
        print("purged floating IP %s (project %s)" % (name, project))
    for r in conn.network.routers():
        foreign = r.name not in SPEC["routers"]
        detach_router(r, foreign_only=not foreign)
        if foreign:
            conn.network.update_router(r, external_gateway_info={})
            conn.network.delete_router(r, ignore_missing=True)
            print("purged router %s" % r.name)
    for _, name, project, pid, _ in by("port"):
        conn.network.delete_port(pid, ignore_missing=True)
        print("purged port %s (project %s)" % (name, project))
    for _, name, project, nid, _ in by("network"):
        for p in conn.network.ports(network_id=nid):
            if p.device_owner != "network:dhcp":
                conn.network.delete_port(p, ignore_missing=True)
        conn.network.delete_network(nid, ignore_missing=True)
        print("purged network %s (project %s)" % (name, project))
    for _, name, project, vid, _ in by("volume"):
        conn.block_storage.delete_volume(vid, ignore_missing=True, force=True)
        wait_gone(conn.block_storage.find_volume, vid, "volume %s" % name)
        print("purged volume %s (project %s)" % (name, project))
    for _, name, project, iid, _ in by("image"):
        conn.image.delete_image(iid, ignore_missing=True)
        print("purged image %s (project %s)" % (name, project))
    for _, name, owner, kid, extra in by("key pair"):
        conn.compute.delete_keypair(kid, user_id=extra["user_id"], ignore_missing=True)
        print("purged key pair %s (%s)" % (name, owner))
    for _, name, _, pid, _ in by("project"):
        conn.identity.delete_project(pid, ignore_missing=True)
        print("purged project %s" % name)
    for _, name, project, uid, _ in by("user"):
        conn.identity.delete_user(uid, ignore_missing=True)
        print("purged user %s" % name)


items = found()
for kind, name, project, _, _ in items:
    print("found %s %s (%s)" % (kind, name, project if project.startswith("user ") else "project " + project))
if MODE == "purge" and items:
    purge(items)
    left = found()
    if left:
        raise SystemExit("purge left: " + ", ".join("%s %s" % (k, n) for k, n, _, _, _ in left))
elif MODE == "check" and items:
    sys.exit(3)
