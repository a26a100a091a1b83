#!/usr/bin/env python3
"""policy_client: drive the policy service test (test_policy_service.sh).
Debian's python3 only.  Each mode prints what it saw and exits 1 when
anything went otherwise than planned.

  sessions SMTP_PORT USERS_FILE CMD
      alice@ and bob@ (passwords from USERS_FILE: "login password" lines)
      open authenticated sessions from their own loopback addresses; the
      first RCPT of each must be accepted; then CMD runs (the suspension
      of bob@); then, in the same sessions, bob@'s next RCPT must be
      refused with the service's text and alice@'s accepted, and her
      message queued.
  ended SMTP_PORT USERS_FILE CMD
      bob@ opens an authenticated session (retried while Dovecot still
      reads him as denied); its first RCPT must be accepted; then CMD runs
      (a suspension that ends his open session by its pid); then his next
      RCPT in that session must not be accepted: the session ended, or the
      service refused it; and a new session of his must not get a RCPT
      accepted either (its AUTH fails or the service refuses).
  stopped SMTP_PORT USERS_FILE CMD
      carol@ sends a message; CMD runs (mailcon is stopped); then carol@
      sends again in the same session and in a new one: both queued.
  hostile POLICY_ADDR
      hostile requests straight to the service (host:port or a unix
      socket path): each must be answered DUNNO; a request without the
      empty line is answered DUNNO and closed in time; a flood of 600
      connections is held open and a new one still gets its answer.
  ask POLICY_ADDR LOGIN
      one request for LOGIN: prints the answer's action.
"""

import base64
import resource
import smtplib
import socket
import subprocess
import sys
import time

REJECT_TEXT = b"account suspended"


def users(path):
    out = {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) == 2:
                out[w[0]] = w[1]
    return out


def session(port, src, login, password):
    s = smtplib.SMTP("127.0.0.1", port, source_address=(src, 0), timeout=60)
    s.ehlo("client.test")
    s.login(login, password)
    return s


def send_one(s, login, rcpt):
    """MAIL, RCPT, DATA in an open session: the DATA code (queued: 250)."""
    s.mail(login)
    code, msg = s.rcpt(rcpt)
    if code != 250:
        s.rset()
        return code, msg
    code, msg = s.data(b"Subject: policy test\r\n\r\nhello\r\n")
    return code, msg


