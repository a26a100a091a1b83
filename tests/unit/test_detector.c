/*
 * test_detector.c: signals, levels, reasons, attribution and memory bounds
 * of the detector, driven by hand-made events.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "detect/detect_int.h"
#include "detect/detector.h"
#include "unit_detect.h"

#define T0	1700000000	/* a Tuesday in 2023 */

/* An event of kind k at time t, strings empty. */
static struct mail_event
ev_make(enum mail_event_kind k, int64_t t)
{
	struct mail_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = k;
	ev.time = t;
	return ev;
}

/* A borrowed string for a C string. */
static struct mail_str
ev_str(const char *s)
{
	struct mail_str	 m = { s, s ? strlen(s) : 0 };

	return m;
}

/* An authenticated (or, with acct NULL, anonymous) submission. */
static void
submit(struct detector *d, int64_t t, const char *acct, struct mail_ip ip,
    const char *qid)
{
	struct mail_event	 ev = ev_make(EV_SUBMIT, t);

	ev.account = ev_str(acct);
	ev.client = ip;
	ev.qid = ev_str(qid);
	detector_feed(d, &ev);
}

/* A login success or failure over service svc. */
static void
login(struct detector *d, enum mail_event_kind k, enum mail_service svc,
    int64_t t, const char *acct, struct mail_ip ip)
{
	struct mail_event	 ev = ev_make(k, t);

	ev.service = svc;
	ev.account = ev_str(acct);
	ev.client = ip;
	detector_feed(d, &ev);
}

/* The qmgr envelope line. */
static void
queued(struct detector *d, int64_t t, const char *qid, uint32_t nrcpt)
{
	struct mail_event	 ev = ev_make(EV_QUEUED, t);

	ev.qid = ev_str(qid);
	ev.nrcpt = nrcpt;
	detector_feed(d, &ev);
}

/* A delivery attempt (delivered, deferred, bounced) or a removal. */
static void
qidev(struct detector *d, enum mail_event_kind k, int64_t t, const char *qid,
    const char *rcpt)
{
	struct mail_event	 ev = ev_make(k, t);

	ev.qid = ev_str(qid);
	ev.rcpt = ev_str(rcpt);
	detector_feed(d, &ev);
}

/* Names and documented defaults. */
static void
test_defaults(void **state)
{
	struct detect_config	 cfg;

	(void)state;
	detect_config_defaults(&cfg);
	assert_int_equal(cfg.window, 600);
	assert_true(cfg.limits[SIG_AUTH_IPS].watch == 3);
	assert_true(cfg.limits[SIG_AUTH_IPS].critical == 20);
	assert_true(cfg.limits[SIG_RCPT_RATE].critical == 1000);
	assert_true(cfg.limits[SIG_QUEUE_SHARE].suspicious == 50);
	assert_int_equal(cfg.ratio_min_attempts, 20);
	assert_int_equal(cfg.queue_min_messages, 100);
	assert_int_equal(cfg.max_accounts, 1000000);
	assert_string_equal(signal_name(SIG_AUTH_IPS), "auth_ips");
	assert_string_equal(signal_name(SIG_QUEUE_SHARE), "queue_share");
	assert_string_equal(signal_name(SIG_FAIL_RATIO), "fail_ratio");
	assert_string_equal(level_name(LEVEL_SUSPICIOUS), "suspicious");
	assert_string_equal(level_name(LEVEL_OK), "ok");
}

/* auth_ips: 3 watch, 6 suspicious, 20 critical, and not one below. */
static void
test_auth_ips_levels(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	static const int	 want[21] = { 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2,
	    2, 2, 2, 2, 2, 2, 2, 2, 2, 3 };
	int			 i;

	(void)state;
	for (i = 1; i <= 20; i++) {
		/* One /24, so auth_nets stays at 1. */
		login(d, EV_AUTH_OK, SVC_SMTP, T0 + i, "a@example.com",
		    ip4(198, 51, 100, (unsigned)i));
		r = report(d, "a@example.com", &f);
		assert_int_equal(r.level, want[i]);
	}
	assert_true(has_reason(&r,
	    "20 distinct IPs authenticated in 10 min (critical at 20)"));
	assert_int_equal(r.auth_ips, 20);
	assert_int_equal(r.auth_ips_exact, 1);
	detector_free(d);
}

/* IMAP and POP logins from many addresses do not count as SMTP IPs. */
static void
test_imap_not_counted(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	int			 i;

	(void)state;
	for (i = 0; i < 50; i++)
		login(d, EV_AUTH_OK, i % 2 ? SVC_IMAP : SVC_POP3, T0 + i,
		    "phone@example.com", ip4(10, (unsigned)i, 0, 1));
	r = report(d, "phone@example.com", &f);
	assert_int_equal(r.level, LEVEL_OK);
	assert_int_equal(r.auth_ips, 0);
	assert_int_equal(r.nreasons, 0);
	detector_free(d);
}

/* auth_nets alone (auth_ips disabled): 3 watch, 5 suspicious, 15 crit. */
static void
test_auth_nets_levels(void **state)
{
	struct detect_config	 cfg;
	struct detector		*d;
	struct account_report	 r;
	struct find		 f;
	static const int	 want[16] = { 0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2,
	    2, 2, 2, 2, 3 };
	int			 i;

	(void)state;
	detect_config_defaults(&cfg);
	cfg.limits[SIG_AUTH_IPS].watch = 0;
	cfg.limits[SIG_AUTH_IPS].suspicious = 0;
	cfg.limits[SIG_AUTH_IPS].critical = 0;
	d = detector_new(&cfg);
	for (i = 1; i <= 15; i++) {
		login(d, EV_AUTH_OK, SVC_SMTP, T0 + i, "n@example.com",
		    ip4(203, 0, (unsigned)i, 7));
		/* A second address in the same /24 adds nothing. */
		login(d, EV_AUTH_OK, SVC_SMTP, T0 + i, "n@example.com",
		    ip4(203, 0, (unsigned)i, 8));
		r = report(d, "n@example.com", &f);
		assert_int_equal(r.level, want[i]);
	}
	assert_true(has_reason(&r, "15 distinct networks"));
	assert_true(has_reason(&r, "(critical at 15)"));
	detector_free(d);
}

