/*
 * queue_op.c: run a backend's queue operation on batches of queue ids for
 * the event loop, here or on a server over SSH; see queue_op.h.
 *
 * Each batch is one cmdrun (cmdrun.h): the ids on its stdin or as its
 * last arguments, both output streams split into lines and judged by the
 * backend as they arrive, a deadline that kills it (locally its whole
 * process group).  The loop must not set SIGCHLD to SIG_IGN.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "queue_op.h"
#include "queue_op_int.h"
#include "core/linebuf.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "net/cmdrun.h"

#define QO_LINE_MAX	512	/* longer lines are cut (and unexpected) */
#define QO_ID_SHOWN	40	/* bytes of a refused id shown in the message */
#define QO_RETRY_MS	1000	/* pause before it is tried again */

/* Check every id; 0, or -1 with a message naming the first bad one. */
static int
qo_check_ids(const struct queue_op_run *run, const char *const *ids,
    size_t nids, char *err, size_t errlen)
{
	char	 shown[QO_ID_SHOWN * 4 + 1];
	size_t	 i, len;

	for (i = 0; i < nids; i++) {
		if (ids[i] == NULL) {
			snprintf(err, errlen, "%s refused: queue id %zu is "
			    "missing; nothing was run", run->cmd, i + 1);
			return -1;
		}
		len = strlen(ids[i]);
		if (len <= QUEUE_ID_MAX &&
		    run->b->queue->id_valid(ids[i], len))
			continue;
		sanitize_text(shown, sizeof(shown), ids[i],
		    len > QO_ID_SHOWN ? QO_ID_SHOWN : len);
		snprintf(err, errlen, "%s refused: \"%s\"%s (id %zu of %zu) is "
		    "not a %s queue id; nothing was run", run->cmd, shown,
		    len > QO_ID_SHOWN ? "..." : "", i + 1, nids, run->b->name);
		return -1;
	}
	return 0;
}

/* See queue_op.h. */
size_t
queue_op_text_add(char *text, size_t size, size_t textlen, const char *p,
    size_t len)
{
	size_t	 room = size - textlen;

	if (room < 8)
		return textlen;
	if (textlen > 0) {
		memcpy(text + textlen, "; ", 2);
		textlen += 2;
		room -= 2;
	}
	return textlen + sanitize_text(text + textlen, room, p, len);
}

/* Keep an unexpected line (sanitised) for the report. */
static void
qo_keep(struct queue_op_run *run, const char *p, size_t len)
{
	run->errors++;
	run->textlen = queue_op_text_add(run->text, sizeof(run->text),
	    run->textlen, p, len);
}

/*
 * Keep a busy message for the next round: one the run asked for (the line
 * is the tool's output, checked), once.
 */
static void
qo_busy(struct queue_op_run *run, const struct queue_line *l)
{
	char	 id[QUEUE_ID_MAX + 1];

	if (qo_asked_index(run, l, id) >= 0)
		qo_again(run, id, run->nbusy);
}

/* Note that the tool said it did the message a line names. */
static void
qo_said(struct queue_op_run *run, const struct queue_line *l)
{
	char	 id[QUEUE_ID_MAX + 1];
	ssize_t	 i;

	if (run->said != NULL && (i = qo_asked_index(run, l, id)) >= 0)
		run->said[i] = 1;
}

/* One line of output, judged by the backend. */
static void
qo_line(void *arg, const char *p, size_t len, int cut)
{
	struct queue_op_run	*run = arg;
	struct queue_line	 l;

	if (len > 0 && p[len - 1] == '\r')
		len--;
	memset(&l, 0, sizeof(l));
	if (!cut)
		run->qop->line(run->op, p, len, &l);
	switch (l.kind) {
	case QLINE_SUMMARY:
		run->done += l.count;
		run->summary = 1;
		return;
	case QLINE_DONE:
		run->lines++;
		qo_said(run, &l);
		if (!run->qop->summary)
			run->done++;
		return;
	case QLINE_NOT_DONE:
		return;
	case QLINE_BUSY:
		run->busy++;
		qo_busy(run, &l);
		return;
	default:
		if (len > 0)
			qo_keep(run, p, len);
		return;
	}
}

