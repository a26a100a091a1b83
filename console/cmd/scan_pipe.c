/*
 * scan_pipe.c: `mailcon scan` on two threads: reading and parsing on one,
 * the detector on the other, the events handed over in batches; or on one
 * thread, in smaller batches.  Either way the detector's tables are loaded
 * a few events ahead of each event (detector_prefetch).
 */
#define _GNU_SOURCE	/* sched_getaffinity: the CPUs we may run on */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan_int.h"
#include "core/xmalloc.h"
#include "detect/detector.h"

/*
 * With two CPUs or more, reading and parsing run on a thread of their own
 * and the detector on the main one.  Events go over in batches through a
 * bounded ring; the strings the detector reads (queue id, account,
 * recipient) are copied into the batch, since the lines they borrow from
 * are gone by the time it runs.  The detector sees the same events in the
 * same order as without the thread.
 */
#define PIPE_BATCH	2048			/* events per batch */
#define PIPE_LOCAL	256			/* on one thread: in the cache */
#define PIPE_AHEAD	2			/* events between prefetch steps */
#define PIPE_ARENA	(128u * 1024)		/* string bytes per batch */
#define PIPE_DEPTH	4			/* batches in flight */
#define PIPE_REASON	128			/* reason bytes kept (digest) */

struct scan_batch {
	struct mail_event	 ev[PIPE_BATCH];
	struct detect_keys	 key[PIPE_BATCH];	/* hashed on the
							   reading side */
	int			 n;
	char			*arena;
	size_t			 used, cap;
};

struct scan_pipe {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct scan_batch	 batch[PIPE_DEPTH];
	uint64_t		 head;		/* batches handed over */
	uint64_t		 tail;		/* batches fed */
	int			 done;		/* no more batches will come */
	int			 local;		/* one thread: fed as filled */
	int			 max;		/* events per batch */
	int			 rc;		/* of the reading side */
	char			 err[512];
};

/*
 * Feed a batch to the detector, each event's tables loaded ahead of it:
 * step k of event i + 1 + k * PIPE_AHEAD while event i is fed, so each
 * step finds what the one before it loaded.
 */
static void
scan_pipe_feed(struct scan *s, struct scan_batch *b)
{
	int	 i, k, j;

	for (i = 0; i < b->n; i++) {
		for (k = 0; k < DETECT_PREFETCH_STEPS; k++)
			if ((j = i + 1 + k * PIPE_AHEAD) < b->n)
				detector_prefetch(s->det, &b->ev[j],
				    &b->key[j], k);
		scan_feed_keys(s, &b->ev[i], &b->key[i]);
	}
}

/*
 * Hand the filled batch to the detector's thread and wait for a free one;
 * on one thread, feed it here.
 */
static void
scan_pipe_send(struct scan *s)
{
	struct scan_pipe	*pp = s->pipe;

	if (pp->local) {
		scan_pipe_feed(s, s->fill);
		s->fill->n = 0;
		s->fill->used = 0;
		return;
	}
	pthread_mutex_lock(&pp->lock);
	if (s->fill != NULL && s->fill->n > 0) {
		pp->head++;
		pthread_cond_broadcast(&pp->cond);
	}
	while (pp->head - pp->tail >= PIPE_DEPTH)
		pthread_cond_wait(&pp->cond, &pp->lock);
	s->fill = &pp->batch[pp->head % PIPE_DEPTH];
	pthread_mutex_unlock(&pp->lock);
	s->fill->n = 0;
	s->fill->used = 0;
}

/* Copy a borrowed string into the batch's arena (room was made). */
static void
scan_pipe_copy(struct scan_batch *b, struct mail_str *m)
{
	if (m->len == 0)
		return;
	memcpy(b->arena + b->used, m->p, m->len);
	m->p = b->arena + b->used;
	b->used += m->len;
}

/*
 * Queue an event for the detector's thread with the strings it reads
 * copied, and for --summary the sender and the start of the reason; the
 * others (relay, the raw line) are read by nobody there and are dropped.
 */
