#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Links as Heartbeat judged them (the health issue, its media semantics):
#
# 1. Two heartbeat media (bcast ens192 and bcast eth1), the VIP on ens192.
#    srv1 loses eth1: a link_degraded event, `xhbctl status` says links
#    degraded, and nothing moves (no fault, no takeover) for a second; eth1
#    back: links ok.
# 2. The classic layout: heartbeats on ens192 only, group 0's VIP on the
#    public NIC eth1, which carries no heartbeat, group 1's (the seed's) on
#    ens192. srv1's eth1 goes down: srv1 is in fault for group 0 alone (its
#    VIP cannot be served from there): it releases it (local_fault), srv2
#    takes it and the client fetches the page from srv2 on the public
#    segment, while group 1 stays on srv1 and srv1 stays active.
source "$(dirname "$0")/lib.bash" media-links

PUB_VIP=10.193.0.30
LAB_HACF_EXTRA="bcast eth1\n${E2E_PROBE_STEADY}"
lab_setup || fail "lab setup failed"
lab_add_public_segment || fail "cannot add the public segment"

# ---- 1. one medium of two down: degraded, nothing moves ----
e2e_start_pair
status_line() { lab_in_node "$1" "$XHB_BUILD/xhbctl" status | head -n 2; }
links_are() { status_line "$1" | grep -q "links $2 "; }
wait_for 3 links_are srv1 ok || fail "srv1's status should say links ok: $(status_line srv1)"
ev_mark srv1:state_change srv1:group_release srv2:group_acquire srv2:peer_dead srv2:peer_fault
lab_exec srv1 ip link set eth1 down
ev_wait 3 srv1 link_degraded down=eth1 media_up=1 media=2 ||
	fail "srv1 lost one of its two media: no link_degraded (down eth1, 1 of 2 up): $(ev_names srv1)"
wait_for 3 links_are srv1 degraded || fail "srv1's status should say links degraded: $(status_line srv1)"
status_line srv1 | grep -q "heartbeat media down: eth1" || fail "srv1's status does not name eth1: $(status_line srv1)"
e2e_log "srv1: eth1 down: $(ev_select srv1 link_degraded | tail -n 1)"
# For a second, at every poll: the VIP on srv1 alone, and none of the
# events a fault or a takeover would bring.
unmoved() { ev_none_new && vip_on srv1 && not vip_on srv2; }
held=yes
hold_for 1 unmoved || held="no: ${E2E_NEW:-the VIP moved} after $E2E_HOLD_AT"
[ "$held" = yes ] || fail "one medium down of two moved something ($held): $(ev_names srv1) / $(ev_names srv2)"
expect_vip_only srv1
expect_curl "IT WORKS SRV1"
e2e_log "nothing moved for 1 s: the VIP on srv1, no fault, no takeover"
lab_exec srv1 ip link set eth1 up
wait_for 3 links_are srv1 ok || fail "eth1 back: srv1's status should say links ok: $(status_line srv1)"
e2e_log "eth1 back: links ok"

# ---- 2. a VIP's own NIC down, heartbeats elsewhere: its group moves ----
lab_stop srv1
lab_stop srv2
for node in srv1 srv2; do
	sed -i '/^bcast eth1$/d' "$LAB_DIR/$node/ha.d/ha.cf"
	printf 'srv1 IPaddr::%s/24/eth1\nsrv1 IPaddr::%s/16/ens192\n' "$PUB_VIP" "$LAB_VIP" \
		>"$LAB_DIR/$node/ha.d/haresources"
	: >"$LAB_DIR/$node/events.json"
done
lab_start srv1
lab_start srv2
pub_vip_on() { lab_exec "$1" ip -o -4 addr show dev eth1 | grep -q " $PUB_VIP/"; }
wait_for 15 pub_vip_on srv1 || fail "srv1 did not take $PUB_VIP on eth1"
wait_for 5 vip_on srv1 || fail "srv1 did not take $LAB_VIP on ens192"
ev_wait 5 srv2 peer_up peer=srv1 || fail "srv2 never saw srv1 up"
e2e_log "heartbeats on ens192 only, $PUB_VIP on srv1's eth1, $LAB_VIP on its ens192"
ev_mark srv1:state_change srv1:group_release
lab_exec srv1 ip link set eth1 down
ev_wait 3 srv1 group_release group=0 reason=local_fault ||
	fail "srv1's eth1 went down: it should release group 0 for local_fault: $(ev_names srv1)"
wait_for 3 pub_vip_on srv2 || fail "srv2 did not take $PUB_VIP after srv1's eth1 went down: $(ev_names srv2)"
wait_for 3 not pub_vip_on srv1 || fail "srv1 kept $PUB_VIP on its dead eth1"
page() { [ "$(lab_exec client curl -s --max-time 1 "http://$PUB_VIP/" 2>/dev/null)" = "IT WORKS SRV2" ]; }
wait_for 5 page || fail "the client does not get IT WORKS SRV2 from $PUB_VIP"
# group 1 stays: on srv1 alone, with no other release and no fault state
stays() { ev_none_new && vip_on srv1 && not vip_on srv2; }
ev_mark srv1:state_change srv1:group_release srv2:group_acquire
expect_hold 1 "srv1's eth1 down moved its other group, or put srv1 in fault" stays
status_line srv1 | grep -q "state active" || fail "srv1 should stay active: $(status_line srv1)"
e2e_log "srv1's eth1 down: group 0 on srv2 serves the client; group 1 stays on srv1, active"
