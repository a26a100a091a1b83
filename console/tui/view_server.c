/*
 * view_server.c: one server, one page scrolled as a whole: its state and
 * why, its connection, what it follows, its rates, its queue by state,
 * its accounts by level, the gaps in its logs and its last lines.  a
 * opens its accounts; A and C act on its SSH connection.
 */
#include <stdio.h>
#include <string.h>

#include "theme_curses.h"
#include "ui.h"
#include "act/queue.h"
#include "live/app_rbl.h"
#include "net/ssh_conn.h"

#define SERVER_LAST_LINES	15

/* A paragraph of the page, wrapped. */
#define SV_LINE(p, t, w, attr, ...)	page_printf(p, 1, attr, __VA_ARGS__)

/* State, connection, sources, counters, rates. */
static void
server_state(struct tui *t, struct page *p, const struct server *s, int w)
{
	const struct server_config	*c = s->cfg;
	attr_t				 d = theme_attr(THEME_ROLE_DEFAULT);
	char				 r1[16], r2[16], rb[64], logs[512];
	double				 last, avg;
	size_t				 i, off = 0;
	int				 y;

	if ((y = page_next(p)) >= 0) {
		ui_textf(t, y, 1, w - 2, d | A_BOLD, "%s", s->name);
		ui_textf(t, y, 3 + (int)strlen(s->name), w / 2, s->state ==
		    SRV_LIVE ? ui_level_attr(LEVEL_OK) :
		    theme_attr(THEME_ROLE_SUSPICIOUS), "%s",
		    server_state_name(s->state));
	}
	SV_LINE(p, t, w, s->state == SRV_LIVE ? d :
	    theme_attr(THEME_ROLE_SUSPICIOUS), "status: %s", s->status);
	if (s->ssh != NULL)
		SV_LINE(p, t, w, d, "connection: SSH %s%s%s port %d, %s",
		    c->ssh.user != NULL ? c->ssh.user : "",
		    c->ssh.user != NULL ? "@" : "", c->ssh.host,
		    c->ssh.port > 0 ? c->ssh.port : 22,
		    ssh_state_name(ssh_conn_state(s->ssh)));
	else
		SV_LINE(p, t, w, d, "connection: this machine");
	SV_LINE(p, t, w, d, "MTA: %s%s; logins: %s%s", server_mta(c)->name,
	    c->mta == NULL ? " (assumed: not probed yet, or nothing found)" :
	    "", server_auth(c)->name, server_auth(c) == server_mta(c) ? "" :
	    c->auth == NULL ? " (assumed)" : "");
	logs[0] = '\0';
	for (i = 0; i < c->nlogs && off < sizeof(logs); i++)
		off += (size_t)snprintf(logs + off, sizeof(logs) - off, "%s%s",
		    i > 0 ? ", " : "", c->logs[i]);
	SV_LINE(p, t, w, d, "follows: %s%s%s%s", logs, c->log_argv != NULL ?
	    (off > 0 ? ", the output of " : "the output of ") : "",
	    c->log_argv != NULL ? c->log_argv[0] : "",
	    c->ssh.journal ? (off > 0 || c->log_argv != NULL ?
	    ", its journal" : "its journal") : "");
	SV_LINE(p, t, w, d, "read: %llu lines, %llu events, %llu outbound "
	    "messages, %llu deferrals, %llu failed logins",
	    (unsigned long long)s->lines, (unsigned long long)s->events,
	    (unsigned long long)s->messages, (unsigned long long)s->deferred,
	    (unsigned long long)s->auth_fail);
	ui_server_rates(t, s, &last, &avg);
	SV_LINE(p, t, w, d, "outbound: %s msgs/min in the last 60 s, %s/min "
	    "over %d min; last hour:", ui_rate(last, r1, sizeof(r1)),
	    ui_rate(avg, r2, sizeof(r2)), t->a->cfg->detect.window / 60);
	if ((y = page_next(p)) >= 0)
		ui_sparkline(t, y, 3, w - 4, s->out_min, SERVER_MINUTES);
	if (s->clock_anomalies > 0 || s->clock_steps > 0)
		SV_LINE(p, t, w, theme_attr(THEME_ROLE_WATCH), "clock: %llu "
		    "lines far from their neighbours, %llu steps%s%s",
		    (unsigned long long)s->clock_anomalies,
		    (unsigned long long)s->clock_steps,
		    s->clock_note[0] != '\0' ? "; latest: " : "",
		    s->clock_note);
	if (s->unreadable > 0)
		SV_LINE(p, t, w, theme_attr(THEME_ROLE_WATCH), "unreadable "
		    "journal entries: %llu", (unsigned long long)s->unreadable);
	SV_LINE(p, t, w, d, "DNSBL: %s", app_rbl_server(t->a, s->index, rb,
	    sizeof(rb)));
}

