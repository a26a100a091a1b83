/* test_logline.c: header splitting, time zones and year inference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "backends/backend.h"
#include "backends/logline.h"

/* 2026-11-28 12:00:00 UTC */
#define REF	INT64_C(1795867200)

/* Use a POSIX TZ string so the test needs no zoneinfo files. */
static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/*
 * Split a copy of s held in a buffer of exactly its length, so that ASan
 * catches a read past the end.
 */
static int
split(struct log_clock *c, const char *s, struct log_header *h)
{
	size_t	 len = strlen(s);
	char	*buf = malloc(len > 0 ? len : 1);
	int	 rc;

	assert_non_null(buf);
	memcpy(buf, s, len);
	rc = logline_split(c, buf, len, h);
	/* the borrowed strings must point into buf: rebase them on s */
	if (rc == 0) {
		h->host.p = s + (h->host.p - buf);
		h->prog.p = s + (h->prog.p - buf);
		h->msg.p = s + (h->msg.p - buf);
	}
	free(buf);
	return rc;
}

/* Split with a fresh clock at REF. */
static int
split1(const char *s, struct log_header *h)
{
	struct log_clock	 c;

	log_clock_init(&c, REF);
	return split(&c, s, h);
}

static void
assert_mstr(const struct mail_str *m, const char *want)
{
	assert_int_equal(m->len, strlen(want));
	assert_memory_equal(m->p, want, m->len);
}

/* Seconds since the epoch of a UTC date, for readable expectations. */
static int64_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm);
}

static void
test_classic_syslog(void **state)
{
	struct log_header	 h;

	(void)state;
	set_tz("UTC0");
	assert_int_equal(split1("Nov 28 03:00:26 mail postfix/smtpd[14727]: "
	    "BAC3910614B: removed", &h), 0);
	assert_int_equal(h.time, utc(2026, 11, 28, 3, 0, 26));
	assert_int_equal(h.usec, 0);
	assert_mstr(&h.host, "mail");
	assert_mstr(&h.prog, "postfix/smtpd");
	assert_mstr(&h.msg, "BAC3910614B: removed");
	assert_int_equal(h.pid, 14727);

	/* the pid of the tag only: a number in the message is not it; one
	   past pid_max is none */
	assert_int_equal(split1("Nov 28 03:00:26 mail postfix/smtpd[4194304]: "
	    "x[77]: y", &h), 0);
	assert_int_equal(h.pid, 4194304);
	assert_int_equal(split1("Nov 28 03:00:26 mail postfix/smtpd[4194305]: "
	    "x", &h), 0);
	assert_int_equal(h.pid, 0);
	assert_int_equal(split1("Nov 28 03:00:26 mail postfix/smtpd"
	    "[99999999999999999999]: x", &h), 0);
	assert_int_equal(h.pid, 0);
	assert_int_equal(split1("2026-11-28T03:01:06.123456+00:00 mx "
	    "postfix/submission/smtpd[812]: x", &h), 0);
	assert_int_equal(h.pid, 812);

	/* no pid, space-padded day, fraction */
	assert_int_equal(split1("Nov  1 03:00:26.5 mx postfix/qmgr: x", &h), 0);
	assert_int_equal(h.time, utc(2026, 11, 1, 3, 0, 26));
	assert_int_equal(h.usec, 500000);
	assert_mstr(&h.prog, "postfix/qmgr");
	assert_mstr(&h.msg, "x");
	assert_int_equal(h.pid, 0);
	assert_int_equal(split1("Nov 28 03:00:26.123456789 mx p[1]: x", &h), 0);
	assert_int_equal(h.usec, 123456);

	/* an empty message */
	assert_int_equal(split1("Nov 28 03:00:26 mail postfix/qmgr[1]:", &h), 0);
	assert_int_equal(h.msg.len, 0);
}

