/* json.c: JSON string escaping and timestamps for `mailcon scan --json`. */
#include <string.h>
#include <time.h>

#include "json.h"
#include "backends/unichar.h"

/* See json.h; rejects overlongs, surrogates and code points past U+10FFFF. */
size_t
utf8_sequence(const unsigned char *p, size_t len)
{
	uint32_t	 cp;

	return uni_decode(p, len, &cp);
}

/* See json.h. */
void
json_string(FILE *f, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n;

	putc('"', f);
	while (i < len) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\') {
			putc('\\', f);
			putc(c, f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			putc(c, f);
			i++;
		} else if ((n = utf8_sequence(p + i, len - i)) == 0) {
			fputs("\\ufffd", f);
			i++;
		} else {
			fwrite(p + i, 1, n, f);
			i += n;
		}
	}
	putc('"', f);
}

/* json_string of a NUL-terminated string. */
void
json_cstring(FILE *f, const char *s)
{
	json_string(f, s, strlen(s));
}

/* See json.h. */
void
json_time(FILE *f, int64_t t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;
	char		 buf[32];

	if (t < 0 || gmtime_r(&tt, &tm) == NULL) {
		fputs("null", f);
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "\"%s\"", buf);
}
