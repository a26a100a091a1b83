/* test_store.c: the sqlite history: round trips, schema, restarts, errors, crashes. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "unit_sqlite.h"
#include "store/store.h"

#define NOW	((int64_t)1795000000)	/* a fixed "now": 2026-11-18 */
#define DAY	((int64_t)86400)

/* Account names and IPs straight from an attacker's log lines. */
static const char *const hostile[] = {
	"judy@example.test",
	"o'brien@example.test",
	"x'); DROP TABLE minutes; --",
	"'; DROP TABLE accounts; --",
	"\"quoted\"@example.test",
	"ctl\x01\x1b[2J\x7f@example.test",
	"semi;colon%s%n\\back",
};
#define NHOSTILE	(sizeof(hostile) / sizeof(hostile[0]))

static char	 dir[64];
static char	 dbpath[128];

/* A fresh directory per test, with the database two levels below. */
static int
setup(void **state)
{
	strcpy(dir, "/tmp/mailcon-test-store-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/state/mailcon/history.db", dir);
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

/* Options for the test database. */
static struct store_opts
opts_for(const char *path)
{
	struct store_opts	 o;

	store_opts_init(&o);
	o.path = path;
	return o;
}

/* Open the test database or fail the test with sqlite's message. */
static struct store *
open_ok(struct store_opts *o, int64_t now)
{
	struct store	*st;
	char		 err[512];

	st = store_open(o, now, err, sizeof(err));
	if (st == NULL)
		fail_msg("store_open: %s", err);
	return st;
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

/* "ok" from PRAGMA integrity_check. */
static void
assert_integrity(const char *path)
{
	sqlite3		*db;
	sqlite3_stmt	*s;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1,
	    &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* Every table the schema made is still there (no injection dropped one). */
static void
assert_tables(const char *path)
{
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_schema "
	    "WHERE type = 'table' AND name IN ('sessions', 'accounts', "
	    "'minutes', 'ips', 'incidents', 'follow', 'gaps')"), 7);
}

struct collect {
	char	 buf[8192];
	int	 n;
	uint64_t msgs, rcpts, hours, minutes;
};

/* Baseline callback: note "server|account|how|msgs|rcpts|minutes|hours". */
static int
collect_baseline(const struct store_baseline *b, void *arg)
{
	struct collect	*c = arg;
	size_t		 len = strlen(c->buf);

	snprintf(c->buf + len, sizeof(c->buf) - len, "%s|%s|%d|%llu|%llu|"
	    "%llu|%llu\n", b->server, b->account, b->how,
	    (unsigned long long)b->msgs, (unsigned long long)b->rcpts,
	    (unsigned long long)b->minutes, (unsigned long long)b->hours);
	c->n++;
	c->msgs += b->msgs;
	c->rcpts += b->rcpts;
	c->minutes += b->minutes;
	return 0;
}

/* IP callback: note "account|ip|first|last|logins". */
static int
collect_ip(const struct store_ip *ip, void *arg)
{
	struct collect	*c = arg;
	size_t		 len = strlen(c->buf);

	snprintf(c->buf + len, sizeof(c->buf) - len, "%s|%s|%lld|%lld|%llu\n",
	    ip->account, ip->ip, (long long)ip->first_seen,
	    (long long)ip->last_seen, (unsigned long long)ip->logins);
	c->n++;
	return 0;
}

/* Incident callback: note "account|opened|closed|level|reason". */
static int
collect_incident(const struct store_incident *inc, void *arg)
{
	struct collect	*c = arg;
	size_t		 len = strlen(c->buf);

	snprintf(c->buf + len, sizeof(c->buf) - len, "%s|%lld|%lld|%d|%s\n",
	    inc->account, (long long)inc->opened, (long long)inc->closed,
	    inc->peak_level, inc->reason ? inc->reason : "(null)");
	c->n++;
	return 0;
}

/* Batch one account's traffic: n messages in the minute of t. */
static void
send_msgs(struct store *st, const char *server, const char *acct, int64_t t,
    uint32_t n)
{
	struct store_counts	 c = { .msgs = n, .rcpts = 2 * n, .auth_ok = 1 };

	store_batch_count(st, server, acct, t, &c);
}

/* Counters, IPs, incidents and follow positions come back as written. */
static void
test_roundtrip(void **state)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store_incident	 inc = { 0 };
	struct store_follow	 f = { 0 }, g;
	struct store		*st;
	struct collect		 c;
	struct stat		 sb;
	char			 line[256], sub[128];
	size_t			 i;

	st = open_ok(&o, NOW);
	snprintf(sub, sizeof(sub), "%s/state/mailcon", dir);
	assert_int_equal(stat(sub, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	for (i = 0; i < NHOSTILE; i++) {
		send_msgs(st, "mx1", hostile[i], NOW, 3);
		send_msgs(st, "mx1", hostile[i], NOW + 10, 4);	/* same minute */
		store_batch_ip(st, "mx1", hostile[i], hostile[i], NOW);
		store_batch_ip(st, "mx1", hostile[i], "192.0.2.1", NOW - 5);
		store_batch_ip(st, "mx1", hostile[i], "192.0.2.1", NOW + 5);
	}
	inc.server = "mx1";
	inc.account = hostile[2];
	inc.opened = NOW - 100;
	inc.peak_level = 2;
	inc.reason = "'); DELETE FROM incidents; --";
	store_batch_incident(st, &inc);
	f.server = "mx1'--";
	f.path = "/var/log/mail.log'; DROP TABLE follow; --";
	f.inode = 0xfedcba9876543210ULL;	/* above INT64_MAX */
	f.offset = 123456789012ULL;
	f.head_hash = UINT64_MAX;
	f.updated = NOW;
	store_batch_follow(st, &f);
	assert_int_equal(store_flush(st, NOW), 0);
	assert_null(store_error(st));

	/* A second batch raises the peak and closes the incident. */
	inc.peak_level = 3;
	inc.reason = "critical now";
	inc.closed = NOW + 50;
	store_batch_incident(st, &inc);
	inc.peak_level = 1;		/* lower: keeps 3 and its reason */
	inc.reason = "lower";
	store_batch_incident(st, &inc);
	assert_int_equal(store_flush(st, NOW + 1), 0);
	assert_tables(dbpath);

	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_baselines(st, NOW + 60, 0,
	    collect_baseline, &c), 0);
	assert_int_equal(c.n, (int)NHOSTILE);
	assert_int_equal(c.msgs, 7 * NHOSTILE);
	assert_int_equal(c.rcpts, 14 * NHOSTILE);
	for (i = 0; i < NHOSTILE; i++) {
		snprintf(line, sizeof(line), "mx1|%s|", hostile[i]);
		assert_non_null(strstr(c.buf, line));
	}
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_ips(st, collect_ip, &c), 0);
	assert_int_equal(c.n, 2 * NHOSTILE);
	for (i = 0; i < NHOSTILE; i++) {
		snprintf(line, sizeof(line), "%s|%s|%lld|%lld|1\n", hostile[i],
		    hostile[i], (long long)NOW, (long long)NOW);
		assert_non_null(strstr(c.buf, line));
		snprintf(line, sizeof(line), "%s|192.0.2.1|%lld|%lld|2\n",
		    hostile[i], (long long)NOW - 5, (long long)NOW + 5);
		assert_non_null(strstr(c.buf, line));
	}
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_incidents(st, NOW - 1000,
	    collect_incident, &c), 0);
	assert_int_equal(c.n, 1);
	snprintf(line, sizeof(line), "%s|%lld|%lld|3|critical now\n",
	    hostile[2], (long long)NOW - 100, (long long)NOW + 50);
	assert_string_equal(c.buf, line);
	/* Closed before "since": not listed. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_incidents(st, NOW + 51,
	    collect_incident, &c), 0);
	assert_int_equal(c.n, 0);

	assert_int_equal(store_load_follow(st, f.server, f.path, &g), 1);
	assert_true(g.inode == f.inode);
	assert_true(g.offset == f.offset);
	assert_true(g.head_hash == f.head_hash);
	assert_int_equal(g.updated, NOW);
	assert_int_equal(store_load_follow(st, "mx1", f.path, &g), 0);
	store_close(st, NOW + 2);
	assert_tables(dbpath);
	assert_integrity(dbpath);
}

/* Account names differing in ASCII case are one account; servers are not. */
static void
test_account_case(void **state)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store		*st;
	struct collect		 c;

	st = open_ok(&o, NOW);
	send_msgs(st, "mx1", "Judy@Example.TEST", NOW, 1);
	send_msgs(st, "mx1", "judy@example.test", NOW, 1);
	assert_int_equal(store_flush(st, NOW), 0);
	send_msgs(st, "mx1", "JUDY@example.test", NOW, 1);
	send_msgs(st, "MX1", "judy@example.test", NOW, 1);
	assert_int_equal(store_flush(st, NOW), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_baselines(st, NOW, 0, collect_baseline,
	    &c), 0);
	assert_int_equal(c.n, 2);
	assert_non_null(strstr(c.buf, "mx1|Judy@Example.TEST|"));
	assert_int_equal(raw_int(dbpath, "SELECT msgs FROM minutes JOIN "
	    "accounts ON id = account WHERE server = 'mx1'"), 3);
	store_close(st, NOW);
}

