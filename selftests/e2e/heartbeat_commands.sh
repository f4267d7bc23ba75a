#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Heartbeat's commands over the control socket, on the two-node lab with
# a second group preferring srv2 (IPaddr 172.16.193.31), each answer
# checked word for word with its exit code:
#   - cl_status hbstatus, listnodes, nodestatus, nodetype, listhblinks,
#     hblinkstatus, rscstatus on both nodes;
#   - hb_standby / hb_takeover on srv1 (all, local, failback) move the
#     groups, rscstatus says none, all, foreign, local as they go;
#   - srv2's link goes down: srv1 says srv2 and its link dead;
#   - srv1's agent stops: "Heartbeat is stopped on this machine.", exit 1;
#     srv2 says srv1 dead and takes its group; srv1 comes back (no
#     auto_failback) and `xhbctl failback` on srv2 gives it back;
#   - srv2's agent stops: srv1 says srv2 dead.
source "$(dirname "$0")/lib.bash" hbcmd

VIP2=172.16.193.31
LAB_HACF_EXTRA="${E2E_PROBE_STEADY}"
for cmd in cl_status hb_standby hb_takeover; do
	[ -x "$XHB_BUILD/$cmd" ] || fail "$XHB_BUILD/$cmd is not built: run make"
done
lab_setup || fail "lab setup failed"
for node in srv1 srv2; do
	echo "srv2 IPaddr::$VIP2/16/ens192" >>"$LAB_DIR/$node/ha.d/haresources"
done
HB_ERR=$LAB_DIR/hb.err

# hb NODE CMD ARGS...: Heartbeat's command CMD on NODE as its agent sees
# the world; stdout in HB_OUT, the exit code in HB_RC, stderr in $HB_ERR.
hb() {
	local node=$1 cmd=$2
	shift 2
	HB_OUT=$(lab_in_node "$node" "$XHB_BUILD/$cmd" "$@" 2>"$HB_ERR")
	HB_RC=$?
}
# The same on a node whose agent is not running (its own /run/xhb).
hb_stopped() {
	local node=$1 cmd=$2
	shift 2
	HB_OUT=$(lab_node_run "$node" "$LAB_DIR/$node" "$LAB_DIR/bpf/$node" \
		"$XHB_BUILD/$cmd" "$@" 2>"$HB_ERR")
	HB_RC=$?
}
hb_says() { # node rc want cmd args...
	local node=$1 rc=$2 want=$3
	shift 3
	hb "$node" "$@"
	[ "$HB_OUT" = "$want" ] && [ "$HB_RC" = "$rc" ]
}
hb_said() { printf "'%s' exit %s (stderr: %s)" "$HB_OUT" "$HB_RC" "$(tr '\n' ' ' <"$HB_ERR")"; }
# expect NODE RC WANT CMD ARGS...: says WANT and exits RC, now
expect() {
	local node=$1 rc=$2 want=$3
	shift 3
	hb_says "$node" "$rc" "$want" "$@" ||
		fail "$node: $*: expected '$want' exit $rc, got $(hb_said)"
	e2e_log "$node: $* -> '$want' exit $rc"
}
# expect_within SECONDS NODE RC WANT CMD ARGS...: the same, polled
expect_within() {
	local secs=$1 node=$2 rc=$3 want=$4
	shift 4
	wait_for "$secs" hb_says "$node" "$rc" "$want" "$@" ||
		fail "$node: $*: expected '$want' exit $rc within $secs s, got $(hb_said)"
	e2e_log "$node: $* -> '$want' exit $rc"
}
# The VIP on ONE only, VIP2 on TWO only.
vips_on() {
	local one=$1 two=$2 other1 other2
	other1=$([ "$one" = srv1 ] && echo srv2 || echo srv1)
	other2=$([ "$two" = srv1 ] && echo srv2 || echo srv1)
	vip_on "$one" "$LAB_VIP" && not vip_on "$other1" "$LAB_VIP" &&
		vip_on "$two" "$VIP2" && not vip_on "$other2" "$VIP2"
}
expect_vips() { # node_of_vip node_of_vip2
	wait_for 5 vips_on "$1" "$2" ||
		fail "expected $LAB_VIP on $1 only and $VIP2 on $2 only; srv1: $(node_addrs srv1 | tr '\n' ' '); srv2: $(node_addrs srv2 | tr '\n' ' ')"
}
# A command that moves groups: exit 0, nothing printed, as Heartbeat's.
run_request() { # node cmd [arg]
	local node=$1
	shift
	hb "$node" "$@"
	[ "$HB_RC" = 0 ] && [ -z "$HB_OUT" ] && [ ! -s "$HB_ERR" ] ||
		fail "$node: $*: expected exit 0 and no output, got $(hb_said)"
	e2e_log "$node: $* -> exit 0"
}

