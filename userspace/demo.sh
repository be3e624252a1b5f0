#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job, run in a guest by `make demo` with bertha.ko loaded: the
# paper's story told with unchanged applications, mostly the sharded
# key-value store of userspace/examples (kv_server dictates the DAG
# "shard(...) |> reliable"; kv_client runs YCSB-A against it and checks
# every answer). Five steps, each a new connection of the same binaries,
# which nothing tells what the kernel chose:
#
#   1. client and server in two namespaces of one host: the local shortcut
#      (the echo service, bertha_demo: the key-value store's binding has
#      shard, which steers by address and so keeps the network)
#   2. the key-value client, shortcut off in its namespace: the network path,
#      sharded by the server's kernel forwarder
#   3. a helper registers the XDP shard offload: a new connection binds
#      it, the connection of step 2, still open, keeps its binding
#   4. the helper is killed: its registration goes with it, a new
#      connection falls back to the kernel forwarder
#   5. two clients on one listener at once, with different bindings: one
#      shards itself (client-push), the other leaves it to the server
#
# It ends with a table: connection, path, binding, median latency. Any
# step that does not show what it says fails the demo.
set -eu

BIN=${BERTHA_BIN:?}
ctl=$BIN/berthactl
kvs=$BIN/kv_server
kvc=$BIN/kv_client
ADDR=10.0.0.1:7100
OPS=${DEMO_OPS:-300}
tmp=$(mktemp -d)
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	for ns in srv ca cb; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "demo: FAIL: $*"
	exit 1
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds
wait_for() {
	local end=$((SECONDS + $1))

	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

echo "== bertha.ko loaded: $(modinfo -F description "$BERTHA_KO")"
echo "== namespaces: kv_server in srv (10.0.0.1 on sv0, 10.0.1.1 on sv1);"
echo "   client A in ca (10.0.0.2), client B in cb (10.0.1.2), one veth each"
for ns in srv ca cb; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
ip link add sv0 netns srv type veth peer name cv0 netns ca
ip link add sv1 netns srv type veth peer name cv0 netns cb
ip -n srv addr add 10.0.0.1/24 dev sv0
ip -n srv addr add 10.0.1.1/24 dev sv1
ip -n ca addr add 10.0.0.2/24 dev cv0
ip -n cb addr add 10.0.1.2/24 dev cv0
for l in "srv sv0" "srv sv1" "ca cv0" "cb cv0"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n cb route add default via 10.0.1.1

ip netns exec srv "$ctl" policy set prefer-server
ip netns exec srv "$kvs" "$ADDR" --shards 4 > "$tmp/server.out" 2>&1 &
pids+=($!)
wait_for 10 grep -q '^ready' "$tmp/server.out" ||
	{ cat "$tmp/server.out"; fail "kv_server did not start"; }
echo "== kv_server $ADDR --shards 4 (DAG shard(...) |> reliable), policy prefer-server"
for ns in ca cb; do
	wait_for 10 eval '[ "$(ip netns exec '"$ns"' cat /sys/class/net/cv0/operstate)" = up ]' ||
		fail "cv0 in $ns is not up"
done

# ycsb_start NS NAME: YCSB-A from namespace NS in the background, its JSON
# in $tmp/NAME; it keeps its socket open afterwards, until ycsb_stop (each
# namespace's client its own keys: clients at once do not race)
ycsb_start() {
	ip netns exec "$1" "$kvc" "$ADDR" ycsb --ops "$OPS" --records 64 \
		--value-size 64 --window 1 --json --hold-ms 120000 \
		--client-id "$([ "$1" = ca ] && echo 0 || echo 1)" \
		> "$tmp/$2" 2>&1 &
	pids+=($!)
	echo $! > "$tmp/$2.pid"
}

# ycsb_wait NAME: it finished, every answer right
ycsb_wait() {
	wait_for 60 grep -q '"ops_per_sec"' "$tmp/$1" ||
		{ cat "$tmp/$1"; fail "$1: YCSB-A did not finish"; }
	grep -q '"mismatches": 0, "errors": 0' "$tmp/$1" &&
		grep -q '"lost": 0,' "$tmp/$1" ||
		{ cat "$tmp/$1"; fail "$1: lost, wrong or failed requests"; }
}

ycsb() {
	ycsb_start "$1" "$2"
	ycsb_wait "$2"
}

ycsb_stop() {
	local n pid

	for n in "$@"; do
		pid=$(cat "$tmp/$n.pid")
		kill -TERM "$pid" 2> /dev/null || true
		wait "$pid" 2> /dev/null || true
	done
}

# conn NS [OTHER [ONLY]]: "local path binding" of the connection to $ADDR
# in NS (not the one from address OTHER; the one from ONLY)
conn() {
	ip netns exec "$1" "$ctl" conn show |
		awk -v a="$ADDR" -v o="${2:-}" -v y="${3:-}" '
			$2 == "established" && $4 == a && $3 != o &&
			(y == "" || $3 == y) {
				b = $9; for (i = 10; i <= NF; i++) b = b " " $i
				line = $3 " " $8 " " b
			}
			END { if (line == "") exit 1; print line }'
}

# row STEP CLIENT WHAT CONN [NAME]: a line of the closing table, the
# median latency from YCSB-A's $tmp/NAME
row() {
	local p50=-

	[ -z "${5:-}" ] ||
		p50=$(sed -n 's/.*"p50_us": \([0-9]*\).*/\1/p' "$tmp/$5")
	printf '%-4s %-6s %-5s %-8s %-48s %6s\n' "$1" "$2" "$3" \
		"$(cut -d' ' -f2 <<< "$4")" "$(cut -d' ' -f3- <<< "$4")" "$p50" \
		>> "$tmp/table"
}

# expect WHAT WANT GOT: GOT (a conn line) contains WANT
expect() {
	case "$3" in
	*"$2"*) echo "   $1: $3" ;;
	*) fail "$1: expected '$2', got '$3'" ;;
	esac
}

