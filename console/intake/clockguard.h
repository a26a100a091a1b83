/*
 * clockguard.h: one log source's clock, as the detector should see it.
 *
 * A log line carries its writer's time.  One line stamped hours ahead (a bad
 * NTP step, a misconfigured host, a line forged into a shared log) would
 * otherwise move the detector's clock there, and every later event would
 * count as happening at that instant: windows collapse and ordinary accounts
 * look hijacked.  A line stamped hours back, or a clock stepped back, does
 * the same until the log catches up.
 *
 * The guard turns each line's own time into an effective time that never
 * goes back:
 *  - a line within CLOCK_TOLERANCE of the source's last time is ordinary
 *    (small disorder is normal in logs);
 *  - a line further away is a jump, judged by the lines that follow it:
 *    when a line comes back to the earlier time before CLOCK_CONFIRM lines
 *    (the jump's included) agree with it, the jump's lines were a clock
 *    anomaly and count at the source's current time (arrival order);
 *    when CLOCK_CONFIRM lines in a row agree, the source's clock stepped
 *    and its own time is used again, shifted so it continues from where
 *    the detector's time was (a backwards step never turns time back);
 *  - a source that is consistent from its first line (a server whose clock
 *    is hours wrong from the start) is simply used in its own time.
 *
 * Offline (scan) there is no arrival time: a jump ahead that holds is taken
 * as time that passed (a quiet night looks the same), so whether its first
 * lines count at the new time must be known before they are fed:
 * clockguard_foresee() reads the next stamps first.  Live, lines have an
 * arrival time: a jump ahead that the time since the last line (or the
 * wall clock) explains is ordinary; one it does not explain is placed at
 * the arrival clock (the last line's effective time plus the monotonic time
 * since), and if it holds, the source continues from there, unless it came
 * while a backlog was being read (lines arriving, without a pause, faster
 * than their times advance): then, as offline, it is time that passed.
 *
 * Pure: no I/O, no clock read; times are passed in.  Not thread-safe.
 */
#ifndef MAILCON_CLOCKGUARD_H
#define MAILCON_CLOCKGUARD_H

#include <stddef.h>
#include <stdint.h>

#define CLOCK_TOLERANCE	60	/* seconds of disorder that are ordinary */
#define CLOCK_CONFIRM	3	/* lines in a row that make a jump a step */
#define CLOCK_PAUSE_MS	1000	/* a pause in arrival: reading caught up */

struct clockguard {
	int		 started;
	int64_t		 last;		/* own time of the last line in step */
	int64_t		 off;		/* effective = own time + off */
	int64_t		 eff;		/* effective time of the latest line */
	/* a jump being judged */
	int		 dir;		/* +1 ahead, -1 back, 0 none */
	int		 n;		/* its lines so far */
	int64_t		 first;		/* own time of its first line */
	int64_t		 top;		/* latest own time among them */
	int64_t		 at;		/* effective time its first line got */
	int		 holds;		/* offline: clockguard_foresee's answer */
	/* live: the arrival clock is ref_eff + (ms - ref_ms) / 1000 */
	int64_t		 ref_eff;
	int64_t		 ref_ms;	/* -1: no line arrived live yet */
	/* live: the lines since arrival last paused (CLOCK_PAUSE_MS), to
	   tell a backlog being read from lines written as they come */
	int64_t		 run_eff, run_ms;	/* its first line */
	int64_t		 prev_ms;		/* the latest line's arrival */
	int		 catchup;	/* the jump came while reading a backlog */
	/* what it found */
	uint64_t	 anomalies;	/* lines off their neighbours' time */
	uint64_t	 steps;		/* jumps that held */
	uint64_t	 findings;	/* anomalies or steps decided, in all */
	int64_t		 jump;		/* the latest one's size, seconds */
	int64_t		 jump_at;	/* effective time it was at */
	int		 jump_step;	/* it was a step, not an anomaly */
	int		 jump_lines;	/* lines it had */
	int64_t		 jump_shift;	/* a step: how its times were moved */
	struct clockguard_find {
		int64_t	 jump;
		int64_t	 shift;
		int	 lines;
	}		 last_anomaly, last_step;
};

void	clockguard_init(struct clockguard *g);

/*
 * The effective time of the next line of this source, whose own time is
 * stamp.  ms: monotonic milliseconds it arrived at, or -1 offline (then
 * wall is unused); wall: the wall clock, UTC seconds.  Call once per line,
 * in the source's order.  g->findings grows when a jump was decided.
 */
int64_t	clockguard_time(struct clockguard *g, int64_t stamp, int64_t ms,
	    int64_t wall);

/*
 * Offline: whether a line of own time stamp starts a jump ahead, whose
 * first lines can only be placed once clockguard_foresee() has read on.
 */
int	clockguard_jumps_ahead(const struct clockguard *g, int64_t stamp);

/*
 * Offline: read the stamps of the jump's line (stamps[0]) and up to
 * CLOCK_CONFIRM - 1 lines after it (fewer only where the stream ends),
 * and remember whether the jump holds.  Call right before
 * clockguard_time() for stamps[0].
 */
void	clockguard_foresee(struct clockguard *g, const int64_t *stamps,
	    size_t n);

/*
 * Live: the source's arrival clock at monotonic time ms (its effective
 * time, aged by the time since its latest line), or -1 before any line.
 */
int64_t	clockguard_now(const struct clockguard *g, int64_t ms);

/*
 * The latest finding in plain words ("1 line stamped 3h 0m ahead of its
 * neighbours, counted at its arrival", "clock stepped back 2h 0m; times
 * continue from before the step"); "" when none.
 */
void	clockguard_describe(const struct clockguard *g, char *buf,
	    size_t size);

/*
 * Everything found, for a report: "2 lines stamped far from the lines
 * around them (the latest 3h 0m ahead); 1 clock step (the latest back 1h
 * 0m, later times moved 1h 0m later)"; "" when nothing.
 */
void	clockguard_summary(const struct clockguard *g, char *buf,
	    size_t size);

/* "3h 0m", "2m 5s", "40s": a duration for the texts above. */
void	clockguard_span(int64_t secs, char *buf, size_t size);

#endif
