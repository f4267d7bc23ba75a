# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# What the routed tests (routed_*.sh) share, sourced after lib.bash: the
# routed lab (tools/lab_routed.sh) in xhb mode, the agents started, and
# the client's view across a fault checked.
#
#   routed_up [HACF_LINES [PATH]]  the lab (bird2 on the router and both
#                           servers), both agents, srv1 holding: the
#                           router's path PATH (default srv1), the client
#                           answered by SRV1; ROUTED_BEFORE_START, a
#                           function, runs once the lab is up and before
#                           the agents start (scripts, haresources)
#   routed_expect_move WHAT MAX_MS   the prober's JSON ($LAB_DIR/watch.json)
#                           says: moved from SRV1 to SRV2 once, never both
#                           answered, the outage under MAX_MS
#
# The tests run BFD at ROUTED_BFD_MS (200 ms) x 3: the router drops a dead
# server's path after about 600 ms on its own, so an outage well under
# that is xhb's takeover preference at work, not BFD; and BFD this slow
# never drops a session falsely on a busy 2-CPU machine.

[ -x /usr/sbin/bird ] || skip "needs bird2 (tools/deps.sh installs it)"
command -v nft >/dev/null 2>&1 || skip "needs nft"
ROUTED_BFD_MS=${ROUTED_BFD_MS:-200}
# shellcheck source=../../tools/lab_routed.sh
source "$XHB_TOP/tools/lab_routed.sh"

# ROUTED_PROBE: the probe line (the tests that assert no false death set
# E2E_PROBE_STEADY, lib.bash)
routed_up() { # [extra ha.cf lines [path]]
	LAB_HACF_EXTRA="${ROUTED_PROBE:-probe 1ms 3\\n}${1:-announce 0 route\\n}"
	routed_setup || fail "routed lab setup failed"
	[ -z "${ROUTED_BEFORE_START:-}" ] || "$ROUTED_BEFORE_START"
	lab_start srv1
	lab_start srv2
	wait_for 15 routed_has_vip srv1 || fail "srv1 did not put $LAB_VIP on lo within 15 s"
	ev_wait 5 srv2 peer_up peer=srv1 || fail "srv2 never saw srv1 up (peer_up), through the router"
	wait_for 5 routed_path_is "${2:-srv1}" ||
		fail "the router's path to $LAB_VIP is '$(routed_path)', expected ${2:-srv1}: $(routed_birdc rtr show route all 2>&1)"
	[ -n "${2:-}" ] || expect_curl "IT WORKS SRV1"
}

routed_expect_move() { # what max_ms
	python3 - "$LAB_DIR/watch.json" "$1" "$2" <<'PY' || fail "the client's view of $1 (above)"
import json, sys
r, what, limit = json.load(open(sys.argv[1])), sys.argv[2], float(sys.argv[3])
print(f"client across {what}: {r['requests']} requests, lost {r['lost']}, outage {r['outage_ms']} ms "
      f"({r['outage_from']} -> {r['outage_to']}), moves {r['moves']}, both answered {r['both_answered']}")
bad = []
if r["both_answered"]:
    bad.append(f"both servers answered ({r['both_answered']})")
# one move, SRV1 then SRV2 (no request lost at all is fine: the new path
# may reach the router before the old one is withdrawn)
if r["moves"] != 1 or r["servers"] != ["SRV1", "SRV2"] or \
        (r["lost"] and (r["outage_from"], r["outage_to"]) != ("SRV1", "SRV2")):
    bad.append(f"expected one move SRV1 -> SRV2, saw {r['moves']} ({r['outage_from']} -> {r['outage_to']}, "
               f"servers {r['servers']})")
if r["outage_ms"] is None or r["outage_ms"] >= limit:
    bad.append(f"outage {r['outage_ms']} ms, expected under {limit:g} ms")
for b in bad:
    print("FAIL: " + b)
sys.exit(bool(bad))
PY
}
