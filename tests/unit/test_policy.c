/*
 * test_policy.c: the policy service's pieces (console/policy/): the
 * request parser of Postfix's policy delegation protocol, the deny list
 * read from its file and the containment's decisions, the answers, and
 * the detector counting a submission the service told once its log line
 * comes.
 */
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
#include "detect/detect_detail.h"
#include "detect/detector.h"
#include "policy/policy_deny.h"
#include "policy/policy_proto.h"
#include "policy/policy_srv.h"

#define REQ(user) \
	"request=smtpd_access_policy\nprotocol_state=RCPT\n" \
	"client_address=127.9.0.5\nrecipient=x@gmail.test\n" \
	"recipient_count=0\nsasl_username=" user "\n\n"

/* Feed s in pieces of n bytes; the requests it ends, into out. */
static int
parse_all(struct policy_parser *p, const char *s, size_t n,
    struct policy_req *out, int max)
{
	size_t	 len = strlen(s), off = 0, take, used;
	int	 done, got = 0;

	while (off < len) {
		take = len - off < n ? len - off : n;
		while (take > 0) {
			used = policy_parse(p, s + off, take, &done);
			off += used;
			take -= used;
			if (done && got < max)
				out[got++] = p->req;
		}
	}
	return got;
}

/* Two requests, whole or a byte at a time: the same attributes. */
static void
test_parse_requests(void **state)
{
	static const char	 two[] = REQ("alice@example.test")
	    "request=smtpd_access_policy\nsasl_username=\n"
	    "client_address=::1\nrecipient_count=3\nccert_subject=x=y\n\n";
	struct policy_parser	 p;
	struct policy_req	 r[4];
	size_t			 chunk;

	(void)state;
	for (chunk = 1; chunk <= sizeof(two); chunk += sizeof(two) - 2) {
		policy_parser_init(&p);
		assert_int_equal(parse_all(&p, two, chunk, r, 4), 2);
		assert_int_equal(r[0].fault, PF_NONE);
		assert_true(r[0].is_policy);
		assert_string_equal(r[0].account, "alice@example.test");
		assert_string_equal(r[0].rcpt, "x@gmail.test");
		assert_string_equal(r[0].state, "RCPT");
		assert_int_equal(r[0].client.family, 4);
		assert_int_equal(r[0].client.bytes[0], 127);
		assert_int_equal(r[0].client.bytes[3], 5);
		assert_int_equal(r[1].fault, PF_NONE);
		assert_int_equal(r[1].account_len, 0);
		assert_int_equal(r[1].client.family, 6);
		assert_int_equal(r[1].rcpt_count, 3);
		assert_false(policy_parser_busy(&p));
	}
}

/* The first fault of a request, for each kind of hostile input. */
static void
test_parse_faults(void **state)
{
	static const struct {
		const char		*text;
		enum policy_fault	 fault;
	} c[] = {
		{ REQ("bob smith@example.test"), PF_BAD_ACCOUNT },
		{ REQ("bob\033[31m@example.test"), PF_BAD_ACCOUNT },
		{ REQ("-bob"), PF_BAD_ACCOUNT },
		{ "request=smtpd_access_policy\nclient_address=1.2.3\n\n",
		    PF_BAD_CLIENT },
		{ "request=smtpd_access_policy\nrecipient_count=-1\n\n",
		    PF_BAD_COUNT },
		{ "request=smtpd_access_policy\nrecipient_count=99999999999\n\n",
		    PF_BAD_COUNT },
		{ "request=smtpd_access_policy\nno equals sign\n\n",
		    PF_BAD_LINE },
		{ "request=smtpd_access_policy\n=value\n\n", PF_BAD_LINE },
		{ "sasl_username=bob@example.test\n\n", PF_BAD_REQUEST },
		{ "request=junk\n\n", PF_BAD_REQUEST },
		{ "\n", PF_BAD_REQUEST },
	};
	struct policy_parser	 p;
	struct policy_req	 r;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		policy_parser_init(&p);
		assert_int_equal(parse_all(&p, c[i].text, 7, &r, 1), 1);
		if (r.fault != c[i].fault)
			fail_msg("case %zu: fault %s, want %s", i,
			    policy_fault_name(r.fault),
			    policy_fault_name(c[i].fault));
		/* the bad value is never kept */
		if (c[i].fault == PF_BAD_ACCOUNT)
			assert_int_equal(r.account_len, 0);
	}
}

