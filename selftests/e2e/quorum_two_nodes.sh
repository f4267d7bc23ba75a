#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Quorum of two nodes with a ping node (the client): srv1 holds the VIP,
# then every frame to and from srv1's bridge port is dropped (its link
# stays up: it is cut off, not down).
# 1. srv2, alone but still reaching the ping node, keeps quorum (a tie
#    with what srv1 last said) and takes the VIP.
# 2. srv1, alone and reaching no ping node once deadping has passed,
#    loses quorum (why ping_nodes) and releases the VIP (no_quorum_policy
#    stop, the default with ping nodes): when the cut heals, nobody has
#    to resolve two holders.
# 3. The cut heals: both quorate, nothing moves (failback off).
source "$(dirname "$0")/lib.bash" quorum-two-nodes
command -v nft >/dev/null || skip "needs nft (nftables) for the cut"

LAB_HACF_EXTRA="${E2E_PROBE_STEADY}keepalive 500ms\nping 172.16.193.1\ndeadping 2\n"

# cut on|off: every frame to and from srv1's bridge port dropped
cut() { # on|off
	if [ "$1" = on ]; then
		bridge_rules 'iifname srv1 drop
		oifname srv1 drop'
	else
		bridge_rules ""
	fi
}

lab_setup || fail "lab setup failed"
lab_start srv1
lab_start srv2
wait_for 15 lab_has_vip srv1 || fail "srv1 did not take $LAB_VIP within 15 s of the start"
for node in srv1 srv2; do
	ev_wait 10 "$node" quorum_gained votes=2 || fail "$node never had quorum: $(ev_names "$node")"
	ev_wait 10 "$node" ping_node_up || fail "$node never reached the ping node: $(ev_names "$node")"
done
expect_curl "IT WORKS SRV1"

t0=$(mono_now)
cut on
ev_wait_since "$t0" 5 srv2 group_acquire reason=peer_dead || fail "srv2 did not take over: $(ev_names srv2)"
ev_since "$t0" srv2 quorum_lost | grep -q . && fail "srv2, reaching the ping node, lost quorum: $(ev_names srv2)"
expect_curl "IT WORKS SRV2"
ev_wait_since "$t0" 10 srv1 quorum_lost why=ping_nodes policy=stop || fail "srv1 did not lose quorum: $(ev_names srv1)"
ev_wait_since "$t0" 5 srv1 group_release reason=no_quorum || fail "srv1 did not release for lack of quorum: $(ev_names srv1)"
wait_for 2 not vip_on srv1 || fail "srv1 still has $LAB_VIP"
e2e_log "srv1 cut off: srv2 took the VIP, srv1 lost quorum and released it"

t1=$(mono_now)
cut off
ev_wait_since "$t1" 10 srv1 quorum_gained votes=2 || fail "srv1 did not regain quorum: $(ev_names srv1)"
ev_mark srv1:vip_added srv2:vip_removed srv2:group_release
expect_hold 2 "a group moved after the heal" ev_none_new
expect_vip_only srv2
expect_curl "IT WORKS SRV2"
e2e_log "healed: srv2 keeps the VIP, srv1 takes nothing"