/* Hour of week and the number of times it has passed. */
static void
test_baseline_hours(void **state)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store		*st;
	struct collect		 c;
	/* 2026-11-30 is a Monday; 10:15 UTC there. */
	int64_t			 mon = 1796033700, now = mon + 14 * DAY;

	st = open_ok(&o, now);
	send_msgs(st, "s", "a", mon, 5);
	send_msgs(st, "s", "a", mon + 7 * DAY, 7);
	send_msgs(st, "s", "a", mon + 7 * DAY + 60, 1);
	assert_int_equal(store_flush(st, now), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_baselines(st, now, 0, collect_baseline,
	    &c), 0);
	/* Monday 10h is hour 10; seen in weeks 0, 1 and now (week 2). */
	assert_string_equal(c.buf, "s|a|10|13|26|3|3\n");
	/* Two hours east: the same traffic falls in hour 12. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_baselines(st, now, 7200,
	    collect_baseline, &c), 0);
	assert_string_equal(c.buf, "s|a|12|13|26|3|3\n");
	store_close(st, now);
}

/* Peak callback: note "server|account|hour|msgs". */
static int
collect_peak(const struct store_peak *p, void *arg)
{
	struct collect	*c = arg;
	size_t		 len = strlen(c->buf);

	snprintf(c->buf + len, sizeof(c->buf) - len, "%s|%s|%lld|%llu\n",
	    p->server, p->account, (long long)p->hour,
	    (unsigned long long)p->msgs);
	c->n++;
	return 0;
}

