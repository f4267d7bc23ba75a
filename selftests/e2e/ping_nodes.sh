#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Ping nodes, as Heartbeat's ipfail used them (the health issue): both
# servers ping the client's router-to-be, 172.16.193.1 (`ping` in ha.cf,
# deadping 1s, keepalive 200ms).
# 1. Both reach it: equal counts, nothing moves, nobody yields.
# 2. srv1, the holder, loses its route to the ping node (a blackhole route:
#    its link and heartbeats are fine): ping_node_down, ping_yield, srv1
#    releases for fewer_ping_nodes, srv2 takes the VIP and serves the
#    client.
# 3. srv1 reaches it again: ping_node_up, ping_yield false, and nothing
#    moves (auto_failback off) for a second.
source "$(dirname "$0")/lib.bash" ping-nodes

PING_NODE=172.16.193.1
LAB_HACF_EXTRA="${E2E_PROBE_STEADY}keepalive 200ms\\ndeadping 1\\nping $PING_NODE\\n"
lab_setup || fail "lab setup failed"
e2e_start_pair
ev_wait 5 srv1 ping_node_up target=$PING_NODE || fail "srv1 never reached $PING_NODE: $(ev_names srv1)"
ev_wait 5 srv2 ping_node_up target=$PING_NODE || fail "srv2 never reached $PING_NODE: $(ev_names srv2)"

# ---- 1. equal counts: nothing ----
ev_mark srv1:ping_yield srv2:ping_yield srv1:group_release srv2:group_acquire
quiet() { ev_none_new && vip_on srv1 && not vip_on srv2; }
expect_hold 1.5 "both reach the ping node, yet something moved" quiet
e2e_log "both reach $PING_NODE: nothing moves"

# ---- 2. the holder loses it: the VIP goes to the node that still reaches it ----
t0=$(mono_now)
lab_exec srv1 ip route add blackhole $PING_NODE/32
ev_wait_since "$t0" 3 srv1 ping_node_down target=$PING_NODE reached=0 ||
	fail "srv1 cannot reach $PING_NODE: no ping_node_down: $(ev_names srv1)"
ev_wait_since "$t0" 3 srv1 ping_yield yield=true reached=0 peer_reached=1 ||
	fail "srv1 reaches fewer ping nodes than srv2: no ping_yield: $(ev_names srv1)"
ev_wait_since "$t0" 3 srv1 group_release reason=fewer_ping_nodes ||
	fail "srv1 should release for fewer_ping_nodes: $(ev_names srv1)"
wait_for 3 vip_on srv2 || fail "srv2 did not take the VIP: $(ev_names srv2)"
expect_vip_only srv2
expect_curl "IT WORKS SRV2"
ev_has srv2 ping_yield || true
ev_count srv2 ping_yield yield=true | grep -qx 0 || fail "srv2 yielded though it reaches more"
e2e_log "srv1 lost $PING_NODE: srv2 holds the VIP and serves the client"

# ---- 3. it comes back: no move with failback off ----
ev_mark srv1:group_acquire srv2:group_release
t1=$(mono_now)
lab_exec srv1 ip route del blackhole $PING_NODE/32
ev_wait_since "$t1" 3 srv1 ping_node_up target=$PING_NODE || fail "srv1 reaches $PING_NODE again: no ping_node_up"
ev_wait_since "$t1" 3 srv1 ping_yield yield=false || fail "srv1 should stop yielding: $(ev_names srv1)"
stays() { ev_none_new && vip_on srv2 && not vip_on srv1; }
expect_hold 1 "srv1 back to equal counts moved the VIP with auto_failback off" stays
e2e_log "srv1 reaches $PING_NODE again: the VIP stays on srv2 (failback off)"
