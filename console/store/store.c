/*
 * store.c: opening the history database (made when missing, set up, its
 * session recorded), closing it, and the messages for what went wrong.
 * The schema is store_schema.c, the start-up reads store_read.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"
#include "core/xmalloc.h"

#define STORE_BUSY_MS		100
/* Opening waits this long for another process making or upgrading it. */
#define STORE_OPEN_BUSY_MS	10000

/* See store.h. */
void
store_opts_init(struct store_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->kind = STORE_KIND_CONSOLE;
	opts->minute_days = 35;		/* five weeks of each hour of week */
	opts->ip_days = 90;
	opts->incident_days = 400;
	opts->prune_rows = 2000;
	opts->cap_bytes = (int64_t)1024 * 1024 * 1024;
}

/* See store.h. */
int
store_default_path(char *buf, size_t len, char *err, size_t errlen)
{
	const char	*s;
	int		 n;

	if ((s = getenv("XDG_STATE_HOME")) != NULL && *s == '/')
		n = snprintf(buf, len, "%s/mailcon/history.db", s);
	else if ((s = getenv("HOME")) != NULL && *s != '\0')
		n = snprintf(buf, len, "%s/.local/state/mailcon/history.db", s);
	else {
		snprintf(err, errlen, "history: neither XDG_STATE_HOME nor "
		    "HOME is set; set one, or give the history path");
		return -1;
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "history: %s: path too long", s);
		return -1;
	}
	return 0;
}

/* Make the directories above path, mode 0700, as mkdir -p would. */
static int
store_mkdirs(const char *path, char *err, size_t errlen)
{
	char		*dir = xstrdup(path), *p;
	struct stat	 sb;

	for (p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			snprintf(err, errlen, "history %s: cannot create: %s; "
			    "create it or choose another history path", dir,
			    strerror(errno));
			goto fail;
		}
		if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
			snprintf(err, errlen, "history %s is not a directory; "
			    "move it away or choose another history path", dir);
			goto fail;
		}
		*p = '/';
	}
	free(dir);
	return 0;
fail:
	free(dir);
	return -1;
}

/* What the admin can do about an sqlite error code. */
static const char *
store_advice(int rc, const struct store *st)
{
	switch (rc & 0xff) {
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return "check that the file and its directory exist and are "
		    "readable and writable by this user";
	case SQLITE_NOTADB:
		return "this is not a mailcon history: move it away and a new "
		    "one is started";
	case SQLITE_CORRUPT:
		return "the file is damaged: move it away (history starts "
		    "again) or try sqlite3 FILE .recover";
	case SQLITE_READONLY:
		return "the file, its directory or its -wal/-shm files are "
		    "read-only: fix permissions, or choose another path";
	case SQLITE_FULL:
		if (st != NULL && st->opts.max_bytes != 0)
			return "the disk is full or the history reached its "
			    "size limit: free space or raise the limit, then "
			    "restart; history kept so far is safe";
		return "the disk is full: free space, then restart; history "
		    "kept so far is safe";
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return "another program holds the database: is a second "
		    "mailcon running?";
	case SQLITE_IOERR:
		return "the disk reported an error: check it (dmesg), then "
		    "restart";
	default:
		return "move the file away to start a new history";
	}
}

/*
 * Write "PATH: what: sqlite's message; advice" into err, or into st->err
 * when err is NULL.
 */
void
store_fail(struct store *st, int rc, const char *what, char *err,
    size_t errlen)
{
	const char	*msg;

	if (err == NULL) {
		err = st->err;
		errlen = sizeof(st->err);
	}
	msg = st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);
	snprintf(err, errlen, "history %s: %s: %s; %s", st->path, what, msg,
	    store_advice(rc, st));
}

/*
 * Run sql, again while another process holds the file (up to
 * STORE_OPEN_BUSY_MS): switching the journal mode of a file others have
 * open is refused at once, without the busy timeout, when two try.
 */
static int
store_exec_patient(sqlite3 *db, const char *sql)
{
	int	 rc, waited = 0;

	while ((rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK &&
	    ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) &&
	    waited < STORE_OPEN_BUSY_MS) {
		usleep(20 * 1000);
		waited += 20;
	}
	return rc;
}

