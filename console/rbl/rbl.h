/*
 * rbl.h: check addresses against DNS blocklists without blocking the loop
 * (c-ares).
 *
 * A run checks N addresses against M zones: each zone is health-checked
 * once per run for each address family in it (rbl_zone.h says why), then
 * every (address, zone) gets an A query, and a TXT query when listed.  At
 * most `concurrency` queries are in flight; each ends by its deadline
 * (timeout_ms) as "unknown (timeout)" if no answer came.  Answers are
 * cached by their TTL (NXDOMAIN by the SOA's negative TTL, else
 * RBL_NEG_TTL) across runs of the same struct rbl; the health probes
 * always ask.  Failures are never cached.
 *
 * Usage with the loop: poll what rbl_fds() gives; on any event there, and
 * at least every rbl_wait_ms(), call rbl_step().  Verdicts are final once
 * rbl_step() returned 1 (until then a result may still be PENDING, and a
 * "clean" or "listed" may yet be overruled by its zone's health).
 */
#ifndef MAILCON_RBL_H
#define MAILCON_RBL_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "rbl_zone.h"

#define RBL_TIMEOUT_MS		5000
#define RBL_CONCURRENCY		32
#define RBL_MAXFDS		16	/* sockets rbl_fds() may give */

struct rbl_options {
	const char	*resolver;	/* "IP[:PORT]", "[IPv6]:PORT"; NULL:
					   the system's (resolv.conf) */
	int		 timeout_ms;	/* per query; 0: RBL_TIMEOUT_MS */
	int		 concurrency;	/* queries in flight; 0: RBL_CONCURRENCY */
};

/* One (address, zone) of a run. */
struct rbl_result {
	struct rbl_ip		 ip;
	const char		*zone;	/* the run's copy of the name */
	const struct rbl_zone	*info;	/* catalogue entry, or NULL */
	struct rbl_verdict	 v;	/* v.status RBL_PENDING until answered */
	int			 cached;	/* the A answer came from the cache */
	char			 delist[256];	/* delisting page, or "" */
};

/* A zone's health for one address family, in this run. */
struct rbl_zone_health {
	const char	*zone;
	int		 family;	/* RBL_V4 or RBL_V6 */
	enum rbl_health	 health;
	char		 why[256];
};

struct rbl_summary {
	size_t		 results, listed, clean, unknown, error, pending;
	size_t		 skipped;	/* (ip, zone) pairs a zone cannot
					   check (an IPv4-only list, an IPv6
					   address) */
	size_t		 zones_bad;	/* zone/family checks not OK */
	size_t		 queries;	/* sent to the resolver */
	size_t		 cache_hits;
	size_t		 peak_inflight;
	int64_t		 elapsed_ms;	/* start to the last verdict */
	size_t		 replies;	/* queries the resolver answered */
	size_t		 silent;	/* queries it did not: timeout,
					   unreachable */
	int		 resolver_down;	/* queries went out and not one
					   was answered (rbl_resolver_said) */
	int		 done;
};

struct rbl;

/* A checker; NULL with err saying why (bad resolver, c-ares failure). */
struct rbl	*rbl_new(const struct rbl_options *opt, char *err,
		    size_t errlen);
void		 rbl_free(struct rbl *r);
/*
 * Start a run of nips addresses against nzones zone names (validated here
 * too: -1 with err on a bad one, or when a run is going).  The previous
 * run's results are dropped; the cache is kept.
 */
int		 rbl_start(struct rbl *r, const struct rbl_ip *ips, size_t nips,
		    const char *const *zones, size_t nzones, int64_t now_ms,
		    char *err, size_t errlen);
/* Give up the run: what has no answer becomes unknown ("cancelled"). */
void		 rbl_cancel(struct rbl *r, int64_t now_ms);
/* Up to max (RBL_MAXFDS is enough) sockets to poll; their count. */
size_t		 rbl_fds(const struct rbl *r, struct pollfd *pfd, size_t max);
/* 0 running, 1 the run is over (also when there is none). */
int		 rbl_step(struct rbl *r, int64_t now_ms);
/* How long the loop may sleep before rbl_step(); -1 when idle. */
int		 rbl_wait_ms(const struct rbl *r, int64_t now_ms);
int		 rbl_busy(const struct rbl *r);
/* Run to the end, blocking in poll() (the CLI): as rbl_step(). */
int		 rbl_wait(struct rbl *r);

/* The run's results, in order: address-major, then zones as given. */
size_t		 rbl_nresults(const struct rbl *r);
const struct rbl_result *rbl_result(const struct rbl *r, size_t i);
size_t		 rbl_nhealth(const struct rbl *r);
const struct rbl_zone_health *rbl_health(const struct rbl *r, size_t i);
void		 rbl_summary(const struct rbl *r, struct rbl_summary *s);
/*
 * The resolver asked, "127.0.0.53" or "127.0.0.1:5353" (several joined
 * by ", "), and, when the run's summary says resolver_down, the one
 * sentence that replaces a complaint per zone: "the resolver 127.0.0.53
 * does not answer (no reply to 21 queries within 5 s)".
 */
const char	*rbl_resolver_name(const struct rbl *r);
void		 rbl_resolver_said(const struct rbl *r, char *buf,
		    size_t size);
/* Forget every cached answer (the console's "check again now"). */
void		 rbl_cache_clear(struct rbl *r);

#endif
