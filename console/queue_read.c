/*
 * queue_read.c: run `postqueue -j` for the event loop without blocking it.
 *
 * The child (child.h: own process group, exec failure told through a
 * pipe) has stdin on /dev/null and stdout and stderr on pipes whose read
 * ends are non-blocking.  A read that outlives its deadline has its whole
 * process group killed with SIGKILL and is reaped before it reports
 * failure: nothing is left behind.
 *
 * The loop must not set SIGCHLD to SIG_IGN (children would be reaped
 * behind our back and every read would fail).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "queue.h"
#include "sanitize.h"
#include "xmalloc.h"

#define QUEUE_READ_CHUNK	(64u * 1024)

enum qr_state {
	QR_RUNNING,
	QR_KILLED,		/* SIGKILL sent, not reaped yet */
	QR_DONE,
	QR_FAILED
};

struct queue_read {
	enum qr_state		 state;
	pid_t			 pid;		/* -1 once reaped */
	int			 outfd, errfd, execfd;
	int64_t			 deadline;
	int			 deadline_ms;
	char			 cmd[64];	/* argv[0], sanitised */
	char			 stderr_buf[QUEUE_STDERR_MAX + 1];	/* NUL */
	size_t			 stderr_len;
	char			 error[QUEUE_STDERR_MAX * 4 + 256];
	char			*rbuf;
	struct queue_snapshot	 snap;
};

/* Start reading the queue with argv; see queue.h. */
struct queue_read *
queue_read_start(char *const argv[], int64_t now_ms, int deadline_ms,
    char *err, size_t errlen)
{
	struct queue_read	*qr;
	int			 out[2], errp[2], ex[2], e;
	pid_t			 pid;

	child_reap_orphans();
	if (argv == NULL || argv[0] == NULL) {
		snprintf(err, errlen, "queue: no command to run");
		return NULL;
	}
	out[0] = out[1] = errp[0] = errp[1] = ex[0] = ex[1] = -1;
	if (pipe(out) == -1 || child_setup(out) == -1 || pipe(errp) == -1 ||
	    child_setup(errp) == -1 || pipe(ex) == -1 ||
	    child_setup(ex) == -1 ||
	    (pid = child_spawn(argv, -1, out[1], errp[1], ex[1])) == -1)
		goto fail;
	close(out[1]);
	close(errp[1]);
	close(ex[1]);

	qr = xcalloc(1, sizeof(*qr));
	qr->state = QR_RUNNING;
	qr->pid = pid;
	qr->outfd = out[0];
	qr->errfd = errp[0];
	qr->execfd = ex[0];
	qr->deadline_ms = deadline_ms;
	qr->deadline = now_ms + deadline_ms;
	sanitize_text(qr->cmd, sizeof(qr->cmd), argv[0], strlen(argv[0]));
	qr->rbuf = xmalloc(QUEUE_READ_CHUNK);
	queue_snapshot_init(&qr->snap, 0);
	return qr;

fail:
	e = errno;
	snprintf(err, errlen, "cannot start %s: %s", argv[0], strerror(e));
	child_close(&out[0]);
	child_close(&out[1]);
	child_close(&errp[0]);
	child_close(&errp[1]);
	child_close(&ex[0]);
	child_close(&ex[1]);
	return NULL;
}

/* Change the record cap; only before the first input. */
void
queue_read_set_maxrec(struct queue_read *qr, size_t maxrec)
{
	queue_snapshot_init(&qr->snap, maxrec);
}

/* The stdout descriptor to poll, or -1 after its EOF. */
int
queue_read_fd(const struct queue_read *qr)
{
	return qr->outfd;
}

/* The stderr descriptor to poll, or -1 after its EOF. */
int
queue_read_errfd(const struct queue_read *qr)
{
	return qr->errfd;
}

/* The child's pid while it has not been reaped, else -1. */
pid_t
queue_read_pid(const struct queue_read *qr)
{
	return qr->pid;
}

/* Keep the first bytes of stderr for the error message. */
static int
queue_read_stderr(struct queue_read *qr)
{
	return child_read_into(&qr->errfd, qr->stderr_buf,
	    sizeof(qr->stderr_buf), &qr->stderr_len);
}

/* Parse what postqueue printed (child_drain's callback). */
static void
queue_read_feed(void *arg, const char *p, size_t len)
{
	struct queue_read	*qr = arg;

	queue_snapshot_feed(&qr->snap, p, len);
}