/*
 * The busiest ten minutes (clock-aligned) of each hour since a time: the
 * detector's usual at that hour.  Hours with one message at most, and
 * hours before since, are left out.
 */
static void
test_peaks(void **state)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store		*st;
	struct collect		 c;
	/* 2026-11-30 10:00 UTC */
	int64_t			 h = 1796032800, now = h + 2 * DAY;

	st = open_ok(&o, now);
	send_msgs(st, "s", "a", h + 60, 3);		/* 10:00-10:10: 3+4 */
	send_msgs(st, "s", "a", h + 540, 4);
	send_msgs(st, "s", "a", h + 600, 5);		/* 10:10-10:20: 5 */
	send_msgs(st, "s", "a", h + 3600, 1);		/* 11:00: one only */
	send_msgs(st, "s", "a", h - DAY, 9);		/* before since */
	send_msgs(st, "s", "b", h + DAY + 7200, 2);	/* next day, 12:00 */
	assert_int_equal(store_flush(st, now), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_peaks(st, h - 3600, collect_peak, &c), 0);
	assert_string_equal(c.buf, "s|a|1796032800|7\n"
	    "s|b|1796126400|2\n");
	store_close(st, now);
}

/* The schema version is set, and a newer one is refused clearly. */
static void
test_schema_version(void **state)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store		*st;
	char			 err[512];

	st = open_ok(&o, NOW);
	store_close(st, NOW);
	assert_int_equal(raw_int(dbpath, "PRAGMA user_version"), 5);
	assert_int_equal(raw_int(dbpath, "PRAGMA application_id"),
	    0x6d6c636e);
	/* Reopening an up-to-date file changes nothing. */
	st = open_ok(&o, NOW);
	store_close(st, NOW);
	raw_exec(dbpath, "PRAGMA user_version = 7");
	assert_null(store_open(&o, NOW, err, sizeof(err)));
	assert_non_null(strstr(err, dbpath));
	assert_non_null(strstr(err, "schema version 7 is newer"));
	assert_non_null(strstr(err, "newer mailcon"));
}

/* store_load_rbl callback: "ip zone listed delisted codes reason;" */
static int
rbl_collect(const struct store_rbl *r, void *arg)
{
	char	*out = arg;
	size_t	 len = strlen(out);

	snprintf(out + len, 1024 - len, "%s %s %s %lld %lld %s %s;",
	    r->server, r->ip, r->zone, (long long)r->at,
	    (long long)r->delisted, r->codes != NULL ? r->codes : "-",
	    r->reason != NULL ? r->reason : "-");
	return 0;
}

