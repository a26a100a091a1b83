/*
 * rbl_zone.h: what a DNS blocklist answer means (pure: no I/O).
 *
 * The catalogue of known zones (return codes, error codes, delisting
 * pages), the names to query, strict validation of addresses and zone
 * names, and the classification of one answer.  The rule that matters:
 * only NXDOMAIN from a zone that passed its health check means "not
 * listed".  A timeout, SERVFAIL, REFUSED, an error code such as Spamhaus'
 * 127.255.255.254, or an answer outside 127.0.0.0/8 is never "clean".
 *
 * Health check (RFC 5782 section 5): a zone must list 127.0.0.2 (or
 * ::FFFF:7F00:2 for IPv6) and must not list 127.0.0.1 (::FFFF:7F00:1).  A
 * zone listing 127.0.0.1 lists everything: its listings are not believed.
 * A zone not listing 127.0.0.2 is dead or renamed: its NXDOMAINs are not
 * believed.
 */
#ifndef MAILCON_RBL_ZONE_H
#define MAILCON_RBL_ZONE_H

#include <stddef.h>
#include <stdint.h>

#define RBL_V4		0x1
#define RBL_V6		0x2

#define RBL_NAME_MAX	256	/* a query name with its NUL */
#define RBL_ZONE_MAX	189	/* 253 less the 64 bytes of an IPv6 prefix */
#define RBL_CODES_MAX	8	/* A records kept from one answer */
#define RBL_TXT_MAX	512	/* bytes of TXT kept, sanitised */
#define RBL_NEG_TTL	300	/* negative cache when no SOA says */

/* One documented answer of a zone: 127.0.0.last or 127.255.255.last. */
struct rbl_code {
	uint8_t		 last;
	const char	*tag;		/* "SBL", "XBL", ... */
	const char	*meaning;
};

/* A blocklist the console knows how to read. */
struct rbl_zone {
	const char		*name;		/* zen.spamhaus.org */
	const char		*label;		/* Spamhaus ZEN */
	unsigned		 families;	/* RBL_V4 | RBL_V6 */
	const struct rbl_code	*codes;		/* 127.0.0.x, last = 0 ends */
	const struct rbl_code	*errors;	/* 127.255.255.x, or NULL */
	const char		*delist;	/* URL, "%s" stands for the IP */
	int			 by_default;	/* in the default list */
};

/* A reputation page for services without a DNS interface. */
struct rbl_link {
	const char	*name;
	const char	*url;		/* "%s" stands for the IP */
};

/* An address to check, validated. */
struct rbl_ip {
	int		 family;	/* RBL_V4 or RBL_V6 */
	uint8_t		 addr[16];	/* network order; 4 bytes for IPv4 */
	char		 text[48];	/* canonical form */
};

enum rbl_status {
	RBL_PENDING = 0,
	RBL_CLEAN,		/* NXDOMAIN from a healthy zone */
	RBL_LISTED,
	RBL_UNKNOWN,		/* no truthful answer: reason says why */
	RBL_ERROR		/* a wrong answer: resolver broken or hijacked */
};

/* How a query ended before any answer could be read (from c-ares). */
enum rbl_qerr {
	RBL_Q_ANSWER = 0,	/* a response came: classify it */
	RBL_Q_TIMEOUT,
	RBL_Q_SERVFAIL,
	RBL_Q_REFUSED,
	RBL_Q_BADRESP,		/* the response was not DNS */
	RBL_Q_UNREACHABLE,	/* the resolver could not be reached */
	RBL_Q_OTHER
};

/* A DNS response, parsed. */
struct rbl_answer {
	int		 rcode;
	uint32_t	 a[RBL_CODES_MAX];	/* host order */
	size_t		 na;
	char		 txt[RBL_TXT_MAX];	/* raw bytes, NUL-terminated */
	size_t		 txtlen;
	int		 ntxt;
	uint32_t	 ttl;		/* least TTL of the answers */
	int64_t		 negttl;	/* from the SOA, -1 without one */
};

/* What one (ip, zone) answer means. */
struct rbl_verdict {
	enum rbl_status	 status;
	uint32_t	 codes[RBL_CODES_MAX];	/* host order */
	size_t		 ncodes;
	char		 meaning[384];	/* decoded codes, for LISTED */
	char		 reason[256];	/* why, for UNKNOWN and ERROR */
	char		 txt[RBL_TXT_MAX];	/* sanitised TXT, or "" */
	uint32_t	 ttl;		/* seconds the answer may be cached */
};

enum rbl_health {
	RBL_HEALTH_UNTESTED = 0,
	RBL_HEALTH_OK,
	RBL_HEALTH_BROKEN,	/* lists 127.0.0.1: lists everything */
	RBL_HEALTH_DEAD,	/* does not list 127.0.0.2 */
	RBL_HEALTH_UNKNOWN	/* the probes got no truthful answer */
};

/* The catalogue, ending with a NULL name. */
extern const struct rbl_zone	 rbl_zones[];
extern const struct rbl_link	 rbl_links[];

/* The catalogue entry of a zone name (case-insensitive), or NULL. */
const struct rbl_zone *rbl_zone_find(const char *name);
/*
 * Check a zone name (letters, digits, '-' labels, at least two labels, at
 * most RBL_ZONE_MAX bytes; one trailing dot allowed) and write it in lower
 * case without the dot into out.  0, or -1 with err saying why.
 */
int	rbl_zone_name(const char *s, char *out, size_t size, char *err,
	    size_t errlen);
/* Parse one address strictly (no ports, masks or names); as rbl_zone_name. */
int	rbl_ip_parse(const char *s, struct rbl_ip *ip, char *err,
	    size_t errlen);
/* "4.3.2.1.zone" or the 32 reversed nibbles; -1 when it would not fit. */
int	rbl_query_name(const struct rbl_ip *ip, const char *zone, char *out,
	    size_t size);
/* The zone's test entries (RFC 5782): listed 127.0.0.2, unlisted 127.0.0.1. */
void	rbl_test_ip(int family, int listed, struct rbl_ip *ip);
/* A URL of fmt with the IP put in, into out ("" when fmt is NULL). */
void	rbl_url(const char *fmt, const struct rbl_ip *ip, char *out,
	    size_t size);

/* Parse a DNS response; 0, or -1 when it is not a well-formed one. */
int	rbl_answer_parse(const unsigned char *buf, size_t len,
	    struct rbl_answer *a);
/*
 * Classify an A answer for zone z (NULL: a zone not in the catalogue).
 * a is read only when qerr is RBL_Q_ANSWER.
 */
void	rbl_classify(const struct rbl_zone *z, enum rbl_qerr qerr,
	    const struct rbl_answer *a, int timeout_ms, struct rbl_verdict *v);
/* Keep the TXT of a listed entry, sanitised for display. */
void	rbl_verdict_txt(struct rbl_verdict *v, const struct rbl_answer *a);
/* Judge a zone from its two test probes (for family); why says it. */
enum rbl_health rbl_health_judge(int family, const struct rbl_verdict *listed,
	    const struct rbl_verdict *unlisted, char *why, size_t size);
/* Overrule a verdict the zone's health makes untrustworthy. */
void	rbl_verdict_health(struct rbl_verdict *v, enum rbl_health h,
	    const char *why);
/* "LISTED", "clean", ... and the health's name. */
const char *rbl_status_name(enum rbl_status s);
const char *rbl_health_name(enum rbl_health h);

#endif
