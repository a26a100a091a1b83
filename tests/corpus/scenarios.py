"""
tests/corpus/scenarios.py: the scenarios of the corpus, one function each.

A scenario writes its accounts' lines into ctx.st (a loglines.Stream on
its server) and labels each account: role "ordinary" (the background),
"negative" (a hard negative: expected at most watch) or "incident"
(expected suspicious or critical, flagged within N of the incident's own
messages, which are listed with their times).  README.md has the sources
of each shape.  Days are 0..27 of the part (day 0 a Monday); incidents
happen in the last week (days 19..27).
"""
from people import (FIRST, LAST, FREEMAIL, Mailbox, addr_in, BOT_CC)

DAY = 86400
DE_HOME = ["240.1.0.0/16", "240.4.0.0/16", "2001:db8:200::/40"]
DE_MOBILE = ["240.2.0.0/16", "240.3.0.0/16", "2001:db8:100::/40"]
BOT_NETS = ["241.%d.0.0/16" % i for i in range(len(BOT_CC))] + \
    ["240.1.0.0/16", "240.5.0.0/16", "240.6.0.0/16", "240.14.0.0/16",
     "240.15.0.0/16", "240.16.0.0/16"]
OFFICE_NAT = "203.0.113.10"
BRANCH_NAT = "203.0.113.40"
APP1, APP2 = "203.0.113.21", "203.0.113.22"
LISTSERVER = "203.0.113.30"
WEBMAIL = "203.0.113.5"
NEWSLETTER_HOST = "203.0.113.25"


def mx_client(rng, world):
    """Another domain's mail exchanger delivering to us."""
    dom = rng.choice(world.external + FREEMAIL)
    h = 0
    for ch in dom.encode():
        h = (h * 131 + ch) & 0xFFFF
    return "198.51.100.%d" % (10 + h % 240), "out%d.%s" % (1 + h % 3, dom), \
        "%s.%s@%s" % (rng.choice(FIRST), rng.choice(LAST), dom)


def day_times(rng, n, day0, lo, hi, peak=None):
    """n times between local hours lo and hi of a day (morning-heavy when
    peak is given: the mean of two uniforms pulled towards it)."""
    out = []
    for _ in range(n):
        if peak is None:
            h = rng.between(lo, hi)
        else:
            h = (rng.between(lo, hi) + rng.between(lo, peak)) / 2
        out.append(day0 + h * 3600)
    return sorted(out)


def live(ctx, mb, days, inbound=6.0, imap=True, send=True):
    """An ordinary person's days: mail written at the office, at home and
    on the phone, IMAP logins of the phone and the desktop client, and
    mail received from other domains."""
    st, rng, sv = ctx.st, mb.rng, ctx.sv
    for d in days:
        if d < mb.start_day:
            continue
        day0 = ctx.day0(d)
        wd = d % 7
        work = wd < 5
        home_office = mb.office_ip is None or rng.chance(mb.home_days)
        # written mail
        sends = []
        if send and work:
            for t in day_times(rng, rng.poisson(mb.rate), day0, 7.8, 17.8,
                               peak=12):
                sends.append((t, "work"))
        if send:
            lam = mb.rate * (mb.evening if work else mb.weekend)
            for t in day_times(rng, rng.poisson(lam), day0, 18, 23.2):
                sends.append((t, "free"))
            if not work:
                for t in day_times(rng, rng.poisson(lam), day0, 9, 18):
                    sends.append((t, "free"))
        for t, when in sends:
            u = rng.uniform()
            if when == "work" and not home_office and mb.office_ip:
                ip = mb.office_ip if u < 0.85 or not mb.phone \
                    else mb.phone_ip(t)
            elif mb.webmail_ip and u < 0.15:
                ip = mb.webmail_ip
            elif mb.phone and u < 0.45:
                ip = mb.phone_ip(t)
            else:
                ip = mb.home_ip(d)
            st.submit(t, mb.account, ip, mb.recipients())
        if imap:
            # the desktop client: a few logins a working day
            if work and mb.office_ip and not home_office:
                for t in day_times(rng, 2 + rng.below(3), day0, 7.7, 17):
                    st.imap_login(t, mb.account, mb.office_ip)
            elif work or rng.chance(0.3):
                for t in day_times(rng, 1 + rng.below(2), day0, 8, 21):
                    st.imap_login(t, mb.account, mb.home_ip(d))
            if mb.phone:
                t = day0 + rng.between(6.5, 8) * 3600
                while t < day0 + 23 * 3600:
                    st.imap_login(t, mb.account, mb.phone_ip(t))
                    t += rng.expo(mb.phone_every)
        # received mail
        lam = inbound if work else inbound * 0.3
        for t in day_times(rng, rng.poisson(lam), day0, 0, 24):
            ip, name, sender = mx_client(rng, ctx.world)
            st.inbound(t, ip, name, sender, [mb.account])