/* Listings: one open row per address and zone, closed when delisted. */
static void
test_rbl_history(void **state)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store		*st;
	struct store_rbl	 r;
	char			 out[1024], want[1024];

	st = open_ok(&o, NOW);
	memset(&r, 0, sizeof(r));
	r.server = "mx";
	r.ip = "192.0.2.7";
	r.zone = "zen.spamhaus.org";
	r.listed = 1;
	r.at = NOW;
	r.codes = "127.0.0.2 SBL";
	r.reason = "https://check.spamhaus.org/sbl/query/SBL1";
	store_batch_rbl(st, &r);
	assert_int_equal(store_flush(st, NOW), 0);
	/* seen listed again: no second row */
	r.at = NOW + 60;
	store_batch_rbl(st, &r);
	assert_int_equal(store_flush(st, NOW + 60), 0);
	out[0] = '\0';
	assert_int_equal(store_load_rbl(st, NOW, rbl_collect, out), 0);
	snprintf(want, sizeof(want), "mx 192.0.2.7 zen.spamhaus.org %lld 0 "
	    "127.0.0.2 SBL https://check.spamhaus.org/sbl/query/SBL1;",
	    (long long)NOW);
	assert_string_equal(out, want);
	/* delisted; then listed again later: a second row */
	r.listed = 0;
	r.at = NOW + 120;
	store_batch_rbl(st, &r);
	r.listed = 1;
	r.at = NOW + 600;
	r.codes = "127.0.0.4 XBL";
	r.reason = NULL;
	store_batch_rbl(st, &r);
	assert_int_equal(store_flush(st, NOW + 600), 0);
	out[0] = '\0';
	assert_int_equal(store_load_rbl(st, NOW, rbl_collect, out), 0);
	snprintf(want, sizeof(want), "mx 192.0.2.7 zen.spamhaus.org %lld %lld "
	    "127.0.0.2 SBL https://check.spamhaus.org/sbl/query/SBL1;"
	    "mx 192.0.2.7 zen.spamhaus.org %lld 0 127.0.0.4 XBL -;",
	    (long long)NOW, (long long)NOW + 120, (long long)NOW + 600);
	assert_string_equal(out, want);
	/* since after the delisting: only the open one */
	out[0] = '\0';
	assert_int_equal(store_load_rbl(st, NOW + 300, rbl_collect, out), 0);
	snprintf(want, sizeof(want), "mx 192.0.2.7 zen.spamhaus.org %lld 0 "
	    "127.0.0.4 XBL -;", (long long)NOW + 600);
	assert_string_equal(out, want);
	store_close(st, NOW + 600);
}

/* store_load_gaps callback: "session|at|server|path|why\n" into a buffer. */
static int
collect_gap(const struct store_gap *g, void *arg)
{
	struct collect	*c = arg;
	size_t		 len = strlen(c->buf);

	snprintf(c->buf + len, sizeof(c->buf) - len, "%lld|%lld|%s|%s|%s\n",
	    (long long)g->session, (long long)g->at, g->server, g->path,
	    g->why);
	c->n++;
	return 0;
}

/* Gap text as a hostile server or log name could make it. */
static const char gap_server[] = "mx'1\"; DROP TABLE gaps; --";
static const char gap_path[] = "/var/log/mail.log\n\x1b]0;PWNED\x07\r";
static const char gap_why[] = "it's \"gone\"\n\x1b[2J\x7f\xff\xfe\\x1b";

/* Batch the hostile gap, noticed at t. */
static void
batch_hostile_gap(struct store *st, int64_t t)
{
	/* session is ignored: the store records its own */
	struct store_gap	 g = { .server = gap_server, .path = gap_path,
				     .at = t, .why = gap_why, .session = 999 };

	store_batch_gap(st, &g);
}

/* Gaps come back byte-exact, in time order, by session, after "since". */
static void
test_gaps(void **state)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store_gap	 g;
	struct store		*st;
	struct collect		 c;
	char			 want[1024];
	int64_t			 s1, s2;

	st = open_ok(&o, NOW);
	batch_hostile_gap(st, NOW + 20);
	memset(&g, 0, sizeof(g));
	g.server = "mx2";
	g.path = "/var/log/maillog";
	g.why = "truncated";
	g.at = NOW + 10;		/* noticed first, batched second */
	store_batch_gap(st, &g);
	assert_int_equal(store_flush(st, NOW + 30), 0);
	assert_tables(dbpath);
	s1 = raw_int(dbpath, "SELECT max(id) FROM sessions");
	store_close(st, NOW + 40);

	/* The next session sees the first one's gaps and adds its own. */
	st = open_ok(&o, NOW + 100);
	s2 = raw_int(dbpath, "SELECT max(id) FROM sessions");
	assert_true(s2 > s1);
	g.at = NOW + 110;
	g.why = "rotated away";
	store_batch_gap(st, &g);
	assert_int_equal(store_flush(st, NOW + 120), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_gaps(st, NOW, collect_gap, &c), 0);
	assert_int_equal(c.n, 3);
	snprintf(want, sizeof(want), "%lld|%lld|mx2|/var/log/maillog|"
	    "truncated\n%lld|%lld|%s|%s|%s\n%lld|%lld|mx2|/var/log/maillog|"
	    "rotated away\n", (long long)s1, (long long)NOW + 10,
	    (long long)s1, (long long)NOW + 20, gap_server, gap_path, gap_why,
	    (long long)s2, (long long)NOW + 110);
	assert_string_equal(c.buf, want);
	/* since: at or after, not before */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_gaps(st, NOW + 20, collect_gap, &c), 0);
	assert_int_equal(c.n, 2);
	assert_non_null(strstr(c.buf, gap_why));
	assert_null(strstr(c.buf, "truncated"));
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_gaps(st, NOW + 111, collect_gap, &c), 0);
	assert_int_equal(c.n, 0);
	store_close(st, NOW + 130);
	/* The text was stored as given, not escaped on the way in. */
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM gaps WHERE "
	    "instr(why, char(27, 91, 50, 74)) > 0 AND instr(path, char(10)) "
	    "> 0"), 1);
	assert_integrity(dbpath);
}

