#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Broken configurations, one by one, checked (xhbd -t -c DIR) and started
# (xhbd -c DIR) inside srv1 of a lab, so that ens192 exists: every one
# exits non-zero with "file:line: message" (or "file: message") on
# stderr, and leaves the node as it was: no XDP on ens192, no pin, no
# VIP, no control socket.
source "$(dirname "$0")/lib.bash" config-errors

lab_setup || fail "lab setup failed"
NODE=srv1
NODE_DIR=$LAB_DIR/$NODE
PINS=$LAB_DIR/bpf/$NODE
# xhbd ARGS... in srv1 as lab_start runs it (its hostname, /var/log,
# /run/xhb, /var/lib/xhb and /sys/fs/bpf), but in the foreground, bounded.
run_xhbd() {
	(lab_node_run "$NODE" "$NODE_DIR" "$PINS" timeout --kill-after=2 8 "$XHB_BUILD/xhbd" "$@")
}

# Nothing of the agent is left on the node.
untouched() { # case
	local why=""
	lab_exec "$NODE" ip link show dev ens192 | grep -q 'xdp' && why+="XDP attached on ens192: $(lab_exec "$NODE" ip link show dev ens192 | head -1); "
	[ -z "$(find "$PINS" -mindepth 1 2>/dev/null | head -1)" ] || why+="pins created: $(find "$PINS" -mindepth 1 | head -5 | tr '\n' ' '); "
	has_addr "$NODE" "$LAB_VIP" && why+="VIP $LAB_VIP added; "
	[ -z "$(find "$NODE_DIR/run" -mindepth 1 2>/dev/null | head -1)" ] || why+="left in /run/xhb: $(ls "$NODE_DIR/run" | tr '\n' ' '); "
	[ -z "$(find "$NODE_DIR/lib" -mindepth 1 2>/dev/null | head -1)" ] || why+="left in /var/lib/xhb: $(ls "$NODE_DIR/lib" | tr '\n' ' '); "
	[ -z "$why" ] || fail "[$1] xhbd changed the node: $why"
}

fresh() { # dir: the seed's files
	rm -rf "$1"
	mkdir -p "$1"
	cp "$LAB_FIXTURES/ha.cf" "$LAB_FIXTURES/haresources" "$LAB_FIXTURES/authkeys" "$1/"
	chmod 600 "$1/authkeys"
}

# Sanity: the seed's files pass, so the failures below are the breakage's.
CFG=$LAB_DIR/cfg
fresh "$CFG"
out=$(lab_exec "$NODE" "$XHB_BUILD/xhbd" -t -c "$CFG" 2>&1) || fail "xhbd -t on the seed's unchanged files failed: $out"

