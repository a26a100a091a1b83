/*
 * policy_srv.c: the policy service's connections on the event loop
 * (policy_srv.h): requests read, answered, bounded; its listeners are in
 * policy_listen.c.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/xmalloc.h"
#include "policy_int.h"

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

/* See policy_int.h. */
int
policy_srv_make_room(struct policy_srv *s)
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

/* See policy_int.h. */
void
policy_srv_conn_add(struct policy_srv *s, int in, int out, int stdio)
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
