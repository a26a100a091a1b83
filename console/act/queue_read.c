/*
 * queue_read.c: run the MTA's queue listing for the event loop without
 * blocking it, here or on a server over SSH: a cmdrun (cmdrun.h) whose
 * stdout goes to queue_snapshot_feed() as it arrives.
 *
 * A local read reads at most QUEUE_READ_SLICE bytes a call; one that
 * outlives its deadline has its whole process group killed with SIGKILL
 * and is reaped before it reports failure: nothing is left behind.  The
 * loop must not set SIGCHLD to SIG_IGN (children would be reaped behind
 * our back and every read would fail).
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "core/xmalloc.h"
#include "net/cmdrun.h"

struct queue_read {
	struct cmdrun		*run;
	int			 ended;		/* the snapshot had its end */
	struct queue_snapshot	 snap;
};

/* Parse what the listing printed on stdout (the run's callback). */
static void
queue_read_feed(void *arg, int stream, const char *p, size_t len)
{
	struct queue_read	*qr = arg;

	if (stream == CMDRUN_STDOUT)
		queue_snapshot_feed(&qr->snap, p, len);
}

/* See queue.h. */
struct queue_read *
queue_read_start_via(const struct cmdrun_via *via,
    const struct backend_queue *q, char *const argv[], int64_t now_ms,
    int deadline_ms, char *err, size_t errlen)
{
	return queue_read_start_in(via, q, argv, NULL, 0, now_ms, deadline_ms,
	    err, errlen);
}

/* See queue.h. */
struct queue_read *
queue_read_start_in(const struct cmdrun_via *via,
    const struct backend_queue *q, char *const argv[], const char *input,
    size_t inlen, int64_t now_ms, int deadline_ms, char *err, size_t errlen)
{
	struct queue_read	*qr;
	struct cmdrun_spec	 spec;

	if (q == NULL)
		q = backend_default(BROLE_MTA)->queue;
	if (q == NULL || q->parse_line == NULL) {
		snprintf(err, errlen, "not supported by its mail system "
		    "(no queue listing mailcon can read)");
		return NULL;
	}
	qr = xcalloc(1, sizeof(*qr));

	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	/* a backend's script (/bin/sh -c SCRIPT NAME ...) goes by its NAME */
	if (argv != NULL && argv[0] != NULL && argv[1] != NULL &&
	    strcmp(argv[1], "-c") == 0 && argv[2] != NULL && argv[3] != NULL)
		spec.name = argv[3];
	spec.input = input;
	spec.inlen = inlen;
	spec.deadline_ms = deadline_ms;
	spec.cb = queue_read_feed;
	spec.arg = qr;
	spec.budget = QUEUE_READ_SLICE;
	spec.hint = "is it installed and in PATH?";
	queue_snapshot_init(&qr->snap, 0);
	queue_snapshot_parser(&qr->snap, q);
	if ((qr->run = cmdrun_run(via, &spec, now_ms, err, errlen)) == NULL) {
		queue_snapshot_clear(&qr->snap);
		free(qr);
		return NULL;
	}
	return qr;
}

/* Start reading the queue here with argv; see queue.h. */
struct queue_read *
queue_read_start(char *const argv[], int64_t now_ms, int deadline_ms,
    char *err, size_t errlen)
{
	return queue_read_start_via(NULL, NULL, argv, now_ms, deadline_ms,
	    err, errlen);
}

/* Change the record cap; only before the first input. */
void
queue_read_set_maxrec(struct queue_read *qr, size_t maxrec)
{
	const struct backend_queue	*q = qr->snap.parser;

	queue_snapshot_init(&qr->snap, maxrec);
	queue_snapshot_parser(&qr->snap, q);
}

/* The stdout descriptor to poll, or -1 after its EOF (or over SSH). */
int
queue_read_fd(const struct queue_read *qr)
{
	return cmdrun_fd(qr->run, CMDRUN_STDOUT);
}

/* The stderr descriptor to poll, or -1 after its EOF (or over SSH). */
int
queue_read_errfd(const struct queue_read *qr)
{
	return cmdrun_fd(qr->run, CMDRUN_STDERR);
}

/* The child's pid while it has not been reaped, else -1. */
pid_t
queue_read_pid(const struct queue_read *qr)
{
	return cmdrun_pid(qr->run);
}

/* Read what is there, never blocking; see queue.h. */
int
queue_read_input(struct queue_read *qr, int64_t now_ms)
{
	int	 rc = cmdrun_step(qr->run, now_ms);

	if (rc == 1 && !qr->ended) {
		/* a last line without its newline */
		queue_snapshot_end(&qr->snap);
		qr->ended = 1;
	}
	return rc;
}

/* Milliseconds until queue_read_input() must run again. */
int
queue_read_wait_ms(const struct queue_read *qr, int64_t now_ms)
{
	return cmdrun_wait_ms(qr->run, now_ms);
}

/* The summary so far. */
const struct queue_snapshot *
queue_read_snapshot(const struct queue_read *qr)
{
	return &qr->snap;
}

/* Hand the snapshot to the caller, who clears it. */
void
queue_read_take(struct queue_read *qr, struct queue_snapshot *out)
{
	const struct backend_queue	*q = qr->snap.parser;
	size_t				 maxrec = qr->snap.maxrec;

	*out = qr->snap;
	queue_snapshot_init(&qr->snap, maxrec);
	queue_snapshot_parser(&qr->snap, q);
}

/* Why the read failed, "" when it has not. */
const char *
queue_read_error(const struct queue_read *qr)
{
	return cmdrun_error(qr->run);
}

/* Kill and reap a child still running, then free everything. */
void
queue_read_free(struct queue_read *qr)
{
	if (qr == NULL)
		return;
	cmdrun_free(qr->run);
	queue_snapshot_clear(&qr->snap);
	free(qr);
}
