#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""Service-crash benchmark report (bench/service_crash.sh writes the runs).

  service-crash-report.py collect WORKDIR BASE   runs -> BASE.json, BASE.md
  service-crash-report.py report BASE.json       BASE.md again

BASE.json keeps every run raw (the HTTP prober's and the UDP prober's
output, the kill time, xhb's events, keepalived's check log) plus the
figures derived from it; the Markdown is made from that file alone.

Times: the probers and xhb's events are on CLOCK_MONOTONIC; the kill time
and keepalived's check log on CLOCK_REALTIME, moved to CLOCK_MONOTONIC
with the pair the HTTP prober read together at its start.
"""
import glob
import json
import os
import statistics
import subprocess
import sys

from report_util import fmt, load, summary, write_json

ORDER = ["xhb", "keepalived", "heartbeat"]
NAMES = {"xhb": "xhb", "heartbeat": "Heartbeat", "keepalived": "keepalived"}
XHB_EVENTS = ("check_passing", "check_failing", "group_acquire", "group_release",
              "no_healthy_node", "peer_dead", "vip_added", "vip_removed", "agent_gap")
# A request sent this long before the kill may still fail because of it
# (its connection was open when the workers died).
KILL_SLACK_NS = 20_000_000
HERE = os.path.dirname(os.path.abspath(__file__))
TARGET_MEDIAN_MS = 50
WHY = {"setup_failed": "the lab or the cluster did not come up steady (srv1 holding the VIP, srv2 "
                       "standing by) within the adapter's time",
       "check_not_ready": "the service checks did not pass on both nodes within 10 s",
       "probe_not_ready": "the client's probers got no answer before the kill",
       "not_steady": "the VIP was not on srv1 alone at the kill",
       "kill_failed": "the web server could not be killed"}
TARGET_RATIO = 10


def find(run_dir, node, name):
    files = glob.glob(os.path.join(run_dir, "logs", node, "**", name), recursive=True)
    return files[0] if files else None


def xhb_events(run_dir):
    out = {}
    for node in ("srv1", "srv2"):
        path = find(run_dir, node, "events.json")
        if not path:
            continue
        evs = []
        for line in open(path, errors="replace"):
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("event") not in XHB_EVENTS:
                continue
            keep = {k: e[k] for k in ("event", "mono_ns", "check", "detail", "count", "reason",
                                      "duration_ms", "peer", "from", "gap_ms", "late_ms") if k in e}
            evs.append(keep)
        out[node] = evs
    return out


def check_log(run_dir):
    """keepalived's vrrp_script runs: [start_real_ns, end_real_ns, exit status]."""
    out = {}
    for node in ("srv1", "srv2"):
        path = find(run_dir, node, "check_web.log")
        if not path:
            continue
        rows = []
        for line in open(path, errors="replace"):
            f = line.split()
            if len(f) == 3 and all(x.lstrip("-").isdigit() for x in f):
                rows.append([int(f[0]), int(f[1]), int(f[2])])
        out[node] = rows
    return out


def ms(ns):
    return None if ns is None else round(ns / 1e6, 3)


