#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""Failover benchmark report (bench/failover.sh writes the runs).

  failover-report.py collect WORKDIR BASE   runs -> BASE.json, BASE.md, BASE.png
  failover-report.py report BASE.json       BASE.md and BASE.png again

BASE.json keeps every run raw (the prober's and the address watcher's
output, the fault time, CPU and memory samples) plus the figures derived
from it; the Markdown and the plot are made from that file alone, so they
can be remade and checked. bench/failover-notes.md, when present, is
appended to the Markdown as the closing note.
"""
import json
import os
import statistics
import subprocess
import sys

from report_util import fmt, load, summary, write_json

FAILOVER = ["linkdown", "poweroff", "kill", "stall"]
ONEWAY = ["oneway", "oneway_back"]
ROBUST = ["loss", "load", "flood"]
ORDER = [("xhb", "fast"), ("xhb", "fenced"), ("keepalived", "fast"), ("heartbeat", "fast"),
         ("xhb", "seed"), ("heartbeat", "seed"), ("keepalived", "advert1s")]
NAMES = {"xhb": "xhb", "heartbeat": "Heartbeat", "keepalived": "keepalived"}
HERE = os.path.dirname(os.path.abspath(__file__))


def label(system, profile):
    return f"{NAMES.get(system, system)} {profile}"


def derive(run):
    """Figures of one run from its raw parts."""
    meta, prober, addr = run["meta"], run.get("prober"), run.get("addr")
    d = {}
    t_fault = meta.get("t_fault_ns")
    if prober:
        d["outage_ms"] = prober.get("outage_ms")
        d["lost"] = prober.get("lost")
        d["moves"] = prober.get("moves")
        d["both_answered"] = prober.get("both_answered")
        d["servers"] = prober.get("servers")
    if addr and t_fault:
        ev = addr.get("events", [])
        take_eff = take_raw = None
        for e in ev:
            if e["node"] != "srv2" or e["t_ns"] < t_fault:
                continue
            if e["present"] and take_raw is None:
                take_raw = (e["t_ns"] - t_fault) / 1e6
            if e["present"] and not e["fenced"] and take_eff is None:
                take_eff = (e["t_ns"] - t_fault) / 1e6
        d["takeover_ip_ms"] = take_eff
        d["takeover_ip_raw_ms"] = take_raw
        d["split_raw_ms"] = addr.get("both_raw_ms")
        d["split_effective_ms"] = addr.get("both_effective_ms")
        d["srv2_acquisitions"] = addr.get("nodes", {}).get("srv2", {}).get("acquisitions")
        d["addr_polls"] = addr.get("polls")
    fault = meta.get("fault")
    if fault in FAILOVER:
        # srv2 served the client, or held the VIP (effectively) after the fault
        took = meta.get("status") == "ok" and (
            (prober and "SRV2" in (prober.get("servers") or []))
            or d.get("takeover_ip_ms") is not None)
        d["took_over"] = bool(took)
    if "interval_ns" in meta and meta["interval_ns"]:
        iv = meta["interval_ns"]
        for n in ("srv1", "srv2"):
            if f"{n}_cpu_ns" in meta:
                d[f"{n}_cpu_pct"] = 100.0 * meta[f"{n}_cpu_ns"] / iv
            for k in ("rss_kb", "pss_kb", "main_rss_kb", "nproc"):
                if f"{n}_{k}" in meta:
                    d[f"{n}_{k}"] = meta[f"{n}_{k}"]
        tot = meta.get("sys_total_jiffies") or 0
        if tot:
            d["sys_busy_pct"] = 100.0 * meta["sys_busy_jiffies"] / tot
            d["sys_softirq_pct"] = 100.0 * meta["sys_softirq_jiffies"] / tot
    if fault in ROBUST + ["idle"]:
        moves = d.get("moves") or 0
        acq = d.get("srv2_acquisitions") or 0
        d["false_failovers"] = max(moves, acq, 1 if meta.get("status") == "moved" else 0)
    flood = run.get("flood")
    if flood:
        d["flood_pps"] = flood.get("pps")
        d["flood_sent"] = flood.get("sent")
    return d


XHB_EVENTS = ("peer_dead", "peer_stalled", "peer_warn", "peer_up", "group_acquire", "group_release",
              "vip_added", "vip_removed", "agent_gap", "lease_expired", "state_change")


def xhb_events(run_dir, t_fault):
    """xhb's own account of the run (its JSON events), relative to the fault."""
    import datetime
    import glob
    out = {}
    if not t_fault:
        return out
    for node in ("srv1", "srv2"):
        files = glob.glob(os.path.join(run_dir, "logs", node, "**", "events.json"), recursive=True)
        if not files:
            continue
        evs = []
        for line in open(files[0]):
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("event") not in XHB_EVENTS:
                continue
            t = datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp() * 1e9
            if t < t_fault - 2e9:
                continue
            x = {"event": e["event"], "t_ms": round((t - t_fault) / 1e6, 3)}
            for k in ("peer", "to", "reason", "detection_ms", "duration_ms", "gap_ms", "late_ms"):
                if k in e:
                    x[k] = e[k]
            evs.append(x)
        out[node] = evs
    return out


