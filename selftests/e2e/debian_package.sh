#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# The Debian package, built from a copy of this tree as a clone has it
# (tracked and untracked files, not build/):
#   - `dpkg-buildpackage -b -us -uc` builds xhb_*.deb;
#   - lintian on the .changes reports no error (no E: line);
#   - the .deb holds xhbd, xhbctl, the unit, /etc/logrotate.d/xhb, the
#     event schema, the examples, and the man pages (docs/man/*.scd) and
#     Heartbeat's commands (cl_status, hb_standby, hb_takeover) when the
#     Makefile installs them; it Conflicts with and Replaces heartbeat;
#   - installed (dpkg -i): enabled, not started; systemd-analyze verify
#     accepts the unit as installed, silently; the unit Conflicts with
#     heartbeat.service; a second dpkg -i (an upgrade) passes; logrotate
#     accepts /etc/logrotate.d/xhb (weekly, 8 rotations) and rotates
#     /var/log/ha-log with it; its postrotate asks systemd (systemctl
#     kill) and, when that fails, sends SIGHUP to the pid in
#     /run/xhb/xhbd.pid (a stand-in: sleep, which dies of it);
#     `xhbd -t -c` accepts the examples (ens192 renamed lo: no ens192
#     here); where heartbeat was installed, it is removed and its
#     resource.d scripts stay (they are conffiles: haresources needs them);
#   - purged (dpkg --purge), after an agent's state, socket directory and
#     logs were left as a running agent leaves them: no path under /usr
#     /etc /var/lib /var/log /lib/systemd /run that was not there before.
#
# The install and the purge run in a copy-on-write view of this machine
# (overlayfs over /, its upper layer on a tmpfs, in private mount and PID
# namespaces, chrooted; a fresh /run): the machine's own packages (the
# benchmarks' heartbeat, an installed xhb), the labs' /run/xhb and their
# agents (the stand-in's pid is of this PID namespace) are never
# touched, and the view vanishes with the namespaces. No network
# namespace; no daemon of ours runs.
set -uo pipefail

skip() {
	echo "$*"
	exit 77
}
fail() {
	echo "FAIL: $*"
	exit 1
}
log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
# CMD every 50 ms until it succeeds, for at most SECONDS of wall time (the
# one poll of this script; it needs no lab, so not lib.bash's lab_poll).
poll() { # seconds cmd...
	local end=$(($(date +%s%N) + $1 * 1000000000))
	shift
	until "$@"; do [ "$(date +%s%N)" -lt "$end" ] || return 1; sleep 0.05; done
}

# Paths compared before the install and after the purge.
SNAPSHOT_DIRS=(/usr /etc /var/lib /var/log /lib/systemd/ /run)