/* A long line or a huge request: read to its end, judged, then the
   next request is whole again; the parser never grows. */
static void
test_parse_bounds(void **state)
{
	struct policy_parser	 p;
	struct policy_req	 r[2];
	char			*big;
	size_t			 n = POLICY_REQ_MAX * 2, i, off;

	(void)state;
	big = malloc(n + 512);
	assert_non_null(big);
	/* one overlong line, then a good request */
	off = (size_t)sprintf(big, "request=smtpd_access_policy\nx=");
	memset(big + off, 'a', POLICY_LINE_MAX * 3);
	off += POLICY_LINE_MAX * 3;
	off += (size_t)sprintf(big + off, "\n\n%s", REQ("bob@example.test"));
	big[off] = '\0';
	policy_parser_init(&p);
	assert_int_equal(parse_all(&p, big, 1000, r, 2), 2);
	assert_int_equal(r[0].fault, PF_LONG_LINE);
	assert_int_equal(r[1].fault, PF_NONE);
	assert_string_equal(r[1].account, "bob@example.test");
	/* many short lines: too many attributes and too many bytes */
	off = (size_t)sprintf(big, "request=smtpd_access_policy\n");
	for (i = 0; off + 8 < n; i++)
		off += (size_t)sprintf(big + off, "a=%03zu\n", i % 1000);
	sprintf(big + off, "\n");
	policy_parser_init(&p);
	assert_int_equal(parse_all(&p, big, 4096, r, 1), 1);
	assert_int_equal(r[0].fault, PF_BIG_REQUEST);
	/* a request without its empty line: still under way */
	policy_parser_init(&p);
	assert_int_equal(parse_all(&p, "request=smtpd_access_policy\n", 5,
	    r, 1), 0);
	assert_true(policy_parser_busy(&p));
	free(big);
}

/* Write text as the whole deny file (renamed over it, as deny_add does). */
static void
write_deny(const char *path, const char *text)
{
	char	 tmp[4200];
	FILE	*f;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
}

/* The deny file: read again when it changes, names compared as the
   console does, bad lines skipped; a missing file refuses nobody. */
static void
test_deny_file(void **state)
{
	const struct mail_backend	*dv = backend_find("dovecot");
	struct policy_deny		*d;
	char				 dir[] = "/tmp/mctestpolicy.XXXXXX";
	char				 path[4096];
	const char			*why, *news;

	(void)state;
	assert_non_null(dv);
	assert_non_null(dv->accounts->deny_line);
	assert_string_equal(dv->accounts->deny_list, "deny_file");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/deny", dir);
	d = policy_deny_new();
	assert_int_equal(policy_deny_file(d, path, dv->accounts->deny_line), 0);
	assert_false(policy_deny_has(d, "bob@example.test", 16, &why));
	news = policy_deny_news(d);
	assert_non_null(news);
	assert_non_null(strstr(news, path));
	assert_null(policy_deny_news(d));	/* said once */
	write_deny(path, "bob@example.test\r\nbad name\n\ncarol@example.test");
	assert_true(policy_deny_has(d, "bob@example.test", 16, &why));
	assert_non_null(strstr(why, path));
	assert_true(policy_deny_has(d, "CAROL@example.test", 18, &why));
	assert_false(policy_deny_has(d, "bad name", 8, &why));
	assert_false(policy_deny_has(d, "bob@example.tes", 15, &why));
	assert_int_equal(policy_deny_count(d), 2);
	/* unsuspended: gone at the next lookup */
	write_deny(path, "carol@example.test\n");
	assert_false(policy_deny_has(d, "bob@example.test", 16, &why));
	/* a decision counts at once, and goes when told */
	policy_deny_decide(d, "dave@example.test", 1);
	assert_true(policy_deny_has(d, "dave@example.test", 17, &why));
	assert_string_equal(why, "suspended by the headless containment");
	policy_deny_decide(d, "dave@example.test", 0);
	assert_false(policy_deny_has(d, "dave@example.test", 17, &why));
	policy_deny_free(d);
	unlink(path);
	rmdir(dir);
}

