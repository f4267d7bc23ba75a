#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# `fenced_standby on` (issue 15): the standby keeps the VIP configured,
# fenced in XDP and tc (its xhb_vips entry's flag 1), so that a takeover
# is a map write. As an operator sees it, on the seed lab with
# `probe 1ms 19` (E2E_PROBE_STEADY), `lease 500ms`:
#   A. srv1 holds; srv2 has the VIP in ip addr (labelled as a held one),
#      staged (vip_staged, flags 1, status "staged": true, xhbctl vips
#      staged and fenced; xhbctl detach refused there), srv1 flags 0.
#      The client's ARP requests (arpwatch.py, one every 5 ms, each
#      answer naming its request) are answered by srv1's MAC only, srv2's
#      XDP drops them (drop_fenced_arp); requests reach srv1. srv2 pinging
#      the client from the VIP: nothing from the VIP leaves srv2 (the
#      client sees no frame, drop_fenced_egress grows).
#   B. A hitless restart of the standby (kill -9, start again, as
#      restart_hitless.sh): the VIP stays in srv2's ip addr with flags 1 at
#      every poll, no vip_unstaged / group_release / vip_removed there,
#      the client loses nothing and is served by srv1 only.
#   C. srv1's agent stalls (SIGSTOP): srv2 acquires (group_acquire
#      lease_expired, vip_added, flags 0), the client's ARP is answered by
#      srv2 only, requests reach srv2. srv1 wakes (SIGCONT) and releases:
#      vip_removed then vip_staged, the VIP still in its ip addr, flags 1.
#      Over the whole test no ARP request was answered by two MACs and the
#      answers moved once, srv1 -> srv2 (the client's prober too).
#   D. A graceful stop of srv1's agent: vip_unstaged, no VIP in ip addr.
source "$(dirname "$0")/lib.bash" fenced

LAB_HACF_EXTRA="${E2E_PROBE_STEADY}lease 500ms\nfenced_standby on\n"
lab_setup || fail "lab setup failed"
e2e_start_pair
mac1=$(lab_exec srv1 cat /sys/class/net/ens192/address)

