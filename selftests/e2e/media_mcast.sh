#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Every medium Heartbeat reads works: an `mcast` line alone carries the
# cluster, on a port of its own (not udpport), through a switch that
# forwards a multicast group only to the ports whose host joined it (IGMP
# snooping, unknown groups not flooded: as a real NIC's filter and a real
# switch would, multicast nobody joined never reaches XDP).
#
# 1. `mcast ens192 239.77.0.1 7694 1 0` instead of the seed's bcast: both
#    agents joined the group (ip maddr on each node, the switch's mdb),
#    see each other up, their sockets use 7694 and nothing 694; probes
#    are answered by XDP (replies and RTT on srv1, probe_answered on srv2).
# 2. A reload (SIGHUP) adds `mcast ens192 239.77.0.2 7695 1 0` and an
#    mcast6 medium: every group joined, nothing moves; with srv2's
#    heartbeats to 239.77.0.1 dropped at its egress, srv1's XDP still
#    takes them (on 7695: a second medium's port is seen by XDP); with
#    those to 239.77.0.2 dropped too, on the IPv6 medium's 7696.
# 3. A reload leaves only the 7695 line: 239.77.0.1 and the IPv6 group
#    are left, nothing moves, probes are answered on 7695 (the changed
#    group and port), no socket stays on 7694.
# 4. Over that medium alone, the seed's failover: srv1's link down, srv2
#    judges it dead and takes the VIP, the client gets SRV2's page.
source "$(dirname "$0")/lib.bash" media-mcast

GROUP=239.77.0.1 PORT=7694
GROUP2=239.77.0.2 PORT2=7695
GROUP6=ff12::77:2 PORT6=7696
LAB_HACF_EXTRA='keepalive 100ms\nprobe 10ms 3\n'
command -v bridge >/dev/null || skip "needs bridge (iproute2)"
command -v nft >/dev/null || skip "needs nft"
lab_setup || fail "lab setup failed"

# The switch: IGMP/MLD snooping, querier itself (after 1 s, not the
# default 10), and no flooding of groups nobody joined on any port. Its
# MLD querier needs an IPv6 address of the bridge to send from when it
# starts (else it counts as absent and IPv6 groups are not forwarded).
br=$(lab_ns lanbr)
br_ll_ready() { ip -n "$br" -6 addr show dev br0 scope link | grep -q inet6 &&
	! ip -n "$br" -6 addr show dev br0 scope link | grep -q tentative; }
wait_for 5 br_ll_ready || fail "the switch's bridge has no IPv6 link-local address"
ip -n "$br" link set br0 type bridge mcast_snooping 1 mcast_query_response_interval 100 ||
	fail "cannot set the bridge's query response interval"
ip -n "$br" link set br0 type bridge mcast_querier 1 || fail "cannot make the bridge a querier"
for port in srv1 srv2 client; do
	bridge -n "$br" link set dev "$port" mcast_flood off || fail "cannot stop multicast flooding to $port"
done

media() { # node lines...: the node's media lines, the seed's bcast replaced
	local node=$1 f=$LAB_DIR/$1/ha.d/ha.cf
	shift
	sed -i -E '/^(bcast|mcast|mcast6|ucast) /d' "$f"
	printf '%s\n' "$@" >>"$f"
}
for node in srv1 srv2; do
	media "$node" "mcast ens192 $GROUP $PORT 1 0"
done
grep -q '^udpport 694$' "$LAB_DIR/srv1/ha.d/ha.cf" || fail "the seed's ha.cf should say udpport 694"

