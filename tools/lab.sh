#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# The seed lab in network namespaces: srv1 (172.16.193.10) and srv2
# (172.16.193.40) on ens192 share the VIP 172.16.193.30/16; a client
# (172.16.193.1) asks for it. A bridge namespace joins them. Nothing
# touches the root namespace: no address, no route, no interface.
#
#   tools/lab.sh demo      the whole story: SRV1, link down, SRV2, outage
#   tools/lab.sh demo --events
#                          the JSON events of the last demo, both nodes,
#                          in time order (kept in $XHB_BUILD/demo/events.json)
#   tools/lab.sh up        build the lab and start both agents, then exit
#   tools/lab.sh down      remove everything the lab made
#
# Each node runs in its own mount and UTS namespace, so it has its own
# hostname (uname -n says srv1), its own /var/log (ha-log) and /run/xhb
# (control socket), and its own /sys/fs/bpf: a directory of a bpffs that
# the lab mounts under $LAB_DIR, so pins outlive the agent (restarts adopt
# them) and stay visible from the root mount namespace. Each server serves
# the seed's page (IT WORKS SRVn) from a private apache2 of its own (see
# lab_web_start) and runs a UDP echo for the client's prober.
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

# The one place the lab and the tests wait: run CMD every LAB_POLL_S
# (50 ms; a caller may set it for one call: LAB_POLL_S=0.02 lab_poll ...)
# until it succeeds, for at most SECONDS of wall-clock time, and at least
# twice whatever CMD costs. Everything waits for a thing (an address, a
# port answering, an event), never for a fixed time.
LAB_POLL_S=0.05
lab_usecs() { local t=${EPOCHREALTIME/./}; echo "$((10#$t))"; }
lab_poll() { # seconds cmd...
	local deadline tries=0
	deadline=$(($(lab_usecs) + $(awk -v s="$1" 'BEGIN { printf "%d", s * 1000000 }')))
	shift
	while :; do
		"$@" && return 0
		tries=$((tries + 1))
		[ "$tries" -ge 2 ] && [ "$(lab_usecs)" -ge "$deadline" ] && return 1
		sleep "$LAB_POLL_S"
	done
}

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
	lab_wait_links || return 1
	for node in "${LAB_NODES[@]}"; do
		lab_web_wait "$node" 15 || return 1
		lab_poll 15 lab_services_answer "$node" ||
			{ lab_log "$node's web server or UDP echo did not answer within 15 s"; return 1; }
	done
}

# A second segment, the classic public side: eth1 in each server and the
# client, on a bridge of its own (namespace pubbr), 10.193.0.0/24: .10
# srv1, .40 srv2, .1 the client. Heartbeats stay on ens192.
declare -A LAB_PUB_IP=([srv1]=10.193.0.10 [srv2]=10.193.0.40 [client]=10.193.0.1)
lab_add_public_segment() {
	local br node
	br=$(lab_ns pubbr)
	ip netns add "$br" || return 1
	ip -n "$br" link add br0 type bridge || return 1
	ip -n "$br" link set br0 up
	for node in "${LAB_NODES[@]}" client; do
		ip link add eth1 netns "$(lab_ns "$node")" type veth peer name "$node" netns "$br" || return 1
		ip -n "$br" link set "$node" master br0 up
		# XDP_TX and the fence's XDP on eth1 (see lab_setup)
		ip -n "$br" link set dev "$node" xdpdrv obj "$XHB_BUILD/xdp_pass.bpf.o" sec xdp || return 1
		lab_exec "$node" ip addr add "${LAB_PUB_IP[$node]}/24" brd + dev eth1
		lab_exec "$node" ip link set eth1 up
	done
	lab_poll 10 lab_ping "${LAB_PUB_IP[srv1]}" && lab_poll 10 lab_ping "${LAB_PUB_IP[srv2]}"
}

