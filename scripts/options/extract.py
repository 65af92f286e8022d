#!/usr/bin/env python3
"""Rebuild the option registries under options/<release>/ from the public upstream sources.

Usage:
    scripts/options/extract.py <release>            # folsom | zed | epoxy
    scripts/options/extract.py <release> --check    # rebuild in memory, compare with the committed files

Each service's repository is a bare git mirror (the session's `fetch` tool brings github:openstack/<name>
to /work/.mirror/openstack+<name>/repo; set OPTIONS_MIRROR to another root whose <owner>+<name>/repo are
git directories). Only `git ls-tree` / `git cat-file` at the release tag are used: nothing is installed or
imported, the Python sources are parsed with the `ast` module.

What counts as an option (every oslo.config era, 2012 to 2025):
  * a call `cfg.StrOpt('name', ...)` (or IntOpt, BoolOpt, ListOpt, MultiStrOpt, FloatOpt, DictOpt, PortOpt,
    HostAddressOpt, URIOpt, …), with the group found by following the call to where it is registered:
    `X.register_opt(s)(<expr>, group=<g>)`, `X.register_cli_opt(s)`, or a `list_opts()` function's
    `(group, opts)` pairs / `{group: opts}` dicts. <expr> may be a list literal, a variable, `a + b`,
    `itertools.chain(a, b)`, `list(...)`, `copy.deepcopy(...)`; a group may be a string, an `OptGroup`
    (its name), or a constant defined in another module. Options never seen registered are kept in
    group DEFAULT and counted in the header (`unregistered`).
  * Folsom keystone's own helpers `register_str('name', group=...)`, `register_bool`, `register_int`, …
  * Folsom keystone's auth_token middleware reads its paste filter keys with `self._conf_get('name')`:
    those names are the keys of a `[filter:authtoken]` section (plus paste's own `paste.filter_factory`).
  * Horizon (Django) settings: every `settings.NAME` / `getattr(settings, 'NAME', …)` read in the code, and
    the local variables the packaged local_settings.py example computes other settings from.

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
# Where a release's libraries come from (filled per release by add_libraries()).
LIB_SERVICES = {}


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
        self.consts = {}  # name -> str (module-level string constants and OptGroup names)
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
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        self.vars[t.id].append(node.value)
                        s = const_str(node.value)
                        if s is not None:
                            self.consts.setdefault(t.id, s)
                        if isinstance(node.value, ast.Call) and call_name(node.value) == "OptGroup":
                            g = kw(node.value, "name") or (node.value.args[0] if node.value.args else None)
                            if const_str(g) is not None:
                                self.consts[t.id] = const_str(g)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                self.vars[node.target.id].append(node.value)
            elif isinstance(node, ast.Call):
                name = call_name(node)
                if name in OPT_TYPES and isinstance(node.func, (ast.Attribute, ast.Name)):
                    n = const_str(kw(node, "name") or (node.args[0] if node.args else None))
                    if n is not None:
                        self.opts.append((node, n, OPT_TYPES[name]))
                elif name in KEYSTONE_HELPERS and node.args and const_str(node.args[0]) is not None:
                    self.opts.append((node, const_str(node.args[0]), KEYSTONE_HELPERS[name]))
                    self.registrations.append((node, kw(node, "group")))
                elif name in REGISTER_FUNCS and (node.args or kw(node, "opts") or kw(node, "opt")):
                    what = node.args[0] if node.args else (kw(node, "opts") or kw(node, "opt"))
                    group = kw(node, "group") or (node.args[1] if len(node.args) > 1 else None)
                    self.registrations.append((what, group))
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
        self.consts = defaultdict(set)
        for m in modules:
            for k, vs in m.vars.items():
                for v in vs:
                    self.by_var[k].append((m, v))
            for k, s in m.consts.items():
                self.consts[k].add(s)

    def group_of(self, m, expr):
        if expr is None:
            return "DEFAULT"
        s = const_str(expr)
        if s is not None:
            return s
        if isinstance(expr, ast.Name):
            if expr.id in m.consts:
                return m.consts[expr.id]
            cands = self.consts.get(expr.id, set())
            return sorted(cands)[0] if len(cands) >= 1 else None
        if isinstance(expr, ast.Attribute):
            if expr.attr == "name":
                return self.group_of(m, expr.value)
            cands = self.consts.get(expr.attr, set())
            return sorted(cands)[0] if cands else None
        if isinstance(expr, ast.Call) and call_name(expr) == "OptGroup":
            return const_str(kw(expr, "name") or (expr.args[0] if expr.args else None))
        return None

    def opt_calls(self, m, expr, seen):
        """Every option call an expression stands for (following variables across modules)."""
        out = []
        for node in ast.walk(expr):
            if isinstance(node, ast.Call) and call_name(node) in OPT_TYPES:
                out.append(node)
            elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(getattr(node, "ctx", None), ast.Load):
                name = node.id if isinstance(node, ast.Name) else node.attr
                local = [(m, v) for v in m.vars.get(name, [])] if isinstance(node, ast.Name) else []
                targets = local or self.by_var.get(name, [])
                for mm, v in targets:
                    key = (mm.path, name, id(v))
                    if key in seen:
                        continue
                    seen.add(key)
                    out.extend(self.opt_calls(mm, v, seen))
        return out

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
                        result[g][name] = entry
        return result, unregistered


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
    if dn:
        dep.append({"group": const_str(kw(call, "deprecated_group")), "name": dn})
    dopts = kw(call, "deprecated_opts")
    if isinstance(dopts, (ast.List, ast.Tuple)):
        for d in dopts.elts:
            if isinstance(d, ast.Call):
                n = const_str(kw(d, "name") or (d.args[0] if d.args else None))
                g = const_str(kw(d, "group") or (d.args[1] if len(d.args) > 1 else None))
                if n or g:
                    dep.append({"group": g, "name": n})
    if dep:
        e["deprecated"] = dep
    return e


def extract_service(sources):
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
    groups, unregistered = reg.build()
    data = {
        "sources": header,
        "unregistered": sorted(unregistered),
        "groups": {g: dict(sorted(groups[g].items())) for g in sorted(groups)},
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
    for service, sources in RELEASES[release].items():
        data, names = extract_service(sources)
        data = {"release": release, "service": service, "generatedBy": "scripts/options/extract.py", **data}
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
