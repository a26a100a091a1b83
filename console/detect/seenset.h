/*
 * seenset.h: what one account used over a long horizon (the networks it
 * logged in from), in bounded memory, and how many keys were new to it in
 * each of the last eight days' hours.
 *
 * struct seenset is a capped exact set of 64-bit keys with the first and
 * latest sighting of each: an open-addressing hash of uint16 entry indices
 * over an array of entries that starts at 2 and doubles up to the cap the
 * caller gives.  When a new key arrives with the set full, the least
 * recently seen of 8 entries sampled from a point the key chooses is
 * forgotten (evicted is counted): an account that used more networks than
 * the cap may find a long-unused one new again, which only ever makes a
 * botnet-like account look more novel, never an ordinary one.
 *
 * struct newcount counts the keys that were new in each hour, in a ring of
 * NEWC_HOURS buckets (saturating at 255), and keeps two sums up to date as
 * the hours pass: "recent", the last w hours (the current one included),
 * and "before", the 168 hours (7 days) before those.  Reading either is
 * O(1); moving the clock costs one step per hour passed.
 *
 * A zeroed struct is empty.  Times are the detector's clock (seconds,
 * non-decreasing across calls).
 */
#ifndef MAILCON_SEENSET_H
#define MAILCON_SEENSET_H

#include <stddef.h>
#include <stdint.h>

#define SEEN_SAMPLE	8	/* entries looked at to choose an eviction */

struct seen_entry {
	uint64_t	 key;
	int64_t		 first;		/* first sighting */
	int64_t		 last;		/* latest sighting */
};

struct seenset {
	struct seen_entry *ent;		/* cap entries, then 2 * cap slots */
	uint16_t	*slot;		/* hash: entry index + 1, 0 empty */
	uint32_t	 evicted;	/* keys forgotten to stay under the cap */
	uint16_t	 cap;
	uint16_t	 n;
};

/*
 * Record a sighting of key at now, keeping at most max entries (1 to
 * 32768): 1 when the key was not in the set (it is now), 0 when it was,
 * -1 when memory ran out (the key is not stored).  *mem follows the bytes
 * allocated.
 */
int	 seenset_see(struct seenset *s, uint64_t key, int64_t now,
	    unsigned max, size_t *mem);
/* The entry for key, or NULL. */
const struct seen_entry *seenset_find(const struct seenset *s, uint64_t key);
/* Bytes allocated by s (the struct itself not included). */
size_t	 seenset_bytes(const struct seenset *s);
/* Release everything; s is empty again. */
void	 seenset_free(struct seenset *s, size_t *mem);

#define NEWC_HOURS	192	/* 8 days of hourly buckets */
#define NEWC_BEFORE	168	/* hours summed in "before" */
#define NEWC_RECENT_MAX	24	/* most hours in "recent" */

struct newcount {
	int64_t		 hour;		/* hour number of the newest bucket */
	uint32_t	 recent;	/* new keys in the last w hours */
	uint32_t	 before;	/* in the 168 hours before those */
	uint16_t	 nsat;		/* buckets at 255 in the sums */
	uint8_t		 w;		/* hours in recent, 1..24 */
	uint8_t		 started;	/* hour is valid */
	uint8_t		 b[NEWC_HOURS];
};

/* Start counting with recent = the last w hours (clamped to 1..24). */
void	 newcount_init(struct newcount *c, int w);
/* Move the clock to now: hours that passed leave the sums they were in. */
void	 newcount_roll(struct newcount *c, int64_t now);
/* A key new at now (after newcount_roll). */
void	 newcount_add(struct newcount *c, int64_t now);
/*
 * A key that was new at t, told later (from the console's history, in any
 * order): counted in the hour of t while that hour is still summed.
 */
void	 newcount_add_at(struct newcount *c, int64_t t);
/* Whether some bucket in recent or before reached 255 (counts are low). */
int	 newcount_saturated(const struct newcount *c);

#endif
