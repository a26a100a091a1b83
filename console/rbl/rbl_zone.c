/*
 * rbl_zone.c: the catalogue of DNS blocklists, the names to query and the
 * validation of addresses and zone names; see rbl_zone.h.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rbl_zone.h"

/*
 * Spamhaus' return codes (https://docs.spamhaus.com, "DNSBL return
 * codes"); ZEN is SBL + CSS + XBL + PBL (+ DROP within SBL).
 */
static const struct rbl_code spamhaus_codes[] = {
	{ 2, "SBL", "Spamhaus SBL: a known spam source or spam operation" },
	{ 3, "CSS", "Spamhaus CSS: low-reputation or snowshoe sending "
	    "(often a hijacked account)" },
	{ 4, "XBL", "Spamhaus XBL: an exploited or infected host (botnet, "
	    "open proxy)" },
	{ 5, "XBL", "Spamhaus XBL: an exploited or infected host" },
	{ 6, "XBL", "Spamhaus XBL: an exploited or infected host" },
	{ 7, "XBL", "Spamhaus XBL: an exploited or infected host" },
	{ 9, "DROP", "Spamhaus DROP/EDROP: a hijacked or criminal netblock" },
	{ 10, "PBL", "Spamhaus PBL (ISP): an end-user range that should not "
	    "deliver mail directly" },
	{ 11, "PBL", "Spamhaus PBL (Spamhaus): an end-user range that should "
	    "not deliver mail directly" },
	{ 0, NULL, NULL }
};

static const struct rbl_code spamhaus_errors[] = {
	{ 252, "typo", "the zone name is wrong (typo in the DNSBL name)" },
	{ 254, "open resolver", "query via a public/open resolver is refused: "
	    "use your own recursive resolver or a Spamhaus DQS key" },
	{ 255, "excessive", "excessive number of queries: the resolver is "
	    "over Spamhaus' free-use limit" },
	{ 0, NULL, NULL }
};

static const struct rbl_code spamcop_codes[] = {
	{ 2, "SCBL", "SpamCop: spam reported by SpamCop users or traps in the "
	    "last days" },
	{ 0, NULL, NULL }
};

static const struct rbl_code barracuda_codes[] = {
	{ 2, "BRBL", "Barracuda Reputation Block List: poor sending "
	    "reputation" },
	{ 0, NULL, NULL }
};

static const struct rbl_code uceprotect_codes[] = {
	{ 2, "L1", "UCEPROTECT level 1: this address sent to spam traps" },
	{ 0, NULL, NULL }
};

static const struct rbl_code psbl_codes[] = {
	{ 2, "PSBL", "PSBL: this address sent to Passive Spam Block List "
	    "traps" },
	{ 0, NULL, NULL }
};

static const struct rbl_code mailspike_codes[] = {
	{ 2, "BL", "Mailspike: listed in the blocklist" },
	{ 10, "L5", "Mailspike: worst reputation (spam only)" },
	{ 11, "L4", "Mailspike: very bad reputation" },
	{ 12, "L3", "Mailspike: bad reputation" },
	{ 13, "L2", "Mailspike: suspicious reputation" },
	{ 14, "L1", "Mailspike: mediocre reputation" },
	{ 0, NULL, NULL }
};

const struct rbl_zone rbl_zones[] = {
	{ "zen.spamhaus.org", "Spamhaus ZEN", RBL_V4 | RBL_V6,
	    spamhaus_codes, spamhaus_errors,
	    "https://check.spamhaus.org/results/?query=%s", 1 },
	{ "bl.spamcop.net", "SpamCop", RBL_V4, spamcop_codes, NULL,
	    "https://www.spamcop.net/bl.shtml?%s", 1 },
	{ "b.barracudacentral.org", "Barracuda", RBL_V4, barracuda_codes,
	    NULL, "https://www.barracudacentral.org/rbl/removal-request/%s",
	    1 },
	{ "dnsbl-1.uceprotect.net", "UCEPROTECT L1", RBL_V4,
	    uceprotect_codes, NULL,
	    "https://www.uceprotect.net/en/rblcheck.php?ipr=%s", 1 },
	{ "psbl.surriel.com", "PSBL", RBL_V4, psbl_codes, NULL,
	    "https://psbl.org/listing?ip=%s", 1 },
	{ "bl.mailspike.net", "Mailspike", RBL_V4, mailspike_codes, NULL,
	    "https://mailspike.io/ip_verify?ip=%s", 1 },
	{ NULL, NULL, 0, NULL, NULL, NULL, 0 }
};

