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
#   webcheck  fast plus a vrrp_script checking the node's own web server
#             (curl http://127.0.0.1/, as xhb's `check web http`), interval
#             1, timeout 1, fall 3, rise 3, in track_script: a failing check
#             puts the instance in FAULT and the peer takes the VIP
#             (bench/service_crash.sh; not one of the failover profiles).
#
# vrrp_script's interval and timeout are whole seconds, 1 the smallest:
# keepalived 2.2.7 refuses `interval 0.5` ("invalid number '0.5'", "vrrp
# script interval '0.5' must be between 1 and 4294 - ignoring", so the
# default, 1 s, stays) and turns `interval 0` into 1 ("must be greater than
# 0, setting to 1"); its parser reads an unsigned integer
# (vrrp_vscript_interval_handler). The script logs every run, so each
# benchmark run measures the cadence it really had.

KA_BIN=${KA_BIN:-/usr/sbin/keepalived}

adapter_packages() { echo keepalived; }
adapter_version() { dpkg-query -W -f='keepalived ${Version}' keepalived 2>/dev/null; }
adapter_profiles() { echo advert1s fast; }
adapter_start_order() { echo srv1-first; }

ka_advert() { [ "$1" = advert1s ] && echo 1 || echo 0.01; }
KA_CHECK_INTERVAL=${KA_CHECK_INTERVAL:-1}
KA_CHECK_TIMEOUT=${KA_CHECK_TIMEOUT:-1}

adapter_describe() {
	case $1 in
	advert1s) echo "VRRPv2, advert_int 1, priorities 150/100, nopreempt" ;;
	fast) echo "VRRPv3, advert_int 0.01, priorities 150/100, nopreempt" ;;
	webcheck) echo "VRRPv3, advert_int 0.01, priorities 150/100, nopreempt + vrrp_script curl http://127.0.0.1/ interval $KA_CHECK_INTERVAL timeout $KA_CHECK_TIMEOUT fall 3 rise 3, track_script" ;;
	esac
}

# The profile with a check of the web server, and when it has passed on a
# node (a run of the script logged with exit status 0).
adapter_check_profile() { echo webcheck; }
adapter_check_ready() { grep -q ' 0$' "$LAB_DIR/$1/ka/log/check_web.log" 2>/dev/null; }

# Master down interval (RFC 5798): 3 x advert + skew, skew =
# (256 - priority) / 256 x advert; srv2 has priority 100.
adapter_deadtime_ms() {
	case $1 in
	fast | webcheck) echo 36 ;;
	*) echo 3610 ;;
	esac
}
adapter_startup_s() { echo 15; }
adapter_settle_ms() {
	case $1 in
	fast | webcheck) echo 500 ;;
	*) echo 2500 ;;
	esac
}
adapter_flood() { echo "vrrp 224.0.0.18 --vrid 51 --vip 172.16.193.30"; }
adapter_fence_pin() { :; }

adapter_files() {
	local node=$1 profile=$2 d=$LAB_DIR/$1/ka prio=100 version=2
	[ "$node" = srv1 ] && prio=150
	[ "$profile" != advert1s ] && version=3
	rm -rf "$d"
	mkdir -p "$d/run" "$d/log"
	[ "$profile" = webcheck ] && ka_check_script "$d/check_web"
	cat >"$d/keepalived.conf" <<CONF
global_defs {
	router_id $node
	vrrp_version $version
	script_user root
	enable_script_security
}
$([ "$profile" = webcheck ] && ka_check_conf)
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
$([ "$profile" = webcheck ] && printf '\ttrack_script {\n\t\tchk_web\n\t}')
}
CONF
}

# The web check, as keepalived sees the node's directory (/etc/keepalived):
# xhb's `check web http http://127.0.0.1/` done by curl, with a bound just
# under the script's timeout; each run logged (start and end, realtime ns,
# and the exit status).
ka_check_script() { # path
	cat >"$1" <<'SH'
#!/bin/sh
start=$(date +%s%N)
curl -fsS -o /dev/null --max-time 0.9 http://127.0.0.1/ 2>/dev/null
rc=$?
echo "$start $(date +%s%N) $rc" >>/etc/keepalived/log/check_web.log
exit $rc
SH
	chmod 0755 "$1"
}

ka_check_conf() {
	cat <<CONF
vrrp_script chk_web {
	script "/etc/keepalived/check_web"
	interval $KA_CHECK_INTERVAL
	timeout $KA_CHECK_TIMEOUT
	fall 3
	rise 3
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
