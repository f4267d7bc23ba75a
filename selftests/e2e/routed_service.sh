#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Routing mode and service checks: the web server on srv1 dies while srv1,
# its bird and its BGP session live on (routing daemons alone would keep
# sending clients to it for good). srv1's check fails, srv1 releases:
# its route goes first (withdrawn), then the VIP; srv2 takes the group and
# the client behind the router gets SRV2, never both. The web server comes
# back: nothing moves (failback off).
source "$(dirname "$0")/lib.bash" routed-service
source "$E2E_DIR/routed.bash"

routed_up 'announce 0 route\ncheck web http http://127.0.0.1/ interval 10ms timeout 200ms fall 3 rise 3\n'
ev_wait 5 srv1 check_passing check=web || fail "srv1's check never passed: $(ev_names srv1)"
ev_wait 5 srv2 check_passing check=web || fail "srv2's check never passed: $(ev_names srv2)"

e2e_watch 3000 "$LAB_DIR/watch.json"
t0=$(mono_now)
lab_web_stop srv1
ev_wait_since "$t0" 3 srv1 group_release reason=check_failed ||
	fail "srv1 should release for check_failed: $(ev_names srv1)"
wait_for 3 routed_path_is srv2 || fail "the router's path is '$(routed_path)', expected srv2"
wait "$LAB_WATCH_PID"
# the probe is a UDP echo, alive on srv1 all along: it says when the
# router's path moved, not when the web server died (below)
routed_expect_move "srv1's web server killed" 500
routed_session_up srv1 || fail "the router's session with srv1 should still be up"
not routed_has_route srv1 || fail "srv1 released but kept its host route"
not routed_has_vip srv1 || fail "srv1 released but kept $LAB_VIP on lo"
# the release's first step: the route, before the address goes
order=$(python3 - "$(ev_file srv1)" "$t0" <<'PY'
import json, sys
seq = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["mono_ns"] >= int(sys.argv[2]) and e["event"] in ("route_removed", "vip_removed", "group_release"):
        seq.setdefault(e["event"], e["seq"])
print(" ".join(sorted(seq, key=seq.get)))
PY
)
[ "$order" = "route_removed vip_removed group_release" ] ||
	fail "srv1's release should withdraw the route first: saw '$order'"
[ "$(routed_route_metric srv2)" = 1000 ] ||
	fail "srv2 took a released group: metric '$(routed_route_metric srv2)', expected 1000"
expect_curl "IT WORKS SRV2"
ms=$(( ($(ev_field srv2 group_acquire mono_ns | tail -n 1) - t0) / 1000000 ))
e2e_log "srv1's web server killed: route withdrawn, srv2 holds ${ms} ms later, the router's path is srv2"

ev_mark srv1:group_acquire srv2:group_release
t1=$(mono_now)
lab_web_start srv1 || fail "srv1's web server did not start again"
ev_wait_since "$t1" 5 srv1 check_passing check=web from=failing || fail "srv1's check did not pass again"
unmoved() { ev_none_new && routed_path_is srv2 && not routed_has_route srv1; }
expect_hold 1 "srv1 healthy again moved the VIP with auto_failback off" unmoved
e2e_log "srv1's web server back: nothing moves"
