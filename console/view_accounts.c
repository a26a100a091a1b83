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
 * Filter and search on the account, its reasons and its level; "@NAME"
 * matches the server.
 */
static int
accounts_match(struct app *a, size_t i, const char *text)
{
	const struct acct_row	*r = &a->rows[i];
	int			 k;

	if (text[0] == '@')
		return strcasecmp(a->servers[r->server]->name, text + 1) == 0;
	if (ui_contains(r->r.account, text) ||
	    strcasecmp(level_name(r->r.level), text) == 0)
		return 1;
	for (k = 0; k < r->r.nreasons; k++)
		if (ui_contains(r->r.reasons[k], text))
			return 1;
	return 0;
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
	attr_t			 lv = ui_level_attr(r->r.level);
	double			 rate;
	int			 x;

	attrset(at);
	mvhline(y, 0, ' ', w);
	ui_text(a, y, 0, 2, ui_level_marker(r->r.level), 2,
	    lv | (selected ? A_REVERSE : 0));
	x = 3;
	x += ui_textf(a, y, x, 10, lv | (selected ? A_REVERSE : 0), "%-9s ",
	    r->r.allowed ? "allowed" : level_name(r->r.level));
	x += ui_text(a, y, x, 24, r->r.account, strlen(r->r.account), at);
	x = 3 + 10 + 24;
	if (a->nservers > 1)
		x += ui_textf(a, y, x, 11, at, " %-10.10s",
		    a->servers[r->server]->name);
	rate = r->r.rate_now;
	x += ui_textf(a, y, x, 8, at, rate >= 10 ? "%7.0f " : "%7.1f ", rate);
	x += ui_textf(a, y, x, 7, at, "%6llu ",
	    (unsigned long long)r->r.messages);
	x += ui_textf(a, y, x, 8, at, "%s%4llu  ", r->r.auth_ips_exact ? " " :
	    "~", (unsigned long long)r->r.auth_ips);
	if (r->r.nreasons > 0)
		ui_text(a, y, x, w - x, r->r.reasons[0],
		    strlen(r->r.reasons[0]), at);
}

/* Enter: the account's detail. */
static void
accounts_enter(struct app *a, size_t i)
{
	ui_open_detail(a, a->rows[i].server, a->rows[i].r.account);
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
