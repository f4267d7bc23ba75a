#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# A stalled master wakes after its lease lapsed and srv2 took the group,
# and its group's service takes a second to stop (the safety issue, item
# 3). Its VIP must go first and its lease must not be renewed while it
# still holds the address: a renewal lifts the XDP fence, and the woken
# node would answer for the VIP beside the new owner.
#
#   srv1 IPaddr::172.16.193.30/16/ens192 slowstop    (stop takes 1 s)
#   probe 1ms 3, lease 500ms
#
# srv1's agent is SIGSTOPped; its lease lapses at E; srv2 takes over;
# srv1 is SIGCONTed at E + 300 ms. From then, every renewal of srv1's
# pinned xhb_self is recorded (stopcont.py). Asserts: srv1 removes its
# VIP before any renewal that says it holds the group; it removes the VIP
# before its slow stop ends; it does not take the group back; the client
# is never answered by both.
#
# Scripts run asynchronously now: srv1's loop goes on while its stop
# script runs, so it writes xhb_self every loop during that second (it
# used to wait in the script, writing nothing). Those renewals must not
# claim the group either: it was let go when the lease lapsed, and srv2
# may hold it. Checked up to the end of the stop, and that the loop did
# run meanwhile.
source "$(dirname "$0")/lib.bash" wake-slow-stop

LEASE_MS=500
WAKE_AFTER_MS=300
STOP_S=1
LAB_HACF_EXTRA="probe 1ms 3\nlease ${LEASE_MS}ms\n"
lab_setup || fail "lab setup failed"
for node in srv1 srv2; do
	d=$LAB_DIR/$node/ha.d
	mkdir -p "$d/resource.d"
	cat >"$d/resource.d/slowstop" <<EOF
#!/bin/sh
# A service whose stop takes ${STOP_S} s once $LAB_DIR/$node/slow exists.
case "\$1" in
stop) [ -e "$LAB_DIR/$node/slow" ] && sleep $STOP_S ;;
esac
exit 0
EOF
	chmod 755 "$d/resource.d/slowstop"
	echo "srv1 IPaddr::$LAB_VIP/16/ens192 slowstop" >"$d/haresources"
done
e2e_start_pair
ev_wait 3 srv1 resource_start || fail "srv1 did not start the group: $(ev_names srv1)"
touch "$LAB_DIR/srv1/slow"
pid1=$(lab_pid srv1)
wake_end() {
	local rc=$?
	kill -CONT "$pid1" 2>/dev/null
	(exit "$rc")
	e2e_end
}
trap wake_end EXIT

e2e_watch 4000 "$LAB_DIR/watch.json"
watch=$LAB_WATCH_PID
t0=$(mono_now)
e2e_log "srv1: SIGSTOP; SIGCONT ${WAKE_AFTER_MS} ms after its ${LEASE_MS} ms lease lapsed; its stop script takes ${STOP_S} s"
timing=$(python3 "$E2E_DIR/stopcont.py" "$pid1" "$LAB_DIR/bpf/srv1/xhb/ens192" \
	"$WAKE_AFTER_MS" $(((STOP_S + 1) * 1000))) || fail "stop/cont helper: $timing"
ev_wait_since "$t0" 3 srv2 group_acquire || fail "srv2 did not take the group: $(ev_names srv2)"
ev_wait_since "$t0" $((STOP_S + 3)) srv1 group_release reason=lease_expired ||
	fail "the woken srv1 did not release (lease_expired): $(ev_names srv1)"
wait "$watch"

python3 - "$LAB_DIR" "$timing" "$t0" <<'EOF' || fail "the woken srv1 answered for the VIP beside srv2 (above)"
import json, sys
d, timing, t0 = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
E, cont = timing["lapse_ns"], timing["cont_ns"]
ms = lambda t: (t - E) / 1e6
ev = {n: [json.loads(l) for l in open(f"{d}/{n}/events.json")] for n in ("srv1", "srv2")}
since = lambda n, name: [e for e in ev[n] if e["event"] == name and e["mono_ns"] >= t0]
removed = since("srv1", "vip_removed")
stopped = since("srv1", "resource_stop") + [e for e in since("srv1", "resource_failed") if e["action"] == "stop"]
added2 = since("srv2", "vip_added")
print(f"E = srv1's lease lapse; SIGCONT at E+{ms(cont):.1f} ms")
print(f"srv2 vip_added at E+{ms(added2[0]['mono_ns']):.1f} ms" if added2 else "srv2 never added the VIP")
print(f"srv1 vip_removed at E+{ms(removed[0]['mono_ns']):.1f} ms" if removed else "srv1 never removed the VIP")
print(f"srv1's stop script ended at E+{ms(stopped[0]['mono_ns']):.1f} ms" if stopped else "srv1's stop script never ran")
renewals = timing["renewals"]
print(f"srv1's renewals after the wake: {len(renewals)}; the first (ms from E, lease_ms, held):",
      [(round(ms(t), 1), l, h) for t, l, h in renewals[:5]])
ok = bool(removed and stopped and added2)
if ok:
    gone = removed[0]["mono_ns"]
    live = [(t, l, h) for t, l, h in timing["renewals"] if t < gone and h & 1 and l > 0]
    if live:
        print(f"FAIL: srv1 renewed its lease holding the group while its VIP was still up "
              f"(at E+{ms(live[0][0]):.1f} ms, lease {live[0][1]} ms): XDP stopped fencing a VIP srv2 holds")
        ok = False
    if gone > stopped[0]["mono_ns"]:
        print("FAIL: srv1 removed its VIP only after its slow stop: the address first")
        ok = False
    end = stopped[0]["mono_ns"]
    claimed = [(t, l, h) for t, l, h in renewals if t < end and h & 1]
    if claimed:
        print(f"FAIL: srv1 claimed the group it let go while its stop ran "
              f"(at E+{ms(claimed[0][0]):.1f} ms): srv2 may hold it")
        ok = False
    during = [t for t, l, h in renewals if gone < t < end]
    print(f"srv1's loop wrote xhb_self {len(during)} times during its slow stop")
    if not during:
        print("FAIL: srv1's loop did not run while its stop script ran")
        ok = False
reacq = since("srv1", "group_acquire")
if reacq:
    print(f"FAIL: the woken srv1 took the group back: {reacq[0]}")
    ok = False
w = json.load(open(f"{d}/watch.json"))
print(f"client: {w['requests']} requests, both answered {w['both_answered']}, servers {w['servers']}")
if w["both_answered"]:
    print("FAIL: the client was answered by both servers")
    ok = False
sys.exit(not ok)
EOF
expect_vip_only srv2
expect_curl "IT WORKS SRV2"
exit 0
