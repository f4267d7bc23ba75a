#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# Service-crash benchmark (issue 12): the web server on the VIP's holder
# dies; how long does a client of the VIP's web service go unanswered?
#
#   bench/service_crash.sh            20 runs of xhb and keepalived, 3 of Heartbeat
#   bench/service_crash.sh --quick    3 of each (Heartbeat 1)
#   bench/service_crash.sh --systems xhb --runs 50
#   bench/service_crash.sh --report-only bench/results/service-crash-DATE-COMMIT.json
#
# Each run: a new lab (tools/lab.sh: srv1, srv2, client; each server's page
# IT WORKS SRVn from its own apache2), both nodes of one system started with
# its service check of the local web server (the adapter's check profile:
# xhb `check web http http://127.0.0.1/ interval 10ms fall 3`, keepalived a
# vrrp_script doing the same with curl at its smallest interval, 1 s;
# Heartbeat has no service check and runs its fast profile), srv1 holding
# the VIP, both checks passing. Then, with the client's probers running
# (bench/httpprobe: a new HTTP request to the VIP every 1 ms; vipcheck: a
# UDP request every 1 ms, to see who holds the address and whether both
# answer), srv1's apache2 is SIGKILLed (every process of it at once, as
# lab_web_stop does) and the probers watch for --window-ms more.
#
# Results: bench/results/service-crash-<date>-<commit>.json (every run,
# raw) and .md (the table), by bench/service-crash-report.py;
# bench/service-crash.md says what is measured and how.
#
# Network safety: everything runs in namespaces made here (prefix xsc-),
# with no route out; nothing is added to the root namespace. The probers
# are bounded in time (and run under timeout); the trap (bench/cluster.sh)
# removes processes (by pid), namespaces, mounts and files on any exit.
set -uo pipefail

XHB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export XHB_TOP
XHB_BUILD=${XHB_BUILD:-$XHB_TOP/build}
export XHB_BUILD
export LAB_PREFIX=${XHB_SERVICE_CRASH_PREFIX:-xsc-}
export LAB_DIR=${XHB_SERVICE_CRASH_LAB_DIR:-/run/xhb-service-crash}
RESULTS=${XHB_BENCH_RESULTS:-$XHB_TOP/bench/results}
CLUSTER_PACKAGES="curl apache2 procps iproute2 python3"
# shellcheck source=cluster.sh
source "$XHB_TOP/bench/cluster.sh"

ALL_SYSTEMS=(xhb keepalived heartbeat)
systems=("${ALL_SYSTEMS[@]}")
runs=20           # xhb and keepalived
hb_runs=3         # Heartbeat: no check, the same outcome every time
PRE_MS=500        # probers answered, before the kill
WINDOW_MS=5000    # watched after the kill
install=1
report_only=""
DATE=$(date +%F)

usage() {
	cat <<EOF
usage: bench/service_crash.sh [options]
  --quick               3 runs of xhb and keepalived, 1 of Heartbeat
  --systems LIST        comma-separated: ${ALL_SYSTEMS[*]} (default all)
  --runs N              runs of the systems with a service check ($runs)
  --heartbeat-runs N    runs of Heartbeat, which has none ($hb_runs)
  --window-ms N         watched after the kill ($WINDOW_MS)
  --no-install          do not install Debian packages
  --keep                keep the work directory (every run's logs) in /tmp
  --report-only FILE    rewrite the .md from a raw .json
The full run takes about 10 minutes on a 2-CPU machine, --quick about 2.
EOF
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) runs=3 hb_runs=1 ;;
	--systems) IFS=, read -r -a systems <<<"$2"; shift ;;
	--runs) runs=$2; shift ;;
	--heartbeat-runs) hb_runs=$2; shift ;;
	--window-ms) WINDOW_MS=$2; shift ;;
	--no-install) install=0 ;;
	--keep) keep=1 ;;
	--report-only) report_only=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
# bounded: at most 1000 runs a system, a window of 0.1-60 s
if ! [[ $runs =~ ^[0-9]+$ && $hb_runs =~ ^[0-9]+$ && $WINDOW_MS =~ ^[0-9]+$ ]] ||
	[ "$runs" -gt 1000 ] || [ "$hb_runs" -gt 1000 ] || [ "$WINDOW_MS" -lt 100 ] ||
	[ "$WINDOW_MS" -gt 60000 ]; then
	usage >&2
	exit 2
fi

log() { printf '[service-crash %(%T)T] %s\n' -1 "$*" >&2; }

if [ -n "$report_only" ]; then
	exec python3 "$XHB_TOP/bench/service-crash-report.py" report "$report_only"
fi
[ "$(id -u)" = 0 ] || { echo "bench/service_crash.sh: run as root" >&2; exit 1; }
for n in "$XHB_BUILD/xhbd" "$XHB_BUILD/vipcheck" "$XHB_BUILD/xdp_pass.bpf.o" "$XHB_BUILD/bench/httpprobe"; do
	[ -e "$n" ] || { echo "bench/service_crash.sh: $n missing: run make first" >&2; exit 1; }
done
cluster_init service-crash

# realtime ns, from bash's own clock (no fork between it and what follows)
real_ns() { local t=$EPOCHREALTIME; echo "${t/[.,]/}000"; }

# The web server on srv1 crashes: what lab_web_stop does (every process of
# its group SIGKILLed at once, then waited for), with the finding of the
# group done before the signal and the time taken just before it: the
# signal is bash's kill builtin, a fork-free microsecond after the stamp.
web_crash() { # node: sets T_KILL_NS
	local pid pgid
	pid=$(lab_web_pid "$1") || { log "no web server on $1"; return 1; }
	pgid=$(ps -o pgid= -p "$pid" | tr -d ' ')
	if [ "$pgid" != "$pid" ]; then # not a group leader: the lab's own way
		T_KILL_NS=$(real_ns)
		lab_web_stop "$1"
		return
	fi
	T_KILL_NS=$(real_ns)
	kill -KILL -- "-$pid"
	lab_poll 5 lab_web_gone "$pid" || { log "$1's web server outlived SIGKILL"; return 1; }
	rm -f "$LAB_DIR/$1/web.pid"
}