const struct rbl_link rbl_links[] = {
	{ "Cisco Talos", "https://talosintelligence.com/reputation_center/"
	    "lookup?search=%s" },
	{ "AbuseIPDB", "https://www.abuseipdb.com/check/%s" },
	{ NULL, NULL }
};

/* See rbl_zone.h. */
const struct rbl_zone *
rbl_zone_find(const char *name)
{
	const struct rbl_zone	*z;

	for (z = rbl_zones; z->name != NULL; z++)
		if (strcasecmp(z->name, name) == 0)
			return z;
	return NULL;
}

/* See rbl_zone.h. */
int
rbl_zone_name(const char *s, char *out, size_t size, char *err,
    size_t errlen)
{
	size_t	 len = strlen(s), i, label = 0, labels = 0;
	char	 c;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0) {
		snprintf(err, errlen, "empty zone name");
		return -1;
	}
	if (len > RBL_ZONE_MAX || len + 1 > size) {
		snprintf(err, errlen, "zone name \"%.40s...\" is too long "
		    "(at most %d bytes)", s, RBL_ZONE_MAX);
		return -1;
	}
	for (i = 0; i <= len; i++) {
		c = i < len ? s[i] : '.';
		if (c == '.') {
			if (label == 0) {
				snprintf(err, errlen, "zone name \"%.*s\" has "
				    "an empty label", (int)len, s);
				return -1;
			}
			if (s[i - 1] == '-' || s[i - label] == '-') {
				snprintf(err, errlen, "zone name \"%.*s\": a "
				    "label cannot start or end with '-'",
				    (int)len, s);
				return -1;
			}
			labels++;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-')) {
			snprintf(err, errlen, "zone name has a character that "
			    "is not a letter, digit, '-' or '.' (byte 0x%02x "
			    "at %zu)", (unsigned char)c, i + 1);
			return -1;
		}
		if (++label > 63) {
			snprintf(err, errlen, "zone name \"%.40s...\" has a "
			    "label longer than 63 bytes", s);
			return -1;
		}
	}
	if (labels < 2) {
		snprintf(err, errlen, "zone name \"%.*s\" needs at least two "
		    "labels, like zen.spamhaus.org", (int)len, s);
		return -1;
	}
	for (i = 0; i < len; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i];
	out[len] = '\0';
	return 0;
}

/* See rbl_zone.h. */
int
rbl_ip_parse(const char *s, struct rbl_ip *ip, char *err, size_t errlen)
{
	static const uint8_t	 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	size_t			 i;

	memset(ip, 0, sizeof(*ip));
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f) {
			snprintf(err, errlen, "\"%.*s...\" is not an IP "
			    "address (byte 0x%02x)", (int)(i < 40 ? i : 40), s,
			    (unsigned char)s[i]);
			return -1;
		}
	if (i == 0) {
		snprintf(err, errlen, "empty IP address");
		return -1;
	}
	if (inet_pton(AF_INET, s, ip->addr) == 1)
		ip->family = RBL_V4;
	else if (inet_pton(AF_INET6, s, ip->addr) == 1) {
		ip->family = RBL_V6;
		/* ::ffff:a.b.c.d is a.b.c.d: check it where it is listed */
		if (memcmp(ip->addr, mapped, 12) == 0) {
			memmove(ip->addr, ip->addr + 12, 4);
			memset(ip->addr + 4, 0, 12);
			ip->family = RBL_V4;
		}
	} else {
		if (strchr(s, '/') != NULL)
			snprintf(err, errlen, "\"%.64s\" is a network; give "
			    "one address", s);
		else if (strchr(s, ':') != NULL && strchr(s, '.') != NULL &&
		    strchr(s, '[') == NULL && strchr(s, ']') == NULL &&
		    strspn(s, "0123456789.:") == i)
			snprintf(err, errlen, "\"%.64s\" is not an IP address "
			    "(no port, please)", s);
		else
			snprintf(err, errlen, "\"%.64s\" is not an IPv4 or "
			    "IPv6 address", s);
		return -1;
	}
	inet_ntop(ip->family == RBL_V4 ? AF_INET : AF_INET6, ip->addr,
	    ip->text, sizeof(ip->text));
	return 0;
}

