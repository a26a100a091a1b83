/*
 * queue_take.h: an MTA's take (backends/backend.h, struct backend_queue):
 * the read that chooses an account's queued messages and hands each of
 * them to the operation's tool as it goes, so that the removal (or hold,
 * or release) starts while the queue is still read.  For the event loop,
 * here or on a server over SSH (cmdrun.h), without blocking it.
 *
 * Its stdout is the tool's lines (judged by the op's line(), as a queue
 * operation's are), then the line TAKE_RECORDS, then the records of the
 * messages chosen, in the listing's form (a struct queue_snapshot, as
 * queue_read.c keeps one).  The ids the tool said it did, or said are
 * gone, are kept (queue_take_reported()); the caller runs the op on the
 * rest of what it chooses (the busy ones, those without a login).
 */
#ifndef MAILCON_QUEUE_TAKE_H
#define MAILCON_QUEUE_TAKE_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "queue.h"
#include "queue_op.h"
#include "backends/backend.h"

struct queue_take;
struct cmdrun_via;

struct queue_take_result {
	size_t		 done;		/* the tool said it did */
	size_t		 gone;		/* it said they were gone or so */
	size_t		 busy;		/* locked by a delivery */
	size_t		 errors;	/* other lines */
	char		 text[QUEUE_OP_STDERR_MAX * 4];	/* those lines,
					   sanitised, joined by "; " */
};

/*
 * Start argv (b's take for op, rendered) on via (NULL: here); it must end
 * within deadline_ms.  NULL with err when b cannot take op or nothing
 * could be started.
 */
struct queue_take *queue_take_start(const struct cmdrun_via *via,
		     const struct mail_backend *b, enum queue_op op,
		     char *const argv[], int64_t now_ms, int deadline_ms,
		     char *err, size_t errlen);
size_t		 queue_take_fds(const struct queue_take *qt,
		     struct pollfd *pfd);
/* 0 running, 1 done (see the snapshot), -1 failed (see the error). */
int		 queue_take_step(struct queue_take *qt, int64_t now_ms);
int		 queue_take_wait_ms(const struct queue_take *qt,
		     int64_t now_ms);
/* The counts so far (final once queue_take_step() returned 1 or -1). */
void		 queue_take_result(const struct queue_take *qt,
		     struct queue_take_result *out);
/* Did the tool say it did id, or that id is gone (once it has ended)? */
int		 queue_take_reported(const struct queue_take *qt,
		     const char *id);
/* Move the records out (the caller clears out). */
void		 queue_take_snapshot(struct queue_take *qt,
		     struct queue_snapshot *out);
/* Why it failed, naming the command; "" while all is well. */
const char	*queue_take_error(const struct queue_take *qt);
/* Kill (locally its process group) and reap what still runs; free. */
void		 queue_take_free(struct queue_take *qt);

#endif
