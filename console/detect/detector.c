/*
 * detector.c: event intake (see detector.h).
 *
 * Each event touches at most one account, found through the account table
 * (detect_table.c) by the case-folded name.  Mail events carry
 * only a queue id, so EV_SUBMIT records qid -> account in a bounded qidmap
 * and later events are attributed through it.  Signals are evaluated by
 * detect_eval.c after each event that changes an account.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_detail.h"
#include "detect_int.h"
#include "failtab.h"
#include "qidmap.h"
#include "core/dhash.h"

/* A message left the queue: take it off its account and the total. */
static void
detect_unqueue(struct detector *d, uint32_t v)
{
	struct account	*a = detect_by_index(d, v);

	if (a != NULL && a->queued_now > 0)
		a->queued_now--;
	if (d->queued > 0)
		d->queued--;
}

/* Whether the account has had history long enough for "new" to mean
   something. */
static int
detect_mature(const struct detector *d, const struct account *a)
{
	return d->now - a->first_seen >= d->cfg.new_ip_min_history;
}

/*
 * Remember the network (and, for SMTP, the country) of a login: every
 * protocol's logins make a network known, only SMTP logins count as new,
 * since sending is what a hijack is for.
 */
static void
detect_network(struct detector *d, struct account *a, const struct mail_ip *ip,
    int smtp)
{
	struct acct_novel	*nv;
	char			 cc[3];
	uint64_t		 nk;

	nk = detect_wide_key(d, ip, cc);
	if (seenset_see(&a->netseen, nk, d->now, DETECT_NETS_MAX,
	    &d->mem) == 1 && smtp && detect_mature(d, a) &&
	    (nv = detect_novel(d, a)) != NULL)
		newcount_add(&nv->nets, d->now);
	if (smtp && cc[0] != '\0')
		(void)ipwin_see(&a->countries, (uint64_t)(uint8_t)cc[0] << 8 |
		    (uint8_t)cc[1], d->now, 3600, &d->mem);
}

/* A successful login (or authenticated submission) from ev->client. */
static void
detect_login(struct detector *d, struct account *a,
    const struct mail_event *ev, int smtp)
{
	struct acct_novel	*nv;
	uint64_t		 ik;
	uint32_t		 n;
	int			 w = d->cfg.window;

	a->last_seen = d->now;
	if (ev->client.family != 4 && ev->client.family != 6) {
		a->fresh = 0;
		return;
	}
	ik = detect_ip_key(&ev->client);
	if (smtp) {
		/*
		 * An address this account never used, once it has a history
		 * long enough for that to mean something (with the earlier
		 * sessions' addresses seeded from the database).
		 */
		if (ipwin_see(&a->ips, ik, d->now, w, &d->mem) == 1 &&
		    detect_mature(d, a) && !detect_known(d, a->hash, ik) &&
		    (nv = detect_novel(d, a)) != NULL)
			newcount_add(&nv->addrs, d->now);
		(void)ipwin_see(&a->nets, detect_net_key(&ev->client), d->now,
		    w, &d->mem);
	}
	/* the network of the address it logged in from last is known */
	if (ik != a->net_ip || (smtp && d->ctx_fn != NULL)) {
		detect_network(d, a, &ev->client, smtp);
		a->net_ip = ik;
	}
	n = failtab_take(d->fails, failtab_key(a->hash, ik), d->now, w);
	/* Failures before the account existed were not counted on it. */
	if (a->fresh)
		a->auth_fail += n;
	a->fresh = 0;
	if (n > 0 && (n >= a->guessed_n || d->now - a->guessed_at >= w)) {
		a->guessed_n = n;
		a->guessed_at = d->now;
		a->guessed_ip = ev->client;
	}
}

/*
 * Whether a message from ip comes from an address new to the account:
 * first used within the novelty window, while the account had history,
 * and not known from an earlier session.
 */
static int
detect_from_new(const struct detector *d, const struct account *a,
    const struct mail_ip *ip)
{
	const struct ipwin_entry	*e;
	uint64_t			 ik;

	if ((e = detect_ip_entry(a, ip, &ik)) == NULL)
		return 0;
	return d->now - e->first < d->cfg.novelty_window &&
	    e->first - a->first_seen >= d->cfg.new_ip_min_history &&
	    !detect_known(d, a->hash, ik);
}

