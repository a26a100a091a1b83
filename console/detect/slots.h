/*
 * slots.h: the open-addressing hash that ipwindow.c and seenset.c keep
 * over their entry arrays: slots of uint16 entry indices (index + 1, 0
 * empty), linear probing, deletion by shifting later probes back (no
 * tombstones).  Each entry starts with its uint64_t key; stride is the
 * size of an entry.  Header only: both callers inline it on every event.
 */
#ifndef MAILCON_SLOTS_H
#define MAILCON_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/dhash.h"

/* The key of entry idx (1-based). */
static inline uint64_t
slots_key(const void *ent, size_t stride, uint16_t idx)
{
	uint64_t	 k;

	__builtin_memcpy(&k, (const char *)ent + (size_t)(idx - 1) * stride,
	    sizeof(k));
	return k;
}

/* Slot where key lives or would go; mask is the slot count - 1. */
static inline uint32_t
slots_probe(const uint16_t *slot, uint32_t mask, const void *ent,
    size_t stride, uint64_t key)
{
	uint32_t	 i;

	for (i = (uint32_t)dhash_mix(key) & mask; slot[i] != 0;
	    i = (i + 1) & mask)
		if (slots_key(ent, stride, slot[i]) == key)
			break;
	return i;
}

/* Empty slot i, shifting later probes back. */
static inline void
slots_remove(uint16_t *slot, uint32_t mask, const void *ent, size_t stride,
    uint32_t i)
{
	uint32_t	 j, k;

	for (j = (i + 1) & mask; slot[j] != 0; j = (j + 1) & mask) {
		k = (uint32_t)dhash_mix(slots_key(ent, stride, slot[j])) & mask;
		/* Move j back to i unless its home is cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		slot[i] = slot[j];
		i = j;
	}
	slot[i] = 0;
}

#endif
