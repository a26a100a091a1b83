/*
 * store.h: the console's history in sqlite, so baselines, the IPs each
 * account has used, incidents, log gaps and log-follow positions survive
 * restarts.
 *
 * Writes are batched.  The console calls store_batch_*() as events arrive:
 * they touch memory only (merging repeats of the same key) and never block.
 * Once a tick it calls store_flush(), which commits everything batched since
 * the previous flush in one transaction.  With opts.threaded (the live
 * console) the commit runs on a writer thread: store_flush() only hands the
 * batch over and returns, and store_fd() becomes readable when a commit
 * has finished (call store_poll() then).  Without it (scan, tests)
 * store_flush() commits before it returns.  Either way one batch is one
 * transaction: after a crash a batch is wholly there or wholly absent, and
 * a follow position is never ahead of the counters it produced.
 *
 * Reads (store_last_session, store_load_*) are for start-up, before the
 * loop runs: they block on the disk and wait for an in-flight commit.
 *
 * Failure: store_open() fails with a one-line message naming the file, what
 * sqlite said and what to do; the console then runs without history.  When
 * a later commit fails for good (disk full, I/O error, file made read-only)
 * the store turns history off: batches are discarded, store_error() says
 * why, and nothing committed earlier is lost (the failed transaction is
 * rolled back).  A database locked by another process only defers a batch.
 *
 * Times are UTC seconds since the epoch.  Account names compare ignoring
 * ASCII case, as the detector compares them; server names exactly.  Every
 * value reaches sqlite as a bound parameter: account names and IPs come from
 * logs, which are attacker text.
 */
#ifndef MAILCON_STORE_H
#define MAILCON_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Why a session was started: "since the last session" is per kind. */
enum store_kind {
	STORE_KIND_CONSOLE = 0,		/* an admin at the interactive console */
	STORE_KIND_HEADLESS,		/* mailcon watch --headless */
	STORE_KIND_SCAN			/* offline mailcon scan */
};

struct store_opts {
	const char	*path;		/* NULL: store_default_path() */
	enum store_kind	 kind;
	int		 threaded;	/* commit on a writer thread */
	int		 minute_days;	/* keep per-minute counters (35) */
	int		 ip_days;	/* keep IPs last seen within (90) */
	int		 incident_days;	/* closed incidents, gaps, sessions (400) */
	int		 prune_rows;	/* rows deleted per table per flush (2000) */
	/*
	 * Size cap (1 GiB; 0: none): past it, names that only failed to log
	 * in go first, oldest first (a password spray cannot grow the file
	 * without bound), then the oldest counters and IPs.
	 */
	int64_t		 cap_bytes;
	int64_t		 max_bytes;	/* hard cap on the file, 0: none */
};

/* Counters of one account in one minute; a batch adds them up. */
struct store_counts {
	uint32_t	 msgs;		/* messages queued */
	uint32_t	 rcpts;		/* their recipients */
	uint32_t	 auth_ok;
	uint32_t	 auth_fail;
	uint32_t	 deferred;
	uint32_t	 bounced;
};

/*
 * One incident, keyed by (server, account, opened).  Batching the same key
 * again raises the peak (keeping the reason given with the highest level)
 * and sets closed once it is non-zero.
 */
struct store_incident {
	const char	*server;
	const char	*account;
	int64_t		 opened;
	int64_t		 closed;	/* 0: still open */
	int		 peak_level;	/* enum level of detector.h */
	const char	*reason;	/* plain words at the peak, may be NULL */
};

/* Where following one log file got to; the last batched value wins. */
struct store_follow {
	const char	*server;
	const char	*path;
	uint64_t	 inode;
	uint64_t	 offset;	/* bytes consumed */
	uint64_t	 head_hash;	/* hash of the file's first bytes */
	int64_t		 updated;
};

struct store_session {
	int64_t		 id;
	int64_t		 started;
	int64_t		 ended;		/* last sign of life if it crashed */
	int		 crashed;	/* never closed: ended is a guess */
};

/*
 * One account's history in one hour of the week (0 = Monday 00:00-01:00 in
 * the time zone asked for): totals over the retained minutes, minutes with
 * activity, and how many times that hour has passed since the account was
 * first seen (at least 1), so msgs / (hours * 60) is its usual rate.
 */
struct store_baseline {
	const char	*server;
	const char	*account;
	int		 how;
	uint64_t	 msgs;
	uint64_t	 rcpts;
	uint64_t	 minutes;
	uint64_t	 hours;
	int64_t		 first;		/* UTC seconds of its first minute kept */
};

/*
 * An account's busiest ten minutes (a clock-aligned bucket) in one hour:
 * what the detector's baseline takes for its usual at that hour.
 */
struct store_peak {
	const char	*server;
	const char	*account;
	int64_t		 hour;		/* UTC seconds, a multiple of 3600 */
	uint64_t	 msgs;
};

struct store_ip {
	const char	*server;
	const char	*account;
	const char	*ip;
	int64_t		 first_seen;
	int64_t		 last_seen;
	uint64_t	 logins;
};

struct store_stats {
	uint64_t	 flushes;	/* transactions committed */
	uint64_t	 rows;		/* rows written by them */
	uint64_t	 pruned;	/* rows deleted by retention */
	uint64_t	 deferred;	/* flushes put off (locked, writer busy) */
	uint64_t	 dropped;	/* updates lost: batch full or history off */
};

