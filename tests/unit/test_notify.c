/*
 * test_notify.c: the notifier (console/alert/notify.c) without a desktop: the
 * alert command run per alert with the alert in its environment only
 * (a real script writes what it got to a file), its failures and its
 * deadline reported, the rate limit's "and N more alerts" in the next one
 * out or in a summary of its own, and the fallback state with its reason
 * told once when there is no session bus or it points nowhere.
 *
 * Times passed to notifier_post() are the real monotonic clock plus an
 * offset, since the command's deadline runs on the same clock.
 */
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit_files.h"
#include "alert/notify_int.h"
#include "config/config.h"

#define GUARD_MS	20000

/*
 * The script: each MAILCON_ALERT_* on a line, its argv, then "---".  Runs
 * of it overlap (the notifier does not wait for one before the next), so
 * each holds a lock while it writes its block: interleaved blocks made
 * test_rate_more fail at random.
 */
static const char hook_script[] =
    "#!/bin/sh\n"
    "out=$1; shift\n"
    "exec 9>>\"$out.lock\"\n"
    "flock 9\n"
    "{\n"
    "  printf 'KIND=%s\\n' \"$MAILCON_ALERT_KIND\"\n"
    "  printf 'LEVEL=%s\\n' \"$MAILCON_ALERT_LEVEL\"\n"
    "  printf 'SERVER=%s\\n' \"$MAILCON_ALERT_SERVER\"\n"
    "  printf 'ACCOUNT=%s\\n' \"$MAILCON_ALERT_ACCOUNT\"\n"
    "  printf 'TITLE=%s\\n' \"$MAILCON_ALERT_TITLE\"\n"
    "  printf 'BODY=%s\\n' \"$MAILCON_ALERT_BODY\"\n"
    "  printf 'TIME=%s\\n' \"$MAILCON_ALERT_TIME\"\n"
    "  printf 'STALE=%s\\n' \"${MAILCON_ALERT_STALE-unset}\"\n"
    "  printf 'PATH=%s\\n' \"${PATH:+set}\"\n"
    "  printf 'ARGS=%s|%s\\n' \"$#\" \"$*\"\n"
    "  echo ---\n"
    "} >>\"$out\"\n";

struct fixture {
	char		 dir[64];
	char		 script[128];
	char		 out[128];
	char		*argv[5];
	struct alert_config cfg;
	/* what the callback saw */
	int		 nstate, nunshown, ndone, nfailed;
	char		 last_state[700];
	char		 last_failed[9000];
	char		 last_unshown[600];
};

/* The callback: count and keep the last of each. */
static void
on_event(const struct notify_event *ev, void *arg)
{
	struct fixture	*f = arg;

	switch (ev->type) {
	case NOTIFY_EV_STATE:
		f->nstate++;
		snprintf(f->last_state, sizeof(f->last_state), "%s", ev->text);
		break;
	case NOTIFY_EV_UNSHOWN:
		f->nunshown++;
		snprintf(f->last_unshown, sizeof(f->last_unshown), "%s",
		    ev->text);
		break;
	case NOTIFY_EV_HOOK_DONE:
		f->ndone++;
		break;
	case NOTIFY_EV_HOOK_FAILED:
		f->nfailed++;
		snprintf(f->last_failed, sizeof(f->last_failed), "%s",
		    ev->text);
		break;
	}
}

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/mailcon-notify.XXXXXX");
	uf_mkdtemp(f->dir);
	uf_path(f->script, sizeof(f->script), f->dir, "hook.sh");
	uf_path(f->out, sizeof(f->out), f->dir, "out");
	uf_write(f->script, hook_script, 0755);
	f->argv[0] = f->script;
	f->argv[1] = f->out;
	f->argv[2] = "fixed-arg";
	alert_config_defaults(&f->cfg);
	f->cfg.notify = 0;
	f->cfg.command = f->argv;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	uf_rmtree(f->dir);
	free(f);
	return 0;
}

/* A notifier for f, or fail. */
static struct notifier *
start(struct fixture *f)
{
	struct notifier	*n;
	char		 err[256];

	if ((n = notifier_new(&f->cfg, on_event, f, err, sizeof(err))) == NULL)
		fail_msg("notifier_new: %s", err);
	return n;
}

/* What the script wrote so far. */
static const char *
got(struct fixture *f)
{
	static char	 buf[65536];

	if (uf_read(f->out, buf, sizeof(buf)) == -1)
		buf[0] = '\0';
	return buf;
}

