/* sanitize.c: escape terminal-unsafe bytes and code points in log text. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "sanitize.h"

/* Decode the valid UTF-8 sequence p[0..n) into its code point. */
static uint32_t
sanitize_decode(const unsigned char *p, size_t n)
{
	switch (n) {
	case 2:
		return ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
	case 3:
		return ((uint32_t)(p[0] & 0x0f) << 12) |
		    ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
	default:
		return ((uint32_t)(p[0] & 0x07) << 18) |
		    ((uint32_t)(p[1] & 0x3f) << 12) |
		    ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
	}
}

/* Code points that change how a terminal shows what follows. */
static int
sanitize_is_unsafe(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) ||		/* C1 controls */
	    cp == 0x061c || cp == 0x200e || cp == 0x200f ||	/* marks */
	    (cp >= 0x202a && cp <= 0x202e) ||		/* embeddings */
	    (cp >= 0x2066 && cp <= 0x2069) ||		/* isolates */
	    cp == 0xfeff;
}

/* See sanitize.h. */
size_t
sanitize_text(char *out, size_t size, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			 esc[16];
	size_t			 i = 0, o = 0, n, elen;
	const char		*src;

	if (size == 0)
		return 0;
	while (i < len) {
		n = p[i] < 0x80 ? 1 : utf8_sequence(p + i, len - i);
		if (n == 0 || p[i] < 0x20 || p[i] == 0x7f) {
			elen = (size_t)snprintf(esc, sizeof(esc), "\\x%02x",
			    p[i]);
			src = esc;
			n = 1;
		} else if (p[i] == '\\') {
			/* So that an escape we print is never ambiguous. */
			src = "\\\\";
			elen = 2;
		} else if (n > 1 && sanitize_is_unsafe(sanitize_decode(p + i,
		    n))) {
			elen = (size_t)snprintf(esc, sizeof(esc), "\\u{%04x}",
			    (unsigned)sanitize_decode(p + i, n));
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
