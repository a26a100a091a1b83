/*
 * test_queue_take.c: the reader of an MTA's take (console/act/queue_take.c)
 * with Exim's backend: the tool's lines before the line TAKE_RECORDS are
 * judged (done, gone, locked, other), the records after it are parsed as
 * a listing's, and a take that prints no records or fails is a failure.
 * The commands are real processes (/bin/sh printing what a take prints).
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "act/queue.h"
#include "act/queue_take.h"
#include "backends/backend.h"

#define LONG_WAIT_MS	60000	/* a deadline never reached when all is well */

/* Milliseconds of the monotonic clock. */
static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run "/bin/sh -c SCRIPT" as the purge take; its end (1 or -1) in *rc. */
static struct queue_take *
run_take(const char *script, int *rc)
{
	char *const	 argv[] = { "/bin/sh", "-c", (char *)script,
			    "mailcon-test-take", NULL };
	struct queue_take *qt;
	struct pollfd	 pfd[4];
	size_t		 n;
	char		 err[256];
	int		 wait, calls;

	qt = queue_take_start(NULL, &backend_exim, QOP_DELETE, argv, now_ms(),
	    LONG_WAIT_MS, err, sizeof(err));
	assert_non_null(qt);
	for (calls = 0;; calls++) {
		n = queue_take_fds(qt, pfd);
		wait = queue_take_wait_ms(qt, now_ms());
		if (wait < 0 || wait > 1000)
			wait = 1000;
		poll(pfd, (nfds_t)n, wait);
		if ((*rc = queue_take_step(qt, now_ms())) != 0)
			return qt;
		assert_true(calls < 1000000);
	}
}

/* The tool's lines, then the records: counts, ids reported, records. */
static void
test_lines_then_records(void **state)
{
	const char	*script =
	    "printf 'Message 1xaKQZ-000001-00 has been removed\\n'\n"
	    "printf 'Message 1xaKQZ-000002-00 is locked\\n'\n"
	    "printf 'Spool data file for 1xaKQZ-000003-00 does not exist\\n'\n"
	    "printf 'Continuing, to ensure all files removed\\n'\n"
	    "printf 'Message 1xaKQZ-000003-00 has been removed or did not "
	    "exist\\n'\n"
	    "printf 'exim: \\033]0;title\\007 odd\\n'\n"
	    "printf '" TAKE_RECORDS "\\n'\n"
	    /* a tool's line after the mark is a record's, never counted */
	    "printf 'Message 1xaKQZ-000009-00 has been removed\\n\\n'\n"
	    "for i in 1 2 3; do printf ' 0m 0 1xaKQZ-00000%s-00 <>\\n"
	    "          authenticated_id = '\\''judy@example.test'\\''\\n\\n'"
	    " $i; done\n"
	    "printf ' 0m 0 1xaKQZ-000004-00 <judy@example.test>\\n\\n'\n";
	struct queue_take_result r;
	struct queue_snapshot	 s;
	struct queue_take	*qt;
	int			 rc;

	(void)state;
	qt = run_take(script, &rc);
	assert_int_equal(rc, 1);
	queue_take_result(qt, &r);
	assert_int_equal(r.done, 1);
	assert_int_equal(r.gone, 1);
	assert_int_equal(r.busy, 1);
	assert_int_equal(r.errors, 1);
	/* the title escape is shown as text, never sent */
	assert_null(strchr(r.text, '\033'));
	assert_non_null(strstr(r.text, "odd"));
	assert_true(queue_take_reported(qt, "1xaKQZ-000001-00"));
	assert_false(queue_take_reported(qt, "1xaKQZ-000002-00"));
	assert_true(queue_take_reported(qt, "1xaKQZ-000003-00"));
	assert_false(queue_take_reported(qt, "1xaKQZ-000004-00"));
	assert_false(queue_take_reported(qt, "1xaKQZ-000009-00"));
	queue_snapshot_init(&s, 0);
	queue_take_snapshot(qt, &s);
	assert_int_equal(s.messages, 4);
	assert_int_equal(s.nrec, 4);
	queue_snapshot_clear(&s);
	queue_take_free(qt);
}

/* No records (not a take, or cut short): a failure that says so. */
static void
test_no_records(void **state)
{
	struct queue_take	*qt;
	int			 rc;

	(void)state;
	qt = run_take("printf 'Message 1xaKQZ-000001-00 has been removed\\n'",
	    &rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(queue_take_error(qt), "printed no records"));
	queue_take_free(qt);
}

/* A take that fails after some were done: a failure, the done counted. */
static void
test_fails(void **state)
{
	struct queue_take_result r;
	struct queue_take	*qt;
	int			 rc;

	(void)state;
	qt = run_take("printf 'Message 1xaKQZ-000001-00 has been removed\\n'\n"
	    "printf '" TAKE_RECORDS "\\n'\n"
	    "echo 'mailcon-exim-spool: xargs failed' >&2; exit 3", &rc);
	assert_int_equal(rc, -1);
	queue_take_result(qt, &r);
	assert_int_equal(r.done, 1);
	assert_non_null(strstr(queue_take_error(qt), "xargs failed"));
	queue_take_free(qt);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_lines_then_records),
		cmocka_unit_test(test_no_records),
		cmocka_unit_test(test_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
