/*
 * draw.c: drawing helpers the views share: sanitised text, markers,
 * sparklines, times and rates, wrapping, and pages (documents scrolled as
 * a whole).
 */
#include <ctype.h>
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "theme_curses.h"
#include "ui.h"
#include "core/sanitize.h"
#include "core/utctime.h"

/* Bytes of sanitised text drawn at most (a 1,024-byte log line escaped). */
#define DRAW_MAX	8192

/* See ui.h. */
int
ui_put(struct tui *t, int y, int x, int w, const char *s, size_t n,
    attr_t attr)
{
	int	 cols;

	if (w <= 0 || y < 0 || y >= t->lines || x >= t->cols)
		return 0;
	n = text_fit(s, n, w, &cols);
	attrset(attr);
	mvaddnstr(y, x, s, (int)n);
	return cols;
}

/* See ui.h. */
int
ui_text(struct tui *t, int y, int x, int w, const char *p, size_t len,
    attr_t attr)
{
	char	 buf[DRAW_MAX];
	size_t	 n;

	if (w <= 0 || y < 0 || y >= t->lines)
		return 0;
	/* without UTF-8 in the locale, non-ASCII comes escaped (sanitize.h) */
	n = sanitize_text(buf, sizeof(buf), p, len);
	return ui_put(t, y, x, w, buf, n, attr);
}

/* See ui.h. */
int
ui_textf(struct tui *t, int y, int x, int w, attr_t attr, const char *fmt,
    ...)
{
	char	 buf[1024];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	return ui_text(t, y, x, w, buf, strnlen(buf, sizeof(buf)), attr);
}

/* See ui.h. */
int
ui_text_from(struct tui *t, int y, int x, int w, const char *p, size_t len,
    int skip, attr_t attr)
{
	char	 buf[DRAW_MAX];
	size_t	 n, off;
	int	 cols;

	if (w <= 0 || y < 0 || y >= t->lines)
		return 0;
	n = sanitize_text(buf, sizeof(buf), p, len);
	off = skip > 0 ? text_fit(buf, n, skip, &cols) : 0;
	return ui_put(t, y, x, w, buf + off, n - off, attr);
}

/* See ui.h. */
int
ui_contains_len(const char *hay, size_t len, const char *needle)
{
	size_t		 n = strlen(needle);
	const char	*p, *end;
	int		 lo, up;

	if (n == 0)
		return 1;
	if (n > len)
		return 0;
	/*
	 * Only where the first byte matches is the rest compared: a filter
	 * runs over every line of the log view at every frame, and calling
	 * strncasecmp() at each byte was most of a busy console's time.
	 */
	lo = tolower((unsigned char)needle[0]);
	up = toupper(lo);
	end = hay + (len - n) + 1;
	for (p = hay; p < end; p++)
		if (((unsigned char)*p == lo || (unsigned char)*p == up) &&
		    strncasecmp(p + 1, needle + 1, n - 1) == 0)
			return 1;
	return 0;
}

/* See ui.h. */
int
ui_contains(const char *hay, const char *needle)
{
	return ui_contains_len(hay, strlen(hay), needle);
}

/* See ui.h. */
attr_t
ui_level_attr(enum level l)
{
	switch (l) {
	case LEVEL_CRITICAL:
		return theme_attr(THEME_ROLE_CRITICAL);
	case LEVEL_SUSPICIOUS:
		return theme_attr(THEME_ROLE_SUSPICIOUS);
	case LEVEL_WATCH:
		return theme_attr(THEME_ROLE_WATCH);
	default:
		return theme_attr(THEME_ROLE_OK);
	}
}

/* See ui.h. */
const char *
ui_level_marker(enum level l)
{
	static const char *const m[] = { "  ", "~ ", "! ", "!!" };

	return m[l <= LEVEL_CRITICAL ? l : 0];
}

