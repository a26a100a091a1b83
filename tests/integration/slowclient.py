#!/usr/bin/env python3
"""slowclient: an SMTP session kept open, as a hijacker's sending slowly.
Debian's python3 only.
Usage: slowclient.py PORT LOGIN PASSWORD SRC_IP STATUS GO [idle]
Authenticates as LOGIN from SRC_IP, sends one message, writes
"first CODE QID" to STATUS, then waits (up to 60 s) until the file GO
exists and tries a second message in the same session: appends
"second CODE" or "second closed: WHY" (the server ended the session).
With "idle" it sends no first message (no log line names its smtpd's
pid): "first 235 -" once authenticated.
"""
import base64
import os
import re
import smtplib
import sys
import time


def send(s, login, n):
    s.mail(login)
    s.rcpt("slow%d@remote.test" % n)
    return s.data(b"Subject: slow\r\n\r\nstill here\r\n")


def main():
    port, login, pw, src, status, go = sys.argv[1:7]
    idle = sys.argv[7:8] == ["idle"]
    s = smtplib.SMTP("127.0.0.1", int(port), local_hostname="slow.example.test",
                     timeout=30, source_address=(src, 0))
    s.ehlo()
    tok = base64.b64encode(("\0%s\0%s" % (login, pw)).encode()).decode()
    code, _ = s.docmd("AUTH", "PLAIN " + tok)
    if code != 235:
        sys.exit("AUTH: %d" % code)
    if idle:
        msg = b""
    else:
        code, msg = send(s, login, 1)
    m = re.search(rb"queued as ([0-9A-F]+)", msg)
    with open(status, "w") as f:
        f.write("first %d %s\n" % (code, m.group(1).decode() if m else "-"))
    deadline = time.monotonic() + 60
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        code, _ = send(s, login, 2)
        line = "second %d\n" % code
    except (OSError, smtplib.SMTPException) as e:
        line = "second closed: %s\n" % type(e).__name__
    with open(status, "a") as f:
        f.write(line)


if __name__ == "__main__":
    main()
