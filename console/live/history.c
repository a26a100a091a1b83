/* history.c: batch the console's events and incidents into the store. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history.h"
#include "histrows.h"
#include "store/store.h"

/* store_load_incidents callback: an incident of an earlier session. */
static int
history_on_incident(const struct store_incident *inc, void *arg)
{
	struct app	*a = arg;
	struct incident	*n;
	size_t		 i;

	if (a->nincidents == a->capincidents) {
		a->capincidents = a->capincidents ? a->capincidents * 2 : 16;
		a->incidents = realloc(a->incidents, a->capincidents *
		    sizeof(*a->incidents));
		if (a->incidents == NULL)
			abort();
	}
	n = &a->incidents[a->nincidents++];
	memset(n, 0, sizeof(*n));
	snprintf(n->account, sizeof(n->account), "%s", inc->account);
	n->opened = inc->opened;
	n->peak = inc->peak_level >= LEVEL_OK &&
	    inc->peak_level <= LEVEL_CRITICAL ? inc->peak_level : LEVEL_WATCH;
	snprintf(n->reason, sizeof(n->reason), "%s", inc->reason != NULL ?
	    inc->reason : "");
	n->earlier = 1;
	n->server = (unsigned)a->nservers;	/* none: shown by name */
	for (i = 0; i < a->nservers; i++)
		if (strcmp(a->servers[i]->name, inc->server) == 0)
			n->server = (unsigned)i;
	return 0;
}

/* store_load_gaps callback: a log gap an earlier session noticed. */
static int
history_on_gap(const struct store_gap *g, void *arg)
{
	(void)histrows_add_gap(arg, g->server, g->path, g->why, g->at, 1);
	return 0;
}

/*
 * store_load_baselines callback: one account's hour of the week.  An hour
 * that has passed H times since the account was first seen means H weeks
 * of history, but never more than since its first minute kept (an account
 * seen for three hours has three hours, not a week: replaying those hours
 * with --from-start must not look 100 times its usual rate); its messages
 * add to what the account sent before.
 */
static int
history_on_baseline(const struct store_baseline *b, void *arg)
{
	struct app	*a = arg;
	int64_t		 now = (int64_t)time(NULL), first;
	size_t		 i;

	first = now - (int64_t)b->hours * 7 * 86400;
	if (b->first > first)
		first = b->first;
	for (i = 0; i < a->nservers; i++)
		if (strcmp(a->servers[i]->name, b->server) == 0) {
			(void)detector_seed(a->servers[i]->det, b->account,
			    first, b->msgs);
			a->seeded++;
		}
	return 0;
}

/* store_load_ips callback: an address the account used before. */
static int
history_on_ip(const struct store_ip *ip, void *arg)
{
	struct app	*a = arg;
	struct mail_ip	 addr;
	size_t		 i;

	if (mail_ip_parse(ip->ip, strlen(ip->ip), &addr) == -1 ||
	    addr.family == 0)
		return 0;
	for (i = 0; i < a->nservers; i++)
		if (strcmp(a->servers[i]->name, ip->server) == 0)
			(void)detector_seed_ip_seen(a->servers[i]->det,
			    ip->account, &addr, ip->first_seen, ip->last_seen);
	return 0;
}

/* store_load_peaks callback: an account's busiest ten minutes in an hour
   of an earlier session, for its usual at that hour. */
static int
history_on_peak(const struct store_peak *p, void *arg)
{
	struct app	*a = arg;
	size_t		 i;

	for (i = 0; i < a->nservers; i++)
		if (strcmp(a->servers[i]->name, p->server) == 0)
			(void)detector_seed_peak(a->servers[i]->det, p->account,
			    p->hour, p->msgs > UINT32_MAX ? UINT32_MAX :
			    (uint32_t)p->msgs);
	return 0;
}

/* Say what earlier sessions left: "2 incidents and 1 log gap since ...". */
static void
history_note_earlier(struct app *a, const char *since)
{
	char	 inc[64] = "", gap[64] = "";

	if (a->nincidents > 0)
		snprintf(inc, sizeof(inc), "%zu incident%s", a->nincidents,
		    a->nincidents == 1 ? "" : "s");
	if (a->ngaps > 0)
		snprintf(gap, sizeof(gap), "%zu log gap%s", a->ngaps,
		    a->ngaps == 1 ? "" : "s");
	app_note(a, 60, "%s%s%s since %s: listed first", inc,
	    inc[0] != '\0' && gap[0] != '\0' ? " and " : "", gap, since);
}

