# oslab-edit.py - apply one config-file change on a host, idempotently.
#
# Usage: python3 - MODE PATH 3<spec.json   (python 2.7 works too: Ubuntu 12.04 hosts)
# The spec arrives on file descriptor 3 so that secrets never appear on a command line.
#   replace  {"content": str, "mode": "0640", "owner": "root", "group": "nova"}
#            the program owns the whole file.
#   ini      {"set": {section: {key: value}}, "remove_sections": [..], mode/owner/group}
#            the program owns the keys it sets; every other line (comments, packaged
#            defaults) stays, like the article's hand edits. A commented-out key
#            ("# rabbit_host = ...") is replaced in place by the active line.
#   block    {"block": str, "comment": "#", mode/owner/group}
#            the program owns a marked block at the end of the file.
#   restore  (no spec) put back the packaged original, or remove a file we created.
# Before the first change the original is saved under /var/lib/openstack-lab/orig/PATH
# (or a marker under /var/lib/openstack-lab/new/PATH when there was no file), so
# `restore` can undo exactly what we did. Backups stay out of the config directories,
# where tools like apt or sysctl would read them. OSLAB_STATE overrides the root (tests).
# Prints "changed" or "unchanged".
import errno
import io
import json
import os
import re
import sys

BEGIN = "BEGIN openstack-lab managed block"
END = "END openstack-lab managed block"


def read(path):
    if not os.path.exists(path):
        return None
    with io.open(path, "r", encoding="utf-8") as f:
        return f.read()


def header_re():
    return re.compile(r"^\s*\[([^\]]+)\]\s*$")


def key_re(key, commented):
    prefix = r"^\s*[#;]\s*" if commented else r"^\s*"
    return re.compile(prefix + re.escape(key) + r"\s*[=:]")


def edit_ini(text, spec):
    lines = (text or "").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    hdr = header_re()

    def sections():
        """[(name, start, end)] where start is the header line (or -1) and end exclusive."""
        out, name, start = [], "DEFAULT*", -1
        for i, line in enumerate(lines):
            m = hdr.match(line)
            if m:
                out.append((name, start, i))
                name, start = m.group(1).strip(), i
        out.append((name, start, len(lines)))
        return out

    for name in spec.get("remove_sections", []):
        for sname, start, end in reversed(sections()):
            if sname == name and start >= 0:
                del lines[start:end]

    for name, values in spec.get("set", {}).items():
        for key, value in values.items():
            new = "%s = %s" % (key, value)
            found = [s for s in sections() if s[0] == name and s[1] >= 0]
            if not found:
                while lines and lines[-1].strip() == "":
                    lines.pop()
                if lines:
                    lines.append("")
                lines.extend(["[%s]" % name, new])
                continue
            _, start, end = found[0]
            active = [i for i in range(start + 1, end) if key_re(key, False).match(lines[i])]
            if active:
                lines[active[0]] = new
                for i in reversed(active[1:]):
                    del lines[i]
                continue
            commented = [i for i in range(start + 1, end) if key_re(key, True).match(lines[i])]
            if commented:
                lines.insert(commented[-1] + 1, new)
                continue
            at = end
            while at - 1 > start and lines[at - 1].strip() == "":
                at -= 1
            lines.insert(at, new)
    return "\n".join(lines) + "\n"


def edit_block(text, spec):
    c = spec.get("comment", "#")
    body = (text or "")
    pattern = re.compile(
        r"\n?" + re.escape(c) + " " + re.escape(BEGIN) + r"\n.*?" + re.escape(c) + " " + re.escape(END) + r"\n",
        re.S)
    body = pattern.sub("", body)
    if body and not body.endswith("\n"):
        body += "\n"
    block = spec["block"]
    if not block.endswith("\n"):
        block += "\n"
    sep = "\n" if body else ""
    return body + sep + "%s %s\n%s%s %s\n" % (c, BEGIN, block, c, END)


def owner_ids(spec, path):
    import grp
    import pwd
    uid = gid = -1
    if spec.get("owner"):
        uid = pwd.getpwnam(spec["owner"]).pw_uid
    if spec.get("group"):
        gid = grp.getgrnam(spec["group"]).gr_gid
    return uid, gid


def make_dirs(d, mode=0o777):
    # Steps run in parallel, and two of them may create the same directory (two files of
    # /etc/neutron saved under orig/etc/neutron at once): one that another step made
    # between the check and the call is what we wanted, not an error.
    if not d or os.path.isdir(d):
        return
    try:
        os.makedirs(d, mode)
    except OSError as e:
        if e.errno != errno.EEXIST or not os.path.isdir(d):
            raise


def write(path, content, spec):
    make_dirs(os.path.dirname(path))
    tmp = path + ".oslab-tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(content if str is not bytes else content.encode("utf-8"))
    if spec.get("mode"):
        mode = int(spec["mode"], 8)
    elif os.path.exists(path):
        mode = os.stat(path).st_mode & 0o7777
    else:
        mode = 0o644
    uid, gid = owner_ids(spec, path)
    if uid == -1 and gid == -1 and os.path.exists(path):
        st = os.stat(path)
        uid, gid = st.st_uid, st.st_gid
    os.chown(tmp, uid, gid)
    os.chmod(tmp, mode)
    os.rename(tmp, path)


def attrs_differ(path, spec):
    st = os.stat(path)
    if spec.get("mode") and (st.st_mode & 0o7777) != int(spec["mode"], 8):
        return True
    uid, gid = owner_ids(spec, path)
    return (uid != -1 and st.st_uid != uid) or (gid != -1 and st.st_gid != gid)


def main():
    mode, path = sys.argv[1], sys.argv[2]
    state = os.environ.get("OSLAB_STATE", "/var/lib/openstack-lab")
    orig = os.path.join(state, "orig") + os.path.abspath(path)
    new_marker = os.path.join(state, "new") + os.path.abspath(path)
    current = read(path)
    if mode == "restore":
        if os.path.exists(orig):
            write(path, read(orig), {"mode": "%o" % (os.stat(orig).st_mode & 0o7777)})
            os.remove(orig)
            print("changed")
        elif os.path.exists(new_marker):
            if current is not None:
                os.remove(path)
            os.remove(new_marker)
            print("changed")
        else:
            print("unchanged")
        return
    with os.fdopen(3) as f:
        spec = json.loads(f.read())
    if mode == "replace":
        content = spec["content"]
    elif mode == "ini":
        content = edit_ini(current, spec)
    elif mode == "block":
        content = edit_block(current, spec)
    else:
        raise SystemExit("oslab-edit: unknown mode %s" % mode)
    if current == content and not attrs_differ(path, spec):
        print("unchanged")
        return
    if not os.path.exists(orig) and not os.path.exists(new_marker):
        for p in (orig, new_marker):
            make_dirs(os.path.dirname(p), 0o700)
        if current is None:
            io.open(new_marker, "w").close()
        else:
            with io.open(orig, "w", encoding="utf-8") as f:
                f.write(current)
            st = os.stat(path)
            os.chmod(orig, st.st_mode & 0o7777)
    write(path, content, spec)
    print("changed")


if __name__ == "__main__":
    main()
