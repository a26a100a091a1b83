/*
 * rbl_int.h: what the checker's parts share: rbl.c (a run: its jobs,
 * queries and verdicts), rbl_resolver.c (the c-ares channel, its sockets,
 * the resolvers it asks) and rbl_cache.c (answers kept for their TTL).
 * Private to the checker; see rbl.h.
 */
#ifndef MAILCON_RBL_INT_H
#define MAILCON_RBL_INT_H

#include <ares.h>

#include "rbl.h"

#define RBL_CACHE_BUCKETS	4096

enum rbl_jobkind { JOB_A, JOB_TXT, JOB_PROBE_LISTED, JOB_PROBE_UNLISTED };

struct rbl_job {
	enum rbl_jobkind	 kind;
	size_t			 index;		/* result, or health */
	int			 done;
	char			 qname[RBL_NAME_MAX];
};

/* One query c-ares holds; freed by its callback, whatever happened. */
struct rbl_query {
	struct rbl		*r;
	struct rbl_query	*prev, *next;
	size_t			 job;
	unsigned		 gen;
	int			 abandoned;
	int64_t			 deadline;
};

struct rbl_cached {
	struct rbl_cached	*next;
	int			 type;
	int64_t			 expires;
	struct rbl_answer	 a;
	char			 qname[RBL_NAME_MAX];
};

struct rbl_health_state {
	struct rbl_zone_health	 pub;
	struct rbl_verdict	 probe[2];	/* listed, unlisted */
	int			 answered;
};

struct rbl_sock {
	int			 fd, rd, wr;
};

struct rbl {
	ares_channel		 ch;
	int			 timeout_ms, concurrency;
	char			 servers[160];	/* who is asked, for messages */
	size_t			 nservers;
	size_t			 refused;	/* of sum.silent: unreachable */
	struct rbl_sock		*socks;
	size_t			 nsocks;
	int64_t			 now;

	unsigned		 gen;
	int			 running;
	int64_t			 started;
	char			**zones;
	size_t			 nzones;
	struct rbl_result	*res;
	size_t			 nres;
	struct rbl_health_state	*hs;
	size_t			 nhs;
	struct rbl_job		*jobs;
	size_t			 njobs, next_job, jobs_left;
	struct rbl_query	*active;
	size_t			 inflight;
	struct rbl_summary	 sum;

	struct rbl_cached	*cache[RBL_CACHE_BUCKETS];
	size_t			 ncache;
};

/* rbl.c: drop the run's results and jobs (not the cache, not c-ares'
   queries). */
void	rbl_clear_run(struct rbl *r);

/* rbl_cache.c: a fresh cached answer, or NULL; expired ones are dropped
   on the way. */
const struct rbl_answer *rbl_cache_get(struct rbl *r, const char *qname,
	    int type);
/* Keep an answer for ttl seconds (bounded: a full cache keeps no more). */
void	rbl_cache_put(struct rbl *r, const char *qname, int type,
	    const struct rbl_answer *a, uint32_t ttl);

#endif