/* EV_SUBMIT: a message entered the queue, maybe from a logged-in client. */
static void
detect_submit(struct detector *d, const struct mail_event *ev)
{
	struct account		*a = detect_event_account(d, ev, 1);
	struct qid_entry	*q, old;
	struct acct_bucket	*b;
	uint64_t		 key, dk;

	if (!(ev->flags & EVF_EARLY))
		d->messages++;
	if (ev->qid.len > 0) {
		key = d->keys->qid;
		/* A reused id: the earlier message must have left. */
		if ((q = qidmap_find(d->qids, key)) != NULL &&
		    (q->flags & QF_QUEUED))
			detect_unqueue(d, q->value);
		if (qidmap_put(d->qids, key, a ? a->index : ACCT_NONE,
		    QF_QUEUED, &old) && (old.flags & QF_QUEUED))
			detect_unqueue(d, old.value);
		d->queued++;
		if (a != NULL)
			a->queued_now++;
	}
	if (a == NULL)
		return;
	if (ev->flags & EVF_EARLY) {
		if (a->early < DETECT_EARLY_MAX)
			a->early++;
	} else if (a->early > 0) {
		/* counted when the policy service told it, before queueing */
		a->early--;
		detect_login(d, a, ev, 1);
		detect_update(d, a);
		return;
	}
	detect_login(d, a, ev, 1);
	detect_roll(d, a);
	b = detect_bucket(d, a);
	if (++b->msgs > a->busiest)
		a->busiest = b->msgs;
	a->win_msgs++;
	a->messages++;
	if (detect_from_new(d, a, &ev->client)) {
		b->fresh++;
		a->win_fresh++;
	}
	if (detect_burst_submit(d, a, &ev->client)) {
		if (ev->qid.len > 0 && (q = qidmap_find(d->qids,
		    d->keys->qid)) != NULL)
			q->flags |= QF_BURST;
		else if ((ev->flags & EVF_EARLY) &&
		    (dk = detect_domain_key(&ev->rcpt)) != 0)
			/* the policy service's request: its log line will
			   not mark the queue id, so its recipient's domain
			   counts now */
			detect_burst_domain(d, a, dk);
	}
	detect_prof_note(d, a);
	detect_update(d, a);
}

/* EV_AUTH_OK: counts for guessed passwords always, for IPs if SMTP. */
static void
detect_auth_ok(struct detector *d, const struct mail_event *ev)
{
	struct account	*a;

	if ((a = detect_event_account(d, ev, 1)) == NULL)
		return;
	detect_login(d, a, ev, ev->service == SVC_SMTP);
	detect_update(d, a);
}

/*
 * EV_AUTH_FAIL: remembered per (name, IP) whether or not the account is
 * known, in a table that cannot grow.
 *
 * Only failures a protocol logged count (Postfix's "SASL ... authentication
 * failed", Dovecot's imap-login/pop3-login/submission-login lines).  The
 * lines of Dovecot's auth process (service unknown) are lookups behind
 * those: each failed attempt has a protocol-level twin, and with a deny
 * passdb every good login logs "unknown user" too, so counting them would
 * count twice and turn every login into a failure.
 */
static void
detect_auth_fail(struct detector *d, const struct mail_event *ev)
{
	struct account	*a;
	uint64_t	 h;

	if (ev->service == SVC_UNKNOWN)
		return;
	d->auth_fail++;
	if (ev->account.len == 0 || ev->account.len > DETECT_NAME_MAX)
		return;
	h = d->keys->account;
	if ((a = detect_account(d, &ev->account, h, 0)) != NULL)
		a->auth_fail++;
	if (ev->client.family == 4 || ev->client.family == 6)
		(void)failtab_fail(d->fails,
		    failtab_key(h, detect_ip_key(&ev->client)), d->now,
		    d->cfg.window);
}