/* Give account a three SMTP addresses at t: auth_ips at watch, which
   lets volume signals count one level above it (suspicious at most). */
static void
corroborate(struct detector *d, const char *a, int64_t t)
{
	login(d, EV_AUTH_OK, SVC_SMTP, t, a, ip4(192, 0, 2, 1));
	login(d, EV_AUTH_OK, SVC_SMTP, t, a, ip4(192, 0, 2, 2));
	login(d, EV_AUTH_OK, SVC_SMTP, t, a, ip4(192, 0, 2, 3));
}

/* n messages from one IP for account a (qids unique per call), spread
   evenly over span seconds from t, each leaving the queue at once so
   queue_share stays out of the way. */
static void
msgs_over(struct detector *d, int64_t t, int span, const char *a, int n,
    const char *tag)
{
	char	 qid[32];
	int	 i;

	for (i = 0; i < n; i++) {
		snprintf(qid, sizeof(qid), "%s%d", tag, i);
		submit(d, t + (int64_t)i * span / n, a, ip4(192, 0, 2, 1), qid);
		qidev(d, EV_REMOVED, t, qid, NULL);
	}
}

/* n messages at t. */
static void
burst(struct detector *d, int64_t t, const char *a, int n, const char *tag)
{
	msgs_over(d, t, 0, a, n, tag);
}

/* n messages over the ten minutes from t (n/10 a minute). */
static void
spread(struct detector *d, int64_t t, const char *a, int n, const char *tag)
{
	msgs_over(d, t, 600, a, n, tag);
}

/*
 * msg_rate: messages in the window / 10 min, or the busiest minute, against
 * 10/50/200; volume alone stops at watch, backed by a watch-level sign of
 * who sends (3 IPs) it goes one level higher at most.
 */
static void
test_msg_rate_levels(void **state)
{
	static const struct { int n; int alone; int backed; } c[] = {
		{ 90, 0, 1 }, { 100, 1, 1 }, { 490, 1, 1 }, { 500, 1, 2 },
		{ 1990, 1, 2 }, { 2000, 1, 2 },
	};
	struct detector		*d;
	struct account_report	 r;
	struct find		 f;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		d = det_default();
		spread(d, T0, "m@example.com", c[i].n, "A");
		r = report(d, "m@example.com", &f);
		assert_int_equal(r.level, c[i].alone);
		corroborate(d, "m@example.com", T0 + 599);
		r = report(d, "m@example.com", &f);
		assert_int_equal(r.level, c[i].backed);
		assert_int_equal(r.messages, c[i].n);
		detector_free(d);
	}
	d = det_default();
	spread(d, T0, "m@example.com", 500, "B");
	r = report(d, "m@example.com", &f);
	assert_true(has_reason(&r, "50 msgs/min in the last 10 min "
	    "(suspicious at 50; counts as watch without stronger signs of "
	    "who sends)"));
	detector_free(d);
}

/* msg_rate: the busiest minute counts at once, before the window's
   average: 49 messages in one minute is watch, 50 suspicious. */
static void
test_msg_rate_minute(void **state)
{
	struct detector		*d;
	struct account_report	 r;
	struct find		 f;

	(void)state;
	d = det_default();
	burst(d, T0, "m@example.com", 49, "A");
	r = report(d, "m@example.com", &f);
	assert_int_equal(reason_level(&r, "msgs in one minute"), LEVEL_WATCH);
	assert_true(has_reason(&r, "49 msgs in one minute (watch at 10/min"));
	burst(d, T0 + 1, "m@example.com", 1, "B");
	r = report(d, "m@example.com", &f);
	assert_int_equal(reason_level(&r, "msgs in one minute"),
	    LEVEL_SUSPICIOUS);
	assert_int_equal(r.level, LEVEL_WATCH);		/* volume alone */
	/* the next minute starts a new count; the window still has 50 */
	burst(d, T0 + 60, "m@example.com", 9, "C");
	r = report(d, "m@example.com", &f);
	assert_int_equal(reason_level(&r, "msgs in one minute"),
	    LEVEL_SUSPICIOUS);
	/* ten minutes later both minutes have left the window */
	detector_tick(d, T0 + 60 * 11);
	r = report(d, "m@example.com", &f);
	assert_int_equal(reason_level(&r, "msgs in one minute"), -1);
	detector_free(d);
}

/* Level of a volume signal alone (stops at watch) and backed by a sign
   of who sends at watch (which lifts everything to at least watch and lets
   volume count one level higher, suspicious). */
#define ALONE(l)	((l) > LEVEL_WATCH ? LEVEL_WATCH : (l))
#define BACKED(l)	((l) < LEVEL_WATCH ? LEVEL_WATCH : \
			    (l) > LEVEL_SUSPICIOUS ? LEVEL_SUSPICIOUS : (l))

/* rcpt_rate: recipients (nrcpt, once per message) per minute, 50/200/1000. */
static void
test_rcpt_rate_levels(void **state)
{
	static const struct { uint32_t n; int level; } c[] = {
		{ 499, 0 }, { 500, 1 }, { 1999, 1 }, { 2000, 2 },
		{ 9999, 2 }, { 10000, 3 },
	};
	struct detector		*d;
	struct account_report	 r;
	struct find		 f;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		d = det_default();
		submit(d, T0, "r@example.com", ip4(192, 0, 2, 1), "Q1");
		queued(d, T0, "Q1", c[i].n);
		queued(d, T0 + 1, "Q1", c[i].n);	/* requeued: once */
		r = report(d, "r@example.com", &f);
		assert_int_equal(r.level, ALONE(c[i].level));
		assert_int_equal(r.recipients, c[i].n);
		assert_int_equal(has_reason(&r, "recipients/min"),
		    c[i].n >= 500);
		corroborate(d, "r@example.com", T0 + 1);
		r = report(d, "r@example.com", &f);
		assert_int_equal(r.level, BACKED(c[i].level));
		detector_free(d);
	}
}

/*
 * baseline: messages in the window / the busiest window of the same hour
 * (+-1 h) on the 7 days before, 5/10/50; only with a day of history and at
 * least 5 msgs/min; volume, so alone at most watch (its own level is in
 * its reason).
 */
