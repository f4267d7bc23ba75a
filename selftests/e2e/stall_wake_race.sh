#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# A stalled master wakes up while the backup is still taking over (issue
# 5: "When a stalled agent wakes up, it sees its lease expired and the
# group owned elsewhere, removes the address and stops its resources,
# without ever answering for the VIP again").
#
# The group is Heartbeat's classic pair, an address and a service:
#   srv1 IPaddr::172.16.193.30/16/ens192 slowsvc
# where slowsvc's start takes 1 s (a web server starting), once a flag file
# says so (so that the start-up of the lab stays quick). With `probe 1ms 3`
# and `lease 500ms`:
#   1. srv1's agent is SIGSTOPped; its lease lapses at E (read from srv1's
#      pinned xhb_self: agent_update_ns + lease_ms), its XDP fences;
#   2. srv2 takes over at about E + 1 ms: the address first, then slowsvc
#      start, 1 s, during which its agent is busy;
#   3. srv1's agent is SIGCONTed at E + 300 ms, in the middle of srv2's
#      takeover. It must release (lease_expired) and stay released: srv2
#      is taking the group.
#
# Asserts:
#   - while srv2 has the VIP up (its takeover under way), srv2 advertises
#     the group it is taking (xhb_self groups_held), so that its XDP leases
#     and fences the VIP and peers know it is taken;
#   - the woken srv1 releases and does not acquire the group again while
#     srv2 takes it;
#   - at no instant do both servers have the VIP up outside a fence
#     (computed from both agents' vip_added / vip_removed events, on
#     CLOCK_MONOTONIC, with srv1 fenced from E until it removed its VIP);
#   - the client (vipcheck, 1 request/ms) never gets answers from both and
#     sees exactly one move, to SRV2.
source "$(dirname "$0")/lib.bash" stall-wake

LEASE_MS=500
WAKE_AFTER_MS=300
SVC_START_S=1
pid1=
race_end() {
	local rc=$?
	[ -n "$pid1" ] && kill -CONT "$pid1" 2>/dev/null
	(exit "$rc")
	e2e_end
}
trap race_end EXIT

LAB_HACF_EXTRA="probe 1ms 3\nlease ${LEASE_MS}ms\n"
lab_setup || fail "lab setup failed"
for node in srv1 srv2; do
	d=$LAB_DIR/$node/ha.d
	mkdir -p "$d/resource.d"
	cat >"$d/resource.d/slowsvc" <<EOF
#!/bin/sh
# A service whose start takes ${SVC_START_S} s once $LAB_DIR/$node/slow exists.
case "\$1" in
start) [ -e "$LAB_DIR/$node/slow" ] && sleep $SVC_START_S ;;
esac
exit 0
EOF
	chmod 755 "$d/resource.d/slowsvc"
	echo "srv1 IPaddr::$LAB_VIP/16/ens192 slowsvc" >"$d/haresources"
done
e2e_start_pair
ev_wait 3 srv1 group_acquire || fail "srv1 did not acquire the group: $(ev_names srv1)"
# srv1's hold is published: its xhb_self says group 0 held, and srv2's XDP
# has it from srv1 (held, with its 500 ms lease), so that srv2 takes over
# when that lease lapses.
hold_published() {
	local self1 peers2
	self1=$("$XHB_BUILD/xhbctl" -p "$LAB_DIR/bpf/srv1/xhb/ens192" -j self) || return 1
	peers2=$("$XHB_BUILD/xhbctl" -p "$LAB_DIR/bpf/srv2/xhb/ens192" -j peers) || return 1
	python3 -c 'import json, sys
me, peers, addr, lease = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], int(sys.argv[4])
p = [p for p in peers if p.get("address") == addr]
sys.exit(not (me["groups_held"] & 1 and len(p) == 1 and p[0]["groups_held"] & 1 and p[0]["lease_ms"] == lease))' \
		"$self1" "$peers2" "${LAB_IP[srv1]}" "$LEASE_MS"
}
wait_for 3 hold_published ||
	fail "srv1's hold of group 0 is not published (its xhb_self, srv2's peer entry): $("$XHB_BUILD/xhbctl" -p "$LAB_DIR/bpf/srv2/xhb/ens192" -j peers | tr -d ' \n')"
pid1=$(lab_pid srv1)
touch "$LAB_DIR/srv2/slow"

e2e_watch 3500 "$LAB_DIR/watch.json"
watch=$LAB_WATCH_PID
t0=$(mono_now)
ev_mark srv1:group_acquire srv1:vip_added
e2e_log "srv1: SIGSTOP; SIGCONT ${WAKE_AFTER_MS} ms after its ${LEASE_MS} ms lease lapsed, while srv2 takes over (slowsvc start: ${SVC_START_S} s)"
timing=$(python3 "$E2E_DIR/stopcont.py" "$pid1" "$LAB_DIR/bpf/srv1/xhb/ens192" "$WAKE_AFTER_MS") ||
	fail "stop/cont helper: $timing"
# srv2 is in the middle of its takeover (slowsvc start): what it advertises.
self2=$("$XHB_BUILD/xhbctl" -p "$LAB_DIR/bpf/srv2/xhb/ens192" -j self)
vip2=no
has_addr srv2 "$LAB_VIP" && vip2=yes
e2e_log "timing: $timing"
e2e_log "srv2 during its takeover: VIP in ip addr: $vip2; xhbctl self: $(tr -d ' \n' <<<"$self2")"
if [ "$vip2" = yes ]; then
	python3 -c 'import json, sys; sys.exit(not json.loads(sys.argv[1])["groups_held"] & 1)' "$self2" ||
		soft_fail "srv2 has $LAB_VIP up while it starts the group's service, but advertises groups_held $(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["groups_held"])' "$self2") (lease_ms $(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["lease_ms"])' "$self2")): peers see the group held by nobody and its XDP never fences that VIP"
