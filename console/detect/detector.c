/*
 * detector.c: event intake and the account table (see detector.h).
 *
 * Each event touches at most one account, found through an open-addressing
 * hash of account indices keyed by the case-folded name.  Mail events carry
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

void
detect_config_defaults(struct detect_config *cfg)
{
	static const struct signal_limits lim[SIG_COUNT] = {
		[SIG_AUTH_IPS] = { 3, 6, 20 },
		[SIG_AUTH_NETS] = { 3, 5, 15 },
		[SIG_MSG_RATE] = { 10, 50, 200 },
		[SIG_RCPT_RATE] = { 50, 200, 1000 },
		[SIG_BASELINE] = { 5, 10, 50 },
		[SIG_FANOUT] = { 20, 100, 500 },
		[SIG_FAIL_RATIO] = { 30, 50, 80 },
		[SIG_GUESSED] = { 3, 8, 20 },
		[SIG_QUEUE_SHARE] = { 30, 50, 80 },
		[SIG_NEW_IPS] = { 6, 12, 30 },
		[SIG_NEW_NETS] = { 3, 4, 8 },
		[SIG_COUNTRIES] = { 3, 5, 10 },
	};

	memset(cfg, 0, sizeof(*cfg));
	cfg->window = 600;
	memcpy(cfg->limits, lim, sizeof(lim));
	cfg->baseline_min_history = 86400;
	cfg->baseline_min_rate = 5;
	cfg->ratio_min_attempts = 20;
	cfg->queue_min_messages = 100;
	cfg->new_ip_min_history = 86400;
	cfg->novelty_window = 21600;
	cfg->allow = NULL;
	cfg->max_accounts = 1000000;
}

const char *
signal_name(enum signal_id id)
{
	static const char *const names[SIG_COUNT] = {
		"auth_ips", "auth_nets", "msg_rate", "rcpt_rate", "baseline",
		"fanout", "fail_ratio", "guessed", "queue_share", "new_ips",
		"new_nets", "countries"
	};

	return (unsigned)id < SIG_COUNT ? names[id] : "unknown";
}

const char *
level_name(enum level l)
{
	static const char *const names[] = {
		"ok", "watch", "suspicious", "critical"
	};

	return (unsigned)l <= LEVEL_CRITICAL ? names[l] : "unknown";
}

char *
evidence_format(unsigned mask, char *buf, size_t len)
{
	static const char *const names[] = {
		"logins from many or new places", "volume",
		"deliveries refused", "a guessed password"
	};
	size_t		 i, o = 0;
	int		 n;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(mask & (1u << i)))
			continue;
		n = snprintf(buf + o, len - o, "%s%s", o > 0 ? ", " : "",
		    names[i]);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
	if (o == 0)
		snprintf(buf, len, "none");
	return buf;
}

/* Compare ASCII case-insensitively, whatever the locale. */
static int
detect_casecmp(const char *a, const char *b, size_t len)
{
	unsigned char	 x, y;
	size_t		 i;

	for (i = 0; i < len; i++) {
		x = (unsigned char)a[i];
		y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/*
 * Whether two names are equal ignoring ASCII case, eight bytes at a time
 * (the fold dhash uses, which maps exactly A-Z to a-z); every event with a
 * login compares one.
 */
static int
detect_caseeq(const char *a, const char *b, size_t len)
{
	uint64_t	 x, y;

	for (; len >= 8; a += 8, b += 8, len -= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (dhash_fold8(x) != dhash_fold8(y))
			return 0;
	}
	x = y = 0;
	memcpy(&x, a, len);
	memcpy(&y, b, len);
	return dhash_fold8(x) == dhash_fold8(y);
}

/* Key of one client address: IPv4 exactly, IPv6 hashed. */
static uint64_t
detect_ip_key(const struct mail_ip *ip)
{
	const uint8_t	*b = ip->bytes;

	if (ip->family == 4)
		return (4ULL << 56) | (uint64_t)b[0] << 24 |
		    (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 | b[3];
	return dhash_bytes(b, 16, 0);
}

/* Key of the network around an address: its /24 or /64, exactly. */
static uint64_t
detect_net_key(const struct mail_ip *ip)
{
	const uint8_t	*b = ip->bytes;
	uint64_t	 k = 0;
	int		 i;

	if (ip->family == 4)
		return (5ULL << 56) | (uint64_t)b[0] << 16 |
		    (uint64_t)b[1] << 8 | b[2];
	for (i = 0; i < 8; i++)
		k = k << 8 | b[i];
	return k;
}

/*
 * Key of the long-horizon network of an address: its AS number when the
 * context knows it, else its /16 (IPv4) or /32 (IPv6), the size of a
 * provider's allocation.  *cc gets the country ("" unknown).
 */
static uint64_t
detect_wide_key(const struct detector *d, const struct mail_ip *ip,
    char cc[3])
{
	struct ip_context	 c;
	const uint8_t		*b = ip->bytes;

	cc[0] = '\0';
	if (d->ctx_fn != NULL) {
		memset(&c, 0, sizeof(c));
		if (d->ctx_fn(d->ctx_arg, ip, &c, 0) == 1) {
			memcpy(cc, c.cc, 3);
			cc[2] = '\0';
			if (c.asn != 0)
				return (1ULL << 56) | c.asn;
		}
	}
	if (ip->family == 4)
		return (2ULL << 56) | (uint64_t)b[0] << 8 | b[1];
	return (3ULL << 56) | (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 |
	    (uint64_t)b[2] << 8 | b[3];
}

/* Key of a recipient's domain, case-folded; 0 when it has none. */
static uint64_t
detect_domain_key(const struct mail_str *rcpt)
{
	size_t	 at = rcpt->len;

	while (at > 0 && rcpt->p[at - 1] != '@')
		at--;
	if (at == 0 || at == rcpt->len)
		return 0;
	return dhash_bytes(rcpt->p + at, rcpt->len - at, 1) | 1;
}

/* Whether the allow-list names this account. */
static int
detect_allowed(const struct detector *d, const char *p, size_t len)
{
	char	**s;

	for (s = d->cfg.allow; s != NULL && *s != NULL; s++)
		if (strlen(*s) == len && detect_casecmp(*s, p, len) == 0)
			return 1;
	return 0;
}

/* Double the name index and reinsert every account. */
static int
detect_rehash(struct detector *d)
{
	uint32_t	 nmask = 2 * d->smask + 1, i, j, *ns;

	if ((ns = calloc((size_t)nmask + 1, sizeof(*ns))) == NULL)
		return -1;
	for (i = 0; i < d->nacct; i++) {
		for (j = (uint32_t)d->acct[i]->hash & nmask; ns[j] != 0;
		    j = (j + 1) & nmask)
			;
		ns[j] = i + 1;
	}
	free(d->slot);
	d->mem += ((size_t)nmask - d->smask) * sizeof(*ns);
	d->slot = ns;
	d->smask = nmask;
	return 0;
}

/* Make a new account for name and put it in index slot s. */
static struct account *
detect_account_new(struct detector *d, const struct mail_str *name,
    uint64_t h, uint32_t s)
{
	struct account	*a, **na;
	size_t		 sz;
	uint32_t	 ncap;

	if (d->nacct >= d->cfg.max_accounts) {
		d->dropped++;
		return NULL;
	}
	if (d->nacct == d->acap) {
		ncap = d->acap ? 2 * d->acap : 1024;
		if ((na = realloc(d->acct, ncap * sizeof(*na))) == NULL)
			return NULL;
		d->mem += (size_t)(ncap - d->acap) * sizeof(*na);
		d->acct = na;
		d->acap = ncap;
	}
	sz = sizeof(*a) + (size_t)d->nb * sizeof(struct acct_bucket) +
	    name->len + 1;
	if ((a = calloc(1, sz)) == NULL)
		return NULL;
	d->mem += sz;
	a->name = (char *)(a->ring + d->nb);
	memcpy(a->name, name->p, name->len);
	a->namelen = (uint32_t)name->len;
	a->hash = h;
	a->first_seen = a->last_seen = d->now;
	a->flagged_at = -1;
	a->confirmed_at = -1;
	a->usual_hour = -1;
	a->fresh = 1;
	a->ring_min = d->now >= 0 ? d->now / 60 : -((-d->now + 59) / 60);
	a->allowed = (uint8_t)detect_allowed(d, name->p, name->len);
	a->index = d->nacct;
	d->acct[d->nacct++] = a;
	d->slot[s] = a->index + 1;
	if (d->nacct * 2 > d->smask + 1)
		(void)detect_rehash(d);
	return a;
}

/* The account for name (hash h), created when asked and allowed. */
static struct account *
detect_account(struct detector *d, const struct mail_str *name, uint64_t h,
    int create)
{
	struct account	*a;
	uint32_t	 i, idx;

	for (i = (uint32_t)h & d->smask; (idx = d->slot[i]) != 0;
	    i = (i + 1) & d->smask) {
		a = d->acct[idx - 1];
		if (a->hash == h && a->namelen == name->len &&
		    detect_caseeq(a->name, name->p, name->len))
			return a;
	}
	return create ? detect_account_new(d, name, h, i) : NULL;
}

/* The account named by an event, or NULL (none, too long, refused). */
static struct account *
detect_event_account(struct detector *d, const struct mail_event *ev,
    int create)
{
	if (ev->account.len == 0 || ev->account.len > DETECT_NAME_MAX)
		return NULL;
	return detect_account(d, &ev->account,
	    dhash_bytes(ev->account.p, ev->account.len, 1), create);
}

/* The account a qidmap value names, or NULL. */
static struct account *
detect_by_index(const struct detector *d, uint32_t v)
{
	return v < d->nacct ? d->acct[v] : NULL;
}

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

/* The key of (account, IP) in the table of earlier sessions' addresses. */
static uint64_t
detect_known_key(uint64_t account_hash, uint64_t ip_key)
{
	uint64_t	 k = (account_hash ^ (ip_key * 0x9e3779b97f4a7c15ULL)) *
	    0xff51afd7ed558ccdULL;

	return k != 0 ? k : 1;
}

/* Did the account log in from this address in an earlier session? */
static int
detect_known(const struct detector *d, uint64_t account_hash, uint64_t ip_key)
{
	uint64_t	 k;
	uint32_t	 i;

	if (d->known == NULL)
		return 0;
	k = detect_known_key(account_hash, ip_key);
	for (i = (uint32_t)k & d->kmask; d->known[i] != 0;
	    i = (i + 1) & d->kmask)
		if (d->known[i] == k)
			return 1;
	return 0;
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

	if (ip->family != 4 && ip->family != 6)
		return 0;
	ik = detect_ip_key(ip);
	if ((e = ipwin_find(&a->ips, ik)) == NULL)
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
	uint64_t		 key;

	if (!(ev->flags & EVF_EARLY))
		d->messages++;
	if (ev->qid.len > 0) {
		key = qidmap_key(ev->qid.p, ev->qid.len);
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
	h = dhash_bytes(ev->account.p, ev->account.len, 1);
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
	    (q = qidmap_find(d->qids, qidmap_key(ev->qid.p, ev->qid.len))) ==
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
	if ((dk = detect_domain_key(&ev->rcpt)) != 0)
		(void)ipwin_see(&a->domains, dk, d->now, d->cfg.window,
		    &d->mem);
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

void
detector_feed(struct detector *d, const struct mail_event *ev)
{
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
}

void
detector_prefetch_qid(struct detector *d, const char *qid, size_t len)
{
	qidmap_prefetch(d->qids, qidmap_key(qid, len));
}

/* Remember (account, IP) in the table of earlier sessions' addresses. */
static int
detect_known_add(struct detector *d, uint64_t account_hash,
    const struct mail_ip *ip)
{
	uint64_t	 k, *nk;
	uint32_t	 i, ncap, j;

	k = detect_known_key(account_hash, detect_ip_key(ip));
	if (d->known == NULL || d->nknown + 1 > (d->kmask + 1) / 2) {
		ncap = d->known == NULL ? 1024 : 2 * (d->kmask + 1);
		if (ncap / 2 > DETECT_KNOWN_MAX)
			return -1;
		if ((nk = calloc(ncap, sizeof(*nk))) == NULL)
			return -1;
		for (i = 0; d->known != NULL && i <= d->kmask; i++) {
			if (d->known[i] == 0)
				continue;
			for (j = (uint32_t)d->known[i] & (ncap - 1); nk[j] != 0;
			    j = (j + 1) & (ncap - 1))
				;
			nk[j] = d->known[i];
		}
		d->mem += (size_t)ncap * sizeof(*nk) -
		    (d->known != NULL ? (size_t)(d->kmask + 1) * sizeof(*nk) :
		    0);
		free(d->known);
		d->known = nk;
		d->kmask = ncap - 1;
	}
	for (i = (uint32_t)k & d->kmask; d->known[i] != 0;
	    i = (i + 1) & d->kmask)
		if (d->known[i] == k)
			return 0;
	d->known[i] = k;
	d->nknown++;
	return 0;
}

int
detector_seed_ip(struct detector *d, const char *account,
    const struct mail_ip *ip)
{
	size_t	 len = strlen(account);

	if (len == 0 || len > DETECT_NAME_MAX || (ip->family != 4 &&
	    ip->family != 6) || !account_is_valid(account, len))
		return -1;
	return detect_known_add(d, dhash_bytes(account, len, 1), ip);
}

/* The account for a seeded name, created when new (first seen then). */
static struct account *
detect_seed_account(struct detector *d, const char *account,
    int64_t first_seen)
{
	struct mail_str	 name;
	struct account	*a;

	name.p = account;
	name.len = strlen(account);
	if (name.len == 0 || name.len > DETECT_NAME_MAX ||
	    !account_is_valid(name.p, name.len))
		return NULL;
	if ((a = detect_account(d, &name, dhash_bytes(name.p, name.len, 1),
	    1)) == NULL)
		return NULL;
	/* a new account: first seen then, not at the detector's clock (which
	   has not started before the first line) */
	if (a->fresh || first_seen < a->first_seen)
		a->first_seen = first_seen;
	if (a->fresh)
		a->last_seen = -1;
	a->fresh = 0;
	return a;
}

int
detector_seed_ip_seen(struct detector *d, const char *account,
    const struct mail_ip *ip, int64_t first, int64_t last)
{
	struct account	*a;
	struct acct_novel *nv;
	char		 cc[3];

	if (detector_seed_ip(d, account, ip) == -1 ||
	    (a = detect_seed_account(d, account, first)) == NULL)
		return -1;
	/* new to it then, once it had history: part of its usual */
	if (first - a->first_seen >= d->cfg.new_ip_min_history &&
	    (nv = detect_novel(d, a)) != NULL)
		newcount_add_at(&nv->addrs, first);
	/* its network is known too, as of when it was last used */
	if (seenset_see(&a->netseen, detect_wide_key(d, ip, cc), first,
	    DETECT_NETS_MAX, &d->mem) == -1)
		return -1;
	(void)seenset_see(&a->netseen, detect_wide_key(d, ip, cc), last,
	    DETECT_NETS_MAX, &d->mem);
	return 0;
}

int
detector_seed_peak(struct detector *d, const char *account,
    int64_t hour_start, uint32_t msgs)
{
	struct account	*a;

	if ((a = detect_seed_account(d, account, hour_start)) == NULL)
		return -1;
	return detect_prof_seed(d, a, hour_start, msgs);
}

void
detector_set_context(struct detector *d, detect_context_fn fn, void *arg)
{
	d->ctx_fn = fn;
	d->ctx_arg = arg;
}

const char *
detector_networks(const struct detector *d)
{
	return d->ctx_fn != NULL ? "AS numbers (GeoIP)" :
	    "/16 and /32 prefixes (no GeoIP database: [detect] geoip)";
}

int
detector_seed(struct detector *d, const char *account, int64_t first_seen,
    uint64_t messages)
{
	struct account	*a;

	if ((a = detect_seed_account(d, account, first_seen)) == NULL)
		return -1;
	a->messages += messages;
	return 0;
}

/* See detect_detail.h. */
long
detector_find(struct detector *d, const char *account)
{
	struct mail_str	 name;
	struct account	*a;

	name.p = account;
	name.len = strlen(account);
	if (name.len == 0 || name.len > DETECT_NAME_MAX)
		return -1;
	a = detect_account(d, &name, dhash_bytes(name.p, name.len, 1), 0);
	return a != NULL ? (long)a->index : -1;
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
