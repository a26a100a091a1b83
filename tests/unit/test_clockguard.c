/* test_clockguard.c: a log source's effective clock, offline and live. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "intake/clockguard.h"

#define T0	1795000000LL	/* 2026-11-18, any time will do */
#define H	3600

/* Feed stamps as scan does (foreseeing jumps ahead); effective times in e. */
static void
offline(struct clockguard *g, const int64_t *t, size_t n, int64_t *e)
{
	size_t	 i, k;

	for (i = 0; i < n; i++) {
		if (clockguard_jumps_ahead(g, t[i])) {
			k = n - i < CLOCK_CONFIRM ? n - i : CLOCK_CONFIRM;
			clockguard_foresee(g, t + i, k);
		}
		e[i] = clockguard_time(g, t[i], -1, 0);
	}
}

/* Ordinary lines, with disorder up to the tolerance, keep their own time
   (an older one counts at the latest); one second more is a jump. */
static void
test_tolerance(void **state)
{
	struct clockguard	 g;
	int64_t			 t[] = { T0, T0 + 5, T0 + 5 - CLOCK_TOLERANCE,
				    T0 + 5 + CLOCK_TOLERANCE, T0 + 70 };
	int64_t			 e[5];

	(void)state;
	clockguard_init(&g);
	offline(&g, t, 5, e);
	assert_int_equal(e[0], T0);
	assert_int_equal(e[1], T0 + 5);
	assert_int_equal(e[2], T0 + 5);		/* not back in time */
	assert_int_equal(e[3], T0 + 65);
	assert_int_equal(e[4], T0 + 70);
	assert_int_equal(g.findings, 0);

	/* 61 s back from the latest: judged, and one line is an anomaly */
	clockguard_init(&g);
	assert_int_equal(clockguard_time(&g, T0, -1, 0), T0);
	assert_int_equal(clockguard_time(&g, T0 - CLOCK_TOLERANCE - 1, -1, 0),
	    T0);
	assert_int_equal(g.dir, -1);
	assert_int_equal(clockguard_time(&g, T0 + 1, -1, 0), T0 + 1);
	assert_int_equal(g.anomalies, 1);
	assert_int_equal(g.jump, -CLOCK_TOLERANCE - 1);
}

/* One line three hours ahead: counted where it is, the rest untouched. */
static void
test_offline_spike(void **state)
{
	struct clockguard	 g;
	int64_t			 t[] = { T0, T0 + 60, T0 + 60 + 3 * H,
				    T0 + 120, T0 + 180, T0 + 240 };
	int64_t			 e[6];
	char			 text[200];

	(void)state;
	clockguard_init(&g);
	offline(&g, t, 6, e);
	assert_int_equal(e[2], T0 + 60);
	assert_int_equal(e[3], T0 + 120);
	assert_int_equal(e[5], T0 + 240);
	assert_int_equal(g.anomalies, 1);
	assert_int_equal(g.steps, 0);
	assert_int_equal(g.jump, 3 * H);
	clockguard_describe(&g, text, sizeof(text));
	assert_string_equal(text, "clock anomaly: 1 line stamped 3h 0m ahead "
	    "of the lines around it, counted in arrival order");
}

/* CLOCK_CONFIRM - 1 lines ahead are still an anomaly; CLOCK_CONFIRM lines
   ahead are time that passed (offline a quiet spell looks the same). */
static void
test_offline_confirm(void **state)
{
	struct clockguard	 g;
	int64_t			 t[] = { T0, T0 + 3 * H, T0 + 3 * H + 1,
				    T0 + 10, T0 + 20 };
	int64_t			 u[] = { T0, T0 + 3 * H, T0 + 3 * H + 1,
				    T0 + 3 * H + 2, T0 + 3 * H + 3 };
	int64_t			 e[5];

	(void)state;
	assert_int_equal(CLOCK_CONFIRM, 3);
	clockguard_init(&g);
	offline(&g, t, 5, e);
	assert_int_equal(e[1], T0);
	assert_int_equal(e[2], T0);
	assert_int_equal(e[3], T0 + 10);
	assert_int_equal(g.anomalies, 2);

	clockguard_init(&g);
	offline(&g, u, 5, e);
	assert_int_equal(e[1], T0 + 3 * H);
	assert_int_equal(e[2], T0 + 3 * H + 1);
	assert_int_equal(e[4], T0 + 3 * H + 3);
	assert_int_equal(g.findings, 0);
	assert_int_equal(g.off, 0);
}

