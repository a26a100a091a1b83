/*
 * qidmap.c: bounded queue id -> account table (see qidmap.h).
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qidmap.h"
#include "core/dhash.h"

/*
 * An index slot holds the entry index + 1 in its low ibits bits and, above
 * them, the top bits of the entry's mixed key as a tag (0: empty).  A probe
 * passes over other keys without reading their entries: on a table this
 * size every such read is a cache miss.
 */
struct qidmap {
	struct qid_entry *ent;		/* ring, oldest at head once full */
	uint32_t	*slot;		/* 2 * cap: tag and entry index + 1 */
	uint32_t	 cap;		/* entries now */
	uint32_t	 max;		/* entries at most */
	uint32_t	 head;		/* next ring position to write */
	uint32_t	 ibits;		/* low bits of a slot: the index */
	int		 full;		/* cap == max and the ring wrapped */
	size_t		 live;
};

/*
 * A table starts this small and doubles up to its capacity: a console
 * following 50 quiet servers must not hold 50 tables sized for a
 * three-million-message incident (24 MB each, in huge pages once touched).
 */
#define QIDMAP_START	4096

/*
 * Ask for huge pages under a large table: every event probes it at a random
 * place, and with 4 KB pages most probes also miss the TLB.  Only the 2 MB
 * aligned inside of the block is advised; a refusal changes nothing.
 */
