#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# The loop at its floor: what an idle agent costs. The lab's two nodes at
# `probe 1ms 3` (the lab's default), steady (both active, srv1 holding
# every group), then SECONDS measured on both agents at once:
#   - CPU, % of one core: the scheduler's own run time (/proc/PID/schedstat,
#     exact) and the tick-sampled utime+stime (/proc/PID/stat, which a loop
#     waking on the 1 ms timer fools at HZ=250: shown, not trusted);
#   - wake-ups per second: voluntary context switches (/proc/PID/status),
#     and the run time each one costs;
#   - how late the loop woke past the deadline it slept for: the agent's
#     own count (xhbctl status -j, "loop"), when the build has it;
#   - agent_gap events in the window (a loop late by a detection window);
#   - then, with perf (linux-perf), where srv1's agent spends its CPU:
#     PROFILE_SECS more of it sampled (cpu-clock, call graphs), outside
#     the measured window (perf's own hooks at each of its ~1000 context
#     switches a second would be counted in it), the samples sorted into
#     the wake-up itself, the lab's frames received in the agent's time,
#     its sends, its syscalls and its own code (profile_parts below).
# In the same window a bare loop (bench/wakeup: clock_nanosleep 1 ms, no
# work) runs beside them: the cost of a wake-up alone on this machine, the
# floor the agent is compared with (on a shared 2-CPU VM the absolute
# figures are noise; the ratio to that floor is not).
#
#   bench/agent_idle.sh [SECONDS] [GROUPS...]   (default 60, and 1 256)
#   XHB_IDLE_BUILDS="old/build new/build"  compare builds in one run (each
#                                          build's rows one after another)
#
# Writes bench/results/agent-idle-<date>-<commit>.{json,md}. A benchmark:
# prints figures, asserts nothing. Network safety: the lab's namespaces
# only (tools/lab.sh), torn down on any exit.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
PROFILE_SECS=${XHB_IDLE_PROFILE_SECS:-10} # 0: no profile
shift || true
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(1 256)
top=$PWD
commit=$(git rev-parse --short HEAD)
out=bench/results/agent-idle-$(date -u +%F)-$commit
builds=(${XHB_IDLE_BUILDS:-$top/build})
export LAB_PREFIX=ai-
source tools/lab.sh
ref=""
stop_ref() { [ -z "$ref" ] || { kill "$ref" 2>/dev/null; wait "$ref" 2>/dev/null; ref=""; }; }
trap 'stop_ref; lab_teardown' EXIT
trap 'exit 130' INT TERM
work=$(mktemp -d /tmp/xhb-idle.XXXXXX)
trap 'stop_ref; lab_teardown; rm -rf "$work"' EXIT

# group k's address, k >= 1 (group 0 has the seed's VIP): as many_groups.sh
group_addr() { echo "172.16.$((200 + $1 / 250)).$(($1 % 250 + 1))"; }
count_addrs() {
	lab_exec "$1" ip -o -4 addr show dev ens192 2>/dev/null |
		grep -cE " inet ($LAB_VIP|172\.16\.20[0-4]\.[0-9]+)/"
}
holds_all() { [ "$(count_addrs srv1)" = "$1" ]; }
active() { # node: out of init, judging
	lab_in_node "$1" "$XHB_BUILD/xhbctl" status -j 2>/dev/null |
		python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["state"] != "active")'
}
loop_status() { # node: the status' "loop" object (null: the build has none)
	lab_in_node "$1" "$XHB_BUILD/xhbctl" status -j 2>/dev/null |
		python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin).get("loop")))' 2>/dev/null ||
		echo null
}

# One reading of a process: run ns, ticks, voluntary and involuntary switches.
reading() { # pid
	local run vol invol ticks
	run=$(cut -d' ' -f1 "/proc/$1/schedstat")
	ticks=$(awk '{print $14 + $15}' "/proc/$1/stat")
	vol=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$1/status")
	invol=$(awk '/^nonvoluntary_ctxt_switches/ {print $2}' "/proc/$1/status")
	echo "{\"run_ns\":$run,\"ticks\":$ticks,\"vol\":$vol,\"invol\":$invol}"
}