def office_person(ctx, rng, account, office_ip=OFFICE_NAT, rate=None,
                  colleagues=None):
    w = ctx.world
    mb = Mailbox(account, rng, rng.choice(DE_HOME), DE_MOBILE,
                 office_ip=office_ip,
                 rate=rate if rate is not None else
                 rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 14, 20]) *
                 rng.between(0.8, 1.2),
                 phone=rng.chance(0.75), dsl_nightly=rng.chance(0.5),
                 friends=["%s@%s" % (rng.choice(FIRST),
                                     rng.choice(w.external))
                          for _ in range(12)],
                 colleagues=colleagues if colleagues is not None
                 else w.office_staff)
    return mb


def hosting_person(ctx, rng, account, colleagues=()):
    w = ctx.world
    kind = rng.uniform()
    home = rng.choice(DE_HOME + ["240.5.0.0/16", "240.6.0.0/16",
                                 "240.12.0.0/16", "240.14.0.0/16"])
    mb = Mailbox(account, rng, home, DE_MOBILE, office_ip=None,
                 rate=rng.choice([0.3, 0.5, 1, 1, 2, 3, 4, 6, 9]) *
                 rng.between(0.8, 1.2),
                 phone=rng.chance(0.7),
                 webmail_ip=WEBMAIL if kind < 0.35 else None,
                 weekend=0.25, evening=0.3, dsl_nightly=rng.chance(0.5),
                 friends=["%s@%s" % (rng.choice(FIRST), rng.choice(w.external))
                          for _ in range(10)],
                 colleagues=list(colleagues))
    if kind > 0.75:			# a small business with its own office line
        mb.office_ip = addr_in(rng, rng.choice(["240.1.0.0/16",
                                                "240.4.0.0/16"]))
        mb.home_days = 0.3
    return mb


# --- backgrounds -----------------------------------------------------------
def background_office(ctx):
    """A quiet office: 140 staff behind the office NAT, at home, on
    phones; plus the scanner and a ticket system."""
    w, rng = ctx.world, ctx.rng
    staff = [w.person(w.office_domain) for _ in range(140)]
    w.office_staff[:] = staff
    for a in staff:
        mb = office_person(ctx, rng.fork(a), a)
        live(ctx, mb, range(28), inbound=5)
        ctx.label(a, "ordinary", "<=watch", None, "office staff")
    # the multifunction printer's scan-to-mail and the ticket system
    scanner = w.role("scanner", w.office_domain)
    tickets = w.role("helpdesk", w.office_domain)
    for d in range(28):
        if d % 7 < 5:
            for t in day_times(rng, rng.poisson(6), ctx.day0(d), 8, 17):
                ctx.st.submit(t, scanner, OFFICE_NAT, [rng.choice(staff)],
                              method="LOGIN")
            for t in day_times(rng, rng.poisson(15), ctx.day0(d), 7, 19):
                ctx.st.submit(t, tickets, APP1,
                              ["%s@%s" % (rng.choice(FIRST),
                                          rng.choice(w.external))])
    ctx.label(scanner, "ordinary", "<=watch", None, "scan-to-mail printer")
    ctx.label(tickets, "ordinary", "<=watch", None, "ticket system on an "
              "app server")
    ctx.meta["description"] = ("a quiet office: 140 staff (office NAT, "
                               "home, phones), a printer, a ticket system")


def background_hosting(ctx):
    """A hosting server: 260 accounts over 70 small customer domains,
    webmail, and the password guessing every public server sees."""
    w, rng = ctx.world, ctx.rng
    accounts = []
    for dom in w.hosting_domains:
        n = 1 + rng.below(7)
        people = [w.person(dom, rng.choice(["first", "initial",
                                            "first.last"]))
                  for _ in range(n)]
        if rng.chance(0.5):
            people.append(w.role("info", dom))
        accounts.extend((a, people) for a in people)
    for a, mates in accounts[:260]:
        mb = hosting_person(ctx, rng.fork(a), a, colleagues=mates)
        live(ctx, mb, range(28), inbound=4)
        ctx.label(a, "ordinary", "<=watch", None, "hosting customer")
    w.hosting_accounts = [a for a, _ in accounts[:260]]
    # password guessing against the server: common names at every
    # customer domain, from a rotating set of addresses (T1110.001/.003)
    for d in range(28):
        day0 = ctx.day0(d)
        ips = [addr_in(rng, rng.choice(BOT_NETS)) for _ in range(40)]
        for t in day_times(rng, rng.poisson(260), day0, 0, 24):
            dom = rng.choice(w.hosting_domains)
            user = "%s@%s" % (rng.choice(["info", "admin", "office", "test",
                                          "sales", "contact", "webmaster",
                                          "kontakt", "mail", "support"]), dom)
            known = user in w.used
            ctx.st.smtp_auth_fail(t, user, rng.choice(ips), known=known,
                                  passdb="sql")
    ctx.meta["description"] = ("a hosting server: 260 accounts of 70 small "
                               "customer domains, webmail, and constant "
                               "password guessing")


