#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# berthactl(8) against the generic netlink family "bertha": info, the
# discovery registry (kernel and userspace implementations, a registration
# lasting as long as its process, per network namespace), policy, counters,
# permissions, the daemon, the event monitor, and the connection table
# (conn show and connection events, against getsockopt(BERTHA_BINDING)).
. "$(dirname "$0")/lib.sh"

ctl=$BERTHA_BIN/berthactl
hold_bin=$BERTHA_SELFTEST_BIN/conn_hold
[ -x "$ctl" ] || { echo "no $ctl (make userspace)"; exit $KSFT_FAIL; }
bertha_loaded || insmod "$BERTHA_KO"

ns=berthactl-$$
tmp=$(mktemp -d)
pids=()
orig_local=

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rmmod bertha_test_chunnel 2>/dev/null
	"$ctl" policy set prefer-client >/dev/null 2>&1
	[ -n "$orig_local" ] && "$ctl" local "$orig_local" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT


# listed TYPE NAME [NETNS]: `impl list` succeeds and has the implementation.
listed() {
	local out
	if [ -n "${3:-}" ]; then
		out=$(ip netns exec "$3" "$ctl" impl list) || return 1
	else
		out=$("$ctl" impl list) || return 1
	fi
	grep -q "^$1 $2 " <<< "$out"
}

# not_listed TYPE NAME [NETNS]: `impl list` succeeds and lacks it (a failing
# berthactl lists nothing, which is no proof of absence).
not_listed() {
	if [ -n "${3:-}" ]; then
		lacks "^$1 $2 " ip netns exec "$3" "$ctl" impl list
	else
		lacks "^$1 $2 " "$ctl" impl list
	fi
}

impl_line() {
	"$ctl" impl list | grep "^$1 $2 "
}

is_json() {
	python3 -c 'import json, sys; json.load(sys.stdin)'
}

# hold TYPE NAME [OPTIONS]: `impl add ... --hold` in the background; $! is
# its pid (recorded for the cleanup).
hold() {
	"$ctl" impl add "$@" --hold >"$tmp/hold.out" 2>&1 &
	pids+=($!)
}

echo "== info"
fam=$(cat /sys/module/bertha/parameters/family)
out=$("$ctl" info)
echo "$out"
check "info shows the family of the module parameter ($fam)" \
	grep -qx "family $fam" <<< "$out"
check "info shows version 1" grep -qx "version 1" <<< "$out"
"$ctl" -j info > "$tmp/info.json"
check "-j info is a JSON object with the family" \
	python3 -c 'import json, sys; d = json.load(sys.stdin); sys.exit(d["family"] != int(sys.argv[1]))' \
	"$fam" < "$tmp/info.json"

echo "== the built-in implementations"
out=$("$ctl" impl list)
echo "$out"
check "identity/kernel is listed, origin kernel" grep -q "^identity kernel .* origin kernel" <<< "$out"
check "select/kernel is listed, origin kernel" grep -q "^select kernel .* origin kernel" <<< "$out"

echo "== a registration held by berthactl"
hold demo fast prio 5
holder=$!
check "demo/fast appears" wait_for 5 listed demo fast
line=$(impl_line demo fast)
echo "$line"
check "demo/fast has prio 5" grep -q " prio 5 " <<< "$line"
check "demo/fast has origin userspace" grep -q " origin userspace" <<< "$line"
"$ctl" -j impl list > "$tmp/list.json"
check "-j impl list is valid JSON" is_json < "$tmp/list.json"
check "-j impl list has demo/fast, priority 5, origin userspace" python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))
assert isinstance(l, list)
m = [i for i in l if i["type"] == "demo" and i["name"] == "fast"]
assert len(m) == 1 and m[0]["priority"] == 5 and m[0]["origin"] == "userspace", m
assert any(i["type"] == "identity" and i["origin"] == "kernel" for i in l)
' "$tmp/list.json"
"$ctl" -j -p impl list > "$tmp/pretty.json"
check "-j -p impl list is the same JSON, indented, one member a line" python3 -c '
import json, sys
a, b = (open(f).read() for f in sys.argv[1:3])
assert json.loads(a) == json.loads(b)
assert len(b.splitlines()) > 10 and "\n    \"type\": \"demo\"," in b, b[:400]
' "$tmp/list.json" "$tmp/pretty.json"
check "-p without -j is a usage error (exit 2)" \
	eval '"$ctl" -p impl list 2> /dev/null; [ $? = 2 ]'
