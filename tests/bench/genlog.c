/*
 * genlog.c: write a week of a mid-size mail server's log, with a hijack.
 *
 * usage: genlog [-s SEED] [-m INCIDENT_MSGS] [-o FILE] LINES
 *
 * One combined file in classic syslog form, as /var/log/mail.log on Debian
 * (Postfix 3.7 and Dovecot 2.3 lines, host "mail"), time-ordered, from
 * Monday 16 November 00:00 to Sunday 22 November 23:59:59:
 *
 *   - ~3,200 accounts on example.test with office/evening/weekend rhythms,
 *     submitting over submission/smtps (client= with sasl_username, cleanup,
 *     qmgr from=, smtp/lmtp to=, qmgr removed, connect/disconnect, TLS);
 *   - inbound mail from the internet (rejects, deliveries over LMTP);
 *   - IMAP logins and logouts;
 *   - SASL brute-force campaigns (Postfix warnings, Dovecot auth lines);
 *   - a legitimate weekly newsletter burst (an allow-list candidate);
 *   - the incident: on Saturday 01:13 one ordinary account's password is
 *     guessed from one IP, then a botnet of a few thousand IPs logs in as
 *     that account and queues INCIDENT_MSGS messages (default 3,000,000 for
 *     20M lines, scaled with LINES) over ~26 hours, to many recipients at
 *     many domains, mostly deferred; most stay in the incoming queue.
 *
 * LINES is the approximate size: normal traffic is scaled so that the total
 * comes within a few percent of it.  Output is deterministic for a given
 * (LINES, SEED, INCIDENT_MSGS).  The ground truth (hijacked account, its
 * distinct IPs, its messages, the line numbers where the incident starts)
 * goes to stderr, as "key: value" lines.
 *
 * Addresses are documentation ranges (192.0.2/24, 198.51.100/24,
 * 203.0.113/24, 2001:db8::/32) or private / shared space (10/8, 100.64/10)
 * written as text; domains are .test and .example.  Nothing is contacted.
 *
 * Speed: every line is built by hand into a 16 MB buffer (no printf); lines
 * are scheduled into a ring of per-second buckets so that each transaction
 * is laid out once, in order, and the file comes out sorted by time.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WEEK		(7 * 86400)
#define RING		8192		/* seconds of look-ahead */
#define N_USERS		3200
#define N_ROLE		8
#define N_WORDS		120
#define N_DOMAINS	(3 + N_WORDS * N_WORDS * 4)
#define N_PARTNERS	400
#define BOT_POOL	2600		/* candidate botnet addresses */
#define OUTBUF		(16u << 20)
#define SERVER_IP	"203.0.113.25"
#define DEFAULT_LINES	20000000ULL
#define DEFAULT_INCIDENT 3000000ULL

enum svc { SV_SMTPD, SV_SUBM, SV_SMTPS };

enum kind {
	K_CONNECT, K_TLS_IN, K_CLIENT_SASL, K_CLIENT, K_CLEANUP, K_QMGR_FROM,
	K_SMTP_TO, K_TLS_OUT, K_LMTP_TO, K_DV_SAVED, K_REMOVED, K_DISCONNECT,
	K_REJECT, K_SASL_FAIL, K_DV_AUTH_FAIL, K_LOST_AUTH, K_IMAP_LOGIN,
	K_IMAP_LOGOUT, K_IMAP_FAIL, K_BOUNCE, K_ANVIL, K_NORESOLVE, K_MASTER,
	K_COUNT
};

/* Outcome of one delivery attempt (K_SMTP_TO's n1). */
enum outcome { O_SENT, O_DEFER_TIMEOUT, O_DEFER_421, O_DEFER_GREY,
	O_DEFER_SUSP, O_BOUNCE_RBL, O_BOUNCE_UNKNOWN };

/* Flags that mark ground-truth lines. */
#define F_MARK_START	0x01
#define F_MARK_LOGIN	0x02
#define F_MARK_BOT	0x04
#define F_SPAM		0x08	/* sender is the hijacked account / forged */
#define F_NULLSENDER	0x10
#define F_FORGED	0x20
#define F_UNKNOWN_USER	0x40
#define F_IMAPAUTH	0x80

/* One line to print at time t.  Meaning of the fields depends on kind. */
struct ev {
	uint32_t	 t;
	uint8_t		 kind, flags, svc, pad;
	uint16_t	 n1, n2;
	uint32_t	 pid;
	uint32_t	 ip;		/* address code, see put_ip() */
	uint32_t	 a, b, c;
	uint64_t	 qid;
};

struct bucket {
	struct ev	*v;
	uint32_t	 n, cap;
};

struct pool {
	uint32_t	 pid[128];
	uint16_t	 uses[128];
	int		 n, maxuse;
};

struct user {
	uint32_t	 home, phone_base;
	uint16_t	 office;
	float		 weight;
};

/* ---- state ---- */
static uint64_t	 rng_s[4];
static struct bucket ring[RING];
static int	 dry;			/* calibration: count, do not store */
static uint64_t	 dry_count;
static struct ev dry_ev;
static char	*obuf;
static size_t	 olen;
static int	 ofd = 1;
static uint64_t	 lineno;
static uint32_t	 pidctr = 1200;
static uint64_t	 qidctr;
static struct pool p_smtpd, p_subm, p_smtps, p_cleanup, p_smtp, p_lmtp,
		 p_bounce;
static uint32_t	 pid_qmgr, pid_anvil, pid_master;
static uint32_t	 dv_mpid = 2000;
static struct user users[N_USERS];
static double	 ucum[N_USERS];
static char	 prefix[64];
static size_t	 prefix_len;

/* ground truth */
static uint32_t	 hijacked;
static uint32_t	 guess_ip;
static uint32_t	 bot_ip[BOT_POOL];
static uint8_t	 bot_used[BOT_POOL];
static uint64_t	 line_start, line_login, line_bot;
static uint32_t	 t_start, t_login, t_bot_last;
static uint64_t	 h_msgs_before, h_msgs_incident, h_rcpts_incident;
static uint64_t	 h_activated, h_deferred, h_bounced, h_sent;
static uint64_t	 kind_lines[K_COUNT];

static const char *const first[64] = {
	"anna", "ben", "carla", "david", "elena", "frank", "greta", "hugo",
	"ines", "jonas", "karin", "lars", "maria", "niko", "olga", "paul",
	"rosa", "stefan", "tina", "uwe", "vera", "walter", "xenia", "yusuf",
	"zoe", "adam", "beate", "chris", "doris", "emil", "fatima", "georg",
	"hanna", "ivan", "julia", "kai", "lena", "marco", "nina", "oskar",
	"petra", "quentin", "ralf", "sara", "tom", "ute", "viktor", "wiebke",
	"alex", "bianca", "cem", "dana", "erik", "fiona", "gil", "heidi",
	"igor", "jana", "kurt", "lisa", "mats", "nora", "otto", "pia"
};
static const char *const last[64] = {
	"mueller", "schmidt", "schneider", "fischer", "weber", "meyer",
	"wagner", "becker", "schulz", "hoffmann", "koch", "richter", "klein",
	"wolf", "schroeder", "neumann", "schwarz", "braun", "zimmermann",
	"krueger", "hofmann", "hartmann", "lange", "schmitt", "werner",
	"krause", "meier", "lehmann", "schmid", "schulze", "maier", "koehler",
	"herrmann", "walter", "koenig", "mayer", "huber", "kaiser", "fuchs",
	"peters", "lang", "scholz", "moeller", "weiss", "jung", "hahn",
	"schubert", "vogel", "friedrich", "keller", "guenther", "frank",
	"berger", "winkler", "roth", "beck", "lorenz", "baumann", "franke",
	"albrecht", "schuster", "simon", "ludwig", "boehm"
};
static const char *const roles[N_ROLE] = {
	"info", "sales", "support", "office", "billing", "hr", "noreply",
	"newsletter"
};
static const char *const words[N_WORDS] = {
	"acme", "alpine", "amber", "apex", "arrow", "aspen", "atlas", "aurora",
	"azure", "beacon", "birch", "blue", "bolt", "bright", "brook", "canyon",
	"cedar", "cloud", "cobalt", "comet", "coral", "crest", "crown",
	"crystal", "delta", "drift", "eagle", "echo", "ember", "falcon", "fern",
	"field", "flint", "forest", "fox", "frost", "garden", "gate", "glen",
	"gold", "granite", "green", "grove", "harbor", "hawk", "haven", "hill",
	"horizon", "iron", "island", "ivy", "jade", "juniper", "lake", "lark",
	"laurel", "leaf", "light", "lime", "lotus", "maple", "marble", "meadow",
	"mesa", "mill", "mint", "moon", "moss", "north", "oak", "ocean", "olive",
	"onyx", "orbit", "orchid", "peak", "pearl", "pine", "pixel", "plain",
	"polar", "prism", "quartz", "rain", "raven", "reef", "ridge", "river",
	"rock", "rose", "ruby", "sage", "sand", "shore", "silver", "sky",
	"slate", "snow", "solar", "spark", "spring", "star", "stone", "storm",
	"summit", "sun", "swift", "terra", "thunder", "tide", "timber", "trail",
	"tulip", "valley", "vista", "wave", "willow", "wind", "wolf", "zen"
};
static const char *const dsuffix[4] = {
	".example", ".example.com", ".example.net", ".example.org"
};
static const char *const bad_names[16] = {
	"admin", "test", "info", "user", "postmaster", "webmaster", "sales",
	"support", "office", "contact", "backup", "scanner", "root", "mail",
	"guest", "marketing"
};

