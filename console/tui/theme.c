/* theme.c: parse theme files and decide how a theme fits the terminal. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

/* The state of one parse, for errors that name the source and line. */
struct theme_parser {
	const char	*src;		/* file name, NULL for a string */
	int		 line;
	char		*err;
	size_t		 errlen;
};

static const char *theme_role_names[THEME_NROLES] = {
	"default", "header", "status", "key_hint", "selected", "ok", "watch",
	"suspicious", "critical", "muted", "graph"
};

static const char *theme_color_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

static const struct {
	const char	*name;
	unsigned int	 bit;
} theme_attr_names[] = {
	{ "bold", THEME_ATTR_BOLD },
	{ "dim", THEME_ATTR_DIM },
	{ "reverse", THEME_ATTR_REVERSE },
	{ "underline", THEME_ATTR_UNDERLINE },
	{ "standout", THEME_ATTR_STANDOUT },
};

/* See theme.h. */
const char *
theme_role_name(enum theme_role role)
{
	if ((unsigned int)role >= THEME_NROLES)
		return "?";
	return theme_role_names[role];
}

/* Format an error as "src:line: message" (or "line N: message"). */
static int __attribute__((format(printf, 2, 3)))
theme_error(struct theme_parser *tp, const char *fmt, ...)
{
	char	 msg[256];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (tp->errlen == 0)
		return -1;
	if (tp->src != NULL)
		snprintf(tp->err, tp->errlen, "%s:%d: %s", tp->src, tp->line,
		    msg);
	else
		snprintf(tp->err, tp->errlen, "line %d: %s", tp->line, msg);
	return -1;
}

/*
 * Copy a token for an error message: at most 32 bytes, anything that is
 * not printable ASCII as '?', so a broken file cannot drive the terminal.
 */
static const char *
theme_quote(char *buf, size_t size, const char *s, size_t len)
{
	size_t	 i;

	if (len > size - 1)
		len = size - 1;
	for (i = 0; i < len; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[len] = '\0';
	return buf;
}

/* Whether the token s[0..len) is exactly word. */
static int
theme_token_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* Skip blanks, then return the token up to a blank or a byte of stop. */
static const char *
theme_token(const char **p, const char *end, const char *stop, size_t *len)
{
	const char	*s;

	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	s = *p;
	while (*p < end && **p != ' ' && **p != '\t' &&
	    strchr(stop, **p) == NULL)
		(*p)++;
	*len = (size_t)(*p - s);
	return s;
}

/* Parse a colour: default, a name, bright + name, or 0-255. */
static int
theme_parse_color(const char *s, size_t len, short *out)
{
	size_t	 i;
	int	 v = 0, base = 0;

	if (theme_token_is(s, len, "default")) {
		*out = THEME_COLOR_DEFAULT;
		return 0;
	}
	if (len > 6 && memcmp(s, "bright", 6) == 0) {
		s += 6;
		len -= 6;
		base = 8;
	}
	for (i = 0; i < 8; i++) {
		if (theme_token_is(s, len, theme_color_names[i])) {
			*out = (short)(base + (int)i);
			return 0;
		}
	}
	if (base != 0 || len == 0 || len > 3)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > 255)
		return -1;
	*out = (short)v;
	return 0;
}

/* Parse the attribute list (words separated by commas or blanks). */
static int
theme_parse_attrs(struct theme_parser *tp, const char *p, const char *end,
    unsigned int *out)
{
	const char	*s;
	char		 q[40];
	size_t		 len, i;
	int		 none = 0, words = 0;

	*out = 0;
	for (;;) {
		while (p < end && *p == ',')
			p++;
		s = theme_token(&p, end, ",", &len);
		if (len == 0) {
			if (p >= end)
				break;
			continue;
		}
		words++;
		if (theme_token_is(s, len, "none")) {
			none = 1;
			continue;
		}
		for (i = 0; i < sizeof(theme_attr_names) /
		    sizeof(theme_attr_names[0]); i++) {
			if (theme_token_is(s, len, theme_attr_names[i].name))
				break;
		}
		if (i == sizeof(theme_attr_names) / sizeof(theme_attr_names[0]))
			return theme_error(tp, "unknown attribute '%s' (use "
			    "bold, dim, reverse, underline, standout or none)",
			    theme_quote(q, sizeof(q), s, len));
		*out |= theme_attr_names[i].bit;
	}
	if (none && words > 1)
		return theme_error(tp, "'none' cannot be combined with other "
		    "attributes");
	return 0;
}

/* Parse one colour field, naming which one in the error. */
static int
theme_parse_field(struct theme_parser *tp, const char *s, size_t len,
    const char *what, short *out)
{
	char	 q[40];

	if (len == 0)
		return theme_error(tp, "missing %s colour (expected "
		    "'role = fg bg [attrs]')", what);
	if (theme_parse_color(s, len, out) == -1)
		return theme_error(tp, "bad %s colour '%s' (use default, "
		    "black, red, green, yellow, blue, magenta, cyan, white, "
		    "bright<name> or 0-255)", what,
		    theme_quote(q, sizeof(q), s, len));
	return 0;
}

