/*
 * test_prefetch.c: the detector's shortcuts change nothing.
 *
 * detector_prefetch is a hint.  Two detectors fed the same events, one
 * with every prefetch step asked for the events ahead of each (as scan's
 * batches do, and more: every step, every distance, and events no account
 * or queue id matches), must end in the same reports, totals and memory.
 *
 * detect_update skips classifying a quiet account (every signal below its
 * thresholds).  A detector that classifies after every event must tell
 * the same level changes in the same order and end in the same reports,
 * on a stream where signals move without an event of their own: a queue
 * share that grows as other accounts' mail leaves, rates that age.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit_detect.h"
#include "detect/detect_int.h"

#define NEV	60000

/* The events: a background of accounts, then one account's hijack. */
struct stream {
	struct mail_event	 ev[NEV];
	char			 names[NEV][48];
	char			 qids[NEV][24];
	char			 rcpts[NEV][48];
	int			 n;
};

/* Append one event; its strings are copied into the stream. */
static void
put(struct stream *st, enum mail_event_kind kind, int64_t t,
    const char *acct, const char *qid, struct mail_ip ip, const char *rcpt,
    unsigned nrcpt)
{
	struct mail_event	*e;

	assert_true(st->n < NEV);
	e = &st->ev[st->n];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->time = t;
	e->service = SVC_SMTP;
	if (acct != NULL) {
		snprintf(st->names[st->n], sizeof(st->names[0]), "%s", acct);
		e->account.p = st->names[st->n];
		e->account.len = strlen(acct);
	}
	if (qid != NULL) {
		snprintf(st->qids[st->n], sizeof(st->qids[0]), "%s", qid);
		e->qid.p = st->qids[st->n];
		e->qid.len = strlen(qid);
	}
	e->client = ip;
	if (rcpt != NULL) {
		snprintf(st->rcpts[st->n], sizeof(st->rcpts[0]), "%s", rcpt);
		e->rcpt.p = st->rcpts[st->n];
		e->rcpt.len = strlen(rcpt);
	}
	e->nrcpt = nrcpt;
	st->n++;
}

/* One message: submission, envelope, a delivery, the removal. */
static void
message(struct stream *st, int64_t t, const char *acct, struct mail_ip ip,
    unsigned id, const char *rcpt, enum mail_event_kind kind)
{
	char	 qid[24];

	snprintf(qid, sizeof(qid), "1xSk8e-%06X-00", id);
	put(st, EV_SUBMIT, t, acct, qid, ip, NULL, 0);
	put(st, EV_QUEUED, t, NULL, qid, ip4(0, 0, 0, 0), NULL, 3);
	put(st, kind, t + 1, NULL, qid, ip4(0, 0, 0, 0), rcpt, 0);
	put(st, EV_REMOVED, t + 1, NULL, qid, ip4(0, 0, 0, 0), NULL, 0);
}

/* A message that stays queued (not tried yet, never removed). */
static void
stuck(struct stream *st, int64_t t, const char *acct, unsigned id)
{
	char	 qid[24];

	snprintf(qid, sizeof(qid), "1xSk8e-%06X-00", id);
	put(st, EV_SUBMIT, t, acct, qid, ip4(198, 51, 100, 200), NULL, 0);
	put(st, EV_QUEUED, t, NULL, qid, ip4(0, 0, 0, 0), NULL, 1);
}

/*
 * A queue of 150 stuck messages, 40 of them hog's (27%, below the share's
 * watch of 30%); the week's mail, during which 40 of the others' leave
 * (hog's share is 36% at its next login, with no event of its own in
 * between), then hog's (0% at the login after); failed logins; then a
 * hijack.
 */
