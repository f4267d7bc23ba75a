#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# The routed lab: the servers in different subnets, a router between them
# and the client, the VIP announced by BGP. Network namespaces only; no
# route out (the router's table holds the lab's subnets and nothing else).
#
#   client 10.61.3.2 --- rtr (bird2, AS 65000) --- sw --- srv1 10.61.1.10 (bird2, AS 65001)
#                         10.61.{1,2,3}.1        \--- sw --- srv2 10.61.2.40 (bird2, AS 65002)
#
# sw is a switch: a namespace with a bridge per server subnet, so that a
# server's link down or power-off leaves the router's link up.
#
# VIP 10.61.0.30/32. eBGP from each server to the router, BFD on both
# sessions (ROUTED_BFD_MS x ROUTED_BFD_MULT, default 10 ms x 3). Each bird
# is a private instance: its own config, control socket and log under
# LAB_DIR/NODE/bird, started in the foreground in its namespace, its PID
# recorded and stopped by PID; never the system's service.
#
# Two ways of announcing the VIP (ROUTED_MODE):
#   xhb  xhbd holds the VIP on lo and its host route in kernel table 100,
#        proto 248 (`announce 0 route`); each server's bird learns that
#        table (protocol kernel { kernel table 100; learn; }) and exports
#        the route with its metric as MED; the router prefers the lowest
#        MED (`med metric`): a takeover's metric wins at once.
#   bfd  the routing daemons alone: both servers hold the VIP on lo and
#        announce it statically, srv2's path prepended; the router moves
#        to srv2 only once BFD (or the hold timer) drops srv1's session.
# The servers reach each other (heartbeats, `ucast`) through the router.
#
#   tools/lab_routed.sh up [xhb|bfd]   build it (and start the agents), exit
#   tools/lab_routed.sh down           remove everything it made
#
# Sourced by selftests/e2e/routed_*.sh and bench/routed.sh after
# tools/lab.sh, whose helpers it reuses (agents, web servers, prober).
set -uo pipefail

if ! declare -F lab_setup >/dev/null; then
	# by hand: names of its own, apart from tools/lab.sh's
	LAB_PREFIX=${LAB_PREFIX:-routed-}
	# shellcheck source=lab.sh
	source "$(dirname "${BASH_SOURCE[0]}")/lab.sh"
fi

LAB_VIP=10.61.0.30
LAB_NODES=(srv1 srv2)
LAB_IP=([srv1]=10.61.1.10 [srv2]=10.61.2.40 [client]=10.61.3.2)
LAB_FIXTURES=$XHB_TOP/selftests/fixtures/routed
declare -A ROUTED_GW=([srv1]=10.61.1.1 [srv2]=10.61.2.1 [client]=10.61.3.1)
declare -A ROUTED_AS=([rtr]=65000 [srv1]=65001 [srv2]=65002)
ROUTED_MODE=${ROUTED_MODE:-xhb}
ROUTED_BFD_MS=${ROUTED_BFD_MS:-10}
ROUTED_BFD_MULT=${ROUTED_BFD_MULT:-3}
ROUTED_TABLE=100
ROUTED_PROTO=248
ROUTED_BIRD=${ROUTED_BIRD:-/usr/sbin/bird}
ROUTED_BIRDC=${ROUTED_BIRDC:-/usr/sbin/birdc}

routed_log() { printf '[routed] %s\n' "$*" >&2; }

# ---- bird: one private instance per namespace ----------------------------

routed_bird_dir() { echo "$LAB_DIR/$1/bird"; }

# What every bird says first: its id, its log, the interfaces, BFD.
_routed_bird_head() { # node router_id
	cat <<EOF
# $1's private bird, written by tools/lab_routed.sh: not the system's
router id $2;
log "$(routed_bird_dir "$1")/bird.log" all;
protocol device { scan time 10; }
protocol bfd {
	interface "*" {
		min rx interval $ROUTED_BFD_MS ms;
		min tx interval $ROUTED_BFD_MS ms;
		multiplier $ROUTED_BFD_MULT;
	};
}
EOF
}

