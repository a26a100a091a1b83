/* test_cmdfollow.c: a command's output followed as a log, and its end. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "intake/cmdfollow.h"

struct got {
	char	 lines[16][64];
	int	 n;
	int	 truncated;
};

static void
on_line(const char *line, size_t len, int flags, void *arg)
{
	struct got	*g = arg;

	if (flags & FOLLOW_LINE_TRUNCATED)
		g->truncated++;
	if (g->n < 16)
		snprintf(g->lines[g->n], sizeof(g->lines[0]), "%.*s",
		    (int)(len < 63 ? len : 63), line);
	g->n++;
}

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Poll until the command is not running any more (or 1,000 turns pass);
 * the time of the last poll, from which its back-off counts.
 */
static int64_t
until_ended(struct cmdfollow *c, struct got *g)
{
	int64_t	 t = now_ms();
	int	 i;

	(void)cmdfollow_poll(c, t, on_line, g, 0);	/* starts it */
	for (i = 0; i < 3000 && cmdfollow_state(c) == FOLLOW_LIVE; i++) {
		t = now_ms();
		(void)cmdfollow_poll(c, t, on_line, g, 0);
		usleep(10000);
	}
	return t;
}

/* Lines, a partial line finished later, then an exit with a reason. */
static void
test_lines_and_exit(void **state)
{
	char	*argv[] = { "sh", "-c", "printf 'one\\ntwo\\nthr'; sleep 0.3; "
	    "printf 'ee\\n'; echo 'journal: no access' >&2; exit 3", NULL };
	struct cmdfollow *c = cmdfollow_open(argv);
	struct got	 g;
	int64_t		 ended;

	memset(&g, 0, sizeof(g));
	ended = until_ended(c, &g);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.lines[0], "one");
	assert_string_equal(g.lines[2], "three");
	assert_int_equal(cmdfollow_state(c), FOLLOW_UNREADABLE);
	assert_non_null(strstr(cmdfollow_error(c), "exited with status 3"));
	assert_non_null(strstr(cmdfollow_error(c), "journal: no access"));
	assert_non_null(strstr(cmdfollow_error(c), "retrying in 5 s"));
	/*
	 * Not before the back-off, then started again: on the clock of the
	 * poll that saw it end (the real one, read again, may be past the
	 * 5 s on a loaded machine)
	 */
	assert_int_equal(cmdfollow_poll(c, ended, on_line, &g, 0), 0);
	assert_int_equal(cmdfollow_starts(c), 1);
	(void)cmdfollow_poll(c, ended + 6000, on_line, &g, 0);
	assert_int_equal(cmdfollow_starts(c), 2);
	cmdfollow_close(c);
}

/* A command that does not exist: a message naming it. */
static void
test_missing_command(void **state)
{
	char	*argv[] = { "/nonexistent/journalctl", "-f", NULL };
	struct cmdfollow *c = cmdfollow_open(argv);
	struct got	 g;

	memset(&g, 0, sizeof(g));
	until_ended(c, &g);
	assert_int_equal(g.n, 0);
	assert_non_null(strstr(cmdfollow_error(c), "/nonexistent/journalctl"));
	assert_non_null(strstr(cmdfollow_error(c), "127"));
	cmdfollow_close(c);
}

/* Closing kills a command that runs on (and its children). */
static void
test_close_kills(void **state)
{
	char	*argv[] = { "sh", "-c", "echo $$; sleep 60 & sleep 60", NULL };
	struct cmdfollow *c = cmdfollow_open(argv);
	struct got	 g;
	pid_t		 pid;
	int		 i;

	memset(&g, 0, sizeof(g));
	for (i = 0; i < 3000 && g.n == 0; i++) {	/* 30 s */
		(void)cmdfollow_poll(c, now_ms(), on_line, &g, 0);
		usleep(10000);
	}
	assert_int_equal(g.n, 1);
	assert_int_equal(cmdfollow_state(c), FOLLOW_LIVE);
	pid = (pid_t)atol(g.lines[0]);
	assert_true(pid > 1);
	cmdfollow_close(c);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
}

/* An endless line is cut once and the rest dropped, not buffered. */
static void
test_overlong_line(void **state)
{
	char	*argv[] = { "sh", "-c", "head -c 200000 /dev/zero | tr '\\0' x;"
	    " echo; echo after", NULL };
	struct cmdfollow *c = cmdfollow_open(argv);
	struct got	 g;

	memset(&g, 0, sizeof(g));
	until_ended(c, &g);
	assert_int_equal(g.truncated, 1);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.lines[1], "after");
	cmdfollow_close(c);
}

/*
 * A command that closes its output before it exits is reaped when it
 * exits, not killed the moment its output ends: its own exit status is
 * what the message says.
 */
static void
test_exit_after_output(void **state)
{
	char	*argv[] = { "sh", "-c", "echo one; exec >&-; sleep 0.3; "
	    "exit 3", NULL };
	struct cmdfollow *c = cmdfollow_open(argv);
	struct got	 g;

	memset(&g, 0, sizeof(g));
	until_ended(c, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(cmdfollow_state(c), FOLLOW_UNREADABLE);
	assert_non_null(strstr(cmdfollow_error(c), "exited with status 3"));
	cmdfollow_close(c);
}

/* A last line without its newline is handed on, not dropped. */
static void
test_last_partial(void **state)
{
	char	*argv[] = { "sh", "-c", "printf 'one\ntwo'", NULL };
	struct cmdfollow *c = cmdfollow_open(argv);
	struct got	 g;

	memset(&g, 0, sizeof(g));
	until_ended(c, &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.lines[1], "two");
	cmdfollow_close(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_and_exit),
		cmocka_unit_test(test_missing_command),
		cmocka_unit_test(test_close_kills),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_exit_after_output),
		cmocka_unit_test(test_last_partial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