def xhb_breakdown(run):
    """From srv2's events: when it declared srv1 dead/stalled, its detection
    window, and how long taking the VIP took (rtnetlink included)."""
    evs = run.get("xhb_events", {}).get("srv2", [])
    d = {}
    for e in evs:
        if e["t_ms"] < 0:
            continue
        if e["event"] in ("peer_dead", "peer_stalled") and e.get("peer") == "srv1" and "verdict_ms" not in d:
            d["verdict_ms"] = e["t_ms"]
            d["verdict"] = e["event"]
            d["detection_ms"] = e.get("detection_ms")
        if e["event"] == "group_acquire" and "acquire_at_ms" not in d:
            d["acquire_at_ms"] = e["t_ms"]
            d["acquire_ms"] = e.get("duration_ms")
    return d


def collect(work, base):
    head = open(os.path.join(work, "meta-head.json")).read()
    meta = json.loads(head)
    runs = []
    rdir = os.path.join(work, "runs")
    for name in sorted(os.listdir(rdir)) if os.path.isdir(rdir) else []:
        p = os.path.join(rdir, name)
        m = load(os.path.join(p, "meta.json"))
        if not m:
            continue
        run = {"meta": m}
        for part in ("prober", "addr", "flood"):
            v = load(os.path.join(p, f"{part}.json"))
            if v is not None:
                run[part] = v
        ev = xhb_events(p, m.get("t_fault_ns"))
        if ev:
            run["xhb_events"] = ev
        v = load(os.path.join(p, "xdp_stats_srv1.json"))
        if v is not None:
            run["xdp_stats_srv1"] = v
        run["derived"] = derive(run)
        if m.get("system") == "xhb":
            run["derived"]["xhb"] = xhb_breakdown(run)
        runs.append(run)
    meta["runs"] = runs
    write_json(base + ".json", meta)
    report(base + ".json")


def cell(s, unit=""):
    if not s:
        return "–"
    return f"**{fmt(s['median'])}**{unit} ({fmt(s['min'])}–{fmt(s['max'])}, n={s['n']})"


def group(runs):
    g = {}
    for r in runs:
        m = r["meta"]
        g.setdefault((m["system"], m["profile"], m["fault"]), []).append(r)
    return g


