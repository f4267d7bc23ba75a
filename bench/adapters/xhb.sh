# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# shellcheck shell=bash
# Failover benchmark adapter: xhb (this repository's xhbd), started as
# tools/lab.sh starts it (lab_start: the node's network namespace plus its
# own mount and UTS namespace, /sys/fs/bpf a per-node directory of the
# lab's bpffs). The API is described in bench/adapters/heartbeat.sh.
#
# Profiles:
#   seed  the seed's ha.cf, haresources, authkeys unchanged
#         (keepalive 2, deadtime 10; lease defaults to deadtime)
#   fast  the same files plus `probe 1ms 3` and `lease 1s`
#   fenced  fast plus `fenced_standby on`: srv2 keeps the VIP configured,
#         staged (fenced by its XDP and tc egress), its takeover a map write
#   webcheck  fast plus a service check of the node's own web server,
#         `check web http http://127.0.0.1/ interval 10ms fall 3`
#         (bench/service_crash.sh; not one of the failover profiles)
#
# xhb keeps its XDP program answering while the agent is stopped; the VIP
# lease decides when that stops (XDP then fences the VIP). adapter_fence_pin
# names the pinned maps so the benchmark counts a fenced node as not
# holding the VIP.

XHB_FAST_LEASE=${XHB_FAST_LEASE:-1s}
XHB_WEB_CHECK=${XHB_WEB_CHECK:-check web http http://127.0.0.1/ interval 10ms fall 3}

adapter_packages() { :; }
adapter_version() {
	echo "xhb $(git -C "$XHB_TOP" describe --always --dirty 2>/dev/null || echo unknown)"
}
adapter_profiles() { echo seed fast fenced; }
adapter_start_order() { echo together; }

adapter_describe() {
	case $1 in
	seed) echo "seed ha.cf unchanged: keepalive 2, deadtime 10 (lease = deadtime)" ;;
	fast) echo "seed files + 'probe 1ms 3' + 'lease $XHB_FAST_LEASE'" ;;
	fenced) echo "seed files + 'probe 1ms 3' + 'lease $XHB_FAST_LEASE' + 'fenced_standby on'" ;;
	webcheck) echo "seed files + 'probe 1ms 3' + 'lease $XHB_FAST_LEASE' + '$XHB_WEB_CHECK'" ;;
	esac
}

xhb_extra() {
	case $1 in
	fast) printf 'probe 1ms 3\nlease %s\n' "$XHB_FAST_LEASE" ;;
	fenced) printf 'probe 1ms 3\nlease %s\nfenced_standby on\n' "$XHB_FAST_LEASE" ;;
	webcheck) printf 'probe 1ms 3\nlease %s\n%s\n' "$XHB_FAST_LEASE" "$XHB_WEB_CHECK" ;;
	esac
}

# The profile with a check of the web server, and when it has passed on a
# node (its check_passing event).
adapter_check_profile() { echo webcheck; }
adapter_check_ready() { lab_has_event "$1" check_passing; }

# A silent agent: dead after deadtime; a stopped agent whose XDP still
# answers: taken over once its lease has lapsed.
adapter_deadtime_ms() {
	case $1 in
	fast | fenced | webcheck)
		case $XHB_FAST_LEASE in
		*ms) echo "${XHB_FAST_LEASE%ms}" ;;
		*s) echo $(( ${XHB_FAST_LEASE%s} * 1000 )) ;;
		*) echo $(( XHB_FAST_LEASE * 1000 )) ;;
		esac
		;;
	*) echo 10000 ;;
	esac
}
adapter_startup_s() { echo 20; }
# How long to watch after the fault: the fast profile's link-down and
# power-off take milliseconds (probes), its kill and stall the lease.
adapter_post_ms() {
	case $1:$2 in
	fast:linkdown | fast:poweroff | fenced:linkdown | fenced:poweroff) echo 1000 ;;
	*) default_post_ms "$1" "$2" ;;
	esac
}
adapter_settle_ms() {
	case $1 in
	fast | fenced | webcheck) echo 500 ;;
	*) echo 4500 ;;
	esac
}
adapter_flood() { echo "udp 172.16.255.255 694 --forge xhb"; }
adapter_fence_pin() { echo "$LAB_DIR/bpf/$1/xhb/ens192"; }
# Holds the VIP: configured (ip addr) and answered for, not fenced by its
# XDP (a staged VIP, fenced_standby, is configured on the standby too).
adapter_holds() {
	lab_has_vip "$1" &&
		"$XHB_BUILD/xhbctl" -p "$(adapter_fence_pin "$1")" -j vips 2>/dev/null |
		python3 -c 'import json, sys
sys.exit(0 if any(v["vip"] == sys.argv[1] and not v["fenced"] for v in json.load(sys.stdin)) else 1)' "$LAB_VIP"
}

adapter_files() {
	local node=$1 profile=$2 d=$LAB_DIR/$1
	mkdir -p "$d/ha.d" "$d/log" "$d/run" "$LAB_DIR/bpf/$node"
	cp "$LAB_FIXTURES/ha.cf" "$LAB_FIXTURES/haresources" "$LAB_FIXTURES/authkeys" "$d/ha.d/"
	xhb_extra "$profile" >>"$d/ha.d/ha.cf"
	chmod 600 "$d/ha.d/authkeys"
}

adapter_start() { lab_start "$1"; }

adapter_pids() { lab_pid "$1"; }

adapter_stop() {
	local pid
	pid=$(lab_pid "$1") && kill -CONT "$pid" 2>/dev/null
	lab_stop "$1" TERM
}
