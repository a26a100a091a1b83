/* test_histrows.c: the history view's rows: gaps kept, merged with incidents by time, found by filter and search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "live/histrows.h"
#include "tui/ui.h"

#define T0	((int64_t)1795000000)

/* Append an incident opened at t. */
static void
add_incident(struct app *a, const char *account, int64_t t, int earlier)
{
	struct incident	*n;

	a->incidents = realloc(a->incidents, (a->nincidents + 1) *
	    sizeof(*a->incidents));
	assert_non_null(a->incidents);
	n = &a->incidents[a->nincidents++];
	memset(n, 0, sizeof(*n));
	snprintf(n->account, sizeof(n->account), "%s", account);
	snprintf(n->reason, sizeof(n->reason), "reason of %s", account);
	n->opened = t;
	n->peak = LEVEL_SUSPICIOUS;
	n->earlier = earlier;
}

/* The merged order as "i0 g0 i1 ..." (i: incident, g: gap, and index). */
static const char *
order(struct app *a)
{
	static char	 buf[256];
	size_t		 i, len = 0;

	histrows_build(a);
	buf[0] = '\0';
	for (i = 0; i < a->nhist; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%c%u",
		    i > 0 ? " " : "", a->hist[i].gap ? 'g' : 'i',
		    a->hist[i].index);
	return buf;
}

/* Free what the test and histrows allocated. */
static void
app_clear(struct app *a)
{
	free(a->incidents);
	free(a->gaps);
	free(a->hist);
	memset(a, 0, sizeof(*a));
}

/* Nothing, only incidents, only gaps. */
static void
test_merge_alone(void **state)
{
	struct app	 a;

	memset(&a, 0, sizeof(a));
	assert_string_equal(order(&a), "");
	assert_int_equal(a.nhist, 0);
	add_incident(&a, "x", T0 + 5, 0);
	add_incident(&a, "y", T0 + 1, 0);	/* flagged later, opened before */
	assert_string_equal(order(&a), "i0 i1");	/* their order is kept */
	app_clear(&a);
	assert_int_equal(histrows_add_gap(&a, "mx", "/l", "w", T0 + 9, 0), 0);
	assert_int_equal(histrows_add_gap(&a, "mx", "/l", "w", T0 + 2, 0), 0);
	assert_string_equal(order(&a), "g0 g1");
	app_clear(&a);
}

/* By time within a session; earlier sessions' rows first; ties: incident. */
static void
test_merge_order(void **state)
{
	struct app	 a;

	memset(&a, 0, sizeof(a));
	/* earlier sessions: incidents at 10 and 30, gaps at 20 and 40 */
	add_incident(&a, "e1", T0 + 10, 1);
	add_incident(&a, "e2", T0 + 30, 1);
	histrows_add_gap(&a, "mx", "/l", "e", T0 + 20, 1);
	histrows_add_gap(&a, "mx", "/l", "e", T0 + 40, 1);
	/* this session: incidents at 100 and 300, gaps at 5 (a clock far
	   behind: still after every earlier row), 100 (a tie) and 500 */
	add_incident(&a, "n1", T0 + 100, 0);
	add_incident(&a, "n2", T0 + 300, 0);
	histrows_add_gap(&a, "mx", "/l", "n", T0 + 5, 0);
	histrows_add_gap(&a, "mx", "/l", "n", T0 + 100, 0);
	histrows_add_gap(&a, "mx", "/l", "n", T0 + 500, 0);
	assert_string_equal(order(&a), "i0 g0 i1 g1 g2 i2 g3 i3 g4");
	/* a gap arriving live joins at the end of this session */
	histrows_add_gap(&a, "mx", "/l", "n", T0 + 600, 0);
	assert_string_equal(order(&a), "i0 g0 i1 g1 g2 i2 g3 i3 g4 g5");
	/* an earlier gap later than this session's rows still comes first */
	app_clear(&a);
	add_incident(&a, "n1", T0, 0);
	histrows_add_gap(&a, "mx", "/l", "e", T0 + 1000, 1);
	assert_string_equal(order(&a), "g0 i0");
	app_clear(&a);
}

/* Gap text is kept byte for byte (escaped only when drawn), cut to fit. */
static void
test_gap_text(void **state)
{
	struct app	 a;
	char		 longpath[600];
	const char	*why = "it's \"gone\"\n\x1b]0;PWNED\x07\xff";

	memset(&a, 0, sizeof(a));
	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(histrows_add_gap(&a, "mx'1", longpath, why, T0, 1),
	    0);
	assert_string_equal(a.gaps[0].server, "mx'1");
	assert_string_equal(a.gaps[0].why, why);
	assert_int_equal(strlen(a.gaps[0].path), sizeof(a.gaps[0].path) - 1);
	assert_memory_equal(a.gaps[0].path, longpath,
	    sizeof(a.gaps[0].path) - 1);
	assert_int_equal(a.gaps[0].at, T0);
	assert_int_equal(a.gaps[0].earlier, 1);
	assert_int_equal(histrows_add_gap(&a, "mx", "/l", NULL, T0, 0), 0);
	assert_string_equal(a.gaps[1].why, "");
	app_clear(&a);
}

/* A server that reports gaps without end cannot grow the list. */
static void
test_gap_cap(void **state)
{
	struct app	 a;
	size_t		 i;

	memset(&a, 0, sizeof(a));
	for (i = 0; i < HISTROWS_GAPS_MAX; i++)
		assert_int_equal(histrows_add_gap(&a, "mx", "/l", "w",
		    T0 + (int64_t)i, 0), 0);
	assert_int_equal(histrows_add_gap(&a, "mx", "/l", "w", T0, 0), -1);
	assert_int_equal(histrows_add_gap(&a, "mx", "/l", "w", T0, 0), -1);
	assert_int_equal(a.ngaps, HISTROWS_GAPS_MAX);
	assert_int_equal(a.gaps_unlisted, 2);
	app_clear(&a);
}

/* The view's filter and search find a gap by server, path, why, or "gap". */
static void
test_view_match(void **state)
{
	struct app	 a;
	struct tui	 t = { .a = &a };
	size_t		 n, i, hits;

	memset(&a, 0, sizeof(a));
	add_incident(&a, "judy@example.test", T0, 0);
	histrows_add_gap(&a, "edge-mx2", "/var/log/maillog", "truncated",
	    T0 + 1, 0);
	n = view_history.count(&t);
	assert_int_equal(n, 2);
	assert_int_equal(a.hist[1].gap, 1);
	/* the gap by each of its fields, ignoring case; not the incident */
	assert_true(view_history.match(&t, 1, "EDGE-MX2"));
	assert_true(view_history.match(&t, 1, "maillog"));
	assert_true(view_history.match(&t, 1, "truncat"));
	assert_true(view_history.match(&t, 1, "gap"));
	assert_false(view_history.match(&t, 1, "judy"));
	assert_false(view_history.match(&t, 1, "suspicious"));
	/* the incident as before, not by the gap's words */
	assert_true(view_history.match(&t, 0, "judy"));
	assert_true(view_history.match(&t, 0, "suspicious"));
	assert_false(view_history.match(&t, 0, "maillog"));
	assert_false(view_history.match(&t, 0, "gap"));
	for (i = 0, hits = 0; i < n; i++)
		hits += view_history.match(&t, i, "example") != 0;
	assert_int_equal(hits, 1);
	app_clear(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_alone),
		cmocka_unit_test(test_merge_order),
		cmocka_unit_test(test_gap_text),
		cmocka_unit_test(test_gap_cap),
		cmocka_unit_test(test_view_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
