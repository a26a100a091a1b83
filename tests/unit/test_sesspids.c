/*
 * test_sesspids.c: the processes of an account's open sessions, from the
 * log's headers (console/live/sesspids.c): a pid is the account's only
 * while its newest line with a login is the account's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "backends/event.h"
#include "live/sesspids.h"

/* Note one event of kind for login from pid (0: none) and the address ip
   (NULL: none) at time t. */
static void
note_ip(struct sesspids *sp, unsigned server, enum mail_event_kind kind,
    enum mail_service svc, const char *login, uint32_t pid, const char *ip,
    int64_t t)
{
	struct mail_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.service = svc;
	ev.account.p = login;
	ev.account.len = strlen(login);
	ev.pid = pid;
	ev.time = t;
	if (ip != NULL)
		assert_int_equal(mail_ip_parse(ip, strlen(ip), &ev.client), 0);
	sesspids_note(sp, server, &ev);
}

/* Note one event of kind for login from pid at time t. */
static void
note(struct sesspids *sp, unsigned server, enum mail_event_kind kind,
    enum mail_service svc, const char *login, uint32_t pid, int64_t t)
{
	note_ip(sp, server, kind, svc, login, pid, NULL, t);
}

static void
test_newest_line_decides(void **state)
{
	struct sesspids	*sp = sesspids_new();
	char		 buf[256];

	(void)state;
	note(sp, 0, EV_AUTH_OK, SVC_SMTP, "judy@example.test", 100, 1000);
	note(sp, 0, EV_SUBMIT, SVC_SMTP, "judy@example.test", 100, 1001);
	note(sp, 0, EV_SUBMIT, SVC_SMTP, "Judy@Example.test", 200, 1002);
	/* 300 served judy, then bob: bob's session now */
	note(sp, 0, EV_SUBMIT, SVC_SMTP, "judy@example.test", 300, 1003);
	note(sp, 0, EV_AUTH_OK, SVC_SMTP, "bob@example.test", 300, 1004);
	/* another server's pid 400; an IMAP login; a line without a pid */
	note(sp, 1, EV_SUBMIT, SVC_SMTP, "judy@example.test", 400, 1005);
	note(sp, 0, EV_AUTH_OK, SVC_IMAP, "judy@example.test", 500, 1005);
	note(sp, 0, EV_SUBMIT, SVC_SMTP, "judy@example.test", 0, 1005);
	/* a delivery line names no session */
	note(sp, 0, EV_DELIVERED, SVC_SMTP, "judy@example.test", 600, 1006);

	assert_int_equal(sesspids_of(sp, 0, "judy@example.test", 1010, 3600,
	    buf, sizeof(buf), 100), 2);
	assert_string_equal(buf, "200 100");
	assert_int_equal(sesspids_of(sp, 0, "bob@example.test", 1010, 3600,
	    buf, sizeof(buf), 100), 1);
	assert_string_equal(buf, "300");
	assert_int_equal(sesspids_of(sp, 1, "JUDY@example.test", 1010, 3600,
	    buf, sizeof(buf), 100), 1);
	assert_string_equal(buf, "400");
	/* too old: no session open from then */
	assert_int_equal(sesspids_of(sp, 0, "judy@example.test", 1001 + 3601,
	    3600, buf, sizeof(buf), 100), 1);
	assert_string_equal(buf, "200");
	/* at most max, as many as fit */
	assert_int_equal(sesspids_of(sp, 0, "judy@example.test", 1010, 3600,
	    buf, sizeof(buf), 1), 1);
	assert_string_equal(buf, "200");
	assert_int_equal(sesspids_of(sp, 0, "judy@example.test", 1010, 3600,
	    buf, 5, 100), 1);
	assert_string_equal(buf, "200");
	assert_int_equal(sesspids_of(sp, 0, "nobody", 1010, 3600, buf,
	    sizeof(buf), 100), 0);
	assert_string_equal(buf, "");
	sesspids_free(sp);
}

/*
 * A session's end ("disconnect from", EV_DISCONNECT, no login) ends its
 * pid's attribution: the smtpd is idle, or serves another client, until
 * its next line with a login.
 */
