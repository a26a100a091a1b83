/*
 * exim_genlog.c: write a week of a hosting server's Exim main log, with a
 * hijack inside, for tests/bench/exim_scan.sh.
 *
 * usage: exim_genlog [-s SEED] [-o FILE] LINES
 *
 * The main log as Exim 4.96 writes it on Debian (/var/log/exim4/mainlog,
 * local time, which the benchmark runs in UTC) with the log_selector a
 * cPanel server has (+incoming_port +incoming_interface +subject
 * +smtp_connection; a few lines carry fields from selectors mailcon does
 * not read, Ci= RT= QT=), from Monday 16 November 00:00 to Sunday 22
 * November 2026, time-ordered:
 *
 *   - 3,000 accounts on a dozen domains submitting over 587 with
 *     A=dovecot_login:LOGIN or A=dovecot_plain:LOGIN from their own one or
 *     two addresses: arrival, delivery (or a deferral), Completed;
 *   - inbound mail delivered to local mailboxes over LMTP;
 *   - rejected RCPTs and failed logins of password-guessing campaigns;
 *   - message ids of both formats: the 16-character ids of 4.96 until
 *     Thursday noon, the 23-character ids of 4.97 after (upgrade day);
 *   - the incident: on Saturday 01:13 one account's password is guessed
 *     from one address, then for 26 hours a botnet of 2,600 addresses
 *     (100.64.0.0/10) logs in as it and sends to many domains, mostly
 *     deferred; about 12% of the lines of those hours.
 *
 * Deterministic for (LINES, SEED).  The ground truth goes to stderr as
 * "key: value" lines.  Addresses are documentation, private or shared
 * ranges; domains are .test and .example.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ACCOUNTS	3000
#define DOMAINS		12
#define BOTS		2600
#define WEEK		(7 * 86400)
#define T0		1794787200	/* 2026-11-16 00:00:00 UTC */
#define INCIDENT_AT	(5 * 86400 + 1 * 3600 + 13 * 60)	/* Sat 01:13 */
#define INCIDENT_LEN	(26 * 3600)
#define UPGRADE_AT	(3 * 86400 + 12 * 3600)		/* Thu 12:00 */
#define VICTIM		1234

static uint64_t	 rng_state;
static FILE	*out;
static uint64_t	 nlines;
static unsigned	 idseq;

static const char *const domains[DOMAINS] = {
	"example.test", "shop.example", "dental.test", "lawfirm.example",
	"bakery.test", "school.example", "garage.test", "hotel.example",
	"clinic.test", "studio.example", "farm.test", "club.example"
};
static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* A 64-bit xorshift* draw. */
static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

/* A draw in [0, n). */
static unsigned
rndn(unsigned n)
{
	return (unsigned)((rnd() >> 33) % n);
}

/* Write the id of a message arriving at t into buf (16 or 23 chars). */
static void
msg_id(long t, char *buf)
{
	unsigned long	 v = (unsigned long)(T0 + t);
	unsigned	 pid = 1000 + rndn(60000), s = idseq++;
	int		 i, n = t >= UPGRADE_AT ? 11 : 6;

	for (i = 5; i >= 0; i--, v /= 62)
		buf[i] = b62[v % 62];
	buf[6] = '-';
	for (i = n - 1; i >= 0; i--, pid /= 62)
		buf[7 + i] = b62[pid % 62];
	buf[7 + n] = '-';
	for (i = (n == 6 ? 2 : 4) - 1; i >= 0; i--, s /= 62)
		buf[8 + n + i] = b62[s % 62];
	buf[n == 6 ? 16 : 23] = '\0';
}

