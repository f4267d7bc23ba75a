#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# The classic layout: heartbeats on the private link (ens192), the VIP on
# the public NIC (eth1), which carries no heartbeat (the safety issue,
# items 4 and 5). When the holder's agent stalls past its lease, its VIP
# must be fenced on eth1 too, in both directions: XDP drops ARP requests
# and traffic for it, TC drops what its kernel sends from it (an ARP or a
# ping with the VIP as source would repoint the client at a node that
# must not answer).
#
#   srv1 IPaddr::10.193.0.30/24/eth1; probe 1ms 3; lease 500ms
source "$(dirname "$0")/lib.bash" vip-second-iface

VIP=10.193.0.30
LAB_HACF_EXTRA="probe 1ms 3\nlease 500ms\n"
lab_setup || fail "lab setup failed"
lab_add_public_segment || fail "cannot add the public segment"
# srv2 has no group: nobody takes the VIP over, so whatever answers for it
# once srv1 stalls is srv1, unfenced.
echo "srv1 IPaddr::$VIP/24/eth1" >"$LAB_DIR/srv1/ha.d/haresources"
: >"$LAB_DIR/srv2/ha.d/haresources"
lab_start srv1
lab_start srv2
vip_eth1() { lab_exec "$1" ip -o -4 addr show dev eth1 | grep -q " $VIP/"; }
wait_for 15 vip_eth1 srv1 || fail "srv1 did not take $VIP on eth1"
pins1=$LAB_DIR/bpf/srv1/xhb/eth1
[ -e "$pins1/xhb_self" ] || fail "no XDP data plane on srv1's eth1 ($pins1): $(ls "$LAB_DIR/bpf/srv1/xhb")"
lab_exec srv1 tc filter show dev eth1 egress | grep -q xhb_tc_egress ||
	fail "no egress fence on srv1's eth1: $(lab_exec srv1 tc filter show dev eth1 egress)"
wait_for 3 lab_exec client ping -c1 -W1 -q "$VIP" >/dev/null || fail "the client cannot reach $VIP"

# The client counts what reaches it from the VIP.
lab_exec client nft -f - <<NFT || fail "nft in the client"
table inet xhb_from_vip {
	chain input {
		type filter hook input priority 0;
		ip saddr $VIP counter
	}
}
NFT
from_vip() { lab_exec client nft list table inet xhb_from_vip | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }
stat() { "$XHB_BUILD/xhbctl" -p "$pins1" -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

pid1=$(lab_pid srv1)
stalled_end() {
	local rc=$?
	kill -CONT "$pid1" 2>/dev/null
	(exit "$rc")
	e2e_end
}
trap stalled_end EXIT
kill -STOP "$pid1"
fenced() { "$XHB_BUILD/xhbctl" -p "$pins1" self | grep -q LAPSED; }
wait_for 3 fenced || fail "srv1's lease on eth1 did not lapse"
e2e_log "srv1 stalled, its lease lapsed: XDP and TC on eth1 must fence $VIP"
before=$(from_vip)
arp0=$(stat drop_fenced_arp)
# The kernel still has the address: it would answer ARP and send from it.
lab_exec client ip neigh flush dev eth1
lab_exec client ping -c 3 -i 0.2 -W 1 -q "$VIP" >/dev/null 2>&1 &&
	fail "the client reached $VIP on the stalled srv1"
lab_exec srv1 ping -c 3 -i 0.2 -W 1 -q -I "$VIP" "${LAB_PUB_IP[client]}" >/dev/null 2>&1
after=$(from_vip)
[ "$after" = "$before" ] || fail "the fenced srv1 sent $((after - before)) packets from $VIP to the client"
[ "$(stat drop_fenced_arp)" -gt "$arp0" ] || fail "srv1's XDP on eth1 dropped no ARP request for $VIP"
[ "$(stat drop_fenced_egress)" -gt 0 ] || fail "srv1's TC on eth1 dropped nothing from $VIP"
e2e_log "eth1: ARP for the VIP dropped $(stat drop_fenced_arp), sent from it dropped $(stat drop_fenced_egress)"
kill -CONT "$pid1"
exit 0