# The router: both sessions, the VIP's host routes only, into its main
# table; equal paths merged (anycast: ECMP). `med metric`: the MEDs of
# the two servers' paths are compared although they come from different
# ASes, so the lower metric (a takeover's) wins.
routed_bird_conf_rtr() {
	_routed_bird_head rtr "${ROUTED_GW[client]}"
	cat <<EOF
filter xhb_vips {
	if net ~ [ 10.61.0.0/24{32,32} ] then accept;
	reject;
}
protocol kernel {
	ipv4 { import none; export all; };
	merge paths on;
}
template bgp server {
	local as ${ROUTED_AS[rtr]};
	hold time 3;
	connect retry time 1;
	error wait time 1, 2;
	bfd on;
	med metric on;
	ipv4 { import filter xhb_vips; export none; };
}
protocol bgp srv1 from server { neighbor ${LAB_IP[srv1]} as ${ROUTED_AS[srv1]}; local ${ROUTED_GW[srv1]}; }
protocol bgp srv2 from server { neighbor ${LAB_IP[srv2]} as ${ROUTED_AS[srv2]}; local ${ROUTED_GW[srv2]}; }
EOF
}

# A server. xhb: the docs' snippet (docs/man/xhb.conf.5.scd, ROUTING
# MODE): table 100 learnt, proto 248 only, MED from the route's metric.
# bfd: the VIP announced statically, srv2's path prepended.
routed_bird_conf_srv() { # node
	local node=$1
	_routed_bird_head "$node" "${LAB_IP[$node]}"
	if [ "$ROUTED_MODE" = xhb ]; then
		cat <<EOF
protocol kernel xhb_routes {
	kernel table $ROUTED_TABLE;
	learn;
	ipv4 { import where krt_source = $ROUTED_PROTO; export none; };
}
filter to_router {
	if proto = "xhb_routes" then {
		bgp_med = krt_metric;
		accept;
	}
	reject;
}
EOF
	else
		cat <<EOF
protocol static vip { ipv4; route $LAB_VIP/32 via "lo"; }
filter to_router {
	if proto = "vip" then {
		$([ "$node" = srv2 ] && echo "bgp_path.prepend(${ROUTED_AS[srv2]});")
		accept;
	}
	reject;
}
EOF
	fi
	cat <<EOF
protocol bgp rtr {
	local ${LAB_IP[$node]} as ${ROUTED_AS[$node]};
	neighbor ${ROUTED_GW[$node]} as ${ROUTED_AS[rtr]};
	hold time 3;
	connect retry time 1;
	error wait time 1, 2;
	bfd on;
	ipv4 { import none; export filter to_router; };
}
EOF
}

# Start NODE's bird (rtr, srv1, srv2) in the foreground in its namespace;
# its PID in bird.pid.
routed_bird_start() { # node
	local node=$1 d
	d=$(routed_bird_dir "$node")
	mkdir -p "$d"
	if [ "$node" = rtr ]; then routed_bird_conf_rtr; else routed_bird_conf_srv "$node"; fi >"$d/bird.conf"
	ip netns exec "$(lab_ns "$node")" "$ROUTED_BIRD" -f -c "$d/bird.conf" -s "$d/bird.ctl" \
		-P "$d/bird.run.pid" </dev/null >"$d/stderr.log" 2>&1 &
	echo $! >"$d/bird.pid"
	disown $!
}

# An exec check for ha.cf (`check bgp exec $LAB_DIR/bgp-session-up ...`):
# the node's own bird has its session with the router established. A
# server cut from the router then refuses its groups, and does not win
# them back from the node that took over when the path returns (its
# session still down: the router could not send it anything).
routed_session_check() {
	cat >"$LAB_DIR/bgp-session-up" <<EOF
#!/bin/sh
# written by tools/lab_routed.sh: run by xhbd in a server's namespaces
$ROUTED_BIRDC -s "$LAB_DIR/\$(hostname)/bird/bird.ctl" show protocols rtr | grep -q Established
EOF
	chmod 0755 "$LAB_DIR/bgp-session-up"
}

routed_bird_pid() { # node: its pid when it runs
	local f pid
	f=$(routed_bird_dir "$1")/bird.pid
	[ -s "$f" ] || return 1
	pid=$(cat "$f")
	kill -0 "$pid" 2>/dev/null && echo "$pid"
}