/* ---- random numbers (xoshiro256**) ---- */

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rnd(void)
{
	uint64_t r = rotl(rng_s[1] * 5, 7) * 9, t = rng_s[1] << 17;

	rng_s[2] ^= rng_s[0];
	rng_s[3] ^= rng_s[1];
	rng_s[1] ^= rng_s[2];
	rng_s[0] ^= rng_s[3];
	rng_s[2] ^= t;
	rng_s[3] = rotl(rng_s[3], 45);
	return r;
}

static uint32_t
rn(uint32_t n)
{
	return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

static double
rf(void)
{
	return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0);
}

static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void
rng_seed(uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		rng_s[i] = mix(seed + (uint64_t)i * 0x1234567ULL);
}


/* Poisson draw (normal approximation for large means). */
static uint32_t
poisson(double lambda)
{
	double l, p = 1.0, g = 0;
	uint32_t k = 0;
	int i;

	if (lambda <= 0)
		return 0;
	if (lambda > 30) {
		for (i = 0; i < 12; i++)
			g += rf();
		g = lambda + (g - 6) * sqrt(lambda);
		return g < 0 ? 0 : (uint32_t)(g + 0.5);
	}
	l = exp(-lambda);
	do {
		k++;
		p *= rf();
	} while (p > l);
	return k - 1;
}

/* ---- output ---- */

static void
out_flush(void)
{
	size_t off = 0;
	ssize_t n;

	while (off < olen) {
		n = write(ofd, obuf + off, olen - off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("genlog: write");
			exit(1);
		}
		off += (size_t)n;
	}
	olen = 0;
}

static inline void
put(const char *s, size_t n)
{
	memcpy(obuf + olen, s, n);
	olen += n;
}
#define PUTL(lit)	put(lit, sizeof(lit) - 1)

static inline void
puts_(const char *s)
{
	put(s, strlen(s));
}

static inline void
putc_(char c)
{
	obuf[olen++] = c;
}

static void
put_u(uint64_t v)
{
	char b[24];
	int i = 24;

	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(b + i, (size_t)(24 - i));
}

static void
put_hex(uint64_t v, int minw, int upper)
{
	const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char b[20];
	int i = 20;

	do {
		b[--i] = d[v & 15];
		v >>= 4;
		minw--;
	} while (v || minw > 0);
	put(b + i, (size_t)(20 - i));
}

/* Postfix-style delay from hundredths: 0, 0.05, 0.5, 1.2, 541. */
static void
put_delay(uint32_t c)
{
	put_u(c / 100);
	if (c >= 1000 || c % 100 == 0)
		return;
	putc_('.');
	putc_((char)('0' + (c / 10) % 10));
	if (c % 10)
		putc_((char)('0' + c % 10));
}

static void
put_qid(uint64_t q)
{
	put_hex(q >> 32, 5, 1);
	put_hex(q & 0xffffffffu, 1, 1);
}

/* Address codes: IPv4 as a number, or (top nibble 0xF) an IPv6 address. */
static void
put_ip(uint32_t ip)
{
	if ((ip >> 28) == 0xF) {
		PUTL("2001:db8:");
		put_hex(((ip >> 15) & 0x1fff) | 0x2000, 1, 0);
		putc_(':');
		put_hex((ip & 0x7fff) | 0x8000, 1, 0);
		PUTL("::1");
		return;
	}
	put_u(ip >> 24);
	putc_('.');
	put_u((ip >> 16) & 255);
	putc_('.');
	put_u((ip >> 8) & 255);
	putc_('.');
	put_u(ip & 255);
}

static uint32_t
ip4(int a, int b, int c, int d)
{
	return ((uint32_t)a << 24) | ((uint32_t)b << 16) | ((uint32_t)c << 8) |
	    (uint32_t)d;
}

static void
put_dom(uint32_t d)
{
	static const char *const big[3] = {
		"example.com", "example.net", "example.org"
	};
	uint32_t i;

	if (d < 3) {
		puts_(big[d]);
		return;
	}
	i = d - 3;
	puts_(words[i % N_WORDS]);
	puts_(words[(i / N_WORDS) % N_WORDS]);
	puts_(dsuffix[(i / (N_WORDS * N_WORDS)) % 4]);
}

/* A local account, as its full address. */
static void
put_user(uint32_t u)
{
	uint32_t j;

	if (u < N_ROLE)
		puts_(roles[u]);
	else {
		j = (u * 2621u + 17u) & 4095u;
		puts_(first[j & 63]);
		putc_('.');
		puts_(last[j >> 6]);
	}
	PUTL("@example.test");
}

/* A remote address: local part code l, domain d. */
static void
put_ext(uint32_t l, uint32_t d)
{
	const char *f = first[l & 63];

	switch ((l >> 6) & 3) {
	case 0:
		puts_(f);
		putc_('.');
		puts_(last[(l >> 8) & 63]);
		break;
	case 1:
		putc_(f[0]);
		putc_('.');
		puts_(last[(l >> 8) & 63]);
		break;
	case 2:
		puts_(f);
		put_u(1950 + (l >> 8) % 60);
		break;
	default:
		puts_(f);
		putc_('_');
		puts_(last[(l >> 8) & 63]);
		break;
	}
	putc_('@');
	put_dom(d);
}

/* A login tried by a brute-forcer: bit 31 set = real user, else a name. */
static void
put_login(uint32_t a)
{
	if (a & 0x80000000u) {
		put_user(a & 0xffff);
		return;
	}
	if ((a & 0xff) < 16)
		puts_(bad_names[a & 0xff]);
	else
		puts_(first[(a & 0xff) - 16]);
	if (!(a & 0x100))
		PUTL("@example.test");
}

static void
put_b64(uint64_t x, int n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	int i;

	x = mix(x);
	for (i = 0; i < n; i++) {
		if (i == 10)
			x = mix(x);
		putc_(b64[x & 63]);
		x >>= 6;
	}
}

static void
put_msgid(uint64_t qid, uint32_t dcode)
{
	putc_('<');
	put_hex(mix(qid ^ 0x5bd1e995ULL), 16, 0);
	putc_('@');
	if (dcode == 0)
		PUTL("mail.example.test");
	else
		put_dom(dcode - 1);
	putc_('>');
}

/* Client host name: "unknown" or "mail.<domain>". */
static void
put_client(uint32_t hostdom, uint32_t ip)
{
	if (hostdom == 0)
		PUTL("unknown");
	else {
		PUTL("mail.");
		put_dom(hostdom - 1);
	}
	putc_('[');
	put_ip(ip);
	putc_(']');
}

static void
set_prefix(uint32_t t)
{
	uint32_t day = 16 + t / 86400, s = t % 86400;
	char *p = prefix;

	memcpy(p, "Nov ", 4);
	p += 4;
	*p++ = (char)(day >= 10 ? '0' + day / 10 : ' ');
	*p++ = (char)('0' + day % 10);
	*p++ = ' ';
	*p++ = (char)('0' + s / 36000);
	*p++ = (char)('0' + (s / 3600) % 10);
	*p++ = ':';
	*p++ = (char)('0' + (s % 3600) / 600);
	*p++ = (char)('0' + (s % 600) / 60);
	*p++ = ':';
	*p++ = (char)('0' + (s % 60) / 10);
	*p++ = (char)('0' + s % 10);
	memcpy(p, " mail ", 6);
	p += 6;
	prefix_len = (size_t)(p - prefix);
}

static void
put_svc(int svc, uint32_t pid)
{
	static const char *const names[3] = {
		"postfix/smtpd[", "postfix/submission/smtpd[",
		"postfix/smtps/smtpd["
	};

	puts_(names[svc]);
	put_u(pid);
	PUTL("]: ");
}

static void
put_prog(const char *name, uint32_t pid)
{
	puts_(name);
	putc_('[');
	put_u(pid);
	PUTL("]: ");
}

static const char TLS_PARAMS[] = "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 "
    "(256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) "
    "server-digest SHA256";

