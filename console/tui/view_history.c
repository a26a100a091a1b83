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
history_count(struct app *a)
{
	histrows_build(a);
	return a->nhist;
}

/* Filter and search: an incident's account, reason and level; a gap's
   server, path and why, and the word "gap". */
static int
history_match(struct app *a, size_t i, const char *text)
{
	const struct incident	*n;
	const struct gap	*g;

	if (a->hist[i].gap) {
		g = &a->gaps[a->hist[i].index];
		return ui_contains(g->server, text) ||
		    ui_contains(g->path, text) || ui_contains(g->why, text) ||
		    strcasecmp("gap", text) == 0;
	}
	n = &a->incidents[a->hist[i].index];
	return ui_contains(n->account, text) ||
	    ui_contains(n->reason, text) ||
	    strcasecmp(level_name(n->peak), text) == 0;
}

/* Column titles. */
static void
history_header(struct app *a, int y, int w)
{
	ui_textf(a, y, 0, w, theme_attr(THEME_ROLE_MUTED) | A_BOLD,
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
history_row_begin(struct app *a, const char *marker, attr_t mattr,
    int64_t t, int y, int w, int selected)
{
	attr_t		 at = selected ? theme_attr(THEME_ROLE_SELECTED) :
	    theme_attr(THEME_ROLE_DEFAULT);
	char		 buf[32];
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	attrset(at);
	mvhline(y, 0, ' ', w);
	ui_text(a, y, 0, 2, marker, 2, mattr | (selected ? A_REVERSE : 0));
	if (gmtime_r(&tt, &tm) != NULL)
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	else
		snprintf(buf, sizeof(buf), "-");
	ui_textf(a, y, 3, 20, at, "%-19s ", buf);
	return at;
}

/* One incident. */
static void
history_incident_row(struct app *a, const struct incident *n, int y, int w,
    int selected)
{
	attr_t	 at;
	int	 x = HISTORY_KIND_X;

	at = history_row_begin(a, ui_level_marker(n->peak),
	    ui_level_attr(n->peak), n->opened, y, w, selected);
	x += ui_textf(a, y, x, 11, ui_level_attr(n->peak), "%-10s ",
	    level_name(n->peak));
	x += ui_text(a, y, x, 28, n->account, strlen(n->account), at);
	x = HISTORY_KIND_X + 11 + 29;
	x += ui_textf(a, y, x, 18, at, "%-10.10s %6llu  ",
	    n->server < a->nservers ? a->servers[n->server]->name : "-",
	    (unsigned long long)n->messages_before);
	ui_textf(a, y, x, w - x, at, "%s%s", n->earlier ? "(earlier) " : "",
	    n->reason);
}

/*
 * One gap: the kind "gap" where incidents show their peak (bold, so it
 * does not rest on colour), no account, and what was lost.  Server, path
 * and why may hold any bytes (an edited history file, a server's words):
 * ui_text escapes them like log text.
 */
static void
history_gap_row(struct app *a, const struct gap *g, int y, int w,
    int selected)
{
	attr_t	 at;
	int	 x = HISTORY_KIND_X;

	at = history_row_begin(a, "--", theme_attr(THEME_ROLE_WATCH), g->at,
	    y, w, selected);
	x += ui_textf(a, y, x, 11, theme_attr(THEME_ROLE_WATCH) | A_BOLD,
	    "%-10s ", "gap");
	ui_textf(a, y, x, 29, at, "%-28s ", "-");
	x = HISTORY_KIND_X + 11 + 29;
	ui_text(a, y, x, 10, g->server, strlen(g->server), at);
	x += 11;
	x += ui_textf(a, y, x, 9, at, "%6s  ", "-");
	ui_textf(a, y, x, w - x, at, "%slost lines in %s: %s",
	    g->earlier ? "(earlier) " : "", g->path, g->why);
}

/* Row i of the merged list. */
static void
history_row(struct app *a, size_t i, int y, int w, int selected)
{
	if (a->hist[i].gap)
		history_gap_row(a, &a->gaps[a->hist[i].index], y, w, selected);
	else
		history_incident_row(a, &a->incidents[a->hist[i].index], y, w,
		    selected);
}

/* Enter: the account's detail; a gap has no account, so its log. */
static void
history_enter(struct app *a, size_t i)
{
	const struct incident	*n;

	if (a->hist[i].gap) {
		app_note(a, 5, "a gap has no account: the log view (3) shows "
		    "where it fell");
		return;
	}
	n = &a->incidents[a->hist[i].index];
	ui_open_detail(a, n->server, n->account);
}

const struct view_ops view_history = {
	.title = "incidents",
	.keymask = VIEW_HISTORY,
	.count = history_count,
	.match = history_match,
	.header = history_header,
	.row = history_row,
	.enter = history_enter,
};
