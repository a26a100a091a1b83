/*
 * view_accounts.c: accounts worst first (or by any column), with a marker
 * column and the strongest reason.  The columns follow the width: at 80,
 * level, account, messages in the last minute, messages, addresses and
 * why in few words; wider, the 10-minute average, recipients, queued
 * mail and its share of the queue, the server, when it was flagged and
 * first seen.  In a mixed fleet (Postfix and Exim servers) every row
 * names its server's MTA at any width.  The sorted column is marked (an arrow that points the way
 * it runs); < and > move the sort along the columns shown, I inverts it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "theme_curses.h"
#include "ui.h"
#include "why.h"
#include "live/app_act.h"

/* The optional columns, in the order they are added as width allows. */
enum {
	AC_SERVER = 0,		/* with several servers */
	AC_AVG,
	AC_RCPTS,
	AC_QUEUED,		/* and its share */
	AC_FLAGGED,
	AC_FIRST,
	AC_COUNT
};

#define AC_MARK_W	3	/* "!! " */
#define AC_LEVEL_W	10	/* "suspicious " */
#define AC_ACCOUNT_W	24	/* at 80 columns; wider screens give more */
#define AC_ACCOUNT_MAX	40
#define AC_WHY_MIN	20	/* at 80 */
#define AC_WHY_WIDE	36	/* kept before an optional column is added */
#define AC_MTA_W	8	/* "postfix ", in a mixed fleet */
#define AC_ACCOUNT_GIVE	4	/* what the account gives the MTA at 80 */

static const int ac_width[AC_COUNT] = {
	[AC_SERVER] = 11, [AC_AVG] = 8, [AC_RCPTS] = 8, [AC_QUEUED] = 13,
	[AC_FLAGGED] = 12, [AC_FIRST] = 12
};

/* Which columns show at width w, and where. */
struct ac_layout {
	int		 show[AC_COUNT];
	int		 mta;		/* the MTA column, after IPS */
	int		 account_w;
	int		 why_x;
};

/* Lay the columns out for w columns (and the number of servers). */
static void
ac_layout(const struct tui *t, int w, struct ac_layout *l)
{
	int	 used, k, extra;

	memset(l, 0, sizeof(*l));
	/* marker, level, account, MSG/MIN, MSGS, IPS, a blank */
	used = AC_MARK_W + AC_LEVEL_W + AC_ACCOUNT_W + 8 + 7 + 6 + 1;
	if ((l->mta = ui_fleet_mixed(t)))
		used += AC_MTA_W;
	for (k = 0; k < AC_COUNT; k++) {
		if (k == AC_SERVER && t->a->nservers < 2)
			continue;
		/* a fleet through a log host: the same login on two servers
		   is two accounts, so every row names its server */
		if (w - used - ac_width[k] >= AC_WHY_WIDE ||
		    (k == AC_SERVER && t->a->fleet != NULL)) {
			l->show[k] = 1;
			used += ac_width[k];
		}
	}
	l->account_w = AC_ACCOUNT_W;
	extra = w - used - 2 * AC_WHY_WIDE;
	if (extra > 0) {
		l->account_w += extra / 2;
		if (l->account_w > AC_ACCOUNT_MAX)
			l->account_w = AC_ACCOUNT_MAX;
	}
	/* the MTA's room at 80 comes from the account and the reason */
	if (w - used < AC_WHY_MIN) {
		k = AC_WHY_MIN - (w - used);
		l->account_w -= k < AC_ACCOUNT_GIVE ? k : AC_ACCOUNT_GIVE;
	}
	l->why_x = used + l->account_w - AC_ACCOUNT_W;
}

