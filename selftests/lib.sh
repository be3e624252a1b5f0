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

# is_number VALUE: VALUE is a decimal count (a counter that was read).
is_number() {
	[[ ${1:-} =~ ^[0-9]+$ ]]
}

# num_cmp A OP B: test(1)'s integer comparison OP (-eq, -ge, ...) of A and
# B, false (saying why) unless both are numbers: two failed reads are two
# empty strings, which "=" finds equal.
num_cmp() {
	if ! is_number "$1" || ! is_number "$3"; then
		echo "not numbers: '$1' $2 '$3'"
		return 1
	fi
	[ "$1" "$2" "$3" ]
}

# num_add A B: A + B if both are numbers; else "A+B", which no num_cmp
# accepts ($((A + B)) would take an empty A for 0).
num_add() {
	if is_number "$1" && is_number "$2"; then
		echo $(($1 + $2))
	else
		echo "$1+$2"
	fi
}

# lacks PATTERN COMMAND...: COMMAND succeeds and no line of its output
# matches PATTERN (grep). "! COMMAND | grep -q PATTERN" also passes when
# COMMAND fails and prints nothing.
lacks() {
	local pattern=$1 out rc
	shift
	out=$("$@")
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "lacks: '$*' failed (exit $rc)"
		return 1
	fi
	! grep -q -- "$pattern" <<< "$out"
}

# monitors_ready NETNS FILE...: the berthactl monitors writing FILE... in
# network namespace NETNS ("" for this one) receive events, which a test
# needs before it acts (a fixed sleep is a guess). A monitor prints nothing
# until an event comes, and misses the events from before it joined: so a
# probe registration goes out, under a new name each try, until every
# monitor printed it (their first line); then it goes, and each must print
# that too. The probes' pids join the caller's pids array.
monitors_ready() {
	local ns=$1 ctl=$BERTHA_BIN/berthactl try name probe f seen
	local -a run=()
	shift
	[ -n "$ns" ] && run=(ip netns exec "$ns")
	for try in 1 2 3 4 5 6 7 8 9 10; do
		name=ready-probe-$try
		"${run[@]}" "$ctl" impl add demo "$name" --hold > /dev/null 2>&1 &
		probe=$!
		pids+=("$probe")
		seen=1
		for f in "$@"; do
			wait_for 3 grep -q "$name[ \"]" "$f" || seen=0
		done
		kill -TERM "$probe"
		wait "$probe"
		[ $seen = 1 ] || continue
		for f in "$@"; do
			wait_for 10 eval '[ "$(grep -c "$name[ \"]" "$f")" = 2 ]' ||
				{ echo "monitors_ready: $f did not print $name's removal"; return 1; }
		done
		return 0
	done
	echo "monitors_ready: no probe reached every monitor in 10 tries"
	return 1
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
