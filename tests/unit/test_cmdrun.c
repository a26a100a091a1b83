/*
 * test_cmdrun.c: one short command run without blocking (console/net/cmdrun.c):
 * exit status, stdout and stderr kept, stdin given, a missing binary, a
 * failure, and the deadline that kills the command's whole process group.
 *
 * The deadline is driven by the times passed to cmdrun_step(), not by the
 * clock, so no test depends on how fast the machine is.
 */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit_files.h"
#include "unit_proc.h"
#include "net/cmdrun.h"

#define LONG_MS		60000	/* a deadline never reached when all is well */
#define GUARD_MS	20000	/* real time after which a test gives up */

/* Start argv with input (NULL: none) or fail the test. */
static struct cmdrun *
start(char *const argv[], const char *input, int deadline_ms)
{
	struct cmdrun	*r;
	char		 err[256];

	r = cmdrun_start(argv, input, input != NULL ? strlen(input) : 0,
	    uf_now_ms(), deadline_ms, err, sizeof(err));
	if (r == NULL)
		fail_msg("cmdrun_start: %s", err);
	return r;
}

/* Step at the fixed time now until stdout holds a full line; 1 if so. */
static int
until_line(struct cmdrun *r, int64_t now)
{
	struct pollfd	 pfd[CMDRUN_NFDS];
	int64_t		 give_up = uf_now_ms() + GUARD_MS;
	size_t		 n;

	while (strchr(cmdrun_stdout(r, NULL), '\n') == NULL) {
		if (cmdrun_step(r, now) != 0 || uf_now_ms() > give_up)
			return 0;
		n = cmdrun_fds(r, pfd);
		poll(pfd, (nfds_t)n, 50);
	}
	return 1;
}

/* Status 0, both streams kept apart and whole, no error. */
static void
test_output(void **state)
{
	char *const	 argv[] = { "/bin/sh", "-c",
	    "echo out; echo err >&2; printf 'no newline'", NULL };
	struct cmdrun	*r = start(argv, NULL, LONG_MS);
	size_t		 len;

	assert_int_equal(cmdrun_wait(r), 1);
	assert_int_equal(cmdrun_status(r), 0);
	assert_string_equal(cmdrun_stdout(r, &len), "out\nno newline");
	assert_int_equal(len, strlen("out\nno newline"));
	assert_string_equal(cmdrun_stderr(r, &len), "err\n");
	assert_int_equal(len, 4);
	assert_string_equal(cmdrun_error(r), "");
	cmdrun_free(r);
}

/* More than CMDRUN_OUT_MAX: the first bytes are kept, the rest drained. */
static void
test_output_cut(void **state)
{
	char *const	 argv[] = { "/bin/sh", "-c",
	    "i=0; while [ $i -lt 3000 ]; do echo 0123456789; i=$((i+1)); "
	    "done; echo done >&2", NULL };
	struct cmdrun	*r = start(argv, NULL, LONG_MS);
	const char	*out;
	size_t		 len;

	assert_int_equal(cmdrun_wait(r), 1);
	out = cmdrun_stdout(r, &len);
	assert_int_equal(len, CMDRUN_OUT_MAX);
	assert_int_equal(strlen(out), CMDRUN_OUT_MAX);
	assert_memory_equal(out, "0123456789\n0123456789\n", 22);
	assert_string_equal(cmdrun_stderr(r, NULL), "done\n");
	cmdrun_free(r);
}

/* The input buffer reaches the command's stdin, and only once. */
static void
test_stdin(void **state)
{
	char *const	 cat[] = { "cat", NULL };
	char *const	 readx[] = { "/bin/sh", "-c",
	    "read x; echo \"got $x\"; read y || echo eof", NULL };
	struct cmdrun	*r;

	r = start(cat, "line one\nline two\n", LONG_MS);
	assert_int_equal(cmdrun_wait(r), 1);
	assert_string_equal(cmdrun_stdout(r, NULL), "line one\nline two\n");
	cmdrun_free(r);

	r = start(readx, "s3cret\n", LONG_MS);
	assert_int_equal(cmdrun_wait(r), 1);
	assert_string_equal(cmdrun_stdout(r, NULL), "got s3cret\neof\n");
	cmdrun_free(r);

	/* no input: /dev/null, so cat ends at once */
	r = start(cat, NULL, LONG_MS);
	assert_int_equal(cmdrun_wait(r), 1);
	assert_string_equal(cmdrun_stdout(r, NULL), "");
	cmdrun_free(r);
}

