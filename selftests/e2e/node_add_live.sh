#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# A node added and removed while the cluster runs (issue 13, "membership
# changes without a split"): three nodes up, srv1 holding the seed's VIP
# and three `auto` groups (172.16.193.31-33) spread one a node, with
# auto_failback off and `cluster_name xhb-lab` in ha.cf, so that the
# cluster id does not hang on the node lines.
# 1. Refusals, each with its reason and nothing changed: removing this
#    node, a live node, a node that is none; adding a node already there.
# 2. `xhbctl node add srv4` on srv1 and srv2, `hb_addnode srv4` on srv3:
#    node_added (source control) on each, srv4's id in each XDP peers map.
#    srv4 (172.16.193.80; its ha.cf is the others' plus `node srv4`)
#    starts: every node sees every other up; cl_status listnodes and
#    xhbctl node list say four nodes.
# 3. srv2's agent restarts (SIGUSR2, keeping its group): srv4 is in its
#    list again (node_added source start, from STATE_DIR/nodes) and up.
# 4. Removing srv4 while it runs is refused; srv4 stops; `xhbctl node
#    remove srv4` on srv1 and srv3, `hb_delnode srv4` on srv2: node_removed
#    on each, its entry gone from the peers maps, three nodes listed.
# Throughout, polled every 50 ms: every address stays on the node that
# held it once the three nodes had settled (the seed's VIP on srv1), on
# no other; no group_acquire (but srv2's adoption) or group_release
# anywhere after that.
source "$(dirname "$0")/lib.bash" node-add

LAB_NODES=(srv1 srv2 srv3 srv4)
LAB_IP[srv3]=172.16.193.70
LAB_IP[srv4]=172.16.193.80
LAB_HACF_EXTRA="${E2E_PROBE_STEADY}node srv3\ncluster_name xhb-lab\n"
command -v bpftool >/dev/null || skip "needs bpftool"
for cmd in cl_status hb_addnode hb_delnode; do
	[ -x "$XHB_BUILD/$cmd" ] || fail "$XHB_BUILD/$cmd is not built: run make"
done
AUTO=(172.16.193.31 172.16.193.32 172.16.193.33)
lab_setup || fail "lab setup failed"
for node in "${LAB_NODES[@]}"; do
	for vip in "${AUTO[@]}"; do
		echo "auto IPaddr::$vip/16/ens192"
	done >>"$LAB_DIR/$node/ha.d/haresources"
done
# The new node's files: the cluster's, and itself as a node.
echo "node srv4" >>"$LAB_DIR/srv4/ha.d/ha.cf"

# ctl NODE ARGS...: xhbctl on NODE; output in CTL_OUT (stdout and
# stderr), exit code in CTL_RC.
ctl() {
	local node=$1
	shift
	CTL_OUT=$(lab_in_node "$node" "$XHB_BUILD/xhbctl" "$@" 2>&1)
	CTL_RC=$?
}
hbcmd() { # node cmd args...
	local node=$1 cmd=$2
	shift 2
	CTL_OUT=$(lab_in_node "$node" "$XHB_BUILD/$cmd" "$@" 2>&1)
	CTL_RC=$?
}
expect_refused() { # node text args...: xhbctl ARGS on NODE fails saying TEXT
	local node=$1 text=$2
	shift 2
	ctl "$node" "$@"
	[ "$CTL_RC" = 1 ] && [[ $CTL_OUT == *"$text"* ]] ||
		fail "$node: xhbctl $*: expected exit 1 and '$text', got $CTL_RC: $CTL_OUT"
	e2e_log "$node: xhbctl $* refused: ${CTL_OUT#xhbctl: the agent refused: }"
}
# The node ids in NODE's XDP peers map (as NODE's agent pinned it): the
# keys, host order (bpftool prints them as bytes: the map holds a spin
# lock, so no BTF-formatted dump).
map_ids() {
	lab_in_node "$1" bpftool -j map dump pinned /sys/fs/bpf/xhb/ens192/xhb_peers |
		python3 -c 'import json, sys
def key(e):
    k = e["key"]
    return int.from_bytes(bytes(int(b, 16) for b in k), sys.byteorder) if isinstance(k, list) else k
print(" ".join(sorted(str(key(e)) for e in json.load(sys.stdin))))'
}
in_map() { [[ " $(map_ids "$1") " == *" $2 "* ]]; }
listed() { # node: the names of `xhbctl node list`, sorted
	lab_in_node "$1" "$XHB_BUILD/xhbctl" --json node list |
		python3 -c 'import json, sys; print(" ".join(sorted(n["name"] for n in json.load(sys.stdin)["nodes"])))'
}
# "NODE:ADDR ..." of the group addresses (.30-.33) every server holds;
# cheap enough for every poll (ip -o, sed), read again when empty.
layout() {
	local node out
	for node in "${LAB_NODES[@]}"; do
		out=$(lab_exec "$node" ip -o -4 addr show dev ens192 2>/dev/null)
		[ -n "$out" ] || out=$(lab_exec "$node" ip -o -4 addr show dev ens192 2>/dev/null)
		sed -n "s|.* inet \(172\.16\.193\.3[0-3]\)/.*|$node:\1|p" <<<"$out"
	done | sort | tr '\n' ' '
}
one_each() { # the three auto groups on three nodes, the seed's on srv1
	local l
	l=$(layout)
	[[ $l == *"srv1:172.16.193.30 "* ]] &&
		[ "$(tr ' ' '\n' <<<"$l" | grep -c '172\.16\.193\.3[1-3]')" = 3 ] &&
		[ "$(tr ' ' '\n' <<<"$l" | grep '172\.16\.193\.3[1-3]' | cut -d: -f1 | sort -u | wc -l)" = 3 ]
}
unchanged() { [ "$(layout)" = "$LAYOUT0" ]; }

