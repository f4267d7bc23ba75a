#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# An in-place upgrade of the master (issue 5, "Hitless agent restart and
# upgrade"): `systemctl reload xhbd` runs the unit's ExecReload, which
# sends SIGUSR2 to xhbd; xhbd re-executes its binary in the same process,
# and the new agent adopts the pinned link, the maps, the VIP and the
# lease, swapping its (new) XDP program in with bpf_link_update.
#
# The test runs the ExecReload line of tools/systemd/xhbd.service itself
# ($MAINPID = srv1's xhbd), as systemd would, and asserts:
#   - same pid afterwards; agent_stop reason reexec, then agent_start;
#   - the pinned link (bpftool link show pinned .../xhb_link, inside the
#     node) keeps its link id while its prog id changes, to the prog_id of
#     the new dataplane_attached event (adopted: true); the old program is
#     freed (no descriptor of it survived the exec);
#   - map ids unchanged (bpftool map show pinned ...), and the new program
#     uses exactly those maps;
#   - zero lost client requests (vipcheck, 1 request/ms), no VIP move,
#     srv2 never holds the VIP, group_acquire reason adopted on srv1;
#   - the unit file: systemd-analyze verify is silent (skipped when not
#     runnable here), ExecReload sends USR2 to $MAINPID.
source "$(dirname "$0")/lib.bash" upgrade

UNIT=$XHB_TOP/tools/systemd/xhbd.service
LAB_HACF_EXTRA=$E2E_PROBE_STEADY
command -v bpftool >/dev/null || skip "needs bpftool"
[ -f "$UNIT" ] || fail "no unit file $UNIT"

# ---- the unit file
# Two ExecReload lines, run in order by systemd (a failing one stops the
# reload): the configuration checked, then USR2.
check_line=$(sed -n 's/^ExecReload=//p' "$UNIT" | head -n 1)
reload_line=$(sed -n 's/^ExecReload=//p' "$UNIT" | tail -n 1)
[ "$(grep -c '^ExecReload=' "$UNIT")" = 2 ] || fail "$UNIT: expected two ExecReload= lines, saw: $(grep '^ExecReload=' "$UNIT")"
grep -Eq '(^|[ /])xhbd +-t( |$)' <<<"$check_line" ||
	fail "$UNIT: the first ExecReload should check the configuration (xhbd -t), it is: $check_line"
grep -Eq '(^|[ /])kill +(-USR2|-SIGUSR2|-s +USR2|-s +SIGUSR2|--signal +USR2) +\$MAINPID$' <<<"$reload_line" ||
	fail "$UNIT: the last ExecReload should send USR2 to \$MAINPID, it is: $reload_line"
if command -v systemd-analyze >/dev/null 2>&1; then
	# The unit as installed would run /usr/sbin/xhbd: point it at the
	# build so that verify checks the unit, not this machine's /usr.
	mkdir -p "$LAB_DIR/unit"
	# --man=no: the man pages of Documentation= are installed by the
	# package (debian_package verifies the unit with them).
	sed "s|/usr/sbin/xhbd|$XHB_BUILD/xhbd|g" "$UNIT" >"$LAB_DIR/unit/xhbd.service"
	out=$(systemd-analyze verify --man=no "$LAB_DIR/unit/xhbd.service" 2>&1)
	rc=$?
	if [ "$rc" != 0 ] && grep -qiE 'not booted|Failed to (initialize|connect)|System has not been' <<<"$out"; then
		e2e_log "systemd-analyze verify not runnable here, skipped: $out"
	elif [ "$rc" != 0 ] || [ -n "$out" ]; then
		soft_fail "systemd-analyze verify $UNIT (binary at $XHB_BUILD/xhbd): exit $rc: $out"
	else
		e2e_log "systemd-analyze verify: the unit is clean; ExecReload=$reload_line"
	fi
else
	e2e_log "systemd-analyze is not installed: unit verification skipped"
