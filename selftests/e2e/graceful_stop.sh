#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# SIGTERM on srv1's agent: it releases the VIP and tells srv2 it is
# leaving, so srv2 takes over at once instead of after deadtime (10 s).
#   1. seed files + 'probe 1ms 19' (E2E_PROBE_STEADY): takeover in well under 2 s;
#   2. seed files alone: still well before deadtime (the leaving
#      announcement, not the silence, moves the VIP): within a keepalive
#      (2 s, how often srv2's agent reads its maps without probes) + 1.5 s.
source "$(dirname "$0")/lib.bash" graceful-stop

# run_case EXTRA LIMIT_MS
run_case() {
	local extra=$1 limit=$2 pid t0 took
	LAB_HACF_EXTRA=$extra
	lab_setup || fail "lab setup failed"
	e2e_start_pair
	pid=$(lab_pid srv1) || fail "no agent on srv1"
	e2e_log "srv1: kill -TERM xhbd (ha.cf extra: '${extra:-none}')"
	t0=$(date +%s%N)
	kill -TERM "$pid"
	wait_for 12 lab_has_vip srv2 || fail "srv2 did not take $LAB_VIP within 12 s of srv1's SIGTERM"
	took=$((($(date +%s%N) - t0) / 1000000))
	e2e_log "srv2 holds $LAB_VIP $took ms after SIGTERM on srv1"
	wait_for 5 bash -c "! kill -0 $pid 2>/dev/null" || fail "srv1's xhbd still runs 5 s after SIGTERM"
	[ "$took" -lt "$limit" ] ||
		fail "takeover after a graceful stop took $took ms, expected < $limit ms (deadtime is 10 s; the leaving announcement should move it)"
	expect_vip_only srv2
	expect_curl "IT WORKS SRV2"

	ev_has srv1 agent_stop || fail "srv1 has no agent_stop event: $(ev_names srv1)"
	ev_has srv1 group_release reason=leaving || fail "srv1 should release with reason leaving: $(ev_names srv1)"
	ev_has srv1 vip_removed vip="$LAB_VIP" || fail "srv1 has no vip_removed: $(ev_names srv1)"
	ev_wait 2 srv2 peer_leaving peer=srv1 || fail "srv2 has no peer_leaving for srv1: $(ev_names srv2)"
	ev_has srv2 group_acquire reason=peer_leaving || fail "srv2 should acquire with reason peer_leaving: $(ev_names srv2)"
	! ev_has srv2 peer_dead peer=srv1 || fail "srv2 judged srv1 dead instead of leaving: $(ev_names srv2)"
	python3 - "$(ev_file srv1)" <<-'EOF' || fail "srv1's last event should be agent_stop: $(ev_names srv1)"
		import json, sys
		ev = [json.loads(l) for l in open(sys.argv[1])]
		sys.exit(ev[-1]["event"] != "agent_stop")
	EOF
	e2e_log "srv1 events: $(ev_names srv1)"
	e2e_log "srv2 events: $(ev_names srv2)"
}

run_case "$E2E_PROBE_STEADY" 2000
lab_teardown
run_case "" 3500
exit 0
