#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# Takeover of many groups (issue 13): the seed lab with `probe 1ms 3`,
# srv1 holds G groups of one address each (G = 1, 64, 256 by default),
# srv1 fails, srv2 takes every group. From srv2's events: its verdict
# (peer_dead), the first and last address added (vip_added), the last
# group's first gratuitous ARP (garp_sent packet 1), each counted from the
# verdict; and the fault's own start and end (CLOCK_MONOTONIC, the events'
# clock), counted from the verdict too. RUNS runs each (default 5). Writes
# bench/results/groups-takeover-<date>-<commit>[-FAULT].{json,md}. A
# benchmark: it prints figures and asserts nothing.
#
#   bench/groups_takeover.sh [--fault linkdown|poweroff] [RUNS [G...]]
#
# Faults (issue 15 compares the two): linkdown is `ip link set ens192
# down` in srv1; poweroff is bench/failover.sh's: srv1's veth deleted (the
# deletion holds the kernel's RTNL lock, shared by every namespace), then
# every process in srv1's namespace SIGKILLed.
set -uo pipefail
cd "$(dirname "$0")/.."
fault=linkdown
if [ "${1:-}" = --fault ]; then
	fault=${2:-}
	shift 2
fi
case $fault in
linkdown | poweroff) ;;
*) echo "usage: bench/groups_takeover.sh [--fault linkdown|poweroff] [RUNS [G...]]" >&2; exit 2 ;;
esac
runs=${1:-5}
shift || true
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1 64 256)
commit=$(git rev-parse --short HEAD)
out=bench/results/groups-takeover-$(date -u +%F)-$commit
[ "$fault" = linkdown ] || out=$out-$fault
export LAB_PREFIX=bg-
source tools/lab.sh
work=$(mktemp -d /tmp/xhb-groups-takeover.XXXXXX)
trap 'lab_teardown; [ -n "${XHB_BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

addr() { # k: group k's address (the seed's VIP first)
	if [ "$1" = 0 ]; then echo "$LAB_VIP"; else echo "172.16.$((200 + $1 / 250)).$(($1 % 250 + 1))"; fi
}
held() { # node: how many of the groups' addresses it has
	lab_exec "$1" ip -o -4 addr show dev ens192 | grep -cE " (172\.16\.2[0-9][0-9]\.[0-9]+|$LAB_VIP)/16 "
}
holds_all() { [ "$(held "$1")" = "$2" ]; }
# garps NODE PACKET N [AFTER_EVENT]: NODE said garp_sent of that packet
# number for N groups (after its first AFTER_EVENT, if given)
garps() {
	python3 -c 'import json,sys
ev=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
t=min([e["mono_ns"] for e in ev if e["event"]==sys.argv[4]] or [0]) if len(sys.argv)>4 else 0
n=sum(1 for e in ev if e["event"]=="garp_sent" and e.get("packet")==int(sys.argv[2]) and e["mono_ns"]>=t)
sys.exit(0 if n>=int(sys.argv[3]) else 1)' "$LAB_DIR/$1/events.json" "$2" "$3" ${4:+"$4"} 2>/dev/null
}

: >"$work/runs.jsonl"
for g in "${counts[@]}"; do
	for i in $(seq "$runs"); do
		d=$work/$g-$i
		mkdir -p "$d"
		if ! lab_setup >/dev/null 2>&1; then
			echo "G=$g run $i: lab setup failed" >&2
			continue
		fi
		for node in srv1 srv2; do
			for k in $(seq 0 $((g - 1))); do
				echo "srv1 IPaddr::$(addr "$k")/16/ens192"
			done >"$LAB_DIR/$node/ha.d/haresources"
			lab_start "$node"
		done
		if ! lab_poll 30 holds_all srv1 "$g"; then
			echo "G=$g run $i: srv1 did not take the $g groups (see $d)" >&2
			cp "$LAB_DIR"/srv1/events.json "$LAB_DIR"/srv1/xhbd.err "$d/" 2>/dev/null
			lab_teardown
			continue
		fi
		# the start's announcements are over before the cut (garp 5 x 200ms)
		lab_poll 20 garps srv1 5 "$g"
		# the fault, between two CLOCK_MONOTONIC stamps (the events' clock)
		python3 - "$fault" "$(lab_ns srv1)" >"$d/fault.json" <<'PY'
import json, os, signal, subprocess, sys, time
fault, ns = sys.argv[1], sys.argv[2]
now = lambda: time.clock_gettime_ns(time.CLOCK_MONOTONIC)
if fault == "linkdown":
    cmd = ["ip", "-n", ns, "link", "set", "ens192", "down"]
