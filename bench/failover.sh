#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# Failover benchmark (issue 4): xhb, Heartbeat 3.0.6 and keepalived 2.2 on
# the same netns lab (tools/lab.sh: srv1, srv2, client, a bridge; ens192,
# VIP 172.16.193.30/16), the same client prober (vipcheck: one UDP request
# to the VIP every 1 ms) and the same faults on srv1.
#
#   bench/failover.sh              the full run (see --help for its size)
#   bench/failover.sh --quick      one of each, short windows (a smoke run)
#   bench/failover.sh --systems xhb --faults linkdown,poweroff --repeats 20
#   bench/failover.sh --systems xhb,keepalived --profiles xhb:fast,keepalived:fast \
#       --faults linkdown,poweroff --repeats 50 --tag "$(git rev-parse --short HEAD)"
#                                  issue 15's outage distribution (~20 min)
#   bench/failover.sh --report-only bench/results/failover-DATE.json
#
# Results: bench/results/failover-<date>.json (every run, raw), .md (the
# tables and the targets) and .png (outage per system and fault, log
# scale), written by bench/failover-report.py.
#
# A system is an adapter, bench/adapters/NAME.sh (start a node, stop it,
# the daemon's pids, its timers); the driver knows nothing else of it.
# The lab and the cluster on it (start, stop, cleanup, packages) are
# bench/cluster.sh's, shared with bench/service_crash.sh.
#
# Faults, injected on srv1 once the cluster is steady (srv1 holds the VIP):
#   linkdown  ip link set ens192 down (the lab's ifdown)
#   poweroff  every process in srv1's namespace SIGKILLed, its veth deleted
#   kill      SIGKILL of the daemon (all its processes at once)
#   stall     SIGSTOP of the daemon for 3 x its deadtime, then SIGCONT
#   oneway    one-way loss for 10 s: everything srv1 sends to srv2 is
#             dropped on the bridge (srv2 cannot hear the holder), while
#             the client reaches both
#   oneway_back  the other way: srv2 -> srv1 dropped (the holder cannot
#             hear the standby)
#   idle      nothing: the daemons' CPU and memory over 10 s
#   loss      30% of srv1's frames dropped, both ways, for 30 s
#   load      both CPUs saturated by stress-ng inside srv1 for 20 s
#   flood     junk + forged cluster packets from the client, 20 s, flat out
# The first four end with the VIP on srv2: each repeat is a new lab. The
# last four leave it on srv1 when all goes well: one lab serves them in
# turn (restarted if a phase moved the VIP).
#
# Network safety: everything runs in namespaces made here (prefix xfo-),
# with no route out; nothing is added to the root namespace. Every
# sender and watcher is bounded in time; the trap removes processes (by
# pid), namespaces, mounts and files on any exit, Ctrl-C included.
set -uo pipefail

XHB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export XHB_TOP
XHB_BUILD=${XHB_BUILD:-$XHB_TOP/build}
export XHB_BUILD
export LAB_PREFIX=${XHB_FAILOVER_PREFIX:-xfo-}
export LAB_DIR=${XHB_FAILOVER_LAB_DIR:-/run/xhb-failover}
RESULTS=${XHB_BENCH_RESULTS:-$XHB_TOP/bench/results}
CLUSTER_PACKAGES="gnuplot-nox stress-ng nftables procps iproute2 python3"
# shellcheck source=cluster.sh
source "$XHB_TOP/bench/cluster.sh"

ALL_SYSTEMS=(xhb heartbeat keepalived)
FAILOVER_FAULTS=(linkdown poweroff kill stall oneway oneway_back)
ROBUST_FAULTS=(idle loss load flood)

systems=("${ALL_SYSTEMS[@]}")
faults=("${FAILOVER_FAULTS[@]}" "${ROBUST_FAULTS[@]}")
profiles_filter=""
repeats_fast=10   # failover faults, millisecond profiles
repeats_slow=2    # failover faults, second-scale profiles
robust_fast=1     # idle/loss/load/flood sessions, millisecond profiles
robust_slow=1     # the same, second-scale profiles
IDLE_S=10
LOSS_S=30
LOSS_PCT=30
LOAD_S=20
FLOOD_S=20
ONEWAY_S=10
install=1
keep=0
report_only=""
tag=""
DATE=$(date +%F)

