#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# A rolling upgrade across the change of the cluster's identity (issue 13,
# "membership changes without a split"), then the way from the old
# default id to one that survives node changes, with nothing moving.
#
# The old agent is built from XHB_UPGRADE_FROM (default 62e8dab, the last
# commit whose cluster id could only be cluster_id N or the hash of the
# node names), cached under $XHB_BUILD/upgrade-from/. The seed's files
# (no cluster_id, no cluster_name):
# 1. both nodes run the old agent; srv1 holds the VIP;
# 2. the binary is replaced, srv1 then srv2 re-execute it (SIGUSR2, as
#    `systemctl reload xhbd`): same cluster id in config_loaded, each keeps
#    hearing the other (no peer_dead), srv1 adopts its group;
# 3. a node line added to srv2's ha.cf alone and SIGHUP: the reload is
#    refused (config_error saying "write 'cluster_id N'"), srv2 keeps
#    hearing srv1; the line removed;
# 4. `xhbctl node add srv3` is refused the same way; `cluster_id N` (N from
#    xhbctl status) written on both, SIGHUP each: same id, no config_error;
#    now `xhbctl node add srv3` is accepted on srv1.
# Throughout, polled every 50 ms: srv1 holds the VIP, srv2 never does; no
# group_release on srv1, no group_acquire on srv2; the client loses no
# request across srv1's upgrade (vipcheck, one request every millisecond).
source "$(dirname "$0")/lib.bash" upgrade-cluster-id

FROM=${XHB_UPGRADE_FROM:-62e8dab}
LAB_HACF_EXTRA=$E2E_PROBE_STEADY
e2e_old_build "$FROM"

lab_setup || fail "lab setup failed"
# Both nodes run $LAB_DIR/bin/xhbd; the upgrade renames the new binary
# over it, and SIGUSR2 executes what the path names then.
mkdir -p "$LAB_DIR/bin"
cp "$E2E_OLD/build/xhbd" "$LAB_DIR/bin/xhbd"
cluster_ids() { # node: every config_loaded's cluster_id, in order
	ev_select "$1" config_loaded | python3 -c 'import json, sys
print(" ".join(str(json.loads(l)["cluster_id"]) for l in sys.stdin))'
}
one_id() { [ "$(tr ' ' '\n' <<<"$(cluster_ids "$1")" | sort -u | wc -l)" = 1 ]; }
ctl() { # node args...: output in CTL_OUT, exit code in CTL_RC
	local node=$1
	shift
	CTL_OUT=$(lab_in_node "$node" "$XHB_BUILD/xhbctl" "$@" 2>&1)
	CTL_RC=$?
}

LAB_XHBD=$LAB_DIR/bin/xhbd e2e_start_pair
id=$(cluster_ids srv1)
[ "$id" = "$(cluster_ids srv2)" ] || fail "the old agents disagree on the cluster id: $id, $(cluster_ids srv2)"
e2e_log "the old agents ($FROM) run, cluster id $id (the hash of the node names)"

t0=$(mono_now)
e2e_hold_bg 600 0.05 vip_on_srv1_alone
poll=$E2E_HOLD_PID

# ---- 2. the rolling upgrade
cp "$XHB_BUILD/xhbd" "$LAB_DIR/bin/xhbd.new" && mv "$LAB_DIR/bin/xhbd.new" "$LAB_DIR/bin/xhbd" ||
	fail "cannot put the new xhbd in place"
