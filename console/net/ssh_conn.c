/*
 * ssh_conn.c: one non-blocking SSH connection through its states: made,
 * stepped, failed and retried after a backoff, restarted, freed; see
 * ssh_conn.h.  The way to a session is ssh_dial.c, the login ssh_auth.c,
 * a live session ssh_live.c, what it shows ssh_conn_info.c.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolve.h"
#include "ssh_int.h"
#include "core/sanitize.h"
#include "core/trace.h"
#include "core/xmalloc.h"

/* See ssh_conn.h. */
int
ssh_backoff_ms(unsigned attempt, double r)
{
	int	 ms = SSH_BACKOFF_MIN_MS;

	while (attempt-- > 0 && ms < SSH_BACKOFF_MAX_MS)
		ms *= 2;
	if (ms > SSH_BACKOFF_MAX_MS)
		ms = SSH_BACKOFF_MAX_MS;
	if (r < 0 || r >= 1)
		r = 0;
	return ms - (int)(ms / 5 * r);
}

/* A number in [0, 1) for the jitter (xorshift: no need for quality). */
static double
ssh_conn_random(struct ssh_conn *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 17;
	c->rng ^= c->rng << 5;
	return (c->rng >> 8) / (double)(1u << 24);
}

/* Drop the session and the socket; commands fail with why. */
static void
ssh_conn_close(struct ssh_conn *c, const char *why)
{
	int	 i;

	ssh_exec_lost_all(c, why);
	if (c->agent != NULL) {
		libssh2_agent_disconnect(c->agent);
		libssh2_agent_free(c->agent);
		c->agent = NULL;
		c->identity = NULL;
	}
	c->agent_why[0] = '\0';
	c->methods[0] = '\0';
	c->methods_known = 0;
	c->tries = 0;
	c->trying = 0;
	c->key_i = 0;
	c->key_refused[0] = '\0';
	/* the check belongs to this session; lost_all failed it above */
	ssh_exec_free(c->login_probe);
	c->login_probe = NULL;
	c->login = SSH_LOGIN_UNKNOWN;
	/* Shut the socket first: libssh2 then frees without waiting for
	   a peer that may never answer. */
	if (c->fd != -1)
		shutdown(c->fd, SHUT_RDWR);
	c->probe = NULL;	/* freed with the session */
	c->opener = NULL;
	c->pending = c->want_out = c->starved = 0;
	if (c->s != NULL) {
		for (i = 0; i < 4; i++)
			if (libssh2_session_free(c->s) !=
			    LIBSSH2_ERROR_EAGAIN)
				break;
		c->s = NULL;
	}
	if (c->fd != -1) {
		close(c->fd);
		c->fd = -1;
	}
	c->lock = NULL;
	c->lost = 0;
}

/* See ssh_int.h. */
void
ssh_conn_set_state(struct ssh_conn *c, enum ssh_state st)
{
	int	 failed = st == SSH_RETRYING || st >= SSH_HOSTKEY_UNKNOWN;

	if (st == c->state)
		return;
	trace(1, "ssh %s: %s -> %s%s%s", c->name, ssh_state_name(c->state),
	    ssh_state_name(st), failed && c->error[0] != '\0' ? ": " : "",
	    failed ? c->error : "");
	c->state = st;
}

/* See ssh_int.h. */
void
ssh_conn_fail(struct ssh_conn *c, enum ssh_state st, const char *fmt, ...)
{
	char	 why[sizeof(c->error)], lost[sizeof(c->error) + 64];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(c->error, sizeof(c->error), "%s", why);
	snprintf(lost, sizeof(lost), "connection to %s lost: %s", c->name,
	    why);
	ssh_conn_close(c, lost);
	ssh_conn_set_state(c, st);
	if (st == SSH_RETRYING)
		c->retry_at = c->now + ssh_backoff_ms(c->attempts++,
		    ssh_conn_random(c));
}

