#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo_story: `make demo` (userspace/demo.sh) keeps telling its five steps.
# The demo fails itself on any step that does not show what it says; this
# checks, besides its exit status, the closing table it prints: six
# connections, the echo service's on the local path with reliable elided,
# the key-value store's on the network with the shard implementation each
# step is about, and a median latency for each of those.
set -u
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bertha_loaded || insmod "$BERTHA_KO" || exit $KSFT_FAIL

# the debug lane (KASAN, lockdep, kmemleak): a third of the operations
ops=300
[ "${BERTHA_LANE:-stock}" = debug ] && ops=100
DEMO_OPS=$ops DEMO_UNLOAD=0 "$top/userspace/demo.sh" > "$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
check "demo.sh exits 0" test "$rc" = 0

# row STEP CLIENT APP PATH BINDING: the table has it, with a latency
# for the key-value store's rows
row() {
	awk -v s="$1" -v c="$2" -v a="$3" -v p="$4" -v b="$5" '
		$1 == s && $2 == c && $3 == a && $4 == p && $5 == b &&
		(a != "kv" || $NF ~ /^[0-9]+$/) { found = 1 }
		END { exit !found }' "$out"
}
check "1: the echo service on the local path, reliable elided" \
	row 1 A echo local reliable=kernel@elided
check "2: the network path, the server's kernel forwarder" \
	row 2 A kv network shard=server@peer
check "3: the XDP offload, once its helper registered it" \
	row 3 A kv network shard=xdp@peer
check "4: the forwarder again once the helper was killed" \
	row 4 A kv network shard=server@peer
check "5: client A shards itself" row 5 A kv network shard=client-push@local
check "5: client B, client-push disabled, leaves it to the server" \
	row 5 B kv network shard=server@peer
finish
