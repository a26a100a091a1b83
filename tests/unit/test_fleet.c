/*
 * test_fleet.c: a central log host's stream split among servers by the
 * syslog HOSTNAME (live/fleet.c), and the [loghost] configuration
 * (config/config_loghost.c): every line to the server it names, accounts
 * per server, a HOSTNAME that names no server (unknown, empty, forged with
 * control bytes or blanks) never routed, silence only while others log.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit_files.h"
#include "config/config.h"
#include "config/discover.h"
#include "core/loop.h"
#include "detect/detect_detail.h"
#include "detect/detector.h"
#include "live/fleet.h"
#include "live/server.h"

#define NSRV	3

struct fixture {
	char			 dir[64];
	char			 path[PATH_MAX];
	struct mailcon_config	 cfg;
	struct server		*srv[NSRV];
	struct fleet		*f;
	int			 unknown_calls;
	char			 unknown_last[128];
};

/* fleet callback: an unknown name, first time. */
static void
on_unknown(void *arg, const char *loghost, const struct fleet_unknown *u,
    const char *line, size_t len)
{
	struct fixture	*fx = arg;

	fx->unknown_calls++;
	snprintf(fx->unknown_last, sizeof(fx->unknown_last), "%s", u->name);
}

/* A config as a file would give it: one log host, mx01, mx07, mx09
   (mx09 known there as "MX09.dc2.example"). */
static int
setup(void **state)
{
	struct fixture	*fx = calloc(1, sizeof(*fx));
	char		 text[1024];
	char		 err[512];
	size_t		 i;

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/mailcon-test-fleet.XXXXXX");
	uf_mkdtemp(fx->dir);
	uf_path(fx->path, sizeof(fx->path), fx->dir, "mailcon.conf");
	snprintf(text, sizeof(text),
	    "[loghost central]\nlogs = %s/all.log\nsilent = 5s\n"
	    "[server mx01]\nloghost = central\nqueue = off\ngroup = dc1\n"
	    "[server mx07]\nloghost = central\nqueue = off\ngroup = dc1\n"
	    "[server mx09]\nloghost = central\nqueue = off\n"
	    "hostname = mx09.dc2.example\ngroup = dc2\n", fx->dir);
	uf_write(fx->path, text, 0600);
	config_init(&fx->cfg);
	if (config_load(&fx->cfg, fx->path, err, sizeof(err)) != 0)
		fail_msg("config: %s", err);
	assert_int_equal(fx->cfg.nservers, NSRV);
	for (i = 0; i < NSRV; i++)
		fx->srv[i] = server_new(&fx->cfg.servers[i], (unsigned)i,
		    &fx->cfg.detect, 1, 1, NULL, NULL);
	fx->f = fleet_new(&fx->cfg, fx->srv, NSRV, 1, 1, on_unknown, fx);
	assert_non_null(fx->f);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	size_t		 i;

	fleet_free(fx->f);
	for (i = 0; i < NSRV; i++)
		server_free(fx->srv[i]);
	config_free(&fx->cfg);
	uf_rmtree(fx->dir);
	free(fx);
	return 0;
}

/* Feed one line to the log host's stream. */
static void
feed(struct fixture *fx, const char *line)
{
	fleet_line(fx->f, 0, line, strlen(line));
}

/* A hijacked login on host: user3@dom7 from ip, one message queued. */
static void
login(struct fixture *fx, const char *host, const char *qid, const char *ip)
{
	char	 line[512];

	snprintf(line, sizeof(line), "2026-12-06T11:34:05.123456+00:00 %s "
	    "postfix/smtpd[4242]: %s: client=unknown[%s], sasl_method=PLAIN, "
	    "sasl_username=user3@dom7", host, qid, ip);
	feed(fx, line);
}

/* Each line goes to the server its HOSTNAME names, any case, and the
   account is the server's own. */
