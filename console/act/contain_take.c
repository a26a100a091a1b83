/*
 * contain_take.c: hold, release or purge an account's queued mail with the
 * MTA's take (queue_take.h), where it has one: the read that chooses the
 * messages gives each of the account's login to the tool as it goes, so
 * that the operation runs while the rest of the queue is read, instead of
 * after it.
 *
 * The choice stays the console's: the records the take prints are chosen
 * as a read's are (cq_select(): the login decides; a message without one
 * by its sender or the logs), and the op then runs on the chosen ones the
 * tool did not report on (those without a login, the busy ones, which it
 * tries again).  The take is audited as one step before it runs: its
 * intent says what it will choose (the account's login) and what it does,
 * its outcome how many were chosen and done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contain_int.h"
#include "queue.h"
#include "queue_take.h"
#include "core/xmalloc.h"

/* See contain_int.h. */
int
contain_take_start(struct contain *c)
{
	char	**argv;

	if (c->req.count_only ||
	    (argv = cp_queue_take_argv(c->sc, c->account, c->qop)) == NULL)
		return -1;
	c->took = 1;
	c->take_done = 0;
	/* the words after "/bin/sh -c SCRIPT" are the audit's */
	contain_run(c, OP_QTAKE, argv, 3, 1, 0, "%s each queued message whose "
	    "login is the account's, as the read finds it (then those of no "
	    "login that sender or log make its)", contain_verb(c->qop));
	return 0;
}

/* The chosen ids the take did not report on: the op's (c->opids). */
static void
contain_take_left(struct contain *c)
{
	size_t	 i;

	free(c->opids);
	c->opids = xcalloc(c->nids + 1, sizeof(*c->opids));
	c->nopids = 0;
	for (i = 0; i < c->nids; i++)
		if (!queue_take_reported(c->qt, c->ids[i]))
			c->opids[c->nopids++] = c->ids[i];
}

/* The take's counts, in the audit's and the result's words. */
static void
contain_take_counts(struct contain *c, const struct queue_take_result *r,
    char *buf, size_t size)
{
	static const char *const did[] = { "held", "released", "purged" };

	snprintf(buf, size, "%zu %s as read", r->done, did[c->qop]);
	if (r->gone > 0)
		snprintf(buf + strlen(buf), size - strlen(buf), ", %zu no "
		    "longer queued or already so", r->gone);
	if (r->busy > 0)
		snprintf(buf + strlen(buf), size - strlen(buf), ", %zu locked "
		    "by a delivery (tried again after)", r->busy);
}

/* See contain_int.h. */
int
contain_take_step(struct contain *c, int64_t now)
{
	struct queue_take_result r;
	struct queue_snapshot	 snap;
	char			 err[512], counts[384];
	int			 rc, ms;

	if (c->qt == NULL) {
		if (c->argv == NULL)	/* refused by the audit */
			return 1;
		/* a read of the whole queue, and the op's batches */
		ms = c->deadline_ms > CONTAIN_QUEUE_MS ? c->deadline_ms :
		    CONTAIN_QUEUE_MS;
		c->qt = queue_take_start(&c->via, c->mta, c->qop, c->argv, now,
		    ms, err, sizeof(err));
		if (c->qt == NULL) {
			snprintf(c->last_err, sizeof(c->last_err), "%s", err);
			contain_outcome(c, 0, -1, NULL, err, strlen(err));
			return 1;
		}
	}
	if ((rc = queue_take_step(c->qt, now)) == 0)
		return 0;
	queue_take_result(c->qt, &r);
	c->take_done = r.done;
	contain_take_counts(c, &r, counts, sizeof(counts));
	if (rc == 1) {
		queue_snapshot_init(&snap, 0);
		queue_take_snapshot(c->qt, &snap);
		cq_select(c, &snap);
		queue_snapshot_clear(&snap);
		contain_take_left(c);
		snprintf(counts + strlen(counts), sizeof(counts) -
		    strlen(counts), "; %zu chosen, %zu left for the tool",
		    c->nids, c->nopids);
		c->last_ok = 1;
	} else
		snprintf(c->last_err, sizeof(c->last_err), "%s",
		    queue_take_error(c->qt));
	contain_outcome(c, rc == 1, rc == 1 ? 0 : -1, counts, rc == 1 ?
	    r.text : c->last_err, strlen(rc == 1 ? r.text : c->last_err));
	queue_take_free(c->qt);
	c->qt = NULL;
	c->op = OP_NONE;
	return 1;
}