/* Split what a stream gave into lines (the batch's output callback). */
static void
qo_split(void *arg, int stream, const char *buf, size_t n)
{
	struct queue_op_run	*run = arg;

	linebuf_feed(stream == CMDRUN_STDOUT ? &run->out : &run->err, buf, n,
	    qo_line, run);
}

/* Start the current batch; -1 with run->error set. */
static int
qo_spawn(struct queue_op_run *run, int64_t now_ms)
{
	struct cmdrun_spec	 spec;
	size_t			 off = run->batch_off[run->batch], i, n, w;
	char			**argv = run->argv, *p;
	const char		*word = run->bq[run->batch];

	memset(&spec, 0, sizeof(spec));
	/* the queue word, then, as arguments, the ids */
	w = run->nfixed + (word != NULL);
	n = run->qop->ids == QIDS_ARGV ?
	    run->batch_id[run->batch + 1] - run->batch_id[run->batch] : 0;
	if (w > run->nfixed || n > 0) {
		argv = xcalloc(w + n + 1, sizeof(*argv));
		memcpy(argv, run->argv, run->nfixed * sizeof(*argv));
		if (word != NULL)
			argv[run->nfixed] = (char *)word;
	}
	if (run->qop->ids == QIDS_ARGV) {
		/* the batch's ids after the fixed words, in the id buffer */
		for (i = 0, p = run->ids + off; i < n; i++) {
			argv[w + i] = p;
			p = strchr(p, '\n');
			*p++ = '\0';
		}
	} else {
		spec.input = run->ids + off;
		spec.inlen = run->batch_off[run->batch + 1] - off;
	}
	spec.argv = argv;
	spec.deadline_ms = run->deadline_ms;
	spec.cb = qo_split;
	spec.arg = run;
	spec.name = run->cmd;
	spec.hint = run->b->queue->hint;
	run->out.len = run->err.len = 0;	/* a killed batch's half line */
	run->out.cut = run->err.cut = 0;
	run->summary = 0;
	run->exit_status = -1;
	run->batch_errors = run->errors;
	cmdrun_free(run->cr);
	run->cr = cmdrun_run(run->via.ssh != NULL ? &run->via : NULL, &spec,
	    now_ms, run->error, sizeof(run->error));
	if (argv != run->argv)
		free(argv);
	if (run->cr == NULL) {
		run->state = QO_FAILED;
		return -1;
	}
	return 0;
}

/* See queue_op.h. */
struct queue_op_run *
queue_op_start(const struct cmdrun_via *via, const struct mail_backend *b,
    enum queue_op op, char *const tool[], const char *const *ids,
    size_t nids, int64_t now_ms, int deadline_ms, char *err, size_t errlen)
{
	return queue_op_start_in(via, b, op, tool, ids, NULL, nids, now_ms,
	    deadline_ms, err, errlen);
}

