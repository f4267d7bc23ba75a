#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""The demo's failover as a timeline, from both agents' events (merged,
one JSON object a line) and the client's measurement (vipcheck watch
--json). Times are CLOCK_MONOTONIC, the same clock in every namespace.

  lab_timeline.py EVENTS WATCH          for people (make demo)
  lab_timeline.py --json EVENTS WATCH   the figures (bench/demo_outage.sh)

t = 0 is the client's first request that went unanswered: the link went
down within one request interval before it. srv1's own link_down event
comes later (`ip link set down` stops the traffic before it notifies).
Exit status 1 when a request was answered by both servers or the story is
incomplete (no verdict, no address, no answer from SRV2)."""
import json
import sys


def load(events_path, watch_path):
    events = [json.loads(l) for l in open(events_path) if l.strip()]
    watch = json.load(open(watch_path))
    return events, watch


def first(events, node, name, after=0, **fields):
    for e in events:
        if (e["node"] == node and e["event"] == name and e["mono_ns"] >= after
                and all(e.get(k) == v for k, v in fields.items())):
            return e
    return None


def figures(events, watch):
    t0 = watch["outage_start_ns"]
    if not t0:
        raise ValueError("the client saw no outage: was srv1's link cut?")
    dead = first(events, "srv2", "peer_dead", t0, peer="srv1")
    added = first(events, "srv2", "vip_added", t0)
    garp = first(events, "srv2", "garp_sent", t0)
    answer = watch["first_answer_ns"].get("SRV2", 0)
    if not (dead and added and answer):
        raise ValueError("srv2 did not judge srv1 dead, add the VIP and answer the client")
    ms = lambda ns: round((ns - t0) / 1e6, 3)
    gaps = [e for e in events if e["event"] == "agent_gap"
            and t0 - 50_000_000 <= e["mono_ns"] <= answer]
    return {
        "verdict_ms": ms(dead["mono_ns"]),
        "detection_ms": dead["detection_ms"],
        "vip_added_ms": ms(added["mono_ns"]),
        "verdict_to_vip_ms": round((added["mono_ns"] - dead["mono_ns"]) / 1e6, 3),
        "garp_ms": ms(garp["mono_ns"]) if garp else None,
        "first_answer_ms": ms(answer),
        "outage_ms": watch["outage_ms"],
        "lost": watch["lost"],
        "requests": watch["requests"],
        "interval_us": watch["interval_us"],
        "both_answered": watch["both_answered"],
        "agent_gaps_ms": [e["gap_ms"] for e in gaps],
        "vip": added["vip"],
        "label": added.get("label", "-"),
        "dead_reason": dead["reason"],
    }


def tell(f):
    rows = [
        ("t = 0", "srv1's link goes down: the client's first request without an answer"),
        ("%+8.2f ms" % f["verdict_ms"],
         "srv2 judges srv1 dead: no heartbeat, probe or reply for %.2f ms" % f["detection_ms"]),
        ("%+8.2f ms" % f["vip_added_ms"], "srv2 adds %s (ip addr, label %s)" % (f["vip"], f["label"])),
    ]
    if f["garp_ms"] is not None:
        rows.append(("%+8.2f ms" % f["garp_ms"], "srv2 sends a gratuitous ARP for %s" % f["vip"]))
    rows.append(("%+8.2f ms" % f["first_answer_ms"], "the client's first answer from SRV2"))
    for when, what in rows:
        print("  %-12s %s" % (when, what))
    print()
    print("  client-visible outage: %.1f ms (%d of %d requests lost, one every %d us)" %
          (f["outage_ms"], f["lost"], f["requests"], f["interval_us"]))
    print("  requests answered by both servers: %d%s" %
          (f["both_answered"], "" if f["both_answered"] else " (never two holders)"))
    if f["agent_gaps_ms"]:
        print("  (an agent woke late meanwhile: %s ms; see bench/results/agent-gaps-*.md)" %
              ", ".join("%.1f" % g for g in f["agent_gaps_ms"]))


def main():
    args = sys.argv[1:]
    as_json = args[:1] == ["--json"]
    if as_json:
        args = args[1:]
    if len(args) != 2:
        sys.exit("usage: lab_timeline.py [--json] EVENTS WATCH")
    try:
        f = figures(*load(*args))
    except (OSError, ValueError, KeyError) as e:
        sys.exit("timeline: %s" % e)
    if as_json:
        print(json.dumps(f))
    else:
        tell(f)
    sys.exit(1 if f["both_answered"] else 0)


if __name__ == "__main__":
    main()
