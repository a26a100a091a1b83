/*
 * store.c: opening the history database, its schema and migrations, the
 * messages for what went wrong, sessions and the start-up reads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"
#include "core/xmalloc.h"

/* "mlcn": tells our file from any other sqlite database. */
#define STORE_APP_ID		0x6d6c636e
#define STORE_BUSY_MS		100
/* Opening waits this long for another process making or upgrading it. */
#define STORE_OPEN_BUSY_MS	10000

/*
 * The schema, as an ordered list of steps: step i takes user_version i to
 * i + 1 and sets it in the same transaction, so a crash mid-upgrade leaves
 * the old version.  Add a step at the end; never edit a released one.
 *
 * minutes is keyed (minute, account): each flush appends near the end of
 * the tree, and retention deletes from its start, with no second index.
 * Its account column has no foreign key on purpose: a cascade would scan
 * the table per account deleted; rows of pruned accounts are already past
 * retention, and readers join through accounts.
 */
static const char *const store_steps[] = {
	/* 0 -> 1: counters, IPs, incidents, sessions, follow positions. */
	"PRAGMA application_id = 1835819886;"	/* STORE_APP_ID */
	"CREATE TABLE sessions ("
	" id INTEGER PRIMARY KEY,"
	" kind INTEGER NOT NULL,"
	" started INTEGER NOT NULL,"
	" alive INTEGER NOT NULL,"		/* last commit: the crash time */
	" ended INTEGER);"			/* NULL: running or crashed */
	"CREATE INDEX sessions_kind ON sessions (kind, id);"
	"CREATE TABLE accounts ("
	" id INTEGER PRIMARY KEY,"
	" server TEXT NOT NULL,"
	" name TEXT NOT NULL COLLATE NOCASE,"
	" seen INTEGER NOT NULL,"		/* to within a day */
	" UNIQUE (server, name));"
	"CREATE INDEX accounts_seen ON accounts (seen);"
	"CREATE TABLE minutes ("
	" minute INTEGER NOT NULL,"		/* UTC seconds / 60 */
	" account INTEGER NOT NULL,"
	" msgs INTEGER NOT NULL, rcpts INTEGER NOT NULL,"
	" auth_ok INTEGER NOT NULL, auth_fail INTEGER NOT NULL,"
	" deferred INTEGER NOT NULL, bounced INTEGER NOT NULL,"
	" PRIMARY KEY (minute, account)) WITHOUT ROWID;"
	"CREATE TABLE ips ("
	" account INTEGER NOT NULL REFERENCES accounts (id)"
	"  ON DELETE CASCADE,"
	" ip TEXT NOT NULL,"
	" first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	" logins INTEGER NOT NULL,"
	" PRIMARY KEY (account, ip)) WITHOUT ROWID;"
	"CREATE INDEX ips_last ON ips (last_seen);"
	"CREATE TABLE incidents ("
	" id INTEGER PRIMARY KEY,"
	" account INTEGER NOT NULL REFERENCES accounts (id)"
	"  ON DELETE CASCADE,"
	" opened INTEGER NOT NULL,"
	" closed INTEGER,"			/* NULL: open */
	" peak_level INTEGER NOT NULL,"
	" reason TEXT,"
	" UNIQUE (account, opened));"
	"CREATE INDEX incidents_opened ON incidents (opened);"
	"CREATE TABLE follow ("
	" server TEXT NOT NULL, path TEXT NOT NULL,"
	" inode INTEGER NOT NULL, offset INTEGER NOT NULL,"
	" head_hash INTEGER NOT NULL, updated INTEGER NOT NULL,"
	" PRIMARY KEY (server, path)) WITHOUT ROWID;"
	"PRAGMA user_version = 1;",
	/*
	 * 1 -> 2: the audit log of actions (audit.c writes it on a
	 * connection of its own, synchronous=FULL).  Text columns are
	 * stored byte-exact from bound parameters; command never holds a
	 * secret: audit.c redacts argv before anything is queued.
	 */
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY,"
	" started INTEGER NOT NULL,"
	" operator TEXT, server TEXT, account TEXT,"
	" action TEXT NOT NULL,"
	" target TEXT,"				/* "1,234 queued messages" */
	" command TEXT,"			/* shell-quoted, redacted */
	" state TEXT NOT NULL,"			/* intent done failed unknown */
	" exit_status INTEGER,"
	" counts TEXT,"
	" stderr TEXT,"				/* sanitised, truncated */
	" finished INTEGER,"
	" verified TEXT,"			/* NULL, ok, failed: ... */
	" verified_at INTEGER);"
	"CREATE INDEX audit_state ON audit (state);"
	"PRAGMA user_version = 2;",
	/*
	 * 2 -> 3: when each of the servers' addresses got listed on a DNS
	 * blocklist, and delisted (NULL: still listed, as last checked).
	 */
	"CREATE TABLE rbl ("
	" id INTEGER PRIMARY KEY,"
	" server TEXT NOT NULL, ip TEXT NOT NULL, zone TEXT NOT NULL,"
	" listed INTEGER NOT NULL,"
	" delisted INTEGER,"
	" codes TEXT,"				/* decoded return codes */
	" reason TEXT,"				/* TXT, sanitised */
	" UNIQUE (server, ip, zone, listed));"
	"CREATE INDEX rbl_open ON rbl (server, ip, zone, delisted);"
	"PRAGMA user_version = 3;",
	/*
	 * 3 -> 4: parts of a followed log that were lost (rotated away
	 * while the console was disconnected), so a later session can say
	 * its counts have a hole.  session has no foreign key: sessions
	 * are pruned on their own, and a gap goes by its own time.
	 */
	"CREATE TABLE gaps ("
	" id INTEGER PRIMARY KEY,"
	" session INTEGER NOT NULL,"		/* sessions.id that saw it */
	" at INTEGER NOT NULL,"			/* when it was noticed */
	" server TEXT NOT NULL, path TEXT NOT NULL,"
	" why TEXT NOT NULL);"			/* plain words, as told */
	"CREATE INDEX gaps_at ON gaps (at);"
	"PRAGMA user_version = 4;",
	/*
	 * 4 -> 5: names that only ever failed to log in (a password spray
	 * invents thousands a minute) keep one row of failures each in
	 * fails, not a row per minute, and are the first to go when the
	 * history reaches its size cap (store_cap.c).  good: the account
	 * logged in or sent mail (rows from before: assumed so).
	 */
	"ALTER TABLE accounts ADD COLUMN good INTEGER NOT NULL DEFAULT 1;"
	"CREATE INDEX accounts_fails ON accounts (seen) WHERE good = 0;"
	"CREATE TABLE fails ("
	" account INTEGER PRIMARY KEY REFERENCES accounts (id)"
	"  ON DELETE CASCADE,"
	" first INTEGER NOT NULL, last INTEGER NOT NULL,"	/* minutes */
	" n INTEGER NOT NULL);"
	"PRAGMA user_version = 5;",
};
#define STORE_VERSION	((int)(sizeof(store_steps) / sizeof(store_steps[0])))

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
 * The file's application id, schema version and number of tables, read
 * in one statement: one snapshot, even while another process commits.
 */