/* A sparse log, a line every quarter hour, is ordinary. */
static void
test_offline_sparse(void **state)
{
	struct clockguard	 g;
	int64_t			 t[8], e[8];
	int			 i;

	(void)state;
	for (i = 0; i < 8; i++)
		t[i] = T0 + i * 900;
	clockguard_init(&g);
	offline(&g, t, 8, e);
	for (i = 0; i < 8; i++)
		assert_int_equal(e[i], t[i]);
	assert_int_equal(g.findings, 0);
}

/* A clock stepped back two hours and stays: times go on from before the
   step, never back; a single line back is an anomaly. */
static void
test_step_back(void **state)
{
	struct clockguard	 g;
	int64_t			 t[] = { T0, T0 + 30, T0 - 2 * H + 30,
				    T0 - 2 * H + 40, T0 - 2 * H + 50,
				    T0 - 2 * H + 90 };
	int64_t			 e[6];
	char			 text[200];

	(void)state;
	clockguard_init(&g);
	offline(&g, t, 6, e);
	assert_int_equal(e[2], T0 + 30);
	assert_int_equal(e[3], T0 + 30);
	assert_int_equal(e[4], T0 + 30);
	assert_int_equal(e[5], T0 + 90);	/* 60 s after the step */
	assert_int_equal(g.steps, 1);
	assert_int_equal(g.anomalies, 0);
	assert_int_equal(g.off, 2 * H);
	clockguard_describe(&g, text, sizeof(text));
	assert_string_equal(text, "clock stepped back 2h 0m and stayed there: "
	    "times go on from where they were (later by 2h 0m)");
	/* and a line ahead after it: the summary has both */
	(void)clockguard_time(&g, T0 - 2 * H + 100 + 3 * H, -1, 0);
	(void)clockguard_time(&g, T0 - 2 * H + 110, -1, 0);
	clockguard_summary(&g, text, sizeof(text));
	assert_string_equal(text, "1 line stamped far from the lines around "
	    "it (the latest 3h 0m ahead), counted in arrival order; 1 clock "
	    "step (the latest back 2h 0m, later times moved 2h 0m later)");
}

/* Every stamp three hours ahead of the wall clock, from the first line:
   consistent, so its own time is used, live as well. */
static void
test_all_future(void **state)
{
	struct clockguard	 g;
	int64_t			 ms = 1000, e;
	int			 i;

	(void)state;
	clockguard_init(&g);
	for (i = 0; i < 20; i++) {
		e = clockguard_time(&g, T0 + 3 * H + i * 30, ms + i * 30000,
		    T0 + i * 30);
		assert_int_equal(e, T0 + 3 * H + i * 30);
	}
	assert_int_equal(g.findings, 0);
	/* quiet for 10 minutes: the arrival clock ages in its own time */
	assert_int_equal(clockguard_now(&g, ms + 19 * 30000 + 600000),
	    T0 + 3 * H + 19 * 30 + 600);
}

/* Live: a line three hours ahead counts at its arrival, the next lines
   come back, and it is an anomaly; a quiet spell the time explains is
   ordinary. */