static void
test_baseline_levels(void **state)
{
	static const struct { int k; int level; } c[] = {
		{ 49, -1 }, { 50, 1 }, { 99, 1 }, { 100, 2 }, { 499, 2 },
		{ 500, 3 },
	};
	struct detector		*d;
	struct account_report	 r;
	struct find		 f;
	size_t			 i;
	int64_t			 t = T0 + 86400;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		d = det_default();
		/* yesterday, the same hour: 10 messages in one window */
		spread(d, T0, "b@example.com", 10, "H");
		spread(d, t, "b@example.com", c[i].k, "N");
		r = report(d, "b@example.com", &f);
		assert_int_equal(reason_level(&r, "at this hour"), c[i].level);
		assert_true(r.level <= LEVEL_WATCH);
		detector_free(d);
	}
	d = det_default();
	spread(d, T0, "b@example.com", 10, "H");
	spread(d, t, "b@example.com", 120, "N");
	r = report(d, "b@example.com", &f);
	assert_true(has_reason(&r, "120 msgs in 10 min, 12x the most it sent "
	    "in 10 min at this hour on earlier days, 10 (suspicious at 10x; "
	    "counts as watch without stronger signs of who sends)"));
	detector_free(d);

	/* One second short of a day of history: no usual yet. */
	d = det_default();
	spread(d, T0 + 1, "b@example.com", 10, "H");
	spread(d, T0 + 86400 - 600, "b@example.com", 100, "N");
	r = report(d, "b@example.com", &f);
	assert_int_equal(reason_level(&r, "at this hour"), -1);
	assert_true(has_reason(&r, "no history yet"));
	detector_free(d);
}

/*
 * The usual knows the hour: a send at the same time every day is
 * ordinary, the hour before or after too (a send at 06:59 or 07:01, summer
 * time), two hours off is not; a day beyond the 7 before is forgotten;
 * with two weeks of history the same hour of the week counts instead.
 */
static void
test_baseline_hours(void **state)
{
	struct detector		*d;
	struct account_report	 r;
	struct find		 f;
	int64_t			 day = 86400, t;
	int			 i;

	(void)state;
	/* 300 a day at the same time for a week: ordinary the 8th day */
	d = det_default();
	for (i = 0; i < 8; i++)
		spread(d, T0 + i * day, "n@example.com", 300, i < 7 ? "D" :
		    "E");
	r = report(d, "n@example.com", &f);
	assert_int_equal(reason_level(&r, "at this hour"), -1);
	/* an hour later the next day: the neighbouring hour is usual too */
	spread(d, T0 + 8 * day + 3600, "n@example.com", 300, "F");
	r = report(d, "n@example.com", &f);
	assert_int_equal(reason_level(&r, "at this hour"), -1);
	/* two hours off: 300 against at most 1 */
	spread(d, T0 + 9 * day + 3 * 3600, "n@example.com", 300, "G");
	r = report(d, "n@example.com", &f);
	assert_int_equal(reason_level(&r, "at this hour"), LEVEL_CRITICAL);
	detector_free(d);

	/* the same hour 8 days before is forgotten: 7 days count */
	d = det_default();
	spread(d, T0, "o@example.com", 300, "A");
	detector_seed(d, "o@example.com", T0 - day, 1);
	t = T0 + 7 * day;
	spread(d, t, "o@example.com", 300, "B");
	r = report(d, "o@example.com", &f);
	assert_int_equal(reason_level(&r, "at this hour"), -1);
	spread(d, t + 8 * day, "o@example.com", 300, "C");
	r = report(d, "o@example.com", &f);
	assert_int_equal(reason_level(&r, "at this hour"), LEVEL_CRITICAL);
	detector_free(d);

	/*
	 * Weekly on day 0, 7, 14: with two weeks of history, day 15 at that
	 * hour compares with days 8 and 1 (nothing), though day 14 sent.
	 */
	d = det_default();
	for (i = 0; i < 3; i++)
		spread(d, T0 + i * 7 * day, "w@example.com", 300, i == 0 ?
		    "A" : i == 1 ? "B" : "C");
	spread(d, T0 + 15 * day, "w@example.com", 300, "D");
	r = report(d, "w@example.com", &f);
	assert_int_equal(reason_level(&r, "at this hour"), LEVEL_CRITICAL);
	/* while day 21 compares with 14 and 7: its usual weekly send */
	spread(d, T0 + 21 * day, "w@example.com", 300, "E");
	r = report(d, "w@example.com", &f);
	assert_int_equal(reason_level(&r, "at this hour"), -1);
	detector_free(d);
}

/* fanout: distinct recipient domains (case-folded) in the window. */
static void
test_fanout_levels(void **state)
{
	static const struct { int n; int level; } c[] = {
		{ 19, 0 }, { 20, 1 }, { 99, 1 }, { 100, 2 }, { 499, 2 },
		{ 500, 3 },
	};
	struct detector		*d;
	struct account_report	 r;
	struct find		 f;
	char			 rcpt[64];
	size_t			 i;
	int			 j;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		d = det_default();
		submit(d, T0, "f@example.com", ip4(192, 0, 2, 1), "F1");
		for (j = 0; j < c[i].n; j++) {
			snprintf(rcpt, sizeof(rcpt), "u%d@D%d.example", j, j);
			qidev(d, EV_DELIVERED, T0 + 1, "F1", rcpt);
			snprintf(rcpt, sizeof(rcpt), "v%d@d%d.EXAMPLE", j, j);
			qidev(d, EV_DELIVERED, T0 + 1, "F1", rcpt);
		}
		r = report(d, "f@example.com", &f);
		assert_int_equal(r.level, ALONE(c[i].level));
		corroborate(d, "f@example.com", T0 + 1);
		r = report(d, "f@example.com", &f);
		assert_int_equal(r.level, BACKED(c[i].level));
		detector_free(d);
	}
}

