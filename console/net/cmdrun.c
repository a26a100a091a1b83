/*
 * cmdrun.c: one command run without blocking the loop, and its local
 * process (child.h); the SSH half is cmdrun_ssh.c.  See cmdrun.h.
 *
 * The local child's stdin, when it has input, is one end of a socket pair
 * rather than a pipe, so that writing to a child that died early gives
 * EPIPE from send(MSG_NOSIGNAL) instead of a SIGPIPE that would kill the
 * console (the loop does not ignore SIGPIPE).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdrun.h"
#include "cmdrun_int.h"
#include "ssh_exec.h"
#include "core/child.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/secret.h"
#include "core/trace.h"
#include "core/xmalloc.h"

#define CMDRUN_READ	16384

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

/* See cmdrun_int.h. */
void
cmdrun_take(struct cmdrun *r, int stream, const char *p, size_t n)
{
	struct cmdrun_buf	*b = stream == CMDRUN_STDOUT ? &r->out : &r->err;
	const char		*q = p;
	size_t			 k, left = n;

	/*
	 * The limit applies to the text as kept (scrubbed): a secret
	 * replaced makes room for more, so what is kept does not depend on
	 * how the pipe split the output into reads.
	 */
	while ((r->cb == NULL || stream == CMDRUN_STDERR) && left > 0 &&
	    (k = CMDRUN_OUT_MAX - b->len) > 0) {
		if (k > left)
			k = left;
		memcpy(b->text + b->len, q, k);
		b->len += k;
		b->text[b->len] = '\0';
		q += k;
		left -= k;
		if (r->secret == NULL)
			break;
		b->len = secret_scrub(b->text, b->len, sizeof(b->text),
		    r->secrets, 0);
	}
	if (r->cb != NULL)
		r->cb(r->arg, stream, p, n);
}

/* See cmdrun_int.h. */
void
cmdrun_ended(struct cmdrun *r)
{
	if (r->secret == NULL)
		return;
	r->out.len = secret_scrub(r->out.text, r->out.len,
	    sizeof(r->out.text), r->secrets, 1);
	r->err.len = secret_scrub(r->err.text, r->err.len,
	    sizeof(r->err.text), r->secrets, 1);
}

/* Keep the lines of a secret input to scrub them from the output. */
static void
cmdrun_keep_secret(struct cmdrun *r, const struct cmdrun_spec *spec)
{
	char	*p, *nl;
	size_t	 n = 0;

	if (!spec->secret_input || spec->input == NULL || spec->inlen == 0)
		return;
	r->secretlen = spec->inlen + 1;
	r->secret = xmalloc(r->secretlen);
	memcpy(r->secret, spec->input, spec->inlen);
	r->secret[spec->inlen] = '\0';
	for (p = r->secret; *p != '\0' && n < CMDRUN_SECRETS; p = nl + 1) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		if (*p != '\0')
			r->secrets[n++] = p;
		if (nl == NULL)
			break;
	}
	r->secrets[n] = NULL;
}

/* child_drain() callback: the bytes of one local stream. */
static void
cmdrun_took(void *arg, const char *p, size_t n)
{
	struct cmdrun_buf	*b = arg;

	cmdrun_take(b->r, b->stream, p, n);
}

/* A run with nothing started yet. */
static struct cmdrun *
cmdrun_new(const struct cmdrun_via *via, const struct cmdrun_spec *spec,
    int64_t now_ms)
{
	struct cmdrun	*r = xcalloc(1, sizeof(*r));
	const char	*name = spec->name != NULL ? spec->name : spec->argv[0];
	char		 shown[sizeof(r->name)];

	r->pid = -1;
	r->infd = r->execfd = r->out.fd = r->err.fd = -1;
	r->out.r = r->err.r = r;
	r->out.stream = CMDRUN_STDOUT;
	r->err.stream = CMDRUN_STDERR;
	r->status = -1;
	r->cb = spec->cb;
	r->arg = spec->arg;
	cmdrun_keep_secret(r, spec);
	r->budget = spec->budget > 0 ? spec->budget : SIZE_MAX;
	r->deadline_ms = spec->deadline_ms;
	r->deadline = now_ms + spec->deadline_ms;
	sanitize_text(shown, sizeof(shown), name, strlen(name));
	if (via != NULL && via->ssh != NULL) {
		r->ssh = via->ssh;
		r->sudo = via->sudo;
		snprintf(r->server, sizeof(r->server), "%s",
		    via->server != NULL ? via->server : "the server");
		snprintf(r->user, sizeof(r->user), "%s",
		    via->user != NULL ? via->user : "its login");
		snprintf(r->name, sizeof(r->name), "%.100s on %s", shown,
		    r->server);
	} else
		snprintf(r->name, sizeof(r->name), "%s", shown);
	if (spec->hint != NULL)
		snprintf(r->hint, sizeof(r->hint), "%s", spec->hint);
	return r;
}

