/*
 * test_resolve.c: the resolver's own rules (console/net/resolve.c and
 * resolve_name.c) without a DNS daemon: numeric hosts and localhost
 * answered without asking, and only on the next resolver_process(); host
 * names checked; the words for SERVFAIL, REFUSED, NXDOMAIN and an empty
 * answer (a UDP socket of ours answering with that rcode); the deadline
 * against a resolver that never answers (the same socket, never read);
 * cancelling, also from inside a callback; freeing with lookups in flight
 * and from inside a callback.
 *
 * The answers of a real server (dnsmasq: names, A and AAAA, IPv6 only,
 * CNAME, NXDOMAIN) are in tests/integration/test_resolve.sh.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit_files.h"
#include "net/resolve.h"

#define GUARD_MS	10000

/* What one owner was told. */
struct got {
	int		 calls;
	char		 host[300];
	char		 addr[64];	/* "" when none */
	char		 why[64];	/* "" when none */
	/* what the callback does besides recording */
	struct resolver	*r;
	void		*cancel;	/* cancel this arg */
	const char	*ask;		/* look this up, to *asked */
	struct got	*asked;
	int		 process;	/* call resolver_process() */
	int		 free_r;	/* free r */
};

/* The callback: record, then do what the test asked of it. */
static void
record(void *arg, const char *host, const char *addr, const char *why)
{
	struct got	*g = arg;

	g->calls++;
	snprintf(g->host, sizeof(g->host), "%s", host);
	snprintf(g->addr, sizeof(g->addr), "%s", addr != NULL ? addr : "");
	snprintf(g->why, sizeof(g->why), "%s", why != NULL ? why : "");
	/* exactly one of addr and why */
	assert_true((addr == NULL) != (why == NULL));
	if (g->cancel != NULL)
		resolver_cancel(g->r, g->cancel);
	if (g->ask != NULL)
		assert_int_equal(resolver_lookup(g->r, g->ask, record,
		    g->asked), 0);
	if (g->process)
		resolver_process(g->r, NULL, 0);
	if (g->free_r)
		resolver_free(g->r);
}

/*
 * A UDP socket on 127.0.0.1 for a resolver to ask: silent unless the
 * test answers on it with serve().
 */
static int
fake_server(char *server, size_t size)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd;

	assert_true((fd = socket(AF_INET, SOCK_DGRAM, 0)) != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(server, size, "127.0.0.1:%u", ntohs(sin.sin_port));
	return fd;
}

/*
 * Answer every query waiting on fd with rcode and no records: the query
 * sent back with QR set, so c-ares takes it for the answer to it.
 */
static void
serve(int fd, int rcode)
{
	struct sockaddr_storage	 from;
	socklen_t		 len = sizeof(from);
	unsigned char		 buf[512];
	ssize_t			 n;

	while ((n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
	    (struct sockaddr *)&from, &len)) >= 12) {
		buf[2] |= 0x80;
		buf[3] = (unsigned char)(0x80 | rcode);
		assert_true(sendto(fd, buf, (size_t)n, 0,
		    (struct sockaddr *)&from, len) == n);
		len = sizeof(from);
	}
}

/*
 * One turn of the loop: poll the resolver's sockets (and the fake
 * server's, when fd is not -1, answering it with rcode), then process.
 */
static void
turn(struct resolver *r, int fd, int rcode)
{
	struct pollfd	 pfd[RESOLVER_MAXFDS + 1];
	size_t		 n;
	int		 ms;

	n = resolver_fds(r, pfd, RESOLVER_MAXFDS);
	pfd[n].fd = fd;
	pfd[n].events = POLLIN;
	pfd[n].revents = 0;
	ms = resolver_wait_ms(r);
	assert_true(ms >= -1);
	(void)poll(pfd, n + 1, ms < 0 || ms > 200 ? 200 : ms);
	if (pfd[n].revents & POLLIN)
		serve(fd, rcode);
	resolver_process(r, pfd, n);
}

/*
 * Run the loop until no callback is due (bounded); as turn().  Past the
 * bound, a few turns more: a process stopped beyond it (a loaded machine)
 * still gets the turns that take what came meanwhile.
 */
static void
drive(struct resolver *r, int fd, int rcode)
{
	int64_t	 end = uf_now_ms() + GUARD_MS;
	int	 late = 0;

	while (resolver_pending(r) > 0 && (uf_now_ms() < end || late++ < 3))
		turn(r, fd, rcode);
	assert_int_equal(resolver_pending(r), 0);
}