/* See history.h. */
void
history_open(struct app *a)
{
	struct store_opts	 o;
	struct store_session	 last;
	char			 err[512];
	int64_t			 now = (int64_t)time(NULL), since;
	int			 rc;

	if (a->cfg->history_off)
		return;
	store_opts_init(&o);
	o.path = a->cfg->history;
	o.kind = a->headless ? STORE_KIND_HEADLESS : STORE_KIND_CONSOLE;
	o.threaded = 1;
	if (a->cfg->history_days > 0) {
		/* per-minute counters and IPs; incidents are kept longer */
		o.minute_days = a->cfg->history_days;
		o.ip_days = a->cfg->history_days;
	}
	if (a->cfg->history_max_mb > 0)
		o.cap_bytes = (int64_t)a->cfg->history_max_mb * 1024 * 1024;
	if ((a->store = store_open(&o, now, err, sizeof(err))) == NULL) {
		app_note(a, 0, "history off: %s", err);
		return;
	}
	{
		struct tm	 tm;
		time_t		 t = (time_t)now;

		localtime_r(&t, &tm);
		if (store_load_baselines(a->store, now, (int)tm.tm_gmtoff,
		    history_on_baseline, a) == -1)
			app_note(a, 0, "history: cannot read baselines: %s",
			    store_error(a->store) != NULL ?
			    store_error(a->store) : "unknown error");
	}
	if (store_load_ips(a->store, history_on_ip, a) == -1)
		app_note(a, 0, "history: cannot read known addresses: %s",
		    store_error(a->store) != NULL ? store_error(a->store) :
		    "unknown error");
	/* the baseline's usual per hour: two weeks and a day back */
	if (store_load_peaks(a->store, now - 15 * 86400, history_on_peak,
	    a) == -1)
		app_note(a, 0, "history: cannot read the usual rates: %s",
		    store_error(a->store) != NULL ? store_error(a->store) :
		    "unknown error");
	rc = store_last_session(a->store, STORE_KIND_CONSOLE, &last);
	since = rc == 1 ? last.ended : now - 7 * 86400;
	a->history_since = since;
	if (store_load_incidents(a->store, since, history_on_incident, a) ==
	    -1 || store_load_gaps(a->store, since, history_on_gap, a) == -1)
		app_note(a, 0, "history: %s", store_error(a->store) != NULL ?
		    store_error(a->store) : "cannot read incidents or gaps");
	else if (a->nincidents > 0 || a->ngaps > 0) {
		a->start_history = 1;
		history_note_earlier(a, rc == 1 ? "your last session" :
		    "the last 7 days");
	}
}

/* See history.h. */
void
history_event(struct app *a, const struct server *s,
    const struct mail_event *ev)
{
	struct store_counts	 c;
	char			 account[256], ip[64];
	size_t			 n;

	if (a->store == NULL || ev->account.len == 0 ||
	    ev->account.len >= sizeof(account))
		return;
	memset(&c, 0, sizeof(c));
	switch (ev->kind) {
	case EV_SUBMIT:
		c.msgs = 1;
		break;
	case EV_AUTH_OK:
		c.auth_ok = 1;
		break;
	case EV_AUTH_FAIL:
		if (ev->service == SVC_UNKNOWN)
			return;	/* a lookup behind a protocol line */
		c.auth_fail = 1;
		break;
	default:
		return;
	}
	n = ev->account.len;
	memcpy(account, ev->account.p, n);
	account[n] = '\0';
	store_batch_count(a->store, s->name, account, ev->time, &c);
	if ((ev->kind == EV_SUBMIT || ev->kind == EV_AUTH_OK) &&
	    ev->client.family != 0 &&
	    mail_ip_format(&ev->client, ip, sizeof(ip)) != NULL)
		store_batch_ip(a->store, s->name, account, ip, ev->time);
}

/* See history.h. */
void
history_incident(struct app *a, const struct incident *n)
{
	struct store_incident	 inc;

	if (a->store == NULL || n->server >= a->nservers)
		return;
	memset(&inc, 0, sizeof(inc));
	inc.server = a->servers[n->server]->name;
	inc.account = n->account;
	inc.opened = n->opened;
	inc.peak_level = n->peak;
	inc.reason = n->reason;
	store_batch_incident(a->store, &inc);
}

/* See history.h. */
void
history_gap(struct app *a, const struct server *s, const char *path,
    const char *why, int64_t at)
{
	struct store_gap	 g;

	if (a->store == NULL)
		return;
	memset(&g, 0, sizeof(g));
	g.server = s->name;
	g.path = path;
	g.why = why;
	g.at = at;
	store_batch_gap(a->store, &g);
}

/* See history.h. */
void
history_flush(struct app *a)
{
	if (a->store == NULL)
		return;
	(void)store_poll(a->store);
	if (store_flush(a->store, (int64_t)time(NULL)) == -1 &&
	    !a->history_warned) {
		a->history_warned = 1;
		app_note(a, 0, "history off: %s", store_error(a->store));
	}
}

/* See history.h. */
void
history_close(struct app *a)
{
	if (a->store == NULL)
		return;
	store_close(a->store, (int64_t)time(NULL));
	a->store = NULL;
}
