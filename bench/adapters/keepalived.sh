# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# shellcheck shell=bash
# Failover benchmark adapter: keepalived 2.2.x (Debian's `keepalived`),
# VRRP only (-P), one instance for the VIP on ens192, multicast adverts to
# 224.0.0.18 inside the lab. Both nodes start BACKUP with `nopreempt`
# (the seed's auto_failback off); srv1 has the higher priority and is
# started first, so it is the master when the fault comes.
#
# keepalived runs as `keepalived -f FILE -n -l -D -P -p PID -r PID`, with
# its own config and pid files in the node's lab directory (bind-mounted
# on /etc/keepalived), in the node's network namespace and its own mount +
# UTS namespace (hostname is the node name; /run is the node's own, so
# nothing of the host's is touched). The API is described in bench/adapters/heartbeat.sh.
#
# Profiles:
#   advert1s  VRRPv2, advert_int 1 (keepalived's default)
#   fast      VRRPv3, advert_int 0.01: the smallest keepalived accepts
#             (centisecond field of VRRPv3)

KA_BIN=${KA_BIN:-/usr/sbin/keepalived}

adapter_packages() { echo keepalived; }
adapter_version() { dpkg-query -W -f='keepalived ${Version}' keepalived 2>/dev/null; }
adapter_profiles() { echo advert1s fast; }
adapter_start_order() { echo srv1-first; }

ka_advert() { [ "$1" = fast ] && echo 0.01 || echo 1; }

adapter_describe() {
	case $1 in
	advert1s) echo "VRRPv2, advert_int 1, priorities 150/100, nopreempt" ;;
	fast) echo "VRRPv3, advert_int 0.01, priorities 150/100, nopreempt" ;;
	esac
}

# Master down interval (RFC 5798): 3 x advert + skew, skew =
# (256 - priority) / 256 x advert; srv2 has priority 100.
adapter_deadtime_ms() {
	case $1 in
	fast) echo 36 ;;
	*) echo 3610 ;;
	esac
}
adapter_startup_s() { echo 15; }
adapter_settle_ms() {
	case $1 in
	fast) echo 500 ;;
	*) echo 2500 ;;
	esac
}
adapter_flood() { echo "vrrp 224.0.0.18 --vrid 51 --vip 172.16.193.30"; }
adapter_fence_pin() { :; }

adapter_files() {
	local node=$1 profile=$2 d=$LAB_DIR/$1/ka prio=100 version=2
	[ "$node" = srv1 ] && prio=150
	[ "$profile" = fast ] && version=3
	rm -rf "$d"
	mkdir -p "$d/run" "$d/log"
	cat >"$d/keepalived.conf" <<CONF
global_defs {
	router_id $node
	vrrp_version $version
	script_user root
	enable_script_security
}
vrrp_instance VI_1 {
	state BACKUP
	nopreempt
	interface ens192
	virtual_router_id 51
	priority $prio
	advert_int $(ka_advert "$profile")
	virtual_ipaddress {
		172.16.193.30/16 dev ens192
	}
}
CONF
}

adapter_start() {
	local node=$1 d=$LAB_DIR/$1/ka
	# The node's directory becomes its /etc/keepalived (config and pid
	# files), then /run its own: the lab's paths under /run are hidden
	# after that, so keepalived is given /etc/keepalived paths.
	ip netns exec "$(lab_ns "$node")" unshare --mount --uts --propagation private sh -c '
		hostname "$1" &&
		mount --bind "$2" /etc/keepalived &&
		mount --bind "$2/run" /run &&
		exec "$3" -f /etc/keepalived/keepalived.conf -n -l -D -P \
			-p /etc/keepalived/keepalived.pid -r /etc/keepalived/vrrp.pid' \
		ka "$node" "$d" "$KA_BIN" >"$d/log/keepalived.log" 2>&1 &
	disown $!
}

# The parent (the process started), then the VRRP child.
adapter_pids() {
	local d=$LAB_DIR/$1/ka pid
	for f in "$d/keepalived.pid" "$d/vrrp.pid"; do
		[ -s "$f" ] || continue
		pid=$(tr -dc '0-9' <"$f")
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
	done
}

adapter_stop() {
	# shellcheck disable=SC2046
	end_pids $(adapter_pids "$1")
}
