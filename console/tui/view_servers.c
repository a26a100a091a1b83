/*
 * view_servers.c: one row per server: its state, its outbound rate (the
 * last minute and a sparkline of the last 20), its queue, failed logins,
 * the 10-minute average (the same rates as its accounts'), its worst
 * account and its DNSBL state.  Enter opens the server's detail.  Each
 * row names its MTA (the backend's name), so a mixed fleet reads at a
 * glance; at 80 columns the sparkline gives up 8 minutes for it.
 *
 * A fleet (servers with group =, or fed by a log host: fleet.h) is shown
 * for hundreds: grouped, a group's title row with its totals (servers,
 * live, silent, the worst level and how many are there) before its
 * servers, worst first within it, and the log hosts' unknown hosts as a
 * last row.  The filter matches the group's name too.  Without a fleet,
 * the rows are the config's servers in its order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "theme_curses.h"
#include "ui.h"
#include "core/loop.h"
#include "core/xmalloc.h"
#include "live/app_rbl.h"
#include "live/fleet.h"
#include "live/rates.h"
#include "live/recent.h"

/*
 * The rows of a fleet, rebuilt at each count: a server's index, or
 * SV_GROUP + g for the title of group g, or SV_UNKNOWN.  One console per
 * process, so one set.
 */
#define SV_GROUP	((size_t)1 << 40)
#define SV_UNKNOWN	((size_t)1 << 41)

struct sv_group {
	const char	*name;		/* the config's; "" none */
	size_t		 servers, live, silent;
	enum level	 worst;
	size_t		 at_worst;	/* servers whose worst account is it */
};

static struct {
	size_t		*rows;
	size_t		 n, cap;
	struct sv_group	*groups;
	size_t		 ngroups, capgroups;
	const struct app *a;		/* qsort's */
} sv;

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

/* A server's group name, "" for none. */
static const char *
sv_group_name(const struct server *s)
{
	return s->cfg->group != NULL ? s->cfg->group : "";
}

/* Is this a fleet: grouped, or fed by a log host? */
static int
sv_fleet(const struct app *a)
{
	size_t	 i;

	if (a->fleet != NULL)
		return 1;
	for (i = 0; i < a->nservers; i++)
		if (a->servers[i]->cfg->group != NULL)
			return 1;
	return 0;
}

/* qsort: by group (none last), worst level, not live first, name. */
static int
sv_compare(const void *x, const void *y)
{
	const struct server	*a = sv.a->servers[*(const size_t *)x];
	const struct server	*b = sv.a->servers[*(const size_t *)y];
	const char		*ga = sv_group_name(a), *gb = sv_group_name(b);
	int			 c;

	if ((*ga == '\0') != (*gb == '\0'))
		return *ga == '\0' ? 1 : -1;
	if ((c = strcmp(ga, gb)) != 0)
		return c;
	if (a->worst != b->worst)
		return a->worst > b->worst ? -1 : 1;
	if ((a->state == SRV_LIVE) != (b->state == SRV_LIVE))
		return a->state == SRV_LIVE ? 1 : -1;
	return strcmp(a->name, b->name);
}

/* Add a row. */
static void
sv_push(size_t row)
{
	if (sv.n == sv.cap) {
		sv.cap = sv.cap == 0 ? 64 : sv.cap * 2;
		sv.rows = xreallocarray(sv.rows, sv.cap, sizeof(*sv.rows));
	}
	sv.rows[sv.n++] = row;
}

/* A group's totals, counted in. */
static struct sv_group *
sv_group_add(const struct server *s)
{
	struct sv_group	*g;

	if (sv.ngroups == 0 ||
	    strcmp(sv.groups[sv.ngroups - 1].name, sv_group_name(s)) != 0) {
		if (sv.ngroups == sv.capgroups) {
			sv.capgroups = sv.capgroups == 0 ? 16 :
			    sv.capgroups * 2;
			sv.groups = xreallocarray(sv.groups, sv.capgroups,
			    sizeof(*sv.groups));
		}
		g = &sv.groups[sv.ngroups++];
		memset(g, 0, sizeof(*g));
		g->name = sv_group_name(s);
		sv_push(SV_GROUP + sv.ngroups - 1);
	}
	g = &sv.groups[sv.ngroups - 1];
	g->servers++;
	g->live += s->state == SRV_LIVE;
	g->silent += s->silent;
	if (g->servers == 1 || s->worst > g->worst) {
		g->worst = s->worst;
		g->at_worst = 0;
	}
	g->at_worst += s->worst == g->worst;
	return g;
}