# The node's files: the seed's ha.cf, haresources, authkeys (unchanged),
# plus the lines the caller adds (LAB_HACF_EXTRA, default the fast probe),
# and its page (lab_web_dir).
lab_node_files() {
	local node=$1 d=$LAB_DIR/$1 w
	mkdir -p "$d/ha.d" "$d/log" "$d/run" "$LAB_DIR/bpf/$node"
	cp "$LAB_FIXTURES/ha.cf" "$LAB_FIXTURES/haresources" "$LAB_FIXTURES/authkeys" "$d/ha.d/"
	printf '%b' "${LAB_HACF_EXTRA-probe 1ms 3\n}" >>"$d/ha.d/ha.cf"
	chmod 600 "$d/ha.d/authkeys"
	# apache's workers read the page as www-data: the lab's own
	# directories are opened to them, nothing above LAB_DIR is touched.
	chmod 0755 "$LAB_DIR" "$d"
	w=$d
	if [ -x "$LAB_APACHE" ] && ! lab_as_www test -x "$d"; then
		w=$LAB_WEB_SPARE/$node
		lab_log "www-data cannot reach $d: $node's page and apache2 files go to $w"
	fi
	echo "$w" >"$d/web.dir"
	(umask 022 && mkdir -p "$w/www" && echo "IT WORKS ${node^^}" >"$w/www/index.html")
}

# What the lab's servers run: a web server (the seed's Apache page) and a
# UDP echo naming the server, for millisecond measurements. Started here,
# waited for by lab_setup once the links are up.
lab_services() {
	local node=$1 d=$LAB_DIR/$1
	lab_web_launch "$node" || return 1
	ip netns exec "$(lab_ns "$node")" "$XHB_BUILD/vipcheck" serve "${node^^}" >/dev/null 2>&1 &
	echo $! >"$d/echo.pid"
	disown $!
}

# ---- the web server: Debian's apache2, one private instance per server
#
# Never the system's service: each server namespace runs its own apache2
# in the foreground (-DFOREGROUND, its pid recorded) from a configuration
# the lab writes, with its own Listen, PidFile, logs, mutex and runtime
# directories, in a process group of its own (setsid), so a crash is one
# signal and two instances share nothing. Its workers run as www-data, so
# the page lives where www-data can read it: under LAB_DIR (a /run
# directory by default), else in LAB_WEB_SPARE, which the lab removes too.
# Without apache2 (not installed) python3's http.server serves the page,
# and a log line says so.
#
#   lab_web_start NODE   start NODE's web server, wait until it answers
#   lab_web_stop NODE    the web server crashes (SIGKILL, all its processes)
#   lab_web_pid NODE     its main pid, or nothing
LAB_APACHE=${LAB_APACHE:-/usr/sbin/apache2}
LAB_APACHE_MODULES=${LAB_APACHE_MODULES:-/usr/lib/apache2/modules}
LAB_WEB_SPARE=/run/xhb-web${LAB_PREFIX:+-${LAB_PREFIX%-}}

lab_web_kind() { if [ -x "$LAB_APACHE" ]; then echo "a private apache2"; else echo "python3's http.server"; fi; }

lab_as_www() { setpriv --reuid=www-data --regid=www-data --clear-groups "$@" 2>/dev/null; }

# Where NODE's page (www/) and apache2 files (apache2/) are.
lab_web_dir() {
	local f=$LAB_DIR/$1/web.dir
	if [ -s "$f" ]; then cat "$f"; else echo "$LAB_DIR/$1"; fi
}

