/*
 * ssh_live.c: a live session: the rules by which every call shares the
 * one libssh2 session (see ssh_int.h), libssh2's errors in words, the
 * idle probe channel, keepalives and staleness.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/sockios.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "ssh_int.h"

/* See ssh_int.h. */
void
ssh_conn_lib_error(struct ssh_conn *c, int rc, char *buf, size_t size)
{
	char	*msg = NULL;
	int	 len = 0, last = 0;

	if (c->s != NULL)
		last = libssh2_session_last_error(c->s, &msg, &len, 0);
	/* libssh2's text goes with its last error, which may be older */
	if (rc != last || msg == NULL)
		len = 0;
	ssh_words(rc, msg, (size_t)len, c->bye, buf, size);
}

/* See ssh_int.h. */
int
ssh_conn_fatal(int rc)
{
	switch (rc) {
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
	case LIBSSH2_ERROR_SOCKET_SEND:
	case LIBSSH2_ERROR_SOCKET_RECV:
	case LIBSSH2_ERROR_SOCKET_TIMEOUT:
	case LIBSSH2_ERROR_TIMEOUT:
	case LIBSSH2_ERROR_DECRYPT:
	case LIBSSH2_ERROR_PROTO:
	case LIBSSH2_ERROR_KEX_FAILURE:
	case LIBSSH2_ERROR_BAD_USE:
	case LIBSSH2_ERROR_ALLOC:
		return 1;
	}
	return 0;
}

/* See ssh_int.h. */
void
ssh_conn_lose(struct ssh_conn *c, const char *why)
{
	if (!c->lost)
		snprintf(c->lost_why, sizeof(c->lost_why), "%s", why);
	c->lost = 1;
}

/*
 * libssh2 keeps one half-sent packet per session, and a call that sends
 * anything else before it is finished fails (LIBSSH2_ERROR_BAD_USE).
 * libssh2 blocks outbound exactly while such a packet waits, so whoever
 * got EAGAIN that left it holds the session until the flag clears: only
 * when the packet went, not when the holder's next call (a read, say)
 * went through.  See ssh_conn_may_send().
 */
void
ssh_conn_note(struct ssh_conn *c, const void *who, int rc)
{
	if (c->s == NULL)
		return;
	if (!(libssh2_session_block_directions(c->s) &
	    LIBSSH2_SESSION_BLOCK_OUTBOUND))
		c->lock = NULL;
	else if (rc == LIBSSH2_ERROR_EAGAIN && c->lock == NULL)
		c->lock = who;
}

/* See ssh_int.h. */
int
ssh_conn_may_send(const struct ssh_conn *c, const void *who)
{
	return c->lock == NULL || c->lock == who;
}

/*
 * See ssh_int.h.  A writable TCP socket has room for at least a third of
 * its buffer, far more than a packet without data; the loop then polls
 * for room instead of stepping in vain.
 */
int
ssh_conn_room(struct ssh_conn *c)
{
	struct pollfd	 pfd = { .fd = c->fd, .events = POLLOUT };

	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLOUT))
		return 1;
	c->want_out = 1;
	return 0;
}

/*
 * A live connection with no command has no channel whose reads would take
 * in what the server sends (keepalive answers, its own keepalives, its
 * goodbye).  A short "probe" channel, opened and freed again, makes
 * libssh2 read all that, and proves the server still answers.  start
 * begins one; one under way goes on whatever else runs, since it may
 * hold the session (a half-sent packet) or libssh2's one open.
 */
static void
ssh_conn_probe(struct ssh_conn *c, int start)
{
	char	 lib[256];
	int	 rc;

	if (c->probe == NULL && c->opener != &c->probe && !start)
		return;
	if (!ssh_conn_may_send(c, &c->probe))
		return;
	if (c->probe == NULL) {
		if (c->opener != NULL && c->opener != &c->probe)
			return;	/* a command's open goes first */
		/* libssh2 wants the same call again until it is done. */
		c->probe = libssh2_channel_open_session(c->s);
		if (c->probe == NULL) {
			rc = libssh2_session_last_errno(c->s);
			ssh_conn_note(c, &c->probe, rc);
			if (rc == LIBSSH2_ERROR_EAGAIN) {
				c->opener = &c->probe;
				return;
			}
			c->opener = NULL;
			ssh_conn_lib_error(c, rc, lib, sizeof(lib));
			ssh_conn_lose(c, lib);
			return;
		}
		c->opener = NULL;
	}
	/* Freeing sends EOF, built on libssh2's stack (see ssh_exec.c). */
	if (c->lock == NULL && !ssh_conn_room(c))
		return;
	rc = libssh2_channel_free(c->probe);
	ssh_conn_note(c, &c->probe, rc);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return;
	c->probe = NULL;
	c->next_probe = c->now + 1000 * c->keepalive_s;
	if (rc != 0 && ssh_conn_fatal(rc)) {
		ssh_conn_lib_error(c, rc, lib, sizeof(lib));
		ssh_conn_lose(c, lib);
	}
}

/* See ssh_int.h. */
void
ssh_conn_step_live(struct ssh_conn *c)
{
	char	 b;
	ssize_t	 n;
	int	 next, outq = 0, silent;

	c->pending = c->want_out = c->starved = 0;
	ssh_conn_probe(c, 0);
	/* The commands last: what any call above queued is theirs to read. */
	if (!c->lost)
		ssh_exec_step_all(c, c->now);
	if (!c->lost) {
		ssh_login_step(c);
		if (c->state == SSH_NO_COMMANDS)
			return;
	}
	if (!c->lost && c->execs == NULL && c->probe == NULL &&
	    c->opener == NULL) {
		n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
		if (n == 0)
			ssh_conn_lose(c, "the server closed the connection");
		else if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			ssh_conn_lose(c, strerror(errno));
		else if (n == 1 || c->now >= c->next_probe)
			ssh_conn_probe(c, 1);
	}
	/*
	 * Keepalive only with an empty send queue: a packet libssh2 could
	 * not send whole would hold the session (ssh_conn_note), and a
	 * peer that does not take our bytes is going stale anyway.
	 */
	if (!c->lost && c->execs != NULL && c->lock == NULL &&
	    (ioctl(c->fd, SIOCOUTQ, &outq) == -1 || outq == 0) &&
	    libssh2_keepalive_send(c->s, &next) != 0)
		ssh_conn_lose(c, "cannot send a keepalive");
	if (c->lost) {
		ssh_conn_fail(c, SSH_RETRYING, "%s", c->lost_why);
		return;
	}
	/*
	 * Bytes still on the socket while a packet is half-sent: no channel
	 * could read them without a window adjust (a send), so waking for
	 * them again would only spin.
	 */
	c->starved = c->lock != NULL &&
	    recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 1;
	silent = (int)(c->now - c->last_rx);
	if (silent >= 2 * c->stale_ms) {
		ssh_conn_fail(c, SSH_RETRYING, "no answer from the server for "
		    "%d s", silent / 1000);
		return;
	}
	ssh_conn_set_state(c, silent >= c->stale_ms ? SSH_STALE : SSH_LIVE);
	if (c->now - c->live_since >= SSH_STABLE_MS)
		c->attempts = 0;
}