static void
stream_fill(struct stream *st)
{
	static const char *const rcpts[] = { "a@one.example",
	    "b@two.example", "c@three.example", "d@four.example" };
	char		 name[48], qid[24];
	int64_t		 t = 1795000000;
	unsigned	 id = 1, i;

	for (i = 0; i < 150; i++, t += 3)
		stuck(st, t, i % 15 < 4 ? "hog@farm.test" : "jam@farm.test",
		    id++);
	for (i = 0; i < 6000; i++, t += 97) {
		if (i >= 100 && i < 140) {
			/* jam's stuck mail leaves, one a minute or so */
			snprintf(qid, sizeof(qid), "1xSk8e-%06X-00",
			    2 + (i - 100) / 4 * 15 + 4 + (i - 100) % 4);
			put(st, EV_REMOVED, t, NULL, qid, ip4(0, 0, 0, 0),
			    NULL, 0);
		}
		if (i >= 300 && i < 340) {
			/* then hog's leaves too */
			snprintf(qid, sizeof(qid), "1xSk8e-%06X-00",
			    1 + (i - 300) / 4 * 15 + (i - 300) % 4);
			put(st, EV_REMOVED, t, NULL, qid, ip4(0, 0, 0, 0),
			    NULL, 0);
		}
		if (i == 150 || i == 400)
			put(st, EV_AUTH_OK, t, "hog@farm.test", NULL,
			    ip4(198, 51, 100, 200), NULL, 0);
		snprintf(name, sizeof(name), "user%u@farm.test", i % 40);
		message(st, t, name, ip4(198, 51, 100, i % 40), id++,
		    rcpts[i % 4], i % 9 == 0 ? EV_DEFERRED : EV_DELIVERED);
		if (i % 50 == 0)
			put(st, EV_AUTH_FAIL, t, name, NULL,
			    ip4(203, 0, 113, i % 7), NULL, 0);
	}
	for (i = 0; i < 2500; i++, t += 2) {
		/* guessed, then hundreds of addresses, many domains */
		if (i == 0)
			put(st, EV_AUTH_OK, t, "user7@farm.test", NULL,
			    ip4(203, 0, 113, 3), NULL, 0);
		snprintf(name, sizeof(name), "r%u@d%u.example", i, i % 300);
		message(st, t, "USER7@farm.test", ip4(10, 1 + i / 250,
		    i % 250, 9), id++, i % 2 ? rcpts[0] : name,
		    i % 3 ? EV_DEFERRED : EV_BOUNCED);
	}
	/* ids and names nobody knows, a removal of a removed id */
	put(st, EV_REMOVED, t, NULL, "1xSk8e-FFFFFF-00", ip4(0, 0, 0, 0),
	    NULL, 0);
	put(st, EV_AUTH_FAIL, t, "nobody@farm.test", NULL, ip4(10, 9, 9, 9),
	    NULL, 0);
	put(st, EV_REMOVED, t, NULL, "1xSk8e-000001-00", ip4(0, 0, 0, 0),
	    NULL, 0);
}

/* Every account's report, as text, appended to buf. */
static void
dump_cb(const struct account_report *r, void *arg)
{
	char	*buf = arg;
	size_t	 n = strlen(buf);
	int	 i;

	n += (size_t)snprintf(buf + n, 1u << 20, "%s %d %d %.6f %.6f %.6f "
	    "%lld %llu %llu %llu %d %llu %llu %lld %lld %lld %llu %u %u %lld "
	    "%u\n", r->account, r->level, r->peak_level, r->score, r->rate_now,
	    r->peak_score, (long long)r->peak_at,
	    (unsigned long long)r->messages,
	    (unsigned long long)r->recipients,
	    (unsigned long long)r->auth_ips, r->auth_ips_exact,
	    (unsigned long long)r->auth_fail,
	    (unsigned long long)r->queued_now, (long long)r->first_seen,
	    (long long)r->last_seen, (long long)r->flagged_at,
	    (unsigned long long)r->messages_before_flag, r->evidence,
	    r->peak_evidence, (long long)r->confirmed_at,
	    r->confirmed_evidence);
	for (i = 0; i < r->nreasons; i++)
		n += (size_t)snprintf(buf + n, 1u << 20, "  now %s\n",
		    r->reasons[i]);
	for (i = 0; i < r->npeak_reasons; i++)
		n += (size_t)snprintf(buf + n, 1u << 20, "  peak %s\n",
		    r->peak_reasons[i]);
}

