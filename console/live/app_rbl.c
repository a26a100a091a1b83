/*
 * app_rbl.c: the console's DNSBL checks.  The addresses are each server's
 * outbound_ips, else what rbl_discover() finds for this machine; a server
 * followed over SSH (or read from a log host) needs outbound_ips, and one
 * without them is named as not checked in every summary, never checked as
 * this machine.  The zones are [rbl] zones, else
 * the catalogue's defaults.  What is listed now is remembered (loaded from
 * the history at start) so that only a new listing raises an alert and
 * only a clean answer from a healthy zone closes one.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_act.h"
#include "app_alert.h"
#include "app_rbl.h"
#include "config/discover.h"
#include "core/loop.h"
#include "core/xmalloc.h"
#include "rbl/rbl_discover.h"
#include "store/store.h"

#define RBL_STEP_MS	20	/* stepping a run */
#define RBL_SLICE_MS	4	/* answers taken per step, at most */
#define RBL_FIRST_S	5	/* the first periodic check after start */

/* An address and the server it belongs to. */
struct rbl_target {
	struct rbl_ip	 ip;
	unsigned	 server;
};

/* (server, address, zone) listed as of the last look. */
struct rbl_listed {
	char		*key;
	int		 seen;		/* still listed in this run */
};

struct app_rbl {
	struct rbl		*rbl;
	struct rbl_target	*targets;
	size_t			 ntargets;
	const char		**zones;
	size_t			 nzones;
	struct rbl_listed	*listed;
	size_t			 nlisted;
	int			 step_timer;	/* -1: idle */
	int			 ran;		/* a run has finished */
	char			 unchecked[160];	/* servers without
						   addresses, or "" */
	char			 status[512];
};

/* "server ip zone": the key of a listing. */
static char *
rbl_key(const char *server, const char *ip, const char *zone)
{
	size_t	 n = strlen(server) + strlen(ip) + strlen(zone) + 3;
	char	*k = xmalloc(n);

	snprintf(k, n, "%s %s %s", server, ip, zone);
	return k;
}

/* The listing with key k, or NULL. */
static struct rbl_listed *
rbl_find(struct app_rbl *r, const char *k)
{
	size_t	 i;

	for (i = 0; i < r->nlisted; i++)
		if (strcmp(r->listed[i].key, k) == 0)
			return &r->listed[i];
	return NULL;
}

/* Remember a listing (takes k). */
static void
rbl_remember(struct app_rbl *r, char *k)
{
	r->listed = xreallocarray(r->listed, r->nlisted + 1,
	    sizeof(*r->listed));
	r->listed[r->nlisted].key = k;
	r->listed[r->nlisted].seen = 1;
	r->nlisted++;
}

/* store_load_rbl callback: listings still open in the history. */
static int
rbl_on_stored(const struct store_rbl *s, void *arg)
{
	struct app_rbl	*r = arg;
	char		*k;

	if (s->delisted != 0)
		return 0;
	k = rbl_key(s->server, s->ip, s->zone);
	if (rbl_find(r, k) == NULL)
		rbl_remember(r, k);
	else
		free(k);
	return 0;
}

/* Name a server whose addresses are not known among the unchecked. */
static void
rbl_unchecked(struct app_rbl *r, const char *name)
{
	size_t	 n = strlen(r->unchecked);

	if (n + 1 < sizeof(r->unchecked))
		snprintf(r->unchecked + n, sizeof(r->unchecked) - n, "%s%s",
		    n > 0 ? ", " : "", name);
}

/* The addresses of every server. */
static void
rbl_targets(struct app *a, struct app_rbl *r)
{
	const struct server_config	*sc;
	struct rbl_found		*found;
	struct rbl_ip			 ip;
	char				 skipped[512], err[256];
	size_t				 i, j, n;

	for (i = 0; i < a->nservers; i++) {
		sc = a->servers[i]->cfg;
		if (sc->outbound_ips != NULL) {
			for (j = 0; sc->outbound_ips[j] != NULL; j++) {
				if (rbl_ip_parse(sc->outbound_ips[j], &ip, err,
				    sizeof(err)) == -1)
					continue;	/* checked at load */
				r->targets = xreallocarray(r->targets,
				    r->ntargets + 1, sizeof(*r->targets));
				r->targets[r->ntargets].ip = ip;
				r->targets[r->ntargets++].server = (unsigned)i;
			}
			continue;
		}
		/* another machine (behind SSH, or whose lines come from a
		   log host): its outbound_ips are needed */
		if (sc->ssh.host != NULL || sc->loghost != NULL ||
		    (sc->log_argv == NULL &&
		    sc->nlogs > 0 && strcmp(sc->name, "local") != 0)) {
			rbl_unchecked(r, sc->name);
			continue;
		}
		n = discover_rbl(sc, &found, skipped, sizeof(skipped));
		if (n == 0)
			rbl_unchecked(r, sc->name);
		for (j = 0; j < n; j++) {
			r->targets = xreallocarray(r->targets, r->ntargets + 1,
			    sizeof(*r->targets));
			r->targets[r->ntargets].ip = found[j].ip;
			r->targets[r->ntargets++].server = (unsigned)i;
		}
		free(found);
	}
}