/* fail_ratio: % deferred or bounced, 30/50/80, needs 20 attempts. */
static void
test_fail_ratio_levels(void **state)
{
	static const struct { int att, bad, level; } c[] = {
		{ 20, 5, 0 }, { 20, 6, 1 }, { 20, 9, 1 }, { 20, 10, 2 },
		{ 20, 15, 2 }, { 20, 16, 3 }, { 19, 19, 0 },
	};
	struct detector		*d;
	struct account_report	 r;
	struct find		 f;
	size_t			 i;
	int			 j;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		d = det_default();
		submit(d, T0, "x@example.com", ip4(192, 0, 2, 1), "R1");
		for (j = 0; j < c[i].att; j++)
			qidev(d, j < c[i].bad ? (j % 2 ? EV_BOUNCED :
			    EV_DEFERRED) : EV_DELIVERED, T0 + 5, "R1",
			    "someone@example.org");
		r = report(d, "x@example.com", &f);
		assert_int_equal(reason_level(&r, "deferred or bounced"),
		    c[i].level ? c[i].level : -1);
		/* what the receivers did, not who sent: alone, watch */
		assert_int_equal(r.level, ALONE(c[i].level));
		detector_free(d);
	}
	d = det_default();
	submit(d, T0, "x@example.com", ip4(192, 0, 2, 1), "R1");
	for (j = 0; j < 67; j++)
		qidev(d, j < 48 ? EV_DEFERRED : EV_DELIVERED, T0 + 5, "R1",
		    "someone@example.org");
	r = report(d, "x@example.com", &f);
	assert_true(has_reason(&r, "72% of deliveries deferred or bounced "
	    "(48 of 67; suspicious at 50%; counts as watch without stronger "
	    "signs of who sends)"));
	detector_free(d);
}

/* guessed: failures from one IP then success from it: 3/8/20.  Twice
   mistyped stays ok; failures from elsewhere or too old do not count. */
static void
test_guessed_levels(void **state)
{
	static const struct { int n; int level; } c[] = {
		{ 2, 0 }, { 3, 1 }, { 7, 1 }, { 8, 2 }, { 19, 2 }, { 20, 3 },
	};
	struct detector		*d;
	struct account_report	 r;
	struct find		 f;
	size_t			 i;
	int			 j;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		d = det_default();
		for (j = 0; j < c[i].n; j++)
			login(d, EV_AUTH_FAIL, SVC_IMAP, T0 + j,
			    j % 2 ? "G@Example.com" : "g@example.com",
			    ip4(203, 0, 113, 7));
		login(d, EV_AUTH_OK, SVC_IMAP, T0 + 30, "g@example.com",
		    ip4(203, 0, 113, 7));
		r = report(d, "g@example.com", &f);
		assert_int_equal(r.level, c[i].level);
		detector_free(d);
	}
	d = det_default();
	for (j = 0; j < 9; j++)
		login(d, EV_AUTH_FAIL, SVC_SMTP, T0, "g@example.com",
		    ip4(203, 0, 113, 7));
	submit(d, T0 + 1, "g@example.com", ip4(203, 0, 113, 7), "Q9");
	r = report(d, "g@example.com", &f);
	assert_true(has_reason(&r,
	    "9 failed logins then success from 203.0.113.7 (suspicious at 8)"));
	/* Not from another address, not after the window. */
	for (j = 0; j < 9; j++)
		login(d, EV_AUTH_FAIL, SVC_SMTP, T0 + 2, "h@example.com",
		    ip4(203, 0, 113, 8));
	login(d, EV_AUTH_OK, SVC_SMTP, T0 + 3, "h@example.com",
	    ip4(203, 0, 113, 9));
	for (j = 0; j < 9; j++)
		login(d, EV_AUTH_FAIL, SVC_SMTP, T0 + 4, "i@example.com",
		    ip4(203, 0, 113, 10));
	login(d, EV_AUTH_OK, SVC_SMTP, T0 + 604, "i@example.com",
	    ip4(203, 0, 113, 10));
	assert_int_equal(report(d, "h@example.com", &f).level, LEVEL_OK);
	assert_int_equal(report(d, "i@example.com", &f).level, LEVEL_OK);
	detector_free(d);
}

/* The user who mistypes twice, then reads and sends mail: ok. */
static void
test_mistyped_twice(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;

	(void)state;
	login(d, EV_AUTH_OK, SVC_IMAP, T0, "eve@example.com",
	    ip4(198, 51, 100, 20));
	login(d, EV_AUTH_FAIL, SVC_SMTP, T0 + 100, "eve@example.com",
	    ip4(198, 51, 100, 20));
	login(d, EV_AUTH_FAIL, SVC_SMTP, T0 + 110, "eve@example.com",
	    ip4(198, 51, 100, 20));
	submit(d, T0 + 120, "eve@example.com", ip4(198, 51, 100, 20), "E1");
	queued(d, T0 + 120, "E1", 2);
	qidev(d, EV_DELIVERED, T0 + 121, "E1", "a@example.org");
	qidev(d, EV_DELIVERED, T0 + 121, "E1", "b@example.net");
	qidev(d, EV_REMOVED, T0 + 121, "E1", NULL);
	r = report(d, "eve@example.com", &f);
	assert_int_equal(r.level, LEVEL_OK);
	assert_int_equal(r.peak_level, LEVEL_OK);
	assert_int_equal(r.flagged_at, -1);
	assert_int_equal(r.auth_fail, 2);
	assert_int_equal(r.nreasons, 0);
	detector_free(d);
}

/*
 * A seeded history (a restart): yesterday's busiest window at this hour
 * (from the database) is the usual at once, where an account without
 * history has none yet.
 */