static void
test_disconnect_ends(void **state)
{
	struct sesspids	*sp = sesspids_new();
	char		 buf[64];

	(void)state;
	note(sp, 0, EV_SUBMIT, SVC_SMTP, "judy@example.test", 100, 1000);
	note(sp, 0, EV_SUBMIT, SVC_SMTP, "judy@example.test", 200, 1000);
	note(sp, 0, EV_DISCONNECT, SVC_SMTP, "", 100, 1001);
	/* another server's pid 200 ended: not this one's */
	note(sp, 1, EV_DISCONNECT, SVC_SMTP, "", 200, 1001);
	assert_int_equal(sesspids_of(sp, 0, "judy@example.test", 1002, 3600,
	    buf, sizeof(buf), 100), 1);
	assert_string_equal(buf, "200");
	/* the same process serves judy again: hers again */
	note(sp, 0, EV_AUTH_OK, SVC_SMTP, "judy@example.test", 100, 1003);
	assert_int_equal(sesspids_of(sp, 0, "judy@example.test", 1004, 3600,
	    buf, sizeof(buf), 100), 2);
	assert_string_equal(buf, "100 200");
	/* an end without a pid names nothing */
	note(sp, 0, EV_DISCONNECT, SVC_SMTP, "", 0, 1005);
	assert_int_equal(sesspids_of(sp, 0, "judy@example.test", 1006, 3600,
	    buf, sizeof(buf), 100), 2);
	sesspids_free(sp);
}

/*
 * The addresses its logins came from (Dovecot's auth lines have no
 * session pid, and come before the session sends anything): newest
 * first, once each, of this server and account, recent ones only.
 */
static void
test_addresses(void **state)
{
	struct sesspids	*sp = sesspids_new();
	char		 buf[128];

	(void)state;
	note_ip(sp, 0, EV_AUTH_FAIL, SVC_UNKNOWN, "judy@example.test", 0,
	    "127.0.22.1", 1000);
	note_ip(sp, 0, EV_SUBMIT, SVC_SMTP, "Judy@example.test", 0,
	    "2001:db8::5", 1001);
	note_ip(sp, 0, EV_AUTH_FAIL, SVC_UNKNOWN, "judy@example.test", 0,
	    "127.0.22.1", 1002);
	note_ip(sp, 0, EV_AUTH_OK, SVC_IMAP, "bob@example.test", 0,
	    "127.0.22.9", 1002);
	note_ip(sp, 1, EV_AUTH_OK, SVC_SMTP, "judy@example.test", 0,
	    "127.0.23.1", 1002);
	/* a delivery's address is the recipient's server's */
	note_ip(sp, 0, EV_DELIVERED, SVC_SMTP, "judy@example.test", 0,
	    "127.0.24.1", 1002);
	assert_int_equal(sesspids_addrs_of(sp, 0, "judy@example.test", 1003,
	    600, buf, sizeof(buf), 100), 2);
	assert_string_equal(buf, "127.0.22.1 2001:db8::5");
	assert_int_equal(sesspids_addrs_of(sp, 1, "judy@example.test", 1003,
	    600, buf, sizeof(buf), 100), 1);
	assert_string_equal(buf, "127.0.23.1");
	/* too old */
	assert_int_equal(sesspids_addrs_of(sp, 0, "judy@example.test",
	    1001 + 601, 600, buf, sizeof(buf), 100), 1);
	assert_string_equal(buf, "127.0.22.1");
	/* at most max, as many as fit */
	assert_int_equal(sesspids_addrs_of(sp, 0, "judy@example.test", 1003,
	    600, buf, sizeof(buf), 1), 1);
	assert_string_equal(buf, "127.0.22.1");
	assert_int_equal(sesspids_addrs_of(sp, 0, "judy@example.test", 1003,
	    600, buf, 14, 100), 1);
	assert_string_equal(buf, "127.0.22.1");
	/* the pids are not the addresses' */
	assert_int_equal(sesspids_of(sp, 0, "judy@example.test", 1003, 3600,
	    buf, sizeof(buf), 100), 0);
	sesspids_free(sp);
}

/* The ring forgets the oldest lines: bounded memory, whatever the log. */
static void
test_ring_bounded(void **state)
{
	struct sesspids	*sp = sesspids_new();
	char		 buf[64];
	uint32_t	 i;

	(void)state;
	note(sp, 0, EV_SUBMIT, SVC_SMTP, "judy@example.test", 7, 1000);
	for (i = 0; i < SESSPIDS_RING; i++)
		note(sp, 0, EV_SUBMIT, SVC_SMTP, "bob@example.test",
		    1000 + i, 1001);
	assert_int_equal(sesspids_of(sp, 0, "judy@example.test", 1002, 3600,
	    buf, sizeof(buf), 100), 0);
	sesspids_free(sp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_newest_line_decides),
		cmocka_unit_test(test_disconnect_ends),
		cmocka_unit_test(test_ring_bounded),
		cmocka_unit_test(test_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