/* The zones: [rbl] zones, else the catalogue's defaults. */
static void
rbl_zones_of(struct app *a, struct app_rbl *r)
{
	const struct rbl_zone	*z;
	size_t			 i;

	if (a->cfg->rbl.zones != NULL) {
		for (i = 0; a->cfg->rbl.zones[i] != NULL; i++)
			;
		r->zones = xcalloc(i + 1, sizeof(*r->zones));
		for (i = 0; a->cfg->rbl.zones[i] != NULL; i++)
			r->zones[r->nzones++] = a->cfg->rbl.zones[i];
		return;
	}
	for (z = rbl_zones; z->name != NULL; z++)
		if (z->by_default) {
			r->zones = xreallocarray(r->zones, r->nzones + 1,
			    sizeof(*r->zones));
			r->zones[r->nzones++] = z->name;
		}
}

/* Say something about the checks: a note, or a line headless. */
static void
rbl_say(struct app *a, const char *text)
{
	if (a->headless)
		app_act_print("%s", text);
	else
		app_note(a, 15, "%s", text);
}

/* A run ended: compare with what was listed, record, alert. */
static void
rbl_done(struct app *a, struct app_rbl *r)
{
	const struct rbl_result	*res;
	struct rbl_summary	 sum;
	struct store_rbl	 s;
	struct rbl_listed	*l;
	const char		*server;
	char			*k, when[32];
	size_t			 i, j, nres = rbl_nresults(r->rbl);
	time_t			 now = time(NULL);
	struct tm		 tm;

	for (i = 0; i < r->nlisted; i++)
		r->listed[i].seen = 0;
	for (i = 0; i < nres; i++) {
		res = rbl_result(r->rbl, i);
		server = "?";
		for (j = 0; j < r->ntargets; j++)
			if (strcmp(r->targets[j].ip.text, res->ip.text) == 0)
				server = a->servers[r->targets[j].server]->name;
		k = rbl_key(server, res->ip.text, res->zone);
		l = rbl_find(r, k);
		memset(&s, 0, sizeof(s));
		s.server = server;
		s.ip = res->ip.text;
		s.zone = res->zone;
		s.at = (int64_t)now;
		if (res->v.status == RBL_LISTED) {
			if (l != NULL) {
				l->seen = 1;
				free(k);
				continue;
			}
			rbl_remember(r, k);
			s.listed = 1;
			s.codes = res->v.meaning;
			s.reason = res->v.txt;
			if (a->store != NULL)
				store_batch_rbl(a->store, &s);
			app_alert(a, ALERT_IP_LISTED, LEVEL_CRITICAL, server,
			    NULL, NULL, "%s (%s) is listed on %s: %s",
			    res->ip.text, server, res->zone, res->v.meaning);
			if (a->headless)
				app_act_print("LISTED %s (%s) on %s: %s%s%s",
				    res->ip.text, server, res->zone,
				    res->v.meaning, res->delist[0] != '\0' ?
				    "; delisting: " : "", res->delist);
			continue;
		}
		if (res->v.status == RBL_CLEAN && l != NULL) {
			/* only a clean answer from a healthy zone delists */
			s.listed = 0;
			if (a->store != NULL)
				store_batch_rbl(a->store, &s);
			l->seen = -1;
			if (a->headless)
				app_act_print("delisted %s (%s) from %s",
				    res->ip.text, server, res->zone);
		} else if (l != NULL)
			l->seen = 1;	/* unknown: still listed as far as
					   we know */
		free(k);
	}
	/* forget what was delisted */
	for (i = 0; i < r->nlisted; )
		if (r->listed[i].seen == -1) {
			free(r->listed[i].key);
			r->listed[i] = r->listed[--r->nlisted];
		} else
			i++;
	rbl_summary(r->rbl, &sum);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%SZ", &tm);
	if (sum.resolver_down) {
		/* one cause, said once, not an unknown per zone */
		char	 said[300];

		rbl_resolver_said(r->rbl, said, sizeof(said));
		snprintf(r->status, sizeof(r->status), "DNSBL at %s: %s: "
		    "nothing checked; set [rbl] resolver", when, said);
	} else
		snprintf(r->status, sizeof(r->status), "DNSBL at %s: %zu listed, "
	    "%zu clean, %zu unknown, %zu error (%zu addresses, %zu zones%s) "
	    "in %lld ms%s%s", when, sum.listed, sum.clean, sum.unknown,
	    sum.error, r->ntargets, r->nzones, sum.zones_bad > 0 ? ", some "
	    "zones not healthy" : "", (long long)sum.elapsed_ms,
	    r->unchecked[0] != '\0' ? "; not checked (no outbound_ips): " :
	    "", r->unchecked);
	r->ran = 1;
	rbl_say(a, r->status);
	a->dirty |= APP_DIRTY_ALL;
}