echo "== 1. same host, two namespaces: the echo service (bertha_demo, SOCK_SEQPACKET)"
echo "   server in srv: bertha_demo serve 10.0.0.1:7000 reliable; client in ca"
ip netns exec srv timeout 60 "$BIN/bertha_demo" serve 10.0.0.1:7000 reliable \
	> "$tmp/echo-server.out" 2>&1 &
pids+=($!)
wait_for 10 grep -q 'listening on' "$tmp/echo-server.out" ||
	{ cat "$tmp/echo-server.out"; fail "bertha_demo serve did not start"; }
ip netns exec ca "$BIN/bertha_demo" connect 10.0.0.1:7000 > "$tmp/echo-client.out" 2>&1 ||
	{ cat "$tmp/echo-client.out"; fail "bertha_demo connect failed"; }
c=$(sed -n 's/^client: binding: \(.*\) (path: local fast path)$/- local \1/p' \
	"$tmp/echo-client.out")
expect "client A" " local reliable=kernel@elided" "$c"
echo "   (the local path loses nothing: reliable is bound but elided)"
row 1 A echo "$c"

echo "== 2. kv_client (SOCK_DGRAM) from ca: the network path, which a binding"
echo "   with shard keeps (it steers by address); berthactl local off in ca says so"
ip netns exec ca "$ctl" local off
ycsb ca step2
c=$(conn ca) || fail "no connection in ca"
expect "client A" " network shard=server@peer" "$c"
held=${c%% *}
row 2 A kv "$c" step2

echo "== 3. the helper registers the XDP shard offload on sv0 and sv1"
ip netns exec srv "$ctl" offload add shard xdp dev sv0 dev sv1 > "$tmp/xdp.out" 2>&1 &
xdp_pid=$!
pids+=($xdp_pid)
wait_for 30 eval 'ip netns exec srv "$ctl" impl list | grep -q "^shard xdp "' ||
	{ cat "$tmp/xdp.out"; fail "shard/xdp was not registered"; }
ip netns exec srv "$ctl" impl list | sed -n 's/^/   /; /^   shard /p'
ycsb ca step3
c=$(conn ca "$held") || fail "no new connection in ca"
expect "client A, new connection" " network shard=xdp@peer" "$c"
row 3 A kv "$c" step3
expect "client A, step 2's connection" " network shard=server@peer" "$(conn ca "" "$held")"
ycsb_stop step2 step3

echo "== 4. the helper is killed (SIGKILL)"
kill -KILL "$xdp_pid"
wait "$xdp_pid" 2>/dev/null || true
wait_for 10 eval '! ip netns exec srv "$ctl" impl list | grep -q "^shard xdp "' ||
	fail "shard/xdp is still registered"
echo "   shard/xdp is no longer registered"
ycsb ca step4
c=$(conn ca) || fail "no connection in ca"
expect "client A" " network shard=server@peer" "$c"
row 4 A kv "$c" step4
ycsb_stop step4

echo "== 5. policy prefer-client; client B disables client-push: A and B at once"
ip netns exec srv "$ctl" policy set prefer-client
ip netns exec cb "$ctl" local off
ip netns exec cb "$ctl" impl disable shard client-push
ycsb_start ca step5a
ycsb_start cb step5b
ycsb_wait step5a
ycsb_wait step5b
ca_conn=$(conn ca) || fail "no connection in ca"
cb_conn=$(conn cb) || fail "no connection in cb"
expect "client A" " network shard=client-push@local" "$ca_conn"
expect "client B" " network shard=server@peer" "$cb_conn"
row 5 A kv "$ca_conn" step5a
row 5 B kv "$cb_conn" step5b
ycsb_stop step5a step5b

echo
echo "== what each connection negotiated (YCSB-A, $OPS operations, window 1;"
echo "   median latency under TCG emulation: compare rows, not with real hardware)"
printf '%-4s %-6s %-5s %-8s %-48s %6s\n' step client app path binding "p50 us"
cat "$tmp/table"


# DEMO_UNLOAD=0: the selftest (selftests/demo_story.sh) runs it among others
[ "${DEMO_UNLOAD:-1}" = 1 ] || exit 0
echo
echo "== every socket closed; unloading"
for p in "${pids[@]}"; do
	kill -TERM "$p" 2>/dev/null || true
done
wait 2>/dev/null || true
pids=()
rmmod bertha
echo "   bertha.ko unloaded cleanly"
