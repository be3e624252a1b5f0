#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of `make bench`, run with bertha.ko loaded: bertha_bench
# servers in network namespace bench-a (10.77.0.1/24), clients in bench-b
# (10.77.0.2/24), joined by a veth pair. Seven variants:
#
#   bertha-local   AF_BERTHA, `berthactl local on` in both namespaces
#   bertha-remote  AF_BERTHA, `berthactl local off` in both namespaces
#   tcp            TCP over the veth pair
#   udp            UDP over the veth pair
#   unix           AF_UNIX SOCK_SEQPACKET, server in bench-a, client in
#                  bench-b, through a socket path (the IPC reference)
#   bertha-dgram   AF_BERTHA SOCK_DGRAM, `local on` (no connections)
#   unix-dgram     AF_UNIX SOCK_DGRAM, as unix (its datagram reference)
#
# A round measures figure after figure (ping-pong one message size at a
# time, throughput, message rate, connections), each for every variant in
# turn, so that the variants a ratio compares run seconds apart; the order
# of the variants is reversed from one figure to the next and rotated from
# one round to the next. BENCH_ROUNDS (default 5) rounds; the other BENCH_*
# variables are bertha_bench's (see its header).
#
# The reliable set (issue 6), at the end of each of the first
# BENCH_REL_ROUNDS rounds (default 3): one-way throughput of AF_BERTHA over
# the network path with the DAG "reliable" at both ends (local off; a
# second bertha server, port 7110) against TCP, for 1400 B and 64000 B
# messages without loss and for 1400 B with netem loss 1% on both ends of
# the veth pair (removed right after). Its raw lines carry "set":
# "reliable", the message size and the loss.
#
# Then, unless BENCH_YCSB=0, ycsb.sh: YCSB-A over the sharded key-value
# example for each shard count and shard implementation (BENCH_ONLY=ycsb:
# that alone). The guest has 2 vCPUs for it; the figures above run pinned
# to CPU 0 (BENCH_PIN=0: not).
#
# Raw results go to $BERTHA_RESULTS (a directory): raw.jsonl (one line per
# figure, variant and round), meta.json and the logs. A line per figure is
# printed as it finishes; on the host, bench_report.py turns the raw lines
# into the table. The exit status is non-zero only when the benchmark could
# not run (setup, a server that does not start, a client that leaves no
# result), never because of the figures.
set -u

BIN=${BERTHA_BIN:?}
out=${BERTHA_RESULTS:?}
rounds=${BENCH_ROUNDS:-5}
rel_rounds=${BENCH_REL_ROUNDS:-3}
# the reliable set's figures, SIZE:LOSS_PERCENT
rel_figures=(1400:0 64000:0 1400:1)
bench=$BIN/bertha_bench
ctl=$BIN/berthactl
A=bench-a
B=bench-b
server_ip=10.77.0.1

fail() {
	echo "bench: $*" >&2
	exit 1
}

# local on|off in both namespaces
local_path() {
	local ns
	for ns in $A $B; do
		ip netns exec $ns "$ctl" local "$1" ||
			fail "berthactl local $1 in $ns"
	done
}

# netem ARGS... on both ends of the veth pair; no ARGS: remove it
netem() {
	if [ $# = 0 ]; then
		tc -n $A qdisc del dev veth-a root 2>/dev/null
		tc -n $B qdisc del dev veth-b root 2>/dev/null
		return 0
	fi
	tc -n $A qdisc replace dev veth-a root netem "$@" &&
		tc -n $B qdisc replace dev veth-b root netem "$@" ||
		fail "tc netem $*"
}

# ---- the clients: run in bench-b by the main part below ----

# Extra members of the raw lines (the reliable set's), and extra
# environment for bertha_bench (VAR=VALUE words).
raw_extra=
client_env=()

# round label transport host port figure: one figure of one variant; its
# JSON line goes to raw.jsonl, its progress line (stderr) to the console.
run_client() {
	local round=$1 label=$2 t=$3 host=$4 port=$5 fig=$6 sizes line
	sizes=${BENCH_SIZES:-64,1024,16384,64000}
	if [ "${fig%%:*}" = rtt ]; then
		sizes=${fig#rtt:}
		fig=rtt
	fi
	line=$(env BENCH_SIZES="$sizes" "${client_env[@]}" "$bench" client "$t" \
		"$host" "$port" "$label" "$fig" 2> "$sockdir/stderr")
	cat "$sockdir/stderr" >&2
	cat "$sockdir/stderr" >> "$out/client-$label.log"
	case $line in
	'{"label": '*'"ok": '*'}')
		printf '{"round": %s, %s"result": %s}\n' "$round" "$raw_extra" "$line" \
			>> "$out/raw.jsonl"
		;;
	*)
		echo "bench: $label $fig ${client_env[*]} (round $round) left no result; see client-$label.log" >&2
		missing=$((missing + 1))
		;;
	esac
}

