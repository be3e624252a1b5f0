#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bertha.ko cannot be unloaded while AF_BERTHA sockets exist, unloads once
# they are closed, and loads again afterwards.
. "$(dirname "$0")/lib.sh"

bertha_loaded || insmod "$BERTHA_KO"

coproc HOLDER { exec "$BERTHA_SELFTEST_BIN/bertha_sock" -n 3 -t dgram -h; }
# bash unsets the coproc variables once the process exits: keep copies.
holder_pid=$HOLDER_PID holder_out=${HOLDER[0]} holder_in=${HOLDER[1]}
read -r ready <&"$holder_out"
check "holder opened its sockets" [ "$ready" = ready ]

err=$(rmmod bertha 2>&1)
check "rmmod is refused while sockets are open" bertha_loaded
check "rmmod says the module is in use ($err)" grep -q "in use" <<< "$err"

exec {holder_in}>&-
wait "$holder_pid"
check "holder exited cleanly" [ $? -eq 0 ]

check "rmmod succeeds once the sockets are closed" rmmod bertha
check "module is gone" eval '! bertha_loaded'
check "AF_BERTHA is gone with it" eval '[ "$("$BERTHA_SELFTEST_BIN/bertha_sock" -f 25)" = EAFNOSUPPORT ]'
check "module loads again" insmod "$BERTHA_KO"
check "sockets work after reload" "$BERTHA_SELFTEST_BIN/bertha_sock" -n 2
finish