usage() {
	cat <<EOF
usage: bench/failover.sh [options]
  --quick                one repeat of everything, windows of 5-10 s
  --systems LIST         comma-separated: ${ALL_SYSTEMS[*]} (default all)
  --profiles LIST        system:profile pairs, e.g. xhb:fast,keepalived:fast
  --faults LIST          ${FAILOVER_FAULTS[*]} ${ROBUST_FAULTS[*]} (default all)
  --repeats N            failover repeats, millisecond profiles ($repeats_fast)
  --slow-repeats N       failover repeats, second-scale profiles ($repeats_slow)
  --robust-repeats N     idle/loss/load/flood sessions, ms profiles ($robust_fast)
  --slow-robust-repeats N  the same, second-scale profiles ($robust_slow)
  --tag NAME             results as failover-DATE-NAME.*
  --no-install           do not install Debian packages
  --keep                 keep the work directory (every run's logs) in /tmp
  --report-only FILE     rewrite the .md and .png from a raw .json
The full run takes about 40 minutes on a 2-CPU machine, --quick about 15.
EOF
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick)
		repeats_fast=1 repeats_slow=1 robust_fast=1 robust_slow=1
		IDLE_S=5 LOSS_S=10 LOAD_S=5 FLOOD_S=5
		[ -n "$tag" ] || tag=quick
		;;
	--systems) IFS=, read -r -a systems <<<"$2"; shift ;;
	--profiles) profiles_filter=",$2,"; shift ;;
	--faults) IFS=, read -r -a faults <<<"$2"; shift ;;
	--repeats) repeats_fast=$2; shift ;;
	--slow-repeats) repeats_slow=$2; shift ;;
	--robust-repeats) robust_fast=$2; shift ;;
	--slow-robust-repeats) robust_slow=$2; shift ;;
	--tag) tag=$2; shift ;;
	--no-install) install=0 ;;
	--keep) keep=1 ;;
	--report-only) report_only=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

log() { printf '[failover %(%T)T] %s\n' -1 "$*" >&2; }

if [ -n "$report_only" ]; then
	exec python3 "$XHB_TOP/bench/failover-report.py" report "$report_only"
fi
[ "$(id -u)" = 0 ] || { echo "bench/failover.sh: run as root" >&2; exit 1; }
for n in "$XHB_BUILD/xhbd" "$XHB_BUILD/vipcheck" "$XHB_BUILD/xdp_pass.bpf.o" \
	"$XHB_BUILD/bench/failover_addrwatch" "$XHB_BUILD/bench/failover_flood"; do
	[ -e "$n" ] || { echo "bench/failover.sh: $n missing: run make first" >&2; exit 1; }
done
cluster_init failover

# ---- measurement helpers ----------------------------------------------------

