#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# The VIP is removed behind the agent's back while the kernel drops its
# netlink notices (the safety issue, item 9): the agent must still notice
# that the address it advertises is gone, say so and put it back.
#
# srv1 holds the VIP. Its agent is SIGSTOPped; thousands of address
# changes on srv1's lo overflow its monitoring socket (the test checks the
# socket's drop counter in /proc/net/netlink); then the VIP is deleted
# from ens192, a notice the agent never gets. SIGCONT: within a second
# (ENOBUFS makes it read again at once; a periodic check otherwise) srv1
# emits vip_lost and vip_added (restored) and the client is served.
source "$(dirname "$0")/lib.bash" vip-removed-unseen

# A lease far longer than the stop, so that the stop never lets srv2 take
# over on a loaded machine (the flood took 10 s once): this test is about
# the unseen removal, not the lease.
LAB_HACF_EXTRA='probe 1ms 3\nlease 30s\n'
lab_setup || fail "lab setup failed"
e2e_start_pair
pid1=$(lab_pid srv1)
unseen_end() {
	local rc=$?
	kill -CONT "$pid1" 2>/dev/null
	(exit "$rc")
	e2e_end
}
trap unseen_end EXIT

# Drops of netlink route sockets in srv1's namespace (column 9).
route_drops() {
	lab_exec srv1 awk 'NR > 1 && $2 == 0 { d += $9 } END { print d + 0 }' /proc/net/netlink
}
drops0=$(route_drops)
python3 - >"$LAB_DIR/batch" <<'PY'
for i in range(8000):
    print(f"addr add 10.250.{i // 250}.{i % 250 + 1}/32 dev lo")
PY
kill -STOP "$pid1"
t_stop=$(date +%s%N)
e2e_log "srv1's agent stopped; 8000 addresses added on srv1's lo"
lab_exec srv1 ip -batch "$LAB_DIR/batch" || fail "ip -batch failed"
drops=$(route_drops)
[ "$drops" -gt "$drops0" ] ||
	fail "the flood did not overflow srv1's netlink monitor (drops $drops0 -> $drops): the test proves nothing"
e2e_log "srv1's netlink sockets dropped $((drops - drops0)) notices; deleting $LAB_VIP behind the agent"
t0=$(mono_now)
lab_exec srv1 ip addr del "$LAB_VIP/16" dev ens192 || fail "cannot delete the VIP"
kill -CONT "$pid1"
stopped_ms=$((($(date +%s%N) - t_stop) / 1000000))
e2e_log "srv1's agent was stopped for $stopped_ms ms (its lease: 30 s)"
ev_wait_since "$t0" 3 srv1 vip_lost || fail "srv1 never noticed its VIP was gone: $(ev_names srv1)"
ev_wait_since "$t0" 2 srv1 vip_added reason=restored || fail "srv1 did not put its VIP back: $(ev_names srv1)"
wait_for 2 vip_on srv1 || fail "srv1 says it restored $LAB_VIP, ip addr disagrees"
expect_vip_only srv1
expect_curl "IT WORKS SRV1"
[ -z "$(ev_since "$t0" srv2 group_acquire)" ] || fail "srv2 took the group meanwhile: $(ev_names srv2)"
e2e_log "srv1: $(ev_since "$t0" srv1 vip_lost | head -n 1)"
exit 0
