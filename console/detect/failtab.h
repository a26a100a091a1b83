/*
 * failtab.h: recent failed logins per (account, client IP), bounded.
 *
 * A table of 4-way buckets keyed by a 64-bit hash of the login name and
 * the client address: a count and the time of the latest failure.  A new
 * key takes an empty way or the one failed longest ago, so a dictionary
 * attack over millions of names recycles slots instead of growing without
 * bound; accounts need not exist in the detector for their failures to be
 * kept.  It starts at 4096 slots and doubles, up to the size it was made
 * with, only when a new key would push out a failure still inside its
 * window.
 */
#ifndef MAILCON_FAILTAB_H
#define MAILCON_FAILTAB_H

#include <stddef.h>
#include <stdint.h>

struct failtab;

/* A table of at most n slots (rounded up to a power of two, at least 4). */
struct failtab	*failtab_new(uint32_t n);
void		 failtab_free(struct failtab *f);
/* The key for an account-name hash and an address hash (never 0). */
uint64_t	 failtab_key(uint64_t account_hash, uint64_t ip_hash);
/* Count a failure at now; failures older than window start over.
   Returns the count including this one. */
uint32_t	 failtab_fail(struct failtab *f, uint64_t key, int64_t now,
		    int window);
/* Failures for key within window before now, forgetting them. */
uint32_t	 failtab_take(struct failtab *f, uint64_t key, int64_t now,
		    int window);
size_t		 failtab_bytes(const struct failtab *f);

#endif
