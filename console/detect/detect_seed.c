/*
 * detect_seed.c: what the console's history tells the detector before the
 * log does (earlier sessions' accounts, addresses and hourly peaks), and
 * the address context (see detector.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_detail.h"
#include "detect_int.h"
#include "core/dhash.h"

int
detector_seed_ip(struct detector *d, const char *account,
    const struct mail_ip *ip)
{
	size_t	 len = strlen(account);

	if (len == 0 || len > DETECT_NAME_MAX || (ip->family != 4 &&
	    ip->family != 6) || !account_is_valid(account, len))
		return -1;
	return detect_known_add(d, dhash_bytes(account, len, 1), ip);
}

/* The account for a seeded name, created when new (first seen then). */
struct account *
detect_seed_account(struct detector *d, const char *account,
    int64_t first_seen)
{
	struct mail_str	 name;
	struct account	*a;

	name.p = account;
	name.len = strlen(account);
	if (name.len == 0 || name.len > DETECT_NAME_MAX ||
	    !account_is_valid(name.p, name.len))
		return NULL;
	if ((a = detect_account(d, &name, dhash_bytes(name.p, name.len, 1),
	    1)) == NULL)
		return NULL;
	/* a new account: first seen then, not at the detector's clock (which
	   has not started before the first line) */
	if (a->fresh || first_seen < a->first_seen)
		a->first_seen = first_seen;
	if (a->fresh)
		a->last_seen = -1;
	a->fresh = 0;
	return a;
}

int
detector_seed_ip_seen(struct detector *d, const char *account,
    const struct mail_ip *ip, int64_t first, int64_t last)
{
	struct account	*a;
	struct acct_novel *nv;
	char		 cc[3];

	if (detector_seed_ip(d, account, ip) == -1 ||
	    (a = detect_seed_account(d, account, first)) == NULL)
		return -1;
	/* new to it then, once it had history: part of its usual */
	if (first - a->first_seen >= d->cfg.new_ip_min_history &&
	    (nv = detect_novel(d, a)) != NULL)
		newcount_add_at(&nv->addrs, first);
	/* its network is known too, as of when it was last used */
	if (seenset_see(&a->netseen, detect_wide_key(d, ip, cc), first,
	    DETECT_NETS_MAX, &d->mem) == -1)
		return -1;
	(void)seenset_see(&a->netseen, detect_wide_key(d, ip, cc), last,
	    DETECT_NETS_MAX, &d->mem);
	return 0;
}

int
detector_seed_peak(struct detector *d, const char *account,
    int64_t hour_start, uint32_t msgs)
{
	struct account	*a;

	if ((a = detect_seed_account(d, account, hour_start)) == NULL)
		return -1;
	return detect_prof_seed(d, a, hour_start, msgs);
}

void
detector_set_context(struct detector *d, detect_context_fn fn, void *arg)
{
	d->ctx_fn = fn;
	d->ctx_arg = arg;
}

const char *
detector_networks(const struct detector *d)
{
	return d->ctx_fn != NULL ? "AS numbers (GeoIP)" :
	    "/16 and /32 prefixes (no GeoIP database: [detect] geoip)";
}

int
detector_seed(struct detector *d, const char *account, int64_t first_seen,
    uint64_t messages)
{
	struct account	*a;

	if ((a = detect_seed_account(d, account, first_seen)) == NULL)
		return -1;
	a->messages += messages;
	return 0;
}