/* How many times the script ran. */
static int
runs(struct fixture *f)
{
	const char	*p = got(f);
	int		 n = 0;

	while ((p = strstr(p, "---\n")) != NULL) {
		n++;
		p += 4;
	}
	return n;
}

/* The alert reaches the command as environment only, sanitised. */
static void
test_hook_env(void **state)
{
	struct fixture	*f = *state;
	struct notifier	*n;
	struct alert	 a;
	const char	*s;

	setenv("MAILCON_ALERT_STALE", "from our own environment", 1);
	n = start(f);
	memset(&a, 0, sizeof(a));
	a.kind = ALERT_ACCOUNT_LEVEL;
	a.level = LEVEL_CRITICAL;
	a.server = "mx1";
	a.account = "$(touch /tmp/pwned)`id`;x\x1b[31m";
	a.title = "alice is critical\xe2\x80\xae";
	a.body = "214 IPs; '<a href=\"http://evil\">x</a>' && rm -rf /";
	a.time = 1777636800;
	assert_int_equal(notifier_post(n, &a, uf_now_ms()), NOTIFY_FALLBACK);
	assert_int_equal(notifier_drain(n, GUARD_MS), 0);
	s = got(f);
	assert_non_null(strstr(s, "KIND=account\n"));
	assert_non_null(strstr(s, "LEVEL=critical\n"));
	assert_non_null(strstr(s, "SERVER=mx1\n"));
	/* as text, never run: sanitised but otherwise byte for byte */
	assert_non_null(strstr(s,
	    "ACCOUNT=$(touch /tmp/pwned)`id`;x\\x1b[31m\n"));
	assert_non_null(strstr(s, "TITLE=alice is critical\\u{202e}\n"));
	/* plain text for a pager: not markup-escaped */
	assert_non_null(strstr(s, "BODY=214 IPs; '<a href=\"http://evil\">x"
	    "</a>' && rm -rf /\n"));
	assert_non_null(strstr(s, "TIME=2026-05-01T12:00:00Z\n"));
	assert_non_null(strstr(s, "STALE=unset\n"));
	assert_non_null(strstr(s, "PATH=set\n"));
	/* argv is the config's, nothing of the alert */
	assert_non_null(strstr(s, "ARGS=1|fixed-arg\n"));
	assert_null(strchr(s, '\x1b'));
	assert_int_equal(f->ndone, 1);
	assert_int_equal(f->nfailed, 0);
	notifier_free(n);
	unsetenv("MAILCON_ALERT_STALE");
}

/* The command runs once per alert through the gate, not for duplicates. */
static void
test_hook_dedupe(void **state)
{
	struct fixture	*f = *state;
	struct notifier	*n = start(f);
	struct alert	 a;
	int64_t		 t = uf_now_ms();

	memset(&a, 0, sizeof(a));
	a.kind = ALERT_ACCOUNT_LEVEL;
	a.level = LEVEL_SUSPICIOUS;
	a.server = "mx1";
	a.account = "bob";
	assert_int_equal(notifier_post(n, &a, t), NOTIFY_FALLBACK);
	assert_int_equal(notifier_post(n, &a, t + 1000), NOTIFY_DUPLICATE);
	a.level = LEVEL_CRITICAL;
	assert_int_equal(notifier_post(n, &a, t + 2000), NOTIFY_FALLBACK);
	assert_int_equal(notifier_post(n, &a, t + 3000), NOTIFY_DUPLICATE);
	assert_int_equal(notifier_drain(n, GUARD_MS), 0);
	assert_int_equal(runs(f), 2);
	assert_non_null(strstr(got(f), "LEVEL=suspicious\n"));
	assert_non_null(strstr(got(f), "LEVEL=critical\n"));
	notifier_free(n);
}

/* Held back by the rate: told in the next one out as "and N more". */
static void
test_rate_more(void **state)
{
	struct fixture	*f = *state;
	struct notifier	*n;
	struct alert	 a;
	char		 acct[32];
	int64_t		 t = uf_now_ms();
	int		 i, passed = 0, limited = 0;

	f->cfg.rate = 6;
	n = start(f);
	memset(&a, 0, sizeof(a));
	a.kind = ALERT_ACCOUNT_LEVEL;
	a.level = LEVEL_SUSPICIOUS;
	a.server = "mx1";
	a.account = acct;
	a.body = "many IPs";
	for (i = 0; i < 18; i++) {
		snprintf(acct, sizeof(acct), "user%d", i);
		switch (notifier_post(n, &a, t + i)) {
		case NOTIFY_FALLBACK:
			passed++;
			break;
		case NOTIFY_LIMITED:
			limited++;
			break;
		default:
			fail_msg("alert %d neither out nor held", i);
		}
	}
	assert_int_equal(passed, 6);
	assert_int_equal(limited, 12);
	assert_int_equal(notifier_held(n), 12);
	/* a minute on, the next alert carries the count */
	snprintf(acct, sizeof(acct), "late");
	assert_int_equal(notifier_post(n, &a, t + 60000), NOTIFY_FALLBACK);
	assert_int_equal(notifier_held(n), 0);
	assert_int_equal(notifier_drain(n, GUARD_MS), 0);
	assert_int_equal(runs(f), 7);
	assert_non_null(strstr(got(f), "ACCOUNT=late\nTITLE=late is "
	    "suspicious on mx1\nBODY=many IPs\nand 12 more alerts\n"));
	notifier_free(n);
}