for node in srv1 srv2; do
	[ "$node" = srv1 ] && other=srv2 || other=srv1
	# the client's view across the holder's upgrade (3 s, 1 request/ms)
	[ "$node" = srv1 ] && e2e_watch 3000 "$LAB_DIR/watch.json" && watch=$LAB_WATCH_PID
	t=$(mono_now)
	kill -USR2 "$(lab_pid "$node")" || fail "cannot signal $node's xhbd"
	ev_wait_since "$t" 10 "$node" agent_start ||
		fail "$node's new agent did not start: $(ev_names "$node") $(tail -n 5 "$LAB_DIR/$node/xhbd.err")"
	ev_wait_since "$t" 10 "$node" peer_up peer=$other ||
		fail "$node's new agent does not hear $other (still on the old one or just upgraded): $(ev_names "$node")"
	[ -z "$(ev_since "$t" "$other" peer_dead)" ] || fail "$other judged $node dead across its upgrade"
	one_id "$node" || fail "$node's cluster id changed across the upgrade: $(cluster_ids "$node")"
	e2e_log "$node upgraded: cluster id $(cluster_ids "$node" | awk '{ print $NF }'), hears $other"
	[ "$node" = srv1 ] && wait "$watch"
done
ev_since "$t0" srv1 group_acquire reason=adopted | grep -q . ||
	fail "srv1's new agent did not adopt its group: $(ev_names srv1)"

# ---- 3. a node line added on one node only: the reload refuses the new id
cp "$LAB_DIR/srv2/ha.d/ha.cf" "$LAB_DIR/srv2/ha.cf.before"
echo "node srv3" >>"$LAB_DIR/srv2/ha.d/ha.cf"
t=$(mono_now)
kill -HUP "$(lab_pid srv2)"
ev_wait_since "$t" 5 srv2 config_error || fail "srv2 took a reload that changes the cluster id: $(ev_names srv2)"
msg=$(ev_since "$t" srv2 config_error | head -n 1)
[[ $msg == *"write 'cluster_id $id'"* ]] || fail "srv2's refusal should say to write cluster_id $id: $msg"
one_id srv2 || fail "srv2's cluster id changed: $(cluster_ids srv2)"
e2e_log "a node line on srv2 alone: reload refused, $(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["message"][:140])' "$msg")..."
cp "$LAB_DIR/srv2/ha.cf.before" "$LAB_DIR/srv2/ha.d/ha.cf"

# ---- 4. from the default to a written id, node by node, then a node added
ctl srv1 node add srv3
[ "$CTL_RC" = 1 ] && [[ $CTL_OUT == *"write 'cluster_id $id'"* ]] ||
	fail "xhbctl node add on a cluster whose id is the node names' hash should be refused: $CTL_RC $CTL_OUT"
ctl srv1 status
[[ $CTL_OUT == *"cluster id $id (node names)"* ]] || fail "xhbctl status on srv1 should say 'cluster id $id (node names)': $CTL_OUT"
for node in srv1 srv2; do
	t=$(mono_now)
	echo "cluster_id $id" >>"$LAB_DIR/$node/ha.d/ha.cf"
	kill -HUP "$(lab_pid "$node")"
	ev_wait_since "$t" 5 "$node" reload || fail "$node did not reload"
	ev_wait_since "$t" 5 "$node" config_loaded || fail "$node did not load its files again"
	[ -z "$(ev_since "$t" "$node" config_error)" ] || fail "$node: $(ev_since "$t" "$node" config_error)"
	one_id "$node" || fail "$node's cluster id changed with cluster_id $id written: $(cluster_ids "$node")"
done
ctl srv1 status
[[ $CTL_OUT == *"cluster id $id (cluster_id)"* ]] || fail "xhbctl status on srv1 should say 'cluster id $id (cluster_id)': $CTL_OUT"
ctl srv1 node add srv3
[ "$CTL_RC" = 0 ] || fail "xhbctl node add srv3 with cluster_id written: $CTL_RC $CTL_OUT"
ev_wait 5 srv1 node_added name=srv3 source=control || fail "srv1: no node_added for srv3"
e2e_log "cluster_id $id written on both, reloaded one by one: same id; node add accepted"

kill "$poll" 2>/dev/null
wait "$poll" 2>/dev/null
expect_hitless "upgrade and migration" "$t0"
[ "$(ev_since "$t0" srv2 peer_dead)$(ev_since "$t0" srv1 peer_dead peer=srv2)" = "" ] ||
	fail "a peer was judged dead: $(ev_since "$t0" srv2 peer_dead) $(ev_since "$t0" srv1 peer_dead)"
