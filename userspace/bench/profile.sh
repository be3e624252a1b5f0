#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# profile.sh: where a message's time goes on the local fast path and on
# AF_UNIX, side by side in one guest boot (`make bench BENCH_ONLY=profile`;
# bench.sh hands over to it). The server runs in namespace bench-a and the
# client in bench-b, as in the benchmark, for two transports: AF_BERTHA
# SOCK_SEQPACKET on the local path (DAG "identity") and AF_UNIX
# SOCK_SEQPACKET. Two views of each:
#
#   perf       `perf record -e cpu-clock -a` while bertha_bench runs the
#              64 B ping-pong, then the 64000 B one-way stream: the kernel
#              symbols with the most samples (under TCG, cpu-clock is the
#              only event; read the shares, not the times)
#   calls      function_graph (tracefs) inside the send and recv system
#              calls of PROFILE_TRIPS 64 B round trips, both ends: the
#              functions each round trip calls, and how many of them take
#              a lock, allocate, free, copy data, call a socket's readiness
#              callback (sk_data_ready, sk_write_space, sock_wfree) or wake
#              a task
#
# Writes $BERTHA_RESULTS/profile.txt, which bench-host.sh prints and
# keeps. Counts: BENCH_PROFILE_TRIPS (default 50), BENCH_PROFILE_SECS
# (seconds of each perf run, default 6).
set -u

BIN=${BERTHA_BIN:?}
out=${BERTHA_RESULTS:?}
trips=${BENCH_PROFILE_TRIPS:-50}
secs=${BENCH_PROFILE_SECS:-6}
bench=$BIN/bertha_bench
A=bench-a
B=bench-b
server_ip=10.77.0.1
tr=/sys/kernel/tracing
report=$out/profile.txt

fail() {
	echo "profile: $*" >&2
	exit 1
}

command -v perf > /dev/null || fail "perf is not installed (make deps: linux-perf)"
mkdir -p "$out" || fail "cannot create $out"
sockdir=$(mktemp -d /run/bertha-profile.XXXXXX)
pids=()
. "$(dirname "$0")/bench-ns.sh"
cleanup() {
	[ -w $tr/tracing_on ] && echo 0 > $tr/tracing_on && echo nop > $tr/current_tracer
	bench_cleanup
}
trap cleanup EXIT

[ -d $tr/events ] || mount -t tracefs nodev $tr 2>/dev/null
[ -w $tr/current_tracer ] || fail "no tracefs at $tr"

bench_ns_up

# name transport host port
transports=("bertha-local bertha $server_ip 7100" "unix unix $sockdir 0")
bench_servers_up "$sockdir" "${transports[@]}"

# client_cmd NAME FIGURE VAR=VALUE...: the command of one client run
client_cmd() {
	local name=$1 fig=$2 t f
	shift 2
	for t in "${transports[@]}"; do
		read -ra f <<< "$t"
		[ "${f[0]}" = "$name" ] || continue
		cmd=(ip netns exec $B env "$@" "$bench" client "${f[1]}" "${f[2]}"
		     "${f[3]}" "$name" "$fig")
	done
}

# perf_top NAME FIGURE VAR=VALUE...: the kernel symbols with the most samples
perf_top() {
	local name=$1 fig=$2 data=$sockdir/perf.data cmd=()
	shift 2
	client_cmd "$name" "$fig" "$@"
	perf record -q -e cpu-clock -F 2000 -a -o "$data" -- "${cmd[@]}" \
		> /dev/null 2>> "$sockdir/client.log" ||
		fail "perf record $name $fig: $(tail -n 3 "$sockdir/client.log")"
	echo "-- perf: $name, $fig ($*), kernel symbols with 1% of the samples or more"
	perf report -q -i "$data" --stdio --no-children --sort sym \
		--percent-limit 1 2> /dev/null | grep '\[k\]' | head -n 25
	echo
}

