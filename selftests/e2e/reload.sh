#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# SIGHUP reloads the configuration:
#   1. unchanged files: a reload event, the VIP untouched (no address
#      deleted on srv1, watched with ip monitor), no group_release, the
#      XDP program not loaded again (no dataplane_attached), and srv2
#      sees no death and takes nothing;
#   2. a broken ha.cf: a config_error event naming file:line, the agent
#      keeps running with the old configuration and keeps the VIP; once
#      fixed, the next SIGHUP reloads;
#   3. a changed group (another address): only then is it released and
#      acquired again under the new definition;
#   4. a group on an interface added after the start (a veth): refused,
#      a config_error naming haresources:LINE and the interface (its XDP
#      and tc programs, which fence the VIP, are attached at start);
#      nothing changes, no address there; the next good reload works.
source "$(dirname "$0")/lib.bash" reload

LAB_HACF_EXTRA=$E2E_PROBE_STEADY
lab_setup || fail "lab setup failed"
e2e_start_pair
pid1=$(lab_pid srv1)

# The inodes of srv1's rtnetlink sockets that listen to IPv4 address
# changes (/proc/net/netlink: Eth 0, group RTMGRP_IPV4_IFADDR 0x10).
addr_listeners() {
	lab_exec srv1 cat /proc/net/netlink | while read -r _ eth _ groups _ _ _ _ _ inode; do
		[ "$eth" = 0 ] && (($((16#$groups)) & 0x10)) && echo "$inode"
	done
}
# A listener that was not there at the mark: ip monitor is subscribed.
new_listener() { # inodes at the mark
	local i
	for i in $(addr_listeners); do
		grep -qx "$i" <<<"$1" || return 0
	done
	return 1
}
# The VIP on srv1 alone, and none of the marked events again.
quiet() { vip_on srv1 && not vip_on srv2 && ev_none_new; }

# ---- 1. unchanged
listeners=$(addr_listeners)
lab_exec srv1 timeout 3 ip monitor address >"$LAB_DIR/monitor.txt" 2>&1 &
e2e_bg $!
wait_for 2 new_listener "$listeners" || fail "ip monitor address did not subscribe in srv1 within 2 s"
t1=$(mono_now)
ev_mark srv1:group_release srv1:vip_removed srv1:config_error srv2:group_acquire srv2:peer_dead
e2e_log "SIGHUP srv1 and srv2, files unchanged"
kill -HUP "$pid1" "$(lab_pid srv2)"
ev_wait_since "$t1" 3 srv1 reload || fail "srv1 has no reload event after SIGHUP: $(ev_names srv1)"
ev_wait_since "$t1" 3 srv2 reload || fail "srv2 has no reload event after SIGHUP: $(ev_names srv2)"
# A second after, at every poll: nothing moved.
held=yes
hold_for 1 quiet || held="no: after $E2E_HOLD_AT (${E2E_NEW:-ip addr}) srv1 [$(node_addrs srv1 | tr '\n' ' ')] srv2 [$(node_addrs srv2 | tr '\n' ' ')]"
[ -z "$(ev_since "$t1" srv1 group_release)" ] || fail "unchanged reload: srv1 released a group: $(ev_since "$t1" srv1 group_release)"
[ -z "$(ev_since "$t1" srv1 vip_removed)" ] || fail "unchanged reload: srv1 removed an address: $(ev_since "$t1" srv1 vip_removed)"
[ -z "$(ev_since "$t1" srv1 config_error)" ] || fail "unchanged reload: config_error: $(ev_since "$t1" srv1 config_error)"
[ -z "$(ev_since "$t1" srv2 group_acquire)" ] || fail "srv1's reload made srv2 acquire: $(ev_since "$t1" srv2 group_acquire)"
[ -z "$(ev_since "$t1" srv2 peer_dead)" ] || fail "srv1's reload made srv2 judge it dead: $(ev_since "$t1" srv2 peer_dead)"
stalls=$(ev_since "$t1" srv2 peer_stalled | wc -l)
[ "$stalls" = 0 ] || e2e_log "note: srv2 saw srv1 stalled $stalls time(s) during the reload (its loop paused)"
# Nothing the XDP program is built from changed: it runs on, not loaded
# again (that stalls the loop for hundreds of ms, past a short lease:
# logrotate's SIGHUP would move the VIP).
[ -z "$(ev_since "$t1" srv1 dataplane_attached)" ] ||
	fail "unchanged reload: srv1 loaded its XDP program again: $(ev_since "$t1" srv1 dataplane_attached)"
gap=$(ev_since "$t1" srv1 agent_gap | python3 -c 'import json, sys
print(max([json.loads(l)["gap_ms"] for l in sys.stdin] or [0]))')
e2e_log "unchanged reload: srv1's longest loop gap since the SIGHUP: $gap ms"
wait "${E2E_PIDS[-1]}"
[ $? = 124 ] || fail "ip monitor address did not run for its 3 s in srv1: $(cat "$LAB_DIR/monitor.txt")"
grep -q "Deleted.*$LAB_VIP/" "$LAB_DIR/monitor.txt" &&
	fail "unchanged reload: $LAB_VIP was deleted on srv1 (ip monitor address): $(cat "$LAB_DIR/monitor.txt")"
expect_vip_only srv1
[ "$held" = yes ] || fail "unchanged reload: the VIP did not stay on srv1 alone for a second ($held)"
expect_curl "IT WORKS SRV1"
[ "$(lab_pid srv1)" = "$pid1" ] || fail "srv1's agent is not the same process after SIGHUP"
e2e_log "unchanged reload: VIP untouched; srv1: $(ev_since "$t1" srv1 reload)"

# ---- 2. broken ha.cf
cp "$LAB_DIR/srv1/ha.d/ha.cf" "$LAB_DIR/ha.cf.good"
echo "keepalve 2" >>"$LAB_DIR/srv1/ha.d/ha.cf"
line=$(wc -l <"$LAB_DIR/srv1/ha.d/ha.cf")
t2=$(mono_now)
ev_mark srv1:reload srv1:group_release srv1:vip_removed srv2:group_acquire
e2e_log "srv1: ha.cf gets 'keepalve 2' (line $line), SIGHUP"
kill -HUP "$pid1"
ev_wait_since "$t2" 3 srv1 config_error || fail "broken reload: srv1 has no config_error event: $(ev_names srv1)"
err=$(ev_since "$t2" srv1 config_error)
e2e_log "srv1: $err"
grep -q "ha.cf:$line:" <<<"$err" || fail "broken reload: config_error should name ha.cf:$line: $err"
grep -q "keepalve" <<<"$err" || fail "broken reload: config_error should name the unknown directive: $err"
# A second after, at every poll: the agent runs on and nothing moved.
runs_quiet() { kill -0 "$pid1" 2>/dev/null && quiet; }
held=yes
hold_for 1 runs_quiet || held="no: after $E2E_HOLD_AT (${E2E_NEW:-agent or ip addr}) srv1 [$(node_addrs srv1 | tr '\n' ' ')] srv2 [$(node_addrs srv2 | tr '\n' ' ')]"
agent_alive srv1 && [ "$(lab_pid srv1)" = "$pid1" ] || fail "broken reload: srv1's agent stopped: $(cat "$LAB_DIR/srv1/xhbd.err")"
[ -z "$(ev_since "$t2" srv1 reload)" ] || fail "broken reload: srv1 says it reloaded: $(ev_since "$t2" srv1 reload)"
[ -z "$(ev_since "$t2" srv1 group_release)" ] || fail "broken reload: srv1 released: $(ev_since "$t2" srv1 group_release)"
[ -z "$(ev_since "$t2" srv2 group_acquire)" ] || fail "broken reload: srv2 acquired: $(ev_since "$t2" srv2 group_acquire)"
expect_vip_only srv1
[ "$held" = yes ] || fail "broken reload: srv1 did not keep running with the VIP alone for a second ($held)"
expect_curl "IT WORKS SRV1"
lab_in_node srv1 "$XHB_BUILD/xhbctl" status -j >/dev/null || fail "broken reload: srv1's agent no longer answers xhbctl status"
cp "$LAB_DIR/ha.cf.good" "$LAB_DIR/srv1/ha.d/ha.cf"
t3=$(mono_now)
kill -HUP "$pid1"
ev_wait_since "$t3" 3 srv1 reload ||
	fail "fixed ha.cf: srv1 did not reload on the next SIGHUP: $(ev_names srv1)"
e2e_log "fixed ha.cf: srv1 reloaded"

# ---- 3. a changed group: released and acquired again
VIP2=172.16.193.31
for node in srv1 srv2; do
	echo "srv1 IPaddr::$VIP2/16/ens192" >"$LAB_DIR/$node/ha.d/haresources"
done
t4=$(mono_now)
e2e_log "haresources: the group now holds $VIP2; SIGHUP srv2 then srv1"
kill -HUP "$(lab_pid srv2)"
ev_wait_since "$t4" 3 srv2 reload || fail "srv2 did not reload"
kill -HUP "$pid1"
wait_for 3 has_addr srv1 "$VIP2" || fail "changed group: srv1 did not take $VIP2 after the reload: $(ev_names srv1)"
wait_for 2 bash -c "! ip netns exec $(lab_ns srv1) ip -o -4 addr show dev ens192 | grep -q ' $LAB_VIP/'" ||
	fail "changed group: srv1 kept the old address $LAB_VIP"
[ -n "$(ev_since "$t4" srv1 group_release reason=reload)" ] || fail "changed group: srv1 should release with reason reload: $(ev_names srv1)"
[ -n "$(ev_since "$t4" srv1 group_acquire)" ] || fail "changed group: srv1 should acquire again: $(ev_names srv1)"
expect_vip_only srv1 "$VIP2"
expect_no_vip srv2 "$VIP2"
expect_no_vip srv2 "$LAB_VIP"
expect_curl "IT WORKS SRV1" "$VIP2"
# ---- 4. a VIP on an interface xhbd does not serve
lab_exec srv1 ip link add xhbnew0 type veth peer name xhbnew1 || fail "cannot add an interface in srv1"
lab_exec srv1 ip link set xhbnew0 up && lab_exec srv1 ip link set xhbnew1 up
cp "$LAB_DIR/srv1/ha.d/haresources" "$LAB_DIR/haresources.good"
echo "srv1 IPaddr::10.77.5.30/24/xhbnew0" >>"$LAB_DIR/srv1/ha.d/haresources"
line=$(wc -l <"$LAB_DIR/srv1/ha.d/haresources")
t5=$(mono_now)
ev_mark srv1:reload srv1:group_release srv1:vip_removed srv1:vip_added srv2:group_acquire
e2e_log "srv1: haresources line $line puts a VIP on xhbnew0 (added after the start), SIGHUP"
kill -HUP "$pid1"
ev_wait_since "$t5" 3 srv1 config_error || fail "new interface: srv1 has no config_error event: $(ev_names srv1)"
err=$(ev_since "$t5" srv1 config_error)
e2e_log "srv1: $err"
grep -q "haresources:$line: xhbnew0 is not one of the interfaces xhbd serves" <<<"$err" ||
	fail "new interface: config_error should name haresources:$line and xhbnew0: $err"
grep -q "restart xhbd" <<<"$err" || fail "new interface: config_error should say to restart xhbd: $err"
served_quiet() { vip_on srv1 "$VIP2" && not vip_on srv2 "$VIP2" && ev_none_new; }
hold_for 1 served_quiet || fail "new interface: refused, but something moved after $E2E_HOLD_AT: ${E2E_NEW:-ip addr}"
[ -z "$(lab_exec srv1 ip -o -4 addr show dev xhbnew0)" ] ||
	fail "new interface: an address went on xhbnew0: $(lab_exec srv1 ip -o -4 addr show dev xhbnew0)"
expect_vip_only srv1 "$VIP2"
cp "$LAB_DIR/haresources.good" "$LAB_DIR/srv1/ha.d/haresources"
t6=$(mono_now)
kill -HUP "$pid1"
ev_wait_since "$t6" 3 srv1 reload || fail "restored haresources: srv1 did not reload: $(ev_names srv1)"
[ -z "$(ev_since "$t6" srv1 config_error)" ] || fail "restored haresources: $(ev_since "$t6" srv1 config_error)"
e2e_log "new interface: refused, nothing changed; restored, reloaded"

e2e_log "srv1 events: $(ev_names srv1)"
e2e_log "srv2 events: $(ev_names srv2)"
exit 0