static void
test_routes_by_hostname(void **state)
{
	struct fixture	*fx = *state;
	uint64_t	 unknown;

	login(fx, "mx07", "1A2B3C4D5E", "198.51.100.7");
	login(fx, "MX07", "1A2B3C4D5F", "198.51.100.8");
	login(fx, "mx09.dc2.example", "2A2B3C4D5E", "198.51.100.9");
	feed(fx, "Dec  6 11:34:06 mx01 postfix/smtpd[11]: connect from "
	    "unknown[198.51.100.10]");
	assert_int_equal(fx->srv[0]->lines, 1);
	assert_int_equal(fx->srv[1]->lines, 2);
	assert_int_equal(fx->srv[2]->lines, 1);
	assert_int_equal(detector_count(fx->srv[1]->det), 1);
	assert_int_equal(detector_count(fx->srv[2]->det), 1);
	assert_int_equal(detector_count(fx->srv[0]->det), 0);
	assert_int_equal(fleet_lines(fx->f, &unknown), 4);
	assert_int_equal(unknown, 0);
	assert_int_equal(fx->unknown_calls, 0);
}

/* A HOSTNAME that names no server reaches none, and is said once. */
static void
test_unknown_and_hostile_hosts(void **state)
{
	struct fixture		*fx = *state;
	const struct fleet_unknown *u;
	static const char	*hosts[] = {
		"mx99",			/* not configured */
		"mx09",			/* the name, not the hostname, of mx09 */
		"mx07#001",		/* rsyslog's escape of a control byte */
		"mx07\001",		/* a raw control byte */
		"mx07.",		/* not mx07 */
		"-",			/* RFC 5424's nil */
		"..",
	};
	char			 line[512];
	uint64_t		 unknown, more;
	size_t			 i, n;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		snprintf(line, sizeof(line), "2026-12-06T11:34:05+00:00 %s "
		    "postfix/smtpd[1]: 1A2B3C4D5E: client=unknown[192.0.2.1], "
		    "sasl_method=PLAIN, sasl_username=user3@dom7", hosts[i]);
		feed(fx, line);
		feed(fx, line);
	}
	/* no HOSTNAME at all: the tag where the host should be */
	feed(fx, "2026-12-06T11:34:05+00:00 postfix/smtpd[1]: 1A2B3C4D5E: "
	    "client=unknown[192.0.2.1], sasl_method=PLAIN, "
	    "sasl_username=user3@dom7");
	feed(fx, "not a log line at all");
	for (i = 0; i < NSRV; i++) {
		assert_int_equal(fx->srv[i]->lines, 0);
		assert_int_equal(detector_count(fx->srv[i]->det), 0);
	}
	u = fleet_unknown(fx->f, &n, &more);
	assert_true(n >= 7);
	assert_int_equal(more, 0);
	assert_int_equal(fx->unknown_calls, (int)n);
	assert_int_equal(fleet_lines(fx->f, &unknown), 16);
	assert_int_equal(unknown, 16);
	assert_string_equal(u[0].name, "mx99");
	assert_int_equal(u[0].lines, 2);
	/* the control byte is shown escaped, never raw */
	for (i = 0; i < n; i++)
		assert_null(strchr(u[i].name, '\001'));
}

/* Silent: only while the stream is live and others log in it. */
static void
test_silent_while_peers_log(void **state)
{
	struct fixture	*fx = *state;
	char		 path[PATH_MAX];
	int64_t		 t;

	uf_path(path, sizeof(path), fx->dir, "all.log");
	uf_write(path, "", 0600);
	(void)fleet_poll(fx->f, NULL, loop_now_ms(), 0);
	/* nobody logs: nobody is silent, however long */
	(void)fleet_poll(fx->f, NULL, loop_now_ms() + 3600000, 0);
	assert_int_equal(fx->srv[0]->silent, 0);
	assert_int_equal(fx->srv[2]->silent, 0);
	/* mx07 and mx01 log now; mx09's last line was 10 s ago */
	login(fx, "mx07", "1A2B3C4D5E", "198.51.100.7");
	feed(fx, "Dec  6 11:34:06 mx01 postfix/smtpd[11]: connect from "
	    "unknown[198.51.100.10]");
	t = fx->srv[1]->fed_ms;
	assert_true(t > 0);
	fx->srv[2]->fed_ms = t - 10000;
	(void)fleet_poll(fx->f, NULL, t + 100, 0);
	assert_int_equal(fx->srv[1]->silent, 0);
	assert_int_equal(fx->srv[0]->silent, 0);
	assert_int_equal(fx->srv[2]->silent, 1);
	(void)server_refresh(fx->srv[2]);
	assert_int_equal(fx->srv[2]->state, SRV_PARTIAL);
	assert_non_null(strstr(fx->srv[2]->status, "silent"));
	assert_non_null(strstr(fx->srv[2]->status, "mx09.dc2.example"));
	/* the peers quiet too (their lines 6 s old): no one is singled out */
	(void)fleet_poll(fx->f, NULL, t + 6000, 0);
	assert_int_equal(fx->srv[2]->silent, 0);
	/* and when its own line comes, it is live again */
	(void)fleet_poll(fx->f, NULL, t + 100, 0);
	assert_int_equal(fx->srv[2]->silent, 1);
	login(fx, "mx09.dc2.example", "2A2B3C4D5E", "198.51.100.9");
	(void)fleet_poll(fx->f, NULL, fx->srv[2]->fed_ms + 100, 0);
	assert_int_equal(fx->srv[2]->silent, 0);
	(void)server_refresh(fx->srv[2]);
	assert_int_equal(fx->srv[2]->state, SRV_LIVE);
}

