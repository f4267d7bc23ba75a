#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Runs each libFuzzer harness built by `make fuzz-build` for FUZZ_SECONDS
# (default 60), from the seed corpus selftests/fuzz/corpus/<target> plus
# what earlier runs found (build/fuzz/corpus/<target>, where new inputs
# go: the source tree is never written). One PASS/FAIL line per target,
# then "N passed, N failed". A crash, a sanitizer report or a broken
# property leaves the input in build/fuzz/crashes/<target>/: replay it with
#   build/fuzz/fuzz_<target> FILE
# and, once fixed, add it to selftests/fuzz/regress/<target>/ so that
# selftests/unit/test_fuzz_regress.c replays it in every `make test`.
#
#   selftests/fuzz/run.sh [TARGET...]   default: every fuzz_*.c
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${XHB_BUILD:-build}
seconds=${FUZZ_SECONDS:-60}
passed=0 failed=0

targets=("$@")
if [ ${#targets[@]} = 0 ]; then
	for f in selftests/fuzz/fuzz_*.c; do
		t=${f##*/fuzz_}
		targets+=("${t%.c}")
	done
fi

# Longest input worth trying: a config file is a few KiB, a frame fits a
# page (BPF_PROG_TEST_RUN's limit too).
max_len() {
	case $1 in
	wire) echo 256 ;;
	frame) echo 1600 ;;
	*) echo 8192 ;;
	esac
}

for t in "${targets[@]}"; do
	bin=$build/fuzz/fuzz_$t
	seeds=selftests/fuzz/corpus/$t
	work=$build/fuzz/corpus/$t
	crashes=$build/fuzz/crashes/$t
	log=$build/fuzz/$t.log
	dict=selftests/fuzz/dict/$t.dict
	if [ ! -x "$bin" ]; then
		printf 'FAIL fuzz/%s (%s not built: make fuzz-build)\n' "$t" "$bin"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$work" "$crashes"
	args=(-max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=10
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/")
	[ -f "$dict" ] && args+=(-dict="$dict")
	[ -d "$seeds" ] || seeds=
	# libFuzzer stops at max_total_time; the timeout is a backstop.
	timeout --kill-after=10 $((seconds + 120)) "$bin" "${args[@]}" "$work" ${seeds:+"$seeds"} >"$log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)
	if [ "$status" = 0 ]; then
		printf 'PASS fuzz/%s (%ss, %s runs, %s, corpus %s files)\n' "$t" "$seconds" \
			"${execs:-?}" "${cov:-cov: ?}" "$(find "$work" -type f | wc -l)"
		passed=$((passed + 1))
	else
		printf 'FAIL fuzz/%s (exit %s, log %s, inputs in %s)\n' "$t" "$status" "$log" "$crashes"
		grep -E 'ERROR|SUMMARY|property broken|runtime error|Test unit written' "$log" | head -n 10 | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
