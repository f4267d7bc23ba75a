#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# xhb benchmarks. They print figures and write them under bench/results/;
# they are not tests (nothing here fails on a slow machine). `make bench`
# builds the binaries and runs this script with no argument.
#
#   bench/run.sh             every benchmark section below
#   bench/run.sh dataplane   only the data plane (XDP paths, responder pps)
#   bench/run.sh demo        the demo's failover 50 times (~5 min)
#   bench/run.sh failover    xhb vs Heartbeat vs keepalived (~41 min;
#                            XHB_BENCH_FAILOVER_ARGS=--quick: ~15 min)
#   bench/run.sh decide      the decision's cost for N nodes x G groups
#                            (up to 64 x 1024; ~1 min)
#   bench/run.sh service_crash  the web server killed on the holder: xhb's
#                            check vs keepalived's vrrp_script vs Heartbeat
#                            (~10 min; XHB_BENCH_SERVICE_CRASH_ARGS=--quick: ~2)
#
# A section is a function named section_NAME, listed in SECTIONS; add
# yours (failover, ...) the same way. Each writes
# bench/results/NAME-<date>.json and .md itself.
#
# Network safety: all traffic stays in two namespaces made here (veth
# pair, addresses in 10.77.0.0/24, no route out); nothing is added to the
# root namespace. Every sender is bounded in time and count; the trap
# removes namespaces, pins and processes on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${XHB_BUILD:-$PWD/build}
RESULTS=${XHB_BENCH_RESULTS:-$PWD/bench/results}
DATE=$(date +%F)
# Generator and responder on separate CPUs: the responder's figures are
# then what one CPU can answer, whichever responder it is.
GEN_CPU=${XHB_BENCH_GEN_CPU:-0}
RESP_CPU=${XHB_BENCH_RESP_CPU:-1}
WARMUP=${XHB_BENCH_WARMUP:-1}
DURATION=${XHB_BENCH_DURATION:-5}
# live: BPF_PROG_TEST_RUN live frames, XDP_TX out of the prober's veth
# (pktgen.c); packet: AF_PACKET + sendmmsg, the generator of the results
# up to 2026-12-05, which one CPU could not run faster than the XDP
# responder answered.
PKTGEN_MODE=${XHB_BENCH_PKTGEN_MODE:-live}
# compact: the probes two agents of this build send each other (the fast
# path's wire, pktgen --compact); full: as to a peer of an older build.
PROBES=${XHB_BENCH_PROBES:-compact}
# live: frames a BPF_PROG_TEST_RUN call (flood, paced); paced calls stay
# within the responder's 256-frame veth ring, so a burst is not a loss.
GEN_FLOOD_BATCH=${XHB_BENCH_GEN_FLOOD_BATCH:-1024}
GEN_PACED_BATCH=${XHB_BENCH_GEN_PACED_BATCH:-128}
# Who counts the replies on the prober's veth: cheap (pktgen's live_count:
# type and ids, no tag check) or xhb (xhb's program through xdp_node,
# every reply verified, ~30% more of the prober's CPU per reply).
COUNTER=${XHB_BENCH_COUNTER:-cheap}
# The nice of the generator and of the responder's threads (its NAPI,
# the userspace responder): other work on this shared machine then delays
# neither by much. The prober's NAPI (the counter) runs real-time.
NICE=${XHB_BENCH_NICE:--20}
SWEEP_START=${XHB_BENCH_SWEEP_START:-100000} # pps
SWEEP_STEP=${XHB_BENCH_SWEEP_STEP:-1.4}
SWEEP_WINDOW=${XHB_BENCH_SWEEP_WINDOW:-2}
SWEEP_MAX_POINTS=${XHB_BENCH_SWEEP_MAX_POINTS:-10}
# Rounds of (XDP, echo, verify+reply), interleaved: on a shared machine
# other work only ever lowers a pps figure, so the best round is kept.
ROUNDS=${XHB_BENCH_ROUNDS:-3}
# xdp_paths' rounds: its over-the-empty-program figures are a few ns, the
# difference of two minima; more rounds, less of a neighbour's noise.
PATH_ROUNDS=${XHB_BENCH_PATH_ROUNDS:-10}
round=1
SECTIONS=(dataplane demo failover service_crash decide)

tag=$((($$ % 90000) + 10000)) # 5 digits: names stay short and unique
ns_a=xhb-bench-a-$tag
ns_b=xhb-bench-b-$tag
if_a=xba$tag
if_b=xbb$tag
if_park=xbp$tag # live generator: where its program is parked (pktgen --park)
ip_a=10.77.0.1
ip_b=10.77.0.2
run_dir=/run/xhb-bench-$tag
work=$(mktemp -d /tmp/xhb-bench.XXXXXX)
pids=()

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	ip netns del "$ns_a" 2>/dev/null || true
	ip netns del "$ns_b" 2>/dev/null || true
	if mountpoint -q "$run_dir" 2>/dev/null; then
		umount "$run_dir" || true
	fi
	rmdir "$run_dir" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_bins() {
	local b
	for b in "$@"; do
		[ -x "$BUILD/bench/$b" ] || die "$BUILD/bench/$b is not built: run make bench"
	done
}

# Start a background process in a namespace and remember its pid.
# `ip netns exec` execs the command, so $! is the command itself.
spawn() { # ns cmd...
	local ns=$1
	shift
	ip netns exec "$ns" "$@" &
	pids+=("$!")
}

# Stop one process we started and forget it.
stop_pid() {
	local pid=$1 p keep=()
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	for p in "${pids[@]}"; do
		[ "$p" = "$pid" ] || keep+=("$p")
	done
	pids=("${keep[@]}")
}

