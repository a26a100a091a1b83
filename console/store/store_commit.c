/*
 * store_commit.c: one batch written in one transaction (accounts,
 * counters, IPs, incidents, listings, gaps, follow positions) with
 * statements prepared once, then bounded retention by age.
 */
#include <stdint.h>

#include "store_int.h"

static const char *const store_sql[SQL_COUNT] = {
	[SQL_ACCT_GET] = "SELECT id, seen, good FROM accounts "
	    "WHERE server = ?1 AND name = ?2",
	[SQL_ACCT_ADD] = "INSERT INTO accounts (server, name, seen, good) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[SQL_ACCT_SEEN] = "UPDATE accounts SET seen = ?2, good = ?3 "
	    "WHERE id = ?1",
	[SQL_MINUTE] = "INSERT INTO minutes (minute, account, msgs, rcpts, "
	    "auth_ok, auth_fail, deferred, bounced) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	    "ON CONFLICT (minute, account) DO UPDATE SET "
	    "msgs = msgs + excluded.msgs, rcpts = rcpts + excluded.rcpts, "
	    "auth_ok = auth_ok + excluded.auth_ok, "
	    "auth_fail = auth_fail + excluded.auth_fail, "
	    "deferred = deferred + excluded.deferred, "
	    "bounced = bounced + excluded.bounced",
	[SQL_IP] = "INSERT INTO ips (account, ip, first_seen, last_seen, "
	    "logins) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (account, ip) DO UPDATE SET "
	    "first_seen = min(first_seen, excluded.first_seen), "
	    "last_seen = max(last_seen, excluded.last_seen), "
	    "logins = logins + excluded.logins",
	/* The right-hand sides all see the old row. */
	[SQL_INCIDENT] = "INSERT INTO incidents (account, opened, closed, "
	    "peak_level, reason) VALUES (?1, ?2, nullif(?3, 0), ?4, ?5) "
	    "ON CONFLICT (account, opened) DO UPDATE SET "
	    "reason = CASE WHEN excluded.peak_level > peak_level "
	    "THEN excluded.reason ELSE reason END, "
	    "peak_level = max(peak_level, excluded.peak_level), "
	    "closed = coalesce(excluded.closed, closed)",
	[SQL_FOLLOW] = "INSERT INTO follow (server, path, inode, offset, "
	    "head_hash, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT (server, path) DO UPDATE SET inode = excluded.inode, "
	    "offset = excluded.offset, head_hash = excluded.head_hash, "
	    "updated = excluded.updated",
	/* a new listing row unless one is open for the same address */
	[SQL_RBL_LISTED] = "INSERT INTO rbl (server, ip, zone, listed, codes, "
	    "reason) SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS (SELECT 1 "
	    "FROM rbl WHERE server = ?1 AND ip = ?2 AND zone = ?3 AND "
	    "delisted IS NULL) ON CONFLICT DO NOTHING",
	[SQL_RBL_DELISTED] = "UPDATE rbl SET delisted = ?4 WHERE server = ?1 "
	    "AND ip = ?2 AND zone = ?3 AND delisted IS NULL",
	[SQL_GAP] = "INSERT INTO gaps (session, at, server, path, why) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[SQL_ALIVE] = "UPDATE sessions SET alive = ?2 WHERE id = ?1",
	[SQL_FAIL] = "INSERT INTO fails (account, first, last, n) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (account) DO UPDATE SET "
	    "first = min(first, excluded.first), "
	    "last = max(last, excluded.last), n = n + excluded.n",
	/* bytes in use: freed pages are reused before the file grows */
	[SQL_USED] = "SELECT ((SELECT page_count FROM pragma_page_count) - "
	    "(SELECT freelist_count FROM pragma_freelist_count)) * "
	    "(SELECT page_size FROM pragma_page_size)",
	/* names that only failed, oldest first; never one with incidents */
	[SQL_CAP_ACCOUNTS] = "DELETE FROM accounts WHERE id IN "
	    "(SELECT id FROM accounts AS a WHERE good = 0 AND NOT EXISTS "
	    "(SELECT 1 FROM incidents WHERE account = a.id) ORDER BY seen "
	    "LIMIT ?1)",
	[SQL_CAP_MINUTES] = "DELETE FROM minutes WHERE (minute, account) "
	    "IN (SELECT minute, account FROM minutes ORDER BY minute "
	    "LIMIT ?1)",
	[SQL_CAP_IPS] = "DELETE FROM ips WHERE (account, ip) IN "
	    "(SELECT account, ip FROM ips ORDER BY last_seen LIMIT ?1)",
	[SQL_PRUNE_MINUTES] = "DELETE FROM minutes WHERE (minute, account) "
	    "IN (SELECT minute, account FROM minutes WHERE minute < ?1 "
	    "LIMIT ?2)",
	[SQL_PRUNE_IPS] = "DELETE FROM ips WHERE (account, ip) IN "
	    "(SELECT account, ip FROM ips WHERE last_seen < ?1 LIMIT ?2)",
	[SQL_PRUNE_INCIDENTS] = "DELETE FROM incidents WHERE id IN "
	    "(SELECT id FROM incidents WHERE opened < ?1 AND closed < ?1 "
	    "LIMIT ?2)",
	[SQL_PRUNE_GAPS] = "DELETE FROM gaps WHERE id IN "
	    "(SELECT id FROM gaps WHERE at < ?1 LIMIT ?2)",
	[SQL_PRUNE_SESSIONS] = "DELETE FROM sessions WHERE id IN "
	    "(SELECT id FROM sessions WHERE alive < ?1 AND id <> ?3 "
	    "LIMIT ?2)",
	/* Unseen for longer than any retention: its rows are gone too. */
	[SQL_PRUNE_ACCOUNTS] = "DELETE FROM accounts WHERE id IN "
	    "(SELECT id FROM accounts WHERE seen < ?1 LIMIT ?2)",
	[SQL_BEGIN] = "BEGIN IMMEDIATE",
	[SQL_COMMIT] = "COMMIT",
	[SQL_ROLLBACK] = "ROLLBACK",
};

