/*
 * policy_srv.c: the policy service's listeners and connections on the
 * event loop (policy_srv.h).
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
#include "policy_srv.h"

struct policy_conn {
	struct policy_srv	*srv;
	int			 in, out;	/* the same but for stdio */
	int			 stdio;
	struct policy_parser	 parser;
	char			 buf[POLICY_OUT_MAX];	/* answers unwritten */
	size_t			 len;
	int64_t			 since;		/* request started (ms) */
	int64_t			 active;	/* last byte read (ms) */
};

struct policy_listener {
	int		 fd;
	char		*unlink;	/* a socket path we made, or NULL */
};

struct policy_srv {
	struct loop		*loop;
	struct policy_deny	*deny;
	struct policy_hooks	 hooks;
	struct policy_listener	 ls[POLICY_LISTEN_MAX];
	size_t			 nls;
	struct policy_conn	**conns;
	size_t			 nconns;
	int			 timer;
	int			 paused;	/* accepting stopped a moment */
	int			 resume;	/* its timer */
	struct policy_counts	 counts;
};

static void	srv_on_conn(int, short, void *);

/* See policy_srv.h. */
const struct policy_counts *
policy_srv_counts(const struct policy_srv *s)
{
	return &s->counts;
}

/* Forget and close one connection. */
static void
srv_conn_close(struct policy_conn *c)
{
	struct policy_srv	*s = c->srv;
	size_t			 i;

	loop_del_fd(s->loop, c->in);
	for (i = 0; i < s->nconns; i++)
		if (s->conns[i] == c) {
			s->conns[i] = s->conns[--s->nconns];
			break;
		}
	s->counts.open = s->nconns;
	if (!c->stdio)
		close(c->in);
	else if (s->hooks.eof != NULL)
		s->hooks.eof(s->hooks.arg);
	free(c);
}

/* Count a bad request. */
static void
srv_fault(struct policy_srv *s, enum policy_fault f)
{
	s->counts.errors++;
	s->counts.fault[f]++;
	if (s->hooks.fault != NULL)
		s->hooks.fault(s->hooks.arg, f);
}

/* See policy_srv.h. */
const char *
policy_srv_decide(struct policy_srv *s, const struct policy_req *r)
{
	const char	*why;

	s->counts.requests++;
	if (r->fault != PF_NONE) {
		srv_fault(s, r->fault);
		return "DUNNO";
	}
	if (r->account_len == 0)
		return "DUNNO";
	if (s->deny != NULL && policy_deny_has(s->deny, r->account,
	    r->account_len, &why)) {
		s->counts.refused++;
		if (s->hooks.refused != NULL)
			s->hooks.refused(s->hooks.arg, r, why);
		return "REJECT " POLICY_REJECT_TEXT;
	}
	if (s->hooks.request != NULL)
		s->hooks.request(s->hooks.arg, r);
	return "DUNNO";
}

/* Write what is buffered; -1 when the peer is gone. */
static int
srv_flush(struct policy_conn *c)
{
	ssize_t	n;

	while (c->len > 0) {
		/* a socket: EPIPE, not a SIGPIPE that would end us */
		n = c->stdio ? write(c->out, c->buf, c->len) :
		    send(c->out, c->buf, c->len, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		memmove(c->buf, c->buf + n, c->len - (size_t)n);
		c->len -= (size_t)n;
	}
	/* answers pile up: read no more until smtpd takes them */
	loop_set_events(c->srv->loop, c->in, c->len > POLICY_OUT_MAX / 2 ?
	    (c->stdio ? 0 : POLLOUT) : (c->len > 0 && !c->stdio ?
	    POLLIN | POLLOUT : POLLIN));
	return 0;
}

/* Queue one answer. */
static void
srv_answer(struct policy_conn *c, const char *action)
{
	int	n;

	n = snprintf(c->buf + c->len, sizeof(c->buf) - c->len,
	    "action=%s\n\n", action);
	if (n > 0 && (size_t)n < sizeof(c->buf) - c->len)
		c->len += (size_t)n;
}

/* Readable (or writable): take requests, answer each. */
static void
srv_on_conn(int fd, short revents, void *arg)
{
	struct policy_conn	*c = arg;
	char			 in[4096];
	size_t			 off, used;
	ssize_t			 n;
	int			 done;

	if ((revents & POLLOUT) && srv_flush(c) == -1) {
		srv_conn_close(c);
		return;
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)) ||
	    c->len > POLICY_OUT_MAX / 2)
		return;
	n = read(fd, in, sizeof(in));
	if (n == -1 && (errno == EINTR || errno == EAGAIN ||
	    errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		if (policy_parser_busy(&c->parser)) {
			c->srv->counts.requests++;
			srv_fault(c->srv, PF_UNFINISHED);
		}
		srv_conn_close(c);
		return;
	}
	c->active = loop_now_ms();
	for (off = 0; off < (size_t)n; off += used) {
		if (!policy_parser_busy(&c->parser))
			c->since = c->active;
		used = policy_parse(&c->parser, in + off, (size_t)n - off,
		    &done);
		if (done)
			srv_answer(c, policy_srv_decide(c->srv,
			    &c->parser.req));
		if (c->len > sizeof(c->buf) - 128 && off + used < (size_t)n) {
			/* smtpd pipelines more than it reads: no room */
			if (srv_flush(c) == -1 ||
			    c->len > sizeof(c->buf) - 128) {
				srv_conn_close(c);
				return;
			}
		}
	}
	if (srv_flush(c) == -1)
		srv_conn_close(c);
}

