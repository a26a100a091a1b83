/*
 * log_queue.c: the Postfix lines about a queued message: qmgr's from=
 * (queued, expired), the delivery agents' to= with its status, and
 * postsuper's hold, release and removal.  Senders and recipients are
 * client text (see log.c).
 */
#include <stdint.h>
#include <string.h>

#include "log_int.h"
#include "backends/textscan.h"

/* Read a decimal number ending at *ep backwards; 1 and *v, or 0. */
static int
rdigits(const char *p, const char **ep, uint64_t *v)
{
	const char	*q = *ep, *d;
	uint64_t	 x = 0;

	while (q > p && q[-1] >= '0' && q[-1] <= '9' && *ep - q <= 20)
		q--;
	if (q == *ep || *ep - q > 20 || (q > p && q[-1] >= '0' &&
	    q[-1] <= '9'))
		return 0;
	for (d = q; d < *ep; d++) {
		if (x > (UINT64_MAX - (uint64_t)(*d - '0')) / 10)
			return 0;	/* overflow */
		x = x * 10 + (uint64_t)(*d - '0');
	}
	*v = x;
	*ep = q;
	return 1;
}

/*
 * qmgr "QID: from=<S>, size=N, nrcpt=N (queue active)" and
 * "QID: from=<S>, status=expired, returned to sender".  The sender is
 * client text, so the line is read from its end.
 */
int
pf_qmgr_from(const char *p, const char *e, struct mail_event *out)
{
	const char	*q = e;
	uint64_t	 v;

	if (!ts_eat(&p, e, "from=<", LIT("from=<")))
		return 0;
	if (ts_cut(p, &q, ">, status=expired, returned to sender",
	    LIT(">, status=expired, returned to sender"))) {
		out->kind = EV_EXPIRED;
		ts_set(&out->sender, p, q);
		ts_set(&out->reason, q + LIT(">, status="), e);
		return 1;
	}
	if (!ts_cut(p, &q, " (queue active)", LIT(" (queue active)")) ||
	    !rdigits(p, &q, &v) || v > UINT32_MAX ||
	    !ts_cut(p, &q, ", nrcpt=", LIT(", nrcpt=")))
		return 0;
	out->nrcpt = (uint32_t)v;
	if (!rdigits(p, &q, &out->size) ||
	    !ts_cut(p, &q, ">, size=", LIT(">, size=")))
		return 0;
	out->kind = EV_QUEUED;
	ts_set(&out->sender, p, q);
	return 1;
}

/* Map a delivery status word to an event kind; EV_NONE if not one. */
static enum mail_event_kind
pf_status_kind(const char *p, const char *e)
{
	size_t	 n = (size_t)(e - p);

	if (n == 4 && memcmp(p, "sent", 4) == 0)
		return EV_DELIVERED;
	if (n == 8 && memcmp(p, "deferred", 8) == 0)
		return EV_DEFERRED;
	if (n == 10 && memcmp(p, "SOFTBOUNCE", 10) == 0)
		return EV_DEFERRED;	/* soft_bounce = yes */
	if (n == 7 && memcmp(p, "bounced", 7) == 0)
		return EV_BOUNCED;
	/* an expired recipient was returned to its sender: a bounce */
	if (n == 7 && memcmp(p, "expired", 7) == 0)
		return EV_BOUNCED;
	return EV_NONE;
}

/*
 * Delivery agents' "QID: to=<R>, [orig_to=<O>, ]relay=X, ..., dsn=D,
 * status=WORD (REASON)".  Walked from the left: the addresses are quoted
 * client text, every other field up to status= is the server's.  The
 * reason is the remote server's reply and may say anything.
 */
int
pf_delivery(const char *p, const char *e, struct mail_event *out)
{
	const char	*r, *re, *k, *v, *ve, *w;
	int		 fields;

	if (!ts_eat(&p, e, "to=<", LIT("to=<")))
		return 0;
	r = p;
	if ((re = pf_addr_end(r, e)) == NULL)
		return 0;
	ts_set(&out->rcpt, r, re);
	p = re + 1;
	for (fields = 0; fields < 16; fields++) {
		if (!ts_eat(&p, e, ", ", 2))
			return 0;
		k = p;
		while (p < e && ((*p >= 'a' && *p <= 'z') || *p == '_'))
			p++;
		if (p == k || p >= e || *p != '=')
			return 0;
		v = ++p;
		if (p - k == LIT("orig_to=") && memcmp(k, "orig_to=", 8) == 0) {
			if (!ts_eat(&p, e, "<", 1) ||
			    (ve = pf_addr_end(p, e)) == NULL)
				return 0;
			p = ve + 1;
			continue;
		}
		if (p - k == LIT("status=") && memcmp(k, "status=", 7) == 0)
			break;
		while (p < e && *p != ',' && *p != ' ')
			p++;
		if ((size_t)(v - k) == LIT("relay=") &&
		    memcmp(k, "relay=", LIT("relay=")) == 0)
			ts_set(&out->relay, v, p);
	}
	if (fields == 16)
		return 0;
	for (w = p; p < e && ((*p >= 'a' && *p <= 'z') ||
	    (*p >= 'A' && *p <= 'Z')); p++)
		;
	if ((out->kind = pf_status_kind(w, p)) == EV_NONE)
		return 0;
	if (ts_eat(&p, e, " (", 2)) {
		ve = e;
		if (ve > p && ve[-1] == ')')
			ve--;
		ts_set(&out->reason, p, ve);
	} else if (ts_eat(&p, e, ", ", 2))
		ts_set(&out->reason, p, e);
	return 1;
}

/* postsuper "QID: placed on hold" and friends. */
int
pf_postsuper(const char *p, const char *e, struct mail_event *out)
{
	size_t	 n = (size_t)(e - p);

	if (n == LIT("placed on hold") && memcmp(p, "placed on hold", n) == 0)
		out->kind = EV_HELD;
	else if (n == LIT("released from hold") &&
	    memcmp(p, "released from hold", n) == 0)
		out->kind = EV_RELEASED;
	else if (n == LIT("removed") && memcmp(p, "removed", n) == 0)
		out->kind = EV_DELETED;
	else
		return 0;
	return 1;
}
