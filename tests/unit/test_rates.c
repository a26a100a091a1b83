/*
 * test_rates.c: the rates every view shows (live/rates.h): the last 60 s
 * and the window's average, from per-minute counts; and that an account's
 * rates (the detector's minutes, detector_recent) and its server's (the
 * servers view's minutes) agree for the same messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "detect/detect_detail.h"
#include "detect/detector.h"
#include "live/rates.h"

#define T0	1700000040	/* a minute's start */

/* The current minute counts whole; the minute before by its share. */
static void
test_last_minute(void **state)
{
	(void)state;
	/* 400 in the first 17 s of a minute: 400 a minute, not 40 */
	assert_true(rate_last_minute(0, 400, 17) == 400);
	/* 30 s in: half of the minute before is in the last 60 s */
	assert_true(rate_last_minute(300, 100, 30) == 250);
	assert_true(rate_last_minute(60, 0, 0) == 60);
	/* out-of-range seconds are clamped, never a negative share */
	assert_true(rate_last_minute(60, 0, 90) == 1);
	assert_true(rate_last_minute(60, 0, -5) == 60);
}

/* The window's average: window / 60 + 1 buckets over window / 60 minutes. */
static void
test_window(void **state)
{
	uint32_t	 m[20];
	int		 i;

	(void)state;
	for (i = 0; i < 20; i++)
		m[i] = 10;
	/* 11 buckets of 10 over 10 minutes */
	assert_true(rate_window(m, 20, 600) == 11);
	assert_true(rate_window(m, 3, 600) == 3);
	/* the oldest are left out */
	m[0] = 1000;
	assert_true(rate_window(m, 20, 600) == 11);
}

/* A clock past the last bucket: the minutes between had nothing. */
static void
test_minutes_ahead(void **state)
{
	uint32_t	 m[60] = { 0 };
	double		 last, avg;

	(void)state;
	m[59] = 400;	/* minute 1000 */
	rate_minutes(m, 60, 1000, 1000 * 60 + 17, 600, &last, &avg);
	assert_true(last == 400);
	assert_true(avg == 40);
	/* a minute later, 17 s in: the burst is 43 s of the last 60 */
	rate_minutes(m, 60, 1000, 1001 * 60 + 17, 600, &last, &avg);
	assert_true(last > 286 && last < 287);
	assert_true(avg == 40);
	/* eleven minutes later it has left the window */
	rate_minutes(m, 60, 1000, 1011 * 60, 600, &last, &avg);
	assert_true(last == 0);
	assert_true(avg == 0);
}

/* n submissions by acct at t (a queue id each). */
static void
submit(struct detector *d, int64_t t, const char *acct, int n, int base)
{
	struct mail_event	 ev;
	char			 qid[16];
	int			 i;

	for (i = 0; i < n; i++) {
		memset(&ev, 0, sizeof(ev));
		snprintf(qid, sizeof(qid), "A%06dB", base + i);
		ev.kind = EV_SUBMIT;
		ev.service = SVC_SMTP;
		ev.time = t;
		ev.qid.p = qid;
		ev.qid.len = strlen(qid);
		ev.account.p = acct;
		ev.account.len = strlen(acct);
		ev.client.family = 4;
		ev.client.bytes[0] = 127;
		ev.client.bytes[3] = 1;
		ev.nrcpt = 1;
		detector_feed(d, &ev);
	}
}

static struct account_report	 reported;

/* detector_foreach: keep the one account's report. */
static void
keep_report(const struct account_report *r, void *arg)
{
	reported = *r;
}

/*
 * The same messages counted by the detector (an account's rates) and per
 * minute as the servers view counts them give the same two rates.
 */
static void
test_views_agree(void **state)
{
	struct detect_config	 cfg;
	struct detector		*d;
	uint32_t		 mins[60] = { 0 }, now, before;
	double			 last, avg;
	int			 sec;

	(void)state;
	detect_config_defaults(&cfg);
	d = detector_new(&cfg);
	/* 100 three minutes ago, then a burst of 400 in 17 s */
	submit(d, T0 - 180, "judy@example.test", 100, 0);
	mins[56] = 100;
	submit(d, T0, "judy@example.test", 200, 1000);
	submit(d, T0 + 17, "judy@example.test", 200, 2000);
	mins[59] = 400;
	detector_tick(d, T0 + 30);
	assert_int_equal(detector_recent(d, 0, &now, &before, &sec), 0);
	assert_int_equal(now, 400);
	assert_int_equal(before, 0);
	assert_int_equal(sec, 30);
	rate_minutes(mins, 60, T0 / 60, T0 + 30, cfg.window, &last, &avg);
	assert_true(rate_last_minute(before, now, sec) == last);
	assert_true(last == 400);
	detector_foreach(d, keep_report, NULL);
	assert_true(reported.rate_now == avg);
	assert_true(avg == 50);
	/* a minute on, both slide the same way */
	detector_tick(d, T0 + 75);
	assert_int_equal(detector_recent(d, 0, &now, &before, &sec), 0);
	rate_minutes(mins, 60, T0 / 60, T0 + 75, cfg.window, &last, &avg);
	assert_true(rate_last_minute(before, now, sec) == last);
	assert_true(last == 300);
	assert_int_equal(detector_recent(d, 1, &now, &before, &sec), -1);
	detector_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_minute),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_minutes_ahead),
		cmocka_unit_test(test_views_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
