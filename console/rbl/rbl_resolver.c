/*
 * rbl_resolver.c: the checker's resolver: a c-ares channel set up for
 * blocklist queries (who is asked, how long, how often), the sockets it
 * wants watched, and the words for a resolver that does not answer.
 */
#include <sys/socket.h>

#include <ares.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbl_int.h"
#include "core/xmalloc.h"
#include "net/resolve.h"

static int	 rbl_library_ready;

/* c-ares says which sockets it wants watched. */
static void
rbl_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct rbl	*r = data;
	size_t		 i;

	for (i = 0; i < r->nsocks; i++)
		if (r->socks[i].fd == fd)
			break;
	if (!readable && !writable) {
		if (i < r->nsocks)
			r->socks[i] = r->socks[--r->nsocks];
		return;
	}
	if (i == r->nsocks) {
		r->socks = xreallocarray(r->socks, r->nsocks + 1,
		    sizeof(*r->socks));
		r->nsocks++;
	}
	r->socks[i].fd = fd;
	r->socks[i].rd = readable;
	r->socks[i].wr = writable;
}

/* Write the resolvers c-ares asks into r->servers, as the config has them. */
static void
rbl_name_servers(struct rbl *r)
{
	struct ares_addr_port_node	*list = NULL, *n;
	char				 a[64];
	size_t				 len = 0;
	int				 port;

	r->servers[0] = '\0';
	r->nservers = 0;
	if (ares_get_servers_ports(r->ch, &list) != ARES_SUCCESS)
		return;
	for (n = list; n != NULL; n = n->next) {
		if (ares_inet_ntop(n->family, &n->addr, a, sizeof(a)) == NULL)
			continue;
		port = n->udp_port != 0 ? n->udp_port : 53;
		if (len + 1 >= sizeof(r->servers))
			break;
		if (port == 53)
			len += (size_t)snprintf(r->servers + len,
			    sizeof(r->servers) - len, "%s%s",
			    len > 0 ? ", " : "", a);
		else
			len += (size_t)snprintf(r->servers + len,
			    sizeof(r->servers) - len, n->family == AF_INET6 ?
			    "%s[%s]:%d" : "%s%s:%d", len > 0 ? ", " : "", a,
			    port);
		r->nservers++;
	}
	ares_free_data(list);
}

/* See rbl.h. */
struct rbl *
rbl_new(const struct rbl_options *opt, char *err, size_t errlen)
{
	struct ares_options	 ao;
	struct rbl		*r;
	char			 csv[80];
	int			 rc, per_try;

	if (opt->resolver != NULL && resolver_server_parse(opt->resolver, csv,
	    sizeof(csv), err, errlen) == -1)
		return NULL;
	if (!rbl_library_ready) {
		if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
			snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
			return NULL;
		}
		rbl_library_ready = 1;
	}
	r = xcalloc(1, sizeof(*r));
	r->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : RBL_TIMEOUT_MS;
	r->concurrency = opt->concurrency > 0 ? opt->concurrency :
	    RBL_CONCURRENCY;
	/*
	 * Two tries, the second twice as long (c-ares doubles it): a lost
	 * UDP packet is retried, and c-ares is done near our deadline.
	 */
	per_try = r->timeout_ms / 3;
	memset(&ao, 0, sizeof(ao));
	ao.sock_state_cb = rbl_sock_state;
	ao.sock_state_cb_data = r;
	ao.timeout = per_try > 50 ? per_try : 50;
	ao.tries = 2;
	/*
	 * Hand SERVFAIL and REFUSED to us as answers: c-ares (1.18) would
	 * otherwise try the next server and, with none left, report them as
	 * ECONNREFUSED, and the reason shown would be wrong.
	 */
	ao.flags = ARES_FLAG_NOCHECKRESP;
	rc = ares_init_options(&r->ch, &ao, ARES_OPT_SOCK_STATE_CB |
	    ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: cannot set up the resolver: %s",
		    ares_strerror(rc));
		free(r);
		return NULL;
	}
	if (opt->resolver != NULL &&
	    (rc = ares_set_servers_ports_csv(r->ch, csv)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: resolver %s: %s", csv,
		    ares_strerror(rc));
		ares_destroy(r->ch);
		free(r);
		return NULL;
	}
	rbl_name_servers(r);
	return r;
}

/* See rbl.h. */
void
rbl_free(struct rbl *r)
{
	if (r == NULL)
		return;
	/* its callbacks free the outstanding queries: r must still be whole */
	ares_destroy(r->ch);
	rbl_clear_run(r);
	rbl_cache_clear(r);
	free(r->socks);
	free(r);
}

/* See rbl.h. */
size_t
rbl_fds(const struct rbl *r, struct pollfd *pfd, size_t max)
{
	size_t	 i, n = 0;

	for (i = 0; i < r->nsocks && n < max; i++) {
		pfd[n].fd = r->socks[i].fd;
		pfd[n].events = (r->socks[i].rd ? POLLIN : 0) |
		    (r->socks[i].wr ? POLLOUT : 0);
		pfd[n++].revents = 0;
	}
	return n;
}

/* See rbl.h. */
const char *
rbl_resolver_name(const struct rbl *r)
{
	return r->servers[0] != '\0' ? r->servers : "of the system";
}

/* See rbl.h. */
void
rbl_resolver_said(const struct rbl *r, char *buf, size_t size)
{
	if (r->refused == r->sum.silent) {
		snprintf(buf, size, "the resolver%s %s %s (connection "
		    "refused)", r->nservers > 1 ? "s" : "",
		    rbl_resolver_name(r), r->nservers > 1 ? "do not answer" :
		    "does not answer");
		return;
	}
	snprintf(buf, size, "the resolver%s %s %s (no reply to %zu "
	    "quer%s within %.1f s)", r->nservers > 1 ? "s" : "",
	    rbl_resolver_name(r), r->nservers > 1 ? "do not answer" :
	    "does not answer", r->sum.silent, r->sum.silent == 1 ? "y" :
	    "ies", r->timeout_ms / 1000.0);
}
