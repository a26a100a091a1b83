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
#include "core/cidr.h"
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
	    600, NULL, 0, NULL, buf, sizeof(buf), 100), 2);
	assert_string_equal(buf, "127.0.22.1 2001:db8::5");
	assert_int_equal(sesspids_addrs_of(sp, 1, "judy@example.test", 1003,
	    600, NULL, 0, NULL, buf, sizeof(buf), 100), 1);
	assert_string_equal(buf, "127.0.23.1");
	/* too old */
	assert_int_equal(sesspids_addrs_of(sp, 0, "judy@example.test",
	    1001 + 601, 600, NULL, 0, NULL, buf, sizeof(buf), 100), 1);
	assert_string_equal(buf, "127.0.22.1");
	/* at most max, as many as fit */
	assert_int_equal(sesspids_addrs_of(sp, 0, "judy@example.test", 1003,
	    600, NULL, 0, NULL, buf, sizeof(buf), 1), 1);
	assert_string_equal(buf, "127.0.22.1");
	assert_int_equal(sesspids_addrs_of(sp, 0, "judy@example.test", 1003,
	    600, NULL, 0, NULL, buf, 14, 100), 1);
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

/* A log line with an address: its kind, login, address and time (server
   0; "bob"/"judy" stand for their logins at example.test). */
struct addr_line {
	enum mail_event_kind	 kind;
	const char		*login;
	const char		*ip;
	int64_t			 t;
};

/* Note the n lines of l, on server (SMTP's, no pid). */
static void
note_lines(struct sesspids *s, unsigned server, const struct addr_line *l,
    size_t n)
{
	char	 login[64];
	size_t	 i;

	for (i = 0; i < n; i++) {
		snprintf(login, sizeof(login), "%s@example.test", l[i].login);
		note_ip(s, server, l[i].kind, SVC_SMTP, login, 0, l[i].ip,
		    l[i].t);
	}
}

#define NLINES(a)	(sizeof(a) / sizeof((a)[0]))

/* judy's addresses as sesspids_addrs_of() gives them at now, the
   default window, nothing listed; what it left out in *sp. */
static size_t
judy_addrs(struct sesspids *s, int64_t now, char *buf, size_t size,
    struct sesspids_spared *sp)
{
	return sesspids_addrs_of(s, 0, "judy@example.test", now, 600, NULL,
	    0, sp, buf, size, 100);
}

/* Is what spared counts said as want? */
static void
said_is(const struct sesspids_spared *sp, const char *want)
{
	char	 said[256];

	sesspids_spared_say(sp, said, sizeof(said));
	assert_string_equal(said, want);
}

/*
 * An address another account logged in or sent from in the same window
 * is shared (a webmail, a NAT): left out of the cut, counted; one only
 * the account used stays.  Another account's failed login does not make
 * it shared (a hijacker could try one to shield its address), nor another
 * server's login.
 */
static void
test_shared_left_out(void **state)
{
	static const struct addr_line lines[] = {
		{ EV_SUBMIT, "judy", "127.0.30.1", 1000 },
		{ EV_AUTH_FAIL, "judy", "127.0.30.2", 1001 },
		{ EV_AUTH_OK, "judy", "127.0.30.3", 1002 },
		/* bob sends from the first: shared */
		{ EV_SUBMIT, "bob", "127.0.30.1", 1003 },
		/* carol's failed login from the second: not shared */
		{ EV_AUTH_FAIL, "carol", "127.0.30.2", 1004 },
	};
	static const struct addr_line other[] = {
		{ EV_AUTH_OK, "bob", "127.0.30.3", 1004 },
	};
	struct sesspids		*s = sesspids_new();
	struct sesspids_spared	 sp;
	char			 buf[128];

	(void)state;
	note_lines(s, 0, lines, NLINES(lines));
	/* bob on another server from the third: not shared here */
	note_lines(s, 1, other, NLINES(other));
	assert_int_equal(judy_addrs(s, 1005, buf, sizeof(buf), &sp), 2);
	assert_string_equal(buf, "127.0.30.3 127.0.30.2");
	assert_int_equal(sp.shared, 1);
	assert_int_equal(sp.listed, 0);
	said_is(&sp, "1 address shared with other accounts left out of the "
	    "session cut");
	/* bob's own cut spares it too: judy logged in there */
	assert_int_equal(sesspids_addrs_of(s, 0, "bob@example.test", 1005,
	    600, NULL, 0, &sp, buf, sizeof(buf), 100), 0);
	assert_string_equal(buf, "");
	assert_int_equal(sp.shared, 1);
	/* a login of bob's from the third on this server (a webmail's
	   IMAP login): shared too */
	note_lines(s, 0, other, NLINES(other));
	assert_int_equal(judy_addrs(s, 1007, buf, sizeof(buf), &sp), 1);
	assert_string_equal(buf, "127.0.30.2");
	assert_int_equal(sp.shared, 2);
	said_is(&sp, "2 addresses shared with other accounts left out of the "
	    "session cut");
	/* the pids are not touched: judy's pid is still hers */
	note(s, 0, EV_SUBMIT, SVC_SMTP, "judy@example.test", 700, 1008);
	assert_int_equal(sesspids_of(s, 0, "judy@example.test", 1009, 3600,
	    buf, sizeof(buf), 100), 1);
	assert_string_equal(buf, "700");
	sesspids_free(s);
}

/*
 * The window's edges: a line exactly max_age seconds old is in it (the
 * account's and another's alike), one a second older is not.
 */