def derive(run):
    """Figures of one run from its raw parts."""
    meta, http, udp = run["meta"], run.get("http"), run.get("udp")
    d = {"ok": False}
    if meta.get("status") != "ok" or not http or not meta.get("t_kill_real_ns"):
        d["why"] = WHY.get(meta.get("status"), meta.get("status")) if meta.get("status") != "ok" \
            else "no prober output"
        return d
    offset = http["clock"]["real_ns"] - http["clock"]["mono_ns"]
    t_kill = meta["t_kill_real_ns"] - offset
    end = http["clock"]["mono_ns"] + http["requests"] * http["interval_us"] * 1000
    gaps = http.get("gaps", [])
    crash = None
    for g in gaps:
        if g["first_failed_sent_ns"] >= t_kill - KILL_SLACK_NS and \
                (not g["after_sent_ns"] or g["after_sent_ns"] > t_kill):
            crash = g
            break
    d["gaps_before_kill"] = sum(1 for g in gaps if g["after_sent_ns"] and g["after_sent_ns"] <= t_kill)
    if crash is None:
        d["why"] = "no failed request after the kill"
        return d
    d["ok"] = True
    d["kill_to_first_failure_ms"] = ms(crash["first_failed_sent_ns"] - t_kill)
    d["failed"] = crash["failed"]
    d["reasons"] = crash["reasons"]
    d["answered_before"] = crash["before"]
    # failures after the outage: the service lost again (a flap)
    later = [g for g in gaps if g["first_failed_sent_ns"] > crash["first_failed_sent_ns"]]
    d["gaps_after"] = len(later)
    d["failed_after"] = sum(g["failed"] for g in later)
    d["longest_gap_after_ms"] = max((g["outage_ms"] for g in later), default=0)
    if crash["after_sent_ns"]:
        d["recovered"] = True
        d["outage_ms"] = crash["outage_ms"]
        d["first_failure_to_answer_ms"] = ms(crash["after_answer_ns"] - crash["first_failed_sent_ns"])
        d["kill_to_answer_ms"] = ms(crash["after_answer_ns"] - t_kill)
        d["answered_after"] = crash["after"]
        # srv1 serving again after srv2 did: the two alternated
        last1 = http.get("last_answer_ns", {}).get("SRV1", 0)
        d["srv1_after_switch"] = bool(crash["after"] != "SRV1" and last1 > crash["after_answer_ns"])
    else:
        d["recovered"] = False
        d["outage_ms"] = None
        d["unanswered_until_end_ms"] = ms(end - crash["before_sent_ns"]) if crash["before_sent_ns"] else None
        d["answered_after"] = "none"
    d["http_moves"] = http.get("moves")
    d["http_latency_us"] = http.get("latency_us")
    if udp:
        d["udp_both_answered"] = udp.get("both_answered")
        d["udp_moves"] = udp.get("moves")
        f2 = udp.get("first_answer_ns", {}).get("SRV2")
        if f2 and f2 > t_kill:
            d["kill_to_address_on_srv2_ms"] = ms(f2 - t_kill)
        elif udp.get("outage_to") == "SRV2" and udp.get("outage_end_ns", 0) > t_kill:
            # srv2 answered before the kill too (a false failover, then
            # back): its answer after the longest gap, the kill's move
            d["kill_to_address_on_srv2_ms"] = ms(udp["outage_end_ns"] - t_kill)
        if f2 and f2 < t_kill:
            d["srv2_answered_before_kill_ms"] = ms(t_kill - f2)
    d["end_holder"] = meta.get("end_holder")
    ev = run.get("xhb_events")
    if ev:
        d.update(xhb_split(ev, t_kill, crash))
    kl = run.get("check_log")
    if kl:
        d.update(keepalived_split(kl, offset, t_kill, crash, gaps))
    return d


def first(evs, name, since, **match):
    for e in evs:
        if e["event"] == name and e.get("mono_ns", 0) >= since and \
                all(e.get(k) == v for k, v in match.items()):
            return e
    return None


def xhb_split(ev, t_kill, crash):
    d = {}
    fail = first(ev.get("srv1", []), "check_failing", t_kill, check="web")
    rel = first(ev.get("srv1", []), "group_release", t_kill, reason="check_failed")
    acq = first(ev.get("srv2", []), "group_acquire", t_kill)
    if fail:
        d["detection_ms"] = ms(fail["mono_ns"] - t_kill)
        d["check_detail"] = fail.get("detail")
    if rel:
        d["release_at_ms"] = ms(rel["mono_ns"] - t_kill)
        d["release_took_ms"] = rel.get("duration_ms")
    if acq:
        d["acquire_at_ms"] = ms(acq["mono_ns"] - t_kill)
        d["acquire_took_ms"] = acq.get("duration_ms")
        d["acquire_reason"] = acq.get("reason")
    if fail and acq:
        d["takeover_ms"] = ms(acq["mono_ns"] - fail["mono_ns"])
    # an agent that woke late around the kill says so (agent_gap)
    gaps = [e for n in ("srv1", "srv2") for e in ev.get(n, [])
            if e["event"] == "agent_gap" and t_kill - 100e6 <= e["mono_ns"] <= t_kill + 200e6]
    if gaps:
        d["agent_gaps"] = [{"node": n, "at_ms": ms(e["mono_ns"] - t_kill), "gap_ms": e.get("gap_ms"),
                            "late_ms": e.get("late_ms")}
                           for n in ("srv1", "srv2") for e in ev.get(n, []) if e in gaps]
    if acq and crash.get("after_answer_ns"):
        d["acquire_to_answer_ms"] = ms(crash["after_answer_ns"] - acq["mono_ns"])
    return d


