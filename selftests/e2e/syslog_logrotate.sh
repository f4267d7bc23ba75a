#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Logging as Heartbeat users expect, against a real rsyslog: the seed's
# ha.cf (logfacility local0, logfile /var/log/ha-log, debugfile
# /var/log/ha-debug) sends one line for people per event to syslog, with
# the facility and a severity per event, and keeps JSON lines in the two
# files (logfile: info and above; debugfile: every event); logrotate with
# the shipped snippet (tools/logrotate/xhb) moves the files and its
# postrotate's SIGHUP makes xhbd write to new ones.
#
# The test runs in a mount namespace of its own, where /dev is an overlay
# of the machine's: rsyslogd creates /dev/log there, seen by every daemon
# of the lab and by nothing outside the test.
if [ -z "${XHB_E2E_MNTNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
	command -v unshare >/dev/null || { echo "needs unshare"; exit 77; }
	XHB_E2E_MNTNS=$(mktemp -d /tmp/xhb-e2e-syslog.XXXXXX) || exit 1
	export XHB_E2E_MNTNS
	unshare --mount --propagation private bash "$0" "$@"
	rc=$?
	rm -rf "$XHB_E2E_MNTNS"
	exit "$rc"
fi
source "$(dirname "$0")/lib.bash" syslog
for tool in rsyslogd logrotate; do
	command -v "$tool" >/dev/null || skip "needs $tool (tools/deps.sh installs it)"
done

T=$XHB_E2E_MNTNS
mkdir -p "$T/up" "$T/work"
mount -t overlay xhb-dev -o "lowerdir=/dev,upperdir=$T/up,workdir=$T/work" /dev ||
	skip "cannot overlay /dev in the test's mount namespace"

lab_setup || fail "lab setup failed"
SYSLOG=$LAB_DIR/srv2/log # srv2's /var/log: rsyslog writes there
cat >"$T/rsyslog.conf" <<'EOF'
global(workDirectory="/var/log")
module(load="imuxsock" SysSock.Name="/dev/log" SysSock.RateLimit.Interval="0")
template(name="xhb" type="string"
         string="%syslogfacility-text%.%syslogseverity-text% %programname%[%procid%]:%msg%\n")
local0.*	action(type="omfile" file="/var/log/ha-syslog" template="xhb")
*.err	action(type="omfile" file="/var/log/errors" template="xhb")
EOF
(lab_node_run srv2 "$LAB_DIR/srv2" "$LAB_DIR/bpf/srv2" \
	rsyslogd -n -f "$T/rsyslog.conf" -i /var/log/rsyslogd.pid) >"$T/rsyslogd.out" 2>&1 &
e2e_bg $!
wait_for 10 test -S /dev/log || fail "rsyslogd did not create /dev/log: $(cat "$T/rsyslogd.out")"
e2e_log "rsyslogd listens on /dev/log (the test's /dev only)"

e2e_start_pair
P1=$(lab_pid srv1)
P2=$(lab_pid srv2)

# syslog_has LINE-REGEX: a line of the local0 file matches (grep -E).
syslog_has() { grep -qE "$1" "$SYSLOG/ha-syslog" 2>/dev/null; }
expect_syslog() { # what regex
	wait_for 5 syslog_has "$2" ||
		fail "syslog: no $1 line matching '$2'; got: $(tail -20 "$SYSLOG/ha-syslog" 2>/dev/null)"
}
expect_syslog "start of srv1's agent" "^local0\.notice xhbd\[$P1\]: xhbd [0-9.]+ started, pid $P1"
expect_syslog "start of srv2's agent" "^local0\.notice xhbd\[$P2\]: xhbd [0-9.]+ started, pid $P2"
expect_syslog "srv1's takeover at start" \
	"^local0\.notice xhbd\[$P1\]: took over group 0 \(IPaddr::172\.16\.193\.30/16/ens192\): preferred node, in [0-9.]+ ms$"
e2e_log "syslog: both agents' starts and srv1's takeover, local0.notice"

# Fail over: srv1's link goes down.
lab_exec srv1 ip link set ens192 down
wait_for 5 lab_has_vip srv2 || fail "srv2 did not take the VIP after srv1's link went down"
expect_syslog "srv2's verdict" "^local0\.warning xhbd\[$P2\]: peer srv1 dead after [0-9.]+ ms \(.+\)$"
expect_syslog "srv2's takeover" \
	"^local0\.notice xhbd\[$P2\]: took over group 0 \(IPaddr::172\.16\.193\.30/16/ens192\): peer dead( \(from srv1\))?, in [0-9.]+ ms$"
expect_syslog "srv1's fault" "^local0\.err xhbd\[$P1\]: state active -> fault \(link down\)$"
grep -qE "^local0\.err xhbd\[$P1\]: state active -> fault" "$SYSLOG/errors" ||
	fail "*.err got no fault line: $(cat "$SYSLOG/errors" 2>/dev/null)"
! grep -qE "^local0\.debug " "$SYSLOG/ha-syslog" ||
	fail "debug lines reached syslog without 'debug 1': $(grep -E '^local0\.debug ' "$SYSLOG/ha-syslog" | head -3)"
e2e_log "syslog: srv2's verdict (warning), takeover (notice), srv1's fault (err, also in *.err)"
# Every event of severity info and above is a syslog line: as many lines
# of srv2's pid as events in srv2's logfile.
wait_for 5 bash -c "[ \$(grep -c 'xhbd\[$P2\]:' '$SYSLOG/ha-syslog') -ge \$(wc -l <'$LAB_DIR/srv2/log/ha-log') ]" ||
	fail "syslog has $(grep -c "xhbd\[$P2\]:" "$SYSLOG/ha-syslog") lines of srv2, its logfile $(wc -l <"$LAB_DIR/srv2/log/ha-log") events"

# The JSON files: debugfile is stdout's stream; logfile the same less the
# debug events (the repeated gratuitous ARPs).
LOG=$LAB_DIR/srv2/log
wait_for 5 ev_has srv2 garp_sent packet=2 || fail "srv2 sent no second announcement"
wait_for 5 cmp -s "$LOG/ha-debug" "$(ev_file srv2)" ||
	fail "srv2's debugfile differs from its events on stdout: $(diff "$LOG/ha-debug" "$(ev_file srv2)" | head -5)"
grep -q '"event":"garp_sent".*"packet":1[,}]' "$LOG/ha-log" || fail "the logfile lacks the first announcement"
! grep -q '"event":"garp_sent".*"packet":2[,}]' "$LOG/ha-log" || fail "a repeated announcement (debug) is in the logfile"
python3 -c 'import json, sys
for l in open(sys.argv[1]): json.loads(l)' "$LOG/ha-log" || fail "srv2's logfile has a line that is not JSON"
[ "$(grep -vc '"event":"garp_sent"' "$LOG/ha-log")" = "$(grep -vc '"event":"garp_sent"' "$LOG/ha-debug")" ] ||
	fail "logfile and debugfile differ beyond the debug events"
e2e_log "files: ha-debug = stdout ($(wc -l <"$LOG/ha-debug") events), ha-log = the same less the repeated announcements"

# logrotate, with the snippet as shipped, run as the node sees the world
# (its /var/log, its /run/xhb with xhbd.pid).
wait_for 3 test -s "$LAB_DIR/srv2/run/xhbd.pid" || fail "xhbd wrote no /run/xhb/xhbd.pid"
[ "$(cat "$LAB_DIR/srv2/run/xhbd.pid")" = "$P2" ] || fail "xhbd.pid says $(cat "$LAB_DIR/srv2/run/xhbd.pid"), the agent is $P2"
reloads=$(ev_count srv2 reload)
(lab_node_run srv2 "$LAB_DIR/srv2" "$LAB_DIR/bpf/srv2" \
	logrotate -f -s /var/log/logrotate.state "$XHB_TOP/tools/logrotate/xhb") >"$T/logrotate.out" 2>&1 ||
	fail "logrotate failed: $(cat "$T/logrotate.out")"
{ [ -s "$LOG/ha-log.1" ] && [ -s "$LOG/ha-debug.1" ]; } || fail "logrotate did not move the files: $(ls -l "$LOG")"
wait_for 5 bash -c "[ \$(grep -c '\"event\":\"reload\"' '$(ev_file srv2)') -gt $reloads ]" ||
	fail "postrotate's SIGHUP did not reach srv2's agent (no reload event)"
wait_for 5 grep -q '"event":"reload"' "$LOG/ha-log" || fail "after the SIGHUP the new logfile got nothing: $(ls -l "$LOG")"
wait_for 5 grep -q '"event":"reload"' "$LOG/ha-debug" || fail "after the SIGHUP the new debugfile got nothing"
! grep -q '"event":"reload"' "$LOG/ha-log.1" || fail "the reload event went to the rotated file"
expect_syslog "srv2's reload" "^local0\.notice xhbd\[$P2\]: reloading .* on SIGHUP$"
e2e_log "logrotate: ha-log.1 and ha-debug.1 kept, the SIGHUP of postrotate made srv2 write to new files"

# Later events go to the new files too: srv1 comes back.
lab_exec srv1 ip link set ens192 up
wait_for 10 grep -q '"event":"peer_up".*"peer":"srv1"' "$LOG/ha-log" ||
	fail "srv1's return is not in srv2's new logfile"
expect_syslog "srv1's return" "^local0\.notice xhbd\[$P2\]: peer srv1 up"
[ "$(stat -c %a "$LOG/ha-log")" = 640 ] || fail "the new logfile is mode $(stat -c %a "$LOG/ha-log"), want 640"
e2e_log "srv1's return: in the new ha-log and in syslog"
