/*
 * test_why.c: the accounts view's WHY in few words (tui/why.h), for each
 * of the detector's sentences (detect_eval.c), and a sentence it does not
 * know kept whole but for its parenthesis.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tui/why.h"

/* The short form of s. */
static const char *
why(const char *s)
{
	static char	 buf[256];

	return why_short(s, buf, sizeof(buf));
}

static void
test_sentences(void **state)
{
	(void)state;
	assert_string_equal(why("200 distinct IPs authenticated in 10 min "
	    "(critical at 20)"), "200 IPs in 10 min");
	assert_string_equal(why("~1,200 distinct networks (/24, /64) "
	    "authenticated in 10 min (critical at 15)"),
	    "~1,200 networks in 10 min");
	assert_string_equal(why("40 msgs/min in the last 10 min (watch at 10; "
	    "counts as watch without other signs)"),
	    "40 msgs/min over 10 min");
	assert_string_equal(why("400 recipients/min in the last 10 min "
	    "(suspicious at 200)"), "400 rcpts/min over 10 min");
	assert_string_equal(why("45 msgs/min, 12x its earlier rate of 3.7/min "
	    "(suspicious at 10x)"), "12x its earlier rate");
	assert_string_equal(why("970 recipient domains in 10 min (critical at "
	    "500)"), "970 domains in 10 min");
	assert_string_equal(why("100% of deliveries deferred or bounced "
	    "(4,000 of 4,000; critical at 80%)"), "100% of deliveries failing");
	assert_string_equal(why("5 failed logins then success from 127.0.0.9 "
	    "(watch at 3)"), "5 failed logins, then one worked: 127.0.0.9");
	assert_string_equal(why("4 logins from IPs new to this account in "
	    "10 min (watch at 3)"), "4 new IPs in 10 min");
	assert_string_equal(why("holds 100% of the queue (400 of 400; critical "
	    "at 80%)"), "100% of the queue");
	assert_string_equal(why("allow-listed: 30 msgs/min in the last 10 min "
	    "(watch at 10)"), "allowed: 30 msgs/min over 10 min");
}

/* Unknown words stay; a small buffer is cut, never overrun. */
static void
test_unknown_and_small(void **state)
{
	char	 small[8];

	(void)state;
	assert_string_equal(why("a new kind of sign (watch at 1)"),
	    "a new kind of sign");
	assert_string_equal(why("no parenthesis"), "no parenthesis");
	assert_string_equal(why(""), "");
	assert_string_equal(why_short("200 distinct IPs authenticated in 10 "
	    "min (critical at 20)", small, sizeof(small)), "200 IPs");
	assert_string_equal(why_short("holds 100% of the queue", small,
	    sizeof(small)), "100% of");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sentences),
		cmocka_unit_test(test_unknown_and_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