fi

lab_setup || fail "lab setup failed"
e2e_start_pair
pid1=$(lab_pid srv1)
pin=/sys/fs/bpf/xhb/ens192 # as srv1 sees its bpffs

# "LINK_ID PROG_ID", "name=id ..." of the pinned maps, the prog's map ids
link_ids() {
	lab_in_node srv1 bpftool -j link show pinned "$pin/xhb_link" |
		python3 -c 'import json, sys; l = json.load(sys.stdin); print(l["id"], l["prog_id"])'
}
map_ids() {
	local m
	for m in xhb_peers xhb_self xhb_keys xhb_stats xhb_vips xhb_peer_groups; do
		printf '%s=%s ' "$m" "$(lab_in_node srv1 bpftool -j map show pinned "$pin/$m" |
			python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')"
	done
	echo
}
prog_map_ids() {
	lab_in_node srv1 bpftool -j prog show id "$1" |
		python3 -c 'import json, sys; print(" ".join(str(i) for i in sorted(json.load(sys.stdin).get("map_ids", []))))'
}

read -r link0 prog0 <<<"$(link_ids)" || fail "bpftool link show pinned $pin/xhb_link in srv1"
maps0=$(map_ids)
e2e_log "before: link $link0, prog $prog0, maps $maps0"
[ -n "$link0" ] && [ -n "$prog0" ] || fail "cannot read the pinned link in srv1"

# srv2 must never hold the VIP: ip addr polled every 20 ms for the whole test.
e2e_hold_bg 6 0.02 not vip_on srv2
poll=$E2E_HOLD_PID
e2e_watch 3000 "$LAB_DIR/watch.json"
watch=$LAB_WATCH_PID
t_reload=$(mono_now)
# The check, on srv1's files as srv1 sees them (its /etc/ha.d is -c here).
check=${check_line//\/usr\/sbin\/xhbd/$XHB_BUILD/xhbd}
check=${check//\/etc\/ha.d/$LAB_DIR/srv1/ha.d}
e2e_log "systemctl reload, as the unit says: $check"
# shellcheck disable=SC2086 # the command line, split as systemd splits it
lab_exec srv1 $check || fail "the reload's configuration check failed: $check"
cmd=${reload_line//\$MAINPID/$pid1}
cmd=${cmd#[-@+!:]}
e2e_log "then: $cmd"
# shellcheck disable=SC2086 # the command line, split as systemd splits it
$cmd || fail "ExecReload failed: $cmd"

ev_wait_since "$t_reload" 5 srv1 agent_stop reason=reexec || soft_fail "srv1: no agent_stop reason reexec after SIGUSR2: $(ev_names srv1)"
ev_wait_since "$t_reload" 5 srv1 agent_start || fail "srv1: the re-executed agent did not start: $(ev_names srv1) $(tail -n 5 "$LAB_DIR/srv1/xhbd.err")"
ev_wait_since "$t_reload" 5 srv1 group_acquire || soft_fail "srv1: the re-executed agent has no group_acquire: $(ev_names srv1)"
att=$(ev_since "$t_reload" srv1 dataplane_attached | head -n 1)
acq=$(ev_since "$t_reload" srv1 group_acquire | head -n 1)
e2e_log "srv1: $att"
e2e_log "srv1: $acq"
kill -0 "$pid1" 2>/dev/null && [ "$(lab_pid srv1)" = "$pid1" ] ||
	soft_fail "srv1's xhbd is not the same process after SIGUSR2 (was $pid1, now $(lab_pid srv1))"
start_pid=$(ev_since "$t_reload" srv1 agent_start | head -n 1 |
	python3 -c 'import json, sys; l = sys.stdin.readline(); print(json.loads(l).get("pid", "") if l else "")')
[ "$start_pid" = "$pid1" ] || soft_fail "the re-executed agent says pid $start_pid, expected $pid1"

read -r link1 prog1 <<<"$(link_ids)"
maps1=$(map_ids)
e2e_log "after:  link $link1, prog $prog1, maps $maps1"
[ "$link1" = "$link0" ] || soft_fail "the pinned link changed: id $link0 before, $link1 after (expected the same link, its program swapped)"
[ "$prog1" != "$prog0" ] || soft_fail "the link's program did not change (prog $prog0): the new binary's program was not swapped in"
new_prog=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1] or "{}").get("prog_id", ""))' "$att")
[ "$new_prog" = "$prog1" ] || soft_fail "dataplane_attached says prog_id $new_prog, the link runs $prog1"
python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1] or "{}").get("adopted") is not True)' "$att" ||
	soft_fail "expected dataplane_attached adopted: true after the re-exec, saw: ${att:-none}"
