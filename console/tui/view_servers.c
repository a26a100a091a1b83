/* view_servers.c: one row per server: traffic, queue, failures, state. */
#include <string.h>
#include <strings.h>

#include "theme_curses.h"
#include "ui.h"
#include "live/app_rbl.h"

/* Number of servers. */
static size_t
servers_count(struct app *a)
{
	return a->nservers;
}

/* Filter and search on the name and state text. */
static int
servers_match(struct app *a, size_t i, const char *text)
{
	const struct server *s = a->servers[i];

	return ui_contains(s->name, text) ||
	    ui_contains(s->status, text);
}

/* Column titles. */
static void
servers_header(struct app *a, int y, int w)
{
	ui_textf(a, y, 0, w, theme_attr(THEME_ROLE_MUTED) | A_BOLD,
	    "   %-16s %-8s %7s %-20s %7s %7s %6s %-10s %s", "SERVER", "STATE",
	    "MSG/MIN", "LAST 20 MIN", "QUEUE", "DEFER", "AUTHF", "WORST",
	    "DNSBL");
}

/* One server. */
static void
servers_row(struct app *a, size_t i, int y, int w, int selected)
{
	const struct server	*s = a->servers[i];
	attr_t			 at = selected ?
	    theme_attr(THEME_ROLE_SELECTED) : theme_attr(THEME_ROLE_DEFAULT);
	char			 q[24], d[24], rb[32];
	const char		*rbl;
	int			 x;

	if (s->queue_total >= 0) {
		snprintf(q, sizeof(q), "%lld", (long long)s->queue_total);
		snprintf(d, sizeof(d), "%lld", (long long)s->queue_deferred);
	} else {
		snprintf(q, sizeof(q), "-");
		snprintf(d, sizeof(d), "-");
	}
	attrset(at);
	mvhline(y, 0, ' ', w);
	ui_text(a, y, 0, 2, ui_level_marker(s->worst), 2,
	    ui_level_attr(s->worst) | (selected ? A_REVERSE : 0));
	x = 3;
	x += ui_textf(a, y, x, 17, at, "%-16.16s ", s->name);
	x += ui_textf(a, y, x, 9, s->state == SRV_LIVE ? at :
	    theme_attr(THEME_ROLE_SUSPICIOUS), "%-8s ",
	    server_state_name(s->state));
	if (s->state != SRV_LIVE && s->state != SRV_STARTING) {
		/* why it is not live matters more than its zeros */
		ui_text(a, y, x, w - x, s->status, strlen(s->status),
		    theme_attr(THEME_ROLE_SUSPICIOUS));
		return;
	}
	x += ui_textf(a, y, x, 8, at, "%7u ", s->out_min[SERVER_MINUTES - 2]);
	ui_sparkline(a, y, x, 20, s->out_min, SERVER_MINUTES);
	x += 21;
	x += ui_textf(a, y, x, 16, at, "%7s %7s ", q, d);
	x += ui_textf(a, y, x, 7, at, "%6llu ",
	    (unsigned long long)s->auth_fail);
	x += ui_textf(a, y, x, 11, ui_level_attr(s->worst), "%-10s ",
	    level_name(s->worst));
	rbl = app_rbl_server(a, (unsigned)i, rb, sizeof(rb));
	ui_text(a, y, x, w - x, rbl, strlen(rbl), strncmp(rbl, "listed", 6) ==
	    0 ? theme_attr(THEME_ROLE_CRITICAL) : at);
}

/* Enter: the accounts view filtered to this server's accounts... */
static void
servers_enter(struct app *a, size_t i)
{
	a->view = V_ACCOUNTS;
	snprintf(a->filter[V_ACCOUNTS], sizeof(a->filter[0]), "@%s",
	    a->servers[i]->name);
}

const struct view_ops view_servers = {
	.title = "servers",
	.keymask = VIEW_SERVERS,
	.count = servers_count,
	.match = servers_match,
	.header = servers_header,
	.row = servers_row,
	.enter = servers_enter,
};
