/*
 * wiring.c: what the backends' wiring judges share (backend.h, struct
 * backend_wiring): finding a section of a read's output, adding a
 * finding, the option values, and the tool and file lines every read
 * prints.  Pure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"

#define WIRE_MARK	"@mailcon "

/* The next line of [*p, end): its start and length; 0 at the end. */
static int
wire_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char	*nl;

	if (*p >= end)
		return 0;
	*line = *p;
	if ((nl = memchr(*p, '\n', (size_t)(end - *p))) == NULL)
		nl = end;
	*len = (size_t)(nl - *p);
	*p = nl < end ? nl + 1 : end;
	return 1;
}

/* Is the line "@mailcon WORDS"?  Then the words. */
static int
wire_mark(const char *line, size_t len, const char **w, size_t *wlen)
{
	size_t	 m = sizeof(WIRE_MARK) - 1;

	if (len < m || memcmp(line, WIRE_MARK, m) != 0)
		return 0;
	*w = line + m;
	*wlen = len - m;
	return 1;
}

/* The exit status in [p, p + len): digits only (the output is not a C
   string), -1 when none or too large. */
static int
wire_status(const char *p, size_t len)
{
	int	 v = 0;
	size_t	 i;

	for (i = 0; i < len && p[i] >= '0' && p[i] <= '9' && v < 1000; i++)
		v = v * 10 + (p[i] - '0');
	return i > 0 && i == len && v < 1000 ? v : -1;
}

/* See backend.h. */
int
wiring_section(const char *out, size_t len, const char *name,
    const char **body, size_t *bodylen, int *status)
{
	const char	*p = out, *end = out + len, *line, *w;
	size_t		 l, wl, nlen = strlen(name);
	int		 in = 0;

	*body = NULL;
	*bodylen = 0;
	*status = -1;
	while (wire_line(&p, end, &line, &l)) {
		if (!wire_mark(line, l, &w, &wl)) {
			if (in == 1 && *body == NULL)
				*body = line;
			if (in == 1)
				*bodylen = (size_t)(line + l - *body);
			continue;
		}
		if (in == 1) {
			if (wl > 7 && memcmp(w, "status ", 7) == 0)
				*status = wire_status(w + 7, wl - 7);
			break;
		}
		if (wl == nlen && memcmp(w, name, nlen) == 0)
			in = 1;
	}
	/* an empty section: an empty body, never a NULL one */
	if (in == 1 && *body == NULL)
		*body = p;
	return in;
}

/* See backend.h. */
size_t
wiring_add(struct wiring_finding *f, size_t n, size_t max,
    enum wiring_part part, enum wiring_state state, const char *fix,
    const char *fmt, ...)
{
	va_list	 ap;

	if (n >= max)
		return n;
	f[n].part = part;
	f[n].state = state;
	va_start(ap, fmt);
	vsnprintf(f[n].text, sizeof(f[n].text), fmt, ap);
	va_end(ap);
	snprintf(f[n].fix, sizeof(f[n].fix), "%s", fix != NULL ? fix : "");
	return n + 1;
}

/* See backend.h. */
const char *
wiring_opt(const struct backend_env *env, const char *name)
{
	char *const	*words = NULL;
	const char	*v;

	if (env == NULL || env->opt == NULL)
		return NULL;
	v = env->opt(env->arg, name, &words);
	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* See backend.h. */
size_t
wiring_tools_files(const char *out, size_t len, struct wiring_finding *f,
    size_t n, size_t max)
{
	const char	*p = out, *end = out + len, *line, *w, *sp;
	size_t		 l, wl;
	char		 fix[WIRING_TEXT];

	while (wire_line(&p, end, &line, &l)) {
		if (!wire_mark(line, l, &w, &wl))
			continue;
		if (wl > 5 && memcmp(w, "tool ", 5) == 0 &&
		    (sp = memchr(w + 5, ' ', wl - 5)) != NULL)
			n = wiring_add(f, n, max, WIRE_TOOL, WIRE_OK, NULL,
			    "%.*s found (%.*s)", (int)(sp - w - 5), w + 5,
			    (int)(w + wl - sp - 1), sp + 1);
		else if (wl > 7 && memcmp(w, "notool ", 7) == 0) {
			snprintf(fix, sizeof(fix), "install it, or put it in "
			    "the PATH of the login mailcon uses");
			n = wiring_add(f, n, max, WIRE_TOOL, WIRE_MISSING, fix,
			    "%.*s not found", (int)(wl - 7), w + 7);
		} else if (wl > 14 && memcmp(w, "file writable ", 14) == 0)
			n = wiring_add(f, n, max, WIRE_FILE, WIRE_OK, NULL,
			    "%.*s exists and is writable", (int)(wl - 14),
			    w + 14);
		else if (wl > 13 && memcmp(w, "file missing ", 13) == 0) {
			snprintf(fix, sizeof(fix), "create it (an empty file "
			    "will do) or set the right path");
			n = wiring_add(f, n, max, WIRE_FILE, WIRE_MISSING, fix,
			    "%.*s does not exist", (int)(wl - 13), w + 13);
		} else if (wl > 14 && memcmp(w, "file readonly ", 14) == 0) {
			snprintf(fix, sizeof(fix), "give it a write bit for "
			    "the login mailcon uses (or use sudo = yes)");
			n = wiring_add(f, n, max, WIRE_FILE, WIRE_MISSING, fix,
			    "%.*s is not writable", (int)(wl - 14), w + 14);
		}
	}
	return n;
}
