# oslab-api.py - the helpers (REST calls, error reporting) that the on-host programs
# oslab-keystone.py (Keystone's data) and oslab-demo.py (the demo project) share, kept
# once here. Not run by itself: their renderers (components/keystone/render.ts,
# components/demo/render.ts, through withApiPy in components/shared/script.ts) send this
# file's text in front of the script's own part as one program, so a host still gets a
# single self-contained program and nothing is installed there. Python 2.7 (Folsom's
# Ubuntu 12.04) and 3.2+, standard library only, as both programs need.
#
# http         one request, JSON in and out; an HTTP error status is returned like any
#              other (the caller decides what it may be), no answer at all (refused,
#              timed out, no route) raises Unreachable. No proxy: http_proxy and the like
#              in the host's environment are ignored, the cloud's APIs are called directly.
# api_message  the message of an API error body: Keystone's error, Neutron's
#              NeutronError, Nova's fault (each {"<kind>": {"message": ...}}), or a
#              top-level message.
# q            one URL path segment or query value, quoted.
# named        the first object of a listing with the given name, or None.
# ApiError     what the programs raise for a failed call.
# make_dirs    os.makedirs that accepts a directory a parallel step made meanwhile.
# run_mode     a program's main: runs the mode; a failed call (ApiError, Unreachable)
#              ends it with one line `<program>: <message>` on stderr and exit 1.
import errno
import json
import os
import sys

try:
    from urllib.request import ProxyHandler, Request, build_opener
    from urllib.error import HTTPError, URLError
    from urllib.parse import quote
except ImportError:  # python 2
    from urllib2 import ProxyHandler, Request, build_opener, HTTPError, URLError
    from urllib import quote


def make_dirs(d, mode=0o777):
    if not d or os.path.isdir(d):
        return
    try:
        os.makedirs(d, mode)
    except OSError as e:
        if e.errno != errno.EEXIST or not os.path.isdir(d):
            raise


class ApiError(Exception):
    pass


class Unreachable(Exception):
    pass


OPENER = build_opener(ProxyHandler({}))


def http(method, url, body=None, token=None, timeout=60):
    """One request; returns (status, lower-cased headers, parsed JSON or None)."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = Request(url, data=data)
    req.get_method = lambda: method
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("X-Auth-Token", token)
    try:
        resp = OPENER.open(req, timeout=timeout)
        status, raw, hdrs = resp.getcode(), resp.read(), resp.info()
    except HTTPError as e:
        status, raw, hdrs = e.code, e.read(), e.info()
    except (URLError, IOError, OSError) as e:
        raise Unreachable("%s %s: %s" % (method, url, e))
    text = raw.decode("utf-8", "replace") if raw else ""
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = None
    return status, dict((k.lower(), v) for k, v in hdrs.items()), parsed


def api_message(parsed):
    """The message of an API error body: Keystone's error, Neutron's NeutronError, Nova's fault."""
    if isinstance(parsed, dict):
        for v in parsed.values():
            if isinstance(v, dict) and v.get("message"):
                return v["message"]
        if parsed.get("message"):
            return parsed["message"]
    return ""


def q(s):
    return quote(s, safe="")


def named(objects, name):
    """The first of `objects` (API objects, dicts) whose name is `name`, or None."""
    for o in objects:
        if o.get("name") == name:
            return o
    return None


def run_mode(program, mode, modes):
    """Run modes[mode]() (modes: name -> function); a failed call is one line on stderr, exit 1."""
    if mode not in modes:
        raise SystemExit("%s: unknown mode %s" % (program, mode))
    try:
        modes[mode]()
    except (ApiError, Unreachable) as e:
        sys.stderr.write("%s: %s\n" % (program, e))
        sys.exit(1)