/* Number of rows: servers, and in a fleet the groups' titles. */
static size_t
servers_count(struct tui *t)
{
	const struct app	*a = t->a;
	size_t			*order, i, nunknown;
	uint64_t		 more;

	if (!sv_fleet(a))
		return a->nservers;
	sv.n = sv.ngroups = 0;
	sv.a = a;
	order = xcalloc(a->nservers > 0 ? a->nservers : 1, sizeof(*order));
	for (i = 0; i < a->nservers; i++)
		order[i] = i;
	qsort(order, a->nservers, sizeof(*order), sv_compare);
	for (i = 0; i < a->nservers; i++) {
		(void)sv_group_add(a->servers[order[i]]);
		sv_push(order[i]);
	}
	free(order);
	(void)fleet_unknown(a->fleet, &nunknown, &more);
	if (nunknown > 0)
		sv_push(SV_UNKNOWN);
	return sv.n;
}

/* The server of row i, or -1 for a title row. */
static long
sv_server(const struct tui *t, size_t i)
{
	if (!sv_fleet(t->a))
		return (long)i;
	if (i >= sv.n || sv.rows[i] >= SV_GROUP)
		return -1;
	return (long)sv.rows[i];
}

/* Filter and search on the name, the MTA, the state text and group. */
static int
servers_match(struct tui *t, size_t i, const char *text)
{
	const struct server	*s;
	long			 k = sv_server(t, i);

	if (k < 0)
		return i < sv.n && sv.rows[i] >= SV_GROUP &&
		    sv.rows[i] < SV_UNKNOWN ?
		    ui_contains(sv.groups[sv.rows[i] - SV_GROUP].name, text) :
		    ui_contains("unknown host", text);
	s = t->a->servers[k];
	return ui_contains(s->name, text) || ui_contains(s->status, text) ||
	    strcasecmp(server_mta(s->cfg)->name, text) == 0 ||
	    ui_contains(sv_group_name(s), text);
}

/* A group's title row with its totals. */
static void
sv_group_row(struct tui *t, const struct sv_group *g, int y, int w,
    int selected)
{
	attr_t	 at = selected ? theme_attr(THEME_ROLE_SELECTED) :
	    theme_attr(THEME_ROLE_MUTED) | A_BOLD;

	attrset(at);
	mvhline(y, 0, ' ', w);
	ui_text(t, y, 0, 2, ui_level_marker(g->worst), 2,
	    ui_level_attr(g->worst) | (selected ? A_REVERSE : 0));
	ui_textf(t, y, 3, w - 3, at, "%s: %zu server%s, %zu live, %zu "
	    "silent; worst %s (%zu)", *g->name != '\0' ? g->name :
	    "(no group)", g->servers, g->servers == 1 ? "" : "s", g->live,
	    g->silent, level_name(g->worst), g->at_worst);
}

/* The log hosts' unknown hosts, as one row. */
static void
sv_unknown_row(struct tui *t, int y, int w, int selected)
{
	const struct fleet_unknown	*u;
	attr_t				 at = selected ?
	    theme_attr(THEME_ROLE_SELECTED) :
	    theme_attr(THEME_ROLE_SUSPICIOUS);
	char				 names[256];
	size_t				 n, i, len = 0;
	uint64_t			 more, lines;

	u = fleet_unknown(t->a->fleet, &n, &more);
	(void)fleet_lines(t->a->fleet, &lines);
	names[0] = '\0';
	for (i = 0; i < n && len + 2 < sizeof(names); i++)
		len += (size_t)snprintf(names + len, sizeof(names) - len,
		    "%s%s", i > 0 ? ", " : "", u[i].name);
	attrset(at);
	mvhline(y, 0, ' ', w);
	/* the names are escaped already (fleet.c) */
	ui_textf(t, y, 3, w - 3, at, "unknown host%s: %zu name%s%s, %llu "
	    "line%s, never acted on: %s", n == 1 ? "" : "s", n,
	    n == 1 ? "" : "s", more > 0 ? " and more" : "",
	    (unsigned long long)lines, lines == 1 ? "" : "s", names);
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

/* One server, or in a fleet a title row. */
static void
servers_row(struct tui *t, size_t row, int y, int w, int selected)
{
	const struct server	*s;
	long			 i = sv_server(t, row);
	attr_t			 at = selected ?
	    theme_attr(THEME_ROLE_SELECTED) : theme_attr(THEME_ROLE_DEFAULT);
	char			 q[24], d[24], rb[32], avg[16];
	const char		*rbl;
	double			 r1, r10;
	int			 x, nw = w >= 100 ? SV_NAME_WIDE : SV_NAME_W;
	int			 sw = w >= 100 ? SV_SPARK_WIDE : SV_SPARK_W;

	if (i < 0) {
		if (row < sv.n && sv.rows[row] == SV_UNKNOWN)
			sv_unknown_row(t, y, w, selected);
		else if (row < sv.n)
			sv_group_row(t, &sv.groups[sv.rows[row] - SV_GROUP],
			    y, w, selected);
		return;
	}
	s = t->a->servers[i];
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

/* Enter: the server's detail (a title row has none). */
static void
servers_enter(struct tui *t, size_t row)
{
	long	 i = sv_server(t, row);

	if (i < 0)
		return;
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
	return sv_server(t, ui_vis(t, l->sel));
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
