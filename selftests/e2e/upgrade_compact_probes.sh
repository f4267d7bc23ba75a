#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Compact probes (issue 15) across a rolling upgrade and its rollback.
#
# The old agent is built from XHB_UPGRADE_FROM (default 05644c3, the last
# commit before compact probes), cached under $XHB_BUILD/upgrade-from/;
# both nodes run $LAB_DIR/bin/xhbd and one at a time is re-executed
# (SIGUSR2, as `systemctl reload xhbd`) onto the binary put there:
# 1. both run the old agent; srv1 holds the VIP;
# 2. srv1 upgraded: it answers srv2's (full) probes with replies flagged
#    compact, which srv2's old XDP ignores; it probes srv2 with full
#    probes only: srv2's old XDP drops none as bad_version, srv1's entry
#    for srv2 says compact false;
# 3. srv2 upgraded: each probes the other with compact probes (entries
#    say compact, probe_answered_compact grows on both);
# 4. srv2 rolled back to the old build: srv1's compact probes are dropped
#    by srv2's old XDP (bad_version) until a reply is missed, a probe
#    period, then full again: at most a few such drops, none after, srv1's
#    entry for srv2 says compact false, srv1 never judges srv2 dead.
# Throughout, polled every 50 ms: srv1 holds the VIP, srv2 never does; no
# peer_dead; the client loses no request across srv1's upgrade.
source "$(dirname "$0")/lib.bash" upgrade-compact

FROM=${XHB_UPGRADE_FROM:-05644c3}
LAB_HACF_EXTRA=$E2E_PROBE_STEADY
e2e_old_build "$FROM" # its xhbctl reads the old build's maps

lab_setup || fail "lab setup failed"
declare -A build=([srv1]=old [srv2]=old) # the build each node runs
put() { # old|new: the binary the next re-exec runs
	local src=$XHB_BUILD/xhbd
	[ "$1" = old ] && src=$E2E_OLD/build/xhbd
	mkdir -p "$LAB_DIR/bin" && cp "$src" "$LAB_DIR/bin/xhbd.new" &&
		mv "$LAB_DIR/bin/xhbd.new" "$LAB_DIR/bin/xhbd" ||
		fail "cannot put the $1 xhbd in place"
}
ctl() { # node args...: the xhbctl of the node's build
	local node=$1 bin=$XHB_BUILD/xhbctl
	shift
	[ "${build[$node]}" = old ] && bin=$E2E_OLD/build/xhbctl
	lab_in_node "$node" "$bin" "$@"
}
stat() { # node counter (0 for a counter its build does not have)
	ctl "$1" -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], 0))' "$2"
}
compact_entry() { # node: its entry for the other says compact (True/False)
	ctl "$1" -j peers | python3 -c 'import json, sys
p = json.load(sys.stdin)
print(p[0].get("compact", False) if len(p) == 1 else "none")'
}
upgrade() { # node old|new
	local node=$1 other=srv2 t
	[ "$node" = srv2 ] && other=srv1
	put "$2"
	build[$node]=$2
	t=$(mono_now)
	kill -USR2 "$(lab_pid "$node")" || fail "cannot signal $node's xhbd"
	ev_wait_since "$t" 10 "$node" agent_start ||
		fail "$node's agent ($2) did not start: $(ev_names "$node") $(tail -n 5 "$LAB_DIR/$node/xhbd.err")"
	ev_wait_since "$t" 10 "$node" dataplane_attached ||
		fail "$node's agent ($2) did not swap its program in: $(ev_names "$node")"
	ev_wait_since "$t" 10 "$node" peer_up peer=$other ||
		fail "$node's agent ($2) does not hear $other: $(ev_names "$node")"
}
no_peer_dead() {
	[ -z "$(ev_since "$t0" srv1 peer_dead)$(ev_since "$t0" srv2 peer_dead)" ] ||
		fail "a peer was judged dead: $(ev_since "$t0" srv1 peer_dead) $(ev_since "$t0" srv2 peer_dead)"
}
grew_by() { # node counter from n: the counter is past from + n
	local now
	now=$(stat "$1" "$2") && [ -n "$now" ] && [ "$now" -gt $(($3 + $4)) ]
}