/* The stream read from its start, as mailcon act reads it: polled until
   it has nothing more, every line of the file routed. */
static void
test_reads_file_from_start(void **state)
{
	struct fixture	*fx = *state;
	struct fleet	*f;
	char		 path[PATH_MAX];
	uint64_t	 unknown;

	uf_path(path, sizeof(path), fx->dir, "all.log");
	uf_write(path, "2026-12-06T11:34:05+00:00 mx07 postfix/smtpd[1]: "
	    "1A2B3C4D5E: client=unknown[192.0.2.1], sasl_method=PLAIN, "
	    "sasl_username=user3@dom7\n"
	    "2026-12-06T11:34:06+00:00 mx99 postfix/smtpd[1]: x\n"
	    "2026-12-06T11:34:07+00:00 mx01 postfix/smtpd[1]: y\n", 0644);
	fleet_free(fx->f);
	fx->f = NULL;
	f = fleet_new(&fx->cfg, fx->srv, NSRV, 1, 1, NULL, NULL);
	while (fleet_poll(f, NULL, loop_now_ms(), 0))
		;
	assert_int_equal(fleet_lines(f, &unknown), 3);
	assert_int_equal(unknown, 1);
	assert_int_equal(fx->srv[1]->lines, 1);
	assert_true(detector_find(fx->srv[1]->det, "user3@dom7") >= 0);
	assert_int_equal(fx->srv[0]->lines, 1);
	fleet_free(f);
}

/*
 * mailcon act after the central file was rotated: the rotated file is
 * read too, before the live one, so the logins' queue ids logged before
 * the rotation are known; a compressed copy is left out (not an error).
 */
static void
test_reads_rotated_first(void **state)
{
	struct fixture	*fx = *state;
	struct fleet	*f;
	char		 path[PATH_MAX], note[256];
	uint64_t	 unknown;

	uf_path(path, sizeof(path), fx->dir, "all.log.1");
	uf_write(path, "2026-12-06T10:00:00+00:00 mx07 postfix/smtpd[1]: "
	    "1A2B3C4D50: client=unknown[192.0.2.1], sasl_method=PLAIN, "
	    "sasl_username=user3@dom7\n", 0644);
	uf_path(path, sizeof(path), fx->dir, "all.log.2.gz");
	uf_write(path, "not gzip", 0644);
	uf_path(path, sizeof(path), fx->dir, "all.log");
	uf_write(path, "2026-12-06T11:34:05+00:00 mx07 postfix/smtpd[1]: "
	    "1A2B3C4D5E: client=unknown[192.0.2.2], sasl_method=PLAIN, "
	    "sasl_username=user3@dom7\n", 0644);
	fleet_free(fx->f);
	fx->f = NULL;
	f = fleet_new(&fx->cfg, fx->srv, NSRV, 1, 1, NULL, NULL);
	assert_int_equal(fleet_read_rotated(f, 0, 1, note, sizeof(note)), 1);
	assert_string_equal(note, "");
	/* the rotated line came first */
	assert_int_equal(fx->srv[1]->lines, 1);
	assert_int_equal(fx->srv[1]->last_event, 1796551200);
	while (fleet_poll(f, NULL, loop_now_ms(), 0))
		;
	assert_int_equal(fleet_lines(f, &unknown), 2);
	assert_int_equal(fx->srv[1]->lines, 2);
	assert_int_equal(fx->srv[1]->messages, 2);
	fleet_free(f);
}

