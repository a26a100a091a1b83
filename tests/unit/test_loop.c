/* test_loop.c: the event loop: fds, timers, signals, stop (from the idle
   callback too), deletion. */
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/loop.h"

struct counts {
	struct loop	*loop;
	int		 reads, ticks, once, signals, idles;
	int		 fd;
	char		 got[16];
};

static void
on_read(int fd, short revents, void *arg)
{
	struct counts	*c = arg;
	ssize_t		 n;

	n = read(fd, c->got, sizeof(c->got) - 1);
	if (n > 0)
		c->got[n] = '\0';
	c->reads++;
	loop_del_fd(c->loop, fd);
}

static void
on_tick(void *arg)
{
	struct counts *c = arg;

	if (++c->ticks == 3)
		raise(SIGUSR1);
}

static void
on_once(void *arg)
{
	((struct counts *)arg)->once++;
}

static void
on_signal(int signo, void *arg)
{
	struct counts *c = arg;

	assert_int_equal(signo, SIGUSR1);
	c->signals++;
	loop_stop(c->loop);
}

static void
on_idle(void *arg)
{
	((struct counts *)arg)->idles++;
}

/* Data on a pipe, a repeating and a one-shot timer, then a signal stops it. */
static void
test_loop_runs(void **state)
{
	struct counts	 c;
	int		 p[2];

	memset(&c, 0, sizeof(c));
	assert_int_equal(pipe(p), 0);
	c.loop = loop_new();
	assert_non_null(c.loop);
	assert_int_equal(loop_add_fd(c.loop, p[0], POLLIN, on_read, &c), 0);
	assert_int_equal(loop_add_fd(c.loop, p[0], POLLIN, on_read, &c), -1);
	loop_add_timer(c.loop, 10, 1, on_tick, &c);
	loop_add_timer(c.loop, 5, 0, on_once, &c);
	loop_add_signal(c.loop, SIGUSR1, on_signal, &c);
	loop_set_idle(c.loop, on_idle, &c);
	assert_int_equal(write(p[1], "hello", 5), 5);
	assert_int_equal(loop_run(c.loop), 0);
	assert_string_equal(c.got, "hello");
	assert_int_equal(c.reads, 1);	/* deleted after the first read */
	assert_int_equal(c.ticks, 3);
	assert_int_equal(c.once, 1);
	assert_int_equal(c.signals, 1);
	assert_true(c.idles >= 3);
	loop_free(c.loop);
	close(p[0]);
	close(p[1]);
}

static void
on_never(void *arg)
{
	fail_msg("a deleted timer fired");
}

static void
on_stop(void *arg)
{
	loop_stop(arg);
}

/* A deleted timer never fires. */
static void
test_timer_delete(void **state)
{
	struct loop	*l = loop_new();
	int		 id;

	id = loop_add_timer(l, 1, 1, on_never, NULL);
	loop_add_timer(l, 20, 0, on_stop, l);
	loop_del_timer(l, id);
	assert_int_equal(loop_run(l), 0);
	loop_free(l);
}

static volatile sig_atomic_t	 alarmed;

/* SIGALRM: the loop slept on after its idle callback stopped it. */
static void
on_alarm(int signo)
{
	alarmed = 1;
}

/* Idle callback that stops the loop. */
static void
on_idle_stop(void *arg)
{
	loop_stop(arg);
}

/*
 * loop_stop() from the idle callback ends loop_run() before it polls
 * again: with nothing to wake it (no fd, no timer), a poll would sleep
 * for good.  The alarm (10 s) only ends such a sleep so that the test
 * fails instead of hanging.
 */
static void
test_idle_stop(void **state)
{
	struct loop		*l = loop_new();
	struct sigaction	 sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	alarmed = 0;
	alarm(10);
	loop_set_idle(l, on_idle_stop, l);
	assert_int_equal(loop_run(l), 0);
	alarm(0);
	assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
	assert_int_equal(alarmed, 0);
	loop_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_runs),
		cmocka_unit_test(test_timer_delete),
		cmocka_unit_test(test_idle_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
