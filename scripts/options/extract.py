#!/usr/bin/env python3
"""Rebuild the option registries under options/<release>/ from the public upstream sources.

Usage:
    scripts/options/extract.py <release>            # folsom | zed | epoxy
    scripts/options/extract.py <release> --check    # rebuild in memory, compare with the committed files

Each service's repository is a bare git clone of https://github.com/openstack/<name> under
$OPTIONS_MIRROR/openstack+<name>/repo (`git clone --bare`; the default root is /work/.mirror, where
this project's maintainers keep them). Only `git ls-tree` / `git cat-file` at the release tag are used: nothing is installed or
imported, the Python sources are parsed with the `ast` module.

What counts as an option (every oslo.config era, 2012 to 2025):
  * a call `cfg.StrOpt('name', ...)` (or IntOpt, BoolOpt, ListOpt, MultiStrOpt, FloatOpt, DictOpt, PortOpt,
    HostAddressOpt, URIOpt, …), with the group found by following the call to where it is registered:
    `X.register_opt(s)(<expr>, group=<g>)`, `X.register_cli_opt(s)`, or a `list_opts()` function's
    `(group, opts)` pairs / `{group: opts}` dicts. <expr> may be a list literal, a variable, `a + b`,
    `itertools.chain(a, b)`, `list(...)`, `copy.deepcopy(...)`; a group may be a string, an `OptGroup`
    (its name), or a constant defined in another module. Options never seen registered are kept in
    group DEFAULT and listed in `unregistered`. Names are stored as oslo.config dests ('-' -> '_').
  * Folsom keystone's own helpers `register_str('name', group=...)`, `register_bool`, `register_int`, …
  * Folsom keystone's auth_token middleware reads its paste filter keys with `self._conf_get('name')`:
    those names are the keys of a `[filter:authtoken]` section (plus paste's own `paste.filter_factory`).
  * Horizon (Django) settings: every `settings.NAME` / `getattr(settings, 'NAME', …)` read in the code, and
    the local variables the packaged local_settings.py example computes other settings from.
  * zed, epoxy: per managed file, the namespaces of the service's packaged config-generator file; each
    namespace served by a library (oslo.*, keystonemiddleware, …) brings that library at the version
    openstack/requirements' upper-constraints pins; each of the service's own namespaces is followed
    through its setup.cfg `oslo.config.opts` entry point to the {group: keys} it lists. Groups that call
    keystoneauth1's register_*_conf_options take keystoneauth1's auth-plugin, session and adapter options.
    Horizon (zed): its defaults.py files and code reads, and Django's global settings from the Debian
    package (`apt-get download`, the only step that needs a network).

The files written carry a header naming the repository, the tag and the commit the data came from.
"""

import ast
import json
import os
import re
import subprocess
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MIRROR = os.environ.get("OPTIONS_MIRROR", "/work/.mirror")

OPT_TYPES = {
    "StrOpt": "str",
    "IntOpt": "int",
    "BoolOpt": "bool",
    "ListOpt": "list",
    "MultiStrOpt": "multistr",
    "MultiOpt": "multistr",
    "FloatOpt": "float",
    "DictOpt": "dict",
    "PortOpt": "port",
    "HostAddressOpt": "str",
    "HostnameOpt": "str",
    "HostDomainOpt": "str",
    "IPOpt": "str",
    "URIOpt": "str",
    "Opt": "str",
}
# Folsom keystone/common/config.py helpers.
KEYSTONE_HELPERS = {
    "register_str": "str",
    "register_cli_str": "str",
    "register_bool": "bool",
    "register_cli_bool": "bool",
    "register_int": "int",
    "register_cli_int": "int",
    "register_float": "float",
    "register_list": "list",
    "register_cli_list": "list",
    "register_multistr": "multistr",
}
REGISTER_FUNCS = {"register_opt", "register_opts", "register_cli_opt", "register_cli_opts"}
# Calls that give a group keystoneauth1's auth-plugin, session and adapter options (conf, group, …).
KSA_FUNCS = {
    "register_auth_conf_options",
    "register_session_conf_options",
    "register_adapter_conf_options",
    "register_ksa_opts",
    "load_auth_from_conf_options",
    "load_session_from_conf_options",
    "load_adapter_from_conf_options",
}

# Release -> service -> (owner/repo, tag, source roots). A service's registry is the union of its repository
# and the libraries it loads options from (oslo.*, keystonemiddleware), each named with its own tag.
# Packaged sample paste files: override file id -> (repository, path at the tag).
PASTE_SAMPLES = {
    "folsom": {
        "nova": {"nova-api-paste.ini": ("openstack/nova", "2012.2", "etc/nova/api-paste.ini")},
        "cinder": {"cinder-api-paste.ini": ("openstack/cinder", "2012.2", "etc/cinder/api-paste.ini")},
        "quantum": {"quantum/api-paste.ini": ("openstack/neutron", "2012.2", "etc/api-paste.ini")},
    },
}

