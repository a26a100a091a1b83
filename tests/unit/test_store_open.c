/*
 * test_store_open.c: making the history database: several processes at
 * once (consoles, headless watches, `mailcon act`'s audit), one that
 * opens it while another writes, and a disk that fills up while it is
 * made.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "unit_sqlite.h"
#include "act/audit.h"
#include "store/store.h"

#define NOW	((int64_t)1795000000)
#define NPROC	6	/* processes opening one history at once */
#define ROUNDS	25	/* the race is lost in a few rounds out of 25 */

static char	 dir[64];

/* A fresh directory per test. */
static int
setup(void **state)
{
	strcpy(dir, "/tmp/mailcon-test-store-open-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

/* Remove the test's directory. */
static int
teardown(void **state)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * In a child: wait on the barrier, then open the history as a console
 * (even i) or as `mailcon act`'s audit (odd i).  Exit 0, or 1 with the
 * message on stderr.
 */
static void
child_open(int barrier, const char *path, int i)
{
	struct store_opts	 o;
	struct store		*st;
	struct audit		*a;
	char			 c, err[512];

	(void)!read(barrier, &c, 1);
	if (i % 2 == 1) {
		if ((a = audit_open(path, err, sizeof(err))) == NULL) {
			fprintf(stderr, "audit_open %d: %s\n", i, err);
			_exit(1);
		}
		audit_close(a);
		_exit(0);
	}
	store_opts_init(&o);
	o.path = path;
	o.kind = i % 4 == 0 ? STORE_KIND_CONSOLE : STORE_KIND_HEADLESS;
	if ((st = store_open(&o, NOW, err, sizeof(err))) == NULL) {
		fprintf(stderr, "store_open %d: %s\n", i, err);
		_exit(1);
	}
	store_close(st, NOW + 1);
	_exit(0);
}

/* NPROC processes open path at once; how many failed. */
static int
open_at_once(const char *path)
{
	pid_t	 pid[NPROC];
	int	 p[2], i, status, failed = 0;

	assert_int_equal(pipe(p), 0);
	for (i = 0; i < NPROC; i++) {
		assert_true((pid[i] = fork()) != -1);
		if (pid[i] == 0) {
			close(p[1]);
			child_open(p[0], path, i);
		}
	}
	close(p[0]);
	close(p[1]);		/* all of them start now */
	for (i = 0; i < NPROC; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	return failed;
}

/*
 * A new history made by several processes at once: each one either makes
 * it or waits for the one that does and finds it done; none fails, none
 * says "table ... already exists; move the file away".
 */
static void
test_create_at_once(void **state)
{
	char	 path[128];
	int	 r, failed = 0, v1 = -1;

	for (r = 0; r < ROUNDS; r++) {
		snprintf(path, sizeof(path), "%s/r%d/history.db", dir, r);
		failed += open_at_once(path);
		/* every console's session is there, and one schema */
		assert_int_equal(raw_int(path, "SELECT count(*) FROM sessions"),
		    (NPROC + 1) / 2);
		if (v1 == -1)
			v1 = (int)raw_int(path, "PRAGMA user_version");
		assert_true(v1 > 0);
		assert_int_equal(raw_int(path, "PRAGMA user_version"), v1);
		assert_int_equal(raw_int(path, "SELECT count(*) FROM "
		    "sqlite_schema WHERE name = 'audit'"), 1);
	}
	assert_int_equal(failed, 0);
}

/* The same on an empty file, as an older mailcon could leave one. */
static void
test_empty_file_at_once(void **state)
{
	char	 path[128];
	FILE	*f;
	int	 r, failed = 0;

	for (r = 0; r < ROUNDS; r++) {
		snprintf(path, sizeof(path), "%s/e%d.db", dir, r);
		assert_non_null(f = fopen(path, "w"));
		fclose(f);
		failed += open_at_once(path);
		assert_int_equal(raw_int(path, "SELECT count(*) FROM sessions"),
		    (NPROC + 1) / 2);
	}
	assert_int_equal(failed, 0);
}

/*
 * A history another process is writing to (a watch's batch, here a
 * transaction held for 0.5 s) when a console opens it: the console's
 * session waits for it as the opening does (10 s), not the 0.1 s of the
 * writes after it.  Before, the session insert gave up after 0.1 s: a
 * console or watch started beside a busy one failed with "database is
 * locked" on a loaded machine.
 */
static void
test_session_waits(void **state)
{
	struct store_opts	 o;
	struct store		*st;
	sqlite3			*db;
	char			 path[128], err[512], c;
	pid_t			 pid;
	int			 p[2], status;

	snprintf(path, sizeof(path), "%s/busy.db", dir);
	store_opts_init(&o);
	o.path = path;
	/* forked before this process touches the file: sqlite's locks
	   are per process, and a child must not inherit its state */
	assert_int_equal(pipe(p), 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		close(p[1]);
		(void)!read(p[0], &c, 1);	/* the file is held now */
		if ((st = store_open(&o, NOW + 2, err, sizeof(err))) == NULL) {
			fprintf(stderr, "store_open: %s\n", err);
			_exit(1);
		}
		store_close(st, NOW + 3);
		_exit(0);
	}
	close(p[0]);
	assert_non_null(st = store_open(&o, NOW, err, sizeof(err)));
	store_close(st, NOW + 1);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(write(p[1], "x", 1), 1);
	close(p[1]);
	usleep(500000);		/* the child waits for the file meanwhile */
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sessions"), 2);
}

/* The names in dir, sorted, one per line, into buf. */
static void
list_dir(const char *d, char *buf, size_t size)
{
	char		 cmd[256];
	FILE		*p;
	size_t		 n;

	snprintf(cmd, sizeof(cmd), "ls -A %s", d);
	assert_non_null(p = popen(cmd, "r"));
	n = fread(buf, 1, size - 1, p);
	buf[n] = '\0';
	pclose(p);
}

/*
 * A disk that fills while the history is made (RLIMIT_FSIZE: every write
 * past limit bytes fails, as on a full disk): the open fails with a
 * message naming the file, and nothing is left behind, no 0-byte
 * history.db that looks like a history.  With room again, it is made.
 */
static void
test_full_disk(void **state)
{
	static const rlim_t	 limits[] = { 0, 1024, 6000, 20000 };
	struct store_opts	 o;
	struct store		*st;
	struct rlimit		 rl;
	char			 path[160], sub[128], err[512], left[512];
	size_t			 i;
	pid_t			 pid;
	int			 status;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		snprintf(sub, sizeof(sub), "%s/full%zu", dir, i);
		assert_int_equal(mkdir(sub, 0700), 0);
		snprintf(path, sizeof(path), "%s/history.db", sub);
		assert_true((pid = fork()) != -1);
		if (pid == 0) {
			signal(SIGXFSZ, SIG_IGN);
			rl.rlim_cur = rl.rlim_max = limits[i];
			if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
				_exit(2);
			store_opts_init(&o);
			o.path = path;
			if ((st = store_open(&o, NOW, err, sizeof(err))) !=
			    NULL) {
				store_close(st, NOW);
				_exit(0);
			}
			if (strstr(err, path) == NULL) {
				fprintf(stderr, "no path in: %s\n", err);
				_exit(3);
			}
			_exit(1);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 1);
		list_dir(sub, left, sizeof(left));
		if (left[0] != '\0')
			fail_msg("limit %zu: left behind: %s",
			    (size_t)limits[i], left);
		/* room again: made, and it is a history */
		store_opts_init(&o);
		o.path = path;
		if ((st = store_open(&o, NOW, err, sizeof(err))) == NULL)
			fail_msg("after the full disk: %s", err);
		store_close(st, NOW);
		assert_int_equal(raw_int(path, "SELECT count(*) FROM sessions"),
		    1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_at_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty_file_at_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_full_disk, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_session_waits, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