static void
test_seeded_baseline(void **state)
{
	struct detector		*d = det_default();
	struct detector		*fresh = det_default();
	struct account_report	 r;
	struct find		 f;
	char			 qid[16];
	int			 i;

	(void)state;
	detector_tick(d, T0);
	assert_int_equal(detector_seed(d, "sam@example.com", T0 - 7 * 86400,
	    7 * 1440), 0);
	assert_int_equal(detector_seed(d, "bad name", T0, 1), -1);
	assert_int_equal(detector_seed_peak(d, "sam@example.com",
	    (T0 - 86400) / 3600 * 3600, 12), 0);
	assert_int_equal(detector_seed_peak(d, "bad name", T0, 12), -1);
	for (i = 0; i < 600; i++) {
		snprintf(qid, sizeof(qid), "S%05d", i);
		submit(d, T0 + i, "sam@example.com", ip4(198, 51, 100, 50),
		    qid);
		submit(fresh, T0 + i, "sam@example.com", ip4(198, 51, 100, 50),
		    qid);
	}
	r = report(d, "sam@example.com", &f);
	assert_true(r.messages == 7 * 1440 + 600);
	assert_true(has_reason(&r, "600 msgs in 10 min, 50x the most it sent "
	    "in 10 min at this hour on earlier days, 12 (critical at 50x"));
	r = report(fresh, "sam@example.com", &f);
	assert_int_equal(r.peak_level, LEVEL_WATCH);	/* volume alone */
	assert_int_equal(reason_level(&r, "at this hour"), -1);
	detector_free(d);
	detector_free(fresh);
}

/*
 * An account is flagged at the log time of the line that did it, even when
 * the clock was aged past it in between (live, a tick comes between two
 * lines): a later session reading the same lines finds the same time.
 * A seeded account is first seen when its history says, with no tick.
 */
static void
test_flagged_at_event(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	int			 i;

	(void)state;
	assert_int_equal(detector_seed(d, "old@example.com", T0 - 3 * 3600,
	    10), 0);
	r = report(d, "old@example.com", &f);
	assert_int_equal(r.first_seen, T0 - 3 * 3600);
	for (i = 0; i < 5; i++)
		login(d, EV_AUTH_OK, SVC_SMTP, T0 + i, "kim@example.com",
		    ip4(203, 0, 113, (uint8_t)(i + 1)));
	detector_tick(d, T0 + 9);
	login(d, EV_AUTH_OK, SVC_SMTP, T0 + 5, "kim@example.com",
	    ip4(203, 0, 113, 6));
	r = report(d, "kim@example.com", &f);
	assert_true(r.peak_level >= LEVEL_SUSPICIOUS);
	assert_int_equal(r.flagged_at, T0 + 5);
	detector_free(d);
}

/* Failures before an account's first login still count on it. */
static void
test_failures_before_first_login(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;

	(void)state;
	login(d, EV_AUTH_FAIL, SVC_SMTP, T0, "ivan@example.com",
	    ip4(198, 51, 100, 40));
	login(d, EV_AUTH_FAIL, SVC_SMTP, T0 + 1, "ivan@example.com",
	    ip4(198, 51, 100, 40));
	submit(d, T0 + 2, "ivan@example.com", ip4(198, 51, 100, 40), "I1");
	submit(d, T0 + 3, "ivan@example.com", ip4(198, 51, 100, 40), "I2");
	r = report(d, "ivan@example.com", &f);
	assert_int_equal(r.auth_fail, 2);
	assert_int_equal(r.peak_level, LEVEL_OK);
	detector_free(d);
}

/*
 * Dovecot's auth process (service unknown) logs a lookup line behind every
 * login: "unknown user" from a deny passdb for good ones, "Password
 * mismatch" behind a failure Postfix logs too.  None of them may count.
 */
static void
test_auth_process_lines_ignored(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	int			 i;

	(void)state;
	for (i = 0; i < 30; i++) {
		login(d, EV_AUTH_FAIL, SVC_UNKNOWN, T0 + 20 * i,
		    "gina@example.com", ip4(198, 51, 100, 30));
		submit(d, T0 + 20 * i, "gina@example.com",
		    ip4(198, 51, 100, 30), i % 2 ? "G1" : "G2");
	}
	/* one real failure: Postfix's line and Dovecot's twin */
	login(d, EV_AUTH_FAIL, SVC_SMTP, T0 + 640, "gina@example.com",
	    ip4(198, 51, 100, 30));
	login(d, EV_AUTH_FAIL, SVC_UNKNOWN, T0 + 640, "gina@example.com",
	    ip4(198, 51, 100, 30));
	submit(d, T0 + 641, "gina@example.com", ip4(198, 51, 100, 30), "G3");
	r = report(d, "gina@example.com", &f);
	assert_int_equal(r.auth_fail, 1);
	assert_int_equal(r.peak_level, LEVEL_OK);
	assert_int_equal(r.npeak_reasons, 0);
	detector_free(d);
}

/* queue_share: 30/50/80 % of the queue once it holds 100 messages. */
static void
test_queue_share_levels(void **state)
{
	static const struct { int mine, others, level; } c[] = {
		{ 29, 71, 0 }, { 30, 70, 1 }, { 50, 50, 2 }, { 80, 20, 3 },
		{ 99, 0, 0 },
	};
	struct detector		*d;
	struct account_report	 r;
	struct detect_totals	 t;
	struct find		 f;
	char			 qid[32];
	size_t			 i;
	int			 j;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		d = det_default();
		for (j = 0; j < c[i].others; j++) {
			snprintf(qid, sizeof(qid), "O%d", j);
			submit(d, T0, NULL, ip4(198, 18, 0, 1), qid);
		}
		/* Spread over 40 min so msg_rate stays quiet. */
		for (j = 0; j < c[i].mine; j++) {
			snprintf(qid, sizeof(qid), "M%d", j);
			submit(d, T0 + 25 * j, "q@example.com",
			    ip4(192, 0, 2, 1), qid);
		}
		r = report(d, "q@example.com", &f);
		assert_int_equal(r.queued_now, c[i].mine);
		assert_int_equal(r.level, ALONE(c[i].level));
		corroborate(d, "q@example.com", T0 + 25 * c[i].mine);
		r = report(d, "q@example.com", &f);
		assert_int_equal(r.level, BACKED(c[i].level));
		detector_totals(d, &t);
		assert_int_equal(t.queued_now, c[i].mine + c[i].others);
		detector_free(d);
	}
	d = det_default();
	for (j = 0; j < 3001 - 2431; j++) {
		snprintf(qid, sizeof(qid), "O%d", j);
		submit(d, T0, NULL, ip4(198, 18, 0, 1), qid);
	}
	for (j = 0; j < 2431; j++) {
		snprintf(qid, sizeof(qid), "M%d", j);
		submit(d, T0 + j, "q@example.com", ip4(192, 0, 2, 1), qid);
	}
	r = report(d, "q@example.com", &f);
	assert_true(has_reason(&r, "holds 81% of the queue (2,431 of 3,001"));
	detector_free(d);
}