for node in srv1 srv2 srv3; do
	lab_start "$node"
done
wait_for 15 lab_has_vip srv1 || fail "srv1 did not take $LAB_VIP within 15 s of the start"
expect_all_up srv1 srv2 srv3
expect_vip_only srv1
wait_for 15 one_each || fail "the three auto groups did not settle one a node within 15 s: $(layout)"
LAYOUT0=$(layout)
e2e_log "settled: $LAYOUT0"
t0=$(mono_now)
# From now on every address stays where it is: polled until the end.
(
	hold_for 600 unchanged ||
		echo "the addresses moved at $(date +%T.%N), $E2E_HOLD_AT into the poll: $(layout), was $LAYOUT0"
) >"$LAB_DIR/vip_poll.txt" 2>&1 &
poll=$!
e2e_bg "$poll"
ctl srv1 status
[[ $CTL_OUT == *"cluster id $(lab_in_node srv1 "$XHB_BUILD/xhbctl" --json node list |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["cluster_id"])') (cluster_name)"* ]] ||
	fail "xhbctl status on srv1 should give the cluster id from cluster_name: $CTL_OUT"

# ---- 1. refusals
expect_refused srv1 "srv1 is this node" node remove srv1
expect_refused srv1 "srv2 is alive: stop xhbd on it first" node remove srv2
expect_refused srv1 "srv4 is not a node" node remove srv4
expect_refused srv1 "srv2 is a node already" node add srv2
ev_has srv1 node_added && fail "a refused request changed srv1's list: $(ev_names srv1)"
[ "$(listed srv1)" = "srv1 srv2 srv3" ] || fail "srv1 lists $(listed srv1) after refusals"