/* A version-3 history (before gaps) is upgraded to 4, its rows kept. */
static void
test_upgrade_v3(void **state)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store_incident	 inc = { "mx1", "judy@example.test", NOW - 50,
				     0, 3, "200 IPs" };
	struct store_rbl	 r = { .server = "mx1", .ip = "192.0.2.1",
				     .zone = "zen.spamhaus.org", .listed = 1,
				     .at = NOW };
	struct store		*st;
	struct collect		 c;
	char			 out[1024];

	st = open_ok(&o, NOW);
	send_msgs(st, "mx1", "judy@example.test", NOW, 9);
	store_batch_ip(st, "mx1", "judy@example.test", "192.0.2.7", NOW);
	store_batch_incident(st, &inc);
	store_batch_rbl(st, &r);
	assert_int_equal(store_flush(st, NOW), 0);
	store_close(st, NOW + 10);
	/* Exactly what the step 2 -> 3 left. */
	raw_exec(dbpath, "DROP TABLE fails; DROP INDEX accounts_fails; "
	    "ALTER TABLE accounts DROP COLUMN good; DROP TABLE gaps; "
	    "PRAGMA user_version = 3");
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'gaps'"), 0);

	st = open_ok(&o, NOW + 100);
	assert_int_equal(raw_int(dbpath, "PRAGMA user_version"), 5);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name IN ('gaps', 'gaps_at', 'fails', 'accounts_fails')"),
	    4);
	/* accounts from before 5 count as real ones */
	assert_int_equal(raw_int(dbpath, "SELECT min(good) FROM accounts"), 1);
	/* Everything the version-3 file held is still there. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_baselines(st, NOW + 100, 0,
	    collect_baseline, &c), 0);
	assert_int_equal(c.msgs, 9);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_ips(st, collect_ip, &c), 0);
	assert_non_null(strstr(c.buf, "|192.0.2.7|"));
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_incidents(st, NOW - 100, collect_incident,
	    &c), 0);
	assert_int_equal(c.n, 1);
	assert_non_null(strstr(c.buf, "|3|200 IPs"));
	out[0] = '\0';
	assert_int_equal(store_load_rbl(st, NOW, rbl_collect, out), 0);
	assert_non_null(strstr(out, "192.0.2.1 zen.spamhaus.org"));
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM sessions"), 2);
	/* And the new table takes gaps. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_gaps(st, 0, collect_gap, &c), 0);
	assert_int_equal(c.n, 0);
	batch_hostile_gap(st, NOW + 100);
	assert_int_equal(store_flush(st, NOW + 100), 0);
	assert_int_equal(store_load_gaps(st, 0, collect_gap, &c), 0);
	assert_int_equal(c.n, 1);
	assert_non_null(strstr(c.buf, gap_why));
	store_close(st, NOW + 200);
	assert_tables(dbpath);
	assert_integrity(dbpath);
}

/* journal_mode is WAL (the pragma answers text, so check it apart). */
static void
test_wal(void **state)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store		*st;
	sqlite3			*db;
	sqlite3_stmt		*s;

	st = open_ok(&o, NOW);
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(db);
	store_close(st, NOW);
}

/* A restart keeps baselines, IPs and incidents; sessions define "since". */
static void
test_reopen(void **state)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store_incident	 inc = { "mx1", "judy@example.test", NOW + 10,
				     0, 3, "200 IPs" };
	struct store_session	 ses;
	struct store		*st;
	struct collect		 c;

	st = open_ok(&o, NOW);
	assert_int_equal(store_last_session(st, STORE_KIND_CONSOLE, &ses), 0);
	send_msgs(st, "mx1", "judy@example.test", NOW, 9);
	store_batch_ip(st, "mx1", "judy@example.test", "2001:db8::1", NOW);
	store_close(st, NOW + 100);

	/* The headless watcher runs while the admin is away. */
	o.kind = STORE_KIND_HEADLESS;
	st = open_ok(&o, NOW + 200);
	store_batch_incident(st, &inc);
	store_close(st, NOW + 300);

	o.kind = STORE_KIND_CONSOLE;
	st = open_ok(&o, NOW + 400);
	assert_int_equal(store_last_session(st, STORE_KIND_CONSOLE, &ses), 1);
	assert_int_equal(ses.started, NOW);
	assert_int_equal(ses.ended, NOW + 100);
	assert_false(ses.crashed);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_baselines(st, NOW + 400, 0,
	    collect_baseline, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.msgs, 9);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_ips(st, collect_ip, &c), 0);
	assert_int_equal(c.n, 1);
	assert_non_null(strstr(c.buf, "|2001:db8::1|"));
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_incidents(st, ses.ended, collect_incident,
	    &c), 0);
	assert_int_equal(c.n, 1);
	assert_non_null(strstr(c.buf, "judy@example.test|"));
	assert_non_null(strstr(c.buf, "|3|200 IPs"));
	store_close(st, NOW + 500);
}

