/* test_errtail.c: a remote program's last stderr line, however it arrives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/errtail.h"

/* Feed s in pieces of n bytes. */
static void
feed(struct errtail *t, const char *s, size_t n)
{
	size_t	 len = strlen(s), i, k;

	for (i = 0; i < len; i += k) {
		k = len - i < n ? len - i : n;
		errtail_feed(t, s + i, k);
	}
}

/* Whatever the pieces, the last line is whole ("sudo" and ": a password
   is required" arriving apart once lost the word sudo). */
static void
test_split_anywhere(void **state)
{
	struct errtail	 t;
	size_t		 n;

	(void)state;
	errtail_init(&t);
	for (n = 1; n <= 40; n++) {
		errtail_reset(&t);
		feed(&t, "sudo: a password is required\n", n);
		assert_string_equal(errtail_last(&t),
		    "sudo: a password is required");
	}
	errtail_free(&t);
}

/* The last non-empty line wins; CR and blank lines do not hide it; a last
   line without newline counts; reset forgets; text is escaped. */
static void
test_last_line(void **state)
{
	struct errtail	 t;

	(void)state;
	errtail_init(&t);
	assert_string_equal(errtail_last(&t), "");
	feed(&t, "first\nsecond\r\n\n\n", 3);
	assert_string_equal(errtail_last(&t), "second");
	feed(&t, "third, no newline", 5);
	assert_string_equal(errtail_last(&t), "third, no newline");
	errtail_reset(&t);
	assert_string_equal(errtail_last(&t), "");
	feed(&t, "evil \033]0;title\007 text\n", 4);
	assert_null(strchr(errtail_last(&t), '\033'));
	assert_non_null(strstr(errtail_last(&t), "evil "));
	errtail_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_anywhere),
		cmocka_unit_test(test_last_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
