/*
 * exim.c: the Exim backend's log parser (the main log), for Exim 4.9x.
 *
 * Lines come from Exim's own main log (logline_split leaves prog empty),
 * or through syslog or the journal with the tag "exim" (Debian's binary
 * may be set to "exim4"), where the message may still start with Exim's
 * timestamp (syslog_timestamp) and "[pid] ", and a line longer than 870
 * bytes arrives in pieces "[1/3] ...", "[2/3] ...".
 *
 * The shapes, from the Exim specification (chapter "Log files") and the
 * code that writes them (receive.c: the "<=" line and
 * add_host_info_for_log; deliver.c: delivery_log; smtp_in.c: smtp_in_auth,
 * smtp_handle_acl_fail and add_tls_info_for_log; host.c:
 * host_build_sender_fullhost, host_and_ident; log.c: log_write):
 *
 *   ID <= SENDER [R=ID] [DS] H=HOST [I=[IP]:PORT] [TFO] [U=IDENT] [Ci=N]
 *	P=PROTO [L] [X=..] [CV=..] [DN="..."] [SNI=..]
 *	[A=AUTHENTICATOR[:SET_ID[:AUTH_SENDER]]] [PRDR] [PRX=IP] [K] S=SIZE
 *	[M8S=N] [DKIM=..] [DMARC..] [RT=..] [Q=..] [id=MSGID] [T="SUBJECT"]
 *	[from <RAW_SENDER>] [for RCPT RCPT ...]
 *   (local submissions have U=LOGIN and no H=; "(=" is a fakereject)
 *   HOST = [NAME ][(HELO) ]\[IP\][:PORT]   only the bracketed IP is the client
 *   ID => | -> | >> ADDR [(PARENT)] [<TOP>] ... [H=NAME [IP]:PORT] [C="REPLY"]
 *   ID == ADDR ... defer (ERRNO) ...: REASON
 *   ID ** ADDR ...: REASON
 *   ID Completed [QT=..]
 *   ID frozen by WHO | Frozen ... | unfrozen by WHO | Unfrozen by ... |
 *	removed by WHO
 *   NAME authenticator failed for [H=]HOST [I=..] [U=..] [Ci=..]:
 *	535 Incorrect authentication data[ (set_id=SET_ID)]
 *	("H=" from 4.99 on)
 *   [ID ][DS ]H=HOST [I=..] [U=..] [Ci=..] [X=..] [F=<SENDER> [A=..]]
 *	[temporarily ]rejected WHAT[: MSG]
 *
 * ID is a message id of either length (see exim_id_is_valid).
 *
 * Attacker text is written unescaped: the sender and the recipients,
 * the HELO (any text when helo_accept_junk_hosts matches), the set_id
 * (printable, spaces allowed), the ident, the DN and the reply texts.
 * exim_arrival.c says how the arrival, where that matters most, is read.
 * The failed login has free text on both sides of its marker (the HELO
 * left, the set_id right): it is believed only when the marker occurs
 * once.  A rejection is believed when nothing before "rejected" is out
 * of place and "rejected" occurs once.  Delivery lines name a recipient,
 * best effort (Exim writes the local part unquoted), never a login or a
 * client.
 *
 * Not resolvable from the text, and read the likely way: "A=x:judy K
 * S=1" is the set_id "judy" with CHUNKING, not the set_id "judy K"; a
 * set_id holding ':' is cut there (the third part is +smtp_mailauth's).
 * On an arrival the set_id is a login that authenticated, which Dovecot's
 * and cPanel's logins cannot hold.  Left as is: a HELO forging a whole
 * arrival head on a line Exim also cut ("<trunc>", over 8 KiB), which
 * needs helo_accept_junk_hosts; and syslog pieces of a long line are not
 * joined: the first gives the message and client but no login.
 */
#include <string.h>

#include "exim.h"
#include "exim_int.h"
#include "backends/backend.h"
#include "backends/logline.h"
#include "backends/textscan.h"

/*
 * The recipient of a delivery line, "ADDR [(PARENT)] [<TOP>] ...": the
 * <TOP> address when Exim wrote one (it is the address as the client
 * gave it, quoting intact), else the first word.  On a failure line
 * ("** ADDR: REASON") a ':' may end the address.  Returns where the
 * fields after the address start.
 */
