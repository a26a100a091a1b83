/*
 * failtab.c: bounded table of recent failed logins (see failtab.h).
 */
#include <stdlib.h>

#include "dhash.h"
#include "failtab.h"

#define FAIL_WAYS	4

struct fail_slot {
	uint64_t	 key;		/* 0: free */
	int64_t		 last;
	uint32_t	 count;
};

struct failtab {
	struct fail_slot *s;
	uint32_t	 n;		/* slots, a power of two */
};

struct failtab *
failtab_new(uint32_t n)
{
	struct failtab	*f;
	uint32_t	 c = FAIL_WAYS;

	while (c < n && c < (1u << 30))
		c <<= 1;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if ((f->s = calloc(c, sizeof(*f->s))) == NULL) {
		free(f);
		return NULL;
	}
	f->n = c;
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

uint32_t
failtab_fail(struct failtab *f, uint64_t key, int64_t now, int window)
{
	struct fail_slot	*b = failtab_bucket(f, key), *victim = b;
	int			 i;

	for (i = 0; i < FAIL_WAYS; i++) {
		if (b[i].key == key) {
			if (now - b[i].last >= window)
				b[i].count = 0;
			b[i].count++;
			if (now > b[i].last)
				b[i].last = now;
			return b[i].count;
		}
		/* Prefer a free way, else the stalest. */
		if (victim->key != 0 &&
		    (b[i].key == 0 || b[i].last < victim->last))
			victim = &b[i];
	}
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
