/*
 * test_fixtures.c: every tests/fixtures/NAME.log, line by line, against the
 * annotation above each line (fail2ban style).
 *
 *   #> KIND [key=value ...]    the event the next line must give
 *   #> none                    a header that splits but no event
 *   #> badline                 logline_split must refuse the line
 *   # text                     a comment
 *
 * A line that gives several events (an Exim arrival: SUBMIT, QUEUED) has
 * one "#>" line per event, in order, right above it; the line must give
 * exactly that many.
 *
 * Keys: qid account client sender rcpt relay reason size nrcpt service
 * time flags (bad_account, bad_client, comma separated).  A key not given
 * is not checked, except account and client: those must be empty unless
 * given, so that no fixture can silently name an account or a client.
 * Values run to the next space or are "double" or 'single' quoted.
 *
 * The directory comes from MAILCON_FIXTURES (default tests/fixtures).  The
 * 1 MiB line and a file whose last line has no newline are made here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>
#include <cmocka.h>

#include "backends/backend.h"
#include "backends/logline.h"

/* 2026-11-28 12:00:00 UTC: the fixtures' lines are from that morning. */
#define REF_TIME	INT64_C(1795867200)

struct expect {
	int		 badline;
	int		 kind;
	char		 keys[16][16];
	char		 vals[16][512];
	int		 nkeys;
};

static char	 failures[8192];
static size_t	 failures_len;

/* Forget the mismatches remembered so far. */
static void
failures_clear(void)
{
	failures_len = 0;
	failures[0] = '\0';
}

/* Remember a mismatch; all are printed before the test fails. */
static void
fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (failures_len >= sizeof(failures) - 1)
		return;
	n = snprintf(failures + failures_len, sizeof(failures) - failures_len,
	    "%s:%d: ", file, line);
	if (n > 0)
		failures_len += (size_t)n;
	if (failures_len >= sizeof(failures) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(failures + failures_len, sizeof(failures) - failures_len,
	    fmt, ap);
	va_end(ap);
	if (n > 0)
		failures_len += (size_t)n;
	if (failures_len < sizeof(failures) - 1)
		failures[failures_len++] = '\n';
	failures[failures_len] = '\0';
}

/* Parse "#> KIND k=v ..." into e; 0, or -1 when malformed. */
static int
parse_expect(const char *p, size_t len, struct expect *e)
{
	const char	*end = p + len, *w;
	char		 word[32];
	size_t		 n;
	int		 k;

	memset(e, 0, sizeof(*e));
	while (p < end && *p == ' ')
		p++;
	for (w = p; p < end && *p != ' '; p++)
		;
	n = (size_t)(p - w);
	if (n == 0 || n >= sizeof(word))
		return -1;
	memcpy(word, w, n);
	word[n] = '\0';
	if (strcmp(word, "badline") == 0) {
		e->badline = 1;
		return 0;
	}
	e->kind = -1;
	for (k = 0; k < EV_KIND_COUNT; k++) {
		if (strcmp(word, mail_event_kind_name(k)) == 0)
			e->kind = k;
	}
	if (e->kind < 0)
		return -1;
	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			break;
		if (e->nkeys == 16)
			return -1;
		for (w = p; p < end && *p != '='; p++)
			;
		if (p >= end || (n = (size_t)(p - w)) == 0 ||
		    n >= sizeof(e->keys[0]))
			return -1;
		memcpy(e->keys[e->nkeys], w, n);
		e->keys[e->nkeys][n] = '\0';
		p++;
		if (p < end && (*p == '"' || *p == '\'')) {
			char q = *p;

			for (w = ++p; p < end && *p != q; p++)
				;
			if (p >= end)
				return -1;
			n = (size_t)(p - w);
			p++;
		} else {
			for (w = p; p < end && *p != ' '; p++)
				;
			n = (size_t)(p - w);
		}
		if (n >= sizeof(e->vals[0]))
			return -1;
		memcpy(e->vals[e->nkeys], w, n);
		e->vals[e->nkeys][n] = '\0';
		e->nkeys++;
	}
	return 0;
}

/* The expected value of key, or NULL when not given. */
static const char *
expect_get(const struct expect *e, const char *key)
{
	int	 i;

	for (i = 0; i < e->nkeys; i++) {
		if (strcmp(e->keys[i], key) == 0)
			return e->vals[i];
	}
	return NULL;
}

