/* ssh_conn.c: one non-blocking SSH connection; see ssh_conn.h. */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "resolve.h"
#include "ssh_int.h"
#include "core/sanitize.h"
#include "core/trace.h"
#include "core/xmalloc.h"

static const char *ssh_state_names[SSH_NSTATES] = {
	"resolving", "connecting", "handshake", "authenticating", "live", "stale",
	"retrying", "hostkey-unknown", "hostkey-mismatch", "auth-failed",
	"no-commands", "failed"
};

/* See ssh_conn.h. */
const char *
ssh_state_name(enum ssh_state st)
{
	if ((unsigned)st >= SSH_NSTATES)
		return "?";
	return ssh_state_names[st];
}

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

/*
 * libssh2 reads the socket through this, so we know when the server last
 * said anything (keepalive answers included), what it said first, and
 * whether a call took bytes off the socket (ssh_exec_step_all()).
 */
static
LIBSSH2_RECV_FUNC(ssh_conn_recv)
{
	struct ssh_conn	*c = *abstract;
	ssize_t		 n;
	size_t		 k;

	n = recv(socket, buffer, length, flags);
	if (n < 0)
		return -errno;
	if (n > 0) {
		c->last_rx = c->now;
		c->rx += (uint64_t)n;
		k = sizeof(c->greet) - 1 - c->greetlen;
		if (k > (size_t)n)
			k = (size_t)n;
		memcpy(c->greet + c->greetlen, buffer, k);
		c->greetlen += k;
		c->greet[c->greetlen] = '\0';
	}
	return n;
}

/*
 * The server said goodbye (SSH_MSG_DISCONNECT): keep its words, which
 * say why (sshd's "Too many authentication failures").
 */
static
LIBSSH2_DISCONNECT_FUNC(ssh_conn_on_disconnect)
{
	struct ssh_conn	*c = *abstract;

	if (message != NULL && message_len > 0)
		sanitize_text(c->bye, sizeof(c->bye), message,
		    (size_t)message_len);
	else
		snprintf(c->bye, sizeof(c->bye), "reason %d", reason);
}

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

/* A non-blocking TCP connect to c->addr. */
static void
ssh_conn_connect(struct ssh_conn *c)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 sslen;
	int			 on = 1, idle = 30, intvl = 10, cnt = 3;

	ssh_conn_set_state(c, SSH_CONNECTING);
	c->deadline = c->now + c->connect_ms;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, c->addr, &sin->sin_addr) == 1) {
		c->family = sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)c->port);
		sslen = sizeof(*sin);
	} else {
		c->family = sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)c->port);
		inet_pton(AF_INET6, c->addr, &sin6->sin6_addr);
		sslen = sizeof(*sin6);
	}
	c->fd = socket(c->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (c->fd == -1) {
		ssh_conn_fail(c, SSH_RETRYING, "cannot make a socket: %s",
		    strerror(errno));
		return;
	}
	/* TCP keepalive: a peer that vanished is noticed even when idle. */
	setsockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (connect(c->fd, (struct sockaddr *)&ss, sslen) == -1 &&
	    errno != EINPROGRESS)
		ssh_conn_fail(c, SSH_RETRYING, "cannot connect to %s port %d: %s",
		    c->where, c->port, strerror(errno));
}

/*
 * The resolver's answer to this attempt's lookup (from
 * resolver_process()): kept for the next step, which acts on it with the
 * step's clock.
 */
static void
ssh_conn_resolved(void *arg, const char *host, const char *addr,
    const char *why)
{
	struct ssh_conn	*c = arg;

	c->answered = 1;
	c->addr[0] = '\0';
	if (addr != NULL)
		snprintf(c->addr, sizeof(c->addr), "%s", addr);
	else
		snprintf(c->resolve_why, sizeof(c->resolve_why), "%s", why);
}

/* Begin an attempt: look the name up first, else connect at once. */
static void
ssh_conn_begin(struct ssh_conn *c)
{
	c->greetlen = 0;
	c->greet[0] = '\0';
	c->bye[0] = '\0';
	c->fp[0] = c->known_fp[0] = '\0';
	if (!c->named) {
		ssh_conn_connect(c);
		return;
	}
	/* every attempt asks again: the address may have moved */
	resolver_cancel(c->resolver, c);
	c->answered = 0;
	ssh_conn_set_state(c, SSH_RESOLVING);
	if (resolver_lookup(c->resolver, c->host, ssh_conn_resolved,
	    c) == -1) {
		char	 h[128];

		sanitize_text(h, sizeof(h), c->host, strlen(c->host));
		ssh_conn_fail(c, SSH_FAILED, "host \"%s\" is neither an IP "
		    "address nor a host name", h);
	}
}