/* One file per host (rsyslog's dynaFile): every file of logs = is read,
   each line still routed by its HOSTNAME. */
static void
test_per_host_files(void **state)
{
	char			 dir[] = "/tmp/mailcon-test-fleetf.XXXXXX";
	char			 path[PATH_MAX], text[1024], err[256];
	struct mailcon_config	 cfg;
	struct server		*srv[2];
	struct fleet		*f;
	uint64_t		 unknown;
	size_t			 i;

	(void)state;
	uf_mkdtemp(dir);
	snprintf(text, sizeof(text), "[loghost c]\nlogs = %s/mx01.log, "
	    "%s/mx07.log\n[server mx01]\nloghost = c\nqueue = off\n"
	    "[server mx07]\nloghost = c\nqueue = off\n", dir, dir);
	uf_path(path, sizeof(path), dir, "c");
	uf_write(path, text, 0600);
	uf_path(path, sizeof(path), dir, "mx01.log");
	uf_write(path, "2026-12-06T11:34:05+00:00 mx01 postfix/smtpd[1]: "
	    "connect from unknown[192.0.2.1]\n", 0644);
	uf_path(path, sizeof(path), dir, "mx07.log");
	uf_write(path, "2026-12-06T11:34:05+00:00 mx07 postfix/smtpd[1]: "
	    "connect from unknown[192.0.2.1]\n"
	    "2026-12-06T11:34:06+00:00 mx07 postfix/smtpd[1]: "
	    "connect from unknown[192.0.2.2]\n", 0644);
	config_init(&cfg);
	uf_path(path, sizeof(path), dir, "c");
	if (config_load(&cfg, path, err, sizeof(err)) != 0)
		fail_msg("config: %s", err);
	for (i = 0; i < 2; i++)
		srv[i] = server_new(&cfg.servers[i], (unsigned)i, &cfg.detect,
		    1, 1, NULL, NULL);
	f = fleet_new(&cfg, srv, 2, 1, 1, NULL, NULL);
	while (fleet_poll(f, NULL, loop_now_ms(), 0))
		;
	assert_int_equal(fleet_lines(f, &unknown), 3);
	assert_int_equal(unknown, 0);
	assert_int_equal(srv[0]->lines, 1);
	assert_int_equal(srv[1]->lines, 2);
	fleet_free(f);
	for (i = 0; i < 2; i++)
		server_free(srv[i]);
	config_free(&cfg);
	uf_rmtree(dir);
}

/*
 * rsyslog's "message repeated N times: [...]" stands for N more of its
 * line on its own host: N failed logins are N failures; a line naming a
 * queue id is one message however often logged; a forged huge count is
 * capped; a line that only looks like one is not read as one.
 */
static void
test_repeated_lines(void **state)
{
	struct fixture	*fx = *state;
	uint64_t	 ev;

	feed(fx, "2026-12-06T11:34:05+00:00 mx01 postfix/smtpd[9]: warning: "
	    "unknown[192.0.2.1]: SASL PLAIN authentication failed: (reason "
	    "unavailable), sasl_username=user3@dom7");
	assert_int_equal(fx->srv[0]->auth_fail, 1);
	feed(fx, "2026-12-06T11:34:06+00:00 mx01 postfix/smtpd[9]: message "
	    "repeated 3 times: [ warning: unknown[192.0.2.1]: SASL PLAIN "
	    "authentication failed: (reason unavailable), "
	    "sasl_username=user3@dom7]");
	assert_int_equal(fx->srv[0]->auth_fail, 4);
	assert_int_equal(fx->srv[0]->lines, 2);
	/* on its own host only */
	assert_int_equal(fx->srv[1]->auth_fail, 0);
	assert_int_equal(fx->srv[2]->auth_fail, 0);
	/* a queue id's line: one message, not three */
	login(fx, "mx07", "1A2B3C4D5E", "198.51.100.7");
	ev = fx->srv[1]->events;
	feed(fx, "2026-12-06T11:34:07+00:00 mx07 postfix/smtpd[4242]: message "
	    "repeated 3 times: [ 1A2B3C4D5E: client=unknown[198.51.100.7], "
	    "sasl_method=PLAIN, sasl_username=user3@dom7]");
	assert_int_equal(fx->srv[1]->events, ev + 1);
	/* a count nobody's rsyslog writes is capped */
	ev = fx->srv[0]->auth_fail;
	feed(fx, "2026-12-06T11:34:08+00:00 mx01 postfix/smtpd[9]: message "
	    "repeated 999999999 times: [ warning: unknown[192.0.2.1]: SASL "
	    "PLAIN authentication failed: (reason unavailable), "
	    "sasl_username=user3@dom7]");
	assert_true(fx->srv[0]->auth_fail - ev >= 1);
	assert_true(fx->srv[0]->auth_fail - ev <= 10000);
	/* not the form rsyslog writes: one line, no events of the inner one */
	ev = fx->srv[0]->auth_fail;
	feed(fx, "2026-12-06T11:34:09+00:00 mx01 postfix/smtpd[9]: message "
	    "repeated -3 times: [ warning: unknown[192.0.2.1]: SASL PLAIN "
	    "authentication failed: (reason unavailable), "
	    "sasl_username=user3@dom7]");
	feed(fx, "2026-12-06T11:34:09+00:00 mx01 postfix/smtpd[9]: message "
	    "repeated 3 times: [ warning: unknown[192.0.2.1]: SASL PLAIN "
	    "authentication failed: (reason unavailable), "
	    "sasl_username=user3@dom7");
	assert_int_equal(fx->srv[0]->auth_fail, ev);
}