/* Look host up for g: it must be taken. */
static void
ask(struct resolver *r, const char *host, struct got *g)
{
	assert_int_equal(resolver_lookup(r, host, record, g), 0);
}

/* A resolver asking srv; the test fails when there is none. */
static struct resolver *
new_resolver(const char *srv, int timeout_ms)
{
	struct resolver	*r;
	char		 err[256];

	r = resolver_new(srv, timeout_ms, err, sizeof(err));
	if (r == NULL)
		fail_msg("resolver_new: %s", err);
	return r;
}

/* Look host up and expect it answered with want, on the next process. */
static void
expect_numeric(struct resolver *r, const char *host, const char *want)
{
	struct got	 g;

	memset(&g, 0, sizeof(g));
	ask(r, host, &g);
	/* never from within resolver_lookup(): the caller is not re-entered */
	assert_int_equal(g.calls, 0);
	assert_int_equal(resolver_pending(r), 1);
	assert_int_equal(resolver_wait_ms(r), 0);
	resolver_process(r, NULL, 0);
	assert_int_equal(g.calls, 1);
	assert_string_equal(g.host, host);
	assert_string_equal(g.addr, want);
	assert_string_equal(g.why, "");
	assert_int_equal(resolver_wait_ms(r), -1);
}

static void
test_numeric(void **state)
{
	struct resolver	*r;
	struct got	 a, b;

	/* a closed port: only "notlocalhost" at the end is sent there */
	r = new_resolver("127.0.0.1:1", 1000);
	assert_int_equal(resolver_wait_ms(r), -1);
	expect_numeric(r, "127.0.0.9", "127.0.0.9");
	expect_numeric(r, "::1", "::1");
	expect_numeric(r, "0:0:0::1", "::1");
	expect_numeric(r, "2001:DB8:0::25", "2001:db8::25");
	expect_numeric(r, "::ffff:127.0.0.5", "::ffff:127.0.0.5");
	expect_numeric(r, "localhost", "127.0.0.1");
	expect_numeric(r, "LocalHost.", "127.0.0.1");
	expect_numeric(r, "mx.localhost", "127.0.0.1");

	/* several at once: each answered once */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ask(r, "127.0.0.2", &a);
	ask(r, "127.0.0.3", &b);
	assert_int_equal(resolver_pending(r), 2);
	resolver_process(r, NULL, 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 1);
	assert_string_equal(a.addr, "127.0.0.2");
	assert_string_equal(b.addr, "127.0.0.3");
	resolver_process(r, NULL, 0);
	assert_int_equal(a.calls + b.calls, 2);

	/* a name ending in "localhost" is not localhost: it is asked */
	memset(&a, 0, sizeof(a));
	ask(r, "notlocalhost", &a);
	drive(r, -1, 0);
	assert_int_equal(a.calls, 1);
	assert_string_equal(a.addr, "");
	assert_string_not_equal(a.why, "");
	resolver_free(r);
}

