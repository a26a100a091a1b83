/*
 * policy_listen.c: where the policy service listens (policy_srv.h): unix
 * sockets, loopback TCP, stdin and stdout; accepting, and pausing when
 * descriptors run out.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/xmalloc.h"
#include "policy_int.h"

/* Timer: listen again after a pause. */
static void
srv_on_resume(void *arg)
{
	struct policy_srv	*s = arg;
	size_t			 i;

	s->paused = 0;
	for (i = 0; i < s->nls; i++)
		loop_set_events(s->loop, s->ls[i].fd, POLLIN);
}

/* No descriptor left and no idle connection to close: stop accepting a
   moment (the backlog waits, smtpd's timeout covers the rest). */
static void
srv_pause(struct policy_srv *s, int fd)
{
	s->counts.conns_dropped++;
	loop_set_events(s->loop, fd, 0);
	if (!s->paused) {
		s->paused = 1;
		s->resume = loop_add_timer(s->loop, 100, 0, srv_on_resume, s);
	}
}

/* See policy_int.h. */
void
policy_srv_on_accept(int fd, short revents, void *arg)
{
	struct policy_srv	*s = arg;
	int			 c, i, one = 1;

	for (i = 0; i < 64; i++) {
		if ((c = accept(fd, NULL, NULL)) == -1) {
			/* out of descriptors: the listener would stay
			   readable and spin the loop; an idle one goes */
			if ((errno == EMFILE || errno == ENFILE) &&
			    policy_srv_make_room(s) == 0)
				continue;
			if (errno == EMFILE || errno == ENFILE)
				srv_pause(s, fd);
			return;
		}
		(void)fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK);
		(void)fcntl(c, F_SETFD, FD_CLOEXEC);
		/* an answer is one small write that must go at once: Nagle
		   would hold it for the peer's delayed ACK (40 ms) */
		(void)setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		if (s->nconns >= POLICY_CONNS_MAX && policy_srv_make_room(s) == -1) {
			s->counts.conns_dropped++;
			close(c);
			continue;
		}
		policy_srv_conn_add(s, c, c, 0);
	}
}

/* Parse "IP:PORT" or "[IP6]:PORT" of a loopback address. */
static int
srv_parse_inet(const char *a, struct sockaddr_storage *ss, socklen_t *sl)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;
	char			 host[64], *end;
	const char		*colon;
	long			 port;
	size_t			 n;

	memset(ss, 0, sizeof(*ss));
	if (a[0] == '[') {
		if ((colon = strstr(a, "]:")) == NULL)
			return -1;
		n = (size_t)(colon - a - 1);
		if (n >= sizeof(host))
			return -1;
		memcpy(host, a + 1, n);
		colon++;
	} else {
		if ((colon = strrchr(a, ':')) == NULL)
			return -1;
		n = (size_t)(colon - a);
		if (n >= sizeof(host))
			return -1;
		memcpy(host, a, n);
	}
	host[n] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == colon + 1 || port < 1 ||
	    port > 65535)
		return -1;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		if ((ntohl(s4->sin_addr.s_addr) >> 24) != 127)
			return -2;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*sl = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return -2;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*s6);
		return 0;
	}
	return -1;
}

/* Bind a unix socket at path, mode 0666; a stale socket is replaced. */
static int
srv_bind_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	 un;
	struct stat		 st;
	mode_t			 old;
	int			 fd, rc;

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(un.sun_path)) {
		snprintf(err, errlen, "policy: %s: a socket path must be "
		    "shorter than %zu bytes", path, sizeof(un.sun_path));
		return -1;
	}
	memcpy(un.sun_path, path, strlen(path));
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "policy: %s is there and not a "
			    "socket; remove it or listen elsewhere", path);
			return -1;
		}
		/* a live service answers: do not take its place */
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) !=
		    -1) {
			rc = connect(fd, (struct sockaddr *)&un, sizeof(un));
			close(fd);
			if (rc == 0) {
				snprintf(err, errlen, "policy: %s: another "
				    "policy service is listening there; stop "
				    "it first", path);
				return -1;
			}
		}
		(void)unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, errlen, "policy: socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0);
	rc = bind(fd, (struct sockaddr *)&un, sizeof(un));
	umask(old);
	if (rc == -1) {
		snprintf(err, errlen, "policy: cannot listen on %s: %s; check "
		    "that its directory exists and is writable", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* See policy_srv.h. */
void
policy_srv_pipe(struct policy_srv *s, int in, int out)
{
	(void)fcntl(in, F_SETFL, fcntl(in, F_GETFL) | O_NONBLOCK);
	policy_srv_conn_add(s, in, out, 1);
}

/* See policy_srv.h. */
int
policy_srv_listen(struct policy_srv *s, const char *addr, char *err,
    size_t errlen)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = 0;
	const char		*a = addr, *path = NULL;
	int			 fd, one = 1, rc;

	if (s->nls == POLICY_LISTEN_MAX) {
		snprintf(err, errlen, "policy: at most %d listen addresses",
		    POLICY_LISTEN_MAX);
		return -1;
	}
	if (strcmp(addr, "-") == 0) {
		policy_srv_pipe(s, STDIN_FILENO, STDOUT_FILENO);
		return 0;
	}
	if (strncmp(a, "unix:", 5) == 0)
		path = a + 5;
	else if (a[0] == '/')
		path = a;
	if (path != NULL) {
		if (path[0] != '/') {
			snprintf(err, errlen, "policy: %s: give the socket's "
			    "absolute path", addr);
			return -1;
		}
		if ((fd = srv_bind_unix(path, err, errlen)) == -1)
			return -1;
	} else {
		if (strncmp(a, "inet:", 5) == 0)
			a += 5;
		if ((rc = srv_parse_inet(a, &ss, &sl)) != 0) {
			snprintf(err, errlen, rc == -2 ? "policy: %s: only a "
			    "loopback address (127.0.0.0/8, ::1) may be "
			    "listened on: smtpd runs on this machine" :
			    "policy: %s: not an address to listen on (give "
			    "unix:/PATH, 127.0.0.1:PORT, [::1]:PORT or -)",
			    addr);
			return -1;
		}
		if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0)) == -1) {
			snprintf(err, errlen, "policy: socket: %s",
			    strerror(errno));
			return -1;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss, sl) == -1) {
			snprintf(err, errlen, "policy: cannot listen on %s: %s;"
			    " pick a free port", addr, strerror(errno));
			close(fd);
			return -1;
		}
	}
	if (listen(fd, 128) == -1 ||
	    loop_add_fd(s->loop, fd, POLLIN, policy_srv_on_accept, s) == -1) {
		snprintf(err, errlen, "policy: cannot listen on %s: %s", addr,
		    strerror(errno));
		close(fd);
		if (path != NULL)
			(void)unlink(path);
		return -1;
	}
	s->ls[s->nls].fd = fd;
	s->ls[s->nls].unlink = path != NULL ? xstrdup(path) : NULL;
	s->nls++;
	return 0;
}