# Folsom has no config-generator files: a file's options are those the processes that read it load,
# the import closure of their entry modules (quantum.conf and the rest: the whole service).
FILE_ENTRY_MODULES = {
    "folsom": {
        "quantum": {
            "l3_agent.ini": ["quantum.agent.l3_agent"],
            "dhcp_agent.ini": ["quantum.agent.dhcp_agent"],
            "ovs_quantum_plugin.ini": [
                "quantum.plugins.openvswitch.ovs_quantum_plugin",
                "quantum.plugins.openvswitch.agent.ovs_quantum_agent",
            ],
        },
    },
}

RELEASES = {
    "folsom": {
        "nova": [("openstack/nova", "2012.2", ["nova"])],
        "keystone": [("openstack/keystone", "2012.2", ["keystone"])],
        "glance": [("openstack/glance", "2012.2", ["glance"]), ("openstack/keystone", "2012.2", ["keystone/middleware"])],
        "cinder": [("openstack/cinder", "2012.2", ["cinder"])],
        "quantum": [("openstack/neutron", "2012.2", ["quantum"])],
        "horizon": [("openstack/horizon", "2012.2", ["horizon", "openstack_dashboard"])],
    },
}
# The Debian-era releases: each service at its tag, with the oslo.config namespaces its packaged
# config-generator files list; a namespace served by a library brings that library's options, at the
# version pinned in openstack/requirements' upper-constraints.txt for the release.
MODERN = {
    "zed": {
        "requirements": "zed-eom",
        "branch": "unmaintained/zed",
        "services": {
            "nova": ("openstack/nova", "26.0.0", {"nova.conf": "etc/nova/nova-config-generator.conf"}),
            "keystone": ("openstack/keystone", "22.0.0", {"keystone.conf": "config-generator/keystone.conf"}),
            "glance": ("openstack/glance", "25.0.0", {"glance-api.conf": "etc/oslo-config-generator/glance-api.conf"}),
            "cinder": ("openstack/cinder", "21.0.0", {"cinder.conf": "tools/config/cinder-config-generator.conf"}),
            "placement": ("openstack/placement", "8.0.0", {"placement.conf": "etc/placement/config-generator.conf"}),
            "neutron": (
                "openstack/neutron",
                "21.0.0",
                {
                    f: f"etc/oslo-config-generator/{f}"
                    for f in ("neutron.conf", "ml2_conf.ini", "openvswitch_agent.ini", "l3_agent.ini")
                    + ("dhcp_agent.ini", "metadata_agent.ini")
                },
            ),
        },
    },
    "epoxy": {
        "requirements": "stable/2025.1",
        "branch": "stable/2025.1",
        "services": {
            "nova": ("openstack/nova", "31.0.0", {"nova.conf": "etc/nova/nova-config-generator.conf"}),
            "keystone": ("openstack/keystone", "27.0.0", {"keystone.conf": "config-generator/keystone.conf"}),
            "glance": ("openstack/glance", "30.0.0", {"glance-api.conf": "etc/oslo-config-generator/glance-api.conf"}),
            "cinder": ("openstack/cinder", "26.0.0", {"cinder.conf": "tools/config/cinder-config-generator.conf"}),
            "placement": ("openstack/placement", "13.0.0", {"placement.conf": "etc/placement/config-generator.conf"}),
            "neutron": (
                "openstack/neutron",
                "26.0.0",
                {
                    f: f"etc/oslo-config-generator/{f}"
                    for f in ("neutron.conf", "ml2_conf.ini", "openvswitch_agent.ini", "l3_agent.ini")
                    + ("dhcp_agent.ini", "metadata_agent.ini")
                },
            ),
        },
    },
}
# Horizon on the Debian releases: the dashboard's sources at the release tag (their settings defaults
# and every setting the code reads) and Django's global settings from the release's Debian package.
HORIZON_MODERN = {
    "zed": {
        "repo": ("openstack/horizon", "23.0.0", ["horizon", "openstack_dashboard", "openstack_auth"]),
        "django": ("python3-django", "3:3.2.25-0+deb12u7", "usr/lib/python3/dist-packages/django/conf/global_settings.py"),
    },
}

# Namespace (or its first dotted parts) -> (upper-constraints name, repository, source roots).
LIBRARIES = {
    "keystonemiddleware.auth_token": ("keystonemiddleware", "openstack/keystonemiddleware", ["keystonemiddleware/auth_token"]),
    "osprofiler": ("osprofiler", "openstack/osprofiler", ["osprofiler"]),
    "castellan.config": ("castellan", "openstack/castellan", ["castellan"]),
    "glance.store": ("glance-store", "openstack/glance_store", ["glance_store"]),
    "glance.multi_store": ("glance-store", "openstack/glance_store", ["glance_store"]),
    "os_brick": ("os-brick", "openstack/os-brick", ["os_brick"]),
}
for _lib in ("cache", "concurrency", "config", "db", "limit", "log", "messaging", "middleware", "policy", "privsep"):
    LIBRARIES[f"oslo.{_lib}"] = (f"oslo.{_lib}", f"openstack/oslo.{_lib}", [f"oslo_{_lib}"])