/* Compare a borrowed string with an expectation ("" when NULL). */
static void
check_str(const char *file, int line, const char *key,
    const struct mail_str *got, const char *want)
{
	if (want == NULL)
		want = "";
	if (got->len != strlen(want) ||
	    (got->len > 0 && memcmp(got->p, want, got->len) != 0))
		fail_at(file, line, "%s: want \"%s\", got \"%.*s\"", key, want,
		    (int)got->len, got->p != NULL ? got->p : "");
}

static const char *
service_name(enum mail_service s)
{
	switch (s) {
	case SVC_SMTP:
		return "smtp";
	case SVC_IMAP:
		return "imap";
	case SVC_POP3:
		return "pop3";
	case SVC_OTHER:
		return "other";
	default:
		return "unknown";
	}
}

/* Text form of event flags, as annotations write them. */
static void
flags_name(uint32_t flags, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s",
	    (flags & EVF_BAD_ACCOUNT) ? "bad_account" : "",
	    (flags & EVF_BAD_ACCOUNT) && (flags & EVF_BAD_CLIENT) ? "," : "",
	    (flags & EVF_BAD_CLIENT) ? "bad_client" : "");
	if (buf[0] == '\0')
		snprintf(buf, size, "none");
}

/* Check one event of a line against one annotation. */
static void
check_event(const char *file, int lineno, const struct mail_event *evp,
    const struct expect *e)
{
	const struct mail_event	 ev = *evp;
	char			 buf[64];
	const char		*v;

	if ((int)ev.kind != e->kind) {
		fail_at(file, lineno, "kind: want %s, got %s",
		    mail_event_kind_name(e->kind), mail_event_kind_name(ev.kind));
		return;
	}
	if (ev.kind == EV_NONE)
		return;
	check_str(file, lineno, "account", &ev.account,
	    expect_get(e, "account"));
	mail_ip_format(&ev.client, buf, sizeof(buf));
	v = expect_get(e, "client");
	if (strcmp(buf, v != NULL ? v : "") != 0)
		fail_at(file, lineno, "client: want \"%s\", got \"%s\"",
		    v != NULL ? v : "", buf);
	if ((v = expect_get(e, "qid")) != NULL)
		check_str(file, lineno, "qid", &ev.qid, v);
	if ((v = expect_get(e, "sender")) != NULL)
		check_str(file, lineno, "sender", &ev.sender, v);
	if ((v = expect_get(e, "rcpt")) != NULL)
		check_str(file, lineno, "rcpt", &ev.rcpt, v);
	if ((v = expect_get(e, "relay")) != NULL)
		check_str(file, lineno, "relay", &ev.relay, v);
	if ((v = expect_get(e, "reason")) != NULL)
		check_str(file, lineno, "reason", &ev.reason, v);
	if ((v = expect_get(e, "size")) != NULL &&
	    ev.size != strtoull(v, NULL, 10))
		fail_at(file, lineno, "size: want %s, got %llu", v,
		    (unsigned long long)ev.size);
	if ((v = expect_get(e, "nrcpt")) != NULL &&
	    ev.nrcpt != strtoul(v, NULL, 10))
		fail_at(file, lineno, "nrcpt: want %s, got %u", v, ev.nrcpt);
	if ((v = expect_get(e, "time")) != NULL &&
	    ev.time != strtoll(v, NULL, 10))
		fail_at(file, lineno, "time: want %s, got %lld", v,
		    (long long)ev.time);
	if ((v = expect_get(e, "service")) != NULL &&
	    strcmp(v, service_name(ev.service)) != 0)
		fail_at(file, lineno, "service: want %s, got %s", v,
		    service_name(ev.service));
	flags_name(ev.flags, buf, sizeof(buf));
	if ((v = expect_get(e, "flags")) != NULL && strcmp(v, buf) != 0)
		fail_at(file, lineno, "flags: want %s, got %s", v, buf);
}

/* Check one log line against its annotations (ne of them). */
static void
check_line(const char *file, int lineno, struct log_clock *c,
    const char *line, size_t len, const struct expect *e, int ne)
{
	struct log_header	 h;
	struct mail_events	 evs;
	int			 rc, i, want;

	rc = logline_split(c, line, len, &h);
	if (e[0].badline) {
		if (rc == 0)
			fail_at(file, lineno, "header parsed, want badline");
		return;
	}
	if (rc != 0) {
		fail_at(file, lineno, "header did not parse");
		return;
	}
	memset(&evs, 0xa5, sizeof(evs));
	backend_parse_any(&h, &evs);
	want = ne == 1 && e[0].kind == EV_NONE ? 0 : ne;
	if (evs.n != want) {
		fail_at(file, lineno, "events: want %d (%s...), got %d (%s...)",
		    want, mail_event_kind_name(e[0].kind), evs.n,
		    evs.n > 0 ? mail_event_kind_name(evs.ev[0].kind) : "none");
		return;
	}
	for (i = 0; i < want; i++)
		check_event(file, lineno, &evs.ev[i], &e[i]);
}