static int
store_read_version(struct store *st, int64_t *app, int64_t *version,
    int64_t *tables)
{
	sqlite3_stmt	*s;
	int		 rc;

	*app = *version = *tables = 0;
	if ((rc = sqlite3_prepare_v2(st->db, "SELECT (SELECT application_id "
	    "FROM pragma_application_id), (SELECT user_version FROM "
	    "pragma_user_version), (SELECT count(*) FROM sqlite_schema)", -1,
	    &s, NULL)) != SQLITE_OK)
		return rc;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*app = sqlite3_column_int64(s, 0);
		*version = sqlite3_column_int64(s, 1);
		*tables = sqlite3_column_int64(s, 2);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Is the file ours, and not newer than we know?  0, or -1 with err. */
static int
store_check_version(struct store *st, int64_t app, int64_t version,
    int64_t tables, char *err, size_t errlen)
{
	if ((app != 0 && app != STORE_APP_ID) ||
	    (app == 0 && version == 0 && tables != 0)) {
		snprintf(err, errlen, "history %s: a database of another "
		    "program, not a mailcon history; choose another path",
		    st->path);
		return -1;
	}
	if (version > STORE_VERSION) {
		snprintf(err, errlen, "history %s: schema version %lld is "
		    "newer than this mailcon knows (%d); run a newer mailcon, "
		    "or move the file away", st->path, (long long)version,
		    STORE_VERSION);
		return -1;
	}
	return 0;
}

/*
 * Check the file is ours and bring its schema up to STORE_VERSION, in one
 * transaction.  BEGIN IMMEDIATE makes a second process making or
 * upgrading the same file at the same moment wait (the busy timeout), and
 * the version is read again inside: the one that waited finds the work
 * done, never half done, and never runs a step twice.
 */
static int
store_migrate(struct store *st, char *err, size_t errlen)
{
	int64_t	 app, version, tables;
	int	 rc, i;

	if ((rc = store_read_version(st, &app, &version, &tables)) != 0) {
		store_fail(st, rc, "cannot read", err, errlen);
		return -1;
	}
	if (store_check_version(st, app, version, tables, err, errlen) == -1)
		return -1;
	if (version == STORE_VERSION)
		return 0;
	if (sqlite3_db_readonly(st->db, "main")) {
		store_fail(st, SQLITE_READONLY, "cannot upgrade the schema",
		    err, errlen);
		return -1;
	}
	if ((rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL)) != SQLITE_OK) {
		store_fail(st, rc, "cannot upgrade the schema", err, errlen);
		return -1;
	}
	if ((rc = store_read_version(st, &app, &version, &tables)) != 0) {
		store_fail(st, rc, "cannot read", err, errlen);
		goto fail;
	}
	if (store_check_version(st, app, version, tables, err, errlen) == -1)
		goto fail;
	for (i = (int)version; i < STORE_VERSION; i++)
		if ((rc = sqlite3_exec(st->db, store_steps[i], NULL, NULL,
		    NULL)) != SQLITE_OK) {
			store_fail(st, rc, "cannot create or upgrade the "
			    "schema", err, errlen);
			goto fail;
		}
	if ((rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL)) !=
	    SQLITE_OK) {
		store_fail(st, rc, "cannot create or upgrade the schema", err,
		    errlen);
		goto fail;
	}
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
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
	/* STORE_BUSY_MS once open (store_connect) */
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
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
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

