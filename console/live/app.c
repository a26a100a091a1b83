/*
 * app.c: `mailcon` without a command: the live console.
 *
 * One thread, one poll() loop (loop.c): a short timer reads what the
 * followed logs have (a byte budget per file, so a flood cannot starve the
 * keyboard), a slower one ages windows and refreshes the accounts
 * snapshot, stdin delivers keys, and the idle callback draws once per
 * wake-up.  Nothing here waits on a file, a command or the network.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "app_act.h"
#include "app_policy.h"
#include "app_alert.h"
#include "app_probe.h"
#include "app_geo.h"
#include "app_rbl.h"
#include "app_ssh.h"
#include "demo.h"
#include "fleet.h"
#include "history.h"
#include "histrows.h"
#include "config/discover.h"
#include "config/probe.h"
#include "core/child.h"
#include "recent.h"
#include "core/cliopt.h"
#include "core/exitcodes.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/textfit.h"
#include "core/trace.h"
#include "core/xmalloc.h"
#include "detect/detect_detail.h"

#define POLL_MS		100	/* log reads */
#define REFRESH_MS	500	/* windows and the accounts snapshot */
#define HEADLESS_REFRESH_MS 100
#define READ_BUDGET	(256u * 1024)	/* bytes per file per read */
#define READ_SLICE_MS	30		/* reading a busy file per poll */
#define FLEET_MORE_MS	10		/* a log host's stream behind: read
					   on this soon */
#define FLEET_POLL_MS	50		/* the log hosts' streams: read */
#define FLEET_FRAME_MS	45		/* their lines drawn at most this
					   often */
#define UNREADABLE_MS	60000		/* unreadable entries: said at most */

/* Monotonic microseconds. */
static int64_t
app_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* CPU time of this thread in microseconds: a frame's own cost, whatever
   else the machine runs (the wall time counts waiting for a core). */
static int64_t
app_cpu_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* See app.h. */
void
app_note(struct app *a, int secs, const char *fmt, ...)
{
	va_list	 ap;
	char	 text[2048];

	/* a long reason ends at a word, never inside a fingerprint */
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (secs > 0) {
		(void)textfit(a->note, sizeof(a->note), text);
		a->note_until = loop_now_ms() + secs * 1000;
		notelog_add(&a->notes, (int64_t)time(NULL), 0, text);
	} else
		app_warn(a, text);
	a->dirty |= APP_DIRTY_ALL;
}

/* See app.h. */
void
app_warn(struct app *a, const char *text)
{
	char	 last[2048];
	int	 i;

	for (i = 0; i < a->nwarnings; i++)
		if (strcmp(a->warnings[i], text) == 0)
			return;
	notelog_add(&a->notes, (int64_t)time(NULL), 1, text);
	if (a->headless)
		app_act_print("warning: %s", text);
	/* a long warning ends at a word, never inside a fingerprint */
	if (a->nwarnings < APP_WARNINGS - 1) {
		(void)textfit(a->warnings[a->nwarnings++],
		    sizeof(a->warnings[0]), text);
	} else {
		/* the last slot counts what did not fit, and says the last */
		a->warnings_more++;
		if (a->nwarnings < APP_WARNINGS)
			a->nwarnings++;
		snprintf(last, sizeof(last), "%s%s", a->warnings_more > 1 ?
		    "and more warnings; the last: " : "", text);
		(void)textfit(a->warnings[APP_WARNINGS - 1],
		    sizeof(a->warnings[0]), last);
	}
	a->dirty |= APP_DIRTY_ALL;
}

/* See app.h. */
const char *
app_warning(const struct app *a, int64_t now_ms, char *buf, size_t size)
{
	int	 i;

	if (a->nwarnings == 0)
		return NULL;
	if (a->nwarnings == 1)
		return a->warnings[0];
	/* in turn from the start: the first said is the first shown */
	i = (int)(((now_ms - a->warning_epoch) / APP_WARNING_MS) %
	    a->nwarnings);
	snprintf(buf, size, "(%d/%d) %s", i + 1, a->nwarnings,
	    a->warnings[i]);
	return buf;
}

