/* view_log.c: the live log, newest at the bottom, sanitised, filterable. */
#include <string.h>
#include <strings.h>

#include "theme_curses.h"
#include "ui.h"

/* Lines in the ring. */
static size_t
log_count(struct app *a)
{
	return a->log.n;
}

/* Case-insensitive substring over the raw bytes of a line. */
static int
log_match(struct app *a, size_t i, const char *text)
{
	const struct logring_line	*l = logring_get(&a->log, i);

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

/* One line: server, then the raw text (sanitised by ui_text). */
static void
log_row(struct app *a, size_t i, int y, int w, int selected)
{
	const struct logring_line	*l = logring_get(&a->log, i);
	attr_t				 at = selected ?
	    theme_attr(THEME_ROLE_SELECTED) : log_attr(l);
	int				 x;

	attrset(at);
	mvhline(y, 0, ' ', w);
	x = ui_textf(a, y, 0, 11, selected ? at :
	    theme_attr(THEME_ROLE_MUTED), "%-10.10s ",
	    l->server < a->nservers ? a->servers[l->server]->name : "?");
	ui_text(a, y, x, w - x, l->text, l->len, at);
}

const struct view_ops view_log = {
	.title = "live log",
	.keymask = VIEW_LOG,
	.count = log_count,
	.match = log_match,
	.row = log_row,
};