# CPU time (ns) of the given processes and all their threads.
cpu_ns() {
	local t=0 p f a
	for p in "$@"; do
		for f in /proc/"$p"/task/*/schedstat; do
			[ -r "$f" ] || continue
			read -r a _ <"$f" || continue
			t=$((t + a))
		done
	done
	echo $t
}

# "rss_kb pss_kb" summed over the processes.
mem_kb() {
	local rss=0 pss=0 p v
	for p in "$@"; do
		v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null)
		rss=$((rss + ${v:-0}))
		v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null)
		pss=$((pss + ${v:-0}))
	done
	echo "$rss $pss"
}

# "busy_jiffies softirq_jiffies total_jiffies" of the whole machine.
sys_cpu() {
	awk '/^cpu / {t=0; for (i=2;i<=NF;i++) t+=$i; print t-$5-$6, $8, t}' /proc/stat
}

start_watchers() { # dir window_ms
	local dir=$1 window=$2 fence1 fence2 n1 n2
	fence1=$(adapter_fence_pin srv1)
	fence2=$(adapter_fence_pin srv2)
	n1="srv1=$(ns_path srv1)${fence1:+:$fence1}"
	n2="srv2=$(ns_path srv2)${fence2:+:$fence2}"
	timeout $((window / 1000 + 20)) "$XHB_BUILD/bench/failover_addrwatch" --addr "$LAB_VIP" \
		--node "$n1" --node "$n2" --interval-us 5000 --duration-ms "$window" \
		>"$dir/addr.json" 2>"$dir/addr.err" &
	OWN_PIDS+=($!)
	WATCH_ADDR=$!
	lab_exec client timeout $((window / 1000 + 20)) "$XHB_BUILD/vipcheck" watch "$LAB_VIP" \
		--interval-us 1000 --duration-ms "$window" --json >"$dir/prober.json" 2>"$dir/prober.err" &
	OWN_PIDS+=($!)
	WATCH_PROBER=$!
}

wait_watchers() {
	wait "$WATCH_ADDR" 2>/dev/null
	wait "$WATCH_PROBER" 2>/dev/null
}

# One failover fault on a fresh cluster.
run_failover() { # system profile fault rep
	local system=$1 profile=$2 fault=$3 rep=$4 dead pre window stall=0 post t_fault pids
	local t_end status=ok
	dead=$(adapter_deadtime_ms "$profile")
	new_run_dir
	if ! session_start "$profile"; then
		write_meta "$RUN_DIR/meta.json" system="$system" profile="$profile" fault="$fault" rep="$rep" \
			status=setup_failed
		collect_logs
		session_stop
		return 1
	fi
	pre=$([ "$dead" -ge 3000 ] && echo 1000 || echo 500)
	post=$(adapter_post_ms "$profile" "$fault")
	case $fault in
	stall)
		stall=$((3 * dead))
		window=$((pre + stall + post))
		;;
	oneway | oneway_back) window=$((pre + ONEWAY_S * 1000 + post)) ;;
	*) window=$((pre + post)) ;;
	esac
	start_watchers "$RUN_DIR" "$window"
	sleep "$(ms_to_s "$pre")"
	pids=$(adapter_pids srv1 | tr '\n' ' ')
	t_fault=$(now_ns)
	case $fault in
	linkdown) lab_exec srv1 ip link set ens192 down ;;
	poweroff)
		# The link first, as power loss takes the NIC and the CPU at
		# once: a node whose processes died a few ms before its NIC
		# would look, for those ms, like a stalled daemon on a live
		# kernel (xhb's XDP would still answer probes).
		ip -n "$(lab_ns srv1)" link del ens192
		# shellcheck disable=SC2046
		kill -KILL $(ip netns pids "$(lab_ns srv1)") 2>/dev/null
		rm -f "$LAB_DIR/srv1/web.pid" "$LAB_DIR/srv1/echo.pid"
		;;
	kill)
		# shellcheck disable=SC2086
		kill -KILL $pids
		;;
	stall)
		# shellcheck disable=SC2086
		kill -STOP $pids
		sleep "$(ms_to_s "$stall")"
		# shellcheck disable=SC2086
		kill -CONT $pids
		;;
	oneway | oneway_back)
		local from=srv1 to=srv2
		[ "$fault" = oneway_back ] && from=srv2 to=srv1
		ip netns exec "$(lab_ns lanbr)" nft -f - <<NFT
table bridge xfo_oneway {
	chain forward {
		type filter hook forward priority 0;
		iifname "$from" oifname "$to" drop
	}
}
NFT
		sleep "$ONEWAY_S" # the length of the fault itself
		ip netns exec "$(lab_ns lanbr)" nft delete table bridge xfo_oneway
		;;
	esac
	wait_watchers
	t_end=$(now_ns)
	# Who holds the VIP at the end (the report derives the takeover
	# itself from the watchers: after a stall the woken node may win).
	end_holder=$( (adapter_holds srv1 && echo -n srv1); (adapter_holds srv2 && echo -n srv2) )
	write_meta "$RUN_DIR/meta.json" system="$system" profile="$profile" fault="$fault" rep="$rep" \
		status="$status" end_holder="${end_holder:-none}" t_fault_ns="$t_fault" t_end_ns="$t_end" \
		window_ms="$window" pre_ms="$pre" stall_ms="$stall" deadtime_ms="$dead" startup_ms="$SESSION_STARTUP_MS" \
		daemon_pids="$pids"
	collect_logs
	session_stop
}

# The daemons' CPU (ns) and memory, per node, into a meta file's fields.
daemon_sample() { # prefix -> sets SAMPLE_* vars
	local node pids
	for node in srv1 srv2; do
		pids=$(adapter_pids "$node" | tr '\n' ' ')
		# shellcheck disable=SC2086
		eval "SAMPLE_${node}_cpu=$(cpu_ns $pids)"
		# shellcheck disable=SC2086
		read -r "SAMPLE_${node}_rss" "SAMPLE_${node}_pss" <<<"$(mem_kb $pids)"
		# shellcheck disable=SC2086
		eval "SAMPLE_${node}_mainrss=$(mem_kb ${pids%% *} | cut -d' ' -f1)"
		eval "SAMPLE_${node}_nproc=$(echo $pids | wc -w)"
	done
	read -r SAMPLE_busy SAMPLE_softirq SAMPLE_total <<<"$(sys_cpu)"
	SAMPLE_t=$(now_ns)
}

# idle/loss/load/flood, one after the other on one cluster.
# shellcheck disable=SC2154 # SAMPLE_srvN_* are set by daemon_sample (eval, read)
run_robust_session() { # system profile rep faults...
	local system=$1 profile=$2 rep=$3 fault started=0 pre=1000 post=2000 window dur
	local c1 c2 b0 s0 T0 t0 t_fault t_end status loadpid floodpid
	shift 3
	for fault in "$@"; do
		if [ "$started" = 1 ] && ! steady; then
			log "  VIP not steady on srv1 after the previous phase: new lab"
			session_stop
			started=0
		fi
		if [ "$started" = 0 ]; then
			if ! session_start "$profile"; then
				new_run_dir
				write_meta "$RUN_DIR/meta.json" system="$system" profile="$profile" fault="$fault" \
					rep="$rep" status=setup_failed
				collect_logs
				session_stop
				continue
			fi
			started=1
		fi
		new_run_dir
		case $fault in
		idle) dur=$IDLE_S ;;
		loss) dur=$LOSS_S ;;
		load) dur=$LOAD_S ;;
		flood) dur=$FLOOD_S ;;
		esac
		window=$((pre + dur * 1000 + post))
		log "  $fault: ${dur} s"
		start_watchers "$RUN_DIR" "$window"
		sleep "$(ms_to_s "$pre")"
		daemon_sample
		c1=$SAMPLE_srv1_cpu c2=$SAMPLE_srv2_cpu b0=$SAMPLE_busy s0=$SAMPLE_softirq T0=$SAMPLE_total
		t0=$SAMPLE_t
		t_fault=$(now_ns)
		case $fault in
		idle) sleep "$dur" ;;
		loss)
			# On the wire of srv1's ens192: its bridge port, both ways.
			# Not inside srv1: XDP (xhb) runs before nftables' ingress
			# hook and XDP_TX bypasses its egress hook, so a rule there
			# would spare xhb's probes and hit only the others.
			ip netns exec "$(lab_ns lanbr)" nft -f - <<NFT || log "  nft failed"
table netdev xfo_loss {
	chain in { type filter hook ingress device "srv1" priority 0; numgen random mod 100 < $LOSS_PCT drop; }
	chain out { type filter hook egress device "srv1" priority 0; numgen random mod 100 < $LOSS_PCT drop; }
}
NFT
			sleep "$dur"
			ip netns exec "$(lab_ns lanbr)" nft delete table netdev xfo_loss
			;;
		load)
			lab_exec srv1 timeout $((dur + 5)) stress-ng --cpu 2 --cpu-load 100 --timeout "${dur}s" \
				--quiet >"$RUN_DIR/stress.log" 2>&1 &
			loadpid=$!
			OWN_PIDS+=("$loadpid")
			wait "$loadpid" 2>/dev/null
			;;
		flood)
			# shellcheck disable=SC2046
			lab_exec client timeout $((dur + 5)) "$XHB_BUILD/bench/failover_flood" $(adapter_flood "$profile") \
				--duration-ms $((dur * 1000)) >"$RUN_DIR/flood.json" 2>"$RUN_DIR/flood.err" &
			floodpid=$!
			OWN_PIDS+=("$floodpid")
			wait "$floodpid" 2>/dev/null
			;;
		esac
		daemon_sample
		t_end=$(now_ns)
		wait_watchers
		status=ok
		steady || status=moved
		write_meta "$RUN_DIR/meta.json" system="$system" profile="$profile" fault="$fault" rep="$rep" \
			status="$status" t_fault_ns="$t_fault" t_end_ns="$t_end" window_ms="$window" pre_ms="$pre" \
			duration_s="$dur" startup_ms="$SESSION_STARTUP_MS" \
			srv1_cpu_ns=$((SAMPLE_srv1_cpu - c1)) srv2_cpu_ns=$((SAMPLE_srv2_cpu - c2)) \
			interval_ns=$((SAMPLE_t - t0)) \
			srv1_rss_kb="$SAMPLE_srv1_rss" srv1_pss_kb="$SAMPLE_srv1_pss" srv1_main_rss_kb="$SAMPLE_srv1_mainrss" \
			srv2_rss_kb="$SAMPLE_srv2_rss" srv2_pss_kb="$SAMPLE_srv2_pss" srv2_main_rss_kb="$SAMPLE_srv2_mainrss" \
			srv1_nproc="$SAMPLE_srv1_nproc" srv2_nproc="$SAMPLE_srv2_nproc" \
			sys_busy_jiffies=$((SAMPLE_busy - b0)) sys_softirq_jiffies=$((SAMPLE_softirq - s0)) \
			sys_total_jiffies=$((SAMPLE_total - T0)) loss_pct="$LOSS_PCT"
		if [ "$fault" = flood ] && [ -n "$(adapter_fence_pin srv1)" ]; then
			"$XHB_BUILD/xhbctl" -p "$(adapter_fence_pin srv1)" -j stats >"$RUN_DIR/xdp_stats_srv1.json" 2>/dev/null
		fi
		collect_logs
		sleep 0.5
	done
	[ "$started" = 1 ] && session_stop
	return 0
}

# ---- main --------------------------------------------------------------------

want_fault() { local f; for f in "${faults[@]}"; do [ "$f" = "$1" ] && return 0; done; return 1; }
want_profile() { [ -z "$profiles_filter" ] || [[ $profiles_filter == *",$1:$2,"* ]]; }
is_fast() { [ "$1" = fast ] || [ "$1" = fenced ]; } # millisecond profiles

if [ "$install" = 1 ]; then
	install_packages "${systems[@]}" || { log "package install failed"; exit 1; }
else
	host_check || exit 1
fi

mkdir -p "$RESULTS"
base=$RESULTS/failover-$DATE${tag:+-$tag}
T_START=$(date +%s)
log "results: $base.{json,md,png}; lab: namespaces ${LAB_PREFIX}*, $LAB_DIR"
{
	echo "{\"date\":\"$DATE\",\"started\":\"$(date -Is)\",\"kernel\":\"$(uname -r)\","
	echo "\"loadavg_at_start\":\"$(cut -d' ' -f1-3 /proc/loadavg)\","
	echo "\"cpus\":$(nproc),\"commit\":\"$(git -C "$XHB_TOP" rev-parse --short HEAD 2>/dev/null)\","
	echo "\"args\":\"$*\",\"systems\":{"
} >"$WORK/meta-head.json"

sep=""
for system in "${systems[@]}"; do
	[ -f "$ADAPTERS/$system.sh" ] || { log "no adapter $ADAPTERS/$system.sh"; exit 2; }
	load_adapter "$system"
	CURRENT_SYSTEM=$system
	desc=""
	for profile in $(adapter_profiles); do
		want_profile "$system" "$profile" || continue
		desc+="${desc:+,}\"$profile\":\"$(adapter_describe "$profile")\""
	done
	printf '%s"%s":{"version":"%s","profiles":{%s}}\n' "$sep" "$system" "$(adapter_version)" "$desc" \
		>>"$WORK/meta-head.json"
	sep=","
	for profile in $(adapter_profiles); do
		want_profile "$system" "$profile" || continue
		if is_fast "$profile"; then reps=$repeats_fast rreps=$robust_fast; else reps=$repeats_slow rreps=$robust_slow; fi
		for fault in "${FAILOVER_FAULTS[@]}"; do
			want_fault "$fault" || continue
			for rep in $(seq "$reps"); do
				log "$system/$profile $fault #$rep"
				run_failover "$system" "$profile" "$fault" "$rep"
			done
		done
		robust=()
		for fault in "${ROBUST_FAULTS[@]}"; do
			want_fault "$fault" && robust+=("$fault")
		done
		if [ ${#robust[@]} -gt 0 ]; then
			for rep in $(seq "$rreps"); do
				log "$system/$profile ${robust[*]} #$rep"
				run_robust_session "$system" "$profile" "$rep" "${robust[@]}"
			done
		fi
	done
	CURRENT_SYSTEM=""
done
echo "},\"elapsed_s\":$(( $(date +%s) - T_START ))}" >>"$WORK/meta-head.json"

python3 "$XHB_TOP/bench/failover-report.py" collect "$WORK" "$base" || exit 1
log "done in $(( ($(date +%s) - T_START) / 60 )) min: $base.md"
