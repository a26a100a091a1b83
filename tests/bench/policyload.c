/*
 * policyload.c: a loopback load generator for Postfix policy services
 * (tests/bench/policy.sh).  It plays smtpd: CONNS connections, each with
 * at most one request outstanding (smtpd asks, waits, goes on), requests
 * sent on a fixed schedule of RATE a second in all for SECS seconds, each
 * a full smtpd RCPT-state request (about 30 attributes) for a login from
 * a pool of 1,000, of which the first ten are on the service's list.
 *
 * A service that cannot keep up is given up on MAXSECS seconds after the
 * start (default SECS + 10): what it answered by then is reported.
 *
 * Prints one line: "requests N answered A rejected R late L p50_us X
 * p99_us Y max_us Z achieved_rps Q", the answer time measured from the
 * moment the request was due (a request that could not be sent on time,
 * its connection still waiting, counts its wait: no coordinated
 * omission).  Exits 1 when an answer is missing or malformed.
 *
 * usage: policyload HOST PORT RATE SECS CONNS [MAXSECS]
 */
#define _GNU_SOURCE	/* ppoll */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAXCONNS	512

struct conn {
	int		 fd;
	int		 busy;
	int64_t		 due;		/* ns the outstanding request was due */
	char		 in[512];
	size_t		 inlen;
};

/* Monotonic nanoseconds. */
static int64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* qsort order of latencies. */
static int
cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* One request as smtpd 3.7 sends it in the RCPT state. */
static size_t
make_request(char *buf, size_t size, uint64_t n)
{
	unsigned	u = (unsigned)(n * 2654435761u % 1000);

	return (size_t)snprintf(buf, size,
	    "request=smtpd_access_policy\nprotocol_state=RCPT\n"
	    "protocol_name=ESMTP\nclient_address=10.%u.%u.%u\n"
	    "client_name=unknown\nclient_port=%u\nreverse_client_name=unknown\n"
	    "server_address=127.0.0.1\nserver_port=587\n"
	    "helo_name=client%u.example.net\nsender=user%u@example.test\n"
	    "recipient=rcpt%llu@gmail.test\nrecipient_count=0\n"
	    "queue_id=\ninstance=%llx.6570a1b2.%llx.0\nsize=0\netrn_domain=\n"
	    "stress=\nsasl_method=PLAIN\nsasl_username=user%u@example.test\n"
	    "sasl_sender=\nccert_subject=\nccert_issuer=\n"
	    "ccert_fingerprint=\nccert_pubkey_fingerprint=\nencryption_protocol=\n"
	    "encryption_cipher=\nencryption_keysize=0\npolicy_context=\n"
	    "compatibility_level=3.6\nmail_version=3.7.11\n\n",
	    (u >> 4) & 255, u & 15, (unsigned)(n % 250) + 1,
	    40000 + (unsigned)(n % 20000), u, u, (unsigned long long)n,
	    (unsigned long long)n, (unsigned long long)n, u);
}

