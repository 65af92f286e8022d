#!/usr/bin/env python3
"""timing-summary.py LABEL REPORT.json — one run's timing from the lab runner's report.

Prints wall time, critical path, their ratio, the sum of resource times and the ten
longest steps (custom resources), then one machine-readable line
"timing LABEL wall=S cp=S ratio=R sum=S" that e2e summaries collect.
"""
import json
import sys

label, path = sys.argv[1], sys.argv[2]
report = json.load(open(path))
t = report["timing"]
wall = t["wallMs"] / 1000
cp = t["criticalPath"]["durationMs"] / 1000
total = t["sumMs"] / 1000
ratio = wall / cp if cp else 0.0
name = lambda urn: urn.rsplit("::", 1)[1]
steps = sorted(
    (r for r in report["resources"] if r["custom"] and r.get("durationMs")),
    key=lambda r: (-r["durationMs"], r["urn"]),
)
print(f"{label}: wall {wall:.0f} s, critical path {cp:.0f} s (wall/critical path {ratio:.2f}), sum of resource times {total:.0f} s")
print("  critical path: " + " -> ".join(f"{name(r['id'])} {r['durationMs'] / 1000:.0f}s" for r in t["criticalPath"]["resources"] if r["durationMs"] >= 1000))
print("  ten longest steps: " + ", ".join(f"{name(r['urn'])} {r['durationMs'] / 1000:.0f}s" for r in steps[:10]))
print(f"timing {label.replace(' ', '-')} wall={wall:.0f} cp={cp:.0f} ratio={ratio:.2f} sum={total:.0f}")
