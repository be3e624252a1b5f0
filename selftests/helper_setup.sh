#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Setup and teardown requests: a listener asks the helper that registered
# an implementation (berthactl daemon) to set it up for each connection,
# uses it when the helper answers, and falls back to the next
# implementation, counting why, when the helper refuses, never answers, or
# dies while asked. Teardown requests follow the connections. Registrations
# of kernel modules are events too.
. "$(dirname "$0")/lib.sh"

ctl=$BERTHA_BIN/berthactl
hold=$BERTHA_SELFTEST_BIN/conn_hold
[ -x "$ctl" ] || { echo "no $ctl (make userspace)"; exit $KSFT_FAIL; }
bertha_loaded || insmod "$BERTHA_KO"

srv=setup-srv-$$
cli=setup-cli-$$
tmp=$(mktemp -d)
pids=()

cleanup() {
	local p
	exec 7>&- 8>&- 2>/dev/null
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "$srv" 2>/dev/null
	ip netns del "$cli" 2>/dev/null
	rmmod bertha_test_chunnel 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT


# (not for background jobs: $! must be the process itself, to signal it)
S() { ip netns exec "$srv" "$@"; }
C() { ip netns exec "$cli" "$@"; }

# stat NAME: a counter of the server's namespace; nothing, and status 1,
# if berthactl stats fails or has no number for NAME (compare with num_cmp)
stat() {
	local out v
	out=$(S "$ctl" stats) || return 1
	v=$(awk -v k="$1" '$1 == k { print $2 }' <<< "$out")
	is_number "$v" || return 1
	echo "$v"
}

# impl_of FILE: the implementation of the first chunnel in conn_hold's line
impl_of() {
	python3 -c 'import json, sys
print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["binding"][0]["impl"])' "$1"
}

ip netns add "$srv" && ip netns add "$cli" || exit $KSFT_FAIL
ip link add veth-s netns "$srv" type veth peer name veth-c netns "$cli" || exit $KSFT_FAIL
S ip addr add 10.77.0.1/24 dev veth-s
C ip addr add 10.77.0.2/24 dev veth-c
S ip link set veth-s up; S ip link set lo up
C ip link set veth-c up; C ip link set lo up

echo "== kernel module registrations are events"
ip netns exec "$srv" "$ctl" monitor > "$tmp/mon.out" 2>&1 &
pids+=($!)
mon=$!
check "the monitor receives events" monitors_ready "$srv" "$tmp/mon.out"
# ctest/fast: a kernel implementation at one end, the fallback below
insmod "$BERTHA_TEST_MODULES/bertha_test_chunnel.ko" type=ctest name=fast \
	priority=4 scope=application endpoints=one || exit $KSFT_FAIL
check "monitor prints the module's registration in another namespace" \
	wait_for 10 grep -q "^impl add ctest fast prio 4 " "$tmp/mon.out"

# The listener decides, so the server's offload is chosen when it works.
S "$ctl" policy set prefer-server
check "the setup timeout is 1000 ms by default" \
	eval 'S "$ctl" policy show | grep -qx "setup-timeout 1000ms"'
cat > "$tmp/helper.conf" <<EOF
impl ctest offload prio 50 endpoints one
EOF

# daemon NAME ARGS...: start berthactl daemon in the server namespace
daemon() {
	local name=$1
	shift
	ip netns exec "$srv" "$ctl" daemon -c "$tmp/helper.conf" "$@" > "$tmp/$name.out" 2>&1 &
	pids+=($!)
	dpid=$!
	wait_for 10 grep -q "^registered 1 implementation" "$tmp/$name.out" && return 0
	cat "$tmp/$name.out"
	return 1
}

# connection PORT NAME [DAG]: serve on PORT, connect from the client
# namespace; outputs in $tmp/NAME.srv and $tmp/NAME.cli; fds 7 and 8 keep
# both ends open until the test closes them
connection() {
	local port=$1 name=$2 dag=${3:-ctest}
	rm -f "$tmp/$name.sin" "$tmp/$name.cin"
	mkfifo "$tmp/$name.sin" "$tmp/$name.cin"
	ip netns exec "$srv" "$hold" serve "10.77.0.1:$port" "$dag" < "$tmp/$name.sin" > "$tmp/$name.srv" 2>&1 &
	pids+=($!)
	spid=$!
	exec 7> "$tmp/$name.sin"
	wait_for 10 grep -q listening "$tmp/$name.srv" || return 1
	ip netns exec "$cli" "$hold" connect "10.77.0.1:$port" < "$tmp/$name.cin" > "$tmp/$name.cli" 2>&1 &
	pids+=($!)
	cpid=$!
	exec 8> "$tmp/$name.cin"
}

echo "== an implementation registered without setup is used as it is"
ip netns exec "$srv" "$ctl" impl add ctest plain prio 40 endpoints one --hold > "$tmp/plain.out" 2>&1 &
pids+=($!)
ppid_=$!
wait_for 10 grep -q "^registered" "$tmp/plain.out"
check "impl list does not mark it setup" \
	eval 'S "$ctl" impl list | grep "^ctest plain " | grep -vq " setup$"'
