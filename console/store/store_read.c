/*
 * store_read.c: the start-up reads of the history: the last session, the
 * hour-of-week baselines, the accounts' IPs, peaks, incidents, listings,
 * gaps and follow positions.
 */
#include <string.h>

#include "store_int.h"

/* See store.h. */
int
store_last_session(struct store *st, enum store_kind kind,
    struct store_session *out)
{
	sqlite3_stmt	*s;
	int		 rc, found = 0;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&st->dblock);
	rc = sqlite3_prepare_v2(st->db, "SELECT id, started, alive, ended "
	    "FROM sessions WHERE kind = ?1 AND id < ?2 ORDER BY id DESC "
	    "LIMIT 1", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int(s, 1, (int)kind);
		sqlite3_bind_int64(s, 2, st->session);
		if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			out->id = sqlite3_column_int64(s, 0);
			out->started = sqlite3_column_int64(s, 1);
			out->crashed = sqlite3_column_type(s, 3) == SQLITE_NULL;
			out->ended = sqlite3_column_int64(s,
			    out->crashed ? 2 : 3);
			found = 1;
			rc = SQLITE_DONE;
		}
		sqlite3_finalize(s);
	}
	pthread_mutex_unlock(&st->dblock);
	return rc == SQLITE_DONE ? found : -1;
}

/* What a loader's row decoder turns a result row into, and for whom. */
struct store_each {
	union {
		store_baseline_cb	 baseline;
		store_ip_cb		 ip;
		store_incident_cb	 inc;
		store_rbl_cb		 rbl;
		store_gap_cb		 gap;
		store_peak_cb		 peak;
	} cb;
	void		*arg;
	int64_t		 now;		/* baselines: now and the offset */
	int64_t		 offmin;	/* from UTC, in minutes */
};

/*
 * A start-up read: run sql with v1 as ?1 (when it has one) and hand each
 * result row to row() until it returns non-zero.  0, or -1 on error.
 */