static void
test_dovecot_log_path(void **state)
{
	struct log_header	 h;

	(void)state;
	set_tz("UTC0");
	assert_int_equal(split1("Nov 28 03:01:06 auth: Info: passwd-file("
	    "ivan@example.test,127.66.0.2): Password mismatch", &h), 0);
	assert_int_equal(h.host.len, 0);
	assert_mstr(&h.prog, "auth");
	assert_mstr(&h.msg, "Info: passwd-file(ivan@example.test,127.66.0.2): "
	    "Password mismatch");

	assert_int_equal(split1("Nov 28 03:01:06 imap-login: Info: Login: "
	    "user=<a>", &h), 0);
	assert_int_equal(h.host.len, 0);
	assert_mstr(&h.prog, "imap-login");

	/* 2.3 auth-worker with its pid in parentheses */
	assert_int_equal(split1("Nov 28 03:01:06 auth-worker(123): Info: "
	    "sql(a,1.2.3.4): unknown user", &h), 0);
	assert_mstr(&h.prog, "auth-worker");
	assert_mstr(&h.msg, "Info: sql(a,1.2.3.4): unknown user");

	/* 2.4 event prefix: the login is left in msg for the backend */
	assert_int_equal(split1("Aug 15 17:06:02 auth(tom x: y,172.17.0.1,"
	    "sasl:plain)<Cd5N>: Info: passwd-file: unknown user", &h), 0);
	assert_int_equal(h.host.len, 0);
	assert_mstr(&h.prog, "auth");
	assert_mstr(&h.msg, "auth(tom x: y,172.17.0.1,sasl:plain)<Cd5N>: "
	    "Info: passwd-file: unknown user");

	/* syslog form: host, then "dovecot[pid]:" */
	assert_int_equal(split1("Nov 28 03:01:06 mail dovecot[42]: auth: "
	    "passwd-file(a,1.2.3.4): unknown user", &h), 0);
	assert_mstr(&h.host, "mail");
	assert_mstr(&h.prog, "dovecot");
	assert_mstr(&h.msg, "auth: passwd-file(a,1.2.3.4): unknown user");
}

static void
test_rfc3339(void **state)
{
	struct log_header	 h;
	int64_t			 t = utc(2026, 11, 28, 3, 0, 26);

	(void)state;
	set_tz("CET-1CEST,M3.5.0,M10.5.0/3");	/* must not matter */
	assert_int_equal(split1("2026-11-28T03:00:26Z mail postfix/qmgr[1]: "
	    "x", &h), 0);
	assert_int_equal(h.time, t);
	assert_int_equal(split1("2026-11-28T04:00:26.654321+01:00 mail "
	    "postfix/qmgr[1]: x", &h), 0);
	assert_int_equal(h.time, t);
	assert_int_equal(h.usec, 654321);
	assert_mstr(&h.host, "mail");
	assert_int_equal(split1("2026-11-27T22:00:26-0500 mail p[1]: x", &h),
	    0);
	assert_int_equal(h.time, t);
	assert_int_equal(split1("2026-11-28T08:30:26+0530 mail p[1]: x", &h),
	    0);
	assert_int_equal(h.time, t);
	/* no zone: local time (CET in November) */
	assert_int_equal(split1("2026-11-28T04:00:26 mail p[1]: x", &h), 0);
	assert_int_equal(h.time, t);
	set_tz("UTC0");
}

