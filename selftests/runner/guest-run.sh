#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the guest as PID 1, in the overlay of the host's root (see
# init). Reads the job written by run.sh, prepares the guest, then runs the
# selftests (KTAP on the console and in the job directory), the demo, the
# benchmark, or a shell. The host decides pass/fail from the files left in
# the job dir.
set -u
job=$1
# shellcheck source=/dev/null
. "$job/env"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM_GUEST:-dumb} LANG=C.UTF-8
export BERTHA_TOP BERTHA_KO BERTHA_TEST_MODULES BERTHA_BIN BERTHA_SELFTEST_BIN BERTHA_LANE
export BERTHA_LINUX_SOURCE

mount -t devpts devpts /dev/pts 2>/dev/null
# The overlay root is already writable; /run starts empty so the host's
# runtime state (netns handles, pid files) does not leak into the guest.
# /tmp is left alone: the checkout may live there.
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
ip link set lo up
hostname bertha-guest
# bertha.ko's dependencies, so that plain insmod works in every test; on the
# debug kernel they are built in and modprobe has nothing to do.
modprobe -a -q udp_tunnel ip6_udp_tunnel
cd /tmp || exit 1

kmemleak=/sys/kernel/debug/kmemleak

# Reports kmemleak findings accumulated since the last clear into the job
# dir; the host fails the run if the file is not empty.
kmemleak_scan() {
	[ -w $kmemleak ] || return 0
	# kmemleak ignores objects younger than ~5 s; two scans settle it.
	sleep 6
	echo scan > $kmemleak
	echo scan > $kmemleak
	cat $kmemleak >> "$job/kmemleak"
}

# With QUEUE_DIR (run.sh's parallel mode), several guests share one list:
# a guest runs test n only if it is the first to create QUEUE_DIR/n (mkdir is
# atomic on the host's file system), and numbers its results as in the whole
# list; run.sh writes the plan and merges. The module's own rmmod result is
# numbered after the list, one per guest (RMMOD_N).
# record_skips NAME RC OUTPUT: what test NAME (exit status RC, its output in
# the file OUTPUT) skipped, one line each in the job's "skips" file and on
# the console: "NAME<TAB>CASE<TAB>REASON". A C program's cases come from its
# KTAP ("ok N case # SKIP reason": kselftest_harness counts a skipped case as
# passed and exits 0); a program that exits 4 is CASE "-", its reason the
# last "SKIP: reason" line of its output (lib.sh's skip). The host judges
# them against selftests/runner/skips.allowed.
record_skips() {
	local name=$1 rc=$2 output=$3 kase reason
	{
		sed -nE 's/^ok [0-9]+ ([^ ]+) # SKIP ?(.*)$/\1\t\2/p' "$output"
		if [ "$rc" = 4 ]; then
			reason=$(sed -n 's/^SKIP: //p' "$output" | tail -n 1)
			printf -- '-\t%s\n' "${reason:-exit 4}"
		fi
	} | while IFS=$'\t' read -r kase reason; do
		printf '%s\t%s\t%s\n' "$name" "$kase" "$reason" >> "$job/skips"
		echo "# SKIP case: $name $kase: $reason"
	done
}

run_suite() {
	local n=0 total rc t name pass=0 fail=0 skip=0 start out=/run/bertha-test.out
	local -a tests
	read -ra tests <<< "$TESTS"
	total=$(( ${#tests[@]} + 1 ))

	[ -w $kmemleak ] && echo clear > $kmemleak
	: > "$job/skips"
	echo "KTAP version 1"
	[ -n "${QUEUE_DIR:-}" ] || echo "1..$total"
	if ! insmod "$BERTHA_KO"; then
		echo "Bail out! insmod $BERTHA_KO failed"
		return
	fi
	for t in "${tests[@]}"; do
		n=$((n + 1))
		if [ -n "${QUEUE_DIR:-}" ]; then
			mkdir "$QUEUE_DIR/$n" 2>/dev/null || continue
		fi
		name=$(basename "$t")
		echo "# --- $name"
		start=$(date +%s)
		timeout -k 10 "$TEST_TIMEOUT" "$t" 2>&1 | tee "$out" | sed -u 's/^/# /'
		rc=${PIPESTATUS[0]}
		echo "# time: $name $(( $(date +%s) - start ))s"
		record_skips "$name" "$rc" "$out"
		# A test may unload the module; the next one starts with it loaded.
		[ -d /sys/module/bertha ] || insmod "$BERTHA_KO"
		case $rc in
		0) echo "ok $n $name"; pass=$((pass + 1)) ;;
		4) echo "ok $n $name # SKIP$(sed -n 's/^SKIP: / /p' "$out" | tail -n 1)"
		   skip=$((skip + 1)) ;;
		124|137) echo "not ok $n $name # TIMEOUT ${TEST_TIMEOUT}s"; fail=$((fail + 1)) ;;
		*) echo "not ok $n $name # exit=$rc"; fail=$((fail + 1)) ;;
		esac
	done

	# The module must leave no memory behind, with and without its users.
	kmemleak_scan
	n=${RMMOD_N:-$((n + 1))}
	if rmmod bertha && [ ! -d /sys/module/bertha ]; then
		echo "ok $n rmmod bertha${GUEST:+ (guest $GUEST)}"; pass=$((pass + 1))
	else
		echo "not ok $n rmmod bertha${GUEST:+ (guest $GUEST)}"; fail=$((fail + 1))
	fi
	kmemleak_scan
	echo "# totals: pass:$pass fail:$fail skip:$skip skipped-cases:$(wc -l < "$job/skips")"
}

case $MODE in
check)
	run_suite 2>&1 | tee "$job/results.tap"
	;;
demo)
	insmod "$BERTHA_KO" && "$BERTHA_TOP/userspace/demo.sh"
	echo $? > "$job/demo.rc"
	;;
bench)
	insmod "$BERTHA_KO" &&
		BERTHA_RESULTS="$job/bench" "$BERTHA_TOP/userspace/bench/bench.sh"
	echo $? > "$job/bench.rc"
	;;
shell)
	insmod "$BERTHA_KO"
	echo "bertha guest shell: bertha.ko is loaded; exit to power off."
	setsid -c bash -i
	;;
esac
dmesg > "$job/dmesg"
touch "$job/done"
sync
# We are PID 1: exiting would panic. busybox-static's reboot needs no init.
/bin/busybox reboot -f