/* Start the local process; 0, or -1 with err set. */
static int
cmdrun_spawn(struct cmdrun *r, const struct cmdrun_spec *spec, char *err,
    size_t errlen)
{
	int	 in[2] = { -1, -1 }, e;

	if (spec->input != NULL) {
		r->input = xmalloc(spec->inlen > 0 ? spec->inlen : 1);
		memcpy(r->input, spec->input, spec->inlen);
		r->inlen = spec->inlen;
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, in) == -1 ||
		    child_setup(in) == -1)
			goto fail;
	}
	if ((r->pid = child_start(spec->argv, spec->envp, in[1], &r->out.fd,
	    &r->err.fd, &r->execfd)) == -1)
		goto fail;
	child_close(&in[1]);
	r->infd = in[0];
	if (r->infd == -1)
		cmdrun_drop_input(r);
	return 0;

fail:
	e = errno;
	snprintf(err, errlen, "cannot start %s: %s", r->name, strerror(e));
	child_close(&in[0]);
	child_close(&in[1]);
	cmdrun_drop_input(r);
	return -1;
}

/* See cmdrun.h. */
struct cmdrun *
cmdrun_run(const struct cmdrun_via *via, const struct cmdrun_spec *spec,
    int64_t now_ms, char *err, size_t errlen)
{
	struct cmdrun	*r;
	int		 rc;

	child_reap_orphans();
	if (spec->argv == NULL || spec->argv[0] == NULL) {
		snprintf(err, errlen, "no command to run");
		return NULL;
	}
	r = cmdrun_new(via, spec, now_ms);
	rc = r->ssh != NULL ? cmdrun_ssh_start(r, spec, now_ms, err, errlen) :
	    cmdrun_spawn(r, spec, err, errlen);
	if (rc == -1) {
		trace(2, "command %s: %s", r->name, err);
		free(r);
		return NULL;
	}
	if (r->ssh != NULL)
		trace(2, "command %s: started", r->name);
	else
		trace(2, "command %s: started (pid %ld)", r->name,
		    (long)r->pid);
	return r;
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
	struct cmdrun_spec	 spec;

	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.envp = envp;
	spec.input = input;
	spec.inlen = len;
	spec.deadline_ms = deadline_ms;
	return cmdrun_run(NULL, &spec, now_ms, err, errlen);
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
		pfd[n].events = POLLOUT;
		pfd[n++].revents = 0;
	}
	if (r->out.fd != -1) {
		pfd[n].fd = r->out.fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	if (r->err.fd != -1) {
		pfd[n].fd = r->err.fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	return n;
}

/* Read what a local stream has (at most the budget); -1 on an error. */
static int
cmdrun_read(struct cmdrun *r, struct cmdrun_buf *b)
{
	char	 buf[CMDRUN_READ];

	return child_drain(&b->fd, buf, sizeof(buf), r->budget, cmdrun_took,
	    b) == -1 ? -1 : 0;
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

/* Stderr on one line: sanitised, its lines joined by "; ". */
static void
cmdrun_oneline(char *out, size_t size, const char *p, size_t len)
{
	const char	*nl, *e = p + len;
	size_t		 o = 0, n;

	out[0] = '\0';
	while (p < e && o + 1 < size) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0) {
			if (o > 0 && o + 3 < size) {
				memcpy(out + o, "; ", 3);
				o += 2;
			}
			o += sanitize_text(out + o, size - o, p, n);
		}
		p = nl + 1;
	}
}