/* With nothing else to carry it, the count goes out on its own. */
static void
test_rate_summary(void **state)
{
	struct fixture	*f = *state;
	struct notifier	*n;
	struct alert	 a;
	char		 acct[32];
	int64_t		 t = uf_now_ms();
	int		 i;

	f->cfg.rate = 2;
	n = start(f);
	notifier_poll(n, t);	/* the state is told first */
	memset(&a, 0, sizeof(a));
	a.kind = ALERT_ACCOUNT_LEVEL;
	a.account = acct;
	for (i = 0; i < 5; i++) {
		snprintf(acct, sizeof(acct), "user%d", i);
		a.level = i == 3 ? LEVEL_CRITICAL : LEVEL_SUSPICIOUS;
		notifier_post(n, &a, t + i);
	}
	assert_int_equal(notifier_held(n), 3);
	/* the two let through ran (before the clock jumps past deadlines) */
	assert_int_equal(notifier_drain(n, GUARD_MS), 0);
	assert_int_equal(runs(f), 2);
	/* not before the rate has room: poll is due when it has */
	notifier_poll(n, t + 30000);
	assert_int_equal(notifier_held(n), 3);
	assert_true(notifier_wait_ms(n, t + 30000) <= 30000);
	assert_true(notifier_wait_ms(n, t + 30000) > 0);
	notifier_poll(n, t + 60000);
	assert_int_equal(notifier_held(n), 0);
	/* no desktop: the console is told to ring for it */
	assert_int_equal(f->nunshown, 1);
	assert_string_equal(f->last_unshown, "mailcon: 3 more alerts");
	assert_int_equal(notifier_drain(n, GUARD_MS), 0);
	assert_int_equal(runs(f), 3);
	assert_non_null(strstr(got(f), "KIND=summary\nLEVEL=critical\n"));
	assert_non_null(strstr(got(f), "BODY=and 3 more alerts, held back"));
	notifier_free(n);
}

/* A failing command is reported with what it said; others go on. */
static void
test_hook_failure(void **state)
{
	struct fixture	*f = *state;
	struct notifier	*n;
	struct alert	 a;
	char		 path[128];

	uf_path(path, sizeof(path), f->dir, "fail.sh");
	uf_write(path, "#!/bin/sh\necho 'pager: no route' >&2\nexit 3\n",
	    0755);
	f->argv[0] = path;
	f->argv[1] = NULL;
	n = start(f);
	memset(&a, 0, sizeof(a));
	a.kind = ALERT_SERVER_STALE;
	a.server = "mx2";
	notifier_post(n, &a, uf_now_ms());
	assert_int_equal(notifier_drain(n, GUARD_MS), 0);
	assert_int_equal(f->nfailed, 1);
	assert_non_null(strstr(f->last_failed, "exit status 3"));
	assert_non_null(strstr(f->last_failed, "pager: no route"));
	assert_non_null(strstr(f->last_failed, "mx2 is stale"));
	notifier_free(n);
}

/* A missing command is a failure, not a crash. */
static void
test_hook_missing(void **state)
{
	struct fixture	*f = *state;
	struct notifier	*n;
	struct alert	 a;

	f->argv[0] = "/nonexistent/pager";
	f->argv[1] = NULL;
	n = start(f);
	memset(&a, 0, sizeof(a));
	a.kind = ALERT_SERVER_STALE;
	notifier_post(n, &a, uf_now_ms());
	assert_int_equal(notifier_drain(n, GUARD_MS), 0);
	assert_int_equal(f->nfailed, 1);
	assert_non_null(strstr(f->last_failed, "not found"));
	notifier_free(n);
}

/*
 * A hung command is killed at its deadline and said to be.  That it was
 * killed, not run out, is its 60 s sleep gone when the drain (GUARD_MS,
 * 20 s) returns, never how long that took: a loaded machine is slow.
 */
