/*
 * test_geo.c: country and AS of an address through libmaxminddb (geo.c),
 * on a real MaxMind-format database that the test writes with Debian's
 * libmaxmind-db-writer-perl (tests/fixtures/geo/mkmmdb.pl) from
 * tests/fixtures/geo/networks.tsv; and the bad inputs: a missing file, a
 * file that is not a database, an address no database knows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit_files.h"
#include "detect/detector.h"
#include "detect/geo.h"

static char	 dir[] = "/tmp/mailcon-geo.XXXXXX";
static char	 db[256];

/* Write the test database once for all tests. */
static int
setup(void **state)
{
	const char	*fx = getenv("MAILCON_FIXTURES");
	char		 cmd[1024];

	(void)state;
	if (fx == NULL)
		fx = "tests/fixtures";
	uf_mkdtemp(dir);
	snprintf(db, sizeof(db), "%s/test.mmdb", dir);
	snprintf(cmd, sizeof(cmd), "perl '%s/geo/mkmmdb.pl' "
	    "'%s/geo/networks.tsv' '%s'", fx, fx, db);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot write the test database: %s "
		    "(libmaxmind-db-writer-perl: tests/deps.sh)\n", cmd);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	uf_rmtree(dir);
	return 0;
}

/* An address from text. */
static struct mail_ip
addr(const char *s)
{
	struct mail_ip	 ip;

	assert_int_equal(mail_ip_parse(s, strlen(s), &ip), 0);
	return ip;
}

/* Country and AS of IPv4 and IPv6 addresses; one the database does not
   know; a network with a country and no AS. */
static void
test_lookup(void **state)
{
	char			*paths[] = { db, NULL };
	char			 err[512];
	struct geo		*g;
	struct ip_context	 c;
	struct mail_ip		 ip;
	int			 i;

	(void)state;
	assert_non_null(g = geo_open(paths, err, sizeof(err)));
	assert_string_equal(err, "");
	ip = addr("192.0.2.77");
	assert_int_equal(geo_context(g, &ip, &c, 1), 1);
	assert_string_equal(c.cc, "DE");
	assert_int_equal(c.asn, 64496);
	assert_string_equal(c.org, "Example Carrier Mobile");
	/* again, from the cache, without the organisation */
	assert_int_equal(geo_context(g, &ip, &c, 0), 1);
	assert_string_equal(c.cc, "DE");
	assert_int_equal(c.asn, 64496);
	assert_string_equal(c.org, "");
	ip = addr("2001:db8:1ff:1::9");
	assert_int_equal(geo_context(g, &ip, &c, 0), 1);
	assert_int_equal(c.asn, 64496);
	ip = addr("203.0.113.9");
	assert_int_equal(geo_context(g, &ip, &c, 0), 1);
	assert_string_equal(c.cc, "FR");
	assert_int_equal(c.asn, 64497);
	ip = addr("203.0.113.200");
	assert_int_equal(geo_context(g, &ip, &c, 1), 1);
	assert_string_equal(c.cc, "JP");
	assert_int_equal(c.asn, 0);
	assert_string_equal(c.org, "");
	/* not in the database: unknown, every time */
	for (i = 0; i < 2; i++) {
		ip = addr("100.64.1.1");
		assert_int_equal(geo_context(g, &ip, &c, 0), 0);
		assert_string_equal(c.cc, "");
		assert_int_equal(c.asn, 0);
	}
	ip = addr("2001:db8:200::1");
	assert_int_equal(geo_context(g, &ip, &c, 0), 0);
	assert_int_equal(geo_errors(g, err, sizeof(err)), 0);
	geo_close(g);
}

/*
 * Bad databases: missing, empty, not a database.  Each is named with what
 * to do; none opens, and with a good one beside them the good one is used.
 */