wait_file() { # file pid what
	local i
	for i in $(seq 100); do
		[ -e "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || die "$3 exited before it was ready"
		sleep 0.1
	done
	die "$3 not ready after 10 s"
}

# Each veth's receive NAPI as a kernel thread, pinned to its side's CPU:
# with plain NAPI the responder's softirq work would run on the CPU that
# transmitted, i.e. the generator's, and be charged to it.
pin_napi() { # ifname cpu [rt]
	local pid found=0
	for pid in $(pgrep "^napi/$1-" || true); do
		taskset -pc "$2" "$pid" >/dev/null
		# The prober's NAPI is the instrument that counts replies: real
		# time, so the generator on the same CPU cannot make it drop
		# them (veth's ring is only 256 frames).
		# The responder's NAPI, and its process if it has one, run at
		# nice -20: the live generator has no back-pressure, so other
		# work on this shared CPU delaying them by a millisecond would
		# overflow the 256-frame ring at any rate, while the responders'
		# figures should be theirs, not the machine's (a NIC's softirq
		# comes before every task too). Both responders alike.
		if [ "${3:-}" = rt ]; then
			chrt -f -p 10 "$pid"
		else
			chrt -o -p 0 "$pid"
			renice -n "$NICE" -p "$pid" >/dev/null
		fi
		found=1
	done
	[ "$found" = 1 ] || die "no threaded NAPI for $1 (kernel without threaded NAPI on veth?)"
}

netns_up() {
	ip netns add "$ns_a"
	ip netns add "$ns_b"
	ip -n "$ns_a" link set lo up
	ip -n "$ns_b" link set lo up
	ip -n "$ns_a" link add "$if_a" type veth peer name "$if_b" netns "$ns_b"
	# Down, never a frame: holds the live generator's program in the
	# kernel's XDP dispatcher (pktgen --park).
	ip -n "$ns_a" link add "$if_park" type veth peer name "xbq$tag"
	ip -n "$ns_a" addr add "$ip_a/24" dev "$if_a"
	ip -n "$ns_b" addr add "$ip_b/24" dev "$if_b"
	ip -n "$ns_a" link set "$if_a" up
	ip -n "$ns_b" link set "$if_b" up
	# GRO gives each veth a receive NAPI (it is also what lets an
	# XDP_TX frame be delivered, see DESIGN.md), which can then run as
	# a thread we pin. veth hands a frame to that NAPI only if the
	# sender has no TSO (else to the sending CPU's backlog, charging
	# the responder's receive path to the generator): TSO off.
	ip netns exec "$ns_a" ethtool -K "$if_a" gro on tso off >/dev/null
	ip netns exec "$ns_b" ethtool -K "$if_b" gro on tso off >/dev/null
	ip netns exec "$ns_a" sh -c "echo 1 > /sys/class/net/$if_a/threaded"
	ip netns exec "$ns_b" sh -c "echo 1 > /sys/class/net/$if_b/threaded"
	mac_a=$(ip netns exec "$ns_a" cat "/sys/class/net/$if_a/address")
	mac_b=$(ip netns exec "$ns_b" cat "/sys/class/net/$if_b/address")
	# No ARP in the middle of a measured window.
	ip -n "$ns_a" neigh replace "$ip_b" lladdr "$mac_b" dev "$if_a" nud permanent
	ip -n "$ns_b" neigh replace "$ip_a" lladdr "$mac_a" dev "$if_b" nud permanent
	# `ip netns exec` hides /sys/fs/bpf; a bpffs mounted here, in the root
	# mount namespace, is seen from both namespaces.
	mkdir -p "$run_dir"
	mount -t bpf bpffs "$run_dir"
}

# Drops and counters on the way, both sides, as one flat JSON object.
veth_counters() {
	{
		ip netns exec "$ns_a" ethtool -S "$if_a" | sed "s/^ */a_/"
		ip netns exec "$ns_b" ethtool -S "$if_b" | sed "s/^ */b_/"
		ip -n "$ns_a" -j -s link show dev "$if_a" |
			jq -r '.[0].stats64 | "a_rx_dropped: \(.rx.dropped)", "a_tx_dropped: \(.tx.dropped)"'
		ip -n "$ns_b" -j -s link show dev "$if_b" |
			jq -r '.[0].stats64 | "b_rx_dropped: \(.rx.dropped)", "b_tx_dropped: \(.tx.dropped)"'
		ip netns exec "$ns_b" tc -s -j qdisc show dev "$if_b" |
			jq -r '"b_qdisc_drops: \([.[].drops // 0] | add)"'
		ip netns exec "$ns_b" awk '/^Udp:/ { if (!h) { split($0, k); h = 1 } else { for (i = 2; i <= NF; i++) print "b_udp_" k[i] ": " $i } }' /proc/net/snmp
	} | awk -F': *' 'NF == 2 && $2 ~ /^[0-9]+$/ { printf "%s\"%s\": %s", (n++ ? ", " : "{"), $1, $2 } END { print (n ? "}" : "{}") }'
}

# The counters that moved, before -> after.
counter_delta() { # before.json after.json
	jq -n --slurpfile a "$1" --slurpfile b "$2" \
		'$b[0] | with_entries(.value -= ($a[0][.key] // 0)) | with_entries(select(.value != 0))'
}

napi_pid() { # ifname
	pgrep "^napi/$1-" | head -n 1
}

# One window of the generator against whatever answers on B: pktgen's
# JSON plus the counters that moved. rate 0 = as fast as it can.
run_point() { # label rate window_s out.json responder_pid [pktgen args...]
	local label=$1 rate=$2 window=$3 out=$4 resp=$5 f=$work/point gen=()
	shift 5
	if [ "$COUNTER" = cheap ]; then
		gen+=(--counter cheap)
	else
		gen+=(--a-pins "$run_dir/a")
	fi
	if [ "$PROBES" = compact ]; then
		gen+=(--compact)
	fi
	if [ "$PKTGEN_MODE" = live ]; then
		gen+=(--park "$if_park" --batch "$([ "$rate" = 0 ] && echo "$GEN_FLOOD_BATCH" || echo "$GEN_PACED_BATCH")")
	fi
	pin_napi "$if_a" "$GEN_CPU" rt
	pin_napi "$if_b" "$RESP_CPU"
	veth_counters >"$f.before"
	timeout --kill-after=5 $((WARMUP + ${window%.*} + 30)) \
		ip netns exec "$ns_a" nice -n "$NICE" "$BUILD/bench/pktgen" --mode "$PKTGEN_MODE" \
		--src "$ip_a" --dst "$ip_b" --ifname "$if_a" --dst-mac "$mac_b" \
		--warmup "$WARMUP" --duration "$window" \
		--rate "$rate" --cpu "$GEN_CPU" --label "$label" \
		--task "a_napi=$(napi_pid "$if_a")" --task "b_napi=$(napi_pid "$if_b")" \
		--task "responder=$resp" --json "$f.gen" "${gen[@]}" "$@" >&2
	veth_counters >"$f.after"
	counter_delta "$f.before" "$f.after" >"$f.drops"
	# Responder CPU = its veth's NAPI thread + its process (nothing for
	# XDP, whose process only sleeps), per reply that reached the prober.
	# A flood's limit: the responder if its CPU was busy or its ring
	# overflowed (it did not take the probes as fast as they came: too
	# slow, or not given its CPU); else the reply counter if replies the
	# XDP responder sent never reached it; else the generator.
	jq --slurpfile d "$f.drops" '. + {counters: $d[0]}
		| .loss_pct = (if .sent > 0 then 100 * (1 - .replies / .sent) else 0 end)
		| .responder_cpu_pct = (.tasks.b_napi.cpu_pct + .tasks.responder.cpu_pct)
		| .prober_cpu_pct = (.tasks.generator.cpu_pct + .tasks.a_napi.cpu_pct)
		| .responder_ns_per_reply = (if .replies > 0 then (.tasks.b_napi.cpu_ms + .tasks.responder.cpu_ms) * 1e6 / .replies else null end)
		| .replies_per_responder_cpu_s = (if .responder_ns_per_reply then 1e9 / .responder_ns_per_reply else null end)
		| .generator_pps_per_cpu_s = (if .tasks.generator.cpu_ms > 0 then .sent * 1000 / .tasks.generator.cpu_ms else null end)
		| .return_lost_pct = (if (.xdp_answered // 0) > 0 then 100 * (1 - .replies / .xdp_answered) else null end)
		| .round = '"$round"'
		| .limit = (if .offered_pps == 0 then
				(if .responder_cpu_pct >= 90 or (.xmit_dropped // 0) >= 0.02 * .sent then "responder"
				 elif (.return_lost_pct // 0) >= 2 then "reply counter"
				 else "generator" end)
			elif .loss_pct >= 2 then "replies lost"
			elif .sent_pps < 0.9 * .offered_pps then "generator"
			else "kept up" end)' \
		"$f.gen" >"$out"
}

# One responder: as fast as the generator can (DURATION), then paced runs
# (SWEEP_WINDOW) from SWEEP_START pps up by SWEEP_STEP while it answers
# more: the sweep ends after two points in a row that did not bring 5%
# more replies/s than the best before them (one such point may be other
# work on the machine taking the responder's CPU, its 256-frame ring then
# overflowing at any rate). A userspace responder answers less under
# overload than at the right load (receive livelock), so its best point is
# taken, not only the flooded one. Writes {flood, sweep} for this round.
measure_responder() { # label out.json responder_pid [pktgen args...]
	local label=$1 out=$2 resp=$3 rate i points=() best=0 misses=0
	shift 3
	label=$label.r$round
	run_point "$label" 0 "$DURATION" "$work/$label.flood" "$resp" "$@"
	rate=$SWEEP_START
	for i in $(seq "$SWEEP_MAX_POINTS"); do
		run_point "$label@$rate" "$rate" "$SWEEP_WINDOW" "$work/$label.$i" "$resp" "$@"
		points+=("$work/$label.$i")
		if jq -e --argjson best "$best" '.replies_pps > 1.05 * $best' \
			"$work/$label.$i" >/dev/null; then
			best=$(jq '.replies_pps' "$work/$label.$i")
			misses=0
		else
			misses=$((misses + 1))
			[ "$misses" -lt 2 ] || break
		fi
		rate=$(awk -v r="$rate" -v s="$SWEEP_STEP" 'BEGIN { printf "%d", r * s }')
	done
	jq -s '{flood: .[0], sweep: .[1:]}' "$work/$label.flood" "${points[@]}" >"$out"
}

# Does this kernel let pktgen send live frames (BPF_PROG_TEST_RUN with
# BPF_F_TEST_XDP_LIVE_FRAMES)? A 6.18 VM build here refused them (EPERM)
# where an earlier one did not. A tenth of a second of probes to B, with
# nothing there to answer.
live_frames_ok() {
	timeout --kill-after=5 20 ip netns exec "$ns_a" "$BUILD/bench/pktgen" --mode live \
		--src "$ip_a" --dst "$ip_b" --ifname "$if_a" --dst-mac "$mac_b" \
		--warmup 0 --duration 0.1 --rate 0 --cpu "$GEN_CPU" --label live-check \
		--counter cheap --park "$if_park" --batch "$GEN_PACED_BATCH" \
		--json "$work/live-check.json" >"$work/live-check.err" 2>&1
}

# All rounds of one responder: every point kept; flood (most replies/s
# of the floods), best (of all points) and best_lossfree (of the paced
# points that lost under 2%) over all rounds.
merge_rounds() { # out.json round.json...
	local out=$1
	shift
	jq -s '{floods: [.[].flood], sweep: [.[].sweep[]]}
		| .flood = (.floods | max_by(.replies_pps))
		| .best = (.floods + .sweep | max_by(.replies_pps))
		| .best_lossfree = ([.sweep[] | select(.loss_pct < 2)] | max_by(.replies_pps))' \
		"$@" >"$out"
}

section_dataplane() {
	local paths=$work/paths.json pid_a pid_b json md commit
	need_bins xdp_paths xdp_node udp_echo pktgen
	[ -e "$BUILD/bench/xdp_turn.bpf.o" ] || die "$BUILD/bench/xdp_turn.bpf.o is not built: run make bench"
	commit=${XHB_BENCH_COMMIT:-$(git describe --always --dirty 2>/dev/null || echo unknown)}
	json=$RESULTS/dataplane-$DATE-$commit.json
	md=$RESULTS/dataplane-$DATE-$commit.md
	mkdir -p "$RESULTS"

	log "XDP paths through BPF_PROG_TEST_RUN (CPU $RESP_CPU)"
	"$BUILD/bench/xdp_paths" --cpu "$RESP_CPU" --rounds "$PATH_ROUNDS" --json "$paths" >&2

	log "responders on a veth pair: generator on CPU $GEN_CPU, responder on CPU $RESP_CPU"
	netns_up
	gen_note=""
	if [ "$PKTGEN_MODE" = live ] && ! live_frames_ok; then
		gen_note="live frames refused by this kernel ($(tail -n 1 "$work/live-check.err")): the generator sent through AF_PACKET (pktgen --mode packet) instead"
		log "$gen_note"
		PKTGEN_MODE=packet
	fi
	# The prober's XDP counts what comes back, for every responder:
	# xhb's program here, or pktgen's own counter (--counter cheap).
	if [ "$COUNTER" = xhb ]; then
		spawn "$ns_a" "$BUILD/bench/xdp_node" --ifname "$if_a" --pin-dir "$run_dir/a" \
			--self 2000 --peer 1000 --ready "$work/a.ready" --max-seconds 900 \
			--json "$work/node_a.json"
		pid_a=${pids[-1]}
		wait_file "$work/a.ready" "$pid_a" "the prober's xdp_node"
	fi

	for round in $(seq "$ROUNDS"); do
		log "round $round of $ROUNDS"
		# (a) XDP responder: xhb's program on B's veth, nothing in
		# userspace.
		spawn "$ns_b" "$BUILD/bench/xdp_node" --ifname "$if_b" \
			--pin-dir "$run_dir/b" --self 1000 --peer 2000 \
			--ready "$work/b.r$round.ready" --max-seconds 300 \
			--json "$work/node_b.r$round.json"
		pid_b=${pids[-1]}
		wait_file "$work/b.r$round.ready" "$pid_b" "the responder's xdp_node"
		measure_responder xdp "$work/xdp.r$round.json" "$pid_b" --b-pins "$run_dir/b"
		stop_pid "$pid_b"

		# (b) the floor: the probe turned around by a program that
		# does nothing else (bench/xdp_turn.bpf.c), XDP_TX like (a);
		# its process is a sleep, as xdp_node's only sleeps.
		ip -n "$ns_b" link set dev "$if_b" xdpdrv obj "$BUILD/bench/xdp_turn.bpf.o" sec xdp
		spawn "$ns_b" sleep 300
		pid_b=${pids[-1]}
		measure_responder floor "$work/floor.r$round.json" "$pid_b"
		stop_pid "$pid_b"
		ip -n "$ns_b" link set dev "$if_b" xdpdrv off

		# (c) userspace echo on B (no XDP there), pinned to the
		# responder CPU; (d) userspace verifying and signing a reply.
		for mode in echo reply; do
			spawn "$ns_b" nice -n "$NICE" "$BUILD/bench/udp_echo" --bind "$ip_b" --mode "$mode" \
				--cpu "$RESP_CPU" --ready "$work/$mode.r$round.ready" \
				--max-seconds 300 --json "$work/$mode.r$round.self.json"
			pid_b=${pids[-1]}
			wait_file "$work/$mode.r$round.ready" "$pid_b" "udp_echo --mode $mode"
			measure_responder "$mode" "$work/$mode.r$round.json" "$pid_b"
			stop_pid "$pid_b"
		done
	done
	merge_rounds "$work/xdp.json" "$work"/xdp.r*[0-9].json
	merge_rounds "$work/floor.json" "$work"/floor.r*[0-9].json
	for mode in echo reply; do
		merge_rounds "$work/$mode.merged" "$work/$mode".r*[0-9].json
		jq --slurpfile s <(cat "$work/$mode".r*.self.json) '. + {responder_totals: $s}' \
			"$work/$mode.merged" >"$work/$mode.json"
	done
	[ -z "${pid_a:-}" ] || stop_pid "$pid_a"

	jq -n --slurpfile paths "$paths" --slurpfile xdp "$work/xdp.json" \
		--slurpfile floor "$work/floor.json" \
		--slurpfile echo "$work/echo.json" --slurpfile reply "$work/reply.json" \
		--arg date "$DATE" --arg kernel "$(uname -r)" \
		--arg cpu_model "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
		--argjson ncpu "$(nproc)" --arg jit "$(cat /proc/sys/net/core/bpf_jit_enable)" \
		--arg load "$load_before" \
		--arg commit "$commit" --arg counter "$COUNTER" --arg nice "$NICE" \
		--argjson flood_batch "$GEN_FLOOD_BATCH" --argjson paced_batch "$GEN_PACED_BATCH" \
		--argjson gen_cpu "$GEN_CPU" --argjson resp_cpu "$RESP_CPU" \
		--argjson duration "$DURATION" --argjson warmup "$WARMUP" \
		--argjson rounds "$ROUNDS" \
		--argjson sweep_window "$SWEEP_WINDOW" --argjson sweep_step "$SWEEP_STEP" \
		--arg generator "$PKTGEN_MODE" --arg generator_note "$gen_note" --arg probes "$PROBES" \
		'{date: $date, commit: $commit,
		  machine: {kernel: $kernel, cpu_model: $cpu_model, cpus: $ncpu,
		            bpf_jit_enable: ($jit | tonumber), loadavg_before: $load},
		  xdp_paths: $paths[0],
		  responders: {setup: {generator: $generator, generator_note: $generator_note, counter: $counter, probes: $probes,
		                       flood_batch: $flood_batch, paced_batch: $paced_batch,
		                       generator_cpu: $gen_cpu, nice: ($nice | tonumber),
		                       responder_cpu: $resp_cpu, warmup_s: $warmup,
		                       flood_window_s: $duration, sweep_window_s: $sweep_window,
		                       sweep_step: $sweep_step},
		               rounds: $rounds,
		               xdp: $xdp[0], xdp_floor: $floor[0],
		               userspace_echo: $echo[0], userspace_reply: $reply[0]}}
		 | def kept($x; $rate): [$x.sweep[] | select(.offered_pps == $rate and .limit == "kept up")] | min_by(.responder_ns_per_reply);
		   def kept_rates($x): [$x.sweep[] | select(.limit == "kept up") | .offered_pps];
		   # The most replies one responder CPU-second gave, over every
		   # point (a flooded userspace responder wastes CPU on probes
		   # it drops: its best is at the load it handles best).
		   def per_cpu_s($x): [$x.floods[], $x.sweep[] | select(.replies_per_responder_cpu_s != null)] | max_by(.replies_per_responder_cpu_s);
		   .responders |= (.xdp.best_per_cpu_s = per_cpu_s(.xdp)
		     | .xdp_floor.best_per_cpu_s = per_cpu_s(.xdp_floor)
		     | .userspace_echo.best_per_cpu_s = per_cpu_s(.userspace_echo)
		     | .userspace_reply.best_per_cpu_s = per_cpu_s(.userspace_reply)
		     # The generator: the most it sent in a flood, and what it
		     # sends per CPU-second of its own, against the XDP responder.
		     | .generator = ([.xdp.floods[], .xdp_floor.floods[], .userspace_echo.floods[], .userspace_reply.floods[]] as $f
		         | {flood_sent_pps_max: ($f | map(.sent_pps) | max),
		            pps_per_cpu_s: ($f | map(.generator_pps_per_cpu_s) | max)}))
		 | .responders as $r
		 # CPU per reply falls as the rate rises (more frames per NAPI
		 # poll, per syscall): compare at one rate both kept up with.
		 | ([kept_rates($r.xdp)[] as $x | kept_rates($r.userspace_echo)[] | select(. == $x)] | max) as $rate
		 | .targets = {
		     probe_answer_ns_max: 100,
		     # the wire of the fast path (compact probes), the full one beside it
		     probe_answer_ns: (.xdp_paths.paths[] | select(.path == "probe answer (compact)") | .net_ns_per_packet),
		     probe_answer_full_ns: (.xdp_paths.paths[] | select(.path == "probe answer") | .net_ns_per_packet),
		     # What any signed answer pays on this machine, timed the
		     # same way (bench/answer_floor.bpf.c): the two tags (their
		     # row holds the cost of the empty program too) and one clock read
		     # over the empty program.
		     answer_floor_ns: ((.xdp_paths.paths[] | select(.path == "answer floor: the two tags (compact probe)") | .net_ns_per_packet)
		       + (.xdp_paths.paths[] | select(.path == "answer floor: one clock read") | .net_ns_per_packet)
		       - (.xdp_paths.paths[] | select(.path == "empty XDP program (floor)") | .ns_per_packet)),
		     # a frame not ours on a node holding VIPs, over an empty
		     # XDP program, the same frame, the same way
		     non_cluster_over_empty_ns_max: 2,
		     non_cluster_over_empty_ns: ((.xdp_paths.paths[] | select(.path == "non-cluster pass (TCP), holding") | .ns_per_packet)
		       - (.xdp_paths.paths[] | select(.path == "empty XDP program (floor)") | .ns_per_packet)),
		     pps_ratio_min: 10,
		     pps_ratio: ($r.xdp.best.replies_pps / $r.userspace_echo.best.replies_pps),
		     xdp_replies_per_cpu_s: $r.xdp.best_per_cpu_s.replies_per_responder_cpu_s,
		     echo_replies_per_cpu_s: $r.userspace_echo.best_per_cpu_s.replies_per_responder_cpu_s,
		     reply_replies_per_cpu_s: $r.userspace_reply.best_per_cpu_s.replies_per_responder_cpu_s,
		     floor_replies_per_cpu_s: $r.xdp_floor.best_per_cpu_s.replies_per_responder_cpu_s,
		     cpu_s_ratio: ($r.xdp.best_per_cpu_s.replies_per_responder_cpu_s / $r.userspace_echo.best_per_cpu_s.replies_per_responder_cpu_s),
		     # The most any XDP responder could reach on this link: the
		     # frame turned around and nothing else, against the echo.
		     floor_cpu_s_ratio: ($r.xdp_floor.best_per_cpu_s.replies_per_responder_cpu_s / $r.userspace_echo.best_per_cpu_s.replies_per_responder_cpu_s),
		     generator_headroom_sent: ($r.generator.flood_sent_pps_max / $r.xdp.best.replies_pps),
		     generator_headroom_cpu_s: ($r.generator.pps_per_cpu_s / $r.xdp.best_per_cpu_s.replies_per_responder_cpu_s),
		     cpu_compare_pps: $rate,
		     xdp_ns_per_reply: (if $rate then kept($r.xdp; $rate).responder_ns_per_reply else null end),
		     echo_ns_per_reply: (if $rate then kept($r.userspace_echo; $rate).responder_ns_per_reply else null end),
		     reply_ns_per_reply: (if $rate then kept($r.userspace_reply; $rate).responder_ns_per_reply else null end)}
		 | .targets.cpu_per_reply_ratio = (if .targets.xdp_ns_per_reply then .targets.echo_ns_per_reply / .targets.xdp_ns_per_reply else null end)
		 | .targets.probe_answer_met = (.targets.probe_answer_ns <= .targets.probe_answer_ns_max)
		 | .targets.answer_over_floor = (.targets.probe_answer_ns / .targets.answer_floor_ns)
		 | .targets.non_cluster_met = (.targets.non_cluster_over_empty_ns <= .targets.non_cluster_over_empty_ns_max)
		 # The ratio that carries over to a NIC: replies per responder
		 # CPU-second (the pps ratio of two saturated responder CPUs).
		 | .targets.pps_ratio_met = (.targets.cpu_s_ratio >= .targets.pps_ratio_min)' >"$json"
	dataplane_markdown "$json" >"$md"
	cat "$md"
	log "wrote $json and $md"
}

# The figures of one dataplane JSON as Markdown. The explanations are
# filled from the same numbers, so they cannot drift from them.
dataplane_markdown() {
	jq -r -f /dev/stdin "$1" <<'JQ'
def r1: if . == null then "-" else . * 10 | round / 10 end;
def r0: if . == null then "-" else round end;
def kpps: if . == null then "-" else "\(. / 1000 | round)k" end;
def ns: if . == null then "-" else "\(round)" end;
def pct: if . == null then "-" elif (if . < 0 then -. else . end) < 0.05 then "0" else "\(r1)" end;
def offered: if . == 0 then "flood" else kpps end;
def path($p): .xdp_paths.paths[] | select(.path == $p);
def row($name): "| \($name) | \(.round) | \(.offered_pps | offered) | \(.sent_pps | kpps) | \(.xmit_dropped // "-") | \(.replies_pps | kpps) | \(.loss_pct | pct) | \(.limit) | \(.responder_cpu_pct | pct) | \(.responder_ns_per_reply | ns) | \(.replies_per_responder_cpu_s | kpps) | \(.prober_cpu_pct | pct) |";
.responders as $r
| $r.setup as $s
| ([path("answer floor: the two tags (compact probe)")] | first) as $tags
| ([path("answer floor: one clock read")] | first) as $clock
| (path("empty XDP program (floor)")) as $empty
| first(path("non-cluster pass (TCP)") | select(.method == "repeat")) as $pass
| (path("to a VIP (TCP), holding")) as $tovip
| (path("non-cluster pass (TCP), holding")) as $passheld
| (path("non-cluster pass (TCP, 802.1Q), holding")) as $tagged
| (path("non-cluster pass (TCP over IPv6), holding")) as $tcp6
| (path("to a staged VIP (TCP): fenced")) as $tostaged
| .targets as $t
| "# Data-plane benchmark, \(.date)",
  "",
  "Commit \(.commit); kernel \(.machine.kernel); \(.machine.cpus) × \(.machine.cpu_model); BPF JIT \(.machine.bpf_jit_enable); load average before the run \(.machine.loadavg_before). Produced by `make bench` (`bench/run.sh dataplane`); every figure below is in the JSON file of the same name.",
  "",
  "## XDP paths (BPF_PROG_TEST_RUN, pinned to CPU \($s.responder_cpu))",
  "",
  "| path | method | packets | verdict | ns/packet | net ns/packet |",
  "| --- | --- | ---: | --- | ---: | ---: |",
  (.xdp_paths.paths[] | "| \(.path) | \(.method) | \(.packets) | \(.verdict) | \(.ns_per_packet | r1) | \(if .method == "distinct" then (.net_ns_per_packet | r1) else "" end) |"),
  "",
  "- Every row was run in \(.xdp_paths.rounds // 1) rounds, the whole table in turn each time, and keeps its best round: a burst of other work on this shared machine slows a round, not every figure of a row.",
  "- *repeat*: one frame run \(.xdp_paths.repeat) times in one syscall, the syscall's wall time over the runs (a fraction of a ns; its own entry and copies are < 0.05 ns a run; the kernel's mean would be whole ns; both programs are parked on a veth of xdp_paths' own network namespace, so the kernel's XDP dispatcher holds them and no call rewrites it), the best of 20 syscalls a round. Used only where every run does the same work. The first row is an empty XDP program (`bpf/xdp_pass.bpf.c`) on the TCP frame: the floor. The rows *holding* run with this node holding a group and its VIP, lease alive, as every row after them; the rows *staging* with another VIP staged as well (`fenced_standby`).",
  "- *distinct*: \(.xdp_paths.frames) frames a round with increasing sequence numbers, each run once (`repeat` = 1), the kernel's duration of each run summed. A probe or heartbeat repeated is a replay after the first run (and a probe is rewritten in place into our own reply, which then lands in drop_self), so `repeat` cannot time the accept paths. *net* subtracts the fixed per-call cost of this method (\(.xdp_paths.distinct_overhead_ns | r1) ns: the TCP pass path timed both ways; mostly one clock read).",
  "- Every row checked that its own stats counter grew by exactly its packet count and the verdict is the one expected.",
  "",
  "## Responders on one veth pair",
  "",
  (if $s.generator == "live" then
  "Generator: `pktgen --mode live` on CPU \($s.generator_cpu). pktgen prepares signed \($s.probes // "full") probes with increasing seq (user/wire.c, the agent's own code) in an mmapped BPF array, then one BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES runs `bench/live_gen.bpf.c` once per frame on the prober's veth: each run copies one prepared frame and returns XDP_TX, which the kernel transmits through the veth's ndo_xdp_xmit in bulks of 64, as a NIC driver's XDP_TX. No socket, no skb, no syscall per probe. A flood sends \($s.flood_batch) frames a call, a paced run \($s.paced_batch) (within the responder's 256-frame veth ring, so a burst is not a loss). The probes reach the responder as XDP frames, as from a NIC's receive ring: the XDP responder answers them in place, a userspace responder gets them as skbs built around the same pages. A probe the responder's ring has no room for is dropped by the prober's veth (`xmit_dropped`, its own `xdp_xmit_errors` counter), costing the responder nothing."
  else
  "Generator: `pktgen --mode \($s.generator)` on CPU \($s.generator_cpu), signed \($s.probes // "full") probes with increasing seq (user/wire.c), \(if $s.generator == "packet" then "sent with sendmmsg on an AF_PACKET socket (PACKET_QDISC_BYPASS): each probe an skb through the prober's veth" else "sent with sendmmsg on a UDP socket" end).\(if ($s.generator_note // "") != "" then " Not `--mode live`: \($s.generator_note)." else "" end)"
  end),
  "",
  (if $s.counter == "cheap" then
  "Replies are counted on the prober's veth by `live_count` (bench/live_gen.bpf.c), which pktgen attaches there: a reply is a PROBE_REPLY from the responder to the prober, an echo is our own PROBE (what the echo responder returns), told apart by type and ids; it verifies no tag (xhb's program, `XHB_BENCH_COUNTER=xhb`, verifies every reply with a SipHash and costs the prober's CPU about as much per reply as the XDP responder's CPU: the prober, not the responder, would then be the limit). That veth's NAPI thread runs real-time on CPU \($s.generator_cpu), so the counting never loses to the generator."
  else
  "Replies are counted by xhb's XDP program on the prober's veth (verified, `reply_accepted`; an echoed probe lands in `drop_self`); that veth's NAPI thread runs real-time on CPU \($s.generator_cpu) so the counting never loses to the generator."
  end),
  "",
  "Responder on CPU \($s.responder_cpu): its veth's receive NAPI runs as a thread pinned there, and the userspace responder is pinned there too. The generator, the responder's NAPI thread and the userspace responder run at nice \($s.nice): the live generator has no back-pressure, so a responder thread kept off its CPU for a millisecond by other work on this shared machine would find its 256-frame ring overflowed at any rate (a NIC's softirq comes before every task too).",
  "",
  "*Responder CPU* is the on-CPU time of that NAPI thread plus the responder process (`/proc/PID/schedstat`), so other work on the machine does not count; *ns/reply* is that time per reply that reached the prober, and *replies per responder CPU-second* its inverse: what one responder CPU would answer if it did nothing else, the figure that carries over to a NIC. *Prober CPU* is the generator plus the prober's NAPI thread. 100% = one CPU. *Limit* of a flood: `responder` = the responder's CPU was busy (>= 90%) or more than 2% of the probes found its ring full; `reply counter` = more than 2% of the XDP responder's replies never reached the prober's counter; `generator` = neither. Of a paced run: `replies lost` = more than 2% of the probes got no reply (the counters in the JSON say where); `generator` = it sent less than 90% of the pace; `kept up` = paced, all answered. Loss can come out slightly negative: replies to probes sent just before a window are counted in it.",
  "",
  "Each responder: one flood (as fast as the generator sends, \($s.flood_window_s) s after \($s.warmup_s) s warm-up), then paced runs (\($s.sweep_window_s) s each) from \($r.xdp.sweep[0].offered_pps | kpps)/s up by ×\($s.sweep_step) until two points in a row bring no 5% more replies/s than the best before them. \($r.rounds) rounds, the responders interleaved (XDP, floor, echo, verify+reply, XDP, ...); other work on the machine only lowers a pps figure, so figures are the best over all rounds: *best* is the point with the most replies/s, *flood* the best flood, *per CPU-s* the point with the most replies per responder CPU-second.",
  "",
  "| responder | replies per responder CPU-s (best) | at replies/s | best replies/s | at offered | limit there | responder CPU % there | highest loss-free replies/s | responder ns/reply there | flood replies/s | flood sent/s | flood limit |",
  "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
  ([["XDP (xhb, XDP_TX)", $r.xdp], ["XDP floor (turned around, no work; XDP_TX)", $r.xdp_floor], ["userspace echo (recvmmsg/sendmmsg)", $r.userspace_echo], ["userspace verify + signed reply", $r.userspace_reply]][]
   | .[1] as $x | "| \(.[0]) | **\($x.best_per_cpu_s.replies_per_responder_cpu_s | kpps)** | \($x.best_per_cpu_s.replies_pps | kpps) | \($x.best.replies_pps | kpps) | \($x.best.offered_pps | offered) | \($x.best.limit) | \($x.best.responder_cpu_pct | pct) | \($x.best_lossfree.replies_pps | kpps) | \($x.best_lossfree.responder_ns_per_reply | ns) | \($x.flood.replies_pps | kpps) | \($x.flood.sent_pps | kpps) | \($x.flood.limit) |"),
  "",
  "- **Replies per responder CPU-second, XDP / userspace echo: \($t.cpu_s_ratio | r1)×** (\($t.xdp_replies_per_cpu_s | kpps) against \($t.echo_replies_per_cpu_s | kpps); XDP against userspace verify + signed reply: \(($t.xdp_replies_per_cpu_s / $t.reply_replies_per_cpu_s) | r1)×). This is the pps ratio two saturated responder CPUs would give.",
  "- **The floor**: `bench/xdp_turn.bpf.c` on the responder's veth swaps the probe's addresses and ports and returns XDP_TX, nothing verified or signed: \($t.floor_replies_per_cpu_s | kpps) replies per responder CPU-second, \(1e9 / $t.floor_replies_per_cpu_s | r0) ns a reply, all of it veth's (its NAPI taking the frame, running a program, the XDP_TX bulk into the prober's ring, returning the page). No XDP responder answers more on this link: floor / userspace echo is **\($t.floor_cpu_s_ratio | r1)×**, the most the XDP / echo ratio can reach here; xhb's responder gives \(100 * $t.xdp_replies_per_cpu_s / $t.floor_replies_per_cpu_s | r0)% of the floor's replies per CPU-second.",
  "- Best replies/s on this shared machine, XDP / userspace echo: \($t.pps_ratio | r1)× (flood against flood: \(($r.xdp.flood.replies_pps / $r.userspace_echo.flood.replies_pps) | r1)×; XDP against userspace verify + signed reply: \(($r.xdp.best.replies_pps / $r.userspace_reply.best.replies_pps) | r1)×). Lower than the per-CPU-second ratio when the XDP responder's CPU was not all its own (its CPU % above).",
  "- Generator headroom: it sent up to \($r.generator.flood_sent_pps_max | kpps)/s in a flood, \($t.generator_headroom_sent | r1)× the XDP responder's best replies/s; it sends \($r.generator.pps_per_cpu_s | kpps) probes per CPU-second of its own, \($t.generator_headroom_cpu_s | r1)× what one XDP responder CPU-second answers.",
  "- Responder CPU per reply at \($t.cpu_compare_pps | kpps)/s, the highest offered rate both XDP and the echo kept up with (best round): XDP \($t.xdp_ns_per_reply | ns) ns, echo \($t.echo_ns_per_reply | ns) ns, verify + signed reply \($t.reply_ns_per_reply | ns) ns; echo / XDP \($t.cpu_per_reply_ratio | r1)×. (Per-reply cost falls as the rate rises, more frames per NAPI poll and per syscall.)",
  "- XDP flood: the responder's XDP answered \($r.xdp.flood.xdp_answered_pps | kpps)/s of the \($r.xdp.flood.sent_pps | kpps)/s sent (\($r.xdp.flood.xmit_dropped // 0) probes found its ring full), and \($r.xdp.flood.replies_pps | kpps)/s reached the prober's counter.",
  "",
  "### Every point",
  "",
  "| responder | round | offered/s | sent/s | ring full | replies/s | loss % | limit | responder CPU % | ns/reply | replies per CPU-s | prober CPU % |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
  ([["XDP", $r.xdp], ["floor", $r.xdp_floor], ["echo", $r.userspace_echo], ["verify+reply", $r.userspace_reply]][]
   | .[0] as $n | (.[1].floods + .[1].sweep | sort_by(.round))[] | row($n)),
  "",
  "## Targets",
  "",
  "| target | wanted | measured | met |",
  "| --- | --- | --- | --- |",
  "| probe answer (compact probe) | <= \($t.probe_answer_ns_max) ns/packet | \($t.probe_answer_ns | r1) ns (net; a full probe \($t.probe_answer_full_ns | r1)); the floor of any signed answer here \($t.answer_floor_ns | r1) ns, \($t.answer_over_floor | r1)× it | \(if $t.probe_answer_met then "yes" else "**no**" end) |",
  "| a frame not ours, node holding VIPs, not to a VIP | <= \($t.non_cluster_over_empty_ns_max) ns over the empty program | \($t.non_cluster_over_empty_ns | r1) ns over (\($empty.ns_per_packet | r0) ns) | \(if $t.non_cluster_met then "yes" else "**no**" end) |",
  "| XDP responder vs userspace echo | >= \($t.pps_ratio_min)× replies per responder CPU-second | \($t.cpu_s_ratio | r1)× per CPU-second (the floor, no program work: \($t.floor_cpu_s_ratio | r1)×); \($t.pps_ratio | r1)× best replies/s | \(if $t.pps_ratio_met then "yes" else "**no**" end) |",
  "",
  "**A frame that is not ours**, untagged IPv4 without options or fragmenting, to none of this node's VIPs, is passed before the parse (`xhb_plainly_not_ours()`): its EtherType, IP version and header length, fragment bits, one word of the VIP filter (`vip_filter`: a bit per last address byte of the VIPs held and staged here), its protocol and, for UDP, its port, at fixed offsets; then its per-CPU counter: \($pass.ns_per_packet - $empty.ns_per_packet | r1) ns over the empty program holding nothing, \($passheld.ns_per_packet - $empty.ns_per_packet | r1) ns holding VIPs (no read of this node's state or the clock: the filters say the frame is to none of them). A tagged frame or IPv6 takes the whole parse, through a cursor (\($tagged.ns_per_packet - $empty.ns_per_packet | r1) and \($tcp6.ns_per_packet - $empty.ns_per_packet | r1) ns over, the rows *802.1Q* and *IPv6*). A frame that may be to a VIP is parsed whole too; to a held VIP it pays the lease's clock read (\($tovip.ns_per_packet - $empty.ns_per_packet | r1) ns over the empty program): the fence must know, for each such frame, whether the lease has lapsed, and BPF has no clock cheaper than `bpf_ktime_get_boot_ns()` that cannot lag (jiffies and the coarse clock stop with the tick; a timer that sets a flag can fire late on a stalled CPU while another CPU still answers). A frame to a VIP staged here (`fenced_standby`) is dropped after one `xhb_vips` lookup, no clock read (\($tostaged.ns_per_packet - $empty.ns_per_packet | r1) ns over the empty program).",
  "",
  (if $t.probe_answer_met then empty else
  "**Why probe answer misses \($t.probe_answer_ns_max) ns.** Its floor on this machine, timed as the answer is (one frame a run) by `bench/answer_floor.bpf.c`, is \($t.answer_floor_ns | r1) ns: the two SipHash-2-4 tags of a compact probe's answer with nothing else (\($tags.net_ns_per_packet | r1) ns net, the empty program's \($empty.ns_per_packet | r1) included: a compact probe's tag over 6 words and the reply's over 10, each past the first four words kept per CPU (`bpf/xhb_tag.h`), 10 and 18 SipRounds of 32 BPF instructions, the JIT having no rotate), and the one clock read an answer needs (\($clock.net_ns_per_packet - $empty.ns_per_packet | r1) ns over the empty program: the reply's age and lease, and when the peer last probed us; BPF has no cheaper clock that cannot lag). The answer is \($t.answer_over_floor | r1)× that floor; the rest is the peer's hash lookup and spin lock, its replay window and record, building the reply and rewriting the frame (the IPv4 header's checksum updated; an IPv4 reply carries no UDP checksum, RFC 768's 0, its payload covered by the tag). \($t.probe_answer_ns_max) ns is under the floor here: it would need a MAC several times cheaper than SipHash-2-4 in BPF and no clock read, both trading safety for speed.\n" end),
  (if $t.pps_ratio_met then empty else
  "**Why the XDP responder is not \($t.pps_ratio_min)× the userspace one here.**\n",
  "1. The generator is not what limits it: it sent up to \($r.generator.flood_sent_pps_max | kpps)/s (\($t.generator_headroom_sent | r1)× XDP's best replies/s), at \($r.generator.pps_per_cpu_s | kpps) probes per CPU-second. XDP's best (\($r.xdp.best.replies_pps | kpps)/s) was limited by: \($r.xdp.best.limit) (responder CPU \($r.xdp.best.responder_cpu_pct | r0)%, prober CPU \($r.xdp.best.prober_cpu_pct | r0)%). The echo's best (\($r.userspace_echo.best.replies_pps | kpps)/s) by: \($r.userspace_echo.best.limit) (responder CPU \($r.userspace_echo.best.responder_cpu_pct | r0)%). On this shared machine the responder's CPU is not all its own, so the ratio that holds is per responder CPU-second: \($t.cpu_s_ratio | r1)×.",
  "2. What one reply costs the responder CPU, at its best: XDP \(1e9 / $t.xdp_replies_per_cpu_s | r0) ns, echo \(1e9 / $t.echo_replies_per_cpu_s | r0) ns. \($t.pps_ratio_min)× the echo needs the XDP responder at \(1e9 / $t.echo_replies_per_cpu_s / $t.pps_ratio_min | r0) ns per reply, all included. \(if 1e9 / $t.floor_replies_per_cpu_s > 1e9 / $t.echo_replies_per_cpu_s / $t.pps_ratio_min then "The floor alone, a program doing nothing, costs \(1e9 / $t.floor_replies_per_cpu_s | r0) ns a reply on this veth pair: no program reaches \($t.pps_ratio_min)× here, whatever its cost; " else "The floor, a program doing nothing, costs \(1e9 / $t.floor_replies_per_cpu_s | r0) ns a reply: \($t.pps_ratio_min)× is within reach of a program costing under \(1e9 / $t.echo_replies_per_cpu_s / $t.pps_ratio_min - 1e9 / $t.floor_replies_per_cpu_s | r0) ns; " end)xhb's program costs \($t.probe_answer_ns | r0) ns (the path table: two SipHashes), see *probe answer* above.",
  "3. Of the XDP responder's \(1e9 / $t.xdp_replies_per_cpu_s | r0) ns per reply, veth's share is the floor's \(1e9 / $t.floor_replies_per_cpu_s | r0) ns (its NAPI taking the frame from the ring and running a program, the XDP_TX bulk into the prober's ring and the wake-up of its NAPI, returning the page), measured, not inferred; what xhb's program adds on this path is the difference, ~\(1e9 / $t.xdp_replies_per_cpu_s - 1e9 / $t.floor_replies_per_cpu_s | r0) ns between the two best points (each point moves by ~100 ns between runs here; the *Every point* table). \(if $s.generator == "live" then "The probes arrive as XDP frames here, as from a NIC: no skb, no copy." else "The probes arrive here as skbs (the generator's AF_PACKET socket), which veth turns into XDP frames, copying each into a page with XDP's headroom: the XDP rows and the floor pay it, a NIC would not." end) A userspace responder pays for an skb per probe, the IP/UDP stack, the socket, two syscalls per batch and an skb per reply through veth_xmit, \(1e9 / $t.echo_replies_per_cpu_s | r0) ns in all.",
  "4. \(if $r.userspace_echo.flood.replies_pps < 0.9 * $r.userspace_echo.best.replies_pps then "Flooded, the echo answers less (\($r.userspace_echo.flood.replies_pps | kpps)/s, \($r.userspace_echo.flood.loss_pct | r0)% lost) than at its best load: receive livelock, its NAPI thread filling a socket the process cannot drain (`b_udp_RcvbufErrors`); XDP has no such collapse (flooded, it answers every probe its ring takes: the rest are dropped before costing it anything)." else "Flooded, the echo answered \($r.userspace_echo.flood.replies_pps | kpps)/s with \($r.userspace_echo.flood.loss_pct | r0)% lost, XDP \($r.xdp.flood.replies_pps | kpps)/s with \($r.xdp.flood.loss_pct | pct)% lost." end)",
  "5. On a NIC with native XDP the XDP responder's path is this one minus veth's ring hand-offs (the driver's own ring, its own XDP_TX queue), while a userspace responder keeps the skb, the socket and the syscalls; the per-CPU-second ratio here is the closest this machine gets to it. Measuring it needs two hosts or a NIC loopback.\n" end),
  "## Caveats",
  "",
  "- A shared \(.machine.cpus)-CPU VM: other work ran during the run (load average \(.machine.loadavg_before) before it); pps figures move by tens of percent between runs, the per-CPU-second figures much less.",
  "- veth, not a NIC: see (3) and (5) above.",
  "- The distinct method's *net* figures assume the per-call overhead measured on the pass path is the same on every path.",
  "- The userspace echo verifies nothing; the *verify + signed reply* row is the closer userspace equivalent: it verifies the tag and builds and signs the same reply as the XDP program, but keeps no replay window and no peer record, so it still does less than XDP.",
  (if $s.counter == "cheap" then "- The reply counter checks type and ids, not tags: that every reply is validly signed is checked by xdp_paths (the path table) and selftests, not here. With `XHB_BENCH_COUNTER=xhb` every reply is verified, at more prober CPU per reply." else empty end),
  "- The prober's replies come back as XDP frames from the XDP responder but as skbs from a userspace one, which the prober's veth must copy for XDP: the prober CPU per reply is higher in the userspace runs."
JQ
}

# The demo's failover 20 times: median client-visible outage (issue 3).
section_demo() {
	bench/demo_outage.sh "${XHB_BENCH_DEMO_RUNS:-50}"
}

# xhb, Heartbeat and keepalived side by side on one lab (issue 4);
# XHB_BENCH_FAILOVER_ARGS passes options (e.g. --quick).
section_failover() {
	# shellcheck disable=SC2086
	bench/failover.sh ${XHB_BENCH_FAILOVER_ARGS:-}
}

# The web server crashes on the VIP's holder (issue 12): client outage
# with xhb's service check, keepalived's vrrp_script, Heartbeat (none);
# XHB_BENCH_SERVICE_CRASH_ARGS passes options (e.g. --quick).
section_service_crash() {
	# shellcheck disable=SC2086
	bench/service_crash.sh ${XHB_BENCH_SERVICE_CRASH_ARGS:-}
}

# What one decision costs the agent's loop (issue 13): xhb_decide() for
# 2..64 nodes x 1..1024 groups, auto and fixed groups, steady and just
# after a death, on one CPU; best of five rounds each.
section_decide() {
	local commit json md
	need_bins decide_cost
	commit=${XHB_BENCH_COMMIT:-$(git describe --always --dirty 2>/dev/null || echo unknown)}
	json=$RESULTS/decide-cost-$DATE-$commit.json
	md=$RESULTS/decide-cost-$DATE-$commit.md
	mkdir -p "$RESULTS"
	log "decision cost on CPU $RESP_CPU"
	taskset -c "$RESP_CPU" "$BUILD/bench/decide_cost" >"$work/decide.jsonl"
	python3 bench/decide-report.py "$work/decide.jsonl" "$commit" "$json" "$md"
	cat "$md"
}

main() {
	local s want=("$@")
	[ $# -gt 0 ] || want=("${SECTIONS[@]}")
	[ "$(id -u)" = 0 ] || die "needs root (namespaces, XDP)"
	# Other work on the machine moves the pps figures: keep a trace.
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	for s in "${want[@]}"; do
		declare -F "section_$s" >/dev/null || die "no benchmark section '$s' (have: ${SECTIONS[*]})"
		"section_$s"
	done
}

main "$@"
