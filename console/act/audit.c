/*
 * audit.c: the audit log of actions: a second connection to the history
 * database with synchronous=FULL, and a worker thread so the drawing
 * thread never waits for an fsync (how a command is written into it, its
 * secrets redacted: audit_cmd.c; the jobs of an intent, an outcome and a
 * verification: audit_write.c; the rows read back: audit_read.c).
 *
 * Why a second connection: the history commits in batches on its own
 * schedule with synchronous=NORMAL, which may lose the last commits on a
 * power cut.  An intent must be on disk before the command runs, whatever
 * the history is doing, so it is a transaction of its own, fsynced.
 *
 * Why a thread: with synchronous=FULL every commit waits for the disk.
 * Writes are rare (one operator action makes three), so one worker and a
 * FIFO of jobs are enough; finished jobs go to a done list and a byte down
 * a pipe wakes the loop, which runs the callbacks in audit_poll().  The
 * connection is used by the worker and by the *_sync and read calls, one
 * at a time under dblock.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "audit_int.h"
#include "core/xmalloc.h"
#include "store/store_int.h"

/* A history commit holds the write lock briefly; wait that long for it. */
#define AUDIT_BUSY_MS		5000

/* What the admin can do about an sqlite error code. */
static const char *
audit_advice(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return "check that the file and its directory exist and are "
		    "writable by this user";
	case SQLITE_NOTADB:
		return "this is not a mailcon database: move it away";
	case SQLITE_CORRUPT:
		return "the file is damaged: move it away or try sqlite3 FILE "
		    ".recover";
	case SQLITE_READONLY:
		return "the file, its directory or its -wal/-shm files are "
		    "read-only: fix permissions";
	case SQLITE_FULL:
		return "the disk is full: free space";
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return "another program holds the database: try again";
	case SQLITE_IOERR:
		return "the disk reported an error: check it (dmesg)";
	default:
		return "check the file";
	}
}

/* "audit log PATH: what: sqlite's message; advice" (under dblock). */
void
audit_fail(struct audit *a, int rc, const char *what, char *err,
    size_t errlen)
{
	const char	*msg;

	msg = a->db != NULL ? sqlite3_errmsg(a->db) : sqlite3_errstr(rc);
	snprintf(err, errlen, "audit log %s: %s: %s; %s; no action runs "
	    "unaudited", a->path, what, msg, audit_advice(rc));
}

