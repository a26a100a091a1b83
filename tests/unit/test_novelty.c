/*
 * test_novelty.c: the long-horizon signals (addresses and networks new to
 * an account against its own history, countries in an hour), "no history
 * yet", the rule that volume counts one level above who sends, the two
 * kinds of evidence that confirm an account for containment, and the
 * bounded sets and counters behind them (seenset.c), each at its
 * boundaries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detect/detect_detail.h"
#include "detect/detect_int.h"
#include "detect/detector.h"
#include "detect/seenset.h"
#include "unit_detect.h"

#define T0	1700000000	/* a Tuesday in 2023, 22:13 UTC */
#define HOUR	3600
#define DAY	86400

/* 2001:db8:X::Y, X the third and fourth bytes. */
static struct mail_ip
ip6(unsigned x, unsigned y)
{
	struct mail_ip	 ip;

	memset(&ip, 0, sizeof(ip));
	ip.family = 6;
	ip.bytes[0] = 0x20;
	ip.bytes[1] = 0x01;
	ip.bytes[2] = 0x0d;
	ip.bytes[3] = 0xb8;
	ip.bytes[4] = (uint8_t)(x >> 8);
	ip.bytes[5] = (uint8_t)x;
	ip.bytes[15] = (uint8_t)y;
	return ip;
}

/* A successful login of acct over svc from ip at t. */
static void
login(struct detector *d, enum mail_service svc, int64_t t, const char *acct,
    struct mail_ip ip)
{
	struct mail_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_AUTH_OK;
	ev.service = svc;
	ev.time = t;
	ev.account.p = acct;
	ev.account.len = strlen(acct);
	ev.client = ip;
	detector_feed(d, &ev);
}

static int	 qseq;

/* A message of acct from ip at t, leaving the queue at once; with fail,
   its delivery deferred, else delivered, to rcpt's domain. */
static void
send1(struct detector *d, int64_t t, const char *acct, struct mail_ip ip,
    int fail, const char *rcpt)
{
	char	 qid[32];

	snprintf(qid, sizeof(qid), "Q%d", qseq++);
	unit_send(d, t, acct, ip, qid, 0, fail ? EV_DEFERRED : EV_DELIVERED,
	    rcpt);
}

/*
 * An account with a week of history: seen since T0 - 7 d from home
 * (198.51.100.7, via SMTP) and a phone (192.0.2.x, IMAP only).
 */
static void
history(struct detector *d, const char *acct)
{
	struct mail_ip	 home = ip4(198, 51, 100, 7);

	assert_int_equal(detector_seed(d, acct, T0 - 7 * DAY, 50), 0);
	assert_int_equal(detector_seed_ip_seen(d, acct, &home, T0 - 7 * DAY,
	    T0 - DAY), 0);
	login(d, SVC_IMAP, T0 - 6 * DAY, acct, ip4(192, 0, 2, 10));
}

/* The seenset: new and known keys, growth, and the cap's eviction of the
   least recently seen. */
static void
test_seenset(void **state)
{
	struct seenset			 s;
	const struct seen_entry		*e;
	size_t				 mem = 0;
	uint64_t			 k;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(seenset_see(&s, 11, 100, 4, &mem), 1);
	assert_int_equal(seenset_see(&s, 11, 200, 4, &mem), 0);
	assert_non_null(e = seenset_find(&s, 11));
	assert_int_equal(e->first, 100);
	assert_int_equal(e->last, 200);
	assert_int_equal(seenset_see(&s, 12, 110, 4, &mem), 1);
	assert_int_equal(seenset_see(&s, 13, 120, 4, &mem), 1);
	assert_int_equal(seenset_see(&s, 14, 130, 4, &mem), 1);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.evicted, 0);
	assert_int_equal(mem, seenset_bytes(&s));
	/* full: 12 is the least recently seen and goes */
	assert_int_equal(seenset_see(&s, 15, 140, 4, &mem), 1);
	assert_int_equal(s.evicted, 1);
	assert_int_equal(s.n, 4);
	assert_null(seenset_find(&s, 12));
	assert_non_null(seenset_find(&s, 11));
	assert_non_null(seenset_find(&s, 15));
	assert_int_equal(seenset_see(&s, 12, 150, 4, &mem), 1);
	/* thousands of keys stay within the cap */
	for (k = 100; k < 5100; k++)
		assert_true(seenset_see(&s, k, (int64_t)k, 256, &mem) >= 0);
	assert_int_equal(s.n, 256);
	assert_true(s.evicted > 4000);
	assert_int_equal(mem, seenset_bytes(&s));
	seenset_free(&s, &mem);
	assert_int_equal(mem, 0);
}

