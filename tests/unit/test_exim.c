/*
 * test_exim.c: the Exim parser beyond the fixtures: the two events of an
 * arrival through the seam, every cut of a line, megabyte lines, message
 * id grammar, Exim's stamp inside syslog messages.
 */
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

#define ARRIVAL	"2026-11-28 03:01:06.250 [4242] 1xbHst-000000000Ab-0001 " \
	"<= judy@example.test H=(bot1.example.test) [127.200.1.12]:40312 " \
	"I=[127.0.0.1]:2626 P=esmtpa A=dovecot_login:judy@example.test " \
	"S=1234 T=\"offer\" for a@x.test b@y.test"

/*
 * Split and parse a copy of s of exactly len bytes with every backend;
 * the number of events, or -1 when the header did not split.
 */
static int
parse_n(const char *s, size_t len, struct mail_events *evs)
{
	struct log_header	 h;

	if (unit_split(s, len, &h) != 0)
		return -1;
	return backend_parse_any(&h, evs);
}

/* parse_n of a NUL-terminated line. */
static int
parse(const char *s, struct mail_events *evs)
{
	return parse_n(s, strlen(s), evs);
}

/* The event's client, as text, is want ("" for none). */
static void
assert_client(const struct mail_event *ev, const char *want)
{
	char	 buf[64];

	assert_string_equal(mail_ip_format(&ev->client, buf, sizeof(buf)),
	    want);
}

/* An arrival is SUBMIT then QUEUED, both stamped, through the seam. */
static void
test_arrival_two_events(void **state)
{
	struct mail_events	 evs;

	(void)state;
	assert_int_equal(parse(ARRIVAL, &evs), 2);
	assert_int_equal(evs.n, 2);
	assert_int_equal(evs.ev[0].kind, EV_SUBMIT);
	assert_int_equal(evs.ev[1].kind, EV_QUEUED);
	assert_mstr(&evs.ev[0].qid, "1xbHst-000000000Ab-0001");
	assert_mstr(&evs.ev[1].qid, "1xbHst-000000000Ab-0001");
	assert_mstr(&evs.ev[0].account, "judy@example.test");
	assert_client(&evs.ev[0], "127.200.1.12");
	assert_int_equal(evs.ev[0].service, SVC_SMTP);
	assert_mstr(&evs.ev[1].sender, "judy@example.test");
	assert_int_equal(evs.ev[1].size, 1234);
	assert_int_equal(evs.ev[1].nrcpt, 2);
	/* the envelope names no login or client: the detector joins by id */
	assert_int_equal(evs.ev[1].account.len, 0);
	assert_int_equal(evs.ev[1].client.family, 0);
	/* both carry the line's time, milliseconds included */
	assert_int_equal(evs.ev[0].time, REF - 8 * 3600 - 58 * 60 - 54);
	assert_int_equal(evs.ev[1].time, evs.ev[0].time);
	assert_int_equal(evs.ev[0].usec, 250000);
	assert_int_equal(evs.ev[1].usec, 250000);
	/* Exim's own format has no tag: the header's prog is empty */
	assert_int_equal(backend_exim.parse_line != NULL, 1);
	assert_ptr_equal(backend_find("exim"), &backend_exim);
}

/* The backend alone, as the seam documents it: out[0..n-1], n returned. */
static void
test_parse_line_contract(void **state)
{
	struct log_clock	 c;
	struct log_header	 h;
	struct mail_event	 out[MAIL_LINE_EVENTS];
	static const char	 pf[] = "Nov 28 03:00:26 mail postfix/qmgr[1]: "
	    "BAC3910614B: removed";
	static const char	 line[] = ARRIVAL;

	(void)state;
	log_clock_init(&c, REF);
	c.utc = 1;
	assert_int_equal(logline_split(&c, line, sizeof(line) - 1, &h), 0);
	assert_int_equal(h.prog.len, 0);
	assert_int_equal(h.host.len, 0);
	assert_true(h.msg.p >= line && h.msg.p < line + sizeof(line));
	assert_int_equal(backend_exim.parse_line(&h, out), 2);
	assert_int_equal(backend_postfix.parse_line(&h, out), 0);
	assert_int_equal(out[0].kind, EV_NONE);
	/* a Postfix line: Exim does not claim it, Postfix gives one event */
	assert_int_equal(logline_split(&c, pf, sizeof(pf) - 1, &h), 0);
	assert_false(backend_exim.claims(&h.prog));
	assert_int_equal(backend_postfix.parse_line(&h, out), 1);
	assert_int_equal(out[0].kind, EV_REMOVED);
}

/*
 * A line cut anywhere names the whole login and client or none: never a
 * shorter login ("judy@example.te") or address ("127.200.1.1").
 */