/* The lookup ended: connect to the address, or retry later. */
static void
ssh_conn_step_resolve(struct ssh_conn *c)
{
	if (!c->answered)
		return;
	c->answered = 0;
	if (c->addr[0] == '\0') {
		ssh_conn_fail(c, SSH_RETRYING, "cannot resolve %s: %s",
		    c->host, c->resolve_why);
		return;
	}
	snprintf(c->where, sizeof(c->where), "%s (%s)", c->host, c->addr);
	ssh_conn_connect(c);
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

/* The host key files to read, in order. */
static size_t
ssh_conn_files(const struct ssh_conn *c, const char *files[SSH_HK_FILES])
{
	size_t	 n = 0;

	if (c->known_hosts != NULL)
		files[n++] = c->known_hosts;
	if (c->own_known_hosts != NULL)
		files[n++] = c->own_known_hosts;
	return n;
}

/* The TCP connect finished (or not yet): make the session. */
static void
ssh_conn_step_connect(struct ssh_conn *c)
{
	struct pollfd	 pfd = { .fd = c->fd, .events = POLLOUT };
	const char	*files[SSH_HK_FILES];
	char		 prefs[256];
	socklen_t	 len = sizeof(int);
	int		 e = 0;

	if (poll(&pfd, 1, 0) <= 0) {
		if (c->now >= c->deadline)
			ssh_conn_fail(c, SSH_RETRYING, "no TCP connection to "
			    "%s port %d within %d s", c->where, c->port,
			    c->connect_ms / 1000);
		return;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		e = errno;
	if (e != 0) {
		ssh_conn_fail(c, SSH_RETRYING, "cannot connect to %s port %d: "
		    "%s", c->where, c->port, strerror(e));
		return;
	}
	c->s = libssh2_session_init_ex(NULL, NULL, NULL, c);
	if (c->s == NULL) {
		ssh_conn_fail(c, SSH_RETRYING, "cannot make an SSH session");
		return;
	}
	libssh2_session_set_blocking(c->s, 0);
	libssh2_session_callback_set(c->s, LIBSSH2_CALLBACK_RECV,
	    (void *)ssh_conn_recv);
	libssh2_session_callback_set(c->s, LIBSSH2_CALLBACK_DISCONNECT,
	    (void *)ssh_conn_on_disconnect);
	ssh_hostkey_prefs(c->s, c->khost, c->port, files,
	    ssh_conn_files(c, files), prefs, sizeof(prefs));
	if (prefs[0] != '\0')
		(void)libssh2_session_method_pref(c->s, LIBSSH2_METHOD_HOSTKEY,
		    prefs);
	ssh_conn_set_state(c, SSH_HANDSHAKE);
	c->deadline = c->now + c->handshake_ms;
}

/* Say why a handshake failed, in words an operator can act on. */
static void
ssh_conn_handshake_failed(struct ssh_conn *c, int rc)
{
	char	 lib[256], said[128];
	size_t	 n;

	if (c->greetlen > 0 && strncmp(c->greet, "SSH-", 4) != 0) {
		n = strcspn(c->greet, "\r\n");
		sanitize_text(said, sizeof(said), c->greet, n);
		ssh_conn_fail(c, SSH_RETRYING, "not an SSH server: port %d "
		    "said \"%s\"", c->port, said);
		return;
	}
	if (c->greetlen == 0 && rc == LIBSSH2_ERROR_SOCKET_DISCONNECT) {
		ssh_conn_fail(c, SSH_RETRYING, "the server closed the "
		    "connection before its SSH greeting");
		return;
	}
	ssh_conn_lib_error(c, rc, lib, sizeof(lib));
	ssh_conn_fail(c, SSH_RETRYING, "SSH handshake failed: %s", lib);
}

/* After the handshake: is this the server we know? */
static void
ssh_conn_check_hostkey(struct ssh_conn *c)
{
	struct ssh_hk_check	 hk;
	const char		*files[SSH_HK_FILES], *key;
	char			 name[300];
	size_t			 len;
	int			 type;

	ssh_hostkey_check(c->s, c->khost, c->port, files,
	    ssh_conn_files(c, files), &hk);
	snprintf(c->fp, sizeof(c->fp), "%s", hk.offered);
	ssh_hostkey_name(c->khost, c->port, name, sizeof(name));
	switch (hk.result) {
	case SSH_HK_MATCH:
		ssh_conn_set_state(c, SSH_AUTHENTICATING);
		c->deadline = c->now + c->auth_ms;
		return;
	case SSH_HK_MISMATCH:
		/* revoked: "" (one key, shown once) */
		snprintf(c->known_fp, sizeof(c->known_fp), "%s", hk.known);
		if (hk.revoked)
			ssh_conn_fail(c, SSH_HOSTKEY_MISMATCH, "host key for "
			    "%s is REVOKED in %s: %s %s; not connecting",
			    name, hk.file, hk.type, hk.offered);
		else
			ssh_conn_fail(c, SSH_HOSTKEY_MISMATCH, "HOST KEY "
			    "CHANGED for %s: %s in %s is %s, the server "
			    "offered %s; not connecting until known_hosts is "
			    "fixed", name, hk.type, hk.file, hk.known,
			    hk.offered);
		snprintf(c->fp, sizeof(c->fp), "%s", hk.offered);
		return;
	case SSH_HK_OTHER_TYPE:
		/* never "unknown": nothing to accept with one key */
		snprintf(c->known_fp, sizeof(c->known_fp), "%s", hk.known);
		ssh_conn_fail(c, SSH_HOSTKEY_MISMATCH, "a key of another type "
		    "is already known for %s: %s %s in %s, but the server "
		    "offered only %s %s (a man in the middle may hold one key "
		    "type); not connecting: check the server's keys, and if "
		    "they really changed, remove the old entry (ssh-keygen -R "
		    "'%s' -f %s)", name, hk.known_type, hk.known, hk.file,
		    hk.type, hk.offered, name, hk.file);
		snprintf(c->fp, sizeof(c->fp), "%s", hk.offered);
		return;
	case SSH_HK_NOTFOUND:
		key = libssh2_session_hostkey(c->s, &len, &type);
		free(c->offered);
		c->offered = xmalloc(len);
		memcpy(c->offered, key, len);
		c->offered_len = len;
		c->offered_type = type;
		ssh_conn_fail(c, SSH_HOSTKEY_UNKNOWN, "unknown host key for "
		    "%s: %s %s; accept it only after checking it on the "
		    "server (ssh-keygen -lf)", name, hk.type, hk.offered);
		snprintf(c->fp, sizeof(c->fp), "%s", hk.offered);
		return;
	case SSH_HK_ERROR:
		break;
	}
	ssh_conn_fail(c, SSH_RETRYING, "the server sent no host key");
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

/* Keepalives, staleness, and the server going away, while live. */
static void
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

enum ssh_state
ssh_conn_state(const struct ssh_conn *c)
{
	return c->state;
}

const char *
ssh_conn_error(const struct ssh_conn *c)
{
	return c->error;
}

const char *
ssh_conn_name(const struct ssh_conn *c)
{
	return c->name;
}

unsigned
ssh_conn_attempts(const struct ssh_conn *c)
{
	return c->attempts;
}

const char *
ssh_conn_fingerprint(const struct ssh_conn *c)
{
	return c->fp;
}

const char *
ssh_conn_known_fingerprint(const struct ssh_conn *c)
{
	return c->state == SSH_HOSTKEY_MISMATCH ? c->known_fp : "";
}

/* See ssh_conn.h. */
int64_t
ssh_conn_retry_in_ms(const struct ssh_conn *c, int64_t now_ms)
{
	if (c->state != SSH_RETRYING)
		return -1;
	return c->retry_at > now_ms ? c->retry_at - now_ms : 0;
}

/* See ssh_conn.h. */
void
ssh_conn_status(const struct ssh_conn *c, int64_t now_ms, char *buf,
    size_t size)
{
	int64_t	 ms;

	switch (c->state) {
	case SSH_RETRYING:
		ms = ssh_conn_retry_in_ms(c, now_ms);
		snprintf(buf, size, "retrying in %lld s: %s",
		    (long long)((ms + 999) / 1000), c->error);
		break;
	case SSH_STALE:
		snprintf(buf, size, "stale: nothing heard for %lld s",
		    (long long)((now_ms - c->last_rx) / 1000));
		break;
	case SSH_RESOLVING:
		snprintf(buf, size, "resolving %s", c->host);
		break;
	case SSH_CONNECTING:
	case SSH_HANDSHAKE:
	case SSH_AUTHENTICATING:
	case SSH_LIVE:
		snprintf(buf, size, "%s", ssh_state_name(c->state));
		break;
	default:
		snprintf(buf, size, "%s: %s", ssh_state_name(c->state),
		    c->error);
		break;
	}
}

/* See ssh_conn.h. */
int
ssh_conn_accept_hostkey(struct ssh_conn *c, const char *fingerprint,
    int64_t now_ms, char *err, size_t errlen)
{
	if (c->state != SSH_HOSTKEY_UNKNOWN || c->offered == NULL) {
		snprintf(err, errlen, "%s: no unknown host key to accept",
		    c->name);
		return -1;
	}
	if (fingerprint == NULL || strcmp(fingerprint, c->fp) != 0) {
		snprintf(err, errlen, "%s: the key offered is %s, not the "
		    "one accepted", c->name, c->fp);
		return -1;
	}
	if (c->own_known_hosts == NULL) {
		snprintf(err, errlen, "%s: no known_hosts file of mailcon's "
		    "own to write", c->name);
		return -1;
	}
	if (ssh_hostkey_append(c->own_known_hosts, c->khost, c->port,
	    c->offered_type, c->offered, c->offered_len, err, errlen) == -1)
		return -1;
	ssh_conn_restart(c, now_ms);
	return 0;
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
