#!/usr/bin/env python3
"""mailgen: submit authenticated mail to a test Postfix from chosen loopback
source addresses, and make failed logins.  Debian's python3 only.

Usage: mailgen.py --port PORT [--host 127.0.0.1] [-j THREADS] [--qids FILE]
                  [--auth plain|login] [PLAN]   (PLAN file, default stdin)

The plan has one job per line ('#' starts a comment):

  send   LOGIN PASSWORD SRC_IP MESSAGES PER_CONN RCPT[,RCPT...][;RCPT...]
         MESSAGES messages, PER_CONN per connection (one AUTH PLAIN per
         connection); every one must be queued.  Each message goes to all
         the comma-separated RCPTs; with ';'-separated lists, message n goes
         to list n (cycling), e.g. a newsletter: s1@a.test;s2@b.test;...
  sendas LOGIN PASSWORD SRC_IP MESSAGES PER_CONN RCPTS SENDER
         as send, but the envelope sender (MAIL FROM) and From: header
         are SENDER instead of LOGIN: a hijacker's forged sender.  The
         --qids line still names LOGIN, who authenticated.
  fail   LOGIN PASSWORD SRC_IP COUNT
         COUNT connections whose AUTH PLAIN must fail (535).
  reject LOGIN PASSWORD SRC_IP RCPT[,RCPT...]
         AUTH must succeed and every RCPT be refused (check_sasl_access).

Jobs with the same LOGIN and SRC_IP run one after another, in plan order
(so "fail" then "send" for one user and address is an ordered story); other
jobs run in parallel on THREADS threads.  The envelope sender is LOGIN
(SENDER for sendas).

--auth login logs in with AUTH LOGIN instead of AUTH PLAIN (Exim logs the
authenticator that took it: A=dovecot_login: rather than dovecot_plain:).
--qids FILE gets "QID LOGIN SRC_IP NRCPT" for every queued message.
Prints one JSON summary line; exits 1 when any job did not go as planned.
"""

import argparse
import base64
import itertools
import json
import queue
import smtplib
import sys
import threading
import time

_counter = itertools.count(1)
_lock = threading.Lock()


class Stats:
    def __init__(self):
        self.sent = 0
        self.rcpts = 0
        self.auth_ok = 0
        self.auth_fail = 0
        self.rejected = 0
        self.errors = []
        self.qids = []

    def error(self, job, text):
        with _lock:
            self.errors.append("%s: %s" % (" ".join(job[:4]), text))


def connect(args, src):
    helo = "h%s.example.test" % src.replace(".", "-")
    # local_hostname avoids socket.getfqdn(): DNS never answers here.
    return smtplib.SMTP(args.host, args.port, local_hostname=helo,
                        timeout=args.timeout, source_address=(src, 0))


def auth_plain(smtp, login, password):
    """AUTH PLAIN only: smtp.login() would retry with LOGIN after a 535,
    logging two failures for one wrong password."""
    smtp.ehlo_or_helo_if_needed()
    if MECH == "login":
        smtp.user, smtp.password = login, password
        try:
            return smtp.auth("LOGIN", smtp.auth_login)
        except smtplib.SMTPAuthenticationError as e:
            return e.smtp_code, e.smtp_error
    tok = base64.b64encode(("\0%s\0%s" % (login, password)).encode()).decode()
    return smtp.docmd("AUTH", "PLAIN " + tok)


MECH = "plain"


def message(login, rcpts):
    n = next(_counter)
    return ("From: <%s>\r\nTo: <%s>\r\nSubject: mailgen test %d\r\n"
            "Date: %s\r\nMessage-ID: <mailgen-%d-%f@example.test>\r\n\r\n"
            "Test message %d.\r\n" % (
                login, rcpts[0], n,
                time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
                n, time.time(), n)).encode()


def queue_one(smtp, sender, rcpts):
    """Send one message from envelope sender SENDER; return the queue id
    or raise."""
    code, resp = smtp.mail(sender)
    if code != 250:
        raise RuntimeError("MAIL FROM: %d %s" % (code, resp))
    for r in rcpts:
        code, resp = smtp.rcpt(r)
        if code not in (250, 251):
            raise RuntimeError("RCPT TO:<%s>: %d %s" % (r, code, resp))
    code, resp = smtp.data(message(sender, rcpts))
    if code != 250:
        raise RuntimeError("DATA: %d %s" % (code, resp))
    text = resp.decode(errors="replace")
    if "queued as" in text:         # Postfix: "2.0.0 Ok: queued as ID"
        return text.rsplit(" ", 1)[-1]
    if text.startswith("OK id="):   # Exim: "OK id=ID"
        return text[6:].split(" ", 1)[0]
    return "?"


