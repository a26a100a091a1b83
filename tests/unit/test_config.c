/* test_config.c: the INI configuration: values, defaults, and every error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/discover.h"

/* Write text to a temporary file and return its path (static buffer). */
static const char *
write_config(const char *text)
{
	static char	 path[64];
	FILE		*f;
	int		 fd;

	strcpy(path, "/tmp/mailcon-test-config-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load text; return config_load's result with the error in err. */
static int
load(const char *text, struct mailcon_config *cfg, char *err, size_t len)
{
	const char	*path = write_config(text);
	int		 rc;

	config_init(cfg);
	err[0] = '\0';
	rc = config_load(cfg, path, err, len);
	unlink(path);
	return rc;
}

static void
test_values(void **state)
{
	struct mailcon_config	 cfg;
	char			 err[256];

	assert_int_equal(load("; comment\n[detect]\nwindow = 15m\n"
	    "auth_ips = 2 4 8\nfanout = off\nallow = news@example.test, "
	    "list@example.test\nmax_accounts = 5000\n[logs]\nyear = 2025\n"
	    "timezone = UTC\n", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.detect.window, 900);
	assert_true(cfg.detect.limits[SIG_AUTH_IPS].watch == 2);
	assert_true(cfg.detect.limits[SIG_AUTH_IPS].suspicious == 4);
	assert_true(cfg.detect.limits[SIG_AUTH_IPS].critical == 8);
	assert_true(cfg.detect.limits[SIG_FANOUT].critical == 0);
	assert_string_equal(cfg.detect.allow[0], "news@example.test");
	assert_string_equal(cfg.detect.allow[1], "list@example.test");
	assert_null(cfg.detect.allow[2]);
	assert_int_equal(cfg.detect.max_accounts, 5000);
	assert_int_equal(cfg.year, 2025);
	assert_int_equal(cfg.utc, 1);
	config_free(&cfg);

	assert_int_equal(load("[server mx1]\nlogs = /var/log/mail.log, "
	    "/var/log/dovecot.log\nqueue_command = postqueue -c /etc/pf -j\n"
	    "queue_interval = 30s\n[console]\ntheme = mono\nhistory = off\n"
	    "history_days = 90\nhistory_max_mb = 64\n", &cfg, err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.nservers, 1);
	assert_string_equal(cfg.servers[0].name, "mx1");
	assert_int_equal(cfg.servers[0].nlogs, 2);
	assert_string_equal(cfg.servers[0].logs[1], "/var/log/dovecot.log");
	assert_string_equal(cfg.servers[0].queue_argv[0], "postqueue");
	assert_string_equal(cfg.servers[0].queue_argv[2], "/etc/pf");
	assert_null(cfg.servers[0].queue_argv[4]);
	assert_int_equal(cfg.servers[0].queue_interval, 30);
	assert_string_equal(cfg.theme, "mono");
	assert_int_equal(cfg.history_off, 1);
	assert_int_equal(cfg.history_days, 90);
	assert_int_equal(cfg.history_max_mb, 64);
	config_free(&cfg);
}

static void
test_defaults_kept(void **state)
{
	struct mailcon_config	 cfg, def;
	char			 err[256];

	assert_int_equal(load("[detect]\nwindow = 600\n", &cfg, err,
	    sizeof(err)), 0);
	config_init(&def);
	assert_true(cfg.detect.limits[SIG_MSG_RATE].critical ==
	    def.detect.limits[SIG_MSG_RATE].critical);
	assert_true(def.detect.window == 600);
	config_free(&cfg);
	config_free(&def);
}

/* Each bad file: -1, and the message names the file's line. */
static void
test_errors(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;
	} cases[] = {
		{ "[detect]\nwindow = soon\n", ":2: window:" },
		{ "[detect]\n\nauth_ips = 3 2 1\n", ":3: auth_ips:" },
		{ "[detect]\nauth_ips = 3 6\n", ":2: auth_ips:" },
		{ "[detect]\nauth_ips = 3 6 20 40\n", ":2: auth_ips:" },
		{ "[detect]\nauth_ips = -1 6 20\n", ":2: auth_ips:" },
		{ "[detect]\nauth_ipz = 3 6 20\n", ":2: unknown key" },
		{ "[detekt]\nwindow = 10m\n", ":2: unknown section" },
		{ "window = 10m\n", ":1: key \"window\" outside" },
		{ "[detect]\nallow = bob;rm -rf\n", ":2: allow:" },
		{ "[detect]\nmax_accounts = 0\n", ":2: max_accounts:" },
		{ "[logs]\nyear = 26\n", ":2: year:" },
		{ "[logs]\ntimezone = Mars\n", ":2: timezone:" },
		{ "[console]\nhistory_days = 1\n", ":2: history_days:" },
		{ "[console]\nhistory_max_mb = 0\n", ":2: history_max_mb:" },
		{ "[console]\nhistory = relative.db\n", ":2: history:" },
		{ "[console]\nresolver = dns.example\n", ":2: resolver" },
		{ "[console]\nresolver = 127.0.0.1:0\n", ":2: resolver" },
		{ "[console]\nresolver = 127.0.0.1:70000\n", ":2: resolver" },
		{ "[console]\n\nresolver = \n", ":3: resolver" },
		{ "[server a/b]\nlogs = /x\n", ":2: [server a/b]" },
		{ "[server mx]\nlogs = var/log/mail.log\n", ":2: logs:" },
		{ "[server mx]\nqueue_command = \n", ":2: queue_command" },
		{ "[server mx]\nlog = /x\n", ":2: unknown key" },
		{ "[detect\n", ":1: not an INI line" },
		/* lines: a one-value key continued, a bad item of a list */
		{ "[detect]\nwindow = 10m\n    20m\n",
		    ":2: window: one value on one line" },
		{ "[detect]\nallow = a@example.test,\n  bob;rm\n",
		    ":2: allow: \"bob;rm\" is not an account name" },
		{ "[detect] window = 10m\n", ":1: text after the ]" },
		{ "[detect]\n= 10m\n", ":2: a value without a key" },
		{ "[detect]\nwindow\n", ":2: not an INI line" },
	};
	struct mailcon_config	 cfg;
	char			 err[256];
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(load(cases[i].text, &cfg, err, sizeof(err)),
		    -1);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err,
			    cases[i].want);
		assert_non_null(strstr(err, "/tmp/mailcon-test-config-"));
		config_free(&cfg);
	}
}

static void
test_missing_files(void **state)
{
	struct mailcon_config	 cfg;
	char			 err[256];

	config_init(&cfg);
	assert_int_equal(config_load(&cfg, "/nonexistent/mailcon.ini", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/mailcon.ini: No such"));
	assert_int_equal(config_load(&cfg, "/tmp", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is a directory"));
	/* A missing default file is no error: defaults apply. */
	setenv("XDG_CONFIG_HOME", "/nonexistent-xdg", 1);
	setenv("MAILCON_SYSCONFDIR", "/nonexistent-etc", 1);
	assert_int_equal(config_load(&cfg, NULL, err, sizeof(err)), 0);
	assert_null(cfg.path);
	config_free(&cfg);
}

/* The maillog_file of a Postfix main.cf: the last plain path wins. */
static void
test_postfix_maillog(void **state)
{
	const char	*path;
	char		 buf[256];

	path = write_config("# maillog_file = /commented\nmyhostname = mx\n"
	    "maillog_file = /var/log/old.log\nmaillog_file=/var/log/"
	    "postfix.log\n");
	assert_int_equal(discover_config_log(&backend_postfix, path, buf,
	    sizeof(buf)), 1);
	assert_string_equal(buf, "/var/log/postfix.log");
	unlink(path);
	path = write_config("maillog_file = $queue_directory/log\n");
	assert_int_equal(discover_config_log(&backend_postfix, path, buf,
	    sizeof(buf)), 0);
	unlink(path);
	assert_int_equal(discover_config_log(&backend_postfix,
	    "/nonexistent/main.cf", buf, sizeof(buf)), 0);
}

static void
test_durations(void **state)
{
	int	 s;

	assert_int_equal(config_parse_duration("90", &s), 0);
	assert_int_equal(s, 90);
	assert_int_equal(config_parse_duration("2h", &s), 0);
	assert_int_equal(s, 7200);
	assert_int_equal(config_parse_duration("1d", &s), 0);
	assert_int_equal(s, 86400);
	assert_int_equal(config_parse_duration("0", &s), -1);
	assert_int_equal(config_parse_duration("5x", &s), -1);
	assert_int_equal(config_parse_duration("5mm", &s), -1);
	assert_int_equal(config_parse_duration("31d", &s), -1);
	assert_int_equal(config_parse_duration("", &s), -1);
}

/* The SSH keys of [server]: values kept, bad ones refused by name. */
static void
test_ssh_keys(void **state)
{
	static const struct {
		const char	*text;
		const char	*err;
	} bad[] = {
		{ "[server a]\nhost = mx;reboot\n", "host:" },
		{ "[server a]\nhost = -oProxyCommand=x\n", "host:" },
		{ "[server a]\nhost = 127.0.0.1\nport = 0\n", "port:" },
		{ "[server a]\nhost = 127.0.0.1\nport = 22x\n", "port:" },
		{ "[server a]\nhost = 127.0.0.1\nuser = -root\n", "user:" },
		{ "[server a]\nhost = 127.0.0.1\nuser = a b\n", "user:" },
		{ "[server a]\nhost = 127.0.0.1\nkey = id_ed25519\n", "key:" },
		{ "[server a]\nhost = 127.0.0.1\nknown_hosts = kh\n",
		    "known_hosts:" },
		{ "[server a]\nhost = 127.0.0.1\nsudo = maybe\n", "sudo:" },
		{ "[server a]\nhost = 127.0.0.1\nkeepalive = 0s\n",
		    "keepalive:" },
		{ "[server a]\nport = 2222\n", "need host" },
		{ "[server a]\nhost = 127.0.0.1\nlog_command = journalctl -f\n",
		    "log_command is not followed over SSH" },
		{ "[server a]\nhost = 127.0.0.1\njournal = maybe\n",
		    "journal: expected yes or no" },
		{ "[server a]\nhost = 127.0.0.1\njournal = yes\n"
		    "journal_directory = var/log/journal\n",
		    "journal_directory: expected an absolute path" },
		{ "[server a]\nlog_command = journalctl -f\njournal = yes\n",
		    "log_command sets its own command: keep one of them" },
		{ "[server a]\njournal_directory = /j\n",
		    "journal_directory needs journal = yes" },
		{ "[server a]\nhost = 127.0.0.1\njournal_directory = /j\n",
		    "journal_directory needs journal = yes" },
	};
	struct mailcon_config	 cfg;
	char			 err[256];
	size_t			 i;

	assert_int_equal(load("[server a]\nhost = 127.0.0.1\nport = 2222\n"
	    "user = mon\nkey = /k/id\nknown_hosts = /k/kh\nsudo = yes\n"
	    "keepalive = 5s\njournal = yes\njournal_directory = /j/d\n"
	    "[server b]\nhost = mx1.example\nkey = agent\njournal = no\n",
	    &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.nservers, 2);
	assert_string_equal(cfg.servers[0].ssh.host, "127.0.0.1");
	assert_int_equal(cfg.servers[0].ssh.port, 2222);
	assert_string_equal(cfg.servers[0].ssh.user, "mon");
	assert_string_equal(cfg.servers[0].ssh.key_file, "/k/id");
	assert_string_equal(cfg.servers[0].ssh.known_hosts, "/k/kh");
	assert_int_equal(cfg.servers[0].ssh.sudo, 1);
	assert_int_equal(cfg.servers[0].ssh.keepalive_s, 5);
	assert_int_equal(cfg.servers[0].ssh.journal, 1);
	assert_string_equal(cfg.servers[0].ssh.journal_dir, "/j/d");
	assert_string_equal(cfg.servers[1].ssh.host, "mx1.example");
	assert_null(cfg.servers[1].ssh.key_file);
	assert_int_equal(cfg.servers[1].ssh.journal, 0);
	assert_null(cfg.servers[1].ssh.journal_dir);
	config_free(&cfg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load(bad[i].text, &cfg, err, sizeof(err)), -1);
		if (strstr(err, bad[i].err) == NULL)
			fail_msg("%s: error \"%s\" lacks \"%s\"", bad[i].text,
			    err, bad[i].err);
		config_free(&cfg);
	}
}

/* discover_source's exists(): is path one of the NULL-terminated arg? */
static int
fake_exists(const char *path, void *arg)
{
	const char *const	*p;

	for (p = arg; *p != NULL; p++)
		if (strcmp(*p, path) == 0)
			return 1;
	return 0;
}

/* The words of argv joined by spaces (static buffer). */
static const char *
joined(char *const *argv)
{
	static char	 buf[1024];
	size_t		 i, n = 0;

	buf[0] = '\0';
	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		    i > 0 ? " " : "", argv[i]);
	return buf;
}

/*
 * A server here with no logs configured: the mail log when it is there,
 * else the journal of the mail units when journalctl and a journal are
 * there, else nothing (loud); logs or log_command set are left alone.
 */
static void
test_default_source(void **state)
{
	static const char *const with_log[] = { "/var/log/mail.log",
		"/usr/bin/journalctl", "/run/systemd/journal", NULL };
	static const char *const journal_only[] = { "/usr/bin/journalctl",
		"/run/systemd/journal", NULL };
	/* an empty /var/log/journal (no journald ever wrote there) */
	static const char *const no_journal[] = { "/usr/bin/journalctl",
		"/var/log/journal", NULL };
	static const char *const jdir[] = { "/bin/journalctl", "/j", NULL };
	struct mailcon_config	 cfg;
	char			 err[256], said[1200];

	(void)state;
	/* Postfix and Dovecot by name: no probe of this machine */
	assert_int_equal(load("[server a]\nbackend = postfix\n"
	    "auth = dovecot\nqueue = off\n"
	    "[server b]\nbackend = postfix\nauth = dovecot\n"
	    "[server c]\nbackend = postfix\nauth = dovecot\n"
	    "[server d]\nbackend = postfix\nauth = dovecot\njournal = yes\n"
	    "journal_directory = /j\n"
	    "[server e]\nlogs = /l/mail.log\n"
	    "[server f]\nlog_command = tail -F /l/x\n"
	    "[server g]\nhost = 127.0.0.1\n",
	    &cfg, err, sizeof(err)), 0);

	assert_int_equal(discover_source(&cfg.servers[0], fake_exists,
	    (void *)with_log, said, sizeof(said)), DISCOVER_FILE);
	assert_int_equal(cfg.servers[0].nlogs, 1);
	assert_string_equal(cfg.servers[0].logs[0], "/var/log/mail.log");
	assert_null(cfg.servers[0].log_argv);
	assert_non_null(strstr(said, "a: no logs configured; following "
	    "/var/log/mail.log"));

	assert_int_equal(discover_source(&cfg.servers[1], fake_exists,
	    (void *)journal_only, said, sizeof(said)), DISCOVER_JOURNAL);
	assert_int_equal(cfg.servers[1].nlogs, 0);
	assert_string_equal(joined(cfg.servers[1].log_argv),
	    "/usr/bin/journalctl -f -n 0 -q -o short-iso "
	    "-u postfix@-.service -u postfix.service -u dovecot.service");
	assert_non_null(strstr(said, "b: no log file here; following the "
	    "journal (/usr/bin/journalctl -f"));

	/* journalctl without a journal is nothing to read */
	assert_int_equal(discover_source(&cfg.servers[2], fake_exists,
	    (void *)no_journal, said, sizeof(said)), DISCOVER_NONE);
	assert_int_equal(cfg.servers[2].nlogs, 0);
	assert_null(cfg.servers[2].log_argv);
	assert_non_null(strstr(said, "c: NO LOG SOURCE: found none of "
	    "/var/log/mail.log"));
	assert_non_null(strstr(said, "set logs = or log_command = in "
	    "[server c]"));

	/* a journal directory: the journal, even with a mail log here */
	assert_int_equal(discover_source(&cfg.servers[3], fake_exists,
	    (void *)jdir, said, sizeof(said)), DISCOVER_JOURNAL);
	assert_string_equal(joined(cfg.servers[3].log_argv),
	    "/bin/journalctl -f -n 0 -q -o short-iso -D /j "
	    "-u postfix@-.service -u postfix.service -u dovecot.service");
	assert_non_null(strstr(said, "d: journal set"));

	assert_int_equal(discover_source(&cfg.servers[4], fake_exists,
	    (void *)with_log, said, sizeof(said)), DISCOVER_CONFIGURED);
	assert_int_equal(cfg.servers[4].nlogs, 1);
	assert_null(cfg.servers[4].log_argv);
	assert_int_equal(discover_source(&cfg.servers[5], fake_exists,
	    (void *)with_log, said, sizeof(said)), DISCOVER_CONFIGURED);
	assert_int_equal(cfg.servers[5].nlogs, 0);
	assert_int_equal(discover_source(&cfg.servers[6], fake_exists,
	    (void *)with_log, said, sizeof(said)), DISCOVER_CONFIGURED);
	assert_int_equal(cfg.servers[6].nlogs, 0);
	assert_null(cfg.servers[6].log_argv);
	config_free(&cfg);
}

/* [console] resolver: the DNS server asked for [server] host names. */
static void
test_ssh_resolver(void **state)
{
	static const struct {
		const char	*value;
		const char	*want;		/* NULL: the system's */
	} good[] = {
		{ "127.0.0.1", "127.0.0.1" },
		{ "127.0.0.1:5353", "127.0.0.1:5353" },
		{ "::1", "::1" },
		{ "[::1]:5353", "[::1]:5353" },
		{ "system", NULL },
		{ "System", NULL },
	};
	struct mailcon_config	 cfg;
	char			 text[128], err[256];
	size_t			 i;

	assert_int_equal(load("[console]\ntheme = mono\n", &cfg, err,
	    sizeof(err)), 0);
	assert_null(cfg.resolver);
	config_free(&cfg);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		/* the last one wins; the [rbl] resolver is another key */
		snprintf(text, sizeof(text), "[console]\nresolver = 10.0.0.1\n"
		    "resolver = %s\n[rbl]\nresolver = 127.0.0.2\n",
		    good[i].value);
		assert_int_equal(load(text, &cfg, err, sizeof(err)), 0);
		if (good[i].want == NULL)
			assert_null(cfg.resolver);
		else
			assert_string_equal(cfg.resolver, good[i].want);
		assert_string_equal(cfg.rbl.resolver, "127.0.0.2");
		config_free(&cfg);
	}
	/* bad values: in test_errors */
}

/*
 * A [server] of the file reads its queue unless told not to (queue = off,
 * or queue_command = off); with no queue_command the command comes from
 * the backend (server_new), so queue_argv stays NULL.  Servers the
 * program makes itself (the demo, this machine's) do not.
 */
static void
test_queue_default(void **state)
{
	static const struct {
		const char	*text;
		int		 on;
		const char	*argv0;		/* NULL: the default command */
	} cases[] = {
		{ "[server a]\nlogs = /l\n", 1, NULL },
		{ "[server a]\nhost = 127.0.0.1\n", 1, NULL },
		{ "[server a]\nqueue = off\n", 0, NULL },
		{ "[server a]\nqueue = no\n", 0, NULL },
		{ "[server a]\nqueue_command = off\n", 0, NULL },
		{ "[server a]\nqueue_command = cat /q\n", 1, "cat" },
		{ "[server a]\nqueue_command = cat /q\nqueue = off\n", 0, NULL },
		{ "[server a]\nqueue = off\nqueue = on\n", 1, NULL },
		{ "[server a]\nqueue_command = off\nqueue = on\n", 1, NULL },
	};
	struct mailcon_config	 cfg;
	struct server_config	*sc;
	char			 err[256];
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (load(cases[i].text, &cfg, err, sizeof(err)) != 0)
			fail_msg("%s: %s", cases[i].text, err);
		if (cfg.servers[0].queue_on != cases[i].on)
			fail_msg("%s: queue_on %d", cases[i].text,
			    cfg.servers[0].queue_on);
		if (cases[i].argv0 == NULL)
			assert_null(cfg.servers[0].queue_argv);
		else
			assert_string_equal(cfg.servers[0].queue_argv[0],
			    cases[i].argv0);
		config_free(&cfg);
	}
	assert_int_equal(load("[server a]\nqueue = sometimes\n", &cfg, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: queue: expected on or off"));
	config_free(&cfg);
	config_init(&cfg);
	sc = config_add_server(&cfg, "demo");
	assert_int_equal(sc->queue_on, 0);
	assert_null(sc->queue_argv);
	config_free(&cfg);
}

/* Make an empty file (a key that exists). */
static void
touch(const char *path)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fclose(f);
}

/*
 * The keys offered, as ssh(1): key = PATH alone; key = agent the agent's
 * only; no key: ~/.ssh/id_ed25519, id_ecdsa, id_rsa that exist, in that
 * order, then the agent's.  A key = PATH that is not a readable file is
 * an error naming the server.
 */
static void
test_key_defaults(void **state)
{
	struct mailcon_config	 cfg;
	struct config_ssh_keys	 k;
	char			 home[64], path[128], err[512];
	char			*old = getenv("HOME") ? strdup(getenv("HOME")) :
	    NULL;

	strcpy(home, "/tmp/mailcon-test-home-XXXXXX");
	assert_non_null(mkdtemp(home));
	setenv("HOME", home, 1);
	snprintf(path, sizeof(path), "%s/.ssh", home);
	assert_int_equal(mkdir(path, 0700), 0);

	assert_int_equal(load("[server a]\nhost = 127.0.0.1\n"
	    "[server b]\nhost = 127.0.0.1\nkey = agent\n"
	    "[server c]\nhost = 127.0.0.1\nkey = /nonexistent/id_c\n"
	    "[server d]\nhost = 127.0.0.1\nkey = /tmp\n", &cfg, err,
	    sizeof(err)), 0);
	/* none there yet: the agent only */
	config_ssh_keys(&cfg.servers[0].ssh, &k);
	assert_null(k.files[0]);
	assert_int_equal(k.agent, 1);
	assert_int_equal(k.defaults, 1);
	snprintf(path, sizeof(path), "%s/.ssh/id_rsa", home);
	touch(path);
	snprintf(path, sizeof(path), "%s/.ssh/id_ecdsa", home);
	touch(path);
	config_ssh_keys(&cfg.servers[0].ssh, &k);
	snprintf(path, sizeof(path), "%s/.ssh/id_ecdsa", home);
	assert_string_equal(k.files[0], path);
	snprintf(path, sizeof(path), "%s/.ssh/id_rsa", home);
	assert_string_equal(k.files[1], path);
	assert_null(k.files[2]);
	snprintf(path, sizeof(path), "%s/.ssh/id_ed25519", home);
	touch(path);
	config_ssh_keys(&cfg.servers[0].ssh, &k);
	assert_string_equal(k.files[0], path);
	assert_non_null(k.files[2]);
	assert_null(k.files[3]);
	assert_int_equal(k.agent, 1);
	/* key = agent: no file */
	config_ssh_keys(&cfg.servers[1].ssh, &k);
	assert_null(k.files[0]);
	assert_int_equal(k.agent, 1);
	assert_int_equal(k.defaults, 0);
	/* key = PATH: that one, no agent */
	config_ssh_keys(&cfg.servers[2].ssh, &k);
	assert_string_equal(k.files[0], "/nonexistent/id_c");
	assert_null(k.files[1]);
	assert_int_equal(k.agent, 0);

	assert_int_equal(config_check_key(&cfg.servers[0], err, sizeof(err)),
	    0);
	assert_int_equal(config_check_key(&cfg.servers[1], err, sizeof(err)),
	    0);
	assert_int_equal(config_check_key(&cfg.servers[2], err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "[server c]: key /nonexistent/id_c: No "
	    "such file or directory"));
	assert_int_equal(config_check_key(&cfg.servers[3], err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "[server d]: key /tmp is not a file"));
	assert_int_equal(config_check_keys(&cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "[server c]"));
	config_free(&cfg);

	unlink(path);
	snprintf(path, sizeof(path), "%s/.ssh/id_ecdsa", home);
	unlink(path);
	snprintf(path, sizeof(path), "%s/.ssh/id_rsa", home);
	unlink(path);
	snprintf(path, sizeof(path), "%s/.ssh", home);
	rmdir(path);
	rmdir(home);
	if (old != NULL)
		setenv("HOME", old, 1);
	free(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_defaults_kept),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing_files),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_postfix_maillog),
		cmocka_unit_test(test_ssh_keys),
		cmocka_unit_test(test_ssh_resolver),
		cmocka_unit_test(test_default_source),
		cmocka_unit_test(test_queue_default),
		cmocka_unit_test(test_key_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
