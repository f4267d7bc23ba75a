#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# The master's agent stalls (SIGSTOP: a VM snapshot, IO stress, hypervisor
# steal) for 3 x deadtime, then wakes up (SIGCONT). keepalived's classic
# split brain: the backup takes over meanwhile and the woken master still
# answers for the VIP. xhb's lease, fenced in XDP, must prevent it
# (issue 5, first test).
#
# ha.cf: the seed's files plus `probe 1ms 19` (E2E_PROBE_STEADY of
# lib.bash: a 20 ms window, which the lab's own stalls do not reach) and
# `lease 500ms`. The stall
# lasts 3 x the seed's deadtime (10 s), 30 s, as the issue says: with the
# lab's setup the test stays well under a minute, so nothing needs scaling
# down, and a stall three deadtimes long also covers what a short one
# would not: srv2 must keep judging srv1 "stalled" (never "dead": its XDP
# answers probes) long past deadtime, and srv1 wakes up 60 leases late.
# STALL_S overrides the 30 s.
#
# A sampler (python, below) looks at both servers every 5 ms. A server
# "holds the VIP" when the VIP is on its ens192 (ip addr) AND its XDP is
# not fencing it. ip addr alone cannot tell: a stalled owner keeps the
# address configured (nobody runs to remove it) while its XDP drops ARP
# requests and packets for it once the lease has lapsed, so for the
# network it no longer answers. The fencing is read as XDP decides it,
# from the node's pinned maps: xhb_self (groups_held != 0 and
# now >= agent_update_ns + lease_ms) and the VIP present in xhb_vips, the
# same test as `xhbctl self` ("fenced") and xhb_self_fenced() of include/xhb_maps.h, which XDP runs.
#
# Asserts: at no sample do both hold (split brain ms printed, 0 expected);
# the client (vipcheck, 1 request/ms) never gets answers from both
# (both_answered == 0) and is served by SRV2 after the takeover (one move);
# srv1's XDP fences while stopped (xhbctl self: fenced true); srv2 takes
# over (group_acquire reason lease_expired) and never judges srv1 dead; the
# woken srv1 steps down (lease_expired, group_release reason
# lease_expired, no VIP in ip addr) and does not take it back.
#
# E2E_FENCED_STANDBY=1 (stall_split_brain_fenced.sh): the same with
# `fenced_standby on`, where the standby keeps the VIP configured but
# staged (xhb_vips flag 1): "holds" is then read from ip addr and that
# flag (vip_held, in both modes; the sampler counts a staged entry as
# fenced), and the woken srv1 must end with the VIP staged (vip_staged).
# As that reads the maps, not what XDP does with them, the client also
# asks for the VIP's MAC every 5 ms (arpwatch.py): never two servers
# answering one request, srv1's answers then srv2's.
source "$(dirname "$0")/lib.bash" "stall${E2E_FENCED_STANDBY:+-fenced}"

STALL_S=${STALL_S:-30}
LEASE_MS=500


LAB_HACF_EXTRA="${E2E_PROBE_STEADY}lease ${LEASE_MS}ms\n${E2E_FENCED_STANDBY:+fenced_standby on\n}"
lab_setup || fail "lab setup failed"
e2e_start_pair
pid1=$(lab_pid srv1)
pins1=$LAB_DIR/bpf/srv1/xhb/ens192

cat >"$LAB_DIR/sampler.py" <<'EOF'
# Every 5 ms: does each server hold the VIP (ip addr, and its XDP not
# fencing it: neither a lapsed lease nor a staged entry, flag 1)? Runs in
# the root namespace; a socket made inside each node's network namespace
# answers SIOCGIFCONF for that namespace, the node's pins are read with
# bpf(2). Prints one JSON object at SIGTERM.
import ctypes, fcntl, json, os, platform, signal, socket, struct, sys, time

ns_names, pin_dirs, vip, out, ready = sys.argv[1:3], sys.argv[3:5], sys.argv[5], sys.argv[6], sys.argv[7]
PERIOD = 0.005
MAX_S = 120  # bounded, whatever happens to the caller
libc = ctypes.CDLL(None, use_errno=True)
sys.path.insert(0, os.environ["XHB_E2E_DIR"])
from xhbmaps import lookup, obj_get, read_self
CLONE_NEWNET = 0x40000000
SIOCGIFCONF = 0x8912
MONO = time.CLOCK_MONOTONIC

def socket_in(ns):
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET):
        sys.exit(f"sampler: setns {ns}: {os.strerror(ctypes.get_errno())}")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    libc.setns(own, CLONE_NEWNET)
    os.close(fd)
    os.close(own)
    return s