/* See store.h. */
int
store_load_baselines(struct store *st, int64_t now, int tzoff,
    store_baseline_cb cb, void *arg)
{
	struct store_baseline	 b;
	sqlite3_stmt		*s;
	int64_t			 first, offmin = tzoff / 60;
	int			 rc;

	pthread_mutex_lock(&st->dblock);
	rc = sqlite3_prepare_v2(st->db,
	    "SELECT a.server, a.name, m.how, m.msgs, m.rcpts, m.n, f.first "
	    "FROM (SELECT account, ((minute + ?1) / 60 + 72) % 168 AS how, "
	    "  sum(msgs) AS msgs, sum(rcpts) AS rcpts, count(*) AS n "
	    "  FROM minutes GROUP BY account, how) AS m "
	    "JOIN (SELECT account, min(minute) AS first FROM minutes "
	    "  GROUP BY account) AS f ON f.account = m.account "
	    "JOIN accounts AS a ON a.id = m.account "
	    "ORDER BY m.account, m.how", -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(s, 1, offmin);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&b, 0, sizeof(b));
		b.server = (const char *)sqlite3_column_text(s, 0);
		b.account = (const char *)sqlite3_column_text(s, 1);
		b.how = sqlite3_column_int(s, 2);
		b.msgs = (uint64_t)sqlite3_column_int64(s, 3);
		b.rcpts = (uint64_t)sqlite3_column_int64(s, 4);
		b.minutes = (uint64_t)sqlite3_column_int64(s, 5);
		first = sqlite3_column_int64(s, 6);
		b.first = first * 60;
		b.hours = store_hours_in((first + offmin) / 60,
		    (now / 60 + offmin) / 60, b.how);
		if (b.hours == 0)
			b.hours = 1;	/* clock went back: never divide by 0 */
		if (cb(&b, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
done:
	pthread_mutex_unlock(&st->dblock);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* See store.h. */
int
store_load_ips(struct store *st, store_ip_cb cb, void *arg)
{
	struct store_ip	 ip;
	sqlite3_stmt	*s;
	int		 rc;

	pthread_mutex_lock(&st->dblock);
	rc = sqlite3_prepare_v2(st->db, "SELECT a.server, a.name, i.ip, "
	    "i.first_seen, i.last_seen, i.logins FROM ips AS i "
	    "JOIN accounts AS a ON a.id = i.account ORDER BY i.account, i.ip",
	    -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto done;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ip.server = (const char *)sqlite3_column_text(s, 0);
		ip.account = (const char *)sqlite3_column_text(s, 1);
		ip.ip = (const char *)sqlite3_column_text(s, 2);
		ip.first_seen = sqlite3_column_int64(s, 3);
		ip.last_seen = sqlite3_column_int64(s, 4);
		ip.logins = (uint64_t)sqlite3_column_int64(s, 5);
		if (cb(&ip, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
done:
	pthread_mutex_unlock(&st->dblock);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* What a loader's row decoder turns a result row into, and for whom. */
struct store_each {
	union {
		store_incident_cb	 inc;
		store_rbl_cb		 rbl;
		store_gap_cb		 gap;
		store_peak_cb		 peak;
	} cb;
	void		*arg;
};

/*
 * A start-up read: run sql with since as ?1 and hand each result row to
 * row() until it returns non-zero.  0, or -1 on error.
 */
static int
store_each_since(struct store *st, const char *sql, int64_t since,
    int (*row)(sqlite3_stmt *, struct store_each *), struct store_each *e)
{
	sqlite3_stmt	*s;
	int		 rc;

	pthread_mutex_lock(&st->dblock);
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(s, 1, since);
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
	return store_each_since(st, "SELECT a.server, a.name, b.bucket / 6, "
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

	return store_each_since(st, "SELECT a.server, a.name, i.opened, "
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

	return store_each_since(st, "SELECT server, ip, zone, listed, "
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

	return store_each_since(st, "SELECT session, at, server, path, why "
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
