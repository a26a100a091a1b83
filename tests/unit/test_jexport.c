/* test_jexport.c: the journal export parser and the journal follower's
   resume logic (jexport.h, jfollow.h), fed split at every byte. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "intake/jexport.h"
#include "intake/jfollow.h"

struct got {
	char	 text[4096];	/* lines, '|' after each; "SKIP:why|" */
	char	 cursor[300];
	int	 n;
	int	 gaps;
};

/* jexport callback: collect. */
static void
on_entry(const char *line, size_t len, const char *cursor, const char *why,
    void *arg)
{
	struct got	*g = arg;
	size_t		 o = strlen(g->text);

	if (line == NULL)
		snprintf(g->text + o, sizeof(g->text) - o, "SKIP:%s|", why);
	else
		snprintf(g->text + o, sizeof(g->text) - o, "%.*s|", (int)len,
		    line);
	snprintf(g->cursor, sizeof(g->cursor), "%s", cursor);
	g->n++;
}

/* Feed s (n bytes) one byte at a time: 0, or -1 at the first refusal. */
static int
feed_bytes(struct jexport *j, const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (jexport_input(j, s + i, 1) == -1)
			return -1;
	return 0;
}

#define ENTRY1 "__CURSOR=s=ab;i=1\n__REALTIME_TIMESTAMP=1795924800123456\n" \
	"_HOSTNAME=mx1\nSYSLOG_IDENTIFIER=postfix/smtpd\n_PID=123\n" \
	"SYSLOG_FACILITY=2\nMESSAGE=connect from x[1.2.3.4]\n\n"

/* Text fields, split at every byte and whole: the same line. */
static void
test_text(void **state)
{
	static const char	 in[] = ENTRY1;
	struct got		 g;
	struct jexport		*j;
	size_t			 cut;

	for (cut = 0; cut <= sizeof(in) - 1; cut++) {
		memset(&g, 0, sizeof(g));
		j = jexport_new(on_entry, &g);
		assert_int_equal(jexport_input(j, in, cut), 0);
		assert_int_equal(feed_bytes(j, in + cut, sizeof(in) - 1 - cut),
		    0);
		assert_string_equal(g.text, "2026-11-29T04:00:00.123456+00:00 "
		    "mx1 postfix/smtpd[123]: connect from x[1.2.3.4]|");
		assert_string_equal(g.cursor, "s=ab;i=1");
		jexport_free(j);
	}
}

/* A binary MESSAGE with a newline, an escape and invalid UTF-8 stays one
   line, bytes as they are; hostile host and ident cannot shift fields. */
static void
test_binary(void **state)
{
	static const char	 in[] = "__CURSOR=c1\n"
	    "__REALTIME_TIMESTAMP=1795924800000000\n"
	    "_HOSTNAME=evil host\nSYSLOG_IDENTIFIER=a: b[1]\n_PID=12x\n"
	    "SYSLOG_PID=7\nMESSAGE\n\x08\0\0\0\0\0\0\0a\nb\x1b[1m\xff\n\n";
	struct got		 g;
	struct jexport		*j;

	memset(&g, 0, sizeof(g));
	j = jexport_new(on_entry, &g);
	assert_int_equal(feed_bytes(j, in, sizeof(in) - 1), 0);
	assert_string_equal(g.text, "2026-11-29T04:00:00.000000+00:00 "
	    "evil_host a__b_1_[7]: a\nb\x1b[1m\xff|");
	jexport_free(j);
}