# ---- both agents up: srv1 holds its group, srv2 its own
e2e_start_pair
expect_vips srv1 srv2
for node in srv1 srv2; do
	expect $node 0 "Heartbeat is running on this machine." cl_status hbstatus
	expect $node 0 $'srv1\nsrv2' cl_status listnodes
	expect $node 0 $'srv1\nsrv2' cl_status listnodes -n
	expect $node 0 "" cl_status listnodes -p
	expect $node 0 "normal" cl_status nodetype srv2
	expect $node 0 $'\tens192' cl_status listhblinks srv1
	expect_within 3 $node 0 local cl_status rscstatus
done
expect srv1 0 "active" cl_status nodestatus srv2
expect srv1 0 "active" cl_status nodestatus srv1
expect srv2 0 "active" cl_status nodestatus srv1
expect srv1 0 "The cluster node srv2 is active" cl_status nodestatus -m srv2
expect srv1 0 "up" cl_status hblinkstatus srv2 ens192
expect srv2 0 "up" cl_status hblinkstatus srv1 ens192
expect srv1 0 $'\tens192\tup' cl_status listhblinks -v srv2
expect srv1 0 "This node is holding local resources." cl_status rscstatus -m
hb srv1 cl_status hbstatus -v
[ "$HB_RC" = 0 ] && [[ $HB_OUT == $'version:\txhb '[0-9]*$'\nmanaged by:\t"haresources"\n\nsrv1\tactive\t(nodetype: normal)\n\tens192\tup\n\nsrv2\tactive\t(nodetype: normal)\n\tens192\tup' ]] ||
	fail "srv1: cl_status hbstatus -v: expected version, managed by and both nodes active with ens192 up, got $(hb_said)"
expect srv1 11 "" cl_status nodestatus srv3
expect srv1 13 "" cl_status hblinkstatus srv2 eth9
expect srv1 11 "" cl_status clientstatus srv2 ipfail

# ---- hb_standby on srv1: everything to srv2
run_request srv1 hb_standby
expect_vips srv2 srv2
expect_within 3 srv1 0 none cl_status rscstatus
expect_within 3 srv2 0 all cl_status rscstatus
ev_has srv1 standby_request scope=all || fail "srv1 has no standby_request scope all: $(ev_names srv1)"

# ---- hb_takeover on srv1: everything back, srv2's group too
run_request srv1 hb_takeover
expect_vips srv1 srv1
expect_within 3 srv1 0 all cl_status rscstatus
expect_within 3 srv2 0 none cl_status rscstatus
ev_has srv1 takeover_request scope=all || fail "srv1 has no takeover_request scope all: $(ev_names srv1)"

# ---- hb_standby local on srv1: its own group goes, srv2's stays
run_request srv1 hb_standby local
expect_vips srv2 srv1
expect_within 3 srv1 0 foreign cl_status rscstatus
expect_within 3 srv2 0 foreign cl_status rscstatus

# ---- hb_standby failback on srv1: what srv2 prefers goes back to it
run_request srv1 hb_standby failback
expect_vips srv2 srv2
expect_within 3 srv1 0 none cl_status rscstatus
expect_within 3 srv2 0 all cl_status rscstatus
ev_has srv1 standby_request scope=failback groups='[1]' ||
	fail "srv1 should ask standby failback for group 1 alone: $(ev_select srv1 standby_request)"

# ---- hb_takeover failback on srv1: what srv1 prefers comes back to it
run_request srv1 hb_takeover failback
expect_vips srv1 srv2
expect_within 3 srv1 0 local cl_status rscstatus
expect_within 3 srv2 0 local cl_status rscstatus
ev_has srv1 takeover_request scope=failback groups='[0]' ||
	fail "srv1 should ask takeover failback for group 0 alone: $(ev_select srv1 takeover_request)"

# A wrong argument moves nothing: Heartbeat's usage, exit 1.
ev_mark srv1:standby_request
hb srv1 hb_standby everything
[ "$HB_RC" = 1 ] && [ "$HB_OUT" = "$XHB_BUILD/hb_standby: wrong resources(everything)."$'\nusage:' ] ||
	fail "hb_standby everything: expected Heartbeat's usage and exit 1, got $(hb_said)"
ev_none_new || fail "hb_standby everything reached the agent: $(ev_select srv1 standby_request)"

