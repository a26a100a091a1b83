/* sanitize.c: escape terminal-unsafe bytes and code points, measure text. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* wcwidth, when no curses flags bring it */
#endif
#include <langinfo.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "sanitize.h"
#include "backends/unichar.h"

static int	sanitize_ascii_mode;	/* 1: the locale cannot show UTF-8 */

/* See sanitize.h. */
void
sanitize_locale(void)
{
	const char	*cs = nl_langinfo(CODESET);

	sanitize_ascii_mode = cs == NULL || (strcasecmp(cs, "UTF-8") != 0 &&
	    strcasecmp(cs, "UTF8") != 0);
}

/* See sanitize.h. */
int
sanitize_utf8(void)
{
	return !sanitize_ascii_mode;
}

/*
 * Sanitise p[0..len) into out; ascii: escape every non-ASCII code point;
 * keep: leave a backslash single (sanitize_line).
 */
static size_t
sanitize_mode(char *out, size_t size, const char *s, size_t len, int ascii,
    int keep)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			 esc[16];
	size_t			 i = 0, o = 0, n, elen;
	const char		*src;
	uint32_t		 cp;

	if (size == 0)
		return 0;
	while (i < len) {
		n = uni_decode(p + i, len - i, &cp);
		if (n == 0 || p[i] < 0x20 || p[i] == 0x7f) {
			elen = (size_t)snprintf(esc, sizeof(esc), "\\x%02x",
			    p[i]);
			src = esc;
			n = 1;
		} else if (p[i] == '\\' && !keep) {
			/* So that an escape we print is never ambiguous. */
			src = "\\\\";
			elen = 2;
		} else if (n > 1 && (ascii || uni_is_hidden(cp))) {
			elen = (size_t)snprintf(esc, sizeof(esc), "\\u{%04x}",
			    (unsigned)cp);
			src = esc;
		} else {
			elen = n;
			src = (const char *)p + i;
		}
		if (o + elen >= size)
			break;
		memcpy(out + o, src, elen);
		o += elen;
		i += n;
	}
	out[o] = '\0';
	return o;
}

/* See sanitize.h. */
size_t
sanitize_text(char *out, size_t size, const char *p, size_t len)
{
	return sanitize_mode(out, size, p, len, sanitize_ascii_mode, 0);
}

/* See sanitize.h. */
size_t
sanitize_line(char *out, size_t size, const char *p, size_t len)
{
	return sanitize_mode(out, size, p, len, sanitize_ascii_mode, 1);
}

/* See sanitize.h. */
size_t
sanitize_text_utf8(char *out, size_t size, const char *p, size_t len)
{
	return sanitize_mode(out, size, p, len, 0, 0);
}

/* See sanitize.h. */
size_t
sanitize_text_ascii(char *out, size_t size, const char *p, size_t len)
{
	return sanitize_mode(out, size, p, len, 1, 0);
}

/* See sanitize.h. */
const char *
sanitize_str(char *buf, size_t size, const char *s)
{
	if (s == NULL)
		s = "";
	sanitize_text(buf, size, s, strlen(s));
	return buf;
}

/* See sanitize.h. */
size_t
text_fit(const char *p, size_t len, int w, int *cols)
{
	mbstate_t	 st;
	wchar_t		 wc;
	size_t		 i = 0, n;
	int		 c = 0, cw;

	memset(&st, 0, sizeof(st));
	while (i < len) {
		if ((unsigned char)p[i] < 0x80) {
			n = 1;		/* ASCII: no call into the locale */
			cw = 1;
		} else if ((n = mbrtowc(&wc, p + i, len - i, &st)) ==
		    (size_t)-1 || n == (size_t)-2 || n == 0) {
			n = 1;
			cw = 1;
			memset(&st, 0, sizeof(st));
		} else if ((cw = wcwidth(wc)) < 0)
			cw = 1;
		if (c + cw > w)
			break;
		c += cw;
		i += n;
	}
	*cols = c;
	return i;
}

/* See sanitize.h. */
int
text_width(const char *p, size_t len)
{
	int	 cols;

	text_fit(p, len, INT_MAX, &cols);
	return cols;
}