lab_web_config() { # node: NODE's apache2.conf, written
	local node=$1 w a m=$LAB_APACHE_MODULES
	w=$(lab_web_dir "$node")
	a=$w/apache2
	(umask 022 && mkdir -p "$a/run") || return 1
	cat >"$a/apache2.conf" <<EOF
# $node's private apache2, written by tools/lab.sh: not the system's
ServerRoot "$a"
ServerName $node
Listen 0.0.0.0:80
PidFile "$a/apache2.pid"
DefaultRuntimeDir "$a/run"
Mutex file:$a/run default
ErrorLog "$a/error.log"
LogLevel warn
LogFormat "%h %l %u %t \"%r\" %>s %b" common
CustomLog "$a/access.log" common
User www-data
Group www-data

LoadModule mpm_event_module $m/mod_mpm_event.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule dir_module $m/mod_dir.so
LoadModule mime_module $m/mod_mime.so
TypesConfig /etc/mime.types

# small: two of them share a 2-CPU machine with the agents
StartServers 1
ThreadsPerChild 8
MinSpareThreads 4
MaxSpareThreads 16
MaxRequestWorkers 32

DocumentRoot "$w/www"
DirectoryIndex index.html
<Directory />
	AllowOverride None
	Require all denied
</Directory>
<Directory "$w/www">
	Require all granted
</Directory>
EOF
}

# Start NODE's web server in the background, its pid in web.pid; no wait.
lab_web_launch() { # node
	local node=$1 d=$LAB_DIR/$1 w
	w=$(lab_web_dir "$node")
	if [ -x "$LAB_APACHE" ]; then
		lab_web_config "$node" || return 1
		rm -f "$w/apache2/apache2.pid"
		setsid ip netns exec "$(lab_ns "$node")" "$LAB_APACHE" -f "$w/apache2/apache2.conf" -DFOREGROUND \
			</dev/null >"$w/apache2/stderr.log" 2>&1 &
	else
		lab_log "$LAB_APACHE is not installed (tools/deps.sh installs apache2): $node's page is served by python3 -m http.server instead"
		setsid ip netns exec "$(lab_ns "$node")" python3 -m http.server 80 --bind 0.0.0.0 \
			--directory "$w/www" </dev/null >"$d/http.log" 2>&1 &
	fi
	echo $! >"$d/web.pid"
	disown $!
}

# NODE's web server's main pid, when it runs and is the one we started
# (its command line names the node's web directory).
lab_web_pid() { # node
	local f=$LAB_DIR/$1/web.pid pid w
	[ -s "$f" ] || return 1
	pid=$(cat "$f")
	w=$(lab_web_dir "$1")
	[ -r "/proc/$pid/cmdline" ] && tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qF "$w/" || return 1
	echo "$pid"
}