/*
 * Addresses of earlier sessions (the console's history) that were new to
 * the account in the week before are its usual: seven of them make six
 * new ones in 6 h no longer "more than usual".
 */
static void
test_seeded_usual(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	struct mail_ip		 ip;
	const char		*a = "fwd@example.com";
	int			 i;

	(void)state;
	assert_int_equal(detector_seed(d, a, T0 - 30 * DAY, 500), 0);
	/* 168 new ones over the last 7 days: 6 in 6 h is its usual */
	for (i = 0; i < 168; i++) {
		ip = ip4(240, 10, (unsigned)(i / 200), (unsigned)(i % 200) + 1);
		assert_int_equal(detector_seed_ip_seen(d, a, &ip,
		    T0 - 7 * DAY + i * HOUR, T0 - 7 * DAY + i * HOUR), 0);
	}
	for (i = 0; i < 6; i++)
		login(d, SVC_SMTP, T0 + 1200 * i, a, ip4(240, 10, 9,
		    (unsigned)i + 1));
	r = report(d, a, &f);
	assert_null(reason(&r, "addresses new"));
	/* the same without that history: 6 new is watch */
	detector_free(d);
	d = det_default();
	assert_int_equal(detector_seed(d, a, T0 - 30 * DAY, 500), 0);
	for (i = 0; i < 6; i++)
		login(d, SVC_SMTP, T0 + 1200 * i, a, ip4(240, 10, 9,
		    (unsigned)i + 1));
	r = report(d, a, &f);
	assert_int_equal(reason_level(&r, "addresses new"), LEVEL_WATCH);
	detector_free(d);
}

/* newcount: the recent hours and the 168 before them, to the hour. */
static void
test_newcount(void **state)
{
	struct newcount	 c;
	int64_t		 h0 = (int64_t)T0 / HOUR * HOUR;
	int		 i;

	(void)state;
	newcount_init(&c, 6);
	newcount_add(&c, h0 + 10);
	newcount_add(&c, h0 + HOUR - 1);
	assert_int_equal(c.recent, 2);
	/* the current hour and the five before: still in at h0 + 5 h */
	newcount_roll(&c, h0 + 5 * HOUR + HOUR - 1);
	assert_int_equal(c.recent, 2);
	assert_int_equal(c.before, 0);
	newcount_roll(&c, h0 + 6 * HOUR);
	assert_int_equal(c.recent, 0);
	assert_int_equal(c.before, 2);
	/* and 168 hours later out of "before" too */
	newcount_roll(&c, h0 + (6 + 167) * HOUR);
	assert_int_equal(c.before, 2);
	newcount_roll(&c, h0 + (6 + 168) * HOUR);
	assert_int_equal(c.before, 0);
	/* a jump of more than the ring clears it */
	newcount_add(&c, h0 + 200 * HOUR);
	newcount_roll(&c, h0 + 500 * HOUR);
	assert_int_equal(c.recent + c.before, 0);
	/* an hour saturates at 255 and says so */
	for (i = 0; i < 300; i++)
		newcount_add(&c, h0 + 600 * HOUR);
	assert_int_equal(c.recent, 255);
	assert_true(newcount_saturated(&c));
}

/*
 * new_ips: SMTP logins from addresses the account never used, in 6 h,
 * beyond its usual: 6 watch, 12 suspicious, 30 critical; addresses seeded
 * from the history or used over IMAP are not new.
 */