/* Connection settings; the journal mode needs a writable file. */
static int
store_configure(struct store *st, char *err, size_t errlen)
{
	char	 sql[64];
	int	 rc;

	sqlite3_extended_result_codes(st->db, 1);
	/* STORE_BUSY_MS once open (store_open) */
	sqlite3_busy_timeout(st->db, STORE_OPEN_BUSY_MS);
	/* Numbers from our own options, never from logs. */
	if (st->opts.max_bytes > 0) {
		snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
		    (long long)(st->opts.max_bytes / 4096));
		sqlite3_exec(st->db, "PRAGMA page_size = 4096", NULL, NULL,
		    NULL);
		sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	}
	rc = store_exec_patient(st->db, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL;"	/* FULL for the audit log */
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA journal_size_limit = 16777216;");
	if (rc != SQLITE_OK) {
		store_fail(st, rc, "cannot open", err, errlen);
		return -1;
	}
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		store_fail(st, SQLITE_READONLY, "opened read-only", err,
		    errlen);
		return -1;
	}
	return 0;
}

/* Record the start of our session. */
static int
store_session_begin(struct store *st, int64_t now, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	int		 rc;

	rc = sqlite3_prepare_v2(st->db, "INSERT INTO sessions (kind, started,"
	    " alive) VALUES (?1, ?2, ?2)", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int(s, 1, (int)st->opts.kind);
		sqlite3_bind_int64(s, 2, now);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
	}
	if (rc != SQLITE_DONE) {
		store_fail(st, rc, "cannot start a session", err, errlen);
		return -1;
	}
	st->session = sqlite3_last_insert_rowid(st->db);
	return 0;
}

/* Remove a file sqlite made (path and its -journal, -wal, -shm). */
static void
store_unlink_all(const char *path)
{
	static const char *const sfx[] = { "", "-journal", "-wal", "-shm" };
	char	 name[4200];
	size_t	 i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", path, sfx[i]);
		(void)unlink(name);
	}
}

/*
 * Make a missing history: its whole schema in a file beside it, then a
 * link to its name.  So the name never shows an empty or half-made file
 * (a full disk leaves nothing behind), and when another process made it
 * first (EEXIST), that one is kept and ours removed.
 */
static int
store_create(struct store *st, char *err, size_t errlen)
{
	struct store	 tmp;
	char		 name[4200];
	int		 fd, rc, ret = -1;

	/* mkstemp makes it 0600, whatever the umask: the audit trail is
	 * private, and sqlite gives its -wal and -shm the same mode */
	snprintf(name, sizeof(name), "%s.new.XXXXXX", st->path);
	if ((fd = mkstemp(name)) == -1) {
		snprintf(err, errlen, "history %s: cannot open: cannot create "
		    "it: %s; %s", st->path, strerror(errno), errno == ENOSPC ?
		    "free space, then restart" : "check that its directory "
		    "is writable by this user");
		return -1;
	}
	close(fd);
	memset(&tmp, 0, sizeof(tmp));
	tmp.path = st->path;		/* messages name the history */
	rc = sqlite3_open_v2(name, &tmp.db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		store_fail(&tmp, rc, "cannot create", err, errlen);
		goto done;
	}
	sqlite3_extended_result_codes(tmp.db, 1);
	if ((rc = sqlite3_exec(tmp.db, "PRAGMA page_size = 4096", NULL, NULL,
	    NULL)) != SQLITE_OK) {
		store_fail(&tmp, rc, "cannot create", err, errlen);
		goto done;
	}
	if (store_migrate(&tmp, err, errlen) == -1)
		goto done;
	/* born in WAL mode: nobody has to switch it, busy, later */
	if ((rc = sqlite3_exec(tmp.db, "PRAGMA journal_mode = WAL", NULL,
	    NULL, NULL)) != SQLITE_OK) {
		store_fail(&tmp, rc, "cannot create", err, errlen);
		goto done;
	}
	rc = sqlite3_close(tmp.db);
	tmp.db = NULL;
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "history %s: cannot create: %s; %s",
		    st->path, sqlite3_errstr(rc), store_advice(rc, st));
		goto done;
	}
	if (link(name, st->path) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "history %s: cannot create: %s; check "
		    "that its directory is writable by this user", st->path,
		    strerror(errno));
		goto done;
	}
	ret = 0;
