#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# A check of kind resource (the health issue): `check svc resource Fake`
# asks the group's own OCF agent (monitor) whether it runs, where the group
# is held. The agent is a fake of the test's OCF_ROOT, running while its
# state file exists.
# 1. srv1 holds the group: its check passes; srv2's stays unknown (the
#    group is not held there, monitor is not run).
# 2. The service dies on srv1 behind the agent's back (the state file
#    goes): monitor says not running (7), srv1's check fails, srv1
#    releases (check_failed) and srv2 takes the group, starting the agent.
# 3. srv1's check stays failing, keeping srv1 off the group: srv2 in
#    standby keeps it; `xhbctl cleanup 0` on srv1 clears it and the group
#    goes to srv1, whose check passes again.
source "$(dirname "$0")/lib.bash" resource-check

LAB_HACF_EXTRA="${E2E_PROBE_STEADY}check svc resource Fake interval 20ms timeout 1s fall 2 rise 2\n"
lab_setup || fail "lab setup failed"
ocf=$LAB_DIR/ocf
mkdir -p "$ocf/resource.d/heartbeat"
cat >"$ocf/resource.d/heartbeat/Fake" <<'EOF'
#!/bin/sh
state=$OCF_RESKEY_state
case "$1" in
start) touch "$state" ;;
stop) rm -f "$state" ;;
monitor) [ -e "$state" ] || exit 7 ;;
esac
exit 0
EOF
chmod 755 "$ocf/resource.d/heartbeat/Fake"
for node in srv1 srv2; do
	echo "srv1 IPaddr::$LAB_VIP/16/ens192 Fake::state=$LAB_DIR/$node/fake.state" \
		>"$LAB_DIR/$node/ha.d/haresources"
done
export OCF_ROOT=$ocf
e2e_start_pair
wait_for 5 test -e "$LAB_DIR/srv1/fake.state" || fail "srv1 did not start the agent: $(ev_names srv1)"
ev_wait 5 srv1 check_passing check=svc kind=resource || fail "srv1's resource check never passed: $(ev_names srv1)"
status() { lab_in_node "$1" "$XHB_BUILD/xhbctl" status; }
status srv2 | grep -Eq "^svc +resource +unknown " ||
	fail "srv2 does not hold the group: its resource check should be unknown: $(status srv2)"
ev_has srv2 check_failing && fail "srv2 ran monitor where the group is not held: $(ev_names srv2)"
e2e_log "srv1 holds the group, its resource check passes; srv2's is unknown"

t0=$(mono_now)
rm -f "$LAB_DIR/srv1/fake.state"
ev_wait_since "$t0" 3 srv1 check_failing check=svc ||
	fail "the agent says not running on srv1: no check_failing: $(ev_names srv1)"
ev_field srv1 check_failing detail check=svc | tail -n 1 | grep -q "stopped (exit 7)" ||
	fail "check_failing should say stopped (exit 7): $(ev_select srv1 check_failing)"
ev_wait_since "$t0" 3 srv1 group_release reason=check_failed || fail "srv1 should release for check_failed"
wait_for 5 vip_on srv2 || fail "srv2 did not take the VIP: $(ev_names srv2)"
wait_for 5 test -e "$LAB_DIR/srv2/fake.state" || fail "srv2 did not start the agent"
expect_vip_only srv2
expect_curl "IT WORKS SRV2"
ev_wait 3 srv2 check_passing check=svc || fail "srv2's resource check should pass where it now holds the group"
e2e_log "the service died on srv1: the group and its agent moved to srv2"

# ---- 3. srv1 stays off the group until an operator clears it ----
status srv1 | grep -Eq "^svc +resource +failing " ||
	fail "srv1's resource check should stay failing where it failed: $(status srv1)"
ev_mark srv1:group_acquire
lab_in_node srv2 "$XHB_BUILD/xhbctl" standby >/dev/null || fail "xhbctl standby on srv2"
offs() { ev_none_new && vip_on srv2 && not vip_on srv1; }
expect_hold 1 "srv2 in standby gave the group to srv1, whose resource failed" offs
e2e_log "srv2 in standby keeps the group: srv1's resource failed there"
out=$(lab_in_node srv1 "$XHB_BUILD/xhbctl" cleanup 0) || fail "xhbctl cleanup 0 on srv1: $out"
wait_for 5 vip_on srv1 || fail "cleared, srv1 should take the group from srv2 in standby: $(ev_names srv1)"
wait_for 5 test -e "$LAB_DIR/srv1/fake.state" || fail "srv1 did not start the agent again"
expect_vip_only srv1
ev_wait 3 srv1 check_passing check=svc from=unknown || fail "srv1's resource check should pass again: $(ev_names srv1)"
e2e_log "xhbctl cleanup on srv1: the group comes back to srv1, its check passes"
