/*
 * resolve_driver.c: drive console/net/resolve.c with poll() as the console's
 * loop would, for tests/integration/test_resolve.sh.
 *
 *	resolve_driver [-s SERVER] [-t TIMEOUT_MS] [-c] NAME...
 *
 * Looks every NAME up at once (SERVER "IP[:PORT]"; none: the system's
 * resolver) and prints, as the answers come:
 *
 *	NAME addr=ADDR ms=N		(an address, N ms after asking)
 *	NAME why=WHY ms=N		(a failure, in the resolver's words)
 *	NAME rejected			(resolver_lookup() refused it)
 *
 * -c cancels every second lookup (the 2nd, 4th, ...) right after asking
 * all of them: "NAME cancelled" is printed, and "NAME CALLED AFTER CANCEL"
 * if its callback fires all the same.  An address that is not numeric
 * prints "NAME NOT NUMERIC".  Once nothing is due the driver waits for
 * the resolver to be idle and prints "idle" (or "not idle").  Exit 0 when
 * every lookup not cancelled got an address and nothing went wrong, 1
 * otherwise, 2 misuse.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/loop.h"
#include "net/resolve.h"

#include "driverlib.h"

#define USAGE	"resolve_driver [-s server] [-t timeout_ms] [-c] name..."

#define MAXN		256
#define GUARD_MS	30000

struct lookup {
	const char	*name;
	int64_t		 asked;
	int		 cancelled, answered;
};

static int	 bad;

/* A lookup ended: say how, and check what we were given. */
static void
answered(void *arg, const char *host, const char *addr, const char *why)
{
	struct lookup	*l = arg;
	unsigned char	 a[16];
	int64_t		 ms = loop_now_ms() - l->asked;

	if (l->cancelled) {
		printf("%s CALLED AFTER CANCEL\n", l->name);
		bad = 1;
	}
	if (l->answered++) {
		printf("%s CALLED TWICE\n", l->name);
		bad = 1;
	}
	if (strcmp(host, l->name) != 0) {
		printf("%s WRONG HOST %s\n", l->name, host);
		bad = 1;
	}
	if (addr == NULL) {
		printf("%s why=%s ms=%lld\n", l->name, why, (long long)ms);
		bad = 1;
		return;
	}
	if (inet_pton(AF_INET, addr, a) != 1 &&
	    inet_pton(AF_INET6, addr, a) != 1) {
		printf("%s NOT NUMERIC\n", l->name);
		bad = 1;
	}
	printf("%s addr=%s ms=%lld\n", l->name, addr, (long long)ms);
}

/* Wait for the resolver once and let it work. */
static void
step(struct resolver *r)
{
	struct pollfd	 pfd[RESOLVER_MAXFDS];
	size_t		 n;
	int		 ms;

	n = resolver_fds(r, pfd, RESOLVER_MAXFDS);
	ms = resolver_wait_ms(r);
	if (poll(pfd, n, ms < 0 || ms > 1000 ? 1000 : ms) == -1 &&
	    errno != EINTR)
		exit(1);
	resolver_process(r, pfd, n);
}

int
main(int argc, char *argv[])
{
	struct lookup	 l[MAXN];
	struct resolver	*r;
	const char	*server = NULL;
	char		 err[256];
	int		 ch, i, n, timeout_ms = 0, cancel = 0;
	int64_t		 give_up;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((ch = getopt(argc, argv, "cs:t:")) != -1) {
		switch (ch) {
		case 'c': cancel = 1; break;
		case 's': server = optarg; break;
		case 't': timeout_ms = atoi(optarg); break;
		default: driver_usage(USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > MAXN)
		driver_usage(USAGE);
	n = argc;
	if ((r = resolver_new(server, timeout_ms, err, sizeof(err))) == NULL) {
		printf("resolver_new: %s\n", err);
		return 1;
	}
	memset(l, 0, sizeof(l));
	for (i = 0; i < n; i++) {
		l[i].name = argv[i];
		l[i].asked = loop_now_ms();
		if (resolver_lookup(r, argv[i], answered, &l[i]) == -1) {
			printf("%s rejected\n", argv[i]);
			l[i].answered = 1;
			bad = 1;
		}
	}
	for (i = 1; cancel && i < n; i += 2) {
		resolver_cancel(r, &l[i]);
		l[i].cancelled = 1;
		printf("%s cancelled\n", l[i].name);
	}
	give_up = loop_now_ms() + GUARD_MS;
	while (resolver_pending(r) > 0 && loop_now_ms() < give_up)
		step(r);
	while (resolver_wait_ms(r) != -1 && loop_now_ms() < give_up)
		step(r);
	printf("%s\n", resolver_wait_ms(r) == -1 ? "idle" : "not idle");
	for (i = 0; i < n; i++)
		if (!l[i].answered && !l[i].cancelled) {
			printf("%s NO ANSWER\n", l[i].name);
			bad = 1;
		}
	resolver_free(r);
	return bad;
}
