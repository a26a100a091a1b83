/*
 * test_server_line.c: the seam every live log line passes (server_line):
 * parsed as written, shown with its secrets hidden; an ordinary line
 * handed on whole; journalctl's blob placeholder counted as an unreadable
 * entry and said in the log view, not shown as a line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "config/config.h"
#include "live/logring.h"
#include "live/server.h"

/* What watch --lines would print: every line as handed on. */
static char	 seen[8][1024];
static int	 nseen;

static void
on_line(void *arg, const struct server *s, const char *line, size_t len)
{
	if (nseen < 8)
		snprintf(seen[nseen++], sizeof(seen[0]), "%.*s", (int)len,
		    line);
}

/* The i-th line of the log view, as a C string. */
static const char *
ring(const struct logring *r, size_t i)
{
	static char		 buf[2048];
	const struct logring_line *l = logring_get(r, i);

	snprintf(buf, sizeof(buf), "%.*s", (int)l->len, l->text);
	return buf;
}

static void
test_seam(void **state)
{
	static const char *const lines[] = {
		"Nov 28 03:01:06 auth: Info: passwd-file(ivan@example.test,"
		    "127.66.0.2): Password mismatch (given password: Sekr1tPw)",
		"Nov 28 03:01:07 mail postfix/smtpd[1]: BAC3910614B: client="
		    "unknown[127.0.1.1], sasl_method=PLAIN, sasl_username="
		    "alice@example.test",
		"2026-11-28T03:01:08+0000 mx postfix/smtpd[7]: [123B blob data]",
	};
	struct mailcon_config	 cfg;
	struct server_config	*sc;
	struct logring		 log;
	struct server		*s;
	struct source		 src;
	size_t			 i;

	config_init(&cfg);
	sc = config_add_server(&cfg, "mx");
	logring_init(&log, 16);
	s = server_new(sc, 0, &cfg.detect, 1, 1, &log, NULL);
	s->on_line = on_line;
	memset(&src, 0, sizeof(src));
	src.server = s;
	log_clock_init(&src.clock, INT64_C(1795867200));
	src.clock.utc = 1;
	for (i = 0; i < 3; i++)
		server_line(s, &src, lines[i], strlen(lines[i]));

	/* what --lines prints: the password hidden, the rest whole */
	assert_int_equal(nseen, 3);
	assert_string_equal(seen[0], "Nov 28 03:01:06 auth: Info: passwd-file("
	    "ivan@example.test,127.66.0.2): Password mismatch (given "
	    "password: <hidden>)");
	assert_string_equal(seen[1], lines[1]);
	/* the log view: the same, and the blob said for what it is */
	assert_int_equal(log.n, 3);
	assert_string_equal(ring(&log, 0), seen[0]);
	assert_string_equal(ring(&log, 1), lines[1]);
	assert_non_null(strstr(ring(&log, 2), "unreadable journal entry of "
	    "postfix/smtpd: journalctl printed [123B blob data]"));
	assert_int_equal(s->unreadable, 1);
	/* the failed login and the submission still reached the detector */
	assert_int_equal(s->events, 2);
	server_free(s);
	logring_free(&log);
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seam),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
