/*
 * test_config_lines.c: lines of the configuration file as an admin
 * writes them: long lists on one line, lists continued on indented lines,
 * and lines too long or not text, each said as such with file and line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/config_ini.h"

/* Write len bytes of text to a temporary file; its path (static). */
static const char *
write_bytes(const char *text, size_t len)
{
	static char	 path[64];
	FILE		*f;
	int		 fd;

	strcpy(path, "/tmp/mailcon-test-lines-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	return path;
}

/* Load len bytes of text; config_load's result, its error in err. */
static int
load_bytes(const char *text, size_t len, struct mailcon_config *cfg,
    char *err, size_t errlen)
{
	const char	*path = write_bytes(text, len);
	int		 rc;

	config_init(cfg);
	err[0] = '\0';
	rc = config_load(cfg, path, err, errlen);
	unlink(path);
	return rc;
}

/* The same for a C string. */
static int
load(const char *text, struct mailcon_config *cfg, char *err, size_t errlen)
{
	return load_bytes(text, strlen(text), cfg, err, errlen);
}

/* A 2,000-byte allow line (100 accounts) is read whole. */
static void
test_long_allow_line(void **state)
{
	struct mailcon_config	 cfg;
	char			 text[4096], err[256], want[64];
	size_t			 n = 0, i;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "[detect]\nallow =");
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "%s newsletter%03zu@example.test", i > 0 ? "," : "", i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\nwindow = 15m\n");
	assert_true(n > 2000 && n < sizeof(text));
	if (load(text, &cfg, err, sizeof(err)) != 0)
		fail_msg("a 2,000-byte allow line: %s", err);
	assert_int_equal(cfg.nallow, 100);
	for (i = 0; i < 100; i++) {
		snprintf(want, sizeof(want), "newsletter%03zu@example.test", i);
		assert_string_equal(cfg.detect.allow[i], want);
	}
	assert_null(cfg.detect.allow[100]);
	/* the line after it is its own line, not a piece of the list */
	assert_int_equal(cfg.detect.window, 900);
	config_free(&cfg);
}

/* Addresses on a long line: none is cut in the middle ("10.0.0"). */
static void
test_long_outbound_line(void **state)
{
	struct mailcon_config	 cfg;
	char			 text[2048], err[256];
	size_t			 n = 0, i;

	n += (size_t)snprintf(text + n, sizeof(text) - n,
	    "[server mx1]\noutbound_ips =");
	for (i = 0; i < 60; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "%s 10.0.0.%zu", i > 0 ? "," : "", 100 + i);
	assert_true(n > 600);
	if (load(text, &cfg, err, sizeof(err)) != 0)
		fail_msg("a long outbound_ips line: %s", err);
	for (i = 0; cfg.servers[0].outbound_ips[i] != NULL; i++)
		;
	assert_int_equal(i, 60);
	assert_string_equal(cfg.servers[0].outbound_ips[59], "10.0.0.159");
	config_free(&cfg);
}

/* Lists continued on indented lines, with and without commas. */
static void
test_continued_lists(void **state)
{
	struct mailcon_config	 cfg;
	char			 err[256];
	size_t			 i;

	if (load("[detect]\nallow = a@example.test, b@example.test,\n"
	    "    c@example.test\n"
	    "\t d@example.test ; the last one\n"
	    "; a comment inside the list\n"
	    "    e@example.test\n"
	    "window = 20m\n"
	    "[server mx1]\nlogs = /var/log/mail.log\n"
	    "  /var/log/with space.log,\n"
	    "  /var/log/dovecot.log\n"
	    "outbound_ips = 192.0.2.1\n  192.0.2.2, 192.0.2.3\n"
	    "queue_command = postqueue\n    -c /etc/postfix -j\n"
	    "[rbl]\nzones = zen.spamhaus.org,\n  bl.spamcop.net\n",
	    &cfg, err, sizeof(err)) != 0)
		fail_msg("continued lists: %s", err);
	assert_int_equal(cfg.nallow, 5);
	assert_string_equal(cfg.detect.allow[2], "c@example.test");
	assert_string_equal(cfg.detect.allow[3], "d@example.test");
	assert_string_equal(cfg.detect.allow[4], "e@example.test");
	assert_int_equal(cfg.detect.window, 1200);
	assert_int_equal(cfg.servers[0].nlogs, 3);
	assert_string_equal(cfg.servers[0].logs[0], "/var/log/mail.log");
	assert_string_equal(cfg.servers[0].logs[1], "/var/log/with space.log");
	assert_string_equal(cfg.servers[0].logs[2], "/var/log/dovecot.log");
	for (i = 0; cfg.servers[0].outbound_ips[i] != NULL; i++)
		;
	assert_int_equal(i, 3);
	assert_string_equal(cfg.servers[0].outbound_ips[0], "192.0.2.1");
	assert_string_equal(cfg.servers[0].queue_argv[0], "postqueue");
	assert_string_equal(cfg.servers[0].queue_argv[2], "/etc/postfix");
	assert_string_equal(cfg.servers[0].queue_argv[3], "-j");
	assert_null(cfg.servers[0].queue_argv[4]);
	assert_string_equal(cfg.rbl.zones[1], "bl.spamcop.net");
	assert_null(cfg.rbl.zones[2]);
	config_free(&cfg);
}

/* The networks of the first server's shared_addresses, as text, one
   space between, into buf. */