static void
test_names(void **state)
{
	static const char *const bad[] = {
		"", ".", "..", "a..test", ".a.test", "-a.test", "a-.test",
		"a.-b.test", "bad name.test", "a\033[2J.test", "a\n.test",
		"host:22", "[::1]", "::1%lo", "127.1", "10.0.0.256", "1.2.3",
		"a.b.123", "a.b.123.", "h\xc3\xa9.test", "a/b.test", "a;id",
		NULL
	};
	static const char *const good[] = {
		"mx1", "mx1.test", "mx1.test.", "MX1.Test", "a_b.test",
		"0day.test", "123.test", "xn--bcher-kva.test", NULL
	};
	struct resolver	*r;
	struct got	 g;
	char		 label[80], name[512];
	size_t		 i;

	r = new_resolver("127.0.0.1:1", 1000);
	memset(&g, 0, sizeof(g));
	for (i = 0; bad[i] != NULL; i++)
		if (resolver_lookup(r, bad[i], record, &g) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(resolver_pending(r), 0);
	assert_int_equal(resolver_wait_ms(r), -1);
	for (i = 0; good[i] != NULL; i++)
		if (resolver_lookup(r, good[i], record, &g) != 0)
			fail_msg("refused \"%s\"", good[i]);
	assert_int_equal(resolver_pending(r), i);

	/* a label of 63 bytes and a name of 253 pass; one more does not */
	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(name, sizeof(name), "%s.test", label);
	ask(r, name, &g);
	snprintf(name, sizeof(name), "%sa.test", label);
	assert_int_equal(resolver_lookup(r, name, record, &g), -1);
	snprintf(name, sizeof(name), "%s.%s.%s.%.61s", label, label, label,
	    label);
	assert_int_equal(strlen(name), 253);
	ask(r, name, &g);
	strcat(name, ".");
	ask(r, name, &g);
	strcat(name, "b");
	assert_int_equal(resolver_lookup(r, name, record, &g), -1);

	/* the accepted ones are in flight: dropped, never answered */
	resolver_cancel(r, &g);
	assert_int_equal(resolver_pending(r), 0);
	resolver_process(r, NULL, 0);
	resolver_free(r);
	assert_int_equal(g.calls, 0);
}

static void
test_server(void **state)
{
	struct resolver	*r;
	char		 err[256];

	assert_null(resolver_new("dns.example", 1000, err, sizeof(err)));
	assert_non_null(strstr(err, "resolver"));
	assert_null(resolver_new("127.0.0.1:99999", 1000, err, sizeof(err)));
	assert_non_null(strstr(err, "port"));
	assert_null(resolver_new("127.0.0.1;id", 1000, err, sizeof(err)));
	r = new_resolver("[::1]:5353", 1000);
	resolver_free(r);
	r = new_resolver("127.0.0.1", 0);
	resolver_free(r);
	/* the system's: resolv.conf is read, nothing is asked */
	r = new_resolver(NULL, 1000);
	assert_int_equal(resolver_wait_ms(r), -1);
	resolver_free(r);
	resolver_free(NULL);
}

static void
test_answers(void **state)
{
	static const struct {
		int		 rcode;
		const char	*why;
	} cases[] = {
		{ 2, "server failure" },
		{ 5, "refused by the resolver" },
		{ 3, "no such host" },
		{ 0, "no address for this name" },
	};
	struct resolver	*r;
	struct got	 g;
	char		 srv[64];
	size_t		 i;
	int		 fd;

	fd = fake_server(srv, sizeof(srv));
	r = new_resolver(srv, 2000);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&g, 0, sizeof(g));
		ask(r, "mx1.test", &g);
		drive(r, fd, cases[i].rcode);
		assert_int_equal(g.calls, 1);
		assert_string_equal(g.addr, "");
		if (strcmp(g.why, cases[i].why) != 0)
			fail_msg("rcode %d: \"%s\", expected \"%s\"",
			    cases[i].rcode, g.why, cases[i].why);
	}
	resolver_free(r);
	close(fd);
}

static void
test_timeout(void **state)
{
	struct resolver	*r;
	struct got	 g;
	struct pollfd	 pfd[RESOLVER_MAXFDS];
	char		 srv[64];
	int64_t		 t0, took;
	int		 fd, ms;

	fd = fake_server(srv, sizeof(srv));
	r = new_resolver(srv, 600);
	memset(&g, 0, sizeof(g));
	t0 = uf_now_ms();
	ask(r, "mx1.test", &g);
	/* a socket to watch and a time to wake up by */
	assert_true(resolver_fds(r, pfd, RESOLVER_MAXFDS) >= 1);
	ms = resolver_wait_ms(r);
	assert_true(ms > 0 && ms <= 600);
	drive(r, -1, 0);
	took = uf_now_ms() - t0;
	assert_int_equal(g.calls, 1);
	assert_string_equal(g.host, "mx1.test");
	assert_string_equal(g.addr, "");
	assert_string_equal(g.why, "timed out");
	/* not before the deadline; how long after it is the machine's
	   load (a process stopped 11 s failed an upper bound here) */
	if (took < 550)
		fail_msg("timed out after %lld ms, the timeout is 600",
		    (long long)took);
	resolver_free(r);
	close(fd);
}