static void
test_new_ips(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	const char		*a = "nina@example.com";
	int			 i;

	(void)state;
	history(d, a);
	/* home (seeded): nothing new */
	login(d, SVC_SMTP, T0, a, ip4(198, 51, 100, 7));
	r = report(d, a, &f);
	assert_null(reason(&r, "new to this account"));
	/* the phone's address (IMAP before, in a known network) sends: an
	   address new for sending; four more, 20 min apart (no 10-minute
	   window holds two) */
	login(d, SVC_SMTP, T0 + 60, a, ip4(192, 0, 2, 10));
	for (i = 0; i < 4; i++)
		login(d, SVC_SMTP, T0 + 1200 * (i + 1), a,
		    ip4(198, 51, 100, (unsigned)(20 + i)));
	r = report(d, a, &f);
	assert_int_equal(reason_level(&r, "addresses new"), -1);
	login(d, SVC_SMTP, T0 + 1200 * 6, a, ip4(198, 51, 100, 30));
	r = report(d, a, &f);
	assert_non_null(reason(&r, "6 addresses new to this account in 6 h; "
	    "0 in the 7 days before (watch at 6 more than usual)"));
	assert_int_equal(r.level, LEVEL_WATCH);
	for (i = 0; i < 5; i++)
		login(d, SVC_SMTP, T0 + 1200 * (7 + i), a,
		    ip4(198, 51, 100, (unsigned)(40 + i)));
	r = report(d, a, &f);
	assert_int_equal(reason_level(&r, "addresses new"), LEVEL_WATCH);
	login(d, SVC_SMTP, T0 + 1200 * 12, a, ip4(198, 51, 100, 50));
	r = report(d, a, &f);
	assert_int_equal(reason_level(&r, "addresses new"), LEVEL_SUSPICIOUS);
	assert_int_equal(r.level, LEVEL_SUSPICIOUS);
	/* a day later those are the usual: 12 in 7 days is 0.4 in 6 h */
	for (i = 0; i < 12; i++)
		login(d, SVC_SMTP, T0 + DAY + 600 * i, a,
		    ip4(198, 51, 101, (unsigned)(i + 1)));
	r = report(d, a, &f);
	assert_non_null(reason(&r, "12 addresses new to this account in 6 h; "
	    "12 in the 7 days before (watch at 6 more than usual)"));
	detector_free(d);
}

/*
 * new_nets without a database: /16 (IPv4) and /32 (IPv6) prefixes new to
 * the account in 6 h: 3 watch, 4 suspicious, 8 critical; another address
 * in a known network is not a new network.
 */
static void
test_new_nets_prefix(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	const char		*a = "tina@example.com";
	int			 i;

	(void)state;
	history(d, a);
	/* new addresses in its own networks: no new network */
	login(d, SVC_SMTP, T0, a, ip4(198, 51, 7, 7));
	login(d, SVC_SMTP, T0 + 1200, a, ip4(192, 0, 99, 1));
	r = report(d, a, &f);
	assert_null(reason(&r, "networks"));
	/* a botnet's trickle: one message every 15 min from new /16s */
	for (i = 0; i < 2; i++)
		send1(d, T0 + 2400 + 900 * i, a, ip4(241, (unsigned)i, 1, 1),
		    0, "x@a.example");
	r = report(d, a, &f);
	assert_int_equal(reason_level(&r, "networks (/16, /32) new"), -1);
	send1(d, T0 + 2400 + 900 * 2, a, ip6(0x4400, 1), 0, "x@a.example");
	r = report(d, a, &f);
	assert_non_null(reason(&r, "3 networks (/16, /32) new to this account "
	    "in 6 h; 0 in the 7 days before (watch at 3 more than usual)"));
	assert_int_equal(r.level, LEVEL_WATCH);
	/* the same /32 again is not a fourth */
	send1(d, T0 + 2400 + 900 * 3, a, ip6(0x4400, 2), 0, "x@a.example");
	r = report(d, a, &f);
	assert_int_equal(reason_level(&r, "networks (/16"), LEVEL_WATCH);
	send1(d, T0 + 2400 + 900 * 4, a, ip4(241, 9, 1, 1), 0, "x@a.example");
	r = report(d, a, &f);
	assert_int_equal(reason_level(&r, "networks (/16"), LEVEL_SUSPICIOUS);
	assert_int_equal(r.level, LEVEL_SUSPICIOUS);
	assert_true(r.flagged_at == T0 + 2400 + 900 * 4);
	for (i = 10; i < 14; i++)
		send1(d, T0 + 7200 + 900 * i, a, ip4(241, (unsigned)i, 1, 1),
		    0, "x@a.example");
	r = report(d, a, &f);
	assert_int_equal(reason_level(&r, "networks (/16"), LEVEL_CRITICAL);
	/* critical on one kind of evidence: not confirmed for containment */
	assert_int_equal(r.level, LEVEL_CRITICAL);
	assert_int_equal(r.confirmed_at, -1);
	assert_int_equal(r.evidence, DETECT_EV_LOGINS);
	detector_free(d);
}

/* A network first seen over IMAP is known when SMTP comes from it. */
static void
test_new_nets_imap_known(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	const char		*a = "ida@example.com";
	int			 i;

	(void)state;
	history(d, a);
	for (i = 0; i < 5; i++)
		login(d, SVC_IMAP, T0 + i, a, ip4(241, (unsigned)i, 1, 1));
	for (i = 0; i < 5; i++)
		send1(d, T0 + 1200 * (i + 1), a, ip4(241, (unsigned)i, 2, 2),
		    0, "x@a.example");
	r = report(d, a, &f);
	assert_null(reason(&r, "networks (/16"));
	detector_free(d);
}