/* Relay address of a remote domain's MX. */
static uint32_t
mx_ip(uint32_t d)
{
	static const int nets[3][3] = {
		{ 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 }
	};
	uint64_t h = mix(d * 7919ULL + 3);
	const int *n = nets[h % 3];

	return ip4(n[0], n[1], n[2], (int)(1 + (h >> 8) % 254));
}

/* Print one scheduled line. */
static void
emit(const struct ev *e)
{
	static const char *const disc_auth[2] = {
		" ehlo=1 auth=1 mail=", " ehlo=2 starttls=1 auth=1 mail="
	};
	uint32_t cmds;

	if (olen > OUTBUF - 4096)
		out_flush();
	put(prefix, prefix_len);
	switch (e->kind) {
	case K_CONNECT:
		put_svc(e->svc, e->pid);
		PUTL("connect from ");
		put_client(e->c, e->ip);
		break;
	case K_TLS_IN:
		put_svc(e->svc, e->pid);
		PUTL("Anonymous TLS connection established from ");
		put_client(e->c, e->ip);
		PUTL(": ");
		put(TLS_PARAMS, sizeof(TLS_PARAMS) - 1);
		break;
	case K_CLIENT_SASL:
		put_svc(e->svc, e->pid);
		put_qid(e->qid);
		PUTL(": client=");
		put_client(0, e->ip);
		if (e->n1)
			PUTL(", sasl_method=LOGIN, sasl_username=");
		else
			PUTL(", sasl_method=PLAIN, sasl_username=");
		put_user(e->a);
		break;
	case K_CLIENT:
		put_svc(SV_SMTPD, e->pid);
		put_qid(e->qid);
		PUTL(": client=");
		put_client(e->c, e->ip);
		break;
	case K_CLEANUP:
		put_prog("postfix/cleanup", e->pid);
		put_qid(e->qid);
		PUTL(": message-id=");
		put_msgid(e->qid, e->c);
		break;
	case K_QMGR_FROM:
		put_prog("postfix/qmgr", pid_qmgr);
		put_qid(e->qid);
		PUTL(": from=<");
		if (e->flags & F_NULLSENDER)
			;
		else if (e->flags & F_FORGED)
			put_ext(e->a, e->b);
		else
			put_user(e->a);
		PUTL(">, size=");
		put_u(e->c);
		PUTL(", nrcpt=");
		put_u(e->n1);
		PUTL(" (queue active)");
		break;
	case K_SMTP_TO:
		put_prog(e->n1 == O_DEFER_SUSP ? "postfix/error" :
		    "postfix/smtp", e->pid);
		put_qid(e->qid);
		PUTL(": to=<");
		put_ext(e->a, e->b);
		if (e->n1 == O_DEFER_SUSP || e->n1 == O_DEFER_TIMEOUT)
			PUTL(">, relay=none, delay=");
		else {
			PUTL(">, relay=mx1.");
			put_dom(e->b);
			putc_('[');
			put_ip(mx_ip(e->b));
			PUTL("]:25, delay=");
		}
		put_delay(e->c);
		PUTL(", delays=");
		put_delay(e->c / 4);
		putc_('/');
		put_delay(e->c / 30);
		putc_('/');
		put_delay(e->c / 3);
		putc_('/');
		put_delay(e->c - e->c / 4 - e->c / 30 - e->c / 3);
		switch (e->n1) {
		case O_SENT:
			PUTL(", dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ");
			put_hex(mix(e->qid + e->a) & 0xffffffffffULL, 10, 1);
			putc_(')');
			break;
		case O_DEFER_TIMEOUT:
			PUTL(", dsn=4.4.1, status=deferred (connect to mx1.");
			put_dom(e->b);
			putc_('[');
			put_ip(mx_ip(e->b));
			PUTL("]:25: Connection timed out)");
			break;
		case O_DEFER_421:
			PUTL(", dsn=4.7.0, status=deferred (host mx1.");
			put_dom(e->b);
			putc_('[');
			put_ip(mx_ip(e->b));
			PUTL("] said: 421 4.7.0 Too many messages from "
			    SERVER_IP ", try again later (in reply to MAIL "
			    "FROM command))");
			break;
		case O_DEFER_GREY:
			PUTL(", dsn=4.7.1, status=deferred (host mx1.");
			put_dom(e->b);
			putc_('[');
			put_ip(mx_ip(e->b));
			PUTL("] said: 450 4.7.1 <");
			put_ext(e->a, e->b);
			PUTL(">: Recipient address rejected: Greylisted, see "
			    "https://greylist.example/ (in reply to RCPT TO "
			    "command))");
			break;
		case O_DEFER_SUSP:
			PUTL(", dsn=4.4.1, status=deferred (delivery temporarily "
			    "suspended: connect to mx1.");
			put_dom(e->b);
			putc_('[');
			put_ip(mx_ip(e->b));
			PUTL("]:25: Connection timed out)");
			break;
		case O_BOUNCE_RBL:
			PUTL(", dsn=5.7.1, status=bounced (host mx1.");
			put_dom(e->b);
			putc_('[');
			put_ip(mx_ip(e->b));
			PUTL("] said: 554 5.7.1 Service unavailable; Client host ["
			    SERVER_IP "] blocked using zen.dnsbl.example (in "
			    "reply to RCPT TO command))");
			break;
		default:
			PUTL(", dsn=5.1.1, status=bounced (host mx1.");
			put_dom(e->b);
			putc_('[');
			put_ip(mx_ip(e->b));
			PUTL("] said: 550 5.1.1 <");
			put_ext(e->a, e->b);
			PUTL(">: Recipient address rejected: User unknown (in "
			    "reply to RCPT TO command))");
			break;
		}
		break;
	case K_TLS_OUT:
		put_prog("postfix/smtp", e->pid);
		PUTL("Verified TLS connection established to mx1.");
		put_dom(e->b);
		putc_('[');
		put_ip(mx_ip(e->b));
		PUTL("]:25: ");
		put(TLS_PARAMS, sizeof(TLS_PARAMS) - 1);
		break;
	case K_LMTP_TO:
		put_prog("postfix/lmtp", e->pid);
		put_qid(e->qid);
		PUTL(": to=<");
		put_user(e->a);
		PUTL(">, relay=mail.example.test[private/dovecot-lmtp], delay=");
		put_delay(e->c);
		PUTL(", delays=");
		put_delay(e->c / 2);
		PUTL("/0.01/0.01/");
		put_delay(e->c - e->c / 2);
		PUTL(", dsn=2.0.0, status=sent (250 2.0.0 <");
		put_user(e->a);
		PUTL("> ");
		put_b64(e->qid * 31 + e->a, 22);
		PUTL(" Saved)");
		break;
	case K_DV_SAVED:
		PUTL("dovecot: lmtp(");
		put_user(e->a);
		PUTL(")<");
		put_u(e->pid);
		PUTL("><");
		put_b64(e->qid * 31 + e->a, 22);
		PUTL(">: msgid=");
		put_msgid(e->qid, e->c);
		PUTL(": saved mail to INBOX");
		break;
	case K_REMOVED:
		put_prog("postfix/qmgr", pid_qmgr);
		put_qid(e->qid);
		PUTL(": removed");
		break;
	case K_DISCONNECT:
		put_svc(e->svc, e->pid);
		PUTL("disconnect from ");
		put_client(e->c, e->ip);
		switch (e->a) {
		case 0:		/* authenticated submission */
			puts_(disc_auth[e->b]);
			put_u(e->n1);
			PUTL(" rcpt=");
			put_u(e->n2);
			PUTL(" data=");
			put_u(e->n1);
			PUTL(" quit=1 commands=");
			put_u((e->b ? 5u : 3u) + 2u * e->n1 + e->n2);
			break;
		case 1:		/* inbound */
			puts_(e->b ? " ehlo=2 starttls=1 mail=1 rcpt=" :
			    " ehlo=1 mail=1 rcpt=");
			put_u(e->n2);
			PUTL(" data=1 quit=1 commands=");
			put_u((e->b ? 6u : 4u) + e->n2);
			break;
		case 2:		/* failed auth, then quit */
		case 4:		/* failed auth, connection lost */
			PUTL(" ehlo=1 auth=0/");
			put_u(e->n1);
			if (e->a == 2)
				PUTL(" quit=1");
			PUTL(" commands=");
			cmds = e->a == 2 ? 2 : 1;
			put_u(cmds);
			putc_('/');
			put_u(cmds + e->n1);
			break;
		default:	/* rejected recipient */
			puts_(e->b ? " ehlo=2 starttls=1 mail=1 rcpt=0/1 data=0/1 "
			    "rset=1 quit=1 commands=6/8" : " ehlo=1 mail=1 "
			    "rcpt=0/1 data=0/1 rset=1 quit=1 commands=4/6");
			break;
		}
		break;
	case K_REJECT:
		put_svc(SV_SMTPD, e->pid);
		PUTL("NOQUEUE: reject: RCPT from ");
		put_client(e->c, e->ip);
		if (e->n1 == 0) {
			PUTL(": 550 5.1.1 <");
			puts_(first[e->a & 63]);
			PUTL("@example.test>: Recipient address rejected: User "
			    "unknown in virtual mailbox table; from=<");
		} else {
			PUTL(": 554 5.7.1 Service unavailable; Client host [");
			put_ip(e->ip);
			PUTL("] blocked using zen.dnsbl.example; from=<");
		}
		put_ext(e->b, e->n2);
		PUTL("> to=<");
		if (e->n1 == 0) {
			puts_(first[e->a & 63]);
			PUTL("@example.test");
		} else
			put_user(e->a >> 8);
		PUTL("> proto=ESMTP helo=<");
		if (e->c) {
			PUTL("mail.");
			put_dom(e->c - 1);
		} else
			put_ip(e->ip);
		putc_('>');
		break;
	case K_SASL_FAIL:
		put_svc(e->svc, e->pid);
		PUTL("warning: unknown[");
		put_ip(e->ip);
		if (e->n1)
			PUTL("]: SASL LOGIN authentication failed: "
			    "UGFzc3dvcmQ6, sasl_username=");
		else
			PUTL("]: SASL PLAIN authentication failed: (reason "
			    "unavailable), sasl_username=");
		put_login(e->a);
		break;
	case K_DV_AUTH_FAIL:
		PUTL("dovecot: auth: passwd-file(");
		put_login(e->a);
		putc_(',');
		put_ip(e->ip);
		if (e->flags & F_IMAPAUTH) {
			PUTL(",<");
			put_b64(e->qid, 16);
			putc_('>');
		}
		if (e->a & 0x80000000u)
			PUTL("): Password mismatch");
		else
			PUTL("): unknown user");
		break;
	case K_LOST_AUTH:
		put_svc(e->svc, e->pid);
		PUTL("lost connection after AUTH from unknown[");
		put_ip(e->ip);
		putc_(']');
		break;
	case K_IMAP_LOGIN:
		PUTL("dovecot: imap-login: Login: user=<");
		put_user(e->a);
		PUTL(">, method=PLAIN, rip=");
		put_ip(e->ip);
		PUTL(", lip=" SERVER_IP ", mpid=");
		put_u(e->pid);
		PUTL(", TLS, session=<");
		put_b64(e->qid, 16);
		putc_('>');
		break;
	case K_IMAP_LOGOUT:
		PUTL("dovecot: imap(");
		put_user(e->a);
		PUTL(")<");
		put_u(e->pid);
		PUTL("><");
		put_b64(e->qid, 16);
		PUTL(">: Logged out in=");
		put_u(e->b);
		PUTL(" out=");
		put_u(e->c);
		PUTL(" deleted=0 expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 "
		    "body_count=0 body_bytes=0");
		break;
	case K_IMAP_FAIL:
		PUTL("dovecot: imap-login: Disconnected (auth failed, 1 attempts "
		    "in 2 secs): user=<");
		put_login(e->a);
		PUTL(">, method=PLAIN, rip=");
		put_ip(e->ip);
		PUTL(", lip=" SERVER_IP ", TLS, session=<");
		put_b64(e->qid, 16);
		putc_('>');
		break;
	case K_BOUNCE:
		put_prog("postfix/bounce", e->pid);
		put_qid(e->qid);
		PUTL(": sender non-delivery notification: ");
		put_qid(((uint64_t)e->b << 32) | e->c);
		break;
	case K_ANVIL:
		put_prog("postfix/anvil", pid_anvil);
		if (e->n1 == 0) {
			PUTL("statistics: max connection rate ");
			put_u(e->c);
			PUTL("/60s for (submission:");
		} else {
			PUTL("statistics: max connection count ");
			put_u(e->c);
			PUTL(" for (smtp:");
		}
		put_ip(e->ip);
		PUTL(") at ");
		put(prefix, 15);
		break;
	case K_NORESOLVE:
		put_svc(SV_SMTPD, e->pid);
		PUTL("warning: hostname dsl-");
		put_u(e->ip & 0xffff);
		PUTL(".dyn.example does not resolve to address ");
		put_ip(e->ip);
		PUTL(": Name or service not known");
		break;
	case K_MASTER:
		switch (e->n1) {
		case 0:
			put_prog("postfix/master", pid_master);
			PUTL("daemon started -- version 3.7.11, configuration "
			    "/etc/postfix");
			break;
		case 1:
			PUTL("dovecot: master: Dovecot v2.3.19.1 (9b53102964) "
			    "starting up for imap, lmtp (core dumps disabled)");
			break;
		case 2:
			put_prog("postfix/postfix-script", e->pid);
			PUTL("refreshing the Postfix mail system");
			break;
		default:
			put_prog("postfix/master", pid_master);
			PUTL("reload -- version 3.7.11, configuration "
			    "/etc/postfix");
			break;
		}
		break;
	}
	putc_('\n');
	lineno++;
	kind_lines[e->kind]++;
	if (e->flags & (F_MARK_START | F_MARK_LOGIN | F_MARK_BOT)) {
		if ((e->flags & F_MARK_START) && line_start == 0)
			line_start = lineno;
		if ((e->flags & F_MARK_LOGIN) && line_login == 0)
			line_login = lineno;
		if ((e->flags & F_MARK_BOT) && line_bot == 0)
			line_bot = lineno;
	}
}

