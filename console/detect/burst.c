/*
 * burst.c: the addresses that never logged in as an account before and
 * sent it mail within one window, and the recipient domains of that mail
 * (new_burst and new_fanout, detector.h): a stolen password used from a
 * botnet, one address a connection, shows here at its third or fourth
 * address, long before the distinct addresses of auth_ips add up.
 */
#include <stdlib.h>

#include "detect_int.h"

/* Allocate the account's burst sets, with the addresses first used in
   this window before ik (they sent already). */
static struct acct_burst *
burst_new(struct detector *d, struct account *a, uint64_t ik)
{
	const struct ipwin_entry	*e;
	struct acct_burst		*b;
	uint16_t			 i;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	d->mem += sizeof(*b);
	a->burst = b;
	for (i = a->ips.whead; i != 0; i = e->next) {
		e = &a->ips.ent[i - 1];
		if (e->key != ik && d->now - e->first < d->cfg.window &&
		    !detect_known(d, a->hash, e->key))
			(void)ipwin_see(&b->ips, e->key, d->now, d->cfg.window,
			    &d->mem);
	}
	return b;
}

/* See detect_int.h. */
int
detect_burst_submit(struct detector *d, struct account *a,
    const struct mail_ip *ip)
{
	const struct ipwin_entry	*e;
	uint64_t			 ik;

	/* first used in this window, and by no earlier session */
	if ((e = detect_ip_entry(a, ip, &ik)) == NULL ||
	    d->now - e->first >= d->cfg.window ||
	    detect_known(d, a->hash, ik))
		return 0;
	if (a->burst == NULL) {
		/* one address is not a burst */
		if (a->ips.nwin < 2 || burst_new(d, a, ik) == NULL)
			return 0;
	}
	(void)ipwin_see(&a->burst->ips, ik, d->now, d->cfg.window, &d->mem);
	return 1;
}

/* See detect_int.h. */
void
detect_burst_domain(struct detector *d, struct account *a, uint64_t dk)
{
	if (a->burst != NULL)
		(void)ipwin_see(&a->burst->domains, dk, d->now, d->cfg.window,
		    &d->mem);
}

/* See detect_int.h. */
void
detect_burst_measure(const struct detector *d, struct account *a, double *addrs,
    double *domains)
{
	struct acct_burst	*b = a->burst;
	int			 exact;

	*addrs = *domains = 0;
	if (b == NULL)
		return;
	ipwin_advance(&b->ips, d->now, d->cfg.window);
	ipwin_advance(&b->domains, d->now, d->cfg.window);
	*addrs = (double)ipwin_in_window(&b->ips, d->now, d->cfg.window,
	    &exact);
	*domains = (double)ipwin_in_window(&b->domains, d->now,
	    d->cfg.window, &exact);
}

/* See detect_int.h. */
void
detect_burst_free(struct detector *d, struct account *a)
{
	if (a->burst == NULL)
		return;
	ipwin_free(&a->burst->ips, &d->mem);
	ipwin_free(&a->burst->domains, &d->mem);
	d->mem -= sizeof(*a->burst);
	free(a->burst);
	a->burst = NULL;
}
