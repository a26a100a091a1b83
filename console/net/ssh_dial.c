/*
 * ssh_dial.c: the way to an SSH session, up to the login: the host name
 * looked up, the TCP connect, the libssh2 session and its handshake, and
 * the server's host key judged against known_hosts (ssh_hostkey.h) or
 * accepted at the operator's word.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"
#include "ssh_int.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"

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

/* See ssh_int.h. */
void
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

/* See ssh_int.h. */
void
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

/* See ssh_int.h. */
void
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

/* See ssh_int.h. */
void
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

/* See ssh_int.h. */
void
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
