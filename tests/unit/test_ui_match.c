/* test_ui_match.c: the filter's and search's case-insensitive match. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tui/ui.h"

/* Found anywhere, in any ASCII case, at the very start and end. */
static void
test_match_found(void **state)
{
	(void)state;
	assert_true(ui_contains("sasl_username=Mark-1@bench.test", "mark-1"));
	assert_true(ui_contains("sasl_username=Mark-1@bench.test", "BENCH.TEST"));
	assert_true(ui_contains("abc", "ABC"));
	assert_true(ui_contains("xxabc", "abc"));
	assert_true(ui_contains("abcxx", "Abc"));
	assert_true(ui_contains("aaab", "aab"));	/* restart after a near miss */
	assert_true(ui_contains("", ""));
	assert_true(ui_contains("anything", ""));
	assert_true(ui_contains("@2x", "@2X"));		/* first byte no letter */
}

/* Not found: absent, longer than the text, cut off by the length. */
static void
test_match_not_found(void **state)
{
	(void)state;
	assert_false(ui_contains("sasl_username=u1@s1.test", "mark-"));
	assert_false(ui_contains("ab", "abc"));
	assert_false(ui_contains("", "a"));
	assert_false(ui_contains("abd", "abc"));
	/* Only len bytes count: the match past them is not seen. */
	assert_false(ui_contains_len("xxabc", 4, "abc"));
	assert_true(ui_contains_len("xxabc", 5, "abc"));
	assert_false(ui_contains_len("abc", 0, "a"));
}

/* Raw log bytes: a NUL or an escape inside never matches a printable
   needle, and bytes above 127 compare as themselves. */
static void
test_match_raw_bytes(void **state)
{
	const char	 raw[] = "user\0mark-1 \033[31mred\xc3\xa9t\xc3\xa9";

	(void)state;
	assert_true(ui_contains_len(raw, sizeof(raw) - 1, "MARK-1"));
	assert_false(ui_contains_len(raw, sizeof(raw) - 1, "user mark"));
	assert_true(ui_contains_len(raw, sizeof(raw) - 1, "red\xc3\xa9"));
	assert_true(ui_contains_len(raw, sizeof(raw) - 1, "\xc3\xa9t\xc3\xa9"));
	assert_false(ui_contains_len(raw, sizeof(raw) - 1, "[31mRED\xc3\x89"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_found),
		cmocka_unit_test(test_match_not_found),
		cmocka_unit_test(test_match_raw_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