def answered_after(gaps, crash, t):
    """From t to the client's next answer; None when the client was served
    at t already (srv2 had taken over before: a missed advert)."""
    for g in gaps:
        if g["first_failed_sent_ns"] < crash["first_failed_sent_ns"]:
            continue
        if g["first_failed_sent_ns"] <= t and (not g["after_sent_ns"] or t < g["after_sent_ns"]):
            return ms(g["after_answer_ns"] - t) if g["after_answer_ns"] else None
    return None


def keepalived_split(kl, offset, t_kill, crash, gaps):
    """Detection: the kill to the end of srv1's third failed script run in a
    row (fall 3); takeover: from there to the client's first answer from
    srv2. Cadence: time between the starts of consecutive runs."""
    d = {}
    starts = [r[0] for node in kl.values() for r in node]
    steps = []
    for node in kl.values():
        steps += [(b[0] - a[0]) / 1e6 for a, b in zip(node, node[1:])]
    if steps:
        d["check_cadence_ms"] = steps
    fails = 0
    for start, end, rc in kl.get("srv1", []):
        if end - offset < t_kill:
            continue
        fails = fails + 1 if rc != 0 else 0
        if fails == 3:
            d["detection_ms"] = ms(end - offset - t_kill)
            d["takeover_ms"] = answered_after(gaps, crash, end - offset)
            break
    d["check_runs"] = len(starts)
    return d


def collect(work, base):
    meta = json.loads(open(os.path.join(work, "meta-head.json")).read())
    runs = []
    rdir = os.path.join(work, "runs")
    for name in sorted(os.listdir(rdir)) if os.path.isdir(rdir) else []:
        p = os.path.join(rdir, name)
        m = load(os.path.join(p, "meta.json"))
        if not m:
            continue
        run = {"meta": m}
        for part in ("http", "udp"):
            v = load(os.path.join(p, f"{part}.json"))
            if v is not None:
                run[part] = v
        if m.get("system") == "xhb":
            run["xhb_events"] = xhb_events(p)
        if m.get("system") == "keepalived":
            run["check_log"] = check_log(p)
        runs.append(run)
    meta["runs"] = runs
    write_json(base + ".json", meta)
    report(base + ".json")


def three(s):
    return "–" if not s else f"{fmt(s['median'])} / {fmt(s['p95'])} / {fmt(s['max'])}"