/* A session that never closed is reported crashed, ended at its last commit. */
static void
test_crashed_session(void **state)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store_session	 ses;
	struct store		*st;
	pid_t			 pid;
	int			 status;

	if ((pid = fork()) == 0) {
		st = open_ok(&o, NOW);
		send_msgs(st, "mx1", "a", NOW + 30, 1);
		if (store_flush(st, NOW + 30) != 0)
			_exit(1);
		_exit(0);	/* no store_close: as if killed */
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	st = open_ok(&o, NOW + 1000);
	assert_int_equal(store_last_session(st, STORE_KIND_CONSOLE, &ses), 1);
	assert_true(ses.crashed);
	assert_int_equal(ses.started, NOW);
	assert_int_equal(ses.ended, NOW + 30);
	store_close(st, NOW + 1000);
}

/* Retention deletes expired rows a bounded number at a time, keeps the rest. */
static void
test_retention(void **state)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store_incident	 inc = { "mx1", "old", 0, 0, 2, "long ago" };
	struct store		*st;
	struct collect		 c;
	char			 acct[32];
	int			 i, rounds;

	o.prune_rows = 10;
	/* An account seen once, 500 days ago. */
	st = open_ok(&o, NOW - 500 * DAY);
	inc.opened = NOW - 450 * DAY;
	inc.closed = NOW - 449 * DAY;
	store_batch_incident(st, &inc);
	batch_hostile_gap(st, NOW - 450 * DAY);
	assert_int_equal(store_flush(st, NOW - 500 * DAY), 0);
	store_close(st, NOW - 500 * DAY);

	st = open_ok(&o, NOW - 45 * DAY);
	/* 100 minutes 40 days ago (expired), 20 minutes 30 days ago (kept). */
	for (i = 0; i < 100; i++)
		send_msgs(st, "mx1", "judy", NOW - 40 * DAY + i * 60, 1);
	for (i = 0; i < 20; i++)
		send_msgs(st, "mx1", "judy", NOW - 30 * DAY + i * 60, 1);
	for (i = 0; i < 30; i++) {
		snprintf(acct, sizeof(acct), "198.51.100.%d", i);
		store_batch_ip(st, "mx1", "judy", acct, NOW - 100 * DAY);
	}
	store_batch_ip(st, "mx1", "judy", "192.0.2.7", NOW - 89 * DAY);
	inc.account = "judy";
	inc.opened = NOW - 2 * DAY;
	inc.closed = 0;
	store_batch_incident(st, &inc);
	batch_hostile_gap(st, NOW - 2 * DAY);
	/* Written 45 days ago: none of it had expired then. */
	assert_int_equal(store_flush(st, NOW - 45 * DAY), 0);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM minutes"), 120);
	/* Bounded: 10 rows per table per flush. */
	assert_int_equal(store_flush(st, NOW), 0);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM minutes"), 110);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM ips"), 21);
	for (rounds = 0; rounds < 20; rounds++) {
		send_msgs(st, "mx1", "judy", NOW, 1);	/* keep flushing */
		assert_int_equal(store_flush(st, NOW), 0);
	}
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM minutes"), 21);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM minutes "
	    "WHERE minute < (1795000000 - 35 * 86400) / 60"), 0);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM ips"), 1);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM incidents"), 1);
	/* Gaps go with incidents' retention: the one of 450 days ago. */
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM gaps"), 1);
	assert_int_equal(raw_int(dbpath, "SELECT min(at) FROM gaps"),
	    NOW - 2 * DAY);
	/* The account "old" was last seen 500 days ago: gone with its rows. */
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM accounts "
	    "WHERE name = 'old'"), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_load_ips(st, collect_ip, &c), 0);
	assert_non_null(strstr(c.buf, "judy|192.0.2.7|"));
	store_close(st, NOW);
	assert_integrity(dbpath);
}

