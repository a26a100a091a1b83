/* rbl_discover.c: a server's outbound addresses; see rbl_discover.h. */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbl_discover.h"
#include "core/xmalloc.h"

/*
 * Is the IPv4 address a[0..3] one a blocklist can list?  Not this network
 * (0/8), RFC 1918 (10/8, 172.16/12, 192.168/16), RFC 6598's shared space
 * (100.64/10), loopback, link-local, RFC 6890's protocol assignments
 * (192.0.0/24), RFC 5737's documentation (192.0.2/24, 198.51.100/24,
 * 203.0.113/24), RFC 2544's benchmarks (198.18/15), multicast and
 * reserved (224/3).
 */
static int
rbl_ip4_public(const uint8_t *a)
{
	return !(a[0] == 0 || a[0] == 10 || a[0] == 127 ||
	    (a[0] == 100 && (a[1] & 0xc0) == 64) ||
	    (a[0] == 169 && a[1] == 254) ||
	    (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	    (a[0] == 192 && a[1] == 168) ||
	    (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) ||
	    (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
	    (a[0] == 203 && a[1] == 0 && a[2] == 113) ||
	    (a[0] == 198 && (a[1] & 0xfe) == 18) ||
	    a[0] >= 224);
}

/*
 * See rbl_discover.h.  IPv6: ::/8 (unspecified, loopback, IPv4-mapped:
 * an interface has none of these that a list could know), 100::/64
 * (RFC 6666, discard), 2001:2::/48 (RFC 5180, benchmarks), 2001:db8::/32
 * (RFC 3849, documentation), fc00::/7 (RFC 4193, unique local),
 * fe80::/10 (link-local), fec0::/10 (site-local, deprecated), ff00::/8
 * (multicast).  A mapped IPv4 address is no more public as IPv6.
 */
int
rbl_ip_public(const struct rbl_ip *ip)
{
	const uint8_t	*a = ip->addr;
	static const uint8_t discard[8] = { 0x01, 0x00 };

	if (ip->family == RBL_V4)
		return rbl_ip4_public(a);
	return !(a[0] == 0 ||
	    memcmp(a, discard, sizeof(discard)) == 0 ||
	    (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && a[3] == 0x02 &&
	    a[4] == 0 && a[5] == 0) ||
	    (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) ||
	    (a[0] & 0xfe) == 0xfc ||
	    (a[0] == 0xfe && (a[1] & 0x80) == 0x80) ||
	    a[0] == 0xff);
}

/* Note a skipped address (bounded). */
static void
rbl_discover_skip(char *skipped, size_t len, const char *text, const char *why)
{
	size_t	 n = strlen(skipped);

	if (n + 1 < len)
		snprintf(skipped + n, len - n, "%s%s (%s)", n > 0 ? ", " : "",
		    text, why);
}

/* Add ip unless it is there already or not public. */
static void
rbl_discover_add(struct rbl_found **out, size_t *n, const struct rbl_ip *ip,
    const char *source, char *skipped, size_t skippedlen)
{
	size_t	 i;

	for (i = 0; i < *n; i++)
		if (strcmp((*out)[i].ip.text, ip->text) == 0)
			return;
	if (!rbl_ip_public(ip)) {
		rbl_discover_skip(skipped, skippedlen, ip->text, "not public");
		return;
	}
	*out = xreallocarray(*out, *n + 1, sizeof(**out));
	(*out)[*n].ip = *ip;
	snprintf((*out)[*n].source, sizeof((*out)[*n].source), "%s", source);
	(*n)++;
}

/* The addresses a configuration names. */
static void
rbl_discover_hints(const struct rbl_hint *hints, size_t nhints,
    struct rbl_found **out, size_t *n, char *skipped, size_t skippedlen)
{
	char		 src[160], why[128];
	struct rbl_ip	 ip;
	size_t		 k;

	for (k = 0; k < nhints; k++) {
		if (rbl_ip_parse(hints[k].value, &ip, why, sizeof(why)) == -1) {
			/* "$myaddr" and the like: not followed */
			rbl_discover_skip(skipped, skippedlen, hints[k].key,
			    "not a plain address");
			continue;
		}
		snprintf(src, sizeof(src), "%s in %s", hints[k].key,
		    hints[k].path);
		rbl_discover_add(out, n, &ip, src, skipped, skippedlen);
	}
}

/* See rbl_discover.h. */
size_t
rbl_discover(const struct rbl_hint *hints, size_t nhints,
    struct rbl_found **out, char *skipped, size_t skippedlen)
{
	struct ifaddrs	*ifa, *i;
	struct rbl_ip	 ip;
	char		 src[160];
	size_t		 n = 0;

	*out = NULL;
	if (skippedlen > 0)
		skipped[0] = '\0';
	rbl_discover_hints(hints, nhints, out, &n, skipped, skippedlen);
	if (getifaddrs(&ifa) == -1)
		return n;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		memset(&ip, 0, sizeof(ip));
		if (i->ifa_addr->sa_family == AF_INET) {
			ip.family = RBL_V4;
			memcpy(ip.addr, &((struct sockaddr_in *)
			    (void *)i->ifa_addr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			ip.family = RBL_V6;
			memcpy(ip.addr, &((struct sockaddr_in6 *)
			    (void *)i->ifa_addr)->sin6_addr, 16);
		} else
			continue;
		if (ip.family == RBL_V4 && ip.addr[0] == 127)
			continue;	/* loopback: not worth a mention */
		inet_ntop(ip.family == RBL_V4 ? AF_INET : AF_INET6, ip.addr,
		    ip.text, sizeof(ip.text));
		if (strcmp(ip.text, "::1") == 0)
			continue;
		snprintf(src, sizeof(src), "interface %s", i->ifa_name);
		rbl_discover_add(out, &n, &ip, src, skipped, skippedlen);
	}
	freeifaddrs(ifa);
	return n;
}
