/*
 * rbl.c: the asynchronous DNSBL checker on c-ares; see rbl.h.
 *
 * A run is a list of jobs (one DNS query each: the zones' health probes
 * first, then the A queries, then TXT queries added as listings come in).
 * Jobs are started in order while fewer than `concurrency` c-ares queries
 * are outstanding.  A query past its deadline is given up (its verdict is
 * "timeout") but still counts as outstanding until c-ares lets go of it,
 * so the bound on concurrency is a bound on the resolver's load.
 *
 * The c-ares channel is rbl_resolver.c, the answer cache rbl_cache.c,
 * what an answer means rbl_answer.c.
 */
#include <ares.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rbl_int.h"
#include "core/loop.h"
#include "core/xmalloc.h"

#define RBL_QT_A		1
#define RBL_QT_TXT		16
#define RBL_QC_IN		1

/* See rbl_int.h. */
void
rbl_clear_run(struct rbl *r)
{
	size_t	 i;

	for (i = 0; i < r->nzones; i++)
		free(r->zones[i]);
	free(r->zones);
	free(r->res);
	free(r->hs);
	free(r->jobs);
	r->zones = NULL;
	r->res = NULL;
	r->hs = NULL;
	r->jobs = NULL;
	r->nzones = r->nres = r->nhs = r->njobs = r->next_job = 0;
	r->jobs_left = 0;
}

/* Add a job to the run. */
static void
rbl_add_job(struct rbl *r, enum rbl_jobkind kind, size_t index,
    const char *qname)
{
	struct rbl_job	*j;

	r->jobs = xreallocarray(r->jobs, r->njobs + 1, sizeof(*r->jobs));
	j = &r->jobs[r->njobs++];
	memset(j, 0, sizeof(*j));
	j->kind = kind;
	j->index = index;
	snprintf(j->qname, sizeof(j->qname), "%s", qname);
	r->jobs_left++;
}

/* The zone information of a result or a health entry. */
static const struct rbl_zone *
rbl_job_zone(const struct rbl *r, const struct rbl_job *j)
{
	if (j->kind == JOB_A || j->kind == JOB_TXT)
		return r->res[j->index].info;
	return rbl_zone_find(r->hs[j->index].pub.zone);
}

/* A job has its answer (a is read only when qerr is RBL_Q_ANSWER). */
static void
rbl_job_done(struct rbl *r, size_t ji, enum rbl_qerr qerr,
    const struct rbl_answer *a, int cached)
{
	struct rbl_job		*j = &r->jobs[ji];
	struct rbl_result	*res;
	struct rbl_health_state	*h;
	struct rbl_verdict	 v;
	char			 qname[RBL_NAME_MAX];

	if (j->done)
		return;
	j->done = 1;
	r->jobs_left--;
	if (!cached && (qerr == RBL_Q_TIMEOUT || qerr == RBL_Q_UNREACHABLE)) {
		r->sum.silent++;
		r->refused += qerr == RBL_Q_UNREACHABLE;
	}
	else if (!cached && qerr != RBL_Q_OTHER)
		r->sum.replies++;
	if (j->kind == JOB_TXT) {
		res = &r->res[j->index];
		if (qerr == RBL_Q_ANSWER && a->rcode == 0 && a->ntxt > 0) {
			rbl_verdict_txt(&res->v, a);
			if (!cached)
				rbl_cache_put(r, j->qname, RBL_QT_TXT, a,
				    a->ttl);
		}
		return;
	}
	rbl_classify(rbl_job_zone(r, j), qerr, a, r->timeout_ms, &v);
	if (j->kind == JOB_A) {
		res = &r->res[j->index];
		res->v = v;
		res->cached = cached;
		if (!cached && (v.status == RBL_CLEAN ||
		    v.status == RBL_LISTED))
			rbl_cache_put(r, j->qname, RBL_QT_A, a, v.ttl);
		if (v.status == RBL_LISTED) {
			/* j may move: copy the name before adding a job */
			snprintf(qname, sizeof(qname), "%s", j->qname);
			rbl_add_job(r, JOB_TXT, j->index, qname);
		}
		return;
	}
	h = &r->hs[j->index];
	h->probe[j->kind == JOB_PROBE_LISTED ? 0 : 1] = v;
	if (++h->answered == 2)
		h->pub.health = rbl_health_judge(h->pub.family, &h->probe[0],
		    &h->probe[1], h->pub.why, sizeof(h->pub.why));
}