# --- hard negatives -----------------------------------------------------------
def subscribers(rng, world, n):
    return ["%s.%s%d@%s" % (rng.choice(FIRST), rng.choice(LAST),
                            rng.below(100),
                            rng.choice(FREEMAIL) if rng.chance(0.6)
                            else rng.choice(world.external))
            for _ in range(n)]


def send_bulk(ctx, account, ip, t, rcpts, per_conn, rate, mode="list",
              incident=False):
    """Messages of one recipient each over reused connections, rate a
    second."""
    st, rng = ctx.st, ctx.rng
    conn = None
    for i, r in enumerate(rcpts):
        if i % per_conn == 0:
            if conn:
                st.conn_close(t, conn)
            conn = st.conn_open(t, ip)
        q = st.submit(t, account, ip, [r], conn=conn, mode=mode)
        if incident:
            ctx.incident.append((account, t, q))
        t += rng.expo(1.0 / rate)
    if conn:
        st.conn_close(t, conn)
    return t


def newsletter_daily(ctx):
    w, rng = ctx.world, ctx.rng
    dom = rng.choice(w.hosting_domains)
    acct = w.role("newsletter", dom)
    subs = subscribers(rng, w, int(650 * rng.between(0.85, 1.15)))
    for d in range(28):
        t = ctx.at(d, 6.5) + rng.between(-40, 40)
        subs.extend(subscribers(rng, w, rng.below(4)))
        send_bulk(ctx, acct, NEWSLETTER_HOST, t, subs, 50, 8.0)
    ctx.label(acct, "negative", "<=watch", None, "daily newsletter at "
              "06:30, %d subscribers, same hour for 4 weeks" % len(subs))
    ctx.meta["description"] = ("a daily newsletter sent every morning at "
                               "06:30 from one sending host")


def newsletter_weekly(ctx):
    w, rng = ctx.world, ctx.rng
    dom = rng.choice(w.hosting_domains)
    acct = w.role("news", dom)
    subs = subscribers(rng, w, int(2400 * rng.between(0.85, 1.15)))
    for d in range(1, 28, 7):		# Tuesdays
        t = ctx.at(d, 6.5) + rng.between(-60, 60)
        send_bulk(ctx, acct, NEWSLETTER_HOST, t, subs, 100, 3.0)
    # and the daily one of another customer at the same hour
    dom2 = rng.choice(w.hosting_domains)
    acct2 = w.role("daily", dom2)
    subs2 = subscribers(rng, w, int(300 * rng.between(0.85, 1.15)))
    ip2 = addr_in(rng, "240.11.0.0/16")
    for d in range(28):
        send_bulk(ctx, acct2, ip2, ctx.at(d, 6.5) + rng.between(-30, 30),
                  subs2, 25, 5.0)
    ctx.label(acct, "negative", "<=watch", None, "weekly newsletter, "
              "Tuesdays 06:30, %d subscribers" % len(subs))
    ctx.label(acct2, "negative", "<=watch", None, "daily newsletter at the "
              "same hour from a cloud host, %d subscribers" % len(subs2))
    ctx.meta["description"] = ("a weekly newsletter (Tuesdays 06:30) and "
                               "another customer's daily one at the same "
                               "hour")


def transactional(ctx):
    w, rng = ctx.world, ctx.rng
    dom = rng.choice(w.hosting_domains)
    acct = w.role("noreply", dom)
    # orders per hour of the local day (a shop's diurnal curve)
    curve = [4, 3, 2, 2, 2, 3, 6, 14, 26, 34, 38, 40, 42, 40, 38, 36, 36,
             40, 46, 52, 50, 40, 24, 10]
    scale = rng.between(0.8, 1.2)
    for d in range(28):
        day0 = ctx.day0(d)
        promo = 3.0 if d == 25 else 1.0		# the sale day (a Friday)
        wk = 1.2 if d % 7 >= 5 else 1.0
        for h in range(24):
            n = rng.poisson(curve[h] * scale * promo * wk)
            for t in day_times(rng, n, day0, h, h + 1):
                rc = ["%s.%s%d@%s" % (rng.choice(FIRST), rng.choice(LAST),
                                      rng.below(1000),
                                      rng.choice(FREEMAIL + w.external))]
                ctx.st.submit(t, acct, APP1 if rng.chance(0.5) else APP2,
                              rc, mode="list")
    ctx.label(acct, "negative", "<=watch", None, "shop order mails from two "
              "app servers, a sale day at 3x on day 25")
    ctx.meta["description"] = ("transactional mail of a web shop relayed "
                               "by two app servers, with a sale day")


