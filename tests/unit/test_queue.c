/*
 * test_queue.c: `postqueue -j` parsing (the real sample and hostile lines),
 * the snapshot's counts, records and lookups, and reading the queue from
 * real child processes: normal end, slow writer, failure with stderr, a
 * missing binary, and a hung child killed at its deadline with nothing
 * left behind.
 *
 * The process tests drive the reader with poll() as the console's loop
 * does.  The only timing is the deadline itself, with generous margins.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "act/queue.h"
#include "backends/backend.h"
#include "backends/postfix/postfix.h"
#include "unit_files.h"
#include "unit_proc.h"

#define SAMPLE		"queue/queue-head.jsonl"
#define LONG_WAIT_MS	30000	/* deadline for reads that must finish */

static const char *const good =
    "{\"queue_name\": \"deferred\", \"queue_id\": \"3DD15106D83\", "
    "\"arrival_time\": 1795835873, \"message_size\": 467, "
    "\"forced_expire\": false, \"sender\": \"judy@example.test\", "
    "\"recipients\": [{\"address\": \"a@b.example\", \"delay_reason\": "
    "\"x\"}, {\"address\": \"c@d.example\"}]}";

/* Monotonic milliseconds. */
static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Parse a NUL-terminated line. */
static int
parse(const char *line, struct queue_msg *m)
{
	return postqueue_parse(line, strlen(line), m);
}

/* good with the substring from replaced by to. */
static char *
good_with(const char *from, const char *to)
{
	static char	 buf[4096];
	const char	*p = strstr(good, from);

	assert_non_null(p);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - good), good, to,
	    p + strlen(from));
	return buf;
}

/* Every line of the real sample parses, with the right fields. */
static void
test_parse_sample(void **state)
{
	struct queue_msg	 m;
	FILE			*f;
	char			*line = NULL, *p;
	size_t			 cap = 0, n = 0, addrs;
	ssize_t			 len;

	assert_non_null(f = fopen(uf_fixture(SAMPLE), "r"));
	while ((len = getline(&line, &cap, f)) > 0) {
		assert_int_equal(postqueue_parse(line, (size_t)len, &m),
		    QUEUE_PARSE_OK);
		for (addrs = 0, p = line; (p = strstr(p, "\"address\"")) != NULL;
		    p++)
			addrs++;
		assert_int_equal(m.nrcpt, addrs);
		assert_true(queue_id_is_valid(m.queue_id, m.queue_id_len));
		if (n++ == 0) {
			assert_int_equal(m.queue, QUEUE_DEFERRED);
			assert_string_equal(m.queue_id, "3DD15106D83");
			assert_int_equal(m.arrival_time, 1795835873);
			assert_int_equal(m.message_size, 467);
			assert_int_equal(m.forced_expire, 0);
			assert_true(m.sender_hash ==
			    queue_sender_hash("judy@example.test", 17));
			assert_true(m.sender_hash ==
			    queue_sender_hash("Judy@EXAMPLE.test", 17));
		}
	}
	assert_int_equal(n, 3);
	free(line);
	fclose(f);
}

