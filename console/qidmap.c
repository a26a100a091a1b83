/*
 * qidmap.c: bounded queue id -> account table (see qidmap.h).
 */
#include <stdlib.h>
#include <string.h>

#include "dhash.h"
#include "qidmap.h"

struct qidmap {
	struct qid_entry *ent;		/* ring, oldest at head once full */
	uint32_t	*slot;		/* 2 * cap: entry index + 1, 0 empty */
	uint32_t	 cap;
	uint32_t	 head;		/* next ring position to write */
	size_t		 live;
};

struct qidmap *
qidmap_new(uint32_t cap)
{
	struct qidmap	*q;
	uint32_t	 c = 2;

	while (c < cap && c < (1u << 30))
		c <<= 1;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->cap = c;
	q->ent = calloc(c, sizeof(*q->ent));
	q->slot = calloc(2 * (size_t)c, sizeof(*q->slot));
	if (q->ent == NULL || q->slot == NULL) {
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

/* Index slot holding key, or the empty slot where it would go. */
static uint32_t
qidmap_probe(const struct qidmap *q, uint64_t key)
{
	uint32_t	 mask = 2 * q->cap - 1, i;

	for (i = (uint32_t)dhash_mix(key) & mask; q->slot[i] != 0;
	    i = (i + 1) & mask)
		if (q->ent[q->slot[i] - 1].key == key)
			break;
	return i;
}

/* Empty index slot i, shifting later probes back (no tombstones). */
static void
qidmap_unslot(struct qidmap *q, uint32_t i)
{
	uint32_t	 mask = 2 * q->cap - 1, j, k;

	for (j = (i + 1) & mask; q->slot[j] != 0; j = (j + 1) & mask) {
		k = (uint32_t)dhash_mix(q->ent[q->slot[j] - 1].key) & mask;
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		q->slot[i] = q->slot[j];
		i = j;
	}
	q->slot[i] = 0;
}

struct qid_entry *
qidmap_find(struct qidmap *q, uint64_t key)
{
	uint32_t	 s;

	if (key == 0)
		key = 1;
	s = qidmap_probe(q, key);
	return q->slot[s] ? &q->ent[q->slot[s] - 1] : NULL;
}

int
qidmap_put(struct qidmap *q, uint64_t key, uint32_t value, uint32_t flags,
    struct qid_entry *evicted)
{
	struct qid_entry	*e;
	uint32_t		 s;
	int			 out = 0;

	if (key == 0)
		key = 1;
	s = qidmap_probe(q, key);
	if (q->slot[s] != 0) {
		e = &q->ent[q->slot[s] - 1];
		e->value = value;
		e->flags = flags;
		return 0;
	}
	e = &q->ent[q->head];
	if (e->key != 0) {
		/* Full circle: the oldest entry gives way. */
		*evicted = *e;
		out = 1;
		qidmap_unslot(q, qidmap_probe(q, e->key));
		q->live--;
		s = qidmap_probe(q, key);	/* the shift may move it */
	}
	e->key = key;
	e->value = value;
	e->flags = flags;
	q->slot[s] = q->head + 1;
	q->head = (q->head + 1) & (q->cap - 1);
	q->live++;
	return out;
}

void
qidmap_del(struct qidmap *q, uint64_t key)
{
	uint32_t	 s;

	if (key == 0)
		key = 1;
	s = qidmap_probe(q, key);
	if (q->slot[s] == 0)
		return;
	q->ent[q->slot[s] - 1].key = 0;
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
