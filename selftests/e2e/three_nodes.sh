#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Three nodes on one segment (the N-node issue's first test): srv1, srv2
# and srv3 (172.16.193.70) share the seed's VIP, srv1 preferred.
# 1. srv1 holds; srv2 and srv3 each see both others up.
# 2. srv1's link goes down: exactly one successor, srv2 (the lowest index
#    of the live nodes, computed alike by both), and srv3 never holds the
#    VIP, polled every 20 ms; the client gets SRV2.
# 3. srv2's link goes down too: srv3, alone, has 1 of 3 votes: it loses
#    quorum and takes nothing (no_quorum_policy stop, the default for
#    three nodes): nobody holds the VIP rather than a node cut off.
source "$(dirname "$0")/lib.bash" three-nodes

LAB_NODES=(srv1 srv2 srv3)
LAB_IP[srv3]=172.16.193.70
LAB_HACF_EXTRA="${E2E_PROBE_STEADY}node srv3\n"
lab_setup || fail "lab setup failed"
lab_start srv1
lab_start srv2
lab_start srv3
wait_for 15 lab_has_vip srv1 || fail "srv1 did not take $LAB_VIP within 15 s of the start"
expect_all_up srv1 srv2 srv3
expect_vip_only srv1
expect_curl "IT WORKS SRV1"
e2e_log "three nodes up, srv1 holds the VIP"

# srv3 must never hold the VIP while srv2 is alive: polled every 20 ms.
(
	LAB_POLL_S=0.02 hold_for 3 not vip_on srv3 ||
		echo "srv3 had $LAB_VIP at $(date +%T.%N), $E2E_HOLD_AT into the poll"
) >"$LAB_DIR/srv3_poll.txt" 2>&1 &
poll=$!
e2e_bg "$poll"
t0=$(mono_now)
lab_exec srv1 ip link set ens192 down
ev_wait_since "$t0" 3 srv2 group_acquire reason=peer_dead || fail "srv2 did not take over: $(ev_names srv2)"
wait "$poll"
[ ! -s "$LAB_DIR/srv3_poll.txt" ] || fail "srv3 held the VIP too: $(cat "$LAB_DIR/srv3_poll.txt")"
ev_has srv3 group_acquire && fail "srv3 acquired the group as well: $(ev_names srv3)"
expect_vip_only srv2
expect_curl "IT WORKS SRV2"
e2e_log "srv1's link down: srv2 alone took the VIP, srv3 never held it"

t1=$(mono_now)
lab_exec srv2 ip link set ens192 down
ev_wait_since "$t1" 3 srv3 quorum_lost votes=1 total=3 || fail "srv3 did not lose quorum: $(ev_names srv3)"
ev_wait_since "$t1" 3 srv2 group_release || fail "srv2 did not release: $(ev_names srv2)"
ev_mark srv3:group_acquire srv3:vip_added
expect_hold 1 "srv3 took the VIP without quorum" ev_none_new
expect_no_vip srv3
e2e_log "srv2's link down too: srv3, alone, lost quorum and took nothing"
