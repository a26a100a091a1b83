/*
 * feed.c: the log writer of the console benchmark (tests/bench/console.sh).
 *
 *   feed init FILE ACCOUNTS [SEED]
 *	Write FILE (truncated): every one of ACCOUNTS accounts
 *	(user1@example.test ...) submits one message over submission, with
 *	timestamps spread over the last ten minutes: client= (sasl_username),
 *	cleanup, qmgr from=, smtp sent, qmgr removed; 5 lines per account.
 *
 *   feed stream FILE ACCOUNTS RATE SECONDS [SEED]
 *	Append to FILE at a steady RATE lines/s for SECONDS, timestamps of
 *	the moment written, in batches every 5 ms (one write() each).  The
 *	mix: messages of random accounts among ACCOUNTS (connect, client=,
 *	cleanup, disconnect, qmgr from=, smtp sent / deferred / bounced,
 *	removed; a few messages in flight interleave), SASL failures (Postfix
 *	and Dovecot) against random accounts from random addresses, and one
 *	hijacked account (user4242@example.test) sending from ~2,000 addresses.
 *
 * Both print "lines N" and "bytes N" to stdout at the end; stream also
 * prints "seconds S" (its own wall time) and "late_ms N" (the worst delay
 * of a batch behind its schedule: the feeder itself kept up when small).
 * Classic syslog lines (host "mail"), shaped after the real lines of
 * tests/fixtures;
 * all addresses are private, shared or documentation ranges and .test
 * domains.  Queue ids are 11 upper-case hex digits, unique in a run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HIJACKED	4242u
#define BOTNET_IPS	2000u
#define INFLIGHT	32
#define BATCH_NS	5000000L	/* 5 ms */

static char	*buf;
static size_t	 blen, bcap;
static int	 out_fd = -1;
static uint64_t	 total_lines, total_bytes;
static uint64_t	 rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t	 qid_next;

static char	 prefix[64];	/* "Nov 28 03:00:26 mail " */
static size_t	 prefix_len;
static time_t	 prefix_t = -1;