static const char *
ex_rcpt(const char *p, const char *e, int failure, struct mail_event *out)
{
	const char	*first, *t, *te, *a;

	first = ex_tok_end(p, e);
	ts_set(&out->rcpt, p, first);
	if (failure && first > p && first[-1] == ':') {
		out->rcpt.len--;
		return first - 1;
	}
	/* a local part Exim unquoted may hold spaces: look for <TOP> */
	for (t = first; t < e; t = te) {
		t++;
		te = ex_tok_end(t, e);
		if (t < te && *t == '<' &&
		    (a = ex_angle_end(t + 1, e)) != NULL &&
		    (a + 1 == e || a[1] == ' ' || a[1] == ':')) {
			ts_set(&out->rcpt, t + 1, a);
			return a + 1;
		}
		if (ex_is_field(t, te) || (failure && te > t && te[-1] == ':'))
			break;
	}
	return first;
}

/* The reason after a ':' (and its space) at p. */
static void
ex_reason_after_colon(const char *p, const char *e, struct mail_event *out)
{
	if (p < e && *p == ':')
		p++;
	if (p < e && *p == ' ')
		p++;
	if (p < e)
		ts_set(&out->reason, p, e);
}

/*
 * "=> ADDR ... [H=NAME [IP]:PORT] ... [C="REPLY"]" and "->", ">>":
 * EV_DELIVERED with the remote host as relay and its reply as reason.
 * Sender fields (F=<..>, P=<..>) are stepped over with their quoting.
 */
static int
ex_delivered(const char *p, const char *e, struct mail_event *out)
{
	const char	*t, *te, *a;

	out->kind = EV_DELIVERED;
	for (t = ex_rcpt(p, e, 0, out); t < e && *t == ' '; t = te) {
		t++;
		te = ex_tok_end(t, e);
		if ((ts_starts(t, te, "F=<", 3) || ts_starts(t, te, "P=<", 3))
		    && (a = ex_angle_end(t + 3, e)) != NULL)
			te = a + 1;
		else if (ts_starts(t, te, "H=", 2)) {
			if (e - te >= 2 && te[1] == '[')
				te = ex_tok_end(te + 1, e);
			ts_set(&out->relay, t + 2, te);
		} else if (ts_starts(t, te, "C=\"", 3) &&
		    (a = ex_quoted_end(t + 2, e)) != NULL) {
			ts_set(&out->reason, t + 3, a - 1);
			te = a;
		}
	}
	return 1;
}

/* "== ADDR ...: REASON" and "** ADDR ...: REASON". */
static int
ex_failed(const char *p, const char *e, enum mail_event_kind kind,
    struct mail_event *out)
{
	const char	*t, *te, *a;

	out->kind = kind;
	if ((t = ex_rcpt(p, e, 1, out)) < e && *t == ':') {
		ex_reason_after_colon(t, e, out);
		return 1;
	}
	for (; t < e && *t == ' '; t = te) {
		t++;
		te = ex_tok_end(t, e);
		if ((ts_starts(t, te, "F=<", 3) || ts_starts(t, te, "P=<", 3))
		    && (a = ex_angle_end(t + 3, e)) != NULL)
			te = a + 1;
		else if (te > t && te[-1] == ':') {
			ex_reason_after_colon(te, e, out);
			break;
		}
	}
	return 1;
}

/*
 * The client of host_and_ident() ("[H=]HOST[ I=..][ U=..][ Ci=..]")
 * spanning [p, e), read from its end, where Exim wrote it: the HELO in
 * HOST may hold anything.
 */
static void
ex_host_ident(const char *p, const char *e, struct mail_event *out)
{
	const char	*t, *l;

	if (ts_starts(p, e, "H=", 2))
		p += 2;
	for (l = e; l > p; l = t) {
		t = ts_rchr(p, l, ' ');
		if (t == NULL || !(ts_starts(t + 1, l, "Ci=", 3) ||
		    ts_starts(t + 1, l, "U=", 2) || ts_starts(t + 1, l, "I=[",
		    3)))
			break;
	}
	if (ex_fullhost(p, l, &out->client) != 0) {
		memset(&out->client, 0, sizeof(out->client));
		if (memchr(p, '[', (size_t)(l - p)) != NULL)
			out->flags |= EVF_BAD_CLIENT;
	}
}