vip_bin = socket.inet_aton(vip)
vip_key = struct.pack("I", socket.AF_INET) + vip_bin + bytes(12)
ifbuf = ctypes.create_string_buffer(8192)

def has_vip(sock):
    # struct ifconf { int len; char *buf; }, then struct ifreq (40 bytes)
    # each: name[16], sockaddr_in (address at bytes 20..23)
    ifc = fcntl.ioctl(sock.fileno(), SIOCGIFCONF, struct.pack("iP", len(ifbuf), ctypes.addressof(ifbuf)))
    n = struct.unpack("iP", ifc)[0]
    raw = ifbuf.raw[:n]
    return any(raw[i + 20:i + 24] == vip_bin for i in range(0, n, 40))

class Node:
    def __init__(self, ns, pins):
        self.sock = socket_in(ns)
        self.self_fd = obj_get(f"{pins}/xhb_self")
        self.vips_fd = obj_get(f"{pins}/xhb_vips")

    def sample(self):
        # The clock before the map, the map before ip addr: a release
        # (address removed, then the lease renewed with nothing held) can
        # then never look like "holds" between two reads.
        now = time.clock_gettime_ns(time.CLOCK_BOOTTIME)  # the maps' clock
        me = read_self(self.self_fd)
        lapsed = me["groups_held"] != 0 and \
            now >= me["agent_update_ns"] + me["lease_ms"] * 1000000
        v = lookup(self.vips_fd, vip_key)  # struct xhb_vip_lease
        staged = v is not None and struct.unpack_from("I", v, 4)[0] & 1
        fenced = v is not None and (lapsed or bool(staged))
        present = has_vip(self.sock)
        return present and not fenced, present, fenced

nodes = [Node(ns, p) for ns, p in zip(ns_names, pin_dirs)]
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)

# One sample reads srv1, srv2, srv1, srv2. Reads are not simultaneous (a
# read can be preempted), so "both hold" needs one node to hold at both
# ends of the other's read: srv1 holds at its 1st and 2nd read and srv2 at
# its 1st, or srv2 at its 1st and 2nd and srv1 at its 2nd. A hand-over
# that falls between two reads is not mistaken for an overlap; a real
# overlap longer than one sample is always seen.
samples = []  # (t_ns, sample_ns, both, holds..., present..., fenced...)
open(ready, "w").close()
nxt = time.monotonic()
deadline = nxt + MAX_S
while not stop and time.monotonic() < deadline:
    a = time.clock_gettime_ns(MONO)
    a1, b1, a2, b2 = nodes[0].sample(), nodes[1].sample(), nodes[0].sample(), nodes[1].sample()
    b = time.clock_gettime_ns(MONO)
    both = (a1[0] and b1[0] and a2[0]) or (b1[0] and a2[0] and b2[0])
    samples.append((a, b - a, both, [a1[0], b1[0]], [a1[1], b1[1]], [a1[2], b1[2]]))
    nxt += PERIOD
    d = nxt - time.monotonic()
    if d > 0:
        time.sleep(d)
    else:
        nxt = time.monotonic()

both_ms, both_n, first_both, changes, prev = 0.0, 0, None, [], None
for i, (t, dur, both, holds, present, fenced) in enumerate(samples):
    if both:
        both_n += 1
        nxt_t = samples[i + 1][0] if i + 1 < len(samples) else t
        both_ms += (nxt_t - t) / 1e6
        if first_both is None:
            first_both = {"t_mono_ns": t, "sample_us": dur / 1e3, "present": present, "fenced": fenced}
    state = (tuple(holds), tuple(present), tuple(fenced))
    if state != prev:
        changes.append({"t_mono_ns": t, "holds": holds, "in_ip_addr": present, "fenced": fenced})
        prev = state
gaps = [(samples[i + 1][0] - samples[i][0]) / 1e6 for i in range(len(samples) - 1)]
json.dump({
    "samples": len(samples),
    "period_ms": PERIOD * 1e3,
    "max_interval_ms": round(max(gaps, default=0), 3),
    "intervals_over_20ms": sum(g > 20 for g in gaps),
    "max_sample_us": round(max((s[1] for s in samples), default=0) / 1e3, 1),
    "both_hold_samples": both_n,
    "split_brain_ms": round(both_ms, 3),
    "first_both": first_both,
    "changes": changes,
}, open(out, "w"))
EOF

