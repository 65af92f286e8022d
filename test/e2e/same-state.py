#!/usr/bin/env python3
"""same-state.py A.json B.json — exit 0 when two lab-runner state files hold the same
resources (URN and ID each), else print the difference and exit 1. Inputs and outputs
are not compared: secrets are re-encrypted (new nonces) whenever the state is written."""
import json
import sys


def resources(path):
    state = json.load(open(path))
    items = state["resources"] if isinstance(state, dict) and "resources" in state else state
    if isinstance(items, dict):
        items = list(items.values())
    return {r["urn"]: r.get("id") for r in items}


a, b = resources(sys.argv[1]), resources(sys.argv[2])
diff = sorted(set(a.items()) ^ set(b.items()))
for urn, rid in diff:
    print("%s %s %s" % ("only-before" if (urn, rid) in a.items() else "only-after", urn.rsplit("::", 1)[1], rid))
sys.exit(1 if diff else 0)