/* An oversized field or entry is skipped and said; the next is read. */
static void
test_oversized(void **state)
{
	struct got	 g;
	struct jexport	*j;
	char		*big;
	static const char blob[] = "__REALTIME_TIMESTAMP=1\nBLOB\n";
	static const char head[] = "__CURSOR=c9\n__REALTIME_TIMESTAMP=1\n"
	    "MESSAGE=";
	size_t		 n = JEXPORT_FIELD_MAX + 10, k;
	uint64_t	 left;
	unsigned char	 len[8];
	int		 i;

	memset(&g, 0, sizeof(g));
	j = jexport_new(on_entry, &g);
	big = malloc(n);
	memset(big, 'x', n);
	assert_int_equal(jexport_input(j, head, strlen(head)), 0);
	assert_int_equal(jexport_input(j, big, n), 0);
	assert_int_equal(jexport_input(j, "\n\n", 2), 0);
	assert_non_null(strstr(g.text, "SKIP:an entry with a MESSAGE over"));
	assert_string_equal(g.cursor, "c9");
	/* a whole entry over JEXPORT_ENTRY_MAX in a field not kept */
	memset(&g, 0, sizeof(g));
	for (i = 0; i < 8; i++)
		len[i] = (unsigned char)(((uint64_t)JEXPORT_ENTRY_MAX + 1) >>
		    (8 * i));
	assert_int_equal(jexport_input(j, blob, strlen(blob)), 0);
	assert_int_equal(jexport_input(j, (char *)len, 8), 0);
	for (left = (uint64_t)JEXPORT_ENTRY_MAX + 1; left > 0; left -= k) {
		k = left < n ? (size_t)left : n;
		assert_int_equal(jexport_input(j, big, k), 0);
	}
	assert_int_equal(g.n, 0);
	assert_int_equal(jexport_input(j, "\n\n", 2), 0);
	assert_string_equal(g.text, "SKIP:an entry over 16777216 bytes "
	    "skipped|");
	free(big);
	jexport_free(j);
}

/* What is not the export format is refused. */
static void
test_garbage(void **state)
{
	static const struct {
		const char	*p;
		size_t		 len;
	} bad[] = {
		{ "lower=case\n", 11 }, { "=value\n", 7 }, { "A B=c\n", 6 },
		{ "\x1b[2J=x\n", 7 },
		/* a binary length journald would never write */
		{ "MESSAGE\n\xff\xff\xff\xff\xff\xff\xff\xff", 16 },
		/* one byte of value, then not the newline that ends it */
		{ "MESSAGE\n\x01\0\0\0\0\0\0\0xy", 18 },
	};
	struct got	 g;
	struct jexport	*j;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&g, 0, sizeof(g));
		j = jexport_new(on_entry, &g);
		if (jexport_input(j, bad[i].p, bad[i].len) != -1)
			fail_msg("bad input %zu was taken", i);
		jexport_free(j);
	}
	/* an entry without a time is skipped, not refused */
	memset(&g, 0, sizeof(g));
	j = jexport_new(on_entry, &g);
	assert_int_equal(jexport_input(j, "MESSAGE=hi\n\n\n", 13), 0);
	assert_string_equal(g.text, "SKIP:an entry without a valid "
	    "__REALTIME_TIMESTAMP skipped|");
	jexport_free(j);
	assert_int_equal(jexport_cursor_ok("s=ab;i=1;b=0f-_", 15), 1);
	assert_int_equal(jexport_cursor_ok("s=ab'; reboot", 13), 0);
	assert_int_equal(jexport_cursor_ok("", 0), 0);
}

struct fgot {
	char	 text[1024];
	char	 gap[300];
	int	 gaps;
};

static void
f_line(const char *line, size_t len, int flags, void *arg)
{
	struct fgot	*g = arg;
	size_t		 o = strlen(g->text);

	snprintf(g->text + o, sizeof(g->text) - o, "%.*s|", (int)len, line);
}

static void
f_gap(const char *why, void *arg)
{
	struct fgot	*g = arg;

	snprintf(g->gap, sizeof(g->gap), "%s", why);
	g->gaps++;
}

#define E(c, m) "__CURSOR=" c "\n__REALTIME_TIMESTAMP=0\n_HOSTNAME=h\n" \
	"SYSLOG_IDENTIFIER=p\nMESSAGE=" m "\n\n"

