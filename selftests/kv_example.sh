#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The sharded key-value example (userspace/examples/kv_server, kv_client)
# over each implementation of the shard chunnel. kv_server (4 shards) runs
# in a server namespace, clients in two client namespaces, routed through
# a fourth one, so that every request reaches the server on its veth sv0. For each case: PUT then GET for many keys, a short YCSB-A run that
# checks every GET, the binding the client negotiated (berthactl conn show)
# and the counters that show which path carried the requests:
#
#   client push    policy prefer-client      shard-pushed in the client ns
#   server         policy prefer-server      shard-forwarded in the server ns
#   xdp            offload shard xdp on sv0  the helper's "steered N" > 0,
#                  + prefer-server           shard-forwarded unchanged
#   mixed          client B: impl disable    A pushes, B gets xdp
#                  shard client-push
#
# kv_server's DAG is shard(...) |> reliable. Last, with netem loss,
# duplication and reordering on every veth, YCSB-A under client push and
# under the server fallback must see no mismatch, no lost request and not
# a single client retry: the kernel's reliable chunnel recovers alone.
. "$(dirname "$0")/lib.sh"

ctl=$BERTHA_BIN/berthactl
kvs=$BERTHA_BIN/kv_server
kvc=$BERTHA_BIN/kv_client
for b in "$ctl" "$kvs" "$kvc"; do
	[ -x "$b" ] || { echo "no $b (make userspace)"; exit $KSFT_FAIL; }
done
bertha_loaded || insmod "$BERTHA_KO"

srv=kv-srv-$$
sw=kv-sw-$$
cli=(kv-ca-$$ kv-cb-$$)
tmp=$(mktemp -d)
pids=()
addr=10.77.0.1:7100
# The debug lane (KASAN, lockdep, kmemleak) runs the same paths with fewer
# operations: each costs it several times what it costs the stock lane.
if [ "${BERTHA_LANE:-stock}" = debug ]; then
	ops=${KV_TEST_OPS:-100}
	keys=${KV_TEST_KEYS:-4}
else
	ops=${KV_TEST_OPS:-300}
	keys=${KV_TEST_KEYS:-12}
fi

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for ns in "$srv" "$sw" "${cli[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

S() { ip netns exec "$srv" "$@"; }
C() { local i=$1; shift; ip netns exec "${cli[$i]}" "$@"; }

# stat NS NAME: a counter of namespace NS; nothing, and status 1, if
# berthactl stats fails or has no number for NAME (compare with num_cmp)
stat() {
	local out v
	out=$(ip netns exec "$1" "$ctl" stats) || return 1
	v=$(awk -v k="$2" '$1 == k { print $2 }' <<< "$out")
	is_number "$v" || return 1
	echo "$v"
}

for ns in "$srv" "$sw" "${cli[@]}"; do
	ip netns add "$ns" || exit $KSFT_FAIL
	ip -n "$ns" link set lo up
done
# A router namespace, not a bridge (the debug kernel has no bridge):
# sv0 10.77.0.1 -- 10.77.0.2 [sw] 10.77.1.1 -- 10.77.1.2 client 0
#                                 10.77.2.1 -- 10.77.2.2 client 1
ip link add sv0 netns "$srv" type veth peer name p-srv netns "$sw" || exit $KSFT_FAIL
ip -n "$srv" addr add 10.77.0.1/24 dev sv0
ip -n "$sw" addr add 10.77.0.2/24 dev p-srv
ip -n "$srv" link set sv0 up
ip -n "$sw" link set p-srv up
ip -n "$srv" route add 10.77.0.0/16 via 10.77.0.2 || exit $KSFT_FAIL
ip netns exec "$sw" sysctl -qw net.ipv4.ip_forward=1 || exit $KSFT_FAIL
for i in 0 1; do
	ip link add cv0 netns "${cli[$i]}" type veth peer name "p-c$i" netns "$sw" || exit $KSFT_FAIL
	ip -n "${cli[$i]}" addr add "10.77.$((i + 1)).2/24" dev cv0
	ip -n "$sw" addr add "10.77.$((i + 1)).1/24" dev "p-c$i"
	ip -n "${cli[$i]}" link set cv0 up
	ip -n "$sw" link set "p-c$i" up
	ip -n "${cli[$i]}" route add default via "10.77.$((i + 1)).1" || exit $KSFT_FAIL
done

