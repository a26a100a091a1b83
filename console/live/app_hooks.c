/*
 * app_hooks.c: what the servers and the log hosts report as they read:
 * events, lines, gaps, clock jumps, unknown hosts.  Set on them by
 * app_main (app_main.c); called from the loop's reads.
 */
#include <stdio.h>
#include <time.h>

#include "app.h"
#include "app_act.h"
#include "app_loop.h"
#include "fleet.h"
#include "history.h"
#include "histrows.h"
#include "core/sanitize.h"

/* server_line hook: every event goes to the history batch. */
void
app_on_event(void *arg, const struct server *s, const struct mail_event *ev)
{
	struct app	*a = arg;

	app_act_event(a, s->index, ev);
	history_event(a, s, ev);
	if (a->headless && s->confirmed[0] != '\0')
		app_confirm_now(a, s->index);
}

/*
 * fleet callback: a log host's line names a host no [server] gives: said
 * once per name (headless a line, in the console a note), never acted on.
 */
void
app_on_unknown(void *arg, const char *loghost, const struct fleet_unknown *u,
    const char *line, size_t len)
{
	struct app	*a = arg;
	char		 clean[512];

	sanitize_text(clean, sizeof(clean), line, len);
	if (a->headless)
		app_act_print("loghost %s: unknown host %s: not a configured "
		    "server, its lines are counted and never acted on: %s",
		    loghost, u->name, clean);
	else
		app_note(a, 15, "loghost %s: unknown host %s (no [server] "
		    "has hostname = %s; not acted on)", loghost, u->name,
		    u->name);
}

/* fleet callback: a log host read over SSH changed state (status is
   ssh_conn's, sanitised there). */
void
app_on_loghost_state(void *arg, const char *loghost, const char *status)
{
	struct app	*a = arg;

	if (a->headless)
		app_act_print("loghost %s: ssh %s", loghost, status);
	else
		app_note(a, 15, "loghost %s: ssh %s", loghost, status);
}

/* watch --lines: every line, as read, sanitised. */
void
app_on_line(void *arg, const struct server *s, const char *line, size_t len)
{
	char	 clean[FOLLOW_LINE_MAX + 1];

	/* the state that let this line in is said before it */
	app_server_sync(arg, ((struct app *)arg)->servers[s->index]);
	sanitize_text(clean, sizeof(clean), line, len);
	app_act_print("line %s: %s", s->name, clean);
}

/*
 * A part of a remote log is lost: a note, a row of the history view and a
 * row of the history file (committed with the next flush, on the writer
 * thread), printed when headless.
 */
void
app_on_gap(void *arg, const struct server *s, const char *path,
    const char *why)
{
	struct app	*a = arg;
	int64_t		 now = (int64_t)time(NULL);

	app_server_sync(a, a->servers[s->index]);
	if (histrows_add_gap(a, s->name, path, why, now, 0) == 0)
		app_note(a, 15, "gap in %s on %s: %s", path, s->name, why);
	else
		app_note(a, 15, "gap in %s on %s: %s (%llu not listed in "
		    "view 4: it is full)", path, s->name, why,
		    (unsigned long long)a->gaps_unlisted);
	history_gap(a, s, path, why, now);
	if (a->headless)
		app_act_print("gap in %s on %s: %s", path, s->name, why);
}

/*
 * A log's clock jumped (clockguard.h): a note on the status line (the log
 * view has a line of it from server.c), printed when headless.
 */
void
app_on_clock(void *arg, const struct server *s, const char *path,
    const char *what)
{
	struct app	*a = arg;

	app_note(a, 15, "%s on %s: %s", path, s->name, what);
	if (a->headless)
		app_act_print("clock of %s on %s: %s", path, s->name, what);
}
