/* ssh_exec.c: one remote command on an exec channel; see ssh_exec.h. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "shquote.h"
#include "ssh_int.h"
#include "xmalloc.h"

#define SSH_EXEC_LINE_MAX	(64 * 1024)	/* a quoted command line */
#define SSH_EXEC_READ		16384

/* Wipe and free the input: it may be a password. */
static void
ssh_exec_drop_input(struct ssh_exec *e)
{
	if (e->input != NULL) {
		explicit_bzero(e->input, e->inlen);
		free(e->input);
		e->input = NULL;
	}
}

/* See ssh_exec.h. */
struct ssh_exec *
ssh_exec_start(struct ssh_conn *c, const char *command, const char *input,
    size_t len, int64_t now_ms, int deadline_ms, ssh_exec_cb cb, void *arg,
    char *err, size_t errlen)
{
	struct ssh_exec	*e;

	if (c->state != SSH_LIVE && c->state != SSH_STALE) {
		snprintf(err, errlen, "%s is not connected (%s)", c->name,
		    ssh_state_name(c->state));
		return NULL;
	}
	e = xcalloc(1, sizeof(*e));
	e->conn = c;
	e->command = xstrdup(command);
	if (input != NULL) {
		e->input = xmalloc(len > 0 ? len : 1);
		memcpy(e->input, input, len);
		e->inlen = len;
	}
	e->cb = cb;
	e->arg = arg;
	e->status = -1;
	e->deadline_ms = deadline_ms;
	e->deadline = deadline_ms > 0 ? now_ms + deadline_ms : 0;
	e->next = c->execs;
	c->execs = e;
	return e;
}

/* See ssh_exec.h. */
struct ssh_exec *
ssh_exec_start_argv(struct ssh_conn *c, char *const argv[],
    const char *input, size_t len, int64_t now_ms, int deadline_ms,
    ssh_exec_cb cb, void *arg, char *err, size_t errlen)
{
	struct ssh_exec	*e;
	char		*line;
	int		 argc;

	for (argc = 0; argv[argc] != NULL; argc++)
		;
	line = xmalloc(SSH_EXEC_LINE_MAX);
	if (argc == 0 || shquote_argv(argc, argv, line, SSH_EXEC_LINE_MAX) <
	    0) {
		snprintf(err, errlen, argc == 0 ? "no command to run" :
		    "command too long for one line");
		free(line);
		return NULL;
	}
	e = ssh_exec_start(c, line, input, len, now_ms, deadline_ms, cb, arg,
	    err, errlen);
	free(line);
	return e;
}