static void
test_live_spike(void **state)
{
	struct clockguard	 g;

	(void)state;
	clockguard_init(&g);
	assert_int_equal(clockguard_time(&g, T0, 0, T0), T0);
	assert_int_equal(clockguard_time(&g, T0 + 3 * H, 5000, T0 + 5),
	    T0 + 5);
	assert_int_equal(clockguard_time(&g, T0 + 6, 6000, T0 + 6), T0 + 6);
	assert_int_equal(g.anomalies, 1);
	/* 20 quiet minutes, then a line: the time since explains it */
	assert_int_equal(clockguard_time(&g, T0 + 1206, 1206000, T0 + 1206),
	    T0 + 1206);
	assert_int_equal(g.findings, 1);
}

/* Live: a clock that steps ahead and stays is placed at the arrival clock
   and goes on from there, so the step is not time that passed. */
static void
test_live_step_ahead(void **state)
{
	struct clockguard	 g;
	int64_t			 e;
	int			 i;

	(void)state;
	clockguard_init(&g);
	assert_int_equal(clockguard_time(&g, T0, 0, T0), T0);
	for (i = 1; i <= 5; i++) {
		e = clockguard_time(&g, T0 + 5 * H + i, i * 1000, T0 + i);
		assert_int_equal(e, T0 + i);
	}
	assert_int_equal(g.steps, 1);
	assert_int_equal(g.off, -5 * H);
	assert_int_equal(g.anomalies, 0);
}

/* Live, reading a backlog from the start: hours-old lines arrive within a
   second, with a quiet hour among them; the wall clock explains it. */
static void
test_live_backlog(void **state)
{
	struct clockguard	 g;

	(void)state;
	clockguard_init(&g);
	assert_int_equal(clockguard_time(&g, T0 - 5 * H, 0, T0), T0 - 5 * H);
	assert_int_equal(clockguard_time(&g, T0 - 4 * H, 10, T0),
	    T0 - 4 * H);
	assert_int_equal(clockguard_time(&g, T0 - 4 * H + 1, 20, T0),
	    T0 - 4 * H + 1);
	assert_int_equal(g.findings, 0);
}

/* Live, a backlog of a server whose clock is three hours ahead, read in
   one go: its quiet spells are time that passed, not clock steps. */
static void
test_live_backlog_future(void **state)
{
	struct clockguard	 g;
	int64_t			 e = 0, t;
	int			 i;

	(void)state;
	clockguard_init(&g);
	for (i = 0; i < 30; i++) {
		/* a line every 30 s, a quiet 5 minutes after every tenth */
		t = T0 + 3 * H + i * 30 + (i / 10) * 300;
		e = clockguard_time(&g, t, i, T0);
	}
	assert_int_equal(e, t);
	assert_int_equal(g.findings, 0);
	assert_int_equal(g.off, 0);
	/* the same read as it is written, a line a second: a step */
	clockguard_init(&g);
	for (i = 0; i < 30; i++)
		e = clockguard_time(&g, T0 + i + (i >= 10 ? 3 * H : 0),
		    i * 1000, T0 + i);
	assert_int_equal(e, T0 + 29);
	assert_int_equal(g.steps, 1);
}

/* Durations in words. */
static void
test_span(void **state)
{
	char	 b[32];

	(void)state;
	clockguard_span(40, b, sizeof(b));
	assert_string_equal(b, "40s");
	clockguard_span(-125, b, sizeof(b));
	assert_string_equal(b, "2m 5s");
	clockguard_span(3 * H + 60, b, sizeof(b));
	assert_string_equal(b, "3h 1m");
	clockguard_span(86400 + 2 * H, b, sizeof(b));
	assert_string_equal(b, "1d 2h");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tolerance),
		cmocka_unit_test(test_offline_spike),
		cmocka_unit_test(test_offline_confirm),
		cmocka_unit_test(test_offline_sparse),
		cmocka_unit_test(test_step_back),
		cmocka_unit_test(test_all_future),
		cmocka_unit_test(test_live_spike),
		cmocka_unit_test(test_live_step_ahead),
		cmocka_unit_test(test_live_backlog),
		cmocka_unit_test(test_live_backlog_future),
		cmocka_unit_test(test_span),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
