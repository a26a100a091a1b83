/* clockguard.c: a log source's effective clock (see clockguard.h). */
#include <stdio.h>
#include <string.h>

#include "clockguard.h"

/* See clockguard.h. */
void
clockguard_init(struct clockguard *g)
{
	memset(g, 0, sizeof(*g));
	g->ref_ms = g->run_ms = g->prev_ms = -1;
	g->holds = 1;
}

/* The arrival clock at monotonic ms, or -1 without one. */
static int64_t
guard_arrival(const struct clockguard *g, int64_t ms)
{
	if (g->ref_ms < 0 || ms < 0)
		return -1;
	if (ms < g->ref_ms)
		return g->ref_eff;
	return g->ref_eff + (ms - g->ref_ms) / 1000;
}

/* See clockguard.h. */
int64_t
clockguard_now(const struct clockguard *g, int64_t ms)
{
	int64_t	 arr;

	if (!g->started)
		return -1;
	arr = guard_arrival(g, ms);
	return arr > g->eff ? arr : g->eff;
}

/*
 * Give a line effective time e, never before the latest; live, a line at
 * or past the arrival clock becomes its new reference.
 */
static int64_t
guard_place(struct clockguard *g, int64_t e, int64_t ms)
{
	int64_t	 arr;

	if (e < g->eff)
		e = g->eff;
	g->eff = e;
	if (ms < 0)
		return e;
	if ((arr = guard_arrival(g, ms)) < 0 || e >= arr) {
		g->ref_eff = e;
		g->ref_ms = ms;
	}
	if (g->run_ms < 0 || ms - g->prev_ms >= CLOCK_PAUSE_MS) {
		g->run_eff = e;
		g->run_ms = ms;
	}
	g->prev_ms = ms;
	return e;
}

/*
 * Where a line of a jump under judgement counts: a jump back at the
 * current time; a jump ahead live at most at the arrival clock, offline at
 * its own time when it will hold, else at the current time.
 */
static int64_t
guard_place_jump(struct clockguard *g, int64_t stamp, int64_t ms)
{
	int64_t	 arr, e = stamp + g->off;

	if (g->dir < 0)
		return guard_place(g, g->eff, ms);
	if (ms >= 0) {
		if ((arr = guard_arrival(g, ms)) >= 0 && e > arr)
			e = arr;
		return guard_place(g, e, ms);
	}
	return guard_place(g, g->holds ? e : g->eff, ms);
}

/*
 * The jump was decided: a step (its own time is used again, moved so that
 * it goes on from where its first line was placed) or anomalous lines.  A
 * jump ahead that holds at its own time is time that passed (offline, a
 * quiet spell), not a finding.
 */
static void
guard_decide(struct clockguard *g, int step)
{
	int64_t	 shift = step ? g->at - g->first - g->off : 0;

	/* read from a backlog, a jump ahead is a quiet spell in it */
	if (step && g->dir > 0 && g->catchup)
		shift = 0;

	if (!step || g->first < g->last || shift != 0) {
		g->jump = g->first - g->last;
		g->jump_at = g->at;
		g->jump_step = step;
		g->jump_lines = g->n;
		g->jump_shift = shift;
		g->findings++;
		if (step) {
			g->steps++;
			g->last_step.jump = g->jump;
			g->last_step.shift = shift;
		} else {
			g->anomalies += (uint64_t)g->n;
			g->last_anomaly.jump = g->jump;
			g->last_anomaly.lines = g->n;
		}
	}
	if (step) {
		g->off += shift;
		g->last = g->top;
	}
	g->dir = 0;
	g->holds = 1;
}

/* See clockguard.h. */
int64_t
clockguard_time(struct clockguard *g, int64_t stamp, int64_t ms,
    int64_t wall)
{
	int64_t	 arr, e;

	if (!g->started) {
		g->started = 1;
		g->last = g->eff = stamp;
		return guard_place(g, stamp, ms);
	}
	if (g->dir != 0) {
		if ((g->dir > 0 && stamp < g->first - CLOCK_TOLERANCE) ||
		    (g->dir < 0 && stamp >= g->last - CLOCK_TOLERANCE))
			guard_decide(g, 0);	/* back to the earlier time */
		else {
			g->n++;
			if (stamp > g->top)
				g->top = stamp;
			e = guard_place_jump(g, stamp, ms);
			if (g->n >= CLOCK_CONFIRM)
				guard_decide(g, 1);
			return e;
		}
	}
	if (stamp >= g->last - CLOCK_TOLERANCE &&
	    stamp <= g->last + CLOCK_TOLERANCE) {
		if (stamp > g->last)
			g->last = stamp;
		return guard_place(g, stamp + g->off, ms);
	}
	if (stamp > g->last && ms >= 0) {
		/* ahead, but no further than the time since explains */
		arr = guard_arrival(g, ms);
		if (arr < wall)
			arr = wall;
		if (stamp + g->off <= arr + CLOCK_TOLERANCE) {
			g->last = stamp;
			return guard_place(g, stamp + g->off, ms);
		}
	}
	g->dir = stamp > g->last ? 1 : -1;
	g->n = 1;
	g->first = g->top = stamp;
	/* were the lines before it a backlog, arriving without a pause and
	   their times running ahead of their arrival? */
	g->catchup = ms >= 0 && g->run_ms >= 0 &&
	    ms - g->prev_ms < CLOCK_PAUSE_MS &&
	    g->eff - g->run_eff > (g->prev_ms - g->run_ms) / 1000 +
	    CLOCK_TOLERANCE;
	g->at = e = guard_place_jump(g, stamp, ms);
	return e;
}