static void
test_shared_window_edges(void **state)
{
	static const struct addr_line lines[] = {
		{ EV_SUBMIT, "bob", "127.0.31.1", 1000 },
		{ EV_SUBMIT, "bob", "127.0.31.2", 1001 },
		{ EV_SUBMIT, "judy", "127.0.31.1", 1500 },
		{ EV_SUBMIT, "judy", "127.0.31.2", 1500 },
	};
	struct sesspids		*s = sesspids_new();
	struct sesspids_spared	 sp;
	char			 buf[128];

	(void)state;
	note_lines(s, 0, lines, NLINES(lines));
	/* at 1601 bob's line of 1001 is 600 s old: in; 1000's is out */
	assert_int_equal(judy_addrs(s, 1601, buf, sizeof(buf), &sp), 1);
	assert_string_equal(buf, "127.0.31.1");
	assert_int_equal(sp.shared, 1);
	/* at 1600 both of bob's are in: both shared */
	assert_int_equal(judy_addrs(s, 1600, buf, sizeof(buf), &sp), 0);
	assert_int_equal(sp.shared, 2);
	/* at 1602 neither: both judy's alone */
	assert_int_equal(judy_addrs(s, 1602, buf, sizeof(buf), &sp), 2);
	assert_string_equal(buf, "127.0.31.2 127.0.31.1");
	assert_int_equal(sp.shared, 0);
	/* judy's own at the edge: 2100 is 600 s after 1500 */
	assert_int_equal(judy_addrs(s, 2100, buf, sizeof(buf), &sp), 2);
	assert_int_equal(judy_addrs(s, 2101, buf, sizeof(buf), &sp), 0);
	assert_int_equal(sp.shared, 0);
	sesspids_free(s);
}

/* IPv6 written in other forms, and IPv4-mapped addresses, are the same
   address (mail_ip_parse()); said as mail_ip_format() writes them. */
static void
test_shared_ipv6_forms(void **state)
{
	static const struct addr_line judy[] = {
		{ EV_SUBMIT, "judy", "2001:db8::1", 1000 },
		{ EV_SUBMIT, "judy", "::ffff:127.0.32.1", 1000 },
		{ EV_SUBMIT, "judy", "2001:DB8:0:0:0:0:0:2", 1000 },
	};
	static const struct addr_line bob[] = {
		{ EV_AUTH_OK, "bob", "2001:0db8:0000::0001", 1001 },
		{ EV_AUTH_OK, "bob", "127.0.32.1", 1001 },
	};
	struct sesspids		*s = sesspids_new();
	struct sesspids_spared	 sp;
	char			 buf[128];

	(void)state;
	note_lines(s, 0, judy, NLINES(judy));
	assert_int_equal(judy_addrs(s, 1001, buf, sizeof(buf), &sp), 3);
	assert_string_equal(buf, "2001:db8::2 127.0.32.1 2001:db8::1");
	note_lines(s, 0, bob, NLINES(bob));
	assert_int_equal(judy_addrs(s, 1002, buf, sizeof(buf), &sp), 1);
	assert_string_equal(buf, "2001:db8::2");
	assert_int_equal(sp.shared, 2);
	sesspids_free(s);
}

/*
 * The admin's list (shared_addresses): its addresses and networks are
 * never in the cut, whoever else used them; counted apart from those
 * shared with other accounts.
 */
static void
test_never_listed(void **state)
{
	static const char *const nets[] = { "127.0.0.1", "::1", "10.0.0.0/8",
	    "2001:db8:a::/48" };
	static const struct addr_line lines[] = {
		{ EV_SUBMIT, "judy", "127.0.0.1", 1000 },
		{ EV_SUBMIT, "judy", "10.200.3.4", 1000 },
		{ EV_SUBMIT, "judy", "::1", 1000 },
		{ EV_SUBMIT, "judy", "2001:db8:a:ffff::9", 1000 },
		{ EV_SUBMIT, "judy", "2001:db8:b::9", 1000 },
		{ EV_SUBMIT, "judy", "11.0.0.1", 1000 },
		{ EV_SUBMIT, "judy", "192.0.2.9", 1000 },
		{ EV_SUBMIT, "bob", "192.0.2.9", 1000 },
	};
	struct cidr		 never[4];
	struct sesspids		*s = sesspids_new();
	struct sesspids_spared	 sp;
	char			 buf[128], why[128];
	size_t			 i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(cidr_parse(nets[i], &never[i], why,
		    sizeof(why)), 0);
	note_lines(s, 0, lines, NLINES(lines));
	assert_int_equal(sesspids_addrs_of(s, 0, "judy@example.test", 1001,
	    600, never, 4, &sp, buf, sizeof(buf), 100), 2);
	assert_string_equal(buf, "11.0.0.1 2001:db8:b::9");
	assert_int_equal(sp.listed, 4);
	assert_int_equal(sp.shared, 1);
	said_is(&sp, "1 address shared with other accounts and 4 in "
	    "shared_addresses left out of the session cut");
	sp.shared = 0;
	sp.listed = 1;
	said_is(&sp, "1 address in shared_addresses left out of the session "
	    "cut");
	sp.listed = 0;
	said_is(&sp, "");
	sesspids_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_newest_line_decides),
		cmocka_unit_test(test_disconnect_ends),
		cmocka_unit_test(test_ring_bounded),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_shared_left_out),
		cmocka_unit_test(test_shared_window_edges),
		cmocka_unit_test(test_shared_ipv6_forms),
		cmocka_unit_test(test_never_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