req0=$(stat setup-requests)
connection 7460 plain
check "the server is connected" wait_for 20 grep -q binding "$tmp/plain.srv"
check "with it ($(impl_of "$tmp/plain.srv"))" [ "$(impl_of "$tmp/plain.srv")" = plain ]
check "and no setup request" num_cmp "$(stat setup-requests)" -eq "$req0"
exec 8>&- 7>&-
kill -TERM "$ppid_"
wait "$ppid_"
check "it is withdrawn" wait_for 10 lacks "^ctest plain " S "$ctl" impl list

echo "== a helper that answers"
daemon ok
check "the daemon registered ctest/offload" [ $? = 0 ]
check "impl list marks it setup" eval 'S "$ctl" impl list | grep -q "^ctest offload .* setup$"'
req0=$(stat setup-requests)
connection 7461 ok
check "the client is connected" wait_for 20 grep -q binding "$tmp/ok.cli"
check "the server is connected" wait_for 20 grep -q binding "$tmp/ok.srv"
check "the server uses the helper's implementation ($(impl_of "$tmp/ok.srv"))" \
	[ "$(impl_of "$tmp/ok.srv")" = offload ]
check "so does the client's view of the binding" [ "$(impl_of "$tmp/ok.cli")" = offload ]
check "the daemon saw the setup request with the connection's addresses" \
	grep -q "^setup-req id [0-9]* owner [0-9]* ctest offload local 10.77.0.1:7461 peer 10.77.0.2:" "$tmp/ok.out"
check "monitor saw it too" wait_for 5 grep -q "^setup-req id .* ctest offload " "$tmp/mon.out"
check "one setup request counted" num_cmp "$(stat setup-requests)" -eq "$(num_add "$req0" 1)"
id=$(sed -n 's/^setup-req id \([0-9]*\) .*/\1/p' "$tmp/ok.out" | head -n1)
exec 8>&- 7>&-
check "closing the connection sends the teardown request for id $id" \
	wait_for 10 grep -q "^teardown-req id $id owner [0-9]* ctest offload" "$tmp/ok.out"
check "no fallback was counted" \
	eval 'num_cmp "$(stat fallback-setup-timeout)" -eq 0 && num_cmp "$(stat fallback-setup-failed)" -eq 0'

echo "== the same for a SOCK_DGRAM peer"
rm -f "$tmp/d.sin" "$tmp/d.cin"
mkfifo "$tmp/d.sin" "$tmp/d.cin"
ip netns exec "$srv" "$hold" dgram-serve 10.77.0.1:7462 ctest < "$tmp/d.sin" > "$tmp/d.srv" 2>&1 &
pids+=($!)
exec 7> "$tmp/d.sin"
wait_for 10 grep -q ready "$tmp/d.srv"
ip netns exec "$cli" "$hold" dgram-send 10.77.0.1:7462 ctest < "$tmp/d.cin" > "$tmp/d.cli" 2>&1 &
pids+=($!)
exec 8> "$tmp/d.cin"
check "the SOCK_DGRAM socket got the peer's message" wait_for 20 grep -q got "$tmp/d.srv"
check "the peer was set up by the helper" \
	grep -q "^setup-req id [0-9]* owner [0-9]* ctest offload local 10.77.0.1:7462 " "$tmp/ok.out"
check "conn show reports the peer bound to the offload" \
	eval 'S "$ctl" conn show | grep -q "^dgram  *established .*7462 .*ctest=offload@local"'
exec 8>&- 7>&-
check "its teardown follows" wait_for 10 eval \
	'[ "$(grep -c "^teardown-req .* ctest offload" "$tmp/ok.out")" = 2 ]'
kill -TERM "$dpid"
wait "$dpid"
check "the daemon exits 0 on SIGTERM" [ $? = 0 ]

echo "== a helper that never answers"
S "$ctl" policy set setup-timeout 300
check "the setup timeout is set" eval 'S "$ctl" policy show | grep -qx "setup-timeout 300ms"'
daemon never --answer never
t0=$(stat fallback-setup-timeout)
connection 7463 never
check "the connection is made anyway" wait_for 20 grep -q binding "$tmp/never.srv"
check "with the kernel fallback ($(impl_of "$tmp/never.srv"))" [ "$(impl_of "$tmp/never.srv")" = fast ]
check "the client agrees" wait_for 10 eval '[ "$(impl_of "$tmp/never.cli")" = fast ]'
check "fallback-setup-timeout counts it" \
	num_cmp "$(stat fallback-setup-timeout)" -eq "$(num_add "$t0" 1)"
check "the daemon saw the request it did not answer" grep -q "^setup-req .* ctest offload" "$tmp/never.out"
exec 8>&- 7>&-
# not readiness but a window for a request that must not come
sleep 1
check "nothing was set up, so no teardown request" eval '! grep -q teardown-req "$tmp/never.out"'
kill -TERM "$dpid"
wait "$dpid"

