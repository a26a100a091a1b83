/* redact.c: write a log line with the secrets it shows hidden (redact.h). */
#include <stdint.h>
#include <string.h>

#include "backend.h"
#include "redact.h"

/*
 * See redact.h.  memchr() for one byte of the needle, then a compare: on
 * lines of a few hundred bytes several times cheaper than memmem(), and
 * every line of every log passes here.  The byte looked for is the
 * needle's first that is seldom in a log line (not a lower-case letter, a
 * blank, ':', '.', ',' or '-'), else its first.
 */
size_t
redact_find(const struct redact *r, size_t from, const char *needle,
    size_t n)
{
	const char	*p, *e = r->line + r->len, *c;
	size_t		 k;

	if (n == 0 || from > r->len || r->len - from < n)
		return REDACT_NONE;
	for (k = 0; k < n && ((needle[k] >= 'a' && needle[k] <= 'z') ||
	    needle[k] == ' ' || needle[k] == ':' || needle[k] == '.' ||
	    needle[k] == ',' || needle[k] == '-'); k++)
		;
	if (k == n)
		k = 0;
	for (p = r->line + from + k; (size_t)(e - p) >= n - k &&
	    (c = memchr(p, needle[k], (size_t)(e - p) - (n - k) + 1)) !=
	    NULL; p = c + 1)
		if (memcmp(c - k, needle, n) == 0)
			return (size_t)(c - k - r->line);
	return REDACT_NONE;
}

/* See redact.h. */
void
redact_hide(struct redact *r, size_t s, size_t e, const char *repl)
{
	if (s > r->len)
		return;
	if (e > r->len || e < s)
		e = r->len;
	if (r->n == REDACT_SPANS) {
		/* too many to tell apart: hide from the last to the end */
		if (s < r->span[r->n - 1].s)
			r->span[r->n - 1].s = s;
		r->span[r->n - 1].e = r->len;
		r->span[r->n - 1].repl = NULL;
		return;
	}
	r->span[r->n].s = s;
	r->span[r->n].e = e;
	r->span[r->n].repl = repl;
	r->n++;
}

/* Append n bytes at *o, as many as fit before the NUL. */
static void
redact_put(char *out, size_t size, size_t *o, const char *p, size_t n)
{
	if (*o + 1 >= size)
		return;
	if (n > size - 1 - *o)
		n = size - 1 - *o;
	memcpy(out + *o, p, n);
	*o += n;
}

/* See backend.h. */
int
backend_redact(const char *line, size_t len, const struct log_header *h,
    char *out, size_t size, size_t *outlen)
{
	const struct mail_backend *const *b;
	struct redact	 r;
	size_t		 o = 0, at = 0, s, e;
	const char	*repl;
	int		 i, min;

	*outlen = 0;
	if (size == 0)
		return 0;
	/* no memset: the spans are written before they are read */
	r.line = line;
	r.len = len;
	r.n = 0;
	r.prog.p = h != NULL ? h->prog.p : NULL;
	r.prog.len = h != NULL ? h->prog.len : 0;
	for (b = mail_backends; *b != NULL; b++)
		if ((*b)->redact != NULL)
			(*b)->redact(&r);
	if (r.n == 0)
		return 0;
	/* spans in order of their start; overlapping ones become one */
	while (r.n > 0) {
		for (min = 0, i = 1; i < r.n; i++)
			if (r.span[i].s < r.span[min].s)
				min = i;
		s = r.span[min].s;
		e = r.span[min].e;
		repl = r.span[min].repl;
		r.span[min] = r.span[--r.n];
		for (i = 0; i < r.n; ) {
			if (r.span[i].s <= e) {
				if (r.span[i].e > e)
					e = r.span[i].e;
				repl = NULL;
				r.span[i] = r.span[--r.n];
				i = 0;
			} else
				i++;
		}
		if (s < at)
			s = at;
		if (e < s)
			e = s;
		redact_put(out, size, &o, line + at, s - at);
		if (repl == NULL)
			repl = REDACT_HIDDEN;
		redact_put(out, size, &o, repl, strlen(repl));
		at = e;
	}
	redact_put(out, size, &o, line + at, len - at);
	out[o] = '\0';
	*outlen = o;
	return 1;
}
