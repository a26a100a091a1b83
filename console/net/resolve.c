/*
 * resolve.c: host names to numeric addresses on c-ares; see resolve.h.
 *
 * A request lives in r->reqs while c-ares holds it (in_ares: its callback
 * will come, if only with ARES_EDESTRUCTION) or while its callback is due
 * (owed), and is freed when neither holds.  A request whose deadline
 * passes is answered "timed out" at once, but stays until c-ares lets go
 * of it.  Cancelling clears owed; it never frees what c-ares holds.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ares.h>

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "resolve.h"
#include "resolve_int.h"
#include "core/loop.h"
#include "core/xmalloc.h"

#define RESOLVER_WAIT_MAX	60000

struct resolver_req {
	struct resolver_req	*prev, *next;
	struct resolver		*r;
	resolver_cb		 cb;
	void			*arg;
	uint64_t		 seq;		/* order of asking */
	int64_t			 deadline;
	int			 in_ares;	/* c-ares will call back */
	int			 owed;		/* our callback is due */
	int			 busy;		/* our callback runs */
	int			 ended;		/* addr or why set */
	const char		*why;
	char			 addr[INET6_ADDRSTRLEN];
	char			 host[RESOLVER_NAME_MAX + 2];
};

struct resolver {
	ares_channel		 ch;
	int			 timeout_ms;
	struct pollfd		*socks;		/* c-ares' sockets */
	size_t			 nsocks;
	struct resolver_req	*reqs;
	uint64_t		 seq;
	int			 delivering;	/* in resolver_deliver */
	int			 dying;		/* freed by a callback */
};

/* The slot of a socket c-ares told us about, or r->nsocks. */
static size_t
resolver_sock_find(const struct resolver *r, ares_socket_t fd)
{
	size_t	 i;

	for (i = 0; i < r->nsocks && r->socks[i].fd != fd; i++)
		;
	return i;
}

/*
 * c-ares says which sockets it wants watched, and for what: kept as the
 * pollfds resolver_fds() hands out.
 */
static void
resolver_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct resolver	*r = data;
	size_t		 i = resolver_sock_find(r, fd);
	short		 events;

	events = (readable ? POLLIN : 0) | (writable ? POLLOUT : 0);
	if (events == 0) {
		if (i < r->nsocks)
			r->socks[i] = r->socks[--r->nsocks];
		return;
	}
	if (i == r->nsocks) {
		r->socks = xreallocarray(r->socks, ++r->nsocks,
		    sizeof(*r->socks));
		r->socks[i].fd = fd;
	}
	r->socks[i].events = events;
	r->socks[i].revents = 0;
}

/* Set up the c-ares channel of r; ARES_SUCCESS or why not. */
static int
resolver_channel(struct resolver *r, int own_server)
{
	struct ares_options	 ao;
	int			 mask, per_try;

	memset(&ao, 0, sizeof(ao));
	ao.sock_state_cb = resolver_sock_state;
	ao.sock_state_cb_data = r;
	/*
	 * Two tries, the second twice as long (c-ares doubles it): a lost
	 * UDP packet is asked again, and c-ares gives up near our deadline.
	 * A and AAAA go out together, so they share the time.
	 */
	per_try = r->timeout_ms / 3;
	ao.timeout = per_try > 50 ? per_try : 50;
	ao.tries = 2;
	/*
	 * Hand SERVFAIL and REFUSED to us as answers: c-ares (1.18) would
	 * otherwise try the next server and, with none left, report them as
	 * ECONNREFUSED, and the reason shown would be wrong (as in rbl.c).
	 */
	ao.flags = ARES_FLAG_NOCHECKRESP;
	mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_FLAGS;
	if (own_server) {
		/*
		 * A named server is asked for the name as written: no
		 * search list and no /etc/hosts from this machine, so the
		 * answer is the server's alone.
		 */
		ao.domains = NULL;
		ao.ndomains = 0;
		ao.lookups = (char *)"b";
		mask |= ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS;
	}
	return ares_init_options(&r->ch, &ao, mask);
}

