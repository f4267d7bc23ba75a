#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Runs every test: the unit binary (Criterion: SipHash, config, decision,
# XDP through BPF_PROG_TEST_RUN, ...) and the end-to-end scripts in
# selftests/e2e (real daemons in throwaway network namespaces).
# One PASS/FAIL/SKIP line per test, then "N passed, N failed, N skipped".
# Exit status: 0 only when nothing failed.
#
#   selftests/run.sh [PATTERN]   run the tests whose name matches PATTERN
set -uo pipefail
cd "$(dirname "$0")/.."
pattern=${1:-}
export XHB_BUILD=${XHB_BUILD:-$PWD/build}
passed=0 failed=0 skipped=0
logdir=$(mktemp -d /tmp/xhb-tests.XXXXXX)

count() { # verdict name [why]
	case $1 in
	PASS) passed=$((passed + 1)) ;;
	FAIL) failed=$((failed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	esac
	printf '%-4s %s%s\n' "$1" "$2" "${3:+ ($3)}"
}

# Unit tests: Criterion's TAP output, one line per test.
if [ -x "$XHB_BUILD/selftests/unit" ]; then
	filter=()
	[ -n "$pattern" ] && filter=(--filter "*$pattern*")
	"$XHB_BUILD/selftests/unit" --tap="$logdir/unit.tap" -j2 "${filter[@]}" >"$logdir/unit.log" 2>&1
	unit_status=$?
	while IFS= read -r line; do
		name=unit/$(sed -E 's/^(not )?ok( [0-9]+)? - ([^ ]+).*/\3/' <<<"$line")
		case $line in
		"ok "*"# SKIP"*)
			# --filter marks every other test skipped: not ours to count
			[ -n "$pattern" ] && [[ $line == *"test was skipped"* ]] && continue
			count SKIP "$name" "${line#*# SKIP }"
			;;
		"ok "*) count PASS "$name" ;;
		"not ok "*) count FAIL "$name" ;;
		esac
	done < <(cat "$logdir/unit.tap" 2>/dev/null)
	if [ "$unit_status" != 0 ]; then
		grep -vE '^\[----\] +$' "$logdir/unit.log" | grep -E 'FAIL|Assertion|CRASH|fail|error' | head -40 | sed 's/^/    /'
		[ "$failed" = 0 ] && count FAIL unit "the unit binary exited $unit_status: see $logdir/unit.log"
	fi
else
	count FAIL unit "$XHB_BUILD/selftests/unit is not built: run make"
fi

# End-to-end tests: exit 0 pass, 77 skip (last line of output says why), else fail.
for t in selftests/e2e/*.sh; do
	[ -e "$t" ] || continue
	name=e2e/$(basename "$t" .sh)
	[ -n "$pattern" ] && [[ $name != *$pattern* ]] && continue
	log=$logdir/$(basename "$t" .sh).log
	timeout --kill-after=10 600 bash "$t" >"$log" 2>&1
	status=$?
	case $status in
	0) count PASS "$name" ;;
	77) count SKIP "$name" "$(tail -n 1 "$log")" ;;
	*)
		count FAIL "$name" "exit $status, log $log"
		tail -n 25 "$log" | sed 's/^/    /'
		;;
	esac
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ $((passed + skipped)) -gt 0 ]
