#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# The agent dies in the middle of a takeover, after the VIP went up and
# before the group's service started, its start script with it (the
# safety issue, item 8). The restarted agent must not adopt a VIP that
# serves nothing: it finds the transition recorded half done, undoes it
# (group_release, reason interrupted) and the decision takes the group
# again, service and all.
#
#   srv1 IPaddr::172.16.193.30/16/ens192 slowstart
#   slowstart start: waits while $LAB_DIR/srv1/slow exists (the test
#   removes it; 20 s at most), then creates $LAB_DIR/srv1/running; stop
#   removes it
source "$(dirname "$0")/lib.bash" restart-mid-takeover

lab_setup || fail "lab setup failed"
for node in srv1 srv2; do
	d=$LAB_DIR/$node/ha.d
	mkdir -p "$d/resource.d"
	cat >"$d/resource.d/slowstart" <<EOF
#!/bin/sh
case "\$1" in
start)
	echo \$\$ >"$LAB_DIR/$node/start.pid"
	n=0
	while [ -e "$LAB_DIR/$node/slow" ] && [ \$n -lt 400 ]; do
		sleep 0.05; n=\$((n + 1))
	done
	touch "$LAB_DIR/$node/running" ;;
stop) rm -f "$LAB_DIR/$node/running" ;;
esac
exit 0
EOF
	chmod 755 "$d/resource.d/slowstart"
	echo "srv1 IPaddr::$LAB_VIP/16/ens192 slowstart" >"$d/haresources"
done
e2e_start_pair
running() { test -e "$LAB_DIR/srv1/running"; }
wait_for 3 running || fail "srv1's service did not start"

# Hand the group to srv2, then take it back slowly.
lab_in_node srv1 "$XHB_BUILD/xhbctl" standby >/dev/null || fail "xhbctl standby"
wait_for 5 vip_on srv2 || fail "srv2 did not take the VIP on standby"
touch "$LAB_DIR/srv1/slow"
t0=$(mono_now)
lab_in_node srv1 "$XHB_BUILD/xhbctl" takeover >/dev/null || fail "xhbctl takeover"
ev_wait_since "$t0" 5 srv1 vip_added || fail "srv1 did not add the VIP on takeover: $(ev_names srv1)"
[ -z "$(ev_since "$t0" srv1 resource_start)" ] || fail "the slow start finished before the crash"
# the address comes first, the script after it: wait for the script too
wait_for 3 test -s "$LAB_DIR/srv1/start.pid" || fail "srv1's start script did not begin: $(ev_names srv1)"
pid1=$(lab_pid srv1)
e2e_log "srv1: the VIP is up, its service starting: SIGKILL the agent and the start script"
kill -KILL "$pid1" "$(cat "$LAB_DIR/srv1/start.pid")"
rm -f "$LAB_DIR/srv1/xhbd.pid" "$LAB_DIR/srv1/slow"
vip_on srv1 || fail "the VIP went with the agent: the test needs it left up"
! running || fail "the service is running: the test needs it not started"

t1=$(mono_now)
lab_start srv1
ev_wait_since "$t1" 5 srv1 group_release reason=interrupted ||
	fail "the restarted srv1 did not undo the half-done takeover: $(ev_names srv1)"
ev_wait_since "$t1" 10 srv1 resource_start || fail "srv1 never started the service again: $(ev_names srv1)"
wait_for 2 running || fail "srv1's service is not running"
expect_vip_only srv1
expect_curl "IT WORKS SRV1"
exit 0