/* An incident opened or got worse: say so (headless), apply the policy. */
static void
app_incident_peak(struct app *a, struct incident *n)
{
	char	 account[256], reason[256];

	if (n->peak >= LEVEL_SUSPICIOUS)
		app_alert(a, ALERT_ACCOUNT_LEVEL, n->peak,
		    a->servers[n->server]->name, n->account, NULL,
		    "%s %s on %s: %s", level_name(n->peak), n->account,
		    a->servers[n->server]->name, n->reason);
	if (!a->headless)
		return;
	sanitize_text(account, sizeof(account), n->account,
	    strlen(n->account));
	sanitize_text(reason, sizeof(reason), n->reason, strlen(n->reason));
	app_act_print("%s %s on %s: %s (%llu messages before it was "
	    "flagged)", level_name(n->peak), account,
	    a->servers[n->server]->name, reason,
	    (unsigned long long)n->messages_before);
	if (!n->contained && (int)n->peak >= a->cfg->watch.level)
		n->contained = app_act_policy(a, n->server, n->account,
		    n->peak);
}

/*
 * See app.h.  Record an account that reached suspicious or worse as an
 * incident.  One
 * an earlier session recorded for the same server, account and flagged
 * time (watch --headless handled it, and the console reads the same lines
 * again with --from-start) is the same incident: no second one, no second
 * alert.
 */
void
app_incident_seen(struct app *a, const struct account_report *r,
    unsigned server)
{
	struct incident	*n;
	size_t		 i;

	for (i = 0; i < a->nincidents; i++) {
		n = &a->incidents[i];
		if (n->server == server && (!n->earlier ||
		    n->opened == r->flagged_at) &&
		    strcmp(n->account, r->account) == 0) {
			if (r->peak_level > n->peak) {
				n->peak = r->peak_level;
				if (r->npeak_reasons > 0)
					snprintf(n->reason, sizeof(n->reason),
					    "%s", r->peak_reasons[0]);
				history_incident(a, n);
				app_incident_peak(a, n);
			} else if (!n->contained && a->headless &&
			    r->confirmed_at >= 0 &&
			    (int)n->peak >= a->cfg->watch.level)
				/* a second kind of evidence came */
				n->contained = app_act_policy(a, n->server,
				    n->account, n->peak);
			return;
		}
	}
	if (a->nincidents == a->capincidents) {
		a->capincidents = a->capincidents ? a->capincidents * 2 : 16;
		a->incidents = xreallocarray(a->incidents, a->capincidents,
		    sizeof(*a->incidents));
	}
	n = &a->incidents[a->nincidents++];
	memset(n, 0, sizeof(*n));
	snprintf(n->account, sizeof(n->account), "%s", r->account);
	n->server = server;
	n->opened = r->flagged_at;
	n->peak = r->peak_level;
	n->messages_before = r->messages_before_flag;
	if (r->npeak_reasons > 0)
		snprintf(n->reason, sizeof(n->reason), "%s",
		    r->peak_reasons[0]);
	history_incident(a, n);
	app_note(a, 10, "%s %s on %s: %s", level_name(r->peak_level),
	    r->account, a->servers[server]->name, n->reason);
	app_bell(a);
	app_incident_peak(a, n);
}

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
static void
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
static void
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

static void	app_on_fleet_more(void *);

/*
 * Read the log hosts' streams for a slice.  One stream carries hundreds
 * of servers' lines: when it still has more, read on after FLEET_MORE_MS
 * rather than at the next poll, keys and frames handled between.  What
 * was read is drawn at once (the servers' poll would show it up to
 * POLL_MS later), but not more often than every FLEET_FRAME_MS: a later
 * read draws what this one did not.
 */
static void
app_fleet_read(struct app *a, int64_t now)
{
	uint64_t	 lines, unknown;
	int		 more;

	if (a->fleet == NULL)
		return;
	while ((more = fleet_poll(a->fleet, a->loop, loop_now_ms(),
	    READ_BUDGET)) && loop_now_ms() - now < READ_SLICE_MS)
		;
	lines = fleet_lines(a->fleet, &unknown);
	if (lines != a->fleet_drawn &&
	    app_now_us() - a->frame_us >= FLEET_FRAME_MS * 1000) {
		a->fleet_drawn = lines;
		a->dirty |= APP_DIRTY_SERVERS;
	}
	if (more && !a->fleet_more) {
		a->fleet_more = 1;
		(void)loop_add_timer(a->loop, FLEET_MORE_MS, 0,
		    app_on_fleet_more, a);
	}
}