python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1] or "{}").get("reason") != "adopted")' "$acq" ||
	soft_fail "expected group_acquire reason adopted after the re-exec, saw: ${acq:-none}"
[ "$maps1" = "$maps0" ] || soft_fail "map ids changed: before $maps0, after $maps1"
# The new program must use the pinned maps; any other map it has must be
# its own read-only data (.rodata: the port and cluster id set at load), a
# ring buffer (a channel to its agent, per program by nature), a cache
# (the tags' prefix states, compared in full before use), or state derived
# from a pinned map before the swap (.bss: vip_filter, from xhb_vips: the
# VIP's bit must be set in it), never state (.data, a hash or array) that
# the swap would silently reset.
pinned=$(tr ' ' '\n' <<<"$maps1" | sed -n 's/^.*=//p')
got=$(prog_map_ids "$prog1")
for id in $pinned; do
	grep -qw "$id" <<<"$got" || soft_fail "the new program $prog1 does not use pinned map $id (it uses [$got], pinned: $maps1)"
done
for id in $got; do
	grep -qw "$id" <<<"$pinned" && continue
	read -r name type <<<"$(lab_in_node srv1 bpftool -j map show id "$id" |
		python3 -c 'import json, sys; m = json.load(sys.stdin); print(m.get("name", "?"), m.get("type", "?"))')"
	if [[ $name == *.rodata ]] || [ "$type" = ringbuf ] ||
		[[ $name == xhb_reply_prefi || $name == xhb_verify_pref ]]; then
		e2e_log "new program's own map $id: $name ($type)"
	elif [[ $name == *.bss ]]; then
		# vip_filter: bit b set for a VIP whose last byte is b
		if lab_in_node srv1 bpftool -j map dump id "$id" | python3 -c '
import json, sys
bss = json.load(sys.stdin)[0]["formatted"]["value"][".bss"]
words = next(v["vip_filter"] for v in bss if "vip_filter" in v)
b = int(sys.argv[1].split(".")[3])
sys.exit(not (int(words[b // 64]) >> (b % 64)) & 1)' "$LAB_VIP"; then
			e2e_log "new program's own map $id: $name ($type): vip_filter has $LAB_VIP"
		else
			soft_fail "the new program's vip_filter lacks the bit of $LAB_VIP: its fence would skip it ($(lab_in_node srv1 bpftool -j map dump id "$id"))"
		fi
	else
		soft_fail "the new program $prog1 has a map $id ($name, $type) that is not pinned: its state is lost at each upgrade"
	fi
done
prog_loaded() { lab_in_node srv1 bpftool prog show id "$1" >/dev/null 2>&1; }
wait_for 2 not prog_loaded "$prog0" || soft_fail "the old program $prog0 is still loaded 2 s after the swap (a descriptor survived the exec?): $(lab_in_node srv1 bpftool prog show id "$prog0" 2>&1 | head -n 2)"

wait "$watch"
wait "$poll"
expect_hitless upgrade "$t_reload"
e2e_log "srv1 events: $(ev_names srv1)"
exit 0
