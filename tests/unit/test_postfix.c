/* test_postfix.c: the Postfix parser, the registry and the grammars. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "backends/backend.h"
#include "backends/logline.h"
#include "unit_parse.h"

/* Parse s with the Postfix backend (unit_parse.h). */
static int
parse(const char *s, struct mail_event *ev)
{
	return unit_parse_with(&backend_postfix, s, strlen(s), ev);
}

static void
assert_client(const struct mail_event *ev, const char *want)
{
	char	 buf[64];

	assert_string_equal(mail_ip_format(&ev->client, buf, sizeof(buf)),
	    want);
}

#define PF	"Nov 28 03:00:26 mail postfix/smtpd[14727]: "

static void
test_submit(void **state)
{
	struct mail_event	 ev;

	(void)state;
	assert_int_equal(parse(PF "BAC3910614B: client=unknown[127.0.1.1], "
	    "sasl_method=PLAIN, sasl_username=alice@example.test", &ev),
	    EV_SUBMIT);
	assert_mstr(&ev.qid, "BAC3910614B");
	assert_mstr(&ev.account, "alice@example.test");
	assert_client(&ev, "127.0.1.1");
	assert_int_equal(ev.service, SVC_SMTP);
	assert_int_equal(ev.flags, 0);

	/* inbound: no login */
	assert_int_equal(parse(PF "BAC3910614B: client=mx.example.net"
	    "[192.0.2.1]", &ev), EV_SUBMIT);
	assert_int_equal(ev.account.len, 0);
	assert_int_equal(ev.flags, 0);
	assert_client(&ev, "192.0.2.1");

	/* IPv6, address-literal form, port, trailing fields */
	assert_int_equal(parse(PF "BAC3910614B: client=unknown[2001:db8::1]",
	    &ev), EV_SUBMIT);
	assert_client(&ev, "2001:db8::1");
	assert_int_equal(ev.client.family, 6);
	assert_int_equal(parse(PF "BAC3910614B: client=unknown[IPv6:2001:db8::2]"
	    ":4711, sasl_method=PLAIN, sasl_username=bob, sasl_sender=x@y",
	    &ev), EV_SUBMIT);
	assert_client(&ev, "2001:db8::2");
	assert_mstr(&ev.account, "bob");
	assert_int_equal(parse(PF "BAC3910614B: client=a.example[192.0.2.2], "
	    "sasl_method=PLAIN, sasl_username=bob, orig_queue_id=ABCDEF123, "
	    "orig_client=b.example[192.0.2.3]", &ev), EV_SUBMIT);
	assert_client(&ev, "192.0.2.2");
	assert_mstr(&ev.account, "bob");

	/* an unparsable address is flagged, not guessed */
	assert_int_equal(parse(PF "BAC3910614B: client=unknown[999.1.1.1]",
	    &ev), EV_SUBMIT);
	assert_int_equal(ev.client.family, 0);
	assert_int_equal(ev.flags, EVF_BAD_CLIENT);

	/* a bad queue id is no event */
	assert_int_equal(parse(PF "BAC39: client=unknown[127.0.1.1]", &ev),
	    EV_NONE);
	assert_int_equal(parse(PF "bac3910614b: client=unknown[127.0.1.1]",
	    &ev), EV_NONE);
}

static void
test_multi_instance(void **state)
{
	static const char *const ok[] = {
		"postfix/smtpd", "postfix-out/smtpd", "postfix/submission/smtpd",
		"postfix-in/smtps/smtpd",
	};
	static const char *const no[] = {
		"smtpd", "postfix/smtpdx", "postfix/", "/smtpd", "postfix/smtp",
		"postfix/qmgr", "dovecot",
	};
	struct mail_event	 ev;
	char			 line[256];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(line, sizeof(line), "Nov 28 03:00:26 mail %s[1]: "
		    "BAC3910614B: client=unknown[127.0.1.1]", ok[i]);
		if (parse(line, &ev) != EV_SUBMIT)
			fail_msg("%s not taken as smtpd", ok[i]);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(line, sizeof(line), "Nov 28 03:00:26 mail %s[1]: "
		    "BAC3910614B: client=unknown[127.0.1.1]", no[i]);
		if (parse(line, &ev) == EV_SUBMIT)
			fail_msg("%s taken as smtpd", no[i]);
	}
}

