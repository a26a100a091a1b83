/*
 * test_notify_text.c: the words of an alert (console/alert/notify_text.c): markup
 * escaping of hostile text (links, entities, quotes), control bytes, ESC
 * and bidi overrides shown escaped, bounded length, the "and N more"
 * summary, titles made from the alert, urgency by level.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "alert/notify_int.h"

#define TSIZE	NOTIFY_PLAIN_SIZE(NOTIFY_TITLE_MAX)
#define BSIZE	(NOTIFY_PLAIN_SIZE(NOTIFY_BODY_MAX) + 64)
#define MSIZE	NOTIFY_MARKUP_SIZE(NOTIFY_BODY_MAX)

/* Escape s whole into out. */
static const char *
esc(char *out, size_t size, const char *s)
{
	notify_escape_markup(out, size, s, strlen(s));
	return out;
}

/* The five characters, each as its entity; nothing else changes. */
static void
test_escape_basic(void **state)
{
	char	 out[256];

	assert_string_equal(esc(out, sizeof(out), "a&b<c>d'e\"f"),
	    "a&amp;b&lt;c&gt;d&#39;e&quot;f");
	assert_string_equal(esc(out, sizeof(out), "plain text 42"),
	    "plain text 42");
	assert_string_equal(esc(out, sizeof(out), "caf\xc3\xa9"),
	    "caf\xc3\xa9");
}

/* An entity in attacker text is shown as typed, never decoded. */
static void
test_escape_double(void **state)
{
	char	 out[256];

	assert_string_equal(esc(out, sizeof(out), "&amp;"), "&amp;amp;");
	assert_string_equal(esc(out, sizeof(out), "&lt;b&gt;"),
	    "&amp;lt;b&amp;gt;");
}

/* <a href> and any tag become text: no '<' or '"' survives. */
static void
test_escape_link(void **state)
{
	char	 out[512];

	esc(out, sizeof(out), "<a href=\"https://evil.example/x?a=1&b=2\">"
	    "reset your password</a><b>bold</b><img src='x'>");
	assert_null(strchr(out, '<'));
	assert_null(strchr(out, '>'));
	assert_null(strchr(out, '"'));
	assert_null(strchr(out, '\''));
	assert_non_null(strstr(out, "&lt;a href=&quot;https://evil.example"
	    "/x?a=1&amp;b=2&quot;&gt;reset your password&lt;/a&gt;"));
}

/* A buffer too small cuts before an entity, never inside one. */
static void
test_escape_cut(void **state)
{
	char	 out[8];
	size_t	 n;

	n = notify_escape_markup(out, sizeof(out), "ab<cd", 5);
	/* "ab&lt;" is 6, "ab&lt;c" is 7: fits with the NUL */
	assert_int_equal(n, 7);
	assert_string_equal(out, "ab&lt;c");
	n = notify_escape_markup(out, sizeof(out), "abcd\"e", 6);
	assert_string_equal(out, "abcd");
	assert_int_equal(n, 4);
}

/* Control bytes, ESC, DEL, C1 and bidi overrides shown escaped. */
static void
test_plain_controls(void **state)
{
	char		 out[TSIZE];
	const char	*s = "a\x1b]0;pwned\x07" "b\r\nc\x7f"
	    "d\xe2\x80\xae" "evil\xe2\x81\xa6" "x\xc2\x9b" "y\xff";
	size_t		 i;

	notify_plain(out, sizeof(out), s, NOTIFY_TITLE_MAX);
	for (i = 0; out[i] != '\0'; i++) {
		assert_true((unsigned char)out[i] >= 0x20);
		assert_true((unsigned char)out[i] != 0x7f);
	}
	assert_null(strstr(out, "\xe2\x80\xae"));
	assert_null(strstr(out, "\xe2\x81\xa6"));
	assert_null(strstr(out, "\xc2\x9b"));
	assert_non_null(strstr(out, "\\x1b]0;pwned\\x07"));
	assert_non_null(strstr(out, "\\x0d\\x0ac\\x7f"));
	assert_non_null(strstr(out, "\\u{202e}evil\\u{2066}"));
	assert_non_null(strstr(out, "\\u{009b}"));
	assert_non_null(strstr(out, "y\\xff"));
}

