/*
 * postfix.c: the Postfix backend's log parser.
 *
 * Lines come from syslog or maillog_file; the program tag is
 * "SYSLOG_NAME/DAEMON" (postfix/smtpd, postfix-out/smtpd,
 * postfix/submission/smtpd: mail_task() joins syslog_name and the program
 * name), so the daemon is the last path component.
 *
 * Client-chosen text (SASL logins, envelope addresses, HELO names, reply
 * text echoing them) sits between server-written fields.  Each parser walks
 * the fields the server writes in the order it writes them, or from the
 * end of the line when the attacker text comes first, and the login is
 * only kept when it passes account_is_valid().
 *
 * Envelope addresses are logged in external (RFC 5322 quoted) form since
 * Postfix 3.5 (info_log_address_format = external), so a '>' inside an
 * address is always within a quoted string; addr_end() relies on that.
 */
#include <string.h>

#include "postfix.h"
#include "backends/backend.h"
#include "backends/redact.h"
#include "backends/textscan.h"

enum pf_daemon {
	PF_NONE = 0,
	PF_SMTPD,
	PF_QMGR,
	PF_DELIVERY,	/* smtp, lmtp, local, virtual, pipe, error, ... */
	PF_POSTSUPER,
	PF_CLEANUP,
	PF_OTHER	/* ours, but carries no event */
};

#define D(s, d)	{ s, LIT(s), d }
static const struct {
	const char	*name;
	size_t		 len;
	enum pf_daemon	 daemon;
} pf_daemons[] = {
	D("smtpd", PF_SMTPD),
	D("qmgr", PF_QMGR),
	D("oqmgr", PF_QMGR),
	D("nqmgr", PF_QMGR),
	D("smtp", PF_DELIVERY),
	D("lmtp", PF_DELIVERY),
	D("local", PF_DELIVERY),
	D("virtual", PF_DELIVERY),
	D("pipe", PF_DELIVERY),
	D("error", PF_DELIVERY),
	D("retry", PF_DELIVERY),
	D("discard", PF_DELIVERY),
	D("postsuper", PF_POSTSUPER),
	D("cleanup", PF_CLEANUP),
	D("bounce", PF_OTHER),
	D("defer", PF_OTHER),
	D("trace", PF_OTHER),
	D("pickup", PF_OTHER),
	D("postscreen", PF_OTHER),
	D("dnsblog", PF_OTHER),
	D("tlsproxy", PF_OTHER),
	D("anvil", PF_OTHER),
	D("scache", PF_OTHER),
	D("tlsmgr", PF_OTHER),
	D("verify", PF_OTHER),
	D("proxymap", PF_OTHER),
	D("master", PF_OTHER),
	D("showq", PF_OTHER),
	D("flush", PF_OTHER),
	D("spawn", PF_OTHER),
	D("sendmail", PF_OTHER),
	D("postdrop", PF_OTHER),
	D("postqueue", PF_OTHER),
	D("postlog", PF_OTHER),
	D("postmap", PF_OTHER),
	D("postfix-script", PF_OTHER),
	D("postmulti", PF_OTHER),
	D("postlogd", PF_OTHER),
};
#undef D

/* Which Postfix daemon wrote a line, from its tag; PF_NONE if not ours. */
static enum pf_daemon
pf_daemon_of(const struct mail_str *prog)
{
	const char	*p = prog->p, *e = p + prog->len, *slash;
	size_t		 i, n;

	if (prog->len < 3 || (slash = ts_rchr(p, e, '/')) == NULL ||
	    slash == p)
		return PF_NONE;
	slash++;
	n = (size_t)(e - slash);
	for (i = 0; i < sizeof(pf_daemons) / sizeof(pf_daemons[0]); i++) {
		/* the first byte first: most names share a length */
		if (pf_daemons[i].len == n && pf_daemons[i].name[0] == *slash &&
		    memcmp(pf_daemons[i].name, slash, n) == 0)
			return pf_daemons[i].daemon;
	}
	return PF_NONE;
}