def report(path):
    data = load(path)
    base = path[:-5] if path.endswith(".json") else path
    runs = data["runs"]
    g = group(runs)
    present = [sp for sp in ORDER if any(k[:2] == sp for k in g)]
    present += sorted({k[:2] for k in g} - set(present))
    L = []
    A = L.append
    A(f"# Failover benchmark, {data.get('date')}")
    A("")
    A(f"`bench/failover.sh {data.get('args', '')}`".replace(" `", "`") + f" on kernel {data.get('kernel')}, "
      f"load average {data.get('loadavg_at_start', '?')} at the start, "
      f"{data.get('cpus')} CPUs, xhb commit {data.get('commit')}; {len(runs)} runs in "
      f"{round(data.get('elapsed_s', 0) / 60)} min. Raw runs: `{os.path.basename(base)}.json`.")
    A("")
    A("One lab for every system (tools/lab.sh: srv1, srv2 and a client in network namespaces "
      "joined by a bridge; ens192; VIP 172.16.193.30/16), one prober (tools/vipcheck in the "
      "client: a UDP request to the VIP every 1 ms, answered by the server holding it with its "
      "name), faults injected on srv1 once srv1 holds the VIP and srv2 is steady.")
    A("")
    A("| system | profile | version | configuration |")
    A("| --- | --- | --- | --- |")
    for s, p in present:
        sm = data.get("systems", {}).get(s, {})
        A(f"| {NAMES.get(s, s)} | {p} | {sm.get('version', '')} | {sm.get('profiles', {}).get(p, '')} |")
    A("")

    # ---- outage
    A("## Outage: client-visible, ms")
    A("")
    A("The longest run of unanswered 1 ms requests around the fault (last answer before it to "
      "first answer after), **median** (min–max, n repeats). `kill` and `stall` keep srv1's "
      "service running: the client is served by srv1 until its address stops answering (xhb: "
      "its lease lapses and XDP fences it) or srv2 announces the VIP.")
    A("")
    A("| system | " + " | ".join(FAILOVER) + " |")
    A("| --- |" + " --- |" * len(FAILOVER))
    outage = {}
    for s, p in present:
        row = []
        for f in FAILOVER:
            rs = g.get((s, p, f), [])
            st = summary([r["derived"].get("outage_ms") for r in rs if r["derived"].get("took_over")])
            outage[(s, p, f)] = st
            bad = [r for r in rs if not r["derived"].get("took_over")]
            c = cell(st)
            if bad:
                c += f" + {len(bad)} without takeover"
            row.append(c if rs else "not run")
        A(f"| {label(s, p)} | " + " | ".join(row) + " |")
    A("")
    A("### Outage distribution")
    A("")
    A("The same outage per system and fault, as a distribution (issue 15: xhb fast link-down and "
      "power-off median <= 5 ms and p95 <= 8 ms, keepalived's beside them from the same run): "
      "median, p95 (nearest rank), max, over the runs that took over; *both answered*: the runs "
      "in which the client got answers from both servers (split brain seen by the client), "
      "with the requests so answered in all.")
    A("")
    A("| system | fault | runs | median ms | p95 ms | max ms | runs without takeover "
      "| runs both answered (requests) |")
    A("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for s, p in present:
        for f in FAILOVER:
            rs = g.get((s, p, f), [])
            if not rs:
                continue
            st = summary([r["derived"].get("outage_ms") for r in rs if r["derived"].get("took_over")])
            no = sum(1 for r in rs if not r["derived"].get("took_over"))
            both = [r["derived"].get("both_answered") or 0 for r in rs]
            A(f"| {label(s, p)} | {f} | {len(rs)} | {fmt(st['median']) if st else '–'} | "
              f"{fmt(st['p95']) if st else '–'} | {fmt(st['max']) if st else '–'} | {no} | "
              f"{sum(1 for b in both if b > 0)} ({sum(both)}) |")
    A("")
    A("Takeover as `ip addr` shows it (fault to the VIP on srv2, effective: for xhb, present "
      "and not fenced), median ms:")
    A("")
    A("| system | " + " | ".join(FAILOVER) + " |")
    A("| --- |" + " --- |" * len(FAILOVER))
    for s, p in present:
        row = []
        for f in FAILOVER:
            st = summary([r["derived"].get("takeover_ip_ms") for r in g.get((s, p, f), [])])
            row.append(fmt(st["median"]) if st else "–")
        A(f"| {label(s, p)} | " + " | ".join(row) + " |")
    A("")

    xs = [sp for sp in present if sp[0] == "xhb"]
    if xs:
        A("xhb's own account (srv2's JSON events, ms after the fault, median): when it judged srv1 "
          "(`peer_dead`, or `peer_stalled` then lease expiry), the silence that verdict rested on "
          "(`detection_ms`), and how long taking the VIP took (`group_acquire` duration: rtnetlink "
          "address add + first gratuitous ARP):")
        A("")
        A("| system | fault | verdict at | detection window | VIP acquired at | acquire took |")
        A("| --- | --- | --- | --- | --- | --- |")
        for s, p in xs:
            for f in FAILOVER:
                rs = g.get((s, p, f), [])
                if not rs:
                    continue
                b = [r["derived"].get("xhb", {}) for r in rs]

                def med(k):
                    st = summary([x.get(k) for x in b])
                    return fmt(st["median"]) if st else "–"
                A(f"| {label(s, p)} | {f} | {med('verdict_ms')} | {med('detection_ms')} | "
                  f"{med('acquire_at_ms')} | {med('acquire_ms')} |")
        A("")

    # ---- one-way loss
    if any(g.get((s, p, f)) for s, p in present for f in ONEWAY):
        A("## One-way loss")
        A("")
        A("10 s during which every frame from one server to the other is dropped on the bridge, "
          "while the client reaches both: `oneway`, srv1 (the holder) -> srv2 (the standby cannot "
          "hear the holder); `oneway_back`, srv2 -> srv1 (the holder cannot hear the standby). "
          "Split brain: both servers had the VIP up and unfenced (ip addr sampled every 5 ms; "
          "median, max); answered by both: client requests answered by the two servers; the holder "
          "at the end of the window.")
        A("")
        A("| system | oneway: split ms | oneway: answered by both | oneway: holder at the end | "
          "oneway_back: split ms | oneway_back: answered by both | oneway_back: holder at the end |")
        A("| --- | ---: | ---: | --- | ---: | ---: | --- |")
        for s, p in present:
            row = []
            for f in ONEWAY:
                rs = g.get((s, p, f), [])
                sp = summary([r["derived"].get("split_effective_ms") for r in rs])
                ba = summary([r["derived"].get("both_answered") for r in rs])
                ends = sorted({r["meta"].get("end_holder", "?") for r in rs})
                row += [f"{fmt(sp['median'])} (max {fmt(sp['max'])})" if sp else "–",
                        f"{fmt(ba['median'])} (max {fmt(ba['max'])})" if ba else "–",
                        "/".join(ends) or "–"]
            A(f"| {label(s, p)} | " + " | ".join(row) + " |")
        A("")

    # ---- split brain
    A("## Split brain: stall and kill")
    A("")
    A("Time both servers held the VIP, from `ip addr` polled every 5 ms in both namespaces "
      "(*raw*), and counting an xhb node as holding only while its XDP does not fence the "
      "address (*effective*: present AND lease not lapsed, as `xhbctl self` says `fenced`; for "
      "Heartbeat and keepalived effective = raw). The prober's view: requests answered by both "
      "servers, and VIP moves beyond the one failover (flapping). Median (max) over the repeats; "
      "the window ends a few seconds after the fault (after SIGCONT for stall), so a split that "
      "never heals shows as the rest of the window.")
    A("")
    A("| system | stall s | stall: raw ms | stall: effective ms | stall: both answered | stall: extra moves | kill: raw ms | kill: effective ms |")
    A("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for s, p in present:
        st = g.get((s, p, "stall"), [])
        kl = g.get((s, p, "kill"), [])

        def mm(rs, k, extra=0):
            v = [(r["derived"].get(k) or 0) + extra for r in rs if r["derived"].get(k) is not None]
            if not v:
                return "–"
            return f"{fmt(statistics.median(v))} ({fmt(max(v))})"
        stall_s = st[0]["meta"].get("stall_ms", 0) / 1000 if st else None
        extra = [max(0, (r["derived"].get("moves") or 0) - 1) for r in st]
        A(f"| {label(s, p)} | {fmt(stall_s)} | {mm(st, 'split_raw_ms')} | {mm(st, 'split_effective_ms')} | "
          f"{mm(st, 'both_answered')} | {sum(extra) if st else '–'} | {mm(kl, 'split_raw_ms')} | "
          f"{mm(kl, 'split_effective_ms')} |")
    A("")

    # ---- robustness
    A("## False failovers: loss, load, flood")
    A("")
    A("VIP moves while srv1 is healthy (prober moves, or srv2 taking the address in `ip addr`), "
      "summed over the windows (n). idle: nothing injected (10 s). loss: 30% of srv1's frames dropped both ways for the window "
      "(nftables `numgen random mod 100 < 30 drop` on srv1's bridge port, ingress and egress: "
      "inside srv1 the rule would sit behind xhb's XDP and spare its probes). load: "
      "`stress-ng --cpu 2` inside srv1 (both CPUs). flood: `bench/failover_flood` from the "
      "client at the rate one CPU reaches, half random junk, half the system's own packets "
      "forged with a wrong authenticator, to its cluster port (UDP 694 broadcast for xhb and "
      "Heartbeat, VRRP to 224.0.0.18 for keepalived). Daemon CPU is % of one core (all its "
      "processes; xhb's XDP runs in softirq and is not in it: see machine softirq).")
    A("")
    A("| system | idle | loss | load | flood | flood pps | flood: daemon CPU srv1 / srv2 % | flood: machine busy / softirq % |")
    A("| --- | --- | --- | --- | --- | --- | --- | --- |")
    ff = {}
    for s, p in present:
        row = []
        for f in ["idle"] + ROBUST:
            rs = g.get((s, p, f), [])
            ok = [r for r in rs if r["meta"].get("status") != "setup_failed"]
            n = sum(r["derived"].get("false_failovers") or 0 for r in ok)
            ff[(s, p, f)] = (n, len(ok))
            row.append(f"{n} (n={len(ok)})" if ok else "not run")
        fl = [r for r in g.get((s, p, "flood"), []) if r["meta"].get("status") != "setup_failed"]
        pps = summary([r["derived"].get("flood_pps") for r in fl])
        c1 = summary([r["derived"].get("srv1_cpu_pct") for r in fl])
        c2 = summary([r["derived"].get("srv2_cpu_pct") for r in fl])
        sb = summary([r["derived"].get("sys_busy_pct") for r in fl])
        ss = summary([r["derived"].get("sys_softirq_pct") for r in fl])
        A(f"| {label(s, p)} | " + " | ".join(row) +
          f" | {fmt(pps['median']) if pps else '–'} | "
          f"{fmt(c1['median']) if c1 else '–'} / {fmt(c2['median']) if c2 else '–'} | "
          f"{fmt(sb['median']) if sb else '–'} / {fmt(ss['median']) if ss else '–'} |")
    A("")

    # ---- idle
    A("## Idle cost")
    A("")
    A("Over the idle window (srv1 holds the VIP, nothing happens): CPU time of all the "
      "daemon's processes and threads (/proc/PID/task/*/schedstat) as % of one core; memory: "
      "RSS of the main process, and PSS summed over its processes (shared pages counted once).")
    A("")
    A("| system | idle s | CPU srv1 % | CPU srv2 % | processes | RSS main, MB | PSS all, MB |")
    A("| --- | --- | --- | --- | --- | --- | --- |")
    idle = {}
    for s, p in present:
        rs = [r for r in g.get((s, p, "idle"), []) if r["meta"].get("status") != "setup_failed"]
        if not rs:
            continue
        c1 = summary([r["derived"].get("srv1_cpu_pct") for r in rs])
        c2 = summary([r["derived"].get("srv2_cpu_pct") for r in rs])
        rss = summary([max(r["derived"].get("srv1_main_rss_kb") or 0, r["derived"].get("srv2_main_rss_kb") or 0) / 1024 for r in rs])
        pss = summary([max(r["derived"].get("srv1_pss_kb") or 0, r["derived"].get("srv2_pss_kb") or 0) / 1024 for r in rs])
        nproc = rs[0]["derived"].get("srv1_nproc")
        idle[(s, p)] = (c1, c2, rss, pss)
        A(f"| {label(s, p)} | {rs[0]['meta'].get('duration_s')} | {fmt(c1['median'], 2) if c1 else '–'} | "
          f"{fmt(c2['median'], 2) if c2 else '–'} | {nproc} | {fmt(rss['median'], 1) if rss else '–'} | "
          f"{fmt(pss['median'], 1) if pss else '–'} |")
    A("")

    # ---- targets
    A("## Targets")
    A("")
    A("| target | measured | verdict |")
    A("| --- | --- | --- |")

    def verdict(ok):
        return "met" if ok else "**MISSED**"
    for prof, f in [(p, f) for p in ("fast", "fenced") for f in ("linkdown", "poweroff")]:
        x = outage.get(("xhb", prof, f))
        k = outage.get(("keepalived", "fast", f))
        if x:
            A(f"| xhb {prof} {f}: median outage <= 5 ms, p95 <= 8 ms (issue 15) | {fmt(x['median'])} / "
              f"{fmt(x['p95'])} ms (n={x['n']}) | {verdict(x['median'] <= 5 and x['p95'] <= 8)} |")
        if x:
            A(f"| xhb {prof} {f}: median outage <= 10 ms | {fmt(x['median'])} ms | {verdict(x['median'] <= 10)} |")
        if x and k:
            A(f"| xhb {prof} {f}: <= 1/3 of keepalived fast | {fmt(x['median'])} vs {fmt(k['median'])} / 3 = "
              f"{fmt(k['median'] / 3)} ms | {verdict(x['median'] <= k['median'] / 3)} |")
    for f in ("linkdown", "poweroff", "kill", "stall"):
        x = outage.get(("xhb", "seed", f))
        h = outage.get(("heartbeat", "seed", f))
        if x and h:
            A(f"| xhb seed {f}: no slower than Heartbeat seed | {fmt(x['median'])} vs {fmt(h['median'])} ms | "
              f"{verdict(x['median'] <= h['median'])} |")
    for p in ("fast", "seed"):
        for f in ROBUST:
            if ("xhb", p, f) in ff and ff[("xhb", p, f)][1]:
                n, w = ff[("xhb", p, f)]
                A(f"| xhb {p}: 0 false failovers under {f} | {n} in {w} window(s) | {verdict(n == 0)} |")
    if ("xhb", "fast") in idle:
        c1, c2, rss, pss = idle[("xhb", "fast")]
        cmax = max(c1["median"] if c1 else 0, c2["median"] if c2 else 0)
        A(f"| xhb fast idle CPU <= 1% of a core (1 ms probes) | {fmt(cmax, 2)} % (busier node) | {verdict(cmax <= 1.0)} |")
        if rss:
            A(f"| xhb fast RSS <= 10 MB | {fmt(rss['median'], 1)} MB | {verdict(rss['median'] <= 10)} |")
    A("")
    A("![outage per system and fault](" + os.path.basename(base) + ".png)")
    A("")
    notes = os.path.join(HERE, "failover-notes.md")
    if os.path.exists(notes):
        A(open(notes).read().rstrip())
        A("")
    with open(base + ".md", "w") as f:
        f.write("\n".join(L))
    plot(base, present, outage)


def plot(base, present, outage):
    series = [(s, p) for s, p in present if any(outage.get((s, p, f)) for f in FAILOVER)]
    if not series:
        return
    dat = base + ".dat"
    with open(dat, "w") as f:
        f.write("# fault " + " ".join(f"{s}_{p}_median min max" for s, p in series) + "\n")
        for fault in FAILOVER:
            cols = []
            for s, p in series:
                st = outage.get((s, p, fault))
                if st:
                    cols += [max(st["median"], 0.5), max(st["min"], 0.5), max(st["max"], 0.5)]
                else:
                    cols += ["NaN", "NaN", "NaN"]
            f.write(fault + " " + " ".join(str(c) for c in cols) + "\n")
    plots = []
    for i, (s, p) in enumerate(series):
        c = 2 + 3 * i
        src = f"'{dat}'" if i == 0 else "''"
        xt = ":xtic(1)" if i == 0 else ""
        plots.append(f"{src} using {c}:{c + 1}:{c + 2}{xt} title '{label(s, p)}'")
    gp = f"""set terminal pngcairo size 1100,600 font 'DejaVu Sans,11' noenhanced
set output '{base}.png'
set title 'Client-visible outage by fault (median, bars: min-max; 1 ms probes)'
set ylabel 'outage, ms (log scale)'
set logscale y
set yrange [0.5:*]
set grid ytics mytics
set key outside right top
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set bmargin 6
set label 1 "0 ms (no gap) is drawn on the axis. kill, stall: Heartbeat and keepalived leave the VIP on srv1, which keeps answering:\\nno gap, but both servers hold the VIP (split brain, see the tables); xhb fences srv1 once its lease lapses." at screen 0.02, 0.06 font ',9'
plot {", ".join(plots)}
"""
    try:
        subprocess.run(["gnuplot"], input=gp, text=True, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as e:
        err = getattr(e, "stderr", "") or str(e)
        if "pngcairo" in err:
            subprocess.run(["gnuplot"], input=gp.replace("pngcairo", "png"), text=True, check=False)
        else:
            print(f"failover-report: gnuplot failed: {err}", file=sys.stderr)
    finally:
        os.unlink(dat)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "collect":
        collect(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "report":
        report(sys.argv[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