/* Make room for a connection: close the one idle longest, if any is. */
static int
srv_make_room(struct policy_srv *s)
{
	struct policy_conn	*old = NULL;
	size_t			 i;

	for (i = 0; i < s->nconns; i++)
		if (!s->conns[i]->stdio &&
		    !policy_parser_busy(&s->conns[i]->parser) &&
		    (old == NULL || s->conns[i]->active < old->active))
			old = s->conns[i];
	if (old == NULL)
		return -1;
	s->counts.conns_dropped++;
	srv_conn_close(old);
	return 0;
}

/* Start serving fd (in == out but for stdio). */
static void
srv_conn_add(struct policy_srv *s, int in, int out, int stdio)
{
	struct policy_conn	*c;

	c = xcalloc(1, sizeof(*c));
	c->srv = s;
	c->in = in;
	c->out = out;
	c->stdio = stdio;
	c->active = loop_now_ms();
	policy_parser_init(&c->parser);
	if (loop_add_fd(s->loop, in, POLLIN, srv_on_conn, c) == -1) {
		if (!stdio)
			close(in);
		free(c);
		return;
	}
	s->conns = xreallocarray(s->conns, s->nconns + 1, sizeof(*s->conns));
	s->conns[s->nconns++] = c;
	s->counts.open = s->nconns;
	s->counts.conns++;
}

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

/* A listener is readable: accept what waits (a bounded number). */
static void
srv_on_accept(int fd, short revents, void *arg)
{
	struct policy_srv	*s = arg;
	int			 c, i, one = 1;

	for (i = 0; i < 64; i++) {
		if ((c = accept(fd, NULL, NULL)) == -1) {
			/* out of descriptors: the listener would stay
			   readable and spin the loop; an idle one goes */
			if ((errno == EMFILE || errno == ENFILE) &&
			    srv_make_room(s) == 0)
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
		if (s->nconns >= POLICY_CONNS_MAX && srv_make_room(s) == -1) {
			s->counts.conns_dropped++;
			close(c);
			continue;
		}
		srv_conn_add(s, c, c, 0);
	}
}

/* Timer: a request that never ends is a counted error, not a hang. */
static void
srv_on_timer(void *arg)
{
	struct policy_srv	*s = arg;
	struct policy_conn	*c;
	int64_t			 now = loop_now_ms();
	size_t			 i;

	for (i = 0; i < s->nconns; ) {
		c = s->conns[i];
		if (policy_parser_busy(&c->parser) &&
		    now - c->since >= POLICY_STALL_MS) {
			s->counts.requests++;
			srv_fault(s, PF_STALLED);
			srv_answer(c, "DUNNO");
			(void)srv_flush(c);
			srv_conn_close(c);	/* moves the last one here */
			continue;
		}
		i++;
	}
}

/* See policy_srv.h. */
struct policy_srv *
policy_srv_new(struct loop *l, struct policy_deny *deny,
    const struct policy_hooks *h)
{
	struct policy_srv	*s;

	s = xcalloc(1, sizeof(*s));
	s->loop = l;
	s->deny = deny;
	if (h != NULL)
		s->hooks = *h;
	s->timer = l != NULL ? loop_add_timer(l, 1000, 1, srv_on_timer, s) :
	    -1;
	return s;
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
	srv_conn_add(s, in, out, 1);
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
	    loop_add_fd(s->loop, fd, POLLIN, srv_on_accept, s) == -1) {
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

/* See policy_srv.h. */
void
policy_srv_free(struct policy_srv *s)
{
	size_t	i;

	if (s == NULL)
		return;
	s->hooks.eof = NULL;
	while (s->nconns > 0)
		srv_conn_close(s->conns[0]);
	for (i = 0; i < s->nls; i++) {
		loop_del_fd(s->loop, s->ls[i].fd);
		close(s->ls[i].fd);
		if (s->ls[i].unlink != NULL) {
			(void)unlink(s->ls[i].unlink);
			free(s->ls[i].unlink);
		}
	}
	if (s->timer != -1)
		loop_del_timer(s->loop, s->timer);
	if (s->paused)
		loop_del_timer(s->loop, s->resume);
	free(s->conns);
	free(s);
}