else:
    cmd = ["ip", "-n", ns, "link", "del", "ens192"]
t0 = now()
subprocess.run(cmd, check=False)
t1 = now()
if fault == "poweroff":
    pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
    for p in pids:
        try:
            os.kill(int(p), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass
print(json.dumps({"fault": fault, "begin_ns": t0, "end_ns": t1}))
PY
		if lab_poll 30 holds_all srv2 "$g"; then
			lab_poll 10 garps srv2 1 "$g" peer_dead
			cp "$LAB_DIR/srv2/events.json" "$d/srv2.json"
			python3 - "$g" "$d/srv2.json" "$d/fault.json" >>"$work/runs.jsonl" <<'PY'
import json, sys
g, path = int(sys.argv[1]), sys.argv[2]
f = json.load(open(sys.argv[3]))
ev = [json.loads(l) for l in open(path) if l.strip()]
verdict = min(e["mono_ns"] for e in ev if e["event"] == "peer_dead")
after = [e for e in ev if e["mono_ns"] >= verdict]
added = [e["mono_ns"] for e in after if e["event"] == "vip_added"]
garps = [e["mono_ns"] for e in after if e["event"] == "garp_sent" and e.get("packet") == 1]
acq = [e for e in after if e["event"] == "group_acquire"]
ms = lambda t: (t - verdict) / 1e6
print(json.dumps({"groups": g, "acquired": len(acq), "fault_begin_ms": ms(f["begin_ns"]),
                  "fault_end_ms": ms(f["end_ns"]),
                  "first_garp_ms": ms(min(garps)) if garps else None,
                  "first_vip_ms": ms(min(added)),
                  "last_vip_ms": ms(max(added)),
                  "last_first_garp_ms": ms(max(garps)) if len(garps) >= len(added) else None}))
PY
			printf 'G=%d run %d: %s\n' "$g" "$i" "$(tail -n 1 "$work/runs.jsonl")"
		else
			echo "G=$g run $i: srv2 did not take the $g groups within 30 s (see $d)" >&2
			cp "$LAB_DIR"/srv2/events.json "$d/" 2>/dev/null
		fi
		lab_teardown
	done
done

python3 - "$out" "$commit" "$runs" "$work/runs.jsonl" "$fault" <<'PY'
import json, platform, sys
sys.path.insert(0, "bench")
from report_util import summary as stat
out, commit, wanted, path, fault = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
rows = [json.loads(l) for l in open(path) if l.strip()]
if not rows:
    sys.exit("no run completed")
by = {}
for r in rows:
    by.setdefault(r["groups"], []).append(r)

how = {"linkdown": "`ip link set ens192 down` on srv1",
       "poweroff": "srv1's veth deleted, then every process in srv1 SIGKILLed"}[fault]
summary = {"what": "srv2 takes G groups after srv1's fault (%s; seed lab, probe 1ms 3)" % fault,
           "fault": fault, "commit": commit, "kernel": platform.release(), "runs_wanted": wanted,
           "cases": {}}
md = ["# Takeover of many groups, fault %s (commit %s)" % (fault, commit), "",
      "`bench/groups_takeover.sh --fault %s %d`: the seed lab with `probe 1ms 3`, srv1 holds G "
      "groups of one address each, %s, srv2 takes them all. Times from srv2's verdict "
      "(peer_dead), from its events (the fault's begin and end too, on the same clock: "
      "negative is before the verdict); kernel %s." % (fault, wanted, how, platform.release()), "",
      "| groups | runs | fault begins (ms) | fault's command returns (ms) | first address (ms) "
      "| first GARP (ms) | last address (ms) | last group's first GARP (ms) |",
      "| ---: | ---: | --- | --- | --- | --- | --- | --- |"]
fmt = lambda s: "%.2f median, %.2f max" % (s["median"], s["max"]) if s else "-"
cols = ("fault_begin_ms", "fault_end_ms", "first_vip_ms", "first_garp_ms", "last_vip_ms",
        "last_first_garp_ms")
for g in sorted(by):
    rs = by[g]
    c = {k: stat([r.get(k) for r in rs]) for k in cols}
    c["runs"] = len(rs)
    c["raw"] = rs
    summary["cases"][g] = c
    md.append("| %d | %d | %s |" % (g, len(rs), " | ".join(fmt(c[k]) for k in cols)))
json.dump(summary, open(out + ".json", "w"), indent=1)
open(out + ".md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
