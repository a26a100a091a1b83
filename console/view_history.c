/* view_history.c: incidents, earlier sessions' first, then this one's. */
#include <string.h>
#include <strings.h>

#include "theme_curses.h"
#include "ui.h"

/* Incidents known. */
static size_t
history_count(struct app *a)
{
	return a->nincidents;
}

/* Filter and search on account and reason. */
static int
history_match(struct app *a, size_t i, const char *text)
{
	const struct incident *n = &a->incidents[i];

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

/* One incident. */
static void
history_row(struct app *a, size_t i, int y, int w, int selected)
{
	const struct incident	*n = &a->incidents[i];
	attr_t			 at = selected ?
	    theme_attr(THEME_ROLE_SELECTED) : theme_attr(THEME_ROLE_DEFAULT);
	char			 t[32];
	struct tm		 tm;
	time_t			 tt = (time_t)n->opened;
	int			 x;

	attrset(at);
	mvhline(y, 0, ' ', w);
	ui_text(a, y, 0, 2, ui_level_marker(n->peak), 2,
	    ui_level_attr(n->peak) | (selected ? A_REVERSE : 0));
	if (gmtime_r(&tt, &tm) != NULL)
		strftime(t, sizeof(t), "%Y-%m-%d %H:%M:%S", &tm);
	else
		snprintf(t, sizeof(t), "-");
	x = 3 + ui_textf(a, y, 3, 20, at, "%-19s ", t);
	x += ui_textf(a, y, x, 11, ui_level_attr(n->peak), "%-10s ",
	    level_name(n->peak));
	x += ui_text(a, y, x, 28, n->account, strlen(n->account), at);
	x = 3 + 20 + 11 + 29;
	x += ui_textf(a, y, x, 18, at, "%-10.10s %6llu  ",
	    n->server < a->nservers ? a->servers[n->server]->name : "-",
	    (unsigned long long)n->messages_before);
	ui_textf(a, y, x, w - x, at, "%s%s", n->earlier ? "(earlier) " : "",
	    n->reason);
}

/* Enter: the account's detail. */
static void
history_enter(struct app *a, size_t i)
{
	ui_open_detail(a, a->incidents[i].server, a->incidents[i].account);
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
