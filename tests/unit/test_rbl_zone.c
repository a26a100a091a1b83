/*
 * test_rbl_zone.c: what a DNSBL answer means (console/rbl/rbl_zone.c,
 * console/rbl/rbl_answer.c): query names (IPv4 octets, IPv6 nibbles), strict
 * address, zone and resolver validation, every branch of the
 * classification, health checks, TXT sanitising, the [rbl] config keys.
 * The rule under test throughout: nothing but NXDOMAIN from a healthy zone
 * is ever "clean".
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

#include "config/config.h"
#include "rbl/rbl_zone.h"

/* A DNS response under construction. */
struct pkt {
	unsigned char	 b[1024];
	size_t		 len;
	int		 an, ns;
};

static void
put16(struct pkt *p, unsigned v)
{
	p->b[p->len++] = (unsigned char)(v >> 8);
	p->b[p->len++] = (unsigned char)v;
}

static void
put32(struct pkt *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

/* Header and the question "2.0.0.127.zen.spamhaus.org" A. */
static void
pkt_start(struct pkt *p, int rcode)
{
	static const char	*labels[] = { "2", "0", "0", "127", "zen",
	    "spamhaus", "org" };
	size_t			 i;

	memset(p, 0, sizeof(*p));
	put16(p, 0x1234);
	put16(p, 0x8180 | rcode);
	put16(p, 1);
	put16(p, 0);
	put16(p, 0);
	put16(p, 0);
	for (i = 0; i < 7; i++) {
		p->b[p->len++] = (unsigned char)strlen(labels[i]);
		memcpy(p->b + p->len, labels[i], strlen(labels[i]));
		p->len += strlen(labels[i]);
	}
	p->b[p->len++] = 0;
	put16(p, 1);
	put16(p, 1);
}

/* Fix the counts in the header. */
static void
pkt_end(struct pkt *p)
{
	p->b[6] = (unsigned char)(p->an >> 8);
	p->b[7] = (unsigned char)p->an;
	p->b[8] = (unsigned char)(p->ns >> 8);
	p->b[9] = (unsigned char)p->ns;
}

/* An answer record owned by the question's name (a pointer to it). */
static void
pkt_rr(struct pkt *p, unsigned type, uint32_t ttl, const void *rd,
    size_t rdlen)
{
	put16(p, 0xc00c);
	put16(p, type);
	put16(p, 1);
	put32(p, ttl);
	put16(p, (unsigned)rdlen);
	memcpy(p->b + p->len, rd, rdlen);
	p->len += rdlen;
}

static void
pkt_a(struct pkt *p, uint32_t addr, uint32_t ttl)
{
	unsigned char	 rd[4] = { addr >> 24, addr >> 16, addr >> 8, addr };

	pkt_rr(p, 1, ttl, rd, 4);
	p->an++;
}

/* A TXT record of one character-string. */
static void
pkt_txt(struct pkt *p, const char *s, size_t n)
{
	unsigned char	 rd[300];

	rd[0] = (unsigned char)n;
	memcpy(rd + 1, s, n);
	pkt_rr(p, 16, 600, rd, n + 1);
	p->an++;
}

/* An SOA in the authority section: "a. b. serial refresh retry expire min". */
static void
pkt_soa(struct pkt *p, uint32_t ttl, uint32_t minimum)
{
	unsigned char	 rd[32] = { 1, 'a', 0, 1, 'b', 0 };
	size_t		 i;

	for (i = 0; i < 4; i++)
		memset(rd + 6 + i * 4, 0, 4);
	rd[22] = minimum >> 24;
	rd[23] = minimum >> 16;
	rd[24] = minimum >> 8;
	rd[25] = (unsigned char)minimum;
	pkt_rr(p, 6, ttl, rd, 26);
	p->ns++;
}

/* Parse p and classify it for zone; the verdict. */
static struct rbl_verdict
judge(struct pkt *p, const char *zone)
{
	struct rbl_answer	 a;
	struct rbl_verdict	 v;

	pkt_end(p);
	assert_int_equal(rbl_answer_parse(p->b, p->len, &a), 0);
	rbl_classify(rbl_zone_find(zone), RBL_Q_ANSWER, &a, 5000, &v);
	if (v.status == RBL_LISTED)
		rbl_verdict_txt(&v, &a);
	return v;
}

#define ADDR(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void
test_query_names(void **state)
{
	struct rbl_ip	 ip;
	char		 err[160], q[RBL_NAME_MAX];

	assert_int_equal(rbl_ip_parse("192.0.2.10", &ip, err, sizeof(err)), 0);
	assert_int_equal(rbl_query_name(&ip, "zen.spamhaus.org", q,
	    sizeof(q)), 0);
	assert_string_equal(q, "10.2.0.192.zen.spamhaus.org");
	assert_int_equal(rbl_ip_parse("2001:DB8::567:89ab", &ip, err,
	    sizeof(err)), 0);
	assert_string_equal(ip.text, "2001:db8::567:89ab");
	assert_int_equal(rbl_query_name(&ip, "zen.spamhaus.org", q,
	    sizeof(q)), 0);
	/* RFC 5782 section 2.4's example */
	assert_string_equal(q, "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org");
	/* an IPv4-mapped address is checked as the IPv4 address */
	assert_int_equal(rbl_ip_parse("::ffff:198.51.100.7", &ip, err,
	    sizeof(err)), 0);
	assert_int_equal(ip.family, RBL_V4);
	assert_int_equal(rbl_query_name(&ip, "bl.spamcop.net", q, sizeof(q)),
	    0);
	assert_string_equal(q, "7.100.51.198.bl.spamcop.net");
	/* the test entries */
	rbl_test_ip(RBL_V4, 1, &ip);
	assert_string_equal(ip.text, "127.0.0.2");
	rbl_test_ip(RBL_V6, 0, &ip);
	assert_int_equal(ip.family, RBL_V6);
	rbl_query_name(&ip, "z.test", q, sizeof(q));
	assert_string_equal(q, "1.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.0.0.0.0.z.test");
	/* too long for a DNS name */
	assert_int_equal(rbl_query_name(&ip, "z.test", q, 40), -1);
}

static void
test_bad_ips(void **state)
{
	static const struct { const char *s, *says; } bad[] = {
		{ "", "empty" },
		{ "1.2.3", "not an IPv4 or IPv6" },
		{ "256.1.1.1", "not an IPv4 or IPv6" },
		{ "01.2.3.4", "not an IPv4 or IPv6" },
		{ "1.2.3.4 ", "byte 0x20" },
		{ " 1.2.3.4", "byte 0x20" },
		{ "1.2.3.4\n", "byte 0x0a" },
		{ "1.2.3.4\x1b[2J", "byte 0x1b" },
		{ "192.0.2.0/24", "is a network" },
		{ "192.0.2.1:25", "no port" },
		{ "mail.example.org", "not an IPv4 or IPv6" },
		{ "fe80::1%eth0", "not an IPv4 or IPv6" },
		{ "2001:db8::g", "not an IPv4 or IPv6" },
		{ "1:2:3:4:5:6:7:8:9", "not an IPv4 or IPv6" },
		{ "-1.2.3.4", "not an IPv4 or IPv6" },
	};
	struct rbl_ip	 ip;
	char		 err[160];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (rbl_ip_parse(bad[i].s, &ip, err, sizeof(err)) != -1)
			fail_msg("\"%s\" accepted", bad[i].s);
		if (strstr(err, bad[i].says) == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", bad[i].s, err,
			    bad[i].says);
		/* the message itself never carries a control byte */
		for (const char *p = err; *p != '\0'; p++)
			assert_true((unsigned char)*p >= 0x20);
	}
}

