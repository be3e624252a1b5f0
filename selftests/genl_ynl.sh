#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The generic netlink family "bertha", driven by the kernel's own ynl CLI
# from Documentation/netlink/specs/bertha.yaml: family info, the registry
# dump, registrations that last exactly as long as the registering socket,
# per-namespace isolation, the policy (and that it changes the binding of
# new connections), CAP_NET_ADMIN, strict validation with extack messages,
# random messages, events and counters.
. "$(dirname "$0")/lib.sh"

bertha_loaded || insmod "$BERTHA_KO"
ynl_dir=${BERTHA_LINUX_SOURCE:-}/tools/net/ynl
[ -f "$ynl_dir/cli.py" ] || { echo "no ynl CLI under BERTHA_LINUX_SOURCE"; exit $KSFT_FAIL; }
spec=$BERTHA_TOP/Documentation/netlink/specs/bertha.yaml
schema=$BERTHA_LINUX_SOURCE/Documentation/netlink/genetlink.yaml
helper=$(dirname "$0")/genl_ynl.py
demo=$BERTHA_BIN/bertha_demo
export BERTHA_LINUX_SOURCE BERTHA_TOP

ynl() {
	python3 "$ynl_dir/cli.py" --spec "$spec" --schema "$schema" --output-json "$@"
}

# json_get EXPR: evaluate EXPR on the JSON document on stdin (as j)
json_get() {
	python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.2
	done
}

listed() {	# listed TYPE NAME [ip netns exec NS]: in the registry dump?
	local type=$1 name=$2
	shift 2
	"$@" python3 "$ynl_dir/cli.py" --spec "$spec" --schema "$schema" \
		--output-json --dump impl-get |
		python3 -c "import json,sys; sys.exit(0 if any(i.get('type') == '$type' and i.get('name') == '$name' for i in json.load(sys.stdin)) else 1)"
}

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del bgenl 2>/dev/null
	ip netns del bgcli 2>/dev/null
	ynl --do policy-set --json '{"policy": "prefer-client", "local": 1}' >/dev/null 2>&1
}
trap cleanup EXIT

# hold JSON [NETNS]: register from a process that keeps its socket open
hold() {
	local out
	out=$(mktemp)
	if [ -n "${2:-}" ]; then
		ip netns exec "$2" python3 "$helper" hold "$1" > "$out" 2>&1 &
	else
		python3 "$helper" hold "$1" > "$out" 2>&1 &
	fi
	held=$!
	pids+=("$held")
	wait_for 20 grep -q registered "$out" || { cat "$out"; return 1; }
}

info=$(ynl --do info-get)
check "info-get names the family number ($info)" \
	eval '[ "$(json_get "j[\"family\"]" <<< "$info")" = "$(cat /sys/module/bertha/parameters/family)" ]'
check "info-get reports version 1" eval '[ "$(json_get "j[\"version\"]" <<< "$info")" = 1 ]'

# impl_is TYPE NAME PYTHON-EXPR: the dump's entry e for TYPE/NAME satisfies it
impl_is() {
	ynl --dump impl-get | python3 -c "
import json, sys
e = [i for i in json.load(sys.stdin) if i['type'] == '$1' and i['name'] == '$2']
sys.exit(0 if e and ($3) else 1)" 2>/dev/null
}

check "the dump lists identity/kernel, origin kernel" \
	impl_is identity kernel "e[0]['origin'] == 'kernel' and e[0]['endpoints'] == 'one'"

check "a helper registers demo/fast" hold '{"type": "demo", "name": "fast", "priority": 5, "scope": "host", "endpoints": "one", "capacity": 3, "ifindex": 1}'
first=$held
check "demo/fast is listed" listed demo fast
check "with its attributes" impl_is demo fast \
	"e[0]['priority'] == 5 and e[0]['origin'] == 'userspace' and e[0]['capacity'] == 3 and e[0]['scope'] == 'host' and e[0]['ifindex'] == 1 and e[0]['users'] == 0"
err=$(ynl --do impl-add --json '{"type": "demo", "name": "fast"}' 2>&1)
check "a second registration of demo/fast is refused with a message" grep -q "already registered" <<< "$err"
err=$(ynl --do impl-add --json '{"type": "Demo!", "name": "x"}' 2>&1)
check "a bad type name is refused with a message" grep -q "names are 1 to 31" <<< "$err"
err=$(ynl --do impl-add --json '{"type": "demo"}' 2>&1)
check "a missing name is refused" grep -qi "missing\|invalid" <<< "$err"
err=$(ynl --do impl-del --json '{"type": "demo", "name": "nosuch"}' 2>&1)
check "deleting what is not registered is ENOENT with a message" grep -q "no such implementation" <<< "$err"

ip netns add bgenl
ip -n bgenl link set lo up
check "another namespace does not see demo/fast" eval '! listed demo fast ip netns exec bgenl'
check "a helper in that namespace registers demo/other" hold '{"type": "demo", "name": "other"}' bgenl
check "the root namespace does not see demo/other" eval '! listed demo other'
check "its own namespace does" listed demo other ip netns exec bgenl