/* Queue id characters: 1 letter or digit, 3 also upper-case hex. */
#define QC_HEX(c)	[c] = 3
#define QC_ALNUM(c)	[c] = 1
static const uint8_t pf_qidch[256] = {
	QC_HEX('0'), QC_HEX('1'), QC_HEX('2'), QC_HEX('3'), QC_HEX('4'),
	QC_HEX('5'), QC_HEX('6'), QC_HEX('7'), QC_HEX('8'), QC_HEX('9'),
	QC_HEX('A'), QC_HEX('B'), QC_HEX('C'), QC_HEX('D'), QC_HEX('E'),
	QC_HEX('F'), QC_ALNUM('G'), QC_ALNUM('H'), QC_ALNUM('I'),
	QC_ALNUM('J'), QC_ALNUM('K'), QC_ALNUM('L'), QC_ALNUM('M'),
	QC_ALNUM('N'), QC_ALNUM('O'), QC_ALNUM('P'), QC_ALNUM('Q'),
	QC_ALNUM('R'), QC_ALNUM('S'), QC_ALNUM('T'), QC_ALNUM('U'),
	QC_ALNUM('V'), QC_ALNUM('W'), QC_ALNUM('X'), QC_ALNUM('Y'),
	QC_ALNUM('Z'), QC_ALNUM('a'), QC_ALNUM('b'), QC_ALNUM('c'),
	QC_ALNUM('d'), QC_ALNUM('e'), QC_ALNUM('f'), QC_ALNUM('g'),
	QC_ALNUM('h'), QC_ALNUM('i'), QC_ALNUM('j'), QC_ALNUM('k'),
	QC_ALNUM('l'), QC_ALNUM('m'), QC_ALNUM('n'), QC_ALNUM('o'),
	QC_ALNUM('p'), QC_ALNUM('q'), QC_ALNUM('r'), QC_ALNUM('s'),
	QC_ALNUM('t'), QC_ALNUM('u'), QC_ALNUM('v'), QC_ALNUM('w'),
	QC_ALNUM('x'), QC_ALNUM('y'), QC_ALNUM('z'),
};
#undef QC_HEX
#undef QC_ALNUM

/*
 * "QID: " at the start of a message; sets out->qid and steps over it.  The
 * scan notes whether the id is upper-case hex, the short form, whose
 * validity is then its length alone (see queue_id_is_valid).
 */
static int
pf_qid(const char **pp, const char *e, struct mail_event *out)
{
	const char	*p = *pp, *q;
	size_t		 n;
	unsigned	 hex = 1;

	for (q = p; q < e && q - p <= 32; q++) {
		unsigned t = pf_qidch[(unsigned char)*q];

		if (t == 0)
			break;
		hex &= t >> 1;
	}
	if (e - q < 2 || q[0] != ':' || q[1] != ' ')
		return 0;
	n = (size_t)(q - p);
	if (hex ? n < 6 || n > 20 : !queue_id_is_valid(p, n))
		return 0;
	ts_set(&out->qid, p, q);
	*pp = q + 2;
	return 1;
}

/*
 * A client "NAME[ADDR]" or "NAME[ADDR]:PORT" written by smtpd; NAME is a
 * verified host name or "unknown".  Sets out->client (or EVF_BAD_CLIENT)
 * and returns the end of the field, or NULL when this is not one.
 */
static const char *
pf_client(const char *p, const char *e, struct mail_event *out)
{
	const char	*q, *a;

	for (q = p; q < e && q - p <= 255 && ts_tokch((unsigned char)*q); q++)
		;
	if (q == p || q >= e || *q != '[')
		return NULL;
	a = ++q;
	while (q < e && *q != ']')
		q++;
	if (q >= e)
		return NULL;
	if (ts_ip(a, q, &out->client) != 0)
		out->flags |= EVF_BAD_CLIENT;
	q++;
	if (q < e && *q == ':' && q + 1 < e && q[1] >= '0' && q[1] <= '9') {
		for (q++; q < e && *q >= '0' && *q <= '9'; q++)
			;
	}
	return q;
}

/* Keep a login if it passes the grammar, else flag it. */
static void
pf_account(const char *p, const char *e, struct mail_event *out)
{
	if (account_is_valid(p, (size_t)(e - p)))
		ts_set(&out->account, p, e);
	else
		out->flags |= EVF_BAD_ACCOUNT;
}

/*
 * The end of an envelope address that starts at p (just after '<'): the
 * first '>' outside a quoted string.  NULL when there is none.
 */
static const char *
addr_end(const char *p, const char *e)
{
	int	 quoted = 0;

	for (; p < e; p++) {
		if (quoted && *p == '\\') {
			if (++p >= e)
				return NULL;
		} else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '>')
			return p;
	}
	return NULL;
}

/*
 * smtpd "QID: client=NAME[IP][, sasl_method=M, sasl_username=U]..."
 * The login is the authenticated SASL name; it ends at the fields smtpd
 * may append after it (sasl_sender, and orig_queue_id/orig_client with
 * XFORWARD).  A login holding ", " fails the grammar anyway.
 */
