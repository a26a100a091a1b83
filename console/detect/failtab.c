/*
 * failtab.c: bounded table of recent failed logins (see failtab.h).
 */
#include <stdlib.h>

#include "failtab.h"
#include "core/dhash.h"

#define FAIL_WAYS	4

struct fail_slot {
	uint64_t	 key;		/* 0: free */
	int64_t		 last;
	uint32_t	 count;
};

struct failtab {
	struct fail_slot *s;
	uint32_t	 n;		/* slots now, a power of two */
	uint32_t	 max;		/* slots at most */
};

/*
 * A table starts this small and doubles, up to its size, only when a new
 * failure would push out one still inside its window: a console following
 * 50 servers keeps 50 tables, and most never see a brute force.
 */
#define FAIL_START	4096

struct failtab *
failtab_new(uint32_t n)
{
	struct failtab	*f;
	uint32_t	 c = FAIL_WAYS;

	while (c < n && c < (1u << 30))
		c <<= 1;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->max = c;
	f->n = c < FAIL_START ? c : FAIL_START;
	if ((f->s = calloc(f->n, sizeof(*f->s))) == NULL) {
		free(f);
		return NULL;
	}
	return f;
}

void
failtab_free(struct failtab *f)
{
	if (f == NULL)
		return;
	free(f->s);
	free(f);
}

uint64_t
failtab_key(uint64_t account_hash, uint64_t ip_hash)
{
	uint64_t	 k = dhash_mix(account_hash ^ (ip_hash * DHASH_K1));

	return k ? k : 1;
}

/* First way of the bucket that key maps to. */
static struct fail_slot *
failtab_bucket(const struct failtab *f, uint64_t key)
{
	return &f->s[(uint32_t)dhash_mix(key) & (f->n - 1) &
	    ~(uint32_t)(FAIL_WAYS - 1)];
}

/* The way of bucket b for a new key: a free one, else the stalest. */
static struct fail_slot *
failtab_victim(struct fail_slot *b)
{
	struct fail_slot	*v = b;
	int			 i;

	for (i = 0; i < FAIL_WAYS; i++)
		if (v->key != 0 && (b[i].key == 0 || b[i].last < v->last))
			v = &b[i];
	return v;
}

/* Double the table, every entry moved to its new bucket.  -1: no memory
   (the table then recycles at its present size). */
static int
failtab_grow(struct failtab *f)
{
	struct fail_slot	*old = f->s, *v;
	uint32_t		 n = f->n, i;

	if ((f->s = calloc(2 * (size_t)n, sizeof(*f->s))) == NULL) {
		f->s = old;
		return -1;
	}
	f->n = 2 * n;
	for (i = 0; i < n; i++)
		if (old[i].key != 0) {
			v = failtab_victim(failtab_bucket(f, old[i].key));
			*v = old[i];
		}
	free(old);
	return 0;
}

uint32_t
failtab_fail(struct failtab *f, uint64_t key, int64_t now, int window)
{
	struct fail_slot	*b = failtab_bucket(f, key), *victim;
	int			 i;

	for (i = 0; i < FAIL_WAYS; i++)
		if (b[i].key == key) {
			if (now - b[i].last >= window)
				b[i].count = 0;
			b[i].count++;
			if (now > b[i].last)
				b[i].last = now;
			return b[i].count;
		}
	victim = failtab_victim(b);
	if (victim->key != 0 && now - victim->last < window &&
	    f->n < f->max && failtab_grow(f) == 0)
		victim = failtab_victim(failtab_bucket(f, key));
	victim->key = key;
	victim->last = now;
	victim->count = 1;
	return 1;
}

uint32_t
failtab_take(struct failtab *f, uint64_t key, int64_t now, int window)
{
	struct fail_slot	*b = failtab_bucket(f, key);
	uint32_t		 n;
	int			 i;

	for (i = 0; i < FAIL_WAYS; i++) {
		if (b[i].key != key)
			continue;
		n = now - b[i].last < window ? b[i].count : 0;
		b[i].key = 0;
		b[i].count = 0;
		return n;
	}
	return 0;
}

size_t
failtab_bytes(const struct failtab *f)
{
	return sizeof(*f) + f->n * sizeof(*f->s);
}
