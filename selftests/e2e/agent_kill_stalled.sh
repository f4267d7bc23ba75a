#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# srv1's agent is SIGKILLed while srv1 holds the VIP. Its kernel lives on:
# srv1's XDP still answers srv2's probes, so srv2 must judge srv1
# "stalled", not dead, and must not take the VIP (that would put it on two
# servers): srv1 keeps 172.16.193.30 and the client keeps getting SRV1.
source "$(dirname "$0")/lib.bash" agent-kill

LAB_HACF_EXTRA=$E2E_PROBE_STEADY
lab_setup || fail "lab setup failed"
e2e_start_pair

e2e_watch 2500 "$LAB_DIR/watch.json"
watch=$LAB_WATCH_PID
e2e_log "srv1: kill -KILL xhbd"
lab_stop srv1 KILL
! agent_alive srv1 || fail "srv1's xhbd survived SIGKILL"
lab_exec srv1 ip link show dev ens192 | grep -q xdp || fail "srv1's XDP went away with its agent: $(lab_exec srv1 ip link show dev ens192)"

ev_wait 2 srv2 peer_stalled peer=srv1 || fail "srv2 did not judge srv1 stalled within 2 s of the kill: $(ev_names srv2)"
e2e_log "srv2: $(ev_select srv2 peer_stalled peer=srv1)"
# For at least 2 s, at every poll: srv1 keeps the VIP, srv2 takes nothing.
srv1_keeps_vip() {
	if vip_on srv2; then
		why="srv2 took $LAB_VIP although srv1's kernel answers (stalled agent): $(ev_names srv2)"
		return 1
	fi
	vip_on srv1 || { why="srv1 lost $LAB_VIP after its agent was killed"; return 1; }
}
hold_for 2 srv1_keeps_vip || fail "$why (after $E2E_HOLD_AT)"
wait "$watch"
expect_vip_only srv1
expect_curl "IT WORKS SRV1"

! ev_has srv2 peer_dead peer=srv1 || fail "srv2 judged srv1 dead, but srv1's XDP answers probes: $(ev_select srv2 peer_dead)"
! ev_has srv2 group_acquire || fail "srv2 acquired a group while srv1 was only stalled: $(ev_select srv2 group_acquire)"
! ev_has srv2 vip_added || fail "srv2 added an address while srv1 was only stalled: $(ev_select srv2 vip_added)"

result=$(cat "$LAB_DIR/watch.json")
e2e_log "vipcheck: $result"
python3 - "$result" <<'EOF' || fail "the client should keep being served by SRV1 alone: $result"
import json, sys
r = json.loads(sys.argv[1])
sys.exit(not (r["servers"] == ["SRV1"] and r["both_answered"] == 0 and r["lost"] <= 10))
EOF
e2e_log "srv2 events: $(ev_names srv2)"
exit 0
