"""
tests/corpus/loglines.py: the log lines of one mail server, as Postfix 3.7
and Dovecot 2.3 write them through rsyslog on Debian.

Shapes: tests/fixtures/postfix-3.7.log and dovecot-2.3.log (real lines from
this project's test stack), the demo logs in tests/fixtures/demo, and for the
syslog header rsyslog's templates: RSYSLOG_FileFormat (the omfile default,
RFC 3339 with microseconds and the zone offset) and
RSYSLOG_TraditionalFileFormat ("Nov  2 06:30:01").  Postfix's lines:
smtpd (client=, warning: ... SASL ... authentication failed), cleanup
(message-id=), qmgr (from=, size=, nrcpt= (queue active); removed), smtp and
lmtp (to=, relay=, delay=, delays=, dsn=, status=), bounce (sender
non-delivery notification), pickup (uid= from=).  Dovecot's: imap-login
Login / Disconnected (auth failed ...), imap(user) Logged out, lmtp(user)
saved mail to INBOX, auth passwd-file(user,ip[,<session>]) Password mismatch
/ unknown user.

Nothing here is random by itself: every choice comes from the Rng handed in,
so a seed gives the same bytes on every machine (the generator's own PRNG,
not Python's random, whose methods may change between versions).
"""
import calendar
import time

MASK64 = (1 << 64) - 1


class Rng:
    """splitmix64: small, fast, and the same on every Python."""

    def __init__(self, seed):
        self.s = seed & MASK64

    def u64(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, n):
        return self.u64() % n if n > 0 else 0

    def uniform(self):
        return (self.u64() >> 11) / float(1 << 53)

    def between(self, a, b):
        return a + (b - a) * self.uniform()

    def chance(self, p):
        return self.uniform() < p

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def expo(self, mean):
        u = self.uniform()
        # -log(1 - u) by a series-free route: math.log is correctly rounded
        # on every IEEE machine we run on
        import math
        return -mean * math.log(1.0 - u) if u < 1.0 else mean * 40

    def poisson(self, lam):
        """Knuth for small means, a rounded normal-ish sum above 30."""
        import math
        if lam <= 0:
            return 0
        if lam > 30:
            n = lam + math.sqrt(lam) * (sum(self.uniform() for _ in
                                            range(12)) - 6.0)
            return max(0, int(round(n)))
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.uniform()
            if p <= limit:
                return k
            k += 1

    def fork(self, label):
        """An independent generator for a named sub-stream."""
        h = self.s ^ 0xD1B54A32D192ED03
        for ch in label.encode():
            h = ((h ^ ch) * 0x100000001B3) & MASK64
        return Rng(h ^ self.u64())


def utc(y, mo, d, h=0, mi=0, s=0):
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0))


# Central European time: the end of summer time in 2026 (EU rule: last
# Sunday of October, 01:00 UTC).
CEST_END_2026 = utc(2026, 10, 25, 1)


def berlin_offset(t):
    return 7200 if t < CEST_END_2026 else 3600


MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def stamp_rfc3339(t, off):
    """rsyslog RSYSLOG_FileFormat: 2026-11-02T07:30:01.123456+01:00."""
    us = int(round(t * 1e6))
    sec, frac = divmod(us, 1000000)
    tm = time.gmtime(sec + off)
    sign = "+" if off >= 0 else "-"
    a = abs(off)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06d%s%02d:%02d" % (
        tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
        frac, sign, a // 3600, (a % 3600) // 60)


def stamp_classic(t, off):
    """rsyslog RSYSLOG_TraditionalFileFormat: Nov  2 07:30:01."""
    tm = time.gmtime(int(t) + off)
    return "%s %2d %02d:%02d:%02d" % (MONTHS[tm.tm_mon - 1], tm.tm_mday,
                                      tm.tm_hour, tm.tm_min, tm.tm_sec)