/* The sort of each column left to right, for < and > (-1: none). */
static int
ac_sorts(const struct tui *t, int w, enum acct_sort *out)
{
	struct ac_layout	 l;
	int			 n = 0;

	ac_layout(t, w, &l);
	out[n++] = SORT_LEVEL;
	out[n++] = SORT_ACCOUNT;
	out[n++] = SORT_RATE;
	out[n++] = SORT_MESSAGES;
	if (l.show[AC_AVG])
		out[n++] = SORT_AVERAGE;
	out[n++] = SORT_IPS;
	if (l.show[AC_RCPTS])
		out[n++] = SORT_RECIPIENTS;
	if (l.show[AC_QUEUED])
		out[n++] = SORT_QUEUED;
	if (l.show[AC_SERVER])
		out[n++] = SORT_SERVER;
	if (l.show[AC_FLAGGED])
		out[n++] = SORT_FLAGGED;
	if (l.show[AC_FIRST])
		out[n++] = SORT_FIRST_SEEN;
	return n;
}

/* See ui.h. */
void
accounts_sort_step(struct tui *t, int dir)
{
	enum acct_sort	 s[SORT_COUNT];
	int		 n = ac_sorts(t, t->cols, s), i;

	for (i = 0; i < n && s[i] != t->a->sort; i++)
		;
	if (i == n)	/* a column this width does not show: the first */
		i = dir > 0 ? -1 : 0;
	i = (i + dir + n) % n;
	t->a->sort = s[i];
	t->a->sort_reverse = 0;
}

/* Rows in the snapshot. */
static size_t
accounts_count(struct tui *t)
{
	return t->a->nrows;
}

/*
 * Filter and search on the account, its top reason, its level and its
 * server's MTA (by its name); "@NAME" matches the server.
 */
static int
accounts_match(struct tui *t, size_t i, const char *text)
{
	const struct acct_row	*r = &t->a->rows[i];
	const struct server	*s = t->a->servers[r->server];

	if (text[0] == '@')
		return strcasecmp(s->name, text + 1) == 0;
	return ui_contains(r->account, text) ||
	    strcasecmp(level_name(r->level), text) == 0 ||
	    strcasecmp(server_mta(s->cfg)->name, text) == 0 ||
	    (r->reason != NULL && ui_contains(r->reason, text));
}

/* A column title, the sorted one marked with the way it runs. */
static void
ac_title(struct tui *t, int y, int x, int w, const char *title,
    enum acct_sort sort, int right)
{
	attr_t		 at = theme_attr(THEME_ROLE_MUTED) | A_BOLD;
	const char	*arrow = "";
	int		 pad = 0, cols;

	if (sort == t->a->sort) {
		/* the natural order (most, worst, latest, a to z) runs down */
		arrow = !t->a->sort_reverse ? (t->utf8 ? "\u25bc" : "v") :
		    (t->utf8 ? "\u25b2" : "^");
		at = theme_attr(THEME_ROLE_KEY_HINT) | A_BOLD;
	}
	cols = (int)strlen(title) + (*arrow != '\0');
	if (right && w - 1 > cols)
		pad = w - 1 - cols;
	ui_textf(t, y, x + pad, w - pad, at, "%s%s", title, arrow);
}

/* The sort's name, for a column this width does not show. */
static const char *
ac_sort_name(enum acct_sort s)
{
	static const char *const names[SORT_COUNT] = {
		"level", "account", "msgs/min", "msgs", "IPs", "recipients",
		"queued", "server", "flagged", "first seen", "average"
	};

	return s < SORT_COUNT ? names[s] : "level";
}

