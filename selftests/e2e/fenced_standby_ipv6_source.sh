#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# `fenced_standby on` with an IPv6 VIP (issue 15): the standby's own IPv6
# traffic is not lost to its staged VIP. The lab of fenced_standby_ipv6.sh
# (fd58:193::/64: srv1 ::10, srv2 ::40, the client ::1, the VIP ::30/64),
# and the client as an IPv6 ping node of both servers (`ping6`). The
# standby srv2 has an address of its own in the VIP's prefix, so the
# staged VIP must never be the source the kernel picks for srv2's traffic
# there: tc egress drops everything from it. As an operator checks it,
# on srv2 with the VIP staged:
#   - ip -6 route get to the client names srv2's own address as src;
#   - ping -6 to the client (no -I) is answered;
#   - the client's UDP echo to srv2's own address is answered (SRV2);
#   - srv2's agent reaches its ping node (ping_node_up), as srv1 does.
# Before the agents start all four hold (e2e_ipv6_up checks the last two
# ways in).
source "$(dirname "$0")/lib.bash" fenced-ipv6-source

VIP6=fd58:193::30
LAB_HACF_EXTRA="${E2E_PROBE_STEADY}lease 500ms\nfenced_standby on\nkeepalive 200ms\ndeadping 1\nping6 ${E2E_IP6[client]}\n"
lab_setup || fail "lab setup failed"
e2e_ipv6_up
for node in srv1 srv2; do
	echo "srv1 IPv6addr::$VIP6/64/ens192" >"$LAB_DIR/$node/ha.d/haresources"
done
src_to_client() { lab_exec "$1" ip -6 route get "${E2E_IP6[client]}" | grep -o 'src [0-9a-f:]*' | cut -d' ' -f2; }
[ "$(src_to_client srv2)" = "${E2E_IP6[srv2]}" ] ||
	fail "before the agents: srv2's source to the client is $(src_to_client srv2), not its own ${E2E_IP6[srv2]}"
ping6_ok srv2 "${E2E_IP6[client]}" || fail "before the agents: srv2 cannot ping -6 the client"

lab_start srv1
lab_start srv2
wait_for 15 vip_held srv1 "$VIP6" || fail "srv1 did not take $VIP6 within 15 s of the start: $(addrs6 srv1)"
ev_wait 5 srv2 peer_up peer=srv1 || fail "srv2 never saw srv1 up (peer_up)"
wait_for 5 vip_staged srv2 "$VIP6" ||
	fail "srv2: expected $VIP6 staged (flags 1), saw flags $(vip_flags srv2 "$VIP6"): $(addrs6 srv2)"
e2e_log "srv2 ip -6 addr: $(addrs6 srv2)"
eg0=$("$XHB_BUILD/xhbctl" -p "$LAB_DIR/bpf/srv2/xhb/ens192" -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["drop_fenced_egress"])')

src=$(src_to_client srv2)
[ "$src" != "$VIP6" ] ||
	soft_fail "srv2 (standby): ip -6 route get ${E2E_IP6[client]} picks the staged VIP as src: $(lab_exec srv2 ip -6 route get "${E2E_IP6[client]}")"
e2e_log "srv2's source to the client: $src; srv1's: $(src_to_client srv1)"
wait_for 3 ping6_ok srv2 "${E2E_IP6[client]}" ||
	soft_fail "srv2 (standby): ping -6 ${E2E_IP6[client]} (no -I) got no answer"
wait_for 3 echo_ok client "${E2E_IP6[srv2]}" ||
	soft_fail "client: srv2's UDP echo on its own ${E2E_IP6[srv2]} did not answer while the VIP is staged there"
ev_wait 5 srv1 ping_node_up target="${E2E_IP6[client]}" || soft_fail "srv1 (holder) never reached its ping node ${E2E_IP6[client]}: $(ev_names srv1)"
ev_wait 5 srv2 ping_node_up target="${E2E_IP6[client]}" ||
	soft_fail "srv2 (standby) never reached its ping node ${E2E_IP6[client]}: $(ev_names srv2)"
eg1=$("$XHB_BUILD/xhbctl" -p "$LAB_DIR/bpf/srv2/xhb/ens192" -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["drop_fenced_egress"])')
e2e_log "srv2's drop_fenced_egress meanwhile: $eg0 -> $eg1 (nothing of srv2's own should be there)"
exit 0