def carrier_nat(ctx):
    w, rng = ctx.world, ctx.rng
    for i in range(12):
        a = w.person(rng.choice(w.hosting_domains))
        r = rng.fork(a)
        carrier = DE_MOBILE if i % 3 else ["240.13.0.0/16"]
        mb = Mailbox(a, r, r.choice(DE_HOME), carrier, rate=r.between(4, 12),
                     phone=True, weekend=0.6, evening=0.4,
                     friends=["%s@%s" % (r.choice(FIRST),
                                         r.choice(w.external))
                              for _ in range(8)])
        mb.phone_hold = (2400, 4800)	# a new address about every hour
        mb.phone_every = 900		# the phone logs in every ~15 min
        # most of their mail is written on the phone
        live_phone(ctx, mb)
        ctx.label(a, "negative", "<=watch", None, "phone on a carrier's "
                  "NAT: a new address about every hour")
    ctx.meta["description"] = ("12 people whose phones log in from a new "
                               "carrier NAT address about every hour")


def live_phone(ctx, mb):
    st, rng = ctx.st, mb.rng
    for d in range(28):
        day0 = ctx.day0(d)
        t = day0 + rng.between(6, 7.5) * 3600
        while t < day0 + 23.5 * 3600:
            st.imap_login(t, mb.account, mb.phone_ip(t))
            t += rng.expo(mb.phone_every)
        for t in day_times(rng, rng.poisson(mb.rate), day0, 7, 23):
            ip = mb.phone_ip(t) if rng.chance(0.85) else mb.home_ip(d)
            st.submit(t, mb.account, ip, mb.recipients())
        for t in day_times(rng, rng.poisson(5), day0, 0, 24):
            ip, name, sender = mx_client(rng, ctx.world)
            st.inbound(t, ip, name, sender, [mb.account])


TRIPS = [
    # (first day, last day, network, local UTC offset in hours)
    [(21, 21, "240.9.0.0/16", -5), (22, 24, "240.8.0.0/16", 9),
     (25, 26, "240.9.0.0/16", -8)],
    [(21, 25, "240.7.0.0/16", 1), (26, 27, "240.14.0.0/16", 1)],
    [(21, 21, "240.7.0.0/16", 1), (22, 22, "240.5.0.0/16", 1),
     (23, 24, "240.6.0.0/16", 0), (25, 26, "240.8.0.0/16", 9)],
]


def travellers(ctx):
    w, rng = ctx.world, ctx.rng
    for trip in TRIPS:
        a = w.person(w.office_domain)
        r = rng.fork(a)
        mb = office_person(ctx, r, a, rate=r.between(8, 16))
        live(ctx, mb, range(21), inbound=6)
        where = []
        for first, last, netw, tz in trip:
            hotel_ip = addr_in(r, netw)		# one hotel per stay
            where.append("%s days %d-%d" % (netw, first, last))
            for d in range(first, last + 1):
                # the local working day, wherever that is
                day0 = ctx.start + d * DAY - tz * 3600
                for t in day_times(r, r.poisson(mb.rate), day0, 7, 23,
                                   peak=10):
                    ip = hotel_ip if r.chance(0.6) else mb.phone_ip(t)
                    ctx.st.submit(t, a, ip, mb.recipients())
                t = day0 + 7 * 3600
                while t < day0 + 23 * 3600:
                    ctx.st.imap_login(t, a, hotel_ip if r.chance(0.5)
                                      else mb.phone_ip(t))
                    t += r.expo(2400)
        # home again on the days left
        live(ctx, mb, range(trip[-1][1] + 1, 28), inbound=6)
        ctx.label(a, "negative", "<=watch", None, "travelling from day 21: "
                  + ", ".join(where))
    ctx.meta["description"] = ("three people travelling across countries "
                               "in the last week (hotel Wi-Fi, roaming "
                               "phone)")


def office_nat_50(ctx):
    w, rng = ctx.world, ctx.rng
    branch = [w.person(w.office_domain, "initial") for _ in range(50)]
    w.branch_staff[:] = branch
    for a in branch:
        mb = office_person(ctx, rng.fork(a), a, office_ip=BRANCH_NAT,
                           colleagues=branch)
        mb.home_days = 0.05
        live(ctx, mb, range(28), inbound=4)
        ctx.label(a, "negative", "<=watch", None, "branch office: 50 users "
                  "behind %s" % BRANCH_NAT)
    ctx.meta["description"] = ("a branch office: 50 users behind one NAT "
                               "address")


