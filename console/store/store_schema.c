/*
 * store_schema.c: the history's schema, as ordered steps, and its
 * migration: a file checked to be ours and brought up to date in one
 * transaction, whoever else opens it at the same moment.
 */
#include <stdio.h>

#include "store_int.h"

/* "mlcn": tells our file from any other sqlite database. */
#define STORE_APP_ID		0x6d6c636e

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
int
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
