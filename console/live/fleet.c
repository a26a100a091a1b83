/*
 * fleet.c: a central log host's stream split among the servers it names
 * (fleet.h).  The HOSTNAME of each line is looked up among the hostnames
 * the config gives (hashed once, any case: one lookup a line whatever the
 * number of servers); only an exact, valid, configured name routes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fleet.h"
#include "fleet_ssh.h"
#include "server.h"
#include "backends/logline.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/trace.h"
#include "core/xmalloc.h"
#include "intake/logreader.h"
#include "intake/rotated.h"
#include "intake/source.h"
#include "net/ssh_conn.h"

struct fleet_host;

/* One file (or the command) of a [loghost]: one source. */
struct fleet_stream {
	struct fleet_host		*fh;
	struct logsource		 in;
};

/* One [loghost]: its streams (one per file: all hosts in one, or one
   per host by rsyslog's template) and what was read of them. */
struct fleet_host {
	struct fleet			*f;
	unsigned			 index;
	const struct loghost_config	*cfg;
	struct fleet_stream		*st;
	size_t				 nst;
	struct fleet_ssh		*ssh;	/* host =: read there, or NULL */
	char				 why[300];	/* its connection is not
						   live: why; else "" */
	struct log_clock		 clock;	/* only to find the HOSTNAME */
	int64_t				 last_ms;	/* monotonic, a line */
	uint64_t			 lines;
};

/* A configured HOSTNAME on a log host, and the server it names. */
struct fleet_route {
	unsigned		 loghost;
	const char		*host;		/* the config's */
	size_t			 hostlen;
	struct server		*server;
};

struct fleet {
	struct fleet_host	*hosts;
	size_t			 nhosts;
	struct fleet_route	*routes;	/* by loghost, then host */
	size_t			 nroutes;
	uint32_t		*htab;		/* route index + 1 by hash of
						   loghost and host; 0 empty */
	size_t			 hmask;		/* its size - 1 (a power of 2) */
	struct fleet_unknown	 unknown[FLEET_UNKNOWN_MAX];
	size_t			 nunknown;
	uint64_t		 unknown_more;	/* lines of names not kept */
	uint64_t		 unknown_lines;
	int64_t			 started_ms;
	void			(*on_unknown)(void *, const char *,
				    const struct fleet_unknown *,
				    const char *, size_t);
	void			*arg;
	void			(*on_state)(void *, const char *,
				    const char *);
	const char		*resolver;	/* the config's */
};

/* qsort and bsearch order of routes: log host, then name (any case). */
static int
fleet_route_cmp(const void *a, const void *b)
{
	const struct fleet_route *x = a, *y = b;

	if (x->loghost != y->loghost)
		return x->loghost < y->loghost ? -1 : 1;
	return strcasecmp(x->host, y->host);
}

/* FNV-1a of log host i and HOSTNAME h[0..len) in lower case. */
static uint32_t
fleet_hash(unsigned i, const char *h, size_t len)
{
	uint32_t	 x = 2166136261u ^ i;
	size_t		 k;

	for (k = 0; k < len; k++)
		x = (x ^ (uint8_t)tolower((unsigned char)h[k])) * 16777619u;
	return x;
}

/* Index the routes by hash (open addressing, at most half full). */
static void
fleet_index(struct fleet *f)
{
	size_t		 size = 16, k, i;

	while (size < 2 * f->nroutes)
		size *= 2;
	f->htab = xcalloc(size, sizeof(*f->htab));
	f->hmask = size - 1;
	for (i = 0; i < f->nroutes; i++) {
		k = fleet_hash(f->routes[i].loghost, f->routes[i].host,
		    f->routes[i].hostlen) & f->hmask;
		while (f->htab[k] != 0)
			k = (k + 1) & f->hmask;
		f->htab[k] = (uint32_t)i + 1;
	}
}

/*
 * The server that HOSTNAME h[0..len) names on log host i, or NULL: one
 * hash a line, whatever the number of servers (the lines of 2,000 hosts
 * are routed as fast as those of 20).
 */
static struct server *
fleet_find(const struct fleet *f, unsigned i, const char *h, size_t len)
{
	const struct fleet_route	*r;
	size_t				 k;

	if (!config_hostname_ok(h, len))
		return NULL;
	for (k = fleet_hash(i, h, len) & f->hmask; f->htab[k] != 0;
	    k = (k + 1) & f->hmask) {
		r = &f->routes[f->htab[k] - 1];
		if (r->loghost == i && r->hostlen == len &&
		    strncasecmp(r->host, h, len) == 0)
			return r->server;
	}
	return NULL;
}

