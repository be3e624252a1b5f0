#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Drive the "bertha" generic netlink family from its YAML spec with the
kernel's own ynl library (tools/net/ynl/lib from linux-source-6.12), for
genl_ynl.sh. Subcommands:

  hold JSON        register an implementation, print "registered", keep
                   the socket open until killed
  monitor SECONDS  subscribe to "events", print each notification as JSON
  fuzz N SEED      send N random messages to the family; every one must be
                   answered with an error or an ack, never ignored
"""
import json
import os
import random
import socket
import struct
import sys
import time

YNL = os.path.join(os.environ["BERTHA_LINUX_SOURCE"], "tools/net/ynl")
sys.path.insert(0, YNL)
from lib import YnlFamily  # noqa: E402

SPEC = os.path.join(os.environ["BERTHA_TOP"],
                    "Documentation/netlink/specs/bertha.yaml")
SCHEMA = os.path.join(os.environ["BERTHA_LINUX_SOURCE"],
                      "Documentation/netlink/genetlink.yaml")


def family():
    return YnlFamily(SPEC, SCHEMA)


def hold(attrs):
    ynl = family()
    ynl.do("impl-add", json.loads(attrs))
    print("registered", flush=True)
    while True:
        time.sleep(3600)


def monitor(seconds):
    ynl = family()
    ynl.ntf_subscribe("events")
    print("subscribed", flush=True)
    end = time.time() + seconds
    while time.time() < end:
        ynl.check_ntf()
        while ynl.async_msg_queue:
            print(json.dumps(ynl.async_msg_queue.pop(0)), flush=True)
        time.sleep(0.05)


def fuzz(count, seed):
    rnd = random.Random(seed)
    fam_id = family().nlproto.family_id
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
    sock.settimeout(5)
    sock.setsockopt(270, 11, 1)  # NETLINK_EXT_ACK
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
            attrs += b"\0" * (-len(attrs) % 4 if rnd.random() < .8 else 0)
        cmd = rnd.randrange(0, 12)
        flags = 0x5 | (0x300 if rnd.random() < .2 else 0)  # REQUEST|ACK (|DUMP)
        genl = struct.pack("BBH", cmd, rnd.choice([0, 1, 7]), 0)
        msg = genl + attrs
        sock.send(struct.pack("IHHII", 16 + len(msg), fam_id, flags, seq, 0) + msg)
        # read until the ack/error for this sequence number
        while True:
            data = sock.recv(65536)
            done = False
            off = 0
            while off + 16 <= len(data):
                nlen, ntype, _, nseq, _ = struct.unpack_from("IHHII", data, off)
                if nseq == seq and ntype in (2, 3):  # NLMSG_ERROR / DONE
                    done = True
                off += (nlen + 3) & ~3 if nlen else len(data)
            if done:
                answered += 1
                break
    print(f"answered {answered} of {count}")
    return 0 if answered == count else 1


def main():
    cmd = sys.argv[1]
    if cmd == "hold":
        hold(sys.argv[2])
    elif cmd == "monitor":
        monitor(float(sys.argv[2]))
    elif cmd == "fuzz":
        return fuzz(int(sys.argv[2]), int(sys.argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