/* The stamp of second t, as Exim writes it (local time; TZ=UTC here). */
static const char *
stamp(long t)
{
	static char	 buf[32];
	static long	 last = -1;
	time_t		 tt = T0 + t;
	struct tm	 tm;

	if (t != last) {
		gmtime_r(&tt, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
		last = t;
	}
	return buf;
}

/* An account's login and its home address. */
static void
account(unsigned a, char *login, size_t size, char *ip, size_t ipsize)
{
	snprintf(login, size, "u%04u@%s", a, domains[a % DOMAINS]);
	snprintf(ip, ipsize, "198.51.%u.%u", 100 + (a / 250) % 2,
	    1 + a % 250);
}

/* One outbound message of an account (3 lines). */
static void
submit(long t, unsigned a, const char *ip, int deferred)
{
	char	 id[32], login[64], home[32];
	unsigned r = rndn(50000);

	account(a, login, sizeof(login), home, sizeof(home));
	msg_id(t, id);
	fprintf(out, "%s %s <= %s H=(%s) [%s]:%u I=[203.0.113.5]:587 "
	    "P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no "
	    "A=dovecot_%s:%s S=%u id=%x.%u@%s T=\"Re: order %u\" "
	    "for r%u@d%u.example\n", stamp(t), id, login,
	    a % 3 ? "laptop" : "[192.168.1.20]", ip ? ip : home,
	    1024 + rndn(60000), a % 2 ? "login" : "plain", login,
	    900 + rndn(40000), r, a, domains[a % DOMAINS], r, r, r % 997);
	if (deferred)
		fprintf(out, "%s %s == r%u@d%u.example R=dnslookup "
		    "T=remote_smtp defer (-53): retry time not reached for "
		    "any host for 'd%u.example'\n", stamp(t + 1), id, r,
		    r % 997, r % 997);
	else
		fprintf(out, "%s %s => r%u@d%u.example R=dnslookup "
		    "T=remote_smtp H=mx.d%u.example [192.0.2.%u] "
		    "X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes "
		    "C=\"250 2.0.0 Ok: queued\"\n", stamp(t + 1), id, r,
		    r % 997, r % 997, 1 + r % 250);
	fprintf(out, "%s %s Completed%s\n", stamp(t + 1), id,
	    r % 16 == 0 ? " QT=1s" : "");
	nlines += 3;
}

/* One inbound message to a local mailbox (3 lines). */
static void
inbound(long t)
{
	char	 id[32];
	unsigned a = rndn(ACCOUNTS), r = rndn(100000);

	msg_id(t, id);
	fprintf(out, "%s %s <= news%u@sender%u.example H=mail%u.sender%u.example "
	    "[192.0.2.%u]:%u I=[203.0.113.5]:25 P=esmtps "
	    "X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no S=%u%s "
	    "id=%u@sender%u.example T=\"Newsletter %u\" for u%04u@%s\n",
	    stamp(t), id, r % 50, r % 300, r % 4, r % 300, 1 + r % 250,
	    1024 + rndn(60000), 2000 + rndn(90000),
	    r % 20 == 0 ? " Ci=4711 RT=0.212s" : "", r, r % 300, r, a,
	    domains[a % DOMAINS]);
	fprintf(out, "%s %s => u%04u <u%04u@%s> R=virtual_user "
	    "T=dovecot_lmtp\n", stamp(t), id, a, a, domains[a % DOMAINS]);
	fprintf(out, "%s %s Completed\n", stamp(t), id);
	nlines += 3;
}

/* A rejected RCPT from a spam source (1 line). */
static void
reject(long t)
{
	unsigned r = rndn(100000);

	fprintf(out, "%s H=(spam%u.example) [10.%u.%u.%u]:%u I=[203.0.113.5]:25 "
	    "F=<x%u@spam.example> rejected RCPT <nobody%u@%s>: relay not "
	    "permitted\n", stamp(t), r, r % 200, r % 251, 1 + r % 250,
	    1024 + rndn(60000), r, r, domains[r % DOMAINS]);
	nlines++;
}

/* A failed login of a guessing campaign (1 line). */
static void
authfail(long t, unsigned a, const char *ip)
{
	char	 login[64], home[32];
	unsigned r = rndn(100000);
	char	 src[32];

	account(a, login, sizeof(login), home, sizeof(home));
	if (ip == NULL) {
		snprintf(src, sizeof(src), "10.%u.%u.%u", 200 + r % 50,
		    r % 251, 1 + r % 250);
		ip = src;
	}
	fprintf(out, "%s dovecot_login authenticator failed for (User) "
	    "[%s]:%u I=[203.0.113.5]:587: 535 Incorrect authentication data "
	    "(set_id=%s)\n", stamp(t), ip, 1024 + rndn(60000), login);
	nlines++;
}

int
main(int argc, char **argv)
{
	uint64_t	 target, seed = 20261121, incident = 0;
	long		 t;
	double		 per_sec, acc = 0;
	char		*path = NULL, bot[32];
	static char	 iobuf[1 << 22];
	int		 c;
	unsigned	 k, botseen[BOTS] = { 0 }, nbots = 0;

	while ((c = getopt(argc, argv, "s:o:")) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'o':
			path = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc) {
usage:
		fprintf(stderr, "usage: exim_genlog [-s SEED] [-o FILE] LINES\n");
		return 2;
	}
	target = strtoull(argv[optind], NULL, 10);
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
	if ((out = path != NULL ? fopen(path, "w") : stdout) == NULL) {
		perror(path);
		return 1;
	}
	setvbuf(out, iobuf, _IOFBF, sizeof(iobuf));
	/* transactions average 2.7 lines; the incident adds ~0.8% */
	per_sec = (double)target / 2.7 / WEEK / 1.008;
	for (t = 0; t < WEEK; t++) {
		if (t == INCIDENT_AT) {
			/* the guess: failures, then the first login */
			for (k = 0; k < 6; k++)
				authfail(t, VICTIM, "100.127.9.9");
			submit(t, VICTIM, "100.127.9.9", 1);
			incident++;
		}
		for (acc += per_sec; acc >= 1; acc--) {
			k = rndn(100);
			if (k < 55)
				submit(t, rndn(ACCOUNTS), NULL, k < 4);
			else if (k < 85)
				inbound(t);
			else if (k < 95)
				reject(t);
			else
				authfail(t, rndn(ACCOUNTS), NULL);
			if (t > INCIDENT_AT && t < INCIDENT_AT + INCIDENT_LEN &&
			    rndn(1000) < 47) {
				k = rndn(BOTS);
				snprintf(bot, sizeof(bot), "100.%u.%u.%u",
				    64 + k % 64, (k / 64) % 256, 1 + k % 250);
				if (!botseen[k]++)
					nbots++;
				submit(t, VICTIM, bot, rndn(10) < 8);
				incident++;
			}
		}
	}
	if (fflush(out) != 0 || ferror(out)) {
		perror(path != NULL ? path : "stdout");
		return 1;
	}
	fprintf(stderr, "lines: %llu\n", (unsigned long long)nlines);
	fprintf(stderr, "hijacked_account: u%04u@%s\n", VICTIM,
	    domains[VICTIM % DOMAINS]);
	fprintf(stderr, "incident_messages: %llu\n",
	    (unsigned long long)incident);
	fprintf(stderr, "attacker_distinct_ips: %u\n", nbots + 1);
	fprintf(stderr, "incident_start: %s\n", stamp(INCIDENT_AT));
	return 0;
}
