/*
 * detect_detail.h: what the account detail view shows about one account:
 * its login addresses with counts and first/last seen, and its message
 * rate minute by minute against its usual rate at this hour, and the
 * country and network (AS) of each address when a GeoIP database is in
 * use.  Read-only access to the detector's state; nothing here changes it.
 */
#ifndef MAILCON_DETECT_DETAIL_H
#define MAILCON_DETECT_DETAIL_H

#include <stddef.h>
#include <stdint.h>

#include "detector.h"

#define DETAIL_MINUTES	60	/* most minutes a detail can show */

struct account_ip {
	uint64_t	 key;		/* the detector's key for the address */
	struct mail_ip	 ip;		/* family 0: an IPv6 address known
					   only by its key (see detail_ip6_key) */
	int64_t		 first;
	int64_t		 last;
	uint32_t	 count;
	struct ip_context ctx;		/* country and AS: cc "" and asn 0
					   when unknown (no database, an
					   address it does not know, or an
					   IPv6 address known by its key) */
};

struct account_detail {
	int		 nminutes;		/* minutes in msgs[] */
	uint32_t	 msgs[DETAIL_MINUTES];	/* oldest first, last = now */
	uint32_t	 rcpts[DETAIL_MINUTES];
	double		 base_rate;		/* its usual msgs/min at this hour
						   (the busiest window of the
						   same hour on earlier days over
						   the window), 0 unknown */
	int		 no_history;		/* too young for "new" and
						   "usual" */
	int		 has_context;		/* a GeoIP database is in use */
	size_t		 nips;			/* entries filled in ips[] */
	size_t		 ips_total;		/* exact entries the account has */
	int		 ips_exact;		/* 0: more addresses than kept */
};

/*
 * Fill *out and up to cap addresses (latest first) for the account at
 * index; -1 when index is out of range.
 */
int	detector_detail(const struct detector *d, long index,
	    struct account_detail *out, struct account_ip *ips, size_t cap);
/*
 * The detector index of the account whose login submitted queue id
 * qid[0..len), or -1 (unknown, forgotten, or not submitted by a login).
 */
long	detector_qid_owner(struct detector *d, const char *qid, size_t len);
/* The detector index of the account (names compare as logins do), or -1. */
long	detector_find(struct detector *d, const char *account);
/*
 * The account's messages in the minute of the detector's clock and in the
 * minute before, and how many seconds into its minute the clock is: what
 * a rate over the last 60 s needs (live/rates.h), cheap enough for every
 * account of a snapshot.  -1 when index is out of range.
 */
int	detector_recent(const struct detector *d, long index, uint32_t *now,
	    uint32_t *before, int *sec);
/* The key the detector files an IPv6 address under. */
uint64_t detail_ip6_key(const struct mail_ip *ip);

#endif
