#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# Client-visible outage across a router (the routed lab, tools/lab_routed.sh):
# xhb's routing mode with BIRD vs BIRD with BFD alone, in the same lab and
# the same run, for four faults of srv1, the holder:
#
#   linkdown     srv1's ens192 down (the router's link stays up: a switch
#                between them)
#   poweroff     srv1's NIC down, then every process in its namespace
#                SIGKILLed (agent, bird, web server, echo): routed_poweroff
#   pathloss     every frame between srv1 and the router dropped by the
#                switch, every link up
#   servicekill  srv1's web server SIGKILLed (bird and BGP live on)
#
#   bench/routed.sh [--repeats N] [--faults a,b] [--systems xhb,bfd]
#                   [--bfd-ms MS] [--xhb-bfd-ms MS] [--post-ms MS]
#
# Systems:
#   xhb   announce 0 route (takeover_metric 100 exported as MED), probe 1ms 3,
#         check web http http://127.0.0.1/ interval 10ms fall 3; BFD at
#         --xhb-bfd-ms (100) x 3: xhb's takeover does not wait for BFD, and
#         BFD at 10 ms drops sessions falsely on a busy 2-CPU machine
#         (each such drop is an outage xhb cannot see)
#   bfd   both servers announce the VIP statically, srv2's path prepended:
#         the router moves only when BFD (or the hold timer) drops srv1;
#         BFD at --bfd-ms (10) x 3, the fastest that holds here
#
# Each run builds a new lab. In the client, bench/httpprobe opens a new
# HTTP connection to the VIP every 1 ms and vipcheck sends a UDP request
# every 1 ms (answered by whoever holds the address: a request answered by
# both would show there). The outage is httpprobe's: from the last request
# answered before the fault's gap to the first answered after it.
# bench/routed-report.py writes bench/results/routed-DATE-COMMIT.{json,md}.
# Not a test: it fails on nothing. `make bench-routed` runs it.
set -uo pipefail
cd "$(dirname "$0")/.."
XHB_TOP=$PWD
export XHB_BUILD=${XHB_BUILD:-$XHB_TOP/build}
RESULTS=${XHB_BENCH_RESULTS:-$XHB_TOP/bench/results}
REPEATS=10
FAULTS=linkdown,poweroff,pathloss,servicekill
SYSTEMS=xhb,bfd
PRE_MS=300
POST_MS=1500
BFD_MS=10
XHB_BFD_MS=100
while [ $# -gt 0 ]; do
	case $1 in
	--repeats) REPEATS=$2; shift 2 ;;
	--faults) FAULTS=$2; shift 2 ;;
	--systems) SYSTEMS=$2; shift 2 ;;
	--bfd-ms) BFD_MS=$2; shift 2 ;;
	--xhb-bfd-ms) XHB_BFD_MS=$2; shift 2 ;;
	--post-ms) POST_MS=$2; shift 2 ;;
	*) echo "usage: $0 [--repeats N] [--faults linkdown,poweroff,pathloss,servicekill] [--systems xhb,bfd] [--bfd-ms MS] [--xhb-bfd-ms MS] [--post-ms MS]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench/routed.sh: needs root (namespaces)" >&2; exit 1; }
for f in xhbd vipcheck bench/httpprobe xdp_pass.bpf.o; do
	[ -e "$XHB_BUILD/$f" ] || { echo "bench/routed.sh: $XHB_BUILD/$f is not built: run make" >&2; exit 1; }
done
[ -x /usr/sbin/bird ] || { echo "bench/routed.sh: bird2 is not installed (tools/deps.sh)" >&2; exit 1; }

export LAB_PREFIX=bench-routed-
# shellcheck source=../tools/lab.sh
source tools/lab.sh
# shellcheck source=../tools/lab_routed.sh
source tools/lab_routed.sh
trap 'lab_teardown' EXIT
trap 'exit 130' INT TERM

COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- user bpf include tools bench 2>/dev/null || COMMIT="$COMMIT+dirty"
WORK=$XHB_BUILD/bench-routed/$(date +%Y%m%d-%H%M%S)
mkdir -p "$WORK" "$RESULTS"
cat >"$WORK/pathloss.nft" <<NFT
table bridge routed_loss_srv1 {
	chain forward {
		type filter hook forward priority -200;
		iifname "srv1" drop
		oifname "srv1" drop
	}
}
NFT
log() { printf '[bench-routed] %s\n' "$*" >&2; }

XHB_HACF='probe 1ms 3\nannounce 0 route\ncheck web http http://127.0.0.1/ interval 10ms timeout 200ms fall 3 rise 3\n'