/* Timer: advance a run. */
static void
rbl_on_step(void *arg)
{
	struct app	*a = arg;
	struct app_rbl	*r = a->rbl;
	struct pollfd	 pfd[RBL_MAXFDS];
	int64_t		 t0;
	size_t		 n;

	if (r == NULL || r->step_timer == -1)
		return;
	a->dirty |= APP_DIRTY_RBL;
	/*
	 * A few milliseconds of answers per tick: on loopback or a LAN they
	 * come faster than the timer, and one query per tick would take a
	 * minute.  Keys and frames wait at most RBL_SLICE_MS.
	 */
	t0 = loop_now_ms();
	while (rbl_step(r->rbl, loop_now_ms()) != 1) {
		n = rbl_fds(r->rbl, pfd, RBL_MAXFDS);
		if (loop_now_ms() - t0 >= RBL_SLICE_MS || n == 0 ||
		    poll(pfd, n, 1) <= 0)
			return;
	}
	loop_del_timer(a->loop, r->step_timer);
	r->step_timer = -1;
	rbl_done(a, r);
}

/* See app_rbl.h. */
void
app_rbl_check(struct app *a)
{
	struct app_rbl	*r = a->rbl;
	struct rbl_ip	*ips;
	char		 err[256];
	size_t		 i;

	if (r == NULL) {
		rbl_say(a, "DNSBL checks are off (see the status at start)");
		return;
	}
	if (r->step_timer != -1) {
		rbl_say(a, "a DNSBL check is running");
		return;
	}
	if (r->ntargets == 0) {
		rbl_say(a, "DNSBL: no public outbound address to check: set "
		    "outbound_ips in [server NAME]");
		return;
	}
	ips = xcalloc(r->ntargets, sizeof(*ips));
	for (i = 0; i < r->ntargets; i++)
		ips[i] = r->targets[i].ip;
	if (rbl_start(r->rbl, ips, r->ntargets, r->zones, r->nzones,
	    loop_now_ms(), err, sizeof(err)) == -1) {
		free(ips);
		rbl_say(a, err);
		return;
	}
	free(ips);
	snprintf(r->status, sizeof(r->status), "checking %zu address%s on "
	    "%zu zones", r->ntargets, r->ntargets == 1 ? "" : "es",
	    r->nzones);
	r->step_timer = loop_add_timer(a->loop, RBL_STEP_MS, 1, rbl_on_step,
	    a);
	rbl_on_step(a);
}

/* Timer: the periodic check. */
static void
rbl_on_interval(void *arg)
{
	struct app	*a = arg;

	if (a->rbl != NULL && a->rbl->step_timer == -1 &&
	    a->rbl->ntargets > 0)
		app_rbl_check(a);
}

/* Timer: the first periodic check, then the interval. */
static void
rbl_on_first(void *arg)
{
	struct app	*a = arg;

	rbl_on_interval(a);
	loop_add_timer(a->loop, config_rbl_interval(a->cfg) * 1000, 1,
	    rbl_on_interval, a);
}

