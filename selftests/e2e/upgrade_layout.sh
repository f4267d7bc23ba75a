#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# An in-place upgrade across a change of map layout: the peers map pinned
# by the running agent has the layout of an older build (its value is 208
# bytes, as before ping_up and the media ports), and srv1's agent is
# re-executed (SIGUSR2, what `systemctl reload xhbd` sends). libbpf cannot
# reuse such a pin; the agent must not stay down for it: it unpins the
# stale map, creates one of today's layout (dataplane_maps_replaced),
# adopts the link, the lease and the VIP as in any hitless upgrade, and
# nothing moves: no client request lost, srv2 never holds the VIP.
source "$(dirname "$0")/lib.bash" upgrade-layout

LAB_HACF_EXTRA="${E2E_PROBE_STEADY}"
command -v bpftool >/dev/null || skip "needs bpftool"
lab_setup || fail "lab setup failed"
e2e_start_pair
pid1=$(lab_pid srv1)
pin=/sys/fs/bpf/xhb/ens192 # as srv1 sees its bpffs
value_size() { # map
	lab_in_node srv1 bpftool -j map show pinned "$pin/$1" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["bytes_value"])'
}
now_size=$(value_size xhb_peers) || fail "cannot read srv1's pinned xhb_peers"
# The peers it knows (srv2's node id), as the keys bpftool prints.
keys=$(lab_in_node srv1 bpftool -j map dump pinned "$pin/xhb_peers" |
	python3 -c 'import json, sys; print("\n".join(" ".join(e["key"]) for e in json.load(sys.stdin)))')
[ -n "$keys" ] || fail "srv1's xhb_peers holds no peer"
# The running agent and its program keep their map; only the name moves.
lab_in_node srv1 rm "$pin/xhb_peers" || fail "cannot unpin xhb_peers in srv1"
lab_in_node srv1 bpftool map create "$pin/xhb_peers" type hash key 4 value 208 \
	entries 64 name xhb_peers || fail "cannot pin an old-layout xhb_peers in srv1"
zeros=$(printf '00 %.0s' $(seq 208))
while read -r key; do
	# shellcheck disable=SC2086 # bytes as separate words
	lab_in_node srv1 bpftool map update pinned "$pin/xhb_peers" key hex $key value hex $zeros ||
		fail "cannot fill the stand-in map"
done <<<"$keys"
[ "$(value_size xhb_peers)" = 208 ] || fail "the stand-in map is not of the old layout"
e2e_log "srv1's pinned xhb_peers: value 208 bytes (an older build's); today's is $now_size"

e2e_hold_bg 6 0.02 not vip_on srv2
poll=$E2E_HOLD_PID
e2e_watch 3000 "$LAB_DIR/watch.json"
watch=$LAB_WATCH_PID
t0=$(mono_now)
kill -USR2 "$pid1" || fail "cannot signal srv1's xhbd ($pid1)"
ev_wait_since "$t0" 5 srv1 agent_start ||
	fail "srv1's agent did not come back after the upgrade: $(ev_names srv1) $(tail -n 5 "$LAB_DIR/srv1/xhbd.err")"
ev_wait_since "$t0" 5 srv1 dataplane_maps_replaced iface=ens192 maps=xhb_peers ||
	fail "srv1 should say it replaced the old-layout xhb_peers: $(ev_names srv1)"
ev_wait_since "$t0" 5 srv1 group_acquire reason=adopted ||
	fail "srv1 should adopt its group after the upgrade: $(ev_names srv1)"
[ "$(value_size xhb_peers)" = "$now_size" ] ||
	fail "srv1's pinned xhb_peers is $(value_size xhb_peers) bytes, expected $now_size"
ev_wait_since "$t0" 5 srv1 peer_up peer=srv2 || fail "srv1 did not hear srv2 again: $(ev_names srv1)"
wait "$watch"
wait "$poll"
expect_hitless "upgrade across a map layout change" "$t0"
e2e_log "old-layout peers map replaced on the re-exec; the VIP stayed on srv1, no request lost"
