/*
 * snapshot.c: the accounts snapshot the views draw: one compact row per
 * account of every server, built from the detectors a slice per loop turn
 * (100,000 accounts must not stall a key), sorted, then swapped in (a
 * double buffer).  The same pass notes incidents and keeps the full
 * report of the account whose detail shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "rates.h"
#include "recent.h"
#include "core/loop.h"
#include "core/xmalloc.h"
#include "detect/detect_detail.h"

#define REFRESH_SLICE	20000	/* accounts reported per loop turn */

/* 100,000 rows are copied and sorted twice a second: keep them small. */
_Static_assert(sizeof(struct acct_row) <= 64, "struct acct_row grew");

/* detector_foreach callback state. */
struct collect {
	struct app	*a;
	unsigned	 server;
	uint32_t	 index;		/* reports come in detector order */
};

/* A count or a time in 32 bits, saturated (a time: until 2106). */
static uint32_t
snap_u32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* detector_foreach callback: append a compact row to the next snapshot;
   keep what only one account needs (its detail, its incident) from the
   full report. */
static void
snap_collect(const struct account_report *r, void *arg)
{
	struct collect	*c = arg;
	struct app	*a = c->a;
	struct acct_row	*row;
	uint32_t	 now, before;
	int		 sec;

	if (a->nnext == a->capnext) {
		a->capnext = a->capnext ? a->capnext * 2 : 256;
		a->next = xreallocarray(a->next, a->capnext, sizeof(*a->next));
	}
	row = &a->next[a->nnext++];
	row->account = r->account;
	row->reason = r->nreasons > 0 ? r->reasons[0] : NULL;
	row->score = (float)r->score;
	row->rate = (float)r->rate_now;
	(void)detector_recent(a->servers[c->server]->det, (long)c->index,
	    &now, &before, &sec);
	row->rate_1m = (float)recent_account(a, c->server, c->index,
	    rate_last_minute(before, now, sec));
	row->messages = snap_u32(r->messages);
	row->recipients = snap_u32(r->recipients);
	row->auth_ips = snap_u32(r->auth_ips);
	row->flagged_at = r->flagged_at > 0 ?
	    snap_u32((uint64_t)r->flagged_at) : 0;
	row->first_seen = r->first_seen > 0 ?
	    snap_u32((uint64_t)r->first_seen) : 0;
	row->queued = snap_u32(r->queued_now);
	row->index = c->index;
	row->server = (uint16_t)c->server;
	row->level = (uint8_t)r->level;
	row->allowed = (uint8_t)r->allowed;
	row->exact = (uint8_t)r->auth_ips_exact;
	row->nreasons = (uint8_t)r->nreasons;
	a->nlevel_next[r->level]++;
	if (r->level > a->worst_next[c->server])
		a->worst_next[c->server] = r->level;
	if (r->flagged_at >= 0)
		app_incident_seen(a, r, c->server);
	if (a->detail_on && c->server == a->detail_server &&
	    (a->detail_index >= 0 ? (long)c->index == a->detail_index :
	    strcmp(r->account, a->detail_account) == 0)) {
		a->detail = *r;
		a->detail_index = (long)c->index;
		a->detail_valid = 1;
	}
	c->index++;
}

/* The order being sorted in (qsort has no argument for it). */
static const struct app	*snap_sorting;

/* -1, 0 or 1 as x is before, tied with or after y, larger first. */
#define SNAP_DESC(x, y)	((x) > (y) ? -1 : (x) < (y) ? 1 : 0)

/* The chosen column alone, in its natural order. */
static int
snap_cmp_column(const struct acct_row *p, const struct acct_row *q)
{
	const struct app	*a = snap_sorting;

	switch (a->sort) {
	case SORT_ACCOUNT:
		return strcmp(p->account, q->account);
	case SORT_RATE:
		if (p->rate_1m != q->rate_1m)
			return SNAP_DESC(p->rate_1m, q->rate_1m);
		return SNAP_DESC(p->rate, q->rate);
	case SORT_MESSAGES:
		return SNAP_DESC(p->messages, q->messages);
	case SORT_IPS:
		return SNAP_DESC(p->auth_ips, q->auth_ips);
	case SORT_RECIPIENTS:
		return SNAP_DESC(p->recipients, q->recipients);
	case SORT_QUEUED:
		return SNAP_DESC(p->queued, q->queued);
	case SORT_SERVER:
		if (p->server == q->server)
			return 0;
		return strcmp(a->servers[p->server]->name,
		    a->servers[q->server]->name);
	case SORT_FLAGGED:
		return SNAP_DESC(p->flagged_at, q->flagged_at);
	case SORT_FIRST_SEEN:
		return SNAP_DESC(p->first_seen, q->first_seen);
	case SORT_AVERAGE:
		return SNAP_DESC(p->rate, q->rate);
	default:
		return 0;
	}
}

