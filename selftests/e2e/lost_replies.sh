#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Probe replies lost on the path (a driver or a virtual switch that drops
# XDP_TX frames), then the holder's agent stalls (the safety issue, item
# 2). srv2 hears srv1's heartbeats and probes, never its replies: it must
# say so (peer_unanswered), and must not take the VIP before srv1's lease
# has run out, since srv1's XDP answers for the VIP until then.
#
# Without replies, a silent holder is dead once deadtime has passed and its
# lease has run out: the lease here is the longer of the two, so that a
# takeover at deadtime alone shows.
#
#   probe 1ms 3, deadtime 1 s, lease 1500ms; on the lab's bridge an
#   nftables rule drops every PROBE_REPLY (UDP 694, payload byte 5 = 3)
source "$(dirname "$0")/lib.bash" lost-replies

LEASE_MS=1500
LAB_HACF_EXTRA="probe 1ms 3\nkeepalive 200ms\nwarntime 600ms\ndeadtime 1\nlease ${LEASE_MS}ms\n"
lab_setup || fail "lab setup failed"
command -v nft >/dev/null || skip "needs nft (nftables)"
e2e_start_pair
pid1=$(lab_pid srv1)
lost_end() {
	local rc=$?
	kill -CONT "$pid1" 2>/dev/null
	(exit "$rc")
	e2e_end
}
trap lost_end EXIT

br=$(lab_ns lanbr)
t0=$(mono_now)
ip netns exec "$br" nft -f - <<NFT || fail "cannot add the nftables rule in $br"
table bridge xhb_lost_replies {
	chain forward {
		type filter hook forward priority 0;
		udp dport 694 @th,104,8 3 counter drop
	}
}
NFT
e2e_log "replies dropped on the bridge"
ev_wait_since "$t0" 3 srv2 peer_unanswered peer=srv1 ||
	fail "srv2 never said srv1's probes go unanswered: $(ev_names srv2)"
! ev_has srv2 peer_dead peer=srv1 || fail "srv2 judged srv1 dead while its agent spoke: $(ev_names srv2)"

e2e_watch 4500 "$LAB_DIR/watch.json"
watch=$LAB_WATCH_PID
e2e_log "srv1: SIGSTOP (its XDP keeps answering the clients until its ${LEASE_MS} ms lease lapses)"
timing=$(python3 "$E2E_DIR/stopcont.py" "$pid1" "$LAB_DIR/bpf/srv1/xhb/ens192" 2000) ||
	fail "stop/cont helper: $timing"
ev_wait_since "$t0" 3 srv2 vip_added || fail "srv2 never took the VIP: $(ev_names srv2)"
wait "$watch"
python3 - "$LAB_DIR" "$timing" "$t0" <<'PY' || fail "srv2 took the VIP while srv1's lease still ran (above)"
import json, sys
d, timing, t0 = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
E = timing["lapse_ns"]
ev = [json.loads(l) for l in open(f"{d}/srv2/events.json")]
added = [e for e in ev if e["event"] == "vip_added" and e["mono_ns"] >= t0][0]
dead = [e for e in ev if e["event"] == "peer_dead" and e["mono_ns"] >= t0]
w = json.load(open(f"{d}/watch.json"))
print(f"srv1's lease lapsed at E; srv2's peer_dead at E{(dead[0]['mono_ns'] - E) / 1e6:+.1f} ms"
      if dead else "srv2 has no peer_dead")
print(f"srv2 added the VIP at E{(added['mono_ns'] - E) / 1e6:+.1f} ms")
print(f"client: both answered {w['both_answered']}, servers {w['servers']}, outage {w['outage_ms']} ms")
ok = added["mono_ns"] >= E and not w["both_answered"]
if added["mono_ns"] < E:
    print("FAIL: srv2 added the VIP while srv1's XDP still answered for it")
sys.exit(not ok)
PY
kill -CONT "$pid1"
exit 0
