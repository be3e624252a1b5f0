#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The generic netlink family "bertha", driven by the kernel's own ynl tools
# from Documentation/netlink/specs/bertha.yaml (genl_ynl.py holds the
# checks): family info, the registry dump, registrations that last exactly
# as long as the registering socket, per-namespace isolation, events, the
# policy (and that it changes the binding of new connections), strict
# validation with extack messages, random messages, counters, the
# connection dump and events (against getsockopt(BERTHA_BINDING)). Here:
# the namespaces, and CAP_NET_ADMIN (an unprivileged user may read but not
# change; root of its own user and network namespace may).
. "$(dirname "$0")/lib.sh"

bertha_loaded || insmod "$BERTHA_KO"
# gtest/fast: a kernel implementation with parameters for the conn checks
insmod "$BERTHA_TEST_MODULES/bertha_test_chunnel.ko" type=gtest name=fast \
	priority=7 scope=host endpoints=both || exit $KSFT_FAIL
ynl_dir=${BERTHA_LINUX_SOURCE:-}/tools/net/ynl
[ -f "$ynl_dir/cli.py" ] || { echo "no ynl CLI under BERTHA_LINUX_SOURCE"; exit $KSFT_FAIL; }
spec=$BERTHA_TOP/Documentation/netlink/specs/bertha.yaml
schema=$BERTHA_LINUX_SOURCE/Documentation/netlink/genetlink.yaml
export BERTHA_LINUX_SOURCE BERTHA_TOP

tmp=$(mktemp -d)
srv_pid=
cleanup() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
	rmmod bertha_test_chunnel 2>/dev/null
	ip netns del bgenl 2>/dev/null
	ip netns del bgcli 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

check "the spec validates against the kernel's genetlink schema" \
	python3 "$ynl_dir/cli.py" --spec "$spec" --schema "$schema" --list-ops

# bgenl: a namespace of its own; bgcli: a client namespace joined by veth,
# which has only the built-in implementations
ip netns add bgenl
ip -n bgenl link set lo up
ip netns add bgcli
ip link add bgv0 type veth peer name bgv1 netns bgcli
ip addr add 10.88.0.1/24 dev bgv0
ip link set bgv0 up
ip -n bgcli addr add 10.88.0.2/24 dev bgv1
ip -n bgcli link set bgv1 up
ip -n bgcli link set lo up

if python3 "$(dirname "$0")/genl_ynl.py" suite bgcli bgenl "$BERTHA_BIN/bertha_demo"; then
	echo "ok: the genl suite"
else
	echo "FAIL: the genl suite"
	failures=$((failures + 1))
fi

# the CLI alone dumps connections from the spec
coproc SRV { exec "$BERTHA_SELFTEST_BIN/conn_hold" serve 10.88.0.1:7433 identity; }
srv_pid=$SRV_PID
line=
read -r -t 30 line <&"${SRV[0]}"
check "conn_hold listens ($line)" [ "$line" = listening ]
out=$(python3 "$ynl_dir/cli.py" --spec "$spec" --no-schema --output-json --dump conn-get 2>&1)
check "the ynl CLI dumps the listener with conn-get ($out)" \
	python3 -c 'import json, sys; l = json.loads(sys.argv[1]); sys.exit(not any(
c["state"] == "listen" and c["local"]["port"] == 7433 and c["sock-type"] == "seqpacket"
for c in l))' "$out"
kill "$srv_pid"
wait "$srv_pid" 2>/dev/null
check "bertha_test_chunnel unloads: no connection holds gtest/fast" rmmod bertha_test_chunnel

# a copy of the tools that user 65534 can read
cp -r "$ynl_dir" "$tmp/ynl" && cp "$spec" "$tmp/" && chmod -R a+rX "$tmp"
# Each judged by the CLI's exit status (1 on a netlink error) and its text.
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups -- python3 "$tmp/ynl/cli.py" \
	--spec "$tmp/bertha.yaml" --no-schema --output-json --do policy-get 2>&1)
rc=$?
check "an unprivileged user reads the policy (rc=$rc: $out)" \
	eval '[ "$rc" = 0 ] && grep -q "\"policy\"" <<< "$out"'
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups -- python3 "$tmp/ynl/cli.py" \
	--spec "$tmp/bertha.yaml" --no-schema --output-json \
	--do impl-add --json '{"type": "demo", "name": "nobody"}' 2>&1)
rc=$?
check "but may not register (rc=$rc: $out)" \
	eval '[ "$rc" = 1 ] && grep -qi "not permitted" <<< "$out"'
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups -- unshare --user --map-root-user --net \
	python3 "$tmp/ynl/cli.py" --spec "$tmp/bertha.yaml" --no-schema --output-json \
	--do policy-set --json '{"policy": "prefer-priority"}' 2>&1)
rc=$?
check "root of its own user and network namespace may set its policy (rc=$rc: $out)" \
	eval '[ "$rc" = 0 ] && ! grep -qi "error\|not permitted" <<< "$out"'

finish
