/*
 * app.c: `mailcon` without a command: the live console's loop.
 *
 * One thread, one poll() loop (loop.c): a short timer reads what the
 * followed logs have (a byte budget per file, so a flood cannot starve the
 * keyboard), a slower one ages windows and refreshes the accounts
 * snapshot, stdin delivers keys, and the idle callback draws once per
 * wake-up.  Nothing here waits on a file, a command or the network.
 * app_main.c sets it up; app_hooks.c takes what the reads report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "app.h"
#include "app_act.h"
#include "app_alert.h"
#include "app_loop.h"
#include "app_probe.h"
#include "demo.h"
#include "fleet.h"
#include "history.h"
#include "core/loop.h"

#define READ_BUDGET	(256u * 1024)	/* bytes per file per read */
#define READ_SLICE_MS	30		/* reading a busy file per poll */
#define FLEET_MORE_MS	10		/* a log host's stream behind: read
					   on this soon */
#define FLEET_FRAME_MS	45		/* their lines drawn at most this
					   often */

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

static void	app_on_fleet_more(void *);

/*
 * Read the log hosts' streams for a slice.  One stream carries hundreds
 * of servers' lines: when it still has more, read on after FLEET_MORE_MS
 * rather than at the next poll, keys and frames handled between.  What
 * was read is drawn at once (the servers' poll would show it up to
 * POLL_MS later), but not more often than every FLEET_FRAME_MS: a later
 * read draws what this one did not.
 */
void
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
void
app_on_fleet_tick(void *arg)
{
	app_fleet_read(arg, loop_now_ms());
}

/* Timer: read the logs (and the demo's next lines). */
void
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
void
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

/* stdin is readable: keys. */
void
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
void
app_on_signal(int signo, void *arg)
{
	struct app	*a = arg;

	a->quit = 1;
	a->signo = signo;
	loop_stop(a->loop);
}

/* Idle: draw once per wake-up if anything changed, timing the frame. */
void
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
void
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
