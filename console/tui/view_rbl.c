/* view_rbl.c: the blocklists view: each address on each zone, last run. */
#include <string.h>

#include "theme_curses.h"
#include "ui.h"
#include "live/app_rbl.h"

/* Results of the last (or the running) check. */
static size_t
rbl_view_count(struct tui *t)
{
	return app_rbl_count(t->a);
}

/* Filter and search on address, zone and status. */
static int
rbl_view_match(struct tui *t, size_t i, const char *text)
{
	const struct rbl_result *r = app_rbl_result(t->a, i);

	return ui_contains(r->ip.text, text) || ui_contains(r->zone, text) ||
	    ui_contains(rbl_status_name(r->v.status), text);
}

/* The state of the checks, for column titles. */
static void
rbl_view_header(struct tui *t, int y, int w)
{
	const char	*st = app_rbl_status(t->a);

	ui_text(t, y, 1, w - 2, st, strlen(st),
	    theme_attr(THEME_ROLE_MUTED) | A_BOLD);
}

/* One address on one zone: listed in red with what it means. */
static void
rbl_view_row(struct tui *t, size_t i, int y, int w, int selected)
{
	const struct rbl_result	*r = app_rbl_result(t->a, i);
	attr_t			 at = selected ?
	    theme_attr(THEME_ROLE_SELECTED) : theme_attr(THEME_ROLE_DEFAULT);
	enum level		 l = r->v.status == RBL_LISTED ?
	    LEVEL_CRITICAL : r->v.status == RBL_CLEAN ? LEVEL_OK :
	    LEVEL_WATCH;
	const char		*what = r->v.status == RBL_LISTED ?
	    r->v.meaning : r->v.reason;
	int			 x;

	attrset(at);
	mvhline(y, 0, ' ', w);
	ui_text(t, y, 0, 2, ui_level_marker(l), 2,
	    ui_level_attr(l) | (selected ? A_REVERSE : 0));
	x = 3 + ui_textf(t, y, 3, 24, at, "%-23.23s ", r->ip.text);
	x += ui_textf(t, y, x, 27, at, "%-26.26s ", r->zone);
	x += ui_textf(t, y, x, 9, ui_level_attr(l), "%-8s ",
	    rbl_status_name(r->v.status));
	x += ui_text(t, y, x, w - x, what, strlen(what), at);
	if (r->v.status == RBL_LISTED && r->v.txt[0] != '\0' && x < w - 4)
		ui_textf(t, y, x, w - x, theme_attr(THEME_ROLE_MUTED),
		    " | %s", r->v.txt);
}

const struct view_ops view_rbl = {
	.title = "blocklists",
	.keymask = VIEW_RBL,
	.dirty = APP_DIRTY_RBL,
	.count = rbl_view_count,
	.match = rbl_view_match,
	.header = rbl_view_header,
	.row = rbl_view_row,
};