# Is any process of group PGID alive (zombies are not)?
lab_group_alive() { ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'; }
lab_web_gone() { ! lab_group_alive "$1"; }

# Send SIG to NODE's web server: its whole process group when it leads
# one (setsid), else the main process and its children.
_lab_web_signal() { # pid sig
	if [ "$(ps -o pgid= -p "$1" | tr -d ' ')" = "$1" ]; then
		kill -"$2" -- "-$1" 2>/dev/null
	else
		kill -"$2" "$1" $(pgrep -P "$1") 2>/dev/null
	fi
}

# NODE's web server crashes: every process of it SIGKILLed at once; back
# once they are gone. Nothing happens when it does not run.
lab_web_stop() { # node
	local pid
	pid=$(lab_web_pid "$1") || return 0
	_lab_web_signal "$pid" KILL
	lab_poll 5 lab_web_gone "$pid" || { lab_log "$1's web server (pid $pid) outlived SIGKILL for 5 s"; return 1; }
	rm -f "$LAB_DIR/$1/web.pid"
}

# The orderly stop (the lab's teardown): SIGTERM, apache2 stops its
# workers; SIGKILL to what is left after 5 s.
lab_web_end() { # node
	local pid
	pid=$(lab_web_pid "$1") || { rm -f "$LAB_DIR/$1/web.pid"; return 0; }
	kill -TERM "$pid" 2>/dev/null
	lab_poll 5 lab_web_gone "$pid" || _lab_web_signal "$pid" KILL
	lab_poll 5 lab_web_gone "$pid"
	rm -f "$LAB_DIR/$1/web.pid"
	return 0
}

lab_web_start() { # node
	local pid
	if pid=$(lab_web_pid "$1"); then
		lab_log "$1's web server already runs (pid $pid)"
		return 1
	fi
	lab_web_launch "$1" && lab_web_wait "$1" 15
}

# The client gets NODE's page from NODE's own address.
lab_web_answers() { # node
	[ "$(lab_exec client curl -s --max-time 1 "http://${LAB_IP[$1]}/" 2>/dev/null)" = "IT WORKS ${1^^}" ]
}
_lab_web_settled() { lab_web_answers "$1" || ! kill -0 "$2" 2>/dev/null; }

# Wait for NODE's web server to answer; when it does not (or exits), say
# so with its logs.
lab_web_wait() { # node seconds
	local node=$1 pid w
	pid=$(cat "$LAB_DIR/$node/web.pid" 2>/dev/null)
	lab_poll "$2" _lab_web_settled "$node" "${pid:-0}"
	lab_web_answers "$node" && return 0
	w=$(lab_web_dir "$node")
	if kill -0 "${pid:-0}" 2>/dev/null; then
		lab_log "$node's web server (pid $pid) did not answer on ${LAB_IP[$node]}:80 within $2 s"
	else
		lab_log "$node's web server exited before it answered on ${LAB_IP[$node]}:80"
	fi
	tail -n 20 "$w/apache2/stderr.log" "$w/apache2/error.log" "$LAB_DIR/$node/http.log" 2>/dev/null | sed 's/^/[lab]   /' >&2
	return 1
}

# The client reaches a node's own address: its web page and its echo.
lab_services_answer() { # node
	local node=$1
	lab_web_answers "$node" &&
		lab_exec client "$XHB_BUILD/vipcheck" watch "${LAB_IP[$node]}" --interval-us 1000 \
			--duration-ms 20 >/dev/null 2>&1
}

lab_ping() { lab_exec client ping -c1 -W1 -q "$1" >/dev/null 2>&1; }

lab_wait_links() {
	local node
	for node in "${LAB_NODES[@]}"; do
		lab_poll 10 lab_ping "${LAB_IP[$node]}" ||
			{ lab_log "the lab's links did not come up ($node)"; return 1; }
	done
}

# The client's prober (vipcheck watch, one request to the VIP every 1 ms)
# in the background, started and answered: returns once the first answer
# came, with its pid in LAB_WATCH_PID and its JSON due in OUT.
lab_watch() { # duration_ms out [interval_us]
	local ready=$2.ready
	rm -f "$ready"
	lab_exec client "$XHB_BUILD/vipcheck" watch "$LAB_VIP" --interval-us "${3:-1000}" \
		--duration-ms "$1" --ready "$ready" --json >"$2" &
	LAB_WATCH_PID=$!
	lab_poll 10 test -e "$ready" && return 0
	lab_log "the client's prober got no answer from $LAB_VIP within 10 s"
	kill "$LAB_WATCH_PID" 2>/dev/null
	wait "$LAB_WATCH_PID" 2>/dev/null
	return 1
}

# Run CMD as a node's daemon sees the world: the node's network namespace,
# its own mount and UTS namespaces (hostname NODE), and as its /var/log,
# /run/xhb, /var/lib/xhb and /sys/fs/bpf the directories DIR/log, DIR/run,
# DIR/lib and PINS. Every step execs, so `lab_node_run ... &` leaves the
# command's own pid in $!.
lab_node_run() { # node dir pins cmd...
	local node=$1 d=$2 pins=$3
	shift 3
	mkdir -p /run/xhb /var/lib/xhb "$d/log" "$d/run" "$d/lib" "$pins"
	exec ip netns exec "$(lab_ns "$node")" unshare --mount --uts --propagation private sh -c '
		hostname "$1" &&
		mount --bind "$2/log" /var/log &&
		mount --bind "$2/run" /run/xhb &&
		mount --bind "$2/lib" /var/lib/xhb &&
		mount --bind "$3" /sys/fs/bpf &&
		shift 3 && exec "$@"' lab "$node" "$d" "$pins" "$@"
}

# Start xhbd on a node, in its own mount/UTS namespace (see the top);
# LAB_XHBD names another binary (an upgrade test's, at a path it replaces).
lab_start() {
	local node=$1 d=$LAB_DIR/$1
	shift
	lab_node_run "$node" "$d" "$LAB_DIR/bpf/$node" \
		"${LAB_XHBD:-$XHB_BUILD/xhbd}" -c "$d/ha.d" "$@" >>"$d/events.json" 2>>"$d/xhbd.err" &
	echo $! >"$d/xhbd.pid"
	disown $!
}

lab_gone() { ! kill -0 "$1" 2>/dev/null; }

lab_stop() { # node [signal]
	local pid
	pid=$(lab_pid "$1") || return 0
	kill -"${2:-TERM}" "$pid" 2>/dev/null
	lab_poll 5 lab_gone "$pid" || kill -KILL "$pid" 2>/dev/null
	rm -f "$LAB_DIR/$1/xhbd.pid"
	return 0
}

# Does node hold the VIP (ip addr in its namespace)? A node always has
# its own address there, so an empty answer is a failed read: read again.
lab_has_vip() {
	local out i
	for i in 1 2 3; do
		out=$(lab_exec "$1" ip -o -4 addr show dev ens192 2>/dev/null)
		[ -n "$out" ] && break
	done
	[[ $out == *" $LAB_VIP/"* ]]
}

# Wait up to $2 seconds (default 10) for node to hold the VIP.
lab_wait_vip() { lab_poll "${2:-10}" lab_has_vip "$1"; }

lab_has_event() { grep -q "\"event\":\"$2\"" "$LAB_DIR/$1/events.json" 2>/dev/null; }

# Wait up to $3 seconds for an event named $2 in node's events.
lab_wait_event() { lab_poll "${3:-10}" lab_has_event "$1" "$2"; }

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

# The namespaces that are not servers nor the client: the segments' bridges
# here, the router and the switch of tools/lab_routed.sh; and what must stop
# before the servers do (lab_routed.sh: the routing daemons), if anything.
LAB_OTHER_NS=(lanbr pubbr)
LAB_BEFORE_TEARDOWN=${LAB_BEFORE_TEARDOWN:-}
lab_teardown_quiet() {
	local node pids
	[ -z "$LAB_BEFORE_TEARDOWN" ] || "$LAB_BEFORE_TEARDOWN"
	for node in "${LAB_NODES[@]}"; do
		lab_stop "$node" TERM
		lab_web_end "$node"
		lab_kill_pidfile "$LAB_DIR/$node/echo.pid"
	done
	# Whatever still runs in the lab's namespaces was started in them by
	# the lab (a resource script whose agent was killed while waiting
	# for it, say): it must not outlive the lab, nor keep its namespace.
	for node in "${LAB_NODES[@]}" client "${LAB_OTHER_NS[@]}"; do
		pids=$(ip netns pids "$(lab_ns "$node")" 2>/dev/null) || continue
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null
	done
	for node in "${LAB_NODES[@]}" client "${LAB_OTHER_NS[@]}"; do
		ip netns del "$(lab_ns "$node")" 2>/dev/null
	done
	if mountpoint -q "$LAB_DIR/bpf" 2>/dev/null; then
		umount "$LAB_DIR/bpf"
	fi
	rm -rf "$LAB_DIR" "$LAB_WEB_SPARE"
	return 0
}

lab_teardown() {
	lab_teardown_quiet
}

# Where the demo keeps what it measured, after the lab is gone.
LAB_DEMO_DIR=${LAB_DEMO_DIR:-$XHB_BUILD/demo}

# Both nodes' events in time order, one JSON object a line.
lab_merge_events() { # out
	python3 - "$1" "$LAB_DIR"/srv*/events.json <<'PY'
import json, sys
out, paths = sys.argv[1], sys.argv[2:]
events = []
for path in paths:
    for line in open(path, errors="replace"):
        try:
            events.append((json.loads(line)["mono_ns"], line))
        except (ValueError, KeyError):
            pass
with open(out, "w") as f:
    f.writelines(line for _, line in sorted(events))
PY
}

lab_demo_events() {
	local f=$LAB_DEMO_DIR/events.json
	[ -s "$f" ] || { lab_log "no demo has run from this tree yet ($f): run make demo"; return 1; }
	cat "$f"
}

# The seed's failover, measured: the client's prober under way, srv1's
# link down (the lab's ifdown), srv2 holding the VIP, the prober's JSON in
# $1/watch.json and both nodes' events in $1/events.json.
lab_failover() { # outdir
	lab_watch 2000 "$LAB_DIR/watch.json" || return 1
	lab_exec srv1 ip link set ens192 down
	lab_wait_vip srv2 10 || { lab_log "srv2 did not take the VIP"; return 1; }
	wait "$LAB_WATCH_PID"
	cp "$LAB_DIR/watch.json" "$1/watch.json"
	lab_merge_events "$1/events.json"
}

lab_demo() {
	local result=$LAB_DEMO_DIR/watch.json events=$LAB_DEMO_DIR/events.json
	trap lab_teardown EXIT INT TERM
	mkdir -p "$LAB_DEMO_DIR"
	rm -f "$result" "$events"
	lab_log "building the seed lab: srv1 ${LAB_IP[srv1]}, srv2 ${LAB_IP[srv2]}, client ${LAB_IP[client]}, VIP $LAB_VIP/16 on ens192"
	lab_setup || { lab_log "lab setup failed"; return 1; }
	lab_log "ha.cf: the seed's file plus 'probe 1ms 3'; each server answers with its page (IT WORKS SRVn) from $(lab_web_kind), and with a UDP echo"
	lab_start srv1
	lab_start srv2
	if ! lab_wait_vip srv1 15; then
		lab_log "srv1 did not take the VIP"
		cat "$LAB_DIR"/srv*/xhbd.err >&2
		return 1
	fi
	lab_log "srv1 holds $LAB_VIP"
	# The address is up; the client's ARP may still be settling.
	lab_poll 5 lab_demo_fetch "IT WORKS SRV1" || { lab_log "client: curl http://$LAB_VIP/ -> '$LAB_FETCHED', expected IT WORKS SRV1"; return 1; }
	lab_log "client: curl http://$LAB_VIP/ -> $LAB_FETCHED"

	lab_log "client: one request to the VIP every 1 ms; then srv1: ip link set ens192 down (the lab's ifdown)"
	lab_failover "$LAB_DEMO_DIR" || return 1
	lab_poll 5 lab_demo_fetch "IT WORKS SRV2" || { lab_log "client: curl http://$LAB_VIP/ -> '$LAB_FETCHED', expected IT WORKS SRV2"; return 1; }
	lab_log "client: curl http://$LAB_VIP/ -> $LAB_FETCHED"

	echo
	echo "The failover, as srv2's events and the client saw it:"
	"$XHB_TOP/tools/lab_timeline.py" "$events" "$result" || return 1
	echo
	echo "  every decision as JSON: $events (tools/lab.sh demo --events)"
	return 0
}

# curl the VIP from the client into LAB_FETCHED; true when it says $1.
lab_demo_fetch() {
	LAB_FETCHED=$(lab_exec client curl -s --max-time 1 "http://$LAB_VIP/" 2>/dev/null)
	[ "$LAB_FETCHED" = "$1" ]
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-demo} in
	demo)
		case ${2:-} in
		"") lab_demo ;;
		--events) lab_demo_events ;;
		*)
			echo "usage: $0 demo [--events]" >&2
			exit 2
			;;
		esac
		;;
	up)
		lab_setup && lab_start srv1 && lab_start srv2 && lab_wait_vip srv1 15 &&
			lab_log "lab up: tools/lab.sh down removes it"
		;;
	down) lab_teardown ;;
	*)
		echo "usage: $0 demo [--events]|up|down" >&2
		exit 2
		;;
	esac
fi
