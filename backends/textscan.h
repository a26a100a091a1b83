/*
 * textscan.h: bounded scanning helpers shared by the log parsers.
 *
 * Every helper works on [p, e) and never reads outside it: log lines may
 * hold NUL bytes and are not NUL-terminated.  Static inline so that the
 * hot loops of the parsers stay free of calls.
 */
#ifndef MAILCON_TEXTSCAN_H
#define MAILCON_TEXTSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "backend.h"

/* Length of a string literal, without its NUL. */
#define LIT(s)	(sizeof(s) - 1)

/* Whether [p, e) starts with the n bytes of s. */
static inline int
ts_starts(const char *p, const char *e, const char *s, size_t n)
{
	return e >= p && (size_t)(e - p) >= n && memcmp(p, s, n) == 0;
}

/* Whether [p, e) ends with the n bytes of s. */
static inline int
ts_ends(const char *p, const char *e, const char *s, size_t n)
{
	return e >= p && (size_t)(e - p) >= n && memcmp(e - n, s, n) == 0;
}

/* If [*pp, e) starts with s, step over it and return 1. */
static inline int
ts_eat(const char **pp, const char *e, const char *s, size_t n)
{
	if (!ts_starts(*pp, e, s, n))
		return 0;
	*pp += n;
	return 1;
}

/* If [p, *ep) ends with s, cut it off and return 1. */
static inline int
ts_cut(const char *p, const char **ep, const char *s, size_t n)
{
	if (!ts_ends(p, *ep, s, n))
		return 0;
	*ep -= n;
	return 1;
}

/*
 * First occurrence of s (n >= 1) in [p, e), or NULL.  memmem() is a GNU
 * extension; memchr() on the first byte is as fast for our short needles.
 */
static inline const char *
ts_find(const char *p, const char *e, const char *s, size_t n)
{
	const char	*last;

	if (n == 0 || p >= e || (size_t)(e - p) < n)
		return NULL;
	last = e - n;
	while (p <= last) {
		p = memchr(p, (unsigned char)s[0], (size_t)(last - p) + 1);
		if (p == NULL)
			return NULL;
		if (memcmp(p + 1, s + 1, n - 1) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* Last occurrence of s in [p, e), or NULL. */
static inline const char *
ts_rfind(const char *p, const char *e, const char *s, size_t n)
{
	const char	*q;

	if (n == 0 || p >= e || (size_t)(e - p) < n)
		return NULL;
	for (q = e - n; ; q--) {
		if (*q == *s && memcmp(q, s, n) == 0)
			return q;
		if (q == p)
			return NULL;
	}
}

/* Number of occurrences of s in [p, e), counting at most to limit. */
static inline int
ts_count(const char *p, const char *e, const char *s, size_t n, int limit)
{
	int	 k = 0;

	while (k < limit && (p = ts_find(p, e, s, n)) != NULL) {
		k++;
		p += n;
	}
	return k;
}

/* Last occurrence of byte c in [p, e), or NULL. */
static inline const char *
ts_rchr(const char *p, const char *e, char c)
{
	while (e > p) {
		if (*--e == c)
			return e;
	}
	return NULL;
}

/* Set a borrowed string to [p, e). */
static inline void
ts_set(struct mail_str *s, const char *p, const char *e)
{
	s->p = p;
	s->len = (size_t)(e - p);
}

/* Whether a borrowed string equals the literal s of length n. */
static inline int
ts_eq(const struct mail_str *m, const char *s, size_t n)
{
	return m->len == n && memcmp(m->p, s, n) == 0;
}

/* Whether c may appear in a token such as a SASL mechanism or a db name. */
static inline int
ts_tokch(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* Step over a run of token characters; the end of the run. */
static inline const char *
ts_token(const char *p, const char *e)
{
	while (p < e && ts_tokch((unsigned char)*p))
		p++;
	return p;
}

/* Step back over a run of token characters ending at e; its start. */
static inline const char *
ts_rtoken(const char *p, const char *e)
{
	while (e > p && ts_tokch((unsigned char)e[-1]))
		e--;
	return e;
}

/*
 * Parse an address that a server wrote, possibly as "[addr]" content with
 * an "IPv6:" prefix (Postfix address literals).  0, or -1.
 */
static inline int
ts_ip(const char *p, const char *e, struct mail_ip *ip)
{
	if ((size_t)(e - p) > 5 && (p[0] == 'I' || p[0] == 'i') &&
	    (p[1] == 'P' || p[1] == 'p') && (p[2] == 'v' || p[2] == 'V') &&
	    p[3] == '6' && p[4] == ':')
		p += 5;
	return mail_ip_parse(p, (size_t)(e - p), ip);
}

#endif
