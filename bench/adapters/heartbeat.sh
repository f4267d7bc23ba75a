# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# shellcheck shell=bash
# Failover benchmark adapter: Linux-HA Heartbeat 3.0.6 (Debian's
# `heartbeat`), haresources mode (no CRM), IPaddr moving the VIP.
#
# Heartbeat keeps its state in fixed places: /etc/ha.d, /var/lib/heartbeat,
# /run/heartbeat (+ /run/heartbeat.pid, /run/resource-agents) and takes its
# node name from uname -n. Each node therefore runs in its own mount and
# UTS namespace (inside its network namespace) where per-node directories
# of the lab are bind-mounted over those paths, and /var/log over the
# node's log directory (ha.cf's logfile /var/log/ha-log).
#
# Profiles:
#   seed  the seed's ha.cf, haresources, authkeys unchanged
#         (keepalive 2, deadtime 10, warntime 6, initdead 60)
#   fast  the same files with the fastest timers Heartbeat 3.0.6 accepts
#         and runs stably on this lab (see HB_FAST_* below and
#         bench/failover.md: what was tried, what it refused)
# The adapter API (bench/failover.sh calls these; $LAB_DIR, lab_ns,
# LAB_FIXTURES come from tools/lab.sh):
#   adapter_packages, adapter_version, adapter_profiles, adapter_describe P,
#   adapter_files NODE P, adapter_start NODE P, adapter_stop NODE,
#   adapter_pids NODE (daemon processes, main first), adapter_deadtime_ms P
#   (after how long the peer acts on a silent daemon), adapter_startup_s P,
#   adapter_settle_ms P, adapter_flood P (failover_flood arguments),
#   adapter_fence_pin NODE (xhb only), adapter_start_order; optional:
#   adapter_post_ms P FAULT, adapter_check_profile (the profile with a
#   check of the web server, for bench/service_crash.sh; Heartbeat has none)
#   and adapter_check_ready NODE (that check has passed on NODE).

HB_BIN=/usr/libexec/heartbeat/heartbeat
# Fastest accepted: Heartbeat parses milliseconds and refuses none of
# these, but 5ms/20ms flaps on the idle lab within seconds ("Late
# heartbeat", "Both machines own our resources"); 10ms/40ms ran 40 s idle
# without a warning (found by trying; see bench/failover.md).
HB_FAST_KEEPALIVE=${HB_FAST_KEEPALIVE:-10ms}
HB_FAST_DEADTIME=${HB_FAST_DEADTIME:-40ms}
HB_FAST_WARNTIME=${HB_FAST_WARNTIME:-30ms}
HB_FAST_INITDEAD=${HB_FAST_INITDEAD:-10}

adapter_packages() { echo heartbeat; }
adapter_version() { dpkg-query -W -f='heartbeat ${Version}' heartbeat 2>/dev/null; }
adapter_profiles() { echo seed fast; }
adapter_start_order() { echo together; }

adapter_describe() {
	case $1 in
	seed) echo "seed ha.cf unchanged: keepalive 2, deadtime 10, warntime 6, initdead 60, bcast ens192" ;;
	fast) echo "seed files, keepalive $HB_FAST_KEEPALIVE, deadtime $HB_FAST_DEADTIME, warntime $HB_FAST_WARNTIME, initdead $HB_FAST_INITDEAD" ;;
	esac
}

hb_ms() { # Heartbeat time -> ms
	case $1 in
	*ms) echo "${1%ms}" ;;
	*) echo $(( $1 * 1000 )) ;;
	esac
}

adapter_deadtime_ms() {
	case $1 in
	seed) echo 10000 ;;
	fast) hb_ms "$HB_FAST_DEADTIME" ;;
	esac
}
# Heartbeat takes its resources after both nodes exchanged status and ran
# the resource scripts: a few keepalives.
adapter_startup_s() { echo 40; }
adapter_settle_ms() {
	case $1 in
	seed) echo 5000 ;;
	fast) echo 1000 ;;
	esac
}
adapter_flood() { echo "udp 172.16.255.255 694 --forge heartbeat"; }
adapter_fence_pin() { :; }

adapter_files() {
	local node=$1 profile=$2 hb=$LAB_DIR/$1/hb
	rm -rf "$hb"
	mkdir -p "$hb/etc" "$hb/lib" "$hb/run" "$hb/log"
	cp -a /etc/ha.d/. "$hb/etc/"
	cp -a /var/lib/heartbeat/. "$hb/lib/"
	cp "$LAB_FIXTURES/ha.cf" "$LAB_FIXTURES/haresources" "$LAB_FIXTURES/authkeys" "$hb/etc/"
	chmod 600 "$hb/etc/authkeys"
	if [ "$profile" = fast ]; then
		sed -i -e "s/^keepalive .*/keepalive $HB_FAST_KEEPALIVE/" \
			-e "s/^deadtime .*/deadtime $HB_FAST_DEADTIME/" \
			-e "s/^warntime .*/warntime $HB_FAST_WARNTIME/" \
			-e "s/^initdead .*/initdead $HB_FAST_INITDEAD/" "$hb/etc/ha.cf"
	fi
	# what tmpfiles.d/heartbeat.conf makes at boot, in the node's own /run
	install -d -m 0750 -o hacluster -g haclient "$hb/run/heartbeat" "$hb/run/heartbeat/ccm" \
		"$hb/run/heartbeat/crm" "$hb/run/heartbeat/dopd" "$hb/run/crm"
	install -d -m 0755 "$hb/run/resource-agents" "$hb/run/lock"
}

adapter_start() {
	local node=$1 hb=$LAB_DIR/$1/hb
	# Mount /run last: after it, the lab's paths under /run are hidden
	# inside this namespace (the mounts made before stay).
	ip netns exec "$(lab_ns "$node")" unshare --mount --uts --propagation private sh -c '
		hostname "$1" &&
		mount --bind "$2/etc" /etc/ha.d &&
		mount --bind "$2/lib" /var/lib/heartbeat &&
		mount --bind "$2/log" /var/log &&
		mount --bind "$2/run" /run &&
		exec "$3"' hb "$node" "$hb" "$HB_BIN" >"$hb/stdout" 2>&1 &
	disown $!
}

# The master control process (its pid file), then its children.
adapter_pids() {
	local f=$LAB_DIR/$1/hb/run/heartbeat.pid pid
	[ -s "$f" ] || return 0
	pid=$(tr -dc '0-9' <"$f") # Heartbeat pads it with blanks
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	echo "$pid"
	pgrep -P "$pid" 2>/dev/null
}

adapter_stop() {
	# shellcheck disable=SC2046
	end_pids $(adapter_pids "$1")
}