/* Its queue by state, and its accounts by level. */
static void
server_queue_accounts(struct tui *t, struct page *p, const struct server *s,
    int w)
{
	attr_t	 d = theme_attr(THEME_ROLE_DEFAULT);
	char	 line[512];
	size_t	 i, n[LEVEL_CRITICAL + 1] = { 0 }, all = 0, off = 0;
	int	 k;

	(void)page_next(p);
	SV_LINE(p, t, w, theme_attr(THEME_ROLE_HEADER), "Queue");
	if (s->queue_argv == NULL)
		SV_LINE(p, t, w, theme_attr(THEME_ROLE_MUTED), "not read (no "
		    "queue_command for this server)");
	else
		SV_LINE(p, t, w, d, "%s", s->queue_status[0] != '\0' ?
		    s->queue_status : "queue: not read yet");
	if (s->queue_total >= 0) {
		line[0] = '\0';
		for (k = 0; k < QUEUE_NAME_COUNT && k < SERVER_QUEUE_STATES &&
		    off < sizeof(line); k++)
			if (s->queue_by[k] > 0)
				off += (size_t)snprintf(line + off,
				    sizeof(line) - off, "%s%s %llu", off > 0 ?
				    ", " : "", queue_name_string(
				    (enum queue_name)k),
				    (unsigned long long)s->queue_by[k]);
		SV_LINE(p, t, w, d, "by state: %s", off > 0 ? line : "empty");
		SV_LINE(p, t, w, d, "of them submitted by its logins: %lld",
		    (long long)s->queue_attributed);
	}
	for (i = 0; i < t->a->nrows; i++)
		if (t->a->rows[i].server == s->index) {
			n[t->a->rows[i].level]++;
			all++;
		}
	(void)page_next(p);
	SV_LINE(p, t, w, theme_attr(THEME_ROLE_HEADER), "Accounts (a lists "
	    "them)");
	SV_LINE(p, t, w, d, "%zu known: %zu critical, %zu suspicious, %zu "
	    "watch; worst now %s", all, n[LEVEL_CRITICAL],
	    n[LEVEL_SUSPICIOUS], n[LEVEL_WATCH], level_name(s->worst));
}

/* The gaps in its logs, this session's and earlier ones. */
static void
server_gaps(struct tui *t, struct page *p, const struct server *s, int w)
{
	const struct gap	*g;
	char			 when[32];
	size_t			 i, n = 0;

	for (i = 0; i < t->a->ngaps; i++)
		n += strcmp(t->a->gaps[i].server, s->name) == 0;
	(void)page_next(p);
	SV_LINE(p, t, w, theme_attr(THEME_ROLE_HEADER), "Gaps in its logs: "
	    "%zu", n);
	for (i = 0; i < t->a->ngaps; i++) {
		g = &t->a->gaps[i];
		if (strcmp(g->server, s->name) != 0)
			continue;
		SV_LINE(p, t, w, theme_attr(THEME_ROLE_WATCH), "%s %slost "
		    "lines in %s: %s", ui_datetime(g->at, when, sizeof(when)),
		    g->earlier ? "(earlier) " : "", g->path, g->why);
	}
}

/* Its last lines in the log ring, oldest first. */
static void
server_lines(struct tui *t, struct page *p, const struct server *s, int w)
{
	const struct logring_line	*l;
	size_t				 i, idx[SERVER_LAST_LINES], n = 0;
	int				 y;

	for (i = t->a->log.n; i > 0 && n < SERVER_LAST_LINES; i--) {
		l = logring_get(&t->a->log, i - 1);
		if (l->server == s->index)
			idx[n++] = i - 1;
	}
	(void)page_next(p);
	SV_LINE(p, t, w, theme_attr(THEME_ROLE_HEADER), "Its last lines (the "
	    "log view, 3, has them all)");
	while (n > 0) {
		l = logring_get(&t->a->log, idx[--n]);
		if ((y = page_next(p)) >= 0)
			ui_text(t, y, 1, w - 2, l->text, l->len,
			    theme_attr(THEME_ROLE_DEFAULT));
	}
}

/* The whole page. */
static void
server_draw(struct tui *t, int top, int h, int w)
{
	const struct server	*s;
	struct page		 p;

	if (t->server >= t->a->nservers) {
		ui_textf(t, top, 1, w - 2, theme_attr(THEME_ROLE_MUTED),
		    "no such server");
		return;
	}
	s = t->a->servers[t->server];
	page_begin(&p, t, top, h);
	server_state(t, &p, s, w);
	server_queue_accounts(t, &p, s, w);
	server_gaps(t, &p, s, w);
	server_lines(t, &p, s, w);
	page_end(&p);
}

const struct view_ops view_server = {
	.title = "server",
	.keymask = VIEW_SERVER,
	.dirty = APP_DIRTY_SERVERS | APP_DIRTY_RBL,
	.draw = server_draw,
};