for _lib in ("reports", "service", "versionedobjects"):
    LIBRARIES[f"oslo.{_lib}"] = (f"oslo.{_lib}", f"openstack/oslo.{_lib}", [f"oslo_{_lib}"])
# Libraries a service's own namespace copies options from (nova.conf: [database] and [api_database]
# are deep copies of oslo.db's database_opts), beyond the namespaces its generator files list.
EXTRA_NAMESPACES = {"nova": ["oslo.db"]}
KEYSTONEAUTH = ("keystoneauth1", "openstack/keystoneauth", ["keystoneauth1/loading"])


def library_of(namespace):
    parts = namespace.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in LIBRARIES:
            return LIBRARIES[".".join(parts[:n])]
    return None


def has_ref(repo, ref):
    try:
        commit_of(repo, ref)
        return True
    except subprocess.CalledProcessError:
        return False


def library_ref(repo, version, branch):
    """The library's tag for the pinned version; the release branch when the mirror lacks that tag."""
    if has_ref(repo, version):
        return version
    if has_ref(repo, branch):
        print(f"note: {repo} has no tag {version}; using {branch}", file=sys.stderr)
        return branch
    raise SystemExit(f"{repo}: neither tag {version} nor branch {branch}")


def upper_constraints(ref):
    text = git("openstack/requirements", "show", f"{ref}:upper-constraints.txt").decode()
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)===([^;\s]+)", line)
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def entry_points(repo, tag):
    """setup.cfg's oslo.config.opts entry points: namespace -> 'module:function'."""
    import configparser

    parser = configparser.RawConfigParser(strict=False)
    parser.read_string(git(repo, "show", f"{tag}:setup.cfg").decode())
    text = parser.get("entry_points", "oslo.config.opts", fallback="")
    out = {}
    for line in text.splitlines():
        if "=" in line:
            ns, target = (x.strip() for x in line.split("=", 1))
            out[ns] = target
    return out


def modern_sources(release):
    """Release -> service -> plan: sources, per-file namespaces, libraries' namespaces, entry points."""
    spec = MODERN[release]
    pins = upper_constraints(spec["requirements"])
    out = {}
    for service, (repo, tag, generators) in spec["services"].items():
        files = {}
        for fid, g in generators.items():
            files[fid] = []
            for line in git(repo, "show", f"{tag}:{g}").decode().splitlines():
                m = re.match(r"^\s*namespace\s*=\s*(\S+)", line)
                if m and m.group(1) not in files[fid]:
                    files[fid].append(m.group(1))
        for f in files.values():
            f.extend(ns for ns in EXTRA_NAMESPACES.get(service, []) if ns not in f)
        namespaces = []
        for ns in [n for f in files.values() for n in f]:
            if ns not in namespaces:
                namespaces.append(ns)
        sources = [(repo, tag, [service])]
        libs = {}
        for ns in namespaces:
            lib = library_of(ns)
            if lib:
                name, lrepo, roots = lib
                libs[ns] = [r.replace("/", ".") for r in roots]
                src = (lrepo, library_ref(lrepo, pins[name.lower().replace("_", "-")], spec["branch"]), roots)
                if src not in sources:
                    sources.append(src)
        own = {ns: t for ns, t in entry_points(repo, tag).items() if ns in namespaces and ns not in libs}
        ksa = (KEYSTONEAUTH[1], library_ref(KEYSTONEAUTH[1], pins[KEYSTONEAUTH[0]], spec["branch"]), KEYSTONEAUTH[2])
        out[service] = {"sources": sources, "files": files, "libraries": libs, "entryPoints": own, "ksa": ksa}
    return out


def git(repo, *args):
    path = os.path.join(MIRROR, repo.replace("/", "+"), "repo")
    return subprocess.run(["git", "-C", path, *args], check=True, capture_output=True).stdout


def commit_of(repo, tag):
    return git(repo, "rev-parse", f"{tag}^{{commit}}").decode().strip()


