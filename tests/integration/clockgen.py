#!/usr/bin/env python3
"""clockgen: three hours of a Postfix submission log, in the form Postfix
3.7 writes it (the lines of tests/fixtures/demo), with a wrong clock in it.
Debian's python3 only.

Usage: clockgen.py --start EPOCH --out FILE [--split FILE2] [--spike]
                   [--step] [--future SECONDS]

The story, in minutes from --start:
  traveller  logs in from a new address (a new /24) every 20 min, 5 to 165:
             eight addresses over 160 minutes, one at a time;
  bulk       810 messages from one address, minutes 30 to 130 (8 a minute);
  alice, bob, carol  a message every 7 minutes;
  judy       hijacked at minute 130: 40 addresses in 4 minutes, 10
             recipients a message;
  mallory    hijacked at minute 177, the last lines: 25 addresses in 2
             minutes (a follower that reports her has read everything);
             the receivers defer all of judy's and mallory's mail (two
             kinds of evidence: what the headless watch contains on).
Only judy and mallory are suspicious; the others stay ok in any windowing
of the times.

--spike  one of carol's lines at minute 10 is stamped three hours ahead;
--step   at minute 100 the server's clock steps back one hour and stays
         (every later line is stamped an hour early);
--future every stamp is that many seconds ahead (a server whose clock is
         wrong from the start).
--split  bulk's lines go to FILE2 (Postfix and a second log, merged by scan).

Stamps are RFC 3339 in UTC, in time order of the story.
"""

import argparse
import time

HOUR = 3600


def stamp(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))


class Log:
    def __init__(self, start, args):
        self.start = start
        self.args = args
        self.lines = []         # (story second, order, file, text)
        self.qid = 0xA72000000
        self.order = 0

    def add(self, sec, text, where=0):
        self.lines.append((sec, self.order, where, text))
        self.order += 1

    def message(self, sec, account, ip, rcpts, where=0, deferred=False):
        self.qid += 1
        q = "%X" % self.qid
        self.add(sec, "postfix/submission/smtpd[%d]: %s: client=unknown[%s]"
                 ", sasl_method=PLAIN, sasl_username=%s"
                 % (2000 + self.qid % 97, q, ip, account), where)
        self.add(sec, "postfix/qmgr[1990]: %s: from=<%s>, size=358, "
                 "nrcpt=%d (queue active)" % (q, account, len(rcpts)), where)
        for r in rcpts:
            self.add(sec, "postfix/smtp[%d]: %s: to=<%s>, relay=127.0.0.1"
                     "[127.0.0.1]:25, delay=0.1, delays=0/0/0/0.1, %s"
                     % (3000 + self.qid % 89, q, r,
                        "dsn=4.7.1, status=deferred (host 127.0.0.1 said: "
                        "450 4.7.1 Try again later)" if deferred else
                        "dsn=2.0.0, status=sent (250 2.0.0 Ok)"), where)
        self.add(sec, "postfix/qmgr[1990]: %s: removed" % q, where)

    def write(self, out, split):
        a = self.args
        files = [open(out, "w")]
        if split:
            files.append(open(split, "w"))
        for sec, _, where, text in sorted(self.lines):
            t = self.start + sec + a.future
            if a.step and sec >= 100 * 60:
                t -= HOUR
            if a.spike and text.endswith("carol@example.test") and \
                    600 <= sec < 660:
                t += 3 * HOUR
            files[where if split else 0].write(
                "%s mx %s\n" % (stamp(t), text))
        for f in files:
            f.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--start", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--split")
    p.add_argument("--spike", action="store_true")
    p.add_argument("--step", action="store_true")
    p.add_argument("--future", type=int, default=0)
    a = p.parse_args()
    log = Log(a.start, a)
    for i in range(8):
        log.message((5 + 20 * i) * 60, "traveller@example.test",
                    "127.%d.1.7" % (10 + i), ["home@family.test"])
    for i in range(810):
        log.message(30 * 60 + i * 100 * 60 // 810, "bulk@example.test",
                    "127.0.2.1", ["list%d@news.test" % (i % 50)], 1)
    for k, who in enumerate(("alice", "bob", "carol")):
        for m in range(1 + k, 180, 7):
            log.message(m * 60 + 3, who + "@example.test",
                        "127.0.1.%d" % (k + 1), ["friend@example.test"])
    for i in range(40):
        log.message(130 * 60 + i * 6, "judy@example.test",
                    "127.200.%d.%d" % (i // 20, i % 20 + 1),
                    ["x%d.%d@d%d.spam.test" % (i, j, j) for j in range(10)],
                    deferred=True)
    for i in range(25):
        log.message(177 * 60 + i * 5, "mallory@example.test",
                    "127.201.0.%d" % (i + 1), ["y%d@spam.test" % i],
                    deferred=True)
    log.write(a.out, a.split)


if __name__ == "__main__":
    main()