static void
test_qmgr(void **state)
{
	struct mail_event	 ev;

	(void)state;
	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/qmgr[1]: "
	    "BAC3910614B: from=<alice@example.test>, size=413, nrcpt=1 "
	    "(queue active)", &ev), EV_QUEUED);
	assert_mstr(&ev.qid, "BAC3910614B");
	assert_mstr(&ev.sender, "alice@example.test");
	assert_int_equal(ev.size, 413);
	assert_int_equal(ev.nrcpt, 1);
	assert_int_equal(ev.account.len, 0);
	assert_int_equal(ev.client.family, 0);

	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/qmgr[1]: "
	    "BAC3910614B: from=<>, size=18446744073709551615, nrcpt=4294967295 "
	    "(queue active)", &ev), EV_QUEUED);
	assert_int_equal(ev.sender.len, 0);
	assert_int_equal(ev.size, UINT64_MAX);
	assert_int_equal(ev.nrcpt, UINT32_MAX);
	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/qmgr[1]: "
	    "BAC3910614B: from=<>, size=1, nrcpt=4294967296 (queue active)",
	    &ev), EV_NONE);

	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/qmgr[1]: "
	    "BAC3910614B: removed", &ev), EV_REMOVED);
	assert_mstr(&ev.qid, "BAC3910614B");
	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/qmgr[1]: "
	    "BAC3910614B: removed ", &ev), EV_NONE);

	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/qmgr[1]: "
	    "BAC3910614B: from=<judy@example.test>, status=expired, returned "
	    "to sender", &ev), EV_EXPIRED);
	assert_mstr(&ev.sender, "judy@example.test");

	/* a sender imitating the tail: read from the end */
	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/qmgr[1]: "
	    "BAC3910614B: from=<\"x>, size=9, nrcpt=9 (queue active)\"@e.x>, "
	    "size=5, nrcpt=2 (queue active)", &ev), EV_QUEUED);
	assert_int_equal(ev.size, 5);
	assert_int_equal(ev.nrcpt, 2);
}

static void
test_delivery(void **state)
{
	struct mail_event	 ev;

	(void)state;
	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/smtp[1]: "
	    "BAC3910614B: to=<x@sink.test>, relay=127.0.0.1[127.0.0.1]:2626, "
	    "delay=0.01, delays=0.01/0.01/0/0, dsn=2.0.0, status=sent "
	    "(250 2.0.0 Ok)", &ev), EV_DELIVERED);
	assert_mstr(&ev.qid, "BAC3910614B");
	assert_mstr(&ev.rcpt, "x@sink.test");
	assert_mstr(&ev.relay, "127.0.0.1[127.0.0.1]:2626");
	assert_mstr(&ev.reason, "250 2.0.0 Ok");

	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/error[1]: "
	    "5C174106152: to=<p@r.example>, relay=none, delay=541, "
	    "delays=541/0.04/0/0, dsn=4.4.1, status=deferred (delivery "
	    "temporarily suspended: connect to 127.0.0.1[127.0.0.1]:2599: "
	    "Connection refused)", &ev), EV_DEFERRED);
	assert_mstr(&ev.reason, "delivery temporarily suspended: connect to "
	    "127.0.0.1[127.0.0.1]:2599: Connection refused");

	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/smtp[1]: "
	    "59CBE10614F: to=<nobody@bounce.test>, relay=127.0.0.1[127.0.0.1]:"
	    "2627, delay=0.02, delays=0/0.01/0/0.01, dsn=5.3.0, status=bounced "
	    "(host 127.0.0.1[127.0.0.1] said: 500 5.3.0 Error (in reply to "
	    "RCPT TO command))", &ev), EV_BOUNCED);
	assert_mstr(&ev.reason, "host 127.0.0.1[127.0.0.1] said: 500 5.3.0 "
	    "Error (in reply to RCPT TO command)");

	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/lmtp[1]: "
	    "59CBE10614F: to=<a@b>, orig_to=<\"c>, status=bounced (\"@d>, "
	    "relay=x[private/dovecot-lmtp], delay=1, delays=0/0/0/1, "
	    "dsn=2.0.0, status=sent (250 Saved)", &ev), EV_DELIVERED);
	assert_mstr(&ev.rcpt, "a@b");

	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/pipe[1]: "
	    "59CBE10614F: to=<a@b>, relay=spamassassin, delay=1, "
	    "delays=0/0/0/1, dsn=2.0.0, status=deliverable (ok)", &ev),
	    EV_NONE);
	/* a to= line from a daemon that does not deliver */
	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/cleanup[1]: "
	    "59CBE10614F: to=<a@b>, relay=none, delay=1, delays=0/0/0/1, "
	    "dsn=2.0.0, status=sent (ok)", &ev), EV_NONE);
}

