/*
 * postsuper.c: run postsuper -h/-H/-d - on batches of queue ids for the
 * event loop; see postsuper.h.
 *
 * Process handling is child.h's, as for queue_read.c: each child in its
 * own process group, exec failure told through a pipe read once the child
 * is reaped, a deadline that kills the whole group, reaping with WNOHANG
 * only.  Its stdin is
 * one end of a socket pair rather than a pipe so that writing to a child
 * that died early gives EPIPE from send(MSG_NOSIGNAL) instead of a SIGPIPE
 * that would kill the console (the loop does not ignore SIGPIPE).
 *
 * The loop must not set SIGCHLD to SIG_IGN.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "child.h"
#include "postsuper.h"
#include "queue.h"
#include "sanitize.h"
#include "xmalloc.h"

#define PS_LINE_MAX	512	/* longer lines are cut (and unexpected) */
#define PS_ID_SHOWN	40	/* bytes of a refused id shown in the message */

enum ps_state {
	PS_RUNNING,
	PS_KILLED,		/* SIGKILL sent, not reaped yet */
	PS_DONE,
	PS_FAILED
};

/* Output of the child, assembled into lines. */
struct ps_stream {
	int		 fd;
	char		 line[PS_LINE_MAX];
	size_t		 len;
	int		 cut;		/* inside a line over PS_LINE_MAX */
};

struct postsuper_run {
	enum ps_state	 state;
	enum postsuper_op op;
	char		**argv;		/* base_argv, flag, "-"; copies */
	char		*ids;		/* "ID\n" for every id */
	size_t		*batch_off;	/* nbatch + 1 offsets into ids */
	size_t		 nids, nbatch, batch;
	size_t		 woff;		/* next byte of ids to write */
	pid_t		 pid;		/* -1 once reaped */
	int		 infd, execfd;
	struct ps_stream out, err;
	int64_t		 deadline;
	int		 deadline_ms;
	int		 summary;	/* this batch printed its summary */
	size_t		 done, lines, errors, batches_done;
	int		 exit_status;
	char		 cmd[96];	/* "postsuper -d", sanitised */
	char		 text[POSTSUPER_STDERR_MAX * 4];	/* with a NUL */
	size_t		 textlen;
	char		 error[POSTSUPER_STDERR_MAX * 4 + 256];
};

/* What each operation passes and what postsuper answers to it. */
static const struct {
	const char	*flag;
	const char	*summary;	/* "Deleted: " N " messages" */
	const char	*verb;		/* ID ": removed" */
} ps_ops[] = {
	{ "-h", "Placed on hold: ", "placed on hold" },
	{ "-H", "Released from hold: ", "released from hold" },
	{ "-d", "Deleted: ", "removed" },
};

/* The flag of an operation ("-d"). */
const char *
postsuper_op_flag(enum postsuper_op op)
{
	return ps_ops[op].flag;
}

/* Start the process for the current batch; -1 with run->error set. */
static int
ps_spawn(struct postsuper_run *run, int64_t now_ms)
{
	int	 in[2] = { -1, -1 }, out[2] = { -1, -1 };
	int	 errp[2] = { -1, -1 }, ex[2] = { -1, -1 }, e;
	pid_t	 pid;

	/* pipe() gives the read end at [0], which child_setup keeps ours */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, in) == -1 ||
	    child_setup(in) == -1 || pipe(out) == -1 ||
	    child_setup(out) == -1 || pipe(errp) == -1 ||
	    child_setup(errp) == -1 || pipe(ex) == -1 ||
	    child_setup(ex) == -1 ||
	    (pid = child_spawn(run->argv, in[1], out[1], errp[1], ex[1])) == -1)
		goto fail;
	close(in[1]);
	close(out[1]);
	close(errp[1]);
	close(ex[1]);
	run->pid = pid;
	run->infd = in[0];
	run->out.fd = out[0];
	run->err.fd = errp[0];
	run->out.len = run->err.len = 0;
	run->out.cut = run->err.cut = 0;
	run->execfd = ex[0];
	run->woff = run->batch_off[run->batch];
	run->deadline = now_ms + run->deadline_ms;
	run->summary = 0;
	run->exit_status = -1;
	return 0;

fail:
	e = errno;
	snprintf(run->error, sizeof(run->error), "cannot start %s: %s",
	    run->cmd, strerror(e));
	child_close(&in[0]);
	child_close(&in[1]);
	child_close(&out[0]);
	child_close(&out[1]);
	child_close(&errp[0]);
	child_close(&errp[1]);
	child_close(&ex[0]);
	child_close(&ex[1]);
	run->state = PS_FAILED;
	return -1;
}

