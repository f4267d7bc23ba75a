#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Anycast mode (announce 0 anycast): both servers pass their web check,
# hold the VIP on lo and announce its host route; the router has two
# equal paths (ECMP, fib_multipath_hash_policy=1: by port), and the
# client's connections (each its own source port) reach both servers.
# srv1's web server dies: srv1's check fails, srv1 withdraws (its route
# first, then the VIP), the router keeps srv2's path alone, and every
# connection gets SRV2. It comes back: srv1 announces again. srv1's agent
# stops: it withdraws on its way out.
source "$(dirname "$0")/lib.bash" routed-anycast
source "$E2E_DIR/routed.bash"

CONNECTIONS=40
# Both answers seen over CONNECTIONS new connections: "SRV1 n SRV2 m".
spread() {
	local i out
	for i in $(seq "$CONNECTIONS"); do
		out+=$(lab_exec client curl -s --max-time 1 "http://$LAB_VIP/" 2>/dev/null)$'\n'
	done
	printf 'SRV1 %d SRV2 %d' "$(grep -c 'SRV1$' <<<"$out")" "$(grep -c 'SRV2$' <<<"$out")"
}

routed_up 'announce 0 anycast\ncheck web http http://127.0.0.1/ interval 10ms timeout 200ms fall 3 rise 3\n' "srv1 srv2"
routed_has_vip srv2 || fail "srv2 should hold the anycast VIP too"
ev_wait 3 srv2 group_acquire reason=anycast || fail "srv2 should acquire for anycast: $(ev_names srv2)"
[ "$(routed_route_metric srv1)" = 1000 ] && [ "$(routed_route_metric srv2)" = 1000 ] ||
	fail "both routes should have metric 1000: srv1 '$(routed_route_metric srv1)', srv2 '$(routed_route_metric srv2)'"
got=$(spread)
e2e_log "both announce: $CONNECTIONS connections -> $got"
read -r _ n1 _ n2 <<<"$got"
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ $((n1 + n2)) = "$CONNECTIONS" ] ||
	fail "connections should spread over both servers: $got"

t0=$(mono_now)
lab_web_stop srv1
ev_wait_since "$t0" 3 srv1 group_release reason=check_failed ||
	fail "srv1 should withdraw for check_failed: $(ev_names srv1)"
wait_for 3 routed_path_is srv2 || fail "the router's paths are '$(routed_path)', expected srv2 alone"
not routed_has_route srv1 || fail "srv1 withdrew but kept its host route"
routed_has_vip srv2 || fail "srv2 should still hold the VIP"
got=$(spread)
e2e_log "srv1's web server killed: srv1 withdrew; $CONNECTIONS connections -> $got"
[ "$got" = "SRV1 0 SRV2 $CONNECTIONS" ] || fail "every connection should reach srv2: $got"

t1=$(mono_now)
lab_web_start srv1 || fail "srv1's web server did not start again"
ev_wait_since "$t1" 5 srv1 group_acquire reason=anycast || fail "srv1 should announce again: $(ev_names srv1)"
wait_for 3 routed_path_is srv1 srv2 || fail "the router's paths are '$(routed_path)', expected both"
e2e_log "srv1's web server back: both announce again"

# ---- srv1's agent stops (SIGTERM): it withdraws on its way out ----
t2=$(mono_now)
lab_stop srv1 TERM
ev_wait_since "$t2" 5 srv1 route_removed || fail "srv1's agent stopped without withdrawing: $(ev_names srv1)"
wait_for 3 routed_path_is srv2 || fail "the router's paths are '$(routed_path)' with srv1's agent stopped, expected srv2"
not routed_has_vip srv1 || fail "srv1's agent stopped and left the VIP on lo"
e2e_log "srv1's agent stopped: srv1 withdrew, srv2 alone announces"
