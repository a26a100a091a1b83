/* cmdrun.c: one short command run without blocking the loop; see cmdrun.h. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "cmdrun.h"
#include "sanitize.h"
#include "xmalloc.h"

enum cmdrun_state { CR_RUNNING, CR_KILLED, CR_DONE, CR_FAILED };

struct cmdrun_buf {
	int		 fd;
	char		 text[CMDRUN_OUT_MAX + 1];
	size_t		 len;
};

struct cmdrun {
	enum cmdrun_state state;
	pid_t		 pid;
	int		 infd, execfd;
	char		*input;
	size_t		 inlen, inoff;
	struct cmdrun_buf out, err;
	int64_t		 deadline;
	int		 deadline_ms;
	int		 status;
	char		 name[64];	/* argv[0], sanitised */
	char		 error[CMDRUN_OUT_MAX + 256];
};

/* Wipe and free the input: it may be a password. */
static void
cmdrun_drop_input(struct cmdrun *r)
{
	if (r->input != NULL) {
		explicit_bzero(r->input, r->inlen);
		free(r->input);
		r->input = NULL;
	}
}

/* See cmdrun.h. */
struct cmdrun *
cmdrun_start(char *const argv[], const char *input, size_t len,
    int64_t now_ms, int deadline_ms, char *err, size_t errlen)
{
	return cmdrun_start_env(argv, NULL, input, len, now_ms, deadline_ms,
	    err, errlen);
}

/* See cmdrun.h. */
struct cmdrun *
cmdrun_start_env(char *const argv[], char *const envp[], const char *input,
    size_t len, int64_t now_ms, int deadline_ms, char *err, size_t errlen)
{
	struct cmdrun	*r;
	int		 in[2] = { -1, -1 }, out[2] = { -1, -1 };
	int		 errp[2] = { -1, -1 }, ex[2] = { -1, -1 }, e;

	child_reap_orphans();
	if (argv == NULL || argv[0] == NULL) {
		snprintf(err, errlen, "no command to run");
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->pid = -1;
	r->infd = r->execfd = r->out.fd = r->err.fd = -1;
	r->status = -1;
	r->deadline_ms = deadline_ms;
	r->deadline = now_ms + deadline_ms;
	sanitize_text(r->name, sizeof(r->name), argv[0], strlen(argv[0]));
	if (input != NULL) {
		r->input = xmalloc(len > 0 ? len : 1);
		memcpy(r->input, input, len);
		r->inlen = len;
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, in) == -1 ||
		    child_setup(in) == -1)
			goto fail;
	}
	if (pipe(out) == -1 || child_setup(out) == -1 || pipe(errp) == -1 ||
	    child_setup(errp) == -1 || pipe(ex) == -1 ||
	    child_setup(ex) == -1 ||
	    (r->pid = child_spawn_env(argv, envp, in[1], out[1], errp[1],
	    ex[1])) == -1)
		goto fail;
	child_close(&in[1]);
	child_close(&out[1]);
	child_close(&errp[1]);
	child_close(&ex[1]);
	r->infd = in[0];
	r->out.fd = out[0];
	r->err.fd = errp[0];
	r->execfd = ex[0];
	if (r->infd == -1)
		cmdrun_drop_input(r);
	return r;

fail:
	e = errno;
	snprintf(err, errlen, "cannot start %s: %s", r->name, strerror(e));
	child_close(&in[0]);
	child_close(&in[1]);
	child_close(&out[0]);
	child_close(&out[1]);
	child_close(&errp[0]);
	child_close(&errp[1]);
	child_close(&ex[0]);
	child_close(&ex[1]);
	cmdrun_drop_input(r);
	free(r);
	return NULL;
}

/* See cmdrun.h. */
size_t
cmdrun_fds(const struct cmdrun *r, struct pollfd *pfd)
{
	size_t	 n = 0;

	if (r->state != CR_RUNNING)
		return 0;
	if (r->infd != -1) {
		pfd[n].fd = r->infd;
		pfd[n++].events = POLLOUT;
	}
	if (r->out.fd != -1) {
		pfd[n].fd = r->out.fd;
		pfd[n++].events = POLLIN;
	}
	if (r->err.fd != -1) {
		pfd[n].fd = r->err.fd;
		pfd[n++].events = POLLIN;
	}
	return n;
}

/* Keep what fits of a stream (NUL-terminated), drain the rest. */
static int
cmdrun_read(struct cmdrun_buf *b)
{
	return child_read_into(&b->fd, b->text, sizeof(b->text), &b->len);
}

/* Give the child its input until it would block; close at the end. */
static int
cmdrun_write(struct cmdrun *r)
{
	ssize_t	 n;

	while (r->infd != -1 && r->inoff < r->inlen) {
		n = send(r->infd, r->input + r->inoff, r->inlen - r->inoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EPIPE || errno == ECONNRESET)
				break;	/* it stopped reading: its exit tells */
			return -1;
		}
		r->inoff += (size_t)n;
	}
	child_close(&r->infd);
	cmdrun_drop_input(r);
	return 0;
}