/* ---- scheduling ---- */

static uint32_t	 now;		/* second being generated */

/* A new line at time t (>= now); fill its fields before the next call. */
static struct ev *
sched(uint32_t t, int kind)
{
	struct bucket *b;
	struct ev *e;

	if (dry || t >= WEEK) {
		if (dry)
			dry_count++;
		memset(&dry_ev, 0, sizeof(dry_ev));
		return &dry_ev;
	}
	if (t < now || t - now >= RING) {
		fprintf(stderr, "genlog: internal error: line %u s ahead\n",
		    t - now);
		exit(1);
	}
	b = &ring[t % RING];
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->v = realloc(b->v, b->cap * sizeof(*b->v));
		if (b->v == NULL) {
			perror("genlog");
			exit(1);
		}
	}
	e = &b->v[b->n++];
	memset(e, 0, sizeof(*e));
	e->t = t;
	e->kind = (uint8_t)kind;
	return e;
}

static uint32_t
new_pid(void)
{
	pidctr += 1 + rn(40);
	if (pidctr >= 4194304)
		pidctr = 300 + rn(100);
	return pidctr;
}

static void
pool_init(struct pool *p, int n, int maxuse)
{
	int i;

	p->n = n;
	p->maxuse = maxuse;
	for (i = 0; i < n; i++) {
		p->pid[i] = new_pid();
		p->uses[i] = (uint16_t)rn((uint32_t)maxuse);
	}
}

/* A process of the pool; it exits after maxuse uses (Postfix max_use). */
static uint32_t
pool_pid(struct pool *p)
{
	int i = (int)rn((uint32_t)p->n);

	if (++p->uses[i] > p->maxuse) {
		p->pid[i] = new_pid();
		p->uses[i] = 0;
	}
	return p->pid[i];
}

static struct pool *
svc_pool(int svc)
{
	return svc == SV_SMTPD ? &p_smtpd : svc == SV_SUBM ? &p_subm : &p_smtps;
}

/* A Postfix short queue id: 5 hex digits of microseconds, then the inode. */
static uint64_t
new_qid(void)
{
	uint64_t n = qidctr++, inode;

	inode = 0x100000 + (n & ~0xffffffULL) +
	    ((n * 2654435761ULL) & 0xffffffULL);
	return ((uint64_t)rn(1000000) << 32) | inode;
}

/* Where account u connects from at time t. */
static uint32_t
user_ip(uint32_t u, uint32_t t)
{
	uint32_t day = t / 86400, h = (t % 86400) / 3600;

	if (day < 5 && h >= 8 && h < 18 && rn(10) < 8)
		return ip4(10, 20, 0, 1 + users[u].office);
	if (rn(10) < 6)
		return users[u].home;
	return users[u].phone_base + (uint32_t)(mix(u * 1000ULL + day * 3 +
	    rn(2)) % 0x240000);
}

