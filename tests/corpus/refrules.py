"""
tests/corpus/refrules.py: the published rules of three reference tools,
run on the same log lines mailcon reads.

Each rule sees what its daemon would see: one policy query per recipient
(RCPT) or one check per message, with the SASL login and client address
from Postfix's smtpd line and the recipient count from qmgr's.  A rule
"stops" a message when it would refuse or hold it; the first stopped
message of an account is its flag.

saslpolicyd (github.com/jnidzwetzki/saslpolicyd, sasl-policyd.pl):
    $DIFFERNT_IPS = 10, $TOTAL_LOGINS = 100, $TIME_PERIOD = 3600; for each
    policy query check_for_abuse() counts the distinct IPs and the logins
    of the SASL user with logintime > now - 3600, rejects when IPs > 10 or
    logins > 100, and then inserts the query (insert_login runs whatever
    the answer).  Its README installs it in smtpd_recipient_restrictions,
    which Postfix queries once per RCPT (SMTPD_POLICY_README).
policyd-rate-limit (Debian package policyd-rate-limit; upstream
    github.com/nitmir/policyd-rate-limit, policyd-rate-limit.yaml):
    limits [[10, 60], [150, 86400]] by SASL username ("10 mails by
    minutes", "150 mails by days"); policyd.py action() counts only
    protocol_state RCPT, rejects when the rows with date >= now - delta
    reach the limit, and records a row only for an accepted query: so its
    "mails" are recipients.
Declude Hijack (Mail's Best Friend knowledge base "Declude Hijack";
    SmarterTools community post by Linda Pagillo, 2016): "the first
    threshold may be 20 emails within 10 minutes ... if they reach the
    first threshold, all subsequent emails are quarantined": per
    authenticated sender, the message after the 20th in 10 minutes is
    held.
"""
from collections import Counter, deque


class SaslPolicyd:
    name = "saslpolicyd"
    rule = ">10 IPs or >100 logins (RCPT queries) per SASL user per hour"

    def __init__(self):
        self.q = deque()
        self.ips = Counter()

    def message(self, t, ip, nrcpt):
        now = int(t)
        stop = False
        for _ in range(max(1, nrcpt)):
            while self.q and self.q[0][0] <= now - 3600:
                _, old = self.q.popleft()
                self.ips[old] -= 1
                if self.ips[old] == 0:
                    del self.ips[old]
            if len(self.ips) > 10 or len(self.q) > 100:
                stop = True
            self.q.append((now, ip))
            self.ips[ip] += 1
        return stop


class PolicydRateLimit:
    name = "policyd-rate-limit"
    rule = "10 per 60 s and 150 per day per SASL user (RCPT queries)"
    LIMITS = ((10, 60), (150, 86400))

    def __init__(self):
        self.rows = [deque() for _ in self.LIMITS]

    def message(self, t, ip, nrcpt):
        now = int(t)
        stop = False
        for _ in range(max(1, nrcpt)):
            fail = False
            for (limit, delta), rows in zip(self.LIMITS, self.rows):
                while rows and rows[0] < now - delta:
                    rows.popleft()
                if len(rows) >= limit:
                    fail = True
                    break
            if fail:
                stop = True
                continue
            for rows in self.rows:
                rows.append(now)
        return stop


class DecludeHijack:
    name = "Declude Hijack"
    rule = "held after 20 messages in 10 min per sender"

    def __init__(self):
        self.q = deque()

    def message(self, t, ip, nrcpt):
        while self.q and self.q[0] <= t - 600:
            self.q.popleft()
        stop = len(self.q) >= 20
        self.q.append(t)
        return stop


RULES = (SaslPolicyd, PolicydRateLimit, DecludeHijack)


def run_rules(messages):
    """messages: {account: [(t, qid, ip, nrcpt), ...] in time order}.
    Returns {rule name: {account: [qid of every stopped message]}}."""
    out = {}
    for cls in RULES:
        stops = {}
        for acct, msgs in messages.items():
            r = cls()
            s = [q for t, q, ip, n in msgs if r.message(t, ip, n)]
            if s:
                stops[acct] = s
        out[cls.name] = stops
    return out