joined() { # node group: ip maddr lists it on ens192
	local fam=-4
	[[ $2 == *:* ]] && fam=-6
	lab_exec "$1" ip "$fam" maddr show dev ens192 | grep -qw "$2"
}
on_switch() { # node group: the switch's mdb forwards group to node's port
	bridge -n "$br" mdb show dev br0 | grep -E "port $1 grp $2( |$)" >/dev/null
}
# peer_field NODE PEER FIELD: FIELD of NODE's XDP entry for PEER (xhbctl
# -j peers, read from the pinned maps): the only entry, two nodes in the
# lab (its address is where its last packet came from: IPv6 once an
# mcast6 heartbeat was).
peer_field() {
	local out
	out=$(lab_in_node "$1" "$XHB_BUILD/xhbctl" -j peers) || return 1
	python3 -c 'import json, sys
p = json.loads(sys.argv[1])
print(p[0][sys.argv[2]] if len(p) == 1 else "")' "$out" "$3"
}
stat_of() { # node counter; "answered": probes answered, full and compact
	lab_in_node "$1" "$XHB_BUILD/xhbctl" -j stats | python3 -c 'import json, sys
s = json.load(sys.stdin)
s["answered"] = s["probe_answered"] + s["probe_answered_compact"]
print(s[sys.argv[1]])' "$2"
}
grew() { # node peer field from: FIELD is now above FROM
	local now
	now=$(peer_field "$1" "$2" "$3")
	[ -n "$now" ] && [ "$now" -gt "$4" ]
}
stat_grew() { # node counter from
	local now
	now=$(stat_of "$1" "$2") && [ -n "$now" ] && [ "$now" -gt "$3" ]
}
sockets_on() { # node port: some UDP socket of the node is bound to port
	lab_exec "$1" ss -Hulan | awk '{ print $4 }' | grep -qE ":$2\$"
}
# Reload both agents (SIGHUP) and wait until each swapped its program in
# (dataplane_attached, adopted: the last step of the data plane's reload).
reload_both() {
	local n1 n2
	n1=$(ev_count srv1 dataplane_attached)
	n2=$(ev_count srv2 dataplane_attached)
	kill -HUP "$(lab_pid srv1)" "$(lab_pid srv2)" || fail "cannot signal the agents"
	wait_for 10 _reloaded srv1 "$n1" || fail "srv1 did not reload: $(ev_names srv1)"
	wait_for 10 _reloaded srv2 "$n2" || fail "srv2 did not reload: $(ev_names srv2)"
	! ev_has srv1 config_error || fail "srv1 refused the reload: $(ev_select srv1 config_error)"
	! ev_has srv2 config_error || fail "srv2 refused the reload: $(ev_select srv2 config_error)"
}
_reloaded() { [ "$(ev_count "$1" dataplane_attached)" -gt "$2" ]; }

# ---- 1. mcast alone, on its own port --------------------------------------
e2e_start_pair
for node in srv1 srv2; do
	wait_for 3 joined "$node" "$GROUP" ||
		fail "$node's ens192 has not joined $GROUP: $(lab_exec "$node" ip -4 maddr show dev ens192 | tr -s ' \n' ' ')"
	wait_for 5 on_switch "$node" "$GROUP" ||
		fail "the switch does not forward $GROUP to $node: $(bridge -n "$br" mdb show dev br0 | tr '\n' ';')"
done
e2e_log "both nodes joined $GROUP on ens192 (ip maddr), the switch forwards it to both (bridge mdb)"
for node in srv1 srv2; do
	sockets_on "$node" "$PORT" || fail "$node has no UDP socket on $PORT: $(lab_exec "$node" ss -Hulan | tr -s ' \n' ' ')"
	! sockets_on "$node" 694 || fail "$node has a UDP socket on udpport 694, though no medium uses it: $(lab_exec "$node" ss -Hulan | tr -s ' \n' ' ')"
done
wait_for 3 grew srv1 srv2 replies 0 || fail "srv1's XDP recorded no reply of srv2 to a probe on $PORT"
wait_for 3 stat_grew srv2 answered 0 || fail "srv2's XDP answered no probe on $PORT"
rtt=$(peer_field srv1 srv2 rtt_us)
python3 -c 'import sys; sys.exit(not float(sys.argv[1]) > 0)' "$rtt" || fail "srv1's RTT to srv2 is '$rtt'"
e2e_log "over mcast $GROUP:$PORT: peers up, srv2's XDP answered $(stat_of srv2 answered) probes, srv1 took $(peer_field srv1 srv2 replies) replies (rtt ${rtt} us), $(peer_field srv1 srv2 heartbeats) heartbeats"

# ---- 2. a second medium by reload: its port is XDP's too ------------------
for node in srv1 srv2; do
	media "$node" "mcast ens192 $GROUP $PORT 1 0" "mcast ens192 $GROUP2 $PORT2 1 0" \
		"mcast6 ens192 $GROUP6 $PORT6 1 0"
done
ev_mark srv1:peer_dead srv2:peer_dead srv1:group_release srv2:group_acquire
reload_both
for node in srv1 srv2; do
	for g in "$GROUP" "$GROUP2" "$GROUP6"; do
		wait_for 3 joined "$node" "$g" || fail "$node has not joined $g after the reload"
	done