/* Fields, escapes and types: what is accepted and how. */
static void
test_parse_fields(void **state)
{
	struct queue_msg	 m;

	assert_int_equal(parse(good, &m), QUEUE_PARSE_OK);
	assert_int_equal(m.nrcpt, 2);
	/* escapes in the sender are decoded before hashing */
	assert_int_equal(parse(good_with("judy@example.test",
	    "a\\\"b\\\\c\\/d@x"), &m), QUEUE_PARSE_OK);
	assert_true(m.sender_hash == queue_sender_hash("a\"b\\c/d@x", 9));
	assert_int_equal(parse(good_with("judy@example.test",
	    "a\\u0000b"), &m), QUEUE_PARSE_OK);
	assert_int_equal(m.sender_len, 3);
	assert_true(m.sender_hash == queue_sender_hash("a\0b", 3));
	assert_true(m.sender_hash != queue_sender_hash("ab", 2));
	/* a surrogate pair, a lone surrogate, raw non-UTF-8 bytes */
	assert_int_equal(parse(good_with("judy@example.test",
	    "\\ud83d\\ude00@x"), &m), QUEUE_PARSE_OK);
	assert_true(m.sender_hash == queue_sender_hash("\xf0\x9f\x98\x80@x",
	    6));
	assert_int_equal(parse(good_with("judy@example.test", "\\ud800@x"),
	    &m), QUEUE_PARSE_OK);
	assert_int_equal(parse(good_with("judy@example.test", "\xff\xfe@x"),
	    &m), QUEUE_PARSE_OK);
	/* the bounce sender */
	assert_int_equal(parse(good_with("judy@example.test", ""), &m),
	    QUEUE_PARSE_OK);
	assert_true(m.sender_hash == queue_sender_hash("", 0));
	/* unknown queue, unknown field, other key order, no forced_expire */
	assert_int_equal(parse(good_with("deferred", "saved"), &m),
	    QUEUE_PARSE_OK);
	assert_int_equal(m.queue, QUEUE_OTHER);
	assert_int_equal(parse(good_with("\"forced_expire\": false",
	    "\"new\": {\"a\": [1, 2.5e3, null, true]}"), &m), QUEUE_PARSE_OK);
	assert_int_equal(parse(good_with("\"forced_expire\": false",
	    "\"forced_expire\": true"), &m), QUEUE_PARSE_OK);
	assert_int_equal(m.forced_expire, 1);
	assert_int_equal(parse("{\"recipients\": [], \"sender\": \"\", "
	    "\"message_size\": 0, \"arrival_time\": 0, \"queue_id\": "
	    "\"4Y7sR80PgBz7C1n\", \"queue_name\": \"hold\"}\r\n", &m),
	    QUEUE_PARSE_OK);
	assert_int_equal(m.queue, QUEUE_HOLD);
	assert_int_equal(m.nrcpt, 0);
	assert_string_equal(m.queue_id, "4Y7sR80PgBz7C1n");
}

/* Hostile lines: each refused with the right reason, none accepted. */
static void
test_parse_hostile(void **state)
{
	static const struct {
		const char	*from, *to;
		int		 want;
	} t[] = {
		{ "3DD15106D83", "ALL", QUEUE_PARSE_QID },
		{ "3DD15106D83", "3dd15106d83", QUEUE_PARSE_QID },
		{ "3DD15106D83", "", QUEUE_PARSE_QID },
		{ "3DD15106D83", "3DD15106D83 ALL", QUEUE_PARSE_QID },
		{ "3DD15106D83", "3DD15106D83\\n", QUEUE_PARSE_QID },
		{ "3DD15106D83", "3DD15106D83\\u0000", QUEUE_PARSE_QID },
		{ "3DD15106D83", "-d ALL", QUEUE_PARSE_QID },
		{ "3DD15106D83", "3DD15106D833DD15106D833DD15106D833DD1",
		    QUEUE_PARSE_QID },
		{ "\"3DD15106D83\"", "12345678", QUEUE_PARSE_FIELD },
		{ "1795835873", "\"1795835873\"", QUEUE_PARSE_FIELD },
		{ "1795835873", "1.5", QUEUE_PARSE_FIELD },
		{ "1795835873", "-5", QUEUE_PARSE_FIELD },
		{ "467", "99999999999999999999999", QUEUE_PARSE_FIELD },
		{ "467", "01", QUEUE_PARSE_SYNTAX },
		{ "\"judy@example.test\"", "null", QUEUE_PARSE_FIELD },
		{ "[{\"address\"", "[1, {\"address\"", QUEUE_PARSE_FIELD },
		{ "\"recipients\": [", "\"recipients\": {\"a\": [",
		    QUEUE_PARSE_SYNTAX },
		{ "\"sender\"", "\"queue_id\": \"3DD15106D84\", \"sender\"",
		    QUEUE_PARSE_FIELD },
		{ "\"queue_id\": \"3DD15106D83\", ", "", QUEUE_PARSE_FIELD },
		{ "judy@", "ju\"dy@", QUEUE_PARSE_SYNTAX },
		{ "judy@", "ju\x01" "dy@", QUEUE_PARSE_SYNTAX },
		{ "judy@", "ju\\xdy@", QUEUE_PARSE_SYNTAX },
		{ "judy@", "ju\\u12G4dy@", QUEUE_PARSE_SYNTAX },
		{ "false", "False", QUEUE_PARSE_SYNTAX },
		{ "example\"}]}", "example\"}]}}", QUEUE_PARSE_SYNTAX },
		{ "example\"}]}", "example\"}]} {}", QUEUE_PARSE_SYNTAX },
		{ "\"x\"}, {", "\"x\"},, {", QUEUE_PARSE_SYNTAX },
	};
	static const char *const notobj[] = {
		"", " ", "[]", "[1, 2]", "\"str\"", "42", "null", "true", "{",
		"}", "{}", "{\"queue_id\": \"3DD15106D83\"}", "\0{}",
	};
	struct queue_msg	 m;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("hostile %zu\n", i);
		assert_int_equal(parse(good_with(t[i].from, t[i].to), &m),
		    t[i].want);
	}
	for (i = 0; i < sizeof(notobj) / sizeof(notobj[0]); i++)
		assert_int_not_equal(parse(notobj[i], &m), QUEUE_PARSE_OK);
	/* every truncation of a good line is refused */
	for (i = 0; i < strlen(good); i++)
		assert_int_equal(postqueue_parse(good, i, &m),
		    QUEUE_PARSE_SYNTAX);
	/* a NUL byte inside the line (not an escape) */
	assert_int_equal(postqueue_parse("{\"a\":\0}", 7, &m),
	    QUEUE_PARSE_SYNTAX);
}

