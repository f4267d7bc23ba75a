#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Routing mode, the holder's agent hangs (SIGSTOP) while its kernel and
# its bird live on: srv1's host route stays, its BGP session stays up,
# the router keeps its path. srv2 judges srv1 stalled and waits for its
# lease (300 ms) to run out (srv1's XDP fences the VIP by then); it takes
# over with the takeover metric, and the router prefers srv2's path over
# srv1's, still announced. srv1's agent wakes (SIGCONT): past its lease,
# it lets go, its route first (route_removed), and the router has srv2's
# path alone. The client never gets two servers.
#
# E2E_FENCED_STANDBY=1 (routed_stall_fenced.sh): the same with
# `fenced_standby on`, which routing mode's groups ignore (their address
# is on lo, their route is what moves): nothing is ever staged, neither
# node has a vip_staged event nor a staged entry in xhb_vips.
source "$(dirname "$0")/lib.bash" "routed-stall${E2E_FENCED_STANDBY:+-fenced}"
source "$E2E_DIR/routed.bash"

# `probe 1ms 19` (E2E_PROBE_STEADY): once in CI, just after srv1 woke,
# a 4 ms silence of the lab's switch (srv2's replies) made srv1 judge srv2
# dead at `probe 1ms 3` and take the route back; this test asserts where
# the route is after the wake, not how fast a death is seen.
ROUTED_PROBE=$E2E_PROBE_STEADY
routed_up "lease 300ms\n${E2E_FENCED_STANDBY:+fenced_standby on\n}announce 0 route\n"
e2e_watch 4000 "$LAB_DIR/watch.json"
t0=$(mono_now)
e2e_stop "$(lab_pid srv1)" || fail "cannot stop srv1's agent"
ev_wait_since "$t0" 5 srv2 group_acquire || fail "srv2 did not take over from a stalled srv1: $(ev_names srv2)"
reason=$(ev_since "$t0" srv2 group_acquire | python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["reason"])')
case $reason in
lease_expired | peer_stalled_holds) ;;
*) fail "srv2 took over for '$reason', expected lease_expired or peer_stalled_holds" ;;
esac
wait_for 3 routed_path_is srv2 || fail "the router's path is '$(routed_path)', expected srv2"
# srv1's route is still there and still announced: the MED decides
routed_has_route srv1 || fail "srv1's stalled agent cannot have removed its route"
routed_session_up srv1 || fail "the router's session with srv1 should be up (its bird lives)"
[ "$(routed_route_metric srv2)" = 100 ] || fail "srv2's metric is '$(routed_route_metric srv2)', expected 100"
e2e_log "srv1 stalled: srv2 took over ($reason), the router prefers srv2's path over srv1's, still announced"

t1=$(mono_now)
e2e_cont "$(lab_pid srv1)"
ev_wait_since "$t1" 5 srv1 route_removed || fail "srv1 woke past its lease and kept its route: $(ev_names srv1)"
wait_for 3 not routed_has_route srv1 || fail "srv1's route is still in table 100"
wait "$LAB_WATCH_PID"
python3 - "$LAB_DIR/watch.json" <<'PY' || fail "the client's view of the stall (above)"
import json, sys
r = json.load(open(sys.argv[1]))
print(f"client across the stall: {r['requests']} requests, lost {r['lost']}, outage {r['outage_ms']} ms, "
      f"servers {r['servers']}, both answered {r['both_answered']}")
sys.exit(not (r["both_answered"] == 0 and r["servers"][-1] == "SRV2"))
PY
routed_path_is srv2 || fail "the router's path is '$(routed_path)' after srv1 woke, expected srv2"
if e2e_fenced; then
	for node in srv1 srv2; do
		! ev_has "$node" vip_staged || fail "routing mode, $node staged an address: $(ev_select "$node" vip_staged)"
		f=$(vip_flags "$node")
		[ "$f" = absent ] || [ $((f & 1)) = 0 ] || fail "routing mode, $node's xhb_vips entry is staged (flags $f)"
	done
	e2e_log "fenced_standby on: nothing staged in routing mode (flags srv1 $(vip_flags srv1), srv2 $(vip_flags srv2))"
fi
e2e_log "srv1 woke: its route withdrawn, the router's path stays srv2"