# name | modes (t: xhbd -t, c: xhbd -c) | breakage (shell, $C is the dir) |
# expected stderr (extended regex, after "xhbd: ")
cases=(
	"unknown directive|tc|echo 'keepalve 2' >>\$C/ha.cf|\$C/ha.cf:13: unknown directive 'keepalve'"
	"bad time|tc|sed -i 's/^keepalive 2\$/keepalive 2x/' \$C/ha.cf|\$C/ha.cf:5: bad time '2x'"
	"negative time|tc|sed -i 's/^warntime 6\$/warntime -1/' \$C/ha.cf|\$C/ha.cf:7: .*(time|warntime)"
	"deadtime <= 2 x keepalive|tc|sed -i 's/^deadtime 10\$/deadtime 4/' \$C/ha.cf|\$C/ha.cf:6: deadtime .*greater than 2 x keepalive"
	"initdead < deadtime|tc|sed -i 's/^initdead 60\$/initdead 5/' \$C/ha.cf|\$C/ha.cf:8: initdead .*at least deadtime"
	"bad udpport|tc|echo 'udpport 70000' >>\$C/ha.cf|\$C/ha.cf:13: bad udpport"
	"bad auto_failback|tc|sed -i 's/^auto_failback off\$/auto_failback maybe/' \$C/ha.cf|\$C/ha.cf:12: bad auto_failback 'maybe'"
	"probe without misses|tc|echo 'probe 1ms' >>\$C/ha.cf|\$C/ha.cf:13: probe"
	"no node lines|tc|sed -i '/^node /d' \$C/ha.cf|\$C/ha.cf: .*node"
	"haresources node unknown|tc|echo 'srv3 IPaddr::172.16.193.31/16/ens192' >>\$C/haresources|\$C/haresources:2: srv3 is not a node"
	"bad IP|tc|sed -i 's/172.16.193.30/172.16.193.300/' \$C/haresources|\$C/haresources:1: bad IPv4 address '172.16.193.300'"
	"bad prefix|tc|sed -i 's#/16/#/33/#' \$C/haresources|\$C/haresources:1: .*33"
	"missing resource script|tc|echo 'srv1 nosuchscript' >>\$C/haresources|\$C/haresources:2: resource script nosuchscript not found"
	"authkeys mode 0644|tc|chmod 644 \$C/authkeys|\$C/authkeys: bad permissions 0644"
	"authkeys unknown key|tc|sed -i 's/^auth 1\$/auth 3/' \$C/authkeys|\$C/authkeys:1: auth 3"
	"authkeys unknown method|tc|sed -i 's/^2 crc\$/2 rot13 secret/' \$C/authkeys|\$C/authkeys:3: .*rot13"
	"missing ha.cf|tc|rm \$C/ha.cf|\$C/ha.cf: cannot open"
	"missing haresources|tc|rm \$C/haresources|\$C/haresources: cannot open"
	"missing authkeys|tc|rm \$C/authkeys|\$C/authkeys: cannot open"
	"missing directory|tc|rm -r \$C|\$C/ha.cf: cannot open"
	"bcast on a missing interface|tc|sed -i 's/^bcast ens192\$/bcast eth9/' \$C/ha.cf|\$C/ha.cf:1: no interface eth9"
	"haresources on a missing interface|tc|sed -i 's#/ens192\$#/eth9#' \$C/haresources|\$C/haresources:1: no interface eth9"
	"a 17th medium|tc|for i in \$(seq 1 16); do echo mcast ens192 239.77.1.\$i 7694 1 0; done >>\$C/ha.cf|\$C/ha.cf:28: mcast: too many media \\(max 16"
	"a 5th heartbeat interface|tc|echo 'bcast eth1 eth2 eth3 eth4' >>\$C/ha.cf|\$C/ha.cf:13: eth4 would be a 5th heartbeat interface: at most 4"
	"this node not a node|c|echo --node srv9 >\$C.args|\$C/ha.cf: this node's name 'srv9' is not a node"
)

n=0
for entry in "${cases[@]}"; do
	IFS='|' read -r name modes breakage want <<<"$entry"
	n=$((n + 1))
	C=$LAB_DIR/cfg$n
	fresh "$C"
	rm -f "$C.args"
	eval "$breakage" || fail "[$name] could not break the files: $breakage"
	want=${want//\$C/$C}
	extra=()
	[ -s "$C.args" ] && read -ra extra <"$C.args"
	for mode in t c; do
		[[ $modes == *$mode* ]] || continue
		if [ "$mode" = t ]; then
			err=$(lab_exec "$NODE" "$XHB_BUILD/xhbd" -t -c "$C" "${extra[@]}" 2>&1 >/dev/null)
			rc=$?
		else
			err=$(run_xhbd -c "$C" "${extra[@]}" 2>&1 >"$LAB_DIR/stdout$n")
			rc=$?
		fi
		[ "$rc" != 0 ] || fail "[$name] xhbd -$mode -c DIR exited 0, expected an error matching: $want"
		[ "$rc" != 124 ] && [ "$rc" != 137 ] || fail "[$name] xhbd -$mode -c DIR did not exit by itself (still running after 8 s): stderr: $err"
		grep -qE "^xhbd: $want" <<<"$err" ||
			fail "[$name] xhbd -$mode: expected stderr 'xhbd: $want', saw (exit $rc): ${err:-nothing}"
		untouched "$name, xhbd -$mode"
		printf '  ok %-32s -%s exit %d: %s\n' "$name" "$mode" "$rc" "$(head -1 <<<"$err" | sed "s|$LAB_DIR/||g")"
	done
done

# A broken file must not look valid to -t either: the seed's files still
# pass after all this (no state kept between runs).
out=$(lab_exec "$NODE" "$XHB_BUILD/xhbd" -t -c "$CFG" 2>&1) || fail "xhbd -t on the seed's files failed at the end: $out"
untouched "after all cases"
e2e_log "$n broken configurations refused, nothing changed on $NODE"
exit 0
