#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# One-way loss between the two servers, in each direction relative to the
# holder, while the client reaches both (the safety issue, item 1).
# Measured before the fix: srv2 took the VIP beside srv1 for the whole
# loss, the client was answered by both and flapped between them. Now:
#   A. the standby cannot hear the holder (srv1 -> srv2 lost, srv1 holds):
#      srv2 judges srv1 dead and says so in its probes; srv1's XDP fences
#      and its agent yields (unheard); srv2 takes the VIP. One holder, srv2.
#   B. the holder cannot hear the standby (srv1 -> srv2 lost again, srv2
#      now holds): srv2 judges srv1 dead and says so; srv1 yields what it
#      does not hold and takes nothing. One holder, srv2.
# Each time, for the whole loss (long enough for the neighbour entries to
# expire, see below) and after it heals: the VIP on one server at every
# poll, no request answered by both.
#
#   an nftables rule on the lab's bridge drops every frame from one
#   server's port to the other's (ARP included, as a broken port would),
#   for LOSS_S seconds
#
# E2E_FENCED_STANDBY=1 (one_way_loss_fenced.sh): the same with
# `fenced_standby on`: the server that does not hold keeps the VIP staged
# (ip addr, xhb_vips flag 1), so "on one server" is read from ip addr and
# that flag (vip_held, in both modes), and the other must have it staged;
# and the client's ARP requests for the VIP (arpwatch.py, every 5 ms) are
# never answered by both servers: srv1's answers, then srv2's.
source "$(dirname "$0")/lib.bash" "one-way-loss${E2E_FENCED_STANDBY:+-fenced}"

LOSS_S=9
# Timers well within the loss. Once its probes stop coming (its ARP for us
# fails, below), a node has only its peer's heartbeats to go by, a second
# apart: one that judged on the 200 ms lease would call its peer dead
# before the next heartbeat, and one that stopped hearing its heartbeats
# (its probes filling the socket buffer they share) would call it dead at
# deadtime, 3 s later, within the loss.
LAB_HACF_EXTRA="probe 1ms 3\nlease 200ms\nkeepalive 1s\nwarntime 2s\ndeadtime 3\n${E2E_FENCED_STANDBY:+fenced_standby on\n}"
lab_setup || fail "lab setup failed"
# Neighbour entries that go stale in a second, not in half a minute (the
# kernel's retransmits as they are): under one-way loss, the node that
# cannot hear its peer cannot resolve it either (its ARP replies are
# lost); its unicast then queues for seconds on the unresolved entry, as
# the benchmark found once the default entries had expired.
for node in srv1 srv2; do
	lab_exec "$node" sysctl -qw net.ipv4.neigh.ens192.base_reachable_time_ms=300 \
		net.ipv4.neigh.ens192.delay_first_probe_time=1 || fail "sysctl in $node"
done
command -v nft >/dev/null || skip "needs nft (nftables)"
br=$(lab_ns lanbr)

lose() { # from to: drop every frame from's port -> to's port
	ip netns exec "$br" nft -f - <<NFT
table bridge xhb_one_way {
	chain forward {
		type filter hook forward priority 0;
		iifname "$1" oifname "$2" counter drop
	}
}
NFT
}
heal() { ip netns exec "$br" nft delete table bridge xhb_one_way; }
one_holder() { # node: it holds the VIP, the other does not (fenced mode: has it staged)
	local other=srv2
	[ "$1" = srv2 ] && other=srv1
	vip_held "$1" && not vip_held "$other" && { ! e2e_fenced || vip_staged "$other"; }
}
check_client() { # what
	python3 - "$LAB_DIR/watch.json" "$1" <<'PY'
import json, sys
w, what = json.load(open(sys.argv[1])), sys.argv[2]
print(f"client during {what}: {w['requests']} requests, lost {w['lost']}, "
      f"both answered {w['both_answered']}, moves {w['moves']}, servers {w['servers']}")
sys.exit(w["both_answered"] != 0)
PY
}

e2e_start_pair

# A: srv2 cannot hear the holder.
e2e_watch $(((LOSS_S + 2) * 1000)) "$LAB_DIR/watch.json"
watch=$LAB_WATCH_PID
t0=$(mono_now)
e2e_log "A: srv1 -> srv2 lost for ${LOSS_S} s"
lose srv1 srv2 || fail "cannot add the nftables rule in $br"
ev_wait_since "$t0" 2 srv1 unheard peer=srv2 || fail "A: srv1 never learnt that srv2 does not hear it: $(ev_names srv1)"
ev_wait_since "$t0" 2 srv1 group_release reason=unheard || fail "A: srv1 did not yield: $(ev_names srv1)"
wait_for 2 one_holder srv2 || fail "A: the VIP is not on srv2 alone"
hold_for $((LOSS_S - 1)) one_holder srv2 || fail "A: during the loss, the VIP left srv2 alone (at $E2E_HOLD_AT)"
heal
e2e_log "A: healed"
hold_for 1 one_holder srv2 || fail "A: after the heal, the VIP left srv2 alone (at $E2E_HOLD_AT)"
wait "$watch"
check_client "A" || fail "A: the client was answered by both servers"
expect_curl "IT WORKS SRV2"

# B: the holder (now srv2) cannot hear srv1.
e2e_watch $(((LOSS_S + 2) * 1000)) "$LAB_DIR/watch.json"
watch=$LAB_WATCH_PID
t1=$(mono_now)
e2e_log "B: srv1 -> srv2 lost again: the holder srv2 cannot hear srv1"
lose srv1 srv2 || fail "cannot add the nftables rule in $br"
ev_wait_since "$t1" 2 srv1 unheard peer=srv2 || fail "B: srv1 never learnt that srv2 does not hear it: $(ev_names srv1)"
hold_for "$LOSS_S" one_holder srv2 || fail "B: during the loss, the VIP left srv2 alone (at $E2E_HOLD_AT)"
[ -z "$(ev_since "$t1" srv1 group_acquire)" ] || fail "B: srv1 took the group it cannot be heard on: $(ev_since "$t1" srv1 group_acquire)"
heal
hold_for 1 one_holder srv2 || fail "B: after the heal, the VIP left srv2 alone (at $E2E_HOLD_AT)"
wait "$watch"
check_client "B" || fail "B: the client was answered by both servers"
expect_curl "IT WORKS SRV2"
! e2e_fenced || expect_arp "$E2E_ARP_T0" 0 'r["both"] == 0 and r["runs"] == ["srv1", "srv2"]' \
	"A and B: never answered by both servers, srv1 then srv2"
exit 0