/* Column titles; the sort column is marked. */
static void
accounts_header(struct tui *t, int y, int w)
{
	struct ac_layout	 l;
	enum acct_sort		 s[SORT_COUNT];
	int			 x, n, i, shown = 0;

	ac_layout(t, w, &l);
	attrset(theme_attr(THEME_ROLE_MUTED) | A_BOLD);
	mvhline(y, 0, ' ', w);
	x = AC_MARK_W;
	ac_title(t, y, x, AC_LEVEL_W, "LEVEL", SORT_LEVEL, 0);
	x += AC_LEVEL_W;
	ac_title(t, y, x, l.account_w, "ACCOUNT", SORT_ACCOUNT, 0);
	x += l.account_w;
	ac_title(t, y, x, 8, "MSG/MIN", SORT_RATE, 1);
	x += 8;
	ac_title(t, y, x, 7, "MSGS", SORT_MESSAGES, 1);
	x += 7;
	if (l.show[AC_AVG]) {
		ac_title(t, y, x, 8, "AVG10M", SORT_AVERAGE, 1);
		x += 8;
	}
	ac_title(t, y, x, 6, "IPS", SORT_IPS, 1);
	x += 6;
	if (l.mta) {
		ac_title(t, y, x, AC_MTA_W, "MTA", SORT_COUNT, 0);
		x += AC_MTA_W;
	}
	if (l.show[AC_RCPTS]) {
		ac_title(t, y, x, 8, "RCPTS", SORT_RECIPIENTS, 1);
		x += 8;
	}
	if (l.show[AC_QUEUED]) {
		ac_title(t, y, x, 7, "QUEUED", SORT_QUEUED, 1);
		ac_title(t, y, x + 7, 6, "SHARE", SORT_COUNT, 1);
		x += 13;
	}
	if (l.show[AC_SERVER]) {
		ac_title(t, y, x + 1, 10, "SERVER", SORT_SERVER, 0);
		x += 11;
	}
	if (l.show[AC_FLAGGED]) {
		ac_title(t, y, x, 12, "FLAGGED", SORT_FLAGGED, 1);
		x += 12;
	}
	if (l.show[AC_FIRST]) {
		ac_title(t, y, x, 12, "FIRST SEEN", SORT_FIRST_SEEN, 1);
		x += 12;
	}
	n = ac_sorts(t, w, s);
	for (i = 0; i < n; i++)
		if (s[i] == t->a->sort)
			shown = 1;
	x = l.why_x;
	if (shown)
		ui_textf(t, y, x, w - x, theme_attr(THEME_ROLE_MUTED) | A_BOLD,
		    "WHY");
	else
		ui_textf(t, y, x, w - x, theme_attr(THEME_ROLE_MUTED) | A_BOLD,
		    "WHY (sorted by %s%s)", ac_sort_name(t->a->sort),
		    t->a->sort_reverse ? ", inverted" : "");
}

/* A log time for a column: "03:17:40" today (UTC), else "11-27 23:58". */
static const char *
ac_when(uint32_t at, char *buf, size_t size)
{
	struct tm	 tm, now_tm;
	time_t		 tt = (time_t)at, now = time(NULL);

	if (at == 0 || gmtime_r(&tt, &tm) == NULL ||
	    gmtime_r(&now, &now_tm) == NULL)
		return "-";
	if (tm.tm_year == now_tm.tm_year && tm.tm_yday == now_tm.tm_yday)
		strftime(buf, size, "%H:%M:%S", &tm);
	else
		strftime(buf, size, "%m-%d %H:%M", &tm);
	return buf;
}

/* The optional columns of a row from x; returns where WHY starts. */
static void
accounts_row_wide(struct tui *t, const struct ac_layout *l,
    const struct acct_row *r, int y, int x, attr_t at)
{
	struct detect_totals	 tot;
	char			 buf[32];

	if (l->show[AC_RCPTS]) {
		ui_textf(t, y, x, 8, at, "%7llu ",
		    (unsigned long long)r->recipients);
		x += 8;
	}
	if (l->show[AC_QUEUED]) {
		detector_totals(t->a->servers[r->server]->det, &tot);
		if (tot.queued_now > 0 && r->queued > 0)
			snprintf(buf, sizeof(buf), "%.0f%%", 100.0 *
			    r->queued / (double)tot.queued_now);
		else
			snprintf(buf, sizeof(buf), "-");
		ui_textf(t, y, x, 13, at, "%6u %5s ", r->queued, buf);
		x += 13;
	}
	if (l->show[AC_SERVER]) {
		ui_textf(t, y, x, 11, at, " %-10.10s",
		    t->a->servers[r->server]->name);
		x += 11;
	}
	if (l->show[AC_FLAGGED]) {
		ui_textf(t, y, x, 12, at, "%11s ",
		    ac_when(r->flagged_at, buf, sizeof(buf)));
		x += 12;
	}
	if (l->show[AC_FIRST])
		ui_textf(t, y, x, 12, at, "%11s ",
		    ac_when(r->first_seen, buf, sizeof(buf)));
}

