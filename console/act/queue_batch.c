/*
 * queue_batch.c: a queue operation's ids cut into batches, by count, by
 * bytes of arguments and by the queue the tool is told to look in; and
 * which ids go again in the next round (see queue_op.h).
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "queue_op_int.h"
#include "core/xmalloc.h"

/* See queue_op_int.h. */
int
qo_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The index in asked[] of the id a line names, or -1 (not asked for). */
ssize_t
qo_asked_index(const struct queue_op_run *run, const struct queue_line *l,
    char *id)
{
	char	*key = id, **at;

	if (l->id.p == NULL || l->id.len == 0 || l->id.len > QUEUE_ID_MAX)
		return -1;
	memcpy(id, l->id.p, l->id.len);
	id[l->id.len] = '\0';
	if (run->asked == NULL || (at = bsearch(&key, run->asked, run->nids,
	    sizeof(*run->asked), qo_cmp)) == NULL)
		return -1;
	return at - run->asked;
}

/* Keep an id for the next round, once among the first n kept. */
void
qo_again(struct queue_op_run *run, const char *id, size_t n)
{
	size_t	 i, len = strlen(id);
	char	*p;

	for (i = 0, p = run->busybuf; i < n; i++, p += strlen(p) + 1)
		if (strcmp(p, id) == 0)
			return;
	if (run->busylen + len + 1 > run->busycap) {
		run->busycap = run->busycap ? run->busycap * 2 : 1024;
		run->busybuf = xreallocarray(run->busybuf, run->busycap, 1);
	}
	memcpy(run->busybuf + run->busylen, id, len + 1);
	run->busylen += len + 1;
	run->nbusy++;
}

/*
 * Cut the ids into batches: by count, as arguments by bytes too, and where
 * the queue word (words[i] for ids[i]; words NULL: none) changes.
 */
void
qo_batches(struct queue_op_run *run, const char *const *ids,
    const char *const *words, size_t nids)
{
	const struct backend_queue_op *q = run->qop;
	size_t	 i, len, off = 0, in = 0, bytes = 0;

	free(run->batch_off);
	free(run->batch_id);
	free(run->bq);
	free(run->ids);
	run->nbatch = run->batch = 0;
	run->batch_off = xcalloc(nids + 2, sizeof(*run->batch_off));
	run->batch_id = xcalloc(nids + 2, sizeof(*run->batch_id));
	run->bq = xcalloc(nids + 2, sizeof(*run->bq));
	run->ids = xreallocarray(NULL, nids + 1, QUEUE_ID_MAX + 1);
	for (i = 0; i < nids; i++) {
		len = strlen(ids[i]);
		if (in > 0 && (in == q->batch_max || (q->ids == QIDS_ARGV &&
		    q->argv_max > 0 && bytes + len + 1 > q->argv_max) ||
		    (words != NULL && words[i] != words[i - 1]))) {
			run->nbatch++;
			in = bytes = 0;
		}
		if (in == 0) {
			run->batch_off[run->nbatch] = off;
			run->batch_id[run->nbatch] = i;
			run->bq[run->nbatch] = words != NULL ? words[i] : NULL;
		}
		memcpy(run->ids + off, ids[i], len);
		off += len;
		run->ids[off++] = '\n';
		in++;
		bytes += len + 1;
	}
	if (in > 0)
		run->nbatch++;
	run->batch_off[run->nbatch] = off;
	run->batch_id[run->nbatch] = nids;
}

/* The ids asked for, sorted: a busy line is believed only for one. */
void
qo_asked(struct queue_op_run *run, const char *const *ids)
{
	size_t	 i;

	run->asked = xcalloc(run->nids + 1, sizeof(*run->asked));
	for (i = 0; i < run->nids; i++)
		run->asked[i] = xstrdup(ids[i]);
	if (run->nids > 1)
		qsort(run->asked, run->nids, sizeof(*run->asked), qo_cmp);
}

/*
 * The ids in batches: grouped by the op's queue word of each id's queue
 * (queues NULL, or an op without words: as they are).
 */
void
qo_first_batches(struct queue_op_run *run, const char *const *ids,
    const enum queue_name *queues, size_t nids)
{
	const char *const	*qw = run->qop->queue_words;
	const char		**order, **words;
	size_t			 i, k, nw, *at, *grp;

	if (qw == NULL || queues == NULL || nids == 0) {
		qo_batches(run, ids, NULL, nids);
		return;
	}
	for (nw = 0; qw[nw] != NULL; nw++)
		;
	/* a stable counting sort: group k < nw is qw[k], nw no word */
	grp = xcalloc(nids, sizeof(*grp));
	at = xcalloc(nw + 2, sizeof(*at));
	for (i = 0; i < nids; i++) {
		for (k = 0; k < nw; k++)
			if (strcmp(qw[k], queue_name_string(queues[i])) == 0)
				break;
		grp[i] = k;
		at[k + 1]++;
	}
	for (k = 1; k <= nw + 1; k++)
		at[k] += at[k - 1];
	order = xcalloc(nids, sizeof(*order));
	words = xcalloc(nids, sizeof(*words));
	for (i = 0; i < nids; i++) {
		k = at[grp[i]]++;
		order[k] = ids[i];
		words[k] = grp[i] < nw ? qw[grp[i]] : NULL;
	}
	qo_batches(run, order, words, nids);
	run->said = xcalloc(nids, 1);
	free(order);
	free(words);
	free(at);
	free(grp);
}

/*
 * The ids of the round's batches that named a queue, which the tool did
 * not say it did: moved since the read (deferred to active), so they go
 * again without the word.  After the busy ones, once.
 */
void
qo_missed(struct queue_op_run *run)
{
	size_t	 b, nb = run->nbusy;
	char	*p, *e, *key, **at;

	for (b = 0; run->said != NULL && b < run->nbatch; b++) {
		if (run->bq[b] == NULL)
			continue;
		p = run->ids + run->batch_off[b];
		e = run->ids + run->batch_off[b + 1];
		while (p < e) {
			key = p;
			p = strchr(p, '\n');
			*p++ = '\0';
			at = bsearch(&key, run->asked, run->nids,
			    sizeof(*run->asked), qo_cmp);
			if (at != NULL && !run->said[at - run->asked])
				qo_again(run, key, nb);
		}
		run->bq[b] = NULL;
	}
}