static void
test_reject(void **state)
{
	struct mail_event	 ev;

	(void)state;
	assert_int_equal(parse(PF "NOQUEUE: reject: RCPT from unknown"
	    "[127.77.0.1]: 554 5.7.1 <victim@remote.example>: Relay access "
	    "denied; from=<spam@evil.example> to=<victim@remote.example> "
	    "proto=ESMTP helo=<client-127-77-0-1.example>", &ev), EV_REJECTED);
	assert_int_equal(ev.qid.len, 0);
	assert_client(&ev, "127.77.0.1");
	assert_mstr(&ev.sender, "spam@evil.example");
	assert_mstr(&ev.rcpt, "victim@remote.example");
	assert_mstr(&ev.reason, "554 5.7.1 <victim@remote.example>: Relay "
	    "access denied");

	assert_int_equal(parse(PF "BAC3910614B: reject: MAIL from "
	    "h.example[2001:db8::9]:25: 450 4.7.1 busy; from=<a@b> "
	    "proto=ESMTP helo=<h>", &ev), EV_REJECTED);
	assert_mstr(&ev.qid, "BAC3910614B");
	assert_client(&ev, "2001:db8::9");
	assert_mstr(&ev.sender, "a@b");
	assert_int_equal(ev.rcpt.len, 0);

	/* client text before "from NAME[IP]" is not read */
	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/cleanup[1]: "
	    "BAC3910614B: reject: header Subject: from x[6.6.6.6]; from=<a@b> "
	    "to=<c@d> proto=ESMTP helo=<h>: 5.7.1 no", &ev), EV_NONE);
	/* reject_warning is not a rejection */
	assert_int_equal(parse(PF "NOQUEUE: reject_warning: RCPT from "
	    "unknown[192.0.2.1]: 554 x; from=<a@b> to=<c@d> proto=ESMTP "
	    "helo=<h>", &ev), EV_NONE);
}

static void
test_sasl_fail(void **state)
{
	struct mail_event	 ev;

	(void)state;
	assert_int_equal(parse(PF "warning: unknown[127.66.0.1]: SASL PLAIN "
	    "authentication failed: (reason unavailable), "
	    "sasl_username=ivan@example.test", &ev), EV_AUTH_FAIL);
	assert_mstr(&ev.account, "ivan@example.test");
	assert_client(&ev, "127.66.0.1");
	assert_mstr(&ev.reason, "(reason unavailable)");
	assert_int_equal(ev.service, SVC_SMTP);

	assert_int_equal(parse(PF "warning: unknown[127.66.0.1]: SASL LOGIN "
	    "authentication failed: UGFzc3dvcmQ6", &ev), EV_AUTH_FAIL);
	assert_int_equal(ev.account.len, 0);
	assert_int_equal(ev.flags, 0);

	/* hostile logins never name anyone */
	assert_int_equal(parse(PF "warning: unknown[127.66.0.1]: SASL LOGIN "
	    "authentication failed: x, sasl_username=a, sasl_username=bob",
	    &ev), EV_AUTH_FAIL);
	assert_int_equal(ev.account.len, 0);
	assert_int_equal(ev.flags, EVF_BAD_ACCOUNT);
	assert_client(&ev, "127.66.0.1");
	assert_int_equal(parse(PF "warning: unknown[127.66.0.1]: SASL LOGIN "
	    "authentication failed: x, sasl_username=[6.6.6.6]", &ev),
	    EV_AUTH_FAIL);
	assert_int_equal(ev.flags, EVF_BAD_ACCOUNT);
	assert_client(&ev, "127.66.0.1");

	/* other warnings carry nothing */
	assert_int_equal(parse(PF "warning: hostname x does not resolve to "
	    "address 192.0.2.1", &ev), EV_NONE);
}

/* The end of a session: the header's pid serves no session any more. */
static void
test_disconnect(void **state)
{
	struct mail_event	 ev;

	(void)state;
	assert_int_equal(parse(PF "disconnect from unknown[127.0.1.1] ehlo=1 "
	    "auth=1 mail=1 rcpt=1 data=1 quit=1 commands=6", &ev),
	    EV_DISCONNECT);
	assert_client(&ev, "127.0.1.1");
	assert_int_equal(ev.service, SVC_SMTP);
	assert_int_equal(ev.account.len, 0);
	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/submission/smtpd"
	    "[9]: disconnect from mx.example[2001:db8::1]:587 ehlo=1 "
	    "commands=1", &ev), EV_DISCONNECT);
	assert_client(&ev, "2001:db8::1");
	/* anchored: the words elsewhere, or another daemon's, are nothing */
	assert_int_equal(parse(PF "lost connection after AUTH from "
	    "unknown[127.0.0.9] disconnect from unknown[127.0.0.8]", &ev),
	    EV_NONE);
	assert_int_equal(parse("Nov 28 03:00:26 mail postfix/qmgr[1]: "
	    "disconnect from unknown[127.0.0.8]", &ev), EV_NONE);
	assert_int_equal(parse(PF "disconnect from", &ev), EV_NONE);
	assert_int_equal(parse(PF "disconnect from nobracket", &ev), EV_NONE);
}

