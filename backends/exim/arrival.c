/*
 * exim_arrival.c: Exim's arrival line, "ID <= SENDER FIELDS...", the one
 * line that says who handed a message over (H=, A=) and what it was (S=,
 * the recipients).  See exim.c for the line shapes and the sources.
 *
 * Attacker text on this line: the sender, the recipients and id= (in the
 * address syntax Exim enforces: a space only inside quotes or after a
 * backslash), T= (quoted, '"' and '\\' escaped), the HELO inside H= (any
 * text with helo_accept_junk_hosts), the ident (U=), the certificate DN
 * and, in principle, the set_id.  So the line is read field by field in
 * the order receive.c writes them, and believed only when that order
 * holds:
 *   - every server field (R= H= I= U= Ci= P= DN= A= PRDR PRX= K S=) at
 *     most once and in order, A= and S= after P=;
 *   - between fields nothing that is not shaped like one (KEY=value
 *     without a quote, or an upper-case flag), and after A= only PRDR,
 *     PRX= and K before S=;
 *   - H= runs to the first field and ends in the bracketed address; the
 *     HELO, whatever it holds, sits in the parentheses Exim put round it;
 *   - after S= every byte parses, quotes as Exim writes them, to the end
 *     of the line; a field mailcon does not know (a log_selector of a
 *     later Exim) is stepped over there, its value quoted or not.
 * A field forged inside the HELO, the ident or the DN then shows as a
 * second P= or S=, a bare "[ip]" out of place, or a quote that no longer
 * pairs (a forged tail that opens a quote to hide the real head leaves an
 * odd number of quotes: the line's own pair up).  The line then names no
 * login and no client (EVF_BAD_ACCOUNT | EVF_BAD_CLIENT) rather than
 * forged ones.  The one line whose quotes need not pair is one Exim cut
 * when its log buffer was full ("<trunc>").
 */
#include <string.h>

#include "exim_int.h"
#include "backends/backend.h"
#include "backends/textscan.h"

/* What a token of a "<=" line is.  The order is the order on the line. */
enum ex_key {
	EK_JUNK = 0,	/* not shaped like a field */
	EK_OTHER,	/* a field or flag we skip */
	EK_R,
	EK_H,
	EK_I,
	EK_U,
	EK_CI,
	EK_P,
	EK_DN,
	EK_A,
	EK_PRDR,
	EK_PRX,
	EK_K,
	EK_S,
	EK_ID,		/* the tail: after S= */
	EK_T,
	EK_FROM,
	EK_FOR
};

/*
 * The key of a field whose name (KEY of "KEY=", with a '*' if written)
 * spans [p, q): one of those the line's order is checked for, or
 * EK_OTHER.
 */
static enum ex_key
ex_key_name(const char *p, const char *q)
{
	switch (q - p) {
	case 1:
		switch (*p) {
		case 'R':
			return EK_R;
		case 'H':
			return EK_H;
		case 'I':
			return EK_I;
		case 'U':
			return EK_U;
		case 'P':
			return EK_P;
		case 'A':
			return EK_A;
		case 'S':
			return EK_S;
		case 'T':
			return EK_T;
		}
		break;
	case 2:
		if (memcmp(p, "Ci", 2) == 0)
			return EK_CI;
		if (memcmp(p, "DN", 2) == 0)
			return EK_DN;
		if (memcmp(p, "id", 2) == 0)
			return EK_ID;
		break;
	case 3:
		if (memcmp(p, "PRX", 3) == 0)
			return EK_PRX;
		if (memcmp(p, "id*", 3) == 0)
			return EK_ID;
		break;
	}
	return EK_OTHER;
}

/* Classify the token [p, e) of an arrival line. */
static enum ex_key
ex_key(const char *p, const char *e)
{
	size_t		 n = (size_t)(e - p);
	const char	*q;
	enum ex_key	 k;

	if (n == 4 && memcmp(p, "PRDR", 4) == 0)
		return EK_PRDR;
	if (n == 1 && *p == 'K')
		return EK_K;
	if (n == 4 && memcmp(p, "from", 4) == 0)
		return EK_FROM;
	if (n == 3 && memcmp(p, "for", 3) == 0)
		return EK_FOR;
	if ((q = ex_field_eq(p, e)) != NULL) {
		if ((k = ex_key_name(p, q)) != EK_OTHER)
			return k;
		/* a quote outside a field we parse quoted is not Exim's */
		return ex_byte(p, e, '"') == e ? EK_OTHER : EK_JUNK;
	}
	return ex_is_flag(p, e) ? EK_OTHER : EK_JUNK;
}

