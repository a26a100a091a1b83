/*
 * rbl_answer.c: read a DNS response and say what it means for one address
 * on one blocklist, and what a zone's health check means; see rbl_zone.h.
 */
#include <stdio.h>
#include <string.h>

#include "rbl_zone.h"
#include "core/sanitize.h"

#define DNS_HDR		12
#define T_A_		1
#define T_SOA_		6
#define T_TXT_		16
#define C_IN_		1

/* Big-endian 16 and 32 bits. */
static uint32_t
rbl_get16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t
rbl_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Step over a (possibly compressed) name; -1 when it runs off the end. */
static int
rbl_skip_name(const unsigned char *buf, size_t len, size_t *off)
{
	size_t	 o = *off;
	int	 labels = 0;

	while (o < len) {
		if (buf[o] == 0) {
			*off = o + 1;
			return 0;
		}
		if ((buf[o] & 0xc0) == 0xc0) {
			if (o + 2 > len)
				return -1;
			*off = o + 2;
			return 0;
		}
		if ((buf[o] & 0xc0) != 0 || ++labels > 127)
			return -1;
		o += buf[o] + 1;
	}
	return -1;
}

/* Append the character-strings of one TXT record, "; " between records. */
static void
rbl_add_txt(struct rbl_answer *a, const unsigned char *p, size_t n)
{
	size_t	 i = 0, l, take;

	if (a->ntxt++ > 0 && a->txtlen + 2 < sizeof(a->txt)) {
		memcpy(a->txt + a->txtlen, "; ", 2);
		a->txtlen += 2;
	}
	while (i < n) {
		l = p[i++];
		if (l > n - i)
			l = n - i;
		take = sizeof(a->txt) - 1 - a->txtlen;
		if (take > l)
			take = l;
		memcpy(a->txt + a->txtlen, p + i, take);
		a->txtlen += take;
		i += l;
	}
	a->txt[a->txtlen] = '\0';
}

/* See rbl_zone.h. */
int
rbl_answer_parse(const unsigned char *buf, size_t len, struct rbl_answer *a)
{
	size_t		 off = DNS_HDR, rdlen;
	uint32_t	 qd, an, ns, i, type, class, ttl;

	memset(a, 0, sizeof(*a));
	a->negttl = -1;
	a->ttl = UINT32_MAX;
	if (len < DNS_HDR || (buf[2] & 0x80) == 0)
		return -1;	/* short, or a query rather than a response */
	a->rcode = buf[3] & 0x0f;
	qd = rbl_get16(buf + 4);
	an = rbl_get16(buf + 6);
	ns = rbl_get16(buf + 8);
	for (i = 0; i < qd; i++) {
		if (rbl_skip_name(buf, len, &off) == -1 || off + 4 > len)
			return -1;
		off += 4;
	}
	for (i = 0; i < an + ns; i++) {
		if (rbl_skip_name(buf, len, &off) == -1 || off + 10 > len)
			return -1;
		type = rbl_get16(buf + off);
		class = rbl_get16(buf + off + 2);
		ttl = rbl_get32(buf + off + 4);
		rdlen = rbl_get16(buf + off + 8);
		off += 10;
		if (off + rdlen > len)
			return -1;
		if (ttl > 0x7fffffff)
			ttl = 0;	/* RFC 2181 8: treat as zero */
		if (class != C_IN_)
			type = 0;	/* not ours: skipped */
		if (i < an && type == T_A_) {
			if (rdlen != 4)
				return -1;
			if (a->na < RBL_CODES_MAX)
				a->a[a->na++] = rbl_get32(buf + off);
			if (ttl < a->ttl)
				a->ttl = ttl;
		} else if (i < an && type == T_TXT_) {
			rbl_add_txt(a, buf + off, rdlen);
			if (ttl < a->ttl)
				a->ttl = ttl;
		} else if (i >= an && type == T_SOA_) {
			size_t	 o = off;

			/* the negative TTL: min(SOA TTL, MINIMUM), RFC 2308 */
			if (rbl_skip_name(buf, off + rdlen, &o) == -1 ||
			    rbl_skip_name(buf, off + rdlen, &o) == -1 ||
			    o + 20 > off + rdlen)
				return -1;
			a->negttl = rbl_get32(buf + o + 16);
			if (ttl < a->negttl)
				a->negttl = ttl;
		}
		off += rdlen;
	}
	if (a->ttl == UINT32_MAX)
		a->ttl = 0;
	return 0;
}

/* The documented code last in table t, or NULL. */
static const struct rbl_code *
rbl_code_find(const struct rbl_code *t, uint32_t last)
{
	for (; t != NULL && t->last != 0; t++)
		if (t->last == last)
			return t;
	return NULL;
}

/* Append text to buf (a "; "-separated list). */
static void
rbl_append(char *buf, size_t size, const char *text)
{
	size_t	 n = strlen(buf);

	if (n > 0 && n + 2 < size) {
		memcpy(buf + n, "; ", 3);
		n += 2;
	}
	snprintf(buf + n, size - n, "%s", text);
}

/* An answer of A records: listed, an error code, or a wrong answer. */
static void
rbl_classify_a(const struct rbl_zone *z, const struct rbl_answer *a,
    struct rbl_verdict *v)
{
	const struct rbl_code	*c;
	char			 one[192];
	size_t			 i;
	uint32_t		 x;

