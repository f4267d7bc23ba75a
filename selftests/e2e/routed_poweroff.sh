#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Routing mode, power-off: srv1's NIC stops (link down) and every process
# in its namespace (agent, bird, web server, echo) is SIGKILLed at once
# (routed_poweroff); the router's link stays up (a switch between). srv2
# takes over with the takeover metric and the client behind the router
# gets SRV2 within 200 ms, no request answered by both. srv1 comes back (new agent and bird, link
# up), auto_failback off: nothing moves.
source "$(dirname "$0")/lib.bash" routed-poweroff
source "$E2E_DIR/routed.bash"

routed_up
e2e_watch 3000 "$LAB_DIR/watch.json"
routed_poweroff srv1
wait_for 3 routed_path_is srv2 || fail "the router's path is '$(routed_path)', expected srv2"
wait "$LAB_WATCH_PID"
routed_expect_move "srv1's power-off" 200
ev_wait 3 srv2 group_acquire reason=peer_dead || fail "srv2 should take over for peer_dead: $(ev_names srv2)"
[ "$(routed_route_metric srv2)" = 100 ] ||
	fail "srv2 took over with metric '$(routed_route_metric srv2)', expected 100"
expect_curl "IT WORKS SRV2"
e2e_log "srv1 powered off: the router's path is srv2"

# ---- srv1 boots again: its link, bird, web server and agent ----
ev_mark srv2:group_release
lab_exec srv1 ip link set ens192 up
lab_services srv1 || fail "srv1's web server and echo did not start again"
routed_bird_start srv1
wait_for 20 routed_session_up srv1 || fail "the router's session with srv1 did not come back"
lab_start srv1
ev_wait 15 srv1 peer_up peer=srv2 || fail "srv1's new agent never heard srv2: $(ev_names srv1)"
unmoved() { ev_none_new && routed_path_is srv2 && not routed_has_route srv1 && not routed_has_vip srv1; }
expect_hold 1 "srv1 back moved the VIP with auto_failback off" unmoved
expect_curl "IT WORKS SRV2"
e2e_log "srv1 back: the VIP stays on srv2 (failback off)"
