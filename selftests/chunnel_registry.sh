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

dag_errno() {
	"$sock" -d "$1" || true
}

check "built-in types validate" eval '[ -z "$(dag_errno "select(identity, identity) |> identity")" ]'
check "test-echo is unknown before registration" \
	eval '[ "$(dag_errno "test-echo |> identity")" = EPROTONOSUPPORT ]'

check "module registers test-echo" insmod "$mod"
check "test-echo validates while registered" eval '[ -z "$(dag_errno "test-echo |> identity")" ]'
err=$(rmmod bertha 2>&1)
check "bertha.ko is pinned by its user ($err)" bertha_loaded
check "module unregisters" rmmod bertha_test_chunnel
check "test-echo is unknown again" eval '[ "$(dag_errno "test-echo |> identity")" = EPROTONOSUPPORT ]'

err=$(insmod "$mod" mode=dup 2>&1)
check "duplicate registration is refused ($err)" grep -q "File exists" <<< "$err"
err=$(insmod "$mod" mode=badscope 2>&1)
check "out-of-range scope is refused ($err)" grep -q "Invalid" <<< "$err"
err=$(insmod "$mod" type=Bad.Name 2>&1)
check "invalid type name is refused ($err)" grep -q "Invalid" <<< "$err"
err=$(insmod "$mod" name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 2>&1)
check "over-long implementation name is refused ($err)" grep -q "Invalid" <<< "$err"
check "refused registrations left nothing behind" \
	eval '[ "$(dag_errno "test-echo")" = EPROTONOSUPPORT ]'

check "a second implementation of a built-in type registers" insmod "$mod" type=identity name=second
check "identity still validates" eval '[ -z "$(dag_errno "identity")" ]'
check "its module unregisters" rmmod bertha_test_chunnel
check "identity keeps its built-in implementation" eval '[ -z "$(dag_errno "identity")" ]'
finish