# (background jobs: ip netns exec itself, so that $! is the program)
ip netns exec "$srv" "$kvs" "$addr" --shards 4 > "$tmp/server.out" 2>&1 &
pids+=($!)
kvs_pid=$!
wait_for 10 grep -q '^ready' "$tmp/server.out" ||
	{ cat "$tmp/server.out"; echo "kv_server did not start"; exit $KSFT_FAIL; }
# the veths need a moment before the first packet passes
for i in 0 1; do
	wait_for 10 eval '[ "$(C $i cat /sys/class/net/cv0/operstate)" = up ]'
done
wait_for 10 eval '[ "$(S cat /sys/class/net/sv0/operstate)" = up ]'

# put_get CLIENT CASE: PUT then GET of $keys keys, each a new socket
# (keys: 2 letters of CASE, the client, the number; at most 8 bytes)
put_get() {
	local c=$1 p=${2:0:2}$1 k v got n=0
	for k in $(seq "$keys"); do
		v="$2-$c-value-$k-$RANDOM"
		C "$c" "$kvc" "$addr" put "$p$k" "$v" > /dev/null || return 1
		got=$(C "$c" "$kvc" "$addr" get "$p$k") || return 1
		[ "$got" = "$v" ] || { echo "key $p$k: got '$got', want '$v'"; return 1; }
		n=$((n + 1))
	done
	C "$c" "$kvc" "$addr" del "${p}1" > /dev/null || return 1
	C "$c" "$kvc" "$addr" get "${p}1" 2> /dev/null
	[ $? = 3 ] || { echo "a deleted key is still there"; return 1; }
	[ "$n" = "$keys" ]
}

# ycsb_bg CLIENT FILE: a YCSB-A run in the background that holds its
# socket after printing its results, until SIGTERM (ycsb_check)
ycsb_bg() {
	ip netns exec "${cli[$1]}" "$kvc" "$addr" ycsb --ops "$ops" --records 64 \
		--value-size 32 --window 8 --client-id "$1" --json --hold-ms 120000 > "$2" 2>&1 &
	pids+=($!)
	echo $! > "$2.pid"
}

# ycsb_check CLIENT FILE BINDING: the run passed and, while its socket
# lived, the client's namespace showed BINDING for it
ycsb_check() {
	local c=$1 f=$2 want=$3 pid
	pid=$(cat "$f.pid")
	check "client $c: YCSB-A ran ($want)" wait_for 120 grep -q '"ops_per_sec"' "$f"
	C "$c" "$ctl" conn show > "$f.conn"
	check "client $c: conn show has $want to port 7100" \
		grep -q "10.77.0.1:7100 .*$want" "$f.conn"
	kill -TERM "$pid"
	wait "$pid"
	check "client $c: YCSB-A exit 0, no mismatch or lost request" [ $? = 0 ]
	check "client $c: mismatches 0" grep -q '"mismatches": 0,' "$f"
	grep -q '"mismatches": 0,' "$f" && grep -q '"lost": 0,' "$f" ||
		{ cat "$f"; cat "$f.conn"; }
}

run_case() {
	local name=$1 b0=$2 b1=$3
	echo "== $name"
	check "$name: client 0 PUT then GET of $keys keys" put_get 0 "$name"
	check "$name: client 1 PUT then GET of $keys keys" put_get 1 "$name"
	ycsb_bg 0 "$tmp/$name.0"
	ycsb_bg 1 "$tmp/$name.1"
	ycsb_check 0 "$tmp/$name.0" "$b0"
	ycsb_check 1 "$tmp/$name.1" "$b1"
}

echo "== client push (prefer-client)"
S "$ctl" policy set prefer-client
p0=$(stat "${cli[0]}" shard-pushed)
f0=$(stat "$srv" shard-forwarded)
run_case push shard=client-push@local shard=client-push@local
check "push: shard-pushed grew in client 0's namespace by at least $ops" \
	num_cmp "$(stat "${cli[0]}" shard-pushed)" -ge "$(num_add "$p0" "$ops")"
check "push: shard-forwarded did not grow in the server's namespace" \
	num_cmp "$(stat "$srv" shard-forwarded)" -eq "$f0"

echo "== server fallback (prefer-server)"
S "$ctl" policy set prefer-server
p0=$(stat "${cli[0]}" shard-pushed)
f0=$(stat "$srv" shard-forwarded)
run_case server shard=server@peer shard=server@peer
check "server: shard-forwarded grew by at least 2 x $ops" \
	num_cmp "$(stat "$srv" shard-forwarded)" -ge "$(num_add "$f0" $((2 * ops)))"
check "server: shard-pushed did not grow" num_cmp "$(stat "${cli[0]}" shard-pushed)" -eq "$p0"