/* Bind a text or NULL: every value reaches sqlite as a parameter. */
static void
audit_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* Write one job in a transaction of its own (under dblock). */
void
audit_exec(struct audit *a, struct audit_job *j)
{
	static const char *const sql[] = {
		[JOB_INTENT] = "INSERT INTO audit (started, operator, server, "
		    "account, action, target, command, state) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'intent')",
		[JOB_OUTCOME] = "UPDATE audit SET state = ?2, exit_status = "
		    "?3, counts = ?4, stderr = ?5, finished = ?6 WHERE id = ?1",
		[JOB_VERIFIED] = "UPDATE audit SET verified = ?2, "
		    "verified_at = ?3 WHERE id = ?1",
	};
	static const char *const what[] = {
		[JOB_INTENT] = "cannot write the intent, the action is refused",
		[JOB_OUTCOME] = "cannot write the outcome",
		[JOB_VERIFIED] = "cannot write the verification",
	};
	sqlite3_stmt	*s = NULL;
	int		 rc, i;

	rc = sqlite3_prepare_v2(a->db, sql[j->type], -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	switch (j->type) {
	case JOB_INTENT:
		sqlite3_bind_int64(s, 1, j->t);
		for (i = 0; i < 6; i++)
			audit_bind_text(s, i + 2, j->s[i]);
		break;
	case JOB_OUTCOME:
		sqlite3_bind_int64(s, 1, j->id);
		audit_bind_text(s, 2, audit_state_name(j->state));
		if (j->exit_status >= 0)
			sqlite3_bind_int(s, 3, j->exit_status);
		audit_bind_text(s, 4, j->s[0]);
		audit_bind_text(s, 5, j->s[1]);
		sqlite3_bind_int64(s, 6, j->t);
		break;
	case JOB_VERIFIED:
		sqlite3_bind_int64(s, 1, j->id);
		audit_bind_text(s, 2, j->s[0]);
		sqlite3_bind_int64(s, 3, j->t);
		break;
	}
	/* Autocommit: the step is the transaction, fsynced (FULL). */
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	if (j->type == JOB_INTENT)
		j->id = sqlite3_last_insert_rowid(a->db);
	else if (sqlite3_changes(a->db) != 1) {
		j->failed = 1;
		snprintf(j->err, sizeof(j->err), "audit log %s: %s: no row "
		    "%lld", a->path, what[j->type], (long long)j->id);
	}
	return;
fail:
	audit_fail(a, rc, what[j->type], j->err, sizeof(j->err));
	sqlite3_finalize(s);
	j->failed = 1;
}

/* Free a job and its strings. */
void
audit_job_free(struct audit_job *j)
{
	size_t	 i;

	for (i = 0; i < sizeof(j->s) / sizeof(j->s[0]); i++)
		free(j->s[i]);
	free(j);
}

/* The worker: write each queued job in turn; drain the queue, then quit. */
static void *
audit_worker(void *arg)
{
	struct audit		*a = arg;
	struct audit_job	*j;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		while (a->queue == NULL && !a->quit)
			pthread_cond_wait(&a->cond, &a->lock);
		if ((j = a->queue) == NULL)
			break;
		if ((a->queue = j->next) == NULL)
			a->queue_tail = &a->queue;
		j->next = NULL;
		a->busy = 1;
		pthread_mutex_unlock(&a->lock);
		pthread_mutex_lock(&a->dblock);
		audit_exec(a, j);
		pthread_mutex_unlock(&a->dblock);
		pthread_mutex_lock(&a->lock);
		a->busy = 0;
		*a->done_tail = j;
		a->done_tail = &j->next;
		pthread_cond_broadcast(&a->cond);
		/* Full pipe: the loop has a wake-up pending already. */
		(void)!write(a->pipe[1], "", 1);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* Hand a job to the worker. */
void
audit_queue(struct audit *a, struct audit_job *j)
{
	pthread_mutex_lock(&a->lock);
	*a->queue_tail = j;
	a->queue_tail = &j->next;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

/* The connection's settings and a check that the table is there. */
static int
audit_configure(struct audit *a, char *err, size_t errlen)
{
	int	 rc;

	sqlite3_extended_result_codes(a->db, 1);
	sqlite3_busy_timeout(a->db, AUDIT_BUSY_MS);
	rc = sqlite3_exec(a->db, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "SELECT count(*) FROM audit WHERE 0", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		audit_fail(a, rc, "cannot open", err, errlen);
		return -1;
	}
	if (sqlite3_db_readonly(a->db, "main") == 1) {
		audit_fail(a, SQLITE_READONLY, "opened read-only", err,
		    errlen);
		return -1;
	}
	return 0;
}

/* See audit.h. */
struct audit *
audit_open(const char *path, char *err, size_t errlen)
{
	struct audit	*a;
	char		 why[512];
	int		 rc, i;

	if (store_upgrade(path, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "audit log: %s", why);
		return NULL;
	}
	a = xcalloc(1, sizeof(*a));
	a->path = xstrdup(path);
	a->pipe[0] = a->pipe[1] = -1;
	pthread_mutex_init(&a->dblock, NULL);
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	a->queue_tail = &a->queue;
	a->done_tail = &a->done;
	/* Never create here: store_upgrade() made it, with its schema. */
	rc = sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		audit_fail(a, rc, "cannot open", err, errlen);
		goto fail;
	}
	if (audit_configure(a, err, errlen) == -1)
		goto fail;
	if (pipe(a->pipe) == -1) {
		snprintf(err, errlen, "audit log: pipe: %s", strerror(errno));
		goto fail;
	}
	for (i = 0; i < 2; i++) {
		fcntl(a->pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(a->pipe[i], F_SETFD, FD_CLOEXEC);
	}
	if ((errno = pthread_create(&a->worker, NULL, audit_worker, a)) != 0) {
		snprintf(err, errlen, "audit log: cannot start the worker: %s",
		    strerror(errno));
		goto fail;
	}
	return a;
fail:
	if (a->pipe[0] != -1) {
		close(a->pipe[0]);
		close(a->pipe[1]);
	}
	sqlite3_close(a->db);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	pthread_mutex_destroy(&a->dblock);
	free(a->path);
	free(a);
	return NULL;
}

/* Free a list of jobs without running their callbacks. */
static void
audit_free_list(struct audit_job *j)
{
	struct audit_job	*next;

	for (; j != NULL; j = next) {
		next = j->next;
		audit_job_free(j);
	}
}

/* See audit.h. */
void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	a->quit = 1;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->worker, NULL);
	audit_free_list(a->done);
	close(a->pipe[0]);
	close(a->pipe[1]);
	sqlite3_close(a->db);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	pthread_mutex_destroy(&a->dblock);
	free(a->path);
	free(a);
}

/* Remember a failure for audit_error() (the caller's thread). */
void
audit_set_error(struct audit *a, const char *err)
{
	snprintf(a->err, sizeof(a->err), "%s", err);
	a->has_err = 1;
}

/* See audit.h. */
int
audit_fd(struct audit *a)
{
	return a->pipe[0];
}

/* See audit.h. */
int
audit_poll(struct audit *a)
{
	struct audit_job	*j, *next;
	char			 buf[64];
	int			 ret = 0;

	while (read(a->pipe[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&a->lock);
	j = a->done;
	a->done = NULL;
	a->done_tail = &a->done;
	pthread_mutex_unlock(&a->lock);
	for (; j != NULL; j = next) {
		next = j->next;
		if (j->failed) {
			audit_set_error(a, j->err);
			ret = -1;
		}
		if (j->cb != NULL)
			j->cb(j->failed ? -1 : j->id, j->failed ? j->err :
			    NULL, j->arg);
		audit_job_free(j);
	}
	return ret;
}

/* See audit.h. */
int
audit_sync(struct audit *a)
{
	pthread_mutex_lock(&a->lock);
	while (a->queue != NULL || a->busy)
		pthread_cond_wait(&a->cond, &a->lock);
	pthread_mutex_unlock(&a->lock);
	return audit_poll(a);
}

/* See audit.h. */
const char *
audit_error(struct audit *a)
{
	return a != NULL && a->has_err ? a->err : NULL;
}