check "impl help prints impl's lines only" \
	eval '"$ctl" impl help | grep -q "^  impl list" &&
	      ! "$ctl" impl help | grep -q "^  conn show"'
check "help conn prints conn's lines only" \
	eval '"$ctl" help conn | grep -q "^  conn show" &&
	      ! "$ctl" help conn | grep -q "^  impl list"'
check "help of an unknown command is a usage error (exit 2)" \
	eval '"$ctl" help nope 2> /dev/null; [ $? = 2 ]'

err=$(timeout 10 "$ctl" impl add demo fast --hold 2>&1)
rc=$?
check "a duplicate registration fails (rc=$rc: $err)" \
	eval '[ "$rc" = 1 ] && grep -qi "exists" <<< "$err"'

ip netns add "$ns"
ip -n "$ns" link set lo up
out=$(ip netns exec "$ns" "$ctl" impl list)
rc=$?
check "another netns lists the kernel's identity (rc=$rc)" \
	eval '[ "$rc" = 0 ] && grep -q "^identity kernel " <<< "$out"'
check "another netns does not see demo/fast" eval '! grep -q "^demo fast " <<< "$out"'
ip netns exec "$ns" "$ctl" impl add demo fast prio 7 --hold >/dev/null 2>&1 &
pids+=($!)
nsholder=$!
check "the same type/name registers in another netns" wait_for 5 listed demo fast "$ns"
check "the root netns still has its own demo/fast (prio 5)" \
	eval 'impl_line demo fast | grep -q " prio 5 "'
kill -TERM "$nsholder"
check "the netns registration goes with its holder" wait_for 5 not_listed demo fast "$ns"
check "the root one stays" listed demo fast

kill -TERM "$holder"
wait "$holder"
rc=$?
check "the holder exits 0 on SIGTERM (rc=$rc)" [ "$rc" = 0 ]
check "demo/fast is gone after SIGTERM" wait_for 5 not_listed demo fast

hold demo killed scope host endpoints both capacity 3
holder=$!
check "demo/killed appears" wait_for 5 listed demo killed
check "demo/killed has scope host, endpoints both, capacity 3" \
	eval 'impl_line demo killed | grep -q " scope host endpoints both capacity 3 "'
{ kill -KILL "$holder"; wait "$holder"; } 2>/dev/null
check "demo/killed is gone after SIGKILL" wait_for 5 not_listed demo killed

hold demo cfg dev lo config 0a0B
holder=$!
check "demo/cfg appears" wait_for 5 listed demo cfg
check "demo/cfg shows dev lo and config 0a0b" eval 'impl_line demo cfg | grep -q " dev lo config 0a0b "'
"$ctl" -j impl list > "$tmp/cfg.json"
check "-j impl list shows its dev, ifindex and config" python3 -c '
import json, sys
m = [i for i in json.load(open(sys.argv[1])) if i["name"] == "cfg"]
assert m[0]["dev"] == "lo" and m[0]["ifindex"] == 1 and m[0]["config"] == "0a0b", m
' "$tmp/cfg.json"
# Withdrawn by another process while its holder lives; the holder's exit
# must then have nothing left to withdraw.
check "impl del from another process withdraws demo/cfg" "$ctl" impl del demo cfg
check "demo/cfg is gone" not_listed demo cfg
kill -TERM "$holder"
wait "$holder"
rc=$?
check "its holder still exits cleanly (rc=$rc)" [ "$rc" = 0 ]
hold demo cfg
holder=$!
check "demo/cfg registers again" wait_for 5 listed demo cfg
kill -TERM "$holder"
check "and goes again" wait_for 5 not_listed demo cfg