/* Feed one line to log host i of f. */
static void
feed_to(struct fleet *f, size_t i, const char *line)
{
	fleet_line(f, i, line, strlen(line));
}

/* Hundreds of servers on two log hosts: each line reaches exactly the
   server its HOSTNAME names on its own log host (the lookup's index). */
static void
test_routes_many(void **state)
{
	enum { NMANY = 300 };
	char			 dir[] = "/tmp/mailcon-test-fleetm.XXXXXX";
	char			 path[PATH_MAX], line[256], err[256];
	struct mailcon_config	 cfg;
	struct server		*srv[NMANY];
	struct fleet		*f;
	uint64_t		 unknown;
	FILE			*fp;
	size_t			 i;

	(void)state;
	uf_mkdtemp(dir);
	uf_path(path, sizeof(path), dir, "c");
	if ((fp = fopen(path, "w")) == NULL)
		fail_msg("%s", path);
	fprintf(fp, "[loghost a]\nlogs = /nonexistent/a\n"
	    "[loghost b]\nlogs = /nonexistent/b\n");
	for (i = 0; i < NMANY; i++)
		fprintf(fp, "[server s%zu]\nloghost = %s\nhostname = "
		    "MX%zu.example\nqueue = off\n", i, i % 2 ? "b" : "a",
		    i / 2);
	fclose(fp);
	config_init(&cfg);
	if (config_load(&cfg, path, err, sizeof(err)) != 0)
		fail_msg("config: %s", err);
	for (i = 0; i < NMANY; i++)
		srv[i] = server_new(&cfg.servers[i], (unsigned)i, &cfg.detect,
		    1, 1, NULL, NULL);
	f = fleet_new(&cfg, srv, NMANY, 1, 1, NULL, NULL);
	for (i = 0; i < NMANY; i++) {
		/* server i is mx(i/2) on log host i % 2, any case */
		snprintf(line, sizeof(line), "2026-12-06T11:34:05+00:00 "
		    "mx%zu.EXAMPLE postfix/smtpd[1]: connect from "
		    "unknown[192.0.2.1]", i / 2);
		fleet_line(f, i % 2, line, strlen(line));
	}
	/* a name of log host a is no server on b, and none is a prefix */
	feed_to(f, 1, "2026-12-06T11:34:05+00:00 mx149.example.x "
	    "postfix/smtpd[1]: x");
	feed_to(f, 1, "2026-12-06T11:34:05+00:00 mx1.exampl "
	    "postfix/smtpd[1]: x");
	for (i = 0; i < NMANY; i++)
		assert_int_equal(srv[i]->lines, 1);
	assert_int_equal(fleet_lines(f, &unknown), NMANY + 2);
	assert_int_equal(unknown, 2);
	fleet_free(f);
	for (i = 0; i < NMANY; i++)
		server_free(srv[i]);
	config_free(&cfg);
	uf_rmtree(dir);
}