/* Timer: a log host's stream had more than a slice: read on soon. */
static void
app_on_fleet_more(void *arg)
{
	struct app	*a = arg;

	a->fleet_more = 0;
	/* what it reads shows after the next poll, as any server's lines */
	app_fleet_read(a, loop_now_ms());
}

/* Timer: read the log hosts' streams, more often than the servers' own
   logs (one stream is every server's latency). */
static void
app_on_fleet_tick(void *arg)
{
	app_fleet_read(arg, loop_now_ms());
}

/* Timer: read the logs (and the demo's next lines). */
static void
app_on_poll(void *arg)
{
	struct app	*a = arg;
	int64_t		 now = loop_now_ms();
	size_t		 i;

	/* The replayed file stays until exit: the console still follows it. */
	if (a->demo != NULL && !a->demo_done && demo_step(a->demo, now) == 1) {
		a->demo_done = 1;
		app_note(a, 60, "demo: replay finished; explore with Tab, "
		    "Enter and ?, quit with q");
	}
	for (i = 0; i < a->nservers; i++) {
		/* Keep reading a busy file for a slice, then let keys in. */
		while (server_poll(a->servers[i], loop_now_ms(), READ_BUDGET) &&
		    loop_now_ms() - now < READ_SLICE_MS)
			;
		server_queue(a->servers[i], now);
		app_server_alert(a, a->servers[i]);
		app_server_unreadable(a, a->servers[i], now);
		if (a->servers[i]->changed) {
			a->servers[i]->changed = 0;
			a->dirty |= APP_DIRTY_SERVERS;
		}
	}
	app_probe_tick(a, now);
	app_act_tick(a, now);
	app_alert_poll(a, now);
	/* curses reports a resize as a key: look even without input */
	if (a->fe != NULL)
		a->fe->input(a);
	if (a->note[0] != '\0' && now >= a->note_until) {
		a->note[0] = '\0';
		a->dirty |= APP_DIRTY_ALL;
	}
	if (a->note[0] == '\0' && a->note_next[0] != '\0') {
		app_note(a, 15, "%s", a->note_next);
		a->note_next[0] = '\0';
	}
	/* the warnings' turn on the status line, paused or not */
	if (a->nwarnings > 1 && (now - a->warning_epoch) / APP_WARNING_MS !=
	    a->warning_turn) {
		a->warning_turn = (now - a->warning_epoch) / APP_WARNING_MS;
		a->dirty |= APP_DIRTY_ALL;
	}
	if (a->quit)
		loop_stop(a->loop);
}

/* Timer: age the windows (each server by its own clock) and refresh the
   snapshot. */
static void
app_on_refresh(void *arg)
{
	struct app	*a = arg;
	int64_t		 now = loop_now_ms();
	size_t		 i;

	for (i = 0; i < a->nservers; i++)
		server_tick(a->servers[i], now);
	if (!a->paused)
		app_refresh_start(a);
	history_flush(a);
}

/* detector_foreach_range callback: the confirmed account's incident. */
static void
app_confirm_report(const struct account_report *r, void *arg)
{
	struct app	*a = arg;

	if (r->flagged_at >= 0)
		app_incident_seen(a, r, a->confirm_server);
}

/*
 * Headless: the event just fed confirmed an account (critical on two
 * kinds of evidence).  Apply the policy now: the snapshot would see it up
 * to REFRESH_MS later, and at 100 messages a second that is 50 more.
 */
static void
app_confirm_now(struct app *a, unsigned server)
{
	struct server	*s = a->servers[server];
	long		 idx;

	if ((idx = detector_find(s->det, s->confirmed)) < 0)
		return;
	a->confirm_server = server;
	(void)detector_foreach_range(s->det, (size_t)idx, 1,
	    app_confirm_report, a);
}

/* server_line hook: every event goes to the history batch. */
static void
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
static void
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
static void
app_on_loghost_state(void *arg, const char *loghost, const char *status)
{
	struct app	*a = arg;

	if (a->headless)
		app_act_print("loghost %s: ssh %s", loghost, status);
	else
		app_note(a, 15, "loghost %s: ssh %s", loghost, status);
}