/* Map what c-ares said to how the query ended. */
static enum rbl_qerr
rbl_qerr_of(int status)
{
	switch (status) {
	case ARES_ETIMEOUT:
		return RBL_Q_TIMEOUT;
	case ARES_ESERVFAIL:
		return RBL_Q_SERVFAIL;
	case ARES_EREFUSED:
		return RBL_Q_REFUSED;
	case ARES_EBADRESP:
	case ARES_EFORMERR:
		return RBL_Q_BADRESP;
	case ARES_ECONNREFUSED:
		return RBL_Q_UNREACHABLE;
	default:
		return RBL_Q_OTHER;
	}
}

/* c-ares is done with a query. */
static void
rbl_answered(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct rbl_query	*q = arg;
	struct rbl		*r = q->r;
	struct rbl_answer	 a;
	enum rbl_qerr		 qerr;

	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		r->active = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	r->inflight--;
	if (q->abandoned || q->gen != r->gen || status == ARES_EDESTRUCTION ||
	    status == ARES_ECANCELLED) {
		free(q);
		return;
	}
	/* the rcode is the truth when there is a response: read it */
	if (abuf != NULL && alen > 0)
		qerr = rbl_answer_parse(abuf, (size_t)alen, &a) == 0 ?
		    RBL_Q_ANSWER : RBL_Q_BADRESP;
	else
		qerr = rbl_qerr_of(status);
	rbl_job_done(r, q->job, qerr, &a, 0);
	free(q);
}

/* Start the next job: from the cache, or a query to the resolver. */
static void
rbl_dispatch_one(struct rbl *r)
{
	size_t			 ji = r->next_job++;
	struct rbl_job		*j = &r->jobs[ji];
	const struct rbl_answer	*a;
	struct rbl_query	*q;
	int			 type = j->kind == JOB_TXT ? RBL_QT_TXT :
	    RBL_QT_A;

	if ((j->kind == JOB_A || j->kind == JOB_TXT) &&
	    (a = rbl_cache_get(r, j->qname, type)) != NULL) {
		struct rbl_answer	 copy = *a;

		r->sum.cache_hits++;
		rbl_job_done(r, ji, RBL_Q_ANSWER, &copy, 1);
		return;
	}
	q = xcalloc(1, sizeof(*q));
	q->r = r;
	q->job = ji;
	q->gen = r->gen;
	q->deadline = r->now + r->timeout_ms;
	q->next = r->active;
	if (r->active != NULL)
		r->active->prev = q;
	r->active = q;
	r->inflight++;
	r->sum.queries++;
	if (r->inflight > r->sum.peak_inflight)
		r->sum.peak_inflight = r->inflight;
	/* may call rbl_answered at once (a send that fails) */
	ares_query(r->ch, j->qname, RBL_QC_IN, type, rbl_answered, q);
}

/* Start jobs while the bound allows. */
static void
rbl_dispatch(struct rbl *r)
{
	while (r->running && r->next_job < r->njobs &&
	    r->inflight < (size_t)r->concurrency)
		rbl_dispatch_one(r);
}

/* Every verdict is in: apply the zones' health and count. */
static void
rbl_finish(struct rbl *r)
{
	struct rbl_result	*res;
	size_t			 i, k;

	for (i = 0; i < r->nres; i++) {
		res = &r->res[i];
		for (k = 0; k < r->nhs; k++)
			if (r->hs[k].pub.zone == res->zone &&
			    r->hs[k].pub.family == res->ip.family)
				rbl_verdict_health(&res->v, r->hs[k].pub.health,
				    r->hs[k].pub.why);
		switch (res->v.status) {
		case RBL_LISTED:
			r->sum.listed++;
			break;
		case RBL_CLEAN:
			r->sum.clean++;
			break;
		case RBL_UNKNOWN:
			r->sum.unknown++;
			break;
		case RBL_ERROR:
			r->sum.error++;
			break;
		case RBL_PENDING:
			r->sum.pending++;
			break;
		}
	}
	for (k = 0; k < r->nhs; k++)
		if (r->hs[k].pub.health != RBL_HEALTH_OK)
			r->sum.zones_bad++;
	/* every zone "unknown" for one cause: say the cause once */
	r->sum.resolver_down = r->sum.replies == 0 && r->sum.silent > 0;
	r->sum.results = r->nres;
	r->sum.elapsed_ms = r->now - r->started;
	r->sum.done = 1;
	r->running = 0;
}