static void
test_zone_names(void **state)
{
	static const struct { const char *s, *says; } bad[] = {
		{ "", "empty" },
		{ ".", "empty" },
		{ "localhost", "at least two labels" },
		{ "zen..spamhaus.org", "empty label" },
		{ ".zen.spamhaus.org", "empty label" },
		{ "-zen.spamhaus.org", "start or end with '-'" },
		{ "zen-.spamhaus.org", "start or end with '-'" },
		{ "zen.spam haus.org", "byte 0x20" },
		{ "zen.spamhaus.org\n", "byte 0x0a" },
		{ "zen_x.spamhaus.org", "byte 0x5f" },
		{ "zen.spamhaus.org;rm", "byte 0x3b" },
		{ "zen.spamhaus..", "empty label" },
	};
	char		 out[RBL_ZONE_MAX + 1], err[200], lng[300];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (rbl_zone_name(bad[i].s, out, sizeof(out), err,
		    sizeof(err)) != -1)
			fail_msg("\"%s\" accepted", bad[i].s);
		if (strstr(err, bad[i].says) == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", bad[i].s, err,
			    bad[i].says);
		assert_null(strchr(err, '\n'));
	}
	memset(lng, 'a', sizeof(lng));
	memcpy(lng + 64, ".org", 5);
	assert_int_equal(rbl_zone_name(lng, out, sizeof(out), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than 63"));
	for (i = 0; i < 250; i += 2) {
		lng[i] = 'a';
		lng[i + 1] = '.';
	}
	memcpy(lng + 250, "org", 4);
	assert_int_equal(rbl_zone_name(lng, out, sizeof(out), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
	/* good: lower-cased, trailing dot dropped */
	assert_int_equal(rbl_zone_name("ZEN.Spamhaus.ORG.", out, sizeof(out),
	    err, sizeof(err)), 0);
	assert_string_equal(out, "zen.spamhaus.org");
	assert_int_equal(rbl_zone_name("dnsbl-1.uceprotect.net", out,
	    sizeof(out), err, sizeof(err)), 0);
	assert_non_null(rbl_zone_find("ZEN.spamhaus.org"));
	assert_null(rbl_zone_find("zen.spamhaus.org.example"));
}

/* NXDOMAIN is clean, with the SOA's negative TTL; without SOA the default. */
static void
test_clean(void **state)
{
	struct pkt		 p;
	struct rbl_verdict	 v;

	pkt_start(&p, 3);
	pkt_soa(&p, 900, 150);
	v = judge(&p, "zen.spamhaus.org");
	assert_int_equal(v.status, RBL_CLEAN);
	assert_int_equal(v.ttl, 150);
	pkt_start(&p, 3);
	pkt_soa(&p, 60, 3600);
	v = judge(&p, "zen.spamhaus.org");
	assert_int_equal(v.ttl, 60);
	pkt_start(&p, 3);
	v = judge(&p, "zen.spamhaus.org");
	assert_int_equal(v.status, RBL_CLEAN);
	assert_int_equal(v.ttl, RBL_NEG_TTL);
}

/* Two codes of ZEN: both decoded, TXT kept sanitised. */
static void
test_listed(void **state)
{
	static const char	 txt[] = "Listed\x1b[2J by \x07SBL\xe2\x80\xae"
	    " https://x\n";
	struct pkt		 p;
	struct rbl_verdict	 v;

	pkt_start(&p, 0);
	pkt_a(&p, ADDR(127, 0, 0, 2), 300);
	pkt_a(&p, ADDR(127, 0, 0, 4), 120);
	pkt_txt(&p, txt, sizeof(txt) - 1);
	v = judge(&p, "zen.spamhaus.org");
	assert_int_equal(v.status, RBL_LISTED);
	assert_int_equal(v.ncodes, 2);
	assert_int_equal(v.ttl, 120);
	assert_non_null(strstr(v.meaning, "Spamhaus SBL"));
	assert_non_null(strstr(v.meaning, "Spamhaus XBL"));
	assert_non_null(strstr(v.txt, "Listed"));
	for (const char *c = v.txt; *c != '\0'; c++)
		assert_true((unsigned char)*c >= 0x20 &&
		    (unsigned char)*c != 0x7f);
	assert_null(strstr(v.txt, "\xe2\x80\xae"));
	assert_non_null(strstr(v.txt, "\\x1b"));
	/* PBL and CSS and DROP */
	pkt_start(&p, 0);
	pkt_a(&p, ADDR(127, 0, 0, 10), 300);
	pkt_a(&p, ADDR(127, 0, 0, 3), 300);
	pkt_a(&p, ADDR(127, 0, 0, 9), 300);
	v = judge(&p, "zen.spamhaus.org");
	assert_non_null(strstr(v.meaning, "PBL"));
	assert_non_null(strstr(v.meaning, "CSS"));
	assert_non_null(strstr(v.meaning, "DROP"));
	/* an undocumented code of a known list, and any code of another */
	pkt_start(&p, 0);
	pkt_a(&p, ADDR(127, 0, 0, 77), 300);
	v = judge(&p, "bl.spamcop.net");
	assert_int_equal(v.status, RBL_LISTED);
	assert_non_null(strstr(v.meaning, "not a documented code"));
	pkt_start(&p, 0);
	pkt_a(&p, ADDR(127, 0, 0, 2), 300);
	v = judge(&p, "my.list.example");
	assert_int_equal(v.status, RBL_LISTED);
	assert_string_equal(v.meaning, "127.0.0.2 listed");
}

/* Spamhaus' 127.255.255.x are errors, never listings, never clean. */
static void
test_error_codes(void **state)
{
	static const struct { int last; const char *says; } codes[] = {
		{ 252, "typo" }, { 254, "public/open resolver" },
		{ 255, "excessive" }, { 253, "error code 127.255.255.253" },
	};
	struct pkt		 p;
	struct rbl_verdict	 v;
	size_t			 i;

	for (i = 0; i < 4; i++) {
		pkt_start(&p, 0);
		pkt_a(&p, ADDR(127, 255, 255, codes[i].last), 300);
		v = judge(&p, "zen.spamhaus.org");
		assert_int_equal(v.status, RBL_UNKNOWN);
		if (strstr(v.reason, codes[i].says) == NULL)
			fail_msg("127.255.255.%d: %s", codes[i].last, v.reason);
	}
	/* mixed with a listing code: still not believed */
	pkt_start(&p, 0);
	pkt_a(&p, ADDR(127, 0, 0, 2), 300);
	pkt_a(&p, ADDR(127, 255, 255, 254), 300);
	v = judge(&p, "zen.spamhaus.org");
	assert_int_equal(v.status, RBL_UNKNOWN);
	/* any list: the generic words */
	pkt_start(&p, 0);
	pkt_a(&p, ADDR(127, 255, 255, 254), 300);
	v = judge(&p, "other.example");
	assert_int_equal(v.status, RBL_UNKNOWN);
	assert_non_null(strstr(v.reason, "error code"));
}

/* An answer outside 127/8 is a resolver error; NODATA and rcodes unknown. */
static void
test_wrong_answers(void **state)
{
	static const struct { int rcode; const char *says; } rc[] = {
		{ 2, "SERVFAIL" }, { 5, "REFUSED" }, { 1, "rcode 1" },
		{ 4, "rcode 4" },
	};
	struct pkt		 p;
	struct rbl_verdict	 v;
	size_t			 i;

	pkt_start(&p, 0);
	pkt_a(&p, ADDR(198, 51, 100, 7), 300);
	v = judge(&p, "zen.spamhaus.org");
	assert_int_equal(v.status, RBL_ERROR);
	assert_non_null(strstr(v.reason, "198.51.100.7"));
	assert_non_null(strstr(v.reason, "hijack"));
	pkt_start(&p, 0);
	pkt_a(&p, ADDR(127, 0, 0, 2), 300);
	pkt_a(&p, ADDR(10, 0, 0, 1), 300);
	v = judge(&p, "zen.spamhaus.org");
	assert_int_equal(v.status, RBL_ERROR);
	pkt_start(&p, 0);
	pkt_txt(&p, "only txt", 8);
	v = judge(&p, "zen.spamhaus.org");
	assert_int_equal(v.status, RBL_UNKNOWN);
	assert_non_null(strstr(v.reason, "NODATA"));
	for (i = 0; i < 4; i++) {
		pkt_start(&p, rc[i].rcode);
		v = judge(&p, "zen.spamhaus.org");
		assert_int_equal(v.status, RBL_UNKNOWN);
		if (strstr(v.reason, rc[i].says) == NULL)
			fail_msg("rcode %d: %s", rc[i].rcode, v.reason);
	}
}

/* How a query failed before any answer: never clean. */
static void
test_query_errors(void **state)
{
	static const struct { enum rbl_qerr q; enum rbl_status st;
	    const char *says; } qe[] = {
		{ RBL_Q_TIMEOUT, RBL_UNKNOWN, "1500 ms (timeout)" },
		{ RBL_Q_SERVFAIL, RBL_UNKNOWN, "SERVFAIL" },
		{ RBL_Q_REFUSED, RBL_UNKNOWN, "REFUSED" },
		{ RBL_Q_UNREACHABLE, RBL_UNKNOWN, "cannot be reached" },
		{ RBL_Q_BADRESP, RBL_ERROR, "garbage" },
		{ RBL_Q_OTHER, RBL_UNKNOWN, "failed" },
	};
	struct rbl_verdict	 v;
	size_t			 i;

	for (i = 0; i < sizeof(qe) / sizeof(qe[0]); i++) {
		rbl_classify(NULL, qe[i].q, NULL, 1500, &v);
		assert_int_equal(v.status, qe[i].st);
		if (strstr(v.reason, qe[i].says) == NULL)
			fail_msg("qerr %d: %s", (int)qe[i].q, v.reason);
	}
}

/* Malformed responses are refused by the parser. */
static void
test_garbage(void **state)
{
	struct pkt		 p;
	struct rbl_answer	 a;
	unsigned char		 junk[64] = { 0 };
	size_t			 cut, i;

	assert_int_equal(rbl_answer_parse(junk, 5, &a), -1);
	pkt_start(&p, 0);
	pkt_a(&p, ADDR(127, 0, 0, 2), 300);
	pkt_end(&p);
	for (cut = 12; cut < p.len; cut++)
		assert_int_equal(rbl_answer_parse(p.b, cut, &a), -1);
	/* a query, not a response */
	p.b[2] &= 0x7f;
	assert_int_equal(rbl_answer_parse(p.b, p.len, &a), -1);
	/* an A record of 5 bytes */
	pkt_start(&p, 0);
	pkt_rr(&p, 1, 60, "\x7f\0\0\2\0", 5);
	p.an++;
	pkt_end(&p);
	assert_int_equal(rbl_answer_parse(p.b, p.len, &a), -1);
	/* random bytes never crash */
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 37 + 11);
	junk[2] = 0x80;
	(void)rbl_answer_parse(junk, sizeof(junk), &a);
}

/*
 * Compression pointer loops: the question's name is a pointer to itself,
 * the answer's name a label and then a pointer back to that label.  Names
 * are stepped over, never followed, so the A record behind them is read;
 * a parser that followed pointers without a bound would spin here, and
 * the alarm fails the test.
 */
static void
test_pointer_loop(void **state)
{
	struct pkt		 p;
	struct rbl_answer	 a;
	size_t			 owner;

	memset(&p, 0, sizeof(p));
	put16(&p, 0x1234);
	put16(&p, 0x8180);
	put16(&p, 1);
	put16(&p, 0);
	put16(&p, 0);
	put16(&p, 0);
	assert_int_equal(p.len, 12);
	put16(&p, 0xc000 | 12);		/* the name at 12 points to 12 */
	put16(&p, 1);
	put16(&p, 1);
	owner = p.len;
	p.b[p.len++] = 1;
	p.b[p.len++] = 'a';
	put16(&p, 0xc000 | (unsigned)owner);	/* "a", then "a" again ... */
	put16(&p, 1);
	put16(&p, 1);
	put32(&p, 60);
	put16(&p, 4);
	put32(&p, ADDR(127, 0, 0, 2));
	p.an = 1;
	pkt_end(&p);
	alarm(10);
	assert_int_equal(rbl_answer_parse(p.b, p.len, &a), 0);
	alarm(0);
	assert_int_equal(a.rcode, 0);
	assert_int_equal(a.na, 1);
	assert_int_equal(a.a[0], ADDR(127, 0, 0, 2));
	assert_int_equal(a.ttl, 60);
}

static void
test_health(void **state)
{
	struct rbl_verdict	 listed, clean, unknown, v;
	char			 why[256];

	memset(&listed, 0, sizeof(listed));
	listed.status = RBL_LISTED;
	memset(&clean, 0, sizeof(clean));
	clean.status = RBL_CLEAN;
	rbl_classify(NULL, RBL_Q_TIMEOUT, NULL, 900, &unknown);

	assert_int_equal(rbl_health_judge(RBL_V4, &listed, &clean, why,
	    sizeof(why)), RBL_HEALTH_OK);
	assert_int_equal(rbl_health_judge(RBL_V4, &listed, &listed, why,
	    sizeof(why)), RBL_HEALTH_BROKEN);
	assert_non_null(strstr(why, "lists everything"));
	assert_int_equal(rbl_health_judge(RBL_V6, &clean, &clean, why,
	    sizeof(why)), RBL_HEALTH_DEAD);
	assert_non_null(strstr(why, "::ffff:127.0.0.2"));
	assert_int_equal(rbl_health_judge(RBL_V4, &unknown, &clean, why,
	    sizeof(why)), RBL_HEALTH_UNKNOWN);
	assert_non_null(strstr(why, "timeout"));
	assert_int_equal(rbl_health_judge(RBL_V4, &listed, &unknown, why,
	    sizeof(why)), RBL_HEALTH_UNKNOWN);

	/* a broken zone's listing is not believed; a good one stands */
	v = listed;
	rbl_verdict_health(&v, RBL_HEALTH_BROKEN, "lists everything");
	assert_int_equal(v.status, RBL_UNKNOWN);
	assert_non_null(strstr(v.reason, "lists everything"));
	v = listed;
	rbl_verdict_health(&v, RBL_HEALTH_OK, "");
	assert_int_equal(v.status, RBL_LISTED);
	/* "clean" needs a healthy zone, nothing less */
	v = clean;
	rbl_verdict_health(&v, RBL_HEALTH_OK, "");
	assert_int_equal(v.status, RBL_CLEAN);
	v = clean;
	rbl_verdict_health(&v, RBL_HEALTH_DEAD, "dead");
	assert_int_equal(v.status, RBL_UNKNOWN);
	v = clean;
	rbl_verdict_health(&v, RBL_HEALTH_UNKNOWN, "probe timed out");
	assert_int_equal(v.status, RBL_UNKNOWN);
	v = clean;
	rbl_verdict_health(&v, RBL_HEALTH_UNTESTED, "untested");
	assert_int_equal(v.status, RBL_UNKNOWN);
	/* unknown and error stay what they are */
	v = unknown;
	rbl_verdict_health(&v, RBL_HEALTH_OK, "");
	assert_int_equal(v.status, RBL_UNKNOWN);
}

static void
test_urls_and_catalogue(void **state)
{
	const struct rbl_zone	*z;
	struct rbl_ip		 ip;
	char			 url[256], err[80];
	int			 v6 = 0, n = 0;

	rbl_ip_parse("192.0.2.10", &ip, err, sizeof(err));
	rbl_url(rbl_links[0].url, &ip, url, sizeof(url));
	assert_string_equal(url, "https://talosintelligence.com/"
	    "reputation_center/lookup?search=192.0.2.10");
	rbl_url(NULL, &ip, url, sizeof(url));
	assert_string_equal(url, "");
	for (z = rbl_zones; z->name != NULL; z++) {
		char	 out[RBL_ZONE_MAX + 1];

		assert_int_equal(rbl_zone_name(z->name, out, sizeof(out), err,
		    sizeof(err)), 0);
		assert_non_null(z->delist);
		assert_non_null(strstr(z->delist, "https://"));
		assert_non_null(z->codes);
		v6 |= (z->families & RBL_V6) != 0;
		n += z->by_default;
	}
	assert_true(v6);
	assert_int_equal(n, 6);
}

/* The [rbl] keys and outbound_ips: good values taken, bad ones named. */
static void
test_config(void **state)
{
	struct mailcon_config	 cfg;
	struct server_config	*sc;
	char			 err[256];

	config_init(&cfg);
	assert_int_equal(cfg.rbl.concurrency, 32);
	assert_int_equal(config_set_rbl(&cfg.rbl, "zones", "ZEN.spamhaus.org,"
	    " bl.spamcop.net", err, sizeof(err)), 1);
	assert_string_equal(cfg.rbl.zones[0], "zen.spamhaus.org");
	assert_string_equal(cfg.rbl.zones[1], "bl.spamcop.net");
	assert_null(cfg.rbl.zones[2]);
	assert_int_equal(config_set_rbl(&cfg.rbl, "zones", "bad..zone", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "zones: "));
	assert_string_equal(cfg.rbl.zones[0], "zen.spamhaus.org");
	assert_int_equal(config_set_rbl(&cfg.rbl, "resolver", "127.0.0.1:53",
	    err, sizeof(err)), 1);
	assert_int_equal(config_set_rbl(&cfg.rbl, "resolver", "dns.google",
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "resolver"));
	assert_int_equal(config_set_rbl(&cfg.rbl, "timeout", "1500ms", err,
	    sizeof(err)), 1);
	assert_int_equal(cfg.rbl.timeout_ms, 1500);
	assert_int_equal(config_set_rbl(&cfg.rbl, "timeout", "2s", err,
	    sizeof(err)), 1);
	assert_int_equal(cfg.rbl.timeout_ms, 2000);
	assert_int_equal(config_set_rbl(&cfg.rbl, "timeout", "5m", err,
	    sizeof(err)), -1);
	assert_int_equal(config_set_rbl(&cfg.rbl, "interval", "off", err,
	    sizeof(err)), 1);
	assert_int_equal(cfg.rbl.interval, 0);
	assert_int_equal(config_set_rbl(&cfg.rbl, "interval", "10s", err,
	    sizeof(err)), -1);
	assert_int_equal(config_set_rbl(&cfg.rbl, "concurrency", "0", err,
	    sizeof(err)), -1);
	assert_int_equal(config_set_rbl(&cfg.rbl, "concurrency", "64", err,
	    sizeof(err)), 1);
	assert_int_equal(config_set_rbl(&cfg.rbl, "zone", "x.y", err,
	    sizeof(err)), 0);
	sc = config_add_server(&cfg, "mx1");
	assert_int_equal(config_set_outbound(sc, "outbound_ips",
	    "192.0.2.1, 2001:DB8::1", err, sizeof(err)), 1);
	assert_string_equal(sc->outbound_ips[1], "2001:db8::1");
	assert_int_equal(config_set_outbound(sc, "outbound_ips",
	    "192.0.2.1, 192.0.2.300", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "192.0.2.300"));
	assert_string_equal(sc->outbound_ips[0], "192.0.2.1");
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_names),
		cmocka_unit_test(test_bad_ips),
		cmocka_unit_test(test_zone_names),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_listed),
		cmocka_unit_test(test_error_codes),
		cmocka_unit_test(test_wrong_answers),
		cmocka_unit_test(test_query_errors),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_pointer_loop),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_urls_and_catalogue),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