# Where a process's CPU goes, from PROFILE_SECS of perf samples with call
# graphs: {"samples": N, "parts": {part: % of the samples}}, or null
# without perf. Each sample goes to the first part whose test its stack
# passes, in this order:
#   wake-up: the scheduler switching to it or away (finish_task_switch,
#     schedule: the cost a bare loop pays too);
#   lab frames received: softirq work run in its time (handle_softirqs:
#     the veths' NAPI, the lab's bridge and netfilter, both nodes' XDP),
#     which a frame it sent through a veth triggers at once on its CPU;
#     with a NIC it runs on the peer and in the NIC's interrupts;
#   send: sendto/sendmmsg down to the veth, the rest of its path out;
#   ppoll, bpf() (the peers' map read), other syscalls;
#   own code: no kernel frame.
profile() { # pid
	if [ "$PROFILE_SECS" = 0 ] || ! command -v perf >/dev/null; then
		echo null
		return
	fi
	perf record -q -g -e cpu-clock -F 4000 -p "$1" -o "$work/perf.data" \
		-- sleep "$PROFILE_SECS" >/dev/null 2>&1 || { echo null; return; }
	perf script -i "$work/perf.data" -F ip,sym 2>/dev/null | python3 -c '
import collections, json, re, sys
parts = [
    ("wake-up (switching in and out)", lambda s: s[0].startswith("finish_task_switch") or any(f.startswith("schedule") or f == "__schedule" for f in s[:4])),
    ("lab frames received in its time (softirq)", lambda s: "handle_softirqs" in s),
    ("send (sendto/sendmmsg)", lambda s: any(f in ("__sys_sendto", "__sys_sendmmsg", "__sys_sendmsg") for f in s)),
    ("ppoll", lambda s: "do_sys_poll" in s or "ppoll" in s),
    ("bpf() (the peers map)", lambda s: "__sys_bpf" in s),
    ("other syscalls", lambda s: "do_syscall_64" in s),
    ("other kernel (interrupts, faults)", lambda s: KERNEL in s),
    ("own code", lambda s: True),
]
# A stack with a kernel frame (its address in the kernel half) ends with
# KERNEL: "own code" is a stack with none.
KERNEL = "[kernel]"
count, stacks, cur, kernel = collections.Counter(), [], [], False
for line in list(sys.stdin) + [""]:
    f = line.split()
    if not f:
        if cur:
            stacks.append(cur + [KERNEL] * kernel)
        cur, kernel = [], False
        continue
    kernel = kernel or f[0].startswith("ffff")
    cur.append(re.sub(r"\+0x[0-9a-f]+$", "", f[1]) if len(f) > 1 else f[0])
for s in stacks:
    count[next(name for name, test in parts if test(s))] += 1
n = len(stacks)
print(json.dumps({"seconds": float(sys.argv[1]), "samples": n,
                  "parts": {name: round(100 * count[name] / n, 1) for name, _ in parts if count[name]}} if n else None))
' "$PROFILE_SECS"
}

measure() { # build groups -> one JSON row on stdout
	local build=$1 ngroups=$2 p1 p2 t0 t1 r0 r1 r2 q0 q1 q2 s1a s2a s1b s2b wk label
	export XHB_BUILD=$build
	label=$(sed -n 's/.*XHB_COMMIT "\([0-9a-f]\{7\}\)[0-9a-f]*\(.*\)"/\1\2/p' "$build/xhb_commit.h")
	lab_setup >"$work/setup.log" 2>&1 || { echo "lab setup failed: $(tail -3 "$work/setup.log")" >&2; return 1; }
	if [ "$ngroups" -gt 1 ]; then
		{
			cat "$LAB_FIXTURES/haresources"
			for i in $(seq 1 $((ngroups - 1))); do
				echo "srv1 IPaddr::$(group_addr "$i")/16/ens192"
			done
		} >"$LAB_DIR/haresources.many"
		cp "$LAB_DIR/haresources.many" "$LAB_DIR/srv1/ha.d/haresources"
		cp "$LAB_DIR/haresources.many" "$LAB_DIR/srv2/ha.d/haresources"
	fi
	lab_start srv1
	lab_start srv2
	lab_poll 30 holds_all "$ngroups" || { echo "srv1 does not hold the $ngroups groups" >&2; return 1; }
	lab_poll 30 active srv1 && lab_poll 30 active srv2 || { echo "the agents are not active" >&2; return 1; }
	p1=$(lab_pid srv1) p2=$(lab_pid srv2)
	s1a=$(loop_status srv1) s2a=$(loop_status srv2)
	# the bare loop outlives the window (its lateness covers a few
	# seconds more), so that it is there to be read at the end
	"$build/bench/wakeup" "$((secs + 5))" 0 >"$work/wakeup.json" &
	ref=$!
	t0=$(python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC))')
	r0=$(reading "$ref") r1=$(reading "$p1") r2=$(reading "$p2")
	timeout $((secs + 5)) sleep "$secs" # the window itself
	q0=$(reading "$ref") q1=$(reading "$p1") q2=$(reading "$p2")
	t1=$(python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC))')
	s1b=$(loop_status srv1) s2b=$(loop_status srv2)
	wait "$ref"
	ref=""
	wk=$(cat "$work/wakeup.json")
	profile "$p1" >"$work/profile.json"
	lab_merge_events "$work/events.json"
	lab_teardown_quiet
	python3 - "$label" "$ngroups" "$t0" "$t1" "$r1" "$q1" "$r2" "$q2" "$r0" "$q0" \
		"$s1a" "$s1b" "$s2a" "$s2b" "$wk" "$work/events.json" "$work/profile.json" <<'PY'
import json, sys
label, ngroups, t0, t1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
r = [json.loads(x) for x in sys.argv[5:11]]
s = [json.loads(x) for x in sys.argv[11:15]]
wk = json.loads(sys.argv[15])
events = [json.loads(l) for l in open(sys.argv[16])]
wall = (t1 - t0) / 1e9
HZ = 250  # CONFIG_HZ of the lab's kernel; only for the tick-sampled figure

