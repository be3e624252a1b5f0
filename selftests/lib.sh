# SPDX-License-Identifier: GPL-2.0
# Shared by bertha's shell selftests (sourced). Kselftest conventions: exit 0
# pass, 1 fail, 4 skip. The runner exports BERTHA_KO, BERTHA_TEST_MODULES and
# BERTHA_BIN (see selftests/runner/run.sh).

readonly KSFT_PASS=0 KSFT_FAIL=1 KSFT_SKIP=4
failures=0

# check DESCRIPTION COMMAND...: run COMMAND, record a failure if it fails.
check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		failures=$((failures + 1))
	fi
}

skip() {
	echo "SKIP: $*"
	exit $KSFT_SKIP
}

finish() {
	[ "$failures" -eq 0 ] && exit $KSFT_PASS
	echo "$failures check(s) failed"
	exit $KSFT_FAIL
}

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds.
wait_for() {
	local n=$(($1 * 10))
	shift
	until "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

bertha_loaded() {
	[ -d /sys/module/bertha ]
}

bertha_unload() {
	! bertha_loaded || rmmod bertha
}

# The insmod error text (stderr) of loading bertha.ko with PARAMS.
insmod_error() {
	insmod "$BERTHA_KO" "$@" 2>&1 >/dev/null
}

[ "$(id -u)" = 0 ] || skip "needs root"
[ -f "${BERTHA_KO:-}" ] || { echo "BERTHA_KO is not set to a built bertha.ko"; exit $KSFT_FAIL; }
