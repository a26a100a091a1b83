/*
 * test_sandbox.c: the demo's sandbox (backends/sandbox.c): what a replayed
 * event changes there, in the form the real parsers read; and its files
 * made and removed (console/live/demo_sandbox.c), links never followed.
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

#include "backends/backend.h"
#include "backends/logline.h"
#include "backends/sandbox.h"
#include "backends/postfix/postfix.h"
#include "live/demo_sandbox.h"

/* A string of the event vocabulary from a C string. */
static struct mail_str
str(const char *s)
{
	struct mail_str	 m = { s, strlen(s) };

	return m;
}

/*
 * A queued message becomes its queue file, which the sandbox's postqueue
 * prints after {"queue_name":"Q", and Postfix's own parser reads it back;
 * a sender with a quote and a control byte stays one JSON string.
 */
static void
test_queued(void **state)
{
	struct sandbox_change	 ch[SANDBOX_CHANGES_MAX];
	struct mail_event	 ev;
	struct queue_parse	 st;
	struct queue_msg	 m;
	char			 line[2048];

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_QUEUED;
	ev.qid = str("A4928A72052");
	ev.sender = str("ju\"dy\x01@example.test");
	ev.size = 358;
	ev.time = 1795839405;
	assert_int_equal(sandbox_event(&ev, ch), 1);
	assert_int_equal(ch[0].op, SANDBOX_WRITE);
	assert_string_equal(ch[0].path, "postfix/queue/deferred/A4928A72052");
	assert_int_equal(ch[0].text[strlen(ch[0].text) - 1], '\n');
	snprintf(line, sizeof(line), "{\"queue_name\":\"hold\",%s",
	    ch[0].text);
	memset(&st, 0, sizeof(st));
	memset(&m, 0, sizeof(m));
	assert_int_equal(postqueue_parse_line(&st, line, strlen(line) - 1,
	    &m), QUEUE_PARSE_OK);
	assert_string_equal(m.queue_id, "A4928A72052");
	assert_int_equal(m.queue, QUEUE_HOLD);
	assert_int_equal(m.arrival_time, 1795839405);
	assert_int_equal(m.message_size, 358);
	assert_int_equal(m.sender_len, strlen("ju\"dy\x01@example.test"));

	/* an id that is no Postfix id never becomes a path */
	ev.qid = str("../../etc");
	assert_int_equal(sandbox_event(&ev, ch), 0);
}

/* An event of kind with s in its field (qid or account), the rest 0. */
static struct mail_event
event(enum mail_event_kind kind, const char *s)
{
	struct mail_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	if (kind == EV_AUTH_OK)
		ev.account = str(s);
	else
		ev.qid = str(s);
	return ev;
}

/* A removed message goes from every queue; other events change nothing. */
static void
test_removed(void **state)
{
	struct sandbox_change	 ch[SANDBOX_CHANGES_MAX];
	struct mail_event	 ev = event(EV_REMOVED, "A4928A72052");

	(void)state;
	assert_int_equal(sandbox_event(&ev, ch), 3);
	assert_int_equal(ch[0].op, SANDBOX_REMOVE);
	assert_string_equal(ch[0].path, "postfix/queue/active/A4928A72052");
	assert_string_equal(ch[1].path, "postfix/queue/deferred/A4928A72052");
	assert_string_equal(ch[2].path, "postfix/queue/hold/A4928A72052");
	ev.kind = EV_DELIVERED;
	assert_int_equal(sandbox_event(&ev, ch), 0);
}

/* An account named by a login gets its line in the users file; a login
   the grammar refuses does not. */
static void
test_account(void **state)
{
	struct sandbox_change	 ch[SANDBOX_CHANGES_MAX];
	struct mail_event	 ev = event(EV_AUTH_OK, "judy@example.test");

	(void)state;
	assert_int_equal(sandbox_event(&ev, ch), 1);
	assert_int_equal(ch[0].op, SANDBOX_ACCOUNT);
	assert_string_equal(ch[0].path, SANDBOX_PASSWD);
	assert_string_equal(ch[0].text, "judy@example.test:{DEMO}locked::::::\n");
	ev.account = str("a:b@example.test");
	assert_int_equal(sandbox_event(&ev, ch), 0);
}