/* See rbl_zone.h. */
int
rbl_query_name(const struct rbl_ip *ip, const char *zone, char *out,
    size_t size)
{
	static const char	 hex[] = "0123456789abcdef";
	char			 pre[72], *p = pre;
	int			 i, n;

	if (ip->family == RBL_V4)
		snprintf(pre, sizeof(pre), "%u.%u.%u.%u.", ip->addr[3],
		    ip->addr[2], ip->addr[1], ip->addr[0]);
	else {
		for (i = 15; i >= 0; i--) {
			*p++ = hex[ip->addr[i] & 0xf];
			*p++ = '.';
			*p++ = hex[ip->addr[i] >> 4];
			*p++ = '.';
		}
		*p = '\0';
	}
	n = snprintf(out, size, "%s%s", pre, zone);
	return n < 0 || (size_t)n >= size || n > 253 ? -1 : 0;
}

/* See rbl_zone.h. */
void
rbl_test_ip(int family, int listed, struct rbl_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	if (family == RBL_V6) {
		/* ::ffff:127.0.0.x, kept IPv6: the IPv6 zone's entry */
		ip->addr[10] = ip->addr[11] = 0xff;
		ip->addr[12] = 127;
		ip->addr[15] = listed ? 2 : 1;
		inet_ntop(AF_INET6, ip->addr, ip->text, sizeof(ip->text));
	} else {
		ip->addr[0] = 127;
		ip->addr[3] = listed ? 2 : 1;
		inet_ntop(AF_INET, ip->addr, ip->text, sizeof(ip->text));
	}
}

/* See rbl_zone.h. */
void
rbl_url(const char *fmt, const struct rbl_ip *ip, char *out, size_t size)
{
	const char	*p;

	if (fmt == NULL || size == 0) {
		if (size > 0)
			out[0] = '\0';
		return;
	}
	/* one "%s" at most, and the IP is canonical text: no escaping */
	if ((p = strstr(fmt, "%s")) == NULL)
		snprintf(out, size, "%s", fmt);
	else
		snprintf(out, size, "%.*s%s%s", (int)(p - fmt), fmt, ip->text,
		    p + 2);
}

/* See rbl_zone.h. */
const char *
rbl_status_name(enum rbl_status s)
{
	switch (s) {
	case RBL_PENDING:
		return "pending";
	case RBL_CLEAN:
		return "clean";
	case RBL_LISTED:
		return "LISTED";
	case RBL_UNKNOWN:
		return "unknown";
	case RBL_ERROR:
		return "error";
	}
	return "?";
}

/* See rbl_zone.h. */
const char *
rbl_health_name(enum rbl_health h)
{
	switch (h) {
	case RBL_HEALTH_UNTESTED:
		return "untested";
	case RBL_HEALTH_OK:
		return "ok";
	case RBL_HEALTH_BROKEN:
		return "broken";
	case RBL_HEALTH_DEAD:
		return "dead";
	case RBL_HEALTH_UNKNOWN:
		return "unknown";
	}
	return "?";
}
