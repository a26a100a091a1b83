/*
 * test_notelog.c: the messages view's log (live/notelog.h): oldest first,
 * a repeat counted on the newest entry, bounded, long texts cut at a word.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "live/notelog.h"

static void
test_order_and_repeats(void **state)
{
	struct notelog	 l;

	(void)state;
	memset(&l, 0, sizeof(l));
	notelog_add(&l, 100, 0, "first");
	notelog_add(&l, 101, 1, "history off: disk full");
	notelog_add(&l, 102, 1, "history off: disk full");
	notelog_add(&l, 103, 0, "first");
	assert_int_equal(l.n, 3);
	assert_int_equal(l.total, 3);
	assert_string_equal(notelog_get(&l, 0)->text, "first");
	assert_int_equal(notelog_get(&l, 1)->count, 2);
	assert_int_equal(notelog_get(&l, 1)->at, 102);
	assert_int_equal(notelog_get(&l, 1)->lasting, 1);
	/* not the newest: a new entry */
	assert_int_equal(notelog_get(&l, 2)->count, 1);
	assert_int_equal(notelog_get(&l, 2)->at, 103);
	notelog_free(&l);
	assert_int_equal(l.n, 0);
}

static void
test_bounded(void **state)
{
	struct notelog	 l;
	char		 text[32], big[2000];
	int		 i;

	(void)state;
	memset(&l, 0, sizeof(l));
	for (i = 0; i < NOTELOG_MAX + 10; i++) {
		snprintf(text, sizeof(text), "note %d", i);
		notelog_add(&l, i, 0, text);
	}
	assert_int_equal(l.n, NOTELOG_MAX);
	assert_string_equal(notelog_get(&l, 0)->text, "note 10");
	snprintf(text, sizeof(text), "note %d", NOTELOG_MAX + 9);
	assert_string_equal(notelog_get(&l, NOTELOG_MAX - 1)->text, text);
	/* a long text: cut at a word, said so */
	memset(big, 0, sizeof(big));
	for (i = 0; i < (int)sizeof(big) - 6; i += 5)
		memcpy(big + i, "word ", 5);
	notelog_add(&l, 1, 0, big);
	assert_true(strlen(notelog_get(&l, NOTELOG_MAX - 1)->text) <
	    NOTELOG_TEXT);
	assert_non_null(strstr(notelog_get(&l, NOTELOG_MAX - 1)->text,
	    "word ..."));
	notelog_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_repeats),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
