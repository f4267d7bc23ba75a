#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# The seed scenario: the lab's ha.cf, haresources and authkeys byte for
# byte plus 'probe 1ms 3'. srv1 serves the VIP; its link goes down (the
# lab's ifdown); srv2 takes the VIP within a fraction of a second, the
# client sees SRV2's page, and nobody answered twice.
#
# E2E_FENCED_STANDBY=1 (seed_failover_fenced.sh): the same with `fenced_standby on`
# (issue 15): the standby keeps the VIP staged in ip addr, so who holds it
# is read from ip addr and xhb_vips' flag (vip_held, in both modes), and
# the client's ARP requests are never answered by two servers (e2e_end).
source "$(dirname "$0")/lib.bash" "seed-failover${E2E_FENCED_STANDBY:+-fenced}"

LAB_HACF_EXTRA="probe 1ms 3\n${E2E_FENCED_STANDBY:+fenced_standby on\n}"
lab_setup || fail "lab setup failed"
for node in srv1 srv2; do
	for f in haresources authkeys; do
		cmp -s "$LAB_FIXTURES/$f" "$LAB_DIR/$node/ha.d/$f" || fail "$node's $f is not the seed's byte for byte"
	done
	cmp -s <(cat "$LAB_FIXTURES/ha.cf"; printf '%b' "$LAB_HACF_EXTRA") "$LAB_DIR/$node/ha.d/ha.cf" ||
		fail "$node's ha.cf is not the seed's plus '$LAB_HACF_EXTRA'"
done
e2e_start_pair
e2e_log "srv1 holds $LAB_VIP: $(node_addrs srv1 | tr '\n' ' ')"

e2e_watch 2500 "$LAB_DIR/watch.json"
watch=$LAB_WATCH_PID
e2e_log "srv1: ip link set ens192 down"
lab_exec srv1 ip link set ens192 down
wait_for 5 vip_held srv2 || fail "srv2 did not take $LAB_VIP within 5 s of srv1's link going down"
e2e_log "srv2 holds $LAB_VIP"
wait "$watch"
wait_for 3 not vip_held srv1 ||
	fail "srv1 kept $LAB_VIP after its link went down (flags $(vip_flags srv1))"
expect_vip_only srv2
expect_curl "IT WORKS SRV2"

# What the client saw: one move SRV1 -> SRV2, a short outage, no double answer.
result=$(cat "$LAB_DIR/watch.json")
e2e_log "vipcheck: $result"
python3 - "$result" <<'EOF' || fail "the client's view (vipcheck) is wrong: $result"
import json, sys
r = json.loads(sys.argv[1])
bad = []
if r["servers"][:1] != ["SRV1"] or "SRV2" not in r["servers"]:
    bad.append("servers %s, expected SRV1 then SRV2" % r["servers"])
if r["outage_from"] != "SRV1" or r["outage_to"] != "SRV2":
    bad.append("outage from %r to %r, expected SRV1 -> SRV2" % (r["outage_from"], r["outage_to"]))
if not r["outage_ms"] < 1000:
    bad.append("outage %.1f ms, expected < 1000 ms" % r["outage_ms"])
if r["both_answered"] != 0:
    bad.append("%d requests answered by both servers (split brain)" % r["both_answered"])
if r["moves"] != 1:
    bad.append("%d moves between servers, expected 1" % r["moves"])
for b in bad:
    print("vipcheck:", b)
sys.exit(1 if bad else 0)
EOF

# Events: srv2 judged srv1 dead, then acquired because of it; srv1 saw its
# link go down and released.
ev_wait 3 srv2 group_acquire reason=peer_dead || fail "srv2 has no group_acquire with reason peer_dead: $(ev_names srv2)"
python3 - "$(ev_file srv2)" <<'EOF' || fail "srv2's events are not peer_dead(srv1) then group_acquire(peer_dead): $(ev_names srv2)"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
dead = [i for i, e in enumerate(ev) if e["event"] == "peer_dead" and e.get("peer") == "srv1"]
acq = [i for i, e in enumerate(ev) if e["event"] == "group_acquire" and e.get("reason") == "peer_dead"]
sys.exit(not (dead and acq and dead[0] < acq[0]))
EOF
ev_has srv1 link_down iface=ens192 || fail "srv1 has no link_down event for ens192: $(ev_names srv1)"
ev_has srv1 group_release group=0 || fail "srv1 has no group_release of group 0: $(ev_names srv1)"
ev_has srv1 vip_removed vip="$LAB_VIP" || fail "srv1 has no vip_removed for $LAB_VIP: $(ev_names srv1)"
ev_has srv2 vip_added vip="$LAB_VIP" || fail "srv2 has no vip_added for $LAB_VIP: $(ev_names srv2)"
e2e_log "srv1 events: $(ev_names srv1)"
e2e_log "srv2 events: $(ev_names srv2)"
exit 0