static void
test_bad_files(void **state)
{
	char		 missing[300], junk[300], empty[300], err[1024];
	char		*one[2] = { NULL, NULL };
	char		*mixed[4];
	struct geo	*g;
	FILE		*f;
	int		 i;

	(void)state;
	snprintf(missing, sizeof(missing), "%s/GeoLite2-ASN.mmdb", dir);
	snprintf(junk, sizeof(junk), "%s/junk.mmdb", dir);
	snprintf(empty, sizeof(empty), "%s/empty.mmdb", dir);
	assert_non_null(f = fopen(junk, "w"));
	for (i = 0; i < 4096; i++)
		fputc((i * 7919) & 0xff, f);
	fclose(f);
	assert_non_null(f = fopen(empty, "w"));
	fclose(f);

	one[0] = missing;
	assert_null(geo_open(one, err, sizeof(err)));
	assert_non_null(strstr(err, missing));
	assert_non_null(strstr(err, "cannot read it (No such file or "
	    "directory)"));
	assert_non_null(strstr(err, "networks are prefixes meanwhile"));
	one[0] = junk;
	assert_null(geo_open(one, err, sizeof(err)));
	assert_non_null(strstr(err, junk));
	assert_non_null(strstr(err, "not a MaxMind database"));
	one[0] = empty;
	assert_null(geo_open(one, err, sizeof(err)));
	assert_non_null(strstr(err, empty));
	/* no paths: no database, nothing to say */
	assert_null(geo_open(NULL, err, sizeof(err)));
	assert_string_equal(err, "");

	mixed[0] = missing;
	mixed[1] = db;
	mixed[2] = junk;
	mixed[3] = NULL;
	assert_non_null(g = geo_open(mixed, err, sizeof(err)));
	assert_non_null(strstr(err, missing));
	assert_non_null(strstr(err, junk));
	assert_null(strstr(err, db));
	geo_close(g);
}

static int	 seen_new;

/* detector_foreach callback: is there a new-networks reason? */
static void
new_nets_cb(const struct account_report *r, void *arg)
{
	int	 i;

	(void)arg;
	for (i = 0; i < r->nreasons; i++)
		if (strstr(r->reasons[i], "networks (/16, /32) new to this "
		    "account in 6 h") != NULL || strstr(r->reasons[i],
		    "networks (AS) new") != NULL)
			seen_new = 1;
}

/*
 * The detector with the database: a phone moving between two /16s of one
 * carrier (one AS) is not in a new network, which it would be by prefix.
 */
static void
test_detector_asn(void **state)
{
	char			*paths[] = { db, NULL };
	char			 err[512];
	struct detect_config	 cfg;
	struct detector		*d[2];
	struct mail_event	 ev;
	struct geo		*g;
	const char		*carrier[] = { "198.51.100.1", "192.0.2.1",
	    "2001:db8:150::1", "198.51.100.2" };
	int			 i, k;

	(void)state;
	assert_non_null(g = geo_open(paths, err, sizeof(err)));
	detect_config_defaults(&cfg);
	for (k = 0; k < 2; k++) {
		d[k] = detector_new(&cfg);
		if (k == 1)
			detector_set_context(d[k], geo_context, g);
		memset(&ev, 0, sizeof(ev));
		ev.kind = EV_AUTH_OK;
		ev.service = SVC_SMTP;
		ev.account.p = "ph@example.com";
		ev.account.len = strlen(ev.account.p);
		ev.time = 1700000000;
		ev.client = addr("203.0.113.5");
		detector_feed(d[k], &ev);
		for (i = 0; i < 4; i++) {
			ev.time = 1700000000 + 2 * 86400 + 1200 * i;
			ev.client = addr(carrier[i]);
			detector_feed(d[k], &ev);
		}
	}
	assert_string_equal(detector_networks(d[0]),
	    "/16 and /32 prefixes (no GeoIP database: [detect] geoip)");
	assert_string_equal(detector_networks(d[1]), "AS numbers (GeoIP)");
	/* by prefix: three new networks (watch); by AS: one, no reason */
	seen_new = 0;
	detector_foreach(d[0], new_nets_cb, NULL);
	assert_int_equal(seen_new, 1);
	seen_new = 0;
	detector_foreach(d[1], new_nets_cb, NULL);
	assert_int_equal(seen_new, 0);
	for (k = 0; k < 2; k++)
		detector_free(d[k]);
	geo_close(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_detector_asn),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
