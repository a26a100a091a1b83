/*
 * audit_read.c: the audit's rows read back (the actions whose outcome never
 * came, the actions since a time) and the names of their states.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "audit_int.h"

static const char *const audit_states[] = {
	[AUDIT_INTENT] = "intent",
	[AUDIT_DONE] = "done",
	[AUDIT_FAILED] = "failed",
	[AUDIT_UNKNOWN] = "unknown",
};

/* See audit.h. */
const char *
audit_state_name(enum audit_state s)
{
	if ((unsigned)s >= sizeof(audit_states) / sizeof(audit_states[0]))
		return "unknown";
	return audit_states[s];
}

/* The state a stored name stands for (unknown for anything else). */
static enum audit_state
audit_state_parse(const char *s)
{
	size_t	 i;

	for (i = 0; s != NULL && i < sizeof(audit_states) /
	    sizeof(audit_states[0]); i++)
		if (strcmp(s, audit_states[i]) == 0)
			return (enum audit_state)i;
	return AUDIT_UNKNOWN;
}

/* Run a query of audit rows, calling cb with each (blocks on the disk). */
static int
audit_rows(struct audit *a, const char *where, int64_t since,
    audit_row_cb cb, void *arg)
{
	struct audit_row	 r;
	sqlite3_stmt		*s;
	char			 sql[512];
	int			 rc;

	/* where is one of our constants, never text from outside. */
	snprintf(sql, sizeof(sql), "SELECT id, started, operator, server, "
	    "account, action, target, command, state, exit_status, counts, "
	    "stderr, finished, verified, verified_at FROM audit WHERE %s "
	    "ORDER BY id", where);
	pthread_mutex_lock(&a->dblock);
	if ((rc = sqlite3_prepare_v2(a->db, sql, -1, &s, NULL)) != SQLITE_OK) {
		audit_fail(a, rc, "cannot read", a->err, sizeof(a->err));
		a->has_err = 1;
		pthread_mutex_unlock(&a->dblock);
		return -1;
	}
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(s, 0);
		r.started = sqlite3_column_int64(s, 1);
		r.operator = (const char *)sqlite3_column_text(s, 2);
		r.server = (const char *)sqlite3_column_text(s, 3);
		r.account = (const char *)sqlite3_column_text(s, 4);
		r.action = (const char *)sqlite3_column_text(s, 5);
		r.target = (const char *)sqlite3_column_text(s, 6);
		r.command = (const char *)sqlite3_column_text(s, 7);
		r.state = audit_state_parse((const char *)
		    sqlite3_column_text(s, 8));
		r.has_exit = sqlite3_column_type(s, 9) != SQLITE_NULL;
		r.exit_status = sqlite3_column_int(s, 9);
		r.counts = (const char *)sqlite3_column_text(s, 10);
		r.stderr_text = (const char *)sqlite3_column_text(s, 11);
		r.finished = sqlite3_column_int64(s, 12);
		r.verified = (const char *)sqlite3_column_text(s, 13);
		r.verified_at = sqlite3_column_int64(s, 14);
		if (cb(&r, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		audit_fail(a, rc, "cannot read", a->err, sizeof(a->err));
		a->has_err = 1;
	}
	sqlite3_finalize(s);
	pthread_mutex_unlock(&a->dblock);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* See audit.h. */
int
audit_pending(struct audit *a, audit_row_cb cb, void *arg)
{
	return audit_rows(a, "state = 'intent'", 0, cb, arg);
}

/* See audit.h. */
int
audit_list(struct audit *a, int64_t since, audit_row_cb cb, void *arg)
{
	return audit_rows(a, "started >= ?1", since, cb, arg);
}
