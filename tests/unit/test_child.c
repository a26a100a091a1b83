/*
 * test_child.c: the children the loop owns (core/child.h, core/job.h):
 * reaped from SIGCHLD while the loop sleeps, their exit callback run on
 * the loop, no zombie left; an abandoned child reaped without a wait; a
 * job's output and end delivered by the loop; a job whose grandchild
 * keeps its output open is ended after its linger, its group killed.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
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

#include "core/child.h"
#include "core/job.h"
#include "core/loop.h"
#include "unit_proc.h"

#define GUARD_MS	20000	/* a loop that never ends the test fails it */

struct seen {
	struct loop	*loop;
	int		 exits;
	pid_t		 pid;
	int		 status;
	int		 guard;		/* the guard timer fired */
	char		 out[256];
	size_t		 outlen;
	char		 err[256];
	size_t		 errlen;
	int		 done;
	int		 exec_errno;
	struct job	*job;
};

/* Guard timer: the test failed to end; stop so the assertions say so. */
static void
on_guard(void *arg)
{
	struct seen	*s = arg;

	s->guard = 1;
	loop_stop(s->loop);
}

/* Registry callback: the child was reaped. */
static void
on_exit_cb(void *arg, pid_t pid, int status)
{
	struct seen	*s = arg;

	s->exits++;
	s->pid = pid;
	s->status = status;
	loop_stop(s->loop);
}

/* Is pid reaped (no such process, not even a zombie)? */
static int
reaped(pid_t pid)
{
	return kill(pid, 0) == -1 && errno == ESRCH;
}

/* Spawn sh -c script with its output to /dev/null. */
static pid_t
spawn_sh(const char *script)
{
	char	*argv[] = { "sh", "-c", (char *)script, NULL };
	int	 null, ex[2];
	pid_t	 pid;

	assert_true((null = open("/dev/null", O_WRONLY | O_CLOEXEC)) != -1);
	assert_int_equal(pipe(ex), 0);
	assert_int_equal(child_setup(ex), 0);
	pid = child_spawn(argv, -1, null, null, ex[1]);
	assert_true(pid > 0);
	close(null);
	close(ex[0]);
	close(ex[1]);
	return pid;
}

/* A child that exits while the loop sleeps in poll() is reaped from
   SIGCHLD and its callback runs: no zombie, nothing left registered. */
static void
test_reaped_while_sleeping(void **state)
{
	struct seen	 s;
	pid_t		 pid;

	memset(&s, 0, sizeof(s));
	assert_non_null(s.loop = loop_new());
	assert_int_equal(child_attach(s.loop), 0);
	pid = spawn_sh("sleep 0.2; exit 7");
	assert_int_equal(child_on_exit(pid, on_exit_cb, &s), 0);
	loop_add_timer(s.loop, GUARD_MS, 0, on_guard, &s);
	assert_int_equal(loop_run(s.loop), 0);
	assert_int_equal(s.guard, 0);
	assert_int_equal(s.exits, 1);
	assert_int_equal(s.pid, pid);
	assert_true(WIFEXITED(s.status));
	assert_int_equal(WEXITSTATUS(s.status), 7);
	assert_true(reaped(pid));
	assert_int_equal(child_pending(), 0);
	child_detach();
	loop_free(s.loop);
}

/* Idle callback: stop once the registry is empty. */
static void
on_idle_empty(void *arg)
{
	struct seen	*s = arg;

	if (child_pending() == 0)
		loop_stop(s->loop);
}

/* An abandoned child (its owner freed it) is killed and reaped by the
   loop, from SIGCHLD, without anyone waiting for it. */
static void
test_abandon_reaped_by_loop(void **state)
{
	struct seen	 s;
	pid_t		 pid;

	memset(&s, 0, sizeof(s));
	assert_non_null(s.loop = loop_new());
	assert_int_equal(child_attach(s.loop), 0);
	pid = spawn_sh("sleep 60");
	child_abandon(pid);
	/* registered still: the loop reaps it, nothing waited here */
	assert_int_equal(child_pending(), 1);
	loop_set_idle(s.loop, on_idle_empty, &s);
	loop_add_timer(s.loop, GUARD_MS, 0, on_guard, &s);
	assert_int_equal(loop_run(s.loop), 0);
	assert_int_equal(s.guard, 0);
	assert_true(reaped(pid));
	child_detach();
	loop_free(s.loop);
}

