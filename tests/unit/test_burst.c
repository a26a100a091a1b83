/*
 * test_burst.c: a burst of addresses that never logged in as an account,
 * each sending mail to many recipient domains (issue 18 item 1): critical
 * and confirmed long before the twentieth address, with the reason in
 * plain words; and what must not count: one new address writing to many
 * domains, several new addresses writing to one, addresses the account
 * used before.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detect/detector.h"
#include "unit_detect.h"

#define T0	1700000000
#define DAY	86400

static const char *const freemail[] = {
	"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com",
	"gmx.de", "web.de", "mail.ru", "yandex.ru", "icloud.com"
};
#define NFREE	(sizeof(freemail) / sizeof(freemail[0]))

static int	 qseq;

/* A message of acct from ip at t to one recipient at domain, delivered. */
static void
send1(struct detector *d, int64_t t, const char *acct, struct mail_ip ip,
    const char *domain)
{
	char	 qid[32], rcpt[96];

	snprintf(qid, sizeof(qid), "B%d", qseq++);
	snprintf(rcpt, sizeof(rcpt), "victim%d@%s", qseq, domain);
	unit_send(d, t, acct, ip, qid, 1, EV_DELIVERED, rcpt);
}

/* A week of ordinary history from home (198.51.100.7). */
static void
history(struct detector *d, const char *acct)
{
	int	 i;

	assert_int_equal(detector_seed(d, acct, T0 - 7 * DAY, 50), 0);
	for (i = 0; i < 7; i++)
		send1(d, T0 - (7 - i) * DAY, acct, ip4(198, 51, 100, 7),
		    "partner.example");
}

/*
 * The policy service's request for one message (EVF_EARLY): smtpd asks at
 * the first RCPT, before the message has a queue id; the log's lines
 * follow.
 */
static void
tell1(struct detector *d, int64_t t, const char *acct, struct mail_ip ip,
    const char *domain)
{
	struct mail_event	 ev;
	char			 rcpt[96];

	snprintf(rcpt, sizeof(rcpt), "victim%d@%s", qseq, domain);
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_SUBMIT;
	ev.service = SVC_SMTP;
	ev.flags = EVF_EARLY;
	ev.time = t;
	ev.account.p = acct;
	ev.account.len = strlen(acct);
	ev.client = ip;
	ev.rcpt.p = rcpt;
	ev.rcpt.len = strlen(rcpt);
	detector_feed(d, &ev);
}

/*
 * The hijack of tests/bench/contain.sh: a new address a connection, three
 * messages each, to freemail domains in turn; with early, each message
 * told by the policy service first.  Returns the messages sent when the
 * account was first confirmed (0: never, within n addresses).
 */
static int
hijack(struct detector *d, const char *acct, int n, int early,
    enum level *at_conf)
{
	struct find		 f;
	struct account_report	 r;
	struct mail_ip		 ip;
	const char		*dom;
	int			 i, k, sent = 0;

	for (i = 0; i < n; i++)
		for (k = 0; k < 3; k++) {
			ip = ip4(203, 0, 113, (unsigned)(10 + i));
			dom = freemail[(size_t)(i * 3 + k) % NFREE];
			if (early)
				tell1(d, T0 + i * 2 + k / 2, acct, ip, dom);
			send1(d, T0 + i * 2 + k / 2, acct, ip, dom);
			sent++;
			r = report(d, acct, &f);
			if (r.confirmed_at >= 0) {
				*at_conf = r.level;
				return sent;
			}
		}
	return 0;
}

/* With history: critical and confirmed within 6 addresses (18 messages),
   the reason naming the new addresses and the domains. */
static void
test_burst_confirms(void **state)
{
	struct detect_config	 cfg;
	struct detector		*d;
	struct find		 f;
	struct account_report	 r;
	enum level		 lv = LEVEL_OK;
	int			 sent;

	(void)state;
	detect_config_defaults(&cfg);
	d = detector_new(&cfg);
	history(d, "ann@example.test");
	sent = hijack(d, "ann@example.test", 19, 0, &lv);
	assert_true(sent > 0);
	assert_true(sent <= 18);
	assert_int_equal(lv, LEVEL_CRITICAL);
	r = report(d, "ann@example.test", &f);
	assert_true(r.confirmed_evidence & DETECT_EV_LOGINS);
	assert_true(r.confirmed_evidence & DETECT_EV_VOLUME);
	assert_non_null(r.confirmed_why);
	assert_non_null(strstr(r.confirmed_why,
	    "never logged in as this account"));
	assert_non_null(strstr(r.confirmed_why, "recipient domains"));
	detector_free(d);
}

/* An account first seen in the burst (no history at all): every address
   is one it never used, and the burst confirms it as soon; also when the
   policy service tells each message before its log lines (the recipient
   domains then count from its request, which has no queue id yet). */
static void
test_burst_no_history(void **state)
{
	struct detect_config	 cfg;
	struct detector		*d;
	struct find		 f;
	struct account_report	 r;
	enum level		 lv;
	int			 early, sent;

	(void)state;
	detect_config_defaults(&cfg);
	for (early = 0; early <= 1; early++) {
		d = detector_new(&cfg);
		lv = LEVEL_OK;
		sent = hijack(d, "v10@example.test", 19, early, &lv);
		assert_true(sent > 0);
		assert_true(sent <= 18);
		assert_int_equal(lv, LEVEL_CRITICAL);
		r = report(d, "v10@example.test", &f);
		assert_non_null(r.confirmed_why);
		assert_non_null(strstr(r.confirmed_why, "recipient domains"));
		detector_free(d);
	}
}

/* One new address (a hotel) writing to ten freemail friends: at most
   watch. */
static void
test_burst_one_address(void **state)
{
	struct detect_config	 cfg;
	struct detector		*d;
	struct find		 f;
	struct account_report	 r;
	size_t			 i;

	(void)state;
	detect_config_defaults(&cfg);
	d = detector_new(&cfg);
	history(d, "bob@example.test");
	for (i = 0; i < 2 * NFREE; i++)
		send1(d, T0 + (int64_t)i * 20, "bob@example.test",
		    ip4(192, 0, 2, 77), freemail[i % NFREE]);
	r = report(d, "bob@example.test", &f);
	assert_true(r.peak_level <= LEVEL_WATCH);
	assert_int_equal(r.flagged_at, -1);
	detector_free(d);
}

/* Several new addresses (a provider's outbound pool) writing to one
   domain, and old addresses writing to many: neither is a burst. */
static void
test_burst_needs_both(void **state)
{
	struct detect_config	 cfg;
	struct detector		*d;
	struct find		 f;
	struct account_report	 r;
	int			 i;

	(void)state;
	detect_config_defaults(&cfg);
	d = detector_new(&cfg);
	history(d, "cat@example.test");
	for (i = 0; i < 5; i++)
		send1(d, T0 + i * 30, "cat@example.test",
		    ip4(240, 10, 0, (unsigned)(1 + i)), "partner.example");
	r = report(d, "cat@example.test", &f);
	assert_true(r.peak_level <= LEVEL_WATCH);
	detector_free(d);
	d = detector_new(&cfg);
	history(d, "dan@example.test");
	for (i = 0; i < 30; i++)
		send1(d, T0 + i * 10, "dan@example.test",
		    ip4(198, 51, 100, 7), freemail[(size_t)i % NFREE]);
	r = report(d, "dan@example.test", &f);
	assert_true(r.peak_level <= LEVEL_WATCH);
	detector_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_confirms),
		cmocka_unit_test(test_burst_no_history),
		cmocka_unit_test(test_burst_one_address),
		cmocka_unit_test(test_burst_needs_both),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
