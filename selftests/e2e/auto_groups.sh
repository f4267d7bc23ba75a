#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Groups spread over the nodes (the N-node issue): six haresources lines
# whose node field is `auto`, each one address, on three nodes
# (auto_failback off).
# 1. At start each node holds two of them, and no address is on two nodes.
# 2. srv3's link goes down: its two groups move, one to srv1 and one to
#    srv2 (each may take one more: 3 of 6), the other four stay where they
#    were (no address removed from srv1 or srv2).
# 3. srv3's link comes back: nothing moves (failback off).
source "$(dirname "$0")/lib.bash" auto-groups

LAB_NODES=(srv1 srv2 srv3)
LAB_IP[srv3]=172.16.193.70
LAB_HACF_EXTRA="${E2E_PROBE_STEADY}node srv3\n"
VIPS=(172.16.193.31 172.16.193.32 172.16.193.33 172.16.193.34 172.16.193.35 172.16.193.36)

# The group addresses NODE holds, one a line.
held() { node_addrs "$1" | sed -n 's|^\(172\.16\.193\.3[1-6]\)/.*|\1|p' | sort; }
count() { held "$1" | grep -c .; }
# each node holds WANT[node] of them, and they are six in all, each once
spread_is() { # n1 n2 n3
	local all
	[ "$(count srv1)" = "$1" ] && [ "$(count srv2)" = "$2" ] && [ "$(count srv3)" = "$3" ] || return 1
	all=$( (held srv1; held srv2; held srv3) | sort)
	[ "$(sort -u <<<"$all" | grep -c .)" = 6 ] && [ "$(grep -c . <<<"$all")" = 6 ]
}
spread() { echo "srv1: $(held srv1 | tr '\n' ' ') srv2: $(held srv2 | tr '\n' ' ') srv3: $(held srv3 | tr '\n' ' ')"; }

lab_setup || fail "lab setup failed"
for node in "${LAB_NODES[@]}"; do
	for vip in "${VIPS[@]}"; do
		echo "auto IPaddr::$vip/16/ens192"
	done >"$LAB_DIR/$node/ha.d/haresources"
	lab_start "$node"
done
wait_for 20 spread_is 2 2 2 || fail "six auto groups on three nodes: not two each within 20 s: $(spread)"
e2e_log "two groups each: $(spread)"
before1=$(held srv1)
before2=$(held srv2)

t0=$(mono_now)
lab_exec srv3 ip link set ens192 down
wait_for 5 spread_is 3 3 0 || fail "srv3's groups did not move one to each: $(spread)"
for node in srv1 srv2; do
	ev_since "$t0" "$node" vip_removed | grep -q . && fail "$node gave up a group of its own: $(ev_names "$node")"
done
[ -z "$(comm -23 <(echo "$before1") <(held srv1))" ] || fail "srv1 lost one of its groups: $(spread)"
[ -z "$(comm -23 <(echo "$before2") <(held srv2))" ] || fail "srv2 lost one of its groups: $(spread)"
e2e_log "srv3's link down: its two groups moved, one each: $(spread)"

after1=$(held srv1)
after2=$(held srv2)
t1=$(mono_now)
lab_exec srv3 ip link set ens192 up
ev_wait_since "$t1" 10 srv1 peer_up peer=srv3 || fail "srv1 did not see srv3 back: $(ev_names srv1)"
ev_wait_since "$t1" 10 srv3 state_change to=active || fail "srv3 did not come back: $(ev_names srv3)"
ev_mark srv1:vip_removed srv2:vip_removed srv3:vip_added
expect_hold 2 "a group moved when srv3 came back (failback off)" ev_none_new
[ "$(held srv1)" = "$after1" ] && [ "$(held srv2)" = "$after2" ] && [ "$(count srv3)" = 0 ] ||
	fail "groups moved when srv3 came back: $(spread)"
e2e_log "srv3 back: nothing moved"
