/*
 * rbl_discover.h: which addresses a server sends mail from, when the
 * config does not say (outbound_ips): the ones its MTA's configuration
 * names (found by the caller: config/discover.h), then the machine's
 * interface addresses.  Only public addresses are kept; a blocklist has
 * nothing to say about 10.0.0.5.
 */
#ifndef MAILCON_RBL_DISCOVER_H
#define MAILCON_RBL_DISCOVER_H

#include <stddef.h>

#include "rbl_zone.h"

struct rbl_found {
	struct rbl_ip	 ip;
	char		 source[160];	/* "KEY in PATH", "interface eth0" */
};

/* An address a configuration names: a plain address, or not (skipped). */
struct rbl_hint {
	const char	*key;		/* the setting */
	const char	*value;		/* as written */
	const char	*path;		/* the file that says so */
};

/*
 * Fill *out (a new array; the caller frees it) with the addresses of the
 * hints, then of the interfaces, without repeats.  What was left out, and
 * why, goes into skipped ("" when nothing).  Returns the count.
 */
size_t	rbl_discover(const struct rbl_hint *hints, size_t nhints,
	    struct rbl_found **out, char *skipped, size_t skippedlen);
/*
 * 1 when a blocklist can list ip: not private (RFC 1918, RFC 4193),
 * shared (RFC 6598), documentation (RFC 5737, RFC 3849), benchmark,
 * loopback, link-local, multicast or reserved (rbl_discover.c lists them).
 */
int	rbl_ip_public(const struct rbl_ip *ip);

#endif