/* Prepare every statement once, for the store's lifetime. */
int
store_prepare(struct store *st, char *err, size_t errlen)
{
	int	 i, rc;

	for (i = 0; i < SQL_COUNT; i++) {
		rc = sqlite3_prepare_v3(st->db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			store_fail(st, rc, "cannot prepare", err, errlen);
			return -1;
		}
	}
	return 0;
}

/* Free the prepared statements (NULL ones are fine). */
void
store_finalize(struct store *st)
{
	int	 i;

	for (i = 0; i < SQL_COUNT; i++) {
		sqlite3_finalize(st->stmt[i]);
		st->stmt[i] = NULL;
	}
}

/* See store_int.h. */
int
store_exec(sqlite3_stmt *s)
{
	int	 rc;

	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/*
 * The id of (server, account), added when new, and whether it ever logged
 * in or sent (*good, set when this batch's activity is).  0, or an sqlite
 * code.
 */
static int
store_account_id(struct store *st, const char *server, const char *name,
    int64_t now, int64_t *id, int *good)
{
	sqlite3_stmt	*s = st->stmt[SQL_ACCT_GET];
	int64_t		 seen = 0;
	int		 rc, was = 0;

	sqlite3_bind_text(s, 1, server, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		seen = sqlite3_column_int64(s, 1);
		was = sqlite3_column_int(s, 2) != 0;
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		*id = 0;
		rc = SQLITE_OK;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_OK)
		return rc;
	if (*id != 0) {
		/* Retention of accounts needs "seen" to a day, no finer. */
		if (seen >= now - 86400 && (was || !*good)) {
			*good = was;
			return SQLITE_OK;
		}
		*good = was || *good;
		s = st->stmt[SQL_ACCT_SEEN];
		sqlite3_bind_int64(s, 1, *id);
		sqlite3_bind_int64(s, 2, seen >= now - 86400 ? seen : now);
		sqlite3_bind_int(s, 3, *good);
		return store_exec(s);
	}
	s = st->stmt[SQL_ACCT_ADD];
	sqlite3_bind_text(s, 1, server, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int(s, 4, *good);
	if ((rc = store_exec(s)) == SQLITE_OK)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

/* Did the account log in or send in this batch (not only fail)? */
static int
store_batch_good(const struct batch_acct *a)
{
	const struct store_counts *c;
	size_t		 i;

	if (a->nips > 0)
		return 1;
	for (i = 0; i < a->nmins; i++) {
		c = &a->mins[i].c;
		if (c->msgs || c->rcpts || c->auth_ok || c->deferred ||
		    c->bounced)
			return 1;
	}
	return 0;
}

/* A name that only ever failed: its failures as one row of fails. */
static int
store_write_fails(struct store *st, struct batch_acct *a, int64_t id)
{
	sqlite3_stmt	*s = st->stmt[SQL_FAIL];
	int64_t		 first = INT64_MAX, last = INT64_MIN, n = 0;
	size_t		 i;

	for (i = 0; i < a->nmins; i++) {
		if (a->mins[i].minute < first)
			first = a->mins[i].minute;
		if (a->mins[i].minute > last)
			last = a->mins[i].minute;
		n += a->mins[i].c.auth_fail;
	}
	if (n == 0)
		return SQLITE_OK;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, first);
	sqlite3_bind_int64(s, 3, last);
	sqlite3_bind_int64(s, 4, n);
	return store_exec(s);
}

/* Write one account's counters and IPs. */
static int
store_write_account(struct store *st, struct batch_acct *a, int64_t now)
{
	sqlite3_stmt	*s;
	int64_t		 id;
	size_t		 i;
	int		 rc, good = store_batch_good(a);

	if ((rc = store_account_id(st, a->server, a->name, now, &id,
	    &good)) != 0)
		return rc;
	if (!good)
		return store_write_fails(st, a, id);
	s = st->stmt[SQL_MINUTE];
	for (i = 0; i < a->nmins; i++) {
		sqlite3_bind_int64(s, 1, a->mins[i].minute);
		sqlite3_bind_int64(s, 2, id);
		sqlite3_bind_int64(s, 3, a->mins[i].c.msgs);
		sqlite3_bind_int64(s, 4, a->mins[i].c.rcpts);
		sqlite3_bind_int64(s, 5, a->mins[i].c.auth_ok);
		sqlite3_bind_int64(s, 6, a->mins[i].c.auth_fail);
		sqlite3_bind_int64(s, 7, a->mins[i].c.deferred);
		sqlite3_bind_int64(s, 8, a->mins[i].c.bounced);
		if ((rc = store_exec(s)) != SQLITE_OK)
			return rc;
	}
	s = st->stmt[SQL_IP];
	for (i = 0; i < a->nips; i++) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, a->ips[i].ip, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, a->ips[i].first);
		sqlite3_bind_int64(s, 4, a->ips[i].last);
		sqlite3_bind_int64(s, 5, (int64_t)a->ips[i].logins);
		if ((rc = store_exec(s)) != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* Write the batch's incidents, listings, gaps and follow positions. */
static int
store_write_rest(struct store *st, struct batch *b)
{
	struct store_incident	*inc;
	struct store_follow	*f;
	sqlite3_stmt		*s;
	int64_t			 id;
	size_t			 i;
	int			 rc, good;

	s = st->stmt[SQL_INCIDENT];
	for (i = 0; i < b->nincs; i++) {
		inc = &b->incs[i].inc;
		good = 0;	/* an incident says neither (store_cap.c) */
		rc = store_account_id(st, inc->server, inc->account, b->now,
		    &id, &good);
		if (rc != SQLITE_OK)
			return rc;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, inc->opened);
		sqlite3_bind_int64(s, 3, inc->closed);
		sqlite3_bind_int(s, 4, inc->peak_level < 0 ? 0 :
		    inc->peak_level);
		if (inc->reason != NULL)
			sqlite3_bind_text(s, 5, inc->reason, -1,
			    SQLITE_STATIC);
		if ((rc = store_exec(s)) != SQLITE_OK)
			return rc;
	}
	for (i = 0; i < b->nrbls; i++) {
		struct store_rbl *r = &b->rbls[i].r;

		s = st->stmt[r->listed ? SQL_RBL_LISTED : SQL_RBL_DELISTED];
		sqlite3_bind_text(s, 1, r->server, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, r->ip, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, r->zone, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, r->at);
		if (r->listed && r->codes != NULL)
			sqlite3_bind_text(s, 5, r->codes, -1, SQLITE_STATIC);
		if (r->listed && r->reason != NULL)
			sqlite3_bind_text(s, 6, r->reason, -1, SQLITE_STATIC);
		if ((rc = store_exec(s)) != SQLITE_OK)
			return rc;
	}
	s = st->stmt[SQL_GAP];
	for (i = 0; i < b->ngaps; i++) {
		struct store_gap *g = &b->gaps[i].g;

		sqlite3_bind_int64(s, 1, st->session);
		sqlite3_bind_int64(s, 2, g->at);
		sqlite3_bind_text(s, 3, g->server, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, g->path, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, g->why, -1, SQLITE_STATIC);
		if ((rc = store_exec(s)) != SQLITE_OK)
			return rc;
	}
	s = st->stmt[SQL_FOLLOW];
	for (i = 0; i < b->nfollows; i++) {
		f = &b->follows[i].f;
		sqlite3_bind_text(s, 1, f->server, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, f->path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (int64_t)f->inode);
		sqlite3_bind_int64(s, 4, (int64_t)f->offset);
		sqlite3_bind_int64(s, 5, (int64_t)f->head_hash);
		sqlite3_bind_int64(s, 6, f->updated);
		if ((rc = store_exec(s)) != SQLITE_OK)
			return rc;
	}
	s = st->stmt[SQL_ALIVE];
	sqlite3_bind_int64(s, 1, st->session);
	sqlite3_bind_int64(s, 2, b->now);
	return store_exec(s);
}

/* Run one retention delete; rows deleted, or -1 with rc set. */
static int64_t
store_prune_one(struct store *st, enum store_stmt which, int64_t cutoff,
    int *rc)
{
	sqlite3_stmt	*s = st->stmt[which];

	sqlite3_bind_int64(s, 1, cutoff);
	sqlite3_bind_int(s, 2, st->opts.prune_rows);
	if (which == SQL_PRUNE_SESSIONS)
		sqlite3_bind_int64(s, 3, st->session);
	if ((*rc = store_exec(s)) != SQLITE_OK)
		return -1;
	return sqlite3_changes64(st->db);
}

/*
 * Delete at most prune_rows expired rows per table, in one short
 * transaction of its own: retention never holds up a batch, and a table
 * far behind (a long-stopped console) catches up over many ticks.
 */
static int
store_prune(struct store *st, int64_t now, uint64_t *pruned)
{
	int64_t	 day = 86400, keep, n;
	int	 rc = SQLITE_OK, d;

	if ((rc = store_exec(st->stmt[SQL_BEGIN])) != SQLITE_OK)
		return rc;
	d = st->opts.minute_days;
	keep = st->opts.ip_days > d ? st->opts.ip_days : d;
	keep = st->opts.incident_days > keep ? st->opts.incident_days : keep;
	if ((n = store_prune_one(st, SQL_PRUNE_MINUTES,
	    (now - d * day) / 60, &rc)) < 0)
		goto fail;
	*pruned += (uint64_t)n;
	if ((n = store_prune_one(st, SQL_PRUNE_IPS,
	    now - st->opts.ip_days * day, &rc)) < 0)
		goto fail;
	*pruned += (uint64_t)n;
	if ((n = store_prune_one(st, SQL_PRUNE_INCIDENTS,
	    now - st->opts.incident_days * day, &rc)) < 0)
		goto fail;
	*pruned += (uint64_t)n;
	if ((n = store_prune_one(st, SQL_PRUNE_GAPS,
	    now - st->opts.incident_days * day, &rc)) < 0)
		goto fail;
	*pruned += (uint64_t)n;
	if ((n = store_prune_one(st, SQL_PRUNE_SESSIONS,
	    now - st->opts.incident_days * day, &rc)) < 0)
		goto fail;
	*pruned += (uint64_t)n;
	if ((n = store_prune_one(st, SQL_PRUNE_ACCOUNTS,
	    now - keep * day - day, &rc)) < 0)
		goto fail;
	*pruned += (uint64_t)n;
	return store_exec(st->stmt[SQL_COMMIT]);
fail:
	store_exec(st->stmt[SQL_ROLLBACK]);
	return rc;
}

/* See store_int.h. */
int
store_commit(struct store *st, struct batch *b, int *committed,
    uint64_t *pruned, char *err, size_t errlen)
{
	size_t	 i;
	int	 rc;

	*committed = 0;
	pthread_mutex_lock(&st->dblock);
	if ((rc = store_exec(st->stmt[SQL_BEGIN])) != SQLITE_OK)
		goto fail;
	for (i = 0; i < b->naccts; i++)
		if ((rc = store_write_account(st, b->accts[i], b->now)) != 0)
			goto fail;
	if ((rc = store_write_rest(st, b)) != SQLITE_OK ||
	    (rc = store_exec(st->stmt[SQL_COMMIT])) != SQLITE_OK)
		goto fail;
	*committed = 1;
	rc = store_prune(st, b->now, pruned);
	if (rc == SQLITE_OK)
		rc = store_cap(st, b->keys, pruned);
	/* Locked by another reader: prune next time. */
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		rc = SQLITE_OK;
	if (rc != SQLITE_OK)
		goto fail;
	pthread_mutex_unlock(&st->dblock);
	return SQLITE_OK;
fail:
	store_fail(st, rc, "cannot save history, history is off", err,
	    errlen);
	if (!sqlite3_get_autocommit(st->db))
		store_exec(st->stmt[SQL_ROLLBACK]);
	pthread_mutex_unlock(&st->dblock);
	return rc;
}
