#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# The seed lab in network namespaces: srv1 (172.16.193.10) and srv2
# (172.16.193.40) on ens192 share the VIP 172.16.193.30/16; a client
# (172.16.193.1) asks for it. A bridge namespace joins them. Nothing
# touches the root namespace: no address, no route, no interface.
#
#   tools/lab.sh demo      the whole story: SRV1, link down, SRV2, outage
#   tools/lab.sh up        build the lab and start both agents, then exit
#   tools/lab.sh down      remove everything the lab made
#
# Each node runs in its own mount and UTS namespace, so it has its own
# hostname (uname -n says srv1), its own /var/log (ha-log) and /run/xhb
# (control socket), and its own /sys/fs/bpf: a directory of a bpffs that
# the lab mounts under $LAB_DIR, so pins outlive the agent (restarts adopt
# them) and stay visible from the root mount namespace.
#
# Sourced by the end-to-end tests (LAB_PREFIX keeps their namespaces apart).
set -uo pipefail

XHB_TOP=${XHB_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
XHB_BUILD=${XHB_BUILD:-$XHB_TOP/build}
LAB_PREFIX=${LAB_PREFIX:-}
LAB_DIR=${LAB_DIR:-/run/xhb-lab${LAB_PREFIX:+-${LAB_PREFIX%-}}}
LAB_VIP=172.16.193.30
LAB_NODES=(srv1 srv2)
declare -A LAB_IP=([srv1]=172.16.193.10 [srv2]=172.16.193.40 [client]=172.16.193.1)
LAB_FIXTURES=${LAB_FIXTURES:-$XHB_TOP/selftests/fixtures/lab}

lab_ns() { echo "${LAB_PREFIX}$1"; }
lab_exec() { # node cmd...: run in the node's network namespace
	local node=$1
	shift
	ip netns exec "$(lab_ns "$node")" "$@"
}

lab_log() { printf '[lab] %s\n' "$*" >&2; }

# The agent's pid, or nothing.
lab_pid() {
	local f=$LAB_DIR/$1/xhbd.pid
	[ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
}

# Run a command inside a node as its agent sees the world (same network,
# mount and UTS namespaces): xhbctl, bpftool map dump, ip addr.
lab_in_node() {
	local node=$1 pid
	shift
	pid=$(lab_pid "$node") || {
		lab_log "no agent running on $node"
		return 1
	}
	nsenter -t "$pid" -n -m -u --wd="$PWD" "$@"
}

lab_setup() {
	local node br
	br=$(lab_ns lanbr)
	lab_teardown_quiet
	mkdir -p "$LAB_DIR/bpf"
	mountpoint -q "$LAB_DIR/bpf" || mount -t bpf bpffs "$LAB_DIR/bpf" || return 1
	ip netns add "$br" || return 1
	ip -n "$br" link add br0 type bridge || return 1
	ip -n "$br" link set br0 up
	ip -n "$br" link set lo up
	for node in "${LAB_NODES[@]}" client; do
		ip netns add "$(lab_ns "$node")" || return 1
		ip link add ens192 netns "$(lab_ns "$node")" type veth peer name "$node" netns "$br" || return 1
		ip -n "$br" link set "$node" master br0 up
		# XDP_TX on a veth reaches the peer only when the peer runs XDP
		# itself (GRO alone was not enough on 6.18: RX drops).
		ip -n "$br" link set dev "$node" xdpdrv obj "$XHB_BUILD/xdp_pass.bpf.o" sec xdp || return 1
		lab_exec "$node" ip link set lo up
		# brd +: a broadcast address, as ifupdown sets one (Heartbeat's
		# bcast sends to it)
		lab_exec "$node" ip addr add "${LAB_IP[$node]}/16" brd + dev ens192
		lab_exec "$node" ip link set ens192 up
	done
	for node in "${LAB_NODES[@]}"; do
		lab_node_files "$node" || return 1
		lab_services "$node" || return 1
	done
	lab_wait_links
}

# The node's files: the seed's ha.cf, haresources, authkeys (unchanged),
# plus the lines the caller adds (LAB_HACF_EXTRA, default the fast probe).
lab_node_files() {
	local node=$1 d=$LAB_DIR/$1
	mkdir -p "$d/ha.d" "$d/log" "$d/run" "$d/www" "$LAB_DIR/bpf/$node"
	cp "$LAB_FIXTURES/ha.cf" "$LAB_FIXTURES/haresources" "$LAB_FIXTURES/authkeys" "$d/ha.d/"
	printf '%b' "${LAB_HACF_EXTRA-probe 1ms 3\n}" >>"$d/ha.d/ha.cf"
	chmod 600 "$d/ha.d/authkeys"
	echo "IT WORKS ${node^^}" >"$d/www/index.html"
}

# What the lab's servers run: a web server (the seed's Apache page) and a
# UDP echo naming the server, for millisecond measurements.
lab_services() {
	local node=$1 d=$LAB_DIR/$1
	ip netns exec "$(lab_ns "$node")" python3 -m http.server 80 --bind 0.0.0.0 --directory "$d/www" \
		>"$d/http.log" 2>&1 &
	echo $! >"$d/http.pid"
	disown $!
	ip netns exec "$(lab_ns "$node")" "$XHB_BUILD/vipcheck" serve "${node^^}" >/dev/null 2>&1 &
	echo $! >"$d/echo.pid"
	disown $!
}

lab_wait_links() {
	local i
	for i in $(seq 50); do
		lab_exec client ping -c1 -W1 -q "${LAB_IP[srv2]}" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	lab_log "the lab's links did not come up"
	return 1
}

# Start xhbd on a node, in its own mount/UTS namespace (see the top).
lab_start() {
	local node=$1 d=$LAB_DIR/$1
	shift
	mkdir -p /run/xhb
	# Not through lab_exec: $! must be the agent itself, not a subshell.
	ip netns exec "$(lab_ns "$node")" unshare --mount --uts --propagation private sh -c '
		hostname "$1" &&
		mount --bind "$2/log" /var/log &&
		mount --bind "$2/run" /run/xhb &&
		mount --bind "$3" /sys/fs/bpf &&
		shift 3 && exec "$@"' lab "$node" "$d" "$LAB_DIR/bpf/$node" \
		"$XHB_BUILD/xhbd" -c "$d/ha.d" "$@" >>"$d/events.json" 2>>"$d/xhbd.err" &
	echo $! >"$d/xhbd.pid"
	disown $!
}

lab_stop() { # node [signal]
	local pid
	pid=$(lab_pid "$1") || return 0
	kill -"${2:-TERM}" "$pid" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	rm -f "$LAB_DIR/$1/xhbd.pid"
	return 0
}

# Does node hold the VIP (ip addr in its namespace)?
lab_has_vip() {
	lab_exec "$1" ip -o -4 addr show dev ens192 2>/dev/null | grep -q " $LAB_VIP/"
}

# Wait up to $2 seconds (default 10) for node to hold the VIP.
lab_wait_vip() {
	local node=$1 tries=$(( ${2:-10} * 20 ))
	while [ "$tries" -gt 0 ]; do
		lab_has_vip "$node" && return 0
		sleep 0.05
		tries=$((tries - 1))
	done
	return 1
}

# Wait up to $3 seconds for an event named $2 in node's events.
lab_wait_event() {
	local node=$1 event=$2 tries=$(( ${3:-10} * 20 ))
	while [ "$tries" -gt 0 ]; do
		grep -q "\"event\":\"$event\"" "$LAB_DIR/$node/events.json" 2>/dev/null && return 0
		sleep 0.05
		tries=$((tries - 1))
	done
	return 1
}

lab_curl() {
	lab_exec client curl -s --max-time 2 "http://$LAB_VIP/"
}

lab_kill_pidfile() {
	local f=$1 pid
	[ -s "$f" ] || return 0
	pid=$(cat "$f")
	kill "$pid" 2>/dev/null
	rm -f "$f"
}

lab_teardown_quiet() {
	local node
	for node in "${LAB_NODES[@]}"; do
		lab_stop "$node" TERM
		lab_kill_pidfile "$LAB_DIR/$node/http.pid"
		lab_kill_pidfile "$LAB_DIR/$node/echo.pid"
	done
	for node in "${LAB_NODES[@]}" client lanbr; do
		ip netns del "$(lab_ns "$node")" 2>/dev/null
	done
	if mountpoint -q "$LAB_DIR/bpf" 2>/dev/null; then
		umount "$LAB_DIR/bpf"
	fi
	rm -rf "$LAB_DIR"
	return 0
}

lab_teardown() {
	lab_teardown_quiet
}

# Events of a node, one compact line each, for people.
lab_show_events() {
	local node=$1
	[ -f "$LAB_DIR/$node/events.json" ] || return 0
	sed "s/^/  $node | /" "$LAB_DIR/$node/events.json"
}

lab_demo() {
	local out watch
	trap lab_teardown EXIT INT TERM
	lab_log "building the seed lab: srv1 ${LAB_IP[srv1]}, srv2 ${LAB_IP[srv2]}, client ${LAB_IP[client]}, VIP $LAB_VIP/16 on ens192"
	lab_setup || { lab_log "lab setup failed"; return 1; }
	lab_log "ha.cf: the seed's file plus 'probe 1ms 3'"
	lab_start srv1
	lab_start srv2
	if ! lab_wait_vip srv1 15; then
		lab_log "srv1 did not take the VIP"
		cat "$LAB_DIR"/srv*/xhbd.err >&2
		return 1
	fi
	sleep 0.3
	out=$(lab_curl)
	lab_log "client: curl http://$LAB_VIP/ -> $out"
	[ "$out" = "IT WORKS SRV1" ] || { lab_log "expected SRV1"; return 1; }

	lab_log "client: one UDP request to the VIP every 1 ms; srv1: ip link set ens192 down (the lab's ifdown)"
	lab_exec client "$XHB_BUILD/vipcheck" watch "$LAB_VIP" --interval-us 1000 --duration-ms 3000 --json \
		>"$LAB_DIR/watch.json" &
	watch=$!
	sleep 1
	lab_exec srv1 ip link set ens192 down
	lab_wait_vip srv2 10 || { lab_log "srv2 did not take the VIP"; return 1; }
	wait "$watch"
	out=$(lab_curl)
	lab_log "client: curl http://$LAB_VIP/ -> $out"
	[ "$out" = "IT WORKS SRV2" ] || { lab_log "expected SRV2"; return 1; }

	echo
	echo "Events (JSON lines, as shipped to a log pipeline):"
	lab_show_events srv1
	lab_show_events srv2
	echo
	echo "VIP on srv2 (ip addr): $(lab_exec srv2 ip -o -4 addr show dev ens192 | awk '{print $4, $NF}' | tr '\n' ' ')"
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] == "peer_dead":
        print("srv2 judged srv1 dead %.1f ms after its last sign of life" % e["detection_ms"])
    if e["event"] == "group_acquire" and e["reason"] != "adopted":
        print("srv2 took the VIP in %.2f ms (%s)" % (e["duration_ms"], e["reason"]))
' "$LAB_DIR/srv2/events.json"
	echo "client-visible outage (vipcheck, 1 ms requests):"
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print("  outage %.1f ms, %d of %d requests lost, served by %s, answered by both servers: %d" %
      (r["outage_ms"], r["lost"], r["requests"], " then ".join(r["servers"]), r["both_answered"]))
' "$LAB_DIR/watch.json"
	cp "$LAB_DIR/watch.json" "${XHB_DEMO_RESULT:-/dev/null}" 2>/dev/null
	return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-demo} in
	demo) lab_demo ;;
	up)
		lab_setup && lab_start srv1 && lab_start srv2 && lab_wait_vip srv1 15 &&
			lab_log "lab up: tools/lab.sh down removes it"
		;;
	down) lab_teardown ;;
	*)
		echo "usage: $0 demo|up|down" >&2
		exit 2
		;;
	esac
fi