	for (i = 0; i < a->na; i++) {
		x = a->a[i];
		if ((x >> 24) != 127) {
			v->status = RBL_ERROR;
			snprintf(v->reason, sizeof(v->reason), "answer "
			    "%u.%u.%u.%u is outside 127.0.0.0/8: the resolver "
			    "is broken or rewrites NXDOMAIN (hijack), not a "
			    "DNSBL answer", x >> 24, (x >> 16) & 255,
			    (x >> 8) & 255, x & 255);
			return;
		}
	}
	for (i = 0; i < a->na; i++) {
		x = a->a[i];
		if ((x & 0xffffff00) != 0x7fffff00)
			continue;
		v->status = RBL_UNKNOWN;
		c = rbl_code_find(z != NULL ? z->errors : NULL, x & 255);
		snprintf(v->reason, sizeof(v->reason), "the list answered "
		    "error code 127.255.255.%u, not a listing%s%s", x & 255,
		    c != NULL ? ": " : "", c != NULL ? c->meaning : "");
		return;
	}
	v->status = RBL_LISTED;
	for (i = 0; i < a->na; i++) {
		x = a->a[i];
		v->codes[v->ncodes++] = x;
		c = (x & 0xffffff00) == 0x7f000000 ?
		    rbl_code_find(z != NULL ? z->codes : NULL, x & 255) : NULL;
		if (c != NULL)
			snprintf(one, sizeof(one), "127.0.0.%u %s", x & 255,
			    c->meaning);
		else
			snprintf(one, sizeof(one), "%u.%u.%u.%u listed%s",
			    x >> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255,
			    z != NULL ? " (not a documented code of this list)"
			    : "");
		rbl_append(v->meaning, sizeof(v->meaning), one);
	}
}

/* See rbl_zone.h. */
void
rbl_classify(const struct rbl_zone *z, enum rbl_qerr qerr,
    const struct rbl_answer *a, int timeout_ms, struct rbl_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->status = RBL_UNKNOWN;
	switch (qerr) {
	case RBL_Q_ANSWER:
		break;
	case RBL_Q_TIMEOUT:
		snprintf(v->reason, sizeof(v->reason), "no answer within %d "
		    "ms (timeout)", timeout_ms);
		return;
	case RBL_Q_SERVFAIL:
		snprintf(v->reason, sizeof(v->reason), "the resolver answered "
		    "SERVFAIL: the list's servers failed or are unreachable");
		return;
	case RBL_Q_REFUSED:
		snprintf(v->reason, sizeof(v->reason), "the resolver answered "
		    "REFUSED: it will not resolve this for us");
		return;
	case RBL_Q_UNREACHABLE:
		snprintf(v->reason, sizeof(v->reason), "the resolver cannot be "
		    "reached");
		return;
	case RBL_Q_BADRESP:
		v->status = RBL_ERROR;
		snprintf(v->reason, sizeof(v->reason), "the resolver answered "
		    "garbage (not a DNS response)");
		return;
	case RBL_Q_OTHER:
		snprintf(v->reason, sizeof(v->reason), "the query failed");
		return;
	}
	switch (a->rcode) {
	case 0:
		if (a->na == 0) {
			snprintf(v->reason, sizeof(v->reason), "no A record in "
			    "the answer (NODATA): not a DNSBL answer");
			return;
		}
		v->ttl = a->ttl;
		rbl_classify_a(z, a, v);
		return;
	case 2:
		qerr = RBL_Q_SERVFAIL;
		break;
	case 3:
		/* the one answer that means "not listed" */
		v->status = RBL_CLEAN;
		v->ttl = a->negttl >= 0 ? (uint32_t)a->negttl : RBL_NEG_TTL;
		return;
	case 5:
		qerr = RBL_Q_REFUSED;
		break;
	default:
		snprintf(v->reason, sizeof(v->reason), "the resolver answered "
		    "rcode %d", a->rcode);
		return;
	}
	rbl_classify(z, qerr, a, timeout_ms, v);
}

/* See rbl_zone.h. */
void
rbl_verdict_txt(struct rbl_verdict *v, const struct rbl_answer *a)
{
	sanitize_text(v->txt, sizeof(v->txt), a->txt, a->txtlen);
}

/* See rbl_zone.h. */
enum rbl_health
rbl_health_judge(int family, const struct rbl_verdict *listed,
    const struct rbl_verdict *unlisted, char *why, size_t size)
{
	const char	*pre = family == RBL_V6 ? "::ffff:" : "";

	if (unlisted->status == RBL_LISTED) {
		snprintf(why, size, "the zone lists its test entry "
		    "%s127.0.0.1 (it lists everything): its listings are not "
		    "believed", pre);
		return RBL_HEALTH_BROKEN;
	}
	if (listed->status == RBL_CLEAN) {
		snprintf(why, size, "the zone does not list its test entry "
		    "%s127.0.0.2 (dead, renamed, filtered, or no %s): \"not "
		    "listed\" means nothing", pre, family == RBL_V6 ? "IPv6" :
		    "IPv4");
		return RBL_HEALTH_DEAD;
	}
	if (listed->status == RBL_LISTED && unlisted->status == RBL_CLEAN) {
		snprintf(why, size, "test entries answer as they must");
		return RBL_HEALTH_OK;
	}
	snprintf(why, size, "health check failed: %s",
	    listed->status != RBL_LISTED ? listed->reason : unlisted->reason);
	return RBL_HEALTH_UNKNOWN;
}

/* See rbl_zone.h. */
void
rbl_verdict_health(struct rbl_verdict *v, enum rbl_health h, const char *why)
{
	if ((v->status == RBL_LISTED && h == RBL_HEALTH_BROKEN) ||
	    (v->status == RBL_CLEAN && h != RBL_HEALTH_OK)) {
		v->status = RBL_UNKNOWN;
		snprintf(v->reason, sizeof(v->reason), "zone %s: %s",
		    rbl_health_name(h), why);
	}
}
