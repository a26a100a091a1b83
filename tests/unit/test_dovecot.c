/* test_dovecot.c: the Dovecot parser, 2.2 to 2.4, and hostile logins. */
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

/* Parse s with the Dovecot backend (unit_parse.h). */
static int
parse_n(const char *s, size_t len, struct mail_event *ev)
{
	return unit_parse_with(&backend_dovecot, s, len, ev);
}

static int
parse(const char *s, struct mail_event *ev)
{
	return parse_n(s, strlen(s), ev);
}

/* The event names exactly this account and client (either may be ""). */
static void
assert_who(const struct mail_event *ev, const char *account,
    const char *client)
{
	char	 buf[64];

	assert_mstr(&ev->account, account);
	assert_string_equal(mail_ip_format(&ev->client, buf, sizeof(buf)),
	    client);
}

static void
test_passdb_23(void **state)
{
	struct mail_event	 ev;

	(void)state;
	/* real Dovecot 2.3.19.1 lines */
	assert_int_equal(parse("Nov 28 03:01:06 auth: Info: passwd-file("
	    "ivan@example.test,127.66.0.2): Password mismatch", &ev),
	    EV_AUTH_FAIL);
	assert_who(&ev, "ivan@example.test", "127.66.0.2");
	assert_mstr(&ev.reason, "Password mismatch");
	assert_int_equal(ev.flags, 0);
	assert_int_equal(parse("Nov 28 03:02:26 auth: Info: passwd-file("
	    "ghost2@example.test,127.66.1.3): unknown user", &ev),
	    EV_AUTH_FAIL);
	assert_who(&ev, "ghost2@example.test", "127.66.1.3");
	assert_mstr(&ev.reason, "unknown user");
	assert_int_equal(parse("Nov 28 03:18:10 auth: Info: User found from "
	    "deny passdb", &ev), EV_NONE);

	/* session, master, syslog, auth-worker */
	assert_int_equal(parse("Nov 28 03:01:06 mail dovecot: auth: "
	    "passwd-file(a@b,2001:db8::1,master,<Ab+/9z>): Password mismatch",
	    &ev), EV_AUTH_FAIL);
	assert_who(&ev, "a@b", "2001:db8::1");
	assert_int_equal(parse("Nov 28 03:01:06 mail dovecot[1]: "
	    "auth-worker(77): sql(a@b,192.0.2.1,<x>): unknown user", &ev),
	    EV_AUTH_FAIL);
	assert_who(&ev, "a@b", "192.0.2.1");
	assert_int_equal(parse("Nov 28 03:01:06 auth-worker(77): Info: "
	    "ldap(a@b,192.0.2.1,<x>): unknown user", &ev), EV_AUTH_FAIL);
	assert_who(&ev, "a@b", "192.0.2.1");

	/* verbose passwords */
	assert_int_equal(parse("Nov 28 03:01:06 auth: Info: passwd-file(a@b,"
	    "192.0.2.1): Password mismatch (given password: pw) - trying the "
	    "next passdb", &ev), EV_AUTH_FAIL);
	assert_who(&ev, "a@b", "192.0.2.1");
	assert_int_equal(parse("Nov 28 03:01:06 auth: Info: passwd-file(a@b,"
	    "192.0.2.1): unknown user (SHA1 of given password: 0a1b)", &ev),
	    EV_AUTH_FAIL);
	assert_who(&ev, "a@b", "192.0.2.1");
	assert_mstr(&ev.reason, "unknown user");

	/* not failures */
	assert_int_equal(parse("Nov 28 03:01:06 auth: Info: passwd-file(a@b,"
	    "192.0.2.1): Password mismatch?", &ev), EV_NONE);
	assert_int_equal(parse("Nov 28 03:01:06 master: Info: passwd-file(a@b,"
	    "192.0.2.1): Password mismatch", &ev), EV_NONE);
	assert_int_equal(parse("Nov 28 03:01:06 mail dovecot: master: "
	    "passwd-file(a@b,192.0.2.1): Password mismatch", &ev), EV_NONE);
}

