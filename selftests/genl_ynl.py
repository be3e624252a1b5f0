#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The checks of genl_ynl.sh, in one process: the "bertha" generic netlink
family driven from its YAML spec by the kernel's own ynl library
(tools/net/ynl/lib of linux-source-6.12). One interpreter runs them all,
because starting Python (and parsing the spec) costs seconds under TCG.

  genl_ynl.py suite CLIENT_NS OTHER_NS DEMO   run the checks
  genl_ynl.py list                            print "TYPE/NAME" per line
  genl_ynl.py conns                           print the conn-get dump (JSON)
  genl_ynl.py hold JSON                       register, print "registered",
                                              keep the socket until killed
"""
import errno
import json
import os
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import time

YNL = os.path.join(os.environ["BERTHA_LINUX_SOURCE"], "tools/net/ynl")
sys.path.insert(0, YNL)
from lib import NlError, YnlFamily  # noqa: E402

SPEC = os.path.join(os.environ["BERTHA_TOP"],
                    "Documentation/netlink/specs/bertha.yaml")
ME = os.path.abspath(__file__)
failures = 0


def family():
    # genl_ynl.sh validates the spec against the schema once
    return YnlFamily(SPEC, "")


def check(what, ok):
    global failures
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        failures += 1


def error_of(fn):
    """The NlError text fn raises, or '' when it succeeds."""
    try:
        fn()
    except NlError as e:
        return str(e)
    return ""


def impls(ynl):
    return {(i["type"], i["name"]): i for i in ynl.dump("impl-get", {})}


def wait_for(seconds, cond):
    end = time.time() + seconds
    while not cond():
        if time.time() > end:
            return False
        time.sleep(0.1)
    return True


def hold_child(attrs):
    """Fork a process that registers ATTRS and keeps its socket open."""
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        try:
            family().do("impl-add", attrs)
            os.write(wr, b"ok")
        except NlError as e:
            os.write(wr, str(e).encode()[:200])
        os.close(wr)
        signal.pause()
        os._exit(0)
    os.close(wr)
    answer = os.read(rd, 256).decode()
    os.close(rd)
    return pid, answer


def reap(pid, sig):
    os.kill(pid, sig)
    os.waitpid(pid, 0)


def in_netns(ns, *args):
    return subprocess.run(["ip", "netns", "exec", ns, sys.executable, ME] +
                          list(args), capture_output=True, text=True,
                          timeout=600)


def raw_errno(ynl, cmd, attrs=b"", dump=False, reserved=0):
    """The errno of one hand-made request (0: accepted)."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
    sock.settimeout(30)
    msg = struct.pack("BBH", cmd, 1, reserved) + attrs
    flags = 0x5 | (0x300 if dump else 0)  # REQUEST|ACK [|DUMP]
    sock.send(struct.pack("IHHII", 16 + len(msg), ynl.nlproto.family_id,
                          flags, 1, 0) + msg)
    err = None
    while err is None:
        data = sock.recv(65536)
        off = 0
        while off + 16 <= len(data) and err is None:
            nlen, ntype, _, _, _ = struct.unpack_from("IHHII", data, off)
            if ntype == 2:  # ERROR: its errno, negative
                err = -struct.unpack_from("i", data, off + 16)[0]
            elif ntype == 3:  # DONE of a dump
                err = 0
            off += (nlen + 3) & ~3
    sock.close()
    return err


def nla_u32(atype, value):
    return struct.pack("HHI", 8, atype, value)


def strictness(ynl):
    """Unknown attributes, out-of-range values, the reserved byte."""
    cmds = {"info-get": (1, False), "impl-get": (2, True),
            "policy-get": (5, False), "stats-get": (7, False),
            "conn-get": (10, True)}
    for name, (cmd, dump) in cmds.items():
        ok = raw_errno(ynl, cmd, dump=dump)
        err = raw_errno(ynl, cmd, nla_u32(99, 1), dump=dump)
        err1 = raw_errno(ynl, cmd, nla_u32(1, 1), dump=dump)
        check(f"{name} answers a bare request and refuses any attribute "
              f"with EINVAL ({ok}, {err}, {err1})",
              ok == 0 and err == errno.EINVAL and err1 == errno.EINVAL)
        err = raw_errno(ynl, cmd, dump=dump, reserved=1)
        check(f"{name} refuses a non-zero reserved byte with EINVAL ({err})",
              err == errno.EINVAL)
    # out of range: ERANGE, as netlink policies say (bertha.rst)
    ranges = [
        ("impl-add scope 99", 3, nla_u32(4, 99)),     # IMPL_A_SCOPE
        ("impl-add endpoints 99", 3, nla_u32(5, 99)), # IMPL_A_ENDPOINTS
        ("policy-set policy 99", 6, nla_u32(1, 99)),  # POLICY_A_POLICY
        ("setup-done id 0", 15, nla_u32(1, 0)),       # SETUP_A_ID
    ]
    for what, cmd, attrs in ranges:
        err = raw_errno(ynl, cmd, attrs)
        check(f"{what}: ERANGE ({err})", err == errno.ERANGE)
    err = raw_errno(ynl, 6, nla_u32(99, 0))
    check(f"policy-set with an unknown attribute: EINVAL ({err})",
          err == errno.EINVAL)


