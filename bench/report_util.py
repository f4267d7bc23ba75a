# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""What the benchmarks' report scripts share (failover-report.py,
service-crash-report.py): reading a raw JSON, summarizing a column,
printing a figure, writing the raw runs."""
import json
import math
import statistics


def load(path):
    """The JSON at path, or None when it is missing or not JSON."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def p95(v):
    """Nearest rank: the smallest value with 95% of the values at or below it."""
    s = sorted(v)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


def summary(values):
    """median, p95, max, min and n of the values that are not None."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "p95": p95(v), "max": max(v),
            "min": min(v), "n": len(v)}


def fmt(x, nd=None):
    """A figure with thousands separators and the digits its size wants."""
    if x is None:
        return "–"
    if nd is None:
        nd = 0 if abs(x) >= 100 else (1 if abs(x) >= 10 else 2)
    return f"{x:,.{nd}f}"


def write_json(path, data):
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
