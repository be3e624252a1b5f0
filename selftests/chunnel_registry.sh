#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The exported chunnel registry: a chunnel type exists exactly while a
# module has an implementation of it registered; bad registrations are
# refused and leave nothing behind; a module using the API pins bertha.ko.
. "$(dirname "$0")/lib.sh"

mod=$BERTHA_TEST_MODULES/bertha_test_chunnel.ko
sock=$BERTHA_SELFTEST_BIN/bertha_sock
bertha_loaded || insmod "$BERTHA_KO"

# dag_ok DAG: bertha_sock sets DAG on a socket: exit 0 and nothing printed
# (a crash or a missing binary prints nothing too, but does not exit 0).
dag_ok() {
	local out
	out=$("$sock" -d "$1") || { echo "bertha_sock -d '$1': exit $?: $out"; return 1; }
	[ -z "$out" ]
}

# dag_refused DAG ERRNO: bertha_sock reports the refusal (exit 1) as ERRNO.
dag_refused() {
	local out rc
	out=$("$sock" -d "$1")
	rc=$?
	[ "$rc" = 1 ] && [ "$out" = "$2" ] || { echo "bertha_sock -d '$1': exit $rc: '$out'"; return 1; }
}

# refused PATTERN COMMAND...: COMMAND fails, and its stderr matches PATTERN.
refused() {
	local pattern=$1 err
	shift
	if err=$("$@" 2>&1); then
		echo "'$*' succeeded"
		return 1
	fi
	echo "$err"
	grep -q -- "$pattern" <<< "$err"
}

check "built-in types validate" dag_ok "select(identity, identity) |> identity"
check "test-echo is unknown before registration" dag_refused "test-echo |> identity" EPROTONOSUPPORT

check "module registers test-echo" insmod "$mod"
check "test-echo validates while registered" dag_ok "test-echo |> identity"
check "bertha.ko is pinned by its user" refused "in use" rmmod bertha
check "and stays loaded" bertha_loaded
check "module unregisters" rmmod bertha_test_chunnel
check "test-echo is unknown again" dag_refused "test-echo |> identity" EPROTONOSUPPORT

check "duplicate registration is refused" refused "File exists" insmod "$mod" mode=dup
check "out-of-range scope is refused" refused "Invalid" insmod "$mod" mode=badscope
check "invalid type name is refused" refused "Invalid" insmod "$mod" type=Bad.Name
check "over-long implementation name is refused" \
	refused "Invalid" insmod "$mod" name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
check "refused registrations left nothing behind" dag_refused "test-echo" EPROTONOSUPPORT

check "a second implementation of a built-in type registers" insmod "$mod" type=identity name=second
check "identity still validates" dag_ok "identity"
check "its module unregisters" rmmod bertha_test_chunnel
check "identity keeps its built-in implementation" dag_ok "identity"
finish