/*
 * No history yet: an account seen for less than a day has nothing new,
 * and says so; a day later the same logins count.
 */
static void
test_no_history(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	const char		*a = "newbie@example.com";
	int			 i;

	(void)state;
	login(d, SVC_SMTP, T0, a, ip4(198, 51, 100, 1));
	for (i = 0; i < 5; i++)
		login(d, SVC_SMTP, T0 + 1200 * (i + 1), a,
		    ip4(241, (unsigned)i, 1, 1));
	login(d, SVC_SMTP, T0 + 7200, a, ip4(241, 20, 1, 1));
	login(d, SVC_SMTP, T0 + 7201, a, ip4(241, 21, 1, 1));
	login(d, SVC_SMTP, T0 + 7202, a, ip4(241, 22, 1, 1));
	r = report(d, a, &f);
	assert_null(reason(&r, "new to this account"));
	assert_int_equal(r.level, LEVEL_WATCH);		/* 3 IPs in 10 min */
	assert_non_null(reason(&r, "no history yet: first seen 2 h ago; new "
	    "addresses, networks and its usual rate count after 1 d"));
	/* one second short of a day, then a day */
	login(d, SVC_SMTP, T0 + DAY - 1, a, ip4(241, 30, 1, 1));
	r = report(d, a, &f);
	assert_null(reason(&r, "new to this account"));
	for (i = 0; i < 4; i++)
		login(d, SVC_SMTP, T0 + DAY + 1200 * i, a,
		    ip4(241, (unsigned)(40 + i), 1, 1));
	r = report(d, a, &f);
	assert_int_equal(reason_level(&r, "networks (/16"), LEVEL_SUSPICIOUS);
	assert_null(reason(&r, "no history yet"));
	detector_free(d);
}

/* A context function over a fixed table: 241.0-3.x.x is AS 64500 in VN,
   241.4-7 AS 64501 in four countries, the rest unknown. */
static int
ctx_table(void *arg, const struct mail_ip *ip, struct ip_context *out,
    int want_org)
{
	static const char *const cc[] = { "BR", "IN", "CN", "RU" };
	int	*calls = arg;

	(*calls)++;
	memset(out, 0, sizeof(*out));
	if (ip->family != 4 || ip->bytes[0] != 241 || ip->bytes[1] > 7)
		return 0;
	if (ip->bytes[1] < 4) {
		out->asn = 64500;
		memcpy(out->cc, "VN", 3);
	} else {
		out->asn = 64501;
		memcpy(out->cc, cc[ip->bytes[1] - 4], 3);
	}
	if (want_org)
		snprintf(out->org, sizeof(out->org), "AS%u net", out->asn);
	return 1;
}

/*
 * With a context: networks are AS numbers (four /16s of one AS are one
 * network, a phone in its carrier is not new) and countries count: 3 in
 * an hour watch, 5 suspicious; an address the context does not know falls
 * back to its prefix.  The detail shows country and AS.
 */