cur_local=
set_local() {
	[ "$cur_local" = "$1" ] && return
	local_path "$1"
	cur_local=$1
}

# round variant figure
variant() {
	case $2 in
	bertha-local)
		set_local on
		run_client "$1" bertha-local bertha $server_ip 7100 "$3" ;;
	bertha-remote)
		set_local off
		run_client "$1" bertha-remote bertha $server_ip 7100 "$3" ;;
	tcp) run_client "$1" tcp tcp $server_ip 7200 "$3" ;;
	udp) [ "$3" = connect ] || run_client "$1" udp udp $server_ip 7300 "$3" ;;
	unix) run_client "$1" unix unix "$sockdir" 0 "$3" ;;
	bertha-dgram)
		set_local on
		[ "$3" = connect ] ||
			run_client "$1" bertha-dgram bertha-dgram $server_ip 7400 "$3" ;;
	unix-dgram)
		[ "$3" = connect ] ||
			run_client "$1" unix-dgram unix-dgram "$sockdir" 0 "$3" ;;
	esac
}

# round: the reliable set, reliable and TCP one after the other for each
# size and loss, in an order that alternates with the figure and the round
reliable_set() {
	local round=$1 f size loss i j=0
	set_local off
	for f in "${rel_figures[@]}"; do
		size=${f%%:*}
		loss=${f#*:}
		[ "$loss" = 0 ] || netem loss "$loss%"
		raw_extra="\"set\": \"reliable\", \"size\": $size, \"loss_pct\": $loss, "
		for i in 0 1; do
			[ $(((j + round) % 2)) = 1 ] && i=$((1 - i))
			if [ "$i" = 0 ]; then
				client_env=(BENCH_DAG=reliable BENCH_TPUT_SIZE="$size")
				run_client "$round" bertha-reliable bertha $server_ip 7110 throughput
			else
				client_env=(BENCH_TPUT_SIZE="$size")
				run_client "$round" tcp tcp $server_ip 7200 throughput
			fi
		done
		[ "$loss" = 0 ] || netem
		raw_extra=
		client_env=()
		j=$((j + 1))
	done
}

clients() {
	local variants=(bertha-local bertha-remote tcp udp unix bertha-dgram unix-dgram)
	local figures=() sizes n=7 round fig size i k=0
	missing=0
	IFS=, read -ra sizes <<< "${BENCH_SIZES:-64,1024,16384,64000}"
	for size in "${sizes[@]}"; do
		figures+=("rtt:$size")
	done
	figures+=(throughput msgrate connect)
	for round in $(seq "$rounds"); do
		echo "-- round $round of $rounds"
		for fig in "${figures[@]}"; do
			for i in $(seq 0 $((n - 1))); do
				# reversed every other figure, rotated by the round
				[ $((k % 2)) = 1 ] && i=$((n - 1 - i))
				variant "$round" "${variants[(i + round - 1) % n]}" "$fig"
			done
			k=$((k + 1))
		done
		if [ "$round" -le "$rel_rounds" ]; then
			echo "-- round $round: reliable vs TCP (${rel_figures[*]}; size:loss%)"
			reliable_set "$round"
		fi
	done
	set_local on
	[ "$missing" = 0 ] || fail "$missing client runs left no result"
}

if [ "${1:-}" = --clients ]; then
	sockdir=$2
	clients
	exit
fi

# ---- the main part: namespaces, servers, then the clients in bench-b ----

here=$(cd "$(dirname "$0")" && pwd)
# BENCH_ONLY=ycsb: only the sharded key-value store's YCSB-A (ycsb.sh)
[ "${BENCH_ONLY:-}" = ycsb ] && exec "$here/ycsb.sh"
[ "${BENCH_ONLY:-}" = profile ] && exec "$here/profile.sh"

# The guest has 2 vCPUs (for ycsb.sh); the figures here keep the one-CPU
# behaviour they were designed for (stable p99): every process of this
# part runs on CPU 0. BENCH_PIN=0 lets them spread.
pin=()
[ "$(nproc)" -gt 1 ] && [ "${BENCH_PIN:-1}" != 0 ] && pin=(taskset -c 0)

sockdir=$(mktemp -d /run/bertha-bench.XXXXXX)
pids=()
. "$here/bench-ns.sh"
trap bench_cleanup EXIT

mkdir -p "$out" || fail "cannot create $out"
: > "$out/raw.jsonl"

bench_ns_up

# name transport host port [listener DAG]
servers=(
	"bertha bertha $server_ip 7100"
	"bertha-reliable bertha $server_ip 7110 reliable"
	"tcp tcp $server_ip 7200"
	"udp udp $server_ip 7300"
	"unix unix $sockdir 0"
	"bertha-dgram bertha-dgram $server_ip 7400"
	"unix-dgram unix-dgram $sockdir 0"
)
bench_servers_up "$out" "${servers[@]}"
# The veth pair needs a moment before the first packet passes.
for _ in $(seq 100); do
	[ "$(ip netns exec $A cat /sys/class/net/veth-a/operstate)" = up ] &&
		[ "$(ip netns exec $B cat /sys/class/net/veth-b/operstate)" = up ] && break
	sleep 0.1
done

# a JSON string of plain text (no control characters)
json_str() {
	local s=${1//\\/\\\\}
	printf '"%s"' "${s//\"/\\\"}"
}

local_path on
policy_on=$(ip netns exec $B "$ctl" policy show | tr '\n' ' ')
local_path off
policy_off=$(ip netns exec $B "$ctl" policy show | tr '\n' ' ')
{
	printf '{"kernel": %s, ' "$(json_str "$(uname -r)")"
	printf '"date": %s, ' "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
	printf '"cpus": %s, ' "$(nproc)"
	printf '"hypervisor": %s, ' "$(grep -qw hypervisor /proc/cpuinfo && echo true || echo false)"
	printf '"rounds": %s, ' "$rounds"
	printf '"rel_rounds": %s, ' "$(( rel_rounds < rounds ? rel_rounds : rounds ))"
	printf '"policy_local_on": %s, ' "$(json_str "$policy_on")"
	printf '"policy_local_off": %s, ' "$(json_str "$policy_off")"
	printf '"env": {'
	sep=
	for v in $(compgen -v BENCH_); do
		printf '%s"%s": %s' "$sep" "$v" "$(json_str "${!v}")"
		sep=", "
	done
	printf '}}\n'
} > "$out/meta.json"

echo "== bench: $rounds rounds; servers in $A ($server_ip), clients in $B; veth; $(nproc) CPU(s)"
start=$SECONDS
export BERTHA_BIN BERTHA_RESULTS BENCH_ROUNDS=$rounds BENCH_REL_ROUNDS=$rel_rounds
ip netns exec $B "${pin[@]}" "$0" --clients "$sockdir" || exit 1
echo "== bench: $((SECONDS - start)) s of measurements"

ip netns exec $A "$ctl" -j stats > "$out/stats-server.json" 2>&1
ip netns exec $B "$ctl" -j stats > "$out/stats-client.json" 2>&1
[ -s "$out/raw.jsonl" ] || fail "no results"
echo "== bench: raw results in $out"

# Memory per idle connection, AF_BERTHA (network path) next to TCP over
# veth: the scale selftest's concurrent case with BENCH_MEM_CONNS (default
# 2000) connections (BENCH_MEM=0: not).
if [ "${BENCH_MEM:-1}" != 0 ]; then
	SCALE_CONNS=${BENCH_MEM_CONNS:-2000} "$BERTHA_SELFTEST_BIN/scale" \
		-r scale.network.concurrent > "$out/memory.log" 2>&1 ||
		echo "bench: the memory measurement failed; see memory.log" >&2
	grep -o 'memory per idle connection.*' "$out/memory.log" > "$out/memory.txt"
fi

# then the YCSB-A of the key-value example (BENCH_YCSB=0: not)
if [ "${BENCH_YCSB:-1}" != 0 ]; then
	bench_cleanup
	trap - EXIT
	"$here/ycsb.sh" || exit 1
fi
