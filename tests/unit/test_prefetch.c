/*
 * test_prefetch.c: detector_prefetch is a hint.  Two detectors fed the
 * same events, one with every prefetch step asked for the events ahead of
 * each (as scan's batches do, and more: every step, every distance, and
 * events no account or queue id matches), must end in the same reports,
 * totals and memory.
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

/* A week of 40 accounts' mail, failed logins, then a hijack. */
static void
stream_fill(struct stream *st)
{
	static const char *const rcpts[] = { "a@one.example",
	    "b@two.example", "c@three.example", "d@four.example" };
	char		 name[48];
	int64_t		 t = 1795000000;
	unsigned	 id = 1, i;

	for (i = 0; i < 6000; i++, t += 97) {
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

/* Feed the stream; with ahead > 0 every step for events up to ahead on. */
static struct detector *
run(const struct stream *st, int ahead)
{
	struct detect_config	 cfg;
	struct detector		*d;
	struct detect_keys	 key;
	int			 i, j, k;

	detect_config_defaults(&cfg);
	d = detector_new(&cfg);
	assert_non_null(d);
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

static void
test_prefetch_changes_nothing(void **state)
{
	struct stream		*st;
	struct detector		*plain, *hinted;
	struct detect_totals	 tp, th;
	struct find		 f;
	char			*a, *b;

	(void)state;
	st = calloc(1, sizeof(*st));
	a = calloc(1, 4u << 20);
	b = calloc(1, 4u << 20);
	assert_non_null(st);
	assert_non_null(a);
	assert_non_null(b);
	stream_fill(st);
	plain = run(st, 0);
	hinted = run(st, 7);
	/* the stream does what it is for: the hijack is seen */
	assert_int_equal(report(plain, "user7@farm.test", &f).level,
	    LEVEL_CRITICAL);
	detector_foreach(plain, dump_cb, a);
	detector_foreach(hinted, dump_cb, b);
	assert_true(strlen(a) > 1000);
	assert_string_equal(a, b);
	detector_totals(plain, &tp);
	detector_totals(hinted, &th);
	assert_memory_equal(&tp, &th, sizeof(tp));
	assert_int_equal(detector_memory(plain), detector_memory(hinted));
	detector_free(plain);
	detector_free(hinted);
	free(a);
	free(b);
	free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefetch_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
