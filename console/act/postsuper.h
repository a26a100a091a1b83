/*
 * postsuper.h: hold, release or purge a list of queued messages through
 * Postfix's postsuper, for the event loop, without blocking it.
 *
 * The ids go to `postsuper [base args] -h|-H|-d -` on stdin, one per line,
 * in batches of at most POSTSUPER_BATCH_MAX ids per process, one process
 * after another: never one process per message (3,000 messages a second
 * against a few hundred), never `ALL` (that is every account's mail).
 * Every id is checked with queue_id_is_valid() before anything runs: one
 * bad id (`ALL`, `-x`, shell text, an empty line) refuses the whole run,
 * because the list came from text an attacker wrote.
 *
 * Postfix 3.7 prints, on stderr, one line per message it changed and a
 * summary at the end of every run, even when it changed nothing:
 *
 *	postsuper: 3230FAB4944: placed on hold
 *	postsuper: Placed on hold: 3 messages
 *	postsuper: 3230FAB4944: released from hold
 *	postsuper: Released from hold: 3 messages
 *	postsuper: 3230FAB4944: removed
 *	postsuper: Deleted: 3 messages
 *
 * An id it does not find (gone, or already in the wanted state) is skipped
 * silently, so "not done" is what was asked minus what the summaries say.
 * A process that exits non-zero, or exits 0 without a summary (not Postfix,
 * or not this version), fails the run: a count is only reported as done
 * when postsuper said so.
 *
 * Usage with the loop: poll what postsuper_fds() gives; on any event, on
 * SIGCHLD, and at least every postsuper_wait_ms() call postsuper_step().
 * The descriptors change between batches: ask again after every step.
 * On a server over SSH (postsuper_start_via) the same ids, batches and
 * parsing apply; there are no descriptors: the connection's owner steps
 * it (cmdrun.h).
 */
#ifndef MAILCON_POSTSUPER_H
#define MAILCON_POSTSUPER_H

#include <sys/types.h>

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define POSTSUPER_BATCH_MAX	10000	/* ids per postsuper process */
#define POSTSUPER_STDERR_MAX	1024	/* bytes of unexpected stderr kept */
#define POSTSUPER_NFDS		3	/* most fds postsuper_fds() returns */

enum postsuper_op {
	POSTSUPER_HOLD = 0,	/* -h */
	POSTSUPER_RELEASE,	/* -H */
	POSTSUPER_DELETE	/* -d */
};

struct postsuper_result {
	enum postsuper_op	 op;
	size_t		 requested;	/* ids asked for */
	size_t		 done;		/* sum of the summary lines' counts */
	size_t		 not_done;	/* requested - done (not found etc.) */
	size_t		 lines;		/* per-message lines ("ID: removed") */
	size_t		 errors;	/* other stderr/stdout lines */
	size_t		 batches;	/* processes the run needs */
	size_t		 batches_done;	/* of them, finished with a summary */
	int		 exit_status;	/* last process: exit code, 128 +
					   signal; -1 not run or not reaped */
	/* copies: the result outlives the run */
	char		 stderr_text[POSTSUPER_STDERR_MAX * 4];	/* unexpected
					   lines, sanitised, joined by "; " */
	char		 error[POSTSUPER_STDERR_MAX * 4 + 256];	/* why the run
					   failed; "" when it has not */
};

struct postsuper_run;
struct cmdrun_via;

/*
 * Check every id, then start the first batch: base_argv[0] (looked up in
 * PATH) with base_argv's arguments, then the operation's flag and "-".
 * Each process must finish within deadline_ms of its own start or its
 * process group is killed and the run fails.  Returns NULL with a message
 * in err when an id is invalid (nothing is run) or no process can be
 * started; a missing binary shows as a failed run.
 */
struct postsuper_run *postsuper_start(enum postsuper_op op,
		     char *const base_argv[], const char *const *ids,
		     size_t nids, int64_t now_ms, int deadline_ms, char *err,
		     size_t errlen);
/* The same on via (NULL: here); NULL with err when its connection is not
   live. */
struct postsuper_run *postsuper_start_via(const struct cmdrun_via *via,
		     enum postsuper_op op, char *const base_argv[],
		     const char *const *ids, size_t nids, int64_t now_ms,
		     int deadline_ms, char *err, size_t errlen);
/* Fill pfd (POSTSUPER_NFDS entries) with what to poll; returns how many. */
size_t		 postsuper_fds(const struct postsuper_run *run,
		     struct pollfd *pfd);
/* Do what can be done without blocking: 0 running, 1 done, -1 failed. */
int		 postsuper_step(struct postsuper_run *run, int64_t now_ms);
/* How long the loop may sleep before calling postsuper_step() again. */
int		 postsuper_wait_ms(const struct postsuper_run *run,
		     int64_t now_ms);
/* The counts so far (final once postsuper_step() returned 1 or -1). */
void		 postsuper_result(const struct postsuper_run *run,
		     struct postsuper_result *out);
/* The running process, or -1. */
pid_t		 postsuper_pid(const struct postsuper_run *run);
const char	*postsuper_op_flag(enum postsuper_op op);
/* Kill (the process group, SIGKILL) and reap a child still running; over
   SSH, close its channel. */
void		 postsuper_free(struct postsuper_run *run);

#endif
