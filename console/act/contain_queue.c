/*
 * contain_queue.c: which queued messages are the account's, and whether
 * the MTA's tool really did what it said.
 *
 * A message is the account's when its queue id came from one of the
 * account's authenticated sessions (req.owns, from the logs) or its
 * envelope sender is the account.  The sender alone would miss a
 * hijacker's forged senders; the logs alone would miss mail submitted
 * before the console started reading them.  When the listing names the
 * login that submitted a message (Exim's -auth_id), that login decides:
 * the log's ids and the sender can only agree with it, never add a
 * message another login submitted (a forged log line or sender cannot
 * get someone else's mail purged).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contain_int.h"
#include "queue.h"
#include "core/xmalloc.h"

struct cq_pick {
	struct contain	*c;
	uint64_t	 sender;
	uint64_t	 auth;		/* as queue_msg's auth_hash */
	char		*buf;
	size_t		 len, cap;
	size_t		*offs;
	size_t		 n, capn;
};

/* Is the message one the operation applies to (not held yet, ...)? */
static int
cq_applies(enum queue_op op, const struct queue_rec *r)
{
	switch (op) {
	case QOP_HOLD:
		return r->queue != QUEUE_HOLD;
	case QOP_RELEASE:
		return r->queue == QUEUE_HOLD;
	default:
		return 1;
	}
}

/* queue_snapshot_foreach callback: keep the account's messages. */
static int
cq_pick_one(const char *qid, const struct queue_rec *r, void *arg)
{
	struct cq_pick	*p = arg;
	struct contain	*c = p->c;
	size_t		 len = strlen(qid);

	if (!cq_applies(c->qop, r))
		return 0;
	if (r->auth_hash != 0) {
		if (r->auth_hash != p->auth)
			return 0;
	} else if (r->sender_hash != p->sender && (c->req.owns == NULL ||
	    !c->req.owns(qid, len, c->req.owns_arg)))
		return 0;
	/* its queue, then the id: sorting the ids keeps the queue with it */
	if (p->len + len + 2 > p->cap) {
		p->cap = p->cap ? p->cap * 2 : 4096;
		p->buf = xreallocarray(p->buf, p->cap, 1);
	}
	if (p->n == p->capn) {
		p->capn = p->capn ? p->capn * 2 : 256;
		p->offs = xreallocarray(p->offs, p->capn, sizeof(*p->offs));
	}
	p->buf[p->len++] = (char)r->queue;
	p->offs[p->n++] = p->len;
	memcpy(p->buf + p->len, qid, len + 1);
	p->len += len + 1;
	return 0;
}

/* See contain_int.h. */
enum queue_name
cq_queue(const char *id)
{
	unsigned char	 q = (unsigned char)id[-1];

	return q < QUEUE_NAME_COUNT ? (enum queue_name)q : QUEUE_OTHER;
}

static int
cq_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* See contain_int.h. */
void
cq_select(struct contain *c, const struct queue_snapshot *s)
{
	struct cq_pick	 p;
	size_t		 i;

	cq_free(c);
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.sender = queue_sender_hash(c->account, strlen(c->account));
	if ((p.auth = p.sender) == 0)
		p.auth = 1;
	queue_snapshot_foreach(s, cq_pick_one, &p);
	c->idbuf = p.buf;
	c->ids = xcalloc(p.n > 0 ? p.n : 1, sizeof(*c->ids));
	for (i = 0; i < p.n; i++)
		c->ids[i] = p.buf + p.offs[i];
	free(p.offs);
	c->nids = p.n;
	if (c->nids > 1)
		qsort(c->ids, c->nids, sizeof(*c->ids), cq_cmp);
	c->res.selected = c->nids;
	c->beyond_cap = s->dropped;
}

struct cq_check {
	struct contain	*c;
	size_t		 left;		/* chosen and not done */
	size_t		 found;		/* chosen and still queued */
};

/* queue_snapshot_foreach callback: is a chosen message still undone? */
static int
cq_check_one(const char *qid, const struct queue_rec *r, void *arg)
{
	struct cq_check	*k = arg;
	struct contain	*c = k->c;

	if (bsearch(&qid, c->ids, c->nids, sizeof(*c->ids), cq_cmp) == NULL)
		return 0;
	k->found++;
	if (c->qop == QOP_DELETE || cq_applies(c->qop, r))
		k->left++;
	return 0;
}

/* See contain_int.h. */
void
cq_verify(struct contain *c, const struct queue_snapshot *s)
{
	static const char *const state[] = { "not on hold",
	    "still on hold", "still queued" };
	static const char *const done[] = { "on hold", "released" };
	const char	*list = c->mta->queue->list_name;
	struct cq_check	 k = { c, 0, 0 };

	if (cp_queue_has_still(c->sc))
		list = c->mta->queue->still_name;

	queue_snapshot_foreach(s, cq_check_one, &k);
	if (s->dropped > 0)
		contain_verified(c, 0, "could not check all: the queue has "
		    "more messages than mailcon keeps (%llu not examined)",
		    (unsigned long long)s->dropped);
	else if (k.left == 0 && c->qop == QOP_DELETE)
		contain_verified(c, 1, "%s: none of the %zu is queued any "
		    "more", list, c->nids);
	else if (k.left == 0 && k.found == c->nids)
		contain_verified(c, 1, "%s: all %zu %s", list, c->nids,
		    done[c->qop]);
	else if (k.left == 0)
		/* delivered or removed between the read and the operation */
		contain_verified(c, 1, "%s: %zu of the %zu %s, %zu no longer "
		    "queued", list, k.found, c->nids, done[c->qop],
		    c->nids - k.found);
	else
		contain_verified(c, 0, "%s: %zu of the %zu %s %s", list,
		    k.left, c->nids, k.left == 1 ? "is" : "are",
		    state[c->qop]);
}

/*
 * See contain_int.h.  The tool said, in its summary, how many of the ids
 * it changed; an id it does not find (delivered or gone since the read,
 * or already in the wanted state) it skips silently, so the rest are
 * those, unless it said some were busy (locked by a delivery).
 */
void
cq_reported(struct contain *c)
{
	static const char *const did[] = { "placed on hold", "released",
	    "removed" };
	const struct backend_queue_op *op = c->mta->queue->op[c->qop];
	char		**argv = cp_queue_tool_argv(c->sc);
	/* its words rendered: a placeholder (%{exim_command}) is no name */
	const char	*tool = op->name != NULL ? op->name : argv[0] != NULL ?
			    argv[0] : c->mta->name;
	size_t		 n = c->nids, d = c->res.done;

	if (c->qo_busy > 0)
		contain_verified(c, 0, "%s's report: %zu of the %zu %s, %zu "
		    "busy (locked by a delivery): run it again", tool, d, n,
		    did[c->qop], c->qo_busy);
	else if (d >= n)
		contain_verified(c, 1, "%s's report: all %zu %s", tool, n,
		    did[c->qop]);
	else
		contain_verified(c, 1, "%s's report: %zu of the %zu %s, %zu "
		    "no longer queued as read", tool, d, n, did[c->qop],
		    n - d);
	cp_argv_free(argv);
}

/* See contain_int.h. */
void
cq_free(struct contain *c)
{
	free(c->ids);
	free(c->idbuf);
	free(c->opids);
	c->opids = NULL;
	c->nopids = 0;
	c->ids = NULL;
	c->idbuf = NULL;
	c->nids = 0;
}