/* See ui.h.  Eight levels of block when UTF-8, else digits 0-9. */
void
ui_sparkline(struct tui *t, int y, int x, int w, const uint32_t *v, int n)
{
	static const char *const blocks[] = { " ", "\u2581", "\u2582",
	    "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	uint32_t	 max = 0;
	int		 i, k, start = n > w ? n - w : 0;

	if (y < 0 || y >= t->lines)
		return;
	for (i = start; i < n; i++)
		if (v[i] > max)
			max = v[i];
	attrset(theme_attr(THEME_ROLE_GRAPH));
	for (i = start; i < n && x + i - start < t->cols; i++) {
		k = max == 0 ? 0 : (int)(((uint64_t)v[i] * 8 + max - 1) / max);
		if (v[i] > 0 && k == 0)
			k = 1;
		if (t->utf8)
			mvaddstr(y, x + i - start, blocks[k]);
		else
			mvaddch(y, x + i - start, k == 0 ? ' ' : '0' + k);
	}
}

/* See ui.h. */
const char *
ui_clock(int64_t t, char *buf, size_t size)
{
	return utc_format(t, UTC_CLOCK, buf, size);
}

/* See ui.h. */
const char *
ui_datetime(int64_t t, char *buf, size_t size)
{
	return utc_format(t, UTC_DATETIME, buf, size);
}

/* See ui.h.  Whole numbers from 10, one decimal below, two below 0.1. */
const char *
ui_rate(double r, char *buf, size_t size)
{
	if (r <= 0)
		snprintf(buf, size, "0");
	else if (r >= 10 || r == (double)(long)r)
		snprintf(buf, size, "%.0f", r);
	else if (r >= 0.1)
		snprintf(buf, size, "%.1f", r);
	else
		snprintf(buf, size, "%.2f", r);
	return buf;
}

/* See ui.h. */
size_t
ui_wrap(const char *p, int w, const char **next)
{
	const char	*nl = strchr(p, '\n');
	size_t		 len = nl != NULL ? (size_t)(nl - p) : strlen(p), fit;
	size_t		 cut;
	int		 cols;

	if (w < 1)
		w = 1;
	fit = text_fit(p, len, w, &cols);
	if (fit >= len) {
		*next = nl != NULL ? nl + 1 : p + len;
		return len;
	}
	/* at the last blank in the second half, else where it must */
	for (cut = fit; cut > fit / 2 && p[cut] != ' '; cut--)
		;
	if (p[cut] != ' ')
		cut = fit > 0 ? fit : 1;
	*next = p + cut + (p[cut] == ' ');
	return cut;
}

/* See ui.h.  The view's list keeps the scroll: sel is the first line. */
void
page_begin(struct page *p, struct tui *t, int top, int h)
{
	p->t = t;
	p->y0 = top;
	p->h = h;
	p->row = 0;
	p->top = (int)t->list[t->view].sel;
}

/* See ui.h. */
int
page_next(struct page *p)
{
	int	 r = p->row++;

	if (r < p->top || r >= p->top + p->h)
		return -1;
	return p->y0 + r - p->top;
}

/*
 * See ui.h.  One position per first line that still fills the area, so
 * G shows the last page and PgDn moves a page less a line.
 */
void
page_end(struct page *p)
{
	struct list	*l = &p->t->list[p->t->view];
	int		 last = p->row - p->h;

	if (last < 0)
		last = 0;
	l->nrows = (size_t)last + 1;
	l->height = p->h;
	if (l->sel > (size_t)last)
		l->sel = (size_t)last;
	l->top = l->sel;
}

/* See ui.h. */
void
page_printf(struct page *p, int x, attr_t attr, const char *fmt, ...)
{
	char		 raw[2048], buf[DRAW_MAX];
	const char	*q, *next;
	va_list		 ap;
	size_t		 n;
	int		 y;

	va_start(ap, fmt);
	n = (size_t)vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n >= sizeof(raw))
		n = sizeof(raw) - 1;
	n = sanitize_text(buf, sizeof(buf), raw, n);
	buf[n] = '\0';
	q = buf;
	do {
		n = ui_wrap(q, p->t->cols - x - 1, &next);
		if ((y = page_next(p)) >= 0)
			ui_put(p->t, y, x, p->t->cols - x - 1, q, n, attr);
		q = next;
	} while (*q != '\0');
}

/* See ui.h. */
int
ui_pane_height(int h)
{
	int	 pane = h / 4;

	if (pane < UI_PANE_MIN)
		pane = UI_PANE_MIN;
	if (pane > UI_PANE_MAX)
		pane = UI_PANE_MAX;
	return pane;
}

/* See ui.h. */
void
ui_pane(struct tui *t, int y, int h, const char *title, const char *text,
    size_t len, attr_t attr)
{
	static char	 buf[DRAW_MAX];
	const char	*p, *next;
	size_t		 n;
	int		 k;

	attrset(theme_attr(THEME_ROLE_HEADER));
	mvhline(y, 0, ' ', t->cols);
	ui_text(t, y, 0, t->cols, title, strlen(title),
	    theme_attr(THEME_ROLE_HEADER));
	if (text == NULL)
		return;
	n = sanitize_text(buf, sizeof(buf), text, len);
	buf[n] = '\0';
	for (p = buf, k = 1; k < h && *p != '\0'; k++, p = next) {
		n = ui_wrap(p, t->cols - 2, &next);
		ui_put(t, y + k, 1, t->cols - 2, p, n, attr);
	}
}