/* See clockguard.h. */
int
clockguard_jumps_ahead(const struct clockguard *g, int64_t stamp)
{
	if (!g->started)
		return 0;
	if (g->dir > 0 && stamp >= g->first - CLOCK_TOLERANCE)
		return 0;	/* goes on with the jump being judged */
	if (g->dir < 0 && stamp < g->last - CLOCK_TOLERANCE)
		return 0;
	return stamp > g->last + CLOCK_TOLERANCE;
}

/* See clockguard.h. */
void
clockguard_foresee(struct clockguard *g, const int64_t *stamps, size_t n)
{
	struct clockguard	 c = *g;
	size_t			 i;

	/* the jump is decided by its CLOCK_CONFIRM-th line at the latest */
	if (n > CLOCK_CONFIRM)
		n = CLOCK_CONFIRM;
	c.holds = 1;
	for (i = 0; i < n && c.anomalies == g->anomalies; i++)
		(void)clockguard_time(&c, stamps[i], -1, 0);
	g->holds = c.anomalies == g->anomalies;
}

/* See clockguard.h. */
void
clockguard_span(int64_t secs, char *buf, size_t size)
{
	if (secs < 0)
		secs = -secs;
	if (secs >= 86400)
		snprintf(buf, size, "%lldd %lldh", (long long)(secs / 86400),
		    (long long)(secs % 86400 / 3600));
	else if (secs >= 3600)
		snprintf(buf, size, "%lldh %lldm", (long long)(secs / 3600),
		    (long long)(secs % 3600 / 60));
	else if (secs >= 60)
		snprintf(buf, size, "%lldm %llds", (long long)(secs / 60),
		    (long long)(secs % 60));
	else
		snprintf(buf, size, "%llds", (long long)secs);
}

/* See clockguard.h. */
void
clockguard_describe(const struct clockguard *g, char *buf, size_t size)
{
	char		 span[32], shift[32];
	const char	*way = g->jump > 0 ? "ahead" : "back";

	if (g->findings == 0) {
		if (size > 0)
			buf[0] = '\0';
		return;
	}
	clockguard_span(g->jump, span, sizeof(span));
	clockguard_span(g->jump_shift, shift, sizeof(shift));
	if (!g->jump_step)
		snprintf(buf, size, "clock anomaly: %d line%s stamped %s %s of "
		    "the lines around %s, counted in arrival order",
		    g->jump_lines, g->jump_lines == 1 ? "" : "s", span,
		    g->jump > 0 ? "ahead" : "behind",
		    g->jump_lines == 1 ? "it" : "them");
	else if (g->jump_shift == 0)
		snprintf(buf, size, "clock jumped %s ahead and stayed there: "
		    "its own time is used from then on", span);
	else
		snprintf(buf, size, "clock stepped %s %s and stayed there: "
		    "times go on from where they were (%s %s)", way, span,
		    g->jump_shift > 0 ? "later by" : "earlier by", shift);
}

/* See clockguard.h. */
void
clockguard_summary(const struct clockguard *g, char *buf, size_t size)
{
	char	 a[160] = "", st[160] = "", j[32], sh[32];

	if (g->anomalies > 0) {
		clockguard_span(g->last_anomaly.jump, j, sizeof(j));
		snprintf(a, sizeof(a), "%llu line%s stamped far from the lines "
		    "around %s (the latest %s %s), counted in arrival order",
		    (unsigned long long)g->anomalies, g->anomalies == 1 ? "" :
		    "s", g->anomalies == 1 ? "it" : "them", j,
		    g->last_anomaly.jump > 0 ? "ahead" : "behind");
	}
	if (g->steps > 0) {
		clockguard_span(g->last_step.jump, j, sizeof(j));
		clockguard_span(g->last_step.shift, sh, sizeof(sh));
		snprintf(st, sizeof(st), "%llu clock step%s (the latest %s %s, "
		    "later times moved %s %s)", (unsigned long long)g->steps,
		    g->steps == 1 ? "" : "s", g->last_step.jump > 0 ?
		    "ahead" : "back", j, sh, g->last_step.shift > 0 ?
		    "later" : "earlier");
	}
	snprintf(buf, size, "%s%s%s", a, a[0] != '\0' && st[0] != '\0' ?
	    "; " : "", st);
}