/* job output: keep both streams. */
static void
on_output(void *arg, int stream, const char *p, size_t len)
{
	struct seen	*s = arg;
	char		*buf = stream == JOB_STDOUT ? s->out : s->err;
	size_t		*lenp = stream == JOB_STDOUT ? &s->outlen : &s->errlen;

	assert_true(*lenp + len < sizeof(s->out));
	memcpy(buf + *lenp, p, len);
	*lenp += len;
	buf[*lenp] = '\0';
}

/* job done: its status; the job may be freed here. */
static void
on_done(void *arg, int status, int exec_errno)
{
	struct seen	*s = arg;

	s->done++;
	s->status = status;
	s->exec_errno = exec_errno;
	s->pid = job_pid(s->job);
	job_free(s->job);
	s->job = NULL;
	loop_stop(s->loop);
}

/* A job's output and its end come from the loop, once. */
static void
test_job_loop(void **state)
{
	char		*argv[] = { "sh", "-c", "printf 'a\\nb'; echo e >&2; "
	    "echo $$ >&2; exit 3", NULL };
	struct job_cbs	 cbs = { on_output, on_done, NULL };
	struct seen	 s;
	char		 err[200];
	pid_t		 pid;

	memset(&s, 0, sizeof(s));
	cbs.arg = &s;
	assert_non_null(s.loop = loop_new());
	assert_int_equal(child_attach(s.loop), 0);
	assert_non_null(s.job = job_start(s.loop, argv, NULL, &cbs, 0, err,
	    sizeof(err)));
	pid = job_pid(s.job);
	loop_add_timer(s.loop, GUARD_MS, 0, on_guard, &s);
	assert_int_equal(loop_run(s.loop), 0);
	assert_int_equal(s.guard, 0);
	assert_int_equal(s.done, 1);
	assert_string_equal(s.out, "a\nb");
	assert_int_equal(atol(strchr(s.err, '\n') + 1), (long)pid);
	assert_true(WIFEXITED(s.status));
	assert_int_equal(WEXITSTATUS(s.status), 3);
	assert_int_equal(s.exec_errno, 0);
	assert_int_equal(s.pid, -1);
	assert_true(reaped(pid));
	assert_int_equal(child_pending(), 0);
	child_detach();
	loop_free(s.loop);
}

/* A job whose grandchild holds its output open after it exited ends
   after its linger, and the grandchild is killed with its group. */
static void
test_job_linger(void **state)
{
	char		*argv[] = { "sh", "-c", "sleep 60 & echo $!; exit 0",
	    NULL };
	struct job_cbs	 cbs = { on_output, on_done, NULL };
	struct seen	 s;
	char		 err[200];
	pid_t		 grandchild;

	memset(&s, 0, sizeof(s));
	cbs.arg = &s;
	assert_non_null(s.loop = loop_new());
	assert_int_equal(child_attach(s.loop), 0);
	assert_non_null(s.job = job_start(s.loop, argv, NULL, &cbs, 0, err,
	    sizeof(err)));
	loop_add_timer(s.loop, GUARD_MS, 0, on_guard, &s);
	assert_int_equal(loop_run(s.loop), 0);
	assert_int_equal(s.guard, 0);
	assert_int_equal(s.done, 1);
	assert_true(WIFEXITED(s.status));
	grandchild = (pid_t)atol(s.out);
	assert_true(grandchild > 1);
	assert_true(up_pid_gone(grandchild));
	child_detach();
	loop_free(s.loop);
}

/* Without a loop, job_poll() does the same; a missing binary is told. */
static void
test_job_poll_missing(void **state)
{
	char		*argv[] = { "/nonexistent/mailcon-test", NULL };
	struct job_cbs	 cbs = { on_output, on_done, NULL };
	struct seen	 s;
	char		 err[200];
	int		 i;

	memset(&s, 0, sizeof(s));
	cbs.arg = &s;
	assert_non_null(s.loop = loop_new());	/* on_done stops it */
	assert_non_null(s.job = job_start(NULL, argv, NULL, &cbs, 0, err,
	    sizeof(err)));
	for (i = 0; i < 6000 && s.done == 0; i++) {	/* 30 s */
		job_poll(s.job, loop_now_ms());
		if (s.done == 0)
			usleep(5000);
	}
	assert_int_equal(s.done, 1);
	assert_int_equal(s.exec_errno, ENOENT);
	assert_int_equal(child_pending(), 0);
	loop_free(s.loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reaped_while_sleeping),
		cmocka_unit_test(test_abandon_reaped_by_loop),
		cmocka_unit_test(test_job_loop),
		cmocka_unit_test(test_job_linger),
		cmocka_unit_test(test_job_poll_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