/* A command that never reads a large input still ends (no EPIPE hang). */
static void
test_stdin_unread(void **state)
{
	char *const	 argv[] = { "/bin/sh", "-c", "exec 0<&-; echo ok",
	    NULL };
	struct cmdrun	*r;
	char		*big, err[256];
	size_t		 n = 4u << 20;

	assert_non_null(big = malloc(n));
	memset(big, 'x', n);
	r = cmdrun_start(argv, big, n, uf_now_ms(), LONG_MS, err,
	    sizeof(err));
	free(big);
	assert_non_null(r);
	assert_int_equal(cmdrun_wait(r), 1);
	assert_string_equal(cmdrun_stdout(r, NULL), "ok\n");
	cmdrun_free(r);
}

/* A missing binary is a failed run saying "not found", never success. */
static void
test_missing(void **state)
{
	char *const	 bare[] = { "mailcon-no-such-tool", "x", NULL };
	char *const	 path[] = { "/nonexistent/mailcon-no-such-tool", NULL };
	char *const	*argvs[] = { bare, path };
	struct cmdrun	*r;
	size_t		 i;

	for (i = 0; i < 2; i++) {
		r = start(argvs[i], "input\n", LONG_MS);
		assert_int_equal(cmdrun_wait(r), -1);
		assert_int_equal(cmdrun_status(r), -1);
		assert_non_null(strstr(cmdrun_error(r), "not found"));
		assert_non_null(strstr(cmdrun_error(r),
		    "mailcon-no-such-tool"));
		cmdrun_free(r);
	}
}

/* A non-zero exit fails with its status and what it said on stderr. */
static void
test_exit_status(void **state)
{
	char *const	 argv[] = { "/bin/sh", "-c",
	    "echo partial; printf 'postmap: fatal: \\033[31mbad\\n' >&2; "
	    "exit 3", NULL };
	struct cmdrun	*r = start(argv, NULL, LONG_MS);

	assert_int_equal(cmdrun_wait(r), -1);
	assert_int_equal(cmdrun_status(r), 3);
	assert_non_null(strstr(cmdrun_error(r), "exit status 3"));
	assert_non_null(strstr(cmdrun_error(r), "postmap: fatal:"));
	/* the error is for a screen: no raw escape, no newline */
	assert_null(strchr(cmdrun_error(r), '\033'));
	assert_null(strchr(cmdrun_error(r), '\n'));
	assert_string_equal(cmdrun_stdout(r, NULL), "partial\n");
	cmdrun_free(r);
}

/*
 * Past its deadline the command is killed with everything it started:
 * the shell and its background sleep share the process group.
 */
static void
test_deadline(void **state)
{
	char *const	 argv[] = { "/bin/sh", "-c",
	    "sleep 30 & echo $!; wait", NULL };
	struct cmdrun	*r;
	char		 err[256];
	long		 sleeper;
	int		 rc;

	r = cmdrun_start(argv, NULL, 0, 0, 1000, err, sizeof(err));
	assert_non_null(r);
	assert_true(until_line(r, 999));
	sleeper = strtol(cmdrun_stdout(r, NULL), NULL, 10);
	assert_true(sleeper > 1);
	/* the deadline passes */
	rc = cmdrun_step(r, 1000);
	while (rc == 0) {
		assert_true(cmdrun_fds(r, NULL) == 0);
		usleep(1000);
		rc = cmdrun_step(r, 1000);
	}
	assert_int_equal(rc, -1);
	assert_int_equal(cmdrun_status(r), 128 + SIGKILL);
	assert_non_null(strstr(cmdrun_error(r), "timed out"));
	assert_true(up_pid_gone((pid_t)sleeper));
	cmdrun_free(r);
}

