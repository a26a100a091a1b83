/*
 * test_notify_gate.c: which alerts go out (console/alert/notify_gate.c), on an
 * injected clock: the same key once per window unless its level rises,
 * at most rate a minute, and the count of those held back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "alert/notify_int.h"

#define MIN	60000
#define T0	1000000		/* any start: the clock is ours */

/* The same key within the window is dropped; after it, it goes again. */
static void
test_dedupe_window(void **state)
{
	struct notify_gate	 g;

	notify_gate_init(&g, 0, 600);
	assert_int_equal(notify_gate_check(&g, "k", LEVEL_SUSPICIOUS, T0),
	    GATE_PASS);
	assert_int_equal(notify_gate_check(&g, "k", LEVEL_SUSPICIOUS,
	    T0 + 1000), GATE_DUPLICATE);
	assert_int_equal(notify_gate_check(&g, "k", LEVEL_SUSPICIOUS,
	    T0 + 599999), GATE_DUPLICATE);
	/* another key is another alert */
	assert_int_equal(notify_gate_check(&g, "other", LEVEL_SUSPICIOUS,
	    T0 + 1000), GATE_PASS);
	/* the window runs from the last time it went out */
	assert_int_equal(notify_gate_check(&g, "k", LEVEL_SUSPICIOUS,
	    T0 + 600000), GATE_PASS);
	assert_int_equal(notify_gate_check(&g, "k", LEVEL_SUSPICIOUS,
	    T0 + 600001), GATE_DUPLICATE);
	assert_int_equal(g.held, 0);	/* duplicates are not "more" */
	notify_gate_free(&g);
}

/* A rise of level goes out at once; the same or lower does not. */
static void
test_dedupe_level(void **state)
{
	struct notify_gate	 g;

	notify_gate_init(&g, 0, 600);
	assert_int_equal(notify_gate_check(&g, "k", LEVEL_SUSPICIOUS, T0),
	    GATE_PASS);
	assert_int_equal(notify_gate_check(&g, "k", LEVEL_CRITICAL, T0 + 1),
	    GATE_PASS);
	assert_int_equal(notify_gate_check(&g, "k", LEVEL_CRITICAL, T0 + 2),
	    GATE_DUPLICATE);
	assert_int_equal(notify_gate_check(&g, "k", LEVEL_SUSPICIOUS, T0 + 3),
	    GATE_DUPLICATE);
	notify_gate_free(&g);
}

/* dedupe = off: every alert is new. */
static void
test_dedupe_off(void **state)
{
	struct notify_gate	 g;

	notify_gate_init(&g, 0, 0);
	assert_int_equal(notify_gate_check(&g, "k", 1, T0), GATE_PASS);
	assert_int_equal(notify_gate_check(&g, "k", 1, T0), GATE_PASS);
	notify_gate_free(&g);
}

/* More keys than remembered: the oldest is forgotten, memory bounded. */
static void
test_dedupe_bounded(void **state)
{
	struct notify_gate	 g;
	char			 k[32];
	int			 i;

	notify_gate_init(&g, 0, 600);
	for (i = 0; i < NOTIFY_DEDUPE_KEYS + 10; i++) {
		snprintf(k, sizeof(k), "key%d", i);
		assert_int_equal(notify_gate_check(&g, k, 1, T0 + i),
		    GATE_PASS);
	}
	assert_int_equal(g.nkeys, NOTIFY_DEDUPE_KEYS);
	/* key0 was the oldest: forgotten; the newest is still known */
	assert_int_equal(notify_gate_check(&g, "key0", 1, T0 + 1000),
	    GATE_PASS);
	snprintf(k, sizeof(k), "key%d", NOTIFY_DEDUPE_KEYS + 9);
	assert_int_equal(notify_gate_check(&g, k, 1, T0 + 1000),
	    GATE_DUPLICATE);
	notify_gate_free(&g);
}

/* At most rate in any minute; the rest counted with their top level. */
static void
test_rate(void **state)
{
	struct notify_gate	 g;
	char			 k[32];
	int			 i;

	notify_gate_init(&g, 6, 600);
	for (i = 0; i < 6; i++) {
		snprintf(k, sizeof(k), "acct%d", i);
		assert_int_equal(notify_gate_check(&g, k, LEVEL_SUSPICIOUS,
		    T0 + i * 1000), GATE_PASS);
	}
	for (i = 6; i < 18; i++) {
		snprintf(k, sizeof(k), "acct%d", i);
		assert_int_equal(notify_gate_check(&g, k, i == 9 ?
		    LEVEL_CRITICAL : LEVEL_SUSPICIOUS, T0 + 10000 + i),
		    GATE_LIMITED);
	}
	assert_int_equal(g.held, 12);
	assert_int_equal(g.held_level, LEVEL_CRITICAL);
	assert_false(notify_gate_room(&g, T0 + MIN - 1));
	assert_int_equal(notify_gate_next(&g, T0 + 30000), T0 + MIN);
	/* the first send leaves the window at T0 + 1 min */
	assert_true(notify_gate_room(&g, T0 + MIN));
	assert_int_equal(notify_gate_next(&g, T0 + MIN), -1);
	/* a held-back alert was not remembered: it may go now */
	assert_int_equal(notify_gate_check(&g, "acct6", LEVEL_SUSPICIOUS,
	    T0 + MIN), GATE_PASS);
	assert_int_equal(notify_gate_check(&g, "acct7", LEVEL_SUSPICIOUS,
	    T0 + MIN), GATE_LIMITED);
	/* a sliding minute: the second slot frees 1 s later */
	assert_int_equal(notify_gate_check(&g, "acct7", LEVEL_SUSPICIOUS,
	    T0 + MIN + 1000), GATE_PASS);
	notify_gate_free(&g);
}

/* A summary spends a slot like an alert. */
static void
test_rate_spend(void **state)
{
	struct notify_gate	 g;

	notify_gate_init(&g, 2, 0);
	notify_gate_spend(&g, T0);
	assert_int_equal(notify_gate_check(&g, "a", 1, T0), GATE_PASS);
	assert_int_equal(notify_gate_check(&g, "b", 1, T0), GATE_LIMITED);
	notify_gate_free(&g);
	/* no limit at all */
	notify_gate_init(&g, 0, 0);
	assert_int_equal(notify_gate_next(&g, T0), -1);
	notify_gate_spend(&g, T0);
	assert_true(notify_gate_room(&g, T0));
	notify_gate_free(&g);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_dedupe_window),
		cmocka_unit_test(test_dedupe_level),
		cmocka_unit_test(test_dedupe_off),
		cmocka_unit_test(test_dedupe_bounded),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_rate_spend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
