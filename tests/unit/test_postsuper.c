/*
 * test_postsuper.c: hold/release/purge through postsuper, run by the queue
 * operation runner (console/act/queue_op.c) as Postfix's backend says.
 *
 * The children are real processes: small shell scripts in a temporary
 * directory that read the ids on stdin and answer with the lines Postfix
 * 3.7's postsuper prints (checked against the real one, see
 * backends/postfix/postsuper.c), or that fail, hang or leave a marker
 * file behind.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
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
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "act/queue_op.h"
#include "backends/backend.h"
#include "unit_proc.h"

/* Postfix's queue operation op on ids through base (its postsuper). */
#define ps_start(op, base, ids, n, now, deadline, err, errlen) \
	queue_op_start(NULL, &backend_postfix, (op), (base), (ids), (n), \
	    (now), (deadline), (err), (errlen))

#define LONG_WAIT_MS	60000	/* a deadline never reached when all is well */

static char	 tmpdir[] = "/tmp/mc-postsuper.XXXXXX";

/*
 * The fake postsuper: logs "ARGS COUNT" per run to $DIR/runs, the ids to
 * $DIR/ids, skips ids starting with "F" (as Postfix skips ids it does not
 * find), and those starting with "C" when told a queue (moved out of it
 * since the read), and prints what Postfix prints.
 */
static const char fake_postsuper[] =
    "#!/bin/sh\n"
    "dir=$(dirname \"$0\")\n"
    "flag= q=\n"
    "for a; do case $a in -h|-H|-d) flag=$a ;;\n"
    "  deferred|hold|active|incoming|maildrop) q=$a ;; esac; done\n"
    "case $flag in\n"
    "-h) verb='placed on hold'; sum='Placed on hold' ;;\n"
    "-H) verb='released from hold'; sum='Released from hold' ;;\n"
    "-d) verb=removed; sum=Deleted ;;\n"
    "*) echo \"postsuper: fatal: bad flag $flag\" >&2; exit 1 ;;\n"
    "esac\n"
    "n=0; seen=0\n"
    "while IFS= read -r id; do\n"
    "  seen=$((seen+1)); echo \"$id\" >>\"$dir/ids\"\n"
    "  case $id in F*) continue ;; C*) [ -z \"$q\" ] || continue ;; esac\n"
    "  echo \"postsuper: $id: $verb\" >&2; n=$((n+1))\n"
    "done\n"
    "echo \"$* $seen\" >>\"$dir/runs\"\n"
    "[ $n = 1 ] && s= || s=s\n"
    "echo \"postsuper: $sum: $n message$s\" >&2\n";

