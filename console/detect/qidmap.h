/*
 * qidmap.h: which account submitted a queue id, in bounded memory.
 *
 * A fixed-capacity table from a 64-bit hash of the queue id to a uint32
 * value (the detector's account index) and flags.  Entries sit in a ring in
 * insertion order behind an open-addressing index; when the ring is full the
 * oldest entry is overwritten and handed back to the caller, so counts that
 * depend on it (messages still queued) can be corrected.  Memory is fixed
 * at creation: 16 bytes per entry plus 8 bytes of index.
 */
#ifndef MAILCON_QIDMAP_H
#define MAILCON_QIDMAP_H

#include <stddef.h>
#include <stdint.h>

struct qid_entry {
	uint64_t	 key;		/* 0: free */
	uint32_t	 value;
	uint32_t	 flags;
};

struct qidmap;

/* A table of cap entries (rounded up to a power of two, at least 2). */
struct qidmap	*qidmap_new(uint32_t cap);
void		 qidmap_free(struct qidmap *q);
/* The 64-bit key for a queue id's text (never 0). */
uint64_t	 qidmap_key(const char *p, size_t len);
/* The live entry for key, or NULL.  Valid until the next put/del. */
struct qid_entry *qidmap_find(struct qidmap *q, uint64_t key);
/*
 * Insert or overwrite key.  Returns 1 and copies the entry that was pushed
 * out to *evicted when the table was full, 0 otherwise.
 */
int		 qidmap_put(struct qidmap *q, uint64_t key, uint32_t value,
		    uint32_t flags, struct qid_entry *evicted);
/* Start loading the index slot of key into the cache (a hint only). */
void		 qidmap_prefetch(const struct qidmap *q, uint64_t key);
/*
 * After qidmap_prefetch: start loading the entry its home slot points to
 * when that slot's tag is the key's (a hint only; reads the slot).
 */
void		 qidmap_prefetch_entry(const struct qidmap *q, uint64_t key);
/* Forget key (no-op when absent). */
void		 qidmap_del(struct qidmap *q, uint64_t key);
/* Live entries, and bytes allocated. */
size_t		 qidmap_count(const struct qidmap *q);
size_t		 qidmap_bytes(const struct qidmap *q);

#endif