static uint32_t
pick_user(void)
{
	double x = rf() * ucum[N_USERS - 1];
	uint32_t lo = 0, hi = N_USERS - 1, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (ucum[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A recipient domain: the big three or any of the pool. */
static uint32_t
any_domain(void)
{
	return rn(10) < 3 ? rn(3) : 3 + rn(N_DOMAINS - 3);
}

static uint32_t
partner_domain(uint32_t u)
{
	uint32_t p;

	if (rn(10) < 4)
		return rn(3);
	p = (uint32_t)(mix(u * 17ULL + rn(8)) % N_PARTNERS);
	return 3 + (p * 7919u + 13u) % (N_DOMAINS - 3);
}

static uint32_t
msg_size(void)
{
	double x = 0;
	int i;

	for (i = 0; i < 4; i++)
		x += rf();
	return (uint32_t)(800 + exp(6.5 + 1.6 * x));
}

/* Local delivery of qid to account v over LMTP, with Dovecot's line. */
static void
deliver_local(uint32_t t, uint64_t qid, uint32_t v, uint32_t dcode)
{
	uint32_t pid = pool_pid(&p_lmtp);
	struct ev *e;

	e = sched(t, K_LMTP_TO);
	e->pid = pid;
	e->qid = qid;
	e->a = v;
	e->c = 3 + rn(40);
	e = sched(t, K_DV_SAVED);
	e->pid = 30000 + pid % 9000;
	e->qid = qid;
	e->a = v;
	e->c = dcode;
}

/* A non-delivery notice for qid, to local account u (or a remote sender). */
static void
bounce_notice(uint32_t t, uint64_t qid, int local, uint32_t a, uint32_t b)
{
	uint64_t nq = new_qid();
	struct ev *e;

	e = sched(t, K_BOUNCE);
	e->pid = pool_pid(&p_bounce);
	e->qid = qid;
	e->b = (uint32_t)(nq >> 32);
	e->c = (uint32_t)nq;
	e = sched(t, K_CLEANUP);
	e->pid = pool_pid(&p_cleanup);
	e->qid = nq;
	e = sched(t, K_QMGR_FROM);
	e->qid = nq;
	e->flags = F_NULLSENDER;
	e->c = 2400 + rn(3000);
	e->n1 = 1;
	if (local) {
		deliver_local(t, nq, a, 0);
		e = sched(t, K_REMOVED);
		e->qid = nq;
	} else {
		e = sched(t + 1, K_SMTP_TO);
		e->pid = pool_pid(&p_smtp);
		e->qid = nq;
		e->a = a;
		e->b = b;
		e->n1 = O_DEFER_SUSP;
		e->c = 100 + rn(300);
	}
}

/* One outbound message of account u, relayed or delivered; returns end time. */
static uint32_t
submit_message(uint32_t t, int svc, uint32_t pid, uint32_t ip, uint32_t u,
    uint32_t nr)
{
	uint64_t qid = new_qid();
	uint32_t r, td, tend = t, v, d, l, o, smtp_pid;
	struct ev *e;

	e = sched(t, K_CLIENT_SASL);
	e->svc = (uint8_t)svc;
	e->pid = pid;
	e->qid = qid;
	e->ip = ip;
	e->a = u;
	e->n1 = rn(4) == 0;
	e = sched(t, K_CLEANUP);
	e->pid = pool_pid(&p_cleanup);
	e->qid = qid;
	e = sched(t, K_QMGR_FROM);
	e->qid = qid;
	e->a = u;
	e->n1 = (uint16_t)nr;
	e->c = msg_size();
	for (r = 0; r < nr; r++) {
		td = t + rn(2);
		if (rn(10) < 3) {
			do
				v = pick_user();
			while (v == u);
			deliver_local(td, qid, v, 0);
		} else {
			d = partner_domain(u);
			l = (uint32_t)(mix(u * 131ULL + rn(6) + d) & 0xffff);
			smtp_pid = pool_pid(&p_smtp);
			if (rn(2)) {
				e = sched(td, K_TLS_OUT);
				e->pid = smtp_pid;
				e->b = d;
			}
			o = rn(1000);
			e = sched(td, K_SMTP_TO);
			e->pid = smtp_pid;
			e->qid = qid;
			e->a = l;
			e->b = d;
			e->c = 20 + rn(200);
			if (o < 962)
				e->n1 = O_SENT;
			else if (o < 990) {
				e->n1 = rn(2) ? O_DEFER_GREY : O_DEFER_TIMEOUT;
				e->c = 3000 + rn(3000);
				td += 300 + rn(1500);
				e = sched(td, K_SMTP_TO);
				e->pid = pool_pid(&p_smtp);
				e->qid = qid;
				e->a = l;
				e->b = d;
				e->c = (td - t) * 100 + rn(100);
				e->n1 = O_SENT;
			} else {
				e->n1 = O_BOUNCE_UNKNOWN;
				bounce_notice(td, qid, 1, u, 0);
			}
		}
		if (td > tend)
			tend = td;
	}
	e = sched(tend, K_REMOVED);
	e->qid = qid;
	return tend;
}

/* An account's mail client submits nmsg messages in one session. */
static void
tx_outbound(uint32_t t, uint32_t u, uint32_t nmsg, uint32_t ip)
{
	int svc = rn(10) < 7 ? SV_SUBM : SV_SMTPS;
	uint32_t pid = pool_pid(svc_pool(svc)), m, nr, rcpts = 0, tt;
	struct ev *e;

	e = sched(t, K_CONNECT);
	e->svc = (uint8_t)svc;
	e->pid = pid;
	e->ip = ip;
	e = sched(t, K_TLS_IN);
	e->svc = (uint8_t)svc;
	e->pid = pid;
	e->ip = ip;
	tt = t + rn(2);
	if (u == hijacked && t < t_start && !dry)
		h_msgs_before += nmsg;
	for (m = 0; m < nmsg; m++) {
		nr = rn(10) < 8 ? 1 : 2 + rn(4);
		submit_message(tt, svc, pid, ip, u, nr);
		rcpts += nr;
		tt += rn(3);
	}
	e = sched(tt, K_DISCONNECT);
	e->svc = (uint8_t)svc;
	e->pid = pid;
	e->ip = ip;
	e->n1 = (uint16_t)nmsg;
	e->n2 = (uint16_t)rcpts;
	e->b = svc == SV_SUBM;
}

/* Mail from the internet to local accounts (or a rejected attempt). */
static void
tx_inbound(uint32_t t)
{
	uint32_t d = any_domain(), pid = pool_pid(&p_smtpd), ip, host, nr, r;
	uint32_t tls = rn(10) < 6;
	uint64_t qid;
	struct ev *e;

	ip = rn(8) == 0 ? 0xF0000000u | (uint32_t)(mix(d) & 0x0fffffff) :
	    mx_ip(d);
	host = rn(10) < 7 ? d + 1 : 0;
	if (host == 0 && rn(3) == 0) {
		e = sched(t, K_NORESOLVE);
		e->pid = pid;
		e->ip = ip;
	}
	e = sched(t, K_CONNECT);
	e->pid = pid;
	e->ip = ip;
	e->c = host;
	if (tls) {
		e = sched(t, K_TLS_IN);
		e->pid = pid;
		e->ip = ip;
		e->c = host;
	}
	if (rn(100) < 14) {
		e = sched(t + 1, K_REJECT);
		e->pid = pid;
		e->ip = ip;
		e->c = host;
		e->n1 = rn(3) == 0;
		e->a = e->n1 ? pick_user() << 8 : rn(64);
		e->b = rn(65536);
		e->n2 = (uint16_t)d;
		e = sched(t + 1, K_DISCONNECT);
		e->pid = pid;
		e->ip = ip;
		e->c = host;
		e->a = 3;
		e->b = tls;
		return;
	}
	qid = new_qid();
	nr = rn(10) < 9 ? 1 : 2;
	e = sched(t, K_CLIENT);
	e->pid = pid;
	e->qid = qid;
	e->ip = ip;
	e->c = host;
	e = sched(t + 1, K_CLEANUP);
	e->pid = pool_pid(&p_cleanup);
	e->qid = qid;
	e->c = d + 1;
	e = sched(t + 1, K_QMGR_FROM);
	e->qid = qid;
	e->flags = F_FORGED;
	e->a = rn(65536);
	e->b = d;
	e->n1 = (uint16_t)nr;
	e->c = msg_size();
	for (r = 0; r < nr; r++)
		deliver_local(t + 1, qid, pick_user(), d + 1);
	e = sched(t + 1, K_REMOVED);
	e->qid = qid;
	e = sched(t + 1, K_DISCONNECT);
	e->pid = pid;
	e->ip = ip;
	e->c = host;
	e->a = 1;
	e->b = tls;
	e->n2 = (uint16_t)nr;
}

/* An IMAP session of account u. */
static void
tx_imap(uint32_t t, uint32_t u, uint32_t ip)
{
	uint64_t sess = rnd();
	uint32_t mpid;
	struct ev *e;

	dv_mpid += 1 + rn(30);
	if (dv_mpid > 4000000)
		dv_mpid = 2000;
	mpid = dv_mpid;
	e = sched(t, K_IMAP_LOGIN);
	e->a = u;
	e->ip = ip;
	e->pid = mpid;
	e->qid = sess;
	e = sched(t + 5 + rn(rn(4) ? 300 : 5000), K_IMAP_LOGOUT);
	e->a = u;
	e->pid = mpid;
	e->qid = sess;
	e->b = 40 + rn(2000);
	e->c = 300 + rn(200000);
}

/* One brute-force connection from ip trying login a (SMTP AUTH or IMAP). */
static void
tx_brute(uint32_t t, uint32_t ip, uint32_t a, int imap, uint8_t mark)
{
	int svc = rn(2) ? SV_SMTPD : SV_SUBM, lost = rn(3) == 0;
	uint32_t pid, n = 1 + rn(3), i;
	struct ev *e;

	if (imap) {
		uint64_t sess = rnd();

		e = sched(t, K_DV_AUTH_FAIL);
		e->flags = F_IMAPAUTH | mark;
		e->ip = ip;
		e->a = a;
		e->qid = sess;
		e = sched(t + 2, K_IMAP_FAIL);
		e->ip = ip;
		e->a = a;
		e->qid = sess;
		return;
	}
	pid = pool_pid(svc_pool(svc));
	e = sched(t, K_CONNECT);
	e->svc = (uint8_t)svc;
	e->pid = pid;
	e->ip = ip;
	for (i = 0; i < n; i++) {
		e = sched(t + 2 + i * 3, K_DV_AUTH_FAIL);
		e->ip = ip;
		e->a = a;
		e = sched(t + 2 + i * 3, K_SASL_FAIL);
		e->svc = (uint8_t)svc;
		e->pid = pid;
		e->ip = ip;
		e->a = a;
		e->n1 = rn(2);
		e->flags = i == 0 ? mark : 0;
	}
	if (lost) {
		e = sched(t + 2 + n * 3, K_LOST_AUTH);
		e->svc = (uint8_t)svc;
		e->pid = pid;
		e->ip = ip;
	}
	e = sched(t + 2 + n * 3, K_DISCONNECT);
	e->svc = (uint8_t)svc;
	e->pid = pid;
	e->ip = ip;
	e->a = lost ? 4 : 2;
	e->n1 = (uint16_t)n;
}

/* ---- the incident ---- */

static uint64_t	 inc_msgs;		/* messages the botnet queues */
static uint64_t	 inc_done;
static uint32_t	 t_bot0, bot_len;
static float	*bot_cdf;		/* per second of the bot phase */

/* One hijacked message; returns its recipient count. */
static uint32_t
spam_message(uint32_t t, int svc, uint32_t pid, uint32_t ip, uint8_t mark)
{
	uint64_t qid = new_qid();
	uint32_t nr = 1 + rn(rn(4) ? 8 : 40), r, d, l, o, td, forged;
	uint32_t fa = 0, fb = 0;
	int pending = 0, bounced = 0;
	struct ev *e;

	h_msgs_incident++;
	h_rcpts_incident += nr;
	e = sched(t, K_CLIENT_SASL);
	e->svc = (uint8_t)svc;
	e->pid = pid;
	e->qid = qid;
	e->ip = ip;
	e->a = hijacked;
	e->n1 = 1;
	e->flags = F_SPAM | mark;
	e = sched(t, K_CLEANUP);
	e->pid = pool_pid(&p_cleanup);
	e->qid = qid;
	e->c = any_domain() + 1;
	/* The backlog: most messages wait in the incoming queue. */
	if (rn(100) >= 12)
		return nr;
	h_activated++;
	forged = rn(10) < 3;
	td = t + 1 + rn(20);
	e = sched(td, K_QMGR_FROM);
	e->qid = qid;
	e->n1 = (uint16_t)nr;
	e->c = 1800 + rn(4000);
	if (forged) {
		e->flags = F_FORGED;
		e->a = fa = rn(65536);
		e->b = fb = any_domain();
	} else
		e->a = hijacked;
	for (r = 0; r < nr; r++) {
		d = any_domain();
		l = rn(65536);
		o = rn(100);
		e = sched(td, K_SMTP_TO);
		e->pid = pool_pid(&p_smtp);
		e->qid = qid;
		e->a = l;
		e->b = d;
		e->c = 100 + rn(3000);
		if (o < 12) {
			e->n1 = O_SENT;
			h_sent++;
		} else if (o < 20) {
			e->n1 = rn(3) ? O_BOUNCE_RBL : O_BOUNCE_UNKNOWN;
			bounced = 1;
			h_bounced++;
		} else {
			e->n1 = (uint16_t)(O_DEFER_TIMEOUT + rn(4));
			pending = 1;
			h_deferred++;
		}
	}
	if (!pending) {
		if (bounced)
			bounce_notice(td, qid, !forged, forged ? fa : hijacked,
			    fb);
		e = sched(td, K_REMOVED);
		e->qid = qid;
	}
	return nr;
}

/* One botnet SMTP session: login as the hijacked account, k messages. */
static void
bot_session(uint32_t t, uint32_t k, uint8_t mark)
{
	uint32_t i = rn(BOT_POOL), ip = bot_ip[i], pid, m, rcpts = 0, tt;
	int svc = rn(10) < 6 ? SV_SUBM : SV_SMTPS;
	struct ev *e;

	if (!dry)
		bot_used[i] = 1;
	pid = pool_pid(svc_pool(svc));
	e = sched(t, K_CONNECT);
	e->svc = (uint8_t)svc;
	e->pid = pid;
	e->ip = ip;
	e->flags = mark;
	e = sched(t, K_TLS_IN);
	e->svc = (uint8_t)svc;
	e->pid = pid;
	e->ip = ip;
	tt = t + 1;
	for (m = 0; m < k; m++) {
		rcpts += spam_message(tt, svc, pid, ip, 0);
		tt += rn(4);
	}
	e = sched(tt, K_DISCONNECT);
	e->svc = (uint8_t)svc;
	e->pid = pid;
	e->ip = ip;
	e->n1 = (uint16_t)k;
	e->n2 = (uint16_t)(rcpts > 65535 ? 65535 : rcpts);
	e->b = svc == SV_SUBM;
}

/* The password guess and the first login from the guessing address. */
static void
incident_guess(uint32_t t)
{
	uint32_t i, tt = t;
	struct ev *e;

	for (i = 0; i < 6; i++) {
		tx_brute(tt, guess_ip, 0x80000000u | hijacked, 0,
		    i == 0 ? F_MARK_START : 0);
		tt += 20 + rn(30);
	}
	t_login = tt + 40;
	e = sched(t_login, K_CONNECT);
	e->svc = SV_SUBM;
	e->pid = pool_pid(&p_subm);
	e->ip = guess_ip;
	i = e->pid;
	e = sched(t_login, K_TLS_IN);
	e->svc = SV_SUBM;
	e->pid = i;
	e->ip = guess_ip;
	spam_message(t_login + 1, SV_SUBM, i, guess_ip, F_MARK_LOGIN);
	e = sched(t_login + 3, K_DISCONNECT);
	e->svc = SV_SUBM;
	e->pid = i;
	e->ip = guess_ip;
	e->n1 = 1;
	e->n2 = 1;
	e->b = 1;
}

/* Start the sessions the botnet opens in second t of the bot phase. */
static void
incident_tick(uint32_t t)
{
	uint64_t target;
	uint32_t k;

	if (t < t_bot0 || t >= t_bot0 + bot_len || inc_done >= inc_msgs)
		return;
	target = (uint64_t)((double)inc_msgs * bot_cdf[t - t_bot0] + 0.5);
	while (inc_done < target) {
		k = 1 + rn(rn(3) ? 40 : 120);
		if (k > inc_msgs - inc_done)
			k = (uint32_t)(inc_msgs - inc_done);
		bot_session(t, k, inc_done == 0 ? F_MARK_BOT : 0);
		inc_done += k;
		t_bot_last = t;
	}
}

static void
incident_setup(void)
{
	double w, sum = 0, hour = 1;
	uint32_t s;

	t_start = 5 * 86400 + 3600 + 13 * 60 + 27;	/* Sat 01:13:27 */
	t_bot0 = t_start + 1500;
	bot_len = 26 * 3600;
	free(bot_cdf);
	bot_cdf = calloc(bot_len, sizeof(*bot_cdf));
	if (bot_cdf == NULL) {
		perror("genlog");
		exit(1);
	}
	for (s = 0; s < bot_len; s++) {
		if (s % 3600 == 0)
			hour = 0.7 + 0.6 * rf();
		w = s < 3600 ? 0.02 + s / 3600.0 : 1.0;
		sum += w * hour;
		bot_cdf[s] = (float)sum;
	}
	for (s = 0; s < bot_len; s++)
		bot_cdf[s] = (float)(bot_cdf[s] / sum);
	bot_cdf[bot_len - 1] = 1.0f;
}

/* ---- normal traffic ---- */

enum { TX_OUT, TX_IN, TX_IMAP, TX_BRUTE, TX_N };

#define N_CAMPAIGNS	40
static double	 tx_total[TX_N];	/* transactions over the week */
static float	 wk[TX_N][7 * 1440];	/* weight per minute */
static double	 wsum[TX_N];
static uint32_t	 camp_ip[N_CAMPAIGNS][24];
static int	 camp_nip[N_CAMPAIGNS];
static int16_t	 camp_of_min[7 * 1440];
static uint64_t	 news_msgs;

/* Office rhythm, 0..1, for minute m of the week (Monday 00:00 first). */
static double
office(uint32_t m)
{
	static const double wd[25] = {
		.03, .02, .02, .02, .03, .05, .12, .35, .8, 1, 1, 1, .7, .9,
		1, 1, .95, .6, .35, .28, .25, .2, .1, .05, .03
	};
	static const double we[25] = {
		.04, .03, .02, .02, .02, .03, .04, .06, .1, .15, .18, .2, .2,
		.18, .18, .18, .18, .2, .2, .2, .18, .14, .08, .05, .04
	};
	uint32_t day = m / 1440, h = (m % 1440) / 60;
	double f = (m % 60) / 60.0;
	const double *c = day < 5 ? wd : we;

	return c[h] + (c[h + 1] - c[h]) * f;
}

static void
rhythm_setup(void)
{
	uint32_t m, c, i, start, len;
	double inten;

	memset(camp_of_min, 0xff, sizeof(camp_of_min));
	for (m = 0; m < 7 * 1440; m++) {
		wk[TX_OUT][m] = (float)office(m);
		wk[TX_IMAP][m] = (float)(0.15 + office(m));
		wk[TX_IN][m] = (float)(0.35 + 0.65 * office(m));
		wk[TX_BRUTE][m] = 0.05f;
	}
	for (c = 0; c < N_CAMPAIGNS; c++) {
		camp_nip[c] = 1 + (int)rn(24);
		for (i = 0; i < (uint32_t)camp_nip[c]; i++)
			camp_ip[c][i] = rn(2) ? ip4(198, 51, 100, 1 + (int)rn(254)) :
			    ip4(192, 0, 2, 1 + (int)rn(254));
		start = rn(7 * 1440 - 300);
		len = 20 + rn(240);
		inten = 0.3 + 3 * rf();
		for (m = start; m < start + len && m < 7 * 1440; m++) {
			wk[TX_BRUTE][m] += (float)inten;
			camp_of_min[m] = (int16_t)c;
		}
	}
	for (i = 0; i < TX_N; i++) {
		wsum[i] = 0;
		for (m = 0; m < 7 * 1440; m++)
			wsum[i] += wk[i][m];
	}
}

static void
users_setup(void)
{
	double x, sum = 0;
	uint32_t u;
	int i;

	for (u = 0; u < N_USERS; u++) {
		x = 0;
		for (i = 0; i < 6; i++)
			x += rf();
		users[u].weight = (float)exp((x - 3) * 1.4);
		if (u < N_ROLE)
			users[u].weight *= 3;
		if (u == 7)		/* newsletter: its own schedule */
			users[u].weight = 0.01f;
		users[u].office = (uint16_t)rn(8);
		users[u].home = 0x64400000u + rn(0x240000);	/* 100.64/10 */
		users[u].phone_base = 0x64400000u;
		sum += users[u].weight;
		ucum[u] = sum;
	}
}

/* Everything that depends on the seed, so a calibration can be undone. */
static void
state_init(uint64_t seed)
{
	uint32_t i, j, ip;

	rng_seed(seed);
	pidctr = 1200 + rn(2000);
	qidctr = 0;
	dv_mpid = 2000;
	pid_master = new_pid();
	pid_qmgr = new_pid();
	pid_anvil = new_pid();
	pool_init(&p_smtpd, 100, 100);
	pool_init(&p_subm, 100, 100);
	pool_init(&p_smtps, 60, 100);
	pool_init(&p_cleanup, 6, 100);
	pool_init(&p_smtp, 100, 100);
	pool_init(&p_lmtp, 10, 100);
	pool_init(&p_bounce, 3, 100);
	users_setup();
	rhythm_setup();
	hijacked = N_ROLE + rn(N_USERS - N_ROLE);
	guess_ip = ip4(203, 0, 113, 10 + (int)rn(200));
	for (i = 0; i < BOT_POOL; i++) {
		do {
			j = rn(10);
			if (j < 7)
				ip = 0x64640000u + rn(0x1C0000); /* 100.100-127 */
			else if (j == 7)
				ip = ip4(198, 51, 100, 1 + (int)rn(254));
			else if (j == 8)
				ip = ip4(10, 128 + (int)rn(64), (int)rn(256),
				    1 + (int)rn(254));
			else
				ip = 0xF0000000u | rn(0x10000000);
			for (j = 0; j < i && bot_ip[j] != ip; j++)
				;
		} while (j < i || ip == guess_ip);
		bot_ip[i] = ip;
	}
	memset(bot_used, 0, sizeof(bot_used));
	h_msgs_before = h_msgs_incident = h_rcpts_incident = 0;
	h_activated = h_deferred = h_bounced = h_sent = 0;
	inc_done = 0;
}

/* One session of the weekly newsletter (a legitimate bulk sender). */
static void
tx_newsletter(uint32_t t, uint32_t n)
{
	uint32_t ip = ip4(10, 20, 0, 50), pid = pool_pid(&p_subm), m, d, o;
	uint64_t qid;
	struct ev *e;

	e = sched(t, K_CONNECT);
	e->svc = SV_SUBM;
	e->pid = pid;
	e->ip = ip;
	for (m = 0; m < n; m++) {
		qid = new_qid();
		e = sched(t + m / 3, K_CLIENT_SASL);
		e->svc = SV_SUBM;
		e->pid = pid;
		e->qid = qid;
		e->ip = ip;
		e->a = 7;
		e = sched(t + m / 3, K_CLEANUP);
		e->pid = pool_pid(&p_cleanup);
		e->qid = qid;
		e = sched(t + m / 3 + 1, K_QMGR_FROM);
		e->qid = qid;
		e->a = 7;
		e->n1 = 1;
		e->c = 24000 + rn(2000);
		d = any_domain();
		o = rn(100);
		e = sched(t + m / 3 + 1, K_SMTP_TO);
		e->pid = pool_pid(&p_smtp);
		e->qid = qid;
		e->a = rn(65536);
		e->b = d;
		e->c = 30 + rn(300);
		e->n1 = o < 95 ? O_SENT : o < 98 ? O_DEFER_GREY :
		    O_BOUNCE_UNKNOWN;
		if (o >= 98)
			bounce_notice(t + m / 3 + 1, qid, 1, 7, 0);
		if (o < 95 || o >= 98) {
			e = sched(t + m / 3 + 1, K_REMOVED);
			e->qid = qid;
		}
	}
	e = sched(t + n / 3 + 1, K_DISCONNECT);
	e->svc = SV_SUBM;
	e->pid = pid;
	e->ip = ip;
	e->n1 = (uint16_t)n;
	e->n2 = (uint16_t)n;
	e->b = 1;
}

static void
one_out(uint32_t t)
{
	uint32_t u = pick_user();

	tx_outbound(t, u, rn(10) ? 1 : 2 + rn(3), user_ip(u, t));
}

static void
one_imap(uint32_t t)
{
	uint32_t u = pick_user();

	tx_imap(t, u, user_ip(u, t));
}

static void
one_brute(uint32_t t)
{
	int c = camp_of_min[t / 60];
	uint32_t ip, a;

	if (c < 0)
		ip = ip4(203, 0, 113, 1 + (int)rn(254));
	else
		ip = camp_ip[c][rn((uint32_t)camp_nip[c])];
	if (ip == guess_ip)
		ip ^= 1;
	if (rn(10) < 6)
		a = (rn(5) ? rn(16) : 16 + rn(64)) | (rn(5) ? 0 : 0x100);
	else
		a = 0x80000000u | pick_user();
	tx_brute(t, ip, a, rn(10) < 3, 0);
}

/* Start whatever begins in second t. */
static void
generate(uint32_t t)
{
	uint32_t m = t / 60, n;
	double lam;

	lam = tx_total[TX_OUT] * wk[TX_OUT][m] / wsum[TX_OUT] / 60;
	for (n = poisson(lam); n > 0; n--)
		one_out(t);
	lam = tx_total[TX_IN] * wk[TX_IN][m] / wsum[TX_IN] / 60;
	for (n = poisson(lam); n > 0; n--)
		tx_inbound(t);
	lam = tx_total[TX_IMAP] * wk[TX_IMAP][m] / wsum[TX_IMAP] / 60;
	for (n = poisson(lam); n > 0; n--)
		one_imap(t);
	lam = tx_total[TX_BRUTE] * wk[TX_BRUTE][m] / wsum[TX_BRUTE] / 60;
	for (n = poisson(lam); n > 0; n--)
		one_brute(t);
	/* The newsletter: Tuesday 10:00, sessions of 50 from one address. */
	if (t >= 86400 + 36000 && news_msgs > 0 && t % 30 == 0) {
		n = news_msgs > 50 ? 50 : (uint32_t)news_msgs;
		news_msgs -= n;
		tx_newsletter(t, n);
	}
	if (t == t_start)
		incident_guess(t);
	incident_tick(t);
}

/* Daemon housekeeping lines: start-up, daily reload, anvil statistics. */
static void
housekeeping(uint32_t t)
{
	struct ev *e;

	if (t == 0) {
		e = sched(t, K_MASTER);
		e->n1 = 0;
		e = sched(t, K_MASTER);
		e->n1 = 1;
	}
	if (t % 86400 == 6 * 3600 + 25 * 60 + 1) {
		e = sched(t, K_MASTER);
		e->n1 = 2;
		e->pid = new_pid();
		e = sched(t, K_MASTER);
		e->n1 = 3;
	}
	if (t % 600 == 317) {
		e = sched(t, K_ANVIL);
		e->n1 = 0;
		e->c = 2 + rn(12);
		e->ip = users[pick_user()].home;
		e = sched(t, K_ANVIL);
		e->n1 = 1;
		e->c = 1 + rn(6);
		e->ip = mx_ip(any_domain());
	}
}

/* Mean lines per call of fn, measured without output. */
static double
calibrate(void (*fn)(uint32_t), uint32_t t, int n)
{
	int i;

	dry = 1;
	dry_count = 0;
	now = t;
	for (i = 0; i < n; i++)
		fn(t);
	dry = 0;
	return (double)dry_count / n;
}

static uint64_t	 calib_msgs;

static void
one_inbound(uint32_t t)
{
	tx_inbound(t);
}

static void
one_bot(uint32_t t)
{
	uint32_t k = 1 + rn(rn(3) ? 40 : 120);

	bot_session(t, k, 0);
	calib_msgs += k;
}

static void
one_news(uint32_t t)
{
	tx_newsletter(t, 50);
	calib_msgs += 50;
}

static void
usage(void)
{
	fputs("usage: genlog [-s SEED] [-m INCIDENT_MSGS] [-o FILE] LINES\n",
	    stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	static const double share[TX_N] = { 0.22, 0.38, 0.25, 0.15 };
	uint64_t lines, seed = 20261121, inc = 0, news;
	double mean[TX_N], inc_mean, news_mean, budget, normal;
	const char *path = NULL;
	struct timespec ts[2];
	struct tm tm;
	uint32_t t, i, nbot;
	struct bucket *b;
	int ch;

	while ((ch = getopt(argc, argv, "s:m:o:")) != -1) {
		switch (ch) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'm':
			inc = strtoull(optarg, NULL, 0);
			break;
		case 'o':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	lines = strtoull(argv[optind], NULL, 0);
	if (lines < 10000) {
		fputs("genlog: LINES must be at least 10000\n", stderr);
		exit(2);
	}
	if (inc == 0)
		inc = (uint64_t)((double)DEFAULT_INCIDENT * lines /
		    DEFAULT_LINES + 0.5);
	if (inc == 0)
		inc = 1;
	news = lines / 5000 < 200 ? 200 : lines / 5000;
	if ((obuf = malloc(OUTBUF)) == NULL) {
		perror("genlog");
		exit(1);
	}
	if (path != NULL && (ofd = open(path, O_WRONLY | O_CREAT | O_TRUNC,
	    0644)) == -1) {
		fprintf(stderr, "genlog: %s: %s\n", path, strerror(errno));
		exit(1);
	}

	/* Measure lines per transaction, then size the traffic to LINES. */
	state_init(seed);
	incident_setup();
	t = 2 * 86400 + 10 * 3600;
	mean[TX_OUT] = calibrate(one_out, t, 50000);
	mean[TX_IN] = calibrate(one_inbound, t, 50000);
	mean[TX_IMAP] = calibrate(one_imap, t, 50000);
	mean[TX_BRUTE] = calibrate(one_brute, t, 50000);
	calib_msgs = 0;
	inc_mean = calibrate(one_bot, t, 20000) * 20000 / (double)calib_msgs;
	calib_msgs = 0;
	news_mean = calibrate(one_news, t, 200) * 200 / (double)calib_msgs;
	budget = (double)lines - inc_mean * (double)inc -
	    news_mean * (double)news - 2100;
	normal = budget < 0.2 * lines ? 0.2 * lines : budget;
	if (budget < 0.2 * lines)
		fprintf(stderr, "genlog: warning: %llu incident messages leave "
		    "little room in %llu lines; the file will be larger\n",
		    (unsigned long long)inc, (unsigned long long)lines);
	for (i = 0; i < TX_N; i++)
		tx_total[i] = normal * share[i] / mean[i];

	state_init(seed);
	incident_setup();
	inc_msgs = inc;
	news_msgs = news;
	memset(kind_lines, 0, sizeof(kind_lines));
	for (t = 0; t < WEEK; t++) {
		now = t;
		set_prefix(t);
		housekeeping(t);
		generate(t);
		b = &ring[t % RING];
		for (i = 0; i < b->n; i++)
			emit(&b->v[i]);
		b->n = 0;
	}
	out_flush();
	if (path != NULL) {
		/* mtime just after the last line: classic timestamps carry no
		   year, readers infer it from the file's mtime. */
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = 2026 - 1900;
		tm.tm_mon = 10;
		tm.tm_mday = 23;
		tm.tm_min = 1;
		tm.tm_isdst = -1;
		ts[0].tv_sec = ts[1].tv_sec = mktime(&tm);
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		if (futimens(ofd, ts) == -1 || close(ofd) == -1) {
			fprintf(stderr, "genlog: %s: %s\n", path,
			    strerror(errno));
			exit(1);
		}
	}

	for (i = 0, nbot = 0; i < BOT_POOL; i++)
		nbot += bot_used[i];
	olen = 0;
	fprintf(stderr, "lines: %llu\n", (unsigned long long)lineno);
	fprintf(stderr, "seed: %llu\n", (unsigned long long)seed);
	fprintf(stderr, "period: Mon Nov 16 00:00:00 - Sun Nov 22 23:59:59 "
	    "(year 2026 via the file's mtime)\n");
	put_user(hijacked);
	fprintf(stderr, "hijacked_account: %.*s\n", (int)olen, obuf);
	fprintf(stderr, "hijacked_messages_before_incident: %llu\n",
	    (unsigned long long)h_msgs_before);
	olen = 0;
	put_ip(guess_ip);
	fprintf(stderr, "guessing_ip: %.*s\n", (int)olen, obuf);
	fprintf(stderr, "attacker_distinct_ips: %u (guessing IP + %u botnet)\n",
	    nbot + 1, nbot);
	fprintf(stderr, "incident_messages: %llu\n",
	    (unsigned long long)h_msgs_incident);
	fprintf(stderr, "incident_recipients: %llu\n",
	    (unsigned long long)h_rcpts_incident);
	fprintf(stderr, "incident_messages_activated: %llu (rest wait in the "
	    "incoming queue)\n", (unsigned long long)h_activated);
	fprintf(stderr, "incident_deliveries: %llu deferred, %llu bounced, "
	    "%llu sent\n", (unsigned long long)h_deferred,
	    (unsigned long long)h_bounced, (unsigned long long)h_sent);
	set_prefix(t_start);
	fprintf(stderr, "incident_start: line %llu, %.15s (first failed login "
	    "of the guessing IP)\n", (unsigned long long)line_start, prefix);
	set_prefix(t_login);
	fprintf(stderr, "first_hijacked_login: line %llu, %.15s\n",
	    (unsigned long long)line_login, prefix);
	set_prefix(t_bot0);
	fprintf(stderr, "botnet_start: line %llu, %.15s\n",
	    (unsigned long long)line_bot, prefix);
	set_prefix(t_bot_last);
	fprintf(stderr, "botnet_last_session: %.15s\n", prefix);
	fprintf(stderr, "newsletter: newsletter@example.test, %llu messages "
	    "on Tuesday from 10.20.0.50 (legitimate bulk)\n",
	    (unsigned long long)news);
	fprintf(stderr, "calibration: lines/tx out %.2f in %.2f imap %.2f "
	    "brute %.2f; incident %.2f/msg\n", mean[TX_OUT], mean[TX_IN],
	    mean[TX_IMAP], mean[TX_BRUTE], inc_mean);
	return 0;
}