/*
 * A line of a HOSTNAME that names no server: counted under its name as
 * shown (the first FLEET_UNKNOWN_MAX names), said once per name.
 */
static void
fleet_unknown_line(struct fleet *f, struct fleet_host *fh, const char *h,
    size_t hlen, const char *line, size_t len)
{
	struct fleet_unknown	*u = NULL;
	char			 shown[sizeof(u->name)];
	size_t			 i;

	f->unknown_lines++;
	if (hlen == 0)
		snprintf(shown, sizeof(shown), "(none)");
	else
		sanitize_text(shown, sizeof(shown), h, hlen < 64 ? hlen : 64);
	for (i = 0; i < f->nunknown; i++)
		if (f->unknown[i].loghost == fh->index &&
		    strcmp(f->unknown[i].name, shown) == 0) {
			f->unknown[i].lines++;
			return;
		}
	if (f->nunknown == FLEET_UNKNOWN_MAX) {
		f->unknown_more++;
		return;
	}
	u = &f->unknown[f->nunknown++];
	snprintf(u->name, sizeof(u->name), "%s", shown);
	u->loghost = fh->index;
	u->lines = 1;
	trace(1, "loghost %s: unknown host %s", fh->cfg->name, u->name);
	if (f->on_unknown != NULL)
		f->on_unknown(f->arg, fh->cfg->name, u, line, len);
}

/* Route one line of log host fh's stream by its HOSTNAME. */
static void
fleet_route(struct fleet_host *fh, const char *line, size_t len)
{
	struct fleet		*f = fh->f;
	struct log_header	 h;
	struct server		*s;

	fh->lines++;
	fh->last_ms = loop_now_ms();
	if (logline_split(&fh->clock, line, len, &h) == -1) {
		fleet_unknown_line(f, fh, NULL, 0, line, len);
		return;
	}
	if ((s = fleet_find(f, fh->index, h.host.p, h.host.len)) == NULL) {
		fleet_unknown_line(f, fh, h.host.p, h.host.len, line, len);
		return;
	}
	s->fed_ms = fh->last_ms;
	/* split once: the stream's clock reads its stamps for every host */
	server_line_split(s, &s->sources[0], line, len, &h);
}

/* source callback: a line of the stream. */
static void
fleet_on_line(const char *line, size_t len, int flags, void *arg)
{
	struct fleet_stream	*st = arg;

	fleet_route(st->fh, line, len);
}

/* source callback: part of the stream was lost (rotated away unread):
   every server it feeds has the hole. */
static void
fleet_on_gap(const char *why, void *arg)
{
	struct fleet_stream	*st = arg;
	struct fleet_host	*fh = st->fh;
	struct fleet		*f = fh->f;
	size_t			 i;
	char			 what[512];

	snprintf(what, sizeof(what), "loghost %s: %s", fh->cfg->name, why);
	for (i = 0; i < f->nroutes; i++) {
		struct server *s = f->routes[i].server;

		if (f->routes[i].loghost != fh->index)
			continue;
		s->gaps++;
		s->changed = 1;
		if (s->on_gap != NULL)
			s->on_gap(s->on_event_arg, s,
			    logsource_label(&st->in), what);
	}
}

