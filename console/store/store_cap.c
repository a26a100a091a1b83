/*
 * store_cap.c: the history's size cap.  Retention by age (store_flush.c)
 * does not bound the file: a password spray invents a new login name
 * with every attempt, thousands a minute, and each is an account row for
 * as long as retention keeps it.  So once the rows in use pass
 * opts.cap_bytes, each flush deletes, in a short transaction of its own:
 * first the names that never logged in nor sent (the sprayed ones, with
 * their one row of failures), oldest first, never one with an incident;
 * only when there are none left, the oldest per-minute counters and IPs
 * (the cap then shortens retention).  Pages freed are reused, so the file
 * stays near the cap instead of growing.
 */
#include <stdint.h>

#include "store_int.h"

/* Bytes the database's rows use; -1 on error (rc set). */
static int64_t
store_used(struct store *st, int *rc)
{
	sqlite3_stmt	*s = st->stmt[SQL_USED];
	int64_t		 used = -1;

	if ((*rc = sqlite3_step(s)) == SQLITE_ROW) {
		used = sqlite3_column_int64(s, 0);
		*rc = SQLITE_OK;
	}
	sqlite3_reset(s);
	return used;
}

/* Run one delete of at most limit rows; rows deleted, or -1 (rc set). */
static int64_t
store_cap_one(struct store *st, enum store_stmt which, int64_t limit,
    int *rc)
{
	sqlite3_stmt	*s = st->stmt[which];

	sqlite3_bind_int64(s, 1, limit);
	if ((*rc = store_exec(s)) != SQLITE_OK)
		return -1;
	return sqlite3_changes64(st->db);
}

/* See store_int.h. */
int
store_cap(struct store *st, size_t rows, uint64_t *pruned)
{
	int64_t	 used, limit, n;
	int	 rc;

	if (st->opts.cap_bytes <= 0)
		return SQLITE_OK;
	if ((used = store_used(st, &rc)) < 0)
		return rc;
	if (used <= st->opts.cap_bytes)
		return SQLITE_OK;
	/* at least what a batch adds, so a spray cannot outrun the cap */
	limit = (int64_t)rows > st->opts.prune_rows ? (int64_t)rows :
	    st->opts.prune_rows;
	if ((rc = store_exec(st->stmt[SQL_BEGIN])) != SQLITE_OK)
		return rc;
	if ((n = store_cap_one(st, SQL_CAP_ACCOUNTS, limit, &rc)) < 0)
		goto fail;
	*pruned += (uint64_t)n;
	if (n == 0) {
		if ((n = store_cap_one(st, SQL_CAP_MINUTES, limit, &rc)) < 0)
			goto fail;
		*pruned += (uint64_t)n;
		if ((n = store_cap_one(st, SQL_CAP_IPS, limit, &rc)) < 0)
			goto fail;
		*pruned += (uint64_t)n;
	}
	return store_exec(st->stmt[SQL_COMMIT]);
fail:
	store_exec(st->stmt[SQL_ROLLBACK]);
	return rc;
}
