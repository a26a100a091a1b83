/*
 * trace.h: what mailcon did and why, for a bug report, in the manner of
 * tmux's log_debug and OpenSMTPD's log_trace: `mailcon -v --trace FILE`
 * (and `mailcon watch --headless -v --trace FILE`) writes each state
 * change, time-stamped, to FILE.
 *
 * Levels: 1 (-v) state changes: log sources (live, missing, restarted,
 * gaps, rotations), servers, SSH connections, actions (started, each
 * outcome), the detector's account levels; 2 (-vv) more detail: each
 * command and remote program started and ended, its pid or channel,
 * what the remote follower reported.
 *
 * The trace is attacker text like anything shown: each line is escaped
 * (sanitize_line()) before it is written, and pieces that must stay
 * distinguishable (account names, paths) are passed sanitize_text()'d.
 * It never holds a secret: callers pass what the screen shows (log
 * lines only as server_line() redacted them, never a generated password,
 * never an action's stdin).
 *
 * Lines are queued and written by a thread of their own, so a slow disk
 * never holds the loop; when the queue is full, lines are dropped and
 * their number written when there is room again.  The file is made mode
 * 600 and appended to.
 */
#ifndef MAILCON_TRACE_H
#define MAILCON_TRACE_H

#include <stddef.h>

#define TRACE_LINE_MAX	1024	/* bytes of one line, escaped */
#define TRACE_QUEUE_MAX	(1u << 20)	/* bytes queued, at most */

/* 0: no trace; else the level asked for (the number of -v). */
extern int	trace_level;

/*
 * Start tracing at level (1 or more) to path: 0, or -1 with err saying
 * why (the file cannot be opened).  Writes a first line saying what and
 * when.
 */
int	trace_open(const char *path, int level, char *err, size_t errlen);
/* Write what is queued and stop (at exit). */
void	trace_close(void);
/* One line at level (printf); use trace(), which costs nothing when off. */
void	trace_log(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define trace(level, ...) \
	((level) <= trace_level ? trace_log((level), __VA_ARGS__) : (void)0)

#endif
