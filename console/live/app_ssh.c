/*
 * app_ssh.c: the SSH connections of the servers behind SSH, in the
 * console's loop: one connection per server, stepped when its socket
 * is ready and at least every SSH_STEP_MS for its deadlines, so a dead
 * or slow server only ever shows as a state on its row.
 *
 * An unknown host key is never trusted by itself: the console asks, in a
 * dialog that shows the fingerprint (A on the servers view, or at once
 * when nothing else is asked); the headless watch says what to do and
 * leaves the server parked.  C reconnects the selected server now.
 *
 * Host names are looked up by one resolver for all the servers
 * ([console] resolver, else the system's), made only when some host is a
 * name; the connections ask it at every attempt (ssh_conn.h).  Its
 * sockets are in the loop beside the connections', and a connection
 * waiting for its answer is stepped as soon as it comes.
 */
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_act.h"
#include "app_ssh.h"
#include "act/sshtarget.h"
#include "core/loop.h"
#include "core/xmalloc.h"
#include "net/resolve.h"
#include "net/ssh_conn.h"

#define SSH_STEP_MS	50	/* deadlines, keepalives, retries */

/* One server's connection and the descriptor the loop watches. */
struct app_ssh_conn {
	struct app	*a;
	unsigned	 server;
	struct ssh_conn	*conn;
	int		 fd;		/* registered with the loop, or -1 */
	short		 events;
	int		 told;		/* headless: the unknown key was said */
	int		 declined;	/* asked, and the answer was no */
};

struct app_ssh {
	struct app_ssh_conn	*v;
	size_t			 n;
	int			 timer;
	long			 asking;	/* server whose key is asked */
	char			 fp[128];	/* the fingerprint shown */
	struct resolver		*res;		/* for host names, or NULL */
	struct pollfd		 rfds[RESOLVER_MAXFDS];	/* in the loop */
	size_t			 nrfds;
};

static void app_ssh_on_fd(int, short, void *);
static void app_ssh_on_resolver(int, short, void *);

/* Is fd among the pollfds p[0..n)?  Its index, or n. */
static size_t
app_ssh_pfd_find(const struct pollfd *p, size_t n, int fd)
{
	size_t	 i;

	for (i = 0; i < n && p[i].fd != fd; i++)
		;
	return i;
}

/*
 * Keep the loop watching the resolver's sockets.  Called right after
 * whatever may have made c-ares open or close one (a lookup, processing)
 * and before any other socket is made, so that a number c-ares let go of
 * is free in the loop before the kernel hands it to an SSH socket.  Only
 * what was added here is ever taken out; one the loop would not take
 * (its number still held) is tried again next time, and the timer reads
 * the sockets meanwhile.
 */
static void
app_ssh_sync_resolver(struct app *a)
{
	struct app_ssh	*x = a->ssh;
	struct pollfd	 cur[RESOLVER_MAXFDS];
	size_t		 n, i, j, k = 0;

	if (x->res == NULL)
		return;
	n = resolver_fds(x->res, cur, RESOLVER_MAXFDS);
	for (i = 0; i < x->nrfds; i++) {
		j = app_ssh_pfd_find(cur, n, x->rfds[i].fd);
		if (j == n) {
			loop_del_fd(a->loop, x->rfds[i].fd);
			continue;
		}
		if (cur[j].events != x->rfds[i].events)
			loop_set_events(a->loop, cur[j].fd, cur[j].events);
		x->rfds[k++] = cur[j];
	}
	x->nrfds = k;
	for (j = 0; j < n; j++)
		if (app_ssh_pfd_find(x->rfds, x->nrfds, cur[j].fd) ==
		    x->nrfds && loop_add_fd(a->loop, cur[j].fd, cur[j].events,
		    app_ssh_on_resolver, a) == 0)
			x->rfds[x->nrfds++] = cur[j];
}

/* Keep the loop watching the descriptor the connection has now. */
static void
app_ssh_sync_fd(struct app_ssh_conn *sc)
{
	struct pollfd	 pfd;

	if (ssh_conn_fds(sc->conn, &pfd) == 0)
		pfd.fd = -1;
	if (pfd.fd != sc->fd) {
		if (sc->fd != -1)
			loop_del_fd(sc->a->loop, sc->fd);
		sc->fd = pfd.fd;
		sc->events = pfd.fd != -1 ? pfd.events : 0;
		if (sc->fd != -1 && loop_add_fd(sc->a->loop, sc->fd,
		    sc->events, app_ssh_on_fd, sc) == -1)
			sc->fd = -1;
	} else if (sc->fd != -1 && pfd.events != sc->events) {
		sc->events = pfd.events;
		loop_set_events(sc->a->loop, sc->fd, sc->events);
	}
}

/*
 * After the connection may have changed sockets: its own first (a number
 * it closed may be the one c-ares opened for its lookup), then the
 * resolver's.
 */
static void
app_ssh_sync(struct app_ssh_conn *sc)
{
	app_ssh_sync_fd(sc);
	app_ssh_sync_resolver(sc->a);
}