def summarize(runs):
    out = {}
    for system in sorted({r["meta"]["system"] for r in runs}, key=lambda s: ORDER.index(s) if s in ORDER else 9):
        rs = [r for r in runs if r["meta"]["system"] == system]
        ok = [r["derived"] for r in rs if r["derived"]["ok"]]
        cad = [x for d in ok for x in d.get("check_cadence_ms", [])]
        out[system] = {
            "runs": len(rs),
            "measured": len(ok),
            "failed_runs": [{"rep": r["meta"].get("rep"), "why": r["derived"].get("why")}
                            for r in rs if not r["derived"]["ok"]],
            "recovered": sum(1 for d in ok if d.get("recovered")),
            "answered_after_by_srv2": sum(1 for d in ok if d.get("answered_after") == "SRV2"),
            "answered_after_by_srv1": sum(1 for d in ok if d.get("answered_after") == "SRV1"),
            "srv1_after_switch": sum(1 for d in ok if d.get("srv1_after_switch")),
            "runs_moved_again": sum(1 for d in ok if (d.get("udp_moves") or 0) > 1 or (d.get("http_moves") or 0) > 1),
            "runs_failed_after": sum(1 for d in ok if d.get("failed_after")),
            "udp_both_answered": sum(d.get("udp_both_answered") or 0 for d in ok),
            "failed_after_recovery": sum(d.get("failed_after") or 0 for d in ok),
            "outage_ms": summary([d.get("outage_ms") for d in ok]),
            "unanswered_until_end_ms": summary([d.get("unanswered_until_end_ms") for d in ok]),
            "kill_to_first_failure_ms": summary([d.get("kill_to_first_failure_ms") for d in ok]),
            "detection_ms": summary([d.get("detection_ms") for d in ok]),
            "takeover_ms": summary([d.get("takeover_ms") for d in ok]),
            "acquire_took_ms": summary([d.get("acquire_took_ms") for d in ok]),
            "release_took_ms": summary([d.get("release_took_ms") for d in ok]),
            "acquire_to_answer_ms": summary([d.get("acquire_to_answer_ms") for d in ok]),
            "kill_to_address_on_srv2_ms": summary([d.get("kill_to_address_on_srv2_ms") for d in ok]),
            "check_cadence_ms": summary(cad),
            "end_holders": sorted({d.get("end_holder") for d in ok}),
        }
    return out


