#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The "family" module parameter: default slot, override, bad values and a
# slot that another module already holds.
. "$(dirname "$0")/lib.sh"

bertha_unload

check "default load" insmod "$BERTHA_KO"
check "sysfs shows the default family 25" grep -qx 25 /sys/module/bertha/parameters/family
check "sysfs parameter is read-only" eval '[ "$(stat -c %a /sys/module/bertha/parameters/family)" = 444 ]'
rmmod bertha

check "load with family=19" insmod "$BERTHA_KO" family=19
check "sysfs shows 19" grep -qx 19 /sys/module/bertha/parameters/family
check "socket on family 19 works" "$BERTHA_SELFTEST_BIN/bertha_sock" -f 19
check "family 25 is not AF_BERTHA now" eval '[ "$("$BERTHA_SELFTEST_BIN/bertha_sock" -f 25)" = EAFNOSUPPORT ]'
rmmod bertha

for bad in 0 2 46 -1; do
	err=$(insmod_error family=$bad)
	check "family=$bad is refused ($err)" eval '! bertha_loaded && grep -q "Invalid" <<< "$err"'
	check "family=$bad is explained in the kernel log" \
		eval 'dmesg | tail -n 5 | grep -q "family=$bad is not a usable address family slot"'
done

# Another module holds slot 25: bertha refuses with a clear message.
insmod "$BERTHA_TEST_MODULES/bertha_test_squatter.ko" family=25
err=$(insmod_error)
check "taken slot is refused ($err)" eval "! bertha_loaded"
check "taken slot is explained in the kernel log" \
	eval 'dmesg | tail -n 5 | grep -q "address family 25 is already registered by another module"'
check "a free slot still works" insmod "$BERTHA_KO" family=23
check "socket on family 23 works" "$BERTHA_SELFTEST_BIN/bertha_sock" -f 23
rmmod bertha
rmmod bertha_test_squatter
check "default load after the squatter left" insmod "$BERTHA_KO"
finish