static void
test_hook_deadline(void **state)
{
	struct fixture	*f = *state;
	struct notifier	*n;
	struct alert	 a;
	char		 path[128], pidfile[128], buf[32];
	pid_t		 pid;

	uf_path(path, sizeof(path), f->dir, "hang.sh");
	uf_path(pidfile, sizeof(pidfile), f->dir, "hang.pid");
	uf_write(path, "#!/bin/sh\necho $$ >\"$0.tmp\"\n"
	    "mv \"$0.tmp\" \"${0%.sh}.pid\"\nexec sleep 60\n", 0755);
	f->argv[0] = path;
	f->argv[1] = NULL;
	f->cfg.command_timeout = 1;
	n = start(f);
	memset(&a, 0, sizeof(a));
	a.kind = ALERT_SERVER_STALE;
	assert_int_equal(notifier_post(n, &a, uf_now_ms()), NOTIFY_FALLBACK);
	assert_int_equal(notifier_drain(n, GUARD_MS), 0);
	assert_int_equal(f->nfailed, 1);
	assert_non_null(strstr(f->last_failed, "timed out"));
	/*
	 * The sleep it became is gone (killed and reaped), not left behind;
	 * no pid file: it was killed before it wrote one.
	 */
	if (uf_read(pidfile, buf, sizeof(buf)) > 0) {
		pid = (pid_t)strtol(buf, NULL, 10);
		assert_true(pid > 1);
		assert_int_equal(kill(pid, 0), -1);
	}
	notifier_free(n);
}

/* No bus: unavailable with the reason, told once, posts fall back. */
static void
test_no_bus(void **state)
{
	struct fixture	*f = *state;
	struct notifier	*n;
	struct alert	 a;
	const char	*why;
	char		*saved = getenv("DBUS_SESSION_BUS_ADDRESS");
	int		 i;

	if (saved != NULL)
		saved = strdup(saved);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	f->cfg.notify = 1;
	f->cfg.command = NULL;
	n = start(f);
	assert_int_equal(notifier_state(n, &why), NOTIFY_UNAVAILABLE);
	assert_non_null(strstr(why, "DBUS_SESSION_BUS_ADDRESS is not set"));
	memset(&a, 0, sizeof(a));
	a.kind = ALERT_SERVER_STALE;
	for (i = 0; i < 5; i++) {
		notifier_post(n, &a, uf_now_ms() + i * 700000);
		notifier_poll(n, uf_now_ms());
	}
	assert_int_equal(f->nstate, 1);
	assert_non_null(strstr(f->last_state, "terminal bell"));
	assert_int_equal(notifier_wait_ms(n, uf_now_ms()), -1);
	notifier_free(n);
	if (saved != NULL) {
		setenv("DBUS_SESSION_BUS_ADDRESS", saved, 1);
		free(saved);
	}
}

/* A bus address that leads nowhere: unavailable, quickly, with why. */
static void
test_bus_nowhere(void **state)
{
	struct fixture	*f = *state;
	struct notifier	*n;
	struct alert	 a;
	const char	*why;
	char		 addr[200];
	char		*saved = getenv("DBUS_SESSION_BUS_ADDRESS");
	struct pollfd	 pfd[NOTIFY_MAX_FDS];
	int64_t		 t0 = uf_now_ms();
	int		 told;

	if (saved != NULL)
		saved = strdup(saved);
	snprintf(addr, sizeof(addr), "unix:path=%s/no-bus-here", f->dir);
	setenv("DBUS_SESSION_BUS_ADDRESS", addr, 1);
	f->cfg.notify = 1;
	f->cfg.command = NULL;
	n = start(f);
	memset(&a, 0, sizeof(a));
	a.kind = ALERT_SERVER_STALE;
	a.title = "first";
	/* posted while the worker connects: told unshown once it fails */
	notifier_post(n, &a, t0);
	/*
	 * The clock held at t0: the bus's NOTIFY_START_MS never pass, so
	 * only the worker's own failure to connect ends the start ("quickly"
	 * is that, not a time: a loaded machine may take longer than 5 s).
	 */
	while (notifier_state(n, &why) == NOTIFY_STARTING) {
		assert_true(uf_now_ms() - t0 < GUARD_MS);
		(void)poll(pfd, notifier_fds(n, pfd, NOTIFY_MAX_FDS), 50);
		notifier_poll(n, t0);
	}
	assert_int_equal(notifier_drain(n, GUARD_MS), 0);
	assert_int_equal(notifier_state(n, &why), NOTIFY_UNAVAILABLE);
	assert_non_null(strstr(why, "cannot reach the D-Bus session bus"));
	assert_int_equal(f->nunshown, 1);
	assert_string_equal(f->last_unshown, "first");
	/*
	 * Told unavailable; "starting" before it only when a poll came
	 * before the worker failed, which is the threads' race, not ours.
	 */
	told = f->nstate;
	assert_true(told == 1 || told == 2);
	assert_non_null(strstr(f->last_state, "cannot reach the D-Bus "
	    "session bus"));
	/* the next falls back at once, without a word more */
	a.title = "second";
	a.key = "another";
	assert_int_equal(notifier_post(n, &a, uf_now_ms()), NOTIFY_FALLBACK);
	notifier_poll(n, uf_now_ms());
	assert_int_equal(f->nstate, told);
	notifier_free(n);
	if (saved != NULL) {
		setenv("DBUS_SESSION_BUS_ADDRESS", saved, 1);
		free(saved);
	} else
		unsetenv("DBUS_SESSION_BUS_ADDRESS");
}

