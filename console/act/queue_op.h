/*
 * queue_op.h: hold, release or purge a list of queued messages with the
 * MTA's own tool, as its backend describes it (backends/backend.h, struct
 * backend_queue_op), for the event loop, without blocking it.
 *
 * The command is the queue's tool (rendered by the caller), then the
 * operation's words, then, when the tool takes its ids as arguments, the
 * ids; otherwise the ids go to its stdin, one per line.  The ids go in
 * batches, one process after another, never more than the backend's
 * batch_max ids (nor, as arguments, argv_max bytes of them) a process:
 * never one process per message (3,000 messages a second against a few
 * hundred), never a word meaning "all".  Every id is checked with the
 * queue's id_valid before anything runs: one bad id refuses the whole
 * run, because the list came from text an attacker wrote.
 *
 * Each line the tool prints, on stdout or stderr, goes to the backend's
 * parser: a message done, a summary ("N messages"), one skipped or one
 * busy (locked by a delivery), or something else, which is kept and
 * shown.  An id the tool does not find (gone, or already in the wanted
 * state) is skipped, so "not done" is what was asked minus what it said
 * it did.  A process that exits non-zero, or, for a tool that prints a
 * summary, exits 0 without one (not that tool, or not that version),
 * fails the run: a count is only reported as done when the tool said so;
 * but a tool's partial_exit (Exim's 1: some were not done) is no failure
 * when every line the batch printed was the tool's own.  The messages the
 * tool said were locked by a delivery go again, after a pause of a
 * second, up to four runs in all; those still locked are said in the
 * result ("N messages locked by a running delivery, tried 4 times").
 *
 * Usage with the loop: poll what queue_op_fds() gives; on any event, on
 * SIGCHLD, and at least every queue_op_wait_ms() call queue_op_step().
 * The descriptors change between batches: ask again after every step.
 * On a server over SSH (via) the same ids, batches and parsing apply;
 * there are no descriptors: the connection's owner steps it (cmdrun.h).
 */
#ifndef MAILCON_QUEUE_OP_H
#define MAILCON_QUEUE_OP_H

#include <sys/types.h>

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"

#define QUEUE_OP_STDERR_MAX	1024	/* bytes of unexpected output kept */
#define QUEUE_OP_ROUNDS		4	/* runs of a message a delivery keeps
					   locked (a second apart) */
#define QUEUE_OP_NFDS		3	/* most fds queue_op_fds() returns */

struct queue_op_result {
	enum queue_op	 op;
	size_t		 requested;	/* ids asked for */
	size_t		 done;		/* what the tool said it did */
	size_t		 not_done;	/* requested - done (not found etc.) */
	size_t		 lines;		/* per-message lines ("ID: removed") */
	size_t		 busy;		/* messages it could not touch now */
	size_t		 errors;	/* other stderr/stdout lines */
	size_t		 batches;	/* processes the run needs */
	size_t		 batches_done;	/* of them, finished as they must */
	int		 exit_status;	/* last process: exit code, 128 +
					   signal; -1 not run or not reaped */
	/* copies: the result outlives the run */
	char		 stderr_text[QUEUE_OP_STDERR_MAX * 4];	/* unexpected
					   lines, sanitised, joined by "; " */
	char		 error[QUEUE_OP_STDERR_MAX * 4 + 256];	/* why the run
					   failed; "" when it has not */
};

struct queue_op_run;
struct cmdrun_via;

/*
 * Check every id, then start the first batch on via (NULL: here): tool
 * (tool[0] looked up in PATH, and its arguments: the caller's rendering
 * of b's queue tool), op's words, and the ids.  Each process must finish
 * within deadline_ms of its own start or it is killed (locally its
 * process group) and the run fails.  Returns NULL with a message in err
 * when b cannot do op, an id is invalid (nothing is run) or no process
 * can be started; a missing binary shows as a failed run.
 */
struct queue_op_run *queue_op_start(const struct cmdrun_via *via,
		     const struct mail_backend *b, enum queue_op op,
		     char *const tool[], const char *const *ids, size_t nids,
		     int64_t now_ms, int deadline_ms, char *err, size_t errlen);
/*
 * queue_op_start() with each id's queue as the read that chose them saw it
 * (queues[i] for ids[i]; NULL: not known): where the backend's op takes
 * queue_words, each batch holds the ids of one queue and names it.
 */
struct queue_op_run *queue_op_start_in(const struct cmdrun_via *via,
		     const struct mail_backend *b, enum queue_op op,
		     char *const tool[], const char *const *ids,
		     const enum queue_name *queues, size_t nids,
		     int64_t now_ms, int deadline_ms, char *err, size_t errlen);
/* Fill pfd (QUEUE_OP_NFDS entries) with what to poll; returns how many. */
size_t		 queue_op_fds(const struct queue_op_run *run,
		     struct pollfd *pfd);
/* Do what can be done without blocking: 0 running, 1 done, -1 failed. */
int		 queue_op_step(struct queue_op_run *run, int64_t now_ms);
/* How long the loop may sleep before calling queue_op_step() again. */
int		 queue_op_wait_ms(const struct queue_op_run *run,
		     int64_t now_ms);
/* The counts so far (final once queue_op_step() returned 1 or -1). */
void		 queue_op_result(const struct queue_op_run *run,
		     struct queue_op_result *out);
/* The running process, or -1. */
pid_t		 queue_op_pid(const struct queue_op_run *run);
/*
 * Add a line a tool printed (sanitised) to text (size bytes, textlen of
 * them used), after "; " when it is not the first; returns the new length
 * (the same when it is full).
 */
size_t		 queue_op_text_add(char *text, size_t size, size_t textlen,
		     const char *p, size_t len);
/* Kill (the process group, SIGKILL) and reap a child still running; over
   SSH, close its channel. */
void		 queue_op_free(struct queue_op_run *run);

#endif
