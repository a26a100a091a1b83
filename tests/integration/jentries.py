#!/usr/bin/env python3
"""jentries.py: journal entries in journalctl's export format on stdout,
for systemd-journal-remote to write into real journal files.

  jentries.py seq FROM TO           postfix/cleanup "seq N" entries
  jentries.py hijack USER N         smtpd logins of USER from N addresses
  jentries.py hostile               a MESSAGE with an escape, a newline and
                                    invalid UTF-8 (a binary field)
  jentries.py other                 an entry of facility 3 (not mail)

With JENTRIES_UNIT set, every entry carries _SYSTEMD_UNIT=$JENTRIES_UNIT
(the unit journald would attribute it to).
"""
import os, struct, sys, time

BOOT = b"0123456789abcdef0123456789abcdef"
out = sys.stdout.buffer
tick = [int(time.time() * 1e6)]


def field(name, value):
    if b"\n" in value or any(c < 0x20 or c >= 0x7f for c in value):
        out.write(name + b"\n" + struct.pack("<Q", len(value)) + value +
                  b"\n")
    else:
        out.write(name + b"=" + value + b"\n")


def entry(ident, pid, msg, facility=b"2"):
    tick[0] += 1
    t = b"%d" % tick[0]
    field(b"__REALTIME_TIMESTAMP", t)
    field(b"__MONOTONIC_TIMESTAMP", t)
    field(b"_BOOT_ID", BOOT)
    field(b"_HOSTNAME", b"mx1")
    field(b"SYSLOG_FACILITY", facility)
    field(b"SYSLOG_IDENTIFIER", ident)
    if os.environ.get("JENTRIES_UNIT"):
        field(b"_SYSTEMD_UNIT", os.environ["JENTRIES_UNIT"].encode())
    field(b"_PID", pid)
    field(b"PRIORITY", b"6")
    field(b"MESSAGE", msg)
    out.write(b"\n")


kind = sys.argv[1]
if kind == "seq":
    for i in range(int(sys.argv[2]), int(sys.argv[3]) + 1):
        entry(b"postfix/cleanup", b"77", b"seq %d" % i)
elif kind == "hijack":
    user = sys.argv[2].encode()
    for i in range(1, int(sys.argv[3]) + 1):
        entry(b"postfix/smtpd", b"%d" % (1000 + i),
              b"A%05dB: client=unknown[127.200.%d.%d], sasl_method=PLAIN, "
              b"sasl_username=%s" % (i, i // 200, i % 200 + 1, user))
elif kind == "hostile":
    entry(b"postfix/smtpd", b"99",
          b"hostile \x1b[31mred\nsecond line \xff\xfe end")
elif kind == "other":
    entry(b"cron", b"5", b"not mail", facility=b"3")