counter() { "$XHB_BUILD/xhbctl" -p "$LAB_DIR/bpf/$1/xhb/ens192" -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"; }
grp0() { # node field: group 0's field in the node's xhbctl status -j
	lab_in_node "$1" "$XHB_BUILD/xhbctl" status -j 2>/dev/null | python3 -c 'import json, sys
g = [g for g in json.load(sys.stdin)["groups"] if g["group"] == 0][0].get(sys.argv[1], "missing")
print(str(g).lower() if isinstance(g, bool) else g)' "$2"
}
expect_grp0() { # node held staged
	[ "$(grp0 "$1" held)/$(grp0 "$1" staged)" = "$2/$3" ] ||
		soft_fail "$1: xhbctl status -j group 0: expected held $2 staged $3, saw held $(grp0 "$1" held) staged $(grp0 "$1" staged)"
}
arp_from() { arp_report "$2" | python3 -c 'import json, sys; sys.exit(json.load(sys.stdin)["replies"].get(sys.argv[1], 0) < 20)' "$1"; }
watch_is() { # what servers
	python3 - "$LAB_DIR/watch.json" "$2" <<'PY' || soft_fail "$1: the client's prober: $(cat "$LAB_DIR/watch.json")"
import json, sys
w = json.load(open(sys.argv[1]))
print(f"client: {w['requests']} requests, lost {w['lost']}, both {w['both_answered']}, servers {w['servers']}")
sys.exit(w["both_answered"] != 0 or w["servers"] != sys.argv[2].split(","))
PY
}

# ---- A. srv2 stands by with the VIP staged
ev_wait 5 srv2 vip_staged group=0 vip="$LAB_VIP" || soft_fail "srv2: no vip_staged for $LAB_VIP: $(ev_names srv2)"
wait_for 2 vip_staged srv2 || fail "srv2: expected $LAB_VIP in ip addr with xhb_vips flags 1, saw flags $(vip_flags srv2): $(node_addrs srv2 | tr '\n' ';')"
[ "$(vip_flags srv1)" = 0 ] || soft_fail "srv1 holds $LAB_VIP: expected xhb_vips flags 0, saw $(vip_flags srv1)"
node_addrs srv2 | grep -q "^$LAB_VIP/16 ens192:[0-9]" || soft_fail "srv2: the staged VIP is not labelled ens192:N: $(node_addrs srv2 | tr '\n' ';')"
e2e_log "srv2 (bpftool): $(bpftool -j map dump pinned "$LAB_DIR/bpf/srv2/xhb/ens192/xhb_vips" | grep -o '"formatted":{[^}]*}[^}]*}')"
expect_grp0 srv1 true false
expect_grp0 srv2 false true
# xhbctl vips: who answers, as XDP decides it (ip addr shows it on both)
vips_is() { # node state fenced
	"$XHB_BUILD/xhbctl" -p "$LAB_DIR/bpf/$1/xhb/ens192" -j vips | python3 -c 'import json, sys
v = [v for v in json.load(sys.stdin) if v["vip"] == sys.argv[1]]
sys.exit(not (v and v[0]["state"] == sys.argv[2] and str(v[0]["fenced"]).lower() == sys.argv[3]))' "$LAB_VIP" "$2" "$3" ||
		soft_fail "$1: xhbctl vips: expected $LAB_VIP $2, fenced $3: $("$XHB_BUILD/xhbctl" -p "$LAB_DIR/bpf/$1/xhb/ens192" vips)"
}
vips_is srv1 held false
vips_is srv2 staged true
# detaching srv2's XDP would unfence a configured VIP: refused, said
if out=$(lab_in_node srv2 "$XHB_BUILD/xhbctl" -p "$LAB_DIR/bpf/srv2/xhb/ens192" detach 2>&1); then
	fail "xhbctl detach on srv2 succeeded with $LAB_VIP staged there: $out"
fi
[[ $out == *"VIP $LAB_VIP is staged here"* ]] || soft_fail "xhbctl detach on srv2: refused without naming $LAB_VIP: $out"
[ -e "$LAB_DIR/bpf/srv2/xhb/ens192/xhb_vips" ] || fail "xhbctl detach on srv2 removed its pins"

t_arp=$(mono_now)
arp0=$(counter srv2 drop_fenced_arp)
wait_for 10 arp_from srv1 "$t_arp" || fail "the client's ARP requests: srv1 did not answer 20: $(arp_report "$t_arp")"
expect_arp "$t_arp" 0 'r["replies"].keys() == {"srv1"} and r["both"] == 0' "srv1 holds: answered by srv1's MAC only"
[ "$(counter srv2 drop_fenced_arp)" -gt "$arp0" ] || soft_fail "srv2's drop_fenced_arp did not grow ($arp0): its XDP let the client's ARP requests in"
lab_exec client ip neigh flush dev ens192
expect_curl "IT WORKS SRV1"
lab_exec client ip neigh show "$LAB_VIP" | grep -qi "lladdr $mac1" || soft_fail "client: $LAB_VIP not resolved to srv1's $mac1: $(lab_exec client ip neigh show "$LAB_VIP")"

eg0=$(counter srv2 drop_fenced_egress)
t_ping=$(mono_now)
! lab_exec srv2 ping -q -c 3 -i 0.2 -W 1 -I "$LAB_VIP" "${LAB_IP[client]}" >/dev/null 2>&1 ||
	soft_fail "srv2 pinged the client from its staged $LAB_VIP and got answers"
eg1=$(counter srv2 drop_fenced_egress)
[ "$eg1" -gt "$eg0" ] || soft_fail "srv2's drop_fenced_egress did not grow ($eg0 -> $eg1)"

# ---- B. a hitless restart of the standby keeps the VIP staged
ev_mark srv2:vip_unstaged srv2:group_release srv2:vip_removed srv2:group_acquire srv2:vip_added srv1:group_release srv1:peer_dead
e2e_watch 4000 "$LAB_DIR/watch.json"
t_r=$(mono_now)
e2e_log "srv2: kill -9 xhbd, then lab_start srv2 at once"
lab_stop srv2 KILL
lab_start srv2
restart_holds() { vip_staged srv2 && vip_held srv1 && ev_none_new; }
hold_for 3 restart_holds ||
	soft_fail "srv2's restart, after $E2E_HOLD_AT: ${E2E_NEW:-flags srv2 $(vip_flags srv2) srv1 $(vip_flags srv1)}: $(node_addrs srv2 | tr '\n' ';')"
grp0_is() { [ "$(grp0 "$1" "$2")" = "$3" ]; }
wait_for 5 grp0_is srv2 staged true || soft_fail "srv2's new agent: status -j does not say staged: $(grp0 srv2 staged)"
[ -n "$(ev_since "$t_r" srv2 agent_start)" ] || soft_fail "srv2's agent did not start again: $(ev_names srv2)"
wait "$LAB_WATCH_PID"
watch_is "srv2's restart" SRV1
python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["lost"] != 0)' "$LAB_DIR/watch.json" || soft_fail "the client lost requests across srv2's restart"
expect_arp "$t_r" 0 'r["replies"].keys() == {"srv1"}' "srv2's restart: answered by srv1 only"
vip_staged srv2 || soft_fail "after its restart srv2 has flags $(vip_flags srv2): $(node_addrs srv2 | tr '\n' ';')"
expect_arp "$t_ping" "$t_r" 'not r["ip"].get("srv2") and not r["icmp"] and not r["arp"].get("srv2")' "srv2's ping from its staged VIP: nothing from it reached the client"

