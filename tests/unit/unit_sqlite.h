/*
 * unit_sqlite.h: what the tests of the history and the audit share: one
 * integer read from the database on a connection of their own, not the
 * store's.  Header only (static inline), since the Makefile builds each
 * test_*.c alone.  Include after <cmocka.h> and <sqlite3.h>.
 */
#ifndef MAILCON_UNIT_SQLITE_H
#define MAILCON_UNIT_SQLITE_H

#include <stdint.h>

/* The first column of the first row of sql on path (-1: no row). */
static inline int64_t
raw_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	int64_t		 v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

#endif