routed_bird_stop() { # node
	local pid
	pid=$(routed_bird_pid "$1") || return 0
	kill -TERM "$pid" 2>/dev/null
	lab_poll 5 lab_gone "$pid" || kill -KILL "$pid" 2>/dev/null
	rm -f "$(routed_bird_dir "$1")/bird.pid"
}

routed_birdc() { # node command...
	local node=$1
	shift
	ip netns exec "$(lab_ns "$node")" "$ROUTED_BIRDC" -s "$(routed_bird_dir "$node")/bird.ctl" "$@"
}

# The router's session with NODE is established.
routed_session_up() { # node
	routed_birdc rtr show protocols "$1" 2>/dev/null | grep -q Established
}

# The router's kernel route to the VIP: "srv1", "srv2", "srv1 srv2"
# (ECMP) or "" (none).
routed_path() {
	local out node via=()
	out=$(ip -n "$(lab_ns rtr)" -4 route show "$LAB_VIP/32" 2>/dev/null)
	for node in srv1 srv2; do
		grep -q "via ${LAB_IP[$node]} " <<<"$out " && via+=("$node")
	done
	echo "${via[*]}"
}
routed_path_is() { [ "$(routed_path)" = "$*" ]; }

# ---- the VIP on a server: on lo, and its host route ----------------------

routed_has_vip() { # node
	local out i
	for i in 1 2 3; do
		out=$(lab_exec "$1" ip -o -4 addr show dev lo 2>/dev/null)
		[ -n "$out" ] && break
	done
	[[ $out == *" $LAB_VIP/32 "* ]]
}

# Node's host route for the VIP in table 100, proto 248: its metric, or
# nothing.
routed_route_metric() { # node
	lab_exec "$1" ip -4 route show table "$ROUTED_TABLE" "$LAB_VIP/32" proto "$ROUTED_PROTO" 2>/dev/null |
		sed -n 's/.* metric \([0-9]*\).*/\1/p' | sort -n | head -n 1
}
routed_has_route() { [ -n "$(routed_route_metric "$1")" ]; }

# ---- build and remove ----------------------------------------------------

# NODE's link: its ens192 to a port of the switch (namespace sw, one
# bridge per server subnet), the bridge to the router's end (named after
# the node). The client is wired to the router directly. Through a switch
# a server's link down or power-off leaves the router's link up, as in a
# rack: only BFD, or xhb, tells the router.
routed_link() { # node
	local node=$1 rtr sw
	rtr=$(lab_ns rtr)
	sw=$(lab_ns sw)
	ip netns add "$(lab_ns "$node")" || return 1
	if [ "$node" = client ]; then
		ip link add ens192 netns "$(lab_ns "$node")" type veth peer name "$node" netns "$rtr" || return 1
	else
		ip -n "$sw" link add "br-$node" type bridge || return 1
		ip -n "$sw" link set "br-$node" up
		ip link add ens192 netns "$(lab_ns "$node")" type veth peer name "$node" netns "$sw" || return 1
		ip link add "up-$node" netns "$sw" type veth peer name "$node" netns "$rtr" || return 1
		ip -n "$sw" link set "$node" master "br-$node" up
		ip -n "$sw" link set "up-$node" master "br-$node" up
		# XDP_TX on a veth reaches the peer only when the peer runs
		# XDP (see tools/lab.sh): the servers' probe replies.
		ip -n "$sw" link set dev "$node" xdpdrv obj "$XHB_BUILD/xdp_pass.bpf.o" sec xdp || return 1
	fi
	ip -n "$rtr" addr add "${ROUTED_GW[$node]}/24" dev "$node"
	ip -n "$rtr" link set "$node" up
	lab_exec "$node" ip link set lo up
	lab_exec "$node" ip addr add "${LAB_IP[$node]}/24" dev ens192
	lab_exec "$node" ip link set ens192 up
	# the lab's subnets through the router, nothing else
	lab_exec "$node" ip route add 10.61.0.0/16 via "${ROUTED_GW[$node]}"
}