static const char *
shared_text(const struct mailcon_config *cfg, char *buf, size_t size)
{
	char	 net[CIDR_TEXT_MAX];
	size_t	 i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < cfg->servers[0].nshared; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i > 0 ? " " : "", cidr_format(&cfg->servers[0].shared[i],
		    net, sizeof(net)));
	return buf;
}

/*
 * [server] shared_addresses: loopback by default (a webmail on the
 * server), a list continued on lines, none; a bad network is said with
 * the file, the line and the value.
 */
static void
test_shared_addresses(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;		/* the list, or the error's
						   words after the file */
	} cases[] = {
		{ "logs = /var/log/mail.log\n", "127.0.0.1 ::1" },
		{ "shared_addresses = 10.0.0.0/8\n    2001:db8::/32, "
		    "192.0.2.7\n", "10.0.0.0/8 2001:db8::/32 192.0.2.7" },
		{ "shared_addresses = none\n", "" },
		{ "logs = /var/log/mail.log\nshared_addresses = 127.0.0.1 "
		    "10.0.0.1/8\n", ":3: shared_addresses: \"10.0.0.1/8\": "
		    "bits set past the prefix /8 (the network is 10.0.0.0/8)" },
		{ "shared_addresses = none, ::1\n", ":2: shared_addresses: "
		    "\"none\" is not an address" },
		{ "shared_addresses =\n", ":2: shared_addresses: expected "
		    "addresses" },
	};
	struct mailcon_config	 cfg;
	char			 text[256], err[512], buf[256];
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "[server mx1]\n%s",
		    cases[i].text);
		rc = load(text, &cfg, err, sizeof(err));
		if (cases[i].want[0] != ':' && rc != 0)
			fail_msg("%s: %s", cases[i].text, err);
		if (cases[i].want[0] != ':')
			assert_string_equal(shared_text(&cfg, buf,
			    sizeof(buf)), cases[i].want);
		else if (rc != -1 || strstr(err, "/tmp/mailcon-test-lines-") !=
		    err || strstr(err, cases[i].want) == NULL)
			fail_msg("%s: \"%s\" does not say \"%s\"",
			    cases[i].text, err, cases[i].want);
		config_free(&cfg);
	}
}

/* A line over the limit is said to be too long, on its own line. */
static void
test_overlong_line(void **state)
{
	struct mailcon_config	 cfg;
	char			*text, err[512], want[64];
	size_t			 n = CONFIG_INI_LINE_MAX + 100, off;

	text = malloc(n + 64);
	assert_non_null(text);
	off = (size_t)snprintf(text, 64, "[detect]\n\nallow = ");
	memset(text + off, 'a', n - off);
	memcpy(text + n, "\nwindow = 5m\n", 14);
	assert_int_equal(load(text, &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), ":3: line longer than %d bytes",
	    CONFIG_INI_LINE_MAX);
	if (strstr(err, want) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err, want);
	config_free(&cfg);
	free(text);
}

/* A NUL byte is no text: said, not read as the end of the line; other
   control bytes likewise. */
static void
test_nul_byte(void **state)
{
	static const char	 text[] = "[detect]\nwindow = 10m\0junk\n";
	struct mailcon_config	 cfg;
	char			 err[256];

	assert_int_equal(load_bytes(text, sizeof(text) - 1, &cfg, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: a NUL byte"));
	config_free(&cfg);
	/* nor is an escape, nor a lone CR: never printed raw in an error */
	assert_int_equal(load("[detect]\n\nwin\x1b[2Jdow = 10m\n", &cfg, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, ":3: a control byte (0x1b)"));
	assert_null(strchr(err, '\x1b'));
	config_free(&cfg);
	assert_int_equal(load("[detect]\nwindow \r= 10m\n", &cfg, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: a control byte (0x0d)"));
	config_free(&cfg);
}

/* CRLF line ends, a byte order mark, "key: value", inline comments. */
static void
test_syntax_kept(void **state)
{
	struct mailcon_config	 cfg;
	char			 err[256];

	if (load("\xef\xbb\xbf[detect]\r\nwindow: 15m ; a quarter\r\n"
	    "# a comment\r\n[logs]\r\nyear = 2025\r\n", &cfg, err,
	    sizeof(err)) != 0)
		fail_msg("syntax: %s", err);
	assert_int_equal(cfg.detect.window, 900);
	assert_int_equal(cfg.year, 2025);
	config_free(&cfg);
}

/* The reader itself: each key once, with the line it started on. */
struct seen {
	char	 text[512];
};

static int
seen_cb(void *arg, const char *section, const char *name, const char *value,
    int line)
{
	struct seen	*s = arg;
	size_t		 n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%d[%s]%s=%s|", line,
	    section, name, value);
	return strcmp(name, "stop") == 0 ? -1 : 0;
}

static void
test_reader(void **state)
{
	static const char	 text[] = "top = 1\n[a b]\nk = v1\n  v2\n\n"
	    "  v3\nx:y=z\n[c]\nstop = now\nnever = read\n";
	struct seen		 s = { "" };
	char			 err[128];
	FILE			*f;
	int			 line;

	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	assert_non_null(f);
	assert_int_equal(config_ini_parse(f, seen_cb, &s, &line, err,
	    sizeof(err)), -1);
	fclose(f);
	assert_string_equal(s.text, "1[]top=1|3[a b]k=v1\nv2\nv3|"
	    "7[a b]x=y=z|9[c]stop=now|");
	assert_int_equal(line, 9);
	assert_string_equal(err, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_allow_line),
		cmocka_unit_test(test_long_outbound_line),
		cmocka_unit_test(test_continued_lists),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_shared_addresses),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_syntax_kept),
		cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