checks_ready() { adapter_check_ready srv1 && adapter_check_ready srv2; }

# One crash on a fresh cluster.
run_crash() { # system profile rep
	local system=$1 profile=$2 rep=$3 dur http udp t_end end_holder status=ok
	new_run_dir
	if ! session_start "$profile"; then
		write_meta "$RUN_DIR/meta.json" system="$system" profile="$profile" rep="$rep" status=setup_failed
		collect_logs
		session_stop
		return 1
	fi
	if ! lab_poll 10 checks_ready; then
		log "  the service checks did not pass on both nodes within 10 s"
		write_meta "$RUN_DIR/meta.json" system="$system" profile="$profile" rep="$rep" status=check_not_ready
		collect_logs
		session_stop
		return 1
	fi
	# The probers run for the wait for their first answer, PRE_MS and the
	# window: the window after the kill is at least WINDOW_MS.
	dur=$((PRE_MS + WINDOW_MS + 2000))
	rm -f "$RUN_DIR/http.ready" "$RUN_DIR/udp.ready"
	lab_exec client timeout $((dur / 1000 + 20)) "$XHB_BUILD/bench/httpprobe" "$LAB_VIP" \
		--interval-us 1000 --duration-ms "$dur" --timeout-ms 500 --ready "$RUN_DIR/http.ready" \
		>"$RUN_DIR/http.json" 2>"$RUN_DIR/http.err" &
	http=$!
	OWN_PIDS+=("$http")
	lab_exec client timeout $((dur / 1000 + 20)) "$XHB_BUILD/vipcheck" watch "$LAB_VIP" \
		--interval-us 1000 --duration-ms "$dur" --ready "$RUN_DIR/udp.ready" --json \
		>"$RUN_DIR/udp.json" 2>"$RUN_DIR/udp.err" &
	udp=$!
	OWN_PIDS+=("$udp")
	if ! LAB_POLL_S=0.01 lab_poll 2 test -e "$RUN_DIR/http.ready" -a -e "$RUN_DIR/udp.ready"; then
		log "  the client's probers got no answer from $LAB_VIP within 2 s"
		status=probe_not_ready
	fi
	sleep "$(ms_to_s "$PRE_MS")"
	[ "$status" = ok ] && ! steady && status=not_steady
	T_KILL_NS=0
	if [ "$status" = ok ]; then
		web_crash srv1 || status=kill_failed
	fi
	wait "$http" "$udp" 2>/dev/null
	t_end=$(real_ns)
	end_holder=$( (adapter_holds srv1 && echo -n srv1); (adapter_holds srv2 && echo -n srv2) )
	write_meta "$RUN_DIR/meta.json" system="$system" profile="$profile" rep="$rep" status="$status" \
		t_kill_real_ns="$T_KILL_NS" t_end_real_ns="$t_end" pre_ms="$PRE_MS" window_ms="$WINDOW_MS" \
		probe_ms="$dur" end_holder="${end_holder:-none}" startup_ms="$SESSION_STARTUP_MS"
	collect_logs
	session_stop
}

if [ "$install" = 1 ]; then
	install_packages "${systems[@]}" || { log "package install failed"; exit 1; }
else
	host_check || exit 1
fi

mkdir -p "$RESULTS"
COMMIT=$(git -C "$XHB_TOP" describe --always --dirty 2>/dev/null || echo unknown)
base=$RESULTS/service-crash-$DATE-$COMMIT
T_START=$(date +%s)
log "results: $base.{json,md}; lab: namespaces ${LAB_PREFIX}*, $LAB_DIR"
{
	echo "{\"date\":\"$DATE\",\"started\":\"$(date -Is)\",\"kernel\":\"$(uname -r)\","
	echo "\"loadavg_at_start\":\"$(cut -d' ' -f1-3 /proc/loadavg)\","
	echo "\"cpus\":$(nproc),\"commit\":\"$COMMIT\",\"args\":\"$*\","
	echo "\"pre_ms\":$PRE_MS,\"window_ms\":$WINDOW_MS,\"systems\":{"
} >"$WORK/meta-head.json"

sep=""
for system in "${systems[@]}"; do
	[ -f "$ADAPTERS/$system.sh" ] || { log "no adapter $ADAPTERS/$system.sh"; exit 2; }
	load_adapter "$system"
	CURRENT_SYSTEM=$system
	profile=$(adapter_check_profile)
	n=$runs
	check=true
	if [ -z "$profile" ]; then # no service check: its usual fast timers
		profile=fast
		n=$hb_runs
		check=false
	fi
	printf '%s"%s":{"version":"%s","profile":"%s","service_check":%s,"config":"%s"}\n' "$sep" \
		"$system" "$(adapter_version)" "$profile" "$check" "$(adapter_describe "$profile")" \
		>>"$WORK/meta-head.json"
	sep=","
	for rep in $(seq "$n"); do
		log "$system/$profile #$rep"
		run_crash "$system" "$profile" "$rep"
	done
	CURRENT_SYSTEM=""
done
echo "},\"elapsed_s\":$(($(date +%s) - T_START))}" >>"$WORK/meta-head.json"

python3 "$XHB_TOP/bench/service-crash-report.py" collect "$WORK" "$base" || exit 1
log "done in $((($(date +%s) - T_START) / 60)) min: $base.md"