else
	e2e_log "note: srv2 had no VIP when looked at (its takeover was not under way)"
fi
# srv2 completes its takeover (slowsvc start), the woken srv1 released;
# the analysis below says what was wrong if not.
ev_wait_since "$t0" $((SVC_START_S + 4)) srv2 group_acquire ||
	e2e_log "srv2 has no group_acquire $((SVC_START_S + 4)) s after the stop"
ev_wait_since "$t0" 3 srv1 group_release reason=lease_expired ||
	e2e_log "the woken srv1 has no group_release (lease_expired)"
# For 2 s from then, at every poll: srv1 stays released.
srv1_released() { not vip_on srv1 && ev_none_new; }
hold_for 2 srv1_released ||
	soft_fail "the woken srv1 did not stay released (after $E2E_HOLD_AT, ${E2E_NEW:-its ip addr has $LAB_VIP}): $(ev_names srv1)"
wait "$watch"

python3 - "$LAB_DIR" "$timing" "$t0" <<'EOF' || soft_fail "the woken master and the backup both had the VIP (above)"
import json, sys
d, timing, t0 = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
E = timing["lapse_ns"]
ev = []
for node in ("srv1", "srv2"):
    for line in open(f"{d}/{node}/events.json"):
        e = json.loads(line)
        if e["mono_ns"] >= t0 and e["event"] not in ("garp_sent", "agent_gap"):
            ev.append((e["mono_ns"], node, e))
ev.sort(key=lambda x: x[0])
print(f"events (ms from srv1's lease lapse E; SIGCONT at E+{(timing['cont_ns'] - E) / 1e6:.1f}):")
for t, node, e in ev:
    extra = e.get("reason") or e.get("peer") or e.get("action") or ""
    print(f"  {(t - E) / 1e6:9.3f}  {node}  {e['event']} {extra}")
# Unfenced VIP per node: srv1 held it before E, was fenced from E until it
# removed it; any vip_added afterwards is a fresh, unfenced address.
up = {"srv1": True, "srv2": False}
srv1_fenced_from = E
srv1_removed = False
def holds(node, t):
    if node == "srv1" and not srv1_removed and t >= srv1_fenced_from:
        return False
    return up[node]
both_since, overlap_ns, spans = None, 0, []
points = sorted({E} | {t for t, n, e in ev if e["event"] in ("vip_added", "vip_removed", "vip_lost")})
for t in points:
    for tt, n, e in ev:
        if tt != t:
            continue
        if e["event"] == "vip_added":
            up[n] = True
        elif e["event"] in ("vip_removed", "vip_lost"):
            up[n] = False
            if n == "srv1" and tt >= E:
                srv1_removed = True
    both = holds("srv1", t) and holds("srv2", t)
    if both and both_since is None:
        both_since = t
    elif not both and both_since is not None:
        spans.append((round((both_since - E) / 1e6, 3), round((t - E) / 1e6, 3)))
        overlap_ns += t - both_since
        both_since = None
released = [t for t, n, e in ev if n == "srv1" and e["event"] == "group_release" and e.get("reason") == "lease_expired"]
reacq = [(t, e) for t, n, e in ev if n == "srv1" and e["event"] == "group_acquire" and released and t > released[0]]
srv2_acq = [t for t, n, e in ev if n == "srv2" and e["event"] == "group_acquire"]
print(f"split brain (both had the VIP up, neither fenced): {overlap_ns / 1e6:.3f} ms, spans (ms from E) {spans} (expected 0)")
ok = True
if not released:
    print("FAIL: the woken srv1 did not release with reason lease_expired")
    ok = False
if not srv2_acq:
    print("FAIL: srv2 did not take over")
    ok = False
if reacq:
    t, e = reacq[0]
    print(f"FAIL: the woken srv1 released for its lapsed lease, then acquired the group again {(t - released[0]) / 1e6:.3f} ms later "
          f"(reason {e.get('reason')}) while srv2 was taking it over; expected it to stay released")
    ok = False
if overlap_ns:
    print(f"FAIL: expected no instant where both servers have the VIP up, saw {overlap_ns / 1e6:.3f} ms")
    ok = False
sys.exit(not ok)
EOF

result=$(cat "$LAB_DIR/watch.json")
python3 - "$result" <<'EOF' || soft_fail "the client's view (above): $result"
import json, sys
r = json.loads(sys.argv[1])
print(f"client: {r['requests']} requests, lost {r['lost']}, outage {r['outage_ms']} ms ({r['outage_from']} -> {r['outage_to']}), "
      f"moves {r['moves']}, both answered {r['both_answered']}, servers {r['servers']}")
ok = r["both_answered"] == 0 and r["moves"] == 1 and r["servers"] == ["SRV1", "SRV2"]
if not ok:
    print(f"FAIL: expected both_answered 0 and one move SRV1 -> SRV2, saw {r['both_answered']}, {r['moves']} moves, {r['servers']}")
sys.exit(not ok)
EOF
e2e_log "srv1 events: $(ev_names srv1)"
e2e_log "srv2 events: $(ev_names srv2)"
exit 0