def monday_burst(ctx):
    w, rng = ctx.world, ctx.rng
    for _ in range(30):
        a = w.person(w.office_domain)
        r = rng.fork(a)
        mb = office_person(ctx, r, a, rate=r.between(3, 8))
        # days 14-20: the company's holiday week; the Monday after, 30
        # people answer a week of mail between 08:00 and 09:30
        live(ctx, mb, [d for d in range(28) if not 14 <= d <= 20])
        for d in (0, 7, 21):
            n = r.poisson(10 if d != 21 else 32)
            for t in day_times(r, n, ctx.day0(d), 8.0, 9.5):
                ctx.st.submit(t, a, OFFICE_NAT, mb.recipients())
        ctx.label(a, "negative", "<=watch", None, "Monday-morning burst "
                  "after a holiday week (day 21 08:00-09:30)")
    ctx.meta["description"] = ("30 people answering a week of mail on the "
                               "Monday morning after a holiday week")


def list_expansion(ctx):
    w, rng = ctx.world, ctx.rng
    # (a) all-staff@ on the office server: a virtual alias expanded by
    # cleanup, so one message has nrcpt=150 and 150 LMTP deliveries
    hr = w.person(w.office_domain)
    mb = office_person(ctx, rng.fork(hr), hr, rate=4)
    live(ctx, mb, range(28))
    alias = "all-staff@%s" % w.office_domain
    staff = (w.office_staff + w.branch_staff)[:150]
    for d in (2, 9, 16, 22, 24):
        t = ctx.at(d, 10) + rng.between(0, 3600)
        ctx.st.submit(t, hr, OFFICE_NAT, staff, sender=hr)
    ctx.label(hr, "negative", "<=watch", None, "posts to %s (a virtual "
              "alias of %d people)" % (alias, len(staff)))
    ctx.meta["description"] = ("list expansion: one message to an "
                               "all-staff alias, %d LMTP deliveries"
                               % len(staff))


def list_server(ctx):
    w, rng = ctx.world, ctx.rng
    # a Mailman list server relaying through our server with SMTP
    # AUTH: every post in chunks of at most SMTP_MAX_RCPTS (500)
    # recipients
    dom = rng.choice(w.hosting_domains)
    lists = w.role("lists", dom)
    members = subscribers(rng, w, int(1100 * rng.between(0.9, 1.1)))
    for d in range(28):
        for t in day_times(rng, 1 + rng.below(3), ctx.day0(d), 8, 22):
            conn = ctx.st.conn_open(t, LISTSERVER)
            for i in range(0, len(members), 500):
                ctx.st.submit(t, lists, LISTSERVER, members[i:i + 500],
                              sender="club-bounces@%s" % dom, conn=conn,
                              mode="list")
                t += rng.between(2, 6)
            ctx.st.conn_close(t, conn)
    ctx.label(lists, "negative", "<=watch", None, "Mailman list server: "
              "%d members, 500 per transaction" % len(members))
    ctx.meta["description"] = ("a Mailman list server relaying its posts "
                               "through our server, 500 recipients per "
                               "transaction")


def forwarding(ctx):
    w, rng = ctx.world, ctx.rng
    # (a) "send mail as" from a large mail provider: its outbound servers
    # log in for the person, each time from another address of its pool;
    # the provider also fetches the mailbox over POP3 every hour
    a = w.person(rng.choice(w.hosting_domains))
    r = rng.fork(a)
    for d in range(28):
        day0 = ctx.day0(d)
        for t in day_times(r, r.poisson(12), day0, 7, 23):
            ctx.st.submit(t, a, addr_in(r, "240.10.0.0/16"),
                          ["%s@%s" % (r.choice(FIRST), r.choice(w.external
                                                                 + FREEMAIL))
                           for _ in range(1 + r.below(2))])
        t = day0 + r.between(0, 3600)
        while t < day0 + DAY:
            ctx.st.emit(t, "dovecot", "pop3-login: Login: user=<%s>, "
                        "method=PLAIN, rip=%s, lip=%s, mpid=%d, TLS, "
                        "session=<%s>" % (a, addr_in(r, "240.10.0.0/16"),
                                          ctx.sv.lip, ctx.st.newpid(),
                                          ctx.st.session()))
            t += r.between(2400, 4200)
    ctx.label(a, "negative", "<=watch", None, "sends through a large "
              "provider's 'send mail as': its outbound pool")
    # (b) a mailbox redirected by Sieve: inbound mail re-sent to a
    # freemail address through the sendmail command (pickup)
    b = w.person(rng.choice(w.hosting_domains))
    mb = hosting_person(ctx, rng.fork(b), b)
    mb.rate = 1
    live(ctx, mb, range(28), inbound=0)
    fwd = "%s.%s@%s" % (rng.choice(FIRST), rng.choice(LAST), FREEMAIL[0])
    for d in range(28):
        for t in day_times(rng, rng.poisson(35), ctx.day0(d), 0, 24):
            ip, name, sender = mx_client(rng, w)
            ctx.st.inbound(t, ip, name, sender, [b])
            ctx.st.pickup(t + 1.5, 5000, sender, [fwd], mode="list")
    ctx.label(b, "negative", "<=watch", None, "Sieve redirect of all its "
              "mail to a freemail address")
    ctx.meta["description"] = ("forwarding: 'send mail as' through a large "
                               "provider, and a Sieve redirect")