/* See resolve.h. */
struct resolver *
resolver_new(const char *server, int timeout_ms, char *err, size_t errlen)
{
	struct resolver	*r;
	char		 csv[80];
	int		 rc;

	if (server != NULL && resolver_server_parse(server, csv, sizeof(csv),
	    err, errlen) == -1)
		return NULL;
	if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->timeout_ms = timeout_ms > 0 ? timeout_ms : RESOLVER_TIMEOUT_MS;
	if ((rc = resolver_channel(r, server != NULL)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: cannot set up the resolver: %s",
		    ares_strerror(rc));
		free(r);
		ares_library_cleanup();
		return NULL;
	}
	if (server != NULL &&
	    (rc = ares_set_servers_ports_csv(r->ch, csv)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: resolver %s: %s", csv,
		    ares_strerror(rc));
		ares_destroy(r->ch);
		free(r->socks);
		free(r);
		ares_library_cleanup();
		return NULL;
	}
	return r;
}

/* Free a request once neither c-ares nor its owner can still want it. */
static void
resolver_release(struct resolver_req *q)
{
	struct resolver	*r = q->r;

	if (q->in_ares || q->owed || q->busy)
		return;
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		r->reqs = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	free(q);
}

/* Tear r down: no callback fires, c-ares lets go of every request. */
static void
resolver_destroy(struct resolver *r)
{
	struct resolver_req	*q, *next;

	for (q = r->reqs; q != NULL; q = q->next)
		q->owed = 0;
	/* c-ares' callbacks (ARES_EDESTRUCTION) free what it held */
	ares_destroy(r->ch);
	for (q = r->reqs; q != NULL; q = next) {
		next = q->next;
		free(q);
	}
	free(r->socks);
	free(r);
	ares_library_cleanup();
}

/* See resolve.h. */
void
resolver_free(struct resolver *r)
{
	if (r == NULL)
		return;
	if (r->delivering) {
		/* resolver_deliver() is on the stack: it frees r last */
		r->dying = 1;
		return;
	}
	resolver_destroy(r);
}

/* c-ares is done with a request: keep its answer if it is still due. */
static void
resolver_answered(void *arg, int status, int timeouts,
    struct ares_addrinfo *ai)
{
	struct resolver_req	*q = arg;

	q->in_ares = 0;
	if (q->owed && !q->ended) {
		q->ended = 1;
		if (status != ARES_SUCCESS)
			q->why = resolver_why(status);
		else if (resolver_pick(ai, q->addr, sizeof(q->addr)) == -1)
			q->why = "no address for this name";
	}
	if (ai != NULL)
		ares_freeaddrinfo(ai);
	resolver_release(q);
}