/* Long text is cut at a character with "..."; short is untouched. */
static void
test_plain_bounded(void **state)
{
	char	 big[4000], out[NOTIFY_PLAIN_SIZE(NOTIFY_BODY_MAX)];
	size_t	 i, n;

	/* "é" is 2 bytes; an odd bound falls inside one */
	for (i = 0; i + 2 < sizeof(big); i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[i] = '\0';
	n = notify_plain(out, sizeof(out), big, 101);
	assert_int_equal(n, 100 + 3);
	assert_string_equal(out + 100, "...");
	assert_memory_equal(out + 98, "\xc3\xa9", 2);
	/* attacker text all escapes: still bounded */
	memset(big, '\x1b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	n = notify_plain(out, sizeof(out), big, NOTIFY_BODY_MAX);
	assert_true(n <= 4 * NOTIFY_BODY_MAX + 3);
	assert_int_equal(notify_plain(out, sizeof(out), "short", 100), 5);
	assert_string_equal(out, "short");
	assert_int_equal(notify_plain(out, sizeof(out), NULL, 100), 0);
}

/* The body says how many were held back; the whole thing escapes. */
static void
test_body_more(void **state)
{
	struct alert	 a;
	char		 body[BSIZE], m[MSIZE];

	memset(&a, 0, sizeof(a));
	a.body = "<a href='http://x'>x</a> logged in from 214 IPs";
	notify_body(&a, 0, body, sizeof(body));
	assert_null(strstr(body, "more alert"));
	notify_body(&a, 12, body, sizeof(body));
	assert_non_null(strstr(body, "\nand 12 more alerts"));
	notify_body(&a, 1, body, sizeof(body));
	assert_non_null(strstr(body, "\nand 1 more alert"));
	assert_null(strstr(body, "alerts"));
	notify_escape_markup(m, sizeof(m), body, strlen(body));
	assert_non_null(strstr(m, "&lt;a href=&#39;http://x&#39;&gt;"));
	assert_null(strchr(m, '<'));
}

/* Titles: the alert's own (sanitised), else made from its fields. */
static void
test_title(void **state)
{
	struct alert	 a;
	char		 t[TSIZE];

	memset(&a, 0, sizeof(a));
	a.kind = ALERT_ACCOUNT_LEVEL;
	a.level = LEVEL_CRITICAL;
	a.server = "mx1";
	a.account = "bob\x1b[2J@example.org";
	notify_title(&a, t, sizeof(t));
	assert_string_equal(t, "bob\\x1b[2J@example.org is critical on mx1");
	a.kind = ALERT_CONTAINMENT;
	notify_title(&a, t, sizeof(t));
	assert_non_null(strstr(t, "containment ran for bob"));
	a.kind = ALERT_IP_LISTED;
	notify_title(&a, t, sizeof(t));
	assert_string_equal(t, "an IP of mx1 is listed");
	a.kind = ALERT_SERVER_STALE;
	notify_title(&a, t, sizeof(t));
	assert_string_equal(t, "mx1 is stale");
	a.title = "own \xe2\x80\xae title";
	notify_title(&a, t, sizeof(t));
	assert_string_equal(t, "own \\u{202e} title");
}

/* Keys: the caller's, else kind|server|account. */
static void
test_key(void **state)
{
	struct alert	 a;
	char		 k[256];

	memset(&a, 0, sizeof(a));
	a.kind = ALERT_IP_LISTED;
	a.server = "mx1";
	notify_key(&a, k, sizeof(k));
	assert_string_equal(k, "listed|mx1|");
	a.key = "listed|192.0.2.1|zen.spamhaus.org";
	notify_key(&a, k, sizeof(k));
	assert_string_equal(k, a.key);
}

/* Urgency by level: critical 2, suspicious 1, the rest 0. */
static void
test_urgency(void **state)
{
	assert_int_equal(notify_urgency(LEVEL_CRITICAL), 2);
	assert_int_equal(notify_urgency(LEVEL_SUSPICIOUS), 1);
	assert_int_equal(notify_urgency(LEVEL_WATCH), 0);
	assert_int_equal(notify_urgency(LEVEL_OK), 0);
	assert_string_equal(alert_kind_name(ALERT_ACCOUNT_LEVEL), "account");
	assert_string_equal(alert_kind_name(ALERT_SERVER_STALE), "stale");
}

/* Times are UTC ISO 8601. */
static void
test_time(void **state)
{
	char	 t[32];

	notify_time(1777636800, t, sizeof(t));
	assert_string_equal(t, "2026-05-01T12:00:00Z");
	notify_time(0, t, sizeof(t));
	assert_int_equal(strlen(t), 20);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_escape_basic),
		cmocka_unit_test(test_escape_double),
		cmocka_unit_test(test_escape_link),
		cmocka_unit_test(test_escape_cut),
		cmocka_unit_test(test_plain_controls),
		cmocka_unit_test(test_plain_bounded),
		cmocka_unit_test(test_body_more),
		cmocka_unit_test(test_title),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_urgency),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