def password_typos(ctx):
    w, rng = ctx.world, ctx.rng
    a = w.person(w.office_domain)
    r = rng.fork(a)
    mb = office_person(ctx, r, a, rate=6)
    live(ctx, mb, range(28))
    # day 22 (a Tuesday), 08:12: the mail client at the office still has
    # the old password after a change: three IMAP and two SMTP failures
    # from the office address, then the new password
    t = ctx.at(22, 8.2)
    for i in range(3):
        ctx.st.imap_fail(t + 25 * i, a, OFFICE_NAT)
    ctx.st.smtp_auth_fail(t + 80, a, OFFICE_NAT, method="PLAIN")
    ctx.st.smtp_auth_fail(t + 95, a, OFFICE_NAT, method="PLAIN")
    ctx.st.imap_login(t + 140, a, OFFICE_NAT)
    ctx.st.submit(t + 160, a, OFFICE_NAT, mb.recipients())
    ctx.label(a, "negative", "<=watch", None, "five failed logins (old "
              "password) then the new one, from the office, day 22 08:12")
    # and a phone that keeps the old password for five tries
    b = w.person(rng.choice(w.hosting_domains))
    mb2 = hosting_person(ctx, rng.fork(b), b)
    mb2.phone = True
    live(ctx, mb2, range(28))
    ip = mb2.phone_ip(ctx.at(23, 19))
    t = ctx.at(23, 19)
    for i in range(5):
        ctx.st.imap_fail(t + 60 * i, b, ip, passdb="sql")
    ctx.st.imap_login(t + 400, b, ip)
    ctx.st.submit(t + 420, b, ip, mb2.recipients())
    ctx.label(b, "negative", "<=watch", None, "a phone tries the old "
              "password five times, day 23 19:00")
    ctx.meta["description"] = "two people who mistype their password five times"


# --- incidents ------------------------------------------------------------------
def bot_ips(rng, n):
    return [addr_in(rng, rng.choice(BOT_NETS)) for _ in range(n)]


def spam_rcpts(rng, world, lo, hi):
    n = lo + rng.below(hi - lo + 1)
    return ["%s%d@%s" % (rng.choice(FIRST), rng.below(10000),
                         rng.choice(FREEMAIL) if rng.chance(0.5)
                         else rng.choice(world.external)) for _ in range(n)]


def owner(ctx, server):
    """The account's real owner, living as usual for the whole period."""
    w, rng = ctx.world, ctx.rng
    if server == "office":
        a = w.person(w.office_domain)
        mb = office_person(ctx, rng.fork(a), a)
    else:
        a = w.person(rng.choice(w.hosting_domains))
        mb = hosting_person(ctx, rng.fork(a), a)
    live(ctx, mb, range(28))
    return a, mb


def fast_bulk(ctx):
    w, rng = ctx.world, ctx.rng
    a, mb = owner(ctx, "hosting")
    bots = bot_ips(rng, int(350 * rng.between(0.9, 1.1)))
    t0 = ctx.at(24, 14) + rng.between(0, 1800)
    end = t0 + 80 * 60
    total = int(6000 * rng.between(0.9, 1.1))
    # every bot opens connections of 5-20 messages, spread over 80 min
    msgs = []
    while len(msgs) < total:
        ip = rng.choice(bots)
        t = rng.between(t0, end)
        for i in range(5 + rng.below(16)):
            msgs.append((t + i * rng.between(0.5, 3), ip))
    msgs.sort()
    conns = {}
    for t, ip in msgs[:total]:
        c = conns.get(ip)
        if c is None or rng.chance(0.1):
            if c:
                ctx.st.conn_close(t, c)
            c = conns[ip] = ctx.st.conn_open(t, ip)
        q = ctx.st.submit(t, a, ip, spam_rcpts(rng, w, 3, 15), conn=c,
                          mode="spam")
        ctx.incident.append((a, t, q))
    for ip, c in conns.items():
        ctx.st.conn_close(end + 5, c)
    ctx.label(a, "incident", ">=suspicious", 10, "fast bulk: %d messages "
              "from %d addresses in 80 min, day 24" % (total, len(bots)))
    ctx.meta["description"] = "fast bulk spam from hundreds of addresses"
    ctx.meta["incident_start"] = msgs[0][0]