static void
test_context(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct account_detail	 det;
	struct account_ip	 ips[16];
	struct find		 f;
	const char		*a = "carl@example.com";
	int			 calls = 0, i;
	size_t			 k;

	(void)state;
	detector_set_context(d, ctx_table, &calls);
	history(d, a);
	for (i = 0; i < 4; i++)
		send1(d, T0 + 1200 * i, a, ip4(241, (unsigned)i, 1, 1), 0,
		    "x@a.example");
	r = report(d, a, &f);
	assert_null(reason(&r, "networks (AS) new"));	/* one AS */
	assert_null(reason(&r, "countries"));
	for (i = 4; i < 7; i++)
		send1(d, T0 + 7200 + 60 * i, a, ip4(241, (unsigned)i, 1, 1),
		    0, "x@a.example");
	r = report(d, a, &f);
	assert_non_null(reason(&r, "3 countries in the last hour (watch at "
	    "3)"));
	send1(d, T0 + 7200 + 60 * 7, a, ip4(241, 7, 1, 1), 0, "x@a.example");
	send1(d, T0 + 7200 + 60 * 8, a, ip4(241, 8, 1, 1), 0, "x@a.example");
	r = report(d, a, &f);
	/* 241.8 is unknown: its /16 is the third new network */
	assert_non_null(reason(&r, "3 networks (AS) new to this account"));
	assert_int_equal(reason_level(&r, "countries"), LEVEL_WATCH);
	/* an hour after the first of them, three are left; an hour after
	   the last, none */
	detector_tick(d, T0 + 7200 + 60 * 4 + HOUR);
	r = report(d, a, &f);
	assert_non_null(reason(&r, "3 countries"));
	detector_tick(d, T0 + 7200 + 60 * 7 + HOUR);
	r = report(d, a, &f);
	assert_null(reason(&r, "countries"));
	assert_true(calls > 0);
	assert_int_equal(detector_detail(d, detector_find(d, a), &det, ips,
	    16), 0);
	assert_int_equal(det.has_context, 1);
	for (k = 0; k < det.nips; k++)
		if (ips[k].ip.bytes[0] == 241 && ips[k].ip.bytes[1] == 5)
			break;
	assert_true(k < det.nips);
	assert_string_equal(ips[k].ctx.cc, "IN");
	assert_int_equal(ips[k].ctx.asn, 64501);
	assert_string_equal(ips[k].ctx.org, "AS64501 net");
	detector_free(d);
}

/*
 * Volume and deliveries count one level above who sends.  A burst with
 * most deliveries deferred from the account's own address: watch.  The
 * same from an address new to it: suspicious, and said why.
 */
static void
test_volume_from_new(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	int			 i;

	(void)state;
	history(d, "own@example.com");
	history(d, "new@example.com");
	for (i = 0; i < 30; i++) {
		send1(d, T0 + 10 * i, "own@example.com", ip4(198, 51, 100, 7),
		    i % 4 != 0, "a@b.example");
		send1(d, T0 + 10 * i, "new@example.com", ip4(198, 51, 100, 99),
		    i % 4 != 0, "a@b.example");
	}
	r = report(d, "own@example.com", &f);
	assert_int_equal(reason_level(&r, "deferred or bounced"),
	    LEVEL_SUSPICIOUS);
	assert_int_equal(r.level, LEVEL_WATCH);
	assert_non_null(reason(&r, "counts as watch without stronger signs"));
	r = report(d, "new@example.com", &f);
	assert_int_equal(r.level, LEVEL_SUSPICIOUS);
	assert_non_null(reason(&r, "most of its mail in the last 10 min came "
	    "from addresses new to this account"));
	/* volume and deliveries both suspicious: still one level, and not
	   confirmed: neither says who sends */
	assert_int_equal(r.confirmed_at, -1);
	detector_free(d);
}

/*
 * The matrix of the rule: a volume signal at each raw level beside a sign
 * of who sends at each level.  Volume may reach one level above who; two
 * kinds at suspicious (one of them who) add one; critical on two kinds is
 * confirmed, with its evidence and reasons.
 */
static void
test_volume_rule(void **state)
{
	/* who: IPs in 10 min for ok/watch/suspicious/critical */
	static const int who_ips[] = { 1, 3, 6, 20 };
	/* volume: messages in one minute for ok/watch/suspicious/critical */
	static const int vol_msgs[] = { 5, 10, 50, 200 };
	static const int want[4][4] = {
		/* vol: ok  watch susp  crit */
		{ 0, 1, 1, 1 },		/* who ok */
		{ 1, 1, 2, 2 },		/* who watch */
		{ 2, 2, 3, 3 },		/* who suspicious: bump */
		{ 3, 3, 3, 3 },		/* who critical */
	};
	struct detector		*d;
	struct account_report	 r;
	struct find		 f;
	int			 w, v, i;

	(void)state;
	for (w = 0; w < 4; w++)
		for (v = 0; v < 4; v++) {
			d = det_default();
			for (i = 0; i < who_ips[w]; i++)
				login(d, SVC_SMTP, T0, "m@example.com",
				    ip4(198, 51, (unsigned)i, 1));
			for (i = 0; i < vol_msgs[v]; i++)
				send1(d, T0 + 1, "m@example.com",
				    ip4(198, 51, 0, 1), 0, "x@a.example");
			r = report(d, "m@example.com", &f);
			if ((int)r.level != want[w][v])
				fail_msg("who %d volume %d: level %d, want %d",
				    w, v, r.level, want[w][v]);
			assert_int_equal(r.confirmed_at >= 0,
			    w >= 2 && v >= 2);
			if (r.confirmed_at >= 0) {
				assert_int_equal(r.confirmed_evidence,
				    DETECT_EV_LOGINS | DETECT_EV_VOLUME);
				assert_int_equal(r.confirmed_at, T0 + 1);
				assert_non_null(r.confirmed_why);
				assert_non_null(strstr(r.confirmed_why,
				    "distinct IPs authenticated"));
				assert_non_null(strstr(r.confirmed_why,
				    "msgs in one minute"));
			}
			detector_free(d);
		}
}

