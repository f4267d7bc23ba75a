#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# Why an agent wakes late: a 1 ms loop (bench/wakeup.c, the shape of
# xhbd's loop at `probe 1ms`) with the fair scheduler's default slice and
# with the 100 us slice xhbd asks for, alone and sharing its CPU with a
# busy process; then both lab agents left idle for a minute with the other
# CPU busy, counting their agent_gap events (a loop late by a detection
# window, 4 ms). Writes bench/results/agent-gaps-<date>.{json,md}. A
# benchmark: prints figures, asserts nothing.
#
#   bench/agent_gaps.sh [SECONDS]    seconds per measurement (default 20)
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
out=bench/results/agent-gaps-$(date -u +%F)
commit=$(git rev-parse --short HEAD)
export LAB_PREFIX=bg-
source tools/lab.sh
busy=""
stop_busy() { [ -z "$busy" ] || { kill "$busy" 2>/dev/null; wait "$busy" 2>/dev/null; busy=""; }; }
trap 'stop_busy; lab_teardown' EXIT
trap 'exit 130' INT TERM
cpu=$(($(nproc) - 1))
start_busy() { # bounded: it stops by itself after the measurement
	taskset -c "$cpu" timeout $((secs + 10)) sh -c 'while :; do :; done' &
	busy=$!
}

rows=()
for slice in 0 100000; do
	r=$(taskset -c "$cpu" "$XHB_BUILD/bench/wakeup" "$secs" "$slice")
	rows+=("{\"case\":\"alone\",\"r\":$r}")
	echo "wakeup alone, slice ${slice:-default}: $r"
	start_busy
	r=$(taskset -c "$cpu" "$XHB_BUILD/bench/wakeup" "$secs" "$slice")
	stop_busy
	rows+=("{\"case\":\"sharing its CPU with a busy process\",\"r\":$r}")
	echo "wakeup sharing CPU $cpu, slice ${slice:-default}: $r"
done

# The lab's two agents, idle, one minute with the other CPU busy.
lab_setup >/dev/null 2>&1 || { echo "lab setup failed" >&2; exit 1; }
lab_start srv1
lab_start srv2
lab_wait_vip srv1 15 || { echo "srv1 did not take the VIP" >&2; exit 1; }
t0=$(python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC))')
secs_lab=$((secs * 3))
start_busy
timeout $((secs_lab + 5)) sleep "$secs_lab" # the measurement window itself
stop_busy
lab_merge_events "$LAB_DIR/events.json"
lab=$(python3 - "$LAB_DIR/events.json" "$t0" "$secs_lab" <<'PY'
import json, sys
path, t0, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
gaps = [json.loads(l) for l in open(path)]
gaps = [e["gap_ms"] for e in gaps if e["event"] == "agent_gap" and e["mono_ns"] >= t0]
print(json.dumps({"agents": 2, "seconds": secs, "agent_gap_events": len(gaps),
                  "max_gap_ms": max(gaps) if gaps else 0}))
PY
)
echo "lab agents idle, other CPU busy: $lab"

python3 - "$out" "$commit" "$lab" "${rows[@]}" <<'PY'
import json, platform, sys
out, commit, lab, rows = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), [json.loads(r) for r in sys.argv[4:]]
json.dump({"commit": commit, "kernel": platform.release(), "wakeup": rows, "lab": lab},
          open(out + ".json", "w"), indent=1)
md = ["# Why the agent woke 4-5 ms late, and what changed", "",
      "Commit %s, kernel %s, 2 vCPUs. `bench/agent_gaps.sh`." % (commit, platform.release()), "",
      "A loop that sleeps 1 ms at a time (bench/wakeup.c, the shape of xhbd's loop at `probe 1ms`):", "",
      "| slice | case | wake-ups | late > 0.5 ms | > 1 ms | > 2 ms | > 4 ms | p99.9 ms | max ms | queued ms (late > 1 ms) |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
for row in rows:
    r = row["r"]
    md.append("| %s | %s | %d | %d | %d | %d | %d | %.2f | %.2f | %.1f |" % (
        "default" if not r["slice_ns"] else "%d us" % (r["slice_ns"] // 1000), row["case"],
        r["wakes"], r["late_over_0_5ms"], r["late_over_1ms"], r["late_over_2ms"],
        r["late_over_4ms"], r["p999_late_ms"], r["max_late_ms"], r["queued_ms_in_late_over_1ms"]))
md += ["", "The lab's two agents (`probe 1ms 3`, the 100 us slice), idle for %d s with the other CPU busy: "
       "**%d** `agent_gap` events (a loop late by a whole 4 ms window), longest %.1f ms." % (
           lab["seconds"], lab["agent_gap_events"], lab["max_gap_ms"]), ""]
open(out + ".md", "w").write("\n".join(md))
print("\n".join(md))
PY
