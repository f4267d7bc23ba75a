#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""decide-report.py JSONL COMMIT OUT.json OUT.md: the decision-cost table
from bench/decide_cost's lines (bench/run.sh decide)."""
import datetime
import json
import os
import platform
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
commit, out_json, out_md = sys.argv[2:5]
doc = {
    "date": datetime.date.today().isoformat(),
    "commit": commit,
    "machine": {"kernel": platform.release(), "cpus": os.cpu_count(),
                "loadavg_before": open("/proc/loadavg").read().split()[:3]},
    "cases": rows,
}
with open(out_json, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")


def cell(n, g, kind, view):
    for r in rows:
        if (r["nodes"], r["groups"], r["kind"], r["view"]) == (n, g, kind, view):
            us = r["ns"] / 1000
            return f"{us:,.1f} µs" if us >= 1 else f"{r['ns']:.0f} ns"
    return "-"


nodes = sorted({r["nodes"] for r in rows})
groups = sorted({r["groups"] for r in rows})
lines = [
    f"# Decision cost: xhb_decide() for N nodes x G groups ({doc['date']}, commit {commit})",
    "",
    "What one decision costs the agent's loop, which decides once a probe "
    "period (1 ms at `probe 1ms 3`). One call decides every group; best of "
    "five rounds of ~20 ms each, on one CPU (`bench/run.sh decide`, "
    "`bench/decide_cost.c`). *steady*: every node up, each group held where "
    "it is placed; *death*: the last node just judged dead, its groups "
    "placed again. *auto*: haresources' `auto` groups (rendezvous "
    "placement); *fixed*: a preferred node each.",
    "",
    f"Kernel {doc['machine']['kernel']}, {doc['machine']['cpus']} CPUs, load "
    f"average before {' '.join(doc['machine']['loadavg_before'])}.",
    "",
]
for kind in ("auto", "fixed"):
    for view in ("steady", "death"):
        lines.append(f"## {kind} groups, {view}")
        lines.append("")
        lines.append("| nodes \\ groups | " + " | ".join(str(g) for g in groups) + " |")
        lines.append("|---|" + "---|" * len(groups))
        for n in nodes:
            lines.append(f"| {n} | " + " | ".join(cell(n, g, kind, view) for g in groups) + " |")
        lines.append("")
with open(out_md, "w") as f:
    f.write("\n".join(lines))