done:
	sqlite3_close(tmp.db);
	store_unlink_all(name);
	return ret;
}

/*
 * Open st->path (made first when missing), set the connection up and
 * bring the schema up to date.  0, or -1 with a message in err.
 */
static int
store_connect(struct store *st, char *err, size_t errlen)
{
	struct stat	 sb;
	int		 rc;

	if (store_mkdirs(st->path, err, errlen) == -1)
		return -1;
	if (stat(st->path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "history %s: is a directory; give the "
		    "path of a file (it is created if missing)", st->path);
		return -1;
	}
	if (lstat(st->path, &sb) == -1 && errno == ENOENT &&
	    store_create(st, err, errlen) == -1)
		return -1;
	rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		store_fail(st, rc, "cannot open", err, errlen);
		return -1;
	}
	if (store_configure(st, err, errlen) == -1 ||
	    store_migrate(st, err, errlen) == -1)
		return -1;
	return 0;
}

/* See store.h. */
struct store *
store_open(const struct store_opts *opts, int64_t now, char *err,
    size_t errlen)
{
	struct store	*st;
	char		 path[4096];

	if (opts->path == NULL) {
		if (store_default_path(path, sizeof(path), err, errlen) == -1)
			return NULL;
	} else
		snprintf(path, sizeof(path), "%s", opts->path);
	st = xcalloc(1, sizeof(*st));
	st->opts = *opts;
	st->opts.path = NULL;
	st->path = xstrdup(path);
	st->pipe[0] = st->pipe[1] = -1;
	pthread_mutex_init(&st->dblock, NULL);
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->cond, NULL);
	st->pending = batch_new();
	if (store_connect(st, err, errlen) == -1 ||
	    store_prepare(st, err, errlen) == -1 ||
	    store_session_begin(st, now, err, errlen) == -1)
		goto fail;
	/* the session is part of the opening: it waited as long (another
	   process's batch may hold the file); what follows waits less */
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	if (st->opts.threaded && store_writer_start(st, err, errlen) == -1)
		goto fail;
	return st;
fail:
	store_finalize(st);
	sqlite3_close(st->db);
	batch_free(st->pending);
	pthread_cond_destroy(&st->cond);
	pthread_mutex_destroy(&st->lock);
	pthread_mutex_destroy(&st->dblock);
	free(st->path);
	free(st);
	return NULL;
}

/* See store_int.h. */
int
store_upgrade(const char *path, char *err, size_t errlen)
{
	struct store	 tmp;
	int		 ret;

	/* Only what store_fail, store_configure and store_migrate use. */
	memset(&tmp, 0, sizeof(tmp));
	store_opts_init(&tmp.opts);
	tmp.path = xstrdup(path);
	ret = store_connect(&tmp, err, errlen);
	sqlite3_close(tmp.db);
	free(tmp.path);
	return ret;
}

/* See store.h. */
void
store_close(struct store *st, int64_t now)
{
	sqlite3_stmt	*s;

	if (st == NULL)
		return;
	store_flush(st, now);
	store_wait(st);
	if (st->retry != NULL)		/* one more try, then give up */
		store_flush(st, now);
	store_wait(st);
	store_writer_stop(st);
	if (!st->off && sqlite3_prepare_v2(st->db, "UPDATE sessions SET "
	    "ended = ?2, alive = ?2 WHERE id = ?1", -1, &s, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_int64(s, 1, st->session);
		sqlite3_bind_int64(s, 2, now);
		sqlite3_step(s);
		sqlite3_finalize(s);
		sqlite3_exec(st->db, "PRAGMA optimize", NULL, NULL, NULL);
	}
	store_finalize(st);
	sqlite3_close(st->db);
	batch_free(st->pending);
	batch_free(st->retry);
	pthread_cond_destroy(&st->cond);
	pthread_mutex_destroy(&st->lock);
	pthread_mutex_destroy(&st->dblock);
	free(st->path);
	free(st);
}

/* See store.h. */
const char *
store_path(struct store *st)
{
	return st->path;
}