# calls NAME: function_graph inside sendto/recvfrom of $trips round trips
calls() {
	local name=$1 raw=$sockdir/graph-$name.txt cmd=()
	echo 0 > $tr/tracing_on
	echo function_graph > $tr/current_tracer || fail "function_graph"
	echo 0 > $tr/options/funcgraph-irqs
	echo '__sys_sendto __sys_recvfrom' > $tr/set_graph_function ||
		fail "set_graph_function"
	echo > $tr/trace
	client_cmd "$name" rtt BENCH_SIZES=64 BENCH_RTT_ITERS="$trips" \
		BENCH_RTT_WARMUP=0 BENCH_RTT_SECS=600
	echo 1 > $tr/tracing_on
	"${cmd[@]}" > /dev/null 2>> "$sockdir/client.log" ||
		fail "$name rtt: $(tail -n 3 "$sockdir/client.log")"
	echo 0 > $tr/tracing_on
	cat $tr/trace > "$raw"
	echo nop > $tr/current_tracer
	echo > $tr/set_graph_function
	# "func() {" or "func();" after the "|" of each line: one call
	awk -v trips="$trips" -v name="$name" '
		/\|/ {
			line = substr($0, index($0, "|") + 1)
			# functions of a module carry its name: "f [bertha]()"
			gsub(/ \[[A-Za-z0-9_]+\]/, "", line)
			if (!match(line, /[A-Za-z_][A-Za-z0-9_.]*\(\)/))
				next
			f = substr(line, RSTART, RLENGTH - 2)
			sub(/\.(isra|constprop|part|cold)\.[0-9.]*$/, "", f)
			n[f]++; total++
			# acquisitions only; allocators and copiers at their
			# entry points, not their helpers
			if (f ~ /^_raw_(spin|read|write)_lock|^mutex_lock|^lock_sock_nested$/) lock++
			if (f ~ /^kmem_cache_alloc|^__kmalloc|^__alloc_pages$|^page_frag_alloc/) alloc++
			if (f ~ /^kmem_cache_free$|^kfree$|^__free_pages$|^free_unref_page$/) free_++
			if (f ~ /^skb_copy_datagram_(from_)?iter$/) copy++
			if (f ~ /^sock_def_readable$|^sock_def_write_space$|^sock_wfree$/) ready++
			if (f ~ /^try_to_wake_up$/) wake++
			if (f ~ /^schedule$|^__schedule$/) sched++
			if (f ~ /^bertha_/) own[f]++
		}
		END {
			if (!total) { print "-- calls: " name ": nothing traced"; exit 1 }
			printf "-- calls: %s, per 64 B round trip (both ends, %d round trips traced)\n", name, trips
			printf "   functions %.1f, locks taken %.1f, allocations %.1f, frees %.1f, data copies %.1f, socket callbacks %.1f, tasks woken %.1f, schedule %.1f\n",
				total / trips, lock / trips, alloc / trips, free_ / trips,
				copy / trips, ready / trips, wake / trips, sched / trips
			ours = ""
			for (f in own)
				ours = ours sprintf(" %s %.2f", f, own[f] / trips)
			printf "   bertha.ko functions:%s\n", ours == "" ? " none" : ours
			for (f in n)
				printf "%10.2f  %s\n", n[f] / trips, f | "sort -rn | head -n 60"
		}' "$raw" || fail "no function_graph lines for $name"
	echo
}

{
	echo "bertha profile: kernel $(uname -r), $(nproc) CPU(s), $(date -u '+%Y-%m-%d %H:%M') UTC"
	echo "server in $A, client in $B; bertha-local = AF_BERTHA SOCK_SEQPACKET, local path;"
	echo "unix = AF_UNIX SOCK_SEQPACKET through a socket path"
	echo
	for name in bertha-local unix; do
		perf_top "$name" rtt BENCH_SIZES=64 BENCH_RTT_ITERS=1000000 \
			BENCH_RTT_SECS="$secs"
		perf_top "$name" throughput BENCH_STREAM_SECS="$secs"
	done
	for name in bertha-local unix; do
		calls "$name"
	done
} 2>&1 | tee "$report"
exit "${PIPESTATUS[0]}"