/* discover_source's exists(): everything is there. */
static int
all_exist(const char *path, void *arg)
{
	return 1;
}

/*
 * A server fed by a log host has its log source: discovery on this
 * machine (the log host's, or the admin's) neither says "NO LOG SOURCE"
 * for it nor picks this machine's mail log as its own.
 */
static void
test_fed_server_not_discovered(void **state)
{
	struct fixture	*fx = *state;
	char		 said[1200];
	size_t		 i;

	for (i = 0; i < NSRV; i++) {
		assert_int_equal(discover_source(&fx->cfg.servers[i],
		    all_exist, NULL, said, sizeof(said)), DISCOVER_CONFIGURED);
		assert_string_equal(said, "");
		assert_int_equal(fx->cfg.servers[i].nlogs, 0);
		assert_null(fx->cfg.servers[i].log_argv);
	}
}

/* Load text as a config; the error, or "" when it loaded. */
static const char *
load(const char *text, char *err, size_t errlen)
{
	char			 dir[] = "/tmp/mailcon-test-fleetc.XXXXXX";
	char			 path[PATH_MAX];
	struct mailcon_config	 cfg;

	uf_mkdtemp(dir);
	uf_path(path, sizeof(path), dir, "c");
	uf_write(path, text, 0600);
	config_init(&cfg);
	err[0] = '\0';
	(void)config_load(&cfg, path, err, errlen);
	config_free(&cfg);
	uf_rmtree(dir);
	return err;
}

/* What the config refuses, each with words that say what to do. */
static void
test_config_refuses(void **state)
{
	char	 err[512];

	(void)state;
	assert_non_null(strstr(load("[server a]\nloghost = nowhere\n", err,
	    sizeof(err)), "no [loghost nowhere]"));
	assert_non_null(strstr(load("[loghost c]\nlogs = /x\n"
	    "[server a]\nloghost = c\n[server b]\nloghost = c\nhostname = A\n",
	    err, sizeof(err)), "each line must name one server"));
	assert_non_null(strstr(load("[loghost c]\nlogs = /x\n"
	    "[server a]\nloghost = c\nlogs = /var/log/mail.log\n", err,
	    sizeof(err)), "drop logs"));
	assert_non_null(strstr(load("[server a]\nhostname = a\n", err,
	    sizeof(err)), "needs loghost"));
	assert_non_null(strstr(load("[loghost c]\nsilent = 10m\n", err,
	    sizeof(err)), "either logs"));
	assert_non_null(strstr(load("[loghost c]\nlogs = /x\n"
	    "[server a]\nloghost = c\nhostname = a b\n", err, sizeof(err)),
	    "letters, digits"));
	assert_non_null(strstr(load("[loghost c]\nlogs = /x\nlevel = 1\n",
	    err, sizeof(err)), "unknown key"));
	assert_string_equal(load("[loghost c]\nlogs = /x\n[server a]\n"
	    "loghost = c\nhost = 127.0.0.1\ngroup = g1\n", err, sizeof(err)),
	    "");
	/* read over SSH: the keys of a [server] behind SSH, checked alike */
	assert_string_equal(load("[loghost c]\nlogs = /var/log/all.log\n"
	    "host = 127.0.0.1\nport = 2222\nuser = mailcon\n"
	    "keepalive = 15s\n", err, sizeof(err)), "");
	assert_non_null(strstr(load("[loghost c]\nlogs = /x\n"
	    "host = a;b\n", err, sizeof(err)), "[loghost c] host"));
	assert_non_null(strstr(load("[loghost c]\nhost = 127.0.0.1\n"
	    "log_command = journalctl -f\n", err, sizeof(err)),
	    "log_command runs here"));
	assert_non_null(strstr(load("[loghost c]\nlogs = /x\nsudo = yes\n",
	    err, sizeof(err)), "unknown key"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_routes_by_hostname,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_hostile_hosts,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_while_peers_log,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_file_from_start,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_rotated_first,
		    setup, teardown),
		cmocka_unit_test(test_per_host_files),
		cmocka_unit_test(test_routes_many),
		cmocka_unit_test_setup_teardown(test_fed_server_not_discovered,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeated_lines,
		    setup, teardown),
		cmocka_unit_test(test_config_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