/* Validate the ids, then start the first batch; see queue_op.h. */
struct queue_op_run *
queue_op_start_in(const struct cmdrun_via *via, const struct mail_backend *b,
    enum queue_op op, char *const tool[], const char *const *ids,
    const enum queue_name *queues, size_t nids, int64_t now_ms,
    int deadline_ms, char *err, size_t errlen)
{
	struct queue_op_run	*run;
	const char *const	*args;
	size_t			 i, n, na;
	char			 cmd[96];

	if ((unsigned)op >= QOP_COUNT || b == NULL || b->queue == NULL ||
	    b->queue->op[op] == NULL) {
		snprintf(err, errlen, "not supported by %s", b != NULL ?
		    b->name : "this mail system");
		return NULL;
	}
	if (tool == NULL || tool[0] == NULL) {
		snprintf(err, errlen, "%s: no command to run", b->name);
		return NULL;
	}
	if (ids == NULL && nids > 0) {
		snprintf(err, errlen, "%s: no queue ids given", tool[0]);
		return NULL;
	}
	run = xcalloc(1, sizeof(*run));
	run->op = op;
	run->b = b;
	run->qop = b->queue->op[op];
	args = run->qop->args;
	if (run->qop->name != NULL)
		snprintf(cmd, sizeof(cmd), "%s", run->qop->name);
	else
		snprintf(cmd, sizeof(cmd), "%s%s%s", tool[0], args[0] != NULL ?
		    " " : "", args[0] != NULL ? args[0] : "");
	sanitize_text(run->cmd, sizeof(run->cmd), cmd, strlen(cmd));
	/* all of them before anything runs: a half-done purge is worse */
	if (qo_check_ids(run, ids, nids, err, errlen) == -1) {
		free(run);
		return NULL;
	}
	run->exit_status = -1;
	run->deadline_ms = deadline_ms;
	run->nids = nids;
	linebuf_init(&run->out, QO_LINE_MAX);
	linebuf_init(&run->err, QO_LINE_MAX);
	if (via != NULL && via->ssh != NULL) {
		/* copied: later batches start after the caller's via is gone */
		snprintf(run->server, sizeof(run->server), "%s",
		    via->server != NULL ? via->server : "the server");
		snprintf(run->user, sizeof(run->user), "%s",
		    via->user != NULL ? via->user : "its login");
		run->via = *via;
		run->via.server = run->server;
		run->via.user = run->user;
	}

	for (n = 0; tool[n] != NULL; n++)
		;
	for (na = 0; args[na] != NULL; na++)
		;
	/* copied: later batches start after the caller's argv may be gone */
	run->argv = xcalloc(n + na + 1, sizeof(*run->argv));
	for (i = 0; i < n; i++)
		run->argv[i] = xstrdup(tool[i]);
	for (i = 0; i < na; i++)
		run->argv[n + i] = xstrdup(args[i]);
	run->nfixed = n + na;
	run->round = 1;
	qo_first_batches(run, ids, queues, nids);
	run->batches_total = run->nbatch;
	qo_asked(run, ids);

	if (nids == 0) {
		run->state = QO_DONE;
		return run;
	}
	run->state = QO_RUNNING;
	if (qo_spawn(run, now_ms) == -1) {
		snprintf(err, errlen, "%s", run->error);
		queue_op_free(run);
		return NULL;
	}
	return run;
}

/* The descriptors to poll now (none over SSH). */
size_t
queue_op_fds(const struct queue_op_run *run, struct pollfd *pfd)
{
	if (run->state != QO_RUNNING || run->cr == NULL)
		return 0;
	return cmdrun_fds(run->cr, pfd);
}

/* The child's pid while it has not been reaped, else -1. */
pid_t
queue_op_pid(const struct queue_op_run *run)
{
	return run->cr != NULL ? cmdrun_pid(run->cr) : -1;
}

/* Set the error: what happened, the unexpected output, how far it got. */
static void
qo_fail(struct queue_op_run *run, const char *what)
{
	if (run->error[0] == '\0')
		snprintf(run->error, sizeof(run->error), "%s %s%s%s (batch %zu "
		    "of %zu; %zu of %zu done%s)", run->cr != NULL ?
		    cmdrun_name(run->cr) : run->cmd, what,
		    run->textlen > 0 ? ": " : "", run->text, run->batch + 1,
		    run->nbatch, run->done, run->nids, run->busy > 0 ?
		    "; some were locked by a delivery" : "");
	run->state = QO_FAILED;
}

/*
 * The last batch of a round ended: the messages a delivery kept locked
 * go again after a pause, a few times; those locked to the end are said.
 */
static int
qo_round_end(struct queue_op_run *run, int64_t now_ms)
{
	const char	**ids;
	char		 note[160], *p;
	size_t		 i, n;
	int		 pause = run->busy > 0;

	qo_missed(run);
	n = run->nbusy;
	if (n > 0 && run->round < QUEUE_OP_ROUNDS) {
		ids = xcalloc(n, sizeof(*ids));
		for (i = 0, p = run->busybuf; i < n; i++, p += strlen(p) + 1)
			ids[i] = p;
		qo_batches(run, ids, NULL, n);
		run->batches_total += run->nbatch;
		free(ids);
		/* the buffer is rebuilt by this round's lines */
		p = run->busybuf;
		run->busybuf = NULL;
		run->busylen = run->busycap = run->nbusy = 0;
		free(p);
		run->busy = 0;
		run->round++;
		run->state = QO_WAITING;
		/* only ids missed in their queue: no delivery to wait for */
		run->wake_ms = now_ms + (pause ? QO_RETRY_MS : 0);
		return 0;
	}
	if (run->busy > 0) {
		snprintf(note, sizeof(note), "%zu message%s locked by a running "
		    "delivery, tried %d times: not done", run->busy,
		    run->busy == 1 ? "" : "s", run->round);
		qo_keep(run, note, strlen(note));
		run->errors--;		/* said, not an unexpected line */
	}
	run->state = QO_DONE;
	return 1;
}