/* Monotonic milliseconds. */
static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Write an executable script into the temporary directory; its path. */
static const char *
script(const char *name, const char *text)
{
	static char	 path[4][256];
	static int	 next;
	char		*p = path[next++ % 4];
	FILE		*f;

	snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
	assert_non_null(f = fopen(p, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(p, 0755), 0);
	return p;
}

/* A file in the temporary directory. */
static const char *
tmpfile_path(const char *name)
{
	static char	 path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* Lines in a file of the temporary directory (0 when it is missing). */
static size_t
count_lines(const char *name)
{
	FILE	*f;
	size_t	 n = 0;
	int	 c;

	if ((f = fopen(tmpfile_path(name), "r")) == NULL)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Forget what earlier fake runs logged. */
static void
reset_logs(void)
{
	unlink(tmpfile_path("runs"));
	unlink(tmpfile_path("ids"));
	unlink(tmpfile_path("marker"));
}

/* Drive a run with poll() until it ends; returns its result. */
static int
drive(struct queue_op_run *run)
{
	struct pollfd	 pfd[QUEUE_OP_NFDS];
	size_t		 n;
	int		 r, wait, calls;

	for (calls = 0;; calls++) {
		n = queue_op_fds(run, pfd);
		wait = queue_op_wait_ms(run, now_ms());
		if (wait < 0 || wait > 1000)
			wait = 1000;
		poll(pfd, (nfds_t)n, wait);
		if ((r = queue_op_step(run, now_ms())) != 0)
			return r;
		assert_true(calls < 1000000);
	}
}

/* n distinct valid short ids (11 hex digits); the caller frees. */
static char **
make_ids(size_t n, char first)
{
	char	**ids;
	size_t	 i;

	assert_non_null(ids = calloc(n, sizeof(*ids)));
	for (i = 0; i < n; i++) {
		assert_non_null(ids[i] = malloc(16));
		snprintf(ids[i], 16, "%c%010zX", first, i);
		assert_true(queue_id_is_valid(ids[i], strlen(ids[i])));
	}
	return ids;
}

/* Free make_ids()'s result. */
static void
free_ids(char **ids, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/*
 * Every hostile id refuses the whole run and nothing is started: the
 * command would leave a marker file, and does when the ids are good.
 */
static void
test_refuse_hostile(void **state)
{
	static const char *const hostile[] = {
		"ALL", "-x", "'", ";", "$(touch /tmp/pwned)", "ABCDEF 01234",
		"ABCDEF01234\n", "ABCDEF01234\nALL", "", "-d", "ABCDEF01234;",
		"\033]0;title\007ABCDEF01234",
		"0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
	};
	char			*argv[] = { NULL, NULL };
	const char		*ids[3] = { "ABCDEF01234", NULL,
	    "4F3A2B1C0D9" };
	char			 err[512];
	struct queue_op_run	*run;
	struct queue_op_result	 res;
	size_t			 i;
	int			 r;

	argv[0] = (char *)script("markme", "#!/bin/sh\ncat >/dev/null\n"
	    ": >\"$(dirname \"$0\")/marker\"\n"
	    "echo 'postsuper: Deleted: 0 messages' >&2\n");
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		reset_logs();
		ids[1] = hostile[i];
		err[0] = '\0';
		run = ps_start(QOP_DELETE, argv, ids, 3, now_ms(),
		    LONG_WAIT_MS, err, sizeof(err));
		print_message("refused: %s\n", err);
		assert_null(run);
		assert_non_null(strstr(err, "nothing was run"));
		assert_non_null(strstr(err, "id 2 of 3"));
		assert_null(strchr(err, '\n'));
		assert_null(strchr(err, '\033'));
		assert_null(strchr(err, '\007'));
		usleep(20000);
		assert_int_equal(access(tmpfile_path("marker"), F_OK), -1);
	}
	/* the id is named */
	ids[1] = "$(touch /tmp/pwned)";
	assert_null(ps_start(QOP_HOLD, argv, ids, 3, now_ms(),
	    LONG_WAIT_MS, err, sizeof(err)));
	assert_non_null(strstr(err, "\"$(touch /tmp/pwned)\""));
	ids[1] = "ABCDEF01234\nALL";
	assert_null(ps_start(QOP_HOLD, argv, ids, 3, now_ms(),
	    LONG_WAIT_MS, err, sizeof(err)));
	assert_non_null(strstr(err, "ABCDEF01234\\x0aALL"));
	ids[1] = NULL;
	assert_null(ps_start(QOP_HOLD, argv, ids, 3, now_ms(),
	    LONG_WAIT_MS, err, sizeof(err)));
	assert_int_equal(access(tmpfile_path("marker"), F_OK), -1);

	/* the control: good ids do run the command */
	ids[1] = "0123456789AB";
	assert_non_null(run = ps_start(QOP_DELETE, argv, ids, 3,
	    now_ms(), LONG_WAIT_MS, err, sizeof(err)));
	r = drive(run);
	queue_op_result(run, &res);
	print_message("control: %s\n", res.error);
	assert_int_equal(r, 1);
	queue_op_free(run);
	assert_int_equal(access(tmpfile_path("marker"), F_OK), 0);
}

/* 25,000 ids: three processes of 10,000, 10,000 and 5,000, all counted. */
static void
test_batches(void **state)
{
	char			*argv[] = { NULL, "-c", "/etc/postfix", NULL };
	char			**ids, err[256], line[128];
	struct queue_op_run	*run;
	struct queue_op_result	 res;
	FILE			*f;
	size_t			 n = 25000, got[3], i;

	reset_logs();
	argv[0] = (char *)script("postsuper", fake_postsuper);
	ids = make_ids(n, '0');
	assert_non_null(run = ps_start(QOP_DELETE, argv,
	    (const char *const *)ids, n, now_ms(), LONG_WAIT_MS, err,
	    sizeof(err)));
	assert_int_equal(drive(run), 1);
	queue_op_result(run, &res);
	assert_int_equal(queue_op_pid(run), -1);
	queue_op_free(run);
	assert_string_equal(res.error, "");
	assert_string_equal(res.stderr_text, "");
	assert_int_equal(res.requested, n);
	assert_int_equal(res.done, n);
	assert_int_equal(res.not_done, 0);
	assert_int_equal(res.lines, n);
	assert_int_equal(res.errors, 0);
	assert_int_equal(res.batches, 3);
	assert_int_equal(res.batches_done, 3);
	assert_int_equal(res.exit_status, 0);

	/* three processes, with these arguments and these counts */
	assert_int_equal(count_lines("runs"), 3);
	assert_non_null(f = fopen(tmpfile_path("runs"), "r"));
	for (i = 0; i < 3; i++) {
		assert_non_null(fgets(line, sizeof(line), f));
		assert_int_equal(sscanf(line, "-c /etc/postfix -d - %zu",
		    &got[i]), 1);
	}
	fclose(f);
	assert_int_equal(got[0], 10000);
	assert_int_equal(got[1], 10000);
	assert_int_equal(got[2], 5000);
	assert_int_equal(count_lines("ids"), n);
	free_ids(ids, n);
}

/*
 * Each id's queue as the read saw it: a batch per queue postsuper may be
 * told to look in alone (deferred, hold), the rest without a word; an id
 * not found in its queue (moved since) goes again at once without one.
 */
static void
test_queue_words(void **state)
{
	char			*argv[] = { NULL, NULL };
	const char		*ids[] = { "D0000000001", "B0000000001",
	    "A0000000001", "C0000000001", "D0000000002", "F0000000001" };
	const enum queue_name	 q[] = { QUEUE_DEFERRED, QUEUE_HOLD,
	    QUEUE_ACTIVE, QUEUE_DEFERRED, QUEUE_DEFERRED, QUEUE_HOLD };
	char			 err[256], runs[256];
	struct queue_op_run	*run;
	struct queue_op_result	 res;
	FILE			*f;
	size_t			 n;

	reset_logs();
	argv[0] = (char *)script("postsuper", fake_postsuper);
	assert_non_null(run = queue_op_start_in(NULL, &backend_postfix,
	    QOP_DELETE, argv, ids, q, 6, now_ms(), LONG_WAIT_MS, err,
	    sizeof(err)));
	assert_int_equal(drive(run), 1);
	queue_op_result(run, &res);
	queue_op_free(run);
	assert_string_equal(res.error, "");
	assert_int_equal(res.done, 5);
	assert_int_equal(res.not_done, 1);	/* F1: gone */
	assert_int_equal(res.busy, 0);
	assert_int_equal(res.batches, 4);
	assert_non_null(f = fopen(tmpfile_path("runs"), "r"));
	n = fread(runs, 1, sizeof(runs) - 1, f);
	fclose(f);
	runs[n] = '\0';
	/* F1 was asked in its queue and again without: gone from both */
	assert_string_equal(runs, "-d - deferred 3\n-d - hold 2\n-d - 1\n"
	    "-d - 2\n");
	/* without the queues: one run, as before */
	reset_logs();
	assert_non_null(run = ps_start(QOP_DELETE, argv, ids, 6, now_ms(),
	    LONG_WAIT_MS, err, sizeof(err)));
	assert_int_equal(drive(run), 1);
	queue_op_result(run, &res);
	queue_op_free(run);
	assert_int_equal(res.done, 5);
	assert_int_equal(count_lines("runs"), 1);
}

/* Hold and release; ids Postfix does not find are "not done". */
static void
test_hold_release_not_found(void **state)
{
	char			*argv[] = { NULL, NULL };
	char			**ids, err[256];
	struct queue_op_run	*run;
	struct queue_op_result	 res;
	size_t			 n = 7;

	argv[0] = (char *)script("postsuper", fake_postsuper);
	ids = make_ids(n, '1');
	ids[2][0] = ids[5][0] = 'F';	/* "not in the queue" */
	reset_logs();
	assert_non_null(run = ps_start(QOP_HOLD, argv,
	    (const char *const *)ids, n, now_ms(), LONG_WAIT_MS, err,
	    sizeof(err)));
	assert_int_equal(drive(run), 1);
	queue_op_result(run, &res);
	queue_op_free(run);
	assert_int_equal(res.done, 5);
	assert_int_equal(res.not_done, 2);
	assert_int_equal(res.lines, 5);
	assert_int_equal(res.batches, 1);

	/* one message: the summary says "1 message" */
	assert_non_null(run = ps_start(QOP_RELEASE, argv,
	    (const char *const *)ids, 1, now_ms(), LONG_WAIT_MS, err,
	    sizeof(err)));
	assert_int_equal(drive(run), 1);
	queue_op_result(run, &res);
	queue_op_free(run);
	assert_int_equal(res.done, 1);
	assert_int_equal(res.not_done, 0);
	free_ids(ids, n);

	/* nothing to do is done at once, and runs nothing */
	reset_logs();
	assert_non_null(run = ps_start(QOP_DELETE, argv, NULL, 0,
	    now_ms(), LONG_WAIT_MS, err, sizeof(err)));
	assert_int_equal(queue_op_step(run, now_ms()), 1);
	queue_op_result(run, &res);
	assert_int_equal(res.requested, 0);
	assert_int_equal(res.batches, 0);
	queue_op_free(run);
	assert_int_equal(count_lines("runs"), 0);
}

/* A binary that does not exist: failed, naming it, nothing done. */
static void
test_missing(void **state)
{
	char			*argv[] = { "/nonexistent/postsuper", NULL };
	const char		*ids[] = { "ABCDEF01234" };
	char			 err[256];
	struct queue_op_run	*run;
	struct queue_op_result	 res;

	assert_non_null(run = ps_start(QOP_DELETE, argv, ids, 1,
	    now_ms(), LONG_WAIT_MS, err, sizeof(err)));
	assert_int_equal(drive(run), -1);
	queue_op_result(run, &res);
	print_message("error: %s\n", res.error);
	assert_non_null(strstr(res.error, "/nonexistent/postsuper -d"));
	assert_non_null(strstr(res.error, strerror(ENOENT)));
	assert_int_equal(res.done, 0);
	assert_int_equal(res.batches_done, 0);
	queue_op_free(run);
}

/* Non-zero exit: failed with its stderr; exit 0 without a summary too. */
static void
test_fail_exit(void **state)
{
	char			*argv[] = { NULL, NULL };
	char			**ids, err[256];
	struct queue_op_run	*run;
	struct queue_op_result	 res;
	size_t			 n = 10000;

	argv[0] = (char *)script("denied", "#!/bin/sh\n"
	    "echo 'postsuper: fatal: use of this command is reserved for "
	    "the superuser' >&2\nprintf '\\033]0;x\\007\\n' >&2\nexit 1\n");
	ids = make_ids(n, '2');
	/* 10,000 ids to a child that reads none: no SIGPIPE kills us */
	assert_non_null(run = ps_start(QOP_DELETE, argv,
	    (const char *const *)ids, n, now_ms(), LONG_WAIT_MS, err,
	    sizeof(err)));
	assert_int_equal(drive(run), -1);
	queue_op_result(run, &res);
	print_message("error: %s\n", res.error);
	assert_non_null(strstr(res.error, "failed with exit status 1"));
	assert_non_null(strstr(res.error, "reserved for the superuser"));
	assert_null(strchr(res.error, '\033'));
	assert_int_equal(res.exit_status, 1);
	assert_int_equal(res.done, 0);
	assert_int_equal(res.errors, 2);
	/* it stays failed */
	assert_int_equal(queue_op_step(run, now_ms()), -1);
	queue_op_free(run);

	argv[0] = (char *)script("quiet", "#!/bin/sh\ncat >/dev/null\n");
	assert_non_null(run = ps_start(QOP_HOLD, argv,
	    (const char *const *)ids, 3, now_ms(), LONG_WAIT_MS, err,
	    sizeof(err)));
	assert_int_equal(drive(run), -1);
	queue_op_result(run, &res);
	assert_non_null(strstr(res.error, "without its summary"));
	assert_int_equal(res.exit_status, 0);
	queue_op_free(run);

	/* the second batch fails: the first one's count stays, not "done" */
	reset_logs();
	argv[0] = (char *)script("second", "#!/bin/sh\n"
	    "d=$(dirname \"$0\")\n"
	    "if [ -e \"$d/runs\" ]; then echo 'postsuper: fatal: queue "
	    "gone' >&2; exit 75; fi\n: >\"$d/runs\"\nn=0\n"
	    "while read -r id; do n=$((n+1)); done\n"
	    "echo \"postsuper: Deleted: $n messages\" >&2\n");
	free_ids(ids, n);
	n = 15000;
	ids = make_ids(n, '3');
	assert_non_null(run = ps_start(QOP_DELETE, argv,
	    (const char *const *)ids, n, now_ms(), LONG_WAIT_MS, err,
	    sizeof(err)));
	assert_int_equal(drive(run), -1);
	queue_op_result(run, &res);
	print_message("error: %s\n", res.error);
	assert_int_equal(res.done, 10000);
	assert_int_equal(res.batches_done, 1);
	assert_int_equal(res.exit_status, 75);
	assert_non_null(strstr(res.error, "batch 2 of 2"));
	queue_op_free(run);
	free_ids(ids, n);
}

/* A hung child (and its own child) killed at the deadline, reaped. */
static void
test_hang(void **state)
{
	char			*argv[] = { NULL, NULL };
	const char		*ids[] = { "ABCDEF01234" };
	char			 err[256];
	struct queue_op_run	*run;
	struct queue_op_result	 res;
	pid_t			 pid;

	argv[0] = (char *)script("hang", "#!/bin/sh\n"
	    "echo 'postsuper: ABCDEF01234: removed' >&2\n"
	    "sleep 1000 & sleep 1000\n");
	assert_non_null(run = ps_start(QOP_DELETE, argv, ids, 1,
	    now_ms(), 300, err, sizeof(err)));
	pid = queue_op_pid(run);
	assert_true(pid > 0);
	assert_int_equal(drive(run), -1);
	queue_op_result(run, &res);
	print_message("error: %s\n", res.error);
	assert_non_null(strstr(res.error, "timed out after 300 ms"));
	assert_int_equal(res.done, 0);
	assert_int_equal(res.lines, 1);
	assert_int_equal(queue_op_pid(run), -1);
	assert_true(up_group_gone(pid));
	queue_op_free(run);

	/* freed while running: killed and reaped too */
	assert_non_null(run = ps_start(QOP_DELETE, argv, ids, 1,
	    now_ms(), LONG_WAIT_MS, err, sizeof(err)));
	pid = queue_op_pid(run);
	queue_op_free(run);
	assert_true(up_group_gone(pid));
}

/* Open descriptors of this process. */
static int
count_fds(void)
{
	DIR	*d;
	int	 n = 0;

	assert_non_null(d = opendir("/proc/self/fd"));
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* Runs that end well, badly or by free leave no descriptor behind. */
static void
test_no_fd_leak(void **state)
{
	char			*argv[] = { NULL, NULL };
	char			**ids, err[256];
	struct queue_op_run	*run;
	int			 before, i;

	argv[0] = (char *)script("postsuper", fake_postsuper);
	ids = make_ids(12000, '4');
	before = count_fds();
	for (i = 0; i < 3; i++) {
		assert_non_null(run = ps_start(QOP_DELETE, argv,
		    (const char *const *)ids, 12000, now_ms(), LONG_WAIT_MS,
		    err, sizeof(err)));
		if (i < 2)
			assert_int_equal(drive(run), 1);
		queue_op_free(run);
	}
	argv[0] = "/nonexistent/postsuper";
	assert_non_null(run = ps_start(QOP_DELETE, argv,
	    (const char *const *)ids, 1, now_ms(), LONG_WAIT_MS, err,
	    sizeof(err)));
	assert_int_equal(drive(run), -1);
	queue_op_free(run);
	assert_int_equal(count_fds(), before);
	free_ids(ids, 12000);
}

/* Remove the temporary directory. */
static int
teardown(void **state)
{
	static const char *const names[] = { "runs", "ids", "marker",
	    "markme", "postsuper", "denied", "quiet", "second", "hang" };
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(tmpfile_path(names[i]));
	rmdir(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_refuse_hostile),
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_queue_words),
		cmocka_unit_test(test_hold_release_not_found),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_fail_exit),
		cmocka_unit_test(test_hang),
		cmocka_unit_test(test_no_fd_leak),
	};

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, teardown);
}