echo "== refused requests"
err=$("$ctl" impl add demo fast scope galaxy --hold 2>&1)
rc=$?
check "a bad scope word is a usage error (rc=$rc)" [ "$rc" = 2 ]
err=$("$ctl" impl add demo fast 2>&1)
rc=$?
check "impl add without --hold is a usage error that says why (rc=$rc)" \
	eval '[ "$rc" = 2 ] && grep -q -- "--hold" <<< "$err"'
check "... and registered nothing" not_listed demo fast
err=$(timeout 10 "$ctl" impl add Bad.Type x --hold 2>&1)
rc=$?
check "an invalid type name is refused (rc=$rc: $err)" \
	eval '[ "$rc" = 1 ] && grep -q "Invalid argument" <<< "$err"'
err=$("$ctl" impl del demo nothere 2>&1)
rc=$?
check "impl del of an unknown implementation fails (rc=$rc: $err)" \
	eval '[ "$rc" = 1 ] && grep -q "No such file" <<< "$err"'
err=$("$ctl" impl del identity kernel 2>&1)
rc=$?
check "impl del of a kernel implementation is refused (rc=$rc: $err)" [ "$rc" = 1 ]
# The kernel may say why (EOPNOTSUPP, "registered by a kernel module") or
# only that userspace has no such registration (ENOENT).
grep -q "kernel module" <<< "$err" ||
	echo "note: the refusal does not say the implementation is a kernel module's"
check "identity/kernel is still listed" listed identity kernel

echo "== policy"
orig_local=$("$ctl" policy show | awk '$1 == "local" { print $2 }')
check "policy show has a local switch ($orig_local)" eval '[ -n "$orig_local" ]'
check "policy set prefer-server" "$ctl" policy set prefer-server
check "policy show says prefer-server" eval '"$ctl" policy show | grep -qx "policy prefer-server"'
check "-j policy show is valid JSON" eval '"$ctl" -j policy show | is_json'
check "local off" "$ctl" local off
check "policy show says local off" eval '"$ctl" policy show | grep -qx "local off"'
check "the policy did not change with it" eval '"$ctl" policy show | grep -qx "policy prefer-server"'
check "policy set local on" "$ctl" policy set local on
check "policy show says local on" eval '"$ctl" policy show | grep -qx "local on"'
check "policy set prefer-client local on" "$ctl" policy set prefer-client local on
check "policy show says prefer-client" eval '"$ctl" policy show | grep -qx "policy prefer-client"'
err=$("$ctl" policy set prefer-nobody 2>&1)
rc=$?
check "an unknown policy word is a usage error (rc=$rc)" [ "$rc" = 2 ]

echo "== counters"
out=$("$ctl" stats)
echo "$out"
check "stats has hello-sent" grep -q "^hello-sent [0-9]" <<< "$out"
check "stats has reliable's named counters" grep -qx "reliable\.retransmits [0-9]*" <<< "$out"
check "stats has shard's named counters" grep -qx "shard\.pushed [0-9]*" <<< "$out"
check "-j stats is valid JSON" eval '"$ctl" -j stats | is_json'

echo "== an unprivileged user"
nobody() {
	setpriv --reuid 65534 --regid 65534 --clear-groups "$ctl" "$@"
}
err=$(nobody policy set prefer-server 2>&1)
rc=$?
check "an unprivileged policy set fails with EPERM (rc=$rc: $err)" \
	eval '[ "$rc" = 1 ] && grep -q "Operation not permitted" <<< "$err"'
check "an unprivileged policy show works" eval 'nobody policy show | grep -qx "policy prefer-client"'
check "an unprivileged impl list works" eval 'nobody impl list | grep -q "^identity kernel "'
err=$(timeout 10 setpriv --reuid 65534 --regid 65534 --clear-groups \
	"$ctl" impl add demo nobody --hold 2>&1)
rc=$?
check "an unprivileged impl add fails with EPERM (rc=$rc: $err)" \
	eval '[ "$rc" = 1 ] && grep -q "Operation not permitted" <<< "$err"'

