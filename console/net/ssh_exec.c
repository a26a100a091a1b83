/* ssh_exec.c: one remote command on an exec channel; see ssh_exec.h. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssh_int.h"
#include "core/sanitize.h"
#include "core/shquote.h"
#include "core/xmalloc.h"

#define SSH_EXEC_LINE_MAX	(64 * 1024)	/* a quoted command line */
#define SSH_EXEC_PASSES		32		/* a step, at most */

/* Wipe the input (it may be a password) but keep the buffer: a write of
   it may still be half-sent. */
static void
ssh_exec_wipe_input(struct ssh_exec *e)
{
	if (e->input != NULL)
		explicit_bzero(e->input, e->inlen);
}

/* Wipe and free the input, now nothing of it can be owed. */
void
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
	c->pending = 1;		/* no fd will say its open is due */
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

/*
 * Fail it with why (once).  Its step closes the channel next, but only
 * once it owes the session no half-sent packet (see ssh_int.h).
 */
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
	ssh_exec_wipe_input(e);
}

/* A libssh2 call for e failed with rc: the channel's or the session's? */
void
ssh_exec_error_rc(struct ssh_exec *e, int rc, const char *what)
{
	char	 lib[256];

	ssh_conn_lib_error(e->conn, rc, lib, sizeof(lib));
	if (ssh_conn_fatal(rc)) {
		ssh_conn_lose(e->conn, lib);
		ssh_exec_fail(e, "connection to %s lost: %s", e->conn->name,
		    lib);
	} else
		ssh_exec_fail(e, "%s: %s", what, lib);
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

/*
 * Close the channel; for a command that ended by itself, wait for the
 * server's close, which comes after the exit status; then judge and free
 * it.  1 when it got anywhere.
 */
static int
ssh_exec_close(struct ssh_exec *e)
{
	int	 moved = 0, rc;

	/* Closing sends our EOF first if it has not gone: see above. */
	if (e->close_step == 0 && !e->eof_sent && e->conn->lock != e &&
	    !ssh_conn_room(e->conn))
		return 0;
	if (e->close_step == 0) {
		rc = libssh2_channel_close(e->ch);
		ssh_exec_note(e, SSH_CALL_OTHER, rc);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		if (rc < 0 && ssh_conn_fatal(rc)) {
			ssh_exec_error_rc(e, rc, "cannot close its channel");
			return 1;
		}
		e->close_step = rc == 0 && e->result == 0 ? 1 : 2;
		moved = 1;
	}
	if (e->close_step == 1) {
		rc = libssh2_channel_wait_closed(e->ch);
		ssh_exec_note(e, SSH_CALL_OTHER, rc);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return moved;
		if (rc < 0 && ssh_conn_fatal(rc)) {
			ssh_exec_error_rc(e, rc, "cannot close its channel");
			return 1;
		}
		e->close_step = 2;
	}
	ssh_exec_judge(e);
	rc = libssh2_channel_free(e->ch);
	ssh_exec_note(e, SSH_CALL_OTHER, rc);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return 1;
	e->ch = NULL;
	e->phase = SSH_PH_GONE;
	if (e->result == 0)
		ssh_exec_fail(e, "its channel closed without an exit status");
	return 1;
}

/* Input out, output in, and on to closing at the end of its output; 1
   when it got anywhere. */
static int
ssh_exec_run(struct ssh_exec *e)
{
	struct ssh_conn	*c = e->conn;
	int		 moved = 0;

	/* A read left a window adjust half-sent: that read goes first. */
	if (c->lock == e && e->owed == SSH_CALL_READ &&
	    ssh_exec_read(e, SSH_STDOUT, &moved) == -1)
		return 1;
	if (ssh_exec_write(e, &moved) == -1)
		return 1;
	if (e->result != 0)
		return moved;	/* it owed a piece: closing comes next */
	if (ssh_exec_read(e, SSH_STDOUT, &moved) == -1 ||
	    ssh_exec_read(e, SSH_STDERR, &moved) == -1)
		return 1;
	/* libssh2 says EOF only once both streams are read out; closing
	   sends, so not while a packet of ours is half-sent. */
	if (!libssh2_channel_eof(e->ch) || c->lock == e)
		return moved;
	e->phase = SSH_PH_CLOSE;
	return 1;
}

/* One step of one command; 1 when it got anywhere. */
static int
ssh_exec_step(struct ssh_exec *e, int64_t now)
{
	struct ssh_conn	*c = e->conn;
	int		 moved = 0, rc;

	if (e->deadline != 0 && now >= e->deadline && e->result == 0) {
		ssh_exec_fail(e, "timed out after %d ms; its channel was "
		    "closed", e->deadline_ms);
		moved = 1;
	}
	if (e->result != 0 && e->phase < SSH_PH_CLOSE && c->lock != e) {
		e->phase = e->ch != NULL ? SSH_PH_CLOSE : SSH_PH_GONE;
		moved = 1;
	}
	switch (e->phase) {
	case SSH_PH_OPEN:
		if (!ssh_conn_may_send(c, e) ||
		    (c->opener != NULL && c->opener != e))
			return moved;
		e->ch = libssh2_channel_open_session(c->s);
		if (e->ch == NULL) {
			rc = libssh2_session_last_errno(c->s);
			ssh_exec_note(e, SSH_CALL_OTHER, rc);
			if (rc == LIBSSH2_ERROR_EAGAIN) {
				c->opener = e;
				return moved;
			}
			if (c->opener == e)
				c->opener = NULL;
			ssh_exec_error_rc(e, rc, "the server opened no "
			    "channel");
			return 1;
		}
		if (c->opener == e)
			c->opener = NULL;
		e->phase = SSH_PH_START;
		if (e->result != 0)
			return 1;	/* failed meanwhile: close it */
		moved = 1;
		/* FALLTHROUGH */
	case SSH_PH_START:
		if (!ssh_conn_may_send(c, e))
			return moved;
		rc = libssh2_channel_exec(e->ch, e->command);
		ssh_exec_note(e, SSH_CALL_OTHER, rc);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return moved;
		if (rc < 0) {
			ssh_exec_error_rc(e, rc, "the server would not run it");
			return 1;
		}
		e->phase = SSH_PH_RUN;
		if (e->result != 0)
			return 1;
		moved = 1;
		/* FALLTHROUGH */
	case SSH_PH_RUN:
		return ssh_exec_run(e) | moved;
	case SSH_PH_CLOSE:
		if (!ssh_conn_may_send(c, e))
			return moved;
		return ssh_exec_close(e) | moved;
	case SSH_PH_GONE:
		break;
	}
	return moved;
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
	if (e->conn->opener == e)
		e->conn->opener = NULL;	/* the next opener finishes it */
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

/* It is off its connection's list for good: tell its owner. */
static void
ssh_exec_ended(struct ssh_exec *e)
{
	ssh_exec_end_cb	 end = e->end;

	e->end = NULL;
	if (end != NULL && !e->abandoned)
		end(e->arg);
}

/* See ssh_int.h. */
void
ssh_exec_step_all(struct ssh_conn *c, int64_t now)
{
	struct ssh_exec	*e, *next;
	uint64_t	 rx;
	int		 moved, pass;

	/*
	 * Pass after pass: a call for one channel may have queued what the
	 * server sent another, and such bytes never make the fd readable
	 * again.  Done when a whole pass moved nothing and read nothing off
	 * the socket: then every channel has had what libssh2 holds for it.
	 */
	for (pass = 0; pass < SSH_EXEC_PASSES; pass++) {
		rx = c->rx;
		moved = 0;
		for (e = c->execs; e != NULL && !c->lost; e = next) {
			next = e->next;
			moved |= ssh_exec_step(e, now);
			if (e->phase == SSH_PH_GONE && e->abandoned)
				ssh_exec_destroy(e);
			else if (e->phase == SSH_PH_GONE) {
				ssh_exec_unlink(e);	/* done: off the list */
				ssh_exec_ended(e);
			}
		}
		if (c->lost || (!moved && c->rx == rx))
			return;
	}
	c->pending = 1;		/* more to do: the loop steps again */
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
		else {
			ssh_exec_unlink(e);
			ssh_exec_ended(e);
		}
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

/* See ssh_exec.h. */
void
ssh_exec_on_end(struct ssh_exec *e, ssh_exec_end_cb cb)
{
	e->end = cb;
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
	if (e->conn == NULL || e->phase == SSH_PH_GONE) {
		ssh_exec_destroy(e);
		return;
	}
	/* Its channel is still open: the connection's steps close it. */
	ssh_exec_wipe_input(e);
	e->abandoned = 1;
	e->conn->pending = 1;
	if (e->result == 0)
		ssh_exec_fail(e, "abandoned");
}
