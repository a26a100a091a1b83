/* config_ini.c: the INI syntax of the configuration; see config_ini.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_ini.h"
#include "core/xmalloc.h"

#define INI_NOT_INI	"not an INI line (expected [section] or key = value)"

/* The parser's state: the section, and the key whose value may go on. */
struct ini {
	config_ini_cb	 cb;
	void		*arg;
	char		*section;
	char		*name;		/* the pending key, or NULL */
	char		*value;
	size_t		 vlen, vcap;
	int		 vline;		/* where the pending key started */
	int		*errline;
	char		*err;
	size_t		 errlen;
};

/* Is c a blank (space or tab)? */
static int
ini_blank(int c)
{
	return c == ' ' || c == '\t';
}

/*
 * Read one line into buf (without its end), at most cap - 1 bytes.  1 for
 * a line, 0 at the end of the file, -1 for a line longer than that (*len
 * is then cap).  *ctl is the first control byte in the line (a tab and
 * the CR of a CRLF end are text), or -1.
 */
static int
ini_read_line(FILE *f, char *buf, size_t cap, size_t *len, int *ctl)
{
	size_t	 n = 0, i;
	int	 c;

	*ctl = -1;
	while ((c = getc(f)) != EOF && c != '\n') {
		if (n + 1 >= cap) {
			*len = cap;
			return -1;
		}
		buf[n++] = (char)c;
	}
	if (c == EOF && n == 0)
		return 0;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	for (i = 0; i < n && *ctl == -1; i++)
		if (((unsigned char)buf[i] < 0x20 && buf[i] != '\t') ||
		    buf[i] == 0x7f)
			*ctl = (unsigned char)buf[i];
	return 1;
}

/* Cut an inline comment (";" after a blank) and the blanks before it. */
static void
ini_cut_comment(char *s)
{
	char	*p, *end;

	for (p = s; *p != '\0'; p++)
		if (*p == ';' && p > s && ini_blank(p[-1])) {
			*p = '\0';
			break;
		}
	end = s + strlen(s);
	while (end > s && ini_blank(end[-1]))
		*--end = '\0';
}

/* Set the error of line. */
static int
ini_fail(struct ini *x, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
ini_fail(struct ini *x, int line, const char *fmt, ...)
{
	va_list	 ap;

	*x->errline = line;
	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Append text to the pending value, after a '\n' when it is not the
   first piece; -1 when the value grows past CONFIG_INI_VALUE_MAX. */
static int
ini_append(struct ini *x, const char *text, int sep, int line)
{
	size_t	 n = strlen(text), need = x->vlen + n + 2;

	if (need > CONFIG_INI_VALUE_MAX)
		return ini_fail(x, line, "the value of %s, continued from "
		    "line %d, is longer than %d bytes", x->name, x->vline,
		    CONFIG_INI_VALUE_MAX);
	if (need > x->vcap) {
		x->vcap = need * 2;
		x->value = xreallocarray(x->value, x->vcap, 1);
	}
	if (sep)
		x->value[x->vlen++] = '\n';
	memcpy(x->value + x->vlen, text, n + 1);
	x->vlen += n;
	return 0;
}

/* Hand the pending key to the callback, if there is one. */
static int
ini_flush(struct ini *x)
{
	int	 rc;

	if (x->name == NULL)
		return 0;
	rc = x->cb(x->arg, x->section, x->name, x->value, x->vline);
	free(x->name);
	x->name = NULL;
	x->vlen = 0;
	if (rc == -1) {
		*x->errline = x->vline;
		if (x->errlen > 0)
			x->err[0] = '\0';
		return -1;
	}
	return 0;
}

/* "[name]", with nothing after it but a comment. */
static int
ini_section(struct ini *x, char *s, int line)
{
	char	*end = strchr(s, ']'), *p;

	if (end == NULL)
		return ini_fail(x, line, "%s", INI_NOT_INI);
	for (p = end + 1; ini_blank(*p); p++)
		;
	if (*p != '\0' && *p != ';' && *p != '#')
		return ini_fail(x, line, "text after the ] of a section "
		    "line");
	*end = '\0';
	free(x->section);
	x->section = xstrdup(s + 1);
	return 0;
}

/* "key = value" (or "key: value"): the new pending key. */
static int
ini_key(struct ini *x, char *s, int line)
{
	char	*sep, *end, *v;

	ini_cut_comment(s);
	if ((sep = strpbrk(s, "=:")) == NULL)
		return ini_fail(x, line, "%s", INI_NOT_INI);
	for (end = sep; end > s && ini_blank(end[-1]); end--)
		;
	if (end == s)
		return ini_fail(x, line, "a value without a key name before "
		    "its \"%c\"", *sep);
	*end = '\0';
	for (v = sep + 1; ini_blank(*v); v++)
		;
	x->name = xstrdup(s);
	x->vline = line;
	x->vlen = 0;
	return ini_append(x, v, 0, line);
}

/* One line (NUL-terminated, no line end). */
static int
ini_line(struct ini *x, char *line, int lineno)
{
	char	*s = line;

	while (ini_blank(*s))
		s++;
	if (*s == '\0' || *s == ';' || *s == '#')
		return 0;	/* a continued value goes on after these */
	if (s > line && x->name != NULL) {
		ini_cut_comment(s);
		return *s != '\0' ? ini_append(x, s, 1, lineno) : 0;
	}
	if (ini_flush(x) == -1)
		return -1;
	if (*s == '[')
		return ini_section(x, s, lineno);
	return ini_key(x, s, lineno);
}

/* See config_ini.h. */
int
config_ini_parse(FILE *f, config_ini_cb cb, void *arg, int *errline,
    char *err, size_t errlen)
{
	struct ini	 x;
	char		*buf, *s;
	size_t		 len;
	int		 lineno = 0, rc = 0, ctl;

	memset(&x, 0, sizeof(x));
	x.cb = cb;
	x.arg = arg;
	x.section = xstrdup("");
	x.errline = errline;
	x.err = err;
	x.errlen = errlen;
	*errline = 0;
	if (errlen > 0)
		err[0] = '\0';
	buf = xmalloc(CONFIG_INI_LINE_MAX + 1);
	for (;;) {
		rc = ini_read_line(f, buf, CONFIG_INI_LINE_MAX + 1, &len, &ctl);
		lineno++;
		if (rc == 0)
			break;
		if (rc == -1) {
			ini_fail(&x, lineno, "line longer than %d bytes: "
			    "continue a long list on indented lines",
			    CONFIG_INI_LINE_MAX);
			break;
		}
		if (ctl != -1) {
			rc = ctl == 0 ? ini_fail(&x, lineno, "a NUL byte in "
			    "the line") : ini_fail(&x, lineno, "a control byte "
			    "(0x%02x) in the line", ctl);
			break;
		}
		s = buf;
		/* a UTF-8 byte order mark before the first line */
		if (lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;
		if ((rc = ini_line(&x, s, lineno)) == -1)
			break;
	}
	if (rc == 0)
		rc = ini_flush(&x);
	free(buf);
	free(x.name);
	free(x.value);
	free(x.section);
	return rc;
}
