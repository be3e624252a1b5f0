#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The runner's own selftest: proves that run.sh turns red on a failing test,
# a hung test, a hung guest, a WARN, an oops and (where the kernel has
# kmemleak) a leak, in one guest and in parallel mode, and that skips (of a
# program, or of one case in its KTAP) are shown and are red unless the
# lane's allow list names them. Each case boots its own guest(s) with canary tests from canaries/;
# the cases run side by side, as many at a time as the host has CPUs. Takes
# the same environment as run.sh.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
canaries=$here/canaries
cases=$(mktemp -d)
trap 'rm -rf "$cases"' EXIT
n=0
max=$(nproc)

# check N NAME WANT RC LOG PATTERN...: the verdict of one finished case.
check() {
	local n=$1 name=$2 want=$3 rc=$4 log=$5 ok=1 pattern
	shift 5
	if [ "$want" = red ]; then
		[ "$rc" -ne 0 ] || ok=0
	else
		[ "$rc" -eq "$want" ] || ok=0
	fi
	for pattern in "$@"; do
		grep -qE -- "$pattern" "$log" || ok=0
	done
	if [ $ok -eq 1 ]; then
		echo "ok $n runner: $name -> exit $rc"
	else
		echo "not ok $n runner: $name: wanted exit $want and output matching: $*; got exit $rc"
		sed 's/^/# /' "$log" | tail -n 40
	fi
}

# expect NAME WANT [VAR=VALUE...] -- PATTERN...: start one case in the
# background with TESTS=canaries/NAME.sh (NAME up to a ':'; TESTS= among
# the variables overrides it); its verdict asserts the exit status (0, or
# "red" for any failure) and that the runner's output matches every PATTERN.
expect() {
	local name=$1 want=$2
	local -a vars=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		vars+=("$1")
		shift
	done
	shift
	n=$((n + 1))
	while [ "$(jobs -rp | wc -l)" -ge "$max" ]; do
		wait -n
	done
	(
		env TESTS="$canaries/${name%%:*}.sh" "${vars[@]}" "$here/run.sh" > "$cases/$n.log" 2>&1
		check "$n" "$name" "$want" $? "$cases/$n.log" "$@" > "$cases/$n.tap"
	) &
}

# skip NAME REASON: a case this lane does not run, reported as a skip.
skip() {
	n=$((n + 1))
	echo "ok $n runner: $1 # SKIP $2" > "$cases/$n.tap"
}

splat="FAIL: kernel splat in the guest log"
c=$canaries
# The longest case first: it waits for its boot timeout.
if [ "${LANE:-stock}" = stock ]; then
	expect hang:whole-guest red TEST_TIMEOUT=100000 TIMEOUT="${HANG_BOOT_TIMEOUT:-60}" -- \
		"^# --- hang.sh" "FAIL: the guest did not finish within"
fi
expect pass 0 -- "^ok 1 pass.sh$" "^bertha: PASS$"
# How the host side treats failures, skips and hangs does not depend on the
# guest kernel: the stock lane proves it, the debug lane spends its slower
# boots on what its kernel adds (panic_on_warn under KASAN, kmemleak).
if [ "${LANE:-stock}" = stock ]; then
	# A skip is shown (the program's, and each case a program's KTAP
	# skipped) and is red unless the lane's allow list names it.
	expect skip red -- "^ok 1 skip.sh # SKIP a canary that skips$" \
		"pass:1 fail:0 skip:1 skipped-cases:1" \
		"^# SKIP skip.sh -: a canary that skips \(NOT allowed on the stock lane\)$" \
		"FAIL: skipped, and not allowed" "^bertha: FAIL: skip.sh -: a canary that skips$"
	expect case-skip red -- "^ok 1 case-skip.sh$" "skipped-cases:1" \
		"^# SKIP case-skip.sh canary.skips: a canary case that skips \(NOT allowed" \
		"^bertha: FAIL: case-skip.sh canary.skips: a canary case that skips$"
	expect fail red -- "^not ok 1 fail.sh" "FAIL: failed tests"
	expect hang:per-test red TEST_TIMEOUT=10 -- "^not ok 1 hang.sh # TIMEOUT"
	# Parallel mode: results merged in list order, a failure in either
	# guest turns the run red, and a guest that dies leaves a hole.
	expect parallel:fail red PARALLEL=2 TESTS="$c/pass.sh $c/fail.sh $c/skip.sh" -- \
		"^ok 1 pass.sh$" "^not ok 2 fail.sh" "^ok 3 skip.sh # SKIP a canary that skips$" \
		"^ok 4 rmmod bertha \(guest g[12]\)$" "FAIL: failed tests" \
		"^bertha: FAIL: skip.sh -: a canary that skips$"
	expect parallel:oops red PARALLEL=2 TESTS="$c/bug.sh $c/pass.sh" -- \
		"$splat" "FAIL: planned 4 results, saw [0-3]$"
	# Skips that the allow list names keep a run green, and are shown.
	expect parallel:pass 0 PARALLEL=2 SKIPS_ALLOWED="$c/skips.allowed" \
		TESTS="$c/pass.sh $c/skip.sh $c/case-skip.sh" -- \
		"^ok 1 pass.sh$" "^ok 2 skip.sh # SKIP a canary that skips$" "^ok 3 case-skip.sh$" \
		"^# SKIP case-skip.sh canary.skips: a canary case that skips \(allowed on the stock lane: the canary case that skips\)$" \
		"skip:1 skipped-cases:2" "2 guests" "^bertha: PASS$"
else
	for name in skip case-skip fail hang:per-test hang:whole-guest parallel:fail parallel:oops parallel:pass; do
		skip $name "host-side logic, proven on the stock lane"
	done
fi
expect warn red -- "^# --- warn.sh" "$splat" "WARNING: CPU"
expect bug red -- "^# --- bug.sh" "$splat" "(Oops|BUG: kernel NULL pointer)"
if [ "${LANE:-stock}" = debug ]; then
	expect leak red -- "^ok 1 leak.sh" "FAIL: kmemleak reports leaks" "unreferenced object"
else
	skip leak "no kmemleak in the stock kernel"
fi
wait

echo "KTAP version 1"
echo "1..$n"
failed=0
for i in $(seq "$n"); do
	cat "$cases/$i.tap" 2>/dev/null || echo "not ok $i runner: case $i left no verdict"
	grep -q '^ok ' "$cases/$i.tap" 2>/dev/null || failed=$((failed + 1))
done
[ $failed -eq 0 ]