/* Add a zone's health entry and its two probes for a family. */
static void
rbl_add_health(struct rbl *r, const char *zone, int family)
{
	struct rbl_health_state	*h;
	struct rbl_ip		 ip;
	char			 qname[RBL_NAME_MAX];
	int			 listed;

	r->hs = xreallocarray(r->hs, r->nhs + 1, sizeof(*r->hs));
	h = &r->hs[r->nhs];
	memset(h, 0, sizeof(*h));
	h->pub.zone = zone;
	h->pub.family = family;
	h->pub.health = RBL_HEALTH_UNTESTED;
	for (listed = 1; listed >= 0; listed--) {
		rbl_test_ip(family, listed, &ip);
		(void)rbl_query_name(&ip, zone, qname, sizeof(qname));
		rbl_add_job(r, listed ? JOB_PROBE_LISTED : JOB_PROBE_UNLISTED,
		    r->nhs, qname);
	}
	r->nhs++;
}

/* See rbl.h. */
int
rbl_start(struct rbl *r, const struct rbl_ip *ips, size_t nips,
    const char *const *zones, size_t nzones, int64_t now_ms, char *err,
    size_t errlen)
{
	const struct rbl_zone	*info;
	struct rbl_result	*res;
	char			 name[RBL_ZONE_MAX + 1], why[200];
	size_t			 i, k;
	unsigned		 fams = 0;
	int			 f;

	if (r->running) {
		snprintf(err, errlen, "a blocklist check is already running");
		return -1;
	}
	for (i = 0; i < nzones; i++)
		if (rbl_zone_name(zones[i], name, sizeof(name), why,
		    sizeof(why)) == -1) {
			snprintf(err, errlen, "%s", why);
			return -1;
		}
	rbl_clear_run(r);
	memset(&r->sum, 0, sizeof(r->sum));
	r->refused = 0;
	r->gen++;
	r->now = r->started = now_ms;
	r->zones = xcalloc(nzones > 0 ? nzones : 1, sizeof(char *));
	for (i = 0; i < nzones; i++) {
		(void)rbl_zone_name(zones[i], name, sizeof(name), why,
		    sizeof(why));
		for (k = 0; k < r->nzones; k++)
			if (strcmp(r->zones[k], name) == 0)
				break;
		if (k == r->nzones)
			r->zones[r->nzones++] = xstrdup(name);
	}
	for (i = 0; i < nips; i++)
		fams |= (unsigned)ips[i].family;
	for (k = 0; k < r->nzones; k++) {
		info = rbl_zone_find(r->zones[k]);
		for (f = RBL_V4; f <= RBL_V6; f <<= 1)
			if ((fams & (unsigned)f) && (info == NULL ||
			    (info->families & (unsigned)f)))
				rbl_add_health(r, r->zones[k], f);
	}
	r->res = xcalloc(nips * r->nzones + 1, sizeof(*r->res));
	for (i = 0; i < nips; i++)
		for (k = 0; k < r->nzones; k++) {
			info = rbl_zone_find(r->zones[k]);
			if (info != NULL &&
			    !(info->families & (unsigned)ips[i].family)) {
				r->sum.skipped++;
				continue;
			}
			res = &r->res[r->nres];
			res->ip = ips[i];
			res->zone = r->zones[k];
			res->info = info;
			rbl_url(info != NULL ? info->delist : NULL, &ips[i],
			    res->delist, sizeof(res->delist));
			(void)rbl_query_name(&ips[i], r->zones[k], name,
			    sizeof(name));
			rbl_add_job(r, JOB_A, r->nres++, name);
		}
	r->running = 1;
	rbl_dispatch(r);
	if (r->jobs_left == 0)
		rbl_finish(r);
	return 0;
}

