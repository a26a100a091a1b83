/*
 * test_store_cap.c: the history's size cap under a password spray: names
 * invented by the thousand do not grow the file past the cap, the real
 * accounts' counters, addresses and incidents stay, history stays on.
 */
#include <sys/stat.h>

#include <setjmp.h>
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
#include "store/store.h"

#define NOW	((int64_t)1795000000)
#define CAP	((int64_t)512 * 1024)
#define NREAL	20	/* real accounts, each with a week of mail */
#define NSPRAY	150	/* flushes of sprayed names */
#define PERSPRAY 400	/* invented names per flush: 60,000 in all */

static char	 dir[64];
static char	 dbpath[128];

/* A fresh directory per test. */
static int
setup(void **state)
{
	strcpy(dir, "/tmp/mailcon-test-store-cap-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/history.db", dir);
	return 0;
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
 * The database file's size.  Its -wal beside it is bounded apart from
 * the cap (checkpointed every 1000 pages, cut to journal_size_limit).
 */
static int64_t
disk_bytes(void)
{
	struct stat	 sb;

	return stat(dbpath, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

/* The real accounts: a week of mail each, an address, one incident. */
static void
real_accounts(struct store *st)
{
	struct store_counts	 c;
	struct store_incident	 inc;
	char			 acct[64];
	int			 i, m;

	memset(&c, 0, sizeof(c));
	c.msgs = c.rcpts = c.auth_ok = 1;
	for (i = 0; i < NREAL; i++) {
		snprintf(acct, sizeof(acct), "real%d@example.test", i);
		for (m = 0; m < 7 * 24; m++)	/* one minute an hour */
			store_batch_count(st, "mx1", acct,
			    NOW - 7 * 86400 + m * 3600, &c);
		store_batch_ip(st, "mx1", acct, "192.0.2.1", NOW - 3600);
	}
	memset(&inc, 0, sizeof(inc));
	inc.server = "mx1";
	inc.account = "real0@example.test";
	inc.opened = NOW - 3600;
	inc.peak_level = 3;
	inc.reason = "guessed password";
	store_batch_incident(st, &inc);
	assert_int_equal(store_flush(st, NOW - 3600), 0);
}

/*
 * 60,000 invented names, one failed login each, over 150 flushes: the
 * file stays within the cap (plus what one batch adds before it is
 * pruned), the newest names are kept, the oldest went, and every row of
 * the real accounts is there.
 */
static void
test_spray(void **state)
{
	struct store_opts	 o;
	struct store_counts	 c;
	struct store_stats	 stats;
	struct store		*st;
	char			 acct[64], err[512];
	int64_t			 most = 0, t;
	int			 f, i;

	store_opts_init(&o);
	o.path = dbpath;
	o.cap_bytes = CAP;
	if ((st = store_open(&o, NOW - 3600, err, sizeof(err))) == NULL)
		fail_msg("store_open: %s", err);
	real_accounts(st);
	memset(&c, 0, sizeof(c));
	c.auth_fail = 1;
	for (f = 0; f < NSPRAY; f++) {
		t = NOW + f * 60;
		for (i = 0; i < PERSPRAY; i++) {
			snprintf(acct, sizeof(acct), "spray%d-%d@example.test",
			    f, i);
			store_batch_count(st, "mx1", acct, t, &c);
		}
		assert_int_equal(store_flush(st, t), 0);
		if (disk_bytes() > most)
			most = disk_bytes();
	}
	store_get_stats(st, &stats);
	assert_null(store_error(st));
	store_close(st, NOW + NSPRAY * 60);
	/* what 60,000 names take without the cap: several MB */
	if (most > 2 * CAP + 512 * 1024)
		fail_msg("the history grew to %lld bytes (cap %lld)",
		    (long long)most, (long long)CAP);
	assert_true(stats.pruned > 0);
	/* the newest names are there, the oldest are gone */
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM accounts "
	    "WHERE name = 'spray149-399@example.test'"), 1);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM accounts "
	    "WHERE name = 'spray0-0@example.test'"), 0);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM fails "
	    "WHERE account NOT IN (SELECT id FROM accounts)"), 0);
	/* the real accounts: every counter, address and the incident */
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM accounts "
	    "WHERE name LIKE 'real%'"), NREAL);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM minutes"),
	    NREAL * 7 * 24);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM ips"), NREAL);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM incidents"), 1);
}

/*
 * Sprayed names cost one row each, not one per minute: a name tried in
 * 50 minutes is one row of fails with the count and the first and last
 * minute.  A name that then logs in is a real account from then on.
 */
static void
test_fails_row(void **state)
{
	struct store_opts	 o;
	struct store_counts	 c;
	struct store		*st;
	char			 err[512];
	int			 m;

	store_opts_init(&o);
	o.path = dbpath;
	if ((st = store_open(&o, NOW, err, sizeof(err))) == NULL)
		fail_msg("store_open: %s", err);
	memset(&c, 0, sizeof(c));
	c.auth_fail = 2;
	for (m = 0; m < 50; m++) {
		store_batch_count(st, "mx1", "guess@example.test", NOW + m * 60,
		    &c);
		if (m % 10 == 9)
			assert_int_equal(store_flush(st, NOW + m * 60), 0);
	}
	assert_int_equal(store_flush(st, NOW + 3600), 0);
	store_close(st, NOW + 3600);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM minutes"), 0);
	assert_int_equal(raw_int(dbpath, "SELECT n FROM fails"), 100);
	assert_int_equal(raw_int(dbpath, "SELECT last - first FROM fails"), 49);
	assert_int_equal(raw_int(dbpath, "SELECT good FROM accounts"), 0);

	if ((st = store_open(&o, NOW + 7200, err, sizeof(err))) == NULL)
		fail_msg("store_open: %s", err);
	memset(&c, 0, sizeof(c));
	c.auth_ok = 1;
	store_batch_count(st, "mx1", "guess@example.test", NOW + 7200, &c);
	assert_int_equal(store_flush(st, NOW + 7200), 0);
	store_close(st, NOW + 7200);
	assert_int_equal(raw_int(dbpath, "SELECT good FROM accounts"), 1);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM minutes"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spray, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fails_row, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
