# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# shellcheck shell=bash
# The benchmarks' cluster on the lab: one system (an adapter,
# bench/adapters/NAME.sh) on tools/lab.sh's namespaces, started until srv1
# holds the VIP and srv2 is steady, stopped and the lab removed after each
# run. Sourced by bench/failover.sh and bench/service_crash.sh, after they
# set LAB_PREFIX and LAB_DIR (each its own, so the two never share a
# namespace) and define log().
#
#   cluster_init NAME       WORK=/tmp/xhb-NAME.XXXXXX and the cleanup traps
#   install_packages SYS..  Debian packages of those systems + CLUSTER_PACKAGES
#   host_check              nothing of Heartbeat's or keepalived's on the host
#   load_adapter SYSTEM     the adapter's functions (ADAPTER_API)
#   session_start PROFILE   lab + cluster, srv1 holding; session_stop
#   new_run_dir, write_meta FILE k=v.., collect_logs, steady, end_pids PID..
#
# Every process started in the background goes into OWN_PIDS (killed by
# pid on cleanup); every process in the lab's namespaces was started by us
# and is killed by pid too; the namespaces, the bpffs mount and the lab's
# files go with lab_teardown_quiet.

# shellcheck source=../tools/lab.sh
source "$XHB_TOP/tools/lab.sh"
ADAPTERS=$XHB_TOP/bench/adapters
CLUSTER_PACKAGES=${CLUSTER_PACKAGES:-procps iproute2 python3}

WORK=""
keep=${keep:-0}     # 1: the work directory stays (the caller's --keep)
OWN_PIDS=()         # every background process started here, by pid
POLICY_CREATED=0
CURRENT_SYSTEM=""

kill_own() {
	local pid
	for pid in "${OWN_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	OWN_PIDS=()
}

