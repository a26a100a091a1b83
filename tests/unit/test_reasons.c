/*
 * test_reasons.c: the structured form of the detector's reasons
 * (detector_reasons): each reason's signal, value, threshold and level
 * beside the very sentence the report gives, in the report's order, at
 * the worst moment (peak) and now; what scan --json prints as "signals".
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
#include "detect/detector.h"

#define T0	1700000000

/* A submission by acct from 10.0.a.b with queue id qid at t. */
static void
submit(struct detector *d, int64_t t, const char *acct, int a, int b,
    const char *qid)
{
	struct mail_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_SUBMIT;
	ev.time = t;
	ev.account.p = acct;
	ev.account.len = strlen(acct);
	ev.qid.p = qid;
	ev.qid.len = strlen(qid);
	ev.client.family = 4;
	ev.client.bytes[0] = 10;
	ev.client.bytes[2] = (uint8_t)a;
	ev.client.bytes[3] = (uint8_t)b;
	detector_feed(d, &ev);
}

/* The report of account name. */
static struct account_report	 got;

static void
grab(const struct account_report *r, void *arg)
{
	if (strcmp(r->account, (const char *)arg) == 0)
		got = *r;
}

static void
test_structured(void **state)
{
	struct detect_config	 cfg;
	struct detector		*d;
	struct reason		 why[SIG_COUNT];
	char			 qid[32];
	long			 idx;
	int			 i, n;

	detect_config_defaults(&cfg);
	d = detector_new(&cfg);
	/* 25 addresses in 25 networks within a minute: auth_ips and
	   auth_nets critical (20 and 15) */
	for (i = 0; i < 25; i++) {
		snprintf(qid, sizeof(qid), "4A%08X", i);
		submit(d, T0 + i, "judy@example.test", i, 1, qid);
	}
	/* an hour later the window is quiet: now differs from the peak */
	submit(d, T0 + 3600, "judy@example.test", 0, 1, "4AFFFFFF");
	idx = detector_find(d, "JUDY@example.test");
	assert_true(idx >= 0);
	detector_foreach(d, grab, "judy@example.test");

	n = detector_reasons(d, idx, 1, why, SIG_COUNT);
	/* every reason but the note after them (a young account's) */
	assert_int_equal(n, got.npeak_reasons - 1);
	assert_non_null(strstr(got.peak_reasons[n], "no history yet"));
	assert_true(n >= 2);
	for (i = 0; i < n; i++) {
		/* the same sentence, in the same order, as the report */
		assert_string_equal(why[i].text, got.peak_reasons[i]);
		assert_true(why[i].value >= why[i].threshold);
	}
	assert_string_equal(why[0].signal, "auth_ips");
	assert_true(why[0].value == 25);
	assert_true(why[0].threshold == 20);
	assert_int_equal(why[0].level, LEVEL_CRITICAL);
	assert_non_null(strstr(why[0].text, "25 distinct IPs"));
	assert_string_equal(why[1].signal, "auth_nets");
	assert_true(why[1].threshold == 15);
	/* now: nothing past a threshold any more */
	n = detector_reasons(d, idx, 0, why, SIG_COUNT);
	assert_int_equal(n, got.nreasons);
	for (i = 0; i < n; i++)
		assert_string_equal(why[i].text, got.reasons[i]);
	/* cap and a bad index */
	assert_int_equal(detector_reasons(d, idx, 1, why, 1), 1);
	assert_int_equal(detector_reasons(d, 99, 1, why, SIG_COUNT), 0);
	assert_int_equal(detector_reasons(d, -1, 1, why, SIG_COUNT), 0);
	detector_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structured),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
