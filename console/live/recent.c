/* recent.c: the last 60 seconds, exactly, from the message ring. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "recent.h"
#include "core/xmalloc.h"
#include "detect/detect_detail.h"

#define RECENT_S	60

/* One server's counts. */
struct recent_server {
	uint32_t	*count;		/* by detector index */
	size_t		 ncount;
	uint32_t	 total;
	int64_t		 now;		/* its clock, UTC s */
	int		 exact;		/* the ring reached back 60 s */
};

struct recent {
	struct recent_server	*v;
	size_t			 n;
};

/* See recent.h. */
void
recent_count(struct app *a, int64_t now_ms)
{
	struct recent		*r = a->recent;
	struct recent_server	*rs;
	const struct msg_record	*m;
	size_t			 i, n;
	int64_t			 oldest;
	long			 idx;
	int			 any = 0;

	if (r == NULL) {
		r = a->recent = xcalloc(1, sizeof(*r));
		r->n = a->nservers;
		r->v = xcalloc(r->n > 0 ? r->n : 1, sizeof(*r->v));
	}
	/* a full ring reaches back to its oldest message */
	oldest = a->msgs.n == a->msgs.cap && a->msgs.n > 0 ?
	    msgring_get(&a->msgs, a->msgs.n - 1)->time : INT64_MIN;
	for (i = 0; i < r->n; i++) {
		rs = &r->v[i];
		if ((rs->now = server_clock(a->servers[i], now_ms)) < 0)
			rs->now = a->servers[i]->last_event;
		rs->exact = oldest == INT64_MIN || oldest <= rs->now - RECENT_S;
		any |= rs->exact;
		rs->total = 0;
		if (!rs->exact)
			continue;	/* estimated: no counts to keep */
		n = detector_count(a->servers[i]->det);
		if (rs->ncount < n) {
			rs->count = xreallocarray(rs->count, n + 1024,
			    sizeof(*rs->count));
			rs->ncount = n + 1024;
		}
		if (rs->count != NULL)
			memset(rs->count, 0, rs->ncount * sizeof(*rs->count));
	}
	for (i = 0; any && i < a->msgs.n; i++) {
		m = msgring_get(&a->msgs, i);	/* newest first */
		if (m->server >= r->n || !(rs = &r->v[m->server])->exact ||
		    m->time <= rs->now - RECENT_S || m->time > rs->now)
			continue;
		rs->total++;
		/* by name; a name the ring cut short by its queue id (while
		   the detector still remembers it) */
		if (strlen(m->account) < sizeof(m->account) - 1)
			idx = detector_find(a->servers[m->server]->det,
			    m->account);
		else
			idx = detector_qid_owner(a->servers[m->server]->det,
			    m->qid, strlen(m->qid));
		if (idx >= 0 && (size_t)idx < rs->ncount)
			rs->count[idx]++;
	}
}

/* See recent.h. */
double
recent_account(const struct app *a, unsigned server, uint32_t index,
    double estimate)
{
	const struct recent	*r = a->recent;

	if (r == NULL || server >= r->n || !r->v[server].exact)
		return estimate;
	return index < r->v[server].ncount ? r->v[server].count[index] : 0;
}

/* See recent.h. */
double
recent_server(const struct app *a, unsigned server, double estimate)
{
	const struct recent	*r = a->recent;

	if (r == NULL || server >= r->n || !r->v[server].exact)
		return estimate;
	return r->v[server].total;
}

/* See recent.h. */
void
recent_free(struct app *a)
{
	struct recent	*r = a->recent;
	size_t		 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		free(r->v[i].count);
	free(r->v);
	free(r);
	a->recent = NULL;
}