echo "== daemon"
cat > "$tmp/daemon.conf" <<EOF
# two implementations
impl demo d1 prio 3 scope host	# a comment
   impl demo d2 endpoints both capacity 10

EOF
"$ctl" daemon -c "$tmp/daemon.conf" > "$tmp/daemon.out" 2>&1 &
pids+=($!)
daemon=$!
check "the daemon registers demo/d1" wait_for 5 listed demo d1
check "the daemon registers demo/d2" wait_for 5 listed demo d2
check "demo/d1 has prio 3 scope host" eval 'impl_line demo d1 | grep -q " prio 3 scope host "'
check "the daemon says it registered 2" wait_for 5 grep -qx "registered 2 implementations" "$tmp/daemon.out"
kill -TERM "$daemon"
check "demo/d1 goes with the daemon" wait_for 5 not_listed demo d1
check "demo/d2 goes with the daemon" wait_for 5 not_listed demo d2
printf 'impl demo bad scope nowhere\n' > "$tmp/bad.conf"
err=$("$ctl" daemon -c "$tmp/bad.conf" 2>&1)
rc=$?
check "a bad config line is reported with its line number (rc=$rc: $err)" \
	eval '[ "$rc" = 1 ] && grep -q "bad.conf:1:" <<< "$err"'

echo "== monitor"
"$ctl" monitor > "$tmp/mon.out" 2>&1 &
pids+=($!)
mon=$!
"$ctl" -j monitor > "$tmp/mon.json" 2>&1 &
pids+=($!)
jmon=$!
check "both monitors receive events" monitors_ready "" "$tmp/mon.out" "$tmp/mon.json"
ip netns exec "$ns" "$ctl" impl add demo elsewhere --hold >/dev/null 2>&1 &
pids+=($!)
nsholder=$!
check "demo/elsewhere registers in the other netns" wait_for 5 listed demo elsewhere "$ns"
hold demo watched prio 9
holder=$!
check "monitor prints the add event" \
	wait_for 10 grep -q "^impl add demo watched prio 9 " "$tmp/mon.out"
kill -TERM "$holder"
check "monitor prints the del event when the holder exits" \
	wait_for 10 grep -q "^impl del demo watched " "$tmp/mon.out"
check "-j monitor prints the add event" \
	wait_for 5 eval 'grep "\"impl-add\"" "$tmp/mon.json" | grep -q "\"watched\""'
check "-j monitor lines are JSON objects" python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert any(e["event"] == "impl-add" and e["name"] == "watched" for e in evs), evs
' "$tmp/mon.json"
check "monitor does not see the other netns's registration" \
	eval '! grep -q "demo elsewhere" "$tmp/mon.out"'
kill -TERM "$nsholder"
kill -INT "$mon"
wait "$mon"
rc=$?
check "monitor exits 0 on SIGINT (rc=$rc)" [ "$rc" = 0 ]
echo "monitor saw:"
cat "$tmp/mon.out"
kill -TERM "$jmon"

echo "== disabling an implementation in one namespace"
check "impl disable identity kernel in the other netns" \
	ip netns exec "$ns" "$ctl" impl disable identity kernel
check "impl list there marks it disabled" \
	eval 'ip netns exec "$ns" "$ctl" impl list | grep -q "^identity kernel .* disabled$"'
check "-j impl list there says disabled" \
	eval 'ip netns exec "$ns" "$ctl" -j impl list | grep -q "\"name\":\"kernel\".*\"disabled\":true"'
check "this netns still has it enabled" lacks "^identity kernel .* disabled$" "$ctl" impl list
out=$(ip netns exec "$ns" "$hold_bin" serve 127.0.0.1:7449 identity < /dev/null 2>&1)
rc=$?
check "there, a DAG that needs it is refused (rc=$rc: $out)" \
	eval '[ "$rc" != 0 ] && grep -q "Protocol not supported" <<< "$out"'
err=$(ip netns exec "$ns" "$ctl" impl disable demo nothing 2>&1)
rc=$?
check "disabling what the netns does not see: ENOENT with a message (rc=$rc: $err)" \
	eval '[ "$rc" = 1 ] && grep -q "sees no such implementation" <<< "$err"'