# ---- inside the private mount namespace: install, check, purge --------
# $0 --in-overlay TMP DEB: TMP/ovl becomes the view, DEB is installed in it.
in_overlay() {
	local tmp=$1 deb=$2 ovl=$1/ovl root hb_before="" out rc paths leftovers
	# The upper layer cannot live inside its lower one (/): a tmpfs.
	mkdir -p "$ovl"
	mount -t tmpfs -o size=1g,mode=0700 xhb-deb-test "$ovl" || skip "cannot mount a tmpfs on $ovl"
	mkdir -p "$ovl/upper" "$ovl/work" "$ovl/root"
	root=$ovl/root
	out=$(mount -t overlay xhb-deb-test -o "lowerdir=/,upperdir=$ovl/upper,workdir=$ovl/work" "$root" 2>&1) ||
		skip "cannot mount an overlay of / (needs overlayfs): $out"
	# This PID namespace's own /proc: pidof finds no lab's xhbd.
	mount --rbind /dev "$root/dev" && mount -t proc proc "$root/proc" && mount --bind /sys "$root/sys" ||
		fail "cannot mount /dev, /proc, /sys in the view"
	# No systemd in /run: the maintainer scripts only record the unit's
	# enablement, as on a machine being installed. No lab's /run/xhb.
	mount -t tmpfs -o mode=0755 xhb-deb-run "$root/run" || fail "cannot mount a tmpfs on the view's /run"
	mkdir -p "$root/run/lock"
	inroot() { chroot "$root" "$@"; }
	snapshot() { inroot find "${SNAPSHOT_DIRS[@]}" -xdev 2>/dev/null | sort -u; }

	mkdir -p "$root/tmp/xhb-deb-test"
	cp "$deb" "$root/tmp/xhb-deb-test/" || fail "cannot copy $deb into the view"
	deb=/tmp/xhb-deb-test/$(basename "$deb")
	[ "$(inroot dpkg-query -W -f='${Status}' heartbeat 2>/dev/null)" = "install ok installed" ] && hb_before=yes
	snapshot >"$tmp/before"

	log "dpkg -i $(basename "$deb")${hb_before:+ (heartbeat is installed: it goes)}"
	inroot dpkg -i "$deb" >"$tmp/install.log" 2>&1 || {
		cat "$tmp/install.log"
		fail "dpkg -i failed"
	}
	grep -E 'heartbeat|warning|error' "$tmp/install.log" | sed 's/^/    /'
	[ "$(inroot dpkg-query -W -f='${Status}' xhb 2>/dev/null)" = "install ok installed" ] || fail "xhb is not installed after dpkg -i"
	# Again: the maintainer scripts' upgrade path (without systemd here,
	# postinst has no agent to reload).
	out=$(inroot dpkg -i "$deb" 2>&1) || fail "dpkg -i over the installed package (an upgrade) failed: $out"
	if [ -n "$hb_before" ]; then
		[ "$(inroot dpkg-query -W -f='${db:Status-Status}' heartbeat 2>/dev/null)" = config-files ] ||
			fail "heartbeat was installed and is now: $(inroot dpkg-query -W -f='${Status}' heartbeat) (Conflicts + Replaces should remove it, not purge it)"
		[ -x "$root/etc/ha.d/resource.d/Filesystem" ] ||
			fail "removing heartbeat took its resource scripts (/etc/ha.d/resource.d/Filesystem)"
		log "heartbeat removed for xhb, its resource.d scripts kept"
	else
		log "heartbeat is not installed here: its removal by Conflicts + Replaces not checked"
	fi

	# The unit, as installed: enabled, not started (nothing ran), clean.
	[ -L "$root/etc/systemd/system/multi-user.target.wants/xhbd.service" ] ||
		fail "postinst did not enable xhbd.service (no multi-user.target.wants link)"
	grep -qx 'Conflicts=heartbeat.service' "$root/lib/systemd/system/xhbd.service" ||
		fail "the installed unit has no Conflicts=heartbeat.service"
	out=$(inroot systemd-analyze verify /lib/systemd/system/xhbd.service 2>&1)
	rc=$?
	# systemd-analyze's own trace (/run/systemd/systemd-units-load) in
	# this fresh /run: not the package's.
	rm -rf "$root/run/systemd"
	[ "$rc" = 0 ] && [ -z "$out" ] || fail "systemd-analyze verify /lib/systemd/system/xhbd.service: exit $rc: $out"
	log "systemd-analyze verify: the installed unit is clean"

	# logrotate: an unknown word is an "error:" line, exit status 0.
	out=$(inroot logrotate -d /etc/logrotate.d/xhb 2>&1)
	rc=$?
	[ "$rc" = 0 ] && ! grep -q '^error:' <<<"$out" || fail "logrotate -d /etc/logrotate.d/xhb: exit $rc: $(grep '^error:' <<<"$out")"
	grep -q '^rotating pattern: /var/log/ha-log /var/log/ha-debug .*weekly (8 rotations)' <<<"$out" ||
		fail "logrotate -d: not /var/log/ha-log and ha-debug weekly, 8 rotations: $(grep '^rotating pattern' <<<"$out")"
	# The postrotate, both ways: systemd's (a systemctl that records its
	# arguments and succeeds: nobody else is signalled) and the fallback (a
	# systemctl that fails as without systemd: the pid in
	# /run/xhb/xhbd.pid gets SIGHUP). The real systemctl, in a chroot, ignores the command.
	t=/tmp/xhb-deb-test
	mkdir -p "$root$t/bin"
	cp "$root/bin/sleep" "$root$t/xhbd"
	# A subshell waits for it and keeps its exit status (its stderr: bash
	# reports the death by SIGHUP, the expected end).
	(
		inroot "$t/xhbd" 60
		echo $? >"$root$t/xhbd.status"
	) 2>/dev/null &
	poll 5 inroot pidof xhbd >/dev/null
	# The agent's pid file, as xhbd writes it beside its control socket:
	# the fallback signals that pid, never a process found by name.
	mkdir -p "$root/run/xhb"
	inroot pidof xhbd >"$root/run/xhb/xhbd.pid" || fail "the stand-in xhbd did not start"
	rotate() { # systemctl's exit status
		printf '#!/bin/sh\necho "$*" >>%s/systemctl.args\nexit %s\n' "$t" "$1" >"$root$t/bin/systemctl"
		chmod 755 "$root$t/bin/systemctl"
		echo '{"event":"agent_start"}' >"$root/var/log/ha-log"
		out=$(inroot env PATH="$t/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
			logrotate -f -s "$t/logrotate.state" /etc/logrotate.d/xhb 2>&1) ||
			fail "logrotate -f /etc/logrotate.d/xhb: $out"
		[ -s "$root/var/log/ha-log.1" ] || fail "logrotate -f did not rotate /var/log/ha-log: $out"
	}
	gone() { poll 2 test -e "$root$t/xhbd.status"; }
	rotate 0
	[ "$(cat "$root$t/systemctl.args")" = "kill --kill-whom=main --signal=HUP xhbd.service" ] ||
		fail "postrotate did not ask systemd: systemctl $(cat "$root$t/systemctl.args")"
	! gone || fail "postrotate signalled xhbd itself although systemctl kill succeeded"
	rotate 1
	gone || fail "postrotate did not send SIGHUP to xhbd when systemctl failed"
	rc=$(cat "$root$t/xhbd.status")
	[ "$rc" = $((128 + 1)) ] || fail "the stand-in xhbd exited $rc, not of SIGHUP"
	rm -f "$root/run/xhb/xhbd.pid"
	log "logrotate: weekly, 8 rotations; postrotate: systemctl kill, else SIGHUP to the pid of /run/xhb/xhbd.pid"

	# The examples load. This machine has no ens192: the lab's interface
	# becomes lo, nothing else changes (the authkeys comment included).
	mkdir -p "$root/tmp/xhb-deb-test/ha.d"
	cp "$root"/usr/share/doc/xhb/examples/{ha.cf,haresources,authkeys} "$root/tmp/xhb-deb-test/ha.d/" ||
		fail "the examples are not installed in /usr/share/doc/xhb/examples"
	sed -i 's/\bens192\b/lo/g' "$root/tmp/xhb-deb-test/ha.d/ha.cf" "$root/tmp/xhb-deb-test/ha.d/haresources"
	chmod 600 "$root/tmp/xhb-deb-test/ha.d/authkeys"
	out=$(inroot /usr/sbin/xhbd -t -c /tmp/xhb-deb-test/ha.d 2>&1) || fail "xhbd -t on the installed examples: $out"
	log "xhbd -t -c (the examples, on lo): $out"
	rm -rf "$root/tmp/xhb-deb-test"

	# What a running agent leaves at its default paths (state, the control
	# socket's directory, its logfile; ha-log.1 is logrotate's, above):
	# purge removes them.
	mkdir -p "$root/var/lib/xhb" "$root/run/xhb"
	echo 1764950000000000001 >"$root/var/lib/xhb/incarnation"
	: >"$root/run/xhb/xhbd.sock"
	echo '{"event":"agent_start"}' >"$root/var/log/ha-log"

	log "dpkg --purge xhb"
	inroot dpkg --purge xhb >"$tmp/purge.log" 2>&1 || {
		cat "$tmp/purge.log"
		fail "dpkg --purge xhb failed"
	}
	[ -z "$(inroot dpkg-query -W -f='${Status}' xhb 2>/dev/null)" ] ||
		[ "$(inroot dpkg-query -W -f='${Status}' xhb 2>/dev/null)" = "unknown ok not-installed" ] ||
		fail "xhb is still known to dpkg after the purge: $(inroot dpkg-query -W -f='${Status}' xhb)"
	snapshot >"$tmp/after"
	leftovers=$(comm -13 "$tmp/before" "$tmp/after")
	[ -z "$leftovers" ] || fail "left behind after dpkg --purge xhb: $(head -20 <<<"$leftovers" | tr '\n' ' ')"
	paths=$(wc -l <"$tmp/before")
	log "purged: none of the $paths paths under ${SNAPSHOT_DIRS[*]} is new"
	exit 0
}
if [ "${1:-}" = --in-overlay ]; then
	in_overlay "$2" "$3"
