/*
 * rbl_cache.c: DNS answers kept for their TTL (capped at a day, bounded
 * in number), so a check run again soon asks the zones nothing new.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbl_int.h"
#include "core/dhash.h"
#include "core/xmalloc.h"

#define RBL_CACHE_MAX		65536
#define RBL_TTL_CAP		86400	/* a day, whatever the zone says */

/* See rbl.h. */
void
rbl_cache_clear(struct rbl *r)
{
	struct rbl_cached	*c, *next;
	size_t			 i;

	for (i = 0; i < RBL_CACHE_BUCKETS; i++) {
		for (c = r->cache[i]; c != NULL; c = next) {
			next = c->next;
			free(c);
		}
		r->cache[i] = NULL;
	}
	r->ncache = 0;
}

/* The bucket of (qname, type). */
static size_t
rbl_cache_slot(const char *qname, int type)
{
	return (size_t)(dhash_mix(dhash_bytes(qname, strlen(qname), 1) ^
	    (uint64_t)type) % RBL_CACHE_BUCKETS);
}

/* See rbl_int.h. */
const struct rbl_answer *
rbl_cache_get(struct rbl *r, const char *qname, int type)
{
	struct rbl_cached	**pp, *c;

	pp = &r->cache[rbl_cache_slot(qname, type)];
	while ((c = *pp) != NULL) {
		if (c->expires <= r->now) {
			*pp = c->next;
			free(c);
			r->ncache--;
			continue;
		}
		if (c->type == type && strcmp(c->qname, qname) == 0)
			return &c->a;
		pp = &c->next;
	}
	return NULL;
}

/* See rbl_int.h. */
void
rbl_cache_put(struct rbl *r, const char *qname, int type,
    const struct rbl_answer *a, uint32_t ttl)
{
	struct rbl_cached	*c;
	size_t			 slot;

	if (ttl == 0 || r->ncache >= RBL_CACHE_MAX ||
	    rbl_cache_get(r, qname, type) != NULL)
		return;
	if (ttl > RBL_TTL_CAP)
		ttl = RBL_TTL_CAP;
	slot = rbl_cache_slot(qname, type);
	c = xcalloc(1, sizeof(*c));
	snprintf(c->qname, sizeof(c->qname), "%s", qname);
	c->type = type;
	c->a = *a;
	c->expires = r->now + (int64_t)ttl * 1000;
	c->next = r->cache[slot];
	r->cache[slot] = c;
	r->ncache++;
}
