#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# The soak: `make test` N times on a fresh clone of this repository's HEAD,
# then how many times each test passed, failed and was skipped. A test that
# fails once here fails CI once in as many landings: fix it or make it
# deterministic, never retry it into green.
#
#   selftests/soak.sh N [--busy] [--steal] [--out FILE]
#
#   --busy      a CPU-bound loop pinned to the last CPU for the whole soak
#               (bounded by a timeout, killed on exit): the suite must hold
#               on a 2-CPU machine whose other CPU is taken
#   --steal     a hypervisor's steal, roughly emulated (selftests/steal.py):
#               every 200 ms one CPU, in turn, runs nothing but a 10 ms
#               busy burst (SCHED_FIFO): agents stop (agent_gap), and now
#               and then a veth NAPI queued there stops the lab's switch
#   --out FILE  also write the table (Markdown) to FILE
#
# The clone, its build and every run's log stay in /tmp/xhb-soak.XXXXXX
# (printed at the start) until the next reboot, so a failure can be read.
set -euo pipefail

usage() {
	echo "usage: $0 N [--busy] [--steal] [--out FILE]" >&2
	exit 2
}

runs=${1:-}
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
shift
busy=false steal=false out=""
while [ $# -gt 0 ]; do
	case $1 in
	--busy) busy=true ;;
	--steal) steal=true ;;
	--out)
		[ $# -ge 2 ] || usage
		out=$2
		shift
		;;
	*) usage ;;
	esac
	shift
done
[ -z "$out" ] || out=$(realpath -m "$out")

top=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$top" rev-parse --short HEAD)
dirty=$(git -C "$top" status --porcelain --untracked-files=no | head -n 1)
work=$(mktemp -d /tmp/xhb-soak.XXXXXX)
busy_pid="" steal_pid=""

cleanup() {
	local pid
	for pid in $busy_pid $steal_pid; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "soak: $runs x make test on a clone of $commit${dirty:+ (uncommitted changes are not in it)} in $work"
git clone -q "$top" "$work/xhb"
mkdir -p "$work/logs"

if $busy; then
	cpu=$(($(nproc) - 1))
	# Bounded: 20 minutes a run at most, then it stops by itself.
	taskset -c "$cpu" timeout $((runs * 1200)) sh -c 'while :; do :; done' &
	busy_pid=$!
	echo "soak: CPU $cpu busy (pid $busy_pid) for the whole soak"
fi
if $steal; then
	"$top/selftests/steal.py" $((runs * 1200)) &
	steal_pid=$!
	echo "soak: steal emulated (pid $steal_pid): 10 ms of one CPU every 200 ms"
fi

start=$(date +%s)
for i in $(seq "$runs"); do
	log=$work/logs/run-$i.log
	t0=$(date +%s)
	status=0
	make -C "$work/xhb" --no-print-directory test >"$log" 2>&1 || status=$?
	echo "soak: run $i/$runs: exit $status in $(($(date +%s) - t0)) s: $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)"
	grep -E '^FAIL ' "$log" | sed 's/^/soak:   /' || true
done
elapsed=$(($(date +%s) - start))

# One row per test: passed / failed / skipped over the runs.
python3 - "$work/logs" "$runs" "$commit" "$busy" "$steal" "$elapsed" "$out" <<'PY'
import collections, glob, os, re, sys
logs, runs, commit, busy, steal, elapsed, out = sys.argv[1:]
counts = collections.OrderedDict()
exits = []
for path in sorted(glob.glob(os.path.join(logs, "run-*.log")),
                   key=lambda p: int(re.search(r"run-(\d+)", p).group(1))):
    text = open(path, errors="replace").read()
    for m in re.finditer(r"^(PASS|FAIL|SKIP) +(\S+)", text, re.M):
        verdict, name = m.groups()
        counts.setdefault(name, collections.Counter())[verdict] += 1
    closing = re.findall(r"^(\d+) passed, (\d+) failed", text, re.M)
    exits.append(closing[-1] if closing else None)
failed_tests = [n for n, c in counts.items() if c["FAIL"]]
lines = [
    "# Soak: `make test` x %s%s%s" % (runs, ", other CPU busy" if busy == "true" else "",
                                      ", steal emulated" if steal == "true" else ""),
    "",
    "Commit %s, fresh clone, %s s in all (selftests/soak.sh %s%s%s)." % (
        commit, elapsed, runs, " --busy" if busy == "true" else "",
        " --steal" if steal == "true" else ""),
    "",
    "| test | passed | failed | skipped |",
    "| --- | ---: | ---: | ---: |",
]
for name, c in counts.items():
    if c["FAIL"] or name.startswith("e2e/") or not c["PASS"] == int(runs):
        lines.append("| %s | %d | %d | %d |" % (name, c["PASS"], c["FAIL"], c["SKIP"]))
unit = [c for n, c in counts.items() if n.startswith("unit/") and not c["FAIL"] and c["PASS"] == int(runs)]
lines.append("| unit/* (%d tests, each) | %s | 0 | 0 |" % (len(unit), runs))
lines += [
    "",
    "Runs that ended with a summary line: %d of %s; runs with a failure: %d." % (
        sum(1 for e in exits if e), runs, sum(1 for e in exits if not e or e[1] != "0")),
    "Tests that failed at least once: %s." % (", ".join(failed_tests) or "none"),
]
text = "\n".join(lines) + "\n"
print()
print(text, end="")
if out:
    with open(out, "w") as f:
        f.write(text)
sys.exit(1 if failed_tests or not all(exits) else 0)
PY