def fuzz(ynl, count, seed):
    """Random messages to the family: each must get an answer."""
    rnd = random.Random(seed)
    fam_id = ynl.nlproto.family_id
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
    sock.settimeout(30)
    answered = 0
    for seq in range(1, count + 1):
        attrs = b""
        for _ in range(rnd.randrange(6)):
            alen = rnd.randrange(0, 40)
            data = bytes(rnd.randrange(256) for _ in range(alen))
            atype = rnd.randrange(0, 14) | (0x8000 if rnd.random() < .2 else 0)
            nla_len = 4 + alen
            if rnd.random() < .1:
                nla_len = rnd.randrange(0, 0xffff)  # a lie
            attrs += struct.pack("HH", nla_len & 0xffff, atype) + data
            if rnd.random() < .8:
                attrs += b"\0" * (-len(attrs) % 4)
        cmd = rnd.randrange(0, 12)
        flags = 0x5 | (0x300 if rnd.random() < .2 else 0)  # REQUEST|ACK [|DUMP]
        msg = struct.pack("BBH", cmd, rnd.choice([0, 1, 7]), 0) + attrs
        sock.send(struct.pack("IHHII", 16 + len(msg), fam_id, flags, seq, 0) +
                  msg)
        done = False
        while not done:
            data = sock.recv(65536)
            off = 0
            while off + 16 <= len(data):
                nlen, ntype, _, nseq, _ = struct.unpack_from("IHHII", data, off)
                done |= nseq == seq and ntype in (2, 3)  # ERROR or DONE
                off += (nlen + 3) & ~3 if nlen >= 16 else len(data)
        answered += 1
    sock.close()
    return answered