# start_xdp NAME: the offload helper on sv0, registered once it is listed
start_xdp() {
	ip netns exec "$srv" "$ctl" offload add shard xdp dev sv0 > "$tmp/xdp-$1.out" 2>&1 &
	pids+=($!)
	xdp_pid=$!
	wait_for 30 eval 'S "$ctl" impl list | grep -q "^shard xdp "'
}

# stop_xdp NAME: SIGTERM; $steered: the datagrams it steered
stop_xdp() {
	kill -TERM "$xdp_pid"
	wait "$xdp_pid"
	steered=$(sed -n 's/^shard xdp: steered \([0-9]*\) .*/\1/p' "$tmp/xdp-$1.out")
}

echo "== server XDP (offload shard xdp dev sv0, prefer-server)"
if ! start_xdp xdp; then
	cat "$tmp/xdp-xdp.out"
	check "the shard XDP helper registered shard/xdp" false
else
	f0=$(stat "$srv" shard-forwarded)
	run_case xdp shard=xdp@peer shard=xdp@peer
	check "xdp: shard-forwarded did not grow" num_cmp "$(stat "$srv" shard-forwarded)" -eq "$f0"
	stop_xdp xdp
	grep "^attached\|^shard xdp:" "$tmp/xdp-xdp.out"
	check "xdp: the helper steered at least 2 x $ops datagrams" \
		num_cmp "$steered" -ge $((2 * ops))
fi

echo "== mixed (client 1 without client push, prefer-client)"
S "$ctl" policy set prefer-client
C 1 "$ctl" impl disable shard client-push
if ! start_xdp mixed; then
	cat "$tmp/xdp-mixed.out"
	check "the shard XDP helper registered shard/xdp" false
else
	p0=$(stat "${cli[0]}" shard-pushed)
	p1=$(stat "${cli[1]}" shard-pushed)
	f0=$(stat "$srv" shard-forwarded)
	run_case mixed shard=client-push@local shard=xdp@peer
	check "mixed: client 0 pushed" \
		num_cmp "$(stat "${cli[0]}" shard-pushed)" -ge "$(num_add "$p0" "$ops")"
	check "mixed: client 1 did not push" num_cmp "$(stat "${cli[1]}" shard-pushed)" -eq "$p1"
	check "mixed: shard-forwarded did not grow" num_cmp "$(stat "$srv" shard-forwarded)" -eq "$f0"
	stop_xdp mixed
	echo "# steered: ${steered:-none}"
	check "mixed: the helper steered at least $ops datagrams (client 1's)" \
		num_cmp "$steered" -ge "$ops"
fi
C 1 "$ctl" impl enable shard client-push

# netem_all ARGS: on the server's and both clients' veths ("" removes it)
netem_all() {
	local dev ns
	for ns in "$srv" "${cli[@]}"; do
		dev=cv0
		[ "$ns" = "$srv" ] && dev=sv0
		if [ -z "$1" ]; then
			ip netns exec "$ns" tc qdisc del dev $dev root 2> /dev/null
		else
			# shellcheck disable=SC2086
			ip netns exec "$ns" tc qdisc replace dev $dev root netem $1 || return 1
		fi
	done
	return 0
}

# lossy_case NAME POLICY BINDING: YCSB-A from both clients under loss
lossy_case() {
	local name=$1 c f
	echo "== $name under netem loss (reliable)"
	S "$ctl" policy set "$2"
	check "$name: netem on every veth" netem_all "delay 1ms loss 10% duplicate 2% reorder 25% 50%"
	for c in 0 1; do
		ycsb_bg $c "$tmp/$name.$c"
	done
	for c in 0 1; do
		f=$tmp/$name.$c
		ycsb_check $c "$f" "$3"
		check "$name: client $c ran over reliable" grep -q '"reliable": true' "$f"
		check "$name: client $c needed no retry" grep -q '"retries": 0,' "$f"
		grep -q '"retries": 0,' "$f" || cat "$f"
	done
	netem_all ""
}

lossy_case push-lossy prefer-client "shard=client-push@local.*reliable"
lossy_case server-lossy prefer-server "shard=server@peer.*reliable"

kill -TERM "$kvs_pid"
wait "$kvs_pid"
check "kv_server exits 0 on SIGTERM" [ $? = 0 ]
cat "$tmp/server.out"
check "every shard served requests" \
	[ "$(grep -c '^shard [0-9]* port [0-9]* served [1-9]' "$tmp/server.out")" = 4 ]
finish
