#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# A partition of the cluster traffic (UDP 694 dropped by an nftables rule
# in the bridge's namespace; both agents and links stay up, the client
# still reaches both): each node thinks the other dead and both hold the
# VIP. When it heals, exactly one keeps it, deterministically the
# preferred node (srv1 for the seed's group), which announces it again
# (gratuitous ARP: the client's ARP entry may point at srv2); srv2
# releases (partition_resolved).
#   case "both": the rule goes away at once;
#   case "srv2-first": srv2 hears srv1 half a second before srv1 hears
#   srv2, so srv2 releases before srv1 sees two holders: srv1 must
#   announce all the same.
source "$(dirname "$0")/lib.bash" partition
command -v nft >/dev/null || skip "needs nft (nftables) for the partition"

# partition ADDR...: drop UDP 694 from those addresses (all: no address)
partition() {
	local rules="" a
	if [ $# = 0 ]; then
		rules=$'udp dport 694 drop\nudp sport 694 drop'
	else
		for a in "$@"; do
			rules+=$"ip saddr $a udp dport 694 drop"$'\n'"ip saddr $a udp sport 694 drop"$'\n'
		done
	fi
	bridge_rules "$rules"
}

only_srv1_has_vip() { vip_on srv1 && not vip_on srv2; }

run_case() { # both|srv2-first
	local mode=$1 heal_ns healed
	# 10 ms probes: while only one direction flows, srv2 hears srv1's
	# agent alone, and a 4 ms scheduling hiccup of it would read as death.
	LAB_HACF_EXTRA='probe 10ms 3\n'
	lab_setup || fail "lab setup failed"
	e2e_start_pair

	e2e_log "[$mode] lanbr: nft drops UDP 694 between the nodes (partition)"
	partition
	ev_wait 3 srv1 peer_dead peer=srv2 || fail "[$mode] partition: srv1 did not judge srv2 dead: $(ev_names srv1)"
	ev_wait 3 srv2 peer_dead peer=srv1 || fail "[$mode] partition: srv2 did not judge srv1 dead: $(ev_names srv2)"
	wait_for 3 lab_has_vip srv2 || fail "[$mode] partition: srv2 did not take $LAB_VIP although it judges srv1 dead"
	hold_for 0.5 vip_on srv1 ||
		fail "[$mode] partition: srv1 released $LAB_VIP (after $E2E_HOLD_AT) although it is up and judges srv2 dead"
	agent_alive srv1 && agent_alive srv2 || fail "[$mode] an agent died during the partition"
	e2e_log "[$mode] partition: both hold $LAB_VIP: srv1 [$(node_addrs srv1 | tr '\n' ' ')] srv2 [$(node_addrs srv2 | tr '\n' ' ')]"
	ev_has srv2 group_acquire reason=peer_dead || fail "[$mode] partition: srv2 should acquire with reason peer_dead: $(ev_names srv2)"

	if [ "$mode" = srv2-first ]; then
		e2e_log "[$mode] lanbr: srv1 -> srv2 allowed, srv2 -> srv1 still dropped"
		partition "${LAB_IP[srv2]}"
		ev_wait 3 srv2 group_release reason=partition_resolved ||
			fail "[$mode] srv2 hears srv1 holding the VIP and should release (partition_resolved): $(ev_names srv2)"
		# Half a second of one-way traffic: srv1 keeps the VIP, srv2 stays
		# released (its address went before its group_release event).
		hold_for 0.5 only_srv1_has_vip ||
			fail "[$mode] one way (srv1 -> srv2 only): after $E2E_HOLD_AT, srv1 [$(node_addrs srv1 | tr '\n' ' ')] srv2 [$(node_addrs srv2 | tr '\n' ' ')], expected the VIP on srv1 only"
	fi
	e2e_log "[$mode] lanbr: nft rule removed (heal)"
	healed=$(mono_now)
	bridge_rules ""
	wait_for 3 bash -c "! ip netns exec $(lab_ns srv2) ip -o -4 addr show dev ens192 | grep -q ' $LAB_VIP/'" ||
		fail "[$mode] heal: srv2 still holds $LAB_VIP 3 s after the partition healed"
	ev_wait 2 srv1 peer_up peer=srv2 from=dead || fail "[$mode] heal: srv1 did not see srv2 up again: $(ev_names srv1)"
	expect_vip_only srv1
	ev_wait 2 srv2 group_release reason=partition_resolved ||
		soft_fail "[$mode] heal: srv2 should release with reason partition_resolved: $(ev_select srv2 group_release)"
	heal_ns=$(ev_field srv2 group_release mono_ns)
	ev_wait_since "${heal_ns:-0}" 2 srv1 garp_sent ||
		soft_fail "[$mode] heal: srv1 kept $LAB_VIP but sent no gratuitous ARP after srv2 released it (no garp_sent after srv2's group_release): the client's ARP entry still points at srv2. srv1: $(ev_names srv1)"
	ev_wait 2 srv1 group_acquire reason=partition_resolved ||
		soft_fail "[$mode] heal: srv1 should keep and announce again (group_acquire, reason partition_resolved): $(ev_names srv1)"
	! ev_has srv1 group_release || fail "[$mode] heal: srv1 (the preferred node) released: $(ev_select srv1 group_release)"
	! ev_has srv1 vip_removed || fail "[$mode] heal: srv1 removed its address: $(ev_select srv1 vip_removed)"
	expect_curl "IT WORKS SRV1"
	# It stays that way, at every poll for a second: srv1 alone holds the
	# VIP, releases nothing, and srv2 acquires nothing again.
	acq2=$(ev_lines srv2 group_acquire)
	stays() {
		only_srv1_has_vip && ! lab_has_event srv1 group_release && ! lab_has_event srv1 vip_removed &&
			[ "$(ev_lines srv2 group_acquire)" = "$acq2" ]
	}
	hold_for 1 stays || soft_fail "[$mode] after the heal, the VIP did not stay on srv1 alone (after $E2E_HOLD_AT)"
	expect_vip_only srv1
	[ -z "$(ev_since "$healed" srv2 group_acquire)" ] || fail "[$mode] heal: srv2 acquired again after the heal: $(ev_since "$healed" srv2 group_acquire)"
	e2e_log "[$mode] srv1 events: $(ev_names srv1)"
	e2e_log "[$mode] srv2 events: $(ev_names srv2)"
}

run_case both
lab_teardown
run_case srv2-first
exit 0