/* Run the batches; see queue_op.h. */
int
queue_op_step(struct queue_op_run *run, int64_t now_ms)
{
	char	 what[160];
	int	 rc;

	switch (run->state) {
	case QO_DONE:
		return 1;
	case QO_FAILED:
		return -1;
	case QO_WAITING:
		if (now_ms < run->wake_ms)
			return 0;
		run->state = QO_RUNNING;
		return qo_spawn(run, now_ms) == -1 ? -1 : 0;
	case QO_RUNNING:
		break;
	}
	if ((rc = cmdrun_step(run->cr, now_ms)) == 0)
		return 0;
	linebuf_end(&run->out, qo_line, run);
	linebuf_end(&run->err, qo_line, run);
	run->exit_status = cmdrun_status(run->cr);
	/* "some were not done", each said by a line of the tool's */
	if (rc == -1 && run->qop->partial_exit != 0 &&
	    run->exit_status == run->qop->partial_exit &&
	    run->errors == run->batch_errors)
		rc = 1;
	if (rc == -1) {
		qo_fail(run, cmdrun_what(run->cr));
		return -1;
	}
	if (run->qop->summary && !run->summary) {
		snprintf(what, sizeof(what), "exited without its summary line "
		    "(is it %s's own tool?)", run->b->name);
		qo_fail(run, what);
		return -1;
	}
	run->batches_done++;
	if (++run->batch < run->nbatch)
		return qo_spawn(run, now_ms) == -1 ? -1 : 0;
	return qo_round_end(run, now_ms);
}

/* Milliseconds until queue_op_step() must run again. */
int
queue_op_wait_ms(const struct queue_op_run *run, int64_t now_ms)
{
	if (run->state == QO_WAITING)
		return run->wake_ms > now_ms ? (int)(run->wake_ms - now_ms) : 0;
	if (run->state != QO_RUNNING || run->cr == NULL)
		return -1;
	return cmdrun_wait_ms(run->cr, now_ms);
}

/* The counts so far. */
void
queue_op_result(const struct queue_op_run *run, struct queue_op_result *out)
{
	memset(out, 0, sizeof(*out));
	out->op = run->op;
	out->requested = run->nids;
	out->done = run->done;
	out->not_done = run->done < run->nids ? run->nids - run->done : 0;
	out->lines = run->lines;
	out->busy = run->busy;
	out->errors = run->errors;
	out->batches = run->batches_total;
	out->batches_done = run->batches_done;
	out->exit_status = run->exit_status;
	memcpy(out->stderr_text, run->text, run->textlen);
	out->stderr_text[run->textlen] = '\0';
	if (run->state == QO_FAILED)
		snprintf(out->error, sizeof(out->error), "%s", run->error);
}

/* Kill and reap a command still running, then free everything. */
void
queue_op_free(struct queue_op_run *run)
{
	size_t	 i;

	if (run == NULL)
		return;
	cmdrun_free(run->cr);
	for (i = 0; run->argv != NULL && run->argv[i] != NULL; i++)
		free(run->argv[i]);
	free(run->argv);
	for (i = 0; run->asked != NULL && i < run->nids; i++)
		free(run->asked[i]);
	free(run->asked);
	free(run->busybuf);
	free(run->ids);
	free(run->batch_off);
	free(run->batch_id);
	free(run->bq);
	free(run->said);
	linebuf_free(&run->out);
	linebuf_free(&run->err);
	free(run);
}