/* See rbl.h. */
void
rbl_cancel(struct rbl *r, int64_t now_ms)
{
	struct rbl_query	*q;
	size_t			 i;

	if (!r->running)
		return;
	r->now = now_ms;
	for (q = r->active; q != NULL; q = q->next)
		q->abandoned = 1;
	for (i = 0; i < r->nres; i++)
		if (r->res[i].v.status == RBL_PENDING) {
			r->res[i].v.status = RBL_UNKNOWN;
			snprintf(r->res[i].v.reason, sizeof(r->res[i].v.reason),
			    "check cancelled");
		}
	r->next_job = r->njobs;
	rbl_finish(r);
	ares_cancel(r->ch);
}

/* See rbl.h. */
int
rbl_step(struct rbl *r, int64_t now_ms)
{
	struct pollfd		 pfd[RBL_MAXFDS];
	struct rbl_query	*q;
	size_t			 i, n;
	ares_socket_t		 rd, wr;

	r->now = now_ms;
	/* which sockets are ready: c-ares must not read a socket that is not */
	n = rbl_fds(r, pfd, RBL_MAXFDS);
	if (n > 0 && poll(pfd, n, 0) > 0)
		for (i = 0; i < n; i++) {
			rd = pfd[i].revents & (POLLIN | POLLERR | POLLHUP) ?
			    pfd[i].fd : ARES_SOCKET_BAD;
			wr = pfd[i].revents & POLLOUT ? pfd[i].fd :
			    ARES_SOCKET_BAD;
			if (rd != ARES_SOCKET_BAD || wr != ARES_SOCKET_BAD)
				ares_process_fd(r->ch, rd, wr);
		}
	ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	for (q = r->active; r->running && q != NULL; q = q->next)
		if (!q->abandoned && q->deadline <= now_ms) {
			q->abandoned = 1;
			rbl_job_done(r, q->job, RBL_Q_TIMEOUT, NULL, 0);
		}
	rbl_dispatch(r);
	if (r->running && r->jobs_left == 0)
		rbl_finish(r);
	return !r->running;
}

/* See rbl.h. */
int
rbl_wait_ms(const struct rbl *r, int64_t now_ms)
{
	struct timeval		 tv, *tp;
	const struct rbl_query	*q;
	int64_t			 ms = -1, d;

	if (r->inflight == 0)
		return r->running ? 0 : -1;
	if ((tp = ares_timeout(r->ch, NULL, &tv)) != NULL)
		ms = (int64_t)tp->tv_sec * 1000 + (tp->tv_usec + 999) / 1000;
	for (q = r->active; q != NULL; q = q->next)
		if (!q->abandoned) {
			d = q->deadline - now_ms;
			if (ms < 0 || d < ms)
				ms = d;
		}
	if (ms < 0)
		return 1000;
	return ms > 60000 ? 60000 : (int)ms;
}

/* See rbl.h. */
int
rbl_busy(const struct rbl *r)
{
	return r->running;
}

/* See rbl.h. */
int
rbl_wait(struct rbl *r)
{
	struct pollfd	 pfd[RBL_MAXFDS];
	size_t		 n;
	int		 ms;

	while (!rbl_step(r, loop_now_ms())) {
		n = rbl_fds(r, pfd, RBL_MAXFDS);
		ms = rbl_wait_ms(r, loop_now_ms());
		(void)poll(pfd, n, ms < 0 ? 1000 : ms);
	}
	return 1;
}

/* See rbl.h. */
size_t
rbl_nresults(const struct rbl *r)
{
	return r->nres;
}

/* See rbl.h. */
const struct rbl_result *
rbl_result(const struct rbl *r, size_t i)
{
	return i < r->nres ? &r->res[i] : NULL;
}

/* See rbl.h. */
size_t
rbl_nhealth(const struct rbl *r)
{
	return r->nhs;
}

/* See rbl.h. */
const struct rbl_zone_health *
rbl_health(const struct rbl *r, size_t i)
{
	return i < r->nhs ? &r->hs[i].pub : NULL;
}

/* See rbl.h. */
void
rbl_summary(const struct rbl *r, struct rbl_summary *s)
{
	size_t	 i;

	*s = r->sum;
	if (s->done)
		return;
	s->results = r->nres;
	for (i = 0; i < r->nres; i++)
		if (r->res[i].v.status == RBL_PENDING)
			s->pending++;
}
