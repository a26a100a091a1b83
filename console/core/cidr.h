/*
 * cidr.h: address networks as an admin writes them in the configuration
 * ("10.0.0.0/8", "2001:db8::/32", or a plain address: the one address),
 * and whether a client address (struct mail_ip, as the logs give it) is
 * in one.  An IPv4-mapped IPv6 network (::ffff:10.0.0.0/104) is the IPv4
 * one, as mail_ip_parse() makes such addresses IPv4.
 */
#ifndef MAILCON_CIDR_H
#define MAILCON_CIDR_H

#include <stddef.h>
#include <stdint.h>

#include "backends/event.h"

#define CIDR_TEXT_MAX	50	/* the longest text form, with "/128" */

struct cidr {
	struct mail_ip	 net;	/* its host bits zero */
	uint8_t		 bits;	/* prefix length: 0-32, 0-128 */
};

/*
 * Parse s: 0, or -1 with why (size bytes) quoting s, escaped, and saying
 * what is expected.  Host bits set past the prefix are an error (naming
 * the network meant), as in Postfix's cidr tables: "10.0.0.1/8" is more
 * likely a typo than a network.
 */
int	 cidr_parse(const char *s, struct cidr *out, char *why, size_t size);
/* Is ip in c? */
int	 cidr_contains(const struct cidr *c, const struct mail_ip *ip);
/* Is ip in one of the n networks of list? */
int	 cidr_list_contains(const struct cidr *list, size_t n,
	    const struct mail_ip *ip);
/* Text form ("10.0.0.0/8"; a whole address without "/32") into buf (at
   least CIDR_TEXT_MAX bytes); returns buf. */
char	*cidr_format(const struct cidr *c, char *buf, size_t size);

#endif
