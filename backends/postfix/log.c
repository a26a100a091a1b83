/*
 * log.c: the Postfix backend's log parser: which daemon wrote a line,
 * the queue id, and the dispatch to log_smtpd.c and log_queue.c.
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
 * address is always within a quoted string; pf_addr_end() relies on that.
 */
#include <string.h>

#include "postfix.h"
#include "log_int.h"
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
 * The end of an envelope address that starts at p (just after '<'): the
 * first '>' outside a quoted string.  NULL when there is none.
 */
const char *
pf_addr_end(const char *p, const char *e)
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
