/*
 * ipwindow.h: how many distinct keys (client IPs, networks, recipient
 * domains) one account used, within a sliding window and in all, in
 * bounded memory.
 *
 * Up to DETECT_EXACT_IPS keys are kept exactly: an open-addressing hash of
 * uint16 entry indices over entries that sit on one of two doubly linked
 * lists ordered by last sighting, "in window" and "aged out".  A sighting
 * moves its entry to the front of the window list; aging pops entries off
 * the tail of the window list onto the aged-out list.  The window count is
 * the window list's length: exact and O(1) amortized.  Storage starts at 4
 * entries and doubles, because most accounts have one to three IPs.
 *
 * When a new key arrives and all DETECT_EXACT_IPS entries are taken, the
 * oldest aged-out entry is recycled; if every entry is in the window, the
 * key is not stored.  Either way the exact counts can no longer be trusted,
 * so the first such loss allocates an estimator (HyperLogLog, 2^12 one-byte
 * registers, ~1.6% standard error): one sketch for all time and one per
 * minute of the window, seeded from the exact entries.  Counts then come
 * from the sketches (never below the exact figures); the window count turns
 * exact again once a whole window has passed without a loss.
 *
 * Keys are 64-bit; callers make them (an IPv4 address is its own key, an
 * IPv6 address or a domain is hashed) and the structure mixes them again.
 * A zeroed struct ipwin is an empty one.  Times are the detector's clock:
 * non-decreasing across calls.
 */
#ifndef MAILCON_IPWINDOW_H
#define MAILCON_IPWINDOW_H

#include <stddef.h>
#include <stdint.h>

/* One exactly-kept key.  Links are entry index + 1, 0 for none. */
struct ipwin_entry {
	uint64_t	 key;
	int64_t		 first;		/* first sighting */
	int64_t		 last;		/* latest sighting */
	uint32_t	 count;		/* sightings */
	uint16_t	 prev;
	uint16_t	 next;
};

struct ipwin_est;

struct ipwin {
	struct ipwin_entry *ent;	/* cap entries, then 2 * cap slots */
	uint16_t	*slot;		/* hash: entry index + 1, 0 empty */
	struct ipwin_est *est;		/* NULL until the first loss */
	int64_t		 last_drop;	/* latest key not stored (if dropped) */
	int64_t		 tail_last;	/* last sighting of the window list's
					   tail: aging reads no entry until
					   one is due */
	uint16_t	 cap;		/* entries allocated */
	uint16_t	 n;		/* entries used */
	uint16_t	 whead, wtail;	/* in window, newest first */
	uint16_t	 shead, stail;	/* aged out, newest first */
	uint16_t	 nwin;		/* length of the window list */
	uint8_t		 lost;		/* a key was recycled or not stored */
	uint8_t		 dropped;	/* last_drop is valid */
};

/*
 * Record a sighting of key at now: 1 when key was not known exactly before
 * (a new entry), 0 when it was (or the estimator alone took it), -1 if
 * memory ran out (counts go low).
 */
int	ipwin_see(struct ipwin *w, uint64_t key, int64_t now, int window,
	    size_t *mem);
/* Age entries out of the window as of now. */
void	ipwin_advance(struct ipwin *w, int64_t now, int window);
/* Distinct keys seen within (now - window, now]; call ipwin_advance first. */
uint64_t ipwin_in_window(const struct ipwin *w, int64_t now, int window,
	    int *exact);
/* Distinct keys ever seen. */
uint64_t ipwin_total(const struct ipwin *w, int *exact);
/* The exact entry for key, or NULL. */
const struct ipwin_entry *ipwin_find(const struct ipwin *w, uint64_t key);
/* Bytes allocated by w (the struct itself not included). */
size_t	ipwin_bytes(const struct ipwin *w);
/* Release everything; w is empty again. */
void	ipwin_free(struct ipwin *w, size_t *mem);

#endif
