#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# auto_failback, as Heartbeat: srv1 (the preferred node) loses its link,
# srv2 takes the VIP; srv1's link comes back:
#   - auto_failback on (the seed's ha.cf with its one auto_failback line
#     edited, plus 'probe 1ms 3'): the VIP returns to srv1, srv2
#     releasing first;
#   - auto_failback off: the seed's files unchanged (Heartbeat timing:
#     srv2 takes over after deadtime, 10 s): the VIP stays on srv2, and
#     srv1 never holds it again, not even for a moment.
source "$(dirname "$0")/lib.bash" failback

# start_and_fail FAILBACK: srv1 serves, loses its link, srv2 serves.
start_and_fail() { # on|off [ha.cf extra]
	local mode=$1 node
	LAB_HACF_EXTRA=${2-}
	lab_setup || fail "lab setup failed"
	for node in srv1 srv2; do
		sed -i "s/^auto_failback off$/auto_failback $mode/" "$LAB_DIR/$node/ha.d/ha.cf"
		grep -qx "auto_failback $mode" "$LAB_DIR/$node/ha.d/ha.cf" || fail "could not set auto_failback $mode in $node's ha.cf"
	done
	e2e_start_pair
	[ "$(ev_field srv1 config_loaded auto_failback)" = "$mode" ] ||
		fail "srv1's config_loaded should say auto_failback $mode: $(ev_select srv1 config_loaded)"
	e2e_log "auto_failback $mode: srv1: ip link set ens192 down"
	lab_exec srv1 ip link set ens192 down
	wait_for 14 lab_has_vip srv2 || fail "srv2 did not take $LAB_VIP within 14 s of srv1's link going down"
	wait_for 2 bash -c "! ip netns exec $(lab_ns srv1) ip -o -4 addr show dev ens192 | grep -q ' $LAB_VIP/'" ||
		fail "srv1 kept $LAB_VIP with its link down"
	expect_vip_only srv2
	expect_curl "IT WORKS SRV2"
	ev_wait 2 srv2 group_acquire reason=peer_dead || fail "srv2 should acquire with reason peer_dead: $(ev_names srv2)"
	e2e_log "srv2 serves; srv1: ip link set ens192 up"
	lab_exec srv1 ip link set ens192 up
	ev_wait 5 srv1 link_up iface=ens192 || fail "srv1 has no link_up event: $(ev_names srv1)"
}

# ---- auto_failback on: back to srv1
start_and_fail on 'probe 1ms 3\n'
wait_for 5 lab_has_vip srv1 || fail "auto_failback on: $LAB_VIP did not return to srv1 within 5 s of its link coming back"
wait_for 2 bash -c "! ip netns exec $(lab_ns srv2) ip -o -4 addr show dev ens192 | grep -q ' $LAB_VIP/'" ||
	fail "auto_failback on: srv2 kept $LAB_VIP after srv1 took it back"
expect_vip_only srv1
expect_curl "IT WORKS SRV1"
ev_wait 2 srv2 group_release reason=auto_failback || fail "auto_failback on: srv2 should release with reason auto_failback: $(ev_names srv2)"
[ "$(ev_count srv1 group_acquire)" = 2 ] || fail "auto_failback on: srv1 should acquire twice (start, failback): $(ev_select srv1 group_acquire)"
ev_has srv1 group_acquire reason=auto_failback || fail "auto_failback on: srv1 should acquire with reason auto_failback: $(ev_names srv1)"
python3 - "$(ev_file srv1)" "$(ev_file srv2)" <<'EOF'
import json, sys
def ns(path, name, reason):  # the last one (the start may be a failback too)
    found = None
    for l in open(path):
        e = json.loads(l)
        if e["event"] == name and e.get("reason") == reason:
            found = e["mono_ns"]
    return found
acq = ns(sys.argv[1], "group_acquire", "auto_failback")
rel = ns(sys.argv[2], "group_release", "auto_failback")
print("srv2 released at", rel, "srv1 acquired at", acq)
sys.exit(not (acq and rel and rel <= acq))
EOF
[ $? = 0 ] || soft_fail "auto_failback on: srv2 must release before srv1 acquires again (never two holders); srv1 acquired on link_up while it still judged srv2 dead"
e2e_log "on: srv1 events: $(ev_names srv1)"
e2e_log "on: srv2 events: $(ev_names srv2)"
lab_teardown

# ---- auto_failback off, the seed's files: stays on srv2
start_and_fail off ''
for node in srv1 srv2; do
	cmp -s "$LAB_FIXTURES/ha.cf" "$LAB_DIR/$node/ha.d/ha.cf" || fail "$node's ha.cf should be the seed's unchanged"
done
# srv1 hears srv2 again (it judged srv2 dead while its link was down).
wait_for 5 bash -c "[ \$(grep -c '\"event\":\"peer_up\"' '$(ev_file srv1)') -ge 2 ]" ||
	fail "auto_failback off: srv1 did not see srv2 up again after its link came back: $(ev_names srv1)"
# For 2 s from then, at every poll: srv1 acquires nothing, never holds the
# VIP, srv2 releases nothing and keeps it.
stays_on_srv2() {
	[ "$(ev_lines srv1 group_acquire)" = 1 ] && ! lab_has_event srv2 group_release &&
		not vip_on srv1 && vip_on srv2
}
held=yes
hold_for 2 stays_on_srv2 || held="no: it changed after $E2E_HOLD_AT"
[ "$(ev_count srv1 group_acquire)" = 1 ] ||
	fail "auto_failback off: srv1 should acquire only once (at start), but it acquired again when its link came back, while it still judged srv2 dead from the time its own link was down: $(ev_select srv1 group_acquire)"
! ev_has srv2 group_release || fail "auto_failback off: srv2 released the VIP: $(ev_select srv2 group_release)"
expect_vip_only srv2
[ "$held" = yes ] || fail "auto_failback off: the VIP did not stay on srv2 alone for 2 s after srv1 heard srv2 again ($held)"
expect_curl "IT WORKS SRV2"
e2e_log "off: srv1 events: $(ev_names srv1)"
e2e_log "off: srv2 events: $(ev_names srv2)"
exit 0