static void
test_passdb_22(void **state)
{
	struct mail_event	 ev;

	(void)state;
	/* 2.2: SUBSYSTEM(USER,IP[,master]), no session */
	assert_int_equal(parse("Jun 13 20:49:01 h dovecot: auth: passwd-file("
	    "user@example.org,192.0.2.11): Password mismatch", &ev),
	    EV_AUTH_FAIL);
	assert_who(&ev, "user@example.org", "192.0.2.11");
	assert_int_equal(parse("Jun 13 20:49:01 h dovecot: auth: passwd-file("
	    "user@example.org,192.0.2.11,master): unknown user", &ev),
	    EV_AUTH_FAIL);
	assert_who(&ev, "user@example.org", "192.0.2.11");
	/* no remote address: account only */
	assert_int_equal(parse("Jun 13 20:49:01 h dovecot: auth: passwd-file("
	    "user@example.org): unknown user", &ev), EV_AUTH_FAIL);
	assert_who(&ev, "user@example.org", "");
}

static void
test_passdb_24(void **state)
{
	struct mail_event	 ev;

	(void)state;
	assert_int_equal(parse("Aug 15 17:06:03 auth(tom@example.com,"
	    "172.17.0.1,sasl:plain)<Cd5NZ2o8ZpysEQAC>: Info: passwd-file: "
	    "Password mismatch", &ev), EV_AUTH_FAIL);
	assert_who(&ev, "tom@example.com", "172.17.0.1");
	assert_mstr(&ev.reason, "Password mismatch");
	assert_int_equal(parse("Aug 15 17:06:03 mail dovecot: auth(tom@"
	    "example.com,172.17.0.1,sasl:plain,master)<C>: users: unknown user",
	    &ev), EV_AUTH_FAIL);
	assert_who(&ev, "tom@example.com", "172.17.0.1");
	assert_int_equal(parse("Aug 15 17:06:03 auth-worker(jose,"
	    "138.255.206.154)<1489164><8oNSumM3A8mK/86a>: request [393]: "
	    "Info: sql: unknown user", &ev), EV_AUTH_FAIL);
	assert_who(&ev, "jose", "138.255.206.154");
	assert_int_equal(parse("Aug 15 17:06:03 auth-worker(jose,"
	    "138.255.206.154)<1489164><8oNSumM3A8mK/86a>: Info: request [393]: "
	    "sql: unknown user", &ev), EV_AUTH_FAIL);
	assert_who(&ev, "jose", "138.255.206.154");
	/* debug chatter of the same prefix is nothing */
	assert_int_equal(parse("Aug 15 17:06:02 auth(tom@example.com,"
	    "172.17.0.1,sasl:plain)<Cd5NZ2o8ZpysEQAB>: Debug: passwd-file: "
	    "Performing passdb lookup", &ev), EV_NONE);
	/* a prefix that does not close is nothing */
	assert_int_equal(parse("Aug 15 17:06:03 auth(tom@example.com "
	    "passwd-file: unknown user", &ev), EV_NONE);
}

