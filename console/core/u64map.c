/* u64map.c: a bounded open-addressing map of 64-bit keys; see u64map.h. */
#include <stdlib.h>
#include <string.h>

#include "dhash.h"
#include "u64map.h"
#include "xmalloc.h"

#define U64MAP_FIRST	1024	/* slots at the first insert */

/* See u64map.h. */
void
u64map_init(struct u64map *m, size_t max)
{
	memset(m, 0, sizeof(*m));
	m->max = max;
}

/* See u64map.h. */
void
u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* See u64map.h. */
uint64_t
u64map_key(const void *p, size_t len, int fold)
{
	uint64_t	 k = dhash_mix(dhash_bytes(p, len, fold));

	return k != 0 ? k : 1;
}

/* The slot of key, or the empty one where it would go. */
static size_t
u64map_slot(const struct u64map *m, uint64_t key)
{
	size_t	 mask = m->cap - 1, i = (size_t)key & mask;

	while (m->keys[i] != 0 && m->keys[i] != key)
		i = (i + 1) & mask;
	return i;
}

/* Twice the slots, every entry moved. */
static void
u64map_grow(struct u64map *m)
{
	uint64_t	*keys = m->keys, *vals = m->vals;
	size_t		 old = m->cap, i, j;

	m->cap = old > 0 ? old * 2 : U64MAP_FIRST;
	m->keys = xcalloc(m->cap, sizeof(*m->keys));
	m->vals = xcalloc(m->cap, sizeof(*m->vals));
	for (i = 0; i < old; i++) {
		if (keys[i] == 0)
			continue;
		j = u64map_slot(m, keys[i]);
		m->keys[j] = keys[i];
		m->vals[j] = vals[i];
	}
	free(keys);
	free(vals);
}

/* See u64map.h. */
uint64_t *
u64map_get(struct u64map *m, uint64_t key, int insert, int *fresh)
{
	size_t	 i;

	if (fresh != NULL)
		*fresh = 0;
	if (key == 0)
		key = 1;
	if (m->cap > 0) {
		i = u64map_slot(m, key);
		if (m->keys[i] == key)
			return &m->vals[i];
	}
	if (!insert || m->n >= m->max)
		return NULL;
	if (2 * (m->n + 1) > m->cap)
		u64map_grow(m);
	i = u64map_slot(m, key);
	m->keys[i] = key;
	m->vals[i] = 0;
	m->n++;
	if (fresh != NULL)
		*fresh = 1;
	return &m->vals[i];
}
