/*
 * view_history.c: incidents and log gaps, earlier sessions' first, then
 * this one's, by time (histrows.h gives the order).
 */
#include <string.h>
#include <strings.h>

#include "theme_curses.h"
#include "ui.h"
#include "live/histrows.h"

/*
 * Rows known.  The frame calls this first on every draw, so the merged
 * order is rebuilt here: match, row and enter then read the same order the
 * frame filtered (the arrays only grow, so an index stays valid until the
 * next draw).
 */
static size_t
history_count(struct tui *t)
{
	histrows_build(t->a);
	return t->a->nhist;
}

/* Filter and search: an incident's account, reason and level; a gap's
   server, path and why, and the word "gap". */
static int
history_match(struct tui *t, size_t i, const char *text)
{
	const struct incident	*n;
	const struct gap	*g;

	if (t->a->hist[i].gap) {
		g = &t->a->gaps[t->a->hist[i].index];
		return ui_contains(g->server, text) ||
		    ui_contains(g->path, text) || ui_contains(g->why, text) ||
		    strcasecmp("gap", text) == 0;
	}
	n = &t->a->incidents[t->a->hist[i].index];
	return ui_contains(n->account, text) ||
	    ui_contains(n->reason, text) ||
	    strcasecmp(level_name(n->peak), text) == 0;
}

/* Column titles. */
static void
history_header(struct tui *t, int y, int w)
{
	ui_textf(t, y, 0, w, theme_attr(THEME_ROLE_MUTED) | A_BOLD,
	    "   %-19s %-10s %-28s %-10s %6s  WHY", "OPENED (UTC)", "PEAK",
	    "ACCOUNT", "SERVER", "BEFORE");
}

/*
 * The start of every row: blanked, its marker, its time ("2026-11-18
 * 03:17:40" UTC, or "-").  Returns the row's attribute; the kind column
 * starts at HISTORY_KIND_X.
 */
#define HISTORY_KIND_X	(3 + 20)
static attr_t
history_row_begin(struct tui *t, const char *marker, attr_t mattr,
    int64_t when, int y, int w, int selected)
{
	attr_t		 at = selected ? theme_attr(THEME_ROLE_SELECTED) :
	    theme_attr(THEME_ROLE_DEFAULT);
	char		 buf[32];

	attrset(at);
	mvhline(y, 0, ' ', w);
	ui_text(t, y, 0, 2, marker, 2, mattr | (selected ? A_REVERSE : 0));
	ui_textf(t, y, 3, 20, at, "%-19s ", ui_datetime(when, buf,
	    sizeof(buf)));
	return at;
}

/* One incident. */
static void
history_incident_row(struct tui *t, const struct incident *n, int y, int w,
    int selected)
{
	attr_t	 at;
	int	 x = HISTORY_KIND_X;

	at = history_row_begin(t, ui_level_marker(n->peak),
	    ui_level_attr(n->peak), n->opened, y, w, selected);
	x += ui_textf(t, y, x, 11, ui_level_attr(n->peak), "%-10s ",
	    level_name(n->peak));
	x += ui_text(t, y, x, 28, n->account, strlen(n->account), at);
	x = HISTORY_KIND_X + 11 + 29;
	x += ui_textf(t, y, x, 18, at, "%-10.10s %6llu  ",
	    n->server < t->a->nservers ? t->a->servers[n->server]->name : "-",
	    (unsigned long long)n->messages_before);
	ui_textf(t, y, x, w - x, at, "%s%s", n->earlier ? "(earlier) " : "",
	    n->reason);
}

/*
 * One gap: the kind "gap" where incidents show their peak (bold, so it
 * does not rest on colour), no account, and what was lost.  Server, path
 * and why may hold any bytes (an edited history file, a server's words):
 * ui_text escapes them like log text.
 */
static void
history_gap_row(struct tui *t, const struct gap *g, int y, int w,
    int selected)
{
	attr_t	 at;
	int	 x = HISTORY_KIND_X;

	at = history_row_begin(t, "--", theme_attr(THEME_ROLE_WATCH), g->at,
	    y, w, selected);
	x += ui_textf(t, y, x, 11, theme_attr(THEME_ROLE_WATCH) | A_BOLD,
	    "%-10s ", "gap");
	ui_textf(t, y, x, 29, at, "%-28s ", "-");
	x = HISTORY_KIND_X + 11 + 29;
	ui_text(t, y, x, 10, g->server, strlen(g->server), at);
	x += 11;
	x += ui_textf(t, y, x, 9, at, "%6s  ", "-");
	ui_textf(t, y, x, w - x, at, "%slost lines in %s: %s",
	    g->earlier ? "(earlier) " : "", g->path, g->why);
}

/* Row i of the merged list. */
static void
history_row(struct tui *t, size_t i, int y, int w, int selected)
{
	const struct hist_row	*h = &t->a->hist[i];

	if (h->gap)
		history_gap_row(t, &t->a->gaps[h->index], y, w, selected);
	else
		history_incident_row(t, &t->a->incidents[h->index], y, w,
		    selected);
}

/* The incident's server, for the help's action keys. */
static long
history_server(struct tui *t)
{
	const struct list	*l = &t->list[TV_HISTORY];
	const struct hist_row	*h;

	if (t->view != TV_HISTORY || l->sel >= t->nvis)
		return -1;
	h = &t->a->hist[ui_vis(t, l->sel)];
	return h->gap ? -1 : (long)t->a->incidents[h->index].server;
}

/* Enter: the account's detail; a gap has no account, so its log. */
static void
history_enter(struct tui *t, size_t i)
{
	const struct incident	*n;

	if (t->a->hist[i].gap) {
		app_note(t->a, 5, "a gap has no account: the log view (3) "
		    "shows where it fell");
		return;
	}
	n = &t->a->incidents[t->a->hist[i].index];
	ui_open_detail(t, n->server, n->account);
}

const struct view_ops view_history = {
	.title = "incidents",
	.keymask = VIEW_HISTORY,
	.count = history_count,
	.match = history_match,
	.header = history_header,
	.row = history_row,
	.enter = history_enter,
	.server = history_server,
};