/* Huge recipient arrays and deep nesting: counted or refused, no crash. */
static void
test_parse_huge(void **state)
{
	struct queue_msg	 m;
	const char		*head = "{\"queue_name\": \"active\", "
	    "\"queue_id\": \"ABCDEF012345\", \"arrival_time\": 1, "
	    "\"message_size\": 2, \"sender\": \"s@x\", \"recipients\": [";
	const char		*one = "{\"address\": \"r@x\"},";
	size_t			 n = 200000, len, i;
	char			*buf;

	buf = malloc(strlen(head) + n * strlen(one) + 64);
	assert_non_null(buf);
	len = (size_t)sprintf(buf, "%s", head);
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(buf + len, "%s", one);
	buf[len - 1] = ']';
	buf[len++] = '}';
	assert_int_equal(postqueue_parse(buf, len, &m), QUEUE_PARSE_OK);
	assert_int_equal(m.nrcpt, n);
	free(buf);

	/* 100,000 '[' in an unknown field */
	n = 100000;
	buf = malloc(n + 64);
	assert_non_null(buf);
	len = (size_t)sprintf(buf, "{\"x\": ");
	memset(buf + len, '[', n);
	len += n;
	assert_int_equal(postqueue_parse(buf, len, &m), QUEUE_PARSE_SYNTAX);
	free(buf);
}

/* Record ids pack and unpack; what does not fit is refused. */
static void
test_rec_id(void **state)
{
	static const char *const ids[] = {
		"3DD15106D83", "ABCDEF", "0123456789ABCDEF0123",
		"4Y7sR80PgBz7C1n", "4Y7sR80PgBzabcdefghijklm",
	};
	struct queue_rec	 r;
	char			 buf[QUEUE_ID_STORE + 1];
	size_t			 i;

	assert_int_equal(sizeof(struct queue_rec), 48);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		memset(&r, 0, sizeof(r));
		assert_true(queue_rec_set_id(&r, ids[i], strlen(ids[i])));
		assert_int_equal(queue_rec_id(&r, buf), strlen(ids[i]));
		assert_string_equal(buf, ids[i]);
	}
	assert_false(queue_rec_set_id(&r, "4Y7sR80PgBzabcdefghijklmn", 25));
	assert_false(queue_rec_set_id(&r, "ABC-EF", 6));
	assert_false(queue_rec_set_id(&r, "", 0));
}