/* Set the error with what it said on stderr (sanitised, one line). */
static void
cmdrun_fail(struct cmdrun *r, const char *what)
{
	char	 said[CMDRUN_OUT_MAX + 1];
	size_t	 len = r->err.len;

	while (len > 0 && (r->err.text[len - 1] == '\n' ||
	    r->err.text[len - 1] == '\r'))
		len--;
	sanitize_text(said, sizeof(said), r->err.text, len);
	if (r->error[0] == '\0')
		snprintf(r->error, sizeof(r->error), "%s %s%s%s", r->name,
		    what, said[0] != '\0' ? ": " : "", said);
	r->state = CR_FAILED;
}

/* The child is reaped: judge it. */
static int
cmdrun_reaped(struct cmdrun *r, int status)
{
	char	 what[160];
	int	 e, killed = r->state == CR_KILLED;

	r->pid = -1;
	e = child_exec_errno(&r->execfd);
	r->status = child_exit_code(status);
	if (killed) {
		cmdrun_fail(r, "");
		return -1;
	}
	if (status == -1) {
		cmdrun_fail(r, "could not be waited for");
		return -1;
	}
	if (e != 0) {
		r->status = -1;
		snprintf(what, sizeof(what), "could not be run: %s",
		    e == ENOENT ? "not found" : strerror(e));
		cmdrun_fail(r, what);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		r->state = CR_DONE;
		return 1;
	}
	child_status_text(status, what, sizeof(what));
	cmdrun_fail(r, what);
	return -1;
}

/* See cmdrun.h. */
int
cmdrun_step(struct cmdrun *r, int64_t now_ms)
{
	char	 what[96];
	int	 status;

	switch (r->state) {
	case CR_DONE:
		return 1;
	case CR_FAILED:
		return -1;
	case CR_KILLED:
		if (!child_try_reap(r->pid, &status))
			return 0;
		return cmdrun_reaped(r, status);
	case CR_RUNNING:
		break;
	}
	if (cmdrun_write(r) == -1) {
		snprintf(what, sizeof(what), "could not be given its input: %s",
		    strerror(errno));
		goto kill;
	}
	if (cmdrun_read(&r->out) == -1 || cmdrun_read(&r->err) == -1) {
		snprintf(what, sizeof(what), "could not be read from: %s",
		    strerror(errno));
		goto kill;
	}
	if (r->out.fd == -1 && r->err.fd == -1 &&
	    child_try_reap(r->pid, &status))
		return cmdrun_reaped(r, status);
	if (now_ms < r->deadline)
		return 0;
	snprintf(what, sizeof(what), "timed out after %d ms and was killed",
	    r->deadline_ms);
kill:
	cmdrun_fail(r, what);
	r->state = CR_KILLED;
	cmdrun_drop_input(r);
	if (!child_kill_reap(r->pid, &r->infd, &r->out.fd, &r->err.fd,
	    &status))
		return 0;
	return cmdrun_reaped(r, status);
}

/* See cmdrun.h. */
int
cmdrun_wait_ms(const struct cmdrun *r, int64_t now_ms)
{
	if (r->state == CR_DONE || r->state == CR_FAILED)
		return -1;
	return child_wait_ms(r->state == CR_KILLED ||
	    (r->out.fd == -1 && r->err.fd == -1), r->deadline, now_ms);
}

int
cmdrun_status(const struct cmdrun *r)
{
	return r->status;
}

const char *
cmdrun_stdout(const struct cmdrun *r, size_t *len)
{
	if (len != NULL)
		*len = r->out.len;
	return r->out.text;
}

const char *
cmdrun_stderr(const struct cmdrun *r, size_t *len)
{
	if (len != NULL)
		*len = r->err.len;
	return r->err.text;
}

const char *
cmdrun_error(const struct cmdrun *r)
{
	return r->error;
}

/* Kill and reap a child still running; wipe the input; free. */
void
cmdrun_free(struct cmdrun *r)
{
	if (r == NULL)
		return;
	child_abandon(r->pid);
	child_close(&r->infd);
	child_close(&r->out.fd);
	child_close(&r->err.fd);
	child_close(&r->execfd);
	cmdrun_drop_input(r);
	free(r);
	child_reap_orphans();
}

/* Monotonic milliseconds. */
static int64_t
cmdrun_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* See cmdrun.h. */
int
cmdrun_wait(struct cmdrun *r)
{
	struct pollfd	 pfd[CMDRUN_NFDS];
	int		 rc, ms;
	size_t		 n;

	while ((rc = cmdrun_step(r, cmdrun_now_ms())) == 0) {
		n = cmdrun_fds(r, pfd);
		ms = cmdrun_wait_ms(r, cmdrun_now_ms());
		if (poll(pfd, n, ms) == -1 && errno != EINTR)
			return -1;
	}
	return rc;
}
