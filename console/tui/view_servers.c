/*
 * view_servers.c: one row per server: its state, its outbound rate (the
 * last minute and a sparkline of the last 20), its queue, failed logins,
 * the 10-minute average (the same rates as its accounts'), its worst
 * account and its DNSBL state.  Enter opens the server's detail.  Each
 * row names its MTA (the backend's name), so a mixed fleet reads at a
 * glance; at 80 columns the sparkline gives up 8 minutes for it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "theme_curses.h"
#include "ui.h"
#include "core/loop.h"
#include "live/app_rbl.h"
#include "live/rates.h"
#include "live/recent.h"

/* Server name width at 80 columns, and wider. */
#define SV_NAME_W	12
#define SV_NAME_WIDE	16
/* The MTA's name, and the sparkline's minutes. */
#define SV_MTA_W	8
#define SV_SPARK_W	12
#define SV_SPARK_WIDE	20

/* See ui.h. */
int
ui_fleet_mixed(const struct tui *t)
{
	size_t	 i;

	for (i = 1; i < t->a->nservers; i++)
		if (server_mta(t->a->servers[i]->cfg) !=
		    server_mta(t->a->servers[0]->cfg))
			return 1;
	return 0;
}

/* See ui.h. */
void
ui_server_rates(struct tui *t, const struct server *s, double *last,
    double *avg)
{
	int64_t	 clock = server_clock(s, loop_now_ms());

	if (clock < 0)
		clock = s->last_event;
	rate_minutes(s->out_min, SERVER_MINUTES, s->out_min_now, clock,
	    t->a->cfg->detect.window, last, avg);
	*last = recent_server(t->a, s->index, *last);
}

/* Number of servers. */
static size_t
servers_count(struct tui *t)
{
	return t->a->nservers;
}

/* Filter and search on the name, the MTA and the state text. */
static int
servers_match(struct tui *t, size_t i, const char *text)
{
	const struct server *s = t->a->servers[i];

	return ui_contains(s->name, text) || ui_contains(s->status, text) ||
	    strcasecmp(server_mta(s->cfg)->name, text) == 0;
}

/* Column titles. */
static void
servers_header(struct tui *t, int y, int w)
{
	int	 nw = w >= 100 ? SV_NAME_WIDE : SV_NAME_W;
	int	 sw = w >= 100 ? SV_SPARK_WIDE : SV_SPARK_W;
	char	 last[24];

	snprintf(last, sizeof(last), "LAST %d MIN", sw);
	ui_textf(t, y, 0, w, theme_attr(THEME_ROLE_MUTED) | A_BOLD,
	    "   %-*s %-*s %-8s %7s %-*s %6s %5s %5s %6s %-10s %s", nw,
	    "SERVER", SV_MTA_W - 1, "MTA", "STATE", "MSG/MIN", sw, last,
	    "QUEUE", "DEFER", "AUTHF", "AVG10M", "WORST", "DNSBL");
}

/* One server. */
static void
servers_row(struct tui *t, size_t i, int y, int w, int selected)
{
	const struct server	*s = t->a->servers[i];
	attr_t			 at = selected ?
	    theme_attr(THEME_ROLE_SELECTED) : theme_attr(THEME_ROLE_DEFAULT);
	char			 q[24], d[24], rb[32], avg[16];
	const char		*rbl;
	double			 r1, r10;
	int			 x, nw = w >= 100 ? SV_NAME_WIDE : SV_NAME_W;
	int			 sw = w >= 100 ? SV_SPARK_WIDE : SV_SPARK_W;

	if (s->queue_total >= 0) {
		snprintf(q, sizeof(q), "%lld", (long long)s->queue_total);
		snprintf(d, sizeof(d), "%lld", (long long)s->queue_deferred);
	} else {
		snprintf(q, sizeof(q), "-");
		snprintf(d, sizeof(d), "-");
	}
	attrset(at);
	mvhline(y, 0, ' ', w);
	ui_text(t, y, 0, 2, ui_level_marker(s->worst), 2,
	    ui_level_attr(s->worst) | (selected ? A_REVERSE : 0));
	x = 3;
	x += ui_textf(t, y, x, nw + 1, at, "%-*.*s ", nw, nw, s->name);
	x += ui_textf(t, y, x, SV_MTA_W, at, "%-*.*s ", SV_MTA_W - 1,
	    SV_MTA_W - 1, server_mta(s->cfg)->name);
	x += ui_textf(t, y, x, 9, s->state == SRV_LIVE ? at :
	    theme_attr(THEME_ROLE_SUSPICIOUS), "%-8s ",
	    server_state_name(s->state));
	if (s->state != SRV_LIVE && s->state != SRV_STARTING) {
		/* why it is not live matters more than its zeros */
		ui_text(t, y, x, w - x, s->status, strlen(s->status),
		    theme_attr(THEME_ROLE_SUSPICIOUS));
		return;
	}
	ui_server_rates(t, s, &r1, &r10);
	x += ui_textf(t, y, x, 8, at, "%7.0f ", r1);
	ui_sparkline(t, y, x, sw, s->out_min, SERVER_MINUTES);
	x += sw + 1;
	x += ui_textf(t, y, x, 14, at, "%6s %5s ", q, d);
	x += ui_textf(t, y, x, 6, at, "%5llu ",
	    (unsigned long long)s->auth_fail);
	x += ui_textf(t, y, x, 7, at, "%6s ", ui_rate(r10, avg, sizeof(avg)));
	x += ui_textf(t, y, x, 11, ui_level_attr(s->worst), "%-10s ",
	    level_name(s->worst));
	rbl = app_rbl_server(t->a, (unsigned)i, rb, sizeof(rb));
	ui_text(t, y, x, w - x, rbl, strlen(rbl), strncmp(rbl, "listed", 6) ==
	    0 ? theme_attr(THEME_ROLE_CRITICAL) : at);
}

/* Enter: the server's detail. */
static void
servers_enter(struct tui *t, size_t i)
{
	t->server = (unsigned)i;
	t->list[TV_SERVER].sel = 0;
	ui_push(t, TV_SERVER);
}

/* The selected server. */
static long
servers_server(struct tui *t)
{
	const struct list	*l = &t->list[TV_SERVERS];

	if (t->view != TV_SERVERS || l->sel >= t->nvis)
		return -1;
	return (long)ui_vis(t, l->sel);
}

const struct view_ops view_servers = {
	.title = "servers",
	.keymask = VIEW_SERVERS,
	.dirty = APP_DIRTY_SERVERS | APP_DIRTY_RBL,
	.count = servers_count,
	.match = servers_match,
	.header = servers_header,
	.row = servers_row,
	.enter = servers_enter,
	.server = servers_server,
};
