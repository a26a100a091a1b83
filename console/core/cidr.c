/*
 * cidr.c: address networks; see cidr.h.
 */
#include <stdio.h>
#include <string.h>

#include "cidr.h"
#include "sanitize.h"

/* The prefix length after '/': 0-255 in at most three digits, no sign,
   no leading zero; -1 when it is not a number. */
static int
cidr_bits(const char *p)
{
	int	 v = 0;
	size_t	 i;

	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] < '0' || p[i] > '9' || i == 3 || (i > 0 && v == 0))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return i == 0 ? -1 : v;
}

/* Are the bits of ip past the first bits zero? */
static int
cidr_host_zero(const struct mail_ip *ip, unsigned bits)
{
	size_t		 len = ip->family == 4 ? 4 : 16, i;
	unsigned	 b;

	for (i = 0; i < len; i++) {
		b = bits > i * 8 ? bits - (unsigned)i * 8 : 0;
		if (b >= 8)
			continue;
		if ((ip->bytes[i] & (0xffu >> b)) != 0)
			return 0;
	}
	return 1;
}

/* See cidr.h. */
int
cidr_parse(const char *s, struct cidr *out, char *why, size_t size)
{
	char		 shown[96], net[CIDR_TEXT_MAX];
	const char	*slash = strchr(s, '/');
	size_t		 alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	int		 bits, max, mapped;
	struct cidr	 c;

	memset(out, 0, sizeof(*out));
	sanitize_str(shown, sizeof(shown), s);
	memset(&c, 0, sizeof(c));
	if (mail_ip_parse(s, alen, &c.net) == -1) {
		snprintf(why, size, "\"%s\" is not an address or a network "
		    "(like 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32)", shown);
		return -1;
	}
	/* ::ffff:a.b.c.d: an IPv4 address, its prefix counted in IPv6 */
	mapped = c.net.family == 4 && memchr(s, ':', alen) != NULL;
	max = c.net.family == 4 && !mapped ? 32 : 128;
	bits = max;
	if (slash != NULL && ((bits = cidr_bits(slash + 1)) == -1 ||
	    bits > max || (mapped && bits < 96))) {
		snprintf(why, size, "\"%s\": the prefix length after '/' is "
		    "%s", shown, mapped ? "96 to 128 for an IPv4-mapped "
		    "address" : max == 32 ? "0 to 32 for IPv4" :
		    "0 to 128 for IPv6");
		return -1;
	}
	c.bits = (uint8_t)(mapped ? bits - 96 : bits);
	if (!cidr_host_zero(&c.net, c.bits)) {
		/* name the network meant */
		struct cidr	 m = c;
		size_t		 i, len = m.net.family == 4 ? 4 : 16;
		unsigned	 b;

		for (i = 0; i < len; i++) {
			b = m.bits > i * 8 ? m.bits - (unsigned)i * 8 : 0;
			if (b < 8)
				m.net.bytes[i] &= (uint8_t)(0xff00u >> b);
		}
		snprintf(why, size, "\"%s\": bits set past the prefix /%d "
		    "(the network is %s)", shown, bits, cidr_format(&m, net,
		    sizeof(net)));
		return -1;
	}
	*out = c;
	return 0;
}

/* See cidr.h. */
int
cidr_contains(const struct cidr *c, const struct mail_ip *ip)
{
	size_t	 whole = c->bits / 8;
	unsigned rest = c->bits % 8;

	if (ip->family != c->net.family || c->net.family == 0)
		return 0;
	if (memcmp(ip->bytes, c->net.bytes, whole) != 0)
		return 0;
	return rest == 0 || ((ip->bytes[whole] ^ c->net.bytes[whole]) &
	    (0xff00u >> rest) & 0xff) == 0;
}

/* See cidr.h. */
int
cidr_list_contains(const struct cidr *list, size_t n,
    const struct mail_ip *ip)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (cidr_contains(&list[i], ip))
			return 1;
	return 0;
}

/* See cidr.h. */
char *
cidr_format(const struct cidr *c, char *buf, size_t size)
{
	char	 ip[46];
	unsigned full = c->net.family == 4 ? 32 : 128;

	mail_ip_format(&c->net, ip, sizeof(ip));
	if (c->bits == full)
		snprintf(buf, size, "%s", ip);
	else
		snprintf(buf, size, "%s/%u", ip, (unsigned)c->bits);
	return buf;
}
