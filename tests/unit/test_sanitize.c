/*
 * test_sanitize.c: the terminal sanitiser and the login grammar agree on
 * the hidden code points (one table, unichar.h); the ASCII mode of a
 * locale without UTF-8 keeps accounts apart; text width with wide and
 * combining characters; the properties of sanitize_text on random bytes.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "backends/backend.h"
#include "backends/unichar.h"
#include "core/sanitize.h"

/* Encode cp as UTF-8 into buf; its length. */
static size_t
enc(uint32_t cp, char *buf)
{
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xC0 | (cp >> 6));
		buf[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xE0 | (cp >> 12));
		buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		buf[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	buf[0] = (char)(0xF0 | (cp >> 18));
	buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	buf[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Every hidden code point is escaped on screen and refused in a login. */
static void
test_hidden_table(void **state)
{
	char		 in[16], out[64], want[32];
	uint32_t	 cps[3], cp;
	size_t		 i, j, n;

	for (i = 0; i < uni_nhidden; i++) {
		assert_true(uni_hidden[i].lo <= uni_hidden[i].hi);
		if (i > 0)
			assert_true(uni_hidden[i - 1].hi < uni_hidden[i].lo);
		cps[0] = uni_hidden[i].lo;
		cps[1] = uni_hidden[i].hi;
		cps[2] = uni_hidden[i].lo + (uni_hidden[i].hi -
		    uni_hidden[i].lo) / 2;
		for (j = 0; j < 3; j++) {
			cp = cps[j];
			in[0] = 'a';
			n = 1 + enc(cp, in + 1);
			in[n++] = 'b';
			sanitize_text_utf8(out, sizeof(out), in, n);
			snprintf(want, sizeof(want), "a\\u{%04x}b",
			    (unsigned)cp);
			if (strcmp(out, want) != 0)
				fail_msg("U+%04X shown as %s", cp, out);
			if (account_is_valid(in, n))
				fail_msg("U+%04X accepted in a login", cp);
		}
	}
	/* the ones the issue names, by value */
	assert_true(uni_is_hidden(0x200B) && uni_is_hidden(0x200C) &&
	    uni_is_hidden(0x200D) && uni_is_hidden(0x2060) &&
	    uni_is_hidden(0x2064) && uni_is_hidden(0x00AD) &&
	    uni_is_hidden(0x3164) && uni_is_hidden(0xE0000) &&
	    uni_is_hidden(0xE007F) && uni_is_hidden(0x202E) &&
	    uni_is_hidden(0x2066));
	assert_false(uni_is_hidden(0xFC) || uni_is_hidden('a') ||
	    uni_is_hidden(0x4E2D) || uni_is_hidden(0x2070));
}

/*
 * Over every code point: what the sanitiser leaves raw but the login
 * grammar refuses is fine (a visible symbol); what it escapes, no login
 * may hold.
 */
static void
test_sanitizer_and_grammar_agree(void **state)
{
	char		 in[8], out[64];
	uint32_t	 cp;
	size_t		 n, escaped = 0;

	for (cp = 0x80; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		n = enc(cp, in);
		sanitize_text_utf8(out, sizeof(out), in, n);
		if (strlen(out) == n && memcmp(out, in, n) == 0)
			continue;
		escaped++;
		if (!uni_is_hidden(cp))
			fail_msg("U+%04X escaped but not in the table", cp);
		if (account_is_valid(in, n))
			fail_msg("U+%04X escaped on screen, taken in a login",
			    cp);
	}
	assert_true(escaped > 4000);	/* the tag block alone is 4096 */
}

/* Without UTF-8 in the locale, accounts that differ are shown apart. */
static void
test_ascii_mode(void **state)
{
	char	 a[64], b[64];

	sanitize_text_ascii(a, sizeof(a), "j\xc3\xbcrgen@x", 9);
	sanitize_text_ascii(b, sizeof(b), "j\xc3\xb6rgen@x", 9);
	assert_string_equal(a, "j\\u{00fc}rgen@x");
	assert_string_equal(b, "j\\u{00f6}rgen@x");
	sanitize_text_ascii(a, sizeof(a), "\xe4\xb8\xad\xff", 4);
	assert_string_equal(a, "\\u{4e2d}\\xff");
	/* a literal "\u{fc}" in a log is not the letter */
	sanitize_text_ascii(a, sizeof(a), "\\u{00fc}", 8);
	assert_string_equal(a, "\\\\u{00fc}");
	/* the UTF-8 mode leaves letters */
	sanitize_text_utf8(a, sizeof(a), "j\xc3\xbcrgen", 7);
	assert_string_equal(a, "j\xc3\xbcrgen");
}

/* The guard for composed lines escapes what is raw, keeps what is not. */
static void
test_sanitize_line(void **state)
{
	char	 once[64], twice[64];

	sanitize_text(once, sizeof(once), "a\x1b[2J\\b", 7);
	assert_string_equal(once, "a\\x1b[2J\\\\b");
	sanitize_line(twice, sizeof(twice), once, strlen(once));
	assert_string_equal(twice, once);
	sanitize_line(twice, sizeof(twice), "x\x1b]0;t\x07y", 8);
	assert_string_equal(twice, "x\\x1b]0;t\\x07y");
}

/* Columns: wide letters take two, combining marks none, ASCII one. */
static void
test_width(void **state)
{
	int	 cols;
	size_t	 n;

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		skip();
	assert_int_equal(text_width("abc", 3), 3);
	assert_int_equal(text_width("\xe4\xb8\xad\xe6\x96\x87", 6), 4);
	assert_int_equal(text_width("e\xcc\x81", 3), 1);	/* e + U+0301 */
	assert_int_equal(text_width("j\xc3\xbcrgen", 7), 6);
	/* a wide letter that does not fit is left out whole */
	n = text_fit("a\xe4\xb8\xad" "b", 5, 2, &cols);
	assert_int_equal(n, 1);
	assert_int_equal(cols, 1);
	/* a combining mark goes with its letter */
	n = text_fit("ae\xcc\x81x", 5, 2, &cols);
	assert_int_equal(n, 4);
	assert_int_equal(cols, 2);
	setlocale(LC_CTYPE, "C");
}

/* Whether out is well-formed UTF-8 without anything a terminal obeys. */
static void
check_clean(const char *out, size_t n)
{
	const unsigned char	*p = (const unsigned char *)out;
	size_t			 i, k;
	uint32_t		 cp;

	for (i = 0; i < n; i += k) {
		if ((k = uni_decode(p + i, n - i, &cp)) == 0)
			fail_msg("invalid UTF-8 out at %zu", i);
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
		    uni_is_hidden(cp))
			fail_msg("U+%04X out at %zu", cp, i);
	}
}

/*
 * Random bytes, mostly the dangerous ones: the output is valid UTF-8 with
 * no C0, DEL, C1, bidi or other hidden code point, never longer than
 * size - 1, always terminated; the ASCII mode writes only ASCII.
 */
static void
test_sanitize_properties(void **state)
{
	static const unsigned char	 bytes[] = { 0x00, 0x07, 0x0a, 0x1b,
	    '\\', 0x7f, 0x80, 0x9b, 0xbf, 0xc0, 0xc2, 0xc3, 0xe2, 0x80, 0x8b,
	    0xae, 0xed, 0xa0, 0xef, 0xbb, 0xf0, 0xf3, 0xa0, 0xf4, 0x90, 0xf5,
	    0xff, 'a', '[', ']' };
	unsigned char	 in[64];
	char		 out[128];
	size_t		 r, i, len, size, n;
	unsigned	 seed = (unsigned)time(NULL);

	printf("test_sanitize: seed %u\n", seed);
	srand(seed);
	for (r = 0; r < 200000; r++) {
		len = (size_t)rand() % sizeof(in);
		for (i = 0; i < len; i++)
			in[i] = rand() % 3 ? bytes[(size_t)rand() %
			    sizeof(bytes)] : (unsigned char)rand();
		size = 1 + (size_t)rand() % (sizeof(out) - 1);
		memset(out, '#', sizeof(out));
		n = (r & 1) ? sanitize_text_utf8(out, size, (char *)in, len) :
		    sanitize_text_ascii(out, size, (char *)in, len);
		assert_true(n <= size - 1);
		assert_int_equal(out[n], '\0');
		if (size < sizeof(out))
			assert_int_equal(out[size], '#');
		check_clean(out, n);
		if (!(r & 1))
			for (i = 0; i < n; i++)
				assert_true((unsigned char)out[i] < 0x80);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hidden_table),
		cmocka_unit_test(test_sanitizer_and_grammar_agree),
		cmocka_unit_test(test_ascii_mode),
		cmocka_unit_test(test_sanitize_line),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_sanitize_properties),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
