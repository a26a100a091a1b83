/*
 * test_detail.c: the addresses of an account's detail (detect_detail.c):
 * latest sighting first, then the most used, then by address, so that
 * rows of equal standing keep their places from one refresh to the next
 * whatever order the detector's table holds them in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "detect/detect_detail.h"
#include "detect/detector.h"

#define T0	1700000000

/* A login of acct from 127.0.d1.d2 at t. */
static void
login_from(struct detector *d, int64_t t, const char *acct, unsigned d1,
    unsigned d2)
{
	struct mail_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_AUTH_OK;
	ev.service = SVC_SMTP;	/* only SMTP logins count their addresses */
	ev.time = t;
	ev.account.p = acct;
	ev.account.len = strlen(acct);
	ev.client.family = 4;
	ev.client.bytes[0] = 127;
	ev.client.bytes[2] = (uint8_t)d1;
	ev.client.bytes[3] = (uint8_t)d2;
	detector_feed(d, &ev);
}

/* The detail's addresses as "d1.d2/count" words. */
static void
order(struct detector *d, const char *acct, char *out, size_t size)
{
	struct account_detail	 det;
	struct account_ip	 ips[32];
	size_t			 i, n = 0;

	assert_int_equal(detector_detail(d, detector_find(d, acct), &det, ips,
	    32), 0);
	out[0] = '\0';
	for (i = 0; i < det.nips; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%u.%u/%u",
		    i ? " " : "", ips[i].ip.bytes[2], ips[i].ip.bytes[3],
		    ips[i].count);
}

/* Ties in time and count come in address order, fed in any order. */
static void
test_ip_order(void **state)
{
	static const unsigned	 feed[][2] = { { 9, 200 }, { 0, 7 },
	    { 9, 3 }, { 0, 30 }, { 1, 1 } };
	struct detect_config	 cfg;
	struct detector		*d;
	char			 got[256];
	size_t			 i;
	int			 round;

	for (round = 0; round < 2; round++) {
		detect_config_defaults(&cfg);
		d = detector_new(&cfg);
		/* the same second for all, fed forwards then backwards */
		for (i = 0; i < 5; i++) {
			size_t	 k = round == 0 ? i : 4 - i;

			login_from(d, T0, "judy@example.test", feed[k][0],
			    feed[k][1]);
		}
		/* one used twice, one seen a second later */
		login_from(d, T0, "judy@example.test", 9, 200);
		login_from(d, T0 + 1, "judy@example.test", 5, 5);
		order(d, "judy@example.test", got, sizeof(got));
		assert_string_equal(got,
		    "5.5/1 9.200/2 0.7/1 0.30/1 1.1/1 9.3/1");
		detector_free(d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
