# SPDX-License-Identifier: GPL-2.0
#
# bench-ns.sh: sourced by bench.sh and profile.sh. Namespaces $A (servers,
# $server_ip/24 on veth-a) and $B (clients, 10.77.0.2/24 on veth-b) joined
# by a veth pair, the cleanup that undoes them (it kills the processes
# in $pids and removes $sockdir), and the servers. The caller defines A,
# B, server_ip, sockdir, pids and fail.

bench_cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "$B" 2>/dev/null
	ip netns del "$A" 2>/dev/null
	rm -rf "$sockdir"
}

bench_ns_up() {
	local ns
	ip netns add "$A" && ip netns add "$B" || fail "ip netns add"
	ip link add veth-a netns "$A" type veth peer name veth-b netns "$B" ||
		fail "veth"
	ip -n "$A" addr add "$server_ip/24" dev veth-a &&
		ip -n "$B" addr add 10.77.0.2/24 dev veth-b || fail "addresses"
	for ns in "$A" "$B"; do
		ip -n "$ns" link set lo up || fail "lo up in $ns"
	done
	ip -n "$A" link set veth-a up && ip -n "$B" link set veth-b up ||
		fail "veth up"
}

# bench_servers_up LOGDIR SPEC...: a bertha_bench server in $A for each
# SPEC "name transport host port [listener DAG]" (under ${pin[@]} when the
# caller sets it), its output in LOGDIR/server-NAME.log; returns once every
# one is ready. The caller also defines bench (the binary).
bench_servers_up() {
	local dir=$1 s name t host port dag
	shift
	for s in "$@"; do
		read -r name t host port dag <<< "$s"
		ip netns exec "$A" ${pin[@]+"${pin[@]}"} env ${dag:+BENCH_DAG=$dag} \
			"$bench" serve "$t" "$host" "$port" > "$dir/server-$name.log" 2>&1 &
		pids+=($!)
	done
	for s in "$@"; do
		read -r name _ <<< "$s"
		for _ in $(seq 100); do
			grep -q '^ready' "$dir/server-$name.log" && break
			sleep 0.1
		done
		grep -q '^ready' "$dir/server-$name.log" ||
			fail "the $name server did not start: $(cat "$dir/server-$name.log")"
	done
}