/* One account. */
static void
accounts_row(struct tui *t, size_t i, int y, int w, int selected)
{
	const struct acct_row	*r = &t->a->rows[i];
	const struct server	*srv = t->a->servers[r->server];
	attr_t			 at = selected ?
	    theme_attr(THEME_ROLE_SELECTED) : theme_attr(THEME_ROLE_DEFAULT);
	attr_t			 lv = ui_level_attr(r->level);
	struct ac_layout	 l;
	char			 rate[16], why[256];
	int			 x, susp;

	ac_layout(t, w, &l);
	attrset(at);
	mvhline(y, 0, ' ', w);
	ui_text(t, y, 0, 2, ui_level_marker(r->level), 2,
	    lv | (selected ? A_REVERSE : 0));
	x = AC_MARK_W;
	ui_textf(t, y, x, AC_LEVEL_W, lv | (selected ? A_REVERSE : 0),
	    "%-9s ", r->allowed ? "allowed" : level_name(r->level));
	x += AC_LEVEL_W;
	ui_text(t, y, x, l.account_w - 1, r->account, strlen(r->account), at);
	x += l.account_w;
	x += ui_textf(t, y, x, 8, at, "%7s ",
	    ui_rate(r->rate_1m, rate, sizeof(rate)));
	x += ui_textf(t, y, x, 7, at, "%6llu ",
	    (unsigned long long)r->messages);
	if (l.show[AC_AVG])
		x += ui_textf(t, y, x, 8, at, "%7s ",
		    ui_rate(r->rate, rate, sizeof(rate)));
	x += ui_textf(t, y, x, 6, at, "%s%4u ", r->exact ? " " : "~",
	    r->auth_ips);
	if (l.mta)
		x += ui_textf(t, y, x, AC_MTA_W, at, "%-*.*s ", AC_MTA_W - 1,
		    AC_MTA_W - 1, server_mta(srv->cfg)->name);
	accounts_row_wide(t, &l, r, y, x, at);
	/* what was done comes before why: the admin's next look */
	susp = app_act_suspended(t->a, r->server, r->account);
	if (susp)
		ui_textf(t, y, l.why_x, w - l.why_x, at | A_BOLD, "%s",
		    "SUSPENDED");
	if (r->reason != NULL)
		ui_textf(t, y, l.why_x + (susp ? 10 : 0), w - l.why_x -
		    (susp ? 10 : 0), at, "%s%s",
		    why_short(r->reason, why, sizeof(why)), r->nreasons > 1 ?
		    (w - l.why_x > 40 ? " (and more)" : " +") : "");
}

/* Enter: the account's detail. */
static void
accounts_enter(struct tui *t, size_t i)
{
	ui_open_detail(t, t->a->rows[i].server, t->a->rows[i].account);
}

/* The selected account's server, for the action keys. */
static long
accounts_server(struct tui *t)
{
	const struct acct_row	*r = ui_selected_row(t);

	return r != NULL ? (long)r->server : -1;
}

const struct view_ops view_accounts = {
	.title = "accounts",
	.keymask = VIEW_ACCOUNTS,
	.count = accounts_count,
	.match = accounts_match,
	.header = accounts_header,
	.row = accounts_row,
	.enter = accounts_enter,
	.server = accounts_server,
};
