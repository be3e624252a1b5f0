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

# expect NAME WANT_RC PATTERN [VAR=VALUE...]: run one canary boot with
# TESTS=canaries/NAME.sh; assert the exit status (0 or "red") and a line
# matching PATTERN in the runner's output.
expect() {
	local name=$1 want=$2 pattern=$3 rc ok=1
	shift 3
	n=$((n + 1))
	env TESTS="$canaries/${name%%:*}.sh" "$@" "$here/run.sh" > "$log" 2>&1
	rc=$?
	if [ "$want" = red ]; then
		[ $rc -ne 0 ] || ok=0
	else
		[ $rc -eq "$want" ] || ok=0
	fi
	grep -qE -- "$pattern" "$log" || ok=0
	if [ $ok -eq 1 ]; then
		echo "ok $n runner: $name -> exit $rc, saw '$pattern'"
	else
		echo "not ok $n runner: $name: wanted $want and '$pattern', got exit $rc"
		sed 's/^/# /' "$log" | tail -n 40
		failed=$((failed + 1))
	fi
}

echo "KTAP version 1"
echo "1..8"
expect pass 0 "^bertha: PASS$"
expect skip 0 "pass:1 fail:0 skip:1"
expect fail red "not ok 1 fail.sh"
expect hang:per-test red "not ok 1 hang.sh # TIMEOUT" TEST_TIMEOUT=10
expect hang:whole-guest red "did not finish within" TEST_TIMEOUT=100000 TIMEOUT=${HANG_BOOT_TIMEOUT:-90}
expect warn red "FAIL: kernel splat in the guest log"
expect bug red "FAIL: kernel splat in the guest log"
if [ "${LANE:-stock}" = debug ]; then
	expect leak red "kmemleak reports leaks"
else
	n=$((n + 1))
	echo "ok $n runner: leak # SKIP no kmemleak in the stock kernel"
fi
[ $failed -eq 0 ]
