#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Many groups: 256 haresources lines of one VIP each (the seed's VIP, then
# 172.16.200-204.x/16 on ens192, beside the lab's addresses), all srv1's.
# Groups past 31 travel in paged heartbeats (xhb_wire.h): srv2 must see
# srv1 hold every one of them (its status says owner srv1), or it would
# take them as nobody's. srv1's link goes down: srv2 holds all of them
# within a bound, srv1 none. No address is ever on both nodes while both
# can answer: polled all along, srv1's link state read around each
# round (once its link is down srv1 answers nobody, and its removals race
# srv2's adds on a loaded machine; that window is measured, not judged).
# The takeover's figures (verdict -> last address added -> last first
# gratuitous ARP, from srv2's events) are logged. MANY_GROUPS=N
# runs it with N groups (up to 1024).
source "$(dirname "$0")/lib.bash" many-groups

NGROUPS=${MANY_GROUPS:-256}
# group k's address, k >= 1 (group 0 has the seed's VIP)
group_addr() { echo "172.16.$((200 + $1 / 250)).$(($1 % 250 + 1))"; }
OURS="$LAB_VIP|172\.16\.20[0-4]\.[0-9]+"
TAKEOVER_BOUND_MS=${MANY_GROUPS_BOUND_MS:-2000}
LAB_HACF_EXTRA="${E2E_PROBE_STEADY}"
lab_setup || fail "lab setup failed"
{
	cat "$LAB_FIXTURES/haresources"
	for i in $(seq 1 $((NGROUPS - 1))); do
		echo "srv1 IPaddr::$(group_addr "$i")/16/ens192"
	done
} >"$LAB_DIR/haresources.many"
for node in srv1 srv2; do
	cp "$LAB_DIR/haresources.many" "$LAB_DIR/$node/ha.d/haresources"
done

# How many of our addresses a node holds: the seed's VIP and the others.
count_addrs() { # node
	lab_exec "$1" ip -o -4 addr show dev ens192 2>/dev/null |
		grep -cE " inet ($OURS)/"
}
holds_all() { [ "$(count_addrs "$1")" = "$NGROUPS" ]; }
holds_none() { [ "$(count_addrs "$1")" = 0 ]; }

# The overlap watcher: both nodes' addresses read over and over; any
# address seen on both in one round while srv1's link was up before and
# after it is written to $both (after: to $both_down). Bounded: it stops
# when $stop appears or after 120 s.
both=$LAB_DIR/both.txt
both_down=$LAB_DIR/both_down.txt
stop=$LAB_DIR/both.stop
rounds=$LAB_DIR/both.rounds
: >"$both"
: >"$both_down"
srv1_up() { lab_exec srv1 ip -o link show dev ens192 2>/dev/null | grep -q '[<,]UP[,>]'; }
(
	end=$((SECONDS + 120)) n=0
	while [ ! -e "$stop" ] && [ $SECONDS -lt $end ]; do
		up=1
		srv1_up || up=0
		a=$(lab_exec srv1 ip -o -4 addr show dev ens192 2>/dev/null | grep -oE "inet ($OURS)/")
		b=$(lab_exec srv2 ip -o -4 addr show dev ens192 2>/dev/null | grep -oE "inet ($OURS)/")
		# and srv1 once more: an address moving during the round
		# would be on neither read, never on both
		c=$(lab_exec srv1 ip -o -4 addr show dev ens192 2>/dev/null | grep -oE "inet ($OURS)/")
		srv1_up || up=0
		out=$both
		[ "$up" = 1 ] || out=$both_down
		comm -12 <(sort -u <<<"$a") <(sort -u <<<"$b") | comm -12 - <(sort -u <<<"$c") | grep . >>"$out"
		n=$((n + 1))
		echo "$n" >"$rounds"
	done
) &
e2e_bg $!

e2e_start_pair
wait_for 20 holds_all srv1 || fail "srv1 holds $(count_addrs srv1) of the $NGROUPS groups' addresses, not all, 20 s after the start"
e2e_log "srv1 holds $(count_addrs srv1) addresses"

# srv2 sees srv1 hold every group, pages past the first included.
owners_ok() {
	lab_in_node srv2 "$XHB_BUILD/xhbctl" status -j 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)
g = s["groups"]
ok = len(g) == int(sys.argv[1]) and all(x.get("owner") == "srv1" and not x["held"] for x in g)
sys.exit(0 if ok else 1)' "$NGROUPS"
}
wait_for 10 owners_ok || fail "srv2's status does not show srv1 owning all $NGROUPS groups: $(lab_in_node srv2 "$XHB_BUILD/xhbctl" status -j | python3 -c 'import json,sys; g=json.load(sys.stdin)["groups"]; print(len(g), "groups;", sorted({x.get("owner") for x in g}, key=str))')"
hold_for 1 holds_none srv2 || fail "srv2 took addresses while srv1 held them all: $(count_addrs srv2)"
# The status text lists the last group too.
last=$((NGROUPS - 1))
lab_in_node srv1 "$XHB_BUILD/xhbctl" status | grep -qE "^$last +srv1 +srv1 +started" ||
	fail "xhbctl status on srv1 does not list group $last as srv1's, started"