/* Open must fail with the path, sqlite's words and advice. */
static void
assert_open_fails(const char *path, const char *want)
{
	struct store_opts	 o = opts_for(path);
	char			 err[512];

	err[0] = '\0';
	assert_null(store_open(&o, NOW, err, sizeof(err)));
	/* The path, or the directory above it that is in the way. */
	if (strncmp(err, "history ", 8) != 0 || strstr(err, dir) == NULL ||
	    strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

/* A file that is not a database, or not ours, is refused clearly. */
static void
test_garbage(void **state)
{
	char	 path[128];
	FILE	*f;
	int	 i;

	snprintf(path, sizeof(path), "%s/garbage.db", dir);
	assert_non_null(f = fopen(path, "w"));
	for (i = 0; i < 1000; i++)
		fputs("this is not sqlite\n", f);
	fclose(f);
	assert_open_fails(path, "not a database");
	assert_open_fails(path, "move it away");

	snprintf(path, sizeof(path), "%s/other.db", dir);
	raw_exec(path, "CREATE TABLE t (x)");
	assert_open_fails(path, "another program");
}

/* Paths that cannot hold a database. */
static void
test_unopenable(void **state)
{
	char	 path[128], cmd[256];
	FILE	*f;
	int	 immutable;

	/* The database path is a directory. */
	snprintf(path, sizeof(path), "%s/isdir.db", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_open_fails(path, "is a directory");
	/* A directory above it is a file. */
	snprintf(path, sizeof(path), "%s/afile", dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	snprintf(path, sizeof(path), "%s/afile/mailcon/history.db", dir);
	assert_open_fails(path, "afile is not a directory");

	/*
	 * Root ignores modes, so read-only is made with the immutable flag
	 * (needs CAP_LINUX_IMMUTABLE and ext4/xfs); skipped where it fails.
	 */
	snprintf(path, sizeof(path), "%s/ro.db", dir);
	raw_exec(path, "PRAGMA user_version = 0");
	snprintf(cmd, sizeof(cmd), "chattr +i %s 2>/dev/null", path);
	immutable = system(cmd) == 0;
	if (immutable) {
		assert_open_fails(path, "read-only");
		snprintf(cmd, sizeof(cmd), "chattr -i %s", path);
		assert_int_equal(system(cmd), 0);
		/* A read-only directory: no database can be made in it. */
		snprintf(path, sizeof(path), "%s/rodir", dir);
		assert_int_equal(mkdir(path, 0700), 0);
		snprintf(cmd, sizeof(cmd), "chattr +i %s", path);
		assert_int_equal(system(cmd), 0);
		snprintf(path, sizeof(path), "%s/rodir/history.db", dir);
		assert_open_fails(path, "cannot open");
		snprintf(path, sizeof(path), "%s/rodir", dir);
		snprintf(cmd, sizeof(cmd), "chattr -i %s", path);
		assert_int_equal(system(cmd), 0);
	} else
		fprintf(stderr, "test_unopenable: chattr +i unavailable, "
		    "read-only cases skipped\n");
}

/* A full disk turns history off with a message; stored rows survive. */
static void
test_disk_full(void **state)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store		*st;
	char			 acct[64];
	int			 i, n, rc = 0, ok = 0;

	o.max_bytes = 128 * 1024;	/* sqlite's SQLITE_FULL, for real */
	st = open_ok(&o, NOW);
	for (n = 0; n < 1000 && rc == 0; n++) {
		for (i = 0; i < 50; i++) {
			snprintf(acct, sizeof(acct), "user%d-%d@example.test",
			    n, i);
			send_msgs(st, "mx1", acct, NOW + n * 60, 1);
		}
		if ((rc = store_flush(st, NOW)) == 0)
			ok++;
	}
	assert_int_equal(rc, -1);
	assert_true(ok > 0);
	assert_non_null(store_error(st));
	assert_non_null(strstr(store_error(st), dbpath));
	assert_non_null(strstr(store_error(st), "full"));
	assert_non_null(strstr(store_error(st), "history is off"));
	/* Still running: batching is harmless, flushing says off. */
	send_msgs(st, "mx1", "late", NOW, 1);
	assert_int_equal(store_flush(st, NOW), -1);
	store_close(st, NOW);
	assert_integrity(dbpath);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM minutes"),
	    ok * 50);
	/* Reopened without the cap, it carries on. */
	o.max_bytes = 0;
	st = open_ok(&o, NOW);
	send_msgs(st, "mx1", "after", NOW, 1);
	assert_int_equal(store_flush(st, NOW), 0);
	store_close(st, NOW);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM minutes"),
	    ok * 50 + 1);
}

/* Threaded: flush only hands over; the fd wakes the loop; data arrives. */
static void
test_threaded(void **state)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store_stats	 stats;
	struct store		*st;
	struct pollfd		 pfd;
	int			 i, rc, handed = 0;

	o.threaded = 1;
	st = open_ok(&o, NOW);
	assert_true(store_fd(st) >= 0);
	for (i = 0; i < 200; i++) {
		send_msgs(st, "mx1", hostile[i % NHOSTILE], NOW + i * 60, 1);
		rc = store_flush(st, NOW + i);
		assert_true(rc == 0 || rc == 1);
		handed += rc == 0;
	}
	store_wait(st);
	pfd.fd = store_fd(st);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, -1), 1);
	assert_int_equal(store_poll(st), 0);
	/* What was put off while the writer was busy goes now. */
	assert_int_equal(store_flush(st, NOW + 1000), 0);
	store_wait(st);
	store_get_stats(st, &stats);
	assert_true(stats.flushes >= 2);
	assert_int_equal(stats.rows, 200);
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM minutes"), 200);
	store_close(st, NOW + 1000);
	assert_tables(dbpath);
	(void)handed;
}