void
scan_pipe_put(struct scan *s, const struct mail_event *ev)
{
	struct scan_batch	*b = s->fill;
	struct mail_event	*e;
	size_t			 need;

	need = ev->qid.len + ev->account.len + ev->rcpt.len;
	if (s->digest != NULL)
		need += ev->sender.len + (ev->reason.len > PIPE_REASON ?
		    PIPE_REASON : ev->reason.len);
	if (b->n == s->pipe->max || b->cap - b->used < need) {
		scan_pipe_send(s);
		b = s->fill;
		if (b->cap < need) {
			/* a recipient of a megabyte: make room once */
			b->arena = xreallocarray(b->arena, need, 1);
			b->cap = need;
		}
	}
	e = &b->ev[b->n++];
	*e = *ev;
	memset(&e->relay, 0, sizeof(e->relay));
	memset(&e->raw, 0, sizeof(e->raw));
	if (s->digest == NULL) {
		memset(&e->sender, 0, sizeof(e->sender));
		memset(&e->reason, 0, sizeof(e->reason));
	} else if (e->reason.len > PIPE_REASON)
		e->reason.len = PIPE_REASON;
	scan_pipe_copy(b, &e->qid);
	scan_pipe_copy(b, &e->account);
	scan_pipe_copy(b, &e->rcpt);
	scan_pipe_copy(b, &e->sender);
	scan_pipe_copy(b, &e->reason);
	detector_keys(e, &b->key[b->n - 1]);
}
/* The reading thread: scan_run, then the last batch and the outcome. */
static void *
scan_reader(void *arg)
{
	struct scan		*s = arg;
	struct scan_pipe	*pp = s->pipe;
	int			 rc;

	rc = scan_run(s, pp->err, sizeof(pp->err));
	pthread_mutex_lock(&pp->lock);
	if (s->fill->n > 0)
		pp->head++;
	pp->rc = rc;
	pp->done = 1;
	pthread_cond_broadcast(&pp->cond);
	pthread_mutex_unlock(&pp->lock);
	return NULL;
}

/* Whether this process may run on two CPUs or more. */
int
scan_cpus(void)
{
#ifdef CPU_COUNT
	cpu_set_t	 set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
#endif
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/*
 * scan_run with reading and parsing on a second thread and the detector
 * here.  Returns -1, or 1 when the thread could not start (then the caller
 * runs everything itself).
 */
int
scan_run_piped(struct scan *s, char *err, size_t errlen)
{
	struct scan_pipe	*pp;
	struct scan_batch	*b;
	pthread_t		 th;
	int			 i, rc;

	pp = xcalloc(1, sizeof(*pp));
	pp->max = PIPE_BATCH;
	for (i = 0; i < PIPE_DEPTH; i++) {
		pp->batch[i].cap = PIPE_ARENA;
		pp->batch[i].arena = xmalloc(PIPE_ARENA);
	}
	pthread_mutex_init(&pp->lock, NULL);
	pthread_cond_init(&pp->cond, NULL);
	s->pipe = pp;
	s->fill = &pp->batch[0];
	if (pthread_create(&th, NULL, scan_reader, s) != 0) {
		rc = 1;
		goto out;
	}
	for (;;) {
		pthread_mutex_lock(&pp->lock);
		while (pp->head == pp->tail && !pp->done)
			pthread_cond_wait(&pp->cond, &pp->lock);
		if (pp->head == pp->tail) {
			pthread_mutex_unlock(&pp->lock);
			break;
		}
		b = &pp->batch[pp->tail % PIPE_DEPTH];
		pthread_mutex_unlock(&pp->lock);
		scan_pipe_feed(s, b);
		pthread_mutex_lock(&pp->lock);
		pp->tail++;
		pthread_cond_broadcast(&pp->cond);
		pthread_mutex_unlock(&pp->lock);
	}
	pthread_join(th, NULL);
	rc = pp->rc;
	if (rc == -1)
		snprintf(err, errlen, "%s", pp->err);
out:
	pthread_cond_destroy(&pp->cond);
	pthread_mutex_destroy(&pp->lock);
	for (i = 0; i < PIPE_DEPTH; i++)
		free(pp->batch[i].arena);
	free(pp);
	s->pipe = NULL;
	s->fill = NULL;
	return rc;
}

/*
 * scan_run on this thread, the events fed in small batches (which stay in
 * the cache) so that the detector's tables are loaded ahead of each event
 * as on two threads.  Returns 0, or -1 with err.
 */
int
scan_run_local(struct scan *s, char *err, size_t errlen)
{
	struct scan_pipe	*pp;
	int			 rc;

	pp = xcalloc(1, sizeof(*pp));
	pp->local = 1;
	pp->max = PIPE_LOCAL;
	pp->batch[0].cap = PIPE_ARENA;
	pp->batch[0].arena = xmalloc(PIPE_ARENA);
	s->pipe = pp;
	s->fill = &pp->batch[0];
	if ((rc = scan_run(s, err, errlen)) == 0)
		scan_pipe_feed(s, s->fill);
	free(pp->batch[0].arena);
	free(pp);
	s->pipe = NULL;
	s->fill = NULL;
	return rc;
}