/*
 * Two kinds: new addresses, each sending to many domains (the containment
 * trigger of issue 18), confirm long before the twentieth address: at the
 * fourth, its 10th message (new_burst and new_fanout at suspicious: 4
 * addresses that never logged in before, 35 domains of their mail); to
 * one domain only, at 50 messages in a minute.
 */
static void
test_confirm_burst(void **state)
{
	struct detector		*d;
	struct account_report	 r;
	struct find		 f;
	struct mail_event	 ev;
	char			 rcpt[64], qid[32];
	char			 why[128];
	int			 i, j, k, n = 0, msgs = 0;

	(void)state;
	d = det_default();
	history(d, "v@example.com");
	for (i = 0; i < 20; i++) {
		for (j = 0; j < 3; j++) {
			snprintf(qid, sizeof(qid), "B%d", msgs++);
			memset(&ev, 0, sizeof(ev));
			ev.kind = EV_SUBMIT;
			ev.time = T0 + 40 + i;
			ev.account.p = "v@example.com";
			ev.account.len = strlen(ev.account.p);
			ev.client = ip4(241, 0, 0, (unsigned)i + 1);
			ev.qid.p = qid;
			ev.qid.len = strlen(qid);
			detector_feed(d, &ev);
			/* five recipients at five freemail domains each */
			for (k = 0; k < 5; k++) {
				snprintf(rcpt, sizeof(rcpt),
				    "u@free%d.example", n++);
				ev.kind = EV_DELIVERED;
				ev.rcpt.p = rcpt;
				ev.rcpt.len = strlen(rcpt);
				detector_feed(d, &ev);
			}
			r = report(d, "v@example.com", &f);
			if (r.confirmed_at >= 0)
				break;
		}
		if (r.confirmed_at >= 0)
			break;
	}
	assert_int_equal(i, 3);
	assert_int_equal(msgs, 10);
	assert_int_equal(r.level, LEVEL_CRITICAL);
	assert_string_equal(evidence_format(r.confirmed_evidence, why,
	    sizeof(why)), "logins from many or new places, volume");
	assert_string_equal(evidence_format(0, why, sizeof(why)), "none");
	detector_free(d);

	/* all to one domain: the busiest minute confirms at 50 */
	d = det_default();
	history(d, "w@example.com");
	for (msgs = 1; msgs <= 100; msgs++) {
		send1(d, T0 + 40 + msgs / 10, "w@example.com",
		    ip4(241, 0, 0, (unsigned)(msgs + 2) / 3), 0, "a@b.example");
		r = report(d, "w@example.com", &f);
		if (r.confirmed_at >= 0)
			break;
	}
	assert_int_equal(msgs, 50);
	detector_free(d);
}

/* Memory stays bounded: an account used from 100,000 networks keeps at
   most DETECT_NETS_MAX of them. */
static void
test_memory_bounded(void **state)
{
	struct detector	*d = det_default();
	size_t		 before, after;
	int		 i;

	(void)state;
	history(d, "bot@example.com");
	login(d, SVC_SMTP, T0, "bot@example.com", ip4(198, 51, 100, 7));
	before = detector_memory(d);
	for (i = 0; i < 100000; i++)
		login(d, SVC_IMAP, T0 + i / 100, "bot@example.com",
		    ip4(100 + (unsigned)(i >> 16), (unsigned)(i >> 8) & 255,
		    (unsigned)i & 255, 1));
	after = detector_memory(d);
	assert_true(after - before < 64 * 1024);
	detector_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seenset),
		cmocka_unit_test(test_newcount),
		cmocka_unit_test(test_seeded_usual),
		cmocka_unit_test(test_new_ips),
		cmocka_unit_test(test_new_nets_prefix),
		cmocka_unit_test(test_new_nets_imap_known),
		cmocka_unit_test(test_no_history),
		cmocka_unit_test(test_context),
		cmocka_unit_test(test_volume_from_new),
		cmocka_unit_test(test_volume_rule),
		cmocka_unit_test(test_confirm_burst),
		cmocka_unit_test(test_memory_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