err=$(nobody impl disable identity kernel 2>&1)
rc=$?
check "an unprivileged impl disable fails with EPERM (rc=$rc: $err)" \
	eval '[ "$rc" = 1 ] && grep -q "Operation not permitted" <<< "$err"'
check "impl enable undoes it" ip netns exec "$ns" "$ctl" impl enable identity kernel
check "impl list there no longer marks it" \
	lacks "^identity kernel .* disabled$" ip netns exec "$ns" "$ctl" impl list
mkfifo "$tmp/dis.in"
ip netns exec "$ns" "$hold_bin" serve 127.0.0.1:7449 identity < "$tmp/dis.in" > "$tmp/dis.out" 2>&1 &
pids+=($!)
exec 9> "$tmp/dis.in"
check "and the DAG is accepted again" wait_for 10 grep -q listening "$tmp/dis.out"
exec 9>&-

echo "== connections"
insmod "$BERTHA_TEST_MODULES/bertha_test_chunnel.ko" type=ctest name=fast \
	priority=4 scope=application endpoints=one || exit $KSFT_FAIL
hold=$BERTHA_SELFTEST_BIN/conn_hold
"$ctl" monitor > "$tmp/cmon.out" 2>&1 &
pids+=($!)
cmon=$!
"$ctl" -j monitor > "$tmp/cmon.json" 2>&1 &
pids+=($!)
cjmon=$!
check "both monitors receive events" monitors_ready "" "$tmp/cmon.out" "$tmp/cmon.json"
# start NAME ARGS...: conn_hold ARGS in the background, its stdin a FIFO
# held open on fd 7 (NAME srv) or 8 (cli) until the test closes it
mkfifo "$tmp/srv.in" "$tmp/cli.in"
"$hold" serve 127.0.0.1:7450 "ctest |> identity" < "$tmp/srv.in" > "$tmp/srv.out" &
pids+=($!)
exec 7> "$tmp/srv.in"
check "conn_hold listens" wait_for 10 grep -q listening "$tmp/srv.out"
"$hold" connect 127.0.0.1:7450 < "$tmp/cli.in" > "$tmp/cli.out" &
pids+=($!)
exec 8> "$tmp/cli.in"
check "the client describes its connection" wait_for 20 grep -q binding "$tmp/cli.out"
check "the server describes its connection" wait_for 20 grep -q binding "$tmp/srv.out"
out=$("$ctl" conn show)
echo "$out"
check "conn show has a header" grep -q "^Type  *State  *Local  *Peer  *Netns  *Id  *PeerId  *Path  *Binding" <<< "$out"
check "conn show lists the listener" grep -q "^seqpacket listen  *127.0.0.1:7450  *\* .* - *-$" <<< "$out"
check "conn show lists both ends with their binding" \
	eval '[ "$(grep -c "^seqpacket established .*local  *ctest=fast@" <<< "$out")" = 2 ]'
"$ctl" -j conn show > "$tmp/conns.json"
check "-j conn show reports each end's binding exactly as getsockopt(BERTHA_BINDING)" python3 -c '
import json, sys
where, scope = ["none", "local", "peer", "both", "elided"], ["any", "application", "host", "network"]
path = ["network", "local"]
conns = json.load(open(sys.argv[1]))
def text(a):
    return "%s:%d" % (a["addr"], a["port"]) if a else ""
for f in sys.argv[2:]:
    d = json.loads(open(f).read().splitlines()[-1])
    want = [dict(n, where=where[n["where"]], scope=scope[n["scope"]]) for n in d["binding"]]
    m = [c for c in conns if c["state"] == "established" and text(c.get("local")) == d["local"]
         and text(c.get("peer")) == d["peer"]]
    # the local fast path, on by default, as getsockopt reports it
    assert d["path"] == 1, d
    assert len(m) == 1 and m[0]["binding"] == want and m[0]["path"] == path[d["path"]], (d, m)
    assert want[0]["type"] == "ctest" and want[0]["priority"] == 4, want