/* See fleet.h. */
struct fleet *
fleet_new(const struct mailcon_config *cfg, struct server **servers,
    size_t n, int from_start, int utc,
    void (*on_unknown)(void *, const char *, const struct fleet_unknown *,
    const char *, size_t), void *arg)
{
	struct fleet		*f;
	struct fleet_host	*fh;
	struct source_spec	 spec;
	struct source_cbs	 cbs;
	char			 owner[80];
	size_t			 i, j;

	if (cfg->nloghosts == 0)
		return NULL;
	f = xcalloc(1, sizeof(*f));
	f->on_unknown = on_unknown;
	f->resolver = cfg->resolver;
	f->arg = arg;
	f->started_ms = loop_now_ms();
	f->nhosts = cfg->nloghosts;
	f->hosts = xcalloc(f->nhosts, sizeof(*f->hosts));
	for (i = 0; i < f->nhosts; i++) {
		fh = &f->hosts[i];
		fh->f = f;
		fh->index = (unsigned)i;
		fh->cfg = &cfg->loghosts[i];
		log_clock_init(&fh->clock, (int64_t)time(NULL));
		fh->clock.utc = utc;
		/* a command, or each file (config_check_loghosts) */
		fh->nst = fh->cfg->log_argv != NULL ? 1 : fh->cfg->nlogs;
		fh->st = xcalloc(fh->nst, sizeof(*fh->st));
		snprintf(owner, sizeof(owner), "loghost %s", fh->cfg->name);
		for (j = 0; j < fh->nst; j++) {
			memset(&spec, 0, sizeof(spec));
			spec.from_start = from_start;
			fh->st[j].fh = fh;
			cbs.line = fleet_on_line;
			cbs.gap = fleet_on_gap;
			cbs.arg = &fh->st[j];
			if (fh->cfg->log_argv != NULL) {
				spec.argv = fh->cfg->log_argv;
				(void)logsource_open(&fh->st[j].in, "command",
				    owner, &spec, &cbs);
			} else {
				spec.path = fh->cfg->logs[j];
				(void)logsource_open(&fh->st[j].in,
				    fh->cfg->ssh.host != NULL ? "ssh-file" :
				    "file",
				    owner, &spec, &cbs);
			}
		}
	}
	f->routes = xcalloc(n > 0 ? n : 1, sizeof(*f->routes));
	for (i = 0; i < n; i++) {
		const struct server_config *sc = servers[i]->cfg;

		if (sc->loghost == NULL)
			continue;
		for (j = 0; j < cfg->nloghosts; j++)
			if (strcmp(cfg->loghosts[j].name, sc->loghost) == 0)
				break;
		if (j == cfg->nloghosts || servers[i]->nsources == 0)
			continue;	/* config_check_loghosts refused it */
		f->routes[f->nroutes].loghost = (unsigned)j;
		f->routes[f->nroutes].host = server_hostname(sc);
		f->routes[f->nroutes].hostlen = strlen(server_hostname(sc));
		f->routes[f->nroutes++].server = servers[i];
		servers[i]->sources[0].feed = &f->hosts[j].st[0].in;
		servers[i]->sources[0].feed_why = f->hosts[j].why;
	}
	qsort(f->routes, f->nroutes, sizeof(*f->routes), fleet_route_cmp);
	fleet_index(f);
	return f;
}

/* See fleet.h. */
void
fleet_free(struct fleet *f)
{
	size_t	 i, j;

	if (f == NULL)
		return;
	for (i = 0; i < f->nroutes; i++) {
		f->routes[i].server->sources[0].feed = NULL;
		f->routes[i].server->sources[0].feed_why = NULL;
	}
	for (i = 0; i < f->nhosts; i++) {
		for (j = 0; j < f->hosts[i].nst; j++)
			logsource_close(&f->hosts[i].st[j].in);
		/* after the followers whose channels it carries */
		fleet_ssh_free(f->hosts[i].ssh);
		free(f->hosts[i].st);
	}
	free(f->hosts);
	free(f->routes);
	free(f->htab);
	free(f);
}

/* Is a stream of fh followed (what is written reaches us)? */
static int
fleet_host_live(const struct fleet_host *fh)
{
	size_t	 j;

	for (j = 0; j < fh->nst; j++)
		if (logsource_state(&fh->st[j].in) == FOLLOW_LIVE)
			return 1;
	return 0;
}

/*
 * Which servers are silent at now: no line of theirs for the log host's
 * silent duration (since the start when none came), while the stream is
 * live and others log in it.  A change is the server's to show.
 */
static void
fleet_silence(struct fleet *f, int64_t now)
{
	struct fleet_host	*fh;
	struct server		*s;
	int64_t			 quiet, since;
	size_t			 i;
	int			 silent;

	for (i = 0; i < f->nroutes; i++) {
		s = f->routes[i].server;
		fh = &f->hosts[f->routes[i].loghost];
		quiet = (int64_t)fh->cfg->silent_s * 1000;
		since = s->fed_ms > 0 ? s->fed_ms : f->started_ms;
		silent = fleet_host_live(fh) &&
		    fh->last_ms > 0 && now - fh->last_ms < quiet &&
		    now - since >= quiet;
		if (silent == s->silent)
			continue;
		s->silent = silent;
		s->changed = 1;
		if (silent)
			snprintf(s->silent_why, sizeof(s->silent_why),
			    "silent: no line from %s in loghost %s's stream "
			    "for %d %s while other servers log there",
			    f->routes[i].host, fh->cfg->name,
			    fh->cfg->silent_s < 120 ? fh->cfg->silent_s :
			    fh->cfg->silent_s / 60,
			    fh->cfg->silent_s < 120 ? "s" : "min");
	}
}

