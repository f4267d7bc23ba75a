#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# A failed stop is a state (the health issue): the group's service may
# still run on srv1, so no other node may start it.
#
#   srv1 IPaddr::172.16.193.30/16/ens192 hangstop
#   hangstop stop: hangs (sleeps forever) while $LAB_DIR/srv1/hang exists
#   resource_timeout hangstop stop 1s; stop_failed_policy: the default
#
# 1. srv1 standby: the stop hangs, is killed after 1 s (resource_failed,
#    timeout), the group is stop_failed (group_stop_failed): xhbctl status
#    shows it, srv1 still claims it, its VIP is removed, and srv2 does not
#    take it (ip addr of both polled for 3 s: the VIP nowhere).
# 2. srv1's agent is killed and started again: it finds the group
#    stop_failed in its record and keeps it so (adopted); srv2 still waits.
# 3. SIGTERM to srv1: it does not exit while the group is blocked
#    (agent_stop_blocked), srv2 still waits.
# 4. The stop is fixed, xhbctl cleanup 0: the stop runs again and works,
#    srv1 releases the group and ends its stop, srv2 takes the VIP only
#    then, and the client gets SRV2's page.
source "$(dirname "$0")/lib.bash" stop-failed

LAB_HACF_EXTRA='probe 10ms 3\nresource_timeout hangstop stop 1s\n'
lab_setup || fail "lab setup failed"
for node in srv1 srv2; do
	d=$LAB_DIR/$node/ha.d
	mkdir -p "$d/resource.d"
	cat >"$d/resource.d/hangstop" <<EOF
#!/bin/sh
case "\$1" in
stop) while [ -e "$LAB_DIR/$node/hang" ]; do sleep 0.05; done ;;
esac
exit 0
EOF
	chmod 755 "$d/resource.d/hangstop"
	echo "srv1 IPaddr::$LAB_VIP/16/ens192 hangstop" >"$d/haresources"
done
e2e_start_pair
ev_wait 3 srv1 resource_start || fail "srv1 did not start the group: $(ev_names srv1)"

# Group 0's phase on NODE, as xhbctl status -j says it.
phase_of() { # node
	lab_in_node "$1" "$XHB_BUILD/xhbctl" -j status |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["groups"][0]["phase"])'
}
phase_is() { [ "$(phase_of "$1")" = "$2" ]; }
# The VIP is on no server (srv1 removed it, srv2 did not take it), and
# srv2 took nothing since ev_mark.
nobody_serves() { not vip_on srv1 && not vip_on srv2 && ev_none_new; }

# ---- 1. the stop hangs: stop_failed ----
touch "$LAB_DIR/srv1/hang"
t0=$(mono_now)
lab_in_node srv1 "$XHB_BUILD/xhbctl" standby >/dev/null || fail "xhbctl standby"
ev_wait_since "$t0" 4 srv1 resource_failed action=stop reason=timeout ||
	fail "srv1's hung stop did not time out after 1 s: $(ev_names srv1)"
ev_wait_since "$t0" 2 srv1 group_stop_failed resource=hangstop held=true ||
	fail "no group_stop_failed on srv1: $(ev_names srv1)"
e2e_log "srv1: $(ev_since "$t0" srv1 resource_failed | head -n 1)"
wait_for 2 phase_is srv1 stop_failed || fail "xhbctl status on srv1: group 0 is $(phase_of srv1), not stop_failed"
lab_in_node srv1 "$XHB_BUILD/xhbctl" status | grep -Eq "^0 +srv1 +srv1 +stop_failed " ||
	fail "xhbctl status (text) on srv1 should show group 0 stop_failed, owned by srv1: $(lab_in_node srv1 "$XHB_BUILD/xhbctl" status)"
ev_mark srv2:vip_added srv2:group_acquire
held=yes
LAB_POLL_S=0.02 hold_for 3 nobody_serves || held="no: ${E2E_NEW:-a server has the VIP} after $E2E_HOLD_AT"
[ "$held" = yes ] || fail "while srv1's group is stop_failed, nobody must serve its VIP ($held)"
e2e_log "srv1's stop failed: the VIP on neither server for 3 s, srv2 waits"

# ---- 2. a restarted agent keeps it blocked ----
t1=$(mono_now)
lab_stop srv1 KILL
lab_start srv1
ev_wait_since "$t1" 5 srv1 group_stop_failed adopted=true ||
	fail "srv1's new agent did not find the group stop_failed: $(ev_names srv1)"
wait_for 2 phase_is srv1 stop_failed || fail "after the restart, group 0 is $(phase_of srv1) on srv1"
held=yes
hold_for 1 nobody_serves || held="no: ${E2E_NEW:-a server has the VIP} after $E2E_HOLD_AT"
[ "$held" = yes ] || fail "after srv1's restart, nobody must serve the blocked group's VIP ($held)"
e2e_log "srv1's agent restarted: the group is still stop_failed"

# ---- 3. SIGTERM does not end an agent with a blocked group ----
pid1=$(lab_pid srv1)
t2=$(mono_now)
kill -TERM "$pid1"
ev_wait_since "$t2" 3 srv1 agent_stop_blocked || fail "no agent_stop_blocked on srv1: $(ev_names srv1)"
held=yes
hold_for 1 eval 'agent_alive srv1 && nobody_serves' || held="no: ${E2E_NEW:-srv1 exited or a server has the VIP} after $E2E_HOLD_AT"
[ "$held" = yes ] || fail "SIGTERM with a blocked group: srv1 must stay and nobody serve ($held)"
e2e_log "srv1 asked to stop: it stays, holding the blocked group"

# ---- 4. fixed, cleaned up: released, and only then srv2 takes it ----
rm -f "$LAB_DIR/srv1/hang"
t3=$(mono_now)
lab_in_node srv1 "$XHB_BUILD/xhbctl" cleanup 0 >/dev/null || fail "xhbctl cleanup 0 was refused"
ev_wait_since "$t3" 3 srv1 cleanup_request || fail "no cleanup_request on srv1: $(ev_names srv1)"
ev_wait_since "$t3" 5 srv1 group_release || fail "srv1 did not release after the cleanup: $(ev_names srv1)"
wait_for 5 vip_on srv2 || fail "srv2 did not take the VIP after srv1's cleanup"
wait_for 5 not agent_alive srv1 || fail "srv1's agent did not finish its stop after the cleanup"
python3 - "$LAB_DIR" "$t3" <<'EOF' || fail "srv2 took the VIP before srv1 released it (above)"
import json, sys
d, t3 = sys.argv[1], int(sys.argv[2])
ev = {n: [json.loads(l) for l in open(f"{d}/{n}/events.json")] for n in ("srv1", "srv2")}
first = lambda n, name: next(e for e in ev[n] if e["event"] == name and e["mono_ns"] >= t3)
rel, stop, add = first("srv1", "group_release"), first("srv1", "resource_stop"), first("srv2", "vip_added")
ms = lambda e: (e["mono_ns"] - t3) / 1e6
print(f"after the cleanup: srv1 resource_stop +{ms(stop):.1f} ms, group_release +{ms(rel):.1f} ms "
      f"(reason {rel['reason']}); srv2 vip_added +{ms(add):.1f} ms")
sys.exit(not (stop["mono_ns"] < rel["mono_ns"] < add["mono_ns"]))
EOF
expect_vip_only srv2
expect_curl "IT WORKS SRV2"
exit 0