/* Two independent signals at suspicious lift the level by one; two of
   one group (auth_ips and auth_nets) do not. */
static void
test_two_signals_bump(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	int			 i;

	(void)state;
	/* 6 IPs in 5 networks: both auth signals suspicious, one group. */
	for (i = 0; i < 6; i++)
		login(d, EV_AUTH_OK, SVC_SMTP, T0, "k@example.com",
		    ip4(10, (unsigned)(i < 5 ? i : 0), 0, (unsigned)i + 1));
	r = report(d, "k@example.com", &f);
	assert_int_equal(r.level, LEVEL_SUSPICIOUS);
	/* Plus 8 failures then success from one of them: critical. */
	for (i = 0; i < 8; i++)
		login(d, EV_AUTH_FAIL, SVC_SMTP, T0 + 1, "k@example.com",
		    ip4(10, 0, 0, 1));
	login(d, EV_AUTH_OK, SVC_SMTP, T0 + 2, "k@example.com",
	    ip4(10, 0, 0, 1));
	r = report(d, "k@example.com", &f);
	assert_int_equal(r.level, LEVEL_CRITICAL);
	assert_int_equal(r.nreasons, 4);	/* and "no history yet" */
	assert_true(has_reason(&r, "no history yet"));
	assert_int_equal(r.confirmed_evidence,
	    DETECT_EV_LOGINS | DETECT_EV_PASSWORD);
	detector_free(d);
}

/* IPs leave the window exactly 600 s after their last login. */
static void
test_window_expiry(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	int			 i;

	(void)state;
	for (i = 0; i < 6; i++)
		login(d, EV_AUTH_OK, SVC_SMTP, T0 + 10 * i, "w@example.com",
		    ip4(198, 51, 100, (unsigned)i + 1));
	r = report(d, "w@example.com", &f);
	assert_int_equal(r.level, LEVEL_SUSPICIOUS);
	detector_tick(d, T0 + 599);
	r = report(d, "w@example.com", &f);
	assert_true(has_reason(&r, "6 distinct IPs"));
	detector_tick(d, T0 + 600);
	r = report(d, "w@example.com", &f);
	assert_int_equal(r.level, LEVEL_WATCH);
	assert_true(has_reason(&r, "5 distinct IPs"));
	detector_tick(d, T0 + 620);
	r = report(d, "w@example.com", &f);
	assert_true(has_reason(&r, "3 distinct IPs"));
	/* The first address again: back in, exactly 4. */
	login(d, EV_AUTH_OK, SVC_SMTP, T0 + 620, "w@example.com",
	    ip4(198, 51, 100, 1));
	r = report(d, "w@example.com", &f);
	assert_true(has_reason(&r, "4 distinct IPs"));
	detector_tick(d, T0 + 2000);
	r = report(d, "w@example.com", &f);
	assert_int_equal(r.level, LEVEL_OK);
	assert_int_equal(r.peak_level, LEVEL_SUSPICIOUS);
	assert_int_equal(r.auth_ips, 6);
	assert_int_equal(r.flagged_at, T0 + 50);
	detector_free(d);
}

/* The story: a quiet account, then 200 IPs in 200 /24s send one message
   each, two seconds apart.  Flagged when the fifth network logs in. */
static void
test_hijack(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	char			 qid[32];
	int64_t			 h = T0 + 7200;
	int			 i;

	(void)state;
	for (i = 0; i < 10; i++) {
		snprintf(qid, sizeof(qid), "HOME%d", i);
		submit(d, T0 + 600 * i, "victim@example.com",
		    ip4(198, 51, 100, 20), qid);
	}
	for (i = 0; i < 200; i++) {
		snprintf(qid, sizeof(qid), "SPAM%d", i);
		submit(d, h + 2 * i, "victim@example.com",
		    ip4(10 + (unsigned)i / 100, (unsigned)i % 100, 7, 9), qid);
		if (i == 3) {
			r = report(d, "victim@example.com", &f);
			assert_int_equal(r.level, LEVEL_WATCH);
			assert_int_equal(r.flagged_at, -1);
		}
	}
	r = report(d, "victim@example.com", &f);
	assert_int_equal(r.level, LEVEL_CRITICAL);
	assert_int_equal(r.peak_level, LEVEL_CRITICAL);
	assert_int_equal(r.auth_ips, 201);	/* home + 200 */
	assert_int_equal(r.auth_ips_exact, 1);
	assert_true(has_reason(&r,
	    "200 distinct IPs authenticated in 10 min (critical at 20)"));
	assert_true(strstr(r.reasons[0], "distinct") != NULL);
	assert_int_equal(r.flagged_at, h + 8);
	assert_int_equal(r.messages_before_flag, 15);
	assert_int_equal(r.messages, 210);
	detector_free(d);
}

/* A newsletter from one IP: 300 msgs/min, 20 recipients each, for three
   hours, queue drained as it goes.  Never above watch. */
static void
test_bulk_sender(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	char			 qid[32], rcpt[64];
	int			 m, j;

	(void)state;
	for (m = 0; m < 180; m++) {
		for (j = 0; j < 300; j++) {
			snprintf(qid, sizeof(qid), "N%d_%d", m, j);
			submit(d, T0 + 60 * m + j / 5, "news@example.com",
			    ip4(192, 0, 2, 50), qid);
			queued(d, T0 + 60 * m + j / 5, qid, 20);
			snprintf(rcpt, sizeof(rcpt), "r%d@d%d.example", j,
			    j % 40);
			qidev(d, j % 25 ? EV_DELIVERED : EV_DEFERRED,
			    T0 + 60 * m + j / 5, qid, rcpt);
			qidev(d, EV_REMOVED, T0 + 60 * m + j / 5, qid, NULL);
		}
	}
	r = report(d, "news@example.com", &f);
	assert_int_equal(r.level, LEVEL_WATCH);
	assert_int_equal(r.peak_level, LEVEL_WATCH);
	assert_int_equal(r.flagged_at, -1);
	assert_true(has_reason(&r, "counts as watch without stronger signs of "
	    "who sends"));
	assert_false(has_reason(&r, "at this hour"));
	detector_free(d);
}