/*
 * A log host's connection changed state: said to the owner, and while it
 * failed (retrying, or parked: a host key, a refused key) the servers it
 * feeds say why instead of "starting"; on its way up or stale (it may
 * recover) they keep their own state.
 */
static void
fleet_ssh_changed(struct fleet *f, struct fleet_host *fh,
    struct ssh_conn *conn, const char *status)
{
	enum ssh_state	 st = ssh_conn_state(conn);
	size_t		 i;

	if (st < SSH_RETRYING)
		fh->why[0] = '\0';
	else
		snprintf(fh->why, sizeof(fh->why), "loghost %s: ssh %s",
		    fh->cfg->name, status);
	for (i = 0; i < f->nroutes; i++)
		if (f->routes[i].loghost == fh->index)
			f->routes[i].server->changed = 1;
	if (f->on_state != NULL)
		f->on_state(f->arg, fh->cfg->name, status);
}

/* See fleet.h. */
int
fleet_poll(struct fleet *f, struct loop *loop, int64_t now_ms, size_t budget)
{
	struct source_env	 env = { NULL, loop };
	struct fleet_host	*fh;
	char			 status[256];
	size_t			 i, j;
	int			 more = 0, changed;

	if (f == NULL)
		return 0;
	for (i = 0; i < f->nhosts; i++) {
		fh = &f->hosts[i];
		env.ssh = NULL;
		/* made at the first poll: mailcon act reads it its own way */
		if (fh->cfg->ssh.host != NULL && fh->ssh == NULL)
			fh->ssh = fleet_ssh_new(fh->cfg, f->resolver, now_ms);
		if (fh->ssh != NULL) {
			env.ssh = fleet_ssh_poll(fh->ssh, loop, now_ms,
			    &changed, status, sizeof(status));
			if (changed)
				fleet_ssh_changed(f, fh, env.ssh, status);
		}
		for (j = 0; j < f->hosts[i].nst; j++)
			if (logsource_poll(&f->hosts[i].st[j].in, &env, now_ms,
			    budget) & FOLLOW_MORE)
				more = 1;
	}
	fleet_silence(f, now_ms);
	return more;
}

/* See fleet.h. */
const struct fleet_unknown *
fleet_unknown(const struct fleet *f, size_t *n, uint64_t *more)
{
	*n = f != NULL ? f->nunknown : 0;
	*more = f != NULL ? f->unknown_more : 0;
	return f != NULL ? f->unknown : NULL;
}

/* See fleet.h. */
uint64_t
fleet_lines(const struct fleet *f, uint64_t *unknown)
{
	uint64_t	 n = 0;
	size_t		 i;

	*unknown = f != NULL ? f->unknown_lines : 0;
	for (i = 0; f != NULL && i < f->nhosts; i++)
		n += f->hosts[i].lines;
	return n;
}

/* See fleet.h. */
void
fleet_line(struct fleet *f, size_t i, const char *line, size_t len)
{
	if (f != NULL && i < f->nhosts)
		fleet_route(&f->hosts[i], line, len);
}

/* Route every line of one rotated file of fh; -1 with err when unread. */
static int
fleet_read_file(struct fleet_host *fh, const char *path, int year, int utc,
    char *err, size_t errlen)
{
	struct logreader	 r;
	int			 rc;

	if (logreader_open(&r, path, year, utc, err, errlen) == -1)
		return -1;
	while ((rc = logreader_next(&r, err, errlen)) == 1)
		fleet_route(fh, r.line, r.len);
	logreader_close(&r);
	return rc;
}

/* See fleet.h. */
size_t
fleet_read_rotated(struct fleet *f, int year, int utc, char *note,
    size_t notelen)
{
	struct fleet_host	*fh;
	char			**list, err[512];
	size_t			 i, j, k, n, read = 0, len;

	note[0] = '\0';
	for (i = 0; f != NULL && i < f->nhosts; i++) {
		fh = &f->hosts[i];
		for (j = 0; fh->cfg->log_argv == NULL && j < fh->nst; j++) {
			n = rotated_list(fh->cfg->logs[j], &list);
			for (k = 0; k < n; k++) {
				if (fleet_read_file(fh, list[k], year, utc, err,
				    sizeof(err)) == 0) {
					read++;
					continue;
				}
				len = strlen(note);
				snprintf(note + len, notelen - len, "%s%s",
				    len > 0 ? "; " : "", err);
			}
			rotated_free(list, n);
		}
	}
	return read;
}

/* See fleet.h. */
void
fleet_on_state(struct fleet *f, void (*cb)(void *, const char *,
    const char *))
{
	if (f != NULL)
		f->on_state = cb;
}