def slow_trickle(ctx):
    w, rng = ctx.world, ctx.rng
    a, mb = owner(ctx, "hosting")
    t = ctx.at(19, 22) + rng.between(0, 1800)
    end = ctx.at(23, 20)
    recent, used = [], set()
    n = 0
    while t < end:
        if recent and rng.chance(0.2):
            ip = rng.choice(recent[-5:])
        else:
            ip = addr_in(rng, rng.choice(BOT_NETS))
            recent.append(ip)
        used.add(ip)
        q = ctx.st.submit(t, a, ip, spam_rcpts(rng, w, 1, 3), mode="spam")
        ctx.incident.append((a, t, q))
        n += 1
        t += min(max(rng.expo(900), 180), 2700)
    ctx.label(a, "incident", ">=suspicious", 10, "slow trickle: %d messages "
              "from %d addresses over 4 days (one every 3-45 min), days "
              "19-23" % (n, len(used)))
    ctx.meta["description"] = ("a slow botnet: one message every few to "
                               "tens of minutes, a new address for almost "
                               "every login, for four days")


def foreign_burst(ctx):
    w, rng = ctx.world, ctx.rng
    a, mb = owner(ctx, "office")
    # the attacker reads the mailbox first (a phished password), then
    # sends from one address in the same foreign network
    recon = addr_in(rng, "241.0.0.0/16")
    ctx.st.imap_login(ctx.at(20, 20.6), a, recon)
    ip = addr_in(rng, "241.0.0.0/16")
    t = ctx.at(23, 10.3) + rng.between(0, 600)
    end = t + 25 * 60
    n = int(400 * rng.between(0.9, 1.1))
    book = ["%s@%s" % (rng.choice(FIRST), rng.choice(w.external))
            for _ in range(600)]
    conn = ctx.st.conn_open(t, ip)
    for i in range(n):
        tt = t + (end - t) * i / n
        if i % 20 == 19:
            ctx.st.conn_close(tt, conn)
            conn = ctx.st.conn_open(tt, ip)
        q = ctx.st.submit(tt, a, ip, [rng.choice(book) for _ in range(
            1 + rng.below(5))], conn=conn, mode="spam")
        ctx.incident.append((a, tt, q))
    ctx.st.conn_close(end, conn)
    ctx.label(a, "incident", ">=suspicious", 10, "one foreign address "
              "sends %d messages in 25 min, day 23 10:20" % n)
    ctx.meta["description"] = ("one address in a foreign country bursting "
                               "(phished password)")


def guessed(ctx):
    w, rng = ctx.world, ctx.rng
    a, mb = owner(ctx, "hosting")
    ip = addr_in(rng, "241.5.0.0/16")
    t = ctx.at(22, 1.15)
    tries = 55 + rng.below(12)
    for i in range(tries):
        ctx.st.smtp_auth_fail(t, a, ip, passdb="sql")
        t += rng.between(20, 70)
    n = int(250 * rng.between(0.9, 1.1))
    for i in range(n):
        q = ctx.st.submit(t, a, ip, spam_rcpts(rng, w, 5, 20), mode="spam",
                          method="LOGIN")
        ctx.incident.append((a, t, q))
        t += rng.between(15, 45)
    ctx.label(a, "incident", ">=suspicious", 10, "password guessed from one "
              "address (%d failures, day 22 01:09), then %d messages from "
              "it" % (tries, n))
    ctx.meta["description"] = "a guessed password, then the guesser sends"


def night_low_rate(ctx):
    w, rng = ctx.world, ctx.rng
    a, mb = owner(ctx, "office")
    ips = bot_ips(rng, 8)
    t = ctx.at(25, 2.65)
    stop = ctx.at(25, 7.5)
    n = 0
    while t < ctx.at(25, 8.7):
        q = ctx.st.submit(t, a, rng.choice(ips), spam_rcpts(rng, w, 1, 5),
                          mode="spam")
        ctx.incident.append((a, t, q))
        n += 1
        t += min(max(rng.expo(120), 40), 400) if t < stop \
            else rng.between(10, 30)
    ctx.label(a, "incident", ">=suspicious", 10, "hijack at night at a low "
              "rate: %d messages from 8 addresses, day 25 02:39-08:42" % n)
    ctx.meta["description"] = ("a hijack that starts at night at a low "
                               "rate and speeds up at dawn")