/*
 * Walk one fixture held in memory: returns the number of log lines
 * checked; mismatches go to failures.
 */
static int
walk_buffer(const char *file, const char *buf, size_t size)
{
	struct log_clock	 c;
	struct expect		 e[MAIL_LINE_EVENTS];
	const char		*p = buf, *end = buf + size, *nl;
	size_t			 len;
	int			 lineno = 0, have = 0, checked = 0;

	log_clock_init(&c, REF_TIME);
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p);
		lineno++;
		if (len >= 2 && p[0] == '#' && p[1] == '>') {
			if (have == MAIL_LINE_EVENTS)
				fail_at(file, lineno, "annotation without line");
			else if (parse_expect(p + 2, len - 2, &e[have]) != 0)
				fail_at(file, lineno, "bad annotation");
			else if (have > 0 && (e[have].badline ||
			    e[have].kind == EV_NONE || e[0].badline ||
			    e[0].kind == EV_NONE))
				fail_at(file, lineno, "none or badline with "
				    "another annotation");
			else
				have++;
		} else if (len == 0 || (len >= 2 && p[0] == '#' &&
		    p[1] == ' ') || (len == 1 && p[0] == '#')) {
			/* blank or comment */
		} else if (!have)
			fail_at(file, lineno, "log line without annotation");
		else {
			check_line(file, lineno, &c, p, len, e, have);
			have = 0;
			checked++;
		}
		p = nl + 1;
	}
	if (have)
		fail_at(file, lineno, "annotation at end of file");
	return checked;
}

/* Read a whole file; the caller frees.  NULL on error. */
static char *
read_file(const char *path, size_t *size)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) ==
	    NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static const char *
fixtures_dir(void)
{
	const char	*d = getenv("MAILCON_FIXTURES");

	return d != NULL && *d != '\0' ? d : "tests/fixtures";
}

/* Every .log file in the fixtures directory, each line as annotated. */
static void
test_fixture_files(void **state)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[4096], *buf;
	size_t		 size, n;
	int		 files = 0, lines = 0;

	(void)state;
	failures_clear();
	d = opendir(fixtures_dir());
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".log") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", fixtures_dir(),
		    de->d_name);
		buf = read_file(path, &size);
		assert_non_null(buf);
		lines += walk_buffer(path, buf, size);
		free(buf);
		files++;
	}
	closedir(d);
	if (failures_len > 0)
		fail_msg("%s", failures);
	assert_true(files >= 5);
	assert_true(lines >= 100);
	print_message("%d fixture files, %d annotated lines\n", files, lines);
}

/* The walker itself must catch a wrong annotation and a bare line. */
static void
test_walker_catches_mismatch(void **state)
{
	static const char bad[] =
	    "#> QUEUED qid=BAC3910614B\n"
	    "Nov 28 03:00:26 mail postfix/qmgr[1]: BAC3910614B: removed\n"
	    "Nov 28 03:00:26 mail postfix/qmgr[1]: BAC3910614B: removed\n"
	    "#> REMOVED qid=BAC3910614B\n"
	    "Nov 28 03:00:26 mail postfix/qmgr[1]: BAC3910614B: removed\n";
	static const char two[] =
	    "#> REMOVED qid=BAC3910614B\n"
	    "#> REMOVED qid=BAC3910614B\n"
	    "Nov 28 03:00:26 mail postfix/qmgr[1]: BAC3910614B: removed\n";
	static const char three[] =
	    "#> REMOVED qid=BAC3910614B\n"
	    "#> REMOVED qid=BAC3910614B\n"
	    "#> REMOVED qid=BAC3910614B\n"
	    "Nov 28 03:00:26 mail postfix/qmgr[1]: BAC3910614B: removed\n";
	static const char mixed[] =
	    "#> REMOVED qid=BAC3910614B\n"
	    "#> none\n"
	    "Nov 28 03:00:26 mail postfix/qmgr[1]: BAC3910614B: removed\n";
	static const char acct[] =
	    "#> SUBMIT qid=BAC3910614B client=127.0.1.1\n"
	    "Nov 28 03:00:26 mail postfix/smtpd[1]: BAC3910614B: "
	    "client=unknown[127.0.1.1], sasl_method=PLAIN, "
	    "sasl_username=alice@example.test\n";

	(void)state;
	failures_clear();
	assert_int_equal(walk_buffer("bad", bad, sizeof(bad) - 1), 2);
	assert_non_null(strstr(failures, "bad:2: kind: want QUEUED"));
	assert_non_null(strstr(failures, "bad:3: log line without annotation"));
	assert_null(strstr(failures, "bad:5"));
	failures_clear();
	walk_buffer("acct", acct, sizeof(acct) - 1);
	/* an account the annotation does not name is a failure */
	assert_non_null(strstr(failures, "acct:2: account"));
	/* a line gives exactly as many events as it has annotations */
	failures_clear();
	assert_int_equal(walk_buffer("two", two, sizeof(two) - 1), 1);
	assert_non_null(strstr(failures, "two:3: events: want 2"));
	assert_null(strstr(failures, "two:4"));
	failures_clear();
	walk_buffer("three", three, sizeof(three) - 1);
	assert_non_null(strstr(failures, "three:3: annotation without line"));
	walk_buffer("mixed", mixed, sizeof(mixed) - 1);
	assert_non_null(strstr(failures, "mixed:2: none or badline with"));
}