/* [alerts] keys. */
static void
test_config(void **state)
{
	struct alert_config	 ac;
	char			 err[256];

	alert_config_defaults(&ac);
	assert_int_equal(ac.notify, 1);
	assert_int_equal(ac.rate, 6);
	assert_int_equal(ac.dedupe, 600);
	assert_null(ac.command);
	assert_int_equal(config_set_alert(&ac, "notify", "off", err,
	    sizeof(err)), 1);
	assert_int_equal(ac.notify, 0);
	assert_int_equal(config_set_alert(&ac, "notify", "maybe", err,
	    sizeof(err)), -1);
	assert_int_equal(config_set_alert(&ac, "rate", "12", err,
	    sizeof(err)), 1);
	assert_int_equal(ac.rate, 12);
	assert_int_equal(config_set_alert(&ac, "rate", "0", err,
	    sizeof(err)), -1);
	assert_int_equal(config_set_alert(&ac, "rate", "6x", err,
	    sizeof(err)), -1);
	assert_int_equal(config_set_alert(&ac, "rate", "off", err,
	    sizeof(err)), 1);
	assert_int_equal(ac.rate, 0);
	assert_int_equal(config_set_alert(&ac, "dedupe", "15m", err,
	    sizeof(err)), 1);
	assert_int_equal(ac.dedupe, 900);
	assert_int_equal(config_set_alert(&ac, "dedupe", "soon", err,
	    sizeof(err)), -1);
	assert_int_equal(config_set_alert(&ac, "command",
	    "/usr/local/bin/page -t oncall", err, sizeof(err)), 1);
	assert_string_equal(ac.command[0], "/usr/local/bin/page");
	assert_string_equal(ac.command[2], "oncall");
	assert_null(ac.command[3]);
	assert_int_equal(config_set_alert(&ac, "command", "page oncall", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "absolute path"));
	assert_null(ac.command);
	assert_int_equal(config_set_alert(&ac, "command_timeout", "30s", err,
	    sizeof(err)), 1);
	assert_int_equal(ac.command_timeout, 30);
	assert_int_equal(config_set_alert(&ac, "command_timeout", "1h", err,
	    sizeof(err)), -1);
	assert_int_equal(config_set_alert(&ac, "colour", "red", err,
	    sizeof(err)), 0);
	alert_config_free(&ac);
}

/* [alerts] in a file: read, and an unknown key named. */
static void
test_config_file(void **state)
{
	struct fixture		*f = *state;
	struct mailcon_config	 cfg;
	char			 path[128], err[512];

	uf_path(path, sizeof(path), f->dir, "config");
	uf_write(path, "[alerts]\nnotify = off\nrate = 3\ndedupe = 1h\n"
	    "command = /bin/true a b\n", 0644);
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, path, err, sizeof(err)), 0);
	assert_int_equal(cfg.alert.notify, 0);
	assert_int_equal(cfg.alert.rate, 3);
	assert_int_equal(cfg.alert.dedupe, 3600);
	assert_string_equal(cfg.alert.command[2], "b");
	config_free(&cfg);
	uf_write(path, "[alerts]\nurgency = high\n", 0644);
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown key \"urgency\" in [alerts]"));
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test_setup_teardown(test_hook_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hook_dedupe, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rate_more, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rate_summary, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hook_failure, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hook_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hook_deadline, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_bus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bus_nowhere, setup,
		    teardown),
		cmocka_unit_test(test_config),
		cmocka_unit_test_setup_teardown(test_config_file, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