/* See resolve.h. */
int
resolver_lookup(struct resolver *r, const char *host, resolver_cb cb,
    void *arg)
{
	struct ares_addrinfo_hints	 hints;
	struct resolver_req		*q;
	char				 addr[INET6_ADDRSTRLEN];
	int				 numeric;

	numeric = resolver_numeric(host, addr, sizeof(addr)) == 0;
	if (!numeric && !resolver_name_ok(host))
		return -1;
	if (!numeric && resolver_localhost(host)) {
		snprintf(addr, sizeof(addr), "127.0.0.1");
		numeric = 1;
	}
	q = xcalloc(1, sizeof(*q));
	q->r = r;
	q->cb = cb;
	q->arg = arg;
	q->seq = ++r->seq;
	q->owed = 1;
	q->deadline = loop_now_ms() + r->timeout_ms;
	snprintf(q->host, sizeof(q->host), "%s", host);
	q->next = r->reqs;
	if (r->reqs != NULL)
		r->reqs->prev = q;
	r->reqs = q;
	if (numeric) {
		memcpy(q->addr, addr, sizeof(q->addr));
		q->ended = 1;
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	/* we choose the address ourselves: c-ares' RFC 6724 sort is waste */
	hints.ai_flags = ARES_AI_NOSORT;
	q->in_ares = 1;
	/* may call resolver_answered() at once (/etc/hosts, a failed send) */
	ares_getaddrinfo(r->ch, q->host, NULL, &hints, resolver_answered, q);
	return 0;
}

/* See resolve.h. */
void
resolver_cancel(struct resolver *r, void *arg)
{
	struct resolver_req	*q, *next;

	for (q = r->reqs; q != NULL; q = next) {
		next = q->next;
		if (q->owed && q->arg == arg) {
			q->owed = 0;
			resolver_release(q);
		}
	}
}

/* See resolve.h. */
size_t
resolver_fds(const struct resolver *r, struct pollfd *pfd, size_t max)
{
	size_t	 n = r->nsocks < max ? r->nsocks : max;

	if (n > 0)
		memcpy(pfd, r->socks, n * sizeof(*pfd));
	return n;
}

/* The first ended request still due that was asked by seq, or NULL. */
static struct resolver_req *
resolver_next_ended(const struct resolver *r, uint64_t seq)
{
	struct resolver_req	*q, *best = NULL;

	for (q = r->reqs; q != NULL; q = q->next)
		if (q->owed && q->ended && q->seq <= seq &&
		    (best == NULL || q->seq < best->seq))
			best = q;
	return best;
}

/*
 * Call the callbacks of ended requests, oldest first.  Only requests
 * asked before we started are answered now: a callback that looks up a
 * number again and again is answered once per call, not forever.  The
 * list is searched afresh after each callback, since the callback may
 * cancel, ask, or free r.
 */
static void
resolver_deliver(struct resolver *r)
{
	struct resolver_req	*q;
	uint64_t		 seq = r->seq;

	r->delivering = 1;
	while (!r->dying && (q = resolver_next_ended(r, seq)) != NULL) {
		q->owed = 0;
		q->busy = 1;
		q->cb(q->arg, q->host, q->why == NULL ? q->addr : NULL,
		    q->why);
		q->busy = 0;
		resolver_release(q);
	}
	r->delivering = 0;
	if (r->dying)
		resolver_destroy(r);
}

/* See resolve.h. */
void
resolver_process(struct resolver *r, const struct pollfd *pfd, size_t n)
{
	struct resolver_req	*q;
	ares_socket_t		 rd, wr;
	int64_t			 now;
	size_t			 i;

	/* from a callback: the resolver_process() below it does the work */
	if (r->delivering)
		return;
	for (i = 0; i < n; i++) {
		/* a socket c-ares closed meanwhile is no longer its to read */
		if (pfd[i].revents == 0 ||
		    resolver_sock_find(r, pfd[i].fd) == r->nsocks)
			continue;
		rd = pfd[i].revents & (POLLIN | POLLERR | POLLHUP) ?
		    pfd[i].fd : ARES_SOCKET_BAD;
		wr = pfd[i].revents & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD;
		ares_process_fd(r->ch, rd, wr);
	}
	/* c-ares' own timeouts: a try to send again, a query to give up */
	ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	now = loop_now_ms();
	for (q = r->reqs; q != NULL; q = q->next)
		if (q->owed && !q->ended && q->deadline <= now) {
			q->ended = 1;
			q->why = "timed out";
		}
	resolver_deliver(r);
}

/* See resolve.h. */
int
resolver_wait_ms(const struct resolver *r)
{
	const struct resolver_req	*q;
	struct timeval			 tv;
	int64_t				 ms = RESOLVER_WAIT_MAX, now;

	if (r->reqs == NULL)
		return -1;
	now = loop_now_ms();
	for (q = r->reqs; q != NULL; q = q->next) {
		if (!q->owed)
			continue;
		if (q->ended)
			return 0;
		if (q->deadline - now < ms)
			ms = q->deadline - now;
	}
	/* c-ares' next try, also for queries nobody waits for any more */
	if (ares_timeout(r->ch, NULL, &tv) != NULL &&
	    (int64_t)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000 < ms)
		ms = (int64_t)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
	return ms < 0 ? 0 : (int)ms;
}

/* See resolve.h. */
size_t
resolver_pending(const struct resolver *r)
{
	const struct resolver_req	*q;
	size_t				 n = 0;

	for (q = r->reqs; q != NULL; q = q->next)
		if (q->owed)
			n++;
	return n;
}