/* See cmdrun_int.h.  The first reason given stands. */
void
cmdrun_fail(struct cmdrun *r, const char *fmt, ...)
{
	char	 said[CMDRUN_OUT_MAX + 1];
	va_list	 ap;

	r->state = CR_FAILED;
	if (r->error[0] != '\0')
		return;
	cmdrun_ended(r);
	va_start(ap, fmt);
	vsnprintf(r->what, sizeof(r->what), fmt, ap);
	va_end(ap);
	cmdrun_oneline(said, sizeof(said), r->err.text, r->err.len);
	if (r->said_all)
		said[0] = '\0';
	snprintf(r->error, sizeof(r->error), "%s %s%s%s", r->name, r->what,
	    said[0] != '\0' ? ": " : "", said);
	trace(2, "command %s", r->error);
}

/* The child is reaped: judge it. */
static int
cmdrun_reaped(struct cmdrun *r, int status)
{
	char	 what[160];
	int	 e, killed = r->state == CR_KILLED;

	r->pid = -1;
	cmdrun_ended(r);
	e = child_exec_errno(&r->execfd);
	r->status = child_exit_code(status);
	if (killed) {
		cmdrun_fail(r, "%s", "");
		return -1;
	}
	if (status == -1) {
		cmdrun_fail(r, "could not be waited for (SIGCHLD ignored?)");
		return -1;
	}
	if (e != 0) {
		r->status = -1;
		r->err.len = 0;
		cmdrun_fail(r, "could not be run: %s%s%s%s%s", e == ENOENT ?
		    "not found: " : "", strerror(e), r->hint[0] != '\0' ?
		    " (" : "", r->hint, r->hint[0] != '\0' ? ")" : "");
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		r->state = CR_DONE;
		trace(2, "command %s: exited 0", r->name);
		return 1;
	}
	child_status_text(status, what, sizeof(what));
	cmdrun_fail(r, "%s", what);
	return -1;
}

/* See cmdrun.h. */
int
cmdrun_step(struct cmdrun *r, int64_t now_ms)
{
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
	if (r->ssh != NULL)
		return cmdrun_ssh_step(r, now_ms);
	if (cmdrun_write(r) == -1) {
		cmdrun_fail(r, "could not be given its input: %s",
		    strerror(errno));
		goto kill;
	}
	if (cmdrun_read(r, &r->out) == -1 || cmdrun_read(r, &r->err) == -1) {
		cmdrun_fail(r, "could not be read from: %s", strerror(errno));
		goto kill;
	}
	if (r->out.fd == -1 && r->err.fd == -1 &&
	    child_try_reap(r->pid, &status))
		return cmdrun_reaped(r, status);
	if (now_ms < r->deadline)
		return 0;
	cmdrun_fail(r, "timed out after %d ms and was killed", r->deadline_ms);
kill:
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
	int64_t	 ms;

	if (r->state == CR_DONE || r->state == CR_FAILED)
		return -1;
	if (r->ssh != NULL) {
		/* the connection wakes its owner; this is the safety net */
		ms = r->deadline + CMDRUN_SSH_GRACE_MS - now_ms;
		return ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms;
	}
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

const char *
cmdrun_what(const struct cmdrun *r)
{
	return r->what;
}

const char *
cmdrun_name(const struct cmdrun *r)
{
	return r->name;
}

pid_t
cmdrun_pid(const struct cmdrun *r)
{
	return r->pid;
}

int
cmdrun_fd(const struct cmdrun *r, int stream)
{
	return stream == CMDRUN_STDOUT ? r->out.fd : r->err.fd;
}

/* Kill and reap a child still running (or abandon the channel); wipe the
   input; free. */
void
cmdrun_free(struct cmdrun *r)
{
	if (r == NULL)
		return;
	ssh_exec_free(r->rx);
	child_abandon(r->pid);
	child_close(&r->infd);
	child_close(&r->out.fd);
	child_close(&r->err.fd);
	child_close(&r->execfd);
	cmdrun_drop_input(r);
	if (r->secret != NULL) {
		explicit_bzero(r->secret, r->secretlen);
		free(r->secret);
	}
	free(r);
	child_reap_orphans();
}

/* See cmdrun.h. */
int
cmdrun_wait(struct cmdrun *r)
{
	struct pollfd	 pfd[CMDRUN_NFDS];
	int		 rc, ms;
	size_t		 n;

	if (r->ssh != NULL)
		return cmdrun_ssh_wait(r);
	while ((rc = cmdrun_step(r, loop_now_ms())) == 0) {
		n = cmdrun_fds(r, pfd);
		ms = cmdrun_wait_ms(r, loop_now_ms());
		if (poll(pfd, n, ms) == -1 && errno != EINTR)
			return -1;
	}
	return rc;
}
