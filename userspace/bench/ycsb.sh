#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The YCSB-A part of `make bench` (guest side, bertha.ko loaded): the
# sharded key-value example (userspace/examples/) for each shard count and
# each implementation of the shard chunnel. kv_server runs in ycsb-srv
# (10.77.0.1, veth sv0), two kv_client processes in ycsb-ca and ycsb-cb
# (10.77.0.2, .3), all on one bridge (namespace ycsb-sw). Modes:
#
#   push    server policy prefer-client: both clients push
#   xdp     `berthactl offload add shard xdp dev sv0`, prefer-server
#   mixed   the offload, prefer-client, client push disabled in ycsb-cb:
#           one client pushes, the other is steered by XDP
#   server  no offload, prefer-server: S0's kernel forwards (the fallback)
#
# Both clients run at once; a cell's throughput is their sum, its
# percentiles the worse client's. The counters that prove the path
# (shard-pushed per client namespace, shard-forwarded, the helper's
# steered count) go with each raw line. Settings (environment):
#
#   BENCH_YCSB_SHARDS       shard counts (default "1 2 4 8")
#   BENCH_YCSB_MODES        modes (default "push xdp mixed server")
#   BENCH_YCSB_OPS          operations per client and cell (default 2000)
#   BENCH_YCSB_RECORDS      records per client (default 200)
#   BENCH_YCSB_VALUE_SIZE   bytes (default 64)
#   BENCH_YCSB_WINDOW       outstanding requests per client (default 16)
#   BENCH_YCSB_ROUNDS       rounds (default 1); the report takes medians
#   BENCH_YCSB_RELIABLE     1: kv_server's DAG keeps reliable after the shard
#                           (default 0: --no-reliable, so that the cells
#                           compare the shard implementations alone, as the
#                           paper's figure does)
#
# Results: $BERTHA_RESULTS/ycsb.jsonl (one line per round, shard count and
# mode), ycsb-meta.json and the logs. Non-zero exit only when the benchmark
# could not run (a mismatch or lost request in a client is recorded in its
# line and reported, not fatal).
set -u

BIN=${BERTHA_BIN:?}
out=${BERTHA_RESULTS:?}
ctl=$BIN/berthactl
shards_list=${BENCH_YCSB_SHARDS:-1 2 4 8}
modes=(${BENCH_YCSB_MODES:-push xdp mixed server})
ops=${BENCH_YCSB_OPS:-2000}
kvs_opts=--no-reliable
[ "${BENCH_YCSB_RELIABLE:-0}" = 1 ] && kvs_opts=
records=${BENCH_YCSB_RECORDS:-200}
vsize=${BENCH_YCSB_VALUE_SIZE:-64}
window=${BENCH_YCSB_WINDOW:-16}
rounds=${BENCH_YCSB_ROUNDS:-1}
srv=ycsb-srv
sw=ycsb-sw
cli=(ycsb-ca ycsb-cb)
addr=10.77.0.1:7100
pids=()

fail() {
	echo "bench ycsb: $*" >&2
	exit 1
}

cleanup() {
	local p ns
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for ns in "$srv" "$sw" "${cli[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup EXIT

wait_for() {
	local n=$(($1 * 10))
	shift
	until "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

stat() {
	ip netns exec "$1" "$ctl" stats | awk -v k="$2" '$1 == k { print $2 }'
}

mkdir -p "$out" || fail "cannot create $out"
: > "$out/ycsb.jsonl"
for ns in "$srv" "$sw" "${cli[@]}"; do
	ip netns add "$ns" || fail "ip netns add $ns"
	ip -n "$ns" link set lo up
done
ip -n $sw link add br0 type bridge && ip -n $sw link set br0 up || fail bridge
ip link add sv0 netns $srv type veth peer name p-srv netns $sw || fail veth
ip -n $srv addr add 10.77.0.1/24 dev sv0
for i in 0 1; do
	ip link add cv0 netns "${cli[$i]}" type veth peer name "p-c$i" netns $sw || fail veth
	ip -n "${cli[$i]}" addr add "10.77.0.$((i + 2))/24" dev cv0
	ip -n "${cli[$i]}" link set cv0 up
	ip -n $sw link set "p-c$i" master br0 up
done
ip -n $sw link set p-srv master br0 up
ip -n $srv link set sv0 up
# the veths need a moment before the first packet passes
wait_for 10 eval '[ "$(ip netns exec $srv cat /sys/class/net/sv0/operstate)" = up ]'

{
	printf '{"kernel": "%s", "date": "%s", "cpus": %s, "ops": %s, "records": %s, ' \
		"$(uname -r)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$ops" "$records"
	printf '"value_size": %s, "window": %s, "rounds": %s, "clients": 2, "shards": [%s], ' \
		"$vsize" "$window" "$rounds" "$(echo $shards_list | tr ' ' ,)"
	printf '"reliable": %s}\n' "$([ -z "$kvs_opts" ] && echo true || echo false)"
} > "$out/ycsb-meta.json"

xdp_pid=
start_xdp() {
	ip netns exec $srv "$ctl" offload add shard xdp dev sv0 > "$out/ycsb-xdp.out" 2>&1 &
	xdp_pid=$!
	pids+=($xdp_pid)
	wait_for 30 eval 'ip netns exec $srv "$ctl" impl list | grep -q "^shard xdp "' ||
		fail "the shard XDP helper did not register: $(cat "$out/ycsb-xdp.out")"
}

# stop the helper, if it runs; $steered: what it steered
stop_xdp() {
	steered=0
	[ -n "$xdp_pid" ] || return 0
	kill -TERM "$xdp_pid"
	wait "$xdp_pid" 2>/dev/null
	xdp_pid=
	steered=$(sed -n 's/^shard xdp: steered \([0-9]*\) .*/\1/p' "$out/ycsb-xdp.out")
	cat "$out/ycsb-xdp.out" >> "$out/ycsb-xdp.log"
}

# mode: set the policy, the offload and client B's client push
setup_mode() {
	case $1 in
	push)	ip netns exec $srv "$ctl" policy set prefer-client ;;
	xdp)	ip netns exec $srv "$ctl" policy set prefer-server; start_xdp ;;
	mixed)	ip netns exec $srv "$ctl" policy set prefer-client
		ip netns exec "${cli[1]}" "$ctl" impl disable shard client-push
		start_xdp ;;
	server)	ip netns exec $srv "$ctl" policy set prefer-server ;;
	*)	fail "unknown mode $1" ;;
	esac
}