# ---- srv2's link goes down: srv1 says so, takes srv2's group (its
# standby for it gives way: nobody else can hold it)
e2e_log "srv2: ip link set ens192 down"
lab_exec srv2 ip link set ens192 down
expect_within 3 srv1 1 "dead" cl_status nodestatus srv2
expect_within 3 srv1 1 "dead" cl_status hblinkstatus srv2 ens192
expect srv1 1 "The node srv2's heartbeat link ens192 is dead" cl_status hblinkstatus -m srv2 ens192
expect srv1 0 $'\tens192\tdead' cl_status listhblinks -v srv2
expect_within 3 srv2 1 "dead" cl_status hblinkstatus srv2 ens192
expect_within 3 srv2 0 none cl_status rscstatus
wait_for 5 vip_on srv1 "$VIP2" || fail "srv1 did not take $VIP2 with srv2's link down"
expect_within 3 srv1 0 all cl_status rscstatus
e2e_log "srv2: ip link set ens192 up"
lab_exec srv2 ip link set ens192 up
expect_within 5 srv1 0 "active" cl_status nodestatus srv2
expect_within 5 srv1 0 "up" cl_status hblinkstatus srv2 ens192
expect_within 5 srv2 0 "up" cl_status hblinkstatus srv2 ens192
# srv1 still stands by for srv2's group: it goes back to srv2
expect_vips srv1 srv2
expect_within 3 srv1 0 local cl_status rscstatus

# ---- srv1's agent stops: stopped, exit 1; srv2 takes srv1's group
e2e_log "srv1: the agent stops"
lab_stop srv1
hb_stopped srv1 cl_status hbstatus
[ "$HB_RC" = 1 ] && [ "$HB_OUT" = "Heartbeat is stopped on this machine." ] ||
	fail "srv1 stopped: cl_status hbstatus: expected 'Heartbeat is stopped on this machine.' exit 1, got $(hb_said)"
e2e_log "srv1 (stopped): cl_status hbstatus -> '$HB_OUT' exit $HB_RC"
hb_stopped srv1 cl_status rscstatus
[ "$HB_RC" = 1 ] && [ -z "$HB_OUT" ] && grep -q "Cannot signon with heartbeat" "$HB_ERR" ||
	fail "srv1 stopped: cl_status rscstatus: expected exit 1 and 'Cannot signon', got $(hb_said)"
hb_stopped srv1 hb_takeover
[ "$HB_RC" = 1 ] || fail "srv1 stopped: hb_takeover: expected exit 1, got $(hb_said)"
expect_within 3 srv2 1 "dead" cl_status nodestatus srv1
expect_vips srv2 srv2
expect_within 3 srv2 0 all cl_status rscstatus

# ---- srv1 comes back: auto_failback off, its group stays on srv2 ...
e2e_log "srv1: the agent starts again"
lab_start srv1
expect_within 10 srv2 0 "active" cl_status nodestatus srv1
expect_within 10 srv1 0 "active" cl_status nodestatus srv1
expect_within 3 srv1 0 none cl_status rscstatus
expect_vips srv2 srv2
# ... until xhbctl failback on srv2 gives it back
out=$(lab_in_node srv2 "$XHB_BUILD/xhbctl" failback 2>&1) || fail "xhbctl failback on srv2 failed: $out"
[ "$out" = "standby failback: requested (groups 0x1)" ] ||
	fail "xhbctl failback on srv2: expected 'standby failback: requested (groups 0x1)', got '$out'"
e2e_log "srv2: xhbctl failback -> $out"
expect_vips srv1 srv2
expect_within 3 srv1 0 local cl_status rscstatus
expect_within 3 srv2 0 local cl_status rscstatus
ev_has srv2 group_release reason=standby_request ||
	fail "srv2 should release srv1's group with reason standby_request: $(ev_names srv2)"

# ---- srv2's agent stops: srv1 says srv2 dead
e2e_log "srv2: the agent stops"
lab_stop srv2
expect_within 3 srv1 1 "dead" cl_status nodestatus srv2
expect srv1 1 "The cluster node srv2 is dead" cl_status nodestatus -m srv2
hb_stopped srv2 cl_status hbstatus
[ "$HB_RC" = 1 ] && [ "$HB_OUT" = "Heartbeat is stopped on this machine." ] ||
	fail "srv2 stopped: cl_status hbstatus: expected 'Heartbeat is stopped on this machine.' exit 1, got $(hb_said)"
expect_vips srv1 srv1
expect_within 3 srv1 0 all cl_status rscstatus
e2e_log "srv1 events: $(ev_names srv1)"
e2e_log "srv2 events: $(ev_names srv2)"
exit 0
