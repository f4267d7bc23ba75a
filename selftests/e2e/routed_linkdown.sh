#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Routing mode (announce 0 route), the routed lab (tools/lab_routed.sh):
# srv1 holds the VIP on lo and its host route in table 100 (metric 1000),
# which its bird announces; the client behind the router reaches SRV1.
# 1. srv1's link goes down: srv2 takes over with the takeover metric
#    (100), the router moves to srv2 well before BFD (600 ms here) could
#    have told it, and no request is answered by both.
# 2. takeover_hold (2 s) later srv2's route goes back to metric 1000, the
#    new route before the old one goes: the client loses nothing.
# 3. srv1's link comes back, auto_failback off: nothing moves, srv1
#    announces nothing.
source "$(dirname "$0")/lib.bash" routed-linkdown
source "$E2E_DIR/routed.bash"

routed_up 'announce 0 route takeover_hold 2s\n'
[ "$(routed_route_metric srv1)" = 1000 ] ||
	fail "srv1's host route: metric '$(routed_route_metric srv1)', expected 1000: $(lab_exec srv1 ip route show table all | grep 10.61.0.30)"
not routed_has_route srv2 || fail "srv2 has a host route for $LAB_VIP and does not hold it"

# ---- 1. link down: srv2, at once ----
e2e_watch 3000 "$LAB_DIR/watch.json"
lab_exec srv1 ip link set ens192 down
wait_for 3 routed_path_is srv2 || fail "the router's path is '$(routed_path)', expected srv2"
metric=$(routed_route_metric srv2)
wait "$LAB_WATCH_PID"
routed_expect_move "srv1's link down" 200
[ "$metric" = 100 ] || fail "srv2 took over with metric '$metric', expected the takeover metric 100"
ev_wait 3 srv1 group_release reason=local_fault || fail "srv1 should release for local_fault: $(ev_names srv1)"
not routed_has_route srv1 || fail "srv1 kept its host route with its link down"
not routed_has_vip srv1 || fail "srv1 kept $LAB_VIP on lo with its link down"
ev_wait 3 srv2 route_added metric=100 reason=takeover || fail "srv2 should say route_added (takeover): $(ev_names srv2)"
e2e_log "srv1's link down: the router's path is srv2, whose route has metric 100"

# ---- 2. the hold ends: metric 1000, nothing lost ----
e2e_watch 4000 "$LAB_DIR/watch.json"
wait_for 4 test "$(routed_route_metric srv2)" = 1000 ||
	fail "srv2's route kept metric '$(routed_route_metric srv2)' past takeover_hold"
wait "$LAB_WATCH_PID"
ev_wait 3 srv2 route_added metric=1000 reason=takeover_over ||
	fail "srv2 should say route_added (takeover_over): $(ev_names srv2)"
ev_wait 3 srv2 route_removed metric=100 || fail "srv2 should say route_removed for metric 100"
[ "$(lab_exec srv2 ip route show table 100 | grep -c .)" = 1 ] ||
	fail "srv2's table 100 should hold one route: $(lab_exec srv2 ip route show table 100)"
python3 - "$LAB_DIR/watch.json" <<'PY' || fail "the client lost requests when srv2's metric went back"
import json, sys
r = json.load(open(sys.argv[1]))
print(f"client across the metric's return: {r['requests']} requests, lost {r['lost']}, servers {r['servers']}")
sys.exit(not (r["lost"] == 0 and r["servers"] == ["SRV2"]))
PY
routed_path_is srv2 || fail "the router's path is '$(routed_path)' after the metric's return, expected srv2"
e2e_log "takeover_hold over: srv2's route is back at metric 1000, no request lost"

# ---- 3. srv1's link back, failback off: no move ----
ev_mark srv1:group_acquire srv2:group_release
lab_exec srv1 ip link set ens192 up
ev_wait 5 srv1 peer_up peer=srv2 || fail "srv1 never heard srv2 again: $(ev_names srv1)"
unmoved() { ev_none_new && routed_path_is srv2 && not routed_has_route srv1 && routed_has_vip srv2; }
expect_hold 1 "srv1 back moved the VIP with auto_failback off" unmoved
expect_curl "IT WORKS SRV2"
e2e_log "srv1 back: the VIP stays on srv2 (failback off)"