static int
store_each_row(struct store *st, const char *sql, int64_t v1,
    int (*row)(sqlite3_stmt *, struct store_each *), struct store_each *e)
{
	sqlite3_stmt	*s;
	int		 rc;

	pthread_mutex_lock(&st->dblock);
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto done;
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, v1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (row(s, e) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
done:
	pthread_mutex_unlock(&st->dblock);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* How many hours h in [from, to] have (h + 72) % 168 == how (Monday 0). */
static uint64_t
store_hours_in(int64_t from, int64_t to, int how)
{
	int64_t	 first;

	/* The epoch's hour 0 is a Thursday: hour 72 of a Monday week. */
	first = from + (((how - (from + 72)) % 168) + 168) % 168;
	if (first > to)
		return 0;
	return (uint64_t)((to - first) / 168 + 1);
}

/* One row of store_load_baselines. */
static int
store_baseline_row(sqlite3_stmt *s, struct store_each *e)
{
	struct store_baseline	 b;
	int64_t			 first;

	memset(&b, 0, sizeof(b));
	b.server = (const char *)sqlite3_column_text(s, 0);
	b.account = (const char *)sqlite3_column_text(s, 1);
	b.how = sqlite3_column_int(s, 2);
	b.msgs = (uint64_t)sqlite3_column_int64(s, 3);
	b.rcpts = (uint64_t)sqlite3_column_int64(s, 4);
	b.minutes = (uint64_t)sqlite3_column_int64(s, 5);
	first = sqlite3_column_int64(s, 6);
	b.first = first * 60;
	b.hours = store_hours_in((first + e->offmin) / 60,
	    (e->now / 60 + e->offmin) / 60, b.how);
	if (b.hours == 0)
		b.hours = 1;	/* clock went back: never divide by 0 */
	return e->cb.baseline(&b, e->arg);
}

/* See store.h. */
int
store_load_baselines(struct store *st, int64_t now, int tzoff,
    store_baseline_cb cb, void *arg)
{
	struct store_each	 e = { .cb.baseline = cb, .arg = arg,
				       .now = now, .offmin = tzoff / 60 };

	return store_each_row(st,
	    "SELECT a.server, a.name, m.how, m.msgs, m.rcpts, m.n, f.first "
	    "FROM (SELECT account, ((minute + ?1) / 60 + 72) % 168 AS how, "
	    "  sum(msgs) AS msgs, sum(rcpts) AS rcpts, count(*) AS n "
	    "  FROM minutes GROUP BY account, how) AS m "
	    "JOIN (SELECT account, min(minute) AS first FROM minutes "
	    "  GROUP BY account) AS f ON f.account = m.account "
	    "JOIN accounts AS a ON a.id = m.account "
	    "ORDER BY m.account, m.how", e.offmin, store_baseline_row, &e);
}

/* One row of store_load_ips. */
static int
store_ip_row(sqlite3_stmt *s, struct store_each *e)
{
	struct store_ip	 ip;

	ip.server = (const char *)sqlite3_column_text(s, 0);
	ip.account = (const char *)sqlite3_column_text(s, 1);
	ip.ip = (const char *)sqlite3_column_text(s, 2);
	ip.first_seen = sqlite3_column_int64(s, 3);
	ip.last_seen = sqlite3_column_int64(s, 4);
	ip.logins = (uint64_t)sqlite3_column_int64(s, 5);
	return e->cb.ip(&ip, e->arg);
}

/* See store.h. */
int
store_load_ips(struct store *st, store_ip_cb cb, void *arg)
{
	struct store_each	 e = { .cb.ip = cb, .arg = arg };

	return store_each_row(st, "SELECT a.server, a.name, i.ip, "
	    "i.first_seen, i.last_seen, i.logins FROM ips AS i "
	    "JOIN accounts AS a ON a.id = i.account ORDER BY i.account, i.ip",
	    0, store_ip_row, &e);
}

/* One row of store_load_peaks. */
static int
store_peak_row(sqlite3_stmt *s, struct store_each *e)
{
	struct store_peak	 p;

	p.server = (const char *)sqlite3_column_text(s, 0);
	p.account = (const char *)sqlite3_column_text(s, 1);
	p.hour = sqlite3_column_int64(s, 2) * 3600;
	p.msgs = (uint64_t)sqlite3_column_int64(s, 3);
	return e->cb.peak(&p, e->arg);
}

/* See store.h. */
int
store_load_peaks(struct store *st, int64_t since, store_peak_cb cb,
    void *arg)
{
	struct store_each	 e = { .cb.peak = cb, .arg = arg };

	/* ten-minute buckets of each account, then the busiest per hour */
	return store_each_row(st, "SELECT a.server, a.name, b.bucket / 6, "
	    "max(b.msgs) FROM (SELECT account, minute / 10 AS bucket, "
	    "  sum(msgs) AS msgs FROM minutes "
	    "  WHERE minute >= ?1 / 60 AND msgs > 0 "
	    "  GROUP BY account, bucket) AS b "
	    "JOIN accounts AS a ON a.id = b.account "
	    "GROUP BY b.account, b.bucket / 6 HAVING max(b.msgs) > 1 "
	    "ORDER BY b.account, b.bucket / 6", since, store_peak_row, &e);
}

/* One row of store_load_incidents. */
static int
store_incident_row(sqlite3_stmt *s, struct store_each *e)
{
	struct store_incident	 inc;

	inc.server = (const char *)sqlite3_column_text(s, 0);
	inc.account = (const char *)sqlite3_column_text(s, 1);
	inc.opened = sqlite3_column_int64(s, 2);
	inc.closed = sqlite3_column_int64(s, 3);	/* NULL: 0 */
	inc.peak_level = sqlite3_column_int(s, 4);
	inc.reason = (const char *)sqlite3_column_text(s, 5);
	return e->cb.inc(&inc, e->arg);
}

/* See store.h. */
int
store_load_incidents(struct store *st, int64_t since, store_incident_cb cb,
    void *arg)
{
	struct store_each	 e = { .cb.inc = cb, .arg = arg };

	return store_each_row(st, "SELECT a.server, a.name, i.opened, "
	    "i.closed, i.peak_level, i.reason FROM incidents AS i "
	    "JOIN accounts AS a ON a.id = i.account "
	    "WHERE i.opened >= ?1 OR i.closed IS NULL OR i.closed >= ?1 "
	    "ORDER BY i.opened, i.id", since, store_incident_row, &e);
}

/* One row of store_load_rbl. */
static int
store_rbl_row(sqlite3_stmt *s, struct store_each *e)
{
	struct store_rbl	 r;

	memset(&r, 0, sizeof(r));
	r.server = (const char *)sqlite3_column_text(s, 0);
	r.ip = (const char *)sqlite3_column_text(s, 1);
	r.zone = (const char *)sqlite3_column_text(s, 2);
	r.listed = 1;
	r.at = sqlite3_column_int64(s, 3);
	r.delisted = sqlite3_column_int64(s, 4);	/* NULL: 0 */
	r.codes = (const char *)sqlite3_column_text(s, 5);
	r.reason = (const char *)sqlite3_column_text(s, 6);
	return e->cb.rbl(&r, e->arg);
}

/* See store.h. */
int
store_load_rbl(struct store *st, int64_t since, store_rbl_cb cb, void *arg)
{
	struct store_each	 e = { .cb.rbl = cb, .arg = arg };

	return store_each_row(st, "SELECT server, ip, zone, listed, "
	    "delisted, codes, reason FROM rbl WHERE delisted IS NULL OR "
	    "delisted >= ?1 ORDER BY listed, id", since, store_rbl_row, &e);
}

/* One row of store_load_gaps. */
static int
store_gap_row(sqlite3_stmt *s, struct store_each *e)
{
	struct store_gap	 g;

	g.session = sqlite3_column_int64(s, 0);
	g.at = sqlite3_column_int64(s, 1);
	g.server = (const char *)sqlite3_column_text(s, 2);
	g.path = (const char *)sqlite3_column_text(s, 3);
	g.why = (const char *)sqlite3_column_text(s, 4);
	return e->cb.gap(&g, e->arg);
}

/* See store.h. */
int
store_load_gaps(struct store *st, int64_t since, store_gap_cb cb, void *arg)
{
	struct store_each	 e = { .cb.gap = cb, .arg = arg };

	return store_each_row(st, "SELECT session, at, server, path, why "
	    "FROM gaps WHERE at >= ?1 ORDER BY at, id", since, store_gap_row,
	    &e);
}

/* See store.h. */
int
store_load_follow(struct store *st, const char *server, const char *path,
    struct store_follow *out)
{
	sqlite3_stmt	*s;
	int		 rc, found = 0;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&st->dblock);
	rc = sqlite3_prepare_v2(st->db, "SELECT inode, offset, head_hash, "
	    "updated FROM follow WHERE server = ?1 AND path = ?2", -1, &s,
	    NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, server, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			out->inode = (uint64_t)sqlite3_column_int64(s, 0);
			out->offset = (uint64_t)sqlite3_column_int64(s, 1);
			out->head_hash = (uint64_t)sqlite3_column_int64(s, 2);
			out->updated = sqlite3_column_int64(s, 3);
			found = 1;
			rc = SQLITE_DONE;
		}
		sqlite3_finalize(s);
	}
	pthread_mutex_unlock(&st->dblock);
	return rc == SQLITE_DONE ? found : -1;
}
