#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# xhbd under valgrind for a start/serve/stop cycle: srv1's agent runs
# under memcheck (full leak check), srv2's normally. srv1 takes the VIP
# and serves the client for a few seconds with srv2 watching it, then
# gets SIGTERM: it releases, srv2 takes over, srv1 exits 0. Meanwhile a
# node is added to srv1's list (xhbctl node add: the configuration read
# again, STATE_DIR/nodes written, the peers map changed) and a removal is
# refused, under memcheck too. Any memcheck
# error or a definite leak fails the test (valgrind's exit status and its
# log, kept in the lab directory and printed on failure).
#
# The seed files alone (keepalive 2, deadtime 10, no 'probe' line): the
# agent runs tens of times slower under valgrind, and millisecond probes
# would judge that, not its memory.
source "$(dirname "$0")/lib.bash" valgrind

VG_ERROR_STATUS=99 # valgrind's exit status when it found something
VG_START_S=90      # start-up under valgrind: BPF load, netlink, first loop
VG_STOP_S=60       # release and exit under valgrind
VG_SERVE_S=4

command -v valgrind >/dev/null 2>&1 ||
	skip "needs valgrind (apt-get install valgrind, or XHB_EXTRA_PACKAGES=valgrind tools/deps.sh)"

# lab_start's mount/UTS namespace, with valgrind in front of xhbd. $! is
# valgrind, which is the agent's process (valgrind runs its guest in place).
vg_start() { # node
	local node=$1 d=$LAB_DIR/$1
	lab_node_run "$node" "$d" "$LAB_DIR/bpf/$node" \
		valgrind --leak-check=full --show-leak-kinds=definite \
		--errors-for-leak-kinds=definite --error-exitcode="$VG_ERROR_STATUS" \
		--log-file="$d/valgrind.log" --suppressions="$LAB_DIR/valgrind.supp" \
		${XHB_VALGRIND_ARGS:-} "$XHB_BUILD/xhbd" -c "$d/ha.d" >>"$d/events.json" 2>>"$d/xhbd.err" &
	VG_PID=$!
	e2e_bg "$VG_PID"
	echo "$VG_PID" >"$d/xhbd.pid"
}

vg_fail() {
	echo "---- valgrind log of srv1 ($LAB_DIR/srv1/valgrind.log)"
	sed 's/^/  /' "$LAB_DIR/srv1/valgrind.log" 2>/dev/null | tail -n 80
	fail "$@"
}

# cluster_name: xhbctl node add needs an id that does not hang on the
# node names
LAB_HACF_EXTRA="cluster_name vg-lab\n"
lab_setup || fail "lab setup failed"
# A raw siphash key, as an operator who followed the manual has: the md5
# secret's Argon2id derivation (64 MiB, 3 passes) takes minutes under
# memcheck, and it is libsodium's, checked by the unit tests (make check:
# ASan, UBSan).
for node in srv1 srv2; do
	printf 'auth 1\n1 siphash 000102030405060708090a0b0c0d0e0f\n' >"$LAB_DIR/$node/ha.d/authkeys"
done
# libbpf 1.1 clears and passes only the bpf(2) attributes up to the last
# field a command uses, as the kernel wants; valgrind 3.19 checks every
# field its table knows for the command, and flags the rest as unset.
# Only those reports, only from libbpf's own syscalls.
for param in expected_attach_type prog_ifindex flags; do
	printf '{\n   libbpf-bpf-attr-%s\n   Memcheck:Param\n   bpf(attr->%s)\n   fun:syscall\n   ...\n   obj:*/libbpf.so*\n}\n' \
		"$param" "$param"
done >"$LAB_DIR/valgrind.supp"
vg_start srv1
lab_start srv2
e2e_log "srv1: xhbd under valgrind (pid $VG_PID), srv2: xhbd"

wait_for "$VG_START_S" lab_has_vip srv1 ||
	vg_fail "srv1 under valgrind did not take $LAB_VIP within $VG_START_S s"
e2e_log "srv1 holds $LAB_VIP"
ev_wait 30 srv2 peer_up peer=srv1 || vg_fail "srv2 never saw srv1 up (peer_up)"
expect_curl "IT WORKS SRV1"
out=$(lab_in_node srv1 "$XHB_BUILD/xhbctl" node add srv9 2>&1) ||
	vg_fail "xhbctl node add srv9 on srv1 (under valgrind): $out"
ev_wait 30 srv1 node_added name=srv9 source=control || vg_fail "srv1: no node_added for srv9"
out=$(lab_in_node srv1 "$XHB_BUILD/xhbctl" node remove srv2 2>&1) &&
	vg_fail "xhbctl node remove srv2 (alive) was accepted: $out"
[[ $out == *"srv2 is alive"* ]] || vg_fail "xhbctl node remove srv2: expected 'srv2 is alive', got: $out"
e2e_log "srv1: srv9 added, removing srv2 refused"
# It serves for VG_SERVE_S: at every poll, alive and the VIP on srv1 alone.
serving() {
	kill -0 "$VG_PID" 2>/dev/null || { why="srv1's agent died while serving"; return 1; }
	vip_on srv1 && not vip_on srv2 || { why="the VIP left srv1 or reached srv2 while srv1 served"; return 1; }
}
hold_for "$VG_SERVE_S" serving || vg_fail "$why (after $E2E_HOLD_AT)"
expect_vip_only srv1
expect_curl "IT WORKS SRV1"

e2e_log "srv1: kill -TERM (valgrind pid $VG_PID)"
kill -TERM "$VG_PID"
status=
if wait_for "$VG_STOP_S" lab_gone "$VG_PID"; then
	wait "$VG_PID"
	status=$?
fi
rm -f "$LAB_DIR/srv1/xhbd.pid"
[ -n "$status" ] || vg_fail "srv1's agent still runs $VG_STOP_S s after SIGTERM"
e2e_log "srv1's agent exited with status $status"

# Read the log before judging the status: it says why.
log=$LAB_DIR/srv1/valgrind.log
grep -q 'ERROR SUMMARY: 0 errors' "$log" || vg_fail "memcheck reported errors on srv1's xhbd"
grep -qE 'definitely lost: [1-9]' "$log" && vg_fail "memcheck: definite leaks in srv1's xhbd"
grep -E 'in use at exit|definitely lost|indirectly lost|possibly lost|still reachable|ERROR SUMMARY' "$log" |
	sed -E 's/^==[0-9]+== +//; s/^/  valgrind: /'
[ "$status" != "$VG_ERROR_STATUS" ] || vg_fail "valgrind found errors or definite leaks (exit $status)"
[ "$status" = 0 ] || vg_fail "srv1's xhbd exited $status after SIGTERM"

wait_for 15 lab_has_vip srv2 || vg_fail "srv2 did not take $LAB_VIP after srv1's stop"
ev_has srv1 agent_stop || vg_fail "srv1 has no agent_stop event: $(ev_names srv1)"
e2e_log "srv1 events: $(ev_names srv1)"
e2e_log "valgrind: no error, no definite leak"
exit 0