def botnet_burst(ctx):
    # issue 18 item 1: the hijack of tests/bench/contain.sh on a hosting
    # account: a new address a connection, three messages each, two a
    # second (the log's stamps are whole seconds), to freemail and other
    # domains, from rented hosts of one /24 (as contain.sh's loopback
    # /24): no new network, no second network to give it away
    w, rng = ctx.world, ctx.rng
    a, mb = owner(ctx, "hosting")
    net = 1 + rng.below(250)
    hosts = list(range(2, 254))
    for i in range(len(hosts) - 1, 0, -1):	# shuffled: each used once
        j = rng.below(i + 1)
        hosts[i], hosts[j] = hosts[j], hosts[i]
    ips = ["240.14.%d.%d" % (net, h) for h in hosts[:150]]
    t = ctx.at(21, 15.2) + rng.between(0, 1800)
    start, n = t, 0
    for ip in ips:
        c = ctx.st.conn_open(t, ip)
        for k in range(3):
            q = ctx.st.submit(t, a, ip, spam_rcpts(rng, w, 1, 3), conn=c,
                              mode="spam")
            ctx.incident.append((a, t, q))
            n += 1
            t += rng.between(0.3, 0.7)
        ctx.st.conn_close(t, c)
    ctx.label(a, "incident", ">=suspicious,confirmed<=12", 10, "botnet "
              "burst: %d messages "
              "from %d new addresses, three a connection, in %d s, day 21"
              % (n, len(ips), int(t - start)))
    ctx.meta["description"] = ("a burst of addresses new to the account, "
                               "each sending to freemail domains")
    ctx.meta["incident_start"] = start


def new_place_freemail(ctx):
    # the negative twin of botnet-burst: a customer on holiday writes
    # greetings to friends at freemail domains from places the account
    # never used (hotel Wi-Fi, a roaming phone, a cafe), within minutes
    w, rng = ctx.world, ctx.rng
    a = w.person(rng.choice(w.hosting_domains))
    mb = hosting_person(ctx, rng.fork(a), a)
    live(ctx, mb, range(28))
    friends = ["%s.%s@%s" % (rng.choice(FIRST), rng.choice(LAST),
                             rng.choice(FREEMAIL)) for _ in range(40)]
    places = [addr_in(rng, "240.7.0.0/16"), addr_in(rng, "240.10.0.0/16"),
              addr_in(rng, "240.7.0.0/16")]
    for d in (18, 22, 25):
        t = ctx.at(d, 19.5) + rng.between(0, 1200)
        for i in range(25):
            ctx.st.submit(t, a, places[i % 3] if i < 6 else
                          rng.choice(places),
                          [rng.choice(friends) for _ in range(
                              1 + rng.below(3))])
            t += rng.between(20, 70)
        places = [addr_in(rng, "240.7.0.0/16"),
                  addr_in(rng, "240.10.0.0/16"),
                  addr_in(rng, "240.7.0.0/16")]
    ctx.label(a, "negative", "<=watch", None, "greetings to freemail "
              "friends from three new places within minutes, three "
              "evenings")
    ctx.meta["description"] = ("an ordinary user writing to many freemail "
                               "recipients from new addresses")


ALL = [
    ("background-office", "background", "office", background_office),
    ("background-hosting", "background", "hosting", background_hosting),
    ("office-nat-50", "negative", "office", office_nat_50),
    ("newsletter-daily", "negative", "hosting", newsletter_daily),
    ("newsletter-weekly", "negative", "hosting", newsletter_weekly),
    ("transactional-two-servers", "negative", "hosting", transactional),
    ("carrier-nat-phones", "negative", "hosting", carrier_nat),
    ("travellers", "negative", "office", travellers),
    ("monday-burst", "negative", "office", monday_burst),
    ("list-expansion", "negative", "office", list_expansion),
    ("list-server", "negative", "hosting", list_server),
    ("forwarding", "negative", "hosting", forwarding),
    ("password-typos", "negative", "office", password_typos),
    ("fast-bulk", "incident", "hosting", fast_bulk),
    ("slow-trickle", "incident", "hosting", slow_trickle),
    ("foreign-burst", "incident", "office", foreign_burst),
    ("guessed-then-used", "incident", "hosting", guessed),
    ("night-low-rate", "incident", "office", night_low_rate),
    ("botnet-burst", "incident", "hosting", botnet_burst),
    ("new-place-freemail", "negative", "hosting", new_place_freemail),
]
