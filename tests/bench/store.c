/*
 * store.c: the history store's throughput, for `make bench` (it was a unit
 * test's figure; a figure belongs here, never asserted).
 *
 *	store DIR
 *
 * In a history.db under DIR (made, then removed): one minute of 100,000
 * accounts batched and flushed as one transaction, twice (new accounts,
 * then known ones), then the close (checkpoint).  Prints rows/s of the
 * batch and of the flush, and the seconds of each.  Fails (exit 1) only
 * when the store does: an open or flush that fails, or a minutes table
 * without its 200,000 rows.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"

#define NOW		((int64_t)1795000000)
#define ACCOUNTS	100000

/* Wall-clock seconds. */
static double
bench_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The rows of the minutes table, or -1. */
static long long
bench_minutes(const char *path)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	long long	 n = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM minutes", -1, &s,
	    NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

int
main(int argc, char *argv[])
{
	struct store_counts	 c = { .msgs = 3, .rcpts = 6, .auth_ok = 1 };
	struct store_opts	 o;
	struct store		*st;
	char			 path[512], acct[64], err[512];
	double			 t0, t1, t2;
	long long		 rows;
	int			 i, round;

	if (argc != 2) {
		fprintf(stderr, "usage: store DIR\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/history.db", argv[1]);
	store_opts_init(&o);
	o.path = path;
	if ((st = store_open(&o, NOW, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench store: %s\n", err);
		return 1;
	}
	for (round = 0; round < 2; round++) {
		t0 = bench_now();
		for (i = 0; i < ACCOUNTS; i++) {
			snprintf(acct, sizeof(acct), "user%06d@example.test",
			    i);
			store_batch_count(st, "mx1", acct, NOW + round * 60,
			    &c);
		}
		t1 = bench_now();
		if (store_flush(st, NOW + round * 60) != 0) {
			fprintf(stderr, "bench store: flush: %s\n",
			    store_error(st));
			return 1;
		}
		t2 = bench_now();
		printf("bench store: %d %s accounts: batch %.0f rows/s "
		    "(%.3f s), flush %.0f rows/s (%.3f s)\n", ACCOUNTS,
		    round == 0 ? "new" : "known", ACCOUNTS / (t1 - t0),
		    t1 - t0, ACCOUNTS / (t2 - t1), t2 - t1);
	}
	t0 = bench_now();
	store_close(st, NOW + 120);
	printf("bench store: close (checkpoint) %.3f s\n", bench_now() - t0);
	if ((rows = bench_minutes(path)) != 2 * ACCOUNTS) {
		fprintf(stderr, "bench store: %lld minute rows, not %d\n", rows,
		    2 * ACCOUNTS);
		return 1;
	}
	return 0;
}
