/*
 * detect_prefetch.c: loading what an event will touch before it is fed
 * (see detector_prefetch in detector.h).
 *
 * On a big log the detector's tables are far larger than the caches, and
 * each event walks a chain of dependent loads: the queue id's index slot,
 * its entry, the account, the account's address and domain sets.  Each is
 * a miss that the event otherwise waits for in turn.  A caller holding a
 * batch of events asks for one link of the chain per step, a few events
 * ahead, so that each load has had an event's worth of time to arrive when
 * the next link reads it.  Nothing here writes: a wrong guess (an entry the
 * events in between will change) costs a load and nothing else.
 */
#include <stdint.h>

#include "detect_int.h"
#include "qidmap.h"

/* Start loading the first bytes of p. */
static void
pf_line(const void *p)
{
	if (p != NULL)
		__builtin_prefetch(p);
}

/* Start loading an account's block: the struct and its minute ring. */
static void
pf_account(const struct detector *d, const struct account *a)
{
	const char	*p = (const char *)a;
	size_t		 n, i;

	n = sizeof(*a) + (size_t)d->nb * sizeof(struct acct_bucket);
	for (i = 0; i < n; i += 64)
		__builtin_prefetch(p + i);
}

/* Start loading an account's other blocks that every event reads. */
static void
pf_account_more(const struct account *a)
{
	pf_line(a->prof);
	pf_line(a->nov);
}

/* Start loading an address or domain set's entries and index. */
static void
pf_ipwin(const struct ipwin *w)
{
	if (w->cap == 0)
		return;
	pf_line(w->ent);
	pf_line(w->slot);
}

/* The account of a login (hash h), if its home index slot holds it. */
static const struct account *
pf_by_name(const struct detector *d, uint64_t h)
{
	uint64_t	 sl;

	sl = d->slot[(uint32_t)h & d->smask];
	if (sl == 0 || (sl ^ h) >> 32 != 0)
		return NULL;
	return d->acct[(uint32_t)sl - 1];
}

/* The account of a queue id (key), when its entry is there. */
static const struct account *
pf_by_qid(const struct detector *d, uint64_t key)
{
	struct qid_entry	*q;

	if ((q = qidmap_find(d->qids, key)) == NULL || q->value >= d->nacct)
		return NULL;
	return d->acct[q->value];
}

/*
 * See detector.h.  By name (logins, submissions): step 3 the index slot
 * (and the queue id's), 2 the account, 1 its profile and address sets.
 * By queue id (envelopes, deliveries, removals): step 3 the index slot, 2
 * the entry, 1 the account, 0 its profile and recipient domains.
 */
void
detector_prefetch(const struct detector *d, const struct mail_event *ev,
    const struct detect_keys *k, int step)
{
	const struct account	*a;

	if (ev->account.len > 0 && ev->account.len <= DETECT_NAME_MAX &&
	    (ev->kind == EV_SUBMIT || ev->kind == EV_AUTH_OK)) {
		switch (step) {
		case 3:
			pf_line(&d->slot[(uint32_t)k->account & d->smask]);
			/* where a submission's queue id goes */
			if (ev->qid.len > 0)
				qidmap_prefetch(d->qids, k->qid);
			break;
		case 2:
			if ((a = pf_by_name(d, k->account)) != NULL)
				pf_account(d, a);
			break;
		case 1:
			if ((a = pf_by_name(d, k->account)) != NULL) {
				pf_account_more(a);
				pf_ipwin(&a->ips);
				pf_ipwin(&a->nets);
			}
			break;
		default:
			break;
		}
		return;
	}
	if (ev->qid.len == 0)
		return;
	switch (step) {
	case 3:
		qidmap_prefetch(d->qids, k->qid);
		break;
	case 2:
		qidmap_prefetch_entry(d->qids, k->qid);
		break;
	case 1:
		if ((a = pf_by_qid(d, k->qid)) != NULL)
			pf_account(d, a);
		break;
	default:
		if ((a = pf_by_qid(d, k->qid)) == NULL)
			break;
		pf_account_more(a);
		if (ev->kind != EV_QUEUED && ev->kind != EV_REMOVED &&
		    ev->kind != EV_DELETED)
			pf_ipwin(&a->domains);
		break;
	}
}