/* Step one connection; a changed state redraws its row. */
static void
app_ssh_step(struct app_ssh_conn *sc, int64_t now)
{
	struct server	*s = sc->a->servers[sc->server];

	if (ssh_conn_step(sc->conn, now)) {
		s->changed = 1;
		sc->a->dirty |= APP_DIRTY_SERVERS;
		app_server_sync(sc->a, s);
	}
	app_ssh_sync(sc);
}

/* The socket is ready. */
static void
app_ssh_on_fd(int fd, short revents, void *arg)
{
	app_ssh_step(arg, loop_now_ms());
}

/* Lookups may have ended: the connections waiting for them go on now. */
static void
app_ssh_answered(struct app *a)
{
	struct app_ssh	*x = a->ssh;
	int64_t		 now = loop_now_ms();
	size_t		 i;

	app_ssh_sync_resolver(a);
	for (i = 0; i < x->n; i++)
		if (ssh_conn_state(x->v[i].conn) == SSH_RESOLVING)
			app_ssh_step(&x->v[i], now);
}

/* A resolver socket is ready. */
static void
app_ssh_on_resolver(int fd, short revents, void *arg)
{
	struct app	*a = arg;
	struct pollfd	 pfd = { .fd = fd, .revents = revents };

	resolver_process(a->ssh->res, &pfd, 1);
	app_ssh_answered(a);
}

/* Headless: an unknown key parks the server; say once how to trust it. */
static void
app_ssh_tell(struct app *a, struct app_ssh_conn *sc)
{
	if (sc->told || ssh_conn_state(sc->conn) != SSH_HOSTKEY_UNKNOWN)
		return;
	sc->told = 1;
	app_act_print("server %s: unknown host key %s; not trusted "
	    "unattended: accept it in the console (A on the servers view) "
	    "or add it to the known_hosts file", a->servers[sc->server]->name,
	    ssh_conn_fingerprint(sc->conn));
}

/* Ask about the first unknown key nobody was asked about yet. */
static void
app_ssh_ask(struct app *a)
{
	struct app_ssh	*x = a->ssh;
	size_t		 i;

	if (x->asking >= 0 || a->act.state != ACTS_IDLE)
		return;
	for (i = 0; i < x->n; i++) {
		if (ssh_conn_state(x->v[i].conn) != SSH_HOSTKEY_UNKNOWN ||
		    x->v[i].declined)
			continue;
		app_ssh_ask_server(a, x->v[i].server);
		return;
	}
}

/* Timer: deadlines and retries of every connection. */
static void
app_ssh_on_timer(void *arg)
{
	struct app	*a = arg;
	struct app_ssh	*x = a->ssh;
	struct pollfd	 pfd[RESOLVER_MAXFDS];
	int64_t		 now = loop_now_ms();
	size_t		 i, n;

	/*
	 * The resolver's deadlines; its sockets are read here too, in case
	 * the loop could not take one (see app_ssh_sync_resolver).
	 */
	if (x->res != NULL) {
		n = resolver_fds(x->res, pfd, RESOLVER_MAXFDS);
		if (n > 0 && poll(pfd, n, 0) == -1)
			n = 0;
		resolver_process(x->res, pfd, n);
		app_ssh_sync_resolver(a);
	}
	for (i = 0; i < x->n; i++) {
		app_ssh_step(&x->v[i], now);
		if (a->headless)
			app_ssh_tell(a, &x->v[i]);
	}
	if (a->fe != NULL)
		app_ssh_ask(a);
}

/* mkdir -p of the directories above path (0700), so that an accepted
   host key can be written; errors are left to that write, which names
   the file. */
static void
app_ssh_mkdirs(char *path)
{
	char	*p;

	for (p = path + 1; *path == '/' && (p = strchr(p, '/')) != NULL;
	    p++) {
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			*p = '/';
			return;
		}
		*p = '/';
	}
}

/* See app_ssh.h. */
void
app_ssh_open(struct app *a)
{
	struct app_ssh		*x = xcalloc(1, sizeof(*x));
	struct sshtarget_paths	 paths;
	struct ssh_conn_config	 cc;
	char			 err[300];
	struct app_ssh_conn	*sc;
	size_t			 i, named = 0;

	a->ssh = x;
	x->asking = -1;
	x->timer = -1;
	for (i = 0; i < a->nservers; i++) {
		if (a->servers[i]->cfg->ssh.host != NULL)
			x->n++;
		named += sshtarget_named(a->servers[i]->cfg);
	}
	if (x->n == 0)
		return;
	/* without it the servers named say so (failed) on their rows */
	if (named > 0 && (x->res = resolver_new(a->cfg->resolver, 0, err,
	    sizeof(err))) == NULL) {
		if (a->headless)
			app_act_print("cannot look up the servers' host "
			    "names: %s", err);
		else
			app_note(a, 0, "cannot look up the servers' host "
			    "names: %s", err);
	}
	x->v = xcalloc(x->n, sizeof(*x->v));
	x->n = 0;
	for (i = 0; i < a->nservers; i++) {
		if (a->servers[i]->cfg->ssh.host == NULL)
			continue;
		sc = &x->v[x->n++];
		sc->a = a;
		sc->server = (unsigned)i;
		sc->fd = -1;
		if (sshtarget_conn_config(a->servers[i]->cfg, &cc, &paths, err,
		    sizeof(err)) == -1) {
			/* no login name or HOME: a connection that says why */
			memset(&cc, 0, sizeof(cc));
			cc.name = a->servers[i]->name;
		}
		cc.resolver = x->res;
		app_ssh_mkdirs(paths.own_known_hosts);
		sc->conn = ssh_conn_new(&cc, loop_now_ms());
		a->servers[i]->ssh = sc->conn;
		app_ssh_sync(sc);
	}
	x->timer = loop_add_timer(a->loop, SSH_STEP_MS, 1, app_ssh_on_timer,
	    a);
}

