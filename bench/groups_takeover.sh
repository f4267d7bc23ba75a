#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# Takeover of many groups (issue 13): the seed lab with `probe 1ms 3`,
# srv1 holds G groups of one address each (G = 1, 64, 256 by default),
# srv1's link goes down, srv2 takes every group. From srv2's events:
# its verdict (peer_dead), the last address added (vip_added), the last
# group's first gratuitous ARP (garp_sent packet 1), each counted from the
# verdict; RUNS runs each (default 5). Writes
# bench/results/groups-takeover-<date>-<commit>.{json,md}. A benchmark: it
# prints figures and asserts nothing.
#
#   bench/groups_takeover.sh [RUNS [G...]]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1 64 256)
commit=$(git rev-parse --short HEAD)
out=bench/results/groups-takeover-$(date -u +%F)-$commit
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
		lab_exec srv1 ip link set ens192 down
		if lab_poll 30 holds_all srv2 "$g"; then
			lab_poll 10 garps srv2 1 "$g" peer_dead
			cp "$LAB_DIR/srv2/events.json" "$d/srv2.json"
			python3 - "$g" "$d/srv2.json" >>"$work/runs.jsonl" <<'PY'
import json, sys
g, path = int(sys.argv[1]), sys.argv[2]
ev = [json.loads(l) for l in open(path) if l.strip()]
verdict = min(e["mono_ns"] for e in ev if e["event"] == "peer_dead")
after = [e for e in ev if e["mono_ns"] >= verdict]
added = [e["mono_ns"] for e in after if e["event"] == "vip_added"]
garps = [e["mono_ns"] for e in after if e["event"] == "garp_sent" and e.get("packet") == 1]
acq = [e for e in after if e["event"] == "group_acquire"]
ms = lambda t: (t - verdict) / 1e6
print(json.dumps({"groups": g, "acquired": len(acq), "first_vip_ms": ms(min(added)),
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

python3 - "$out" "$commit" "$runs" "$work/runs.jsonl" <<'PY'
import json, platform, sys
sys.path.insert(0, "bench")
from report_util import summary as stat
out, commit, wanted, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rows = [json.loads(l) for l in open(path) if l.strip()]
if not rows:
    sys.exit("no run completed")
by = {}
for r in rows:
    by.setdefault(r["groups"], []).append(r)

summary = {"what": "srv2 takes G groups after srv1's link goes down (seed lab, probe 1ms 3)",
           "commit": commit, "kernel": platform.release(), "runs_wanted": wanted, "cases": {}}
md = ["# Takeover of many groups (commit %s)" % commit, "",
      "`bench/groups_takeover.sh %d`: the seed lab with `probe 1ms 3`, srv1 holds G groups of "
      "one address each, `ip link set ens192 down` on srv1, srv2 takes them all. Times from "
      "srv2's verdict (peer_dead), from its events; kernel %s." % (wanted, platform.release()), "",
      "| groups | runs | first address (ms) | last address (ms) | last group's first GARP (ms) |",
      "| ---: | ---: | --- | --- | --- |"]
fmt = lambda s: "%.2f median, %.2f max" % (s["median"], s["max"]) if s else "-"
for g in sorted(by):
    rs = by[g]
    c = {k: stat([r[k] for r in rs]) for k in ("first_vip_ms", "last_vip_ms", "last_first_garp_ms")}
    c["runs"] = len(rs)
    c["raw"] = rs
    summary["cases"][g] = c
    md.append("| %d | %d | %s | %s | %s |" % (g, len(rs), fmt(c["first_vip_ms"]), fmt(c["last_vip_ms"]),
                                         fmt(c["last_first_garp_ms"])))
json.dump(summary, open(out + ".json", "w"), indent=1)
open(out + ".md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
