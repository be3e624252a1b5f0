#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: boot one QEMU (TCG) guest and run a job in it; the host side of the
# selftest runner. Configured through the environment (the Makefile sets it):
#
#   KERNEL, INITRD   guest kernel image and initramfs (mkinitramfs.sh)
#   LANE             stock | debug (only reported)
#   BERTHA_KO        bertha.ko built for KERNEL
#   BERTHA_TEST_MODULES  directory of the selftest modules for KERNEL
#   BERTHA_BIN, BERTHA_SELFTEST_BIN  built userspace tools and test programs
#   MODE             check (default) | demo | bench | shell
#   TESTS            the test programs to run, space separated
#   TIMEOUT          seconds for the whole boot (default 1200)
#   TEST_TIMEOUT     seconds for each test (default 300)
#   JOBS_DIR         where job directories go (default build/jobs)
#   PARALLEL         MODE=check: how many guests share the list (default: the
#                    host's CPUs, at most one per test); each takes the next
#                    test not yet taken, and the results are merged in order;
#                    anything but a number from 1 up is refused (exit 2)
#   SKIPS_ALLOWED    MODE=check: the skips this lane may have (default
#                    selftests/runner/skips.allowed); any other skipped test
#                    or test case turns the run red
#   BENCH_*          passed to the guest for MODE=bench (userspace/bench/)
#   BENCH_RESULTS_DIR  where MODE=bench copies its results (build/results)
#
# Exit status is 0 only if the guest finished, no test failed, nothing was
# skipped that the lane's allow list does not name, and the guest logs show
# no kernel splat and no kmemleak report.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
: "${KERNEL:?}" "${INITRD:?}" "${BERTHA_KO:?}"
MODE=${MODE:-check}
LANE=${LANE:-stock}
TIMEOUT=${TIMEOUT:-1200}
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
JOBS_DIR=${JOBS_DIR:-$top/build/jobs}

SKIPS_ALLOWED=${SKIPS_ALLOWED:-$top/selftests/runner/skips.allowed}