/* A level change, appended to the text at arg. */
static void
level_cb(void *arg, const char *account, enum level from, enum level to)
{
	char	*buf = arg;
	size_t	 n = strlen(buf);

	snprintf(buf + n, 1u << 20, "%s %d>%d\n", account, from, to);
}

/*
 * Feed the stream; with ahead > 0 every step for events up to ahead on;
 * with all, every account classified after every event.  Level changes
 * are appended to changes.
 */
static struct detector *
run(const struct stream *st, int ahead, int all, char *changes)
{
	struct detect_config	 cfg;
	struct detector		*d;
	struct detect_keys	 key;
	int			 i, j, k;

	detect_config_defaults(&cfg);
	d = detector_new(&cfg);
	assert_non_null(d);
	d->eval_all = (uint8_t)all;
	detector_on_level(d, level_cb, changes);
	for (i = 0; i < st->n; i++) {
		for (j = i; ahead > 0 && j < st->n && j <= i + ahead; j++) {
			detector_keys(&st->ev[j], &key);
			for (k = DETECT_PREFETCH_STEPS - 1; k >= 0; k--)
				detector_prefetch(d, &st->ev[j], &key, k);
		}
		/* with the keys computed apart, or by detector_feed */
		if (ahead > 0) {
			detector_keys(&st->ev[i], &key);
			detector_feed_keys(d, &st->ev[i], &key);
		} else
			detector_feed(d, &st->ev[i]);
	}
	return d;
}

/*
 * Feed the stream to two detectors, x as run(ahead_x, all_x), y as
 * run(ahead_y, all_y), and check that they told the same level changes
 * and ended in the same reports, totals and memory.  Returns the level
 * changes x told, for the caller to free.
 */
static char *
same_outcome(int ahead_x, int all_x, int ahead_y, int all_y)
{
	struct stream		*st;
	struct detector		*x, *y;
	struct detect_totals	 tx, ty;
	struct find		 f;
	char			*a, *b, *changes;

	st = calloc(1, sizeof(*st));
	a = calloc(1, 4u << 20);
	b = calloc(1, 4u << 20);
	assert_non_null(st);
	assert_non_null(a);
	assert_non_null(b);
	stream_fill(st);
	x = run(st, ahead_x, all_x, a);
	y = run(st, ahead_y, all_y, b);
	/* the stream does what it is for: the hijack is seen (asked of
	   both: asking ages the windows, and level changes are told) */
	assert_int_equal(report(x, "user7@farm.test", &f).level,
	    LEVEL_CRITICAL);
	assert_int_equal(report(y, "user7@farm.test", &f).level,
	    LEVEL_CRITICAL);
	assert_string_equal(a, b);
	changes = strdup(a);
	assert_non_null(changes);
	a[0] = b[0] = '\0';
	detector_foreach(x, dump_cb, a);
	detector_foreach(y, dump_cb, b);
	assert_true(strlen(a) > 1000);
	assert_string_equal(a, b);
	detector_totals(x, &tx);
	detector_totals(y, &ty);
	assert_memory_equal(&tx, &ty, sizeof(tx));
	assert_int_equal(detector_memory(x), detector_memory(y));
	detector_free(x);
	detector_free(y);
	free(a);
	free(b);
	free(st);
	return changes;
}

static void
test_prefetch_changes_nothing(void **state)
{
	(void)state;
	free(same_outcome(0, 0, 7, 0));
}

static void
test_quiet_shortcut_changes_nothing(void **state)
{
	char	*changes;

	(void)state;
	changes = same_outcome(0, 1, 7, 0);
	/* hog's share rose with no event of its own, then fell */
	assert_non_null(strstr(changes,
	    "hog@farm.test 0>1\nhog@farm.test 1>0\n"));
	free(changes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefetch_changes_nothing),
		cmocka_unit_test(test_quiet_shortcut_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
