/* csv.c: RFC 4180 fields, quoted, neutralised and escaped; see csv.h. */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "sanitize.h"
#include "xmalloc.h"

/* See csv.h: OWASP's list of the characters a formula starts with. */
int
csv_is_formula(const char *p, size_t len)
{
	return len > 0 && (p[0] == '=' || p[0] == '+' || p[0] == '-' ||
	    p[0] == '@' || p[0] == '\t' || p[0] == '\r');
}

/* Is p[0..len) plain printable ASCII without a backslash (written as is)? */
static int
csv_plain(const char *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] >= 0x7f ||
		    p[i] == '\\')
			return 0;
	return 1;
}

/* Write p[0..len), quoted when it must be, neutralised when a formula. */
static void
csv_write(FILE *f, const char *p, size_t len, int formula)
{
	size_t	 i;
	int	 quote = formula;

	for (i = 0; i < len && !quote; i++)
		quote = p[i] == ',' || p[i] == '"' || p[i] == '\r' ||
		    p[i] == '\n';
	if (!quote) {
		fwrite(p, 1, len, f);
		return;
	}
	putc('"', f);
	if (formula)
		putc('\'', f);
	for (i = 0; i < len; i++) {
		if (p[i] == '"')
			putc('"', f);
		putc(p[i], f);
	}
	putc('"', f);
}

/* See csv.h. */
void
csv_field(FILE *f, const char *p, size_t len, int first)
{
	char	*buf;
	size_t	 n;
	int	 formula = csv_is_formula(p, len);

	if (!first)
		putc(',', f);
	if (csv_plain(p, len)) {
		csv_write(f, p, len, formula);
		return;
	}
	/* control bytes, invalid UTF-8, hidden characters: escaped */
	buf = xmalloc(4 * len + 16);
	n = sanitize_text_utf8(buf, 4 * len + 16, p, len);
	csv_write(f, buf, n, formula);
	free(buf);
}

/* See csv.h. */
void
csv_cfield(FILE *f, const char *s, int first)
{
	csv_field(f, s, strlen(s), first);
}

/* See csv.h. */
void
csv_number(FILE *f, unsigned long long v, int first)
{
	fprintf(f, "%s%llu", first ? "" : ",", v);
}

/* See csv.h. */
void
csv_end(FILE *f)
{
	fputs("\r\n", f);
}