/* Freeing a run that still runs kills it (and its group) too. */
static void
test_free_kills(void **state)
{
	char *const	 argv[] = { "/bin/sh", "-c",
	    "sleep 30 & echo $!; wait", NULL };
	struct cmdrun	*r = start(argv, NULL, LONG_MS);
	long		 sleeper;

	assert_true(until_line(r, uf_now_ms()));
	sleeper = strtol(cmdrun_stdout(r, NULL), NULL, 10);
	assert_true(sleeper > 1);
	cmdrun_free(r);
	assert_true(up_pid_gone((pid_t)sleeper));
}

/* No command at all: NULL with a reason. */
static void
test_no_command(void **state)
{
	char *const	 argv[] = { NULL };
	char		 err[128] = "";

	assert_null(cmdrun_start(argv, NULL, 0, 0, LONG_MS, err,
	    sizeof(err)));
	assert_string_not_equal(err, "");
}

/* The secret input of the secret tests, which script echoes. */
#define SECRET_IN	"Kq4ZsecretPw9xYv\n"

/*
 * Run script with SECRET_IN as its secret input; it must exit 3 having
 * written the stderr both tests expect: the secret whole and split, and
 * cut by the limit 8 bytes into a last copy (the two before take 32 bytes
 * once scrubbed).
 */
static struct cmdrun *
secret_run(char *script)
{
	char *const		 argv[] = { "/bin/sh", "-c", script, NULL };
	char			 err[256];
	struct cmdrun_spec	 spec;
	struct cmdrun		*r;
	const char		*e;
	size_t			 elen;

	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.input = SECRET_IN;
	spec.inlen = strlen(spec.input);
	spec.deadline_ms = LONG_MS;
	spec.secret_input = 1;
	r = cmdrun_run(NULL, &spec, uf_now_ms(), err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(cmdrun_wait(r), -1);
	e = cmdrun_stderr(r, &elen);
	assert_non_null(strstr(e, "doveadm: bad: <secret>\n<secret>\n"));
	assert_null(strstr(e, "Kq4Z"));
	assert_int_equal(elen, strlen(e));
	assert_string_equal(e + elen - 8, "<secret>");
	return r;
}

/*
 * A secret input is never in what the command printed, whole, split over
 * two writes, or cut by the output limit; nor in the error.
 */
static void
test_secret_echoed(void **state)
{
	char			 script[CMDRUN_OUT_MAX + 512];
	struct cmdrun		*r;
	const char		*out;
	size_t			 olen;

	snprintf(script, sizeof(script), "IFS= read -r p; echo \"got $p\"; "
	    "printf 'doveadm: bad: %%s\\n' \"$p\" >&2; "
	    "printf '%%s' \"$(echo \"$p\" | cut -c1-6)\" >&2; sleep 0.2; "
	    "printf '%%s\\n' \"$(echo \"$p\" | cut -c7-)\" >&2; "
	    "head -c %d /dev/zero | tr '\\0' x >&2; printf '%%s' \"$p\" >&2; "
	    "exit 3", CMDRUN_OUT_MAX - 40);
	r = secret_run(script);
	out = cmdrun_stdout(r, &olen);
	assert_string_equal(out, "got <secret>\n");
	assert_null(strstr(cmdrun_error(r), "Kq4Z"));
	assert_non_null(strstr(cmdrun_error(r), "<secret>"));
	cmdrun_free(r);
}

/*
 * What is kept of a scrubbed output does not depend on how the pipe split
 * it: the same stderr in one write (one read here) keeps the same end,
 * the limit counted on the scrubbed text.
 */
static void
test_secret_one_write(void **state)
{
	char			 script[CMDRUN_OUT_MAX + 512];

	snprintf(script, sizeof(script), "IFS= read -r p; "
	    "x=$(head -c %d /dev/zero | tr '\\0' x); "
	    "printf 'doveadm: bad: %%s\\n%%s\\n%%s%%s' \"$p\" \"$p\" \"$x\" "
	    "\"$p\" >&2; exit 3", CMDRUN_OUT_MAX - 40);
	cmdrun_free(secret_run(script));
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_output_cut),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_stdin_unread),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_free_kills),
		cmocka_unit_test(test_no_command),
		cmocka_unit_test(test_secret_echoed),
		cmocka_unit_test(test_secret_one_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
