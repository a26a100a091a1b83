/*
 * exim_int.h: what the Exim parser's files share (backends/exim/log.c, the
 * line dispatch; backends/exim/arrival.c, the "<=" line): bounded scans of
 * the shapes Exim writes.  Static inline, as textscan.h, so that the scans
 * of every line stay free of calls.  Every helper reads only [p, e).
 */
#ifndef MAILCON_EXIM_INT_H
#define MAILCON_EXIM_INT_H

#include <stdint.h>
#include <string.h>

#include "backends/backend.h"
#include "backends/textscan.h"

/*
 * The first byte c in [p, e), or e.  Eight bytes at a time, not memchr:
 * the tokens of a line are a few bytes, shorter than the call, and every
 * line has dozens.  Only whole words inside [p, e) are read.
 */
static inline const char *
ex_byte(const char *p, const char *e, unsigned char c)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t	 w, x = 0x0101010101010101ULL * c;

	for (; e - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		w ^= x;		/* a byte c is now a 0 byte */
		w = (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;
		if (w != 0)	/* the lowest flag is the first 0 byte */
			return p + (__builtin_ctzll(w) >> 3);
	}
#endif
	while (p < e && (unsigned char)*p != c)
		p++;
	return p;
}

/* The end of the space-delimited token at p. */
static inline const char *
ex_tok_end(const char *p, const char *e)
{
	return ex_byte(p, e, ' ');
}

/*
 * The end of an address starting at p, as parse_extract_address() leaves
 * it: a space ends it unless inside a quoted string or after a backslash.
 * NULL when a quote is left open.
 */
static inline const char *
ex_addr_end(const char *p, const char *e)
{
	int	 quoted = 0;

	for (; p < e; p++) {
		if (*p == '\\') {
			if (p + 1 < e)
				p++;
		} else if (*p == '"')
			quoted = !quoted;
		else if (*p == ' ' && !quoted)
			return p;
	}
	return quoted ? NULL : e;
}

/* The '>' closing an address that starts at p (after '<'), or NULL. */
static inline const char *
ex_angle_end(const char *p, const char *e)
{
	int	 quoted = 0;

	for (; p < e; p++) {
		if (*p == '\\') {
			if (++p >= e)
				return NULL;
		} else if (*p == '"')
			quoted = !quoted;
		else if (*p == '>' && !quoted)
			return p;
	}
	return NULL;
}

/*
 * The end of a quoted value starting at p ('"'), written with '"' and '\'
 * escaped (T=, C=): just after the closing quote, or NULL.
 */
static inline const char *
ex_quoted_end(const char *p, const char *e)
{
	if (p >= e || *p != '"')
		return NULL;
	for (p++; p < e; p++) {
		if (*p == '\\') {
			if (++p >= e)
				return NULL;
		} else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* Whether [p, e) is a flag: an upper-case word, maybe ending in - . or *. */
static inline int
ex_is_flag(const char *p, const char *e)
{
	if (p >= e || *p < 'A' || *p > 'Z')
		return 0;
	if (e[-1] == '-' || e[-1] == '.' || e[-1] == '*')
		e--;
	for (p++; p < e; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return 0;
	}
	return 1;
}

/*
 * When the token [p, e) starts "KEY=" (KEY a word, maybe with '*'): the
 * '='; else NULL.
 */
static inline const char *
ex_field_eq(const char *p, const char *e)
{
	const char	*q;

	if (p >= e || !((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		return NULL;
	for (q = p + 1; q < e && q - p < 16 && ((*q >= 'A' && *q <= 'Z') ||
	    (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
	    *q == '_'); q++)
		;
	if (q < e && *q == '*')
		q++;
	return q < e && *q == '=' ? q : NULL;
}

/* Whether the token [p, e) starts "KEY=" (KEY a word, maybe with '*'). */
static inline int
ex_is_field(const char *p, const char *e)
{
	return ex_field_eq(p, e) != NULL;
}

/*
 * A client "[IP]" or "[IP]:PORT" spanning exactly [p, e); 0 and *ip, or
 * -1 when it is not one.
 */
static inline int
ex_bracket_ip(const char *p, const char *e, struct mail_ip *ip)
{
	const char	*c;

	if (e - p < 3 || *p != '[')
		return -1;
	if (e[-1] != ']') {
		for (c = e; c > p && c[-1] >= '0' && c[-1] <= '9'; c--)
			;
		if (c == e || c - p < 3 || c[-1] != ':' || e - c > 5)
			return -1;
		e = c - 1;
		if (e[-1] != ']')
			return -1;
	}
	return ts_ip(p + 1, e - 1, ip);
}

/* Whether [p, e) is a host name as DNS gives it (no spaces, no parens). */
static inline int
ex_is_hostname(const char *p, const char *e)
{
	if (p >= e)
		return 0;
	for (; p < e; p++) {
		if (!ts_tokch((unsigned char)*p))
			return 0;
	}
	return 1;
}

/*
 * HOST ("[NAME ][(HELO) ][IP][:PORT]") spanning exactly [p, e): 0 and *ip,
 * or -1.  The address is the last word; the HELO, whatever it holds, must
 * sit in the one pair of parentheses Exim put around it.
 */
static inline int
ex_fullhost(const char *p, const char *e, struct mail_ip *ip)
{
	const char	*sp, *n;

	if ((sp = ts_rchr(p, e, ' ')) == NULL)
		return ex_bracket_ip(p, e, ip);
	if (ex_bracket_ip(sp + 1, e, ip) != 0)
		return -1;
	if (*p != '(') {
		n = ex_tok_end(p, sp);
		if (!ex_is_hostname(p, n))
			return -1;
		if (n == sp)
			return 0;
		p = n + 1;
		if (p >= sp || *p != '(')
			return -1;
	}
	return sp[-1] == ')' && sp - p >= 2 ? 0 : -1;
}

/* Keep a login if it passes the grammar, else flag it. */
static inline void
ex_account(const char *p, const char *e, struct mail_event *out)
{
	if (account_is_valid(p, (size_t)(e - p)))
		ts_set(&out->account, p, e);
	else
		out->flags |= EVF_BAD_ACCOUNT;
}

/*
 * The value of A= ("AUTHENTICATOR[:SET_ID[:AUTH_SENDER]]") spanning
 * [p, e): the set_id is the login.  No set_id (the authenticator sets
 * none) names nobody.
 */
static inline void
ex_auth_value(const char *p, const char *e, struct mail_event *out)
{
	const char	*c, *id;

	if ((c = memchr(p, ':', (size_t)(e - p))) == NULL)
		return;
	if (c == p || ts_token(p, c) != c) {
		out->flags |= EVF_BAD_ACCOUNT;
		return;
	}
	id = c + 1;
	if ((c = memchr(id, ':', (size_t)(e - id))) != NULL)
		e = c;
	ex_account(id, e, out);
}

/*
 * "<= SENDER FIELDS..." after the "<= ": fills sub (EV_SUBMIT: client,
 * login) and q (EV_QUEUED: sender, size, recipients); returns 2, or 0 when
 * the sender cannot be read.  truncated: a syslog piece cut after its
 * last space, whose login cannot be trusted whole.  (exim_arrival.c)
 */
int	exim_arrival_parse(const char *p, const char *e, int truncated,
	    struct mail_event *sub, struct mail_event *q);

#endif
