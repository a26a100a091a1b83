#!/usr/bin/env python3
"""hijack: a live account takeover against a test Postfix, at a fixed pace,
until the server stops it.  Debian's python3 only.

Usage: hijack.py --port PORT --login LOGIN --password PW [--rate N]
                 [--per-conn K] [--max M] [--net 127.0.X] [--threads T]
                 [--stop-after S] [--rcpt-domain D[,D...]] [--log FILE]

Every connection comes from the next loopback address of --net (a botnet:
hundreds of addresses logging in as one account), authenticates and sends
up to K messages; a new message is started every 1/N seconds (by T
threads), each to a recipient at the next of the --rcpt-domain list.
It stops when AUTH or RCPT is refused S times in a row (the
account was contained), after M messages, or after 120 s.

Prints one JSON line: queued (messages accepted), first and last accepted
(epoch seconds), refused_at (the first refusal), addresses used, and
in_doubt: messages sent whole (after DATA's 354, the final dot written)
whose answer never came because the session was ended meanwhile: the
server may have queued them (Postfix's cleanup commits what smtpd handed
it before smtpd died), so the client cannot know.
"""

import argparse
import base64
import json
import smtplib
import threading
import time


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.queued = 0
        self.first = None
        self.last = None
        self.refused_at = None
        self.refusals = 0
        self.in_doubt = 0
        self.next_ip = 1
        self.stop = False
        self.next_slot = time.monotonic()
        self.times = []


def take_slot(st, interval):
    """Wait for this thread's turn to start a message (the fixed pace)."""
    with st.lock:
        slot = st.next_slot
        st.next_slot = max(st.next_slot, time.monotonic()) + interval
    delay = slot - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def refused(st, args):
    with st.lock:
        if st.refused_at is None:
            st.refused_at = time.time()
        st.refusals += 1
        if st.refusals >= args.stop_after:
            st.stop = True


def send_data(smtp, st, msg):
    """DATA and the message; its answer's code.  The message written whole
    and the session ended before its answer: counted in doubt."""
    code, _ = smtp.docmd("data")
    if code != 354:
        return code
    smtp.send(msg + b".\r\n")
    try:
        code, _ = smtp.getreply()
    except (OSError, smtplib.SMTPServerDisconnected):
        with st.lock:
            st.in_doubt += 1
        raise
    return code


def worker(args, st, interval, deadline):
    while not st.stop and time.monotonic() < deadline:
        with st.lock:
            n = st.next_ip
            st.next_ip += 1
            if st.queued >= args.max:
                st.stop = True
                return
        src = "%s.%d" % (args.net, 1 + (n - 1) % 254)
        try:
            smtp = smtplib.SMTP("127.0.0.1", args.port, timeout=30,
                                local_hostname="bot%d.example.test" % n,
                                source_address=(src, 0))
        except OSError:
            continue
        try:
            smtp.ehlo()
            tok = base64.b64encode(("\0%s\0%s" % (
                args.login, args.password)).encode()).decode()
            code, _ = smtp.docmd("AUTH", "PLAIN " + tok)
            if code != 235:
                refused(st, args)
                continue
            doms = args.rcpt_domain.split(",")
            for k in range(args.per_conn):
                if st.stop:
                    break
                take_slot(st, interval)
                code, _ = smtp.mail(args.login)
                if code != 250:
                    refused(st, args)
                    break
                # several domains: each message of the botnet to the next
                dom = doms[(n * args.per_conn + k) % len(doms)]
                code, _ = smtp.rcpt("victim%d@%s" % (n, dom))
                if code not in (250, 251):
                    refused(st, args)
                    smtp.rset()
                    break
                code = send_data(smtp, st,
                                 b"Subject: offer\r\n\r\nbuy now\r\n")
                if code != 250:
                    refused(st, args)
                    break
                with st.lock:
                    now = time.time()
                    st.queued += 1
                    st.refusals = 0
                    st.times.append(now)
                    if st.first is None:
                        st.first = now
                    st.last = now
        except (OSError, smtplib.SMTPException):
            refused(st, args)
        finally:
            try:
                smtp.close()
            except OSError:
                pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--login", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--rate", type=float, default=30)
    ap.add_argument("--per-conn", type=int, default=3)
    ap.add_argument("--max", type=int, default=100000)
    ap.add_argument("--net", default="127.0.9")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--stop-after", type=int, default=5)
    ap.add_argument("--rcpt-domain", default="remote.test")
    ap.add_argument("--log", help="write the time of each accepted message")
    args = ap.parse_args()

    st = State()
    deadline = time.monotonic() + 120
    threads = [threading.Thread(target=worker,
                                args=(args, st, 1.0 / args.rate, deadline))
               for _ in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if args.log:
        with open(args.log, "w") as f:
            for t in sorted(st.times):
                f.write("%.3f\n" % t)
    print(json.dumps({"queued": st.queued, "first": st.first,
                      "last": st.last, "refused_at": st.refused_at,
                      "addresses": min(st.next_ip - 1, 254),
                      "in_doubt": st.in_doubt}))


if __name__ == "__main__":
    main()
