/* loop.c: poll()-based event loop with timers and signals via a self-pipe. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "xmalloc.h"

#define LOOP_MAX_SIGNALS 8

struct loop_fd {
	int		 fd;
	short		 events;
	loop_fd_cb	 cb;
	void		*arg;
};

struct loop_timer {
	int		 id;		/* 0: free slot */
	int		 interval_ms;
	int		 repeat;
	int64_t		 due;
	loop_timer_cb	 cb;
	void		*arg;
};

struct loop_signal {
	int		 signo;
	loop_signal_cb	 cb;
	void		*arg;
};

struct loop {
	struct loop_fd		*fds;
	size_t			 nfds, capfds;
	struct loop_timer	*timers;
	size_t			 ntimers;
	int			 next_timer_id;
	struct loop_signal	 signals[LOOP_MAX_SIGNALS];
	int			 nsignals;
	int			 sigpipe[2];
	loop_idle_cb		 idle;
	void			*idle_arg;
	int			 stop;
};

/* The write end of the self-pipe, for the signal handler. */
static volatile sig_atomic_t loop_sigpipe_fd = -1;

/* Signal handler: only pass the number on; everything else runs later. */
static void
loop_on_signal(int signo)
{
	unsigned char	 b = (unsigned char)signo;
	int		 saved = errno;

	if (loop_sigpipe_fd != -1)
		(void)!write(loop_sigpipe_fd, &b, 1);
	errno = saved;
}

/* See loop.h. */
int64_t
loop_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read the pending signal numbers and call their handlers. */
static void
loop_drain_signals(int fd, short revents, void *arg)
{
	struct loop	*l = arg;
	unsigned char	 buf[64];
	ssize_t		 n, i;
	int		 j;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			for (j = 0; j < l->nsignals; j++)
				if (l->signals[j].signo == buf[i])
					l->signals[j].cb(buf[i],
					    l->signals[j].arg);
}

/* Set O_NONBLOCK and FD_CLOEXEC on fd. */
static void
loop_fd_flags(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* See loop.h.  One loop per process: it owns the signal self-pipe. */
struct loop *
loop_new(void)
{
	struct loop	*l = xcalloc(1, sizeof(*l));

	if (pipe(l->sigpipe) == -1) {
		free(l);
		return NULL;
	}
	loop_fd_flags(l->sigpipe[0]);
	loop_fd_flags(l->sigpipe[1]);
	loop_sigpipe_fd = l->sigpipe[1];
	l->next_timer_id = 1;
	loop_add_fd(l, l->sigpipe[0], POLLIN, loop_drain_signals, l);
	return l;
}

/* Restore signal dispositions and free everything. */
void
loop_free(struct loop *l)
{
	int	 i;

	for (i = 0; i < l->nsignals; i++)
		signal(l->signals[i].signo, SIG_DFL);
	loop_sigpipe_fd = -1;
	close(l->sigpipe[0]);
	close(l->sigpipe[1]);
	free(l->fds);
	free(l->timers);
	free(l);
}

/* See loop.h. */
int
loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg)
{
	size_t	 i;

	for (i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd)
			return -1;
	if (l->nfds == l->capfds) {
		l->capfds = l->capfds ? l->capfds * 2 : 8;
		l->fds = xreallocarray(l->fds, l->capfds, sizeof(*l->fds));
	}
	l->fds[l->nfds].fd = fd;
	l->fds[l->nfds].events = events;
	l->fds[l->nfds].cb = cb;
	l->fds[l->nfds].arg = arg;
	l->nfds++;
	return 0;
}

/* See loop.h. */
void
loop_set_events(struct loop *l, int fd, short events)
{
	size_t	 i;

	for (i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd)
			l->fds[i].events = events;
}

/* See loop.h.  Marks the slot free; the run loop compacts it. */
void
loop_del_fd(struct loop *l, int fd)
{
	size_t	 i;

	for (i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd)
			l->fds[i].fd = -1;
}

