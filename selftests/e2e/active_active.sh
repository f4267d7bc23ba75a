#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Two resource groups, active/active: haresources names srv1 for
# 172.16.193.30 and srv2 for 172.16.193.31. Each node holds its own; when
# srv2's link goes down, srv1 holds both.
source "$(dirname "$0")/lib.bash" active-active

VIP2=172.16.193.31
LAB_HACF_EXTRA="${E2E_PROBE_STEADY}"
lab_setup || fail "lab setup failed"
for node in srv1 srv2; do
	printf '%s\n' "srv1 IPaddr::$LAB_VIP/16/ens192" "srv2 IPaddr::$VIP2/16/ens192" >"$LAB_DIR/$node/ha.d/haresources"
done
lab_start srv1
lab_start srv2
wait_for 15 lab_has_vip srv1 || fail "srv1 did not take $LAB_VIP within 15 s"
wait_for 5 has_addr srv2 "$VIP2" || fail "srv2 did not take $VIP2 within 5 s"
[ "$(ev_field srv1 config_loaded group_count)$(ev_field srv1 config_loaded groups)" = 2 ] ||
	fail "srv1's config_loaded should count 2 groups: $(ev_select srv1 config_loaded)"
# The start is over once each has heard the other: from then on neither
# may take the other's group.
ev_wait 5 srv1 peer_up peer=srv2 || fail "srv1 never saw srv2 up (peer_up): $(ev_names srv1)"
ev_wait 5 srv2 peer_up peer=srv1 || fail "srv2 never saw srv1 up (peer_up): $(ev_names srv2)"
expect_vip_only srv1 "$LAB_VIP"
expect_vip_only srv2 "$VIP2"
expect_curl "IT WORKS SRV1" "$LAB_VIP"
expect_curl "IT WORKS SRV2" "$VIP2"
ev_has srv1 group_acquire group=0 || fail "srv1 should acquire group 0: $(ev_names srv1)"
ev_has srv2 group_acquire group=1 || fail "srv2 should acquire group 1: $(ev_names srv2)"
! ev_has srv1 group_acquire group=1 || fail "srv1 acquired srv2's group 1 at start: $(ev_select srv1 group_acquire)"
! ev_has srv2 group_acquire group=0 || fail "srv2 acquired srv1's group 0 at start: $(ev_select srv2 group_acquire)"
e2e_log "srv1 holds $LAB_VIP, srv2 holds $VIP2"

e2e_log "srv2: ip link set ens192 down"
lab_exec srv2 ip link set ens192 down
wait_for 5 has_addr srv1 "$VIP2" || fail "srv1 did not take $VIP2 within 5 s of srv2's link going down"
wait_for 2 bash -c "! ip netns exec $(lab_ns srv2) ip -o -4 addr show dev ens192 | grep -q ' $VIP2/'" ||
	fail "srv2 kept $VIP2 with its link down"
expect_vip_only srv1 "$LAB_VIP"
expect_vip_only srv1 "$VIP2"
expect_curl "IT WORKS SRV1" "$LAB_VIP"
expect_curl "IT WORKS SRV1" "$VIP2"
ev_wait 2 srv1 group_acquire group=1 reason=peer_dead || fail "srv1 should acquire group 1 with reason peer_dead: $(ev_names srv1)"
ev_has srv2 group_release group=1 || fail "srv2 should release group 1 on link down: $(ev_names srv2)"
! ev_has srv1 group_release || fail "srv1 released something: $(ev_select srv1 group_release)"
e2e_log "srv1 holds both: $(node_addrs srv1 | tr '\n' ' ')"
e2e_log "srv1 events: $(ev_names srv1)"
e2e_log "srv2 events: $(ev_names srv2)"
exit 0
