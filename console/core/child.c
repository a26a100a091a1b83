/* child.c: spawn, kill and reap the loop's child processes; see child.h. */
#include <sys/types.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "loop.h"
#include "xmalloc.h"

extern char	**environ;

/* A child child_spawn() made, until its owner has its status. */
struct child_rec {
	pid_t		 pid;
	int		 reaped;
	int		 status;
	int		 abandoned;	/* killed; dropped once reaped */
	child_exit_cb	 cb;
	void		*arg;
};

/* The registry: children of this process not reaped or not told yet. */
static struct child_rec	*child_recs;
static size_t		 child_nrecs, child_caprecs;
/* The loop SIGCHLD comes through, or NULL: owners poll. */
static struct loop	*child_loop;

/* The record of pid, or NULL. */
static struct child_rec *
child_find(pid_t pid)
{
	size_t	 i;

	for (i = 0; i < child_nrecs; i++)
		if (child_recs[i].pid == pid)
			return &child_recs[i];
	return NULL;
}

/* Remember a new child. */
static void
child_register(pid_t pid)
{
	struct child_rec	*c;

	if (child_nrecs == child_caprecs) {
		child_caprecs = child_caprecs ? child_caprecs * 2 : 16;
		child_recs = xreallocarray(child_recs, child_caprecs,
		    sizeof(*child_recs));
	}
	c = &child_recs[child_nrecs++];
	memset(c, 0, sizeof(*c));
	c->pid = pid;
}

/* Forget a record (the array is unordered). */
static void
child_drop(struct child_rec *c)
{
	*c = child_recs[--child_nrecs];
}

/* waitpid(pid, WNOHANG) for one record; 1 when it has been reaped. */
static int
child_rec_wait(struct child_rec *c)
{
	pid_t	 r;

	if (c->reaped)
		return 1;
	do
		r = waitpid(c->pid, &c->status, WNOHANG);
	while (r == -1 && errno == EINTR);
	if (r == 0)
		return 0;
	if (r == -1)
		c->status = -1;	/* ECHILD: someone reaped it for us */
	c->reaped = 1;
	return 1;
}

/* See child.h. */
void
child_close(int *fdp)
{
	if (*fdp != -1) {
		close(*fdp);
		*fdp = -1;
	}
}

/* See child.h. */
int
child_setup(int fds[2])
{
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fds[0], F_SETFL, O_NONBLOCK) == -1) {
		child_close(&fds[0]);
		child_close(&fds[1]);
		return -1;
	}
	return 0;
}

/* Mark every descriptor from 3 up close-on-exec (in the child). */
static void
child_cloexec_all(void)
{
	long	 max, fd;

#if defined(SYS_close_range) && defined(__linux__)
	/* CLOSE_RANGE_CLOEXEC (4), Linux 5.11: one call for all of them */
	if (syscall(SYS_close_range, 3U, ~0U, 4U) == 0)
		return;
#endif
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		(void)fcntl((int)fd, F_SETFD, FD_CLOEXEC);
}

/* The child: set up descriptors and signals, exec, or report errno. */
static void __attribute__((noreturn))
child_exec(char *const argv[], char *const envp[], int in, int out, int err,
    int execfd)
{
	sigset_t	 none;
	int		 sig, e;

	(void)setpgid(0, 0);
	/* an ignored SIGPIPE would survive exec; give the child defaults */
	for (sig = 1; sig < 32; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	}
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if ((in == -1 && (in = open("/dev/null", O_RDONLY)) == -1) ||
	    dup2(in, 0) == -1 || dup2(out, 1) == -1 || dup2(err, 2) == -1) {
		e = errno;
		(void)!write(execfd, &e, sizeof(e));
		_exit(127);
	}
	child_cloexec_all();
	/* only in the child, after fork: execvp takes PATH from environ */
	if (envp != NULL)
		environ = (char **)envp;
	execvp(argv[0], argv);
	e = errno;
	(void)!write(execfd, &e, sizeof(e));
	_exit(127);
}

/* See child.h. */
pid_t
child_spawn(char *const argv[], int in, int out, int err, int execfd)
{
	return child_spawn_env(argv, NULL, in, out, err, execfd);
}

/* See child.h. */
pid_t
child_spawn_env(char *const argv[], char *const envp[], int in, int out,
    int err, int execfd)
{
	pid_t	 pid;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0)
		child_exec(argv, envp, in, out, err, execfd);
	/* also here, so a kill at the deadline finds the group at once */
	(void)setpgid(pid, pid);
	child_register(pid);
	return pid;
}

/* See child.h. */
pid_t
child_start(char *const argv[], char *const envp[], int in, int *out,
    int *err, int *execfd)
{
	int	 o[2] = { -1, -1 }, e[2] = { -1, -1 }, x[2] = { -1, -1 };
	int	 saved;
	pid_t	 pid = -1;

	if (pipe(o) == 0 && child_setup(o) == 0 && pipe(e) == 0 &&
	    child_setup(e) == 0 && pipe(x) == 0 && child_setup(x) == 0)
		pid = child_spawn_env(argv, envp, in, o[1], e[1], x[1]);
	saved = errno;
	child_close(&o[1]);
	child_close(&e[1]);
	child_close(&x[1]);
	if (pid == -1) {
		child_close(&o[0]);
		child_close(&e[0]);
		child_close(&x[0]);
		errno = saved;
		return -1;
	}
	*out = o[0];
	*err = e[0];
	*execfd = x[0];
	return pid;
}

