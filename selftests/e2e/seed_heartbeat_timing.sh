#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# The seed's files unchanged, no 'probe' line: timing is Heartbeat's
# (keepalive 2, warntime 6, deadtime 10). When srv1's agent and link die,
# srv2 warns after warntime, declares srv1 dead after deadtime (not
# before), and takes the VIP.
source "$(dirname "$0")/lib.bash" seed-hb-timing

LAB_HACF_EXTRA=""
lab_setup || fail "lab setup failed"
for node in srv1 srv2; do
	for f in ha.cf haresources authkeys; do
		cmp -s "$LAB_FIXTURES/$f" "$LAB_DIR/$node/ha.d/$f" || fail "$node's $f is not the seed's byte for byte"
	done
done
e2e_start_pair
probe_ms=$(ev_field srv2 config_loaded probe_misses)
[ "$probe_ms" = 0 ] || fail "without a probe line, config_loaded should say probe_misses 0, saw '$probe_ms'"

# Link first (its agent releases the VIP at once: local fault), then the
# agent: srv1 is gone as a whole and holds nothing.
e2e_log "srv1: ip link set ens192 down, then SIGKILL xhbd"
lab_exec srv1 ip link set ens192 down
t0=$(date +%s%N)
since() { echo $((($(date +%s%N) - t0) / 1000000)); }
ev_wait 2 srv1 group_release reason=local_fault || fail "srv1 did not release the VIP on link down: $(ev_names srv1)"
lab_stop srv1 KILL
expect_no_vip srv1

# Well before deadtime (until warntime, 6 s) srv2 must still wait: at
# every poll, no VIP on srv2 and no peer_dead.
srv2_waits() { not vip_on srv2 && ! lab_has_event srv2 peer_dead; }
left=$((6000 - $(since)))
held=yes
if [ "$left" -gt 0 ]; then
	hold_for "$(awk -v ms="$left" 'BEGIN { print ms / 1000 }')" srv2_waits || held="no: $(since) ms after srv1 died"
fi
! lab_has_vip srv2 || fail "srv2 took $LAB_VIP $(since) ms after srv1 died: Heartbeat timing (deadtime 10 s) expected"
! ev_has srv2 peer_dead peer=srv1 || fail "srv2 declared srv1 dead after $(since) ms, before deadtime (10 s): $(ev_select srv2 peer_dead)"
[ "$held" = yes ] || fail "srv2 did not wait until warntime ($held): it had $LAB_VIP or a peer_dead for a moment; $(ev_names srv2)"
e2e_log "$(since) ms: srv2 still waits (no peer_dead, no VIP)"

wait_for 9 lab_has_vip srv2 || fail "srv2 did not take $LAB_VIP within $(since) ms of srv1's death (deadtime 10 s + one keepalive expected)"
took=$(since)
e2e_log "srv2 holds $LAB_VIP $took ms after srv1 died"
# The last sign of srv1 came at most a keepalive (2 s) before its death;
# srv2 judges every keepalive: takeover between 8 and 12 s, plus slack.
[ "$took" -ge 7000 ] && [ "$took" -le 13500 ] ||
	fail "takeover $took ms after srv1 died, expected within deadtime 10 s +/- one keepalive (7000..13500 ms)"
expect_vip_only srv2
expect_curl "IT WORKS SRV2"

ev_wait 2 srv2 group_acquire reason=peer_dead || fail "srv2 has no group_acquire with reason peer_dead: $(ev_names srv2)"
det=$(ev_field srv2 peer_dead detection_ms peer=srv1)
e2e_log "srv2 peer_dead(srv1) detection_ms=$det"
python3 -c 'import sys; d = float(sys.argv[1]); sys.exit(not (9000 <= d <= 13000))' "${det:-0}" ||
	fail "srv2's peer_dead for srv1: detection_ms should be about deadtime (9000..13000), saw '${det:-none}': $(ev_select srv2 peer_dead)"
python3 - "$(ev_file srv2)" <<'EOF' || fail "srv2 should warn (peer_warn, warntime 6 s) before peer_dead: $(ev_names srv2)"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
names = [e["event"] for e in ev if e.get("peer") == "srv1"]
sys.exit(not ("peer_warn" in names and "peer_dead" in names
              and names.index("peer_warn") < names.index("peer_dead")))
EOF
! ev_has srv2 peer_stalled peer=srv1 || fail "srv2 judged srv1 stalled, but srv1's link is down: $(ev_names srv2)"
e2e_log "srv2 events: $(ev_names srv2)"
exit 0
