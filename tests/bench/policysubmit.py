#!/usr/bin/env python3
"""policysubmit.py: the time a real submission takes on the test stack
with and without the policy service (tests/bench/policy.sh).

usage: policysubmit.py PLAIN_PORT POLICY_PORT USERS_FILE N

Sends N messages through each of two submission listeners of one Postfix,
alternately (so both see the same load), one authenticated session per
message, as alice@ from 127.32.0.1; times MAIL FROM to the 250 after DATA
(the part smtpd asks the policy service in: RCPT).  Prints
"plain_p50_ms A plain_p90_ms B policy_p50_ms C policy_p90_ms D
added_p50_ms E added_p90_ms F".  Exits 1 when a message is not queued.
"""
import smtplib
import sys
import time


def one(port, login, password):
    s = smtplib.SMTP("127.0.0.1", port, source_address=("127.32.0.1", 0),
                     timeout=60)
    s.ehlo("bench.test")
    s.login(login, password)
    t0 = time.perf_counter()
    s.mail(login)
    code, _ = s.rcpt("bench@deferred.test")
    if code != 250:
        sys.exit("policysubmit: RCPT got %d on port %d" % (code, port))
    code, _ = s.data(b"Subject: bench\r\n\r\nhello\r\n")
    t = time.perf_counter() - t0
    if code != 250:
        sys.exit("policysubmit: DATA got %d on port %d" % (code, port))
    s.quit()
    return t


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p))] * 1000


def main():
    plain, policy, ufile, n = (int(sys.argv[1]), int(sys.argv[2]),
                               sys.argv[3], int(sys.argv[4]))
    pw = dict(l.split() for l in open(ufile) if len(l.split()) == 2)
    login = "alice@example.test"
    a, b = [], []
    one(plain, login, pw[login])        # warm both up
    one(policy, login, pw[login])
    for i in range(n):
        if i % 2:
            a.append(one(plain, login, pw[login]))
            b.append(one(policy, login, pw[login]))
        else:
            b.append(one(policy, login, pw[login]))
            a.append(one(plain, login, pw[login]))
    print("plain_p50_ms %.2f plain_p90_ms %.2f policy_p50_ms %.2f "
          "policy_p90_ms %.2f added_p50_ms %.2f added_p90_ms %.2f" %
          (pct(a, .5), pct(a, .9), pct(b, .5), pct(b, .9),
           pct(b, .5) - pct(a, .5), pct(b, .9) - pct(a, .9)))


main()