/* The crash child: flush numbered batches forever, report each commit. */
static void
crash_child(int wfd, int start)
{
	struct store_opts	 o = opts_for(dbpath);
	struct store_follow	 f = { "mx1", "/var/log/mail.log", 42, 0, 7, 0 };
	struct store		*st;
	char			 acct[64];
	int			 n, i;

	st = open_ok(&o, NOW);
	for (n = start;; n++) {
		/* Batch n: minute n for 500 accounts, IP n, offset n. */
		for (i = 0; i < 500; i++) {
			snprintf(acct, sizeof(acct), "u%d'; DROP TABLE x", i);
			send_msgs(st, "mx1", acct, NOW + (int64_t)n * 60,
			    (uint32_t)n);
		}
		snprintf(acct, sizeof(acct), "10.0.%d.%d", n / 256, n % 256);
		store_batch_ip(st, "mx1", "u0'; DROP TABLE x", acct, NOW + n);
		f.offset = (uint64_t)n;
		store_batch_follow(st, &f);
		if (store_flush(st, NOW + n) != 0)
			_exit(3);
		if (write(wfd, &n, sizeof(n)) != sizeof(n))
			_exit(4);
	}
}

/* kill -9 in the middle of writing: never corrupt, every reported batch there. */
static void
test_crash(void **state)
{
	struct store_follow	 f;
	struct store_opts	 o = opts_for(dbpath);
	struct store		*st;
	char			 sql[256];
	int			 p[2], round, n, last = 0, got, status;
	pid_t			 pid;

	srand(12345);
	for (round = 0; round < 6; round++) {
		assert_int_equal(pipe(p), 0);
		if ((pid = fork()) == 0) {
			close(p[0]);
			crash_child(p[1], last + 1);
		}
		assert_true(pid > 0);
		close(p[1]);
		/* Let it commit a few batches, then kill it at a random moment. */
		for (got = 0; got < 3 + rand() % 5; got++) {
			assert_int_equal(read(p[0], &n, sizeof(n)), sizeof(n));
			last = n;
		}
		usleep((useconds_t)(rand() % 20000));
		kill(pid, SIGKILL);
		/* Reports written before death count as committed too. */
		while (read(p[0], &n, sizeof(n)) == sizeof(n))
			last = n;
		close(p[0]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));

		assert_integrity(dbpath);
		st = open_ok(&o, NOW);
		assert_int_equal(store_load_follow(st, "mx1",
		    "/var/log/mail.log", &f), 1);
		/* One transaction: the offset may be ahead, never behind. */
		assert_true(f.offset >= (uint64_t)last);
		store_close(st, NOW);
		/* Every batch reported: 500 rows with msgs = n in minute n. */
		snprintf(sql, sizeof(sql), "SELECT count(DISTINCT minute) FROM "
		    "minutes WHERE msgs = minute - %lld AND minute - %lld "
		    "BETWEEN 1 AND %d", (long long)NOW / 60,
		    (long long)NOW / 60, last);
		assert_int_equal(raw_int(dbpath, sql), last);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM minutes WHERE "
		    "minute - %lld BETWEEN 1 AND %d", (long long)NOW / 60,
		    last);
		assert_int_equal(raw_int(dbpath, sql), 500 * last);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM ips WHERE "
		    "last_seen - %lld BETWEEN 1 AND %d", (long long)NOW, last);
		assert_int_equal(raw_int(dbpath, sql), last);
		/* Resume after whatever the killed child committed last. */
		last = (int)f.offset;
	}
	assert_int_equal(raw_int(dbpath, "SELECT count(*) FROM sessions "
	    "WHERE ended IS NULL"), 6);
	assert_tables(dbpath);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_account_case, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_peaks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_baseline_hours, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_schema_version, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_v3, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rbl_history, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crashed_session, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_retention, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unopenable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_threaded, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_crash, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