/* A line of postqueue -j for the snapshot tests. */
static size_t
make_line(char *buf, size_t size, const char *q, unsigned id,
    const char *sender, int nrcpt)
{
	size_t	 len;
	int	 i;

	len = (size_t)snprintf(buf, size, "{\"queue_name\": \"%s\", "
	    "\"queue_id\": \"%08X\", \"arrival_time\": %u, \"message_size\": "
	    "100, \"sender\": \"%s\", \"recipients\": [", q, 0xA0000000u + id,
	    1000 + id, sender);
	for (i = 0; i < nrcpt; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s{\"address\": "
		    "\"r%d@x\"}", i > 0 ? ", " : "", i);
	len += (size_t)snprintf(buf + len, size - len, "]}\n");
	return len;
}

/* The counts, in one chunk and byte by byte; hostile lines in between. */
static void
test_snapshot_counts(void **state)
{
	static const char *const qs[] = {
		"active", "deferred", "deferred", "hold", "incoming",
		"maildrop", "corrupt", "deferred", "hold", "active",
	};
	struct queue_snapshot	 s;
	char			*text;
	size_t			 len = 0, i, pass;

	text = malloc(64 * 1024);
	assert_non_null(text);
	for (i = 0; i < 10; i++) {
		len += make_line(text + len, 64 * 1024 - len, qs[i],
		    (unsigned)i, i % 3 == 0 ? "Spam@X" : "ok@x", (int)i);
		len += (size_t)sprintf(text + len, "%s",
		    i % 2 ? "not json\n" : "\n");
	}
	len += (size_t)sprintf(text + len, "{\"queue_id\": \"ALL\"}\n");
	/* the last line has no newline */
	len += make_line(text + len, 64 * 1024 - len, "hold", 99, "s@x", 1) - 1;
	for (pass = 0; pass < 2; pass++) {
		queue_snapshot_init(&s, 0);
		if (pass == 0)
			queue_snapshot_feed(&s, text, len);
		else {
			for (i = 0; i < len; i++)
				queue_snapshot_feed(&s, text + i, 1);
		}
		queue_snapshot_end(&s);
		assert_int_equal(s.messages, 11);
		assert_int_equal(s.by_queue[QUEUE_ACTIVE], 2);
		assert_int_equal(s.by_queue[QUEUE_DEFERRED], 3);
		assert_int_equal(s.by_queue[QUEUE_HOLD], 3);
		assert_int_equal(s.by_queue[QUEUE_INCOMING], 1);
		assert_int_equal(s.by_queue[QUEUE_MAILDROP], 1);
		assert_int_equal(s.by_queue[QUEUE_CORRUPT], 1);
		assert_int_equal(s.recipients, 45 + 1);
		assert_int_equal(s.bytes, 1100);
		assert_int_equal(s.malformed, 5);	/* "not json" */
		assert_int_equal(s.bad_qid, 1);		/* {"queue_id": "ALL"} */
		assert_int_equal(s.nrec, 11);
		assert_int_equal(s.dropped, 0);
		assert_int_equal(s.oldest, 1000);
		queue_snapshot_clear(&s);
	}
	free(text);
}

/* Count records per queue through foreach. */
static int
count_cb(const char *id, const struct queue_rec *r, void *arg)
{
	size_t	*n = arg;

	assert_true(queue_id_is_valid(id, strlen(id)));
	n[r->queue]++;
	return 0;
}

/* Lookups by sender, foreach, the record cap and over-long lines. */
static void
test_snapshot_lookups(void **state)
{
	struct queue_snapshot	 s;
	char			 line[1024], *ids, *big;
	size_t			 len, i, n[QUEUE_NAME_COUNT];
	uint64_t		 spam = queue_sender_hash("spam@x", 6);

	queue_snapshot_init(&s, 0);
	for (i = 0; i < 6; i++) {
		len = make_line(line, sizeof(line), i < 4 ? "deferred" :
		    "hold", (unsigned)i, i % 2 ? "SPAM@x" : "ok@x", 1);
		queue_snapshot_feed(&s, line, len);
	}
	/* a line of 17 MiB, fed in pieces, is skipped; the next one counts */
	big = malloc(1024 * 1024);
	assert_non_null(big);
	memset(big, 'x', 1024 * 1024);
	for (i = 0; i < 17; i++)
		queue_snapshot_feed(&s, big, 1024 * 1024);
	queue_snapshot_feed(&s, "\n", 1);
	free(big);
	len = make_line(line, sizeof(line), "hold", 7, "spam@X", 1);
	queue_snapshot_feed(&s, line, len);
	queue_snapshot_end(&s);
	assert_int_equal(s.too_long, 1);
	assert_int_equal(s.messages, 7);

	assert_int_equal(queue_snapshot_sender_count(&s, spam), 4);
	assert_int_equal(queue_snapshot_sender_ids(&s, spam, &ids, &len), 4);
	assert_string_equal(ids, "A0000001\nA0000003\nA0000005\nA0000007\n");
	assert_int_equal(len, strlen(ids));
	free(ids);
	assert_int_equal(queue_snapshot_sender_ids(&s, 12345, &ids, &len), 0);
	assert_string_equal(ids, "");
	free(ids);

	memset(n, 0, sizeof(n));
	assert_int_equal(queue_snapshot_foreach(&s, count_cb, n), 0);
	assert_int_equal(n[QUEUE_DEFERRED], 4);
	assert_int_equal(n[QUEUE_HOLD], 3);
	queue_snapshot_clear(&s);

	/* the cap: counts stay exact, records stop */
	queue_snapshot_init(&s, 3);
	for (i = 0; i < 10; i++) {
		len = make_line(line, sizeof(line), "active", (unsigned)i,
		    "a@x", 2);
		queue_snapshot_feed(&s, line, len);
	}
	queue_snapshot_end(&s);
	assert_int_equal(s.messages, 10);
	assert_int_equal(s.recipients, 20);
	assert_int_equal(s.nrec, 3);
	assert_int_equal(s.dropped, 7);
	queue_snapshot_clear(&s);
}

/* Drive a read with poll() until it ends; returns its result. */
static int
drive(struct queue_read *qr, int *calls)
{
	struct pollfd	 pfd[2];
	int		 r, n, wait;

	for (*calls = 0;; ) {
		n = 0;
		if (queue_read_fd(qr) != -1) {
			pfd[n].fd = queue_read_fd(qr);
			pfd[n++].events = POLLIN;
		}
		if (queue_read_errfd(qr) != -1) {
			pfd[n].fd = queue_read_errfd(qr);
			pfd[n++].events = POLLIN;
		}
		wait = queue_read_wait_ms(qr, now_ms());
		if (wait < 0 || wait > 1000)
			wait = 1000;
		poll(pfd, (nfds_t)n, wait);
		(*calls)++;
		if ((r = queue_read_input(qr, now_ms())) != 0)
			return r;
		assert_true(*calls < 100000);
	}
}

/* Start sh -c CMD. */
static struct queue_read *
start_sh(const char *cmd, int deadline_ms)
{
	char			*argv[] = { "sh", "-c", (char *)cmd, NULL };
	char			 err[256];
	struct queue_read	*qr;

	qr = queue_read_start(argv, now_ms(), deadline_ms, err, sizeof(err));
	assert_non_null(qr);
	return qr;
}

/* cat of the sample: the snapshot of three messages. */
static void
test_read_cat(void **state)
{
	struct queue_read		*qr;
	const struct queue_snapshot	*s;
	int				 calls;

	qr = start_sh("cat \"$QFILE\"", LONG_WAIT_MS);
	assert_int_equal(drive(qr, &calls), 1);
	assert_string_equal(queue_read_error(qr), "");
	assert_int_equal(queue_read_pid(qr), -1);
	s = queue_read_snapshot(qr);
	assert_int_equal(s->messages, 3);
	assert_int_equal(s->by_queue[QUEUE_DEFERRED], 3);
	assert_int_equal(s->malformed, 0);
	assert_int_equal(s->recipients, 38);
	queue_read_free(qr);
}

/* A slow writer, a line split across writes, a chatty stderr, exit 0. */
static void
test_read_slow(void **state)
{
	struct queue_read	*qr;
	struct queue_snapshot	 s;
	int			 calls;

	qr = start_sh("head -c 100 \"$QFILE\"; sleep 0.3; i=0; "
	    "while [ $i -lt 300 ]; do echo warning: chatter $i >&2; "
	    "i=$((i+1)); done; tail -c +101 \"$QFILE\"; sleep 0.3; "
	    "cat \"$QFILE\"", LONG_WAIT_MS);
	assert_int_equal(drive(qr, &calls), 1);
	assert_true(calls >= 3);
	queue_read_take(qr, &s);
	assert_int_equal(queue_read_snapshot(qr)->messages, 0);
	queue_read_free(qr);
	assert_int_equal(s.messages, 6);
	assert_int_equal(s.malformed, 0);
	queue_snapshot_clear(&s);
}

/* Output larger than one slice: many calls, exact count. */
static void
test_read_large(void **state)
{
	struct queue_read	*qr;
	int			 calls;

	/* 6,000 lines of ~2 KB: 12 MB, three slices at least */
	qr = start_sh("yes \"$(head -n1 \"$QFILE\")\" | head -n 6000",
	    LONG_WAIT_MS);
	assert_int_equal(drive(qr, &calls), 1);
	assert_int_equal(queue_read_snapshot(qr)->messages, 6000);
	assert_int_equal(queue_read_snapshot(qr)->nrec, 6000);
	queue_read_free(qr);
}

/* A failing command: its exit status and stderr are in the error. */
static void
test_read_fail(void **state)
{
	struct queue_read	*qr;
	int			 calls;
	const char		*e;

	qr = start_sh("echo '{\"queue_name\": \"x\"'; echo 'postqueue: fatal: "
	    "Queue report unavailable - mail system is down' >&2; "
	    "printf '\\033]0;title\\007' >&2; exit 75", LONG_WAIT_MS);
	assert_int_equal(drive(qr, &calls), -1);
	e = queue_read_error(qr);
	print_message("error: %s\n", e);
	assert_non_null(strstr(e, "sh failed with exit status 75"));
	assert_non_null(strstr(e, "mail system is down"));
	assert_null(strchr(e, '\033'));
	assert_null(strchr(e, '\n'));
	assert_int_equal(queue_read_pid(qr), -1);
	/* it stays failed */
	assert_int_equal(queue_read_input(qr, now_ms()), -1);
	queue_read_free(qr);
}

/* A binary that does not exist: a clear error naming it. */
static void
test_read_missing(void **state)
{
	char			*argv[] = { "/nonexistent/postqueue-missing",
	    "-j", NULL };
	char			 err[256];
	struct queue_read	*qr;
	int			 calls;
	const char		*e;

	qr = queue_read_start(argv, now_ms(), LONG_WAIT_MS, err, sizeof(err));
	assert_non_null(qr);
	assert_int_equal(drive(qr, &calls), -1);
	e = queue_read_error(qr);
	print_message("error: %s\n", e);
	assert_non_null(strstr(e, "/nonexistent/postqueue-missing"));
	assert_non_null(strstr(e, strerror(ENOENT)));
	queue_read_free(qr);

	/* and one looked up in PATH */
	argv[0] = "postqueue-missing-here";
	qr = queue_read_start(argv, now_ms(), LONG_WAIT_MS, err, sizeof(err));
	assert_non_null(qr);
	assert_int_equal(drive(qr, &calls), -1);
	assert_non_null(strstr(queue_read_error(qr), "postqueue-missing-here"));
	queue_read_free(qr);
}

/* A hung child (and its own child) killed at the deadline, reaped. */
static void
test_read_hang(void **state)
{
	struct queue_read	*qr;
	int			 calls;
	pid_t			 pid;

	qr = start_sh("echo '{\"partial\": '; sleep 60 & sleep 60",
	    300);
	pid = queue_read_pid(qr);
	assert_true(pid > 0);
	assert_int_equal(drive(qr, &calls), -1);
	/* the deadline, not the sleep, ended it (not how long it took: a
	   loaded machine is slow) */
	assert_non_null(strstr(queue_read_error(qr), "timed out"));
	assert_int_equal(queue_read_pid(qr), -1);
	assert_true(up_group_gone(pid));
	queue_read_free(qr);
}

/* Freeing a read whose child still runs kills and reaps it. */
static void
test_read_free_running(void **state)
{
	struct queue_read	*qr;
	pid_t			 pid;

	qr = start_sh("sleep 60 & sleep 60", LONG_WAIT_MS);
	pid = queue_read_pid(qr);
	assert_int_equal(queue_read_input(qr, now_ms()), 0);
	queue_read_free(qr);
	assert_true(up_group_gone(pid));
}

/* Descriptors other than 0-2 do not leak into the child. */
static void
test_read_no_fd_leak(void **state)
{
	struct queue_read	*qr;
	int			 calls, fd;

	assert_true((fd = dup(0)) > 2);		/* not close-on-exec */
	qr = start_sh("ls /proc/self/fd | wc -l | grep -qx 4 || "
	    "{ ls -l /proc/self/fd >&2; exit 1; }", LONG_WAIT_MS);
	assert_int_equal(drive(qr, &calls), 1);
	queue_read_free(qr);
	close(fd);
}

int
main(void)
{
	static const uint8_t	 key[16] = "test-queue-key!";
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_parse_sample),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_parse_huge),
		cmocka_unit_test(test_rec_id),
		cmocka_unit_test(test_snapshot_counts),
		cmocka_unit_test(test_snapshot_lookups),
		cmocka_unit_test(test_read_cat),
		cmocka_unit_test(test_read_slow),
		cmocka_unit_test(test_read_large),
		cmocka_unit_test(test_read_fail),
		cmocka_unit_test(test_read_missing),
		cmocka_unit_test(test_read_hang),
		cmocka_unit_test(test_read_free_running),
		cmocka_unit_test(test_read_no_fd_leak),
	};

	queue_sender_hash_key(key);
	/* the sample's path reaches the shell commands unquoted by us */
	setenv("QFILE", uf_fixture(SAMPLE), 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
