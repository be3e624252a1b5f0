#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job, run in a guest by `make demo` with bertha.ko loaded: an echo
# service over AF_BERTHA between two network namespaces joined by a veth
# pair. The server dictates the chunnel DAG; a client without a DAG takes
# it (the paper's Listing 5), a client with another DAG is refused. Both
# ends print the binding negotiation chose and their counters. Then the
# module unloads cleanly.
set -eu

BIN=${BERTHA_BIN:?}
SERVER_ADDR=10.0.0.1:7000
SERVER_DAG="select(identity, identity) |> identity"
tmp=$(mktemp -d)
server_pid=

cleanup() {
	[ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
	ip netns del client 2>/dev/null || true
	ip netns del server 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "== bertha.ko loaded: $(modinfo -F description "$BERTHA_KO")"
echo "   address family $(cat /sys/module/bertha/parameters/family)," \
	"alias $(modinfo -F alias "$BERTHA_KO")"

echo "== namespaces: server 10.0.0.1/24 <-- veth --> client 10.0.0.2/24"
ip netns add server
ip netns add client
ip link add veth-s netns server type veth peer name veth-c netns client
ip -n server addr add 10.0.0.1/24 dev veth-s
ip -n client addr add 10.0.0.2/24 dev veth-c
for ns in server client; do
	ip -n "$ns" link set lo up
done
ip -n server link set veth-s up
ip -n client link set veth-c up

echo "== server: bertha_demo serve $SERVER_ADDR \"$SERVER_DAG\""
ip netns exec server timeout 60 "$BIN/bertha_demo" serve "$SERVER_ADDR" \
	"$SERVER_DAG" > "$tmp/server.log" 2>&1 &
server_pid=$!
# Show the server's first lines as soon as it listens.
for _ in $(seq 100); do
	grep -q 'listening on' "$tmp/server.log" && break
	kill -0 "$server_pid" 2>/dev/null || break
	sleep 0.1
done
cat "$tmp/server.log"
grep -q 'listening on' "$tmp/server.log" || { echo "the server did not start"; exit 1; }
shown=$(wc -l < "$tmp/server.log")

echo "== client with another DAG: bertha_demo connect $SERVER_ADDR identity"
rc=0
ip netns exec client "$BIN/bertha_demo" connect "$SERVER_ADDR" identity || rc=$?
if [ "$rc" != 2 ]; then
	echo "expected the server to refuse the connection (exit 2), got exit $rc"
	exit 1
fi

echo "== client without a DAG: bertha_demo connect $SERVER_ADDR"
ip netns exec client "$BIN/bertha_demo" connect "$SERVER_ADDR"

rc=0
wait "$server_pid" || rc=$?
server_pid=
tail -n +"$((shown + 1))" "$tmp/server.log"
[ "$rc" = 0 ] || { echo "the server failed (exit $rc)"; exit 1; }

ip netns del client
ip netns del server
echo "== sockets closed; unloading:"
rmmod bertha
echo "   bertha.ko unloaded cleanly"