/* Resume: the cursor's own entry is dropped; another one is a gap. */
static void
test_follow_resume(void **state)
{
	struct fgot	 g;
	struct jfollow	*j;
	char		*argv[JFOLLOW_ARGV_MAX], buf[300];
	int		 n;

	memset(&g, 0, sizeof(g));
	j = jfollow_open("/j", 1, 0, f_line, f_gap, &g);
	/* from now: first the anchor probe, without -f */
	n = jfollow_argv(j, argv, buf, sizeof(buf));
	assert_string_equal(argv[1], "sudo");
	assert_string_equal(argv[5], "--show-cursor");
	assert_string_equal(argv[n - 3], "-n");
	assert_string_equal(argv[n - 2], "0");
	assert_string_equal(argv[n - 1], "SYSLOG_FACILITY=2");
	assert_int_equal(jfollow_anchor(j, "-- cursor: c0\n", 14), 0);
	n = jfollow_argv(j, argv, buf, sizeof(buf));
	assert_string_equal(argv[5], "-f");
	assert_string_equal(argv[n - 2], "--cursor=c0");
	/* the anchor's entry itself is old: not delivered */
	jfollow_restart(j);
	assert_int_equal(jfollow_input(j, E("c0", "zero") E("c1", "one")
	    E("c2", "two"), strlen(E("c0", "zero") E("c1", "one")
	    E("c2", "two"))), 0);
	assert_string_equal(jfollow_cursor(j), "c2");
	n = jfollow_argv(j, argv, buf, sizeof(buf));
	assert_string_equal(argv[n - 2], "--cursor=c2");
	/* the same entry again, then a new one: delivered once */
	jfollow_restart(j);
	assert_int_equal(jfollow_input(j, E("c2", "two") E("c3", "three"),
	    strlen(E("c2", "two") E("c3", "three"))), 0);
	assert_string_equal(g.text, "1970-01-01T00:00:00.000000+00:00 h p: "
	    "one|1970-01-01T00:00:00.000000+00:00 h p: two|"
	    "1970-01-01T00:00:00.000000+00:00 h p: three|");
	assert_int_equal(g.gaps, 0);
	/* the cursor's entry is gone: a gap, and the entry delivered */
	jfollow_restart(j);
	assert_int_equal(jfollow_input(j, E("c9", "nine"),
	    strlen(E("c9", "nine"))), 0);
	assert_int_equal(g.gaps, 1);
	assert_non_null(strstr(g.gap, "no longer in the journal"));
	assert_non_null(strstr(g.text, "p: nine|"));
	/* garbage: refused until restarted */
	assert_int_equal(jfollow_input(j, "bad line\n", 9), -1);
	assert_int_equal(jfollow_input(j, E("c10", "ten"),
	    strlen(E("c10", "ten"))), -1);
	jfollow_close(j);
}

/* The anchor probe: no mail entry yet means everything later is new
   (--no-tail); a cursor that may not go on a command line is refused. */
static void
test_follow_anchor(void **state)
{
	struct fgot	 g;
	struct jfollow	*j;
	char		*argv[JFOLLOW_ARGV_MAX], buf[300];
	int		 n;

	(void)state;
	memset(&g, 0, sizeof(g));
	j = jfollow_open(NULL, 0, 0, f_line, f_gap, &g);
	assert_int_equal(jfollow_anchor(j, "", 0), 0);
	n = jfollow_argv(j, argv, buf, sizeof(buf));
	assert_string_equal(argv[2], "-f");
	assert_string_equal(argv[n - 2], "--no-tail");
	jfollow_restart(j);
	assert_int_equal(jfollow_input(j, E("c1", "one"),
	    strlen(E("c1", "one"))), 0);
	assert_string_equal(g.text, "1970-01-01T00:00:00.000000+00:00 h p: "
	    "one|");
	assert_int_equal(g.gaps, 0);
	jfollow_close(j);
	j = jfollow_open(NULL, 0, 0, f_line, f_gap, &g);
	assert_int_equal(jfollow_anchor(j, "-- cursor: s=1;i=2'; reboot\n",
	    28), -1);
	assert_string_equal(jfollow_cursor(j), "");
	jfollow_close(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_follow_resume),
		cmocka_unit_test(test_follow_anchor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