def report_commit():
    """The commit of this script's tree, when it makes the tables."""
    try:
        return subprocess.run(["git", "-C", HERE, "describe", "--always", "--dirty"],
                              capture_output=True, text=True, timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def report(path):
    data = load(path)
    base = path[:-5] if path.endswith(".json") else path
    runs = data["runs"]
    for r in runs:
        r["derived"] = derive(r)
    S = summarize(runs)
    data["summary"] = S
    x, k = S.get("xhb"), S.get("keepalived")
    targets = {}
    if x and x["outage_ms"]:
        targets["xhb_median_ms"] = x["outage_ms"]["median"]
        targets["xhb_median_met"] = x["outage_ms"]["median"] <= TARGET_MEDIAN_MS
    if x and k and x["outage_ms"] and k["outage_ms"]:
        targets["keepalived_over_xhb"] = k["outage_ms"]["median"] / x["outage_ms"]["median"]
        targets["ratio_met"] = targets["keepalived_over_xhb"] >= TARGET_RATIO
    data["targets"] = targets
    data["report_commit"] = report_commit()
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    with open(base + ".md", "w") as f:
        f.write(markdown(data, os.path.basename(base)) + "\n")
    print(base + ".md")


def reading(S, runs):
    """Where each system's outage goes, in words, from the same figures."""
    out = []
    x, k = S.get("xhb"), S.get("keepalived")
    if x and x["outage_ms"] and x["detection_ms"] and x["takeover_ms"]:
        o, det, tk = x["outage_ms"]["median"], x["detection_ms"]["median"], x["takeover_ms"]["median"]
        ans = x["acquire_to_answer_ms"]["median"] if x["acquire_to_answer_ms"] else None
        out.append(
            f"**xhb.** Of the median outage, {fmt(o)} ms, detection takes {fmt(det)} ms "
            f"({100 * det / o:.0f}%): the check must fail 3 times 10 ms apart. Its first failing run "
            "starts 0-10 ms after the kill, depending on where the kill falls in the check's cycle, so "
            "detection lies between about 20 and 30 ms; less when a check is in flight at the kill and "
            "fails with it (its connection reset). Measured: "
            f"{fmt(x['detection_ms']['min'])}-{fmt(x['detection_ms']['max'])}. The move itself, "
            f"`check_failing` to srv2's `group_acquire`, takes {fmt(tk)} ms (max "
            f"{fmt(x['takeover_ms']['max'])}; srv1's release took up to "
            f"{fmt(x['release_took_ms']['max'] if x['release_took_ms'] else None)} ms and srv2's "
            f"acquire up to {fmt(x['acquire_took_ms']['max'] if x['acquire_took_ms'] else None)} ms, "
            "their `group_release` and `group_acquire` durations), and "
            f"the client's first page from srv2 follows the acquire by {fmt(ans)} ms. A shorter outage "
            "needs a shorter interval or a smaller fall, each a trade against false failovers when a "
            "loaded machine answers a check late.")
        late = [r["derived"] for r in runs if r["meta"]["system"] == "xhb" and r["derived"]["ok"]
                and (r["derived"].get("detection_ms") or 0) > 32]
        if late:
            seen = sum(1 for d in late if d.get("agent_gaps"))
            out[-1] += (
                f" In {len(late)} of {x['measured']} runs detection took longer than 3 checks 10 ms "
                f"apart should (up to {fmt(max(d['detection_ms'] for d in late))} ms): the checks ran "
                "late; " + (f"in {seen} of them an agent_gap event says the agent woke late."
                            if seen else "no agent_gap event was kept for them, so why is not recorded."))
    if k and k["outage_ms"] and k["detection_ms"]:
        o, det = k["outage_ms"]["median"], k["detection_ms"]["median"]
        out.append(
            f"**keepalived.** Its outage is its script's cadence: 3 failed runs 1 s apart, the first "
            "0-1 s after the kill, so detection lies between about 2 and 3 s (measured: "
            f"{fmt(k['detection_ms']['min'])}-{fmt(k['detection_ms']['max'])} ms, median {fmt(det)} of "
            f"the {fmt(o)} ms outage); the move to srv2 then takes "
            f"{fmt(k['takeover_ms']['median'] if k['takeover_ms'] else None)} ms.")
    if S.get("heartbeat"):
        out.append("**Heartbeat.** It has no service check: the node and its links are fine, so "
                   "nothing moves; the client gets refused connections until an operator acts.")
    return "\n\n".join(out)


def run_notes(d):
    """What was unusual in a run, from its figures."""
    n = []
    if d.get("srv2_answered_before_kill_ms"):
        n.append(f"srv2 answered UDP {fmt(d['srv2_answered_before_kill_ms'], 0)} ms before the kill "
                 "(VIP moved and back: a false failover), srv1 held it at the kill")
    if d.get("gaps_before_kill"):
        n.append(f"{d['gaps_before_kill']} runs of failed requests before the kill")
    if (d.get("release_took_ms") or 0) > 5:
        n.append(f"srv1's release took {fmt(d['release_took_ms'])} ms")
    if (d.get("acquire_took_ms") or 0) > 5:
        n.append(f"srv2's acquire took {fmt(d['acquire_took_ms'])} ms")
    if d.get("check_detail") and not 18 <= d["detection_ms"] <= 32:
        n.append(f"detection beyond fall x interval, 20-30 ms (check_failing: {d['check_detail']})")
    for g in d.get("agent_gaps", []):
        n.append(f"{g['node']}'s agent woke {fmt(g.get('late_ms') or g.get('gap_ms'))} ms late "
                 f"at {fmt(g['at_ms'])} ms (agent_gap)")
    return "; ".join(n)


def markdown(data, name):
    S, T, runs = data["summary"], data["targets"], data["runs"]
    L = []
    A = L.append
    A(f"# Service-crash failover, {data.get('date')}")
    A("")
    cmd = f"bench/service_crash.sh {data.get('args', '')}".rstrip()
    A(f"Commit measured: **{data.get('commit')}** (xhb built from it). `{cmd}` on kernel "
      f"{data.get('kernel')}, {data.get('cpus')} CPUs, "
      f"load average {data.get('loadavg_at_start')} at the start (other work shared the machine); "
      f"{len(runs)} runs in {round(data.get('elapsed_s', 0) / 60)} min. Raw runs: `{name}.json`; "
      f"method: `bench/service-crash.md`; tables by `bench/service-crash-report.py` at "
      f"{data.get('report_commit')}.")
    A("")
    A("Each run: a new lab (srv1, srv2 and a client in network namespaces on one bridge; VIP "
      "172.16.193.30/16 on srv1; each server's page `IT WORKS SRVn` from its own apache2), both "
      "service checks passing, then srv1's apache2 SIGKILLed (every process at once). In the "
      f"client, `bench/httpprobe` opens a new HTTP connection to the VIP every 1 ms (timeout "
      f"500 ms) for {data.get('pre_ms')} ms before the kill and at least {data.get('window_ms')} ms "
      "after it; `vipcheck` sends a UDP request to the VIP every 1 ms alongside (its echo does "
      "not die with apache2: it shows who holds the address, and any request answered by both).")
    A("")
    A("| system | version | configuration |")
    A("| --- | --- | --- |")
    for s, sm in data.get("systems", {}).items():
        A(f"| {NAMES.get(s, s)} | {sm.get('version')} | {sm.get('config')}"
          f"{'' if sm.get('service_check') else ' (no service check exists)'} |")
    A("")
    A("## Client-visible outage, ms")
    A("")
    A("Outage: the run of failed HTTP requests that the kill starts, from the send of the last "
      "request answered before it to the send of the first answered after it, by anyone "
      "(vipcheck's definition, at the prober's 1 ms resolution). Median / p95 (nearest rank) / max "
      "over the runs. *Answered after*: who answered the first request after the outage, in how "
      "many runs. *Answered by both*: UDP requests answered by the two servers (vipcheck), summed "
      "over the runs. *Flaps*: runs where the VIP moved more than once (UDP or HTTP answers "
      "switching server again) / runs with HTTP requests failing again after the outage, and how "
      "many such requests in all.")
    A("")
    A("| system | runs | outage median / p95 / max | answered after | answered by both | flaps: moved again / failed again (requests) |")
    A("| --- | ---: | ---: | --- | ---: | ---: |")
    for s, v in S.items():
        if v["recovered"] == 0 and v["measured"]:
            u = v["unanswered_until_end_ms"]
            out = (f"**no answer until the window ended** (> {fmt(u['min'], 0)} ms in every run): "
                   "no service check, the VIP stays on the dead service until an operator acts")
        else:
            out = three(v["outage_ms"])
            if v["recovered"] < v["measured"]:
                out += f" (+ {v['measured'] - v['recovered']} runs never answered again)"
        after = ", ".join(f"srv{i} {v[f'answered_after_by_srv{i}']}" for i in (2, 1)
                          if v[f"answered_after_by_srv{i}"]) or "nobody"
        A(f"| {NAMES.get(s, s)} | {v['measured']}{'' if v['measured'] == v['runs'] else ' of ' + str(v['runs'])} "
          f"| {out} | {after} | {v['udp_both_answered']} | {v['runs_moved_again']} / "
          f"{v['runs_failed_after']} ({v['failed_after_recovery']}) |")
    A("")
    for s, v in S.items():
        for fr in v["failed_runs"]:
            A(f"- {NAMES.get(s, s)} run {fr['rep']} not measured: {fr['why']}.")
    if any(v["failed_runs"] for v in S.values()):
        A("")
    A("## Where the time goes, ms")
    A("")
    A("Median / p95 / max.")
    A("")
    A("| system | detection | takeover | detail |")
    A("| --- | ---: | ---: | --- |")
    if "xhb" in S:
        v = S["xhb"]
        A(f"| xhb | {three(v['detection_ms'])} | {three(v['takeover_ms'])} | detection: the kill to srv1's "
          f"`check_failing`; takeover: `check_failing` to srv2's `group_acquire` (srv1's release for "
          f"`check_failed` on the way, which took {three(v['release_took_ms'])}; acquiring took "
          f"{three(v['acquire_took_ms'])}); srv2's "
          f"`group_acquire` to the client's first answer: {three(v['acquire_to_answer_ms'])} |")
    if "keepalived" in S:
        v = S["keepalived"]
        A(f"| keepalived | {three(v['detection_ms'])} | {three(v['takeover_ms'])} | detection: the kill to "
          "the end of srv1's third failed vrrp_script run in a row (its own log); takeover: from there to "
          "the client's first answer from srv2 (FAULT, priority-0 advert, srv2 master, address, ARP) |")
    if "heartbeat" in S:
        A("| Heartbeat | never | never | no service check: nothing watches apache2, srv1 keeps the VIP "
          f"(holder at the end: {', '.join(S['heartbeat']['end_holders'])}) |")
    A("")
    if "keepalived" in S and S["keepalived"]["check_cadence_ms"]:
        c = S["keepalived"]["check_cadence_ms"]
        A(f"keepalived's vrrp_script really ran every {fmt(c['median'], 0)} ms (median time between the "
          f"starts of consecutive runs, both nodes, every run: min {fmt(c['min'], 0)}, max "
          f"{fmt(c['max'], 0)}, n={c['n']}): `interval 1`, the smallest it accepts (whole seconds: "
          "`interval 0.5` is refused, `0` becomes 1).")
        A("")
    A(reading(S, runs))
    A("")
    A("## Targets")
    A("")
    A("| target | measured | verdict |")
    A("| --- | --- | --- |")
    if "xhb_median_ms" in T:
        A(f"| xhb median outage <= {TARGET_MEDIAN_MS} ms | {fmt(T['xhb_median_ms'])} ms | "
          f"{'met' if T['xhb_median_met'] else '**missed**'} |")
    if "keepalived_over_xhb" in T:
        A(f"| xhb median <= 1/{TARGET_RATIO} of keepalived's | keepalived's is "
          f"{fmt(T['keepalived_over_xhb'], 1)}× xhb's | {'met' if T['ratio_met'] else '**missed**'} |")
    A("")
    A("## Every run")
    A("")
    A("Outage, ms (— : never answered again in the window); after: who answered first after it; "
      "reasons: why the requests in it failed; detection / takeover as above (– for keepalived's "
      "takeover: srv2 served before srv1's check failed); kill → srv2's address: the first UDP "
      "answer from srv2; VIP moves: answers switching server in the UDP prober (1: one clean move); "
      "failed again: HTTP requests failed after the outage.")
    A("")
    A("| system | run | outage | after | failed requests (reasons) | detection | takeover | kill → srv2's address | UDP both | VIP moves | failed again | end holder | notes |")
    A("| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for r in runs:
        m, d = r["meta"], r["derived"]
        if not d["ok"]:
            A(f"| {NAMES.get(m['system'], m['system'])} | {m.get('rep')} | not measured: {d.get('why')} | | | | | | | | | | |")
            continue
        reasons = ", ".join(f"{k} {n}" for k, n in d["reasons"].items())
        A(f"| {NAMES.get(m['system'], m['system'])} | {m.get('rep')} | "
          f"{fmt(d['outage_ms']) if d.get('recovered') else '— (> ' + fmt(d.get('unanswered_until_end_ms'), 0) + ')'} | "
          f"{d.get('answered_after')} | {d['failed']} ({reasons}) | {fmt(d.get('detection_ms'))} | "
          f"{fmt(d.get('takeover_ms'))} | {fmt(d.get('kill_to_address_on_srv2_ms'))} | "
          f"{d.get('udp_both_answered', '–')} | {d.get('udp_moves', '–')} | "
          f"{d.get('failed_after') or 0}{' (longest ' + fmt(d['longest_gap_after_ms']) + ' ms)' if d.get('failed_after') else ''} | "
          f"{d.get('end_holder')} | {run_notes(d)} |")
    A("")
    A("## Caveats")
    A("")
    A("- The crash is one a check sees at once: srv1's kernel refuses connections to the dead "
      "listener. A server that hangs (accepts, never answers) is seen at each check's timeout "
      "instead (xhb: 10 ms, keepalived: 1 s, 3 times each); not measured here.")
    A("- keepalived could also watch apache2's process (`vrrp_track_process`), which sees a crash "
      "at once but not a hung or broken service; not the same check, not measured.")
    A("- One shared 2-CPU machine for both nodes, both web servers, the probers and other work.")
    return "\n".join(L)


def main(argv):
    if len(argv) == 4 and argv[1] == "collect":
        collect(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "report":
        report(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
