#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# A crash followed by a restart on the master (issue 5, "Hitless agent
# restart"): kill -9 srv1's xhbd, start it again at once (as systemd's
# Restart= would), well within the lease (default lease = deadtime, 10 s;
# probe 1ms 19, E2E_PROBE_STEADY). The XDP link and the maps stayed
# pinned, the VIP stayed on ens192 and XDP kept answering meanwhile; the
# new agent adopts all of it.
#
# Asserts: the client (vipcheck, 1 request/ms) loses no request at all and
# never changes server (lost == 0, moves == 0); srv2 never holds the VIP
# (ip addr polled every 20 ms, and no group_acquire / vip_added on srv2);
# srv1's new agent says dataplane_attached with adopted: true and
# group_acquire with reason adopted, and releases nothing.
#
# E2E_FENCED_STANDBY=1 (restart_hitless_fenced.sh): the same with `fenced_standby on`
# (issue 15): the standby keeps the VIP staged in ip addr, so who holds it
# is read from ip addr and xhb_vips' flag (vip_held, in both modes), and
# the client's ARP requests are never answered by two servers (e2e_end).
source "$(dirname "$0")/lib.bash" "restart${E2E_FENCED_STANDBY:+-fenced}"

LAB_HACF_EXTRA="${E2E_PROBE_STEADY}${E2E_FENCED_STANDBY:+fenced_standby on\n}"
lab_setup || fail "lab setup failed"
e2e_start_pair
pid1=$(lab_pid srv1)

# srv2 must never hold the VIP: ip addr polled every 20 ms for the whole test.
e2e_hold_bg 8 0.02 not vip_held srv2
poll=$E2E_HOLD_PID
e2e_watch 4000 "$LAB_DIR/watch.json"
watch=$LAB_WATCH_PID
t_kill=$(mono_now)
e2e_log "srv1: kill -9 xhbd ($pid1), then lab_start srv1 at once"
lab_stop srv1 KILL
! kill -0 "$pid1" 2>/dev/null || fail "srv1's xhbd survived SIGKILL"
lab_start srv1
t_start=$(mono_now)
e2e_log "srv1: new agent $(lab_pid srv1), started $(( (t_start - t_kill) / 1000000 )) ms after the kill"

ev_wait_since "$t_kill" 5 srv1 agent_start || fail "srv1's new agent did not start: $(tail -n 5 "$LAB_DIR/srv1/xhbd.err")"
ev_wait_since "$t_kill" 5 srv1 group_acquire || soft_fail "srv1's new agent has no group_acquire: $(ev_names srv1)"
att=$(ev_since "$t_kill" srv1 dataplane_attached | head -n 1)
acq=$(ev_since "$t_kill" srv1 group_acquire | head -n 1)
e2e_log "srv1: $att"
e2e_log "srv1: $acq"
python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1] or "{}").get("adopted") is not True)' "$att" ||
	soft_fail "srv1's new agent: expected dataplane_attached with adopted: true, saw: ${att:-none}"
python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1] or "{}").get("reason") != "adopted")' "$acq" ||
	soft_fail "srv1's new agent: expected group_acquire reason adopted, saw: ${acq:-none}"

wait "$watch"
wait "$poll"
expect_hitless restart "$t_kill"
# The new incarnation is the counter on disk plus one, not the clock.
python3 - "$(ev_file srv1)" <<'PY' || fail "srv1's restarted agent: its incarnation is not its predecessor's + 1 (above)"
import json, sys
inc = [json.loads(l)["incarnation"] for l in open(sys.argv[1]) if '"agent_start"' in l]
print(f"srv1's incarnations: {inc}")
sys.exit(not (len(inc) >= 2 and inc[-1] == inc[-2] + 1))
PY
e2e_log "srv1 events: $(ev_names srv1)"
e2e_log "srv2 events since the kill: $(ev_since "$t_kill" srv2 peer_stalled | wc -l) peer_stalled, $(ev_since "$t_kill" srv2 peer_up | wc -l) peer_up"
exit 0
