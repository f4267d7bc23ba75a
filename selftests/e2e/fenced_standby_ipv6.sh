#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# `fenced_standby on` (issue 15) with an IPv6 VIP, as an operator checks
# it: fenced_standby.sh's story on a group whose only address is
# IPv6addr::fd58:193::30/64/ens192. The lab gets IPv6 here only: unique
# local addresses fd58:193::/64 on ens192 of srv1 (::10), srv2 (::40) and
# the client (::1), added without DAD, the link-locals' DAD waited for;
# nothing routable, all in the lab's namespaces. `probe 1ms 19`
# (E2E_PROBE_STEADY), `lease 500ms`:
#   A. srv1 holds: the VIP in its ip -6 addr, xhb_vips flags 0; srv2 has it
#      configured (not tentative, not dadfailed) and staged (vip_staged,
#      flags 1, xhbctl vips staged and fenced). The client's neighbour
#      solicitations for the VIP (arpwatch.py's IPv6 mode: one every 5 ms
#      to its solicited-node group, each from its own source address, so
#      an advertisement names the solicitation it answers) are answered by
#      srv1's MAC only; srv2's XDP drops them (drop_fenced_arp grows by
#      at least the number sent between its two reads, but 5 in
#      flight). The client's UDP echo to [VIP] is answered by SRV1
#      (vipcheck), ping -6 answers and the client's neighbour entry is
#      srv1's MAC.
#   B. srv2 pinging the client from its staged VIP: nothing from the VIP
#      leaves srv2 (the client sees no frame from it, drop_fenced_egress
#      grows); nor at any time while srv2 stands by.
#   C. srv1's agent stalls (SIGSTOP): srv2 acquires (group_acquire
#      lease_expired, vip_added, flags 0), advertises the VIP (the client
#      sees its unsolicited NA), the client's solicitations are answered
#      by srv2 only, the echo by SRV2. srv1 wakes (SIGCONT) and releases:
#      vip_removed then vip_staged, the VIP still in its ip -6 addr, flags
#      1. Over the whole test no solicitation was answered by two MACs and
#      the answers moved once, srv1 -> srv2; the client's echo prober saw
#      SRV1 then SRV2, never both for one request.
#   D. A graceful stop of srv1's agent removes its staged VIP. No kernel
#      message named the VIP meanwhile (dmesg: "advertised our address",
#      "duplicate address ... detected").
source "$(dirname "$0")/lib.bash" fenced-ipv6

VIP6=fd58:193::30
LAB_HACF_EXTRA="${E2E_PROBE_STEADY}lease 500ms\nfenced_standby on\n"
lab_setup || fail "lab setup failed"

e2e_ipv6_up
for node in srv1 srv2; do
	echo "srv1 IPv6addr::$VIP6/64/ens192" >"$LAB_DIR/$node/ha.d/haresources"
done

