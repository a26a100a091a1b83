/*
 * log_smtpd.c: the Postfix lines about a client, from smtpd (and cleanup's
 * rejects): the submission with its SASL login, the disconnect, a failed
 * AUTH and a reject.  The client NAME[ADDR] is smtpd's own text; logins,
 * addresses and reply text are the client's (see log.c).
 */
#include <string.h>

#include "log_int.h"
#include "backends/textscan.h"

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
 * smtpd "QID: client=NAME[IP][, sasl_method=M, sasl_username=U]..."
 * The login is the authenticated SASL name; it ends at the fields smtpd
 * may append after it (sasl_sender, and orig_queue_id/orig_client with
 * XFORWARD).  A login holding ", " fails the grammar anyway.
 */
int
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
int
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
int
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
		if ((se = pf_addr_end(s, e)) == NULL)
			continue;
		r = se + 1;
		re = NULL;
		if (ts_eat(&r, e, " to=<", LIT(" to=<"))) {
			if ((re = pf_addr_end(r, e)) == NULL)
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
int
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
