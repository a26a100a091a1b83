/* job.c: a child process the loop owns; see job.h. */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "job.h"
#include "loop.h"
#include "xmalloc.h"

#define JOB_READ	16384
#define JOB_BUDGET	(64u * 1024)

struct job {
	struct loop	*loop;		/* or NULL: job_poll() */
	pid_t		 pid;		/* -1 once reaped */
	pid_t		 pgid;		/* its group, for what it left */
	int		 fd[2];		/* stdout, stderr; -1 at EOF */
	int		 execfd;
	int		 status;
	int		 reaped;
	int		 done;
	int64_t		 linger_at;	/* 0: not lingering */
	int		 timer;		/* the loop's, or -1 */
	size_t		 budget;
	struct job_cbs	 cb;
};

static void	job_check(struct job *, int64_t);

/* Close one stream: out of the loop first, then the descriptor. */
static void
job_close(struct job *j, int stream)
{
	if (j->fd[stream] == -1)
		return;
	if (j->loop != NULL)
		loop_del_fd(j->loop, j->fd[stream]);
	child_close(&j->fd[stream]);
}

/* Read what stream has, at most the budget; EOF and errors close it. */
static void
job_read(struct job *j, int stream)
{
	char	 buf[JOB_READ];
	size_t	 total = 0, want;
	ssize_t	 n;

	while (j->fd[stream] != -1 && total < j->budget) {
		want = j->budget - total < sizeof(buf) ? j->budget - total :
		    sizeof(buf);
		if ((n = read(j->fd[stream], buf, want)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			job_close(j, stream);	/* as good as its end */
			return;
		}
		if (n == 0) {
			job_close(j, stream);
			return;
		}
		total += (size_t)n;
		if (j->cb.output != NULL)
			j->cb.output(j->cb.arg, stream, buf, (size_t)n);
	}
}

/* The registry reaped it (or job_poll() did). */
static void
job_reaped(struct job *j, int status)
{
	j->reaped = 1;
	j->status = status;
	j->pid = -1;
}

/* Loop: a pipe is readable (or closed). */
static void
job_on_fd(int fd, short revents, void *arg)
{
	struct job	*j = arg;

	job_read(j, fd == j->fd[JOB_STDOUT] ? JOB_STDOUT : JOB_STDERR);
	job_check(j, loop_now_ms());
}

/* Registry: it died and was reaped, from SIGCHLD. */
static void
job_on_exit(void *arg, pid_t pid, int status)
{
	struct job	*j = arg;

	job_reaped(j, status);
	job_check(j, loop_now_ms());
}

/* Loop: it lingered too long. */
static void
job_on_linger(void *arg)
{
	struct job	*j = arg;

	j->timer = -1;
	job_check(j, j->linger_at);
}

/*
 * Done when reaped and both streams ended.  When only one of the two has
 * happened, wait JOB_LINGER_MS, then kill the group and close the pipes
 * (a grandchild may hold them open after its parent died).
 */
static void
job_check(struct job *j, int64_t now_ms)
{
	int	 ended = j->fd[JOB_STDOUT] == -1 && j->fd[JOB_STDERR] == -1;
	int	 e;

	if (j->done)
		return;
	if (!j->reaped || !ended) {
		if (!j->reaped && !ended)
			return;
		if (j->linger_at == 0) {
			j->linger_at = now_ms + JOB_LINGER_MS;
			if (j->loop != NULL)
				j->timer = loop_add_timer(j->loop,
				    JOB_LINGER_MS, 0, job_on_linger, j);
			return;
		}
		if (now_ms < j->linger_at)
			return;
		/* SIGKILL brings SIGCHLD, and the registry the rest */
		child_kill(j->pgid);
		job_close(j, JOB_STDOUT);
		job_close(j, JOB_STDERR);
		if (!j->reaped)
			return;
	}
	j->done = 1;
	if (j->timer != -1) {
		loop_del_timer(j->loop, j->timer);
		j->timer = -1;
	}
	/* what it left running in its group goes with it */
	(void)kill(-j->pgid, SIGKILL);
	e = child_exec_errno(&j->execfd);
	/* last: it may free j */
	if (j->cb.done != NULL)
		j->cb.done(j->cb.arg, j->status, e);
}

/* See job.h. */
struct job *
job_start(struct loop *l, char *const argv[], char *const envp[],
    const struct job_cbs *cbs, size_t budget, char *err, size_t errlen)
{
	struct job	*j;
	int		 out, errp, ex;
	pid_t		 pid;

	if ((pid = child_start(argv, envp, -1, &out, &errp, &ex)) == -1) {
		snprintf(err, errlen, "cannot start %s: %s", argv[0],
		    strerror(errno));
		return NULL;
	}
	j = xcalloc(1, sizeof(*j));
	j->loop = l;
	j->pid = j->pgid = pid;
	j->fd[JOB_STDOUT] = out;
	j->fd[JOB_STDERR] = errp;
	j->execfd = ex;
	j->timer = -1;
	j->budget = budget > 0 ? budget : JOB_BUDGET;
	j->cb = *cbs;
	if (l != NULL) {
		(void)loop_add_fd(l, j->fd[JOB_STDOUT], POLLIN, job_on_fd, j);
		(void)loop_add_fd(l, j->fd[JOB_STDERR], POLLIN, job_on_fd, j);
		(void)child_on_exit(pid, job_on_exit, j);
	}
	return j;
}

/* See job.h. */
void
job_poll(struct job *j, int64_t now_ms)
{
	int	 status;

	if (j->done)
		return;
	job_read(j, JOB_STDOUT);
	job_read(j, JOB_STDERR);
	if (!j->reaped && child_try_reap(j->pid, &status))
		job_reaped(j, status);
	job_check(j, now_ms);
}

/* See job.h. */
void
job_set_budget(struct job *j, size_t budget)
{
	j->budget = budget > 0 ? budget : JOB_BUDGET;
}

/* See job.h. */
void
job_kill(struct job *j)
{
	if (!j->reaped)
		child_kill(j->pgid);
}

/* See job.h. */
pid_t
job_pid(const struct job *j)
{
	return j->pid;
}

/* See job.h. */
int
job_done(const struct job *j)
{
	return j->done;
}

/* See job.h. */
void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	job_close(j, JOB_STDOUT);
	job_close(j, JOB_STDERR);
	child_close(&j->execfd);
	if (j->timer != -1)
		loop_del_timer(j->loop, j->timer);
	if (!j->reaped)
		child_abandon(j->pid);
	else if (!j->done)
		(void)kill(-j->pgid, SIGKILL);
	free(j);
}
