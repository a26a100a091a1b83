/*
 * resolve_int.h: between resolve.c (the lookups on c-ares) and
 * resolve_name.c (the text it takes and gives).  Not for other modules.
 */
#ifndef MAILCON_RESOLVE_INT_H
#define MAILCON_RESOLVE_INT_H

#include <stddef.h>

#include <ares.h>

#define RESOLVER_NAME_MAX	253	/* bytes of a name, no final dot */

/*
 * Is s a host name we may ask for?  The last label must not be all
 * digits, so that "127.1" or "10.0.0.256" is never sent to DNS.
 */
int	resolver_name_ok(const char *s);
/* A numeric host in canonical form into out; 0, or -1 when not one. */
int	resolver_numeric(const char *host, char *out, size_t size);
/* Is host "localhost" or a name below it (RFC 6761: never on DNS)? */
int	resolver_localhost(const char *host);
/* The first IPv4 address of an answer, else the first IPv6 one, into
   out; 0, or -1 when there is none. */
int	resolver_pick(const struct ares_addrinfo *ai, char *out, size_t size);
/* Plain words for how c-ares ended a lookup. */
const char *resolver_why(int status);

#endif