/* See app_rbl.h. */
void
app_rbl_open(struct app *a)
{
	struct app_rbl		*r;
	struct rbl_options	 o;
	char			 err[256];
	int			 every;

	memset(&o, 0, sizeof(o));
	o.resolver = a->cfg->rbl.resolver;
	o.timeout_ms = a->cfg->rbl.timeout_ms;
	o.concurrency = a->cfg->rbl.concurrency;
	r = xcalloc(1, sizeof(*r));
	r->step_timer = -1;
	if ((r->rbl = rbl_new(&o, err, sizeof(err))) == NULL) {
		free(r);
		rbl_say(a, err);
		return;
	}
	a->rbl = r;
	rbl_targets(a, r);
	rbl_zones_of(a, r);
	every = config_rbl_interval(a->cfg);
	if (r->ntargets == 0)
		snprintf(r->status, sizeof(r->status), "no public outbound "
		    "address: set outbound_ips in [server NAME]");
	else if (every == 0)
		snprintf(r->status, sizeof(r->status), "not checked: r checks "
		    "now (checks by themselves need [rbl] interval or "
		    "outbound_ips)");
	else
		snprintf(r->status, sizeof(r->status), "not checked yet: r "
		    "checks now");
	if (a->store != NULL)
		(void)store_load_rbl(a->store, 0, rbl_on_stored, r);
	/* by itself only when configured: [rbl] interval or outbound_ips */
	if (every > 0 && r->ntargets > 0) {
		loop_add_timer(a->loop, RBL_FIRST_S * 1000, 0, rbl_on_first,
		    a);
		if (a->headless)
			app_act_print("DNSBL: checking %zu address%s every %d "
			    "min, the first time in %d s", r->ntargets,
			    r->ntargets == 1 ? "" : "es", every / 60,
			    RBL_FIRST_S);
	} else if (a->headless)
		app_act_print("DNSBL: no checks (%s)", every == 0 ? "not "
		    "configured: set [rbl] interval or a server's "
		    "outbound_ips" : "no public outbound address: set "
		    "outbound_ips in [server NAME]");
}

/* See app_rbl.h. */
void
app_rbl_close(struct app *a)
{
	struct app_rbl	*r = a->rbl;
	size_t		 i;

	if (r == NULL)
		return;
	if (r->step_timer != -1)
		loop_del_timer(a->loop, r->step_timer);
	rbl_free(r->rbl);
	for (i = 0; i < r->nlisted; i++)
		free(r->listed[i].key);
	free(r->listed);
	free(r->targets);
	free(r->zones);
	free(r);
	a->rbl = NULL;
}

/* See app_rbl.h. */
size_t
app_rbl_count(struct app *a)
{
	return a->rbl != NULL ? rbl_nresults(a->rbl->rbl) : 0;
}

/* See app_rbl.h. */
const struct rbl_result *
app_rbl_result(struct app *a, size_t i)
{
	return rbl_result(a->rbl->rbl, i);
}

/* See app_rbl.h. */
const char *
app_rbl_status(struct app *a)
{
	if (a->rbl == NULL)
		return "DNSBL checks are off";
	if (a->rbl->step_timer != -1) {
		struct rbl_summary	 s;
		static char		 buf[sizeof(a->rbl->status) + 64];

		rbl_summary(a->rbl->rbl, &s);
		snprintf(buf, sizeof(buf), "%s: %zu of %zu answered",
		    a->rbl->status, s.results - s.pending, s.results);
		return buf;
	}
	return a->rbl->status;
}

/* See app_rbl.h. */
const char *
app_rbl_server(struct app *a, unsigned server, char *buf, size_t size)
{
	struct app_rbl		*r = a->rbl;
	const struct rbl_result	*res;
	size_t			 i, j, listed = 0, unknown = 0, clean = 0;

	if (r == NULL || !r->ran)
		return "-";
	for (i = 0; i < rbl_nresults(r->rbl); i++) {
		res = rbl_result(r->rbl, i);
		for (j = 0; j < r->ntargets; j++)
			if (r->targets[j].server == server &&
			    strcmp(r->targets[j].ip.text, res->ip.text) == 0)
				break;
		if (j == r->ntargets)
			continue;
		if (res->v.status == RBL_LISTED)
			listed++;
		else if (res->v.status == RBL_CLEAN)
			clean++;
		else
			unknown++;
	}
	if (listed > 0)
		snprintf(buf, size, "listed %zu", listed);
	else if (unknown > 0)
		snprintf(buf, size, "unknown");
	else
		snprintf(buf, size, "%s", clean > 0 ? "clean" : "-");
	return buf;
}
