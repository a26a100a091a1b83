/*
 * resolve.h: host names to numeric addresses without blocking the loop
 * (c-ares), for the SSH transport, which connects to numeric addresses
 * only.
 *
 * A lookup asks for A and AAAA at once and answers with one address:
 * the first IPv4 one when there is any (most SSH targets, and our tests,
 * are IPv4), else the first IPv6 one.  The address handed out is always
 * text made by inet_ntop() from the binary answer: nothing of the DNS
 * response (names, aliases) is ever passed on, since all of it is
 * attacker text.
 *
 * Resolvers: with a server ("IP[:PORT]"), that server alone is asked,
 * for the name as written (no search domains, no /etc/hosts): the
 * answer cannot depend on the machine.  Without one (NULL), the
 * system's resolv.conf, search list and /etc/hosts are used, as
 * nsswitch.conf orders them.
 *
 * "localhost" and names below it are 127.0.0.1 without asking (RFC
 * 6761).
 *
 * Every lookup ends by its deadline (timeout_ms after resolver_lookup)
 * with an address or a reason in plain words: "no such host", "no
 * address for this name", "timed out", "server failure", "refused by the
 * resolver", "resolver unreachable", "bad answer from the resolver" or
 * "lookup failed".
 *
 * Callbacks are never called from within resolver_lookup(),
 * resolver_cancel() or resolver_free(): only from resolver_process(), so
 * a caller never re-enters itself.  A numeric host (IPv4 or IPv6, given
 * back in inet_ntop()'s canonical form) is answered on the next
 * resolver_process() call without asking anyone.
 *
 * From inside a callback it is fine to look up (answered on a later
 * resolver_process() call), to cancel, and even to free the resolver (the
 * callbacks still due are then dropped); resolver_process() does nothing
 * there.
 *
 * Usage with the loop: poll what resolver_fds() gives; on any event
 * there, and at least every resolver_wait_ms(), call resolver_process()
 * with those pollfds (their revents read).  An owner that goes away calls
 * resolver_cancel() with its arg first: its callback never fires after.
 */
#ifndef MAILCON_RESOLVE_H
#define MAILCON_RESOLVE_H

#include <poll.h>
#include <stddef.h>

#define RESOLVER_TIMEOUT_MS	5000
#define RESOLVER_CSV_MAX	64	/* "[IPv6]:PORT" and its NUL */
#define RESOLVER_MAXFDS		16	/* the most resolver_fds() gives */

/*
 * The answer to one lookup.  host is the name as given; addr is a
 * numeric address, or NULL when the lookup failed and why says why (NULL
 * on success).  The strings are valid during the call only.
 */
typedef void	(*resolver_cb)(void *arg, const char *host,
		    const char *addr, const char *why);

struct resolver;

/*
 * A resolver asking server ("IP", "IP:PORT", "[IPv6]:PORT"; NULL: the
 * system's), each lookup ending within timeout_ms (0:
 * RESOLVER_TIMEOUT_MS).  NULL with err saying why (a bad server, c-ares
 * failing).
 */
struct resolver	*resolver_new(const char *server, int timeout_ms,
		    char *err, size_t errlen);
/* Free it; callbacks still due are dropped (none fires). */
void		 resolver_free(struct resolver *r);

/*
 * Look host up; cb(arg, ...) is called once, from resolver_process().
 * -1 (and no callback) when host is neither an IP address nor a well-
 * formed host name (letters, digits, '-' and '_' in labels of at most 63
 * bytes, at most 253 bytes, the last label not all digits).
 */
int		 resolver_lookup(struct resolver *r, const char *host,
		    resolver_cb cb, void *arg);
/* Drop every callback still due to arg: none of them will fire. */
void		 resolver_cancel(struct resolver *r, void *arg);

/* Up to max (RESOLVER_MAXFDS is enough) sockets to poll; their count. */
size_t		 resolver_fds(const struct resolver *r,
		    struct pollfd *pfd, size_t max);
/*
 * Read what is ready on pfd (n entries from resolver_fds(), revents
 * set; NULL and 0 when only time passed), end lookups past their
 * deadline, and call the callbacks of lookups that have ended.
 */
void		 resolver_process(struct resolver *r,
		    const struct pollfd *pfd, size_t n);
/* How long the loop may sleep before resolver_process(); -1 when idle. */
int		 resolver_wait_ms(const struct resolver *r);
/* Callbacks still due (cancelled lookups do not count). */
size_t		 resolver_pending(const struct resolver *r);

/*
 * Check a resolver, "IP", "IP:PORT", "[IPv6]:PORT" or a bare IPv6 (no
 * names, masks or zones), and write it as c-ares'
 * ares_set_servers_ports_csv() wants it into csv (RESOLVER_CSV_MAX).
 * 0, or -1 with the reason in err.
 */
int	resolver_server_parse(const char *s, char *csv, size_t size,
	    char *err, size_t errlen);

#endif
