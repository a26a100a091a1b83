/*
 * app_server.c: what the servers are doing, said: their state (headless a
 * line per new reason), an alert when a live one falls, and journal
 * entries no one could read.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "app_act.h"
#include "app_alert.h"
#include "app_loop.h"

#define UNREADABLE_MS	60000		/* unreadable entries: said at most */

/*
 * Headless: say what a server is doing whenever that changes, ignoring
 * countdowns ("retrying in 8 s") and the steps of a connection attempt,
 * so a dead server is one line per new reason, not one per retry.
 */
static void
app_server_print(struct server *s)
{
	char		 key[sizeof(s->told)];
	const char	*p;
	size_t		 n = 0;

	if (strncmp(s->status, "resolving", 9) == 0 ||
	    strncmp(s->status, "connecting", 10) == 0 ||
	    strncmp(s->status, "handshake", 9) == 0 ||
	    strncmp(s->status, "authenticating", 14) == 0 ||
	    s->state == SRV_STARTING)
		return;
	for (p = s->status; *p != '\0' && n < sizeof(key) - 1; p++)
		if (*p < '0' || *p > '9')
			key[n++] = *p;
	key[n] = '\0';
	if (strcmp(key, s->told) == 0)
		return;
	snprintf(s->told, sizeof(s->told), "%s", key);
	app_act_print("server %s is %s: %s", s->name,
	    server_state_name(s->state), s->status);
}

/* A server that was live and no longer is: an alert (once per fall); a
   source it chose while running, said. */
void
app_server_alert(struct app *a, struct server *s)
{
	/* a source chosen while running (the journal of a server whose
	   default log is not there): said once */
	if (s->chose[0] != '\0') {
		app_note(a, 30, "%s", s->chose);
		if (a->headless)
			app_act_print("%s", s->chose);
		s->chose[0] = '\0';
	}
	if (a->headless)
		app_server_print(s);
	if (s->state == SRV_LIVE || s->state == SRV_STARTING) {
		s->alerted = s->state;
		return;
	}
	if (s->alerted != SRV_LIVE)
		return;
	s->alerted = s->state;
	app_alert(a, ALERT_SERVER_STALE, s->state == SRV_DOWN ?
	    LEVEL_SUSPICIOUS : LEVEL_WATCH, s->name, NULL, NULL,
	    "server %s is %s: %s", s->name, server_state_name(s->state),
	    s->status);
}

/* See app.h. */
void
app_server_sync(struct app *a, struct server *s)
{
	if (server_refresh(s))
		app_server_alert(a, s);
}

/*
 * Journal entries no one could read (server_unreadable): said when the
 * first comes and then at most once a minute while more come, headless
 * as a line, in the console as a note.
 */
void
app_server_unreadable(struct app *a, struct server *s, int64_t now)
{
	uint64_t	 n = s->unreadable;

	if (n == s->unreadable_told || (s->unreadable_told > 0 &&
	    now - s->unreadable_at < UNREADABLE_MS))
		return;
	s->unreadable_told = n;
	s->unreadable_at = now;
	if (a->headless)
		app_act_print("server %s: %llu unreadable journal entr%s: "
		    "journalctl printed \"[N blob data]\" for %s (control "
		    "bytes or invalid UTF-8); run it with --all to read %s",
		    s->name, (unsigned long long)n, n == 1 ? "y" : "ies",
		    n == 1 ? "it" : "them", n == 1 ? "it" : "them");
	else
		app_note(a, 15, "%s: %llu unreadable journal entr%s (see the "
		    "log view, 3)", s->name, (unsigned long long)n,
		    n == 1 ? "y" : "ies");
}
