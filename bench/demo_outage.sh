#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# The demo's failover, N times (default 20): the seed lab with `probe 1ms 3`,
# srv1's link goes down, the client (one UDP request every 1 ms to the VIP)
# measures the outage. Prints median, min and max and writes
# bench/results/demo-outage-<date>.{json,md}. A benchmark: it prints
# figures and asserts nothing.
#
#   bench/demo_outage.sh [RUNS]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
date=$(date -u +%F)
out=bench/results/demo-outage-$date
export LAB_PREFIX=bo-
source tools/lab.sh
trap lab_teardown EXIT INT TERM

results=()
for i in $(seq "$runs"); do
	lab_setup >/dev/null 2>&1 || { echo "run $i: lab setup failed" >&2; continue; }
	lab_start srv1
	lab_start srv2
	if ! lab_wait_vip srv1 15; then
		echo "run $i: srv1 did not take the VIP" >&2
		lab_teardown
		continue
	fi
	sleep 0.5
	lab_exec client "$XHB_BUILD/vipcheck" watch "$LAB_VIP" --interval-us 1000 \
		--duration-ms 1500 --json >"$LAB_DIR/watch.json" &
	watch=$!
	sleep 0.5
	lab_exec srv1 ip link set ens192 down
	wait "$watch"
	r=$(cat "$LAB_DIR/watch.json")
	results+=("$r")
	printf 'run %2d: %s\n' "$i" "$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("outage %.1f ms, lost %d, both %d, %s" % (r["outage_ms"], r["lost"], r["both_answered"], "->".join(r["servers"])))' "$r")"
	lab_teardown
done

printf '%s\n' "${results[@]}" | python3 -c '
import json, statistics, sys, platform
runs = [json.loads(l) for l in sys.stdin if l.strip()]
if not runs:
    sys.exit("no run completed")
o = sorted(r["outage_ms"] for r in runs)
summary = {
    "what": "client-visible outage on srv1 link down, seed lab + probe 1ms 3",
    "runs": len(runs), "median_ms": statistics.median(o), "min_ms": o[0],
    "max_ms": o[-1], "lost_median": statistics.median(r["lost"] for r in runs),
    "both_answered_total": sum(r["both_answered"] for r in runs),
    "target": "median <= 10 ms", "kernel": platform.release(),
    "raw": runs,
}
json.dump(summary, open(sys.argv[1] + ".json", "w"), indent=1)
md = ["# Demo failover outage (%s runs)" % len(runs), "",
      "| median ms | min ms | max ms | lost (median) | answered by both | target |",
      "| ---: | ---: | ---: | ---: | ---: | --- |",
      "| %.1f | %.1f | %.1f | %d | %d | median <= 10 ms: %s |" % (
          summary["median_ms"], o[0], o[-1], summary["lost_median"],
          summary["both_answered_total"],
          "met" if summary["median_ms"] <= 10 else "MISSED"),
      "", "Seed lab (tools/lab.sh) with `probe 1ms 3`; srv1: `ip link set ens192 down`;",
      "client: one UDP request to the VIP every 1 ms (tools/vipcheck).", ""]
open(sys.argv[1] + ".md", "w").write("\n".join(md))
print("\n".join(md))
' "$out"