static void
test_every_cut(void **state)
{
	static const char	 line[] = ARRIVAL;
	struct mail_events	 evs;
	size_t			 n;
	int			 i, named = 0;
	char			 buf[64];

	(void)state;
	for (n = 0; n <= sizeof(line) - 1; n++) {
		if (parse_n(line, n, &evs) <= 0)
			continue;
		for (i = 0; i < evs.n; i++) {
			if (evs.ev[i].account.len > 0) {
				assert_mstr(&evs.ev[i].account,
				    "judy@example.test");
				named++;
			}
			mail_ip_format(&evs.ev[i].client, buf, sizeof(buf));
			if (buf[0] != '\0')
				assert_string_equal(buf, "127.200.1.12");
		}
	}
	/* from the end of S= on, the cut lines still name her */
	assert_true(named > 20);
}

/* Build "HEAD" + n bytes of fill + "TAIL" exactly, no terminator. */
static char *
build(const char *head, int fill, size_t n, const char *tail, size_t *len)
{
	size_t	 hl = strlen(head), tl = strlen(tail);
	char	*p;

	*len = hl + n + tl;
	assert_non_null(p = malloc(*len));
	memcpy(p, head, hl);
	memset(p + hl, fill, n);
	memcpy(p + hl + n, tail, tl);
	return p;
}

/* Megabyte set_id, HELO and recipient list: bounded, nobody misnamed. */
static void
test_megabyte_lines(void **state)
{
	struct mail_events	 evs;
	char			*p;
	size_t			 len, mb = 1024 * 1024;

	(void)state;
	/* a megabyte set_id: too long for a login, client kept */
	p = build("2026-11-28 03:01:06 1xbHst-000000000Ab-0001 <= a@x.test "
	    "H=(x) [127.9.0.1] P=esmtpa A=plain:", 'j', mb, " S=1", &len);
	assert_int_equal(parse_n(p, len, &evs), 2);
	free(p);
	assert_int_equal(evs.ev[0].account.len, 0);
	assert_true(evs.ev[0].flags & EVF_BAD_ACCOUNT);
	assert_client(&evs.ev[0], "127.9.0.1");
	assert_int_equal(evs.ev[1].size, 1);

	/* a megabyte of junk HELO: the address after it */
	p = build("2026-11-28 03:01:06 1xbHst-000000000Ab-0001 <= a@x.test "
	    "H=(", ' ', mb, ") [127.9.0.2] P=esmtpa A=plain:judy S=1", &len);
	assert_int_equal(parse_n(p, len, &evs), 2);
	free(p);
	assert_mstr(&evs.ev[0].account, "judy");
	assert_client(&evs.ev[0], "127.9.0.2");

	/* a megabyte recipient list of one-letter words */
	p = build("2026-11-28 03:01:06 1xbHst-000000000Ab-0001 <= a@x.test "
	    "H=(x) [127.9.0.3] P=esmtpa A=plain:judy S=1 for", ' ', mb,
	    " z", &len);
	assert_int_equal(parse_n(p, len, &evs), 2);
	free(p);
	assert_int_equal(evs.ev[1].nrcpt, 0);
	assert_true(evs.ev[0].flags & EVF_BAD_CLIENT);

	/* a megabyte of unclosed quote in a failed login's set_id */
	p = build("2026-11-28 03:01:06 plain authenticator failed for (x) "
	    "[127.9.0.4]: 535 Incorrect authentication data (set_id=\"", 'q',
	    mb, "", &len);
	assert_int_equal(parse_n(p, len, &evs), 1);
	free(p);
	assert_int_equal(evs.ev[0].kind, EV_AUTH_FAIL);
	assert_int_equal(evs.ev[0].account.len, 0);
	assert_client(&evs.ev[0], "127.9.0.4");

	/* a megabyte after an id: no event, nothing read past the end */
	p = build("2026-11-28 03:01:06 1xbHst-000000000Ab-0001 ", '=', mb, "",
	    &len);
	assert_int_equal(parse_n(p, len, &evs), 0);
	free(p);
}

/* Control bytes, NUL included, never end a field early or name anyone. */
static void
test_control_bytes(void **state)
{
	static const char	 nul[] = "2026-11-28 03:01:06 "
	    "1xbHst-000000000Ab-0001 <= a@x.test H=(x) [127.9.0.5] "
	    "P=esmtpa A=plain:judy\0admin S=1";
	static const char	 tab[] = "2026-11-28 03:01:06 "
	    "1xbHst-000000000Ab-0001 <= a@x.test H=(x\t[6.6.6.6]) [127.9.0.6] "
	    "P=esmtpa A=plain:judy S=1";
	static const char	 cr[] = "2026-11-28 03:01:06 "
	    "plain authenticator failed for (x) [127.9.0.7]: 535 Incorrect "
	    "authentication data (set_id=judy\r)\r";
	struct mail_events	 evs;

	(void)state;
	assert_int_equal(parse_n(nul, sizeof(nul) - 1, &evs), 2);
	assert_int_equal(evs.ev[0].account.len, 0);
	assert_true(evs.ev[0].flags & EVF_BAD_ACCOUNT);
	assert_client(&evs.ev[0], "127.9.0.5");

	assert_int_equal(parse_n(tab, sizeof(tab) - 1, &evs), 2);
	assert_mstr(&evs.ev[0].account, "judy");
	assert_client(&evs.ev[0], "127.9.0.6");

	/* one trailing CR is the line end's; the one inside is the login's */
	assert_int_equal(parse_n(cr, sizeof(cr) - 1, &evs), 1);
	assert_int_equal(evs.ev[0].account.len, 0);
	assert_true(evs.ev[0].flags & EVF_BAD_ACCOUNT);
}

