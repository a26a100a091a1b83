/*
 * fleet_ssh.c: a log host's SSH connection in the console's loop
 * (fleet_ssh.h), as app_ssh.c does it for the servers' connections.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_ssh.h"
#include "act/sshtarget.h"
#include "core/loop.h"
#include "core/trace.h"
#include "core/xmalloc.h"
#include "net/resolve.h"
#include "net/ssh_conn.h"

#define FLEET_SSH_STEP_MS	50	/* deadlines, keepalives, lookups */

struct fleet_ssh {
	char			 name[80];	/* "loghost NAME" */
	struct ssh_conn		*conn;
	struct resolver		*res;		/* a host name's, or NULL */
	struct loop		*loop;		/* stepping it, or NULL */
	int			 timer;
	int			 fd;		/* watched by loop, or -1 */
	short			 events;
	enum ssh_state		 told;		/* state last reported */
	int			 told_any;
};

static void	fleet_ssh_on_fd(int, short, void *);

/* See fleet_ssh.h. */
struct fleet_ssh *
fleet_ssh_new(const struct loghost_config *lh, const char *resolver,
    int64_t now_ms)
{
	struct fleet_ssh	*x = xcalloc(1, sizeof(*x));
	struct server_config	 sc;
	struct sshtarget_paths	 paths;
	struct ssh_conn_config	 cc;
	char			 err[300];

	x->fd = -1;
	x->timer = -1;
	snprintf(x->name, sizeof(x->name), "loghost %s", lh->name);
	/* a [server] of its SSH keys only, for the same connection rules */
	memset(&sc, 0, sizeof(sc));
	sc.name = x->name;
	sc.ssh = lh->ssh;
	if (sshtarget_conn_config(&sc, &cc, &paths, err, sizeof(err)) == -1) {
		/* no login name or HOME: a connection that says why */
		memset(&cc, 0, sizeof(cc));
		cc.name = x->name;
	}
	if (cc.host != NULL && sshtarget_named(&sc))
		x->res = resolver_new(resolver, 0, err, sizeof(err));
	cc.resolver = x->res;
	x->conn = ssh_conn_new(&cc, now_ms);
	return x;
}

/* See fleet_ssh.h. */
void
fleet_ssh_free(struct fleet_ssh *x)
{
	if (x == NULL)
		return;
	if (x->loop != NULL && x->fd != -1)
		loop_del_fd(x->loop, x->fd);
	if (x->loop != NULL && x->timer != -1)
		loop_del_timer(x->loop, x->timer);
	ssh_conn_free(x->conn);
	resolver_free(x->res);
	free(x);
}

/* Keep the loop watching the descriptor the connection has now. */
static void
fleet_ssh_sync(struct fleet_ssh *x)
{
	struct pollfd	 pfd;

	if (x->loop == NULL)
		return;
	if (ssh_conn_fds(x->conn, &pfd) == 0)
		pfd.fd = -1;
	if (pfd.fd != x->fd) {
		if (x->fd != -1)
			loop_del_fd(x->loop, x->fd);
		x->fd = pfd.fd;
		x->events = pfd.fd != -1 ? pfd.events : 0;
		if (x->fd != -1 && loop_add_fd(x->loop, x->fd, x->events,
		    fleet_ssh_on_fd, x) == -1)
			x->fd = -1;
	} else if (x->fd != -1 && pfd.events != x->events) {
		x->events = pfd.events;
		loop_set_events(x->loop, x->fd, x->events);
	}
}

/* Step the connection (and its lookup); the lines it reads are routed
   from within. */
static void
fleet_ssh_step(struct fleet_ssh *x, int64_t now)
{
	struct pollfd	 pfd[RESOLVER_MAXFDS];
	size_t		 n;

	if (x->res != NULL) {
		n = resolver_fds(x->res, pfd, RESOLVER_MAXFDS);
		if (n > 0 && poll(pfd, n, 0) == -1)
			n = 0;
		resolver_process(x->res, pfd, n);
	}
	(void)ssh_conn_step(x->conn, now);
	fleet_ssh_sync(x);
}

/* The socket is ready. */
static void
fleet_ssh_on_fd(int fd, short revents, void *arg)
{
	fleet_ssh_step(arg, loop_now_ms());
}

/* Timer: deadlines, keepalives, the lookup. */
static void
fleet_ssh_on_timer(void *arg)
{
	fleet_ssh_step(arg, loop_now_ms());
}

/* See fleet_ssh.h. */
struct ssh_conn *
fleet_ssh_poll(struct fleet_ssh *x, struct loop *loop, int64_t now_ms,
    int *changed, char *status, size_t size)
{
	enum ssh_state	 st;

	if (loop != NULL && x->loop == NULL) {
		x->loop = loop;
		x->timer = loop_add_timer(loop, FLEET_SSH_STEP_MS, 1,
		    fleet_ssh_on_timer, x);
	}
	if (x->loop == NULL || x->fd == -1)
		fleet_ssh_step(x, now_ms);
	st = ssh_conn_state(x->conn);
	*changed = !x->told_any || st != x->told;
	if (*changed) {
		x->told = st;
		x->told_any = 1;
		ssh_conn_status(x->conn, now_ms, status, size);
		trace(1, "%s: ssh %s", x->name, status);
	}
	return x->conn;
}