static void
test_local_zone(void **state)
{
	struct log_header	 h;
	struct log_clock	 c;

	(void)state;
	/* Central Europe: +1 in winter, +2 in summer */
	set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
	assert_int_equal(split1("Nov 28 04:00:26 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2026, 11, 28, 3, 0, 26));
	assert_int_equal(split1("Jul 10 14:00:00 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2026, 7, 10, 12, 0, 0));

	/* across the spring change in one file: the cache follows the hour */
	log_clock_init(&c, utc(2026, 4, 1, 0, 0, 0));
	assert_int_equal(split(&c, "Mar 29 01:59:59 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2026, 3, 29, 0, 59, 59));
	assert_int_equal(split(&c, "Mar 29 03:00:00 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2026, 3, 29, 1, 0, 0));
	assert_int_equal(split(&c, "Mar 29 03:30:00 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2026, 3, 29, 1, 30, 0));

	/* the utc flag: classic times are UTC whatever TZ says */
	log_clock_init(&c, REF);
	c.utc = 1;
	assert_int_equal(split(&c, "Nov 28 04:00:26 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2026, 11, 28, 4, 0, 26));

	/* US Eastern */
	set_tz("EST5EDT,M3.2.0,M11.1.0");
	assert_int_equal(split1("Nov 28 04:00:26 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2026, 11, 28, 9, 0, 26));
	set_tz("UTC0");
}

static void
test_year_inference(void **state)
{
	struct log_header	 h;
	struct log_clock	 c;

	(void)state;
	set_tz("UTC0");
	/* a date later than ref_time by more than a day is last year's */
	log_clock_init(&c, REF);
	assert_int_equal(split(&c, "Dec 30 10:00:00 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2025, 12, 30, 10, 0, 0));
	/* within a day after ref_time is still this year (clock skew) */
	log_clock_init(&c, REF);
	assert_int_equal(split(&c, "Nov 29 10:00:00 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2026, 11, 29, 10, 0, 0));

	/* ref_time just after New Year, file from New Year's Eve */
	log_clock_init(&c, utc(2027, 1, 1, 0, 0, 30));
	assert_int_equal(split(&c, "Dec 31 23:59:50 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2026, 12, 31, 23, 59, 50));
	/* and the file goes on into the new year */
	assert_int_equal(split(&c, "Jan  1 00:00:10 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2027, 1, 1, 0, 0, 10));
	assert_int_equal(c.year, 2027);

	/* ref_time just after New Year, first line from the new year */
	log_clock_init(&c, utc(2027, 1, 1, 0, 5, 0));
	assert_int_equal(split(&c, "Jan  1 00:00:10 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2027, 1, 1, 0, 0, 10));

	/* one month back is disorder, not a new year */
	log_clock_init(&c, REF);
	assert_int_equal(split(&c, "Nov  1 00:00:00 m p[1]: x", &h), 0);
	assert_int_equal(split(&c, "Oct 31 23:59:59 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2026, 10, 31, 23, 59, 59));
	assert_int_equal(split(&c, "Nov  1 00:00:01 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2026, 11, 1, 0, 0, 1));

	/* a broken line does not move the inference */
	log_clock_init(&c, utc(2027, 1, 5, 0, 0, 0));
	assert_int_equal(split(&c, "Dec 31 23:59:50 m p[1]: x", &h), 0);
	assert_int_equal(split(&c, "Jan  1 00:00:10 m no tag here", &h), -1);
	assert_int_equal(c.year, 2026);

	/* a fixed year is never changed */
	log_clock_init(&c, REF);
	c.year = 2019;
	c.fixed_year = 1;
	assert_int_equal(split(&c, "Dec 31 23:59:50 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2019, 12, 31, 23, 59, 50));
	assert_int_equal(split(&c, "Jan  1 00:00:10 m p[1]: x", &h), 0);
	assert_int_equal(h.time, utc(2019, 1, 1, 0, 0, 10));
}

static void
test_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"Nov 28 03:00:26",
		"Nov 28 03:00:26 ",
		"Nov 28 03:00:26 mail",
		"Nov 28 03:00:26 mail postfix/qmgr[1] x",
		"Nov 28 03:00:26 mail postfix/qmgr[]: x",
		"Nov 28 03:00:26 mail postfix/qmgr[1x]: x",
		"Nov 28 03:00:26 mail post[fix]/qmgr[1]: x",
		"Nov 28 03:00:26  mail postfix/qmgr[1]: x",
		"Nov 28 03:00:26 mail :x",
		"Nov 32 03:00:26 mail postfix/qmgr[1]: x",
		"Nov 28 24:00:26 mail postfix/qmgr[1]: x",
		"Nov 28 03:60:26 mail postfix/qmgr[1]: x",
		"nov 28 03:00:26 mail postfix/qmgr[1]: x",
		"Nov 28 03:00:26.x mail postfix/qmgr[1]: x",
		"Nov 28 03:00:26.1234567890 mail postfix/qmgr[1]: x",
		"2026-11-28 mail postfix/qmgr[1]: x",
		"2026-00-28T03:00:26Z mail postfix/qmgr[1]: x",
		"2026-11-28T03:00:26+25:00 mail postfix/qmgr[1]: x",
		"2026-11-28T03:00:26+01: mail postfix/qmgr[1]: x",
		"2026-11-28T03:00:26Zmail postfix/qmgr[1]: x",
	};
	struct log_header	 h, keep;
	size_t			 i;

	(void)state;
	set_tz("UTC0");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&h, 0x5a, sizeof(h));
		keep = h;
		if (split1(bad[i], &h) != -1)
			fail_msg("accepted: \"%s\"", bad[i]);
		/* out is untouched on failure */
		assert_memory_equal(&h, &keep, sizeof(h));
	}
}

static void
test_hostile_bytes(void **state)
{
	struct log_clock	 c;
	struct log_header	 h;
	static const char	 crlf[] = "Nov 28 03:00:26 mail p[1]: x\r";
	static const char	 nul[] = "Nov 28 03:00:26 mail p[1]: a\0b";
	static const char	 nulhdr[] = "Nov 28 03:00:26 ma\0l p[1]: a";
	static const char	 highprog[] = "Nov 28 03:00:26 mail p\xc3\xa9[1]: a";
	char			*big;
	size_t			 n;

	(void)state;
	set_tz("UTC0");
	log_clock_init(&c, REF);
	/* one trailing CR is dropped */
	assert_int_equal(logline_split(&c, crlf, sizeof(crlf) - 1, &h), 0);
	assert_mstr(&h.msg, "x");
	/* NUL bytes in the message are data */
	assert_int_equal(logline_split(&c, nul, sizeof(nul) - 1, &h), 0);
	assert_int_equal(h.msg.len, 3);
	assert_memory_equal(h.msg.p, "a\0b", 3);
	/* a host is any bytes up to a space; a program is printable ASCII */
	assert_int_equal(logline_split(&c, nulhdr, sizeof(nulhdr) - 1, &h), 0);
	assert_int_equal(h.host.len, 4);
	assert_int_equal(logline_split(&c, highprog, sizeof(highprog) - 1,
	    &h), -1);
	/* every prefix of a valid line, read from an exact-size buffer */
	for (n = 0; n < sizeof(crlf) - 1; n++) {
		big = malloc(n + 1);
		assert_non_null(big);
		memcpy(big, crlf, n);
		(void)logline_split(&c, big, n, &h);
		free(big);
	}
	/* a megabyte of message */
	n = 1024 * 1024;
	big = malloc(n);
	assert_non_null(big);
	memset(big, 'x', n);
	memcpy(big, "Nov 28 03:00:26 mail p[1]: ", 27);
	assert_int_equal(logline_split(&c, big, n, &h), 0);
	assert_int_equal(h.msg.len, n - 27);
	/* a megabyte that never gets to a tag */
	memset(big + 16, 'y', n - 16);
	assert_int_equal(logline_split(&c, big, n, &h), -1);
	free(big);
	assert_int_equal(logline_split(&c, NULL, 10, &h), -1);
}

/*
 * One clock through an Exim main log whose lines share their stamp: the
 * stamp settled once (logline.c caches it) must give every line what a
 * fresh clock gives it, whatever follows the stamp: an id, "[pid] ", a
 * zone, milliseconds, a session line, or the host and tag of a syslog
 * line with the same space-separated stamp; and a change of zone or of
 * --utc between lines.
 */
static void
test_exim_same_stamp(void **state)
{
	static const char *const lines[] = {
		"2026-11-28 03:00:26 1xSk8e-000450-00 Completed",
		"2026-11-28 03:00:26 1xSk8e-000450-00 <= a@b H=[1.2.3.4]",
		"2026-11-28 03:00:26 [4242] 1xSk8e-000450-00 Completed",
		"2026-11-28 03:00:26 +0100 1xSk8e-000450-00 Completed",
		"2026-11-28 03:00:26.250 1xSk8e-000450-00 Completed",
		"2026-11-28 03:00:26 H=(x) [1.2.3.4] rejected RCPT <a@b>",
		"2026-11-28 03:00:26 mail postfix/qmgr[1]: 1A2B3C: removed",
		"2026-11-28 03:00:26 mail exim[77]: 1xSk8e-000450-00 Completed",
		"2026-11-28 03:00:26 1xSk8e-000450-00 Completed",
		"2026-11-28 03:00:26 ",
		"2026-11-28 03:00:26 1xSk8e-000450-00 Completed",
		"2026-11-28 03:00:27 1xSk8e-000450-00 Completed",
	};
	struct log_clock	 c, fresh;
	struct log_header	 h, w;
	size_t			 i;
	int			 zutc, rc;

	(void)state;
	set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
	for (zutc = 0; zutc <= 1; zutc++) {
		log_clock_init(&c, REF);
		for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
			/* a --utc reader and a local one on the same lines */
			c.utc = i % 3 == 2 ? !zutc : zutc;
			log_clock_init(&fresh, REF);
			fresh.utc = c.utc;
			rc = split(&fresh, lines[i], &w);
			assert_int_equal(split(&c, lines[i], &h), rc);
			if (rc != 0)
				continue;
			assert_int_equal(h.time, w.time);
			assert_int_equal(h.usec, w.usec);
			assert_ptr_equal(h.msg.p, w.msg.p);
			assert_int_equal(h.msg.len, w.msg.len);
			assert_int_equal(h.prog.len, w.prog.len);
			assert_int_equal(h.host.len, w.host.len);
			assert_int_equal(h.pid, w.pid);
		}
	}
	/* the zone and the milliseconds are read, not the cached stamp's */
	log_clock_init(&c, REF);
	c.utc = 1;
	assert_int_equal(split(&c, lines[0], &h), 0);
	assert_int_equal(h.time, utc(2026, 11, 28, 3, 0, 26));
	assert_int_equal(split(&c, lines[3], &h), 0);
	assert_int_equal(h.time, utc(2026, 11, 28, 2, 0, 26));
	assert_int_equal(split(&c, lines[4], &h), 0);
	assert_int_equal(h.usec, 250000);
	assert_int_equal(split(&c, lines[6], &h), 0);
	assert_mstr(&h.prog, "postfix/qmgr");
	set_tz("UTC0");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classic_syslog),
		cmocka_unit_test(test_dovecot_log_path),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_local_zone),
		cmocka_unit_test(test_year_inference),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_exim_same_stamp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