/* Both id lengths, nothing else. */
static void
test_id_grammar(void **state)
{
	static const char *const good[] = {
		"1xaAkG-00074G-1T", "10HmaX-0005vi-00",
		"1xbHst-000000000Ab-0001", "16VDhn-000000001bo-D342",
		"ZZZZZZ-ZZZZZZ-ZZ",
	};
	static const char *const bad[] = {
		"", "1xaAkG-00074G-1", "1xaAkG-00074G-1TT", "1xaAkG_00074G-1T",
		"-xaAkG-00074G-1T", "1xaAkG-00074G--T", "1xaAkG-0007.G-1T",
		"1xbHst-000000000Ab-001", "1xbHst-00000000Ab-00001",
		"1xaAkG 00074G 1T", "BAC3910614B",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(exim_id_is_valid(good[i], strlen(good[i])));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(exim_id_is_valid(bad[i], strlen(bad[i])));
	assert_false(exim_id_is_valid(NULL, 16));
	assert_false(exim_id_is_valid("1xaAkG-00074G-1T\0xxxxxx", 23));
	/* an Exim id is no Postfix queue id: postsuper never sees one */
	assert_false(queue_id_is_valid("1xaAkG-00074G-1T", 16));
}

/* Exim's stamp and pid at the start of a syslog message. */
static void
test_exim_prefix(void **state)
{
	(void)state;
	assert_int_equal(logline_exim_prefix("2026-11-28 03:01:06 x", 21), 20);
	assert_int_equal(logline_exim_prefix("2026-11-28 03:01:06.123 x", 25),
	    24);
	assert_int_equal(logline_exim_prefix("2026-11-28 03:01:06 +0100 "
	    "[12] x", 32), 31);
	assert_int_equal(logline_exim_prefix("2026-11-28T03:01:06 x", 21), 0);
	assert_int_equal(logline_exim_prefix("2026-11-28 03:01:06", 19), 0);
	assert_int_equal(logline_exim_prefix("x026-11-28 03:01:06 x", 21), 0);
	assert_int_equal(logline_exim_prefix(NULL, 21), 0);
}

/* Exim's own stamp beside the formats that look like it. */
static void
test_header_forms(void **state)
{
	struct log_clock	 c;
	struct log_header	 h;
	static const char	 exim[] = "2026-11-28 03:01:06 +0530 [7] "
	    "1xbHst-0000Ab-01 Completed";
	static const char	 dv[] = "2026-11-28 03:01:06 imap-login: "
	    "Info: Login: user=<a>";
	static const char	 rs[] = "2019-10-22 03:39:17 mx1 exim[29786]: "
	    "x authenticator failed";

	(void)state;
	log_clock_init(&c, REF);
	c.utc = 1;
	assert_int_equal(logline_split(&c, exim, sizeof(exim) - 1, &h), 0);
	assert_int_equal(h.prog.len, 0);
	assert_int_equal(h.time, REF - 8 * 3600 - 58 * 60 - 54 - 5 * 3600 -
	    30 * 60);
	assert_mstr(&h.msg, "1xbHst-0000Ab-01 Completed");
	/* Dovecot's log_timestamp in ISO form is still Dovecot's */
	assert_int_equal(logline_split(&c, dv, sizeof(dv) - 1, &h), 0);
	assert_mstr(&h.prog, "imap-login");
	/* an ISO stamp before "host tag[pid]: " is syslog */
	assert_int_equal(logline_split(&c, rs, sizeof(rs) - 1, &h), 0);
	assert_mstr(&h.host, "mx1");
	assert_mstr(&h.prog, "exim");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_arrival_two_events, unit_parse_teardown),
		cmocka_unit_test(test_parse_line_contract),
		cmocka_unit_test_teardown(test_every_cut, unit_parse_teardown),
		cmocka_unit_test_teardown(test_megabyte_lines, unit_parse_teardown),
		cmocka_unit_test_teardown(test_control_bytes, unit_parse_teardown),
		cmocka_unit_test(test_id_grammar),
		cmocka_unit_test(test_exim_prefix),
		cmocka_unit_test(test_header_forms),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
