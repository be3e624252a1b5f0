#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The runner's own selftest: proves that run.sh turns red on a failing test,
# a hung test, a hung guest, a WARN, an oops and (where the kernel has
# kmemleak) a leak, and that skips stay skips. Each case boots its own guest
# with one canary test from canaries/. Takes the same environment as run.sh.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
canaries=$here/canaries
n=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# expect NAME WANT [VAR=VALUE...] -- PATTERN...: run one canary boot with
# TESTS=canaries/NAME.sh (NAME up to a ':'); assert the exit status (0, or
# "red" for any failure) and that the runner's output matches every PATTERN.
expect() {
	local name=$1 want=$2 rc ok=1 pattern
	local -a vars=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		vars+=("$1")
		shift
	done
	shift
	n=$((n + 1))
	env TESTS="$canaries/${name%%:*}.sh" "${vars[@]}" "$here/run.sh" > "$log" 2>&1
	rc=$?
	if [ "$want" = red ]; then
		[ $rc -ne 0 ] || ok=0
	else
		[ $rc -eq "$want" ] || ok=0
	fi
	for pattern in "$@"; do
		grep -qE -- "$pattern" "$log" || ok=0
	done
	if [ $ok -eq 1 ]; then
		echo "ok $n runner: $name -> exit $rc"
	else
		echo "not ok $n runner: $name: wanted exit $want and output matching: $*; got exit $rc"
		sed 's/^/# /' "$log" | tail -n 40
		failed=$((failed + 1))
	fi
}

echo "KTAP version 1"
echo "1..8"
# skip NAME REASON: a case this lane does not run, reported as a skip.
skip() {
	n=$((n + 1))
	echo "ok $n runner: $1 # SKIP $2"
}

splat="FAIL: kernel splat in the guest log"
expect pass 0 -- "^ok 1 pass.sh$" "^bertha: PASS$"
# How the host side treats failures, skips and hangs does not depend on the
# guest kernel: the stock lane proves it, the debug lane spends its slower
# boots on what its kernel adds (panic_on_warn under KASAN, kmemleak).
if [ "${LANE:-stock}" = stock ]; then
	expect skip 0 -- "^ok 1 skip.sh # SKIP$" "pass:1 fail:0 skip:1" "^bertha: PASS$"
	expect fail red -- "^not ok 1 fail.sh" "FAIL: failed tests"
	expect hang:per-test red TEST_TIMEOUT=10 -- "^not ok 1 hang.sh # TIMEOUT"
	expect hang:whole-guest red TEST_TIMEOUT=100000 TIMEOUT="${HANG_BOOT_TIMEOUT:-90}" -- \
		"^# --- hang.sh" "FAIL: the guest did not finish within"
else
	for c in skip fail hang:per-test hang:whole-guest; do
		skip $c "host-side logic, proven on the stock lane"
	done
fi
expect warn red -- "^# --- warn.sh" "$splat" "WARNING: CPU"
expect bug red -- "^# --- bug.sh" "$splat" "(Oops|BUG: kernel NULL pointer)"
if [ "${LANE:-stock}" = debug ]; then
	expect leak red -- "^ok 1 leak.sh" "FAIL: kmemleak reports leaks" "unreferenced object"
else
	skip leak "no kmemleak in the stock kernel"
fi
[ $failed -eq 0 ]