static void
die(const char *what)
{
	fprintf(stderr, "feed: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t
rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t
rnd_n(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static void
flush_out(void)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < blen) {
		if ((n = write(out_fd, buf + off, blen - off)) == -1) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		off += (size_t)n;
	}
	total_bytes += blen;
	blen = 0;
}

static void
reserve(size_t n)
{
	if (blen + n <= bcap)
		return;
	if (blen > (1u << 20))
		flush_out();
	if (blen + n > bcap) {
		bcap = (blen + n) * 2;
		if ((buf = realloc(buf, bcap)) == NULL)
			die("realloc");
	}
}

static void
put(const char *s, size_t n)
{
	reserve(n);
	memcpy(buf + blen, s, n);
	blen += n;
}

#define PUTL(s)	put(s, sizeof(s) - 1)

static void
puts_(const char *s)
{
	put(s, strlen(s));
}

static void
put_u(uint64_t v)
{
	char	 t[24];
	int	 i = 24;

	do
		t[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	put(t + i, (size_t)(24 - i));
}

static void
put_qid(uint64_t q)
{
	static const char hex[] = "0123456789ABCDEF";
	char	 t[11];
	int	 i;

	for (i = 10; i >= 0; i--, q >>= 4)
		t[i] = hex[q & 15];
	put(t, 11);
}

static void
put_ip(uint32_t ip)
{
	put_u(ip >> 24);
	put(".", 1);
	put_u((ip >> 16) & 255);
	put(".", 1);
	put_u((ip >> 8) & 255);
	put(".", 1);
	put_u(ip & 255);
}

static void
put_user(uint32_t a)
{
	PUTL("user");
	put_u(a);
	PUTL("@example.test");
}

/* The line's "Mon DD HH:MM:SS mail " for time t (local time). */
static void
set_time(time_t t)
{
	struct tm	 tm;

	if (t == prefix_t)
		return;
	prefix_t = t;
	localtime_r(&t, &tm);
	prefix_len = strftime(prefix, sizeof(prefix), "%b %e %H:%M:%S mail ",
	    &tm);
}

static void
begin(const char *prog, uint32_t pid)
{
	put(prefix, prefix_len);
	puts_(prog);
	put("[", 1);
	put_u(pid);
	PUTL("]: ");
}

static void
end_line(void)
{
	put("\n", 1);
	total_lines++;
}

static uint64_t
new_qid(void)
{
	/* 11 hex digits, unique: a bijective scramble of a counter */
	uint64_t q = (qid_next++ * 0x9E3779B1ULL) & 0xFFFFFFFFFFULL;

	return q | 0x10000000000ULL;
}

/* An account's usual address (RFC 1918). */
static uint32_t
home_ip(uint32_t a)
{
	uint64_t h = (uint64_t)a * 0x9E3779B97F4A7C15ULL;

	return (10u << 24) | (uint32_t)((h >> 40) & 0xffffff);
}

/* One of the botnet's addresses (100.64.0.0/10, shared space). */
static uint32_t
botnet_ip(uint32_t i)
{
	uint64_t h = (uint64_t)(i + 1) * 0xD1B54A32D192ED03ULL;

	return (100u << 24) | (64u << 16) | (uint32_t)((h >> 44) & 0x3fffff);
}

/* A message in flight: the next of its lines to print. */
struct msg {
	uint64_t	 qid;
	uint32_t	 account, ip, pid, size, rcpt_dom;
	int		 step;		/* 0..6 */
	int		 outcome;	/* 0 sent, 1 deferred, 2 bounced */
};

static void
msg_new(struct msg *m, uint32_t accounts)
{
	m->qid = new_qid();
	if (rnd_n(100) < 3) {
		m->account = HIJACKED <= accounts ? HIJACKED : 1;
		m->ip = botnet_ip(rnd_n(BOTNET_IPS));
		m->outcome = rnd_n(10) < 7 ? 1 : 0;
	} else {
		m->account = 1 + rnd_n(accounts);
		m->ip = home_ip(m->account);
		m->outcome = rnd_n(100) < 8 ? 1 : rnd_n(100) < 2 ? 2 : 0;
	}
	m->pid = 10000 + rnd_n(30000);
	m->size = 400 + rnd_n(60000);
	m->rcpt_dom = rnd_n(500);
	m->step = 0;
}

static void
put_delays(void)
{
	PUTL(", delay=0.");
	put_u(10 + rnd_n(89));
	PUTL(", delays=0.01/0.01/0.0");
	put_u(1 + rnd_n(9));
	PUTL("/0.0");
	put_u(1 + rnd_n(9));
}

/* Print m's next line; 1 when m is done. */
static int
msg_step(struct msg *m)
{
	switch (m->step++) {
	case 0:
		begin("postfix/submission/smtpd", m->pid);
		PUTL("connect from unknown[");
		put_ip(m->ip);
		PUTL("]");
		break;
	case 1:
		begin("postfix/submission/smtpd", m->pid);
		put_qid(m->qid);
		PUTL(": client=unknown[");
		put_ip(m->ip);
		PUTL("], sasl_method=PLAIN, sasl_username=");
		put_user(m->account);
		break;
	case 2:
		begin("postfix/cleanup", 14734);
		put_qid(m->qid);
		PUTL(": message-id=<");
		put_u(m->qid);
		PUTL(".");
		put_u(m->pid);
		PUTL("@example.test>");
		break;
	case 3:
		begin("postfix/submission/smtpd", m->pid);
		PUTL("disconnect from unknown[");
		put_ip(m->ip);
		PUTL("] ehlo=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=6");
		break;
	case 4:
		begin("postfix/qmgr", 13608);
		put_qid(m->qid);
		PUTL(": from=<");
		put_user(m->account);
		PUTL(">, size=");
		put_u(m->size);
		PUTL(", nrcpt=1 (queue active)");
		break;
	case 5:
		begin("postfix/smtp", 14735 + m->pid % 7);
		put_qid(m->qid);
		PUTL(": to=<friend");
		put_u(m->rcpt_dom);
		PUTL("@dest");
		put_u(m->rcpt_dom);
		PUTL(".example>");
		if (m->outcome == 1) {
			PUTL(", relay=none");
			put_delays();
			PUTL(", dsn=4.4.1, status=deferred (connect to mx.dest");
			put_u(m->rcpt_dom);
			PUTL(".example[192.0.2.");
			put_u(1 + m->rcpt_dom % 254);
			PUTL("]:25: Connection timed out)");
		} else {
			PUTL(", relay=mx.dest");
			put_u(m->rcpt_dom);
			PUTL(".example[192.0.2.");
			put_u(1 + m->rcpt_dom % 254);
			PUTL("]:25");
			put_delays();
			if (m->outcome == 0) {
				PUTL(", dsn=2.0.0, status=sent (250 2.0.0 Ok: "
				    "queued as ");
				put_qid(rnd() & 0xFFFFFFFFFFULL);
				PUTL(")");
			} else {
				PUTL(", dsn=5.1.1, status=bounced (host mx.dest");
				put_u(m->rcpt_dom);
				PUTL(".example[192.0.2.");
				put_u(1 + m->rcpt_dom % 254);
				PUTL("] said: 550 5.1.1 <friend");
				put_u(m->rcpt_dom);
				PUTL("@dest");
				put_u(m->rcpt_dom);
				PUTL(".example>: Recipient address rejected: "
				    "User unknown (in reply to RCPT TO command))");
			}
		}
		if (m->outcome == 1) {
			end_line();
			return 1;	/* deferred: stays in the queue */
		}
		break;
	default:
		begin("postfix/qmgr", 13608);
		put_qid(m->qid);
		PUTL(": removed");
		end_line();
		return 1;
	}
	end_line();
	return 0;
}

/* A failed login: Postfix SASL or Dovecot. */
static void
auth_fail(uint32_t accounts)
{
	uint32_t	 a = 1 + rnd_n(accounts);
	uint32_t	 ip = (203u << 24) | (113u << 8) | (1 + rnd_n(254));

	if (rnd_n(2)) {
		begin("postfix/submission/smtpd", 10000 + rnd_n(30000));
		PUTL("warning: unknown[");
		put_ip(ip);
		PUTL("]: SASL PLAIN authentication failed: (reason "
		    "unavailable), sasl_username=");
		put_user(a);
	} else {
		put(prefix, prefix_len);
		PUTL("dovecot: auth: passwd-file(");
		put_user(a);
		PUTL(",");
		put_ip(ip);
		PUTL("): Password mismatch");
	}
	end_line();
}

static void
open_out(const char *path, int flags)
{
	if ((out_fd = open(path, O_WRONLY | O_CREAT | flags, 0644)) == -1)
		die(path);
}

static int
cmd_init(const char *path, uint32_t accounts)
{
	struct msg	 m;
	time_t		 now = time(NULL);
	uint32_t	 a;

	open_out(path, O_TRUNC);
	for (a = 1; a <= accounts; a++) {
		set_time(now - 600 + (time_t)((uint64_t)a * 600 / accounts));
		memset(&m, 0, sizeof(m));
		m.qid = new_qid();
		m.account = a;
		m.ip = home_ip(a);
		m.pid = 10000 + rnd_n(30000);
		m.size = 400 + rnd_n(60000);
		m.rcpt_dom = rnd_n(500);
		m.step = 1;		/* client=, cleanup, */
		msg_step(&m);
		msg_step(&m);
		m.step = 4;		/* qmgr from=, smtp sent, removed */
		while (!msg_step(&m))
			;
	}
	flush_out();
	printf("lines %llu\nbytes %llu\n", (unsigned long long)total_lines,
	    (unsigned long long)total_bytes);
	return 0;
}

static int64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmd_stream(const char *path, uint32_t accounts, double rate, double seconds)
{
	struct msg	 fl[INFLIGHT];
	struct timespec	 ts;
	int64_t		 t0, next, t, late, late_max = 0;
	uint64_t	 want, target = (uint64_t)(rate * seconds);
	int		 i;

	open_out(path, O_APPEND);
	for (i = 0; i < INFLIGHT; i++) {
		msg_new(&fl[i], accounts);
		fl[i].step = (int)rnd_n(6);	/* already under way */
	}
	t0 = now_ns();
	next = t0;
	while (total_lines < target) {
		next += BATCH_NS;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec = (time_t)(next / 1000000000);
		ts.tv_nsec = (long)(next % 1000000000);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
		    NULL) == EINTR)
			;
		t = now_ns();
		late = t - next;
		if (late > late_max)
			late_max = late;
		want = (uint64_t)((double)(t - t0) / 1e9 * rate);
		if (want > target)
			want = target;
		set_time(time(NULL));
		while (total_lines < want) {
			if (rnd_n(100) < 4) {
				auth_fail(accounts);
				continue;
			}
			i = (int)rnd_n(INFLIGHT);
			if (msg_step(&fl[i]))
				msg_new(&fl[i], accounts);
		}
		flush_out();
	}
	printf("lines %llu\nbytes %llu\nseconds %.3f\nlate_ms %.1f\n",
	    (unsigned long long)total_lines, (unsigned long long)total_bytes,
	    (double)(now_ns() - t0) / 1e9, (double)late_max / 1e6);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned long	 accounts;

	if (argc >= 4 && strcmp(argv[1], "init") == 0) {
		accounts = strtoul(argv[3], NULL, 10);
		if (argc > 4)
			rng_state = strtoull(argv[4], NULL, 10);
		if (accounts == 0)
			goto usage;
		return cmd_init(argv[2], (uint32_t)accounts);
	}
	if (argc >= 6 && strcmp(argv[1], "stream") == 0) {
		accounts = strtoul(argv[3], NULL, 10);
		if (argc > 6)
			rng_state = strtoull(argv[6], NULL, 10);
		/* queue ids must not repeat those of init */
		qid_next = 1ULL << 30;
		if (accounts == 0 || atof(argv[4]) <= 0 || atof(argv[5]) <= 0)
			goto usage;
		return cmd_stream(argv[2], (uint32_t)accounts, atof(argv[4]),
		    atof(argv[5]));
	}
usage:
	fputs("usage: feed init FILE ACCOUNTS [SEED]\n"
	    "       feed stream FILE ACCOUNTS RATE SECONDS [SEED]\n", stderr);
	return 2;
}