static void
test_login(void **state)
{
	struct mail_event	 ev;

	(void)state;
	assert_int_equal(parse("Nov 28 03:05:00 imap-login: Info: Login: "
	    "user=<alice@example.test>, method=PLAIN, rip=127.0.1.1, "
	    "lip=127.0.0.1, mpid=15010, secured, session=<Ab3dEf9hIjK>", &ev),
	    EV_AUTH_OK);
	assert_who(&ev, "alice@example.test", "127.0.1.1");
	assert_int_equal(ev.service, SVC_IMAP);
	assert_int_equal(parse("Nov 28 03:05:00 h dovecot: pop3-login: Login: "
	    "user=<a>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2", &ev),
	    EV_AUTH_OK);
	assert_int_equal(ev.service, SVC_POP3);
	assert_int_equal(parse("Nov 28 03:05:00 submission-login: Info: "
	    "Logged in: user=<a>, method=PLAIN, rip=192.0.2.1, lip=x", &ev),
	    EV_AUTH_OK);
	assert_int_equal(ev.service, SVC_SMTP);
	assert_int_equal(parse("Nov 28 03:05:00 managesieve-login: Info: "
	    "Login: user=<a>, method=PLAIN, rip=192.0.2.1", &ev), EV_AUTH_OK);
	assert_int_equal(ev.service, SVC_OTHER);
	assert_who(&ev, "a", "192.0.2.1");

	assert_int_equal(parse("Nov 28 03:05:00 imap-login: Info: "
	    "Disconnected (auth failed, 3 attempts in 12 secs): user=<i@x>, "
	    "method=PLAIN, rip=127.66.0.9, lip=127.0.0.1, session=<Z>", &ev),
	    EV_AUTH_FAIL);
	assert_who(&ev, "i@x", "127.66.0.9");
	assert_mstr(&ev.reason, "Disconnected (auth failed, 3 attempts in 12 "
	    "secs)");
	assert_int_equal(parse("Nov 28 03:05:00 h dovecot[9]: imap-login: "
	    "Login aborted: Connection closed (auth failed, 3 attempts in 15 "
	    "secs) (auth_failed): user=<eft>, method=PLAIN, rip=80.51.181.144, "
	    "lip=127.4.20.69, TLS, session=<25Nw4GQ3Ms9QM7WQ>", &ev),
	    EV_AUTH_FAIL);
	assert_who(&ev, "eft", "80.51.181.144");
	assert_int_equal(parse("Nov 28 03:05:00 pop3-login: Info: Aborted "
	    "login (auth failed, 1 attempts): user=<t>, method=PLAIN, "
	    "rip=192.0.2.5", &ev), EV_AUTH_FAIL);
	assert_who(&ev, "t", "192.0.2.5");
	/* no user field */
	assert_int_equal(parse("Nov 28 03:05:00 imap-login: Info: "
	    "Disconnected (auth failed, 1 attempts): rip=192.0.2.6, lip=x",
	    &ev), EV_AUTH_FAIL);
	assert_who(&ev, "", "192.0.2.6");
	assert_int_equal(ev.flags, 0);

	/* not authentication events */
	assert_int_equal(parse("Nov 28 03:05:00 imap-login: Info: "
	    "Disconnected (no auth attempts in 0 secs): user=<>, rip=192.0.2.7",
	    &ev), EV_NONE);
	assert_int_equal(parse("Nov 28 03:05:00 imap-login: Info: "
	    "Disconnected (auth failed) user=<a>, rip=192.0.2.7", &ev),
	    EV_NONE);
	assert_int_equal(parse("Nov 28 03:05:00 imap: Info: Login: "
	    "user=<a>, method=PLAIN, rip=192.0.2.1", &ev), EV_NONE);
	assert_int_equal(parse("Nov 28 03:05:00 imap-login: Info: Login: "
	    "user=<a>, method=PLAIN", &ev), EV_NONE);
}