/*
 * "NAME authenticator failed for HOST: 535 Incorrect authentication data
 * (set_id=ID)": the client text is left of the marker and the set_id right
 * of it, both free text, so the marker must occur once.  Other answers
 * (435 temporary, 501 cancelled or bad base64) are no wrong password.
 */
static int
ex_auth_fail(const char *p, const char *e, struct mail_event *out)
{
	static const char	 mark[] = ": 535 Incorrect authentication data";
	static const char	 setid[] = " (set_id=";
	const char		*m, *r;

	if ((m = ts_find(p, e, mark, LIT(mark))) == NULL)
		return 0;
	out->kind = EV_AUTH_FAIL;
	out->service = SVC_SMTP;
	ts_set(&out->reason, m + 2, m + LIT(mark));
	if (ts_count(m + 1, e, mark, LIT(mark), 1) > 0) {
		out->flags |= EVF_BAD_ACCOUNT | EVF_BAD_CLIENT;
		return 1;
	}
	/* right: " (set_id=ID)" to the end, or nothing we can read */
	r = m + LIT(mark);
	if (ts_starts(r, e, setid, LIT(setid)) && e[-1] == ')' &&
	    e - r > (ptrdiff_t)LIT(setid))
		ex_account(r + LIT(setid), e - 1, out);
	else if (ts_find(r, e, "set_id=", LIT("set_id=")) != NULL)
		out->flags |= EVF_BAD_ACCOUNT;
	ex_host_ident(p, m, out);
	return 1;
}

/*
 * "no MAIL in [TFO ]SMTP connection from HOST D=T [A=AUTH:ID] [X=..] ...
 * C=CMDS" (+smtp_no_mail): a client that logged in and sent nothing, as
 * bots checking stolen passwords do.  EV_AUTH_OK when it names a login.
 * Read from the right, where Exim wrote everything but the set_id (a
 * login that authenticated: one word) and the DN; a word we do not know
 * there gives up.
 */
static int
ex_no_mail(const char *p, const char *e, struct mail_event *out)
{
	static const char	 sc[] = "SMTP connection from ";
	const char		*t, *a = NULL, *ae = NULL;

	p += LIT("no MAIL in ");
	if (!ts_eat(&p, e, "TFO* ", 5))
		(void)ts_eat(&p, e, "TFO ", 4);
	if (!ts_eat(&p, e, sc, LIT(sc)))
		return 0;
	for (;;) {
		if ((t = ts_rchr(p, e, ' ')) == NULL)
			return 0;
		t++;
		if (ts_starts(t, e, "D=", 2))
			break;
		if (ts_starts(t, e, "A=", 2) && a == NULL) {
			a = t;
			ae = e;
		} else if (a != NULL || !(ts_starts(t, e, "C=", 2) ||
		    ts_starts(t, e, "X=", 2) || ts_starts(t, e, "CV=", 3) ||
		    ts_starts(t, e, "SNI=", 4)))
			return 0;
		e = t - 1;
	}
	if (a == NULL)
		return 0;
	out->kind = EV_AUTH_OK;
	out->service = SVC_SMTP;
	ex_auth_value(a + 2, ae, out);
	ex_host_ident(p, t - 1, out);
	return 1;
}

/*
 * "[DS ]H=HOST [I=..] [U=..] [Ci=..] [X=..] .. [F=<SENDER>] [A=AUTH:ID]
 * [temporarily ]rejected WHAT[: MSG]", or with U=LOGIN for a local
 * session.  Anything not shaped like a field before "rejected" (a HELO
 * holding spaces) leaves the client and login unnamed.
 */