teardown_mode() {
	[ "$1" = mixed ] && ip netns exec "${cli[1]}" "$ctl" impl enable shard client-push
	stop_xdp
}

missing=0
echo "== bench ycsb: shards {$shards_list} x {${modes[*]}}, $ops ops per client, $records records, ${vsize} B values, window $window, $(nproc) CPU(s)"
start=$SECONDS
for round in $(seq "$rounds"); do
	k=0
	for n in $shards_list; do
		ip netns exec $srv "$BIN/kv_server" "$addr" --shards "$n" $kvs_opts > "$out/ycsb-server-$n.log" 2>&1 &
		kvs=$!
		pids+=($kvs)
		wait_for 10 grep -q '^ready' "$out/ycsb-server-$n.log" ||
			fail "kv_server --shards $n did not start: $(cat "$out/ycsb-server-$n.log")"
		nm=${#modes[@]}
		for j in $(seq 0 $((nm - 1))); do
			# rotated by shard count and round, so that no mode always runs first
			mode=${modes[(j + k + round - 1) % nm]}
			setup_mode "$mode"
			p0=$(stat "${cli[0]}" shard-pushed); p1=$(stat "${cli[1]}" shard-pushed)
			f0=$(stat $srv shard-forwarded)
			for i in 0 1; do
				ip netns exec "${cli[$i]}" "$BIN/kv_client" "$addr" ycsb --ops "$ops" \
					--records "$records" --value-size "$vsize" --window "$window" \
					--client-id "$i" --json > "$out/ycsb-client.$i" \
					2>> "$out/ycsb-client-$i.log" &
				cpid[$i]=$!
			done
			rc=()
			for i in 0 1; do
				wait "${cpid[$i]}"
				rc[$i]=$?
			done
			p0=$(($(stat "${cli[0]}" shard-pushed) - p0))
			p1=$(($(stat "${cli[1]}" shard-pushed) - p1))
			f0=$(($(stat $srv shard-forwarded) - f0))
			teardown_mode "$mode" > /dev/null
			c0=$(cat "$out/ycsb-client.0"); c1=$(cat "$out/ycsb-client.1")
			case "$c0$c1" in
			'{'*'}{'*'}') ;;
			*) echo "bench ycsb: $n shards, $mode: a client left no result" >&2
			   missing=$((missing + 1)); continue ;;
			esac
			printf '{"set": "ycsb", "round": %s, "shards": %s, "mode": "%s", "exit": [%s, %s], "pushed": [%s, %s], "forwarded": %s, "steered": %s, "clients": [%s, %s]}\n' \
				"$round" "$n" "$mode" "${rc[0]}" "${rc[1]}" "$p0" "$p1" "$f0" \
				"${steered:-0}" "$c0" "$c1" >> "$out/ycsb.jsonl"
			python3 -c 'import json, sys
l = json.loads(sys.argv[1])
c = l["clients"]
print("-- ycsb %2d shards %-6s %8.0f ops/s  p50 %6.0f  p99 %7.0f us  pushed %s forwarded %d steered %d retries %d mismatches %d" % (
    l["shards"], l["mode"], sum(x["ops_per_sec"] for x in c), max(x["p50_us"] for x in c),
    max(x["p99_us"] for x in c), l["pushed"], l["forwarded"], l["steered"],
    sum(x["retries"] for x in c), sum(x["mismatches"] for x in c)))' "$(tail -1 "$out/ycsb.jsonl")" >&2
		done
		kill -TERM "$kvs"
		wait "$kvs"
		k=$((k + 1))
	done
done
echo "== bench ycsb: $((SECONDS - start)) s"
[ "$missing" = 0 ] || fail "$missing cells left no result"