static void
test_postsuper(void **state)
{
	struct mail_event	 ev;

	(void)state;
	assert_int_equal(parse("Nov 28 03:18:32 mail postfix/postsuper[1]: "
	    "3DD15106D83: placed on hold", &ev), EV_HELD);
	assert_mstr(&ev.qid, "3DD15106D83");
	assert_int_equal(parse("Nov 28 03:18:32 mail postfix/postsuper[1]: "
	    "3DD15106D83: released from hold", &ev), EV_RELEASED);
	assert_int_equal(parse("Nov 28 03:18:32 mail postfix/postsuper[1]: "
	    "3DD15106D83: removed", &ev), EV_DELETED);
	assert_int_equal(parse("Nov 28 03:18:32 mail postfix/postsuper[1]: "
	    "Placed on hold: 3006 messages", &ev), EV_NONE);
	/* long queue ids */
	assert_int_equal(parse("Nov 28 03:18:32 mail postfix/postsuper[1]: "
	    "3Pt2mN2VXxznjll: placed on hold", &ev), EV_HELD);
	assert_mstr(&ev.qid, "3Pt2mN2VXxznjll");
}

static void
test_queue_id_grammar(void **state)
{
	static const char *const ok[] = {
		"BAC3910614B", "3DD15106D83", "0A1B2C", "ABCDEF0123456789ABCD",
		"3Pt2mN2VXxznjll", "4Tb8hN2VXxzK9mL", "zzzzzzzzzzzb",
	};
	static const char *const no[] = {
		"", "ABCDE", "bac3910614b", "BAC39106 4B", "ABCDEF0123456789ABCDE",
		"3Pt2mN2VXxz", "3Pt2mN2VXzjll", "3Pa2mN2VXxznjll",
		"3Pt2mN2VXxznjlU", "BAC3910614B;", "-BAC3910614B",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (!queue_id_is_valid(ok[i], strlen(ok[i])))
			fail_msg("rejected %s", ok[i]);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (queue_id_is_valid(no[i], strlen(no[i])))
			fail_msg("accepted %s", no[i]);
	}
	assert_false(queue_id_is_valid(NULL, 0));
}

static void
test_account_grammar(void **state)
{
	static const char *const ok[] = {
		"alice", "alice@example.test", "a.b_c%d+e-f@x-y.example",
		"j\xc3\xbcrgen@example.test", "\xe5\xbc\xa0\xe4\xbc\x9f",
		"\xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd", "a-",
	};
	static const char *const no[] = {
		"", "-alice", "a b", "a,b", "a\"b", "a'b", "a=b", "a<b", "a>b",
		"a;b", "a$b", "a\\b", "a\tb", "a\x1b[31m", "a\x7f",
		"a\xff", "a\xc0\xaf", "a\xe0\x80\xaf", "a\xed\xa0\x80",
		"a\xf4\x90\x80\x80", "a\xc3", "a\xe2\x80\xae",	/* RLO */
		"a\xe2\x80\x8b",	/* zero-width space */
		"a\xc2\xa0",		/* no-break space */
		"a\xef\xbb\xbf", "a(b)", "a:b", "a/b", "a*", "a[6.6.6.6]",
	};
	char	 long_ok[255], long_no[256];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (!account_is_valid(ok[i], strlen(ok[i])))
			fail_msg("rejected \"%s\"", ok[i]);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (account_is_valid(no[i], strlen(no[i])))
			fail_msg("accepted \"%s\"", no[i]);
	}
	assert_false(account_is_valid("a\0b", 3));
	memset(long_ok, 'a', sizeof(long_ok));
	memset(long_no, 'a', sizeof(long_no));
	assert_true(account_is_valid(long_ok, sizeof(long_ok)));
	assert_false(account_is_valid(long_no, sizeof(long_no)));
	assert_false(account_is_valid(NULL, 0));
}