# A daemon's processes (an adapter's pids), stopped or not: woken, asked to
# end, killed if still there after 3 s.
end_pids() { # pid...
	[ $# -gt 0 ] || return 0
	kill -CONT "$@" 2>/dev/null
	kill -TERM "$@" 2>/dev/null
	lab_poll 3 all_gone "$@" || kill -KILL "$@" 2>/dev/null
	return 0
}
all_gone() { ! kill -0 "$@" 2>/dev/null; }

# Every process in our namespaces was started by us: kill them by pid.
kill_ns_processes() {
	local node pids
	for node in srv1 srv2 client lanbr; do
		pids=$(ip netns pids "$(lab_ns "$node")" 2>/dev/null | tr '\n' ' ')
		# shellcheck disable=SC2086
		[ -n "${pids// /}" ] && kill -KILL $pids 2>/dev/null
	done
	return 0
}

session_stop() {
	if [ -n "$CURRENT_SYSTEM" ]; then
		adapter_stop srv1
		adapter_stop srv2
	fi
	kill_own
	kill_ns_processes
	sleep 0.1
	lab_teardown_quiet
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	session_stop 2>/dev/null
	[ "$POLICY_CREATED" = 1 ] && rm -f /usr/sbin/policy-rc.d
	if [ "$keep" = 1 ]; then
		log "work directory kept: $WORK"
	elif [ -n "${WORK:-}" ]; then
		rm -rf "$WORK"
	fi
	exit "$rc"
}

cluster_init() { # name
	WORK=$(mktemp -d "/tmp/xhb-$1.XXXXXX") || exit 1
	trap cleanup EXIT
	trap 'log "interrupted"; exit 130' INT TERM
}

# ---- packages ---------------------------------------------------------------

# Debian's heartbeat and keepalived enable services: never on this host.
# policy-rc.d forbids starting them during the install; they are disabled
# after it; nothing of theirs may run or listen in the root namespace.
install_packages() { # system...
	local want missing=() p s
	read -r -a want <<<"$CLUSTER_PACKAGES"
	for s in "$@"; do
		load_adapter "$s" || return 1
		for p in $(adapter_packages); do want+=("$p"); done
	done
	for p in "${want[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]} (services kept off the host)"
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			printf '#!/bin/sh\n# xhb bench: no service starts during its install\nexit 101\n' \
				>/usr/sbin/policy-rc.d
			chmod 755 /usr/sbin/policy-rc.d
			POLICY_CREATED=1
		fi
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null 2>&1
		if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$WORK/apt.log" 2>&1; then
			tail -20 "$WORK/apt.log" >&2
			return 1
		fi
		if [ "$POLICY_CREATED" = 1 ]; then
			rm -f /usr/sbin/policy-rc.d
			POLICY_CREATED=0
		fi
	fi
	for s in heartbeat keepalived logd; do
		[ -e "/lib/systemd/system/$s.service" ] || continue
		if command -v systemctl >/dev/null; then
			systemctl stop "$s" >/dev/null 2>&1
			systemctl disable "$s" >/dev/null 2>&1
		fi
	done
	host_check
}

# Nothing of Heartbeat's or keepalived's in the root network namespace.
host_check() {
	local root_ns pid bad=0
	root_ns=$(readlink /proc/1/ns/net)
	for pid in $(pgrep -x 'heartbeat|keepalived|ha_logd' 2>/dev/null; pgrep -f '^heartbeat: ' 2>/dev/null); do
		if [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$root_ns" ]; then
			log "a $(cat "/proc/$pid/comm" 2>/dev/null) (pid $pid) runs in the root namespace: stop it first"
			bad=1
		fi
	done
	if ss -Hlun 2>/dev/null | awk '{print $4}' | grep -qE ':694$'; then
		log "something listens on UDP 694 in the root namespace: stop it first"
		bad=1
	fi
	return $bad
}

# ---- helpers ----------------------------------------------------------------

ns_path() { lab_ns "$1"; }

now_ns() { date +%s%N; }

# Small JSON writer: key=value pairs, numbers stay numbers.
write_meta() { # file key=value...
	local file=$1 kv k v sep=""
	shift
	{
		printf '{'
		for kv in "$@"; do
			k=${kv%%=*}
			v=${kv#*=}
			if [[ $v =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then
				printf '%s"%s":%s' "$sep" "$k" "$v"
			else
				v=${v//\\/\\\\}
				v=${v//\"/\\\"}
				printf '%s"%s":"%s"' "$sep" "$k" "$v"
			fi
			sep=","
		done
		printf '}\n'
	} >"$file"
}

# ---- the lab and the cluster ------------------------------------------------

# The lab, then the cluster: srv1 holds the VIP, srv2 runs and is steady.
session_start() { # profile
	local profile=$1 node t0
	lab_setup >"$WORK/lab.log" 2>&1 || { log "lab setup failed: $(tail -3 "$WORK/lab.log")"; return 1; }
	# The seed's machines had a broadcast address on ens192 (ifupdown sets
	# it); Heartbeat's bcast sends to it. Same for every system.
	for node in srv1 srv2 client; do
		ip -n "$(lab_ns "$node")" addr del "${LAB_IP[$node]}/16" dev ens192 2>/dev/null
		ip -n "$(lab_ns "$node")" addr add "${LAB_IP[$node]}/16" brd + dev ens192 || return 1
	done
	lab_wait_links || return 1
	adapter_files srv1 "$profile" || return 1
	adapter_files srv2 "$profile" || return 1
	t0=$(now_ns)
	if [ "$(adapter_start_order)" = srv1-first ]; then
		adapter_start srv1 "$profile"
		lab_poll "$(adapter_startup_s "$profile")" adapter_holds srv1 || { log "srv1 did not take the VIP alone"; return 1; }
		adapter_start srv2 "$profile"
	else
		adapter_start srv1 "$profile"
		adapter_start srv2 "$profile"
		lab_poll "$(adapter_startup_s "$profile")" adapter_holds srv1 || { log "srv1 did not take the VIP"; return 1; }
	fi
	# shellcheck disable=SC2034 # the callers' meta files carry it
	SESSION_STARTUP_MS=$(( ($(now_ns) - t0) / 1000000 ))
	sleep "$(awk -v ms="$(adapter_settle_ms "$profile")" 'BEGIN {printf "%.3f", ms / 1000}')"
	steady || { log "not steady after start"; return 1; }
	return 0
}

# srv1 holds the VIP, srv2 does not, both daemons run.
steady() {
	adapter_holds srv1 && ! adapter_holds srv2 &&
		[ -n "$(adapter_pids srv1)" ] && [ -n "$(adapter_pids srv2)" ]
}

ms_to_s() { awk -v ms="$1" 'BEGIN {printf "%.3f", ms / 1000}'; }

# How long the watchers run after the fault (an adapter may say better):
# takeover within 1.3 deadtimes plus 2 s of resource scripts; after a stall,
# time for the woken node to settle with the other.
default_post_ms() { # profile fault
	local dead
	dead=$(adapter_deadtime_ms "$1")
	case $2 in
	stall) echo $(( (dead < 5000 ? dead : 5000) + 2000 )) ;;
	*) echo $(( dead * 13 / 10 + 2000 )) ;;
	esac
}

ADAPTER_API=(adapter_packages adapter_version adapter_profiles adapter_describe adapter_files
	adapter_start adapter_stop adapter_pids adapter_deadtime_ms adapter_startup_s adapter_settle_ms
	adapter_flood adapter_fence_pin adapter_start_order adapter_post_ms adapter_check_profile
	adapter_check_ready adapter_holds)
load_adapter() {
	unset -f "${ADAPTER_API[@]}"
	# shellcheck disable=SC1090
	source "$ADAPTERS/$1.sh" || return 1
	# shellcheck disable=SC2317 # defaults, called through the API
	declare -F adapter_post_ms >/dev/null || adapter_post_ms() { default_post_ms "$@"; }
	# a system without a service check (Heartbeat) names no profile
	# shellcheck disable=SC2317
	declare -F adapter_check_profile >/dev/null || adapter_check_profile() { :; }
	# shellcheck disable=SC2317
	declare -F adapter_check_ready >/dev/null || adapter_check_ready() { :; }
	# holding the VIP: configured on the node (ip addr), unless the
	# system fences a configured one (xhb)
	# shellcheck disable=SC2317
	declare -F adapter_holds >/dev/null || adapter_holds() { lab_has_vip "$1"; }
}

# ---- runs --------------------------------------------------------------------

RUN_SEQ=0
new_run_dir() {
	RUN_SEQ=$((RUN_SEQ + 1))
	RUN_DIR=$WORK/runs/$(printf '%04d' "$RUN_SEQ")
	mkdir -p "$RUN_DIR"
}

collect_logs() {
	local node
	for node in srv1 srv2; do
		mkdir -p "$RUN_DIR/logs/$node"
		# small text files only: configs and daemon logs (not the web
		# server's access log: a line per client request)
		find "$LAB_DIR/$node" -maxdepth 4 -type f -size -2M ! -name access.log \
			\( -name '*.log' -o -name 'ha-log' -o -name 'events.json' -o -name '*.err' \
			-o -name 'ha.cf' -o -name 'keepalived.conf' -o -name stdout \) \
			-exec cp --parents {} "$RUN_DIR/logs/$node/" \; 2>/dev/null
	done
}
