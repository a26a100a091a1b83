/*
 * resolve_name.c: what the resolver takes and gives as text (resolve.c
 * asks c-ares): the server of [console] resolver, the host names that may
 * go to DNS, numeric hosts, localhost, the address picked from an answer
 * and c-ares' ending in plain words.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ares.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "resolve.h"
#include "resolve_int.h"

/* See resolve.h. */
int
resolver_server_parse(const char *s, char *csv, size_t size, char *err,
    size_t errlen)
{
	unsigned char	 bin[sizeof(struct in6_addr)];
	char		 host[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN];
	const char	*port = NULL, *end;
	unsigned long	 p = 53;
	char		*e;
	int		 v6;

	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL || (end[1] != '\0' &&
		    end[1] != ':')) {
			snprintf(err, errlen, "resolver \"%.64s\": expected "
			    "[IPv6]:PORT", s);
			return -1;
		}
		if (end[1] == ':')
			port = end + 2;
		s++;
	} else if ((end = strchr(s, ':')) != NULL && strchr(end + 1, ':') ==
	    NULL)
		port = end + 1;		/* IPv4:PORT */
	else
		end = s + strlen(s);	/* IPv4, or IPv6 without a port */
	if ((size_t)(end - s) >= sizeof(host)) {
		snprintf(err, errlen, "resolver \"%.64s\" is not an address",
		    s);
		return -1;
	}
	memcpy(host, s, (size_t)(end - s));
	host[end - s] = '\0';
	/* inet_pton: dotted quads or IPv6 only, no names or masks */
	v6 = strchr(host, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, bin) != 1 ||
	    inet_ntop(v6 ? AF_INET6 : AF_INET, bin, text, sizeof(text)) ==
	    NULL) {
		snprintf(err, errlen, "resolver: \"%.64s\" is not an IPv4 or "
		    "IPv6 address (expected IP[:PORT])", host);
		return -1;
	}
	if (port != NULL) {
		p = strtoul(port, &e, 10);
		if (*port < '0' || *port > '9' || *e != '\0' || p == 0 ||
		    p > 65535) {
			snprintf(err, errlen, "resolver: bad port \"%.16s\" "
			    "(1 to 65535)", port);
			return -1;
		}
	}
	if (v6)
		snprintf(csv, size, "[%s]:%lu", text, p);
	else
		snprintf(csv, size, "%s:%lu", text, p);
	return 0;
}

/*
 * Is s a host name we may ask for?  The last label must not be all
 * digits, so that "127.1" or "10.0.0.256" is never sent to DNS (nor
 * taken by inet_aton() rules) as if it were an address.
 */
int
resolver_name_ok(const char *s)
{
	size_t	 len = strlen(s), i, label = 0, start = 0;
	int	 digits = 1;
	char	 c;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > RESOLVER_NAME_MAX)
		return 0;
	for (i = 0; i <= len; i++) {
		c = i < len ? s[i] : '.';
		if (c == '.') {
			if (label == 0 || s[start] == '-' || s[i - 1] == '-')
				return 0;
			label = 0;
			start = i + 1;
			if (i < len)
				digits = 1;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
		if (c < '0' || c > '9')
			digits = 0;
		if (++label > 63)
			return 0;
	}
	return !digits;
}

/* A numeric host in canonical form into out; 0, or -1 when not one. */
int
resolver_numeric(const char *host, char *out, size_t size)
{
	unsigned char	 a[16];

	if (inet_pton(AF_INET, host, a) == 1)
		return inet_ntop(AF_INET, a, out, size) != NULL ? 0 : -1;
	if (inet_pton(AF_INET6, host, a) == 1)
		return inet_ntop(AF_INET6, a, out, size) != NULL ? 0 : -1;
	return -1;
}

/*
 * Is host "localhost" or a name below it?  RFC 6761 keeps these off DNS
 * and on the loopback; c-ares 1.18 will not send them to a named server
 * and fails them as "connection refused", which would mislead.
 */
int
resolver_localhost(const char *host)
{
	size_t	 len = strlen(host);

	if (len > 0 && host[len - 1] == '.')
		len--;
	if (len < 9 || strncasecmp(host + len - 9, "localhost", 9) != 0)
		return 0;
	return len == 9 || host[len - 10] == '.';
}

/*
 * The address to hand out: the first IPv4 one, else the first IPv6 one,
 * written by inet_ntop() from the binary form.  0, or -1 when there is
 * none.
 */
int
resolver_pick(const struct ares_addrinfo *ai, char *out, size_t size)
{
	const struct ares_addrinfo_node	*n;
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	int				 family;

	if (ai == NULL)
		return -1;
	for (family = AF_INET; ; family = AF_INET6) {
		for (n = ai->nodes; n != NULL; n = n->ai_next) {
			if (n->ai_family != family || n->ai_addr == NULL)
				continue;
			if (family == AF_INET &&
			    n->ai_addrlen >= sizeof(*sin)) {
				sin = (const struct sockaddr_in *)n->ai_addr;
				if (inet_ntop(AF_INET, &sin->sin_addr, out,
				    size) != NULL)
					return 0;
			} else if (family == AF_INET6 &&
			    n->ai_addrlen >= sizeof(*sin6)) {
				sin6 = (const struct sockaddr_in6 *)n->ai_addr;
				if (inet_ntop(AF_INET6, &sin6->sin6_addr, out,
				    size) != NULL)
					return 0;
			}
		}
		if (family == AF_INET6)
			return -1;
	}
}

/* Plain words for how c-ares ended a lookup. */
const char *
resolver_why(int status)
{
	switch (status) {
	case ARES_ENOTFOUND:
		return "no such host";
	case ARES_ENODATA:
		return "no address for this name";
	case ARES_ETIMEOUT:
		return "timed out";
	case ARES_ESERVFAIL:
		return "server failure";
	case ARES_EREFUSED:
		return "refused by the resolver";
	case ARES_ECONNREFUSED:
		return "resolver unreachable";
	case ARES_EBADRESP:
	case ARES_EFORMERR:
		return "bad answer from the resolver";
	default:
		return "lookup failed";
	}
}