/* The account that submitted the event's queue id, or NULL. */
static struct account *
detect_qid_account(struct detector *d, const struct mail_event *ev,
    struct qid_entry **qp)
{
	struct qid_entry	*q;

	*qp = NULL;
	if (ev->qid.len == 0 ||
	    (q = qidmap_find(d->qids, d->keys->qid)) ==
	    NULL)
		return NULL;
	*qp = q;
	return detect_by_index(d, q->value);
}

/* EV_QUEUED: the envelope; its recipients count once per message. */
static void
detect_queued(struct detector *d, const struct mail_event *ev)
{
	struct qid_entry	*q;
	struct account		*a = detect_qid_account(d, ev, &q);

	if (q == NULL || (q->flags & QF_ENVELOPE))
		return;
	q->flags |= QF_ENVELOPE;
	if (a == NULL)
		return;
	detect_roll(d, a);
	detect_bucket(d, a)->rcpts += ev->nrcpt;
	a->win_rcpts += ev->nrcpt;
	a->recipients += ev->nrcpt;
	detect_update(d, a);
}

/* EV_DELIVERED, EV_DEFERRED, EV_BOUNCED: one attempt for one recipient. */
static void
detect_delivery(struct detector *d, const struct mail_event *ev)
{
	struct qid_entry	*q;
	struct account		*a = detect_qid_account(d, ev, &q);
	struct acct_bucket	*b;
	uint64_t		 dk;

	if (a == NULL)
		return;
	detect_roll(d, a);
	b = detect_bucket(d, a);
	b->att++;
	a->win_att++;
	if (ev->kind != EV_DELIVERED) {
		b->fail++;
		a->win_fail++;
	}
	if ((dk = detect_domain_key(&ev->rcpt)) != 0) {
		(void)ipwin_see(&a->domains, dk, d->now, d->cfg.window,
		    &d->mem);
		if (q->flags & QF_BURST)
			detect_burst_domain(d, a, dk);
	}
	detect_update(d, a);
}

/* EV_REMOVED, EV_DELETED: the message left the queue for good. */
static void
detect_removed(struct detector *d, const struct mail_event *ev)
{
	struct qid_entry	*q;
	struct account		*a = detect_qid_account(d, ev, &q);
	uint32_t		 v, flags;

	if (q == NULL)
		return;
	v = q->value;
	flags = q->flags;
	qidmap_del(d->qids, q->key);
	if (flags & QF_QUEUED)
		detect_unqueue(d, v);
	if (a != NULL)
		detect_update(d, a);
}

struct detector *
detector_new(const struct detect_config *cfg)
{
	struct detector	*d;
	size_t		 n = 0, i;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->mem = sizeof(*d);
	d->at = -1;
	d->cfg = *cfg;
	d->cfg.allow = NULL;
	if (d->cfg.window < 60)
		d->cfg.window = 60;
	d->nb = d->cfg.window / 60 + 1;
	while (cfg->allow != NULL && cfg->allow[n] != NULL)
		n++;
	if ((d->cfg.allow = calloc(n + 1, sizeof(char *))) == NULL)
		goto fail;
	d->mem += (n + 1) * sizeof(char *);
	for (i = 0; i < n; i++) {
		if ((d->cfg.allow[i] = strdup(cfg->allow[i])) == NULL)
			goto fail;
		d->mem += strlen(cfg->allow[i]) + 1;
	}
	d->smask = 1023;
	d->qids = qidmap_new(DETECT_QIDS);
	d->fails = failtab_new(DETECT_FAILS);
	d->slot = calloc((size_t)d->smask + 1, sizeof(*d->slot));
	if (d->qids == NULL || d->fails == NULL || d->slot == NULL)
		goto fail;
	/* The queue-id and failure tables grow: detector_memory() adds
	   their sizes. */
	d->mem += ((size_t)d->smask + 1) * sizeof(*d->slot);
	return d;
fail:
	detector_free(d);
	return NULL;
}