/* Where an arrival line stands while it is read. */
struct ex_arrival {
	const char	*e;
	enum ex_key	 stage;		/* the last server field read */
	int		 ambiguous;
	int		 host;		/* H= seen and well formed */
	const char	*a, *ae;	/* the A= value */
	const char	*proto, *protoe;
};

/*
 * H=HOST: the host runs to the first token shaped like a field (I=, U=,
 * Ci=, P=) or TFO; a forged field inside the HELO ends it early and leaves
 * the real address as a stray word, which makes the line ambiguous later.
 * Returns the end of the host.
 */
static const char *
ex_arrival_host(struct ex_arrival *x, const char *p, struct mail_event *sub)
{
	const char	*h = p, *t, *te;

	for (t = p; t < x->e; t = te + 1) {
		te = ex_tok_end(t, x->e);
		if (t > p && (ex_is_field(t, te) || (ts_starts(t, te, "TFO", 3)
		    && (te - t == 3 || (te - t == 4 && t[3] == '*'))))) {
			t--;
			break;
		}
		if (te >= x->e) {
			t = te;
			break;
		}
	}
	if (t >= x->e)
		x->ambiguous = 1;	/* nothing after the host: cut short */
	if (ex_fullhost(h, t, &sub->client) == 0)
		x->host = 1;
	else {
		memset(&sub->client, 0, sizeof(sub->client));
		sub->flags |= EVF_BAD_CLIENT;
		x->ambiguous = 1;
	}
	return t;
}

/*
 * A=VALUE: free text (the set_id may hold spaces) up to PRDR, PRX=, K or
 * S=, the only fields Exim writes between A= and S=.  Returns its end.
 */
static const char *
ex_arrival_auth(struct ex_arrival *x, const char *p)
{
	const char	*t, *te;
	enum ex_key	 k;

	for (t = ex_tok_end(p, x->e); t < x->e; t = te) {
		te = ex_tok_end(++t, x->e);
		k = ex_key(t, te);
		if (k == EK_PRDR || k == EK_PRX || k == EK_K || k == EK_S) {
			x->a = p;
			x->ae = t - 1;
			return t - 1;
		}
		/* more words: a set_id with spaces, never a field or host */
		if (k != EK_JUNK || t == te || *t == '[' || *t == '(' ||
		    memchr(t, '"', (size_t)(te - t)) != NULL)
			break;
	}
	x->ambiguous = 1;	/* a field inside it, or no S= after it */
	return x->e;
}

/*
 * Whether the tail token ending at te ends where Exim ends one: at a space
 * or the end of the line.
 */
static int
ex_tail_end_ok(const char *te, const char *e)
{
	return te != NULL && (te == e || *te == ' ');
}

/*
 * A field mailcon does not know in the tail, KEY="VALUE" with VALUE quoted
 * as Exim quotes T= (a later log_selector's): the end of its value, or
 * NULL when [p, te) is not such a field.  The quotes must pair as T='s do,
 * so that a quote a HELO opened still shows.
 */
static const char *
ex_tail_quoted(const char *p, const char *te, const char *e)
{
	const char	*q;

	if (!ex_is_field(p, te) ||
	    (q = memchr(p, '=', (size_t)(te - p))) == NULL || q + 1 >= te ||
	    q[1] != '"')
		return NULL;
	return ex_quoted_end(q + 1, e);
}

/*
 * The fields after S= (id=, T=, from <..>, for ...): the recipient count.
 * Every byte must parse, quotes as Exim writes them: a quote opened by a
 * field forged in a HELO cannot close at the end of the line (the line's
 * own quotes pair up), and a server field of the head here means a forged
 * one was read above.  Either makes the line ambiguous.  The one line
 * whose quotes need not pair is one Exim cut ("<trunc>": its log buffer
 * was full), and only in its recipient list.
 */