class Server:
    """One mail server: its syslog host name, stamp format, zone, domains,
    its own address, and the pids of its long-lived daemons."""

    def __init__(self, name, host, fmt, zone, domains, lip, rng, fqdn):
        self.name = name
        self.host = host
        self.fmt = fmt			# "rfc3339" or "classic"
        self.zone = zone		# "berlin" or "utc"
        self.domains = set(domains)
        self.lip = lip
        self.qmgr_pid = 900 + rng.below(600)
        self.dovecot_pid = 700 + rng.below(150)
        self.fqdn = fqdn

    def offset(self, t):
        return berlin_offset(t) if self.zone == "berlin" else 0

    def local_hour(self, t):
        """Hour and weekday (0 Monday) in the server's zone."""
        tm = time.gmtime(int(t) + self.offset(t))
        return tm.tm_hour + tm.tm_min / 60.0, tm.tm_wday

    def stamp(self, t):
        off = self.offset(t)
        if self.fmt == "rfc3339":
            return stamp_rfc3339(t, off)
        return stamp_classic(t, off)


def pfdelay(v):
    """A delay as Postfix prints it: 0.76, 0.1, 0, 541."""
    if v >= 10:
        return "%d" % int(v)
    s = ("%.2f" % v).rstrip("0").rstrip(".")
    return s or "0"


def host_of(ip, name):
    """Postfix's client name[address] form (unknown without a
    forward-confirmed PTR)."""
    return "%s[%s]" % (name or "unknown", ip)


