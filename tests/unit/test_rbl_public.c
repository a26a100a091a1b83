/*
 * test_rbl_public.c: which addresses a blocklist can list
 * (rbl_ip_public, console/rbl/rbl_discover.c), and when the console's
 * DNSBL checks run by themselves (config_rbl_interval,
 * console/config/config_rbl.c).  Documentation, private, shared,
 * loopback, link-local and the like are never "public": a machine that
 * has 10.0.0.5 or 192.0.2.10 on an interface has nothing to look up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "rbl/rbl_discover.h"
#include "rbl/rbl_zone.h"

/* rbl_ip_public of an address written as text. */
static int
public_of(const char *text)
{
	struct rbl_ip	 ip;
	char		 err[160];

	if (rbl_ip_parse(text, &ip, err, sizeof(err)) == -1)
		fail_msg("%s does not parse: %s", text, err);
	return rbl_ip_public(&ip);
}

static void
test_not_public(void **state)
{
	static const char *const v[] = {
		/* RFC 1918 */
		"10.0.0.5", "10.255.255.255", "172.16.0.1", "172.31.255.254",
		"192.168.1.1",
		/* RFC 6598, shared address space (carrier-grade NAT) */
		"100.64.0.1", "100.127.255.254",
		/* RFC 5737, documentation */
		"192.0.2.10", "198.51.100.7", "203.0.113.25",
		/* RFC 6890: IETF protocol assignments; RFC 2544 benchmarks */
		"192.0.0.8", "198.18.0.1", "198.19.255.254",
		/* this network, loopback, link-local, multicast, reserved */
		"0.1.2.3", "127.0.0.1", "169.254.10.1", "224.0.0.1",
		"240.0.0.1", "255.255.255.255",
		/* RFC 3849, IPv6 documentation */
		"2001:db8::1", "2001:db8:ffff:ffff::25",
		/* RFC 4193 unique local, link-local, site-local, multicast */
		"fd00::1", "fc12:3456::1", "fe80::1", "febf::1", "fec0::1",
		"ff02::1",
		/* unspecified, loopback, IPv4-mapped (judged as IPv4 too),
		   discard-only (RFC 6666), benchmarking (RFC 5180) */
		"::", "::1", "::ffff:10.0.0.5", "::ffff:192.0.2.1",
		"100::1", "2001:2::1",
		NULL
	};
	size_t	 i;

	for (i = 0; v[i] != NULL; i++)
		if (public_of(v[i]))
			fail_msg("%s counted as public", v[i]);
}

static void
test_public(void **state)
{
	static const char *const v[] = {
		"1.2.3.4", "8.8.8.8", "100.63.255.255", "100.128.0.1",
		"172.15.255.255", "172.32.0.1", "192.0.1.1", "192.0.3.1",
		"192.169.0.1", "198.17.255.255", "198.20.0.1",
		"198.51.99.1", "198.51.101.1", "203.0.112.1", "203.0.114.1",
		"223.255.255.254", "169.253.1.1",
		"2001:db9::1", "2001:db7::1", "2a00:1450:4001::1",
		"2001:4860::8888", "2001:3::1", "fbff::1",
		NULL
	};
	size_t	 i;

	for (i = 0; v[i] != NULL; i++)
		if (!public_of(v[i]))
			fail_msg("%s not counted as public", v[i]);
}

/*
 * The console checks by itself only when told to: an [rbl] interval set,
 * or a server's outbound_ips given; interval = off stops both.
 */
static void
test_start_rule(void **state)
{
	struct mailcon_config	 cfg;
	struct server_config	*sc;
	char			 err[256];

	config_init(&cfg);
	assert_int_equal(config_rbl_interval(&cfg), 0);
	sc = config_add_server(&cfg, "mx1");
	assert_int_equal(config_rbl_interval(&cfg), 0);
	assert_int_equal(config_set_outbound(sc, "outbound_ips",
	    "192.0.2.1", err, sizeof(err)), 1);
	assert_int_equal(config_rbl_interval(&cfg), 3600);
	assert_int_equal(config_set_rbl(&cfg.rbl, "interval", "off", err,
	    sizeof(err)), 1);
	assert_int_equal(config_rbl_interval(&cfg), 0);
	config_free(&cfg);

	config_init(&cfg);
	(void)config_add_server(&cfg, "mx1");
	assert_int_equal(config_set_rbl(&cfg.rbl, "interval", "2h", err,
	    sizeof(err)), 1);
	assert_int_equal(config_rbl_interval(&cfg), 7200);
	/* the default written out is a setting too */
	assert_int_equal(config_set_rbl(&cfg.rbl, "interval", "1h", err,
	    sizeof(err)), 1);
	assert_int_equal(config_rbl_interval(&cfg), 3600);
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_public),
		cmocka_unit_test(test_public),
		cmocka_unit_test(test_start_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