' "$tmp/conns.json" "$tmp/srv.out" "$tmp/cli.out"
out=$(ip netns exec "$ns" "$ctl" -j conn show)
rc=$?
check "another netns shows none of them (rc=$rc: $out)" eval '[ "$rc" = 0 ] && ! grep -q 7450 <<< "$out"'
check "monitor prints both ends' established events" \
	wait_for 10 eval '[ "$(grep -c "^conn established seqpacket established .*ctest=fast@" "$tmp/cmon.out")" = 2 ]'
exec 8>&- 7>&-
check "monitor prints both ends' closed events with their binding" \
	wait_for 10 eval '[ "$(grep -c "^conn closed seqpacket close .*ctest=fast@" "$tmp/cmon.out")" = 2 ]'
check "conn show no longer lists them" wait_for 10 lacks 7450 "$ctl" conn show

"$hold" dgram-serve 127.0.0.1:7451 ctest < "$tmp/srv.in" > "$tmp/dsrv.out" &
pids+=($!)
exec 7> "$tmp/srv.in"
check "a SOCK_DGRAM socket is ready" wait_for 10 grep -q ready "$tmp/dsrv.out"
"$hold" dgram-send 127.0.0.1:7451 ctest < "$tmp/cli.in" > "$tmp/dcli.out" &
pids+=($!)
exec 8> "$tmp/cli.in"
check "its peer got a message" wait_for 20 grep -q got "$tmp/dsrv.out"
out=$("$ctl" conn show)
echo "$out"
check "conn show lists the SOCK_DGRAM socket itself" grep -q "^dgram  *close  *127.0.0.1:7451  *\* " <<< "$out"
check "conn show lists the peer at both ends, established with its binding" \
	eval '[ "$(grep -c "^dgram  *established .*7451 .*ctest=fast@" <<< "$out")" = 2 ]'
check "monitor prints the SOCK_DGRAM peers' established events" \
	wait_for 10 eval '[ "$(grep -c "^conn established dgram .*ctest=fast@" "$tmp/cmon.out")" = 2 ]'
exec 8>&- 7>&-
check "and their closed events" \
	wait_for 10 eval '[ "$(grep -c "^conn closed dgram .*ctest=fast@" "$tmp/cmon.out")" = 2 ]'
check "-j monitor prints conn events as JSON with the binding" python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
up = [e for e in evs if e["event"] == "conn-established"]
down = [e for e in evs if e["event"] == "conn-closed"]
assert len(up) == 4 and len(down) == 4, evs
assert all(e["binding"][0]["impl"] == "fast" and e["binding"][0]["priority"] == 4 for e in up + down), evs
assert all(e["state"] == "close" for e in down), down
' "$tmp/cmon.json"
echo "monitor saw:"
cat "$tmp/cmon.out"
kill -TERM "$cmon" "$cjmon"
wait "$cmon" "$cjmon" 2>/dev/null
check "bertha_test_chunnel unloads: nothing holds ctest/fast" wait_for 10 rmmod bertha_test_chunnel

echo "== a dump over several messages"
# 600 bound sockets need more than one 32 KiB dump message: the dump must
# resume where it stopped, listing each socket exactly once
coproc MANY { exec "$BERTHA_SELFTEST_BIN/bertha_sock" -n 600 -b 127.0.0.1:0 -h; }
pids+=($MANY_PID)
read -r -t 120 line <&"${MANY[0]}"
check "600 bound sockets are open ($line)" [ "$line" = ready ]
"$ctl" -j conn show > "$tmp/many.json"
check "-j conn show lists each of them exactly once" python3 -c '
import json, sys
ports = [c["local"]["port"] for c in json.load(open(sys.argv[1]))
         if c["state"] == "close" and c.get("local", {}).get("addr") == "127.0.0.1"]
assert len(ports) == 600 and len(set(ports)) == 600, (len(ports), len(set(ports)))
' "$tmp/many.json"
kill "$MANY_PID"
wait "$MANY_PID" 2>/dev/null

finish
