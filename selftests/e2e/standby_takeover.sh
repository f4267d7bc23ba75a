#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# hb_standby / hb_takeover: `xhbctl standby` on srv1 hands the VIP to
# srv2, `xhbctl takeover` on srv1 brings it back; `xhbctl status -j` on
# both nodes names the owner; the control socket refuses non-root users.
source "$(dirname "$0")/lib.bash" standby

LAB_HACF_EXTRA="${E2E_PROBE_STEADY}"
lab_setup || fail "lab setup failed"
e2e_start_pair

# owner_is NODE OWNER HELD: status -j on NODE says group 0's owner is
# OWNER and held (by NODE itself) is HELD.
status_of() { lab_in_node "$1" "$XHB_BUILD/xhbctl" status -j; }
owner_is() {
	local out
	out=$(status_of "$1") || return 1
	python3 -c 'import json, sys
s = json.loads(sys.argv[1])
g = [g for g in s["groups"] if g["group"] == 0][0]
sys.exit(not (g.get("owner") == sys.argv[2] and str(g.get("held")).lower() == sys.argv[3]))' "$out" "$2" "$3"
}
expect_owner() { # owner
	local holder=$1 other
	other=$([ "$holder" = srv1 ] && echo srv2 || echo srv1)
	wait_for 3 owner_is "$holder" "$holder" true ||
		fail "xhbctl status -j on $holder: expected owner $holder, held true; saw: $(status_of "$holder")"
	wait_for 3 owner_is "$other" "$holder" false ||
		fail "xhbctl status -j on $other: expected owner $holder, held false; saw: $(status_of "$other")"
}

expect_owner srv1
e2e_log "status: srv1 owns group 0 (both nodes agree)"

# Non-root: refused, nothing moves.
out=$(lab_in_node srv1 setpriv --reuid=65534 --regid=65534 --clear-groups "$XHB_BUILD/xhbctl" standby 2>&1)
rc=$?
e2e_log "xhbctl standby as uid 65534: exit $rc: $out"
[ "$rc" != 0 ] || fail "xhbctl standby as uid 65534 should fail, it exited 0: $out"
grep -qiE 'root|permission|denied' <<<"$out" || fail "xhbctl standby as uid 65534: expected a permission message, saw: $out"
# For 0.3 s, at every poll: no standby_request, the VIP stays on srv1.
unmoved() { ! lab_has_event srv1 standby_request && vip_on srv1 && not vip_on srv2; }
held=yes
hold_for 0.3 unmoved || held="no: changed after $E2E_HOLD_AT"
! ev_has srv1 standby_request || fail "a non-root standby reached the agent: $(ev_select srv1 standby_request)"
expect_vip_only srv1
[ "$held" = yes ] || fail "after a non-root standby, the VIP did not stay on srv1 alone ($held)"

# standby on srv1: the VIP goes to srv2.
out=$(lab_in_node srv1 "$XHB_BUILD/xhbctl" standby 2>&1) || fail "xhbctl standby on srv1 failed: $out"
e2e_log "srv1: xhbctl standby -> $out"
wait_for 3 lab_has_vip srv2 || fail "after xhbctl standby on srv1, srv2 did not take $LAB_VIP within 3 s"
wait_for 2 bash -c "! ip netns exec $(lab_ns srv1) ip -o -4 addr show dev ens192 | grep -q ' $LAB_VIP/'" ||
	fail "after standby, srv1 kept $LAB_VIP"
expect_vip_only srv2
expect_curl "IT WORKS SRV2"
expect_owner srv2
ev_has srv1 standby_request || fail "srv1 has no standby_request event: $(ev_names srv1)"
ev_has srv1 group_release reason=standby_request || fail "srv1 should release with reason standby_request: $(ev_names srv1)"
ev_has srv2 group_acquire || fail "srv2 has no group_acquire: $(ev_names srv2)"
e2e_log "standby: srv2 acquired with reason $(ev_field srv2 group_acquire reason)"

# takeover on srv1: back to srv1.
out=$(lab_in_node srv1 "$XHB_BUILD/xhbctl" takeover 2>&1) || fail "xhbctl takeover on srv1 failed: $out"
e2e_log "srv1: xhbctl takeover -> $out"
wait_for 3 lab_has_vip srv1 || fail "after xhbctl takeover on srv1, srv1 did not take $LAB_VIP back within 3 s"
wait_for 2 bash -c "! ip netns exec $(lab_ns srv2) ip -o -4 addr show dev ens192 | grep -q ' $LAB_VIP/'" ||
	fail "after takeover, srv2 kept $LAB_VIP"
expect_vip_only srv1
expect_curl "IT WORKS SRV1"
expect_owner srv1
ev_has srv1 takeover_request || fail "srv1 has no takeover_request event: $(ev_names srv1)"
ev_has srv1 group_acquire reason=takeover_request || fail "srv1 should acquire with reason takeover_request: $(ev_names srv1)"
ev_has srv2 group_release || fail "srv2 has no group_release: $(ev_names srv2)"
python3 - "$(ev_file srv1)" "$(ev_file srv2)" <<'EOF' || fail "takeover: srv2 must release before srv1 acquires"
import json, sys
acq = [json.loads(l)["mono_ns"] for l in open(sys.argv[1]) if '"takeover_request"' in l and '"group_acquire"' in l]
rel = [json.loads(l)["mono_ns"] for l in open(sys.argv[2]) if '"group_release"' in l]
sys.exit(not (acq and rel and rel[-1] <= acq[-1]))
EOF
e2e_log "srv1 events: $(ev_names srv1)"
e2e_log "srv2 events: $(ev_names srv2)"
exit 0
