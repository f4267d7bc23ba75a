#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""Routed benchmark report (bench/routed.sh writes the runs).

  routed-report.py WORKDIR BASE    runs -> BASE.json (raw + figures), BASE.md
  routed-report.py --md BASE.json  BASE.md again from the JSON alone

Times: the probers, the fault time and xhb's events are all on
CLOCK_MONOTONIC (one machine, namespaces share the clock).
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_util import fmt, load, summary, write_json  # noqa: E402

SYSTEMS = {"xhb": "xhb routing mode + BIRD", "bfd": "BIRD + BFD alone"}
FAULTS = ["linkdown", "poweroff", "pathloss", "servicekill"]
FAULT_NAMES = {"linkdown": "link down", "poweroff": "power-off",
               "pathloss": "silent path loss", "servicekill": "service kill"}
# A request sent this long before the fault may still fail because of it.
SLACK_NS = 20_000_000
TARGETS = {"pathloss": 15, "poweroff": 15, "servicekill": 50}


def ms(ns):
    return ns / 1e6


def http_figures(d, http, t):
    """The service kill: the HTTP prober's gap the kill is in (the UDP echo
    lives on when the web server dies). Requests in flight when the workers
    die fail too, so the gap may begin a little before the kill."""
    end = http["clock"]["mono_ns"] + http["requests"] * http["interval_us"] * 1000
    gaps = http.get("gaps", [])
    gap = next((g for g in gaps if not g["after_sent_ns"] or g["after_sent_ns"] > t), None)
    if gap is None:
        d["outage_ms"], d["answered_after"] = 0.0, "SRV1"
        return
    d["failed_again"] = any(g["first_failed_sent_ns"] > gap["first_failed_sent_ns"] for g in gaps)
    if gap["after_sent_ns"]:
        d["outage_ms"], d["answered_after"] = gap["outage_ms"], gap["after"]
    else:
        d["outage_ms"], d["answered_after"] = None, "none"
        d["unanswered_until_end_ms"] = ms(end - gap["before_sent_ns"]) if gap["before_sent_ns"] else None


def udp_figures(d, udp, t):
    """A network fault: vipcheck's longest outage, one UDP request every
    1 ms (an HTTP request in flight adds its own latency to a gap)."""
    lost, out = udp.get("lost", 0), udp.get("outage_ms") or 0
    if not lost:
        d["outage_ms"], d["answered_after"] = 0.0, (udp.get("servers") or ["?"])[-1]
    elif not out:
        # vipcheck closes no gap that no answer ended: none came back
        d["outage_ms"], d["answered_after"] = None, "none"
    else:
        # the longest gap began before the fault: a session dropped falsely
        d["unsteady"] = udp.get("outage_start_ns", t) < t
        d["outage_ms"], d["answered_after"] = out, udp.get("outage_to")
        # more lost than that gap holds: requests failed again
        d["failed_again"] = lost > out + 2


def figures(run):
    meta, http, udp = run["meta"], run.get("http"), run.get("udp")
    d = {"ok": False}
    if meta.get("status") != "ok" or not http or not udp or not meta.get("t_fault_mono_ns"):
        d["why"] = meta.get("status") if meta.get("status") != "ok" else "no prober output"
        return d
    t = meta["t_fault_mono_ns"]
    d["udp_both_answered"] = udp.get("both_answered")
    d["udp_moves"] = udp.get("moves")
    if meta["fault"] == "servicekill":
        http_figures(d, http, t)
    else:
        udp_figures(d, udp, t)
    # a whole episode of failed HTTP requests before the fault
    if any(g["after_sent_ns"] and g["after_sent_ns"] < t - SLACK_NS for g in http.get("gaps", [])):
        d["unsteady"] = True
    d["ok"] = not d.get("unsteady")
    if not d["ok"]:
        d["why"] = "requests failed before the fault (a BGP session dropped falsely)"
    return d


def collect(work):
    runs = []
    for mpath in sorted(glob.glob(os.path.join(work, "*", "meta.json"))):
        d = os.path.dirname(mpath)
        run = {"meta": load(mpath), "http": load(os.path.join(d, "http.json")),
               "udp": load(os.path.join(d, "udp.json")), "srv2_events": []}
        try:
            with open(os.path.join(d, "srv2-events.json")) as f:
                run["srv2_events"] = [json.loads(line) for line in f
                                      if '"group_acquire"' in line or '"peer_dead"' in line]
        except (OSError, ValueError):
            pass
        run["figures"] = figures(run)
        runs.append(run)
    return runs


def table(runs):
    rows = {}
    for s in SYSTEMS:
        for f in FAULTS:
            mine = [r["figures"] for r in runs if r["meta"]["system"] == s and r["meta"]["fault"] == f]
            if not mine:
                continue
            ok = [x for x in mine if x["ok"]]
            unsteady = sum(1 for x in mine if x.get("unsteady"))
            after = {}
            for x in ok:
                after[x["answered_after"]] = after.get(x["answered_after"], 0) + 1
            rows[f"{s}/{f}"] = {
                "system": s, "fault": f, "runs": len(mine), "ok": len(ok),
                "outage_ms": summary([x["outage_ms"] for x in ok]),
                "never": sum(1 for x in ok if x["outage_ms"] is None),
                "answered_after": after,
                "both_answered": sum(x.get("udp_both_answered") or 0 for x in ok),
                "unsteady_before": unsteady,
                "failed_again": sum(1 for x in ok if x.get("failed_again")),
                "bfd_ms": sorted({r["meta"].get("bfd_ms") for r in runs if r["meta"]["system"] == s}),
            }
    return rows