done
e2e_log "reloaded with $GROUP2:$PORT2 and $GROUP6:$PORT6 added: every group joined on both nodes"
lab_exec srv2 nft -f - <<EOF || fail "cannot add the nft rule on srv2"
table inet xhbtest {
	chain out {
		type filter hook output priority 0;
		ip daddr $GROUP udp dport $PORT drop
	}
}
EOF
# srv2's heartbeats now reach srv1 on the other media alone (its probes,
# unicast, still go); keepalive 100ms: 5 of them within a second
hb=$(peer_field srv1 srv2 heartbeats)
wait_for 3 grew srv1 srv2 heartbeats $((hb + 5)) ||
	fail "with srv2's heartbeats to $GROUP dropped, srv1's XDP took none on the other media ($hb -> $(peer_field srv1 srv2 heartbeats))"
e2e_log "srv2's heartbeats to $GROUP:$PORT dropped: srv1's XDP still takes them ($hb -> $(peer_field srv1 srv2 heartbeats)), on $PORT2"
# and with both IPv4 groups dropped, on the IPv6 medium alone
lab_exec srv2 nft add rule inet xhbtest out ip daddr "$GROUP2" udp dport "$PORT2" drop ||
	fail "cannot add the second nft rule on srv2"
hb=$(peer_field srv1 srv2 heartbeats)
wait_for 3 grew srv1 srv2 heartbeats $((hb + 5)) ||
	fail "with srv2's heartbeats to $GROUP and $GROUP2 dropped, srv1's XDP took none on $GROUP6:$PORT6 ($hb -> $(peer_field srv1 srv2 heartbeats))"
e2e_log "srv2's heartbeats to $GROUP2:$PORT2 dropped too: srv1's XDP takes them ($hb -> $(peer_field srv1 srv2 heartbeats)), on $GROUP6:$PORT6"
lab_exec srv2 nft delete table inet xhbtest || fail "cannot remove the nft rule on srv2"
ev_none_new || fail "a medium added by reload moved something: $E2E_NEW: $(ev_names srv1) / $(ev_names srv2)"
expect_vip_only srv1

# ---- 3. the first medium removed by reload: group and port changed --------
for node in srv1 srv2; do
	media "$node" "mcast ens192 $GROUP2 $PORT2 1 0"
done
answered=$(stat_of srv2 answered)
reload_both
for node in srv1 srv2; do
	wait_for 3 not joined "$node" "$GROUP" || fail "$node is still in $GROUP after its medium was removed"
	wait_for 3 not joined "$node" "$GROUP6" || fail "$node is still in $GROUP6 after its medium was removed"
	joined "$node" "$GROUP2" || fail "$node left $GROUP2, which is still a medium"
	wait_for 3 not sockets_on "$node" "$PORT" || fail "$node still has a socket on $PORT: $(lab_exec "$node" ss -Hulan | tr -s ' \n' ' ')"
done
replies=$(peer_field srv1 srv2 replies)
wait_for 3 grew srv1 srv2 replies "$replies" || fail "srv1 got no reply of srv2 after the reload to $GROUP2:$PORT2"
wait_for 3 stat_grew srv2 answered "$answered" || fail "srv2's XDP answered no probe after the reload to $PORT2"
ev_none_new || fail "moving to $GROUP2:$PORT2 by reload moved something: $E2E_NEW: $(ev_names srv1) / $(ev_names srv2)"
expect_vip_only srv1
e2e_log "reloaded with $GROUP2:$PORT2 alone: $GROUP and $GROUP6 left, probes answered on $PORT2, nothing moved"

# ---- 4. the seed's failover over that medium -------------------------------
e2e_log "srv1: ip link set ens192 down"
lab_exec srv1 ip link set ens192 down
wait_for 5 lab_has_vip srv2 || fail "srv2 did not take $LAB_VIP within 5 s of srv1's link going down"
wait_for 3 not vip_on srv1 || fail "srv1 kept $LAB_VIP after its link went down"
expect_vip_only srv2
expect_curl "IT WORKS SRV2"
ev_wait 3 srv2 group_acquire reason=peer_dead || fail "srv2 has no group_acquire with reason peer_dead: $(ev_names srv2)"
ev_has srv2 peer_dead peer=srv1 || fail "srv2 never judged srv1 dead: $(ev_names srv2)"
e2e_log "srv2 took $LAB_VIP over mcast $GROUP2:$PORT2: $(ev_names srv2)"
exit 0
