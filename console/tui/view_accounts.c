/* view_accounts.c: accounts worst first, with a marker column and reason. */
#include <string.h>
#include <strings.h>

#include "theme_curses.h"
#include "ui.h"

/* Rows in the snapshot. */
static size_t
accounts_count(struct app *a)
{
	return a->nrows;
}

/*
 * Filter and search on the account, its top reason and its level; "@NAME"
 * matches the server.
 */
static int
accounts_match(struct app *a, size_t i, const char *text)
{
	const struct acct_row	*r = &a->rows[i];

	if (text[0] == '@')
		return strcasecmp(a->servers[r->server]->name, text + 1) == 0;
	return ui_contains(r->account, text) ||
	    strcasecmp(level_name(r->level), text) == 0 ||
	    (r->reason != NULL && ui_contains(r->reason, text));
}

/* Column titles; the sort column is marked. */
static void
accounts_header(struct app *a, int y, int w)
{
	static const char *const sorts[] = { "level", "msgs", "ips", "name" };

	ui_textf(a, y, 0, w, theme_attr(THEME_ROLE_MUTED) | A_BOLD,
	    "   %-9s %-24s%s %7s %6s %5s  WHY (by %s)", "LEVEL",
	    "ACCOUNT", a->nservers > 1 ? " SERVER    " : "", "MSG/MIN",
	    "MSGS", "IPS", sorts[a->sort]);
}

/* One account. */
static void
accounts_row(struct app *a, size_t i, int y, int w, int selected)
{
	const struct acct_row	*r = &a->rows[i];
	attr_t			 at = selected ?
	    theme_attr(THEME_ROLE_SELECTED) : theme_attr(THEME_ROLE_DEFAULT);
	attr_t			 lv = ui_level_attr(r->level);
	double			 rate;
	int			 x;

	attrset(at);
	mvhline(y, 0, ' ', w);
	ui_text(a, y, 0, 2, ui_level_marker(r->level), 2,
	    lv | (selected ? A_REVERSE : 0));
	x = 3;
	x += ui_textf(a, y, x, 10, lv | (selected ? A_REVERSE : 0), "%-9s ",
	    r->allowed ? "allowed" : level_name(r->level));
	x += ui_text(a, y, x, 24, r->account, strlen(r->account), at);
	x = 3 + 10 + 24;
	if (a->nservers > 1)
		x += ui_textf(a, y, x, 11, at, " %-10.10s",
		    a->servers[r->server]->name);
	rate = r->rate;
	x += ui_textf(a, y, x, 8, at, rate >= 10 ? "%7.0f " : "%7.1f ", rate);
	x += ui_textf(a, y, x, 7, at, "%6llu ",
	    (unsigned long long)r->messages);
	x += ui_textf(a, y, x, 8, at, "%s%4llu  ", r->exact ? " " :
	    "~", (unsigned long long)r->auth_ips);
	if (r->reason != NULL)
		ui_text(a, y, x, w - x, r->reason, strlen(r->reason), at);
}

/* Enter: the account's detail. */
static void
accounts_enter(struct app *a, size_t i)
{
	ui_open_detail(a, a->rows[i].server, a->rows[i].account);
}

const struct view_ops view_accounts = {
	.title = "accounts",
	.keymask = VIEW_ACCOUNTS,
	.count = accounts_count,
	.match = accounts_match,
	.header = accounts_header,
	.row = accounts_row,
	.enter = accounts_enter,
};