def binding(demo, client_ns):
    """The client's binding line when the demo client connects."""
    srv = subprocess.Popen([demo, "serve", "10.88.0.1:7431", "identity"],
                           stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
    # ready when it says it listens (its stdout is line-buffered), not
    # after a fixed sleep; a server that dies or stays silent for 60 s
    # leaves the client refused, which the caller's check reports
    end = time.time() + 60
    while time.time() < end:
        if not select.select([srv.stdout], [], [], end - time.time())[0]:
            break
        line = srv.stdout.readline()
        if not line or b"listening on" in line:
            break
    out = subprocess.run(["ip", "netns", "exec", client_ns, demo, "connect",
                          "10.88.0.1:7431"], capture_output=True, text=True,
                         timeout=120).stdout
    srv.communicate(timeout=120)
    return next((line for line in out.splitlines() if "identity=" in line),
                out)


WHERE = ["none", "local", "peer", "both", "elided"]
PATH = ["network", "local"]
SCOPE = ["any", "application", "host", "network"]


def addr_text(a):
    """ "10.88.0.1:7432" of a dumped address (nest), "" for none."""
    if not a:
        return ""
    if "ipv6" in a:
        return f"[{a['ipv6']}]:{a['port']}"
    return f"{a.get('ipv4')}:{a['port']}"


def as_ynl(binding):
    """conn_hold's getsockopt(BERTHA_BINDING) nodes, as ynl decodes them."""
    return [dict(n, where=WHERE[n["where"]], scope=SCOPE[n["scope"]])
            for n in binding]


def find_conn(conns, state, local, peer=""):
    m = [c for c in conns if c.get("state") == state and
         addr_text(c.get("local")) == local and
         addr_text(c.get("peer")) == peer]
    return m[0] if len(m) == 1 else {"matches": len(m)}


def conn_events(mon, seen):
    mon.check_ntf()
    while mon.async_msg_queue:
        m = mon.async_msg_queue.pop(0)
        if m["name"].startswith("conn-"):
            seen.append((m["name"], m["msg"]))


def conn_checks(ynl, client_ns):
    """conn-get and the connection events, against getsockopt(BERTHA_BINDING)
    of the same connections (bertha_test_chunnel registered gtest/fast,
    priority 7, scope host, both endpoints)."""
    hold = os.path.join(os.environ["BERTHA_SELFTEST_BIN"], "conn_hold")
    mon = family()
    mon.ntf_subscribe("events")
    srv = subprocess.Popen([hold, "serve", "10.88.0.1:7432",
                            "gtest |> identity"], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True)
    check("conn_hold listens", srv.stdout.readline().strip() == "listening")
    conns = ynl.dump("conn-get", {})
    lst = find_conn(conns, "listen", "10.88.0.1:7432")
    check(f"conn-get shows the listener, without binding ({lst})",
          lst.get("sock-type") == "seqpacket" and "binding" not in lst and
          "peer" not in lst)
    cli = subprocess.Popen(["ip", "netns", "exec", client_ns, hold, "connect",
                            "10.88.0.1:7432"], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True)
    c = json.loads(cli.stdout.readline() or "{}")
    s = json.loads(srv.stdout.readline() or "{}")
    check(f"both ends report their binding ({c}, {s})",
          c.get("binding") and s.get("binding"))
    check("the binding is gtest/fast then identity/kernel",
          [(n["type"], n["impl"], n["priority"]) for n in
           s.get("binding", [])] == [("gtest", "fast", 7),
                                     ("identity", "kernel", 0)])

    conns = ynl.dump("conn-get", {})
    child = find_conn(conns, "established", s.get("local"), s.get("peer"))
    check(f"conn-get shows the accepted connection ({child})",
          child.get("sock-type") == "seqpacket" and child.get("id", 0) > 0
          and child.get("peer-id", 0) > 0 and s.get("path") == 1 and
          child.get("path") == PATH[s.get("path", 0)])
    check("conn-get reports the binding getsockopt(BERTHA_BINDING) reports",
          child.get("binding") == as_ynl(s.get("binding", [])))
    ino = os.stat("/proc/self/ns/net").st_ino
    check(f"every entry is in this namespace (inode {ino})",
          conns and all(x.get("netns-inode") == ino for x in conns))
    check("the client's connection (another namespace) is not shown",
          not [x for x in conns if addr_text(x.get("peer")) == c.get("peer")])
    out = in_netns(client_ns, "conns").stdout
    cconns = json.loads(out or "[]")
    mine = find_conn(cconns, "established", c.get("local"), c.get("peer"))
    check(f"the client's namespace shows it ({mine})",
          mine.get("binding") == as_ynl(c.get("binding", [])) and
          mine.get("netns-inode") != ino and
          mine.get("peer-id") == child.get("id") and
          mine.get("id") == child.get("peer-id"))
    check("and not the listener",
          not [x for x in cconns if x.get("state") == "listen"])

    seen = []
    wait_for(10, lambda: conn_events(mon, seen) or seen)
    est = [m for n, m in seen if n == "conn-established-ntf"]
    check(f"one conn-established-ntf here, the accepted one's ({seen})",
          len(est) == 1 and addr_text(est[0].get("peer")) == s.get("peer")
          and est[0].get("binding") == as_ynl(s.get("binding", [])) and
          est[0].get("state") == "established")
    for p in (cli, srv):
        p.stdin.close()
        p.wait(timeout=60)
    wait_for(10, lambda: conn_events(mon, seen) or
             any(n == "conn-closed-ntf" for n, _ in seen))
    gone = [m for n, m in seen if n == "conn-closed-ntf"]
    check(f"one conn-closed-ntf with the binding it had ({gone})",
          len(gone) == 1 and addr_text(gone[0].get("peer")) == s.get("peer")
          and gone[0].get("binding") == as_ynl(s.get("binding", [])) and
          gone[0].get("state") == "close")
    check("conn-get no longer shows them",
          not [x for x in ynl.dump("conn-get", {})
               if addr_text(x.get("local")) == "10.88.0.1:7432"])


def suite(client_ns, other_ns, demo):
    ynl = family()
    # The listener runs in the guest's initial namespace, whose counters
    # other tests may have moved: count from here.
    base = ynl.do("stats-get", {})

    info = ynl.do("info-get", {})
    with open("/sys/module/bertha/parameters/family") as f:
        fam = int(f.read())
    check(f"info-get names the family number ({info})",
          info.get("family") == fam and info.get("version") == 1 and
          "host-id" in info)
    reg = impls(ynl)
    e = reg.get(("identity", "kernel"), {})
    check("the dump lists identity/kernel: origin kernel, one endpoint",
          e.get("origin") == "kernel" and e.get("endpoints") == "one")

    # registrations last as long as the registering socket
    pid, ans = hold_child({"type": "demo", "name": "fast", "priority": 5,
                           "scope": "host", "endpoints": "one",
                           "capacity": 3, "ifindex": 1})
    check(f"a helper registers demo/fast ({ans})", ans == "ok")
    e = impls(ynl).get(("demo", "fast"), {})
    check(f"demo/fast is listed with its attributes ({e})",
          e.get("priority") == 5 and e.get("origin") == "userspace" and
          e.get("capacity") == 3 and e.get("scope") == "host" and
          e.get("ifindex") == 1 and e.get("users") == 0)
    err = error_of(lambda: ynl.do("impl-add", {"type": "demo",
                                               "name": "fast"}))
    check(f"a duplicate is refused with a message ({err})",
          "File exists" in err and "already registered" in err)
    err = error_of(lambda: ynl.do("impl-add", {"type": "Demo!",
                                               "name": "x"}))
    check(f"a bad name is refused with a message ({err})",
          "Invalid argument" in err and "names are 1 to 31" in err)
    err = error_of(lambda: ynl.do("impl-add", {"type": "demo"}))
    check(f"a missing name is refused ({err})", "Invalid argument" in err)
    err = error_of(lambda: ynl.do("impl-add", {"type": "demo", "name": "y",
                                               "scope": 9}))
    check(f"an out-of-range scope is refused ({err})",
          "Numerical result out of range" in err or "Invalid" in err)
    err = error_of(lambda: ynl.do("impl-del", {"type": "identity",
                                               "name": "kernel"}))
    check(f"a kernel module's implementation cannot be deleted ({err})",
          "Operation not supported" in err and "kernel module" in err)
    err = error_of(lambda: ynl.do("impl-del", {"type": "demo",
                                               "name": "nosuch"}))
    check(f"deleting what is not registered fails with a message ({err})",
          "No such file" in err and "no such implementation" in err)

    out = in_netns(other_ns, "list").stdout
    check("another namespace does not see demo/fast",
          "identity/kernel" in out and "demo/fast" not in out)
    other = subprocess.Popen(["ip", "netns", "exec", other_ns,
                              sys.executable, ME, "hold",
                              '{"type": "demo", "name": "other"}'],
                             stdout=subprocess.PIPE, text=True)
    line = other.stdout.readline().strip()
    check(f"a helper in another namespace registers demo/other ({line})",
          line == "registered")
    check("this namespace does not see demo/other",
          ("demo", "other") not in impls(ynl))
    other.terminate()
    other.wait(timeout=60)
    reap(pid, signal.SIGTERM)
    check("demo/fast goes when its helper exits",
          wait_for(10, lambda: ("demo", "fast") not in impls(ynl)))
    pid, ans = hold_child({"type": "demo", "name": "kill"})
    check("demo/kill is listed", ("demo", "kill") in impls(ynl))
    reap(pid, signal.SIGKILL)
    check("demo/kill goes when its helper is killed",
          wait_for(10, lambda: ("demo", "kill") not in impls(ynl)))
    pid, ans = hold_child({"type": "demo", "name": "gone"})
    check("IMPL_DEL withdraws a registration",
          not error_of(lambda: ynl.do("impl-del", {"type": "demo",
                                                   "name": "gone"})) and
          ("demo", "gone") not in impls(ynl))
    reap(pid, signal.SIGTERM)

    # events
    mon = family()
    mon.ntf_subscribe("events")
    pid, ans = hold_child({"type": "demo", "name": "event"})
    reap(pid, signal.SIGTERM)
    seen = []

    def events():
        mon.check_ntf()
        while mon.async_msg_queue:
            m = mon.async_msg_queue.pop(0)
            seen.append((m["name"], m["msg"].get("name")))
        return ("impl-del-ntf", "event") in seen

    wait_for(10, events)
    check(f"events: add then del of demo/event ({seen})",
          seen == [("impl-add-ntf", "event"), ("impl-del-ntf", "event")])

    # the policy of the listener's namespace decides; a listener-side
    # identity implementation of higher priority wins only when preferred
    pol = ynl.do("policy-get", {})
    check(f"the default policy is prefer-client, local on, 1 s to set up ({pol})",
          pol == {"policy": "prefer-client", "local": 1, "setup-timeout": 1000})
    err = error_of(lambda: ynl.do("setup-done", {"id": 4242, "status": 0}))
    check(f"setup-done for a request nobody waits for is refused ({err})",
          "No such file or directory" in err and "no setup request" in err)
    err = error_of(lambda: ynl.do("policy-set", {"setup-timeout": 0}))
    check(f"a setup timeout of 0 is refused ({err})", err != "")
    pid, ans = hold_child({"type": "identity", "name": "srv", "priority": 5,
                           "scope": "application", "endpoints": "one"})
    b = binding(demo, client_ns)
    check(f"prefer-client binds the client's identity/kernel ({b})",
          "identity=kernel@local" in b)
    ynl.do("policy-set", {"policy": "prefer-server"})
    b = binding(demo, client_ns)
    check(f"prefer-server binds the listener's identity/srv ({b})",
          "identity=srv@peer" in b)
    ynl.do("policy-set", {"policy": "prefer-priority"})
    b = binding(demo, client_ns)
    check(f"prefer-priority binds the higher priority, identity/srv ({b})",
          "identity=srv@peer" in b)
    e = impls(ynl).get(("identity", "srv"), {})
    check(f"no connection holds identity/srv after they closed ({e})",
          e.get("users") == 0)
    reap(pid, signal.SIGTERM)
    ynl.do("policy-set", {"local": 0})
    pol = ynl.do("policy-get", {})
    check(f"local off ({pol})", pol == {"policy": "prefer-priority",
                                        "local": 0, "setup-timeout": 1000})
    ynl.do("policy-set", {"setup-timeout": 250})
    pol = ynl.do("policy-get", {})
    check(f"setup-timeout set ({pol})", pol["setup-timeout"] == 250)
    ynl.do("policy-set", {"setup-timeout": 1000})
    err = error_of(lambda: ynl.do("policy-set", {}))
    check(f"policy-set with nothing to set is refused ({err})",
          "nothing to set" in err)
    ynl.do("policy-set", {"policy": "prefer-client", "local": 1})

    # counters are per namespace: the listener's here, the client's there
    stats = ynl.do("stats-get", {})
    # each chunnel type's counters, by name, nested
    named = {c.get("type"): {x.get("name") for x in c.get("counter", [])}
             for c in stats.get("chunnel", [])}
    check(f"stats-get nests each chunnel's named counters ({named})",
          {"retransmits", "duplicates", "out-of-order", "timeouts"}
          <= named.get("reliable", set()) and
          {"forwarded", "pushed", "dropped"} <= named.get("shard", set()))
    # the numbers; "chunnel" is the nested per-chunnel list (checked above)
    stats = {k: v - base.get(k, 0) for k, v in stats.items()
             if isinstance(v, int)}
    check(f"stats-get counts the listener's negotiations ({stats})",
          stats.get("accepted") == 3 and stats.get("hello-received") == 3
          and stats.get("hello-sent") == 0)
    out = in_netns(client_ns, "stats").stdout
    cstats = json.loads(out or "{}")
    check(f"and the client namespace's ({cstats})",
          cstats.get("accepted") == 3 and cstats.get("hello-sent") == 3 and
          cstats.get("hello-received") == 0)

    conn_checks(ynl, client_ns)
    strictness(ynl)

    seed = random.randrange(1 << 30)
    n = fuzz(ynl, 2000, seed)
    check(f"2000 random messages (seed {seed}) all answered ({n})",
          n == 2000)
    ynl.do("policy-set", {"policy": "prefer-client", "local": 1})
    check("the family still answers", "family" in ynl.do("info-get", {}))
    return 1 if failures else 0


def main():
    cmd = sys.argv[1]
    if cmd == "list":
        for t, n in impls(family()):
            print(f"{t}/{n}")
        return 0
    if cmd == "conns":
        print(json.dumps(family().dump("conn-get", {})))
        return 0
    if cmd == "stats":
        print(json.dumps(family().do("stats-get", {})))
        return 0
    if cmd == "hold":
        family().do("impl-add", json.loads(sys.argv[2]))
        print("registered", flush=True)
        signal.pause()
        return 0
    if cmd == "suite":
        return suite(sys.argv[2], sys.argv[3], sys.argv[4])
    return 2


if __name__ == "__main__":
    sys.exit(main())