/* See loop.h. */
int
loop_add_timer(struct loop *l, int interval_ms, int repeat, loop_timer_cb cb,
    void *arg)
{
	struct loop_timer	*t = NULL;
	size_t			 i;

	for (i = 0; i < l->ntimers; i++)
		if (l->timers[i].id == 0)
			t = &l->timers[i];
	if (t == NULL) {
		l->timers = xreallocarray(l->timers, l->ntimers + 1,
		    sizeof(*l->timers));
		t = &l->timers[l->ntimers++];
	}
	t->id = l->next_timer_id++;
	t->interval_ms = interval_ms < 0 ? 0 : interval_ms;
	t->repeat = repeat;
	t->due = loop_now_ms() + t->interval_ms;
	t->cb = cb;
	t->arg = arg;
	return t->id;
}

/* See loop.h. */
void
loop_del_timer(struct loop *l, int id)
{
	size_t	 i;

	for (i = 0; i < l->ntimers; i++)
		if (l->timers[i].id == id)
			l->timers[i].id = 0;
}

/* See loop.h. */
int
loop_add_signal(struct loop *l, int signo, loop_signal_cb cb, void *arg)
{
	struct sigaction	 sa;

	if (l->nsignals == LOOP_MAX_SIGNALS)
		return -1;
	l->signals[l->nsignals].signo = signo;
	l->signals[l->nsignals].cb = cb;
	l->signals[l->nsignals].arg = arg;
	l->nsignals++;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = loop_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	/* a stopped child is no news: only deaths wake the loop */
	if (signo == SIGCHLD)
		sa.sa_flags |= SA_NOCLDSTOP;
	return sigaction(signo, &sa, NULL);
}

/* See loop.h. */
void
loop_set_idle(struct loop *l, loop_idle_cb cb, void *arg)
{
	l->idle = cb;
	l->idle_arg = arg;
}

/* See loop.h. */
void
loop_stop(struct loop *l)
{
	l->stop = 1;
}

/* Run due timers; return milliseconds until the next one (-1: none). */
static int
loop_run_timers(struct loop *l)
{
	int64_t		 now = loop_now_ms(), next = 0;
	size_t		 i;
	int		 any = 0;

	for (i = 0; i < l->ntimers; i++) {
		struct loop_timer *t = &l->timers[i];

		if (t->id == 0 || t->due > now)
			continue;
		if (t->repeat)
			t->due = now + t->interval_ms;
		else
			t->id = 0;
		t->cb(t->arg);
		if (l->stop)
			return 0;
	}
	now = loop_now_ms();
	for (i = 0; i < l->ntimers; i++) {
		if (l->timers[i].id == 0)
			continue;
		if (!any || l->timers[i].due - now < next)
			next = l->timers[i].due - now;
		any = 1;
	}
	if (!any)
		return -1;
	return next < 0 ? 0 : (int)next;
}

/* Drop slots deleted during callbacks. */
static void
loop_compact(struct loop *l)
{
	size_t	 i, j = 0;

	for (i = 0; i < l->nfds; i++)
		if (l->fds[i].fd != -1)
			l->fds[j++] = l->fds[i];
	l->nfds = j;
}

/* See loop.h. */
int
loop_run(struct loop *l)
{
	struct pollfd	*pfd = NULL;
	size_t		 cap = 0, n, i;
	int		 timeout, rc;

	l->stop = 0;
	while (!l->stop) {
		timeout = loop_run_timers(l);
		if (l->stop)
			break;
		if (l->idle != NULL) {
			l->idle(l->idle_arg);
			/* stopped there: poll() would sleep until the
			   next timer or fd before the stop was seen */
			if (l->stop)
				break;
		}
		loop_compact(l);
		if (l->nfds > cap) {
			cap = l->nfds;
			pfd = xreallocarray(pfd, cap, sizeof(*pfd));
		}
		for (i = 0; i < l->nfds; i++) {
			pfd[i].fd = l->fds[i].fd;
			pfd[i].events = l->fds[i].events;
			pfd[i].revents = 0;
		}
		n = l->nfds;
		if ((rc = poll(pfd, n, timeout)) == -1) {
			if (errno == EINTR)
				continue;
			free(pfd);
			return -1;
		}
		for (i = 0; i < n && rc > 0 && !l->stop; i++) {
			if (pfd[i].revents == 0)
				continue;
			rc--;
			/* The slot may have been deleted by an earlier callback. */
			if (i < l->nfds && l->fds[i].fd == pfd[i].fd)
				l->fds[i].cb(pfd[i].fd, pfd[i].revents,
				    l->fds[i].arg);
		}
	}
	free(pfd);
	return 0;
}