# One group past 31 moves alone, named by its address: srv1's standby
# (refused, page 3 of its heartbeats) -> srv2 takes it; srv1's takeover
# (wanted) -> srv2 gives it back. Nothing else moves.
if [ "$NGROUPS" -gt 100 ]; then
	one=$(group_addr 100)
	ctl() { lab_in_node "$1" "$XHB_BUILD/xhbctl" "${@:2}"; }
	out=$(ctl srv1 standby group "$one") || fail "xhbctl standby group $one on srv1: $out"
	[ "$out" = "standby group: requested (groups 100)" ] ||
		fail "xhbctl standby group $one said '$out', expected 'standby group: requested (groups 100)'"
	wait_for 5 has_addr srv2 "$one" || fail "srv2 did not take $one (group 100) after srv1's standby of it"
	wait_for 5 not has_addr srv1 "$one" || fail "srv1 kept $one after its standby"
	[ "$(count_addrs srv2)" = 1 ] || fail "srv2 holds $(count_addrs srv2) addresses, expected group 100's alone"
	[ "$(count_addrs srv1)" = $((NGROUPS - 1)) ] || fail "srv1 holds $(count_addrs srv1), expected all but one"
	out=$(ctl srv1 takeover group 100) || fail "xhbctl takeover group 100 on srv1: $out"
	wait_for 5 has_addr srv1 "$one" || fail "srv1 did not take $one back after its takeover of group 100"
	wait_for 5 holds_none srv2 || fail "srv2 kept $(count_addrs srv2) addresses after srv1's takeover of group 100"
	out=$(ctl srv1 standby group 172.16.9.9 2>&1) && fail "a standby of a name no group has was accepted: $out"
	e2e_log "group 100 moved alone to srv2 and back, by its address and its number"
	wait_for 10 owners_ok || fail "srv2 does not see srv1 own all $NGROUPS groups again"
fi

t0=$(mono_now)
e2e_log "srv1: ip link set ens192 down"
lab_exec srv1 ip link set ens192 down
wait_for 10 holds_all srv2 || fail "srv2 holds $(count_addrs srv2) of $NGROUPS addresses 10 s after srv1's link went down"
wait_for 5 holds_none srv1 || fail "srv1 kept $(count_addrs srv1) addresses after its link went down"
e2e_log "srv2 holds $(count_addrs srv2) addresses, srv1 none"
ev_wait 5 srv2 group_acquire group=$((NGROUPS - 1)) reason=peer_dead ||
	fail "srv2 has no group_acquire of group $((NGROUPS - 1)) for peer_dead: $(ev_names srv2 | tail -c 600)"

# Prometheus has the last group's series, held by srv2 now.
metrics=$(lab_node_run srv2 "$LAB_DIR/srv2" "$LAB_DIR/bpf/srv2" "$XHB_BUILD/xhbctl" -c "$LAB_DIR/srv2/ha.d" metrics)
grep -qx "xhb_group_held{group=\"$last\"} 1" <<<"$metrics" ||
	fail "xhbctl metrics on srv2 has no xhb_group_held{group=\"$last\"} 1: $(grep "xhb_group_held{group=\"$last\"}" <<<"$metrics")"

# Each group's first gratuitous ARP is sent when its address is added.
wait_for 5 bash -c "[ \$(grep -c '\"event\":\"garp_sent\"' '$(ev_file srv2)') -ge $NGROUPS ]" ||
	fail "srv2 sent fewer than $NGROUPS gratuitous ARPs"
touch "$stop"
[ -s "$both" ] && fail "addresses on both nodes at once: $(sort -u "$both" | head -5 | tr '\n' ' ')"
e2e_log "overlap watcher: $(cat "$rounds") rounds, no address on both while srv1's link was up;" \
	"$(sort -u "$both_down" | wc -l) on both once it was down (srv1 answers nobody then)"

# The figures: from srv2's verdict on srv1 to its last address added and
# its last group's first gratuitous ARP.
figures=$(python3 - "$(ev_file srv2)" "$t0" "$NGROUPS" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
t0, n = int(sys.argv[2]), int(sys.argv[3])
ev = [e for e in ev if e["mono_ns"] >= t0]
dead = [e["mono_ns"] for e in ev if e["event"] == "peer_dead" and e.get("peer") == "srv1"]
added = [e["mono_ns"] for e in ev if e["event"] == "vip_added"]
acq = [e["mono_ns"] for e in ev if e["event"] == "group_acquire" and e.get("reason") == "peer_dead"]
first_garp = {}
for e in ev:
    if e["event"] == "garp_sent":
        first_garp.setdefault(e["group"], e["mono_ns"])
if not dead or len(added) < n or len(acq) < n or len(first_garp) < n:
    print("incomplete: %d peer_dead, %d vip_added, %d group_acquire, %d groups announced" %
          (len(dead), len(added), len(acq), len(first_garp)))
    sys.exit(1)
v = dead[0]
ms = lambda t: (t - v) / 1e6
print(json.dumps({"groups": n, "first_added_ms": round(ms(min(added)), 3),
                  "last_added_ms": round(ms(max(added)), 3),
                  "last_acquired_ms": round(ms(max(acq)), 3),
                  "last_first_garp_ms": round(ms(max(first_garp.values())), 3)}))
EOF
) || fail "srv2's events do not tell the takeover: $figures"
e2e_log "takeover of $NGROUPS groups after the verdict: $figures"
release=$(python3 - "$(ev_file srv1)" "$t0" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ev = [e for e in ev if e["mono_ns"] >= int(sys.argv[2])]
down = [e["mono_ns"] for e in ev if e["event"] == "link_down"]
gone = [e["mono_ns"] for e in ev if e["event"] == "vip_removed"]
print("link_down -> last vip_removed %.3f ms (%d removed)" %
      ((max(gone) - down[0]) / 1e6, len(gone)) if down and gone else "incomplete")
EOF
)
e2e_log "srv1's release: $release"
python3 -c '
import json, sys
f = json.loads(sys.argv[1])
sys.exit(0 if f["last_first_garp_ms"] < float(sys.argv[2]) else 1)' "$figures" "$TAKEOVER_BOUND_MS" ||
	fail "the takeover of $NGROUPS groups took longer than $TAKEOVER_BOUND_MS ms after the verdict: $figures"
exit 0
