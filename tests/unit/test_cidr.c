/*
 * test_cidr.c: address networks as an admin writes them
 * (console/core/cidr.c): IPv4 and IPv6, plain addresses, IPv4-mapped
 * forms, and every bad value refused with words that quote it.
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

/* Is the address text ip in the network text net? */
static int
in(const char *net, const char *ip)
{
	struct cidr	 c;
	struct mail_ip	 a;
	char		 why[256];

	if (cidr_parse(net, &c, why, sizeof(why)) == -1)
		fail_msg("%s: %s", net, why);
	assert_int_equal(mail_ip_parse(ip, strlen(ip), &a), 0);
	return cidr_contains(&c, &a);
}

static void
test_contains(void **state)
{
	(void)state;
	assert_true(in("10.0.0.0/8", "10.255.1.2"));
	assert_false(in("10.0.0.0/8", "11.0.0.0"));
	assert_true(in("192.0.2.128/25", "192.0.2.200"));
	assert_false(in("192.0.2.128/25", "192.0.2.127"));
	assert_true(in("127.0.0.1", "127.0.0.1"));
	assert_false(in("127.0.0.1", "127.0.0.2"));
	assert_true(in("0.0.0.0/0", "203.0.113.9"));
	assert_false(in("0.0.0.0/0", "2001:db8::1"));
	assert_true(in("::1", "::1"));
	assert_false(in("::1", "127.0.0.1"));
	assert_true(in("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(in("2001:db8::/33", "2001:db8:8000::1"));
	assert_true(in("2001:DB8:0:0::/64", "2001:db8::abcd"));
	/* IPv4-mapped: the IPv4 address and network */
	assert_true(in("::ffff:10.0.0.0/104", "10.1.1.1"));
	assert_true(in("10.0.0.0/8", "::ffff:10.1.1.1"));
	assert_true(in("::ffff:192.0.2.1", "192.0.2.1"));
}

/* Refused with words that quote the value and say what is expected. */
static void
test_refused(void **state)
{
	static const struct {
		const char	*text;
		const char	*words;
	} bad[] = {
		{ "", "\"\" is not an address or a network" },
		{ "localhost", "\"localhost\" is not an address" },
		{ "10.0.0/8", "\"10.0.0/8\" is not an address" },
		{ "10.0.0.0/", "0 to 32 for IPv4" },
		{ "10.0.0.0/33", "\"10.0.0.0/33\": the prefix length after "
		    "'/' is 0 to 32 for IPv4" },
		{ "10.0.0.0/-1", "0 to 32" },
		{ "10.0.0.0/08", "0 to 32" },
		{ "10.0.0.0/8/8", "0 to 32" },
		{ "2001:db8::/129", "0 to 128 for IPv6" },
		{ "::ffff:10.0.0.0/95", "96 to 128 for an IPv4-mapped" },
		{ "10.0.0.1/8", "\"10.0.0.1/8\": bits set past the prefix /8 "
		    "(the network is 10.0.0.0/8)" },
		{ "192.0.2.129/25", "(the network is 192.0.2.128/25)" },
		{ "2001:db8::1/64", "(the network is 2001:db8::/64)" },
		{ "10.0.0.0\x1b[2J", "\\x1b" },
	};
	struct cidr	 c;
	char		 why[256];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (cidr_parse(bad[i].text, &c, why, sizeof(why)) != -1)
			fail_msg("\"%s\" was taken", bad[i].text);
		if (strstr(why, bad[i].words) == NULL)
			fail_msg("\"%s\": \"%s\" does not say \"%s\"",
			    bad[i].text, why, bad[i].words);
		assert_int_equal(c.net.family, 0);
	}
}

/* The text form: a whole address without its length. */
static void
test_format(void **state)
{
	struct cidr	 c;
	char		 why[256], buf[CIDR_TEXT_MAX];

	(void)state;
	assert_int_equal(cidr_parse("10.0.0.0/8", &c, why, sizeof(why)), 0);
	assert_string_equal(cidr_format(&c, buf, sizeof(buf)), "10.0.0.0/8");
	assert_int_equal(cidr_parse("::1", &c, why, sizeof(why)), 0);
	assert_string_equal(cidr_format(&c, buf, sizeof(buf)), "::1");
	assert_int_equal(cidr_parse("::ffff:10.0.0.0/104", &c, why,
	    sizeof(why)), 0);
	assert_string_equal(cidr_format(&c, buf, sizeof(buf)), "10.0.0.0/8");
	assert_int_equal(cidr_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:"
	    "ff00/120", &c, why, sizeof(why)), 0);
	assert_string_equal(cidr_format(&c, buf, sizeof(buf)),
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
