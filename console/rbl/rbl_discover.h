/*
 * rbl_discover.h: which addresses a server sends mail from, when the
 * config does not say (outbound_ips): Postfix's smtp_bind_address and
 * smtp_bind_address6 (main.cf read as a file, never by running postconf:
 * nothing may hang), then the machine's interface addresses.  Only public
 * addresses are kept; a blocklist has nothing to say about 10.0.0.5.
 */
#ifndef MAILCON_RBL_DISCOVER_H
#define MAILCON_RBL_DISCOVER_H

#include <stddef.h>

#include "rbl_zone.h"

struct rbl_found {
	struct rbl_ip	 ip;
	char		 source[160];	/* "smtp_bind_address in PATH" */
};

/*
 * Fill *out (a new array; the caller frees it) with the addresses found,
 * without repeats; maincf may be NULL.  What was left out, and why, goes
 * into skipped ("" when nothing).  Returns the count.
 */
size_t	rbl_discover(const char *maincf, struct rbl_found **out,
	    char *skipped, size_t skippedlen);
/*
 * 1 when a blocklist can list ip: not private (RFC 1918, RFC 4193),
 * shared (RFC 6598), documentation (RFC 5737, RFC 3849), benchmark,
 * loopback, link-local, multicast or reserved (rbl_discover.c lists them).
 */
int	rbl_ip_public(const struct rbl_ip *ip);

#endif
