/* detect_detail.c: read one account's addresses and minutes for display. */
#include <stdlib.h>
#include <string.h>

#include "detect_detail.h"
#include "detect_int.h"
#include "qidmap.h"
#include "core/dhash.h"

/* See detect_detail.h. */
long
detector_qid_owner(struct detector *d, const char *qid, size_t len)
{
	struct qid_entry	*q;

	if (len == 0 || (q = qidmap_find(d->qids, qidmap_key(qid, len))) ==
	    NULL || q->value >= d->nacct)
		return -1;
	return (long)q->value;
}

/* See detect_detail.h; must match detector.c's key for IPv6. */
uint64_t
detail_ip6_key(const struct mail_ip *ip)
{
	return dhash_bytes(ip->bytes, 16, 0);
}

/* Turn a detector key back into an IPv4 address (IPv6 keys are hashes). */
static void
detail_key_ip(uint64_t key, struct mail_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if ((key >> 56) != 4)
		return;
	ip->family = 4;
	ip->bytes[0] = (uint8_t)(key >> 24);
	ip->bytes[1] = (uint8_t)(key >> 16);
	ip->bytes[2] = (uint8_t)(key >> 8);
	ip->bytes[3] = (uint8_t)key;
}

/* Latest sighting first, then the most used, then by address. */
static int
detail_ip_cmp(const void *a, const void *b)
{
	const struct account_ip *x = a, *y = b;
	int			 c;

	if (x->last != y->last)
		return x->last > y->last ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	/* ties in address order: rows keep their places between refreshes */
	if (x->ip.family != y->ip.family)
		return x->ip.family < y->ip.family ? -1 : 1;
	if ((c = memcmp(x->ip.bytes, y->ip.bytes, sizeof(x->ip.bytes))) != 0)
		return c;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* See detect_detail.h. */
int
detector_detail(const struct detector *d, long index,
    struct account_detail *out, struct account_ip *ips, size_t cap)
{
	const struct account	*a;
	const struct ipwin	*w;
	int64_t			 now_min, m, usual;
	size_t			 i, n = 0;
	int			 k, exact;

	memset(out, 0, sizeof(*out));
	if (index < 0 || (uint64_t)index >= d->nacct)
		return -1;
	a = d->acct[index];

	/* Minutes: the ring holds nb minutes ending at ring_min. */
	now_min = d->now >= 0 ? d->now / 60 : -((-d->now + 59) / 60);
	out->nminutes = d->nb < DETAIL_MINUTES ? d->nb : DETAIL_MINUTES;
	for (k = 0; k < out->nminutes; k++) {
		m = now_min - (out->nminutes - 1 - k);
		if (m > a->ring_min || m <= a->ring_min - d->nb)
			continue;	/* not in the ring: nothing then */
		out->msgs[k] = a->ring[((m % d->nb) + d->nb) % d->nb].msgs;
		out->rcpts[k] = a->ring[((m % d->nb) + d->nb) % d->nb].rcpts;
	}
	if ((usual = detect_prof_usual(d, a)) > 0)
		out->base_rate = (double)usual / (d->cfg.window / 60.0);
	out->no_history = d->now - a->first_seen < d->cfg.new_ip_min_history;
	out->has_context = d->ctx_fn != NULL;

	w = &a->ips;
	for (i = 0; i < w->n; i++) {
		if (w->ent[i].count == 0)
			continue;
		if (n < cap) {
			ips[n].key = w->ent[i].key;
			detail_key_ip(w->ent[i].key, &ips[n].ip);
			ips[n].first = w->ent[i].first;
			ips[n].last = w->ent[i].last;
			ips[n].count = w->ent[i].count;
			memset(&ips[n].ctx, 0, sizeof(ips[n].ctx));
			n++;
		}
		out->ips_total++;
	}
	if (n > 1)
		qsort(ips, n, sizeof(*ips), detail_ip_cmp);
	/* context for the rows shown only: a lookup each */
	for (i = 0; i < n && d->ctx_fn != NULL; i++)
		if (ips[i].ip.family != 0)
			(void)d->ctx_fn(d->ctx_arg, &ips[i].ip, &ips[i].ctx, 1);
	out->nips = n;
	(void)ipwin_total(w, &exact);
	out->ips_exact = exact;
	return 0;
}

/* See detect_detail.h. */
int
detector_recent(const struct detector *d, long index, uint32_t *now,
    uint32_t *before, int *sec)
{
	const struct account	*a;
	int64_t			 m;

	*now = *before = 0;
	*sec = 0;
	if (index < 0 || (uint64_t)index >= d->nacct)
		return -1;
	a = d->acct[index];
	m = d->now >= 0 ? d->now / 60 : -((-d->now + 59) / 60);
	*sec = (int)(d->now - m * 60);
	/* the ring holds nb minutes ending at ring_min */
	if (m <= a->ring_min && m > a->ring_min - d->nb)
		*now = a->ring[((m % d->nb) + d->nb) % d->nb].msgs;
	m--;
	if (m <= a->ring_min && m > a->ring_min - d->nb)
		*before = a->ring[((m % d->nb) + d->nb) % d->nb].msgs;
	return 0;
}