static void
test_ip(void **state)
{
	struct mail_ip	 ip;
	char		 buf[64], big[100];

	(void)state;
	assert_int_equal(mail_ip_parse("192.0.2.1", 9, &ip), 0);
	assert_int_equal(ip.family, 4);
	assert_string_equal(mail_ip_format(&ip, buf, sizeof(buf)), "192.0.2.1");
	assert_int_equal(mail_ip_parse("2001:DB8::1", 11, &ip), 0);
	assert_int_equal(ip.family, 6);
	assert_string_equal(mail_ip_format(&ip, buf, sizeof(buf)),
	    "2001:db8::1");
	/* a mapped IPv4 address is the IPv4 client */
	assert_int_equal(mail_ip_parse("::ffff:127.0.0.9", 16, &ip), 0);
	assert_int_equal(ip.family, 4);
	assert_string_equal(mail_ip_format(&ip, buf, sizeof(buf)), "127.0.0.9");
	/* only the given length is read */
	assert_int_equal(mail_ip_parse("10.0.0.12345", 8, &ip), 0);
	assert_string_equal(mail_ip_format(&ip, buf, sizeof(buf)), "10.0.0.1");

	assert_int_equal(mail_ip_parse("", 0, &ip), -1);
	assert_int_equal(ip.family, 0);
	assert_int_equal(mail_ip_parse("1.2.3", 5, &ip), -1);
	assert_int_equal(mail_ip_parse("1.2.3.4 ", 8, &ip), -1);
	assert_int_equal(mail_ip_parse("[1.2.3.4]", 9, &ip), -1);
	assert_int_equal(mail_ip_parse("1.2.3.4\0", 8, &ip), -1);
	assert_int_equal(mail_ip_parse("fe80::1%eth0", 12, &ip), -1);
	assert_int_equal(mail_ip_parse("unknown", 7, &ip), -1);
	memset(big, '1', sizeof(big));
	assert_int_equal(mail_ip_parse(big, sizeof(big), &ip), -1);
	memcpy(big, "0000:0000:0000:0000:0000:0000:0000:0000:0000", 44);
	assert_int_equal(mail_ip_parse(big, 46, &ip), -1);

	ip.family = 0;
	assert_string_equal(mail_ip_format(&ip, buf, sizeof(buf)), "");
}

static void
test_registry(void **state)
{
	struct log_clock	 c;
	struct log_header	 h;
	struct mail_events	 evs;
	struct mail_event	 ev;
	static const char	 line[] = "Nov 28 03:01:06 auth: Info: "
	    "passwd-file(ivan@example.test,127.66.0.2): Password mismatch";

	(void)state;
	assert_ptr_equal(backend_find("postfix"), &backend_postfix);
	assert_ptr_equal(backend_find("dovecot"), &backend_dovecot);
	assert_ptr_equal(backend_find("exim"), &backend_exim);
	assert_null(backend_find("sendmail"));
	assert_null(backend_find(NULL));
	assert_non_null(mail_backends[0]);
	assert_string_equal(mail_event_kind_name(EV_SUBMIT), "SUBMIT");
	assert_string_equal(mail_event_kind_name(EV_NONE), "none");
	assert_string_equal(mail_event_kind_name(EV_DELETED), "DELETED");
	assert_string_equal(mail_event_kind_name(EV_DISCONNECT),
	    "DISCONNECT");
	assert_string_equal(mail_event_kind_name(EV_KIND_COUNT), "unknown");

	/* backend_parse_any finds the Dovecot line and stamps the time */
	log_clock_init(&c, REF);
	c.utc = 1;
	assert_int_equal(logline_split(&c, line, sizeof(line) - 1, &h), 0);
	assert_int_equal(backend_parse_any(&h, &evs), 1);
	assert_int_equal(evs.n, 1);
	assert_int_equal(evs.ev[0].kind, EV_AUTH_FAIL);
	assert_int_equal(evs.ev[0].time, h.time);
	/* Postfix alone does not take it */
	assert_int_equal(backend_postfix.parse_line(&h, &ev), 0);
	assert_int_equal(ev.kind, EV_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_submit),
		cmocka_unit_test(test_multi_instance),
		cmocka_unit_test(test_qmgr),
		cmocka_unit_test(test_delivery),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_sasl_fail),
		cmocka_unit_test(test_disconnect),
		cmocka_unit_test(test_postsuper),
		cmocka_unit_test(test_queue_id_grammar),
		cmocka_unit_test(test_account_grammar),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_registry),
	};

	return cmocka_run_group_tests(tests, NULL, unit_parse_teardown);
}