fi

# ---- the build, lintian and the contents, in a temporary directory -----
TOP=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || skip "needs root (dpkg -i in a private mount namespace)"
for tool in dpkg-buildpackage dh lintian systemd-analyze logrotate unshare chroot; do
	command -v "$tool" >/dev/null 2>&1 || skip "needs $tool (tools/deps.sh installs it)"
done
[ -f "$TOP/debian/control" ] || fail "no debian/control in $TOP"

tmp=$(mktemp -d /tmp/xhb-deb.XXXXXX)
# The namespace's mounts die with it; what is on disk goes here.
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
src=$tmp/src/xhb
mkdir -p "$src"
if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$TOP" && git ls-files -z -co --exclude-standard | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
		tar -xf - -C "$src" || fail "cannot copy the tree to $src"
else
	tar -C "$TOP" --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$src" || fail "cannot copy the tree to $src"
fi

log "dpkg-buildpackage -b -us -uc (in a copy of the tree: $src)"
(cd "$src" && dpkg-buildpackage -b -us -uc -j"$(nproc)") >"$tmp/build.log" 2>&1 || {
	tail -n 40 "$tmp/build.log"
	fail "dpkg-buildpackage -b -us -uc failed (the end of its log is above)"
}
debs=("$tmp"/src/xhb_*.deb)
changes=("$tmp"/src/xhb_*.changes)
[ -f "${debs[0]}" ] && [ -f "${changes[0]}" ] || fail "no xhb_*.deb or .changes in $tmp/src: $(ls "$tmp/src")"
deb=${debs[0]}
log "built $(basename "$deb")"