/* See app_ssh.h. */
void
app_ssh_close(struct app *a)
{
	struct app_ssh	*x = a->ssh;
	size_t		 i;

	if (x == NULL)
		return;
	for (i = 0; i < x->n; i++) {
		if (x->v[i].fd != -1)
			loop_del_fd(a->loop, x->v[i].fd);
		/* the followers' channels fail with it; server_free()
		   frees them */
		a->servers[x->v[i].server]->ssh = NULL;
		/* cancels its lookup */
		ssh_conn_free(x->v[i].conn);
	}
	for (i = 0; i < x->nrfds; i++)
		loop_del_fd(a->loop, x->rfds[i].fd);
	resolver_free(x->res);
	if (x->timer != -1)
		loop_del_timer(a->loop, x->timer);
	free(x->v);
	free(x);
	a->ssh = NULL;
}

/* The connection of a server, or NULL for a local one. */
static struct app_ssh_conn *
app_ssh_find(struct app *a, unsigned server)
{
	struct app_ssh	*x = a->ssh;
	size_t		 i;

	for (i = 0; x != NULL && i < x->n; i++)
		if (x->v[i].server == server)
			return &x->v[i];
	return NULL;
}

/* See app_ssh.h. */
void
app_ssh_ask_server(struct app *a, unsigned server)
{
	struct app_ssh_conn	*sc = app_ssh_find(a, server);
	struct app_ssh		*x = a->ssh;

	if (sc == NULL) {
		app_note(a, 5, "%s is not a server behind SSH",
		    a->servers[server]->name);
		return;
	}
	if (ssh_conn_state(sc->conn) != SSH_HOSTKEY_UNKNOWN) {
		app_note(a, 5, "%s: no unknown host key to accept (%s)",
		    a->servers[server]->name,
		    ssh_state_name(ssh_conn_state(sc->conn)));
		return;
	}
	x->asking = (long)server;
	snprintf(x->fp, sizeof(x->fp), "%s", ssh_conn_fingerprint(sc->conn));
	a->dirty |= APP_DIRTY_ALL;
	if (app_dialog(a, APP_DIALOG_HOSTKEY) == -1)
		x->asking = -1;		/* another dialog is up: later */
}

/* See app_ssh.h. */
void
app_ssh_reconnect(struct app *a, unsigned server)
{
	struct app_ssh_conn	*sc = app_ssh_find(a, server);

	if (sc == NULL) {
		app_note(a, 5, "%s is not a server behind SSH",
		    a->servers[server]->name);
		return;
	}
	ssh_conn_restart(sc->conn, loop_now_ms());
	sc->declined = 0;
	app_ssh_sync(sc);
	app_note(a, 3, "%s: connecting again", a->servers[server]->name);
}

/* See app_ssh.h. */
void
app_ssh_answer(struct app *a, int yes)
{
	struct app_ssh		*x = a->ssh;
	struct app_ssh_conn	*sc;
	char			 err[300];
	unsigned		 server;

	if (x == NULL || x->asking < 0)
		return;
	server = (unsigned)x->asking;
	x->asking = -1;
	a->dirty |= APP_DIRTY_ALL;
	sc = app_ssh_find(a, server);
	if (!yes) {
		sc->declined = 1;
		app_note(a, 8, "%s: host key not trusted; the server stays "
		    "parked (A asks again)", a->servers[server]->name);
		return;
	}
	if (ssh_conn_accept_hostkey(sc->conn, x->fp, loop_now_ms(), err,
	    sizeof(err)) == -1)
		app_note(a, 10, "%s", err);
	else
		app_note(a, 5, "%s: host key %s trusted (written to mailcon's "
		    "known_hosts); connecting", a->servers[server]->name,
		    x->fp);
	app_ssh_sync(sc);
}

/* See app_ssh.h. */
int
app_ssh_asking(const struct app *a, unsigned *server, const char **fp)
{
	const struct app_ssh	*x = a->ssh;

	if (x == NULL || x->asking < 0)
		return 0;
	*server = (unsigned)x->asking;
	*fp = x->fp;
	return 1;
}