/* Callbacks of the loaders get borrowed strings; return non-zero to stop. */
/* An address found listed on a zone, or found delisted (listed 0). */
struct store_rbl {
	const char	*server;
	const char	*ip;
	const char	*zone;
	int		 listed;
	int64_t		 at;		/* UTC seconds */
	const char	*codes;		/* listed: decoded codes, or NULL */
	const char	*reason;	/* listed: TXT (sanitised), or NULL */
	int64_t		 delisted;	/* store_load_rbl: 0 while listed */
};

/*
 * A part of a followed log that was lost: it rotated away (or was cut
 * short) before it could be read.  Recorded as it is noticed, never merged.
 */
struct store_gap {
	const char	*server;
	const char	*path;
	int64_t		 at;		/* UTC seconds, when it was noticed */
	const char	*why;		/* plain words */
	int64_t		 session;	/* store_load_gaps: who noticed it */
};

typedef int	(*store_baseline_cb)(const struct store_baseline *, void *);
typedef int	(*store_rbl_cb)(const struct store_rbl *, void *);
typedef int	(*store_ip_cb)(const struct store_ip *, void *);
typedef int	(*store_peak_cb)(const struct store_peak *, void *);
typedef int	(*store_incident_cb)(const struct store_incident *, void *);
typedef int	(*store_gap_cb)(const struct store_gap *, void *);

/* Defaults for every option (path NULL, not threaded). */
void		 store_opts_init(struct store_opts *opts);
/*
 * $XDG_STATE_HOME/mailcon/history.db, else ~/.local/state/mailcon/...;
 * -1 with a message when neither variable is set or the name is too long.
 */
int		 store_default_path(char *buf, size_t len, char *err,
		     size_t errlen);
/*
 * Open (creating it and its directories, mode 0700, as needed), upgrade the
 * schema and start a session at now.  NULL with a message in err on failure.
 */
struct store	*store_open(const struct store_opts *opts, int64_t now,
		     char *err, size_t errlen);
/* Commit what is batched, end the session at now and free everything. */
void		 store_close(struct store *st, int64_t now);

/* Memory only: add to an account's counters for the minute holding t. */
void		 store_batch_count(struct store *st, const char *server,
		     const char *account, int64_t t, const struct store_counts *c);
/* Memory only: an IP authenticated as account at t. */
void		 store_batch_ip(struct store *st, const char *server,
		     const char *account, const char *ip, int64_t t);
/* Memory only: an incident opened, peaked or closed.  Strings are copied. */
void		 store_batch_incident(struct store *st,
		     const struct store_incident *inc);
/*
 * Memory only: a listing that appeared (listed 1: a new row unless one is
 * open) or went away (listed 0: the open row gets delisted = at).  Strings
 * are copied.
 */
void		 store_batch_rbl(struct store *st, const struct store_rbl *r);
/* Memory only: a gap in a followed log (session is ours).  Strings copied. */
void		 store_batch_gap(struct store *st, const struct store_gap *g);
/* Memory only: the follow position of one log file.  Strings are copied. */
void		 store_batch_follow(struct store *st,
		     const struct store_follow *f);

/*
 * Commit the batch (or, threaded, hand it to the writer) and prune a bounded
 * number of expired rows.  0: done or handed over; 1: put off, the batch
 * is kept and goes with the next flush; -1: history is off, see
 * store_error().
 */
int		 store_flush(struct store *st, int64_t now);
/* Threaded: readable when a commit has finished; -1 when not threaded. */
int		 store_fd(struct store *st);
/* After store_fd() was readable: 0, or -1 when history just went off. */
int		 store_poll(struct store *st);
/* Threaded: block until the writer is idle (shutdown and tests). */
void		 store_wait(struct store *st);
/* Why history is off (a message for the status line), NULL while it is on. */
const char	*store_error(struct store *st);
void		 store_get_stats(struct store *st, struct store_stats *out);
/* The database's path (owned by the store). */
const char	*store_path(struct store *st);

/*
 * The latest session of kind before the current one: 1 found, 0 none (first
 * run), -1 on error.  A session that never ended is reported as crashed,
 * ended at its last committed flush.
 */
int		 store_last_session(struct store *st, enum store_kind kind,
		     struct store_session *out);
/* Every account's baseline by hour of week, tzoff seconds east of UTC. */
int		 store_load_baselines(struct store *st, int64_t now,
		     int tzoff, store_baseline_cb cb, void *arg);
/* Every IP known per account. */
int		 store_load_ips(struct store *st, store_ip_cb cb, void *arg);
/*
 * Every account's busiest ten minutes per hour since since (UTC seconds),
 * hours with more than one message only, oldest first per account.
 */
int		 store_load_peaks(struct store *st, int64_t since,
		     store_peak_cb cb, void *arg);
/* Incidents opened, still open or closed at or after since, oldest first. */
int		 store_load_incidents(struct store *st, int64_t since,
		     store_incident_cb cb, void *arg);
/* Listings still open, and those delisted at or after since, oldest first. */
int		 store_load_rbl(struct store *st, int64_t since,
		     store_rbl_cb cb, void *arg);
/* Gaps noticed at or after since, by any session, oldest first. */
int		 store_load_gaps(struct store *st, int64_t since,
		     store_gap_cb cb, void *arg);
/* A log file's follow position: 1 found (strings in out are NULL), 0 none. */
int		 store_load_follow(struct store *st, const char *server,
		     const char *path, struct store_follow *out);

#endif