void
detector_free(struct detector *d)
{
	struct account	*a;
	uint32_t	 i;
	char		**s;

	if (d == NULL)
		return;
	for (i = 0; i < d->nacct; i++) {
		a = d->acct[i];
		ipwin_free(&a->ips, &d->mem);
		ipwin_free(&a->nets, &d->mem);
		ipwin_free(&a->domains, &d->mem);
		ipwin_free(&a->countries, &d->mem);
		seenset_free(&a->netseen, &d->mem);
		detect_hist_free(d, a);
		detect_burst_free(d, a);
		free(a->why);
		free(a->confirm_why);
		free(a->peak_snap);
		free(a->confirm_snap);
		free(a);
	}
	for (s = d->cfg.allow; s != NULL && *s != NULL; s++)
		free(*s);
	free(d->cfg.allow);
	free(d->acct);
	free(d->slot);
	qidmap_free(d->qids);
	failtab_free(d->fails);
	free(d->known);
	free(d);
}

/* See detector.h. */
void
detector_keys(const struct mail_event *ev, struct detect_keys *k)
{
	k->qid = ev->qid.len > 0 ? qidmap_key(ev->qid.p, ev->qid.len) : 0;
	k->account = ev->account.len > 0 && ev->account.len <=
	    DETECT_NAME_MAX ? dhash_bytes(ev->account.p, ev->account.len, 1) :
	    0;
}

void
detector_feed(struct detector *d, const struct mail_event *ev)
{
	struct detect_keys	 k;

	detector_keys(ev, &k);
	detector_feed_keys(d, ev, &k);
}

/* See detector.h. */
void
detector_feed_keys(struct detector *d, const struct mail_event *ev,
    const struct detect_keys *k)
{
	d->keys = k;
	d->events++;
	if (ev->time > d->now)
		d->now = ev->time;
	d->at = ev->time;
	if (ev->flags & EVF_BAD_ACCOUNT)
		d->bad_account++;
	switch (ev->kind) {
	case EV_AUTH_OK:
		detect_auth_ok(d, ev);
		break;
	case EV_AUTH_FAIL:
		detect_auth_fail(d, ev);
		break;
	case EV_SUBMIT:
		detect_submit(d, ev);
		break;
	case EV_QUEUED:
		detect_queued(d, ev);
		break;
	case EV_DELIVERED:
	case EV_DEFERRED:
	case EV_BOUNCED:
		detect_delivery(d, ev);
		break;
	case EV_REMOVED:
	case EV_DELETED:
		detect_removed(d, ev);
		break;
	default:
		break;
	}
	d->at = -1;
	d->keys = NULL;
}

void
detector_prefetch_qid(struct detector *d, const char *qid, size_t len)
{
	qidmap_prefetch(d->qids, qidmap_key(qid, len));
}

/* See detector.h. */
void
detector_on_level(struct detector *d, detector_level_cb cb, void *arg)
{
	d->on_level = cb;
	d->on_level_arg = arg;
}

/* See detector.h. */
void
detector_on_confirm(struct detector *d, detector_confirm_cb cb, void *arg)
{
	d->on_confirm = cb;
	d->on_confirm_arg = arg;
}

void
detector_tick(struct detector *d, int64_t now)
{
	if (now > d->now)
		d->now = now;
}

size_t
detector_count(const struct detector *d)
{
	return d->nacct;
}

void
detector_foreach(struct detector *d, detector_cb cb, void *arg)
{
	(void)detector_foreach_range(d, 0, SIZE_MAX, cb, arg);
}

size_t
detector_foreach_range(struct detector *d, size_t start, size_t count,
    detector_cb cb, void *arg)
{
	struct account_report	 r;
	size_t			 i;

	for (i = start; i < d->nacct && i - start < count; i++) {
		detect_update(d, d->acct[i]);
		detect_report(d, d->acct[i], &r);
		cb(&r, arg);
	}
	return i;
}

void
detector_totals(const struct detector *d, struct detect_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->events = d->events;
	t->messages = d->messages;
	t->auth_fail = d->auth_fail;
	t->bad_account = d->bad_account;
	t->queued_now = d->queued;
	t->accounts_dropped = d->dropped;
}

size_t
detector_memory(const struct detector *d)
{
	return d->mem + qidmap_bytes(d->qids) + failtab_bytes(d->fails);
}