/* watch --lines: every line, as read, sanitised. */
static void
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
static void
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
static void
app_on_clock(void *arg, const struct server *s, const char *path,
    const char *what)
{
	struct app	*a = arg;

	app_note(a, 15, "%s on %s: %s", path, s->name, what);
	if (a->headless)
		app_act_print("clock of %s on %s: %s", path, s->name, what);
}

/* stdin is readable: keys. */
static void
app_on_key(int fd, short revents, void *arg)
{
	struct app	*a = arg;

	if (a->key_pending_us == 0)
		a->key_pending_us = app_now_us();
	if (a->fe != NULL)
		a->fe->input(a);
	/* a key that changes nothing on screen is not timed */
	if (!a->dirty)
		a->key_pending_us = 0;
	if (a->quit)
		loop_stop(a->loop);
}

/*
 * SIGTERM, SIGINT, SIGHUP: leave cleanly (the terminal is restored), with
 * the exit status a shell expects of a command the signal stopped.
 */
static void
app_on_signal(int signo, void *arg)
{
	struct app	*a = arg;

	a->quit = 1;
	a->signo = signo;
	loop_stop(a->loop);
}

/* Idle: draw once per wake-up if anything changed, timing the frame. */
static void
app_on_idle(void *arg)
{
	struct app	*a = arg;
	int64_t		 t0, t1, c0;
	double		 ms;

	if (!a->dirty)
		return;
	if (a->fe == NULL) {
		a->dirty = 0;
		return;
	}
	t0 = app_now_us();
	c0 = app_cpu_us();
	if (!a->fe->draw(a))
		return;
	t1 = app_now_us();
	a->frame_us = t1;
	a->draw_cpu_ms_total += (double)(app_cpu_us() - c0) / 1000.0;
	ms = (double)(t1 - t0) / 1000.0;
	a->frames++;
	a->draw_ms_total += ms;
	if (ms > a->draw_ms_max)
		a->draw_ms_max = ms;
	if (a->key_pending_us != 0) {
		ms = (double)(t1 - a->key_pending_us) / 1000.0;
		a->keys++;
		a->key_ms_total += ms;
		if (ms > a->key_ms_max)
			a->key_ms_max = ms;
		a->key_pending_us = 0;
	}
}

/* At exit, with MAILCON_STATS=FILE: frame and key figures for make bench. */
static void
app_write_stats(const struct app *a)
{
	const char	*path = getenv("MAILCON_STATS");
	FILE		*f;
	size_t		 i, accounts = 0;
	uint64_t	 lines = 0;

	if (path == NULL || *path == '\0' || (f = fopen(path, "w")) == NULL)
		return;
	for (i = 0; i < a->nservers; i++) {
		accounts += detector_count(a->servers[i]->det);
		lines += a->servers[i]->lines;
	}
	fprintf(f, "draw_cpu_ms_avg %.3f\n", a->frames ?
	    a->draw_cpu_ms_total / (double)a->frames : 0.0);
	fprintf(f, "frames %llu\ndraw_ms_avg %.3f\ndraw_ms_max %.3f\n"
	    "keys %llu\nkey_ms_avg %.3f\nkey_ms_max %.3f\naccounts %zu\n"
	    "lines %llu\n", (unsigned long long)a->frames,
	    a->frames ? a->draw_ms_total / (double)a->frames : 0.0,
	    a->draw_ms_max, (unsigned long long)a->keys,
	    a->keys ? a->key_ms_total / (double)a->keys : 0.0, a->key_ms_max,
	    accounts, (unsigned long long)lines);
	fclose(f);
}