# ---- 2. srv4 added live, then started
id4=$(lab_in_node srv1 "$XHB_BUILD/xhbctl" --json node add srv4 | python3 -c 'import json, sys
print([n["node_id"] for n in json.load(sys.stdin)["nodes"] if n["name"] == "srv4"][0])') ||
	fail "xhbctl node add srv4 on srv1 failed"
ctl srv2 node add srv4
[ "$CTL_RC" = 0 ] || fail "xhbctl node add srv4 on srv2: $CTL_RC: $CTL_OUT"
[[ $CTL_OUT == *"run it on every other node too"* && $CTL_OUT == *"srv4 "*"added"* ]] ||
	fail "xhbctl node add on srv2 should say to run it everywhere and list srv4 as added: $CTL_OUT"
hbcmd srv3 hb_addnode srv4
[ "$CTL_RC" = 0 ] || fail "hb_addnode srv4 on srv3: $CTL_RC: $CTL_OUT"
for node in srv1 srv2 srv3; do
	ev_wait 5 "$node" node_added name=srv4 source=control node_count=4 ||
		fail "$node: no node_added for srv4: $(ev_names "$node")"
	in_map "$node" "$id4" || fail "$node: srv4's id $id4 is not in its XDP peers map: $(map_ids "$node")"
	[ "$(listed "$node")" = "srv1 srv2 srv3 srv4" ] || fail "$node lists $(listed "$node")"
	grep -qx "add srv4" "$LAB_DIR/$node/lib/nodes" ||
		fail "$node: $LAB_DIR/$node/lib/nodes should say 'add srv4': $(cat "$LAB_DIR/$node/lib/nodes" 2>&1)"
done
e2e_log "srv4 added on srv1, srv2 (xhbctl) and srv3 (hb_addnode), id $id4 in every peers map"
lab_start srv4
for node in srv1 srv2 srv3; do
	ev_wait 15 "$node" peer_up peer=srv4 || fail "$node never saw srv4 up: $(ev_names "$node")"
	ev_wait 15 srv4 peer_up peer=$node || fail "srv4 never saw $node up: $(ev_names srv4)"
done
hbcmd srv2 cl_status listnodes
[ "$CTL_RC" = 0 ] && [ "$(sort <<<"$CTL_OUT" | tr '\n' ' ')" = "srv1 srv2 srv3 srv4 " ] ||
	fail "cl_status listnodes on srv2: $CTL_RC: $CTL_OUT"
hbcmd srv1 cl_status nodestatus srv4
[ "$CTL_RC" = 0 ] && [ "$CTL_OUT" = active ] || fail "cl_status nodestatus srv4 on srv1: $CTL_RC: $CTL_OUT"
e2e_log "srv4 runs: every node sees every other up"

# ---- 3. the list outlives a restart
# SIGUSR2: a new agent (as after an upgrade) that keeps what srv2 holds;
# a stop would hand its group to a peer.
t_restart=$(mono_now)
kill -USR2 "$(lab_pid srv2)" || fail "cannot signal srv2's xhbd"
ev_wait_since "$t_restart" 15 srv2 agent_start || fail "srv2's agent did not come back: $(ev_names srv2)"
ev_wait_since "$t_restart" 15 srv2 node_added name=srv4 source=start ||
	fail "srv2's new agent did not take srv4 from its state_dir: $(ev_names srv2)"
ev_wait_since "$t_restart" 15 srv2 peer_up peer=srv4 || fail "srv2 did not hear srv4 after its restart: $(ev_names srv2)"
in_map srv2 "$id4" || fail "srv2: srv4 is not in its peers map after the restart: $(map_ids srv2)"
e2e_log "srv2 restarted: srv4 still in its list (STATE_DIR/nodes)"

# ---- 4. srv4 removed
expect_refused srv1 "srv4 is alive" node remove srv4
lab_stop srv4
for node in srv1 srv2 srv3; do
	wait_for 15 ev_has "$node" peer_leaving peer=srv4 ||
		wait_for 15 ev_has "$node" peer_dead peer=srv4 ||
		fail "$node never saw srv4 leave or die: $(ev_names "$node")"
done
ctl srv1 node remove srv4
[ "$CTL_RC" = 0 ] || fail "xhbctl node remove srv4 on srv1: $CTL_RC: $CTL_OUT"
hbcmd srv2 hb_delnode srv4
[ "$CTL_RC" = 0 ] || fail "hb_delnode srv4 on srv2: $CTL_RC: $CTL_OUT"
ctl srv3 node remove srv4
[ "$CTL_RC" = 0 ] || fail "xhbctl node remove srv4 on srv3: $CTL_RC: $CTL_OUT"
for node in srv1 srv2 srv3; do
	ev_wait 5 "$node" node_removed name=srv4 source=control node_count=3 ||
		fail "$node: no node_removed for srv4: $(ev_names "$node")"
	not in_map "$node" "$id4" || fail "$node: srv4's id $id4 is still in its peers map: $(map_ids "$node")"
	[ "$(listed "$node")" = "srv1 srv2 srv3" ] || fail "$node lists $(listed "$node") after the removal"
done
hbcmd srv3 cl_status listnodes
[ "$(sort <<<"$CTL_OUT" | tr '\n' ' ')" = "srv1 srv2 srv3 " ] || fail "cl_status listnodes on srv3 after the removal: $CTL_OUT"
e2e_log "srv4 stopped and removed everywhere"

# ---- nothing moved
kill "$poll" 2>/dev/null
wait "$poll" 2>/dev/null
[ ! -s "$LAB_DIR/vip_poll.txt" ] || fail "$(cat "$LAB_DIR/vip_poll.txt")"
expect_vip_only srv1
[ "$(layout)" = "$LAYOUT0" ] || fail "the addresses moved: $(layout), was $LAYOUT0"
for node in srv1 srv2 srv3 srv4; do
	# (srv2's re-executed agent adopts its group: reason adopted)
	moved=$( (ev_since "$t0" "$node" group_acquire; ev_since "$t0" "$node" group_release) |
		grep -v '"reason":"adopted"')
	[ -z "$moved" ] || fail "$node: a group moved: $moved"
done
expect_curl "IT WORKS SRV1"
e2e_log "no address moved throughout ($LAYOUT0); no group_acquire or group_release"