# ---- C. srv1 stalls: srv2 takes over by a map write; srv1 wakes and stages
e2e_watch 10000 "$LAB_DIR/watch.json"
pid1=$(lab_pid srv1)
t_stop=$(mono_now)
e2e_log "srv1: kill -STOP xhbd ($pid1)"
e2e_stop "$pid1"
ev_wait_since "$t_stop" 5 srv2 group_acquire reason=lease_expired || fail "srv2 did not take over within 5 s: $(ev_names srv2)"
ev_wait_since "$t_stop" 2 srv2 vip_added vip="$LAB_VIP" || soft_fail "srv2: no vip_added: $(ev_names srv2)"
wait_for 2 vip_held srv2 || soft_fail "srv2 acquired, but its xhb_vips flags are $(vip_flags srv2)"
expect_grp0 srv2 true false
t_acq=$(mono_now)
wait_for 5 arp_from srv2 "$t_acq" || soft_fail "the client's ARP requests: srv2 did not answer 20 after its takeover: $(arp_report "$t_acq")"
expect_curl "IT WORKS SRV2"
t_cont=$(mono_now)
e2e_cont "$pid1"
ev_wait_since "$t_cont" 5 srv1 vip_staged vip="$LAB_VIP" || soft_fail "the woken srv1: no vip_staged: $(ev_names srv1)"
python3 - "$(ev_since "$t_cont" srv1 vip_removed)" "$(ev_since "$t_cont" srv1 vip_staged)" <<'PY' || soft_fail "the woken srv1: expected vip_removed then vip_staged: $(ev_names srv1)"
import json, sys
r, s = (json.loads(a.splitlines()[0]) if a else None for a in sys.argv[1:])
sys.exit(not (r and s and r["mono_ns"] <= s["mono_ns"]))
PY
wait_for 2 vip_staged srv1 || soft_fail "the woken srv1: expected $LAB_VIP staged (flags 1), saw flags $(vip_flags srv1): $(node_addrs srv1 | tr '\n' ';')"
expect_grp0 srv1 false true
hold_for 1 eval 'vip_held srv2 && ! vip_held srv1' || soft_fail "after srv1 woke, srv2 did not hold alone (at $E2E_HOLD_AT)"
wait "$LAB_WATCH_PID"
watch_is "the failover" SRV1,SRV2
expect_arp "$t_arp" 0 'r["both"] == 0 and r["runs"] == ["srv1", "srv2"]' "the whole test: one MAC at a time, srv1 then srv2"

# ---- D. a graceful stop of srv1's agent removes its staged VIP
t_end=$(mono_now)
lab_stop srv1
ev_wait_since "$t_end" 5 srv1 vip_unstaged vip="$LAB_VIP" || soft_fail "srv1's graceful stop: no vip_unstaged: $(ev_names srv1)"
not vip_on srv1 || soft_fail "srv1's agent stopped, its staged VIP is still in ip addr: $(node_addrs srv1 | tr '\n' ';')"
expect_vip_only srv2
expect_arp "$t_end" 0 'r["replies"].keys() == {"srv2"} and r["both"] == 0' "after srv1's stop: answered by srv2 only"
e2e_log "srv1 events: $(ev_names srv1)"
e2e_log "srv2 events: $(ev_names srv2)"
exit 0