/* Every hostile line: the planted 6.6.6.6 and "bob" never come out. */
static void
test_hostile(void **state)
{
	static const char *const lines[] = {
		"Nov 28 04:01:00 auth: Info: passwd-file(bob,6.6.6.6,"
		    "127.0.0.9): Password mismatch",
		"Nov 28 04:01:00 auth: Info: passwd-file(bob,6.6.6.6): "
		    "Password mismatch,127.0.0.9): unknown user",
		"Nov 28 04:01:00 auth: Info: passwd-file(x rip=6.6.6.6,"
		    "127.0.0.9): Password mismatch",
		"Nov 28 04:01:00 auth: Info: passwd-file(bob from 1.2.3.4,"
		    "127.0.0.9,<s>): Password mismatch",
		"Nov 28 04:01:00 auth: Info: passwd-file([6.6.6.6],"
		    "127.0.0.9,<s>): Password mismatch",
		"Nov 28 04:01:00 auth: Info: passwd-file(bob, sasl_username=bob,"
		    "127.0.0.9,<s>): Password mismatch",
		"Nov 28 04:01:00 auth: Info: passwd-file(\"bob\",127.0.0.9):"
		    " unknown user",
		"Nov 28 04:01:00 auth: Info: passwd-file(bob,127.0.0.9): "
		    "Password mismatch (given password: x,6.6.6.6): Password "
		    "mismatch (SHA1 of given password: abc)",
		"Nov 28 04:01:00 auth: Info: passwd-file(bob): Password mismatch"
		    " (x,6.6.6.6): unknown user (given password: y)",
		"Nov 28 04:01:01 auth(bob,6.6.6.6,127.0.0.9,sasl:plain)<C>: "
		    "Info: passwd-file: Password mismatch",
		"Nov 28 04:01:01 auth(x)<a>: Info: passwd-file: Password "
		    "mismatch,6.6.6.6) foo,127.0.0.9,sasl:plain)<C>: Info: "
		    "passwd-file: unknown user",
		"Nov 28 04:02:00 imap-login: Info: Login: user=<bob, "
		    "rip=6.6.6.6>, method=PLAIN, rip=127.0.0.9, lip=127.0.0.1",
		"Nov 28 04:02:00 imap-login: Info: Login: user=<bob>, "
		    "method=PLAIN, rip=6.6.6.6>, method=PLAIN, rip=127.0.0.9",
		"Nov 28 04:02:00 imap-login: Info: Disconnected (auth failed, 1 "
		    "attempts): user=<bob from 1.2.3.4 [6.6.6.6]>, method=PLAIN, "
		    "rip=127.0.0.9, lip=127.0.0.1",
		"Nov 28 04:02:00 imap-login: Info: Logged in: user=<bob\x1b[2J>,"
		    " method=PLAIN, rip=127.0.0.9, lip=127.0.0.1",
		"Nov 28 04:02:00 imap-login: Info: Logged in: user=<bob\xff>,"
		    " method=PLAIN, rip=127.0.0.9, lip=127.0.0.1",
		"Nov 28 04:02:00 imap-login: Info: Logged in: user=<bobbobbobbob"
		    "bobbobbobbobbobbobbobbobbobbobbobbobbobbobbobbobbob...>,"
		    " method=PLAIN, rip=127.0.0.9, lip=127.0.0.1",
	};
	static const char	 nul[] = "Nov 28 04:01:00 auth: Info: "
	    "passwd-file(b\0b,127.0.0.9): unknown user";
	struct mail_event	 ev;
	char			 buf[64];
	size_t			 i;
	int			 k;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		k = parse(lines[i], &ev);
		if (k != EV_AUTH_FAIL && k != EV_AUTH_OK)
			fail_msg("line %zu: no event", i);
		mail_ip_format(&ev.client, buf, sizeof(buf));
		if (ev.account.len != 0)
			fail_msg("line %zu: account \"%.*s\"", i,
			    (int)ev.account.len, ev.account.p);
		if (strcmp(buf, "127.0.0.9") != 0 && strcmp(buf, "") != 0)
			fail_msg("line %zu: client %s", i, buf);
		if (!(ev.flags & EVF_BAD_ACCOUNT))
			fail_msg("line %zu: login not flagged", i);
	}
	/* NUL bytes inside a login */
	assert_int_equal(parse_n(nul, sizeof(nul) - 1, &ev), EV_AUTH_FAIL);
	assert_who(&ev, "", "127.0.0.9");
	assert_int_equal(ev.flags, EVF_BAD_ACCOUNT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passdb_23),
		cmocka_unit_test(test_passdb_22),
		cmocka_unit_test(test_passdb_24),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, unit_parse_teardown);
}
