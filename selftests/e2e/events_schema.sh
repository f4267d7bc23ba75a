#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Every event of a full scenario, from both nodes, validates against
# docs/events.schema.json (tools/validate-events.py --check-seq): start,
# standby, takeover, link down and up (failover), reload, agent SIGKILL
# (stalled) and restart (adoption), graceful stops. The events on stdout
# and in ha.cf's debugfile are the same (the logfile: less debug events).
source "$(dirname "$0")/lib.bash" events-schema
python3 -c 'import jsonschema' 2>/dev/null || skip "needs python3-jsonschema"

LAB_HACF_EXTRA='probe 1ms 3\n'
lab_setup || fail "lab setup failed"
e2e_start_pair
ctl() { lab_in_node "$1" "$XHB_BUILD/xhbctl" "${@:2}" >/dev/null 2>&1 || fail "xhbctl ${*:2} on $1 failed"; }

e2e_log "standby on srv1, takeover on srv1"
ctl srv1 standby
wait_for 3 lab_has_vip srv2 || fail "standby: srv2 did not take the VIP"
ctl srv1 takeover
wait_for 3 lab_has_vip srv1 || fail "takeover: srv1 did not take the VIP back"
ctl srv1 status -j
e2e_log "srv1: link down, then up"
lab_exec srv1 ip link set ens192 down
wait_for 3 lab_has_vip srv2 || fail "link down: srv2 did not take the VIP"
t_up=$(mono_now)
lab_exec srv1 ip link set ens192 up
ev_wait 3 srv1 link_up || fail "srv1: no link_up event"
# The nodes hear each other again before the next step.
ev_wait_since "$t_up" 3 srv1 peer_up peer=srv2 || fail "srv1 did not see srv2 up again after its link came back"
ev_wait_since "$t_up" 3 srv2 peer_up peer=srv1 || fail "srv2 did not see srv1 up again after its link came back"
e2e_log "SIGHUP to both (reload)"
kill -HUP "$(lab_pid srv1)" "$(lab_pid srv2)"
ev_wait 3 srv1 reload || fail "srv1: no reload event after SIGHUP"
ev_wait 3 srv2 reload || fail "srv2: no reload event after SIGHUP"
e2e_log "srv2: SIGKILL (srv1 sees it stalled), then restarted (adopts its pins)"
lab_stop srv2 KILL
ev_wait 3 srv1 peer_stalled peer=srv2 || fail "srv1: no peer_stalled for srv2"
t_restart=$(mono_now)
lab_start srv2
ev_wait 5 srv2 agent_start || fail "srv2 did not restart"
ev_wait 5 srv2 peer_up peer=srv1 || fail "restarted srv2 did not see srv1 up"
ev_wait_since "$t_restart" 3 srv1 peer_up peer=srv2 || fail "srv1 did not see the restarted srv2 up"
e2e_log "SIGTERM srv1 (srv2 takes over), then srv2"
lab_stop srv1 TERM
ev_wait 3 srv2 peer_leaving peer=srv1 || fail "srv2: no peer_leaving for srv1"
wait_for 3 lab_has_vip srv2 || fail "srv2 did not take the VIP after srv1's graceful stop"
lab_stop srv2 TERM

# The scenario produced what it was meant to (a vacuous pass proves nothing).
seen=$(cat "$(ev_file srv1)" "$(ev_file srv2)" | python3 -c 'import json, sys
names = set()
for l in sys.stdin:
    try:
        names.add(json.loads(l).get("event"))
    except ValueError:
        pass
print(" ".join(sorted(n for n in names if n)))')
e2e_log "event kinds seen: $seen"
for want in agent_start config_loaded dataplane_attached peer_up peer_dead peer_stalled peer_leaving \
	state_change group_acquire group_release vip_added vip_removed garp_sent link_down link_up \
	standby_request takeover_request reload agent_stop; do
	[[ " $seen " == *" $want "* ]] || fail "the scenario should have produced a $want event; seen: $seen"
done

# stdout and the debugfile (ha.cf: debugfile /var/log/ha-debug) say the
# same; the logfile (/var/log/ha-log) too, less the debug events (the
# repeated announcements: garp_sent after the first packet).
for node in srv1 srv2; do
	log=$LAB_DIR/$node/log/ha-log debug=$LAB_DIR/$node/log/ha-debug
	[ -s "$log" ] || fail "$node: no logfile events in /var/log/ha-log ($log)"
	cmp -s "$debug" "$(ev_file "$node")" ||
		fail "$node: the debugfile and stdout differ: $(diff "$debug" "$(ev_file "$node")" | head -5)"
	grep -vE '"event":"garp_sent",.*"packet":([2-9]|[1-9][0-9]+)[,}]' "$(ev_file "$node")" >"$LAB_DIR/$node/info.json"
	cmp -s "$log" "$LAB_DIR/$node/info.json" ||
		fail "$node: the logfile is not stdout less the debug events: $(diff "$log" "$LAB_DIR/$node/info.json" | head -5)"
done

# The schema.
failed=0
for node in srv1 srv2; do
	out=$(python3 "$XHB_TOP/tools/validate-events.py" --check-seq "$(ev_file "$node")" 2>&1)
	rc=$?
	[ "$rc" = 77 ] && skip "validate-events.py: $out"
	echo "validate-events.py --check-seq $node ($(wc -l <"$(ev_file "$node")") events): exit $rc"
	sed "s|$LAB_DIR/||g; s/^/  /" <<<"$out" | head -40
	[ "$rc" = 0 ] || failed=1
done
[ "$failed" = 0 ] || fail "events do not validate against docs/events.schema.json (see above)"
exit 0