/* A fixture whose last line has no newline is read to its end. */
static void
test_no_newline_at_eof(void **state)
{
	static const char buf[] =
	    "#> REMOVED qid=BAC3910614B\n"
	    "Nov 28 03:00:26 mail postfix/qmgr[1]: BAC3910614B: removed\n"
	    "#> SUBMIT qid=BAC3910614B account=alice@example.test "
	    "client=127.0.1.1\n"
	    "Nov 28 03:00:26 mail postfix/smtpd[1]: BAC3910614B: "
	    "client=unknown[127.0.1.1], sasl_method=PLAIN, "
	    "sasl_username=alice@example.test";
	char	 path[] = "/tmp/mailcon-fixture-XXXXXX";
	char	*back;
	size_t	 size;
	int	 fd;

	(void)state;
	failures_clear();
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, sizeof(buf) - 1),
	    (ssize_t)(sizeof(buf) - 1));
	close(fd);
	back = read_file(path, &size);
	unlink(path);
	assert_non_null(back);
	assert_int_equal(walk_buffer(path, back, size), 2);
	free(back);
	if (failures_len > 0)
		fail_msg("%s", failures);
}

/* A 1 MiB line: a login that long is no login; nothing is read past it. */
static void
test_one_mib_line(void **state)
{
	static const char head[] =
	    "Nov 28 03:00:26 mail postfix/smtpd[1]: BAC3910614B: "
	    "client=unknown[127.0.1.1], sasl_method=PLAIN, sasl_username=";
	static const char dv[] = "Nov 28 03:01:06 auth: Info: passwd-file(";
	struct log_clock	 c;
	struct log_header	 h;
	struct mail_events	 evs;
	struct mail_event	*ev = &evs.ev[0];
	char			*line, ip[64];
	size_t			 len = 1024 * 1024;

	(void)state;
	/* exactly len bytes, no terminator: ASan sees any overread */
	line = malloc(len);
	assert_non_null(line);
	memset(line, 'a', len);
	memcpy(line, head, sizeof(head) - 1);
	log_clock_init(&c, REF_TIME);
	assert_int_equal(logline_split(&c, line, len, &h), 0);
	assert_int_equal(backend_parse_any(&h, &evs), 1);
	assert_int_equal(ev->kind, EV_SUBMIT);
	assert_int_equal(ev->account.len, 0);
	assert_true(ev->flags & EVF_BAD_ACCOUNT);
	assert_string_equal(mail_ip_format(&ev->client, ip, sizeof(ip)),
	    "127.0.1.1");

	/* the same size of Dovecot text with no end marker: no event */
	memset(line, ',', len);
	memcpy(line, dv, sizeof(dv) - 1);
	assert_int_equal(logline_split(&c, line, len, &h), 0);
	assert_int_equal(backend_parse_any(&h, &evs), 0);

	/* and a megabyte of NUL bytes is no header at all */
	memset(line, 0, len);
	assert_int_equal(logline_split(&c, line, len, &h), -1);
	free(line);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walker_catches_mismatch),
		cmocka_unit_test(test_fixture_files),
		cmocka_unit_test(test_no_newline_at_eof),
		cmocka_unit_test(test_one_mib_line),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
