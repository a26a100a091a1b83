/*
 * detect_table.c: the account table (an open-addressing hash of account
 * indices keyed by the case-folded name), the keys of addresses, networks
 * and domains, and the addresses of earlier sessions (see detector.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_detail.h"
#include "detect_int.h"
#include "core/dhash.h"

/* Compare ASCII case-insensitively, whatever the locale. */
static int
detect_casecmp(const char *a, const char *b, size_t len)
{
	unsigned char	 x, y;
	size_t		 i;

	for (i = 0; i < len; i++) {
		x = (unsigned char)a[i];
		y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/*
 * Whether two names are equal ignoring ASCII case, eight bytes at a time
 * (the fold dhash uses, which maps exactly A-Z to a-z); every event with a
 * login compares one.
 */
static int
detect_caseeq(const char *a, const char *b, size_t len)
{
	uint64_t	 x, y;

	for (; len >= 8; a += 8, b += 8, len -= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (dhash_fold8(x) != dhash_fold8(y))
			return 0;
	}
	x = y = 0;
	memcpy(&x, a, len);
	memcpy(&y, b, len);
	return dhash_fold8(x) == dhash_fold8(y);
}

/* Key of one client address: IPv4 exactly, IPv6 hashed. */
uint64_t
detect_ip_key(const struct mail_ip *ip)
{
	const uint8_t	*b = ip->bytes;

	if (ip->family == 4)
		return (4ULL << 56) | (uint64_t)b[0] << 24 |
		    (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 | b[3];
	return dhash_bytes(b, 16, 0);
}

/* The account's SMTP login entry of ip (*ik its key), or NULL. */
const struct ipwin_entry *
detect_ip_entry(const struct account *a, const struct mail_ip *ip,
    uint64_t *ik)
{
	if (ip->family != 4 && ip->family != 6)
		return NULL;
	*ik = detect_ip_key(ip);
	return ipwin_find(&a->ips, *ik);
}

/* Key of the network around an address: its /24 or /64, exactly. */
uint64_t
detect_net_key(const struct mail_ip *ip)
{
	const uint8_t	*b = ip->bytes;
	uint64_t	 k = 0;
	int		 i;

	if (ip->family == 4)
		return (5ULL << 56) | (uint64_t)b[0] << 16 |
		    (uint64_t)b[1] << 8 | b[2];
	for (i = 0; i < 8; i++)
		k = k << 8 | b[i];
	return k;
}

/*
 * Key of the long-horizon network of an address: its AS number when the
 * context knows it, else its /16 (IPv4) or /32 (IPv6), the size of a
 * provider's allocation.  *cc gets the country ("" unknown).
 */
uint64_t
detect_wide_key(const struct detector *d, const struct mail_ip *ip,
    char cc[3])
{
	struct ip_context	 c;
	const uint8_t		*b = ip->bytes;

	cc[0] = '\0';
	if (d->ctx_fn != NULL) {
		memset(&c, 0, sizeof(c));
		if (d->ctx_fn(d->ctx_arg, ip, &c, 0) == 1) {
			memcpy(cc, c.cc, 3);
			cc[2] = '\0';
			if (c.asn != 0)
				return (1ULL << 56) | c.asn;
		}
	}
	if (ip->family == 4)
		return (2ULL << 56) | (uint64_t)b[0] << 8 | b[1];
	return (3ULL << 56) | (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 |
	    (uint64_t)b[2] << 8 | b[3];
}

/* Key of a recipient's domain, case-folded; 0 when it has none. */
uint64_t
detect_domain_key(const struct mail_str *rcpt)
{
	size_t	 at = rcpt->len;

	while (at > 0 && rcpt->p[at - 1] != '@')
		at--;
	if (at == 0 || at == rcpt->len)
		return 0;
	return dhash_bytes(rcpt->p + at, rcpt->len - at, 1) | 1;
}

/* Whether the allow-list names this account. */
static int
detect_allowed(const struct detector *d, const char *p, size_t len)
{
	char	**s;

	for (s = d->cfg.allow; s != NULL && *s != NULL; s++)
		if (strlen(*s) == len && detect_casecmp(*s, p, len) == 0)
			return 1;
	return 0;
}

/*
 * A name index slot: the account's index + 1 in the low half, the top half
 * of its name hash above, so that a probe passes over other names without
 * loading their accounts (each such load is a cache miss on big logs).
 */
static uint64_t
detect_slot(uint64_t h, uint32_t index)
{
	return (h & 0xffffffff00000000ULL) | ((uint64_t)index + 1);
}

/* Double the name index and reinsert every account. */
static int
detect_rehash(struct detector *d)
{
	uint32_t	 nmask = 2 * d->smask + 1, i, j;
	uint64_t	*ns;

	if ((ns = calloc((size_t)nmask + 1, sizeof(*ns))) == NULL)
		return -1;
	for (i = 0; i < d->nacct; i++) {
		for (j = (uint32_t)d->acct[i]->hash & nmask; ns[j] != 0;
		    j = (j + 1) & nmask)
			;
		ns[j] = detect_slot(d->acct[i]->hash, i);
	}
	free(d->slot);
	d->mem += ((size_t)nmask - d->smask) * sizeof(*ns);
	d->slot = ns;
	d->smask = nmask;
	return 0;
}

/* Make a new account for name and put it in index slot s. */
static struct account *
detect_account_new(struct detector *d, const struct mail_str *name,
    uint64_t h, uint32_t s)
{
	struct account	*a, **na;
	size_t		 sz;
	uint32_t	 ncap;

	if (d->nacct >= d->cfg.max_accounts) {
		d->dropped++;
		return NULL;
	}
	if (d->nacct == d->acap) {
		ncap = d->acap ? 2 * d->acap : 1024;
		if ((na = realloc(d->acct, ncap * sizeof(*na))) == NULL)
			return NULL;
		d->mem += (size_t)(ncap - d->acap) * sizeof(*na);
		d->acct = na;
		d->acap = ncap;
	}
	sz = sizeof(*a) + (size_t)d->nb * sizeof(struct acct_bucket) +
	    name->len + 1;
	if ((a = calloc(1, sz)) == NULL)
		return NULL;
	d->mem += sz;
	a->name = (char *)(a->ring + d->nb);
	memcpy(a->name, name->p, name->len);
	a->namelen = (uint32_t)name->len;
	a->hash = h;
	a->first_seen = a->last_seen = d->now;
	a->flagged_at = -1;
	a->confirmed_at = -1;
	a->usual_hour = -1;
	a->fresh = 1;
	a->ring_min = d->now >= 0 ? d->now / 60 : -((-d->now + 59) / 60);
	a->allowed = (uint8_t)detect_allowed(d, name->p, name->len);
	a->index = d->nacct;
	d->acct[d->nacct++] = a;
	d->slot[s] = detect_slot(h, a->index);
	if (d->nacct * 2 > d->smask + 1)
		(void)detect_rehash(d);
	return a;
}

/* The account for name (hash h), created when asked and allowed. */
struct account *
detect_account(struct detector *d, const struct mail_str *name, uint64_t h,
    int create)
{
	struct account	*a;
	uint64_t	 sl;
	uint32_t	 i;

	for (i = (uint32_t)h & d->smask; (sl = d->slot[i]) != 0;
	    i = (i + 1) & d->smask) {
		if ((sl ^ h) >> 32 != 0)
			continue;
		a = d->acct[(uint32_t)sl - 1];
		if (a->hash == h && a->namelen == name->len &&
		    detect_caseeq(a->name, name->p, name->len))
			return a;
	}
	return create ? detect_account_new(d, name, h, i) : NULL;
}

/* The account named by an event, or NULL (none, too long, refused). */
struct account *
detect_event_account(struct detector *d, const struct mail_event *ev,
    int create)
{
	if (ev->account.len == 0 || ev->account.len > DETECT_NAME_MAX)
		return NULL;
	return detect_account(d, &ev->account, d->keys != NULL ?
	    d->keys->account : dhash_bytes(ev->account.p, ev->account.len, 1),
	    create);
}

/* The account a qidmap value names, or NULL. */
struct account *
detect_by_index(const struct detector *d, uint32_t v)
{
	return v < d->nacct ? d->acct[v] : NULL;
}

/* The key of (account, IP) in the table of earlier sessions' addresses. */
static uint64_t
detect_known_key(uint64_t account_hash, uint64_t ip_key)
{
	uint64_t	 k = (account_hash ^ (ip_key * 0x9e3779b97f4a7c15ULL)) *
	    0xff51afd7ed558ccdULL;

	return k != 0 ? k : 1;
}

/* Did the account log in from this address in an earlier session? */
int
detect_known(const struct detector *d, uint64_t account_hash, uint64_t ip_key)
{
	uint64_t	 k;
	uint32_t	 i;

	if (d->known == NULL)
		return 0;
	k = detect_known_key(account_hash, ip_key);
	for (i = (uint32_t)k & d->kmask; d->known[i] != 0;
	    i = (i + 1) & d->kmask)
		if (d->known[i] == k)
			return 1;
	return 0;
}

/* Remember (account, IP) in the table of earlier sessions' addresses. */
int
detect_known_add(struct detector *d, uint64_t account_hash,
    const struct mail_ip *ip)
{
	uint64_t	 k, *nk;
	uint32_t	 i, ncap, j;

	k = detect_known_key(account_hash, detect_ip_key(ip));
	if (d->known == NULL || d->nknown + 1 > (d->kmask + 1) / 2) {
		ncap = d->known == NULL ? 1024 : 2 * (d->kmask + 1);
		if (ncap / 2 > DETECT_KNOWN_MAX)
			return -1;
		if ((nk = calloc(ncap, sizeof(*nk))) == NULL)
			return -1;
		for (i = 0; d->known != NULL && i <= d->kmask; i++) {
			if (d->known[i] == 0)
				continue;
			for (j = (uint32_t)d->known[i] & (ncap - 1); nk[j] != 0;
			    j = (j + 1) & (ncap - 1))
				;
			nk[j] = d->known[i];
		}
		d->mem += (size_t)ncap * sizeof(*nk) -
		    (d->known != NULL ? (size_t)(d->kmask + 1) * sizeof(*nk) :
		    0);
		free(d->known);
		d->known = nk;
		d->kmask = ncap - 1;
	}
	for (i = (uint32_t)k & d->kmask; d->known[i] != 0;
	    i = (i + 1) & d->kmask)
		if (d->known[i] == k)
			return 0;
	d->known[i] = k;
	d->nknown++;
	return 0;
}

/* See detect_detail.h. */
long
detector_find(struct detector *d, const char *account)
{
	struct mail_str	 name;
	struct account	*a;

	name.p = account;
	name.len = strlen(account);
	if (name.len == 0 || name.len > DETECT_NAME_MAX)
		return -1;
	a = detect_account(d, &name, dhash_bytes(name.p, name.len, 1), 0);
	return a != NULL ? (long)a->index : -1;
}