/* Read and parse at most QUEUE_READ_SLICE bytes of stdout. */
static int
queue_read_stdout(struct queue_read *qr)
{
	int	 rc;

	rc = child_drain(&qr->outfd, qr->rbuf, QUEUE_READ_CHUNK,
	    QUEUE_READ_SLICE, queue_read_feed, qr);
	if (rc == 1)
		queue_snapshot_end(&qr->snap);
	return rc == -1 ? -1 : 0;
}

/* Set the error message; stderr text is sanitised, its lines joined by ";". */
static void
queue_read_fail(struct queue_read *qr, const char *what)
{
	char	 text[QUEUE_STDERR_MAX * 4];
	size_t	 i, len = qr->stderr_len;

	while (len > 0 && (qr->stderr_buf[len - 1] == '\n' ||
	    qr->stderr_buf[len - 1] == '\r'))
		len--;
	for (i = 0; i < len; i++) {
		if (qr->stderr_buf[i] == '\n')
			qr->stderr_buf[i] = ';';
	}
	sanitize_text(text, sizeof(text), qr->stderr_buf, len);
	if (qr->error[0] == '\0')
		snprintf(qr->error, sizeof(qr->error), "%s %s%s%s", qr->cmd,
		    what, len > 0 ? ": " : "", text);
	qr->state = QR_FAILED;
}

/* The child is reaped: decide how the read ended. */
static int
queue_read_reaped(struct queue_read *qr, int status)
{
	char	 what[128];
	int	 e;

	qr->pid = -1;
	e = child_exec_errno(&qr->execfd);
	if (qr->state == QR_KILLED) {
		queue_read_fail(qr, "");
		return -1;
	}
	if (status == -1) {
		queue_read_fail(qr, "could not be waited for (SIGCHLD ignored?)");
		return -1;
	}
	if (e != 0) {
		snprintf(what, sizeof(what), "could not be run: %s "
		    "(is it installed and in PATH?)", strerror(e));
		qr->stderr_len = 0;
		queue_read_fail(qr, what);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		qr->state = QR_DONE;
		return 1;
	}
	child_status_text(status, what, sizeof(what));
	queue_read_fail(qr, what);
	return -1;
}

/* Read what is there, never blocking; see queue.h. */
int
queue_read_input(struct queue_read *qr, int64_t now_ms)
{
	int	 status;

	switch (qr->state) {
	case QR_DONE:
		return 1;
	case QR_FAILED:
		return -1;
	case QR_KILLED:
		if (!child_try_reap(qr->pid, &status))
			return 0;
		return queue_read_reaped(qr, status);
	case QR_RUNNING:
		break;
	}
	if (queue_read_stderr(qr) == -1 || queue_read_stdout(qr) == -1) {
		snprintf(qr->error, sizeof(qr->error), "%s: read: %s",
		    qr->cmd, strerror(errno));
		goto kill;
	}
	if (qr->outfd == -1 && qr->errfd == -1) {
		if (child_try_reap(qr->pid, &status))
			return queue_read_reaped(qr, status);
	}
	if (now_ms < qr->deadline)
		return 0;
	snprintf(qr->error, sizeof(qr->error), "%s timed out after %d ms and "
	    "was killed", qr->cmd, qr->deadline_ms);
kill:
	qr->state = QR_KILLED;
	if (!child_kill_reap(qr->pid, NULL, &qr->outfd, &qr->errfd, &status))
		return 0;
	return queue_read_reaped(qr, status);
}

/* Milliseconds until queue_read_input() must run again. */
int
queue_read_wait_ms(const struct queue_read *qr, int64_t now_ms)
{
	if (qr->state == QR_DONE || qr->state == QR_FAILED)
		return -1;
	/* killed, or both pipes at EOF: only the exit status is awaited */
	return child_wait_ms(qr->state == QR_KILLED ||
	    (qr->outfd == -1 && qr->errfd == -1), qr->deadline, now_ms);
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
	size_t	 maxrec = qr->snap.maxrec;

	*out = qr->snap;
	queue_snapshot_init(&qr->snap, maxrec);
}

/* Why the read failed, "" when it has not. */
const char *
queue_read_error(const struct queue_read *qr)
{
	return qr->error;
}

/* Kill and reap a child still running, then free everything. */
void
queue_read_free(struct queue_read *qr)
{
	if (qr == NULL)
		return;
	child_abandon(qr->pid);
	qr->pid = -1;
	child_close(&qr->outfd);
	child_close(&qr->errfd);
	child_close(&qr->execfd);
	queue_snapshot_clear(&qr->snap);
	free(qr->rbuf);
	free(qr);
	child_reap_orphans();
}