/* Fail it with why (once); its channel, if any, is closed next. */
static void
ssh_exec_fail(struct ssh_exec *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
ssh_exec_fail(struct ssh_exec *e, const char *fmt, ...)
{
	va_list	 ap;

	if (e->result == 0) {
		va_start(ap, fmt);
		vsnprintf(e->error, sizeof(e->error), fmt, ap);
		va_end(ap);
		e->result = -1;
	}
	ssh_exec_drop_input(e);
	e->phase = e->ch != NULL ? SSH_PH_CLOSE : SSH_PH_GONE;
}

/* A libssh2 call for e failed with rc: the channel's or the session's? */
static void
ssh_exec_error_rc(struct ssh_exec *e, int rc, const char *what)
{
	char	 lib[256];

	ssh_conn_lib_error(e->conn, lib, sizeof(lib));
	if (ssh_conn_fatal(rc)) {
		ssh_conn_lose(e->conn, lib);
		ssh_exec_fail(e, "connection to %s lost: %s", e->conn->name,
		    lib);
	} else
		ssh_exec_fail(e, "%s: %s", what, lib);
}

/* Keep what fits of a stream, or hand it on. */
static void
ssh_exec_take(struct ssh_exec *e, int stream, const char *p, size_t n)
{
	char	*buf = stream == SSH_STDOUT ? e->out : e->err;
	size_t	*lenp = stream == SSH_STDOUT ? &e->outlen : &e->errlen;
	size_t	 k;

	if (e->cb != NULL && !e->abandoned) {
		e->cb(e->arg, stream, p, n);
		return;
	}
	k = SSH_EXEC_OUT_MAX - *lenp;
	if (k > n)
		k = n;
	memcpy(buf + *lenp, p, k);
	*lenp += k;
	buf[*lenp] = '\0';
}

/* Read a stream until it would block; -1 when e failed. */
static int
ssh_exec_read(struct ssh_exec *e, int stream)
{
	char	 buf[SSH_EXEC_READ];
	ssize_t	 n;

	for (;;) {
		n = libssh2_channel_read_ex(e->ch, stream, buf, sizeof(buf));
		ssh_conn_note(e->conn, e, (int)n);
		if (n > 0) {
			ssh_exec_take(e, stream, buf, (size_t)n);
			continue;
		}
		if (n == 0 || n == LIBSSH2_ERROR_EAGAIN)
			return 0;
		ssh_exec_error_rc(e, (int)n, "cannot read its output");
		return -1;
	}
}

/* Give the command its input, then EOF. */
static int
ssh_exec_write(struct ssh_exec *e)
{
	ssize_t	 n;
	int	 rc;

	while (e->inoff < e->inlen) {
		n = libssh2_channel_write(e->ch, e->input + e->inoff,
		    e->inlen - e->inoff);
		ssh_conn_note(e->conn, e, (int)n);
		if (n == LIBSSH2_ERROR_EAGAIN)
			return 0;
		if (n < 0) {
			ssh_exec_error_rc(e, (int)n, "cannot give it its "
			    "input");
			return -1;
		}
		e->inoff += (size_t)n;
	}
	if (!e->eof_sent) {
		rc = libssh2_channel_send_eof(e->ch);
		ssh_conn_note(e->conn, e, rc);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		if (rc < 0) {
			ssh_exec_error_rc(e, rc, "cannot end its input");
			return -1;
		}
		e->eof_sent = 1;
		ssh_exec_drop_input(e);
	}
	return 0;
}

/* Judge the command by its exit status or signal, once closed. */
static void
ssh_exec_judge(struct ssh_exec *e)
{
	char	 said[SSH_EXEC_OUT_MAX + 1], *sig = NULL;
	size_t	 len = e->errlen;

	if (libssh2_channel_get_exit_signal(e->ch, &sig, NULL, NULL, NULL,
	    NULL, NULL) == 0 && sig != NULL) {
		sanitize_text(e->sig, sizeof(e->sig), sig, strlen(sig));
		libssh2_free(e->conn->s, sig);
	}
	e->status = libssh2_channel_get_exit_status(e->ch);
	if (e->result != 0)
		return;
	while (len > 0 && (e->err[len - 1] == '\n' || e->err[len - 1] == '\r'))
		len--;
	sanitize_text(said, sizeof(said), e->err, len);
	if (e->sig[0] != '\0') {
		e->status = -1;
		ssh_exec_fail(e, "killed by signal %s%s%s", e->sig,
		    said[0] != '\0' ? ": " : "", said);
	} else if (e->status != 0)
		ssh_exec_fail(e, "exited with status %d%s%s", e->status,
		    said[0] != '\0' ? ": " : "", said);
	else
		e->result = 1;
}

/* Close the channel and free it, then judge. */
static void
ssh_exec_close(struct ssh_exec *e)
{
	int	 rc;

	rc = libssh2_channel_close(e->ch);
	ssh_conn_note(e->conn, e, rc);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return;
	if (rc == 0 && e->result == 0) {
		rc = libssh2_channel_wait_closed(e->ch);
		ssh_conn_note(e->conn, e, rc);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return;
	}
	if (rc < 0 && ssh_conn_fatal(rc)) {
		ssh_exec_error_rc(e, rc, "cannot close its channel");
		return;
	}
	ssh_exec_judge(e);
	rc = libssh2_channel_free(e->ch);
	ssh_conn_note(e->conn, e, rc);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return;
	e->ch = NULL;
	e->phase = SSH_PH_GONE;
	if (e->result == 0)
		ssh_exec_fail(e, "its channel closed without an exit status");
}

/* One step of one command. */
static void
ssh_exec_step(struct ssh_exec *e, int64_t now)
{
	struct ssh_conn	*c = e->conn;
	int		 rc;

	if (e->deadline != 0 && now >= e->deadline && e->result == 0)
		ssh_exec_fail(e, "timed out after %d ms; its channel was "
		    "closed", e->deadline_ms);
	if (!ssh_conn_may_send(c, e))
		return;
	switch (e->phase) {
	case SSH_PH_OPEN:
		e->ch = libssh2_channel_open_session(c->s);
		if (e->ch == NULL) {
			rc = libssh2_session_last_errno(c->s);
			ssh_conn_note(c, e, rc);
			if (rc != LIBSSH2_ERROR_EAGAIN)
				ssh_exec_error_rc(e, rc, "the server opened no "
				    "channel");
			return;
		}
		e->phase = SSH_PH_START;
		/* FALLTHROUGH */
	case SSH_PH_START:
		rc = libssh2_channel_exec(e->ch, e->command);
		ssh_conn_note(c, e, rc);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return;
		if (rc < 0) {
			ssh_exec_error_rc(e, rc, "the server would not run it");
			return;
		}
		e->phase = SSH_PH_RUN;
		/* FALLTHROUGH */
	case SSH_PH_RUN:
		if (ssh_exec_write(e) == -1 ||
		    ssh_exec_read(e, SSH_STDOUT) == -1 ||
		    ssh_exec_read(e, SSH_STDERR) == -1)
			return;
		if (!libssh2_channel_eof(e->ch))
			return;
		e->phase = SSH_PH_CLOSE;
		/* FALLTHROUGH */
	case SSH_PH_CLOSE:
		ssh_exec_close(e);
		break;
	case SSH_PH_GONE:
		break;
	}
}

/* Unlink e from its connection's list. */
static void
ssh_exec_unlink(struct ssh_exec *e)
{
	struct ssh_exec	**pp;

	if (e->conn == NULL)
		return;
	for (pp = &e->conn->execs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	if (e->conn->lock == e)
		e->conn->lock = NULL;
	e->conn = NULL;
}

/* Free e for good. */
static void
ssh_exec_destroy(struct ssh_exec *e)
{
	ssh_exec_unlink(e);
	ssh_exec_drop_input(e);
	free(e->command);
	free(e);
}

/* See ssh_int.h. */
void
ssh_exec_step_all(struct ssh_conn *c, int64_t now)
{
	struct ssh_exec	*e, *next;

	for (e = c->execs; e != NULL && !c->lost; e = next) {
		next = e->next;
		ssh_exec_step(e, now);
		if (e->phase == SSH_PH_GONE && e->abandoned)
			ssh_exec_destroy(e);
		else if (e->phase == SSH_PH_GONE)
			ssh_exec_unlink(e);	/* done: off the list */
	}
}

/* See ssh_int.h. */
void
ssh_exec_lost_all(struct ssh_conn *c, const char *why)
{
	struct ssh_exec	*e;

	while ((e = c->execs) != NULL) {
		e->ch = NULL;	/* the session frees it */
		if (e->result == 0)
			ssh_exec_fail(e, "%s", why);
		e->phase = SSH_PH_GONE;
		if (e->abandoned)
			ssh_exec_destroy(e);
		else
			ssh_exec_unlink(e);
	}
}

/* See ssh_int.h. */
int64_t
ssh_exec_next_deadline(const struct ssh_conn *c)
{
	const struct ssh_exec	*e;
	int64_t			 at = 0;

	for (e = c->execs; e != NULL; e = e->next)
		if (e->deadline != 0 && e->result == 0 &&
		    (at == 0 || e->deadline < at))
			at = e->deadline;
	return at;
}

int
ssh_exec_result(const struct ssh_exec *e)
{
	return e->phase == SSH_PH_GONE ? e->result : 0;
}

int
ssh_exec_status(const struct ssh_exec *e)
{
	return e->status;
}

const char *
ssh_exec_signal(const struct ssh_exec *e)
{
	return e->sig;
}

const char *
ssh_exec_stdout(const struct ssh_exec *e, size_t *len)
{
	if (len != NULL)
		*len = e->outlen;
	return e->out;
}

const char *
ssh_exec_stderr(const struct ssh_exec *e, size_t *len)
{
	if (len != NULL)
		*len = e->errlen;
	return e->err;
}

const char *
ssh_exec_error(const struct ssh_exec *e)
{
	return e->error;
}

/* See ssh_exec.h. */
void
ssh_exec_free(struct ssh_exec *e)
{
	if (e == NULL)
		return;
	ssh_exec_drop_input(e);
	if (e->conn == NULL || e->phase == SSH_PH_GONE) {
		ssh_exec_destroy(e);
		return;
	}
	/* Its channel is still open: the connection's steps close it. */
	e->abandoned = 1;
	if (e->result == 0)
		ssh_exec_fail(e, "abandoned");
}
