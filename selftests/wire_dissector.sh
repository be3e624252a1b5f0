#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# wire_dissector: scripts/bertha.lua, the Wireshark dissector, decodes what
# bertha.ko really sends. bertha_demo connects with `reliable` over loopback
# in a namespace of its own with the local shortcut off, tcpdump captures
# it, and tshark with the dissector must show: HELLO, ACCEPT, DATA, the
# chunnel's control messages (its ACKs) and a CLOSE with its echo (F_ACK);
# the HELLO's cookie in the ACCEPT and in the CLOSE; the client's id (its
# HELLO's CONN_ID) in the header of the ACCEPT; the IMPL and BOUND nests
# naming `reliable`; nothing malformed, no Lua error.
set -u
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/.." && pwd)
lua=$top/scripts/bertha.lua
ns=bwd$$
tmp=$(mktemp -d)
cleanup() {
	[ -n "${dump_pid:-}" ] && kill "$dump_pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

for tool in tcpdump tshark; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/deps.sh)"; exit $KSFT_FAIL; }
done
ip netns add "$ns" && ip -n "$ns" link set lo up || exit $KSFT_FAIL
ip netns exec "$ns" "$BERTHA_BIN/berthactl" local off || exit $KSFT_FAIL

ip netns exec "$ns" tcpdump -i lo -U -n -w "$tmp/cap.pcap" udp 2> "$tmp/dump.log" &
dump_pid=$!
wait_for 20 grep -q "listening on" "$tmp/dump.log" || { cat "$tmp/dump.log"; exit $KSFT_FAIL; }

ip netns exec "$ns" timeout 60 "$BERTHA_BIN/bertha_demo" serve 127.0.0.1:7311 reliable \
	> "$tmp/server.log" 2>&1 &
server=$!
wait_for 20 grep -q "listening on" "$tmp/server.log" || { cat "$tmp/server.log"; exit $KSFT_FAIL; }
check "bertha_demo connects and echoes with reliable" \
	ip netns exec "$ns" timeout 60 "$BERTHA_BIN/bertha_demo" connect 127.0.0.1:7311
wait "$server"
check "the server saw the echo through" grep -q "echoed" "$tmp/server.log"
# the CLOSEs, their echoes and reliable's last ACKs
sleep 1
kill "$dump_pid"
wait "$dump_pid" 2>/dev/null
dump_pid=

decode() {
	tshark -X "lua_script:$lua" -r "$tmp/cap.pcap" "$@" 2> "$tmp/tshark.err"
}
decode > "$tmp/summary.txt"
check "tshark reads the capture with the dissector, no Lua error" \
	bash -c "! grep -qi 'lua\|error' '$tmp/tshark.err' && [ -s '$tmp/summary.txt' ]"
sed 's/^/# /' "$tmp/summary.txt"
check "nothing malformed" bash -c "! grep -qi malformed '$tmp/summary.txt'"

# one line per datagram: type, flags, header id, cookie, COOKIE, CONN_ID
decode -T fields -E "separator=;" -e bertha.type -e bertha.flags -e bertha.conn_id \
	-e bertha.cookie -e bertha.a.cookie -e bertha.a.conn_id -e bertha.c.type \
	> "$tmp/fields.txt"
field() {	# field TYPE N: the Nth field of the first datagram of TYPE
	awk -F";" -v t="$1" -v n="$2" '$1 == t { print $n; exit }' "$tmp/fields.txt"
}
count() {	# count TYPE [FLAGS]: datagrams of TYPE (with FLAGS)
	awk -F";" -v t="$1" -v f="${2:-}" '$1 == t && (f == "" || $2 == f)' "$tmp/fields.txt" | wc -l
}
for t in 1 2 4 5 6; do
	check "datagrams of type $t decoded" num_cmp "$(count $t)" -ge 1
done
check "a CLOSE echoed with F_ACK" num_cmp "$(count 5 0x0008)" -ge 1
hello_cookie=$(field 1 5)
check "the HELLO's cookie ($hello_cookie) is the ACCEPT's" \
	test -n "$hello_cookie" -a "$hello_cookie" = "$(field 2 5)"
check "the HELLO's cookie is the first CLOSE's" \
	test "$hello_cookie" = "$(field 5 4)"
client_id=$(field 1 6)
check "the ACCEPT goes to the HELLO's CONN_ID ($client_id)" \
	test -n "$client_id" -a "$client_id" = "$(field 2 3)"
check "the HELLO offers reliable" grep -q '^1;.*reliable' "$tmp/fields.txt"
check "the ACCEPT binds reliable" grep -q '^2;.*reliable' "$tmp/fields.txt"
finish