def markdown(data):
    info, rows = dict(data["run"]), data["rows"]
    for k in ("date", "commit", "kernel", "cpus", "load", "bird", "repeats"):
        info.setdefault(k, "?")

    def bfd(system):
        v = sorted({x for r in rows.values() if r["system"] == system for x in r["bfd_ms"]})
        return ", ".join(str(x) for x in v) or "–"
    out = [f"# Routed failover, {info['date']}", "",
           f"Commit measured: **{info['commit']}** (xhb built from it). `bench/routed.sh` on kernel "
           f"{info['kernel']}, {info['cpus']} CPUs, load average {info['load']} at the start; "
           f"{info['bird']}; {info['repeats']} runs of each fault for each system, the two systems "
           "alternating within a repeat. Raw runs: the JSON beside this file; tables by "
           "`bench/routed-report.py`.", "",
           "The routed lab (`tools/lab_routed.sh`): srv1 10.61.1.10 and srv2 10.61.2.40 in two "
           "subnets, each behind a switch, a router namespace, the client 10.61.3.2 in a third "
           "subnet; VIP 10.61.0.30/32. Every node runs its own bird2; eBGP from each server to the "
           f"router with BFD (x {data['bfd_mult']}; the interval per system below). In the client, "
           "`bench/httpprobe` opens a new HTTP connection to the VIP every 1 ms, `vipcheck` sends a "
           "UDP request every 1 ms alongside (any request answered by both servers shows there).", "",
           "| system | how the VIP is announced |", "| --- | --- |",
           f"| xhb routing mode + BIRD | BFD {bfd('xhb')} ms x 3 (xhb does not wait for it); `probe 1ms 3`, `announce 0 route` (VIP on lo, host route in "
           "table 100 proto 248, metric 1000, takeover_metric 100 exported as MED; the router "
           "compares MEDs), `check web http http://127.0.0.1/ interval 10ms timeout 200ms fall 3` |",
           f"| BIRD + BFD alone | BFD {bfd('bfd')} ms x 3; the VIP on lo of both servers, announced by a static protocol; srv2's "
           "path prepended: the router moves to srv2 only once BFD drops srv1's session |", "",
           "## Client-visible outage, ms", "",
           "Outage: for link down, power-off and path loss, vipcheck's: the longest run of UDP "
           "requests (one every 1 ms) unanswered, from the send of the last answered before it to "
           "the send of the first answered after it (an HTTP request in flight would add its own "
           "latency under load); for the service kill, whose UDP echo lives on, httpprobe's run of "
           "failed HTTP requests that the kill starts, measured the same way. Median / p95 (nearest rank) / max / min over the runs. *never*: runs with no "
           "answer until the window ended. *Runs*: measured / made; a run whose requests failed "
           "before the fault (a BGP session dropped falsely by BFD) measures nothing of the fault and "
           "is left out, counted under *flaps* with the runs whose requests failed again after the "
           "fault's outage. *Both*: UDP requests answered by the two servers, summed.",
           "",
           "| fault | system | runs | outage median / p95 / max / min | never | answered after | both | flaps |",
           "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |"]
    for f in FAULTS:
        for s in SYSTEMS:
            r = rows.get(f"{s}/{f}")
            if not r:
                continue
            o = r["outage_ms"]
            fig = " / ".join(fmt(o[k]) for k in ("median", "p95", "max", "min")) if o else "–"
            if r["never"] == r["ok"] and r["ok"]:
                fig = f"**no answer until the window ended** (> {data['post_ms']:,} ms)"
            after = ", ".join(f"{k} {v}" for k, v in sorted(r["answered_after"].items()))
            out.append(f"| {FAULT_NAMES[f]} | {SYSTEMS[s]} | {r['ok']}/{r['runs']} | {fig} | "
                       f"{r['never']} | {after} | {r['both_answered']} | "
                       f"{r['unsteady_before']} / {r['failed_again']} |")
    out += ["", "BIRD alone does not know the service: after the web server's kill it keeps sending "
            "clients to srv1; a run where the client got an answer again owes it to a false BFD drop "
            "of srv1's session (BFD at 10 ms on a busy 2-CPU machine), which also explains the "
            "*none* runs of the network faults (srv2's session down at the time) and their long "
            "p95. xhb's arm runs BFD at 100 ms: its takeover does not wait for it.",
            "", "## Targets (issue 16)", "", "| target | measured | |", "| --- | ---: | --- |"]
    for f, limit in TARGETS.items():
        r = rows.get(f"xhb/{f}")
        if not r or not r["outage_ms"]:
            continue
        m = r["outage_ms"]["median"]
        out.append(f"| xhb {FAULT_NAMES[f]}: median outage <= {limit} ms | {fmt(m)} ms | "
                   f"{'met' if m <= limit else '**MISSED**'} |")
    both = sum(r["both_answered"] for r in rows.values())
    out.append(f"| no request answered by two servers | {both} | {'met' if both == 0 else '**MISSED**'} |")
    out.append("")
    return "\n".join(out)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--md":
        data = load(sys.argv[2])
        base = sys.argv[2][:-5]
    elif len(sys.argv) == 3:
        work, base = sys.argv[1], sys.argv[2]
        runs = collect(work)
        info = load(os.path.join(work, "run.json")) or {}
        meta0 = runs[0]["meta"] if runs else {}
        data = {"run": info, "bfd_ms": meta0.get("bfd_ms"), "bfd_mult": meta0.get("bfd_mult"),
                "post_ms": meta0.get("post_ms"), "rows": table(runs), "runs": runs}
        write_json(base + ".json", data)
    else:
        sys.exit(__doc__)
    with open(base + ".md", "w") as f:
        f.write(markdown(data))
    print(markdown(data))


if __name__ == "__main__":
    main()