# The VIP in NODE's ip -6 addr, usable: not tentative, not dadfailed.
vip6_usable() { # node
	local line
	line=$(lab_exec "$1" ip -6 -o addr show dev ens192 | grep -F " $VIP6/64 ")
	[ -n "$line" ] && [[ $line != *tentative* ]] && [[ $line != *dadfailed* ]]
}
counter() { "$XHB_BUILD/xhbctl" -p "$LAB_DIR/bpf/$1/xhb/ens192" -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"; }
# "BEFORE VALUE AFTER": NODE's counter NAME read by xhbctl between mono_ns
# BEFORE and AFTER (one python, so that the window is tight)
counter_at() { # node name
	python3 - "$XHB_BUILD/xhbctl" "$LAB_DIR/bpf/$1/xhb/ens192" "$2" <<'PY'
import json, subprocess, sys, time
ctl, pins, name = sys.argv[1:]
before = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
value = json.loads(subprocess.check_output([ctl, "-p", pins, "-j", "stats"]))[name]
print(before, value, time.clock_gettime_ns(time.CLOCK_MONOTONIC))
PY
}
vips_is() { # node state fenced: xhbctl vips, as XDP decides it
	"$XHB_BUILD/xhbctl" -p "$LAB_DIR/bpf/$1/xhb/ens192" -j vips | python3 -c 'import json, sys
v = [v for v in json.load(sys.stdin) if v["vip"] == sys.argv[1]]
sys.exit(not (v and v[0]["state"] == sys.argv[2] and str(v[0]["fenced"]).lower() == sys.argv[3]))' "$VIP6" "$2" "$3" ||
		soft_fail "$1: xhbctl vips: expected $VIP6 $2, fenced $3: $("$XHB_BUILD/xhbctl" -p "$LAB_DIR/bpf/$1/xhb/ens192" vips)"
}
nd_from() { # node t0: it answered 20 solicitations since t0
	nd_report "$2" | python3 -c 'import json, sys; sys.exit(json.load(sys.stdin)["replies"].get(sys.argv[1], 0) < 20)' "$1"
}
# The client's UDP echo to [VIP] (vipcheck watch, 20 requests) answered,
# by SERVER only; what came is kept in E2E_GOT.
echo6_is() { # server
	E2E_GOT=$(lab_exec client "$XHB_BUILD/vipcheck" watch "$VIP6" --interval-us 2000 --duration-ms 40 --json 2>/dev/null)
	python3 -c 'import json, sys
w = json.loads(sys.argv[1])
sys.exit(not (w["answered"] > 0 and w["both_answered"] == 0 and w["servers"] == [sys.argv[2]]))' "$E2E_GOT" "$1" 2>/dev/null
}
expect_echo6() { # server
	wait_for 3 echo6_is "$1" || soft_fail "client: the UDP echo to [$VIP6] expected $1 only, got: ${E2E_GOT:-nothing}"
}

# The kernel's word on the VIP (an NA "advertised our address", a DAD
# "duplicate address ... detected"): none may come during the test.
kmsgs() { dmesg 2>/dev/null | grep -F "$VIP6"; }
dm0=
if dmesg >/dev/null 2>&1; then dm0=$(kmsgs | wc -l); fi
lab_start srv1
lab_start srv2
wait_for 15 vip_held srv1 "$VIP6" || fail "srv1 did not take $VIP6 within 15 s of the start: $(addrs6 srv1)"
ev_wait 5 srv2 peer_up peer=srv1 || fail "srv2 never saw srv1 up (peer_up)"
ev_wait 5 srv1 peer_up peer=srv2 || fail "srv1 never saw srv2 up (peer_up)"
ndwatch_start "$VIP6"
mac1=$(lab_exec srv1 cat /sys/class/net/ens192/address)

# ---- A. srv2 stands by with the IPv6 VIP staged
ev_wait 5 srv2 vip_staged group=0 vip="$VIP6" || soft_fail "srv2: no vip_staged for $VIP6: $(ev_names srv2)"
wait_for 2 vip_staged srv2 "$VIP6" ||
	fail "srv2: expected $VIP6 in ip -6 addr with xhb_vips flags 1, saw flags $(vip_flags srv2 "$VIP6"): $(addrs6 srv2)"
[ "$(vip_flags srv1 "$VIP6")" = 0 ] || soft_fail "srv1 holds $VIP6: expected xhb_vips flags 0, saw $(vip_flags srv1 "$VIP6")"
vip6_usable srv1 || soft_fail "srv1: $VIP6 not usable in ip -6 addr: $(addrs6 srv1)"
vip6_usable srv2 || soft_fail "srv2: the staged $VIP6 is tentative or dadfailed: $(addrs6 srv2)"
e2e_log "srv2 ip -6 addr: $(addrs6 srv2)"
vips_is srv1 held false
vips_is srv2 staged true

t_nd=$(mono_now)
read -r _ nd0 after0 <<<"$(counter_at srv2 drop_fenced_arp)"
wait_for 10 nd_from srv1 "$t_nd" || fail "the client's solicitations: srv1 did not answer 20: $(nd_report "$t_nd")"
read -r before1 nd1 _ <<<"$(counter_at srv2 drop_fenced_arp)"
expect_nd "$t_nd" 0 'r["replies"].keys() == {"srv1"} and r["both"] == 0' "srv1 holds: answered by srv1's MAC only"
# Every solicitation reaches srv2 too (the bridge floods the group): its
# XDP dropped at least each one sent between the two reads, but the few
# (5: 25 ms) that may still be on their way at the second.
sent=$(nd_report "$after0" "$before1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["sent"])')
[ $((nd1 - nd0)) -gt 0 ] && [ $((nd1 - nd0)) -ge $((sent - 5)) ] ||
	soft_fail "srv2's drop_fenced_arp grew by $((nd1 - nd0)) ($nd0 -> $nd1) while the client sent $sent solicitations: its XDP let them in"
e2e_log "srv2's drop_fenced_arp: $nd0 -> $nd1, $sent solicitations sent between the reads"
expect_echo6 SRV1
ping6_ok client "$VIP6" || soft_fail "client: ping -6 $VIP6 got no answer"
lab_exec client ip -6 neigh show "$VIP6" | grep -qi "lladdr $mac1" ||
	soft_fail "client: $VIP6 not resolved to srv1's $mac1: $(lab_exec client ip -6 neigh show "$VIP6")"

# ---- B. nothing leaves srv2 from its staged VIP
eg0=$(counter srv2 drop_fenced_egress)
t_ping=$(mono_now)
! lab_exec srv2 ping -6 -q -c 3 -i 0.2 -W 1 -I "$VIP6" "${E2E_IP6[client]}" >/dev/null 2>&1 ||
	soft_fail "srv2 pinged the client from its staged $VIP6 and got answers"
t_ping1=$(mono_now)
eg1=$(counter srv2 drop_fenced_egress)
[ "$eg1" -gt "$eg0" ] || soft_fail "srv2's drop_fenced_egress did not grow ($eg0 -> $eg1)"
expect_nd "$t_ping" "$t_ping1" 'not r["ip"].get("srv2") and not r["icmp"].get("srv2") and not r["arp"].get("srv2")' \
	"srv2's ping from its staged VIP: nothing from it reached the client"

# ---- C. srv1 stalls: srv2 takes over by a map write; srv1 wakes and stages
LAB_VIP=$VIP6 e2e_watch 10000 "$LAB_DIR/watch.json"
pid1=$(lab_pid srv1)
t_stop=$(mono_now)
expect_nd "$E2E_ND_T0" "$t_stop" 'not r["ip"].get("srv2") and not r["arp"].get("srv2") and r["replies"].keys() == {"srv1"}' \
	"srv2 stood by: nothing from the VIP left it, srv1 alone answered"
e2e_log "srv1: kill -STOP xhbd ($pid1)"
e2e_stop "$pid1"
ev_wait_since "$t_stop" 5 srv2 group_acquire reason=lease_expired || fail "srv2 did not take over within 5 s: $(ev_names srv2)"
ev_wait_since "$t_stop" 2 srv2 vip_added vip="$VIP6" || soft_fail "srv2: no vip_added for $VIP6: $(ev_names srv2)"
wait_for 2 vip_held srv2 "$VIP6" || soft_fail "srv2 acquired, but its xhb_vips flags are $(vip_flags srv2 "$VIP6")"
vip6_usable srv2 || soft_fail "srv2 holds $VIP6, but it is tentative or dadfailed: $(addrs6 srv2)"
vips_is srv2 held false
t_acq=$(mono_now)
wait_for 5 nd_from srv2 "$t_acq" || soft_fail "the client's solicitations: srv2 did not answer 20 after its takeover: $(nd_report "$t_acq")"
mac2=$(lab_exec srv2 cat /sys/class/net/ens192/address)
python3 - "$LAB_DIR/nd.jsonl" "$t_stop" "$mac2" <<'PY' || soft_fail "srv2's takeover: the client saw no unsolicited NA for $VIP6 from srv2's $mac2"
import json, sys
path, t0, mac = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def unsolicited(line):
    try:
        e = json.loads(line)
    except ValueError:
        return False
    return e["t"] >= t0 and e["k"] == "arp" and e.get("u") and e["mac"] == mac
sys.exit(not any(unsolicited(l) for l in open(path, errors="replace")))
PY
expect_echo6 SRV2
t_cont=$(mono_now)
e2e_cont "$pid1"
ev_wait_since "$t_cont" 5 srv1 vip_staged vip="$VIP6" || soft_fail "the woken srv1: no vip_staged: $(ev_names srv1)"
python3 - "$(ev_since "$t_cont" srv1 vip_removed vip="$VIP6")" "$(ev_since "$t_cont" srv1 vip_staged vip="$VIP6")" <<'PY' || soft_fail "the woken srv1: expected vip_removed then vip_staged: $(ev_names srv1)"
import json, sys
r, s = (json.loads(a.splitlines()[0]) if a else None for a in sys.argv[1:])
sys.exit(not (r and s and r["mono_ns"] <= s["mono_ns"]))
PY
wait_for 2 vip_staged srv1 "$VIP6" ||
	soft_fail "the woken srv1: expected $VIP6 staged (flags 1), saw flags $(vip_flags srv1 "$VIP6"): $(addrs6 srv1)"
vip6_usable srv1 || soft_fail "the woken srv1: the staged $VIP6 is tentative or dadfailed: $(addrs6 srv1)"
hold_for 1 eval 'vip_held srv2 "$VIP6" && ! vip_held srv1 "$VIP6"' ||
	soft_fail "after srv1 woke, srv2 did not hold $VIP6 alone (at $E2E_HOLD_AT)"
t_woke=$(mono_now)
wait_for 5 nd_from srv2 "$t_woke" || soft_fail "after srv1 woke, srv2 did not answer 20 solicitations: $(nd_report "$t_woke")"
expect_nd "$t_acq" 0 'r["replies"].keys() == {"srv2"} and r["both"] == 0' "from srv2's takeover on, srv1 stalled then awake: answered by srv2's MAC only"
wait "$LAB_WATCH_PID"
python3 - "$LAB_DIR/watch.json" <<'PY' || soft_fail "the client's echo prober across the failover: $(cat "$LAB_DIR/watch.json")"
import json, sys
w = json.load(open(sys.argv[1]))
print(f"client echo to the VIP: {w['requests']} requests, lost {w['lost']}, both {w['both_answered']}, servers {w['servers']}")
sys.exit(w["both_answered"] != 0 or w["servers"] != ["SRV1", "SRV2"])
PY
expect_nd "$E2E_ND_T0" 0 'r["both"] == 0 and r["runs"] == ["srv1", "srv2"]' "the whole test: one MAC at a time, srv1 then srv2"

# ---- D. a graceful stop of srv1's agent removes its staged VIP
t_end=$(mono_now)
lab_stop srv1
ev_wait_since "$t_end" 5 srv1 vip_unstaged vip="$VIP6" || soft_fail "srv1's graceful stop: no vip_unstaged: $(ev_names srv1)"
not vip_on srv1 "$VIP6" || soft_fail "srv1's agent stopped, its staged $VIP6 is still in ip -6 addr: $(addrs6 srv1)"
vip_held srv2 "$VIP6" || soft_fail "srv1's stop: srv2 no longer holds $VIP6 (flags $(vip_flags srv2 "$VIP6"))"
if [ -z "$dm0" ]; then
	e2e_log "dmesg cannot be read here: the kernel's messages on $VIP6 not checked"
elif [ "$(kmsgs | wc -l)" -gt "$dm0" ]; then
	soft_fail "the kernel spoke of $VIP6 during the test: $(kmsgs | tail -n 5)"
fi
e2e_log "srv1 events: $(ev_names srv1)"
e2e_log "srv2 events: $(ev_names srv2)"
exit 0
