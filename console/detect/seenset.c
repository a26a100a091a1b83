/*
 * seenset.c: capped long-horizon key sets and hourly counts of new keys
 * (see seenset.h).
 */
#include <stdlib.h>
#include <string.h>

#include "seenset.h"
#include "slots.h"
#include "core/dhash.h"

/* Slot of the hash where key lives or would go. */
static uint32_t
seenset_probe(const struct seenset *s, uint64_t key)
{
	return slots_probe(s->slot, 2u * s->cap - 1, s->ent, sizeof(*s->ent),
	    key);
}

/* Grow the storage to ncap entries and rehash; -1 without memory. */
static int
seenset_grow(struct seenset *s, uint32_t ncap, size_t *mem)
{
	struct seen_entry	*ne;
	size_t			 nsz, osz;
	uint32_t		 i;

	nsz = ncap * sizeof(*ne) + 2 * ncap * sizeof(uint16_t);
	osz = seenset_bytes(s);
	if ((ne = malloc(nsz)) == NULL)
		return -1;
	if (s->n)
		memcpy(ne, s->ent, s->n * sizeof(*ne));
	free(s->ent);
	*mem += nsz - osz;
	s->ent = ne;
	s->slot = (uint16_t *)(ne + ncap);
	s->cap = (uint16_t)ncap;
	memset(s->slot, 0, 2 * ncap * sizeof(uint16_t));
	for (i = 0; i < s->n; i++)
		s->slot[seenset_probe(s, s->ent[i].key)] = (uint16_t)(i + 1);
	return 0;
}

/* The entry to forget for key: the least recently seen of a sample. */
static uint16_t
seenset_victim(const struct seenset *s, uint64_t key)
{
	uint32_t	 i, j, best;

	best = j = (uint32_t)(dhash_mix(key ^ DHASH_K1) % s->n);
	for (i = 1; i < SEEN_SAMPLE && i < s->n; i++) {
		j = (j + 1) % s->n;
		if (s->ent[j].last < s->ent[best].last)
			best = j;
	}
	return (uint16_t)(best + 1);
}

int
seenset_see(struct seenset *s, uint64_t key, int64_t now, unsigned max,
    size_t *mem)
{
	struct seen_entry	*e;
	uint32_t		 i, ncap;
	uint16_t		 idx;

	if (max < 1)
		max = 1;
	if (max > 32768)
		max = 32768;
	if (s->cap != 0 && (idx = s->slot[seenset_probe(s, key)]) != 0) {
		e = &s->ent[idx - 1];
		if (now > e->last)
			e->last = now;
		return 0;
	}
	if (s->n == s->cap && s->n < max) {
		ncap = s->cap ? 2u * s->cap : 2;
		if (ncap > max)
			ncap = max;
		if (seenset_grow(s, ncap, mem) == -1)
			return -1;
	}
	if (s->n >= max) {
		/* full: forget one, reuse its entry */
		idx = seenset_victim(s, key);
		slots_remove(s->slot, 2u * s->cap - 1, s->ent,
		    sizeof(*s->ent), seenset_probe(s, s->ent[idx - 1].key));
		s->evicted++;
	} else
		idx = (uint16_t)(++s->n);
	e = &s->ent[idx - 1];
	e->key = key;
	e->first = e->last = now;
	i = seenset_probe(s, key);
	s->slot[i] = idx;
	return 1;
}

const struct seen_entry *
seenset_find(const struct seenset *s, uint64_t key)
{
	uint16_t	 idx;

	if (s->cap == 0 || (idx = s->slot[seenset_probe(s, key)]) == 0)
		return NULL;
	return &s->ent[idx - 1];
}

size_t
seenset_bytes(const struct seenset *s)
{
	return s->cap * sizeof(struct seen_entry) +
	    2u * s->cap * sizeof(uint16_t);
}

void
seenset_free(struct seenset *s, size_t *mem)
{
	*mem -= seenset_bytes(s);
	free(s->ent);
	memset(s, 0, sizeof(*s));
}

/* Floor of t / 3600. */
static int64_t
newcount_hour(int64_t t)
{
	return t >= 0 ? t / 3600 : -((-t + 3599) / 3600);
}

/* Ring slot of hour h. */
static int
newcount_slot(int64_t h)
{
	return (int)(((h % NEWC_HOURS) + NEWC_HOURS) % NEWC_HOURS);
}

void
newcount_init(struct newcount *c, int w)
{
	memset(c, 0, sizeof(*c));
	if (w < 1)
		w = 1;
	if (w > NEWC_RECENT_MAX)
		w = NEWC_RECENT_MAX;
	c->w = (uint8_t)w;
}

void
newcount_roll(struct newcount *c, int64_t now)
{
	int64_t	 h = newcount_hour(now), t;
	uint8_t	 v;

	if (!c->started) {
		c->hour = h;
		c->started = 1;
		return;
	}
	if (h <= c->hour)
		return;
	if (h - c->hour >= NEWC_HOURS) {
		memset(c->b, 0, sizeof(c->b));
		c->recent = c->before = 0;
		c->nsat = 0;
		c->hour = h;
		return;
	}
	for (t = c->hour + 1; t <= h; t++) {
		/* recent: t-w+1 .. t; before: t-w-167 .. t-w */
		v = c->b[newcount_slot(t - c->w - NEWC_BEFORE)];
		c->before -= v;
		if (v == 255)
			c->nsat--;
		v = c->b[newcount_slot(t - c->w)];
		c->recent -= v;
		c->before += v;
		c->b[newcount_slot(t)] = 0;
	}
	c->hour = h;
}

void
newcount_add(struct newcount *c, int64_t now)
{
	uint8_t	*b;

	newcount_roll(c, now);
	b = &c->b[newcount_slot(c->hour)];
	if (*b < 255) {
		if (++(*b) == 255)
			c->nsat++;
		c->recent++;
	}
}

void
newcount_add_at(struct newcount *c, int64_t t)
{
	int64_t	 h = newcount_hour(t);
	uint8_t	*b;

	if (!c->started || h >= c->hour) {
		newcount_add(c, t);
		return;
	}
	if (h <= c->hour - c->w - NEWC_BEFORE)
		return;		/* older than anything summed */
	b = &c->b[newcount_slot(h)];
	if (*b == 255)
		return;
	if (++(*b) == 255)
		c->nsat++;
	if (h > c->hour - c->w)
		c->recent++;
	else
		c->before++;
}

int
newcount_saturated(const struct newcount *c)
{
	return c->nsat > 0;
}