kill -TERM "$first"
check "demo/fast goes when its helper exits" wait_for 10 eval '! listed demo fast'
check "a helper killed with SIGKILL registers demo/kill" hold '{"type": "demo", "name": "kill"}'
kill -KILL "$held"
check "demo/kill goes when its helper is killed" wait_for 10 eval '! listed demo kill'
check "the namespace's registration stays meanwhile" listed demo other ip netns exec bgenl
ip netns del bgenl
check "a deleted namespace's registrations go with it" wait_for 10 eval '! listed demo other'

# events
mon=$(mktemp)
python3 "$helper" monitor 120 > "$mon" 2>&1 &
pids+=($!)
wait_for 30 grep -q subscribed "$mon"
hold '{"type": "demo", "name": "event"}'
check "events: impl-add-ntf for demo/event" \
	wait_for 20 grep -q '"impl-add-ntf".*"event"' "$mon"
kill -TERM "$held"
check "events: impl-del-ntf for demo/event" \
	wait_for 20 grep -q '"impl-del-ntf".*"event"' "$mon"
[ "$failures" = 0 ] || cat "$mon"

# policy: the listener's namespace decides; a server-side identity
# implementation of higher priority wins only when the server is preferred
check "policy-get says prefer-client by default" \
	eval 'ynl --do policy-get | grep -q "\"policy\": \"prefer-client\""'
check "a helper registers identity/srv" hold '{"type": "identity", "name": "srv", "priority": 5, "scope": "application", "endpoints": "one"}'
# The client runs in its own namespace (joined by veth), which has only
# the built-in identity/kernel.
ip netns add bgcli
ip link add bgv0 type veth peer name bgv1 netns bgcli
ip addr add 10.88.0.1/24 dev bgv0
ip link set bgv0 up
ip -n bgcli addr add 10.88.0.2/24 dev bgv1
ip -n bgcli link set bgv1 up
ip -n bgcli link set lo up
binding() {	# the binding line the demo client prints
	timeout 30 "$demo" serve 10.88.0.1:7431 identity > /dev/null 2>&1 &
	local srv=$!
	sleep 1
	timeout 20 ip netns exec bgcli "$demo" connect 10.88.0.1:7431 2>&1 |
		grep -m1 "identity="
	wait "$srv"
}
b=$(binding)
check "prefer-client binds the client's identity/kernel ($b)" grep -q "identity=kernel@local" <<< "$b"
check "policy-set prefer-server" ynl --do policy-set --json '{"policy": "prefer-server"}'
check "policy-get says prefer-server" eval 'ynl --do policy-get | grep -q "\"policy\": \"prefer-server\""'
b=$(binding)
check "prefer-server binds the listener's identity/srv ($b)" grep -q "identity=srv@peer" <<< "$b"
check "policy-set local off" ynl --do policy-set --json '{"local": 0}'
check "policy-get says local 0" eval 'ynl --do policy-get | grep -q "\"local\": 0"'
err=$(ynl --do policy-set --json '{}' 2>&1)
check "policy-set with nothing to set is refused with a message" grep -q "nothing to set" <<< "$err"
kill -TERM "$held"

# counters of the namespace
stats=$(ynl --do stats-get)
check "stats-get counts accepted negotiations ($stats)" \
	eval '[ "$(json_get "j[\"accepted\"]" <<< "$stats")" -ge 2 ]'

# permissions: a non-root user may read but not change; root of a user
# namespace may change its own network namespace
tmp=$(mktemp -d)
cp -r "$ynl_dir" "$tmp/ynl" && cp "$spec" "$schema" "$tmp/" && chmod -R a+rX "$tmp"
nobody() {
	setpriv --reuid 65534 --regid 65534 --clear-groups -- \
		python3 "$tmp/ynl/cli.py" --spec "$tmp/bertha.yaml" \
		--schema "$tmp/genetlink.yaml" --output-json "$@" 2>&1
}
out=$(nobody --do policy-get)
check "an unprivileged user reads the policy ($out)" grep -q '"policy"' <<< "$out"
out=$(nobody --do policy-set --json '{"policy": "prefer-priority"}')
check "an unprivileged user may not set it ($out)" grep -qi "not permitted" <<< "$out"
out=$(nobody --do impl-add --json '{"type": "demo", "name": "nobody"}')
check "nor register ($out)" grep -qi "not permitted" <<< "$out"
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups -- unshare --user --map-root-user --net \
	python3 "$tmp/ynl/cli.py" --spec "$tmp/bertha.yaml" --schema "$tmp/genetlink.yaml" \
	--output-json --do policy-set --json '{"policy": "prefer-priority"}' 2>&1)
check "root of its own user and network namespace may ($out)" eval '! grep -qi "error\|not permitted" <<< "$out"'
rm -rf "$tmp"

# random messages: each gets an answer, nothing else happens
seed=$(( $(date +%s) ^ $$ ))
out=$(python3 "$helper" fuzz 3000 "$seed" 2>&1)
check "3000 random messages (seed $seed) are all answered ($out)" grep -q "answered 3000 of 3000" <<< "$out"
check "the family still answers" eval 'ynl --do info-get | grep -q family'

finish