static void
qidmap_hugepages(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t	 huge = 2u << 20;
	uintptr_t	 lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t	 hi = ((uintptr_t)p + len) & ~(huge - 1);

	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

/* Size the ring and index for c entries (a power of two), index empty. */
static int
qidmap_alloc(struct qidmap *q, uint32_t c)
{
	struct qid_entry	*ent;
	uint32_t		*slot;

	if ((ent = realloc(q->ent, c * sizeof(*ent))) == NULL)
		return -1;
	q->ent = ent;
	memset(ent + q->cap, 0, (c - q->cap) * sizeof(*ent));
	if ((slot = calloc(2 * (size_t)c, sizeof(*slot))) == NULL)
		return -1;
	free(q->slot);
	q->slot = slot;
	q->cap = c;
	for (q->ibits = 1; (c >> q->ibits) != 0; q->ibits++)
		;	/* c itself (the largest index + 1) must fit */
	qidmap_hugepages(q->ent, c * sizeof(*q->ent));
	qidmap_hugepages(q->slot, 2 * (size_t)c * sizeof(*q->slot));
	return 0;
}

struct qidmap *
qidmap_new(uint32_t cap)
{
	struct qidmap	*q;
	uint32_t	 c = 2;

	while (c < cap && c < (1u << 30))
		c <<= 1;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->max = c;
	if (qidmap_alloc(q, c < QIDMAP_START ? c : QIDMAP_START) == -1) {
		qidmap_free(q);
		return NULL;
	}
	return q;
}

void
qidmap_free(struct qidmap *q)
{
	if (q == NULL)
		return;
	free(q->ent);
	free(q->slot);
	free(q);
}

uint64_t
qidmap_key(const char *p, size_t len)
{
	uint64_t	 k = dhash_bytes(p, len, 0);

	return k ? k : 1;
}

/* Slot tag of a key mixed to h: its top bits, never 0 (see struct qidmap). */
static uint32_t
qidmap_tag(const struct qidmap *q, uint64_t h)
{
	return ((uint32_t)(h >> 32) >> q->ibits | 1) << q->ibits;
}

/* Index slot holding key (mixed: h), or the empty slot where it would go. */
static uint32_t
qidmap_probe(const struct qidmap *q, uint64_t key, uint64_t h)
{
	uint32_t	 mask = 2 * q->cap - 1, imask = (1u << q->ibits) - 1,
			 tag = qidmap_tag(q, h), i, sl;

	for (i = (uint32_t)h & mask; (sl = q->slot[i]) != 0;
	    i = (i + 1) & mask)
		if ((sl & ~imask) == tag &&
		    q->ent[(sl & imask) - 1].key == key)
			break;
	return i;
}

/* The entry a nonempty slot points to. */
static struct qid_entry *
qidmap_entry(const struct qidmap *q, uint32_t sl)
{
	return &q->ent[(sl & ((1u << q->ibits) - 1)) - 1];
}

/* Empty index slot i, shifting later probes back (no tombstones). */
static void
qidmap_unslot(struct qidmap *q, uint32_t i)
{
	uint32_t	 mask = 2 * q->cap - 1, j, k;

	for (j = (i + 1) & mask; q->slot[j] != 0; j = (j + 1) & mask) {
		k = (uint32_t)dhash_mix(qidmap_entry(q, q->slot[j])->key) &
		    mask;
		/* Move j back to i unless its home is cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		q->slot[i] = q->slot[j];
		i = j;
	}
	q->slot[i] = 0;
}

/*
 * Double the table, the ring not yet wrapped: its entries keep their
 * positions and only the index is rebuilt.  -1 when memory is short: the
 * ring then wraps at its present size, which loses the oldest ids early
 * but nothing else.
 */
static int
qidmap_grow(struct qidmap *q)
{
	struct qid_entry	*e;
	uint64_t		 h;
	uint32_t		 i;

	if (qidmap_alloc(q, q->cap * 2) == -1)
		return -1;
	for (i = 0; i < q->head; i++) {
		e = &q->ent[i];
		if (e->key == 0)
			continue;
		h = dhash_mix(e->key);
		q->slot[qidmap_probe(q, e->key, h)] = qidmap_tag(q, h) |
		    (i + 1);
	}
	return 0;
}

struct qid_entry *
qidmap_find(struct qidmap *q, uint64_t key)
{
	uint32_t	 s;

	if (key == 0)
		key = 1;
	s = qidmap_probe(q, key, dhash_mix(key));
	return q->slot[s] ? qidmap_entry(q, q->slot[s]) : NULL;
}

int
qidmap_put(struct qidmap *q, uint64_t key, uint32_t value, uint32_t flags,
    struct qid_entry *evicted)
{
	struct qid_entry	*e;
	uint64_t		 h;
	uint32_t		 s;
	int			 out = 0;

	if (key == 0)
		key = 1;
	h = dhash_mix(key);
	s = qidmap_probe(q, key, h);
	if (q->slot[s] != 0) {
		e = qidmap_entry(q, q->slot[s]);
		e->value = value;
		e->flags = flags;
		return 0;
	}
	if (!q->full && q->head == q->cap) {
		if (q->cap < q->max && qidmap_grow(q) == 0)
			s = qidmap_probe(q, key, h);
		else {
			q->full = 1;
			q->head = 0;
		}
	}
	e = &q->ent[q->head];
	if (e->key != 0) {
		/* Full circle: the oldest entry gives way. */
		*evicted = *e;
		out = 1;
		qidmap_unslot(q, qidmap_probe(q, e->key, dhash_mix(e->key)));
		q->live--;
		s = qidmap_probe(q, key, h);	/* the shift may move it */
	}
	e->key = key;
	e->value = value;
	e->flags = flags;
	q->slot[s] = qidmap_tag(q, h) | (q->head + 1);
	q->head++;
	if (q->full)
		q->head &= q->cap - 1;
	q->live++;
	return out;
}

void
qidmap_prefetch(const struct qidmap *q, uint64_t key)
{
	if (key == 0)
		key = 1;
	__builtin_prefetch(&q->slot[(uint32_t)dhash_mix(key) &
	    (2 * q->cap - 1)]);
}

void
qidmap_prefetch_entry(const struct qidmap *q, uint64_t key)
{
	uint64_t	 h;
	uint32_t	 sl;

	if (key == 0)
		key = 1;
	h = dhash_mix(key);
	sl = q->slot[(uint32_t)h & (2 * q->cap - 1)];
	if (sl != 0 && (sl & ~((1u << q->ibits) - 1)) == qidmap_tag(q, h))
		__builtin_prefetch(qidmap_entry(q, sl));
}

void
qidmap_del(struct qidmap *q, uint64_t key)
{
	uint32_t	 s;

	if (key == 0)
		key = 1;
	s = qidmap_probe(q, key, dhash_mix(key));
	if (q->slot[s] == 0)
		return;
	qidmap_entry(q, q->slot[s])->key = 0;
	qidmap_unslot(q, s);
	q->live--;
}

size_t
qidmap_count(const struct qidmap *q)
{
	return q->live;
}

size_t
qidmap_bytes(const struct qidmap *q)
{
	return sizeof(*q) + q->cap * sizeof(*q->ent) +
	    2 * (size_t)q->cap * sizeof(*q->slot);
}
