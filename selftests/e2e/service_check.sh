#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Service checks (the health issue): the VIP follows the web server, not
# only the node.
#
# Both servers run `check web http http://127.0.0.1/ interval 10ms timeout
# 200ms fall 3` against their own web server (a dead server refuses at
# once; the timeout only bounds a hung one, and keeps a slow answer from a
# busy apache2 from counting as a failure), auto_failback off as in the
# seed.
# 1. The web server on srv1 (the holder) dies: srv1's check fails
#    (check_failing), srv1 releases for check_failed, srv2 takes the VIP
#    and the client gets IT WORKS SRV2.
# 2. srv1's web server comes back: its check passes again, and nothing
#    moves (failback off) for a second.
# 3. The web server on srv2 dies: the VIP goes back to srv1, healthy.
# 4. srv1's dies too: nobody is healthy; the VIP stays on srv1 and srv1
#    says so (no_healthy_node), srv2 never takes it.
source "$(dirname "$0")/lib.bash" service-check

LAB_HACF_EXTRA="${E2E_PROBE_STEADY}check web http http://127.0.0.1/ interval 10ms timeout 200ms fall 3 rise 3\n"
lab_setup || fail "lab setup failed"
e2e_start_pair
ev_wait 5 srv1 check_passing check=web || fail "srv1's check never passed: $(ev_names srv1)"
ev_wait 5 srv2 check_passing check=web || fail "srv2's check never passed: $(ev_names srv2)"
check_state() { # node state: xhbctl status says the check is in state
	lab_in_node "$1" "$XHB_BUILD/xhbctl" status | grep -Eq "^web +http +$2 "
}
wait_for 3 check_state srv1 passing ||
	fail "xhbctl status on srv1 should show check web passing: $(lab_in_node srv1 "$XHB_BUILD/xhbctl" status)"

# ---- 1. the holder's web server dies: the VIP moves ----
t0=$(mono_now)
lab_web_stop srv1
ev_wait_since "$t0" 3 srv1 check_failing check=web ||
	fail "srv1's web server is dead: no check_failing: $(ev_names srv1)"
ev_wait_since "$t0" 3 srv1 group_release reason=check_failed ||
	fail "srv1 should release for check_failed: $(ev_names srv1)"
ev_wait_since "$t0" 3 srv2 group_acquire || fail "srv2 did not take the group: $(ev_names srv2)"
wait_for 3 vip_on srv2 || fail "the VIP is not on srv2"
expect_vip_only srv2
expect_curl "IT WORKS SRV2"
ms=$(( ($(ev_field srv2 group_acquire mono_ns | tail -n 1) - t0) / 1000000 ))
e2e_log "srv1's web server killed: srv2 holds the VIP ${ms} ms later"
wait_for 3 check_state srv1 failing || fail "xhbctl status on srv1 should show check web failing"

# ---- 2. it comes back: passing, nothing moves with failback off ----
ev_mark srv1:group_acquire srv2:group_release
t1=$(mono_now)
lab_web_start srv1
ev_wait_since "$t1" 5 srv1 check_passing check=web from=failing ||
	fail "srv1's web server is back: no check_passing: $(ev_names srv1)"
unmoved() { ev_none_new && vip_on srv2 && not vip_on srv1; }
expect_hold 1 "srv1 healthy again moved the VIP with auto_failback off" unmoved
e2e_log "srv1 healthy again: the VIP stays on srv2 (failback off)"

# ---- 3. the new holder's web server dies: back to srv1 ----
t2=$(mono_now)
lab_web_stop srv2
ev_wait_since "$t2" 3 srv2 group_release reason=check_failed ||
	fail "srv2 should release for check_failed: $(ev_names srv2)"
wait_for 3 vip_on srv1 || fail "the VIP did not come back to srv1: $(ev_names srv1)"
expect_vip_only srv1
expect_curl "IT WORKS SRV1"
e2e_log "srv2's web server killed: the VIP is back on srv1"

# ---- 4. nobody healthy: the VIP stays where it is, and it is said ----
ev_mark srv1:group_release srv2:group_acquire
t3=$(mono_now)
lab_web_stop srv1
ev_wait_since "$t3" 3 srv1 check_failing check=web || fail "srv1's check should fail"
ev_wait_since "$t3" 3 srv1 no_healthy_node held=true ||
	fail "srv1 keeps the VIP with no healthy node: no no_healthy_node: $(ev_names srv1)"
stays() { ev_none_new && vip_on srv1 && not vip_on srv2; }
expect_hold 1 "with every node unhealthy the VIP moved" stays
e2e_log "nobody healthy: the VIP stays on srv1, no_healthy_node said"