# nice: woken on time on a busy machine, it samples more evenly.
XHB_E2E_DIR="$(cd "$(dirname "$0")" && pwd)" nice -n -10 python3 "$LAB_DIR/sampler.py" "$(lab_ns srv1)" "$(lab_ns srv2)" "$pins1" "$LAB_DIR/bpf/srv2/xhb/ens192" \
	"$LAB_VIP" "$LAB_DIR/samples.json" "$LAB_DIR/sampler.ready" 2>"$LAB_DIR/sampler.err" &
sampler=$!
e2e_bg "$sampler"
wait_for 5 test -e "$LAB_DIR/sampler.ready" || fail "the sampler did not start: $(cat "$LAB_DIR/sampler.err")"

watch_ms=$(((STALL_S + 5) * 1000))
e2e_watch "$watch_ms" "$LAB_DIR/watch.json"
watch=$LAB_WATCH_PID

t_stop=$(mono_now)
e2e_log "srv1: kill -STOP xhbd ($pid1) for $STALL_S s (3 x the seed's deadtime of 10 s unless STALL_S says otherwise; lease ${LEASE_MS} ms)"
e2e_stop "$pid1" || fail "cannot stop srv1's agent"
stall_deadline=$(($(date +%s%N) + STALL_S * 1000000000))

ev_wait_since "$t_stop" 5 srv2 group_acquire reason=lease_expired ||
	soft_fail "srv2 did not take over with reason lease_expired within 5 s of the stall: $(ev_names srv2)"
e2e_log "srv2: $(ev_since "$t_stop" srv2 group_acquire | head -n 1)"
self1=$("$XHB_BUILD/xhbctl" -p "$pins1" -j self)
e2e_log "srv1 (stopped): xhbctl self: $(tr -d ' \n' <<<"$self1")"
python3 -c 'import json, sys; sys.exit(not json.loads(sys.argv[1])["fenced"])' "$self1" ||
	soft_fail "srv1's agent is stopped past its lease, but xhbctl self does not say fenced: $self1"
has_addr srv1 "$LAB_VIP" ||
	e2e_log "note: srv1's address went away while its agent was stopped"

# The rest of the stall, at every poll: srv1's agent stays stopped, srv2
# holds the VIP and never judges srv1 dead (its XDP answers).
stopped() { local st; read -r _ _ st _ <"/proc/$1/stat" 2>/dev/null && [ "$st" = T ]; }
stall_holds() {
	stopped "$pid1" || { why="srv1's agent is no longer stopped"; return 1; }
	vip_held srv2 || { why="srv2 does not hold $LAB_VIP (flags $(vip_flags srv2))"; return 1; }
	! lab_has_event srv2 peer_dead || { why="srv2 judged srv1 dead: $(ev_select srv2 peer_dead)"; return 1; }
}
left=$(((stall_deadline - $(date +%s%N)) / 1000000))
if [ "$left" -gt 0 ]; then
	hold_for "$(awk -v ms="$left" 'BEGIN { printf "%.3f", ms / 1000 }')" stall_holds ||
		soft_fail "during srv1's stall, $E2E_HOLD_AT into the rest of it (from the takeover on): $why"
fi
t_cont=$(mono_now)
ev_mark srv1:group_acquire srv1:vip_added
e2e_log "srv1: kill -CONT xhbd after $(awk -v a="$t_stop" -v b="$t_cont" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s"
e2e_cont "$pid1"

ev_wait_since "$t_cont" 5 srv1 lease_expired || soft_fail "the woken srv1 has no lease_expired event: $(ev_names srv1)"
ev_wait_since "$t_cont" 5 srv1 group_release reason=lease_expired ||
	soft_fail "the woken srv1 did not release with reason lease_expired: $(ev_names srv1)"
e2e_log "srv1: $(ev_since "$t_cont" srv1 lease_expired)"
wait_for 2 not vip_held srv1 ||
	soft_fail "the woken srv1 still holds $LAB_VIP (flags $(vip_flags srv1)): $(node_addrs srv1 | tr '\n' ';')"
if e2e_fenced; then
	ev_wait_since "$t_cont" 2 srv1 vip_staged vip="$LAB_VIP" || soft_fail "the woken srv1: no vip_staged: $(ev_names srv1)"
	vip_staged srv1 || soft_fail "the woken srv1: $LAB_VIP not staged (flags $(vip_flags srv1)): $(node_addrs srv1 | tr '\n' ';')"
fi
# For 2 s more, at every poll: the woken srv1 does not take it back.
stays_with_srv2() { not vip_held srv1 && vip_held srv2 && ev_none_new; }
hold_for 2 stays_with_srv2 ||
	soft_fail "after srv1 woke up, the VIP did not stay with srv2 alone (after $E2E_HOLD_AT, ${E2E_NEW:-ip addr}): srv1 [$(node_addrs srv1 | tr '\n' ' ')] srv2 [$(node_addrs srv2 | tr '\n' ' ')]"