def ok(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    return cond


def mode_sessions(port, ufile, cmd):
    u = users(ufile)
    a = session(port, "127.31.0.1", "alice@example.test",
                u["alice@example.test"])
    b = session(port, "127.31.0.2", "bob@example.test", u["bob@example.test"])
    good = True
    for s, who in ((a, "alice@example.test"), (b, "bob@example.test")):
        s.mail(who)
        code, msg = s.rcpt("first@deferred.test")
        good &= ok(code == 250, "%s: first RCPT accepted (%d %s)" %
                   (who, code, msg))
    rc = subprocess.call(cmd, shell=True)
    good &= ok(rc == 0, "suspend command exit %d" % rc)
    code, msg = b.rcpt("second@deferred.test")
    good &= ok(code == 554 and REJECT_TEXT in msg,
               "bob@: next RCPT in the open session refused (%d %s)" %
               (code, msg))
    code, msg = a.rcpt("second@deferred.test")
    good &= ok(code == 250, "alice@: next RCPT accepted (%d %s)" %
               (code, msg))
    code, msg = a.data(b"Subject: policy test\r\n\r\nhello\r\n")
    good &= ok(code == 250, "alice@: message queued (%d %s)" % (code, msg))
    for s in (a, b):
        try:
            s.quit()
        except smtplib.SMTPException:
            pass
    return good


def refused(s, rcpt):
    """The next RCPT in session S: why it was not accepted, or None."""
    try:
        code, msg = s.rcpt(rcpt)
    except (smtplib.SMTPServerDisconnected, OSError) as e:
        return "session ended (%s)" % e.__class__.__name__
    if code == 554 and REJECT_TEXT in msg:
        return "refused by the service (%d %s)" % (code, msg)
    return None


def mode_ended(port, ufile, cmd):
    u = users(ufile)
    login = "bob@example.test"
    b = None
    for _ in range(30):
        try:
            b = session(port, "127.31.0.5", login, u[login])
            break
        except smtplib.SMTPAuthenticationError:
            time.sleep(0.2)
    if not ok(b is not None, "bob@: logs in again after the unsuspend"):
        return False
    b.mail(login)
    code, msg = b.rcpt("third@deferred.test")
    good = ok(code == 250, "bob@: first RCPT accepted (%d %s)" % (code, msg))
    rc = subprocess.call(cmd, shell=True)
    good &= ok(rc == 0, "suspend command exit %d" % rc)
    why = refused(b, "fourth@deferred.test")
    good &= ok(why is not None, "bob@: next RCPT in the open session not "
               "accepted: %s" % why)
    try:
        n = session(port, "127.31.0.6", login, u[login])
        n.mail(login)
        why = refused(n, "fifth@deferred.test")
        try:
            n.quit()
        except (smtplib.SMTPException, OSError):
            pass
    except smtplib.SMTPAuthenticationError as e:
        why = "AUTH refused (%d)" % e.smtp_code
    good &= ok(why is not None, "bob@: a new session's RCPT not accepted: "
               "%s" % why)
    try:
        b.quit()
    except (smtplib.SMTPException, OSError):
        pass
    return good


def mode_stopped(port, ufile, cmd):
    u = users(ufile)
    login = "carol@example.test"
    s = session(port, "127.31.0.3", login, u[login])
    code, msg = send_one(s, login, "one@deferred.test")
    good = ok(code == 250, "carol@: queued while the service runs (%d)" %
              code)
    rc = subprocess.call(cmd, shell=True)
    good &= ok(rc == 0, "stop command exit %d" % rc)
    code, msg = send_one(s, login, "two@deferred.test")
    good &= ok(code == 250, "carol@: queued in the open session after the "
               "service stopped (%d %s)" % (code, msg))
    s.quit()
    s = session(port, "127.31.0.4", login, u[login])
    code, msg = send_one(s, login, "three@deferred.test")
    good &= ok(code == 250, "carol@: queued in a new session after the "
               "service stopped (%d %s)" % (code, msg))
    s.quit()
    return good


def connect(addr):
    if addr.startswith("/"):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(addr)
    else:
        host, port = addr.rsplit(":", 1)
        c = socket.create_connection((host, int(port)))
    c.settimeout(60)
    return c


def answer(c):
    buf = b""
    while not buf.endswith(b"\n\n"):
        d = c.recv(4096)
        if not d:
            break
        buf += d
    return buf


def request(login, **extra):
    a = {"request": "smtpd_access_policy", "protocol_state": "RCPT",
         "client_address": "127.31.0.9", "recipient": "x@deferred.test",
         "recipient_count": "0"}
    a.update(extra)
    out = b"".join(b"%s=%s\n" % (k.encode(), v if isinstance(v, bytes)
                                 else v.encode()) for k, v in a.items())
    return out + b"sasl_username=" + login + b"\n\n"


def mode_hostile(addr):
    good = True
    c = connect(addr)
    cases = [
        ("a login with spaces", request(b"bob smith@example.test")),
        ("a login with control bytes", request(b"bob\x1b[2J\x07@example.test")),
        ("a login not UTF-8", request(b"bob\xff\xfe@example.test")),
        ("an overlong line", request(b"bob@example.test",
                                     recipient=b"a" * 100000)),
        ("a line without '='", b"request=smtpd_access_policy\nnonsense\n\n"),
        ("no request attribute", b"sasl_username=bob@example.test\n\n"),
        ("a suspended login with spaces",
         request(b"bob@example.test ")),
    ]
    for what, data in cases:
        c.sendall(data)
        got = answer(c)
        good &= ok(got == b"action=DUNNO\n\n", "%s: %r" % (what, got[:60]))
    c.close()
    # a request without its empty line: answered and closed in time
    c = connect(addr)
    c.sendall(b"request=smtpd_access_policy\nsasl_username=bob@example.test\n")
    t0 = time.time()
    got = answer(c)
    good &= ok(got == b"action=DUNNO\n\n",
               "no empty line: %r after %.1f s" % (got, time.time() - t0))
    good &= ok(c.recv(10) == b"", "no empty line: connection closed")
    c.close()
    # a request cut by the connection's end: nothing to answer, counted
    c = connect(addr)
    c.sendall(b"request=smtpd_access_policy\nsasl_user")
    c.close()
    # a flood of connections held open; a new one is still answered
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 4096),
                                                max(hard, 4096)))
    flood = []
    for i in range(600):
        try:
            flood.append(connect(addr))
        except OSError as e:
            print("flood: connection %d: %s" % (i, e))
            break
    c = connect(addr)
    c.sendall(request(b"alice@example.test"))
    got = answer(c)
    good &= ok(got == b"action=DUNNO\n\n",
               "after a flood of %d connections: %r" % (len(flood), got))
    for f in flood:
        f.close()
    c.close()
    return good


def mode_ask(addr, login):
    c = connect(addr)
    c.sendall(request(login.encode()))
    print(answer(c).decode().strip())
    return True


def main():
    m = sys.argv[1]
    if m == "sessions":
        good = mode_sessions(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif m == "ended":
        good = mode_ended(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif m == "stopped":
        good = mode_stopped(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif m == "hostile":
        good = mode_hostile(sys.argv[2])
    elif m == "ask":
        good = mode_ask(sys.argv[2], sys.argv[3])
    else:
        sys.exit("policy_client: unknown mode %s" % m)
    sys.exit(0 if good else 1)


main()