# judge_skips FILE...: the skipped tests and test cases that guest-run.sh
# recorded in FILE... ("PROGRAM<TAB>CASE<TAB>REASON", CASE "-" for a whole
# program), against SKIPS_ALLOWED: lines "LANE PROGRAM CASE WHY", LANE
# stock, debug or *, CASE a kselftest case name, "-" or *, WHY required.
# Fills skip_lines (one "# SKIP ..." line each, for the summary) and
# unallowed (the ones the list does not allow on this LANE).
judge_skips() {
	local prog kase reason why
	skip_lines=()
	unallowed=()
	while IFS=$'\t' read -r prog kase reason; do
		why=$(awk -v lane="$LANE" -v p="$prog" -v c="$kase" '
			/^[ \t]*(#|$)/ { next }
			($1 == lane || $1 == "*") && $2 == p && ($3 == c || $3 == "*") {
				$1 = $2 = $3 = ""; sub(/^ +/, ""); print; exit
			}' "$SKIPS_ALLOWED" 2>/dev/null)
		if [ -n "$why" ]; then
			skip_lines+=("# SKIP $prog $kase: $reason (allowed on the $LANE lane: $why)")
		else
			skip_lines+=("# SKIP $prog $kase: $reason (NOT allowed on the $LANE lane)")
			unallowed+=("$prog $kase: $reason")
		fi
	done < <(cat "$@" 2>/dev/null)
}

read -ra test_list <<< "${TESTS:-}"
PARALLEL=${PARALLEL:-$(nproc)}
case $PARALLEL in
''|*[!0-9]*|0)
	echo "run.sh: PARALLEL must be a number of guests (1 or more), not '$PARALLEL'" >&2
	exit 2 ;;
esac
[ "$PARALLEL" -le ${#test_list[@]} ] || PARALLEL=${#test_list[@]}

# Parallel mode: this process only starts the guests (this script again, as
# RUN_GUEST=k with a job inside the run's directory), then merges their
# results into one KTAP list and fails if any guest failed or a test of the
# list has no result (its guest died on it).
if [ "$MODE" = check ] && [ -z "${RUN_GUEST:-}" ] && [ "$PARALLEL" -gt 1 ]; then
	mkdir -p "$JOBS_DIR"
	run=$(mktemp -d "$JOBS_DIR/$LANE-$MODE.XXXXXX")
	mkdir "$run/queue"
	total=$(( ${#test_list[@]} + PARALLEL ))
	echo "bertha: $LANE lane, check: ${#test_list[@]} tests in $PARALLEL guests (run $run)"
	start=$SECONDS
	for k in $(seq "$PARALLEL"); do
		mkdir "$run/g$k"
		{
			RUN_GUEST=$k JOB_ROOT=$run JOB=$run/g$k RMMOD_N=$(( ${#test_list[@]} + k )) \
				"$0" 2>&1
			echo $? > "$run/g$k/run.rc"
		} | sed -u "s/^/[g$k] /" &
	done
	wait
	elapsed=$((SECONDS - start))
	why=()
	for k in $(seq "$PARALLEL"); do
		[ "$(cat "$run/g$k/run.rc" 2>/dev/null)" = 0 ] ||
			why+=("guest g$k failed (its FAIL lines above; $run/g$k/console.log)")
	done
	{
		echo "KTAP version 1"
		echo "1..$total"
		cat "$run"/g*/results.tap 2>/dev/null | grep -E '^(not )?ok [0-9]+ ' |
			sed 's/^not ok/not_ok/' | sort -n -k2,2 | sed 's/^not_ok/not ok/'
		cat "$run"/g*/results.tap 2>/dev/null | grep -E '^# time: ' | sort -k4 -rn
	} > "$run/results.tap"
	ran=$(grep -cE '^(not )?ok [0-9]+ ' "$run/results.tap")
	[ "$ran" = "$total" ] || why+=("planned $total results, saw $ran")
	failed=$(grep -E '^not ok' "$run/results.tap")
	[ -n "$failed" ] && why+=("failed tests:" "$failed")
	pass=$(grep -cE '^ok [0-9]+ ' "$run/results.tap")
	skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$run/results.tap")
	judge_skips "$run"/g*/skips
	[ ${#skip_lines[@]} -eq 0 ] || printf '%s\n' "${skip_lines[@]}" >> "$run/results.tap"
	echo "# totals: pass:$((pass - skip)) fail:$(grep -c '^not ok' "$run/results.tap") skip:$skip skipped-cases:${#skip_lines[@]}" >> "$run/results.tap"
	[ ${#unallowed[@]} -eq 0 ] ||
		why+=("skipped, and not allowed on the $LANE lane by $SKIPS_ALLOWED:" "${unallowed[@]}")
	echo
	cat "$run/results.tap"
	echo
	echo "bertha: $LANE lane, check: $ran of $total results from $PARALLEL guests (${elapsed}s)"
	if [ ${#why[@]} -ne 0 ]; then
		printf 'bertha: FAIL: %s\n' "${why[@]}"
		exit 1
	fi
	echo "bertha: PASS"
	exit 0
fi

if [ -n "${RUN_GUEST:-}" ]; then
	job=$JOB
	jobroot=$JOB_ROOT
else
	mkdir -p "$JOBS_DIR"
	job=$(mktemp -d "$JOBS_DIR/$LANE-$MODE.XXXXXX")
	jobroot=$job
fi
{
	printf 'MODE=%q\n' "$MODE"
	printf 'TESTS=%q\n' "${TESTS:-}"
	printf 'TEST_TIMEOUT=%q\n' "$TEST_TIMEOUT"
	if [ -n "${RUN_GUEST:-}" ]; then
		printf 'QUEUE_DIR=%q\n' "$jobroot/queue"
		printf 'RMMOD_N=%q\n' "$RMMOD_N"
		printf 'GUEST=g%q\n' "$RUN_GUEST"
	fi
	printf 'BERTHA_TOP=%q\n' "$top"
	printf 'BERTHA_KO=%q\n' "$BERTHA_KO"
	printf 'BERTHA_TEST_MODULES=%q\n' "${BERTHA_TEST_MODULES:-}"
	printf 'BERTHA_BIN=%q\n' "${BERTHA_BIN:-$top/build/bin}"
	printf 'BERTHA_SELFTEST_BIN=%q\n' "${BERTHA_SELFTEST_BIN:-$top/build/selftests}"
	printf 'BERTHA_LANE=%q\n' "$LANE"
	# the kernel's ynl CLI and netlink specs, for the genl tests
	printf 'BERTHA_LINUX_SOURCE=%q\n' "$("$top/scripts/linux-source.sh")"
	[ "$MODE" = shell ] && printf 'TERM_GUEST=%q\n' "${TERM:-dumb}"
	# the selftests' knobs, so that a printed seed or size can be
	# replayed from the host: make check-stock CONFORMANCE_SEED=N
	for v in $(compgen -v CONFORMANCE_) $(compgen -v SCALE_); do
		printf 'export %s=%q\n' "$v" "${!v}"
	done
	# the benchmark's counts (userspace/bench/bertha_bench.c)
	if [ "$MODE" = bench ]; then
		for v in $(compgen -v BENCH_); do
			[ "$v" = BENCH_RESULTS_DIR ] && continue
			printf 'export %s=%q\n' "$v" "${!v}"
		done
	fi
} > "$job/env"

# panic_on_warn and oops=panic stop the guest at the first splat, so a
# broken kernel cannot go on to report later tests as passing.
append="console=ttyS0 loglevel=5 panic=-1 panic_on_warn=1 oops=panic"
append+=" softlockup_panic=1 hung_task_panic=1 kasan.fault=panic"
# no_timer_check: on a loaded host, TCG can be too slow for the boot-time
# check that the 8254 timer reaches the IO-APIC, and the guest panics
# ("IO-APIC + timer doesn't work") before anything of ours runs.
append+=" no_timer_check"
append+=" bertha_job=$job bertha_jobroot=$jobroot bertha_top=$top ${APPEND:-}"

# la57=off: with 5-level paging, 6.12 keeps two views of the LA57 feature
# bit and identify_cpu() clears one while interrupts are on; a timer IRQ in
# that window makes KASAN call every direct-map address "wild" (seen about
# once in 80 boots under TCG; fixed upstream by "x86/boot: Set LA57 boot CPU
# capability very early during boot"). Nothing here needs 5-level paging.
qemu=(qemu-system-x86_64 -machine pc -cpu max,la57=off -smp "${SMP:-1}" -m "${MEM:-1536}"
	-nodefaults -no-user-config -nographic -no-reboot -monitor none
	-serial stdio
	-kernel "$KERNEL" -initrd "$INITRD" -append "$append"
	-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap
	-virtfs "local,path=$jobroot,mount_tag=job,security_model=none"
	-device virtio-rng-pci)

echo "bertha: $LANE lane, $MODE: booting $(basename "$KERNEL") (job $job)"
start=$SECONDS
if [ "$MODE" = shell ]; then
	"${qemu[@]}"
	exit $?
fi
# The demo shows its own story, from its first "==" line on: the firmware
# and boot lines before it stay in console.log.
shown() {
	if [ "$MODE" = demo ]; then
		awk '/^== / { f = 1 } f { print; fflush() }'
	else
		cat
	fi
}
timeout --foreground -k 10 "$TIMEOUT" "${qemu[@]}" < /dev/null 2>&1 |
	sed -u 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\r//g' | tee "$job/console.log" | shown
qemu_rc=${PIPESTATUS[0]}
elapsed=$((SECONDS - start))

red=0
why=()
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
	why+=("the guest did not finish within ${TIMEOUT}s")
elif [ ! -f "$job/done" ]; then
	why+=("the guest stopped before finishing the job (crash or panic; see $job/console.log)")
fi

# Kernel splats anywhere in the console or the full ring buffer. Only kernel
# lines ("[ seconds] ...") count: a test may print "WARNING:" itself.
splat='(Oops|BUG:|WARNING:|Call Trace:|KASAN:|UBSAN:|kernel BUG at|Kernel panic|general protection fault|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|unreferenced object|list_(add|del) corruption|refcount_t:|blocked for more than|soft lockup)'
splats=$(cat "$job/console.log" "$job/dmesg" 2>/dev/null | grep -E "^\[ *[0-9]+\.[0-9]+\] .*$splat" | sort -u)
if [ -n "$splats" ]; then
	why+=("kernel splat in the guest log:")
	why+=("$splats")
fi
if [ -s "$job/kmemleak" ]; then
	why+=("kmemleak reports leaks (see $job/kmemleak):")
	why+=("$(head -n 20 "$job/kmemleak")")
fi

case $MODE in
check)
	if [ -f "$job/results.tap" ]; then
		failed=$(grep -E '^(not ok|Bail out!)' "$job/results.tap")
		[ -n "$failed" ] && why+=("failed tests:" "$failed")
		# In parallel mode the plan is the whole run's (checked there).
		if [ -z "${RUN_GUEST:-}" ]; then
			planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$job/results.tap" | head -n 1)
			ran=$(grep -cE '^(not )?ok [0-9]+ ' "$job/results.tap")
			[ "${planned:-0}" = "$ran" ] || why+=("planned ${planned:-?} tests, saw $ran results")
		fi
		summary=$(sed -n "s/^# totals: //p" "$job/results.tap" | tail -n 1)
		# every skipped test and case, with its verdict
		judge_skips "$job/skips"
		if [ ${#skip_lines[@]} -ne 0 ]; then
			echo
			printf '%s\n' "${skip_lines[@]}"
		fi
		[ ${#unallowed[@]} -eq 0 ] ||
			why+=("skipped, and not allowed on the $LANE lane by $SKIPS_ALLOWED:" "${unallowed[@]}")
	else
		why+=("no results from the guest")
	fi
	;;
demo)
	rc=$(cat "$job/demo.rc" 2>/dev/null || echo missing)
	[ "$rc" = 0 ] || why+=("the demo exited with status $rc")
	;;
bench)
	# A benchmark: red only when it could not run, never on its figures.
	rc=$(cat "$job/bench.rc" 2>/dev/null || echo missing)
	if [ "$rc" != 0 ]; then
		why+=("the benchmark exited with status $rc")
	elif ! "$top/userspace/bench/bench-host.sh" "$job/bench"; then
		why+=("no benchmark results in $job/bench")
	fi
	;;
esac

[ ${#why[@]} -eq 0 ] || red=1
echo
echo "bertha: $LANE lane, $MODE: ${summary:-} (${elapsed}s)"
if [ $red -ne 0 ]; then
	printf 'bertha: FAIL: %s\n' "${why[@]}"
	exit 1
fi
echo "bertha: PASS"