class Stream:
    """The lines one generator stream writes into one server's log.

    Queue ids: Postfix's short ids are the microseconds of the arrival in
    five hex digits followed by the queue file's inode in hex; each stream
    takes inodes from its own range (index << 20), so ids never collide
    between the background and a scenario written beside it.
    """

    def __init__(self, server, rng, index):
        self.sv = server
        self.rng = rng
        self.out = []			# (t, seq, text without stamp)
        self.seq = 0
        self.inode = (index + 1) << 20 | rng.below(1 << 16)
        self.smtpd_pids = [2000 + rng.below(60000) for _ in range(24)]
        self.worker_pids = [2000 + rng.below(60000) for _ in range(8)]
        self.ext_domains = None

    # --- raw output -------------------------------------------------------
    def emit(self, t, prog, text):
        self.seq += 1
        self.out.append((t, self.seq, "%s %s: %s" % (self.sv.host, prog,
                                                     text)))

    def qid(self, t):
        self.inode += 1 + self.rng.below(3)
        us = int(round(t * 1e6)) % 1000000
        return "%05X%X" % (us & 0xFFFFF, self.inode)

    def session(self):
        return "".join(B64[self.rng.below(64)] for _ in range(16))

    def pid(self, pool):
        return self.rng.choice(pool)

    def newpid(self):
        return 3000 + self.rng.below(60000)

    def msgid(self, t, dom):
        tm = time.gmtime(int(t))
        return "<%04d%02d%02d%02d%02d%02d.%X@%s>" % (
            tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min,
            tm.tm_sec, self.rng.u64() & 0xFFFFFFFFFF, dom)

    # --- Dovecot ------------------------------------------------------------
    def imap_login(self, t, user, ip, secured="TLS"):
        mpid = self.newpid()
        sess = self.session()
        self.emit(t, "dovecot", "imap-login: Login: user=<%s>, method=PLAIN,"
                  " rip=%s, lip=%s, mpid=%d, %s, session=<%s>"
                  % (user, ip, self.sv.lip, mpid, secured, sess))
        dur = self.rng.between(20, 1800)
        self.emit(t + dur, "dovecot", "imap(%s)<%d><%s>: Logged out "
                  "in=%d out=%d deleted=0 expunged=0 trashed=0 hdr_count=%d "
                  "hdr_bytes=%d body_count=%d body_bytes=%d"
                  % (user, mpid, sess, 80 + self.rng.below(2000),
                     500 + self.rng.below(90000), self.rng.below(40),
                     self.rng.below(30000), self.rng.below(8),
                     self.rng.below(400000)))

    def imap_fail(self, t, user, ip, attempts=1, passdb="passwd-file"):
        sess = self.session()
        for i in range(attempts):
            self.emit(t + 2.0 * i, "dovecot", "auth: %s(%s,%s,<%s>): Password"
                      " mismatch" % (passdb, user, ip, sess))
        self.emit(t + 2.0 * attempts, "dovecot",
                  "imap-login: Disconnected (auth failed, %d attempts in %d "
                  "secs): user=<%s>, method=PLAIN, rip=%s, lip=%s, TLS, "
                  "session=<%s>" % (attempts, 2 * attempts, user, ip,
                                    self.sv.lip, sess))

    # --- Postfix: SMTP AUTH failures -----------------------------------------
    def smtp_auth_fail(self, t, user, ip, service="submission",
                       known=True, method="LOGIN", passdb="passwd-file",
                       name=None):
        """A failed SMTP AUTH: Dovecot's auth line, then Postfix's
        warning, then the client gives up."""
        prog = "postfix/%s/smtpd[%d]" % (service, self.pid(self.smtpd_pids))
        h = host_of(ip, name)
        self.emit(t, prog, "connect from %s" % h)
        self.emit(t + 0.4, "dovecot", "auth: %s(%s,%s): %s"
                  % (passdb, user, ip, "Password mismatch" if known
                     else "unknown user"))
        reason = ("UGFzc3dvcmQ6" if method == "LOGIN" and
                  self.rng.chance(0.5) else "(reason unavailable)")
        self.emit(t + 0.45, prog, "warning: %s: SASL %s authentication "
                  "failed: %s, sasl_username=%s" % (h, method, reason, user))
        self.emit(t + 0.5, prog, "lost connection after AUTH from %s" % h)
        self.emit(t + 0.5, prog, "disconnect from %s ehlo=1 auth=0/1 "
                  "commands=1/2" % h)

    # --- Postfix: a message ---------------------------------------------------
    def submit(self, t, user, ip, rcpts, sender=None, service="submission",
               method="PLAIN", name=None, mode="normal", size=None,
               conn=None):
        """One authenticated submission: smtpd client= line, cleanup,
        qmgr, deliveries and removal.  conn: None (one message per
        connection) or a dict kept by the caller for a connection reused
        by several messages (open it with conn_open).  Returns the
        queue id."""
        own = conn is None
        if own:
            conn = self.conn_open(t, ip, service, name)
        prog = conn["prog"]
        qid = self.qid(t)
        self.emit(t, prog, "%s: client=%s, sasl_method=%s, sasl_username=%s"
                  % (qid, conn["host"], method, user))
        dom = (sender or user).split("@")[-1]
        self.emit(t + 0.04, "postfix/cleanup[%d]" % self.pid(self.worker_pids),
                  "%s: message-id=%s" % (qid, self.msgid(t, dom)))
        if size is None:
            size = 900 + self.rng.below(60000)
        self.emit(t + 0.06, "postfix/qmgr[%d]" % self.sv.qmgr_pid,
                  "%s: from=<%s>, size=%d, nrcpt=%d (queue active)"
                  % (qid, sender or user, size, len(rcpts)))
        conn["mail"] += 1
        conn["rcpt"] += len(rcpts)
        if own:
            self.conn_close(t + 0.08, conn)
        self.deliver(t + 0.1, qid, sender or user, rcpts, mode)
        return qid

    def conn_open(self, t, ip, service="submission", name=None):
        prog = "postfix/%s/smtpd[%d]" % (service, self.pid(self.smtpd_pids))
        h = host_of(ip, name)
        self.emit(t - 0.3, prog, "connect from %s" % h)
        return {"prog": prog, "host": h, "mail": 0, "rcpt": 0}

    def conn_close(self, t, conn):
        m, r = conn["mail"], conn["rcpt"]
        self.emit(t, conn["prog"], "disconnect from %s ehlo=2 starttls=1 "
                  "auth=1 mail=%d rcpt=%d data=%d quit=1 commands=%d"
                  % (conn["host"], m, r, m, 5 + 2 * m + r))

    def inbound(self, t, client_ip, client_name, sender, rcpts, orig=None):
        """Mail from another server on port 25 for local mailboxes."""
        prog = "postfix/smtpd[%d]" % self.pid(self.smtpd_pids)
        h = host_of(client_ip, client_name)
        qid = self.qid(t)
        self.emit(t - 0.5, prog, "connect from %s" % h)
        self.emit(t, prog, "%s: client=%s" % (qid, h))
        self.emit(t + 0.05, "postfix/cleanup[%d]" % self.pid(self.worker_pids),
                  "%s: message-id=%s" % (qid, self.msgid(t, sender.split("@")[-1])))
        self.emit(t + 0.07, "postfix/qmgr[%d]" % self.sv.qmgr_pid,
                  "%s: from=<%s>, size=%d, nrcpt=%d (queue active)"
                  % (qid, sender, 2000 + self.rng.below(80000),
                     len(rcpts)))
        self.emit(t + 0.1, prog, "disconnect from %s ehlo=1 mail=1 rcpt=%d "
                  "data=1 quit=1 commands=%d" % (h, len(rcpts),
                                                 4 + len(rcpts)))
        self.deliver(t + 0.12, qid, sender, rcpts, "normal", orig=orig)
        return qid

    def pickup(self, t, uid, sender, rcpts, mode="normal"):
        """A message from the sendmail command (a Sieve redirect)."""
        qid = self.qid(t)
        self.emit(t, "postfix/pickup[%d]" % self.pid(self.worker_pids),
                  "%s: uid=%d from=<%s>" % (qid, uid, sender))
        self.emit(t + 0.03, "postfix/cleanup[%d]" % self.pid(self.worker_pids),
                  "%s: message-id=%s" % (qid, self.msgid(t, sender.split("@")[-1])))
        self.emit(t + 0.05, "postfix/qmgr[%d]" % self.sv.qmgr_pid,
                  "%s: from=<%s>, size=%d, nrcpt=%d (queue active)"
                  % (qid, sender, 3000 + self.rng.below(60000), len(rcpts)))
        self.deliver(t + 0.08, qid, sender, rcpts, mode)
        return qid

    # --- deliveries -------------------------------------------------------------
    def deliver(self, t, qid, sender, rcpts, mode, orig=None):
        """Delivery attempts for every recipient; the deferred ones are
        tried again after Postfix's backoff (minimal_backoff_time 300 s,
        doubling up to maximal_backoff_time 4000 s), a message whose
        recipients are all done is 'removed', and one still deferred after
        maximal_queue_lifetime (5 days) expires and returns to its
        sender.  Spam gets three retries here: the log of an incident
        ends with most of it still queued, as on a real server."""
        pending = []
        agent_pid = self.newpid()
        last = t
        for i, r in enumerate(rcpts):
            dt = t + 0.02 * i + self.rng.between(0.05, 1.5)
            last = max(last, dt)
            if r.split("@")[-1] in self.sv.domains:
                self.lmtp(dt, qid, r, orig)
                continue
            st = self.outcome(mode)
            self.smtp(dt, qid, r, st, agent_pid, t)
            if st == "deferred":
                pending.append(r)
            elif st == "bounced" and sender and \
                    sender.split("@")[-1] in self.sv.domains:
                self.ndr(dt + 0.2, qid, sender)
                last = max(last, dt + 0.3)
        backoff, rt, tries = 300.0, t, 0
        while pending:
            tries += 1
            if mode == "spam" and tries > 3:
                return		# still queued when the log ends
            rt += backoff * self.rng.between(1.0, 1.3)
            backoff = min(backoff * 2, 4000.0)
            if rt - t > 5 * 86400:
                self.emit(rt, "postfix/qmgr[%d]" % self.sv.qmgr_pid,
                          "%s: from=<%s>, status=expired, returned to "
                          "sender" % (qid, sender))
                last = rt
                break
            pid = self.newpid()
            left = []
            for r in pending:
                st = self.retry_outcome(mode)
                self.smtp(rt, qid, r, st, pid, t)
                if st == "deferred":
                    left.append(r)
                rt += 0.05
            pending = left
            last = rt
        self.emit(last + 0.05, "postfix/qmgr[%d]" % self.sv.qmgr_pid,
                  "%s: removed" % qid)

    def outcome(self, mode):
        u = self.rng.uniform()
        if mode == "spam":
            return "sent" if u < 0.22 else ("deferred" if u < 0.85
                                            else "bounced")
        if mode == "list":
            return "sent" if u < 0.955 else ("deferred" if u < 0.985
                                             else "bounced")
        return "sent" if u < 0.975 else ("deferred" if u < 0.993
                                         else "bounced")

    def retry_outcome(self, mode):
        if mode == "spam":
            return "sent" if self.rng.chance(0.15) else "deferred"
        return "sent" if self.rng.chance(0.7) else "deferred"

    def mx_of(self, dom):
        h = 0
        for ch in dom.encode():
            h = (h * 131 + ch) & 0xFFFF
        return "mx%d.%s" % (1 + h % 2, dom), "198.51.100.%d" % (10 + h % 240)

    def smtp(self, t, qid, rcpt, status, pid, t0):
        dom = rcpt.split("@")[-1]
        mx, mxip = self.mx_of(dom)
        d = max(0.01, t - t0)
        a, b = self.rng.between(0.01, 0.2), self.rng.between(0, 0.05)
        c = self.rng.between(0.05, 0.6)
        e = max(0.0, d - a - b - c)
        head = ("%s: to=<%s>, relay=%s[%s]:25, delay=%s, delays=%s/%s/%s/%s, "
                % (qid, rcpt, mx, mxip, pfdelay(d), pfdelay(a), pfdelay(b),
                   pfdelay(c), pfdelay(e)))
        if status == "sent":
            tail = ("dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as %X)"
                    % (self.rng.u64() & 0xFFFFFFFFFF))
        elif status == "deferred":
            if self.rng.chance(0.5):
                tail = ("dsn=4.7.1, status=deferred (host %s[%s] said: 450 "
                        "4.7.1 <%s>: Recipient address rejected: Greylisted, "
                        "try again later (in reply to RCPT TO command))"
                        % (mx, mxip, rcpt))
            else:
                tail = ("dsn=4.7.28, status=deferred (host %s[%s] said: 421 "
                        "4.7.28 Unusual rate of unsolicited mail from your IP "
                        "address, try again later (in reply to end of DATA "
                        "command))" % (mx, mxip))
        else:
            tail = ("dsn=5.1.1, status=bounced (host %s[%s] said: 550 5.1.1 "
                    "<%s>: Recipient address rejected: User unknown (in reply "
                    "to RCPT TO command))" % (mx, mxip, rcpt))
        self.emit(t, "postfix/smtp[%d]" % pid, head + tail)

    def lmtp(self, t, qid, rcpt, orig=None):
        sess = self.session()
        o = ", orig_to=<%s>" % orig if orig else ""
        self.emit(t, "dovecot", "lmtp(%s)<%d><%s>: msgid=%s: saved mail to "
                  "INBOX" % (rcpt, self.newpid(), sess,
                             self.msgid(t, rcpt.split("@")[-1])))
        self.emit(t + 0.01, "postfix/lmtp[%d]" % self.pid(self.worker_pids),
                  "%s: to=<%s>%s, relay=%s[private/dovecot-lmtp], delay=%s,"
                  " delays=0.01/0.01/0/0.03, dsn=2.0.0, status=sent (250 2.0.0"
                  " <%s> %s Saved)" % (qid, rcpt, o, self.sv.fqdn,
                                       pfdelay(self.rng.between(0.03, 0.4)), rcpt,
                                       sess))

    def ndr(self, t, qid, sender):
        """The bounce daemon's non-delivery notice back to a local sender."""
        nq = self.qid(t)
        self.emit(t, "postfix/bounce[%d]" % self.newpid(),
                  "%s: sender non-delivery notification: %s" % (qid, nq))
        self.emit(t + 0.02, "postfix/qmgr[%d]" % self.sv.qmgr_pid,
                  "%s: from=<>, size=%d, nrcpt=1 (queue active)"
                  % (nq, 3000 + self.rng.below(4000)))
        self.lmtp(t + 0.05, nq, sender)
        self.emit(t + 0.08, "postfix/qmgr[%d]" % self.sv.qmgr_pid,
                  "%s: removed" % nq)

    # --- writing --------------------------------------------------------------
    def write(self, path, start, end):
        """Sort by time and write the lines between start and end."""
        self.out.sort(key=lambda e: (e[0], e[1]))
        n = 0
        with open(path, "w", encoding="ascii", newline="\n") as f:
            for t, _, text in self.out:
                if start <= t < end:
                    f.write(self.sv.stamp(t))
                    f.write(" ")
                    f.write(text)
                    f.write("\n")
                    n += 1
        return n
