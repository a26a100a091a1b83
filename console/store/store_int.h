/*
 * store_int.h: what store.c (open, close), store_schema.c (schema and
 * migrations), store_read.c (start-up reads), store_batch.c (the
 * in-memory batch), store_commit.c (what a commit writes, retention) and
 * store_flush.c (when and where commits run, the writer thread) share.
 * Private to the store.
 */
#ifndef MAILCON_STORE_INT_H
#define MAILCON_STORE_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "store.h"

/* Distinct keys one batch may hold; beyond, new keys are dropped. */
#define STORE_BATCH_KEYS	(1u << 21)
/* Distinct IPs per account in one batch (the detector caps its sets too). */
#define STORE_BATCH_IPS		1024

struct batch_minute {
	int64_t			 minute;	/* t / 60 */
	struct store_counts	 c;
};

struct batch_ip {
	char			*ip;
	int64_t			 first, last;
	uint64_t		 logins;
};

/* One (server, account) and everything batched for it. */
struct batch_acct {
	char			*server;
	char			*name;
	uint64_t		 hash;
	struct batch_minute	*mins;
	size_t			 nmins, capmins;
	struct batch_ip		*ips;
	size_t			 nips, capips;
};

struct batch_inc {
	struct store_incident	 inc;		/* strings owned */
};

struct batch_follow {
	struct store_follow	 f;		/* strings owned */
};

struct batch_rbl {
	struct store_rbl	 r;		/* strings owned */
};

struct batch_gap {
	struct store_gap	 g;		/* strings owned */
};

struct batch {
	struct batch_acct	**slots;	/* open addressing, power of two */
	size_t			 nslots;
	struct batch_acct	**accts;	/* in insertion order */
	size_t			 naccts, capaccts;
	struct batch_inc	*incs;
	size_t			 nincs, capincs;
	struct batch_follow	*follows;
	size_t			 nfollows, capfollows;
	struct batch_rbl	*rbls;		/* in order: listed, delisted */
	size_t			 nrbls, caprbls;
	struct batch_gap	*gaps;		/* in the order noticed */
	size_t			 ngaps, capgaps;
	size_t			 keys;		/* rows this batch will write */
	uint64_t		 dropped;
	int64_t			 now;		/* given to store_flush */
};

enum store_stmt {
	SQL_ACCT_GET = 0,
	SQL_ACCT_ADD,
	SQL_ACCT_SEEN,
	SQL_MINUTE,
	SQL_IP,
	SQL_INCIDENT,
	SQL_FOLLOW,
	SQL_RBL_LISTED,
	SQL_RBL_DELISTED,
	SQL_GAP,
	SQL_ALIVE,
	SQL_FAIL,
	SQL_USED,
	SQL_CAP_ACCOUNTS,
	SQL_CAP_MINUTES,
	SQL_CAP_IPS,
	SQL_PRUNE_MINUTES,
	SQL_PRUNE_IPS,
	SQL_PRUNE_INCIDENTS,
	SQL_PRUNE_GAPS,
	SQL_PRUNE_SESSIONS,
	SQL_PRUNE_ACCOUNTS,
	SQL_BEGIN,
	SQL_COMMIT,
	SQL_ROLLBACK,
	SQL_COUNT
};

struct store {
	sqlite3			*db;
	char			*path;
	struct store_opts	 opts;
	int64_t			 session;	/* our sessions.id */
	sqlite3_stmt		*stmt[SQL_COUNT];
	pthread_mutex_t		 dblock;	/* one user of db at a time */

	/* Below: under lock (only the UI thread when not threaded). */
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct batch		*pending;	/* filled by store_batch_*() */
	struct batch		*job;		/* handed to the writer */
	struct batch		*retry;		/* put off: went with next flush */
	int			 busy;		/* writer holds job */
	int			 quit;
	int			 off;		/* history off: err says why */
	int64_t			 alive;		/* now of the last commit */
	char			 err[512];
	struct store_stats	 stats;

	pthread_t		 writer;
	int			 has_writer;
	int			 pipe[2];	/* writer -> loop: a commit ended */
};

/* store.c */
void		 store_fail(struct store *st, int rc, const char *what,
		     char *err, size_t errlen);
/*
 * Create or upgrade the schema of the database at path and close it again:
 * for audit.c, whose own connection may open the file before (or without)
 * the history.  0, or -1 with a message naming the file in err.
 */
int		 store_upgrade(const char *path, char *err, size_t errlen);

/* store_schema.c */
/*
 * Check that the open st->db is a mailcon history and bring its schema up
 * to date.  0, or -1 with a message naming the file in err.
 */
int		 store_migrate(struct store *st, char *err, size_t errlen);

/* store_batch.c */
struct batch	*batch_new(void);
void		 batch_free(struct batch *b);
int		 batch_empty(const struct batch *b);
void		 batch_merge(struct batch *dst, struct batch *src);
void		 batch_add_count(struct batch *b, const char *server,
		     const char *account, int64_t minute,
		     const struct store_counts *c);
void		 batch_add_ip(struct batch *b, const char *server,
		     const char *account, const char *ip, int64_t first,
		     int64_t last, uint64_t logins);
void		 batch_add_incident(struct batch *b,
		     const struct store_incident *inc);
void		 batch_add_follow(struct batch *b, const struct store_follow *f);
void		 batch_add_rbl(struct batch *b, const struct store_rbl *r);
void		 batch_add_gap(struct batch *b, const struct store_gap *g);

/* store_commit.c */
int		 store_prepare(struct store *st, char *err, size_t errlen);
void		 store_finalize(struct store *st);
/* Step a statement with no result rows and reset it; an sqlite code. */
int		 store_exec(sqlite3_stmt *s);
/*
 * Commit b in one transaction, then prune.  Returns an sqlite code; on a
 * failure the transaction is rolled back and err says why.  *committed
 * tells a batch saved from a failure of the pruning after it.
 */
int		 store_commit(struct store *st, struct batch *b, int *committed,
		     uint64_t *pruned, char *err, size_t errlen);

/* store_flush.c */
int		 store_writer_start(struct store *st, char *err, size_t errlen);
void		 store_writer_stop(struct store *st);

/* store_cap.c */
/*
 * Past opts.cap_bytes, delete in one transaction up to max(prune_rows,
 * rows) rows: names that only failed first, then the oldest counters and
 * IPs.  An sqlite code; *pruned counts what went.
 */
int		 store_cap(struct store *st, size_t rows, uint64_t *pruned);

#endif
