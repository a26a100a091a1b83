/*
 * ssh_exec_io.c: a remote command's input out and its output in, on its
 * exec channel, within a share of the session per pass (ssh_int.h has the
 * rules of a non-blocking session with many channels).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssh_int.h"
#include "core/xmalloc.h"

#define SSH_EXEC_READ		16384
#define SSH_EXEC_SHARE		(4 * SSH_EXEC_READ) /* a stream, a pass */

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

/* Note the outcome of e's call, and which call it owes if it now holds
   the session. */
void
ssh_exec_note(struct ssh_exec *e, enum ssh_exec_call call, int rc)
{
	struct ssh_conn	*c = e->conn;
	int		 held = c->lock == e;

	ssh_conn_note(c, e, rc);
	if (!held && c->lock == e)
		e->owed = call;
}

/*
 * How many bytes e may ask libssh2 for now.  A read that finds the
 * receive window low sends a window adjust first (libssh2 1.10: below 3/4
 * of the first window plus the bytes asked for), and while a packet is
 * half-sent no other may go: then ask only for what keeps the window
 * above that, and nothing once it is there.
 */
static size_t
ssh_exec_read_room(const struct ssh_exec *e)
{
	const struct ssh_conn	*c = e->conn;
	unsigned long		 win, init = 0, floor;

	if (c->lock == NULL || (c->lock == e && e->owed == SSH_CALL_READ))
		return SSH_EXEC_READ;
	win = libssh2_channel_window_read_ex(e->ch, NULL, &init);
	floor = init / 4 * 3 + 1;
	if (win <= floor)
		return 0;
	return win - floor < SSH_EXEC_READ ? win - floor : SSH_EXEC_READ;
}

/*
 * Read a stream until it would block or has had its share of this pass
 * (so one busy channel cannot hold the loop); *moved when anything came.
 * -1 when e failed.
 */
int
ssh_exec_read(struct ssh_exec *e, int stream, int *moved)
{
	char	 buf[SSH_EXEC_READ];
	size_t	 got = 0, room;
	ssize_t	 n;

	while (got < SSH_EXEC_SHARE) {
		if ((room = ssh_exec_read_room(e)) == 0)
			return 0;	/* after the half-sent packet */
		n = libssh2_channel_read_ex(e->ch, stream, buf, room);
		ssh_exec_note(e, SSH_CALL_READ, (int)n);
		if (n == 0 || n == LIBSSH2_ERROR_EAGAIN)
			return 0;
		*moved = 1;
		if (n < 0) {
			ssh_exec_error_rc(e, (int)n, "cannot read its output");
			return -1;
		}
		got += (size_t)n;
		ssh_exec_take(e, stream, buf, (size_t)n);
	}
	return 0;	/* the next pass reads on */
}

/*
 * Give the command its input, then EOF; *moved when any went.  -1 when e
 * failed.  A command that failed while owing a piece sends that piece
 * and nothing more.
 */
int
ssh_exec_write(struct ssh_exec *e, int *moved)
{
	struct ssh_conn	*c = e->conn;
	ssize_t		 n;
	int		 rc;

	if (!ssh_conn_may_send(c, e) ||
	    (c->lock == e && e->owed != SSH_CALL_WRITE) ||
	    (c->lock != e && e->result != 0))
		return 0;
	while (e->inoff < e->inlen) {
		n = libssh2_channel_write(e->ch, e->input + e->inoff,
		    e->inlen - e->inoff);
		ssh_exec_note(e, SSH_CALL_WRITE, (int)n);
		if (n == LIBSSH2_ERROR_EAGAIN)
			return 0;
		*moved = 1;
		if (n < 0) {
			ssh_exec_error_rc(e, (int)n, "cannot give it its "
			    "input");
			return -1;
		}
		e->inoff += (size_t)n;
		if (e->result != 0)
			return 0;
	}
	if (e->eof_sent)
		return 0;
	/*
	 * libssh2 builds the EOF packet on its own stack, so a half-sent
	 * one could only be finished by a call from the very same stack
	 * depth: send it only when the socket takes it whole.  (Its data
	 * packets live in the channel and are safe to repeat.)
	 */
	if (c->lock != e && !ssh_conn_room(c))
		return 0;
	rc = libssh2_channel_send_eof(e->ch);
	ssh_exec_note(e, SSH_CALL_WRITE, rc);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return 0;
	*moved = 1;
	if (rc < 0) {
		ssh_exec_error_rc(e, rc, "cannot end its input");
		return -1;
	}
	e->eof_sent = 1;
	ssh_exec_drop_input(e);
	return 0;
}