/*
 * Accounts view order: by the chosen column (reversed on request), then
 * level, score, and detector order (stable and cheap: most of 100,000
 * accounts tie on level and score, and comparing their names would
 * dominate the sort).
 */
static int
snap_cmp(const void *x, const void *y)
{
	const struct acct_row	*p = x, *q = y;
	int			 c;

	if ((c = snap_cmp_column(p, q)) != 0)
		return snap_sorting->sort_reverse ? -c : c;
	if (p->level != q->level)
		return snap_sorting->sort == SORT_LEVEL &&
		    snap_sorting->sort_reverse ? SNAP_DESC(q->level, p->level) :
		    SNAP_DESC(p->level, q->level);
	if (p->score != q->score)
		return snap_sorting->sort == SORT_LEVEL &&
		    snap_sorting->sort_reverse ? SNAP_DESC(q->score, p->score) :
		    SNAP_DESC(p->score, q->score);
	if (p->server != q->server)
		return p->server < q->server ? -1 : 1;
	return p->index < q->index ? -1 : p->index > q->index;
}

/* Start building the next snapshot. */
static void
snap_start(struct app *a)
{
	a->nnext = 0;
	memset(a->nlevel_next, 0, sizeof(a->nlevel_next));
	if (a->worst_next == NULL)
		a->worst_next = xcalloc(a->nservers > 0 ? a->nservers : 1,
		    sizeof(*a->worst_next));
	memset(a->worst_next, 0, a->nservers * sizeof(*a->worst_next));
	a->build_server = a->build_index = 0;
	a->building = 1;
	recent_count(a, loop_now_ms());
}

/*
 * Report up to slice accounts into the next snapshot; when every server is
 * done, sort it and make it the current one.  Returns 1 when finished.
 */
static int
snap_step(struct app *a, size_t slice)
{
	struct collect	 c;
	struct acct_row	*t;
	size_t		 i, cap;

	while (a->build_server < a->nservers && slice > 0) {
		struct detector *d = a->servers[a->build_server]->det;
		size_t before = a->build_index;

		c.a = a;
		c.server = (unsigned)a->build_server;
		c.index = (uint32_t)a->build_index;
		a->build_index = detector_foreach_range(d, a->build_index,
		    slice, snap_collect, &c);
		slice -= a->build_index - before;
		if (a->build_index >= detector_count(d)) {
			a->build_server++;
			a->build_index = 0;
		}
	}
	if (a->build_server < a->nservers)
		return 0;
	snap_sorting = a;
	if (a->nnext > 1)
		qsort(a->next, a->nnext, sizeof(*a->next), snap_cmp);
	snap_sorting = NULL;
	t = a->rows;
	cap = a->caprows;
	a->rows = a->next;
	a->caprows = a->capnext;
	a->nrows = a->nnext;
	a->next = t;
	a->capnext = cap;
	memcpy(a->nlevel, a->nlevel_next, sizeof(a->nlevel));
	for (i = 0; i < a->nservers; i++)
		a->servers[i]->worst = a->worst_next[i];
	a->building = 0;
	a->dirty |= APP_DIRTY_ALL;
	return 1;
}

/* See app.h. */
void
app_refresh_rows(struct app *a)
{
	a->detail_valid = 0;
	snap_start(a);
	(void)snap_step(a, SIZE_MAX);
}

/* One-shot timer: the next slice of a snapshot, keys and drawing between. */
static void
snap_on_build(void *arg)
{
	struct app	*a = arg;

	if (a->building && !snap_step(a, REFRESH_SLICE))
		loop_add_timer(a->loop, 0, 0, snap_on_build, a);
}

/* See app.h. */
void
app_refresh_start(struct app *a)
{
	if (a->building)
		return;
	snap_start(a);
	snap_on_build(a);
}

/* See app.h. */
void
app_detail_open(struct app *a, unsigned server, const char *account)
{
	a->detail_on = 1;
	a->detail_server = server;
	snprintf(a->detail_account, sizeof(a->detail_account), "%s", account);
	a->detail_index = -1;
	app_refresh_rows(a);	/* fetch its full report now */
}

/* See app.h. */
void
app_detail_close(struct app *a)
{
	a->detail_on = 0;
	a->detail_valid = 0;
}
