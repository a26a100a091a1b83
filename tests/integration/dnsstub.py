#!/usr/bin/env python3
"""dnsstub.py: the small DNS pieces the DNSBL tests need besides dnsmasq.

  dnsstub.py serve MODE PORTFILE   a UDP responder on 127.0.0.1 (a free port,
                                   written to PORTFILE once bound) answering
                                   every query as MODE says:
      silent    reads and never answers (a zone that times out)
      servfail  rcode SERVFAIL
      refused   rcode REFUSED
      hijack    NOERROR with A 198.51.100.7 (an NXDOMAIN-rewriting resolver)
      garbage   the query's id followed by random bytes (not DNS)
      ctltxt    a zone listing everything but its test entry 127.0.0.1,
                with TXT records full of control bytes and bidi overrides
  dnsstub.py query PORT NAMEFILE   the reference client: one A query at a
                                   time to 127.0.0.1:PORT for each name of
                                   NAMEFILE (standard library only: no dig
                                   here); prints "NAME RCODE ADDR..." lines
                                   and, on stderr, "queries N seconds S".
"""
import os
import random
import socket
import struct
import sys
import time


def serve(mode, portfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(tmp, portfile)
    rnd = random.Random(7)
    while True:
        q, peer = s.recvfrom(4096)
        if len(q) < 12 or mode == "silent":
            continue
        qid, flags = struct.unpack("!HH", q[:4])
        # the question ends after its name, type and class
        i = 12
        while i < len(q) and q[i] != 0:
            i += q[i] + 1
        question = q[12:i + 5]
        rd = flags & 0x0100
        if mode == "garbage":
            s.sendto(q[:2] + bytes(rnd.randrange(256) for _ in range(40)),
                     peer)
            continue
        rcode = {"servfail": 2, "refused": 5}.get(mode, 0)
        qtype = struct.unpack("!H", q[i + 1:i + 3])[0] if i + 3 <= len(q) else 0
        rr = b""
        if mode == "hijack":
            rr = struct.pack("!HHHIH", 0xc00c, 1, 1, 60, 4) + \
                socket.inet_aton("198.51.100.7")
        elif mode == "ctltxt" and q[12:22] == b"\x011\x010\x010\x03127":
            rcode = 3
        elif mode == "ctltxt" and qtype == 1:
            rr = struct.pack("!HHHIH", 0xc00c, 1, 1, 60, 4) + \
                socket.inet_aton("127.0.0.2")
        elif mode == "ctltxt" and qtype == 16:
            txt = b"Listed\x1b[2J\x1b]0;owned\x07 by\x00 trap\r\n" + \
                "\u202egnp.exe".encode()
            rr = struct.pack("!HHHIH", 0xc00c, 16, 1, 60, len(txt) + 1) + \
                bytes([len(txt)]) + txt
        hdr = struct.pack("!HHHHHH", qid, 0x8080 | rd | rcode, 1,
                          1 if rr else 0, 0, 0)
        s.sendto(hdr + question + rr, peer)


def query(port, namefile):
    names = [l.strip() for l in open(namefile) if l.strip()]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2.0)
    t0 = time.monotonic()
    out = []
    for n, name in enumerate(names):
        qid = n & 0xffff
        q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
        for label in name.rstrip(".").split("."):
            q += bytes([len(label)]) + label.encode()
        q += b"\0" + struct.pack("!HH", 1, 1)
        s.sendto(q, ("127.0.0.1", port))
        try:
            while True:
                r = s.recv(4096)
                if struct.unpack("!H", r[:2])[0] == qid:
                    break
        except socket.timeout:
            out.append("%s TIMEOUT" % name)
            continue
        rcode = r[3] & 15
        ancount = struct.unpack("!H", r[6:8])[0]
        i = len(q)  # after the echoed question
        addrs = []
        for _ in range(ancount):
            while r[i] != 0 and r[i] < 0xc0:
                i += r[i] + 1
            i += 2 if r[i] >= 0xc0 else 1
            rtype, _, _, rdlen = struct.unpack("!HHIH", r[i:i + 10])
            i += 10
            if rtype == 1:
                addrs.append(socket.inet_ntoa(r[i:i + 4]))
            i += rdlen
        out.append("%s %d %s" % (name, rcode, " ".join(addrs)))
    t = time.monotonic() - t0
    print("\n".join(out))
    print("queries %d seconds %.3f" % (len(names), t), file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "query":
        query(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__)