# Build the lab for SYSTEM and wait until srv1 is the router's path.
steady() { # system
	ROUTED_MODE=$1
	ROUTED_BFD_MS=$BFD_MS
	[ "$1" = xhb ] && ROUTED_BFD_MS=$XHB_BFD_MS
	LAB_HACF_EXTRA=$XHB_HACF
	routed_setup || return 1
	if [ "$1" = xhb ]; then
		lab_start srv1 && lab_start srv2 || return 1
		lab_poll 15 routed_has_vip srv1 || return 1
		lab_poll 10 grep -q '"check_passing"' "$LAB_DIR/srv2/events.json" || return 1
	fi
	lab_poll 10 routed_path_is srv1
}

# The fault as one sh command line, run by at_fault.
fault_cmd() { # fault
	case $1 in
	linkdown) echo "ip -n $(lab_ns srv1) link set ens192 down" ;;
	poweroff) routed_poweroff_cmd srv1 ;;
	pathloss) echo "ip netns exec $(lab_ns sw) nft -f $WORK/pathloss.nft" ;;
	servicekill) echo "kill -9 -$(lab_web_pid srv1)" ;; # its process group (setsid)
	esac
}
# Runs the command and prints CLOCK_MONOTONIC read just before it (a
# shell's fork and exec later): the fault's time, on the probers' clock.
at_fault() { # command
	python3 -c 'import subprocess, sys, time
t = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
subprocess.run(["sh", "-c", sys.argv[1]])
print(t)' "$1"
}

one_run() { # system fault rep
	local system=$1 f=$2 rep=$3 d status=ok t_fault window
	d=$WORK/$system-$f-$rep
	mkdir -p "$d"
	window=$((PRE_MS + POST_MS))
	if ! steady "$system"; then
		status=setup_failed
	else
		lab_exec client "$XHB_BUILD/bench/httpprobe" "$LAB_VIP" --interval-us 1000 --duration-ms "$window" \
			--timeout-ms 500 --ready "$d/http.ready" >"$d/http.json" 2>"$d/http.err" &
		local hp=$!
		lab_exec client "$XHB_BUILD/vipcheck" watch "$LAB_VIP" --interval-us 1000 --duration-ms "$window" \
			--ready "$d/udp.ready" --json >"$d/udp.json" 2>"$d/udp.err" &
		local up=$!
		if lab_poll 5 test -e "$d/http.ready" && lab_poll 5 test -e "$d/udp.ready"; then
			sleep "$(awk -v ms="$PRE_MS" 'BEGIN { print ms / 1000 }')"
			t_fault=$(at_fault "$(fault_cmd "$f")")
		else
			status=probe_not_ready
		fi
		wait "$hp" "$up"
	fi
	cp "$LAB_DIR"/srv2/events.json "$d/srv2-events.json" 2>/dev/null
	cp "$LAB_DIR"/srv1/events.json "$d/srv1-events.json" 2>/dev/null
	cat >"$d/meta.json" <<EOF
{"system":"$system","fault":"$f","rep":$rep,"status":"$status","t_fault_mono_ns":${t_fault:-0},
 "bfd_ms":$ROUTED_BFD_MS,"bfd_mult":$ROUTED_BFD_MULT,"pre_ms":$PRE_MS,"post_ms":$POST_MS}
EOF
	lab_teardown
	log "$system $f #$rep: $status $(python3 -c 'import json,sys
try:
    r = json.load(open(sys.argv[1]))
    print("http gaps", [g["outage_ms"] for g in r["gaps"]], "answers", r["answers"])
except Exception as e:
    print("no prober output")' "$d/http.json")"
}

IFS=, read -r -a faults <<<"$FAULTS"
IFS=, read -r -a systems <<<"$SYSTEMS"
log "commit $COMMIT, $REPEATS runs of ${faults[*]} for ${systems[*]}, BFD ${BFD_MS} ms (xhb: ${XHB_BFD_MS} ms) x $ROUTED_BFD_MULT; raw runs in $WORK"
for rep in $(seq "$REPEATS"); do
	for f in "${faults[@]}"; do
		# the systems alternate within a repeat: the same load for both
		for s in "${systems[@]}"; do
			one_run "$s" "$f" "$rep"
		done
	done
done
cat >"$WORK/run.json" <<EOF
{"commit":"$COMMIT","kernel":"$(uname -r)","cpus":$(nproc),"load":"$(cut -d' ' -f1-3 /proc/loadavg)",
 "bird":"$(/usr/sbin/bird --version 2>&1 | head -n 1)","repeats":$REPEATS,"date":"$(date +%F)"}
EOF
python3 bench/routed-report.py "$WORK" "$RESULTS/routed-$(date +%F)-${COMMIT%+dirty}"