/* The console's usage. */
static void
app_usage(FILE *f)
{
	fputs("usage: mailcon [--config FILE] [--theme NAME] [--from-start]\n"
	    "               [--read-only] [--demo [--speed N]] [-v --trace FILE]\n"
	    "       mailcon watch --headless [--config FILE] [--from-start]\n"
	    "                     [--lines] [-v --trace FILE]\n"
	    "Open the live console on the servers in the config file, or on\n"
	    "this machine's mail logs when none is configured.\n"
	    "\n"
	    "  --config FILE   read FILE instead of the default config\n"
	    "  --theme NAME    default, mono, light, 256 or a file path\n"
	    "  --from-start    read the logs from their start, not their end\n"
	    "  --demo          replay the bundled incident (a hijack from 200\n"
	    "                  addresses) through the live path; the action\n"
	    "                  keys act on a private sandbox, removed at exit\n"
	    "  --speed N       demo replay speed factor (default 1)\n"
	    "  --utc           classic syslog timestamps are UTC\n"
	    "  --read-only     no action keys (suspend, hold, purge, ...)\n"
	    "  --headless      (watch) no screen: follow the logs, print\n"
	    "                  alerts, apply the [watch] containment policy,\n"
	    "                  audit everything; stop with SIGTERM or ^C\n"
	    "  --lines         (watch) print every log line as it is read\n"
	    "                  (passwords in it shown as <hidden>)\n"
	    "  --trace FILE    append a trace of what happens to FILE, for a\n"
	    "                  bug report: log sources, servers, SSH\n"
	    "                  connections, actions, account levels, each\n"
	    "                  change time-stamped (escaped, no secrets)\n"
	    "  -v              more detail in the trace (-vv: each command\n"
	    "                  and remote program started and ended)\n"
	    "\n"
	    "A server here with no logs or log_command follows its mail\n"
	    "log, else the journal of its mail units; one with nothing to\n"
	    "read says NO LOG SOURCE on every view.\n"
	    "The console needs a terminal (watch --headless runs without).\n"
	    "Exit status: 0, 2 when it cannot start, 128+N when signal N\n"
	    "stopped it (143 after SIGTERM, 130 after ^C).\n"
	    "Keys: ? shows them all.  Other commands: mailcon --help.\n", f);
}

/* The terminal back as it was, once. */
static void
app_stop_screen(struct app *a)
{
	if (a->fe != NULL)
		a->fe->stop(a);
	a->fe = NULL;
}

/* See app.h. */
int
app_dialog(struct app *a, enum app_dialog what)
{
	if (a->fe == NULL || a->fe->dialog == NULL)
		return -1;
	return a->fe->dialog(a, what);
}

/* See app.h. */
void
app_bell(struct app *a)
{
	if (a->fe != NULL && a->fe->bell != NULL && a->ui != NULL)
		a->fe->bell(a);
}

/*
 * The servers here with neither logs nor log_command follow what
 * discover_source() finds (a log file, else the journal); what each
 * follows, or that it has nothing, goes after a->watching.
 */
static void
app_default_sources(struct app *a, struct mailcon_config *cfg)
{
	char	 said[1200];
	size_t	 i, off;

	for (i = 0; i < cfg->nservers; i++) {
		if (discover_source(&cfg->servers[i], NULL, NULL, said,
		    sizeof(said)) == DISCOVER_CONFIGURED)
			continue;
		off = strlen(a->watching);
		if (off < sizeof(a->watching))
			snprintf(a->watching + off, sizeof(a->watching) - off,
			    "; %s", said);
	}
}

