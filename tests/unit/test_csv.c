/*
 * test_csv.c: CSV fields (console/core/csv.c): RFC 4180 quoting (comma,
 * quote, CR, LF), records ending in CRLF, a field that a spreadsheet
 * would run as a formula (=, +, -, @, tab, CR first: OWASP) written as
 * text with a leading quote, control bytes and invalid UTF-8 escaped.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/csv.h"

/* One field written alone: what the file holds. */
static char *
one(const char *p, size_t len)
{
	static char	*buf;
	size_t		 n;
	FILE		*f;

	free(buf);
	assert_non_null(f = open_memstream(&buf, &n));
	csv_field(f, p, len, 1);
	fclose(f);
	return buf;
}

static void
test_quoting(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} v[] = {
		{ "judy@example.test", "judy@example.test" },
		{ "", "" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "\"", "\"\"\"\"" },
		{ "line\nbreak", "line\\x0abreak" },
		{ "cr\rlf", "cr\\x0dlf" },
		{ "10 msgs/min, 5x its rate", "\"10 msgs/min, 5x its rate\"" },
		{ "j\xc3\xbcrgen@example.test", "j\xc3\xbcrgen@example.test" },
		{ "bad\xff" "byte", "bad\\xffbyte" },
		{ "back\\slash", "back\\\\slash" },
		{ "esc\x1b[2J", "esc\\x1b[2J" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strcmp(one(v[i].in, strlen(v[i].in)), v[i].out) != 0)
			fail_msg("field %zu: got [%s], want [%s]", i,
			    one(v[i].in, strlen(v[i].in)), v[i].out);
}

/* What a spreadsheet would run is written as text: '= ..., quoted. */
static void
test_formulas(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} v[] = {
		{ "=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"" },
		{ "=HYPERLINK(\"http://x.test\",\"y\")",
		    "\"'=HYPERLINK(\"\"http://x.test\"\",\"\"y\"\")\"" },
		{ "+1+1", "\"'+1+1\"" },
		{ "-2+3", "\"'-2+3\"" },
		{ "@SUM(A1:A2)", "\"'@SUM(A1:A2)\"" },
		{ "\t=1", "\"'\\x09=1\"" },
		{ "\r=1", "\"'\\x0d=1\"" },
		{ "a=1", "a=1" },
		{ "1-2", "1-2" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strcmp(one(v[i].in, strlen(v[i].in)), v[i].out) != 0)
			fail_msg("field %zu: got [%s], want [%s]", i,
			    one(v[i].in, strlen(v[i].in)), v[i].out);
	assert_true(csv_is_formula("=x", 2));
	assert_true(csv_is_formula("@x", 2));
	assert_false(csv_is_formula("x=", 2));
	assert_false(csv_is_formula("", 0));
}

/* A record: separators, numbers unquoted, CRLF at the end. */
static void
test_record(void **state)
{
	char	*buf = NULL;
	size_t	 n;
	FILE	*f;

	assert_non_null(f = open_memstream(&buf, &n));
	csv_cfield(f, "critical", 1);
	csv_cfield(f, "a,b", 0);
	csv_number(f, 400, 0);
	csv_cfield(f, "", 0);
	csv_end(f);
	csv_cfield(f, "=x", 1);
	csv_end(f);
	fclose(f);
	assert_string_equal(buf, "critical,\"a,b\",400,\r\n\"'=x\"\r\n");
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_formulas),
		cmocka_unit_test(test_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
