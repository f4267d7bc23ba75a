#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Routing mode, silent path loss: every frame between srv1 and the router
# dropped (nftables on the switch between them), every link up. Only BFD
# would notice, here after about 600 ms (200 ms x 3). xhb's probes (1 ms x 3,
# through the router) tell srv2 that srv1 is gone; srv2 takes over with
# the takeover metric, and the router prefers its path at once, while
# its session with srv1 is still up and srv1's path still there.
# Then BFD drops srv1's session: srv1's check of it (an exec check,
# bgp-session-up) fails; srv1, hearing nobody, keeps the group
# (no_healthy_node), which the router no longer hears of. The path comes
# back: srv1, failing its check, is no candidate in the healed partition;
# it releases, srv2 keeps the VIP, nothing moves.
source "$(dirname "$0")/lib.bash" routed-path-loss
source "$E2E_DIR/routed.bash"

routed_up "announce 0 route\ncheck bgp exec $LAB_DIR/bgp-session-up interval 100ms timeout 1s fall 2 rise 2\n"
ev_wait 5 srv1 check_passing check=bgp || fail "srv1's check of its BGP session never passed: $(ev_names srv1)"
e2e_watch 3000 "$LAB_DIR/watch.json"
routed_path_loss srv1 on
wait_for 3 routed_path_is srv2 || fail "the router's path is '$(routed_path)', expected srv2"
# the router still has srv1's session: the path moved on the MED alone
routed_session_up srv1 && still_up=yes || still_up=no
wait "$LAB_WATCH_PID"
routed_expect_move "silent path loss srv1 <-> router" 200
[ "$(routed_route_metric srv2)" = 100 ] ||
	fail "srv2 took over with metric '$(routed_route_metric srv2)', expected 100"
[ "$still_up" = yes ] ||
	fail "the router's session with srv1 was down when srv2's path won: BFD, not the takeover metric, moved it"
e2e_log "path loss: the router took srv2's path while its session with srv1 was up"

wait_for 5 not routed_session_up srv1 || fail "BFD never dropped the router's session with srv1"
ev_wait 5 srv1 check_failing check=bgp || fail "srv1's check of its BGP session should fail: $(ev_names srv1)"
e2e_log "BFD dropped the session with srv1 later, and srv1's check of it failed"

# ---- the path back: nothing moves, nothing lost ----
ev_mark srv2:group_release srv2:vip_removed
t1=$(mono_now)
e2e_watch 3000 "$LAB_DIR/watch.json"
routed_path_loss srv1 off
ev_wait_since "$t1" 5 srv1 group_release || fail "srv1 should release once it hears srv2 holding: $(ev_names srv1)"
not routed_has_route srv1 || fail "srv1 released but kept its host route"
wait_for 10 routed_session_up srv1 || fail "the router's session with srv1 did not come back"
unmoved() { ev_none_new && routed_path_is srv2 && not routed_has_route srv1; }
expect_hold 1 "the path back moved the VIP" unmoved
wait "$LAB_WATCH_PID"
# Heard again, the two resolve the healed partition in a few ms, during
# which srv2's XDP may fence the VIP (srv1's first probes say it was not
# heard): a few requests, never a move.
python3 - "$LAB_DIR/watch.json" <<'PY' || fail "the client saw a move when srv1's path came back"
import json, sys
r = json.load(open(sys.argv[1]))
print(f"client as the path came back: {r['requests']} requests, lost {r['lost']}, outage {r['outage_ms']} ms, "
      f"servers {r['servers']}, both answered {r['both_answered']}")
sys.exit(not (r["servers"] == ["SRV2"] and r["both_answered"] == 0 and (r["outage_ms"] or 0) < 100))
PY
e2e_log "path back: srv2 keeps the VIP, the router's path stays srv2"