static void
test_cancel(void **state)
{
	struct resolver	*r;
	struct got	 a, b;
	char		 srv[64];
	int64_t		 end;
	int		 fd;

	fd = fake_server(srv, sizeof(srv));
	r = new_resolver(srv, 400);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ask(r, "a.test", &a);
	ask(r, "b.test", &b);
	ask(r, "127.0.0.7", &a);
	assert_int_equal(resolver_pending(r), 3);
	resolver_cancel(r, &a);
	assert_int_equal(resolver_pending(r), 1);
	drive(r, -1, 0);
	assert_int_equal(b.calls, 1);
	assert_string_equal(b.why, "timed out");
	/* c-ares still holds a.test until it gives up: run till idle */
	end = uf_now_ms() + GUARD_MS;
	while (resolver_wait_ms(r) != -1 && uf_now_ms() < end)
		turn(r, -1, 0);
	assert_int_equal(resolver_wait_ms(r), -1);
	assert_int_equal(a.calls, 0);
	/* cancelling what is not there is nothing */
	resolver_cancel(r, &a);
	resolver_cancel(r, NULL);
	resolver_free(r);
	close(fd);
}

static void
test_callbacks(void **state)
{
	struct resolver	*r;
	struct got	 a, b, c, d;

	r = new_resolver("127.0.0.1:1", 1000);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	/*
	 * a's callback cancels b (ready, not yet called), asks again, and
	 * calls resolver_process(), which must not answer from in there
	 */
	a.r = r;
	a.cancel = &b;
	a.ask = "127.0.0.4";
	a.asked = &c;
	a.process = 1;
	ask(r, "127.0.0.2", &a);
	ask(r, "127.0.0.3", &b);
	resolver_process(r, NULL, 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 0);
	/* what a callback asks is answered on the next call, not within */
	assert_int_equal(c.calls, 0);
	assert_int_equal(resolver_pending(r), 1);
	assert_int_equal(resolver_wait_ms(r), 0);
	resolver_process(r, NULL, 0);
	assert_int_equal(c.calls, 1);
	assert_string_equal(c.addr, "127.0.0.4");
	assert_int_equal(b.calls, 0);

	/* a callback cancelling its own arg: harmless, called once */
	memset(&a, 0, sizeof(a));
	a.r = r;
	a.cancel = &a;
	ask(r, "::1", &a);
	resolver_process(r, NULL, 0);
	assert_int_equal(a.calls, 1);

	/* d's callback frees r: the rest is dropped, r is gone cleanly */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	d.r = r;
	d.free_r = 1;
	ask(r, "127.0.0.5", &d);
	ask(r, "127.0.0.6", &a);
	ask(r, "in.flight.test", &b);
	resolver_process(r, NULL, 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(a.calls, 0);
	assert_int_equal(b.calls, 0);
}

static void
test_free_pending(void **state)
{
	struct resolver	*r;
	struct got	 g;
	char		 srv[64];
	int		 fd, i;

	fd = fake_server(srv, sizeof(srv));
	r = new_resolver(srv, 5000);
	memset(&g, 0, sizeof(g));
	for (i = 0; i < 20; i++)
		ask(r, i % 2 ? "x.test" : "127.0.0.1", &g);
	turn(r, -1, 0);
	assert_int_equal(g.calls, 10);
	/* ten queries are with c-ares: freeing must not call anyone */
	resolver_free(r);
	assert_int_equal(g.calls, 10);
	close(fd);
}

/* The resolver setting: addresses and ports only. */
static void
test_server_parse(void **state)
{
	static const char *const bad[] = { "", "1.2.3.4:0", "1.2.3.4:65536",
	    "1.2.3.4:x", "1.2.3.4:", "[::1", "[::1]x", "host:53",
	    "1.2.3.4:-5", "[1.2.3]:53" };
	char		 csv[80], err[200];
	size_t		 i;

	assert_int_equal(resolver_server_parse("127.0.0.1", csv, sizeof(csv),
	    err, sizeof(err)), 0);
	assert_string_equal(csv, "127.0.0.1:53");
	assert_int_equal(resolver_server_parse("127.0.0.1:5353", csv,
	    sizeof(csv), err, sizeof(err)), 0);
	assert_string_equal(csv, "127.0.0.1:5353");
	assert_int_equal(resolver_server_parse("[::1]:5353", csv, sizeof(csv),
	    err, sizeof(err)), 0);
	assert_string_equal(csv, "[::1]:5353");
	assert_int_equal(resolver_server_parse("::1", csv, sizeof(csv), err,
	    sizeof(err)), 0);
	assert_string_equal(csv, "[::1]:53");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (resolver_server_parse(bad[i], csv, sizeof(csv), err,
		    sizeof(err)) != -1)
			fail_msg("resolver \"%s\" accepted", bad[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_parse),
		cmocka_unit_test(test_numeric),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_server),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_callbacks),
		cmocka_unit_test(test_free_pending),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