/* Ordinary users: a few messages, IMAP from roaming phones, all ok. */
static void
test_ordinary_users(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	char			 name[64], qid[32];
	int			 u, k;

	(void)state;
	for (k = 0; k < 40; k++)
		for (u = 0; u < 200; u++) {
			snprintf(name, sizeof(name), "user%d@example.com", u);
			login(d, EV_AUTH_OK, SVC_IMAP, T0 + 300 * k + u, name,
			    ip4(100, 64 + (unsigned)k, (unsigned)u, 1));
			if ((k + u) % 8 == 0) {
				snprintf(qid, sizeof(qid), "U%d_%d", u, k);
				submit(d, T0 + 300 * k + u, name,
				    ip4(198, 51, (unsigned)u % 2, 9), qid);
				queued(d, T0 + 300 * k + u, qid, 2);
				qidev(d, EV_DELIVERED, T0 + 300 * k + u + 1,
				    qid, "friend@example.net");
				qidev(d, EV_REMOVED, T0 + 300 * k + u + 1,
				    qid, NULL);
			}
		}
	assert_int_equal(detector_count(d), 200);
	for (u = 0; u < 200; u++) {
		snprintf(name, sizeof(name), "user%d@example.com", u);
		r = report(d, name, &f);
		assert_int_equal(r.peak_level, LEVEL_OK);
	}
	detector_free(d);
}

/* Allow-listed accounts stay ok but keep their numbers and reasons. */
static void
test_allow_list(void **state)
{
	struct detect_config	 cfg;
	struct detector		*d;
	struct account_report	 r;
	struct find		 f;
	char			*allow[] = { "List@Example.com", NULL };
	int			 i;

	(void)state;
	detect_config_defaults(&cfg);
	cfg.allow = allow;
	d = detector_new(&cfg);
	for (i = 0; i < 30; i++)
		submit(d, T0 + i, "list@example.com",
		    ip4(10, (unsigned)i, 1, 1), NULL);
	r = report(d, "list@example.com", &f);
	assert_int_equal(r.allowed, 1);
	assert_int_equal(r.level, LEVEL_OK);
	assert_int_equal(r.peak_level, LEVEL_OK);
	assert_int_equal(r.flagged_at, -1);
	assert_int_equal(r.auth_ips, 30);
	assert_true(r.nreasons >= 2);
	assert_true(strncmp(r.reasons[0], "allow-listed: 30 distinct IPs",
	    29) == 0);
	assert_true(r.score > 0);
	detector_free(d);
}

/* Queue ids carry later events to the submitting account. */
static void
test_qid_attribution(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct detect_totals	 t;
	struct find		 f;

	(void)state;
	submit(d, T0, "alice@example.com", ip4(192, 0, 2, 1), "AQ1");
	submit(d, T0, NULL, ip4(198, 18, 0, 1), "IN1");
	queued(d, T0, "AQ1", 5);
	queued(d, T0 + 300, "AQ1", 5);
	queued(d, T0, "IN1", 50);
	queued(d, T0, "NOSUCH", 50);
	r = report(d, "alice@example.com", &f);
	assert_int_equal(r.recipients, 5);
	assert_int_equal(r.queued_now, 1);
	detector_totals(d, &t);
	assert_int_equal(t.queued_now, 2);
	assert_int_equal(t.messages, 2);
	qidev(d, EV_DELIVERED, T0 + 1, "AQ1", "a@x.example");
	qidev(d, EV_DEFERRED, T0 + 1, "AQ1", "b@y.example");
	qidev(d, EV_BOUNCED, T0 + 1, "NOSUCH", "b@y.example");
	qidev(d, EV_REMOVED, T0 + 2, "AQ1", NULL);
	qidev(d, EV_REMOVED, T0 + 2, "AQ1", NULL);	/* twice: no-op */
	r = report(d, "alice@example.com", &f);
	assert_int_equal(r.queued_now, 0);
	detector_totals(d, &t);
	assert_int_equal(t.queued_now, 1);
	qidev(d, EV_DELETED, T0 + 3, "IN1", NULL);
	detector_totals(d, &t);
	assert_int_equal(t.queued_now, 0);
	assert_int_equal(detector_count(d), 1);
	detector_free(d);
}

/* Deliveries attributed through the qid feed the fail ratio. */
static void
test_qid_deliveries(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	int			 j;

	(void)state;
	submit(d, T0, "bob@example.com", ip4(192, 0, 2, 1), "BQ1");
	submit(d, T0, "carol@example.com", ip4(192, 0, 2, 2), "CQ1");
	for (j = 0; j < 20; j++) {
		qidev(d, EV_BOUNCED, T0 + 1, "BQ1", "z@example.org");
		qidev(d, EV_DELIVERED, T0 + 1, "CQ1", "z@example.org");
	}
	r = report(d, "bob@example.com", &f);
	assert_int_equal(reason_level(&r, "(20 of 20;"), LEVEL_CRITICAL);
	assert_int_equal(r.level, LEVEL_WATCH);	/* bounces alone */
	r = report(d, "carol@example.com", &f);
	assert_int_equal(r.level, LEVEL_OK);
	detector_free(d);
}

/* Score: sum of log2(1 + value / watch). */
static void
test_score(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	double			 want;

	(void)state;
	login(d, EV_AUTH_OK, SVC_SMTP, T0, "s@example.com",
	    ip4(192, 0, 2, 1));
	login(d, EV_AUTH_OK, SVC_SMTP, T0, "s@example.com",
	    ip4(192, 0, 2, 2));
	login(d, EV_AUTH_OK, SVC_SMTP, T0, "s@example.com",
	    ip4(192, 0, 2, 3));
	r = report(d, "s@example.com", &f);
	want = log2(1 + 3.0 / 3) + log2(1 + 1.0 / 3);
	assert_true(fabs(r.score - want) < 1e-9);
	detector_free(d);
}