static int
ex_reject(const char *p, const char *e, struct mail_event *out)
{
	const char	*t, *te, *h = NULL, *he = NULL, *a, *ap = NULL;
	const char	*ae = NULL;
	int		 ambiguous = 0;

	for (t = p; t < e; t = te + 1) {
		te = ex_tok_end(t, e);
		if ((te - t == LIT("rejected") &&
		    memcmp(t, "rejected", LIT("rejected")) == 0) ||
		    (te - t == LIT("temporarily") &&
		    memcmp(t, "temporarily", LIT("temporarily")) == 0)) {
			if (h != NULL && he == NULL)
				he = t - 1;
			if (*t == 'r')
				break;
			continue;
		}
		if (h != NULL && he == NULL) {
			if (!ex_is_field(t, te))
				continue;
			he = t - 1;
		}
		if (ts_starts(t, te, "H=", 2) && h == NULL)
			h = t + 2;
		else if (ts_starts(t, te, "F=<", 3)) {
			if ((a = ex_angle_end(t + 3, e)) == NULL)
				return 0;
			ts_set(&out->sender, t + 3, a);
			te = a + 1;
			if (te < e && *te != ' ')
				return 0;
		} else if (ts_starts(t, te, "A=", 2)) {
			ap = t + 2;
			ae = te;
		} else if (!ex_is_field(t, te) && !ex_is_flag(t, te))
			ambiguous = 1;
		if (te >= e)
			return 0;
	}
	if (t >= e)
		return 0;
	/* a HELO holding "... rejected": which one is Exim's? */
	if (ts_find(t + LIT("rejected"), e, " rejected ", LIT(" rejected "))
	    != NULL)
		ambiguous = 1;
	out->kind = EV_REJECTED;
	out->service = SVC_SMTP;
	ts_set(&out->reason, t + LIT("rejected"), e);
	if (out->reason.len > 0 && *out->reason.p == ' ') {
		out->reason.p++;
		out->reason.len--;
	}
	if (ts_starts(out->reason.p, e, "RCPT <", 6) &&
	    (a = ex_angle_end(out->reason.p + 6, e)) != NULL)
		ts_set(&out->rcpt, out->reason.p + 6, a);
	if (h != NULL && (he == NULL || ex_fullhost(h, he,
	    &out->client) != 0)) {
		memset(&out->client, 0, sizeof(out->client));
		out->flags |= EVF_BAD_CLIENT;
	}
	if (ambiguous) {
		memset(&out->client, 0, sizeof(out->client));
		out->flags |= EVF_BAD_CLIENT;
		if (ap != NULL)
			out->flags |= EVF_BAD_ACCOUNT;
	} else if (ap != NULL)
		ex_auth_value(ap, ae, out);
	return 1;
}

/* Lines about one message: "ID <= ...", "ID => ...", "ID Completed" ... */
static int
ex_message(const char *p, const char *e, int truncated,
    struct mail_event out[MAIL_LINE_EVENTS])
{
	if (ts_starts(p, e, "<= ", 3) || ts_starts(p, e, "(= ", 3))
		return exim_arrival_parse(p + 3, e, truncated, &out[0],
		    &out[1]);
	if (truncated)
		return 0;
	if (ts_starts(p, e, "=> ", 3) || ts_starts(p, e, "-> ", 3) ||
	    ts_starts(p, e, ">> ", 3))
		return ex_delivered(p + 3, e, out);
	if (ts_starts(p, e, "== ", 3))
		return ex_failed(p + 3, e, EV_DEFERRED, out);
	if (ts_starts(p, e, "** ", 3))
		return ex_failed(p + 3, e, EV_BOUNCED, out);
	if (ts_starts(p, e, "Completed", LIT("Completed")) &&
	    (e - p == LIT("Completed") || p[LIT("Completed")] == ' '))
		out->kind = EV_REMOVED;
	else if (ts_starts(p, e, "frozen by ", LIT("frozen by ")) ||
	    (ts_starts(p, e, "Frozen", LIT("Frozen")) &&
	    (e - p == LIT("Frozen") || p[LIT("Frozen")] == ' ')))
		out->kind = EV_HELD;
	else if (ts_starts(p, e, "unfrozen by ", LIT("unfrozen by ")) ||
	    ts_starts(p, e, "Unfrozen by ", LIT("Unfrozen by ")))
		out->kind = EV_RELEASED;
	else if (ts_starts(p, e, "removed by ", LIT("removed by ")))
		out->kind = EV_DELETED;
	else if (ts_starts(p, e, "H=", 2) || ts_starts(p, e, "U=", 2) ||
	    ts_starts(p, e, "DS H=", 5))
		return ex_reject(p, e, out);
	else
		return 0;
	return 1;
}