/* Check every id; 0, or -1 with a message naming the first bad one. */
static int
ps_check_ids(const char *const *ids, size_t nids, char *err, size_t errlen)
{
	char	 shown[PS_ID_SHOWN * 4 + 1];
	size_t	 i, len;

	for (i = 0; i < nids; i++) {
		if (ids[i] == NULL) {
			snprintf(err, errlen, "postsuper refused: queue id %zu "
			    "is missing; nothing was run", i + 1);
			return -1;
		}
		len = strlen(ids[i]);
		if (queue_id_is_valid(ids[i], len))
			continue;
		sanitize_text(shown, sizeof(shown), ids[i],
		    len > PS_ID_SHOWN ? PS_ID_SHOWN : len);
		snprintf(err, errlen, "postsuper refused: \"%s\"%s (id %zu of "
		    "%zu) is not a Postfix queue id; nothing was run", shown,
		    len > PS_ID_SHOWN ? "..." : "", i + 1, nids);
		return -1;
	}
	return 0;
}

/* Validate the ids, then start the first batch; see postsuper.h. */
struct postsuper_run *
postsuper_start(enum postsuper_op op, char *const base_argv[],
    const char *const *ids, size_t nids, int64_t now_ms, int deadline_ms,
    char *err, size_t errlen)
{
	struct postsuper_run	*run;
	size_t			 i, n, len, off;
	char			 cmd[96];

	child_reap_orphans();
	if ((unsigned)op > POSTSUPER_DELETE) {
		snprintf(err, errlen, "postsuper: unknown operation");
		return NULL;
	}
	if (base_argv == NULL || base_argv[0] == NULL) {
		snprintf(err, errlen, "postsuper: no command to run");
		return NULL;
	}
	if (ids == NULL && nids > 0) {
		snprintf(err, errlen, "postsuper: no queue ids given");
		return NULL;
	}
	/* all of them before anything runs: a half-done purge is worse */
	if (ps_check_ids(ids, nids, err, errlen) == -1)
		return NULL;

	run = xcalloc(1, sizeof(*run));
	run->op = op;
	run->pid = -1;
	run->infd = run->execfd = run->out.fd = run->err.fd = -1;
	run->exit_status = -1;
	run->deadline_ms = deadline_ms;
	run->nids = nids;
	snprintf(cmd, sizeof(cmd), "%s %s", base_argv[0], ps_ops[op].flag);
	sanitize_text(run->cmd, sizeof(run->cmd), cmd, strlen(cmd));

	for (n = 0; base_argv[n] != NULL; n++)
		;
	/* copied: later batches start after the caller's argv may be gone */
	run->argv = xcalloc(n + 3, sizeof(*run->argv));
	for (i = 0; i < n; i++)
		run->argv[i] = xstrdup(base_argv[i]);
	run->argv[n] = xstrdup(ps_ops[op].flag);
	run->argv[n + 1] = xstrdup("-");

	run->nbatch = (nids + POSTSUPER_BATCH_MAX - 1) / POSTSUPER_BATCH_MAX;
	run->batch_off = xcalloc(run->nbatch + 1, sizeof(*run->batch_off));
	run->ids = xreallocarray(NULL, nids + 1, QUEUE_ID_MAX + 1);
	for (i = off = 0; i < nids; i++) {
		if (i % POSTSUPER_BATCH_MAX == 0)
			run->batch_off[i / POSTSUPER_BATCH_MAX] = off;
		len = strlen(ids[i]);
		memcpy(run->ids + off, ids[i], len);
		off += len;
		run->ids[off++] = '\n';
	}
	run->batch_off[run->nbatch] = off;

	if (nids == 0) {
		run->state = PS_DONE;
		return run;
	}
	run->state = PS_RUNNING;
	if (ps_spawn(run, now_ms) == -1) {
		snprintf(err, errlen, "%s", run->error);
		postsuper_free(run);
		return NULL;
	}
	return run;
}