/* What the hooks were told. */
static int	 refused_n, told_n;

/* hooks.refused: count. */
static void
on_refused(void *arg, const struct policy_req *r, const char *why)
{
	refused_n++;
}

/* hooks.request: count. */
static void
on_request(void *arg, const struct policy_req *r)
{
	told_n++;
}

/* The answers: REJECT only for a login on the list, DUNNO for the rest
   and for every bad request, which is counted. */
static void
test_decide(void **state)
{
	struct policy_hooks	 h = { on_request, on_refused, NULL, NULL,
				    NULL };
	struct policy_deny	*d = policy_deny_new();
	struct policy_srv	*s;
	struct policy_req	 r;

	(void)state;
	policy_deny_decide(d, "bob@example.test", 1);
	s = policy_srv_new(NULL, d, &h);
	memset(&r, 0, sizeof(r));
	r.is_policy = 1;
	assert_string_equal(policy_srv_decide(s, &r), "DUNNO");
	strcpy(r.account, "alice@example.test");
	r.account_len = strlen(r.account);
	assert_string_equal(policy_srv_decide(s, &r), "DUNNO");
	assert_int_equal(told_n, 1);
	strcpy(r.account, "bob@example.test");
	r.account_len = strlen(r.account);
	assert_string_equal(policy_srv_decide(s, &r),
	    "REJECT " POLICY_REJECT_TEXT);
	assert_int_equal(refused_n, 1);
	/* a fault wins over the list: nothing but DUNNO, counted */
	r.fault = PF_BAD_CLIENT;
	assert_string_equal(policy_srv_decide(s, &r), "DUNNO");
	assert_int_equal(refused_n, 1);
	assert_int_equal(policy_srv_counts(s)->errors, 1);
	assert_int_equal(policy_srv_counts(s)->fault[PF_BAD_CLIENT], 1);
	assert_int_equal(policy_srv_counts(s)->requests, 4);
	assert_int_equal(policy_srv_counts(s)->refused, 1);
	policy_srv_free(s);
	policy_deny_free(d);
}

/* detector_foreach_range callback: the report's message count. */
static void
report_cb(const struct account_report *r, void *arg)
{
	*(uint64_t *)arg = r->messages;
}

/* The account's messages as the detector reports them (0: unknown). */
static uint64_t
messages_of(struct detector *d, const char *account)
{
	uint64_t	n = 0;
	long		idx = detector_find(d, account);

	if (idx >= 0)
		(void)detector_foreach_range(d, (size_t)idx, 1, report_cb, &n);
	return n;
}

/* A submission the policy service told (EVF_EARLY) counts at once, and
   its log line later does not count it again; the log alone counts. */
static void
test_early_counted_once(void **state)
{
	struct detect_config	 cfg;
	struct detector		*d;
	struct mail_event	 ev;
	char			 qid[16];
	int			 i;

	(void)state;
	detect_config_defaults(&cfg);
	d = detector_new(&cfg);
	for (i = 0; i < 3; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = EV_SUBMIT;
		ev.service = SVC_SMTP;
		ev.time = 1800000000 + i;
		ev.flags = EVF_EARLY;
		ev.account.p = "bob@example.test";
		ev.account.len = 16;
		assert_int_equal(mail_ip_parse("127.9.0.5", 9, &ev.client), 0);
		detector_feed(d, &ev);
		assert_int_equal(messages_of(d, "bob@example.test"),
		    (uint64_t)i + 1);
	}
	for (i = 0; i < 5; i++) {
		snprintf(qid, sizeof(qid), "4F00%04dA", i);
		ev.flags = 0;
		ev.time = 1800000010 + i;
		ev.qid.p = qid;
		ev.qid.len = strlen(qid);
		detector_feed(d, &ev);
	}
	/* 3 told early + their 3 log lines + 2 the service never saw */
	assert_int_equal(messages_of(d, "bob@example.test"), 5);
	detector_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_requests),
		cmocka_unit_test(test_parse_faults),
		cmocka_unit_test(test_parse_bounds),
		cmocka_unit_test(test_deny_file),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_early_counted_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