def python_files(repo, tag, roots):
    names = git(repo, "ls-tree", "-r", "--name-only", tag).decode().splitlines()
    keep = [
        n
        for n in names
        if n.endswith(".py")
        and any(n == r or n.startswith(r.rstrip("/") + "/") for r in roots)
        and "/tests/" not in n
        and not n.split("/")[-1].startswith("test_")
        and "/tests" not in n.split("/")[0:1]
    ]
    path = os.path.join(MIRROR, repo.replace("/", "+"), "repo")
    proc = subprocess.run(
        ["git", "-C", path, "cat-file", "--batch"],
        input="".join(f"{tag}:{n}\n" for n in keep).encode(),
        check=True,
        capture_output=True,
    )
    out, pos = {}, 0
    data = proc.stdout
    for n in keep:
        nl = data.index(b"\n", pos)
        size = int(data[pos:nl].split()[2])
        out[n] = data[nl + 1 : nl + 1 + size].decode("utf-8", "replace")
        pos = nl + 1 + size + 1
    return out


def module_name(path):
    m = path[:-3].replace("/", ".")
    return m[: -len(".__init__")] if m.endswith(".__init__") else m


def const_str(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return None
    return None


def dotted(node):
    """`a.b.c` of a Name/Attribute chain, or None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def call_name(node):
    f = node.func
    if isinstance(f, ast.Attribute):
        return f.attr
    if isinstance(f, ast.Name):
        return f.id
    return None


def kw(node, name):
    for k in node.keywords:
        if k.arg == name:
            return k.value
    return None


class Module:
    """One parsed source file: its options, its variables and its registrations."""

    def __init__(self, path, text):
        self.path = path
        self.name = module_name(path)
        try:
            self.tree = ast.parse(text)
        except SyntaxError:
            # Folsom is Python 2: retry with the print statements and `except X, e` made parseable.
            self.tree = ast.parse(py2_to_3(text))
        self.parents = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.opts = []  # (call node, name, type)
        self.vars = defaultdict(list)  # name -> [value expr] (module, class or function level)
        self.registrations = []  # (opts expr, group expr or None)
        self.ksa_groups = []  # group exprs given keystoneauth1 options
        self.imports = {}  # local name -> dotted module (or module.name) it stands for
        self.imported = set()  # every dotted name an import statement names (for import closures)
        self.group_exprs = {}  # name -> the expression a possible group name is assigned from
        self.settings_read = set()
        self.conf_get = set()
        self.names = set()  # top-level classes, functions and assigned names (for class-path checks)
        self.scan()

    def scan(self):
        for node in self.tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                self.names.add(node.name)
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        self.names.add(t.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for a in node.names:
                    self.names.add((a.asname or a.name).split(".")[0])
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    self.imported.add(a.name)
                    if a.asname:
                        self.imports[a.asname] = a.name
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    self.imports[a.asname or a.name] = f"{node.module}.{a.name}"
                    self.imported.update((node.module, f"{node.module}.{a.name}"))
        if self.name.startswith("glance_store._drivers."):
            # A store driver's class attribute OPTIONS is registered under [glance_store] (the single-store
            # layout) or under each enabled backend's own section (glance_store.driver.Store.__init__).
            for cls in self.tree.body:
                if isinstance(cls, ast.ClassDef):
                    for node in cls.body:
                        if isinstance(node, ast.Assign) and any(
                            isinstance(t, ast.Name) and t.id == "OPTIONS" for t in node.targets
                        ):
                            self.registrations.append((node.value, ast.Constant("glance_store")))
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        self.vars[t.id].append(node.value)
                        v = node.value
                        if (
                            const_str(v) is not None
                            or (isinstance(v, ast.Call) and call_name(v) == "OptGroup")
                            or isinstance(v, (ast.Name, ast.Attribute, ast.Subscript))
                        ):
                            self.group_exprs.setdefault(t.id, v)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                self.vars[node.target.id].append(node.value)
            elif isinstance(node, ast.Call):
                name = call_name(node)
                if name in OPT_TYPES and isinstance(node.func, (ast.Attribute, ast.Name)):
                    n = const_str(kw(node, "name") or (node.args[0] if node.args else None))
                    if n is not None:
                        # A file's key is the option's dest: oslo.config turns '-' into '_' (log-dir: log_dir).
                        self.opts.append((node, n.replace("-", "_"), OPT_TYPES[name]))
                elif name in KEYSTONE_HELPERS and node.args and const_str(node.args[0]) is not None:
                    self.opts.append((node, const_str(node.args[0]), KEYSTONE_HELPERS[name]))
                    self.registrations.append((node, kw(node, "group")))
                elif name in REGISTER_FUNCS and (node.args or kw(node, "opts") or kw(node, "opt")):
                    what = node.args[0] if node.args else (kw(node, "opts") or kw(node, "opt"))
                    group = kw(node, "group") or (node.args[1] if len(node.args) > 1 else None)
                    self.registrations.append((what, group))
                elif name in KSA_FUNCS and (len(node.args) > 1 or kw(node, "group")):
                    self.ksa_groups.append(kw(node, "group") or node.args[1])
                elif name == "_conf_get" and node.args and const_str(node.args[0]) is not None:
                    self.conf_get.add(const_str(node.args[0]))
                elif name == "getattr" and len(node.args) >= 2:
                    if isinstance(node.args[0], ast.Name) and node.args[0].id == "settings":
                        s = const_str(node.args[1])
                        if s is not None:
                            self.settings_read.add(s)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "settings":
                if re.fullmatch(r"[A-Z][A-Z0-9_]*", node.attr):
                    self.settings_read.add(node.attr)
            elif isinstance(node, ast.FunctionDef) and node.name == "list_opts":
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Tuple) and len(sub.elts) == 2:
                        self.registrations.append((sub.elts[1], sub.elts[0]))
                    elif isinstance(sub, ast.Dict):
                        for k, v in zip(sub.keys, sub.values):
                            if k is not None:
                                self.registrations.append((v, k))


def py2_to_3(text):
    text = re.sub(r"^(\s*)print\b(?!\s*\()(.*)$", r"\1print(\2)", text, flags=re.M)
    text = re.sub(r"except\s+([\w.]+(?:\s*,\s*[\w.]+)*?)\s*,\s*(\w+)\s*:", r"except (\1) as \2:", text)
    text = re.sub(r"except\s+\(([^)]*)\)\s*,\s*(\w+)\s*:", r"except (\1) as \2:", text)
    text = re.sub(r"\braise\s+([\w.\[\]]+)\s*,\s*(.+)$", r"raise \1(\2)", text, flags=re.M)
    text = re.sub(r"(?<![\w.])0([0-7]+)\b(?!\.)", r"0o\1", text)
    text = re.sub(r"(\d+)L\b", r"\1", text)
    text = text.replace("ur'", "r'").replace('ur"', 'r"')
    text = re.sub(r"^(\s*)exec\s+(.+)$", r"\1exec(\2)", text, flags=re.M)
    text = text.replace("`", "")
    return text


class Registry:
    """All modules of one service; resolves each option's group."""

    def __init__(self, modules):
        self.modules = modules
        self.by_var = defaultdict(list)  # var name -> [(module, expr)]
        self.memo = {}
        self.by_module = {m.name: m for m in modules}
        self.opt_name = {id(call): name for m in modules for call, name, _ in m.opts}
        for m in modules:
            for k, vs in m.vars.items():
                for v in vs:
                    self.by_var[k].append((m, v))

    def group_of(self, m, expr, depth=0):
        """The group name an expression stands for: a string, an OptGroup, a constant (here or imported)."""
        if expr is None:
            return "DEFAULT"
        if depth > 8:
            return None
        s = const_str(expr)
        if s is not None:
            return s
        if (
            isinstance(expr, ast.Subscript)
            and isinstance(expr.value, ast.Call)
            and isinstance(expr.value.func, ast.Attribute)
            and isinstance(expr.value.func.value, ast.Name)
            and expr.value.func.value.id == "__name__"
        ):
            return m.name.split(".")[-1]  # keystone.conf.*: GROUP_NAME = __name__.split('.')[-1]
        if isinstance(expr, ast.Call) and call_name(expr) == "OptGroup":
            return self.group_of(m, kw(expr, "name") or (expr.args[0] if expr.args else None), depth + 1)
        if isinstance(expr, ast.Attribute) and expr.attr == "name":
            return self.group_of(m, expr.value, depth + 1)
        owner, name = None, None
        if isinstance(expr, ast.Name):
            name = expr.id
            if name in m.group_exprs:
                owner = m
            elif name in m.imports:
                owner = self.by_module.get(m.imports[name].rsplit(".", 1)[0])
        elif isinstance(expr, ast.Attribute):
            name = expr.attr
            if isinstance(expr.value, ast.Name):
                owner = self.by_module.get(m.imports.get(expr.value.id, ""))
        if name is None:
            return None
        if owner is not None and name in owner.group_exprs:
            return self.group_of(owner, owner.group_exprs[name], depth + 1)
        found = {self.group_of(mm, mm.group_exprs[name], depth + 1) for mm in self.modules if name in mm.group_exprs}
        found.discard(None)
        return sorted(found)[0] if len(found) == 1 else None

    def opt_calls(self, m, expr, seen):
        """Every option call an expression stands for (following variables across modules)."""
        out = []
        for node in ast.walk(expr):
            if isinstance(node, ast.Call) and call_name(node) in OPT_TYPES:
                out.append(node)
            elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(getattr(node, "ctx", None), ast.Load):
                name = node.id if isinstance(node, ast.Name) else node.attr
                local = isinstance(node, ast.Name) and name in m.vars
                owner = None  # the module an imported name or `module.attr` points at
                if isinstance(node, ast.Name) and not local and name in m.imports:
                    owner = self.by_module.get(m.imports[name].rsplit(".", 1)[0])
                elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                    owner = self.by_module.get(m.imports.get(node.value.id, node.value.id))
                elif isinstance(node, ast.Attribute):
                    owner = self.by_module.get(dotted(node.value) or "")  # neutron.conf.agent.common.OPTS
                if owner is not None and name not in owner.vars:
                    owner = None
                if owner is None and isinstance(node, ast.Attribute) and name in m.vars:
                    local = True  # e.g. a class attribute of this module: L3NATAgent.OPTS
                key = (m.path, name) if local else (owner.path, name) if owner else (None, name)
                if key in seen:
                    continue
                seen.add(key)
                if key not in self.memo:
                    self.memo[key] = None  # cycle guard
                    if local or owner:
                        mm = m if local else owner
                        targets = [(mm, v) for v in mm.vars[name]]
                    else:
                        # Not local and not traceable through an import: only a name one module defines.
                        targets = self.by_var.get(name, [])
                        if len({mm.path for mm, _ in targets}) > 1:
                            targets = []
                    found = []
                    for mm, v in targets:
                        found.extend(self.opt_calls(mm, v, seen))
                    self.memo[key] = found
                out.extend(self.memo[key] or [])
        return out

    def import_closure(self, roots):
        """Modules a process that imports `roots` loads (statically), that define options."""
        seen, todo = set(), list(roots)
        while todo:
            name = todo.pop()
            if name in seen or name not in self.by_module:
                continue
            seen.add(name)
            m = self.by_module[name]
            for imp in m.imported:
                parts = imp.split(".")
                for n in range(len(parts), 0, -1):  # the module itself and its packages (__init__)
                    todo.append(".".join(parts[:n]))
        return sorted(n for n in seen if self.by_module[n].opts)

    def namespace_options(self, target, lower):
        """{group: [keys]} an oslo.config.opts entry point lists, or None when it cannot be followed."""
        mod, _, func = target.partition(":")
        m = self.by_module.get(mod)
        fn = next((n for n in (m.tree.body if m else []) if isinstance(n, ast.FunctionDef) and n.name == func), None)
        if fn is None:
            return None
        out = defaultdict(set)
        for sub in ast.walk(fn):
            pairs = []
            if isinstance(sub, ast.Tuple) and len(sub.elts) == 2:
                pairs.append((sub.elts[0], sub.elts[1]))
            elif isinstance(sub, ast.Dict):
                pairs.extend((k, v) for k, v in zip(sub.keys, sub.values) if k is not None)
            for gexpr, expr in pairs:
                g = self.group_of(m, gexpr)
                if g is None or isinstance(gexpr, ast.Tuple):
                    continue
                g = g if g == "DEFAULT" or not lower else g.lower()
                out[g] |= {self.opt_name[id(c)] for c in self.opt_calls(m, expr, set()) if id(c) in self.opt_name}
        return {g: sorted(k) for g, k in sorted(out.items())} if out else None

    def build(self):
        groups = {}  # id(call) -> set(groups)
        for m in self.modules:
            for what, gexpr in m.registrations:
                g = self.group_of(m, gexpr)
                if g is None:
                    continue
                if isinstance(what, ast.Call) and call_name(what) in KEYSTONE_HELPERS:
                    calls = [what]
                else:
                    calls = self.opt_calls(m, what, set())
                for c in calls:
                    groups.setdefault(id(c), set()).add(g)
        result = defaultdict(dict)
        unregistered = []
        for m in self.modules:
            for call, name, typ in m.opts:
                gs = groups.get(id(call))
                if not gs:
                    unregistered.append(f"{m.name}:{name}")
                    gs = {"DEFAULT"}
                for g in gs:
                    entry = describe(call, typ, m.name)
                    prev = result[g].get(name)
                    if prev is None or (prev["type"] != entry["type"] and typ != "str"):
                        if prev is not None:
                            entry["alsoIn"] = sorted({prev["module"], *prev.get("alsoIn", [])} - {m.name})
                        result[g][name] = entry
                    elif m.name != prev["module"] and m.name not in prev.get("alsoIn", []):
                        prev["alsoIn"] = sorted([*prev.get("alsoIn", []), m.name])
        ksa = sorted({g for m in self.modules for e in m.ksa_groups for g in [self.group_of(m, e)] if g})
        return result, unregistered, ksa


def describe(call, typ, module):
    e = {"type": typ, "module": module}
    choices = kw(call, "choices")
    if isinstance(choices, (ast.List, ast.Tuple)):
        vals = []
        for c in choices.elts:
            if isinstance(c, ast.Tuple) and c.elts:
                c = c.elts[0]
            if isinstance(c, ast.Constant) and isinstance(c.value, (str, int)) and not isinstance(c.value, bool):
                vals.append(c.value)
            elif isinstance(c, ast.Constant) and c.value is None:
                continue
            else:
                vals = None
                break
        if vals:
            e["choices"] = vals
    for bound in ("min", "max"):
        b = kw(call, bound)
        if isinstance(b, ast.Constant) and isinstance(b.value, (int, float)) and not isinstance(b.value, bool):
            e[bound] = b.value
        elif isinstance(b, ast.UnaryOp) and isinstance(b.op, ast.USub) and isinstance(b.operand, ast.Constant):
            e[bound] = -b.operand.value
    dep = []
    dn = const_str(kw(call, "deprecated_name"))
    dn = dn.replace("-", "_") if dn else dn
    if dn:
        dep.append({"group": const_str(kw(call, "deprecated_group")), "name": dn})
    dopts = kw(call, "deprecated_opts")
    if isinstance(dopts, (ast.List, ast.Tuple)):
        for d in dopts.elts:
            if isinstance(d, ast.Call):
                n = const_str(kw(d, "name") or (d.args[0] if d.args else None))
                g = const_str(kw(d, "group") or (d.args[1] if len(d.args) > 1 else None))
                if n or g:
                    dep.append({"group": g, "name": n.replace("-", "_") if n else n})
    if dep:
        e["deprecated"] = dep
    return e


def keystoneauth_options(source):
    """keystoneauth1's auth-plugin, session and adapter options (its own names use '-'; files use '_')."""
    repo, tag, roots = source
    opts = {}
    for path, text in sorted(python_files(repo, tag, roots).items()):
        m = Module(path, text)
        for call, name, typ in m.opts:
            opts.setdefault(name.replace("-", "_"), describe(call, typ, m.name))
    opts.setdefault("auth_type", {"type": "str", "module": "keystoneauth1.loading.conf"})
    opts.setdefault("auth_section", {"type": "str", "module": "keystoneauth1.loading.conf"})
    header = {"repository": f"https://github.com/{repo}", "tag": tag, "commit": commit_of(repo, tag), "paths": roots}
    return {"source": header, "options": dict(sorted(opts.items()))}


def extract_service(sources, lower_groups=False, plan=None, entry_modules=None):
    header = []
    modules = []
    for repo, tag, roots in sources:
        header.append({"repository": f"https://github.com/{repo}", "tag": tag, "commit": commit_of(repo, tag), "paths": roots})
        for path, text in sorted(python_files(repo, tag, roots).items()):
            try:
                modules.append(Module(path, text))
            except SyntaxError as err:
                if re.search(r"Opt\(|register_|_conf_get|settings", text):
                    raise SystemExit(f"{repo}@{tag}:{path} not parsed ({err.msg} line {err.lineno}) and may hold options")
                print(f"note: {repo}@{tag}:{path} skipped: not parsed, holds no options", file=sys.stderr)
    reg = Registry(modules)
    groups, unregistered, ksa = reg.build()
    if lower_groups:
        # oslo.config (2014 on) looks groups up case-insensitively: [OVS] and [ovs] are one group.
        merged = defaultdict(dict)
        for g, opts in groups.items():
            for k, v in opts.items():
                merged[g if g == "DEFAULT" else g.lower()].setdefault(k, v)
        groups = merged
        ksa = sorted({g if g == "DEFAULT" else g.lower() for g in ksa})
    data = {
        "sources": header,
        "unregistered": sorted(unregistered),
        "groups": {g: dict(sorted(groups[g].items())) for g in sorted(groups)},
    }
    if ksa:
        data["keystoneauthGroups"] = ksa
    if entry_modules:
        data["fileModules"] = {f: reg.import_closure(roots) for f, roots in sorted(entry_modules.items())}
    if plan:
        data["files"] = plan["files"]
        data["libraryNamespaces"] = plan["libraries"]
        data["namespaceOptions"] = {
            ns: reg.namespace_options(t, lower_groups) for ns, t in sorted(plan["entryPoints"].items())
        }
    paste = {}
    for m in modules:
        if m.conf_get and "filter_factory" in m.names:
            paste[f"{m.name}:filter_factory"] = sorted(m.conf_get | {"paste.filter_factory"})
    if paste:
        data["pasteFilters"] = dict(sorted(paste.items()))
    settings = set()
    for m in modules:
        settings |= m.settings_read
    if settings and any(r[2][0] == "horizon" for r in sources):
        data["settings"] = sorted(settings)
        data["localSettingsVariables"] = local_settings_variables(sources[0])
    # Python names, for values that name a class (compute_driver, core_plugin, …).
    names = sorted(f"{m.name}.{n}" for m in modules for n in m.names)
    return data, names


def upper_names(text):
    """Upper-case names a settings module assigns at top level."""
    tree = ast.parse(text)
    out = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for t in targets:
            if isinstance(t, ast.Name) and re.fullmatch(r"[A-Z][A-Z0-9_]*", t.id):
                out.add(t.id)
    return out


def django_global_settings(package, version, path):
    """Django's global_settings names, from the Debian package (apt-get download; nothing installed)."""
    import hashlib
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["apt-get", "download", f"{package}={version}"], cwd=tmp, check=True, capture_output=True)
        deb = os.path.join(tmp, os.listdir(tmp)[0])
        sha = hashlib.sha256(open(deb, "rb").read()).hexdigest()
        tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], check=True, capture_output=True).stdout
        text = subprocess.run(["tar", "-xO", f"./{path}"], input=tar, check=True, capture_output=True).stdout
    return {"package": package, "version": version, "sha256": sha, "path": path}, sorted(upper_names(text.decode()))