def job_send(args, st, job):
    login, password, src = job[1], job[2], job[3]
    sender = job[7] if job[0] == "sendas" else login
    total, per_conn = int(job[4]), max(1, int(job[5]))
    rcpt_sets = [r.split(",") for r in job[6].split(";")]
    done = 0
    while done < total:
        with connect(args, src) as smtp:
            code, resp = auth_plain(smtp, login, password)
            if code != 235:
                st.error(job, "AUTH: %d %s" % (code, resp))
                return
            with _lock:
                st.auth_ok += 1
            for _ in range(min(per_conn, total - done)):
                rcpts = rcpt_sets[done % len(rcpt_sets)]
                qid = queue_one(smtp, sender, rcpts)
                done += 1
                with _lock:
                    st.sent += 1
                    st.rcpts += len(rcpts)
                    st.qids.append((qid, login, src, len(rcpts)))
            smtp.quit()


def job_fail(args, st, job):
    login, password, src, count = job[1], job[2], job[3], int(job[4])
    for _ in range(count):
        with connect(args, src) as smtp:
            code, resp = auth_plain(smtp, login, password)
            if code == 235:
                st.error(job, "AUTH succeeded, expected a failure")
                return
            if code != 535:
                st.error(job, "AUTH: %d %s (expected 535)" % (code, resp))
            with _lock:
                st.auth_fail += 1
            smtp.quit()


def job_reject(args, st, job):
    login, password, src = job[1], job[2], job[3]
    with connect(args, src) as smtp:
        code, resp = auth_plain(smtp, login, password)
        if code != 235:
            st.error(job, "AUTH: %d %s" % (code, resp))
            return
        with _lock:
            st.auth_ok += 1
        smtp.mail(login)
        for r in job[4].split(","):
            code, resp = smtp.rcpt(r)
            if code in (250, 251):
                st.error(job, "RCPT TO:<%s> accepted, expected a refusal" % r)
            else:
                with _lock:
                    st.rejected += 1
        smtp.rset()
        smtp.quit()


JOBS = {"send": (job_send, 7), "sendas": (job_send, 8), "fail": (job_fail, 5),
        "reject": (job_reject, 5)}


def run_group(args, st, jobs):
    for job in jobs:
        try:
            JOBS[job[0]][0](args, st, job)
        except (OSError, smtplib.SMTPException, RuntimeError) as e:
            st.error(job, "%s: %s" % (type(e).__name__, e))


def parse(lines):
    groups = {}
    for n, line in enumerate(lines, 1):
        f = line.split("#", 1)[0].split()
        if not f:
            continue
        if f[0] not in JOBS or len(f) != JOBS[f[0]][1]:
            sys.exit("mailgen: plan line %d: bad job: %s" % (n, line.strip()))
        groups.setdefault((f[1], f[3]), []).append(f)
    return list(groups.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("-j", "--threads", type=int, default=8)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--qids")
    ap.add_argument("--auth", choices=("plain", "login"), default="plain")
    ap.add_argument("plan", nargs="?")
    args = ap.parse_args()
    global MECH
    MECH = args.auth

    with (open(args.plan) if args.plan else sys.stdin) as f:
        groups = parse(f)
    st = Stats()
    work = queue.Queue()
    for g in groups:
        work.put(g)

    def worker():
        while True:
            try:
                g = work.get_nowait()
            except queue.Empty:
                return
            run_group(args, st, g)

    t0 = time.time()
    threads = [threading.Thread(target=worker)
               for _ in range(max(1, min(args.threads, len(groups))))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.time() - t0

    if args.qids:
        with open(args.qids, "a") as f:
            for q in st.qids:
                f.write("%s %s %s %d\n" % q)
    print(json.dumps({"sent": st.sent, "rcpts": st.rcpts,
                      "auth_ok": st.auth_ok, "auth_fail": st.auth_fail,
                      "rejected": st.rejected, "seconds": round(secs, 2),
                      "errors": st.errors[:20],
                      "error_count": len(st.errors)}))
    return 1 if st.errors else 0


if __name__ == "__main__":
    sys.exit(main())
