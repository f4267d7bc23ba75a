#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Resource scripts run asynchronously (the health issue): while a group's
# start script takes 2 s, the agent's loop goes on.
#
#   srv1 IPaddr::172.16.193.30/16/ens192 slowstart
#   slowstart start: takes 2 s while $LAB_DIR/srv1/slow exists
#   keepalive 200ms, probe 10ms 3, lease 500ms
#
# The group goes to srv2 (standby) and comes back to srv1 (takeover) with
# the slow start. While the script runs, at every poll:
#   - srv1 answers xhbctl status within 200 ms, and shows the group
#     starting, the script running;
#   - its lease is never stretched for the script (lease_left_ms <= 500);
#   - srv2 hears srv1's heartbeats (their age < 3 keepalives) and never
#     judges it stalled (no peer_stalled on srv2);
# the VIP is up and announced (the first gratuitous ARP) on srv1 before
# the script ends (addresses first), and group_acquire comes once the
# script is done.
source "$(dirname "$0")/lib.bash" async-start

START_S=2
KEEPALIVE_MS=200
LEASE_MS=500
LAB_HACF_EXTRA="keepalive ${KEEPALIVE_MS}ms\nprobe 10ms 3\nlease ${LEASE_MS}ms\n"
lab_setup || fail "lab setup failed"
for node in srv1 srv2; do
	d=$LAB_DIR/$node/ha.d
	mkdir -p "$d/resource.d"
	cat >"$d/resource.d/slowstart" <<EOF
#!/bin/sh
case "\$1" in
start) [ -e "$LAB_DIR/$node/slow" ] && sleep $START_S ;;
esac
exit 0
EOF
	chmod 755 "$d/resource.d/slowstart"
	echo "srv1 IPaddr::$LAB_VIP/16/ens192 slowstart" >"$d/haresources"
done
e2e_start_pair
ev_wait 3 srv1 resource_start || fail "srv1 did not start the group: $(ev_names srv1)"

lab_in_node srv1 "$XHB_BUILD/xhbctl" standby >/dev/null || fail "xhbctl standby"
wait_for 5 vip_on srv2 || fail "srv2 did not take the VIP on standby"
ev_wait 3 srv2 group_acquire || fail "srv2 did not acquire: $(ev_names srv2)"
touch "$LAB_DIR/srv1/slow"
t0=$(mono_now)
lab_in_node srv1 "$XHB_BUILD/xhbctl" takeover >/dev/null || fail "xhbctl takeover"
e2e_log "srv1: takeover; its start script takes ${START_S} s"
# xhbctl takeover returns once the request is taken; srv1 acquires only
# after srv2 has released (~20 ms later): poll from its first step, the
# address (a poll before it once saw the group idle, rightly).
ev_wait_since "$t0" 3 srv1 vip_added || fail "srv1 did not begin its takeover: $(ev_names srv1)"

# One poll during the start: false once the script is done (a grep, not
# python: the polls should be many).
E2E_POLLS=0 E2E_STARTING=0 E2E_BAD=""
starts_before=$(ev_lines srv1 resource_start)
during_start() {
	local t1 t2 status peer bad
	[ "$(ev_lines srv1 resource_start)" = "$starts_before" ] || return 1
	E2E_POLLS=$((E2E_POLLS + 1))
	t1=${EPOCHREALTIME/[.,]/}
	status=$(lab_in_node srv1 "$XHB_BUILD/xhbctl" -j status) || {
		E2E_BAD+="poll $E2E_POLLS: xhbctl status failed; "
		return 0
	}
	t2=${EPOCHREALTIME/[.,]/}
	peer=$(lab_in_node srv2 "$XHB_BUILD/xhbctl" -j status)
	bad=$(python3 -c '
import json, sys
s, p = json.loads(sys.argv[1]), json.loads(sys.argv[2] or "{}")
took_ms, lease, keepalive = int(sys.argv[3]) / 1e3, float(sys.argv[4]), float(sys.argv[5])
left, phase = s["lease_left_ms"], s["groups"][0].get("phase")
age = [q["heartbeat_age_ms"] for q in p.get("peers", []) if q["name"] == "srv1"]
if took_ms >= 200:
    print(f"xhbctl status took {took_ms:.0f} ms", end="; ")
if left > lease:
    print(f"lease stretched: {left} ms left", end="; ")
if phase not in ("starting", "started"):
    print(f"group phase {phase}", end="; ")
if not age or not 0 <= age[0] < 3 * keepalive:
    print(f"srv2 last heard srv1 heartbeat {age} ms ago", end="; ")
' "$status" "$peer" $((t2 - t1)) "$LEASE_MS" "$KEEPALIVE_MS")
	[ -z "$bad" ] || E2E_BAD+="poll $E2E_POLLS: $bad"
	grep -q '"phase": "starting"' <<<"$status" && E2E_STARTING=$((E2E_STARTING + 1))
	return 0
}
wait_for $((START_S + 3)) not during_start || fail "srv1's start never ended: $(ev_names srv1)"
e2e_log "during the ${START_S} s start: $E2E_POLLS polls of both agents, $E2E_STARTING saw the group starting"
[ -z "$E2E_BAD" ] || fail "while its start script ran: $E2E_BAD"
[ "$E2E_STARTING" -ge 3 ] || fail "only $E2E_STARTING polls saw the group starting: was the start slow?"
[ -z "$(ev_since "$t0" srv2 peer_stalled)" ] ||
	fail "srv2 judged srv1 stalled while its script ran: $(ev_since "$t0" srv2 peer_stalled)"

ev_wait_since "$t0" 3 srv1 group_acquire || fail "no group_acquire on srv1: $(ev_names srv1)"
python3 - "$LAB_DIR" "$t0" "$START_S" <<'EOF' || fail "the order of srv1's takeover is wrong (above)"
import json, sys
d, t0, start_s = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
ev = [json.loads(l) for l in open(f"{d}/srv1/events.json")]
first = lambda name, **kv: next((e for e in ev if e["event"] == name and e["mono_ns"] >= t0
                                 and all(e.get(k) == v for k, v in kv.items())), None)
added, started, acq = first("vip_added"), first("resource_start"), first("group_acquire")
garp = first("garp_sent", packet=1)
ms = lambda e: (e["mono_ns"] - t0) / 1e6 if e else float("nan")
print(f"srv1: vip_added at +{ms(added):.1f} ms, first gratuitous ARP at +{ms(garp):.1f} ms, "
      f"resource_start at +{ms(started):.1f} ms ({started['duration_ms']:.0f} ms run), "
      f"group_acquire at +{ms(acq):.1f} ms")
ok = added["mono_ns"] < started["mono_ns"] - 0.9 * start_s * 1e9
ok &= garp is not None and garp["mono_ns"] < started["mono_ns"] - 0.9 * start_s * 1e9
ok &= acq["mono_ns"] >= started["mono_ns"] and acq["duration_ms"] >= 0.9 * start_s * 1e3
sys.exit(not ok)
EOF
expect_vip_only srv1
expect_curl "IT WORKS SRV1"
exit 0