kill -TERM "$sampler"
wait "$sampler" || fail "the sampler failed: $(cat "$LAB_DIR/sampler.err")"
wait "$watch"

# ---- what the sampler and the client saw
python3 - "$LAB_DIR/samples.json" "$t_stop" "$t_cont" <<'EOF' || soft_fail "split brain seen by the 5 ms sampler (above)"
import json, sys
r = json.load(open(sys.argv[1]))
t_stop, t_cont = int(sys.argv[2]), int(sys.argv[3])
rel = lambda t: (t - t_stop) / 1e6
print(f"sampler: {r['samples']} samples every {r['period_ms']:.0f} ms (longest interval {r['max_interval_ms']} ms, "
      f"{r['intervals_over_20ms']} over 20 ms, longest sample {r['max_sample_us']} us)")
print("  changes (ms from SIGSTOP; SIGCONT at %.0f ms):" % rel(t_cont))
for c in r["changes"]:
    print(f"    {rel(c['t_mono_ns']):10.1f} ms  holds srv1={c['holds'][0]!s:5} srv2={c['holds'][1]!s:5}  "
          f"ip addr srv1={c['in_ip_addr'][0]!s:5} srv2={c['in_ip_addr'][1]!s:5}  fenced srv1={c['fenced'][0]!s:5} srv2={c['fenced'][1]!s:5}")
print(f"split brain: {r['split_brain_ms']} ms over {r['both_hold_samples']} samples (expected 0)")
if r["both_hold_samples"]:
    print(f"FAIL: expected no sample where both hold the VIP, saw {r['both_hold_samples']}; first: {r['first_both']}")
srv2_from = next((c for c in r["changes"] if c["holds"][1]), None)
srv1_until = [c for c in r["changes"] if not c["holds"][0] and rel(c["t_mono_ns"]) > 0]
ok = r["both_hold_samples"] == 0
if srv2_from is None:
    print("FAIL: the sampler never saw srv2 hold the VIP")
    ok = False
else:
    print(f"srv1 stopped holding at {rel(srv1_until[0]['t_mono_ns']) if srv1_until else float('nan'):.1f} ms, "
          f"srv2 holds from {rel(srv2_from['t_mono_ns']):.1f} ms (after SIGSTOP)")
if r["samples"] < 0.5 * (t_cont - t_stop) / 1e6 / r["period_ms"]:
    print(f"FAIL: too few samples for a 5 ms period: {r['samples']}")
    ok = False
sys.exit(not ok)
EOF

python3 - "$LAB_DIR/watch.json" <<'EOF' || soft_fail "the client's view (above): $(cat "$LAB_DIR/watch.json")"
import json, sys
r = json.load(open(sys.argv[1]))
print(f"client: {r['requests']} requests, lost {r['lost']}, outage {r['outage_ms']} ms "
      f"({r['outage_from']} -> {r['outage_to']}), moves {r['moves']}, both answered {r['both_answered']}, servers {r['servers']}")
ok = True
if r["both_answered"]:
    print(f"FAIL: expected both_answered 0, saw {r['both_answered']}")
    ok = False
if r["servers"] != ["SRV1", "SRV2"] or r["moves"] != 1:
    print(f"FAIL: expected one move SRV1 -> SRV2, saw servers {r['servers']} with {r['moves']} moves")
    ok = False
sys.exit(not ok)
EOF

[ -z "$(ev_since "$t_stop" srv2 peer_dead)" ] ||
	soft_fail "srv2 judged srv1 dead although its XDP answered: $(ev_since "$t_stop" srv2 peer_dead)"
ev_has srv2 peer_stalled peer=srv1 || soft_fail "srv2 never judged srv1 stalled: $(ev_names srv2)"
[ -z "$(ev_since "$t_cont" srv1 group_acquire)" ] ||
	soft_fail "the woken srv1 took the group back: $(ev_since "$t_cont" srv1 group_acquire)"
expect_vip_only srv2
expect_curl "IT WORKS SRV2"
! e2e_fenced || expect_arp "$E2E_ARP_T0" 0 'r["both"] == 0 and r["runs"] == ["srv1", "srv2"]' \
	"the whole test: never answered by both servers, srv1 then srv2"
e2e_log "srv1 events: $(ev_names srv1)"
e2e_log "srv2 events: $(ev_names srv2)"
exit 0