/* Parse one non-blank line `role = fg bg [attrs]` into *t. */
static int
theme_parse_line(struct theme_parser *tp, const char *p, const char *end,
    struct theme *t, int *setline)
{
	const char	*s;
	char		 q[40];
	size_t		 len;
	int		 r;
	struct theme_style st;

	s = theme_token(&p, end, "=", &len);
	for (r = 0; r < THEME_NROLES; r++) {
		if (theme_token_is(s, len, theme_role_names[r]))
			break;
	}
	if (len == 0)
		return theme_error(tp, "missing role name (expected "
		    "'role = fg bg [attrs]')");
	if (r == THEME_NROLES)
		return theme_error(tp, "unknown role '%s' (roles: default, "
		    "header, status, key_hint, selected, ok, watch, "
		    "suspicious, critical, muted, graph)",
		    theme_quote(q, sizeof(q), s, len));
	if (setline[r] != 0)
		return theme_error(tp, "duplicate role '%s' (already set on "
		    "line %d)", theme_role_names[r], setline[r]);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != '=')
		return theme_error(tp, "expected '=' after '%s'",
		    theme_role_names[r]);
	p++;
	s = theme_token(&p, end, "", &len);
	if (theme_parse_field(tp, s, len, "foreground", &st.fg) == -1)
		return -1;
	s = theme_token(&p, end, "", &len);
	if (theme_parse_field(tp, s, len, "background", &st.bg) == -1)
		return -1;
	if (theme_parse_attrs(tp, p, end, &st.attrs) == -1)
		return -1;
	t->style[r] = st;
	setline[r] = tp->line;
	return 0;
}

/* Parse text[0..len), naming src (or nothing) in errors. */
static int
theme_parse_src(const char *src, const char *text, size_t len,
    struct theme *out, char *err, size_t errlen)
{
	struct theme_parser	 tp = { src, 0, err, errlen };
	struct theme		 t;
	const char		*p = text, *end = text + len, *eol, *hash;
	int			 setline[THEME_NROLES] = { 0 };
	int			 r;

	memset(&t, 0, sizeof(t));
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;		/* a UTF-8 byte order mark from an editor */
	while (p < end) {
		tp.line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if (memchr(p, '\0', (size_t)(eol - p)) != NULL)
			return theme_error(&tp, "NUL byte: not a theme file");
		if ((hash = memchr(p, '#', (size_t)(eol - p))) == NULL)
			hash = eol;
		while (hash > p && (hash[-1] == ' ' || hash[-1] == '\t' ||
		    hash[-1] == '\r'))
			hash--;
		while (p < hash && (*p == ' ' || *p == '\t'))
			p++;
		if (p < hash && theme_parse_line(&tp, p, hash, &t,
		    setline) == -1)
			return -1;
		p = eol + 1;
	}
	if (setline[THEME_ROLE_DEFAULT] == 0) {
		t.style[THEME_ROLE_DEFAULT].fg = THEME_COLOR_DEFAULT;
		t.style[THEME_ROLE_DEFAULT].bg = THEME_COLOR_DEFAULT;
		t.style[THEME_ROLE_DEFAULT].attrs = 0;
	}
	/* Roles left out take default's style, wherever default was set. */
	for (r = 0; r < THEME_NROLES; r++) {
		if (setline[r] == 0)
			t.style[r] = t.style[THEME_ROLE_DEFAULT];
	}
	*out = t;
	return 0;
}

/* See theme.h. */
int
theme_parse(const char *text, size_t len, struct theme *out, char *err,
    size_t errlen)
{
	return theme_parse_src(NULL, text, len, out, err, errlen);
}

/* See theme.h. */
int
theme_parse_file(const char *path, const char *text, size_t len,
    struct theme *out, char *err, size_t errlen)
{
	return theme_parse_src(path, text, len, out, err, errlen);
}

/* See theme.h. */
int
theme_colors_needed(const struct theme *t)
{
	int	 r, max = -1;

	for (r = 0; r < THEME_NROLES; r++) {
		if (t->style[r].fg > max)
			max = t->style[r].fg;
		if (t->style[r].bg > max)
			max = t->style[r].bg;
	}
	if (max < 0)
		return 0;
	if (max < 8)
		return 8;
	if (max < 16)
		return 16;
	return 256;
}

/* See theme.h. */
enum theme_fit
theme_fit(int needed, int colors, int no_color)
{
	if (no_color || colors < 8)
		return THEME_FIT_MONO;
	if (needed <= colors)
		return THEME_FIT_AS_IS;
	return THEME_FIT_DEFAULT;
}

/* See theme.h. */
int
theme_no_color(void)
{
	const char	*s = getenv("NO_COLOR");

	return s != NULL && *s != '\0';
}

/* See theme.h. */
void
theme_strip_colors(struct theme *t)
{
	int	 r;

	for (r = 0; r < THEME_NROLES; r++) {
		t->style[r].fg = THEME_COLOR_DEFAULT;
		t->style[r].bg = THEME_COLOR_DEFAULT;
	}
}
