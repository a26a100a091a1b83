/*
 * test_scan_time.c: the times of scan --since and --until
 * (console/cmd/scan_time.c): absolute dates and times with or without a
 * zone, in UTC and in a local zone with daylight saving (the logs' zone),
 * the day words, relative times, epoch seconds, and every bad input with
 * the message it gets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "cmd/scan_time.h"

#define NOW	1795869296LL	/* 2026-11-28 12:34:56 UTC, 07:34:56 EST */

/* The time s gives, or fail. */
static int64_t
parse(const char *s, int utc)
{
	char	 err[256];
	int64_t	 t;

	if (scan_time_parse(s, NOW, utc, &t, err, sizeof(err)) == -1)
		fail_msg("\"%s\" refused: %s", s, err);
	return t;
}

/* The message s is refused with, or fail. */
static const char *
refuse(const char *s, int utc)
{
	static char	 err[256];
	int64_t		 t = -7;

	if (scan_time_parse(s, NOW, utc, &t, err, sizeof(err)) == 0)
		fail_msg("\"%s\" taken as %lld", s, (long long)t);
	assert_true(t == -7);
	return err;
}

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void
test_utc(void **state)
{
	set_tz("UTC");
	assert_true(parse("2026-11-28", 1) == 1795824000LL);
	assert_true(parse("2026-11-28 09:16", 1) == 1795857360LL);
	assert_true(parse("2026-11-28T09:16", 1) == 1795857360LL);
	assert_true(parse("2026-11-28 04:16:45", 1) == 1795839405LL);
	assert_true(parse("2026-11-28T04:16:45.250Z", 1) == 1795839405LL);
	assert_true(parse("2026-11-28 05:16:45+01:00", 1) == 1795839405LL);
	assert_true(parse("2026-11-28 05:16:45 +0100", 1) == 1795839405LL);
	assert_true(parse("2026-11-27 23:16:45-05", 1) == 1795839405LL);
	assert_true(parse("2026-11-28 04:16:45 UTC", 1) == 1795839405LL);
	assert_true(parse("now", 1) == NOW);
	assert_true(parse("today", 1) == 1795824000LL);
	assert_true(parse("Yesterday", 1) == 1795737600LL);
	assert_true(parse("tomorrow", 1) == 1795824000LL + 86400);
	assert_true(parse("@1795839405", 1) == 1795839405LL);
	assert_true(parse("2024-02-29", 1) == 1709164800LL);
}

static void
test_relative(void **state)
{
	set_tz("UTC");
	assert_true(parse("2h", 1) == NOW - 7200);
	assert_true(parse("2h ago", 1) == NOW - 7200);
	assert_true(parse("-2h", 1) == NOW - 7200);
	assert_true(parse("1h30m", 1) == NOW - 5400);
	assert_true(parse("1h 30min ago", 1) == NOW - 5400);
	assert_true(parse("90 min", 1) == NOW - 5400);
	assert_true(parse("45s", 1) == NOW - 45);
	assert_true(parse("7d", 1) == NOW - 7 * 86400);
	assert_true(parse("2 weeks", 1) == NOW - 14 * 86400);
	/* the zone does not move a duration */
	set_tz("EST5EDT,M3.2.0,M11.1.0");
	assert_true(parse("2h", 0) == NOW - 7200);
}

/* The logs' zone when it is local: daylight saving, day words. */
static void
test_local(void **state)
{
	set_tz("EST5EDT,M3.2.0,M11.1.0");
	assert_true(parse("2026-11-28 04:16", 0) == 1795857360LL);
	assert_true(parse("2026-11-28 04:16", 1) == 1795857360LL - 5 * 3600);
	assert_true(parse("2026-07-01", 0) == 1782878400LL);	/* EDT, -4 */
	assert_true(parse("today", 0) == 1795842000LL);
	assert_true(parse("yesterday", 0) == 1795755600LL);
	/* a zone given wins over the logs' */
	assert_true(parse("2026-11-28T04:16:45Z", 0) == 1795839405LL);
	/* 02:30 on the day EDT starts does not exist */
	assert_non_null(strstr(refuse("2026-03-08 02:30", 0),
	    "exists in the local zone"));
	assert_true(parse("2026-03-08 02:30", 1) > 0);
	set_tz("UTC");
}

static void
test_bad(void **state)
{
	static const struct {
		const char	*in;
		const char	*want;
	} v[] = {
		{ "", "is not a time" },
		{ "yesterdy", "is not a time" },
		{ "2x", "is not a time" },
		{ "2h30", "is not a time" },
		{ "h", "is not a time" },
		{ "-", "is not a time" },
		{ "2h ago ago", "is not a time" },
		{ "@", "is not a time" },
		{ "@12x", "is not a time" },
		{ "@99999999999999", "is not a time" },
		{ "2026-13-01", "a date like 2026-11-28" },
		{ "2026-02-29", "a date like 2026-11-28" },
		{ "2026-11-31", "a date like 2026-11-28" },
		{ "2026-1-1", "a date like 2026-11-28" },
		{ "1969-12-31", "a date like 2026-11-28" },
		{ "2026-11-28 25:00", "a time like 04:16" },
		{ "2026-11-28 04:60", "a time like 04:16" },
		{ "2026-11-28 04:16:61", "a time like 04:16" },
		{ "2026-11-28 4:16", "a time like 04:16" },
		{ "2026-11-28 04:16 +25:00", "a zone like Z" },
		{ "2026-11-28 04:16 EST", "a zone like Z" },
		{ "2026-11-28x", "a zone like Z" },
		{ "10000000h", "is not a time" },
		{ "\033[2Jnow", "\\x1b[2Jnow" },
	};
	size_t	 i;
	const char *err;

	set_tz("UTC");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		err = refuse(v[i].in, 1);
		if (strstr(err, v[i].want) == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", v[i].in, err,
			    v[i].want);
		if (strchr(err, '\033') != NULL)
			fail_msg("\"%s\": an escape byte in the message",
			    v[i].in);
	}
}

static void
test_format(void **state)
{
	char	 buf[64];

	set_tz("EST5EDT,M3.2.0,M11.1.0");
	assert_string_equal(scan_time_format(1795839405LL, 1, buf,
	    sizeof(buf)), "2026-11-28 04:16:45 UTC");
	assert_string_equal(scan_time_format(1795839405LL, 0, buf,
	    sizeof(buf)), "2026-11-27 23:16:45 EST");
	set_tz("UTC");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utc),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
