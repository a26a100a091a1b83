/*
 * u64map.h: a map from 64-bit keys (hashes) to 64-bit values, for the
 * tables a scan keeps beside the detector (scan --detail, --summary).
 *
 * Open addressing, grown by doubling, and bounded: past max entries a new
 * key is refused (the caller counts what it could not keep), so attacker
 * text hashed into keys can cost accuracy, never memory.  Key 0 is the
 * empty slot: u64map_key() never gives it.
 */
#ifndef MAILCON_U64MAP_H
#define MAILCON_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map {
	uint64_t	*keys;
	uint64_t	*vals;
	size_t		 cap;		/* slots, a power of two, or 0 */
	size_t		 n;		/* entries */
	size_t		 max;		/* entries at most */
};

void		 u64map_init(struct u64map *m, size_t max);
void		 u64map_free(struct u64map *m);
/* A hash of len bytes at p that is never 0 (fold: ASCII case-blind). */
uint64_t	 u64map_key(const void *p, size_t len, int fold);
/*
 * The value of key, or NULL.  With insert, a missing key is added with
 * value 0 (*fresh set to 1) unless the map is full (NULL).  The pointer
 * is valid until the next insert.
 */
uint64_t	*u64map_get(struct u64map *m, uint64_t key, int insert,
		    int *fresh);

#endif