lintian --display-info "${changes[0]}" >"$tmp/lintian.out" 2>&1
lintian_rc=$?
grep -v '^running with root privileges' "$tmp/lintian.out" | sed 's/^/    lintian: /'
grep -q '^E: ' "$tmp/lintian.out" && fail "lintian reports errors (E: above)"
[ "$lintian_rc" = 0 ] || fail "lintian exited $lintian_rc: $(tail -n 3 "$tmp/lintian.out")"
log "lintian: no error ($(grep -c '^W: ' "$tmp/lintian.out") warnings)"

dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$tmp/contents"
missing=()
need() { grep -qxF "$1" "$tmp/contents" || missing+=("$1"); }
for f in /usr/sbin/xhbd /usr/sbin/xhbctl /lib/systemd/system/xhbd.service \
	/etc/logrotate.d/xhb /usr/share/xhb/events.schema.json \
	/usr/share/doc/xhb/examples/ha.cf /usr/share/doc/xhb/examples/haresources \
	/usr/share/doc/xhb/examples/authkeys /usr/share/doc/xhb/copyright; do
	need "$f"
done
# Man pages: docs/man/NAME[.SECTION].scd is /usr/share/man/manN/NAME.N.gz.
for scd in "$src"/docs/man/*.scd; do
	[ -e "$scd" ] || continue
	page=$(basename "$scd" .scd)
	page=${page%.[1-9]}
	grep -qE "^/usr/share/man/man[1-9]/${page//./\\.}\.[1-9]\.gz\$" "$tmp/contents" ||
		missing+=("the man page of $(basename "$scd")")
done
# Heartbeat's commands, wherever the Makefile's install target puts them.
for cmd in cl_status hb_standby hb_takeover; do
	grep -q "$cmd" "$src/Makefile" || continue
	grep -qE "/$cmd\$" "$tmp/contents" || missing+=("$cmd (named in the Makefile)")
done
[ ${#missing[@]} = 0 ] || fail "missing from $(basename "$deb"): ${missing[*]}"
grep -qw heartbeat <<<"$(dpkg-deb -f "$deb" Conflicts)" || fail "the package does not conflict with heartbeat"
grep -qw heartbeat <<<"$(dpkg-deb -f "$deb" Replaces)" || fail "the package does not replace heartbeat"
log "contents: $(grep -c . "$tmp/contents") paths, every expected file there"

unshare --mount --pid --fork --propagation private "$BASH" "$0" --in-overlay "$tmp" "$deb"
rc=$?
[ "$rc" = 0 ] || exit "$rc"
echo "PASS: the package builds, is lintian-clean, installs, verifies and purges without a trace"