routed_setup() {
	local node rtr
	rtr=$(lab_ns rtr)
	[ -x "$ROUTED_BIRD" ] || { routed_log "$ROUTED_BIRD is not installed (tools/deps.sh installs bird2)"; return 1; }
	lab_teardown_quiet
	mkdir -p "$LAB_DIR/bpf"
	mountpoint -q "$LAB_DIR/bpf" || mount -t bpf bpffs "$LAB_DIR/bpf" || return 1
	ip netns add "$rtr" || return 1
	ip netns add "$(lab_ns sw)" || return 1
	ip -n "$rtr" link set lo up
	ip netns exec "$rtr" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.fib_multipath_hash_policy=1 || return 1
	for node in srv1 srv2 client; do
		routed_link "$node" || return 1
	done
	for node in "${LAB_NODES[@]}"; do
		lab_node_files "$node" || return 1
		# a node's own address is not its peer
		sed -i "/^ucast ens192 ${LAB_IP[$node]//./\\.}\$/d" "$LAB_DIR/$node/ha.d/ha.cf"
		if [ "$ROUTED_MODE" = bfd ]; then
			lab_exec "$node" ip addr add "$LAB_VIP/32" dev lo
		fi
		lab_services "$node" || return 1
	done
	routed_session_check
	for node in rtr "${LAB_NODES[@]}"; do
		routed_bird_start "$node"
	done
	lab_wait_links || return 1
	for node in "${LAB_NODES[@]}"; do
		lab_web_wait "$node" 15 || return 1
		lab_poll 15 lab_services_answer "$node" ||
			{ routed_log "$node's web server or UDP echo did not answer within 15 s"; return 1; }
		lab_poll 20 routed_session_up "$node" ||
			{ routed_log "the router's BGP session with $node did not come up in 20 s"; routed_birdc rtr show protocols all "$node" >&2; return 1; }
	done
}

# lab.sh's teardown: the routing daemons stop first, then the servers;
# the router's and the switch's namespaces go with theirs.
routed_birds_stop() {
	local node
	for node in rtr "${LAB_NODES[@]}"; do
		routed_bird_stop "$node"
	done
}
LAB_OTHER_NS=(rtr sw)
LAB_BEFORE_TEARDOWN=routed_birds_stop

# ---- faults between srv1 and the router ----------------------------------

# Silent path loss: every frame between NODE and the router dropped, both
# ways, every link up (nftables on the switch's bridge).
routed_path_loss() { # node on|off
	local sw
	sw=$(lab_ns sw)
	if [ "$2" = on ]; then
		ip netns exec "$sw" nft -f - <<NFT
table bridge routed_loss_$1 {
	chain forward {
		type filter hook forward priority -200;
		iifname "$1" drop
		oifname "$1" drop
	}
}
NFT
	else
		ip netns exec "$sw" nft delete table bridge "routed_loss_$1" 2>/dev/null
	fi
}

# Power off: the NIC stops first (link down: its XDP sees nothing more),
# then every process in the namespace (the agent, bird, the web server,
# the echo) is SIGKILLed; the switch keeps the router's link up. Not a
# deleted veth, as bench/failover.sh does: deleting a veth with XDP holds
# the kernel's RTNL lock for tens of ms (synchronize_net), and in this
# one-kernel lab that stalls the survivor's own netlink requests (its VIP,
# its route), which a real power-off does not.
routed_poweroff_cmd() { # node: the commands, for sh -c
	local ns
	ns=$(lab_ns "$1")
	echo "ip -n $ns link set ens192 down; kill -KILL \$(ip netns pids $ns) 2>/dev/null"
}
routed_poweroff() { # node
	sh -c "$(routed_poweroff_cmd "$1")"
	rm -f "$LAB_DIR/$1/web.pid" "$LAB_DIR/$1/echo.pid" "$LAB_DIR/$1/xhbd.pid" "$(routed_bird_dir "$1")/bird.pid"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	up)
		ROUTED_MODE=${2:-xhb}
		[ "$ROUTED_MODE" = xhb ] && LAB_HACF_EXTRA='probe 1ms 3\nannounce 0 route\n'
		routed_setup || exit 1
		if [ "$ROUTED_MODE" = xhb ]; then
			lab_start srv1 && lab_start srv2
			lab_poll 15 routed_path_is srv1 || { routed_log "the router has no path to $LAB_VIP through srv1"; exit 1; }
		fi
		routed_log "routed lab up ($ROUTED_MODE): tools/lab_routed.sh down removes it"
		;;
	down) lab_teardown ;;
	*)
		echo "usage: $0 up [xhb|bfd]|down" >&2
		exit 2
		;;
	esac
fi