static void
ex_arrival_tail(struct ex_arrival *x, const char *p, struct mail_event *q)
{
	const char	*te, *e = x->e;
	uint32_t	 n = 0;
	int		 cut;

	cut = ts_ends(p, e, "<trunc>", LIT("<trunc>"));
	while (p < e) {
		if (*p++ != ' ' || p >= e)
			goto bad;
		te = ex_tok_end(p, e);
		switch (ex_key(p, te)) {
		case EK_ID:
			te = ex_addr_end(p + (p[2] == '*' ? 4 : 3), e);
			break;
		case EK_T:
			te = ex_quoted_end(p + 2, e);
			break;
		case EK_FROM:
			if (e - te >= 2 && te[1] == '<' &&
			    (te = ex_angle_end(te + 2, e)) != NULL)
				te++;
			else
				te = NULL;
			break;
		case EK_FOR:
			for (p = te; p < e && n < UINT32_MAX; p = te, n++) {
				if (*p != ' ' || (te = ex_addr_end(p + 1, e)) ==
				    NULL || te == p + 1)
					break;
			}
			if (p < e && !(cut && te == NULL))
				goto bad;
			q->nrcpt = n;
			return;
		case EK_OTHER:
			break;
		case EK_JUNK:
			te = ex_tail_quoted(p, te, e);
			break;
		default:
			goto bad;
		}
		if (!ex_tail_end_ok(te, e))
			goto bad;
		p = te;
	}
	return;
bad:
	x->ambiguous = 1;
}

/* See exim_int.h. */
int
exim_arrival_parse(const char *p, const char *e, int truncated,
    struct mail_event *sub, struct mail_event *q)
{
	struct ex_arrival	 x;
	const char		*se, *te;
	enum ex_key		 k;
	uint64_t		 size = 0;
	int			 have_size = 0;

	if ((se = ex_addr_end(p, e)) == NULL || se == p)
		return 0;
	memset(&x, 0, sizeof(x));
	x.e = e;
	sub->kind = EV_SUBMIT;
	q->kind = EV_QUEUED;
	if (!(se - p == 2 && p[0] == '<' && p[1] == '>'))
		ts_set(&q->sender, p, se);
	for (p = se; p < e && !x.ambiguous; p = te) {
		if (*p++ != ' ' || p >= e) {
			x.ambiguous = 1;
			break;
		}
		te = ex_tok_end(p, e);
		k = ex_key(p, te);
		if (x.stage == EK_S || k >= EK_ID) {
			ex_arrival_tail(&x, p - 1, q);
			break;
		}
		if (k == EK_JUNK || (k == EK_OTHER && x.stage >= EK_A) ||
		    (k != EK_OTHER && k <= x.stage) ||
		    ((k == EK_A || k == EK_S) && x.proto == NULL)) {
			x.ambiguous = 1;
			break;
		}
		if (k != EK_OTHER)
			x.stage = k;
		switch (k) {
		case EK_H:
			te = ex_arrival_host(&x, p + 2, sub);
			break;
		case EK_U:
			break;	/* one word: an ident with spaces is junk */
		case EK_P:
			x.proto = p + 2;
			x.protoe = te;
			break;
		case EK_DN:
			/* DN="..." is not escaped: to a word ending '"' */
			while (te < e && (te - p <= 4 || te[-1] != '"'))
				te = ex_tok_end(te + 1, e);
			break;
		case EK_A:
			te = ex_arrival_auth(&x, p + 2);
			break;
		case EK_PRX:
			if (mail_ip_parse(p + 4, (size_t)(te - p - 4),
			    &(struct mail_ip){ 0 }) != 0)
				x.ambiguous = 1;
			break;
		case EK_S:
			/* digits (the test suite writes "sss") */
			have_size = 1;
			for (p += 2; p < te && *p >= '0' && *p <= '9' &&
			    size < UINT64_MAX / 10; p++)
				size = size * 10 + (uint64_t)(*p - '0');
			while (p < te && ((*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9')))
				p++;
			if (p != te)
				x.ambiguous = 1;
			break;
		default:
			break;
		}
	}
	if (!have_size && !truncated)
		x.ambiguous = 1;
	if (x.host || (x.proto != NULL &&
	    ts_find(x.proto, x.protoe, "smtp", 4) != NULL))
		sub->service = SVC_SMTP;
	if (x.ambiguous) {
		memset(&sub->client, 0, sizeof(sub->client));
		sub->flags |= EVF_BAD_ACCOUNT | EVF_BAD_CLIENT;
		q->nrcpt = 0;
		return 2;
	}
	if (x.a != NULL) {
		if (truncated)
			sub->flags |= EVF_BAD_ACCOUNT;
		else
			ex_auth_value(x.a, x.ae, sub);
	}
	q->size = size;
	return 2;
}