echo "== a helper that refuses"
daemon error --answer error
f0=$(stat fallback-setup-failed)
connection 7464 error
check "the connection is made" wait_for 20 grep -q binding "$tmp/error.srv"
check "with the kernel fallback ($(impl_of "$tmp/error.srv"))" [ "$(impl_of "$tmp/error.srv")" = fast ]
check "fallback-setup-failed counts it" \
	num_cmp "$(stat fallback-setup-failed)" -eq "$(num_add "$f0" 1)"
exec 8>&- 7>&-
kill -TERM "$dpid"
wait "$dpid"

echo "== a helper that dies while asked"
S "$ctl" policy set setup-timeout 60000
daemon dies --answer never
f0=$(stat fallback-setup-failed)
connection 7465 dies
check "the helper got the request" wait_for 20 grep -q "^setup-req" "$tmp/dies.out"
start=$(date +%s)
kill -KILL "$dpid"
check "the connection is made without waiting for the timeout" \
	wait_for 20 grep -q binding "$tmp/dies.srv"
check "in well under 60 s ($(($(date +%s) - start)) s)" [ $(($(date +%s) - start)) -lt 20 ]
check "with the kernel fallback ($(impl_of "$tmp/dies.srv"))" [ "$(impl_of "$tmp/dies.srv")" = fast ]
check "fallback-setup-failed counts it" \
	num_cmp "$(stat fallback-setup-failed)" -eq "$(num_add "$f0" 1)"
check "the helper's registration went with it" \
	wait_for 10 lacks "^ctest offload " S "$ctl" impl list
exec 8>&- 7>&-

echo "== the listener closes while the helper is asked"
daemon slow --answer never
connection 7466 slow
check "the helper got the request" wait_for 20 grep -q "^setup-req" "$tmp/slow.out"
# conn_hold serve waits in accept(): killing it closes the listener
start=$(date +%s)
kill -KILL "$spid"
wait "$spid" 2>/dev/null
check "closing does not wait for the 60 s setup timeout ($(($(date +%s) - start)) s)" \
	[ $(($(date +%s) - start)) -lt 20 ]
check "the client is refused, not left hanging" wait_for 30 eval '! kill -0 "$cpid" 2>/dev/null'
wait "$cpid"
rc=$?
check "conn_hold connect failed (rc=$rc)" [ "$rc" != 0 ]
exec 8>&-
kill -TERM "$dpid"
wait "$dpid"
S "$ctl" policy set setup-timeout 1000

echo "== answers the kernel refuses"
cat > "$tmp/answer.py" <<'EOF'
import socket, struct, sys
# generic netlink by hand: resolve the family, then SETUP_DONE for an id
# nothing waits for; the kernel must refuse with ENOENT
NETLINK_GENERIC, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME = 16, 16, 3, 2
CTRL_ATTR_FAMILY_ID = 1
def attr(t, data):
    l = 4 + len(data)
    return struct.pack("HH", l, t) + data + b"\0" * ((4 - l % 4) % 4)
def msg(typ, cmd, payload, flags=5):
    body = struct.pack("BBH", cmd, 1, 0) + payload
    return struct.pack("IHHII", 16 + len(body), typ, flags, 1, 0) + body
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
s.bind((0, 0))
s.send(msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, attr(CTRL_ATTR_FAMILY_NAME, b"bertha\0"), flags=1))
r = s.recv(8192)
off, fam = 20, None
while off < len(r):
    l, t = struct.unpack_from("HH", r, off)
    if t == CTRL_ATTR_FAMILY_ID:
        fam = struct.unpack_from("H", r, off + 4)[0]
    off += (l + 3) & ~3
cmd = int(sys.argv[1])
s.send(msg(fam, cmd, attr(1, struct.pack("I", 123456)) + attr(10, struct.pack("I", 0))))
r = s.recv(8192)
err = struct.unpack_from("i", r, 16)[0]
print(-err)
EOF
# BERTHA_CMD_SETUP_DONE in uapi/linux/bertha.h (a wrong number would get
# EOPNOTSUPP, and fail the checks)
setup_done=15
err=$(python3 "$tmp/answer.py" "$setup_done")
check "SETUP_DONE for an id nothing waits for: ENOENT ($err)" [ "$err" = 2 ]
chmod 755 "$tmp"
err=$(setpriv --reuid 65534 --regid 65534 --clear-groups python3 "$tmp/answer.py" "$setup_done")
check "SETUP_DONE from an unprivileged user: EPERM ($err)" [ "$err" = 1 ]

check "bertha_test_chunnel unloads" wait_for 10 rmmod bertha_test_chunnel
check "monitor prints the module's unregistration" \
	wait_for 10 grep -q "^impl del ctest fast " "$tmp/mon.out"
kill -TERM "$mon"
echo "monitor saw:"
cat "$tmp/mon.out"

finish
