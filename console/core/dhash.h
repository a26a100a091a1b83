/*
 * dhash.h: fast 64-bit hashes for the detector's tables.
 *
 * Not cryptographic and not keyed: they spread keys over hash tables and
 * HyperLogLog registers.  Every table that hashes attacker-chosen text is
 * bounded, so a crafted collision can cost accuracy, never memory.
 */
#ifndef MAILCON_DHASH_H
#define MAILCON_DHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define DHASH_K1	0x9e3779b97f4a7c15ULL
#define DHASH_K2	0xbf58476d1ce4e5b9ULL
#define DHASH_K3	0x94d049bb133111ebULL

/* Finalise a 64-bit value so every input bit affects every output bit. */
static inline uint64_t
dhash_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= DHASH_K2;
	x ^= x >> 27;
	x *= DHASH_K3;
	x ^= x >> 31;
	return x;
}

/* Fold ASCII upper case to lower case in all eight bytes of w at once. */
static inline uint64_t
dhash_fold8(uint64_t w)
{
	const uint64_t	 lo7 = 0x7f7f7f7f7f7f7f7fULL;
	const uint64_t	 hi = 0x8080808080808080ULL;
	uint64_t	 h7 = w & lo7;
	uint64_t	 ge_a = h7 + 0x3f3f3f3f3f3f3f3fULL;	/* >= 'A' */
	uint64_t	 gt_z = h7 + 0x2525252525252525ULL;	/* > 'Z' */
	uint64_t	 upper = ~w & (ge_a ^ gt_z) & hi;

	return w | (upper >> 2);
}

/* Hash len bytes at p, ASCII case-folded when fold is nonzero. */
static inline uint64_t
dhash_bytes(const void *p, size_t len, int fold)
{
	const unsigned char	*s = p;
	uint64_t		 h = DHASH_K1 ^ (len * DHASH_K3), w;

	while (len >= 8) {
		memcpy(&w, s, 8);
		if (fold)
			w = dhash_fold8(w);
		h = (h ^ w) * DHASH_K1;
		h ^= h >> 29;
		s += 8;
		len -= 8;
	}
	if (len > 0) {
		w = 0;
		memcpy(&w, s, len);
		if (fold)
			w = dhash_fold8(w);
		h = (h ^ w) * DHASH_K1;
		h ^= h >> 29;
	}
	return dhash_mix(h);
}

#endif