/* 5 million IPs for one account: memory grows by a bounded amount, and
   the all-time count is an estimate within 5%. */
static void
test_memory_many_ips(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	size_t			 before, after;
	uint32_t		 i;

	(void)state;
	login(d, EV_AUTH_OK, SVC_SMTP, T0, "big@example.com",
	    ip4(1, 1, 1, 1));
	before = detector_memory(d);
	for (i = 0; i < 5000000; i++)
		login(d, EV_AUTH_OK, SVC_SMTP, T0 + i / 2000,
		    "big@example.com", ip4(11 + (i >> 24), (i >> 16) & 255,
		    (i >> 8) & 255, i & 255));
	after = detector_memory(d);
	assert_true(after - before < 512 * 1024);
	r = report(d, "big@example.com", &f);
	assert_int_equal(r.auth_ips_exact, 0);
	assert_true(fabs((double)r.auth_ips - 5000001.0) < 0.05 * 5000001);
	assert_int_equal(r.level, LEVEL_CRITICAL);
	assert_true(has_reason(&r, "~"));
	detector_free(d);
}

/* 100,000 IPs inside one window: estimate within 5%. */
static void
test_estimate_100k(void **state)
{
	struct detector		*d = det_default();
	struct account_report	 r;
	struct find		 f;
	uint32_t		 i;
	const char		*p;
	double			 n;

	(void)state;
	for (i = 0; i < 100000; i++)
		submit(d, T0 + i / 200, "h@example.com",
		    ip4(100, 64 + (i >> 16), (i >> 8) & 255, i & 255), NULL);
	r = report(d, "h@example.com", &f);
	assert_true(fabs((double)r.auth_ips - 100000.0) < 5000.0);
	p = strstr(r.reasons[0], "~");
	assert_non_null(p);
	n = 0;
	for (p++; *p != ' '; p++)
		if (*p != ',')
			n = n * 10 + (*p - '0');
	assert_true(fabs(n - 100000.0) < 5000.0);
	detector_free(d);
}

/* A dictionary attack with 2 million names: no accounts, no growth. */
static void
test_memory_dictionary(void **state)
{
	struct detector		*d = det_default();
	struct detect_totals	 t;
	size_t			 before, mid;
	char			 name[32];
	uint32_t		 i;

	(void)state;
	before = detector_memory(d);
	for (i = 0; i < 2000000; i++) {
		snprintf(name, sizeof(name), "x%08x@example.com",
		    i * 2654435761u);
		login(d, EV_AUTH_FAIL, SVC_SMTP, T0 + i / 1000, name,
		    ip4(203, 0, 113, (unsigned)i & 255));
	}
	/* The failure table grew to its bound (DETECT_FAILS slots of at
	   most 32 bytes), and not a byte more for 2 million more names. */
	mid = detector_memory(d);
	assert_true(mid > before);
	assert_true(mid - before <= (size_t)DETECT_FAILS * 32);
	for (i = 2000000; i < 4000000; i++) {
		snprintf(name, sizeof(name), "x%08x@example.com",
		    i * 2654435761u);
		login(d, EV_AUTH_FAIL, SVC_SMTP, T0 + i / 1000, name,
		    ip4(203, 0, 113, (unsigned)i & 255));
	}
	assert_int_equal(detector_memory(d), mid);
	assert_int_equal(detector_count(d), 0);
	detector_totals(d, &t);
	assert_int_equal(t.auth_fail, 4000000);
	detector_free(d);
}

/* max_accounts refuses new accounts beyond the cap and counts them. */
static void
test_max_accounts(void **state)
{
	struct detect_config	 cfg;
	struct detector		*d;
	struct detect_totals	 t;
	struct mail_event	 ev;
	char			 name[32];
	int			 i;

	(void)state;
	detect_config_defaults(&cfg);
	cfg.max_accounts = 10;
	d = detector_new(&cfg);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "u%d@example.com", i);
		login(d, EV_AUTH_OK, SVC_IMAP, T0, name, ip4(10, 0, 0, 1));
	}
	login(d, EV_AUTH_OK, SVC_IMAP, T0, "U3@EXAMPLE.COM", ip4(10, 0, 0, 1));
	ev = ev_make(EV_AUTH_FAIL, T0);
	ev.flags = EVF_BAD_ACCOUNT;
	detector_feed(d, &ev);
	assert_int_equal(detector_count(d), 10);
	detector_totals(d, &t);
	assert_int_equal(t.accounts_dropped, 10);
	assert_int_equal(t.bad_account, 1);
	assert_int_equal(t.events, 22);
	detector_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_auth_ips_levels),
		cmocka_unit_test(test_imap_not_counted),
		cmocka_unit_test(test_auth_nets_levels),
		cmocka_unit_test(test_msg_rate_levels),
		cmocka_unit_test(test_msg_rate_minute),
		cmocka_unit_test(test_baseline_hours),
		cmocka_unit_test(test_rcpt_rate_levels),
		cmocka_unit_test(test_baseline_levels),
		cmocka_unit_test(test_fanout_levels),
		cmocka_unit_test(test_fail_ratio_levels),
		cmocka_unit_test(test_guessed_levels),
		cmocka_unit_test(test_auth_process_lines_ignored),
		cmocka_unit_test(test_failures_before_first_login),
		cmocka_unit_test(test_seeded_baseline),
		cmocka_unit_test(test_flagged_at_event),
		cmocka_unit_test(test_mistyped_twice),
		cmocka_unit_test(test_queue_share_levels),
		cmocka_unit_test(test_two_signals_bump),
		cmocka_unit_test(test_window_expiry),
		cmocka_unit_test(test_hijack),
		cmocka_unit_test(test_bulk_sender),
		cmocka_unit_test(test_ordinary_users),
		cmocka_unit_test(test_allow_list),
		cmocka_unit_test(test_qid_attribution),
		cmocka_unit_test(test_qid_deliveries),
		cmocka_unit_test(test_score),
		cmocka_unit_test(test_memory_many_ips),
		cmocka_unit_test(test_estimate_100k),
		cmocka_unit_test(test_memory_dictionary),
		cmocka_unit_test(test_max_accounts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
