/* test_audit.c: the audit log: durability, crashes, redaction, hostile names, errors. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "unit_sqlite.h"
#include "act/audit.h"
#include "store/store.h"

#define NOW	((int64_t)1795000000)
#define PW	"Xk9#qR2vLp7!zT4w"	/* a "generated" password */

static const char *const hostile[] = {
	"o'brien@example.test",
	"x'); DROP TABLE audit; --",
	"\"quoted\"@example.test",
	"ctl\x01\x1b[2J\x7f@example.test",
	"semi;colon%s%n\\back $(reboot) `id`",
	"new\nline@example.test",
	"-rf ALL",
};
#define NHOSTILE	(sizeof(hostile) / sizeof(hostile[0]))

static char	 dir[64];
static char	 dbpath[128];

/* A fresh directory per test, with the database one level below. */
static int
setup(void **state)
{
	strcpy(dir, "/tmp/mailcon-test-audit-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/state/history.db", dir);
	return 0;
}

/* Remove the test's directory. */
static int
teardown(void **state)
{
	char	 cmd[256];

	snprintf(cmd, sizeof(cmd), "chattr -R -i %s 2>/dev/null; rm -rf %s",
	    dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Open the audit or fail the test with its message. */
static struct audit *
open_ok(const char *path)
{
	struct audit	*a;
	char		 err[512];

	if ((a = audit_open(path, err, sizeof(err))) == NULL)
		fail_msg("audit_open: %s", err);
	return a;
}

/* Run SQL on the raw database. */
static void
raw_exec(const char *path, const char *sql)
{
	sqlite3	*db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

struct got {
	int	 calls;
	int64_t	 id;
	char	 err[512];
	int64_t	 fresh;		/* rows a fresh connection saw in the cb */
};

/* Intent callback: note the id and check durability from outside. */
static void
intent_cb(int64_t id, const char *err, void *arg)
{
	struct got	*g = arg;
	char		 sql[128];

	g->calls++;
	g->id = id;
	if (err != NULL)
		snprintf(g->err, sizeof(g->err), "%s", err);
	if (id > 0) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE "
		    "id = %lld AND state = 'intent'", (long long)id);
		g->fresh = raw_int(dbpath, sql);
	}
}

/* Run the loop until cb has been called: poll with no timeout. */
static void
loop_until(struct audit *a, struct got *g)
{
	struct pollfd	 pfd;

	while (g->calls == 0) {
		pfd.fd = audit_fd(a);
		pfd.events = POLLIN;
		assert_true(poll(&pfd, 1, -1) >= 0);
		audit_poll(a);
	}
}

struct rows {
	int			 n;
	struct audit_row	 last;
	char			 command[1024], account[256], stderr_text[8192];
	char			 verified[256], counts[256], target[256];
	char			 server[256];
	int64_t			 ids[32];
};

/* Collect rows (copying the strings of the last one). */
static int
collect(const struct audit_row *r, void *arg)
{
	struct rows	*c = arg;

#define CP(f, src) snprintf(c->f, sizeof(c->f), "%s", src ? src : "(null)")
	if (c->n < 32)
		c->ids[c->n] = r->id;
	c->n++;
	c->last = *r;
	CP(command, r->command);
	CP(account, r->account);
	CP(stderr_text, r->stderr_text);
	CP(verified, r->verified);
	CP(counts, r->counts);
	CP(target, r->target);
	CP(server, r->server);
#undef CP
	return 0;
}

/* Collect the first row only. */
static int
collect_first(const struct audit_row *r, void *arg)
{
	struct rows	*c = arg;

	if (c->n == 0)
		collect(r, arg);
	else
		c->n++;
	return 0;
}

/* A record for a hold of account's mail. */
static struct audit_rec
rec_for(const char *account, const char *const *argv, int argc)
{
	struct audit_rec	 r;

	memset(&r, 0, sizeof(r));
	r.started = NOW;
	r.operator = "alice";
	r.server = "mx1";
	r.account = account;
	r.action = "hold";
	r.target = "3 queued messages";
	r.argv = argv;
	r.argc = argc;
	return r;
}

/* Intent, durable when cb runs; then outcome and verification read back. */
static void
test_roundtrip(void **state)
{
	const char *const	 argv[] = { "postsuper", "-h", "-" };
	struct audit_rec	 r = rec_for("judy@example.test", argv, 3);
	struct audit		*a;
	struct got		 g;
	struct rows		 c;
	static const char	 err[] = "postsuper: fatal: \x1b[31mno\n";

	a = open_ok(dbpath);
	memset(&g, 0, sizeof(g));
	assert_int_equal(audit_intent(a, &r, intent_cb, &g), 0);
	loop_until(a, &g);
	assert_int_equal(g.calls, 1);
	assert_true(g.id > 0);
	assert_int_equal(g.fresh, 1);	/* committed before the callback */

	memset(&c, 0, sizeof(c));
	assert_int_equal(audit_pending(a, collect, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.last.id, g.id);

	assert_int_equal(audit_outcome(a, g.id, AUDIT_FAILED, 1, "held 0 of 3",
	    err, sizeof(err) - 1, NULL, NULL, NULL), 0);
	assert_int_equal(audit_verified(a, g.id, 0, "3 ids still queued",
	    NULL, NULL, NULL), 0);
	assert_int_equal(audit_sync(a), 0);
	assert_null(audit_error(a));

	memset(&c, 0, sizeof(c));
	assert_int_equal(audit_pending(a, collect, &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(audit_list(a, NOW, collect, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.last.state, AUDIT_FAILED);
	assert_true(c.last.has_exit);
	assert_int_equal(c.last.exit_status, 1);
	assert_string_equal(c.command, "postsuper -h -");
	assert_string_equal(c.counts, "held 0 of 3");
	assert_string_equal(c.target, "3 queued messages");
	/* Sanitised: no raw escape or newline reaches the table. */
	assert_null(strchr(c.stderr_text, '\x1b'));
	assert_null(strchr(c.stderr_text, '\n'));
	assert_non_null(strstr(c.stderr_text, "postsuper: fatal:"));
	assert_string_equal(c.verified, "failed: 3 ids still queued");
	assert_true(c.last.finished > 0);
	assert_true(c.last.verified_at > 0);
	/* Rows before since are left out. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(audit_list(a, NOW + 1, collect, &c), 0);
	assert_int_equal(c.n, 0);
	audit_close(a);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM audit"), 1);
}

/* Long stderr is cut to the limit; an outcome for no row is an error. */
static void
test_stderr_cut(void **state)
{
	struct audit_rec	 r = rec_for("judy@example.test", NULL, 0);
	struct audit		*a;
	struct rows		 c;
	char			*big;
	int64_t			 id;

	a = open_ok(dbpath);
	assert_true((id = audit_intent_sync(a, &r)) > 0);
	big = malloc(100000);
	memset(big, 'e', 100000);
	assert_int_equal(audit_outcome(a, id, AUDIT_DONE, 0, NULL, big,
	    100000, NULL, NULL, NULL), 0);
	free(big);
	assert_int_equal(audit_sync(a), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(audit_list(a, 0, collect, &c), 0);
	assert_true(strlen(c.stderr_text) <= AUDIT_STDERR_MAX + 8);
	assert_non_null(strstr(c.stderr_text, "[cut]"));
	assert_int_equal(audit_outcome(a, id + 100, AUDIT_DONE, 0, NULL, NULL,
	    0, NULL, NULL, NULL), 0);
	assert_int_equal(audit_sync(a), -1);
	assert_non_null(strstr(audit_error(a), "no row"));
	audit_close(a);
}

/* The child: write an intent, report its id, wait to be killed. */
static void
crash_child(int wfd)
{
	const char *const	 argv[] = { "postsuper", "-d", "-" };
	struct audit_rec	 r = rec_for("victim@example.test", argv, 3);
	struct audit		*a;
	char			 err[512];
	int64_t			 id;

	if ((a = audit_open(dbpath, err, sizeof(err))) == NULL)
		_exit(2);
	r.action = "purge";
	if ((id = audit_intent_sync(a, &r)) <= 0)
		_exit(3);
	if (write(wfd, &id, sizeof(id)) != sizeof(id))
		_exit(4);
	for (;;)
		pause();
}

/* kill -9 between intent and outcome: the next start lists the action. */
static void
test_crash(void **state)
{
	struct audit	*a;
	struct rows	 c;
	int64_t		 id;
	int		 p[2], status;
	pid_t		 pid;

	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		crash_child(p[1]);
	}
	assert_true(pid > 0);
	close(p[1]);
	assert_int_equal(read(p[0], &id, sizeof(id)), sizeof(id));
	close(p[0]);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));

	a = open_ok(dbpath);
	memset(&c, 0, sizeof(c));
	assert_int_equal(audit_pending(a, collect, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.last.id, id);
	assert_int_equal(c.last.state, AUDIT_INTENT);
	assert_string_equal(c.account, "victim@example.test");
	assert_string_equal(c.command, "postsuper -d -");
	/* Verified at start-up: recorded as unknown, then off the list. */
	assert_int_equal(audit_outcome(a, id, AUDIT_UNKNOWN, -1, NULL, NULL,
	    0, NULL, NULL, NULL), 0);
	assert_int_equal(audit_verified(a, id, 1, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(audit_sync(a), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(audit_pending(a, collect, &c), 0);
	assert_int_equal(c.n, 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(audit_list(a, 0, collect, &c), 0);
	assert_int_equal(c.last.state, AUDIT_UNKNOWN);
	assert_false(c.last.has_exit);
	assert_string_equal(c.verified, "ok");
	audit_close(a);
}

/* Does the file hold the bytes of s?  0 also when it does not exist. */
static int
file_has(const char *path, const char *s)
{
	FILE	*f;
	char	*buf;
	long	 n;
	size_t	 len = strlen(s), i;
	int	 found = 0;

	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	for (i = 0; i + len <= (size_t)n && !found; i++)
		found = memcmp(buf + i, s, len) == 0;
	free(buf);
	return found;
}

/* The password in the database, its WAL or its shm? */
static int
db_has(const char *s)
{
	char	 p[160];
	int	 n;

	n = file_has(dbpath, s);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	n += file_has(p, s);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	n += file_has(p, s);
	return n;
}

/* Secret words, password fields and secret values never reach the file. */
static void
test_secret(void **state)
{
	const char *const	 argv[] = { "doveadm", "pw", "-s",
				     "SHA512-CRYPT", "-p", PW,
				     "password=" PW, "--pass", PW,
				     "--new-password=" PW, "x" PW "x",
				     "judy@example.test" };
	const char *const	 secrets[] = { PW, NULL };
	struct audit_rec	 r = rec_for("judy@example.test", argv, 12);
	struct audit		*a;
	struct rows		 c;
	char			 buf[1024];
	int64_t			 id;

	r.action = "reset-password";
	r.secret_mask = 1u << 5;
	r.secrets = secrets;
	r.target = "new password " PW;
	audit_command(&r, buf, sizeof(buf));
	assert_string_equal(buf, "doveadm pw -s SHA512-CRYPT -p <secret> "
	    "password=<secret> --pass <secret> --new-password=<secret> "
	    "<secret> judy@example.test");
	/* Cut like snprintf, the length it needs returned. */
	assert_int_equal(audit_command(&r, buf, 8), (int)strlen("doveadm pw "
	    "-s SHA512-CRYPT -p <secret> password=<secret> --pass <secret> "
	    "--new-password=<secret> <secret> judy@example.test"));
	assert_string_equal(buf, "doveadm");

	a = open_ok(dbpath);
	assert_true((id = audit_intent_sync(a, &r)) > 0);
	assert_int_equal(audit_outcome(a, id, AUDIT_DONE, 0, "1 password set",
	    "", 0, NULL, NULL, NULL), 0);
	assert_int_equal(audit_sync(a), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(audit_list(a, 0, collect, &c), 0);
	assert_string_equal(c.target, "new password <secret>");
	assert_null(strstr(c.command, PW));
	/* While open (the row is in the -wal), and after the checkpoint. */
	assert_int_equal(db_has(PW), 0);
	assert_int_equal(db_has("doveadm pw"), 1);	/* the grep works */
	audit_close(a);
	assert_int_equal(db_has(PW), 0);
}

/*
 * A command that echoes the password it was given (a site's
 * password_command, a doveadm): its stderr and the verification are
 * stored with the password as <secret>, even one cut by the stderr limit;
 * the database, its -wal and -shm never hold it, open or closed.
 */
static void
test_secret_stderr(void **state)
{
	const char *const	 argv[] = { "set-password", "judy@example.test" };
	const char *const	 secrets[] = { PW, NULL };
	struct audit_rec	 r = rec_for("judy@example.test", argv, 2);
	struct audit		*a;
	struct rows		 c;
	char			*big;
	int64_t			 id, id2;
	static const char	 err[] = "set-password: cannot set " PW
	    " for judy\nretype: " PW "\n";

	r.action = "reset-password";
	r.secrets = secrets;
	a = open_ok(dbpath);
	assert_true((id = audit_intent_sync(a, &r)) > 0);
	assert_int_equal(audit_outcome(a, id, AUDIT_FAILED, 1, "set " PW,
	    err, sizeof(err) - 1, secrets, NULL, NULL), 0);
	assert_int_equal(audit_verified(a, id, 0, "doveadm pw -t said " PW
	    " is wrong", secrets, NULL, NULL), 0);
	/* stderr that was cut inside a password (the command's output
	   limit): its first part ends it */
	big = malloc(AUDIT_STDERR_MAX);
	assert_non_null(big);
	memset(big, 'x', AUDIT_STDERR_MAX - 30);
	memcpy(big + AUDIT_STDERR_MAX - 30, PW, 10);
	assert_true((id2 = audit_intent_sync(a, &r)) > 0);
	assert_int_equal(audit_outcome(a, id2, AUDIT_FAILED, 1, NULL, big,
	    AUDIT_STDERR_MAX - 20, secrets, NULL, NULL), 0);
	free(big);
	assert_int_equal(audit_sync(a), 0);
	/* the first row, read back */
	memset(&c, 0, sizeof(c));
	assert_int_equal(audit_list(a, 0, collect_first, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.counts, "set <secret>");
	assert_non_null(strstr(c.stderr_text, "cannot set <secret> for judy"));
	assert_non_null(strstr(c.stderr_text, "retype: <secret>"));
	assert_string_equal(c.verified, "failed: doveadm pw -t said <secret> "
	    "is wrong");
	/* open: the rows are in the -wal; then checkpointed */
	assert_int_equal(db_has(PW), 0);
	assert_int_equal(db_has("Xk9#qR"), 0);	/* its first part */
	assert_int_equal(db_has("cannot set"), 1);	/* the grep works */
	audit_close(a);
	assert_int_equal(db_has(PW), 0);
	assert_int_equal(db_has("Xk9#qR"), 0);
}

/* Account names from logs round trip byte-exact; nothing is injected. */
static void
test_hostile(void **state)
{
	struct audit_rec	 r;
	struct audit		*a;
	struct rows		 c;
	struct got		 g;
	size_t			 i;

	a = open_ok(dbpath);
	for (i = 0; i < NHOSTILE; i++) {
		r = rec_for(hostile[i], NULL, 0);
		r.server = hostile[i];
		memset(&g, 0, sizeof(g));
		assert_int_equal(audit_intent(a, &r, intent_cb, &g), 0);
		loop_until(a, &g);
		assert_true(g.id > 0);
		memset(&c, 0, sizeof(c));
		assert_int_equal(audit_list(a, 0, collect, &c), 0);
		assert_int_equal(c.n, (int)i + 1);
		assert_string_equal(c.account, hostile[i]);
		assert_string_equal(c.server, hostile[i]);
	}
	audit_close(a);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM sqlite_schema "
	    "WHERE type = 'table' AND name = 'audit'"), 1);
}

/* A version-1 history (before the audit) is upgraded, its rows kept. */
static void
test_upgrade(void **state)
{
	struct store_counts	 cnt = { 5, 7, 1, 0, 0, 0 };
	struct store_opts	 o;
	struct store		*st;
	struct audit_rec	 r = rec_for("judy@example.test", NULL, 0);
	struct audit		*a;
	char			 err[512];

	store_opts_init(&o);
	o.path = dbpath;
	if ((st = store_open(&o, NOW, err, sizeof(err))) == NULL)
		fail_msg("store_open: %s", err);
	store_batch_count(st, "mx1", "judy@example.test", NOW, &cnt);
	store_batch_ip(st, "mx1", "judy@example.test", "192.0.2.7", NOW);
	assert_int_equal(store_flush(st, NOW), 0);
	store_close(st, NOW);
	/* Exactly what the step 0 -> 1 left. */
	raw_exec(dbpath, "DROP TABLE audit; DROP TABLE rbl; DROP TABLE gaps; "
	    "DROP TABLE fails; DROP INDEX accounts_fails; "
	    "ALTER TABLE accounts DROP COLUMN good; PRAGMA user_version = 1");
	assert_int_equal(raw_int(dbpath, "PRAGMA user_version"), 1);

	a = open_ok(dbpath);
	assert_int_equal(raw_int(dbpath, "PRAGMA user_version"), 5);
	assert_true(audit_intent_sync(a, &r) > 0);
	audit_close(a);
	assert_int_equal(raw_int(dbpath, "SELECT sum(msgs) FROM minutes"), 5);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM ips"), 1);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM sessions"), 1);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM audit"), 1);
	/* And the history opens it as before. */
	if ((st = store_open(&o, NOW, err, sizeof(err))) == NULL)
		fail_msg("store_open after upgrade: %s", err);
	store_close(st, NOW);
}

/* Open failing with a message naming the file. */
static void
assert_open_fails(const char *path, const char *what)
{
	char	 err[512];

	err[0] = '\0';
	assert_null(audit_open(path, err, sizeof(err)));
	if (strstr(err, path) == NULL || strstr(err, what) == NULL)
		fail_msg("expected \"%s\" and \"%s\" in: %s", path, what, err);
	assert_null(strchr(err, '\n'));
}

/* Unwritable audits refuse: open fails, or every intent fails. */
static void
test_unwritable(void **state)
{
	struct audit_rec	 r = rec_for("judy@example.test", NULL, 0);
	struct audit		*a;
	struct got		 g;
	char			 path[160], cmd[256];

	snprintf(path, sizeof(path), "%s/isdir.db", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_open_fails(path, "is a directory");
	snprintf(path, sizeof(path), "%s/garbage.db", dir);
	raw_exec(path, "CREATE TABLE t (x)");
	assert_open_fails(path, "another program");

	/* Root ignores modes: read-only is the immutable flag. */
	snprintf(path, sizeof(path), "%s/ro.db", dir);
	a = open_ok(path);
	audit_close(a);
	snprintf(cmd, sizeof(cmd), "chattr +i %s 2>/dev/null", path);
	if (system(cmd) == 0)
		assert_open_fails(path, "read-only");
	else
		fprintf(stderr, "test_unwritable: chattr +i unavailable, "
		    "read-only case skipped\n");

	/* Open, then the table goes (a damaged file): intents refuse. */
	a = open_ok(dbpath);
	raw_exec(dbpath, "DROP TABLE audit");
	memset(&g, 0, sizeof(g));
	assert_int_equal(audit_intent(a, &r, intent_cb, &g), 0);
	loop_until(a, &g);
	assert_int_equal(g.id, -1);
	assert_non_null(strstr(g.err, dbpath));
	assert_non_null(strstr(g.err, "the action is refused"));
	assert_non_null(audit_error(a));
	assert_int_equal(audit_intent_sync(a, &r), -1);
	assert_non_null(strstr(audit_error(a), "no action runs unaudited"));
	audit_close(a);
	/* A NULL audit (it could not be opened) refuses too. */
	assert_int_equal(audit_intent(NULL, &r, intent_cb, &g), -1);
	assert_int_equal(audit_intent_sync(NULL, &r), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stderr_cut, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_stderr, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