/* See child.h. */
void
child_kill(pid_t pid)
{
	if (pid > 0) {
		(void)kill(-pid, SIGKILL);
		(void)kill(pid, SIGKILL);
	}
}

/* See child.h. */
int
child_try_reap(pid_t pid, int *status)
{
	struct child_rec	*c = child_find(pid);
	pid_t			 r;

	if (c != NULL) {
		if (!child_rec_wait(c))
			return 0;
		*status = c->status;
		child_drop(c);
		return 1;
	}
	do
		r = waitpid(pid, status, WNOHANG);
	while (r == -1 && errno == EINTR);
	if (r == 0)
		return 0;
	if (r == -1)
		*status = -1;	/* ECHILD: someone reaped it for us */
	return 1;
}

/* See child.h. */
void
child_abandon(pid_t pid)
{
	struct timespec		 ms = { 0, 1000000 };
	struct child_rec	*c;
	int			 i;

	if (pid <= 0)
		return;
	if ((c = child_find(pid)) == NULL) {
		child_register(pid);
		c = child_find(pid);
	}
	if (c->reaped) {
		child_drop(c);
		return;
	}
	child_kill(pid);
	c->abandoned = 1;
	c->cb = NULL;
	/* the loop reaps it from SIGCHLD, which the kill brings at once */
	if (child_loop != NULL)
		return;
	/* SIGKILL is prompt unless the child sleeps in the kernel */
	for (i = 0; i < 200; i++) {
		if (child_rec_wait(c)) {
			child_drop(c);
			return;
		}
		nanosleep(&ms, NULL);
	}
}

/* See child.h. */
void
child_reap_orphans(void)
{
	child_reap();
}

/* See child.h. */
void
child_reap(void)
{
	struct child_rec	*c;
	child_exit_cb		 cb;
	void			*arg;
	size_t			 i;
	pid_t			 pid;
	int			 status, again = 1;

	for (i = 0; i < child_nrecs; i++)
		(void)child_rec_wait(&child_recs[i]);
	/* a callback may spawn, abandon or reap: look again after each */
	while (again) {
		again = 0;
		for (i = 0; i < child_nrecs; i++) {
			c = &child_recs[i];
			if (!c->reaped || (!c->abandoned && c->cb == NULL))
				continue;
			cb = c->abandoned ? NULL : c->cb;
			arg = c->arg;
			pid = c->pid;
			status = c->status;
			child_drop(c);
			if (cb != NULL) {
				cb(arg, pid, status);
				again = 1;
				break;
			}
			i--;	/* the last record moved here */
		}
	}
}

/* See child.h. */
int
child_on_exit(pid_t pid, child_exit_cb cb, void *arg)
{
	struct child_rec	*c = child_find(pid);
	int			 status;

	if (c == NULL || c->abandoned)
		return -1;
	c->cb = cb;
	c->arg = arg;
	if (cb != NULL && c->reaped) {
		status = c->status;
		child_drop(c);
		cb(arg, pid, status);
	}
	return 0;
}

/* loop signal callback: some children died. */
static void
child_on_sigchld(int signo, void *arg)
{
	child_reap();
}

/* See child.h. */
int
child_attach(struct loop *l)
{
	if (loop_add_signal(l, SIGCHLD, child_on_sigchld, NULL) == -1)
		return -1;
	child_loop = l;
	/* any that died before the signal came through the loop */
	child_reap();
	return 0;
}

/* See child.h. */
void
child_detach(void)
{
	child_loop = NULL;
}

/* See child.h. */
size_t
child_pending(void)
{
	return child_nrecs;
}

/* See child.h. */
void
child_status_text(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "failed with exit status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "was killed by signal %d",
		    WTERMSIG(status));
	else
		snprintf(buf, size, "ended oddly (status %#x)",
		    (unsigned)status);
}

/* See child.h. */
int
child_drain(int *fdp, char *buf, size_t size, size_t budget,
    child_data_cb cb, void *arg)
{
	size_t	 total = 0;
	ssize_t	 n;

	while (*fdp != -1 && total < budget) {
		if ((n = read(*fdp, buf, size)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		if (n == 0) {
			child_close(fdp);
			return 1;
		}
		cb(arg, buf, (size_t)n);
		total += (size_t)n;
	}
	return 0;
}

/* See child.h. */
int
child_exec_errno(int *execfdp)
{
	ssize_t	 n;
	int	 e;

	/* the child is reaped: the pipe holds an errno or is at EOF */
	n = read(*execfdp, &e, sizeof(e));
	child_close(execfdp);
	return n == (ssize_t)sizeof(e) ? e : 0;
}

/* See child.h. */
int
child_exit_code(int status)
{
	if (status == -1)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* See child.h. */
int
child_kill_reap(pid_t pid, int *infd, int *outfd, int *errfd, int *status)
{
	/* kill first: closing the pipes first could let it die of SIGPIPE */
	child_kill(pid);
	if (infd != NULL)
		child_close(infd);
	if (outfd != NULL)
		child_close(outfd);
	if (errfd != NULL)
		child_close(errfd);
	return child_try_reap(pid, status);
}

/* See child.h. */
int
child_wait_ms(int reaping, int64_t deadline, int64_t now_ms)
{
	int64_t	 left;

	if (reaping)
		return CHILD_REAP_POLL_MS;
	left = deadline - now_ms;
	if (left < 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}