static int
pf_submit(const char *p, const char *e, struct mail_event *out)
{
	static const struct {
		const char	*s;
		size_t		 n;
	} tails[] = {
		{ ", sasl_sender=", LIT(", sasl_sender=") },
		{ ", orig_queue_id=", LIT(", orig_queue_id=") },
		{ ", orig_client=", LIT(", orig_client=") },
	};
	const char	*u, *ue, *t;
	size_t		 i;

	if ((p = pf_client(p, e, out)) == NULL)
		return 0;
	out->kind = EV_SUBMIT;
	out->service = SVC_SMTP;
	if (!ts_eat(&p, e, ", sasl_method=", LIT(", sasl_method=")))
		return 1;
	p = ts_token(p, e);
	if (!ts_eat(&p, e, ", sasl_username=", LIT(", sasl_username=")))
		return 1;
	u = p;
	ue = e;
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		if ((t = ts_find(u, ue, tails[i].s, tails[i].n)) != NULL)
			ue = t;
	}
	pf_account(u, ue, out);
	return 1;
}

/*
 * smtpd "disconnect from NAME[IP][:PORT] COMMAND=COUNT ...": the session
 * ended; the process named in the header serves no session until its next
 * line.  Everything here is smtpd's own text.
 */
static int
pf_disconnect(const char *p, const char *e, struct mail_event *out)
{
	if ((p = pf_client(p, e, out)) == NULL || (p < e && *p != ' '))
		return 0;
	out->kind = EV_DISCONNECT;
	out->service = SVC_SMTP;
	return 1;
}

/*
 * smtpd "warning: NAME[IP]: SASL MECH authentication failed: REASON
 * [, sasl_username=U]".  The client comes first and is smtpd's; the login
 * is last and runs to the end of the line.
 */
static int
pf_sasl_fail(const char *p, const char *e, struct mail_event *out)
{
	const char	*r, *u;

	if ((p = pf_client(p, e, out)) == NULL ||
	    !ts_eat(&p, e, ": SASL ", LIT(": SASL ")))
		return 0;
	p = ts_token(p, e);
	if (!ts_eat(&p, e, " authentication failed", LIT(" authentication failed")))
		return 0;
	out->kind = EV_AUTH_FAIL;
	out->service = SVC_SMTP;
	if (!ts_eat(&p, e, ": ", 2))
		return 1;
	r = p;
	if ((u = ts_find(r, e, ", sasl_username=", LIT(", sasl_username="))) ==
	    NULL) {
		ts_set(&out->reason, r, e);
		return 1;
	}
	ts_set(&out->reason, r, u);
	pf_account(u + LIT(", sasl_username="), e, out);
	return 1;
}

/*
 * The "; from=<S> to=<R> proto=" tail of a reject line, tried at each
 * "; from=<" from the left until one has that exact shape (the reply text
 * before it may echo client text).  Returns the start of the tail or e.
 */
static const char *
pf_reject_tail(const char *p, const char *e, struct mail_event *out)
{
	const char	*t, *s, *se, *r, *re;

	for (t = p; (t = ts_find(t, e, "; from=<", LIT("; from=<"))) != NULL;
	    t++) {
		s = t + LIT("; from=<");
		if ((se = addr_end(s, e)) == NULL)
			continue;
		r = se + 1;
		re = NULL;
		if (ts_eat(&r, e, " to=<", LIT(" to=<"))) {
			if ((re = addr_end(r, e)) == NULL)
				continue;
			if (!ts_starts(re + 1, e, " proto=", LIT(" proto=")))
				continue;
			ts_set(&out->rcpt, r, re);
		} else if (!ts_starts(r, e, " proto=", LIT(" proto=")))
			continue;
		ts_set(&out->sender, s, se);
		return t;
	}
	if ((t = ts_find(p, e, "; proto=", LIT("; proto="))) != NULL)
		return t;
	return e;
}

/*
 * "reject: STAGE from NAME[IP]: REPLY; from=<S> to=<R> proto=P helo=<H>"
 * from smtpd, and "milter-reject: ..." of the same shape from smtpd or
 * cleanup.  The client follows the stage name directly, so it is the
 * server's.  Other rejects (cleanup header_checks) put client text before
 * "from NAME[IP]" and are not taken.
 */
