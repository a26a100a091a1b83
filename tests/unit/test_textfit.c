/* test_textfit.c: a text cut to a buffer ends at a word. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/textfit.h"

/* A reason of about 250 bytes with a fingerprint across byte 200, into
   the 220 bytes of a status line: the fingerprint goes whole or not. */
static void
test_fingerprint(void **state)
{
	char		 out[220], src[400];
	const char	*fp = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
	size_t		 len;

	(void)state;
	memset(src, 'x', 180);
	src[180] = '\0';
	memcpy(src + 10, " ", 1);
	strcat(src, " key ");
	strcat(src, fp);
	strcat(src, " is not the one in known_hosts");
	assert_int_equal(textfit(out, sizeof(out), src), 1);
	len = strlen(out);
	assert_true(len < sizeof(out));
	assert_string_equal(out + len - 4, " ...");
	assert_null(strstr(out, "SHA256"));
	assert_memory_equal(out, src, len - 4);
	/* room for it: whole */
	assert_int_equal(textfit(out, sizeof(out), "short reason"), 0);
	assert_string_equal(out, "short reason");
}

/* No space to cut at: a hard cut, still marked; never inside UTF-8. */
static void
test_hard_cut(void **state)
{
	char	 out[16], src[64];

	(void)state;
	memset(src, 'a', 40);
	src[40] = '\0';
	assert_int_equal(textfit(out, sizeof(out), src), 1);
	assert_string_equal(out, "aaaaaaaaaaa ...");
	/* "é" (2 bytes) across the cut */
	strcpy(src, "aaaaaaaaaa\xc3\xa9zzzzzzzzzz");
	(void)textfit(out, sizeof(out), src);
	assert_string_equal(out, "aaaaaaaaaa ...");
	(void)textfit(out, 3, "abcdef");
	assert_string_equal(out, "ab");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_hard_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