/* Lines about no message: logins, failed logins and rejections. */
static int
ex_session(const char *p, const char *e, struct mail_event *out)
{
	static const char	 af[] = " authenticator failed for ";
	const char		*n;

	n = ts_token(p, e);
	if (n > p && ts_starts(n, e, af, LIT(af)))
		return ex_auth_fail(n + LIT(af), e, out);
	if (ts_starts(p, e, "no MAIL in ", LIT("no MAIL in ")))
		return ex_no_mail(p, e, out);
	if (ts_starts(p, e, "H=", 2) || ts_starts(p, e, "U=", 2) ||
	    ts_starts(p, e, "DS H=", 5))
		return ex_reject(p, e, out);
	return 0;
}

/*
 * A syslog piece "[N/M] " or "[N\M] " (log.c write_syslog): 0 for a whole
 * line, 1 for the first piece of several, -1 for a later piece.  *pp is
 * moved past the marker.
 */
static int
ex_piece(const char **pp, const char *e)
{
	const char	*p = *pp, *q;
	unsigned	 n = 0, m = 0;

	if (p >= e || *p != '[')
		return 0;
	for (q = p + 1; q < e && *q >= '0' && *q <= '9' && n < 1000; q++)
		n = n * 10 + (unsigned)(*q - '0');
	if (q == p + 1 || q >= e || (*q != '/' && *q != '\\'))
		return 0;
	for (p = ++q; q < e && *q >= '0' && *q <= '9' && m < 1000; q++)
		m = m * 10 + (unsigned)(*q - '0');
	if (q == p || e - q < 2 || q[0] != ']' || q[1] != ' ' || n == 0 ||
	    n > m)
		return 0;
	*pp = q + 2;
	if (m == 1)
		return 0;
	return n == 1 ? 1 : -1;
}

/* Exim's tags: its own file format (none), "exim", Debian's "exim4". */
int
exim_claims(const struct mail_str *prog)
{
	return prog->len == 0 || ts_eq(prog, "exim", LIT("exim")) ||
	    ts_eq(prog, "exim4", LIT("exim4"));
}

/*
 * An empty event, copied rather than memset: the compiler turns a memset
 * of an event into "rep stos", whose start-up costs more than the copy,
 * and every line clears one or two.
 */
static const struct mail_event ex_none;

/* Parse one Exim line (see backend.h for the contract). */
int
exim_parse_line(const struct log_header *h,
    struct mail_event out[MAIL_LINE_EVENTS])
{
	const char	*p = h->msg.p, *e = h->msg.p + h->msg.len, *q;
	size_t		 n;
	int		 truncated = 0, rc;

	out[0] = ex_none;
	if (p == NULL || !exim_claims(&h->prog))
		return 0;
	if (h->prog.len > 0) {
		/* syslog: "[1/3] ", Exim's own stamp, "[pid] " */
		if ((truncated = ex_piece(&p, e)) < 0)
			return 0;
		if (truncated && (e = ts_rchr(p, e, ' ')) == NULL)
			return 0;
		p += logline_exim_prefix(p, (size_t)(e - p));
		if (p < e && *p == '[') {
			for (q = p + 1; q < e && *q >= '0' && *q <= '9' &&
			    q - p <= 10; q++)
				;
			if (q > p + 1 && e - q >= 2 && q[0] == ']' &&
			    q[1] == ' ')
				p = q + 2;
		}
	}
	q = ex_tok_end(p, e);
	n = (size_t)(q - p);
	if ((n == 16 || n == 23) && q < e && exim_id_is_valid(p, n)) {
		out[1] = ex_none;
		rc = ex_message(q + 1, e, truncated, out);
		if (rc > 0) {
			ts_set(&out[0].qid, p, q);
			if (rc > 1)
				out[1].qid = out[0].qid;
		}
	} else
		rc = truncated ? 0 : ex_session(p, e, &out[0]);
	if (rc <= 0) {
		out[0] = ex_none;
		return 0;
	}
	return rc;
}