def horizon_modern(release):
    """Settings the dashboard reads: Django's, Horizon's and openstack_auth's defaults, and every code read."""
    spec = HORIZON_MODERN[release]
    repo, tag, roots = spec["repo"]
    data, _ = extract_service([spec["repo"]])
    files = python_files(repo, tag, roots)
    defaults = set()
    for path, text in files.items():
        if path.endswith("/defaults.py") or path == "openstack_dashboard/settings.py":
            defaults |= upper_names(text)
    django, django_names = django_global_settings(*spec["django"])
    return {
        "release": release,
        "service": "horizon",
        "generatedBy": "scripts/options/extract.py",
        "sources": data["sources"],
        "django": django,
        "unregistered": [],
        "groups": {},
        "settings": sorted(set(data.get("settings", [])) | defaults | set(django_names)),
        "localSettingsVariables": local_settings_variables(spec["repo"]),
    }


def paste_sample(repo, tag, path):
    """{section: {key: value}} of a packaged paste file (values as written, no interpolation)."""
    import configparser

    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read_string(git(repo, "show", f"{tag}:{path}").decode())
    return {s: dict(parser.items(s)) for s in parser.sections()}


def local_settings_variables(source):
    """Names the packaged local_settings.py example assigns and then reads itself (e.g. OPENSTACK_HOST)."""
    repo, tag, _ = source
    files = git(repo, "ls-tree", "-r", "--name-only", tag).decode().splitlines()
    path = next(f for f in files if f.endswith("local_settings.py.example"))
    tree = ast.parse(py2_to_3(git(repo, "show", f"{tag}:{path}").decode()))
    assigned = {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return sorted(assigned & read)


def main():
    release = sys.argv[1]
    check = "--check" in sys.argv
    out_dir = os.path.join(ROOT, "options", release)
    names_dir = os.path.join(ROOT, "test", "data", "options", release)
    failed = False
    if release in MODERN:
        plans = modern_sources(release)
    else:
        plans = {s: {"sources": v, "ksa": None} for s, v in RELEASES[release].items()}
    if release in HORIZON_MODERN:
        plans["horizon"] = {"horizon": True}
    for service, plan in plans.items():
        if plan.get("horizon"):
            data = horizon_modern(release)
            path = os.path.join(out_dir, "horizon.json")
            text = json.dumps(data, indent=1) + "\n"
            print(f"{release}/horizon: {len(data['settings'])} settings")
            if check:
                if not os.path.exists(path) or open(path).read() != text:
                    print(f"differs: {path}", file=sys.stderr)
                    failed = True
            else:
                with open(path, "w") as f:
                    f.write(text)
            continue
        sources, ksa = plan["sources"], plan["ksa"]
        data, names = extract_service(
            sources,
            lower_groups=release in MODERN,
            plan=plan if "files" in plan else None,
            entry_modules=FILE_ENTRY_MODULES.get(release, {}).get(service),
        )
        data = {"release": release, "service": service, "generatedBy": "scripts/options/extract.py", **data}
        if "files" in plan:
            data["requirements"] = {
                "repository": "https://github.com/openstack/requirements",
                "ref": MODERN[release]["requirements"],
                "commit": commit_of("openstack/requirements", MODERN[release]["requirements"]),
            }
        if ksa and data.get("keystoneauthGroups"):
            data["keystoneauth"] = keystoneauth_options(ksa)
        samples = PASTE_SAMPLES.get(release, {}).get(service)
        if samples:
            data["pasteSamples"] = {
                fid: {"path": f"{repo}@{tag}:{path}", "sections": paste_sample(repo, tag, path)}
                for fid, (repo, tag, path) in samples.items()
            }
        files = {
            os.path.join(out_dir, f"{service}.json"): json.dumps(data, indent=1, sort_keys=False) + "\n",
        }
        if release == "folsom":
            files[os.path.join(names_dir, f"{service}-python-names.json")] = (
                json.dumps({"sources": data["sources"], "names": names}, indent=0) + "\n"
            )
        n = sum(len(g) for g in data["groups"].values())
        print(f"{release}/{service}: {n} options in {len(data['groups'])} groups, {len(data['unregistered'])} unregistered")
        for path, text in files.items():
            if check:
                if not os.path.exists(path) or open(path).read() != text:
                    print(f"differs: {path}", file=sys.stderr)
                    failed = True
            else:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(text)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