/* The name known_hosts has for a host name: lowercased, as OpenSSH. */
static char *
ssh_conn_lower(const char *host)
{
	char	*s = xstrdup(host), *p;

	for (p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

/* See ssh_conn.h. */
struct ssh_conn *
ssh_conn_new(const struct ssh_conn_config *cfg, int64_t now_ms)
{
	static int		 inited;
	struct ssh_conn		*c;
	unsigned char		 a[16];
	size_t			 i;

	if (!inited) {
		libssh2_init(0);
		inited = 1;
	}
	c = xcalloc(1, sizeof(*c));
	c->fd = -1;
	c->now = now_ms;
	c->name = xstrdup(cfg->name != NULL ? cfg->name : "?");
	c->host = xstrdup(cfg->host != NULL ? cfg->host : "");
	c->user = xstrdup(cfg->user != NULL ? cfg->user : "root");
	c->key_file = cfg->key_file != NULL ? xstrdup(cfg->key_file) : NULL;
	if (cfg->key_file == NULL && cfg->key_files != NULL) {
		while (cfg->key_files[c->nkey_files] != NULL)
			c->nkey_files++;
		c->key_files = xcalloc(c->nkey_files + 1, sizeof(char *));
		for (i = 0; i < c->nkey_files; i++)
			c->key_files[i] = xstrdup(cfg->key_files[i]);
	}
	c->passphrase = cfg->passphrase != NULL ? xstrdup(cfg->passphrase) :
	    NULL;
	c->known_hosts = cfg->known_hosts != NULL ?
	    xstrdup(cfg->known_hosts) : NULL;
	c->own_known_hosts = cfg->own_known_hosts != NULL ?
	    xstrdup(cfg->own_known_hosts) : NULL;
	c->port = cfg->port > 0 ? cfg->port : 22;
	c->connect_ms = cfg->connect_ms > 0 ? cfg->connect_ms : SSH_CONNECT_MS;
	c->handshake_ms = cfg->handshake_ms > 0 ? cfg->handshake_ms :
	    SSH_HANDSHAKE_MS;
	c->auth_ms = cfg->auth_ms > 0 ? cfg->auth_ms : SSH_AUTH_MS;
	c->keepalive_s = cfg->keepalive_s > 0 ? cfg->keepalive_s :
	    SSH_KEEPALIVE_S;
	c->stale_ms = cfg->stale_ms > 0 ? cfg->stale_ms :
	    3 * 1000 * c->keepalive_s;
	c->rng = (uint32_t)now_ms ^ (uint32_t)getpid() ^
	    (uint32_t)(uintptr_t)c;
	if (c->rng == 0)
		c->rng = 1;
	c->resolver = cfg->resolver;
	c->named = inet_pton(AF_INET, c->host, a) != 1 &&
	    inet_pton(AF_INET6, c->host, a) != 1;
	/* a numeric host: connected to and known as written */
	c->khost = c->named ? ssh_conn_lower(c->host) : xstrdup(c->host);
	snprintf(c->where, sizeof(c->where), "%s", c->host);
	if (!c->named)
		snprintf(c->addr, sizeof(c->addr), "%s", c->host);
	if (c->named && c->resolver == NULL) {
		char	 h[128];

		sanitize_text(h, sizeof(h), c->host, strlen(c->host));
		ssh_conn_set_state(c, SSH_FAILED);
		snprintf(c->error, sizeof(c->error), "host \"%s\" is a name, "
		    "and there is no resolver to look it up: give the "
		    "address", h);
		return c;
	}
	if (c->port > 65535) {
		ssh_conn_set_state(c, SSH_FAILED);
		snprintf(c->error, sizeof(c->error), "port %d is not a TCP "
		    "port", c->port);
		return c;
	}
	ssh_conn_begin(c);
	return c;
}

/* See ssh_conn.h. */
void
ssh_conn_free(struct ssh_conn *c)
{
	if (c == NULL)
		return;
	if (c->s != NULL && (c->state == SSH_LIVE || c->state == SSH_STALE))
		(void)libssh2_session_disconnect(c->s, "mailcon closing");
	ssh_conn_close(c, "connection closed");
	if (c->named && c->resolver != NULL)
		resolver_cancel(c->resolver, c);
	free(c->offered);
	free(c->name);
	free(c->host);
	free(c->khost);
	free(c->user);
	free(c->key_file);
	for (size_t i = 0; i < c->nkey_files; i++)
		free(c->key_files[i]);
	free(c->key_files);
	if (c->passphrase != NULL) {
		explicit_bzero(c->passphrase, strlen(c->passphrase));
		free(c->passphrase);
	}
	free(c->known_hosts);
	free(c->own_known_hosts);
	free(c);
}

/* See ssh_conn.h. */
size_t
ssh_conn_fds(const struct ssh_conn *c, struct pollfd *pfd)
{
	int	 dir;

	if (c->fd == -1)
		return 0;
	pfd->fd = c->fd;
	pfd->events = 0;
	pfd->revents = 0;
	if (c->state == SSH_CONNECTING) {
		pfd->events = POLLOUT;
		return 1;
	}
	dir = c->s != NULL ? libssh2_session_block_directions(c->s) : 0;
	if (c->state == SSH_LIVE || c->state == SSH_STALE ||
	    (dir & LIBSSH2_SESSION_BLOCK_INBOUND) || dir == 0)
		pfd->events |= POLLIN;
	/* Only room to send moves a starved session on. */
	if (c->starved)
		pfd->events &= ~POLLIN;
	if ((dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) || c->want_out)
		pfd->events |= POLLOUT;
	return 1;
}

/* See ssh_conn.h. */
int
ssh_conn_step(struct ssh_conn *c, int64_t now_ms)
{
	enum ssh_state	 was = c->state;
	int		 rc;

	c->now = now_ms;
	switch (c->state) {
	case SSH_RESOLVING:
		ssh_conn_step_resolve(c);
		if (c->state != SSH_CONNECTING)
			break;
		/* FALLTHROUGH */
	case SSH_CONNECTING:
		ssh_conn_step_connect(c);
		if (c->state != SSH_HANDSHAKE)
			break;
		/* FALLTHROUGH */
	case SSH_HANDSHAKE:
		rc = libssh2_session_handshake(c->s, c->fd);
		if (rc == LIBSSH2_ERROR_EAGAIN) {
			if (c->now >= c->deadline)
				ssh_conn_fail(c, SSH_RETRYING, "SSH handshake "
				    "timed out after %d s (%s)",
				    c->handshake_ms / 1000, c->greetlen == 0 ?
				    "the server never greeted" :
				    "the server stopped answering");
			break;
		}
		if (rc != 0) {
			ssh_conn_handshake_failed(c, rc);
			break;
		}
		ssh_conn_check_hostkey(c);
		if (c->state != SSH_AUTHENTICATING)
			break;
		/* FALLTHROUGH */
	case SSH_AUTHENTICATING:
		ssh_auth_step(c);
		if (c->state != SSH_LIVE)
			break;
		/* FALLTHROUGH */
	case SSH_LIVE:
	case SSH_STALE:
		ssh_conn_step_live(c);
		break;
	case SSH_RETRYING:
		if (c->now >= c->retry_at)
			ssh_conn_begin(c);
		break;
	case SSH_HOSTKEY_UNKNOWN:
	case SSH_HOSTKEY_MISMATCH:
	case SSH_AUTH_FAILED:
	case SSH_NO_COMMANDS:
	case SSH_FAILED:
	case SSH_NSTATES:
		break;
	}
	return c->state != was;
}

/* See ssh_conn.h. */
int
ssh_conn_wait_ms(const struct ssh_conn *c, int64_t now_ms)
{
	int64_t	 at = 0, d;

	switch (c->state) {
	case SSH_RESOLVING:
		/* the resolver's fds and deadline wake the loop */
		return c->answered ? 0 : -1;
	case SSH_CONNECTING:
	case SSH_HANDSHAKE:
	case SSH_AUTHENTICATING:
		at = c->deadline;
		break;
	case SSH_LIVE:
	case SSH_STALE:
		/* libssh2 may hold what no fd will announce, or a command
		   waits to start or to be closed */
		if (c->pending)
			return 0;
		/* keepalive (libssh2 counts whole seconds), staleness,
		   probes, and the commands' deadlines */
		at = now_ms + 1000;
		d = c->last_rx + (c->state == SSH_LIVE ? c->stale_ms :
		    2 * c->stale_ms);
		if (d < at)
			at = d;
		if (c->execs == NULL && c->next_probe < at)
			at = c->next_probe;
		d = ssh_exec_next_deadline(c);
		if (d != 0 && d < at)
			at = d;
		break;
	case SSH_RETRYING:
		at = c->retry_at;
		break;
	default:
		return -1;
	}
	if (at <= now_ms)
		return 0;
	return at - now_ms > 60000 ? 60000 : (int)(at - now_ms);
}

/* See ssh_conn.h. */
void
ssh_conn_restart(struct ssh_conn *c, int64_t now_ms)
{
	c->now = now_ms;
	if (c->state == SSH_FAILED)
		return;		/* the configuration will not change */
	ssh_conn_close(c, "connection restarted");
	free(c->offered);
	c->offered = NULL;
	c->attempts = 0;
	c->error[0] = '\0';
	ssh_conn_begin(c);
}
