#!/usr/bin/env python3
"""syslogsend.py: send log lines to a syslog server over TCP as a given host.

    syslogsend.py --port P --host mx07 [--format 5424|3164] [--octet]
                  [--time ISO] < lines

Each input line is "TAG[PID]: MESSAGE" (what a mail daemon writes after
the syslog header, e.g. "postfix/smtpd[4242]: 1A2B3C: client=...") and is
sent as one syslog message from HOST: RFC 5424 frames by default (what
rsyslog's omfwd sends with the RSYSLOG_SyslogProtocol23Format template,
HOSTNAME and high-precision time kept), or RFC 3164 frames ("<22>Dec  6
11:34:05 mx07 postfix/smtpd[4242]: ..."). Frames are LF-terminated, or
octet-counted with --octet (RFC 6587). util-linux logger cannot set the
HOSTNAME field, so the central log host tests pose as servers with this.

The host name is sent as given, control bytes included: the tests use it to
forge HOSTNAME fields. --time sets the timestamp of every message (default:
now); --gap-ms sleeps between messages. Exit 0 when every line was sent.
"""
import argparse
import datetime
import re
import socket
import sys
import time

LINE = re.compile(r"^([^\[\]: ]+)(?:\[([0-9]+)\])?: ?(.*)$", re.S)
FACILITY_MAIL = 2
SEVERITY_INFO = 6


def frame_5424(host, tag, pid, msg, when):
    pri = FACILITY_MAIL * 8 + SEVERITY_INFO
    stamp = when.isoformat(timespec="microseconds")
    return "<%d>1 %s %s %s %s - - %s" % (pri, stamp, host or "-", tag,
                                         pid or "-", msg)


def frame_3164(host, tag, pid, msg, when):
    pri = FACILITY_MAIL * 8 + SEVERITY_INFO
    stamp = "%s %2d %s" % (when.strftime("%b"), when.day,
                           when.strftime("%H:%M:%S"))
    head = "%s[%s]" % (tag, pid) if pid else tag
    return "<%d>%s %s %s: %s" % (pri, stamp, host, head, msg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--host", required=True)
    ap.add_argument("--format", choices=("5424", "3164"), default="5424")
    ap.add_argument("--octet", action="store_true")
    ap.add_argument("--time")
    ap.add_argument("--gap-ms", type=int, default=0)
    a = ap.parse_args()
    if not a.addr.startswith("127.") and a.addr != "::1":
        sys.exit("syslogsend.py: loopback addresses only, not %s" % a.addr)
    fixed = None
    if a.time:
        fixed = datetime.datetime.fromisoformat(a.time)
    make = frame_5424 if a.format == "5424" else frame_3164
    s = socket.create_connection((a.addr, a.port), timeout=10)
    sent = 0
    for raw in sys.stdin.buffer:
        text = raw.rstrip(b"\n").decode("utf-8", "surrogateescape")
        m = LINE.match(text)
        if m is None:
            sys.exit("syslogsend.py: not TAG[PID]: MESSAGE: %r" % text[:80])
        when = fixed or datetime.datetime.now().astimezone()
        f = make(a.host, m.group(1), m.group(2), m.group(3), when)
        b = f.encode("utf-8", "surrogateescape")
        s.sendall(b"%d %s" % (len(b), b) if a.octet else b + b"\n")
        sent += 1
        if a.gap_ms:
            time.sleep(a.gap_ms / 1000)
    s.shutdown(socket.SHUT_WR)
    s.close()
    print("sent %d" % sent)


if __name__ == "__main__":
    main()