/* Is path there (not following a link)? */
static int
there(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == 0;
}

/*
 * The sandbox made in a directory: the stand-ins executable, the files
 * the options name; a replayed line changes it; removing it removes all,
 * and a link in it is removed, never followed.
 */
static void
test_make_remove(void **state)
{
	struct demo_accounts	 accts;
	struct log_clock	 c;
	struct log_header	 h;
	struct stat		 st;
	char			 dir[] = "/tmp/mailcon-test-sandbox.XXXXXX";
	char			 outside[] = "/tmp/mailcon-test-outside.XXXXXX";
	char			 path[512], link[512], err[256];
	const char		*line = "Nov 28 04:16:45 mx postfix/qmgr[22664]: "
	    "A4928A72052: from=<judy@example.test>, size=358, nrcpt=10 "
	    "(queue active)";
	int			 fd;

	(void)state;
	memset(&accts, 0, sizeof(accts));
	assert_non_null(mkdtemp(dir));
	assert_true((fd = mkstemp(outside)) >= 0);
	close(fd);
	assert_int_equal(demo_sandbox_make(dir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/%s/postsuper", dir, SANDBOX_BIN);
	assert_int_equal(access(path, X_OK), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, SANDBOX_DENY);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	log_clock_init(&c, 1795867200);
	assert_int_equal(logline_split(&c, line, strlen(line), &h), 0);
	demo_sandbox_line(dir, &accts, &h);
	snprintf(path, sizeof(path), "%s/postfix/queue/deferred/A4928A72052",
	    dir);
	assert_true(there(path));

	snprintf(link, sizeof(link), "%s/postfix/queue/hold/x", dir);
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(demo_sandbox_remove(dir, &accts), 0);
	assert_false(there(dir));
	assert_true(there(outside));
	unlink(outside);
}

/*
 * The sandbox's postsuper takes the queue names Postfix's does after its
 * options (the purge names each id's queue): only those queues are
 * searched, and an unknown word is still refused.
 */
static void
test_postsuper_queues(void **state)
{
	struct demo_accounts	 accts;
	struct log_clock	 c;
	struct log_header	 h;
	char			 dir[] = "/tmp/mailcon-test-sandbox.XXXXXX";
	char			 path[512], cmd[1200], err[256];
	const char		*line = "Nov 28 04:16:45 mx postfix/qmgr[22664]: "
	    "A4928A72052: from=<judy@example.test>, size=358, nrcpt=10 "
	    "(queue active)";

	(void)state;
	memset(&accts, 0, sizeof(accts));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(demo_sandbox_make(dir, err, sizeof(err)), 0);
	log_clock_init(&c, 1795867200);
	assert_int_equal(logline_split(&c, line, strlen(line), &h), 0);
	demo_sandbox_line(dir, &accts, &h);
	snprintf(path, sizeof(path), "%s/postfix/queue/deferred/A4928A72052",
	    dir);
	assert_true(there(path));

	/* another queue named: not found there, left alone */
	snprintf(cmd, sizeof(cmd), "echo A4928A72052 | %s/%s/postsuper -c "
	    "%s/postfix -d - hold 2>/dev/null", dir, SANDBOX_BIN, dir);
	assert_int_equal(system(cmd), 0);
	assert_true(there(path));
	/* a word that is no queue: refused */
	snprintf(cmd, sizeof(cmd), "echo A4928A72052 | %s/%s/postsuper -c "
	    "%s/postfix -d - nowhere 2>/dev/null", dir, SANDBOX_BIN, dir);
	assert_int_not_equal(system(cmd), 0);
	assert_true(there(path));
	/* its own queue named: removed */
	snprintf(cmd, sizeof(cmd), "echo A4928A72052 | %s/%s/postsuper -c "
	    "%s/postfix -d - deferred 2>/dev/null", dir, SANDBOX_BIN, dir);
	assert_int_equal(system(cmd), 0);
	assert_false(there(path));
	assert_int_equal(demo_sandbox_remove(dir, &accts), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queued),
		cmocka_unit_test(test_removed),
		cmocka_unit_test(test_account),
		cmocka_unit_test(test_make_remove),
		cmocka_unit_test(test_postsuper_queues),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
