#!/usr/bin/env python3
"""validate.py — run ON A LAB HOST (root): every OpenStack config file of the table on
stdin ("path<TAB>ns,ns,…", zed.tsv / epoxy.tsv) that exists here is checked with
oslo-config-validator (python3-oslo.config) against those namespaces. Dynamic sections are
checked as the group whose options they take: cinder's backend sections (named in
[DEFAULT] enabled_backends) as [backend_defaults]; glance's store sections (enabled_backends
"name:type,…", glance_store's multi-store form) as [glance_store], where glance_store's
generator lists every store's options. Prints "validated PATH: N unknown" per
file with each unknown key or group, and exits 1 when any file has one."""
import configparser
import os
import subprocess
import sys
import tempfile

DYNAMIC = {
    "/etc/cinder/cinder.conf": ("enabled_backends", "backend_defaults"),
    "/etc/glance/glance-api.conf": ("enabled_backends", "glance_store"),
}


def checked_copy(path):
    """The file as the validator should see it: dynamic sections renamed."""
    if path not in DYNAMIC:
        return path, None
    key, group = DYNAMIC[path]
    cp = configparser.RawConfigParser(strict=False, interpolation=None)
    cp.read(path)
    # "lvm,lvm2" (cinder) or "fs:file,cheap:file" (glance): the section names
    names = [n.split(":")[0].strip() for n in cp.get("DEFAULT", key, fallback="").split(",") if n.strip()]
    lines, out = open(path).read().splitlines(), []
    for line in lines:
        s = line.strip()
        if s.startswith("[") and s.endswith("]") and s[1:-1].strip() in names:
            line = "[%s]" % group
        out.append(line)
    fd, tmp = tempfile.mkstemp(prefix="oslab-validate-")
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(out) + "\n")
    return tmp, tmp


bad = 0
for row in sys.stdin:
    if row.startswith("#") or not row.strip():
        continue
    path, namespaces = row.rstrip("\n").split("\t")
    if not os.path.exists(path):
        continue
    target, tmp = checked_copy(path)
    args = ["oslo-config-validator", "--input-file", target]
    for ns in namespaces.split(","):
        args += ["--namespace", ns]
    r = subprocess.run(args, capture_output=True, text=True)
    if tmp:
        os.remove(tmp)
    errors = [l for l in (r.stdout + r.stderr).splitlines() if l.startswith("ERROR")]
    if r.returncode != 0 and not errors:
        errors = ["validator failed: " + (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]]
    print("validated %s: %d unknown" % (path, len(errors)))
    for e in errors:
        print("  " + e)
    bad += len(errors)
sys.exit(1 if bad else 0)