# ---- 1. both old
put old
LAB_XHBD=$LAB_DIR/bin/xhbd e2e_start_pair
e2e_log "the old agents ($FROM) run; srv1 holds $LAB_VIP"

t0=$(mono_now)
e2e_hold_bg 600 0.05 vip_on_srv1_alone
poll=$E2E_HOLD_PID

# ---- 2. srv1 upgraded, srv2 old: full probes both ways
e2e_watch 3000 "$LAB_DIR/watch.json"
watch=$LAB_WATCH_PID
upgrade srv1 new
wait "$watch"
bad=$(stat srv2 drop_bad_version)
replies=$(ctl srv1 -j peers | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["replies"])')
# a second of 1 ms probes from srv1's new agent to srv2's old XDP, none
# of them refused
hold_for 1 eval '[ "$(stat srv2 drop_bad_version)" = "$bad" ]' ||
	fail "srv2's old XDP dropped $(($(stat srv2 drop_bad_version) - bad)) of srv1's probes as bad_version: srv1 sent compact probes to a build without them"
[ "$(compact_entry srv1)" = False ] ||
	fail "srv1's entry for srv2 (old XDP) should not say compact: $(ctl srv1 -j peers)"
[ "$(stat srv1 probe_answered_compact)" = 0 ] ||
	fail "srv1 answered compact probes from srv2's old agent?"
grew_by srv1 probe_answered 0 100 || fail "srv1's new XDP does not answer srv2's full probes: $(ctl srv1 -j stats)"
now_replies=$(ctl srv1 -j peers | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["replies"])')
[ "$now_replies" -gt $((replies + 500)) ] ||
	fail "srv1 got $((now_replies - replies)) replies of srv2's old XDP in over a second of 1 ms probes"
no_peer_dead
e2e_log "srv1 new, srv2 old: full probes both ways ($((now_replies - replies)) replies from srv2, srv2 dropped none as bad_version)"

# ---- 3. both new: compact probes both ways
upgrade srv2 new
wait_for 3 eval '[ "$(compact_entry srv1)" = True ] && [ "$(compact_entry srv2)" = True ]' ||
	fail "both new, yet the entries do not say compact: srv1 $(compact_entry srv1), srv2 $(compact_entry srv2)"
c1=$(stat srv1 probe_answered_compact)
c2=$(stat srv2 probe_answered_compact)
wait_for 5 eval 'grew_by srv1 probe_answered_compact "$c1" 500 && grew_by srv2 probe_answered_compact "$c2" 500' ||
	fail "compact probes are not answered both ways: srv1 $c1 -> $(stat srv1 probe_answered_compact), srv2 $c2 -> $(stat srv2 probe_answered_compact)"
[ "$(stat srv2 drop_bad_version)$(stat srv1 drop_bad_version)" = 00 ] ||
	fail "a compact probe refused between two new builds: srv1 $(ctl srv1 -j stats), srv2 $(ctl srv2 -j stats)"
no_peer_dead
e2e_log "both new: compact probes both ways (srv1 answered $(stat srv1 probe_answered_compact), srv2 $(stat srv2 probe_answered_compact))"

# ---- 4. srv2 rolled back: srv1 falls back to full probes at once
upgrade srv2 old
wait_for 3 eval '[ "$(compact_entry srv1)" = False ]' ||
	fail "srv1's entry for srv2 still says compact after srv2 went back to $FROM: $(ctl srv1 -j peers)"
bad=$(stat srv2 drop_bad_version)
hold_for 1 eval '[ "$(stat srv2 drop_bad_version)" = "$bad" ]' ||
	fail "srv1 keeps sending compact probes to srv2's old XDP: bad_version $bad -> $(stat srv2 drop_bad_version) within a second"
# on the swap itself, one probe period's compact probes at most (a few
# for a slow loop): srv1's first missed reply sends it back to full ones
[ "$bad" -le 5 ] || fail "srv2's old XDP dropped $bad compact probes after the rollback (at most a few expected)"
no_peer_dead
e2e_log "srv2 back to $FROM: $bad compact probe(s) dropped on the swap, then full probes; no peer judged dead"

kill "$poll" 2>/dev/null
wait "$poll" 2>/dev/null
# srv1 released nothing, srv2 took nothing, the client lost no request
# across srv1's upgrade, srv1 alone held the VIP throughout
expect_hitless "rolling upgrade and rollback" "$t0"