static int
pf_reject(const char *p, const char *e, struct mail_event *out)
{
	const char	*q, *t;

	if (!ts_eat(&p, e, "reject: ", LIT("reject: ")) &&
	    !ts_eat(&p, e, "milter-reject: ", LIT("milter-reject: ")))
		return 0;
	for (q = p; q < e && ((*q >= 'A' && *q <= 'Z') || *q == '-'); q++)
		;
	if (q == p || q - p > 16)
		return 0;
	p = q;
	if (!ts_eat(&p, e, " from ", LIT(" from ")) ||
	    (p = pf_client(p, e, out)) == NULL ||
	    !ts_eat(&p, e, ": ", 2))
		return 0;
	out->kind = EV_REJECTED;
	out->service = SVC_SMTP;
	t = pf_reject_tail(p, e, out);
	ts_set(&out->reason, p, t);
	return 1;
}

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
static int
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
static int
pf_delivery(const char *p, const char *e, struct mail_event *out)
{
	const char	*r, *re, *k, *v, *ve, *w;
	int		 fields;

	if (!ts_eat(&p, e, "to=<", LIT("to=<")))
		return 0;
	r = p;
	if ((re = addr_end(r, e)) == NULL)
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
			if (!ts_eat(&p, e, "<", 1) || (ve = addr_end(p, e)) ==
			    NULL)
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
static int
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

/* Parse one Postfix line (see backend.h for the contract). */
int
postfix_parse_line(const struct log_header *h, struct mail_event *out)
{
	const char	*p = h->msg.p, *e = h->msg.p + h->msg.len;
	enum pf_daemon	 d;
	int		 ok = 0;

	memset(out, 0, sizeof(*out));
	if ((d = pf_daemon_of(&h->prog)) == PF_NONE || d == PF_OTHER ||
	    p == NULL)
		return 0;
	switch (d) {
	case PF_SMTPD:
		if (ts_eat(&p, e, "warning: ", LIT("warning: ")))
			ok = pf_sasl_fail(p, e, out);
		else if (ts_eat(&p, e, "NOQUEUE: ", LIT("NOQUEUE: ")))
			ok = pf_reject(p, e, out);
		else if (ts_eat(&p, e, "disconnect from ",
		    LIT("disconnect from ")))
			ok = pf_disconnect(p, e, out);
		else if (pf_qid(&p, e, out)) {
			if (ts_eat(&p, e, "client=", LIT("client=")))
				ok = pf_submit(p, e, out);
			else
				ok = pf_reject(p, e, out);
		}
		break;
	case PF_CLEANUP:
		if (ts_eat(&p, e, "NOQUEUE: ", LIT("NOQUEUE: ")) ||
		    pf_qid(&p, e, out))
			ok = pf_reject(p, e, out);
		break;
	case PF_QMGR:
		if (!pf_qid(&p, e, out))
			break;
		if ((size_t)(e - p) == LIT("removed") &&
		    memcmp(p, "removed", LIT("removed")) == 0) {
			out->kind = EV_REMOVED;
			ok = 1;
		} else if (ts_starts(p, e, "from=<", LIT("from=<")))
			ok = pf_qmgr_from(p, e, out);
		else
			ok = pf_delivery(p, e, out);
		break;
	case PF_DELIVERY:
		if (pf_qid(&p, e, out))
			ok = pf_delivery(p, e, out);
		break;
	case PF_POSTSUPER:
		if (pf_qid(&p, e, out))
			ok = pf_postsuper(p, e, out);
		break;
	default:
		break;
	}
	if (!ok)
		memset(out, 0, sizeof(*out));
	return ok;
}

/* Postfix tags are "SYSLOG_NAME/DAEMON": a tag without '/' is not ours. */
int
postfix_claims(const struct mail_str *prog)
{
	return prog->len >= 3 && memchr(prog->p, '/', prog->len) != NULL;
}

/*
 * Postfix logs a credential only when verbose (-v, debug_peer_list): the
 * client's "AUTH MECH RESPONSE" line and the Dovecot SASL client's
 * "init_response" (base64 of the login and the password).  The responses
 * of later rounds (AUTH LOGIN's password alone) are lines no text marks.
 */
void
postfix_redact(struct redact *r)
{
	static const char *const auth[] = { "]: AUTH ", "]: auth " };
	size_t	 at, i, k, in;

	/* a line of another daemon's (Dovecot's: no '/' in its tag) */
	if (r->prog.len > 0 && !postfix_claims(&r->prog))
		return;
	if ((at = redact_find(r, 0, "init_response ", LIT("init_response ")))
	    != REDACT_NONE) {
		redact_hide(r, at + LIT("init_response "), r->len, NULL);
		return;
	}
	/* "< client[addr]: AUTH MECH RESPONSE": what the client sent */
	if ((in = redact_find(r, 0, ": < ", 4)) == REDACT_NONE)
		return;
	for (i = 0; i < 2; i++) {
		if ((at = redact_find(r, in, auth[i], 8)) == REDACT_NONE)
			continue;
		/* the mechanism, then the response */
		for (k = at + 8; k < r->len && r->line[k] != ' '; k++)
			;
		if (k < r->len)
			redact_hide(r, k + 1, r->len, NULL);
	}
}