/* See app.h. */
int
app_main(int argc, char **argv, const struct app_frontend *fe)
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "theme",	required_argument,	NULL, 't' },
		{ "from-start",	no_argument,		NULL, 'f' },
		{ "demo",	no_argument,		NULL, 'd' },
		{ "speed",	required_argument,	NULL, 's' },
		{ "utc",	no_argument,		NULL, 'u' },
		{ "read-only",	no_argument,		NULL, 'r' },
		{ "headless",	no_argument,		NULL, 'H' },
		{ "lines",	no_argument,		NULL, 'L' },
		{ "trace",	required_argument,	NULL, 'T' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct mailcon_config	 cfg;
	struct app		 a;
	const char		*config_path = NULL, *theme = NULL;
	const char		*trace_path = NULL;
	char			 err[512], *end;
	double			 speed = 1;
	int			 ch, from_start = 0, demo = 0, rc = EXIT_ERROR;
	int			 local = 0;
	int			 lines = 0, verbose = 0, headless = fe == NULL;
	size_t			 i;

	config_init(&cfg);
	memset(&a, 0, sizeof(a));
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":hv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 't':
			theme = optarg;
			break;
		case 'f':
			from_start = 1;
			break;
		case 'd':
			demo = 1;
			break;
		case 's':
			speed = strtod(optarg, &end);
			if (*end != '\0' || speed <= 0 || speed > 1000) {
				fprintf(stderr, "mailcon: --speed: expected a "
				    "factor from 0.1 to 1000\n");
				goto out;
			}
			break;
		case 'u':
			cfg.utc = 1;
			break;
		case 'r':
			a.read_only = 1;
			break;
		case 'H':
			if (!headless) {
				fprintf(stderr, "mailcon: --headless is for "
				    "'mailcon watch --headless'\n");
				goto out;
			}
			a.headless = 2;	/* said */
			break;
		case 'L':
			lines = 1;
			break;
		case 'T':
			trace_path = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			app_usage(stdout);
			rc = EXIT_CLEAN;
			goto out;
		default:
			cliopt_error(headless ? "watch" : NULL, ch, argv);
			fputs("Try 'mailcon --help'.\n", stderr);
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mailcon: unknown command \"%s\"; try "
		    "'mailcon --help'\n", sanitize_str(err, sizeof(err),
		    argv[optind]));
		goto out;
	}
	if (headless && a.headless != 2) {
		fprintf(stderr, "mailcon: watch: only --headless is there "
		    "(the console is plain 'mailcon')\n");
		goto out;
	}
	if (lines && !headless) {
		fprintf(stderr, "mailcon: --lines is for 'mailcon watch "
		    "--headless'\n");
		goto out;
	}
	if (headless && demo) {
		fprintf(stderr, "mailcon: watch --headless: no --demo\n");
		goto out;
	}
	if (verbose > 0 && trace_path == NULL) {
		fprintf(stderr, "mailcon: -v needs --trace FILE: the file the "
		    "trace is written to\n");
		goto out;
	}
	if (trace_path != NULL && trace_open(trace_path, verbose, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: %s\n", err);
		goto out;
	}
	a.headless = headless;
	if (config_load(&cfg, config_path, err, sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: %s\n", err);
		goto out;
	}
	/* a key file that is not there stops the start, naming the server */
	if (!demo && config_check_keys(&cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: %s\n", err);
		goto out;
	}
	if (theme == NULL)
		theme = cfg.theme;
	if (demo) {
		struct server_config *sc;
		char hist[PATH_MAX];

		if ((a.demo = demo_open(demo_default_dir(), speed, err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "mailcon: %s\n", err);
			goto out;
		}
		/* the demo is its own server, whatever the config says */
		for (i = 0; i < cfg.nservers; i++)
			cfg.servers[i].nlogs = 0;
		cfg.nservers = 0;
		sc = config_add_server(&cfg, "demo");
		config_server_add_log(sc, demo_path(a.demo));
		if (demo_server(a.demo, sc, err, sizeof(err)) == -1) {
			fprintf(stderr, "mailcon: %s\n", err);
			goto out;
		}
		/* its audit is the sandbox's, gone with it: no demo action
		   in the admin's history */
		snprintf(hist, sizeof(hist), "%s/history.db",
		    demo_dir(a.demo));
		free(cfg.history);
		cfg.history = xstrdup(hist);
		from_start = 1;
		snprintf(a.watching, sizeof(a.watching), "DEMO: replaying a "
		    "recorded hijack into %s; actions act on a sandbox in %s",
		    demo_path(a.demo), demo_dir(a.demo));
	} else if (cfg.nservers == 0) {
		discover_local(&cfg, a.watching, sizeof(a.watching));
		local = 1;
	} else
		snprintf(a.watching, sizeof(a.watching), "%zu server%s from %s",
		    cfg.nservers, cfg.nservers == 1 ? "" : "s",
		    cfg.path != NULL ? cfg.path : "the config");

	a.cfg = &cfg;
	/* the mail systems of the servers here; those behind SSH are asked
	   once connected (app_probe.c) */
	for (i = 0; i < cfg.nservers; i++)
		if (cfg.servers[i].ssh.host == NULL)
			probe_local(&cfg.servers[i]);
	/* a server here with no logs configured: the default source */
	if (!demo && !local)
		app_default_sources(&a, &cfg);
	logring_init(&a.log, 5000);
	msgring_init(&a.msgs, 20000);
	a.nservers = cfg.nservers;
	a.servers = xcalloc(a.nservers > 0 ? a.nservers : 1,
	    sizeof(*a.servers));
	for (i = 0; i < a.nservers; i++)
		a.servers[i] = server_new(&cfg.servers[i], (unsigned)i,
		    &cfg.detect, from_start, cfg.utc, &a.log, &a.msgs);
	app_geo_open(&a);
	for (i = 0; i < a.nservers; i++) {
		a.servers[i]->on_event = app_on_event;
		a.servers[i]->on_event_arg = &a;
		a.servers[i]->on_gap = app_on_gap;
		a.servers[i]->on_clock = app_on_clock;
		if (lines)
			a.servers[i]->on_line = app_on_line;
	}
	a.fleet = demo ? NULL : fleet_new(&cfg, a.servers, a.nservers,
	    from_start, cfg.utc,
	    app_on_unknown, &a);
	fleet_on_state(a.fleet, app_on_loghost_state);
	if (!demo)
		history_open(&a);

	if ((a.loop = loop_new()) == NULL) {
		fprintf(stderr, "mailcon: cannot create the event loop\n");
		goto out;
	}
	/* children are reaped from SIGCHLD, their pipes read by the loop */
	(void)child_attach(a.loop);
	for (i = 0; i < a.nservers; i++)
		a.servers[i]->loop = a.loop;
	a.warning_epoch = loop_now_ms();
	app_act_open(&a);
	if (headless) {
		app_act_print("watching %s; policy: at %s, %s", a.watching,
		    level_name((enum level)cfg.watch.level),
		    cfg.watch.contain == 0 ? "alert only (no [watch] contain)" :
		    (cfg.watch.contain & WATCH_SUSPEND) ? "suspend" :
		    "hold its mail");
	} else {
		if (fe->start(&a, theme, err, sizeof(err)) == -1) {
			fprintf(stderr, "mailcon: %s\n", err);
			goto out;
		}
		a.fe = fe;
		loop_add_fd(a.loop, STDIN_FILENO, POLLIN, app_on_key, &a);
	}
	app_policy_open(&a);
	app_alert_open(&a);
	app_rbl_open(&a);
	app_ssh_open(&a);
	loop_add_timer(a.loop, POLL_MS, 1, app_on_poll, &a);
	if (a.fleet != NULL)
		loop_add_timer(a.loop, FLEET_POLL_MS, 1, app_on_fleet_tick,
		    &a);
	/* without a screen nothing is drawn: the snapshot (where incidents
	   and the policy are found) can be taken more often */
	loop_add_timer(a.loop, headless ? HEADLESS_REFRESH_MS : REFRESH_MS, 1,
	    app_on_refresh, &a);
	loop_add_signal(a.loop, SIGTERM, app_on_signal, &a);
	loop_add_signal(a.loop, SIGINT, app_on_signal, &a);
	loop_add_signal(a.loop, SIGHUP, app_on_signal, &a);
	loop_set_idle(a.loop, app_on_idle, &a);
	app_fleet_read(&a, loop_now_ms());
	app_on_poll(&a);
	app_refresh_rows(&a);
	rc = loop_run(a.loop) == -1 ? EXIT_ERROR : a.signo != 0 ?
	    128 + a.signo : EXIT_CLEAN;
	app_stop_screen(&a);
	if (headless)
		app_act_print("stopped; %u containment action%s run",
		    a.act.contained, a.act.contained == 1 ? "" : "s");
	app_write_stats(&a);
	app_policy_close(&a);
	app_act_close(&a);
	app_rbl_close(&a);
	app_alert_close(&a);
	history_close(&a);
out:
	app_stop_screen(&a);
	app_probe_close(&a);
	app_ssh_close(&a);
	app_policy_close(&a);
	app_act_close(&a);
	app_rbl_close(&a);
	app_alert_close(&a);
	history_close(&a);
	fleet_free(a.fleet);
	for (i = 0; i < a.nservers; i++)
		server_free(a.servers[i]);
	app_geo_close();
	if (a.loop != NULL) {
		child_detach();
		loop_free(a.loop);
	}
	free(a.servers);
	free(a.rows);
	free(a.next);
	free(a.worst_next);
	notelog_free(&a.notes);
	recent_free(&a);
	free(a.incidents);
	free(a.gaps);
	free(a.hist);
	if (a.log.v != NULL)
		logring_free(&a.log);
	if (a.msgs.v != NULL)
		msgring_free(&a.msgs);
	demo_close(a.demo);
	config_free(&cfg);
	trace_close();
	return rc;
}

/* See app.h. */
int
cmd_watch(int argc, char **argv)
{
	return app_main(argc, argv, NULL);
}
