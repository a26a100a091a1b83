/* test_output.c: JSON escaping and terminal sanitising of hostile text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/json.h"
#include "core/sanitize.h"

/* json_string of p[0..len) into a malloc'ed C string. */
static char *
json_of(const char *p, size_t len)
{
	char	*buf = NULL;
	size_t	 size = 0;
	FILE	*f = open_memstream(&buf, &size);

	assert_non_null(f);
	json_string(f, p, len);
	fclose(f);
	return buf;
}

static void
test_json_escapes(void **state)
{
	char	*s;

	s = json_of("a\"b\\c", 5);
	assert_string_equal(s, "\"a\\\"b\\\\c\"");
	free(s);
	s = json_of("x\x1b[2Jy\n\0z", 9);
	assert_string_equal(s, "\"x\\u001b[2Jy\\u000a\\u0000z\"");
	free(s);
	/* invalid UTF-8: a lone continuation byte, an overlong, a surrogate */
	s = json_of("\x80\xc0\xaf\xed\xa0\x80ok", 8);
	assert_string_equal(s, "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffdok\"");
	free(s);
	s = json_of("caf\xc3\xa9", 5);
	assert_string_equal(s, "\"caf\xc3\xa9\"");
	free(s);
}

static void
test_json_time(void **state)
{
	char	*buf = NULL;
	size_t	 size = 0;
	FILE	*f = open_memstream(&buf, &size);

	json_time(f, 1795835873);
	fputc(' ', f);
	json_time(f, -1);
	fclose(f);
	assert_string_equal(buf, "\"2026-11-28T03:17:53Z\" null");
	free(buf);
}

static void
test_sanitize(void **state)
{
	char	 out[128];

	sanitize_text(out, sizeof(out), "a\x1b]0;pwned\x07z", 12);
	assert_string_equal(out, "a\\x1b]0;pwned\\x07z");
	/* C1 CSI (U+009B), RLO (U+202E), invalid byte, backslash */
	sanitize_text(out, sizeof(out), "\xc2\x9b" "1m\xe2\x80\xae" "x\xff\\",
	    10);
	assert_string_equal(out, "\\u{009b}1m\\u{202e}x\\xff\\\\");
	sanitize_text(out, sizeof(out), "caf\xc3\xa9", 5);
	assert_string_equal(out, "caf\xc3\xa9");
	/* Truncation never splits an escape or a character. */
	sanitize_text(out, 6, "ab\x1b" "cd", 5);
	assert_string_equal(out, "ab");
	sanitize_text(out, 5, "abc\xc3\xa9", 5);
	assert_string_equal(out, "abc");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_json_time),
		cmocka_unit_test(test_sanitize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