/* Connect, send on the schedule, time every answer, print the figures. */
int
main(int argc, char **argv)
{
	struct conn		*c;
	struct pollfd		*pfd;
	struct sockaddr_in	 sin;
	int64_t			*lat, start, next, t, wait_ns;
	uint64_t		 total, sent = 0, answered = 0, rejected = 0;
	uint64_t		 late = 0, bad = 0, late_mark = UINT64_MAX;
	char			 req[4096];
	double			 rate;
	struct timespec		 ts;
	int			 secs, nconns, i, one = 1, maxsecs;
	size_t			 len;
	ssize_t			 n;

	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: policyload HOST PORT RATE SECS CONNS "
		    "[MAXSECS]\n");
		return 2;
	}
	rate = atof(argv[3]);
	secs = atoi(argv[4]);
	nconns = atoi(argv[5]);
	maxsecs = argc == 7 ? atoi(argv[6]) : secs + 10;
	if (rate <= 0 || secs <= 0 || nconns <= 0 || nconns > MAXCONNS)
		return 2;
	total = (uint64_t)(rate * secs);
	lat = calloc(total, sizeof(*lat));
	c = calloc((size_t)nconns, sizeof(*c));
	pfd = calloc((size_t)nconns, sizeof(*pfd));
	if (lat == NULL || c == NULL || pfd == NULL)
		return 2;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1)
		return 2;
	for (i = 0; i < nconns; i++) {
		if ((c[i].fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
		    connect(c[i].fd, (struct sockaddr *)&sin, sizeof(sin)) ==
		    -1) {
			fprintf(stderr, "policyload: connect %s:%s: %s\n",
			    argv[1], argv[2], strerror(errno));
			return 1;
		}
		setsockopt(c[i].fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		pfd[i].fd = c[i].fd;
		pfd[i].events = POLLIN;
	}
	start = now_ns();
	while (answered + bad < total) {
		t = now_ns();
		if (t - start > (int64_t)maxsecs * 1000000000)
			break;		/* it cannot keep up: say what it did */
		/* send every request that is due on a free connection */
		while (sent < total) {
			next = start + (int64_t)((double)sent * 1e9 / rate);
			if (next > t)
				break;
			i = (int)(sent % (uint64_t)nconns);
			if (c[i].busy) {
				if (late_mark != sent)
					late++;
				late_mark = sent;
				break;	/* it goes when the answer comes */
			}
			len = make_request(req, sizeof(req), sent);
			c[i].busy = 1;
			c[i].due = next;
			c[i].inlen = 0;
			if (write(c[i].fd, req, len) != (ssize_t)len) {
				fprintf(stderr, "policyload: write: %s\n",
				    strerror(errno));
				return 1;
			}
			sent++;
		}
		/* sleep to the next due time, never spin: a spinning
		   generator at real-time priority starves the softirqs
		   that carry loopback traffic */
		if (sent < total) {
			next = start + (int64_t)((double)sent * 1e9 / rate);
			wait_ns = next - now_ns();
			if (wait_ns < 0)
				wait_ns = 0;
		} else
			wait_ns = 1000000000;
		ts.tv_sec = wait_ns / 1000000000;
		ts.tv_nsec = wait_ns % 1000000000;
		if (ppoll(pfd, (nfds_t)nconns, &ts, NULL) <= 0)
			continue;
		for (i = 0; i < nconns; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(c[i].fd, c[i].in + c[i].inlen,
			    sizeof(c[i].in) - 1 - c[i].inlen);
			if (n <= 0) {
				fprintf(stderr, "policyload: connection %d "
				    "closed\n", i);
				return 1;
			}
			c[i].inlen += (size_t)n;
			c[i].in[c[i].inlen] = '\0';
			if (c[i].inlen < 2 ||
			    strcmp(c[i].in + c[i].inlen - 2, "\n\n") != 0)
				continue;
			if (!c[i].busy || strncmp(c[i].in, "action=", 7) != 0) {
				bad++;
			} else {
				lat[answered++] = now_ns() - c[i].due;
				if (strncasecmp(c[i].in + 7, "REJECT", 6) == 0 ||
				    strncasecmp(c[i].in + 7, "DEFER", 5) == 0 ||
				    strncasecmp(c[i].in + 7, "554", 3) == 0)
					rejected++;
			}
			c[i].busy = 0;
			c[i].inlen = 0;
		}
	}
	t = now_ns() - start;
	qsort(lat, answered, sizeof(*lat), cmp64);
	printf("requests %llu answered %llu rejected %llu late %llu "
	    "p50_us %.1f p99_us %.1f max_us %.1f achieved_rps %.0f\n",
	    (unsigned long long)total, (unsigned long long)answered,
	    (unsigned long long)rejected, (unsigned long long)late,
	    answered ? lat[answered / 2] / 1e3 : 0.0,
	    answered ? lat[answered * 99 / 100] / 1e3 : 0.0,
	    answered ? lat[answered - 1] / 1e3 : 0.0,
	    (double)answered / ((double)t / 1e9));
	return bad > 0 ? 1 : 0;
}
