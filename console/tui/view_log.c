/*
 * view_log.c: the live log, newest at the bottom, sanitised, filterable,
 * scrolled sideways with Left and Right; below it a pane with the
 * selected line whole, wrapped, so that sasl_username= and the client
 * address can be read at 80 columns.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "theme_curses.h"
#include "ui.h"

#define LOG_SERVER_W	11	/* "%-10.10s " */

/* Lines in the ring. */
static size_t
log_count(struct tui *t)
{
	return t->a->log.n;
}

/* Case-insensitive substring over the raw bytes of a line. */
static int
log_match(struct tui *t, size_t i, const char *text)
{
	const struct logring_line	*l = logring_get(&t->a->log, i);

	return ui_contains_len(l->text, l->len, text);
}

/* The colour of a line by its event. */
static attr_t
log_attr(const struct logring_line *l)
{
	switch (l->kind) {
	case EV_AUTH_FAIL:
	case EV_REJECTED:
	case EV_BOUNCED:
		return theme_attr(THEME_ROLE_WATCH);
	case EV_NONE:
		return theme_attr(THEME_ROLE_MUTED);
	default:
		return theme_attr(THEME_ROLE_DEFAULT);
	}
}

/* The server's name of a line. */
static const char *
log_server(struct tui *t, const struct logring_line *l)
{
	return l->server < t->a->nservers ? t->a->servers[l->server]->name :
	    "?";
}

/* Column titles, and how far the lines are scrolled. */
static void
log_header(struct tui *t, int y, int w)
{
	attr_t	 at = theme_attr(THEME_ROLE_MUTED) | A_BOLD;

	attrset(at);
	mvhline(y, 0, ' ', w);
	ui_textf(t, y, 0, w, at, "%-10s %s", "SERVER", "LINE");
	if (t->hscroll > 0)
		ui_textf(t, y, LOG_SERVER_W + 5, w - LOG_SERVER_W - 5, at,
		    "(from column %d; Left scrolls back)", t->hscroll + 1);
	else
		ui_textf(t, y, LOG_SERVER_W + 5, w - LOG_SERVER_W - 5, at,
		    "(Left/Right scroll; the pane below has the whole line)");
}

/* One line: server, then the raw text (sanitised), from the scroll. */
static void
log_row(struct tui *t, size_t i, int y, int w, int selected)
{
	const struct logring_line	*l = logring_get(&t->a->log, i);
	attr_t				 at = selected ?
	    theme_attr(THEME_ROLE_SELECTED) : log_attr(l);
	int				 x;

	attrset(at);
	mvhline(y, 0, ' ', w);
	x = ui_textf(t, y, 0, LOG_SERVER_W, selected ? at :
	    theme_attr(THEME_ROLE_MUTED), "%-10.10s ", log_server(t, l));
	ui_text_from(t, y, x, w - x, l->text, l->len, t->hscroll, at);
}

/* The list above; below, the selected line whole, wrapped. */
static void
log_draw(struct tui *t, int top, int h, int w)
{
	const struct list		*ls = &t->list[TV_LOG];
	const struct logring_line	*l;
	int				 pane = ui_pane_height(h);
	char				 title[256], when[16];

	ui_draw_list(t, top, h - pane);
	if (t->nvis == 0 || ls->sel >= t->nvis) {
		ui_pane(t, top + h - pane, pane, " the selected line, whole: "
		    "none", NULL, 0, 0);
		return;
	}
	l = logring_get(&t->a->log, ui_vis(t, ls->sel));
	snprintf(title, sizeof(title), " line %zu of %zu, from %s, read at "
	    "%s UTC%s", ls->sel + 1, t->nvis, log_server(t, l),
	    ui_clock(l->time, when, sizeof(when)), l->len >=
	    LOGRING_LINE_MAX ? " (cut: longer lines are kept in part)" : "");
	ui_pane(t, top + h - pane, pane, title, l->text, l->len, log_attr(l));
}

const struct view_ops view_log = {
	.title = "live log",
	.keymask = VIEW_LOG,
	.dirty = APP_DIRTY_SERVERS,
	.count = log_count,
	.match = log_match,
	.header = log_header,
	.row = log_row,
	.draw = log_draw,
};