/* The descriptors to poll now. */
size_t
postsuper_fds(const struct postsuper_run *run, struct pollfd *pfd)
{
	size_t	 n = 0;

	if (run->state != PS_RUNNING)
		return 0;
	if (run->infd != -1) {
		pfd[n].fd = run->infd;
		pfd[n].events = POLLOUT;
		pfd[n++].revents = 0;
	}
	if (run->out.fd != -1) {
		pfd[n].fd = run->out.fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	if (run->err.fd != -1) {
		pfd[n].fd = run->err.fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	return n;
}

/* The child's pid while it has not been reaped, else -1. */
pid_t
postsuper_pid(const struct postsuper_run *run)
{
	return run->pid;
}

/* Keep an unexpected line (sanitised) for the report. */
static void
ps_keep(struct postsuper_run *run, const char *p, size_t len)
{
	size_t	 room = sizeof(run->text) - run->textlen;

	run->errors++;
	if (room < 8)
		return;
	if (run->textlen > 0) {
		memcpy(run->text + run->textlen, "; ", 2);
		run->textlen += 2;
		room -= 2;
	}
	run->textlen += sanitize_text(run->text + run->textlen, room, p, len);
}

/* Is p[0..len) the summary line?  Adds its count. */
static int
ps_summary(struct postsuper_run *run, const char *p, size_t len)
{
	const char	*s = ps_ops[run->op].summary, *e = p + len;
	size_t		 slen = strlen(s), count = 0;
	const char	*q;

	if (len <= slen || memcmp(p, s, slen) != 0)
		return 0;
	for (q = p + slen; q < e && *q >= '0' && *q <= '9'; q++) {
		if (count > (SIZE_MAX - 9) / 10)
			return 0;
		count = count * 10 + (size_t)(*q - '0');
	}
	if (q == p + slen)
		return 0;
	/* "1 message", "3 messages" */
	if (!((e - q == 8 && memcmp(q, " message", 8) == 0) ||
	    (e - q == 9 && memcmp(q, " messages", 9) == 0)))
		return 0;
	run->done += count;
	run->summary = 1;
	return 1;
}

/* Is p[0..len) a per-message line ("ID: removed")? */
static int
ps_permsg(struct postsuper_run *run, const char *p, size_t len)
{
	const char	*verb = ps_ops[run->op].verb, *c;
	size_t		 vlen = strlen(verb), idlen;

	if ((c = memchr(p, ':', len)) == NULL)
		return 0;
	idlen = (size_t)(c - p);
	if (!queue_id_is_valid(p, idlen) || len != idlen + 2 + vlen ||
	    c[1] != ' ' || memcmp(c + 2, verb, vlen) != 0)
		return 0;
	run->lines++;
	return 1;
}

/* One line of output: with or without the "postsuper: " prefix. */
static void
ps_line(struct postsuper_run *run, const char *p, size_t len, int cut)
{
	const char	*c;
	size_t		 skip;

	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (!cut && (ps_summary(run, p, len) || ps_permsg(run, p, len)))
		return;
	/* the program name, as Postfix's msg_vstream prints it */
	if (!cut && (c = memchr(p, ':', len)) != NULL && c + 1 < p + len &&
	    c[1] == ' ' && memchr(p, ' ', (size_t)(c - p)) == NULL) {
		skip = (size_t)(c - p) + 2;
		if (ps_summary(run, p + skip, len - skip) ||
		    ps_permsg(run, p + skip, len - skip))
			return;
	}
	if (len > 0)
		ps_keep(run, p, len);
}

/* A stream being read, for ps_split(). */
struct ps_reading {
	struct postsuper_run	*run;
	struct ps_stream	*s;
};

/* Split what a stream gave into lines (child_drain's callback). */
static void
ps_split(void *arg, const char *buf, size_t n)
{
	struct ps_reading	*r = arg;
	struct ps_stream	*s = r->s;
	const char		*p, *nl, *e;
	size_t			 take;

	for (p = buf, e = buf + n; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		take = (size_t)(nl - p);
		if (take > sizeof(s->line) - s->len) {
			take = sizeof(s->line) - s->len;
			s->cut = 1;
		}
		memcpy(s->line + s->len, p, take);
		s->len += take;
		if (nl == e)
			break;
		ps_line(r->run, s->line, s->len, s->cut);
		s->len = 0;
		s->cut = 0;
	}
}

/* Read what a stream has; split it into lines.  -1 on a read error. */
static int
ps_read(struct postsuper_run *run, struct ps_stream *s)
{
	struct ps_reading	 r = { run, s };
	char			 buf[16384];
	int			 rc;

	rc = child_drain(&s->fd, buf, sizeof(buf), SIZE_MAX, ps_split, &r);
	if (rc != 1)
		return rc;
	/* EOF: the last line, should it lack its newline */
	if (s->len > 0 || s->cut)
		ps_line(run, s->line, s->len, s->cut);
	s->len = 0;
	s->cut = 0;
	return 0;
}

/* Write ids to the child's stdin until it would block; EOF when all sent. */
static int
ps_write(struct postsuper_run *run)
{
	size_t	 end = run->batch_off[run->batch + 1];
	ssize_t	 n;

	while (run->infd != -1 && run->woff < end) {
		n = send(run->infd, run->ids + run->woff, end - run->woff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EPIPE || errno == ECONNRESET) {
				/* it stopped reading: its exit tells why */
				child_close(&run->infd);
				return 0;
			}
			return -1;
		}
		run->woff += (size_t)n;
	}
	child_close(&run->infd);
	return 0;
}

/* Set the error: what happened, the unexpected output, how far it got. */
static void
ps_fail(struct postsuper_run *run, const char *what)
{
	if (run->error[0] == '\0')
		snprintf(run->error, sizeof(run->error), "%s %s%s%s (batch %zu "
		    "of %zu; %zu of %zu done)", run->cmd, what,
		    run->textlen > 0 ? ": " : "", run->text, run->batch + 1,
		    run->nbatch, run->done, run->nids);
	run->state = PS_FAILED;
}

/* The child is reaped: judge the batch, start the next one. */
static int
ps_reaped(struct postsuper_run *run, int status, int64_t now_ms)
{
	char	 what[160];
	int	 e;

	run->pid = -1;
	child_close(&run->infd);
	e = child_exec_errno(&run->execfd);
	run->exit_status = child_exit_code(status);
	if (run->state == PS_KILLED) {
		ps_fail(run, "");
		return -1;
	}
	if (status == -1) {
		ps_fail(run, "could not be waited for (SIGCHLD ignored?)");
		return -1;
	}
	if (e != 0) {
		snprintf(what, sizeof(what), "could not be run: %s (is "
		    "Postfix installed and postsuper in PATH?)", strerror(e));
		ps_fail(run, what);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (!run->summary) {
			ps_fail(run, "exited without its summary line (is it "
			    "Postfix's postsuper?)");
			return -1;
		}
		run->batches_done++;
		if (++run->batch == run->nbatch) {
			run->state = PS_DONE;
			return 1;
		}
		return ps_spawn(run, now_ms) == -1 ? -1 : 0;
	}
	child_status_text(status, what, sizeof(what));
	ps_fail(run, what);
	return -1;
}

/* Write, read, reap what can be without blocking; see postsuper.h. */
int
postsuper_step(struct postsuper_run *run, int64_t now_ms)
{
	char	 what[96];
	int	 status;

	switch (run->state) {
	case PS_DONE:
		return 1;
	case PS_FAILED:
		return -1;
	case PS_KILLED:
		if (!child_try_reap(run->pid, &status))
			return 0;
		return ps_reaped(run, status, now_ms);
	case PS_RUNNING:
		break;
	}
	if (ps_write(run) == -1) {
		snprintf(what, sizeof(what), "could not be given the ids: %s",
		    strerror(errno));
		ps_fail(run, what);
		goto kill;
	}
	if (ps_read(run, &run->err) == -1 || ps_read(run, &run->out) == -1) {
		snprintf(what, sizeof(what), "could not be read from: %s",
		    strerror(errno));
		ps_fail(run, what);
		goto kill;
	}
	if (run->out.fd == -1 && run->err.fd == -1 &&
	    child_try_reap(run->pid, &status))
		return ps_reaped(run, status, now_ms);
	if (now_ms < run->deadline)
		return 0;
	snprintf(what, sizeof(what), "timed out after %d ms and was killed",
	    run->deadline_ms);
	ps_fail(run, what);
kill:
	run->state = PS_KILLED;
	if (!child_kill_reap(run->pid, &run->infd, &run->out.fd, &run->err.fd,
	    &status))
		return 0;
	return ps_reaped(run, status, now_ms);
}

/* Milliseconds until postsuper_step() must run again. */
int
postsuper_wait_ms(const struct postsuper_run *run, int64_t now_ms)
{
	if (run->state == PS_DONE || run->state == PS_FAILED)
		return -1;
	/* killed, or both pipes at EOF: only the exit status is awaited */
	return child_wait_ms(run->state == PS_KILLED ||
	    (run->out.fd == -1 && run->err.fd == -1), run->deadline, now_ms);
}

/* The counts so far. */
void
postsuper_result(const struct postsuper_run *run,
    struct postsuper_result *out)
{
	memset(out, 0, sizeof(*out));
	out->op = run->op;
	out->requested = run->nids;
	out->done = run->done;
	out->not_done = run->done < run->nids ? run->nids - run->done : 0;
	out->lines = run->lines;
	out->errors = run->errors;
	out->batches = run->nbatch;
	out->batches_done = run->batches_done;
	out->exit_status = run->exit_status;
	memcpy(out->stderr_text, run->text, run->textlen);
	out->stderr_text[run->textlen] = '\0';
	if (run->state == PS_FAILED)
		snprintf(out->error, sizeof(out->error), "%s", run->error);
}

/* Kill and reap a child still running, then free everything. */
void
postsuper_free(struct postsuper_run *run)
{
	int	 i;

	if (run == NULL)
		return;
	child_abandon(run->pid);
	run->pid = -1;
	child_close(&run->infd);
	child_close(&run->out.fd);
	child_close(&run->err.fd);
	child_close(&run->execfd);
	for (i = 0; run->argv != NULL && run->argv[i] != NULL; i++)
		free(run->argv[i]);
	free(run->argv);
	free(run->ids);
	free(run->batch_off);
	free(run);
	child_reap_orphans();
}
