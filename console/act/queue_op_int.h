/*
 * queue_op_int.h: the state of a queue operation's run, shared by the
 * runner (queue_op.c) and its cutting of the ids into batches
 * (queue_batch.c).  Private to console/act.
 */
#ifndef MAILCON_QUEUE_OP_INT_H
#define MAILCON_QUEUE_OP_INT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "queue_op.h"
#include "core/linebuf.h"
#include "net/cmdrun.h"

enum qo_state {
	QO_RUNNING,
	QO_WAITING,	/* before a round of the busy ones */
	QO_DONE,
	QO_FAILED
};

struct queue_op_run {
	enum qo_state	 state;
	enum queue_op	 op;
	const struct mail_backend *b;
	const struct backend_queue_op *qop;
	char		**argv;		/* tool and op's words; copies */
	size_t		 nfixed;	/* words before the ids */
	char		*ids;		/* "ID\n" for every id */
	size_t		*batch_off;	/* nbatch + 1 offsets into ids */
	size_t		*batch_id;	/* nbatch + 1 indexes of ids */
	const char	**bq;		/* nbatch: each batch's queue word
					   (the backend's), or NULL */
	uint8_t		*said;		/* per asked[]: the tool said done */
	size_t		 nids, nbatch, batch;
	char		**asked;	/* the ids asked for, sorted */
	char		*busybuf;	/* "ID\0" of each busy one this round,
					   then each one missed in its queue */
	size_t		 busylen, busycap, nbusy;
	int		 round;		/* 1 the first; up to QO_ROUNDS */
	int64_t		 wake_ms;	/* QO_WAITING: when the next round */
	size_t		 batch_errors;	/* errors when the batch started */
	size_t		 batches_total;	/* processes of every round */
	struct cmdrun	*cr;		/* the batch running, or NULL */
	struct cmdrun_via via;		/* its strings in server, user */
	char		 server[128], user[128];
	struct linebuf	 out, err;	/* its output, into lines */
	int		 deadline_ms;
	int		 summary;	/* this batch printed its summary */
	size_t		 done, lines, busy, errors, batches_done;
	int		 exit_status;
	char		 cmd[96];	/* tool and first word, sanitised */
	char		 text[QUEUE_OP_STDERR_MAX * 4];	/* with a NUL */
	size_t		 textlen;
	char		 error[QUEUE_OP_STDERR_MAX * 4 + 256];
};

/* queue_batch.c */
/* strcmp of two ids held by pointer (qsort, bsearch). */
int	 qo_cmp(const void *a, const void *b);
/* The index in asked[] of the id a line names, or -1 (not asked for). */
ssize_t	 qo_asked_index(const struct queue_op_run *run,
	    const struct queue_line *l, char *id);
/* Keep an id for the next round, once among the first n kept. */
void	 qo_again(struct queue_op_run *run, const char *id, size_t n);
/* Cut ids into batches (words: the queue word of each, or NULL). */
void	 qo_batches(struct queue_op_run *run, const char *const *ids,
	    const char *const *words, size_t nids);
/* The ids asked for, sorted. */
void	 qo_asked(struct queue_op_run *run, const char *const *ids);
/* The first round's batches, grouped by the op's queue words. */
void	 qo_first_batches(struct queue_op_run *run, const char *const *ids,
	    const enum queue_name *queues, size_t nids);
/* Keep for the next round the ids the tool missed in their queue. */
void	 qo_missed(struct queue_op_run *run);

#endif