def proc(a, b):
    d = {k: b[k] - a[k] for k in a}
    return {"cpu_pct": round(100 * d["run_ns"] / 1e9 / wall, 3),
            "cpu_pct_ticks": round(100 * d["ticks"] / HZ / wall, 3),
            "wakeups_per_s": round(d["vol"] / wall, 1),
            "preempted_per_s": round(d["invol"] / wall, 2),
            "us_per_wakeup": round(d["run_ns"] / 1e3 / d["vol"], 2) if d["vol"] else None}

def loop(a, b):  # the agent's own lateness counts, when it has them
    if not a or not b:
        return None
    la, lb = a, b
    d = {"wakes": lb["timed_wakes"] - la["timed_wakes"],
         "late": {k: lb["late"][k] - la["late"][k] for k in lb["late"]},
         "max_late_ms_since_start": lb["max_late_ms"]}
    return d

row = {"build": label, "groups": ngroups, "seconds": round(wall, 2), "nodes": {}}
for i, node in enumerate(("srv1", "srv2")):
    n = proc(r[2 * i], r[2 * i + 1])
    n["loop"] = loop(s[2 * i], s[2 * i + 1])
    n["agent_gap_events"] = sum(1 for e in events if e.get("event") == "agent_gap" and
                                e.get("node") == node and t0 <= e["mono_ns"] <= t1)
    row["nodes"][node] = n
row["srv1_profile"] = json.load(open(sys.argv[17]))
row["bare_loop"] = proc(r[4], r[5])
row["bare_loop"]["late"] = {k: wk[k] for k in wk if k.startswith("late_over") or k.endswith("_late_ms")}
print(json.dumps(row))
PY
}

rows=()
for g in "${groups[@]}"; do # the builds one after the other, for each size
	for build in "${builds[@]}"; do
		row=$(measure "$build" "$g") || exit 1
		rows+=("$row")
		echo "$row"
	done
done

python3 - "$out" "$commit" "$secs" "${rows[@]}" <<'PY'
import json, platform, sys
out, commit, secs, rows = sys.argv[1], sys.argv[2], sys.argv[3], [json.loads(r) for r in sys.argv[4:]]
json.dump({"commit": commit, "kernel": platform.release(), "probe": "1ms 3", "rows": rows},
          open(out + ".json", "w"), indent=1)
md = ["# An idle agent's cost at `probe 1ms 3`", "",
      "Commit %s, kernel %s, 2 vCPUs shared with other work. `bench/agent_idle.sh %s`: the lab's two "
      "nodes steady, both agents measured in the same window; beside them a bare 1 ms loop "
      "(bench/wakeup, no work) for the cost of a wake-up alone on this machine." % (commit, platform.release(), secs), "",
      "CPU is the scheduler's run time (/proc/PID/schedstat) over the window, in % of one core; "
      "wake-ups are voluntary context switches; late: timed wake-ups of the loop past their deadline "
      "(the agent's own count, `xhbctl status -j` \"loop\"; - when the build has none).", "",
      "| build | groups | node | CPU % | CPU % (ticks) | wake-ups/s | us/wake-up | x bare loop | late > 0.2 ms | > 0.5 ms | > 1 ms | agent_gap |",
      "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
for row in rows:
    bare = row["bare_loop"]
    for node, n in list(row["nodes"].items()) + [("bare loop", bare)]:
        lp = n.get("loop")
        late = lambda k: str(lp["late"][k]) if lp else "-"
        md.append("| %s | %d | %s | %.2f | %.2f | %.1f | %s | %s | %s | %s | %s | %s |" % (
            row["build"], row["groups"], node, n["cpu_pct"], n["cpu_pct_ticks"], n["wakeups_per_s"],
            n["us_per_wakeup"], "%.2f" % (n["cpu_pct"] / bare["cpu_pct"]) if bare["cpu_pct"] else "-",
            late("over_0_2ms") if node != "bare loop" else "-",
            late("over_0_5ms") if node != "bare loop" else bare["late"]["late_over_0_5ms"],
            late("over_1ms") if node != "bare loop" else bare["late"]["late_over_1ms"],
            n.get("agent_gap_events", "-")))
md.append("")
for row in rows:
    prof, cpu = row.get("srv1_profile"), row["nodes"]["srv1"]["cpu_pct"]
    if not prof:
        continue
    md += ["Where srv1's agent spends its CPU (build %s, groups %d): perf's cpu-clock samples with call graphs, "
           "%d over the %g s after the window (`profile()` in the script sorts them), in %% of the samples and, "
           "as that share of its %.2f%%, in %% of a core." % (row["build"], row["groups"], prof["samples"],
                                                            prof["seconds"], cpu), "",
           "| part | % of samples | % of a core |", "| --- | ---: | ---: |"]
    md += ["| %s | %.1f | %.2f |" % (k, v, v * cpu / 100) for k, v in prof["parts"].items()]
    md.append("")
open(out + ".md", "w").write("\n".join(md))
print("\n".join(md))
PY
