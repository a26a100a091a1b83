/*
 * postsuper.c: run postsuper -h/-H/-d - on batches of queue ids for the
 * event loop, here or on a server over SSH; see postsuper.h.
 *
 * Each batch is one cmdrun (cmdrun.h): the ids on its stdin, both output
 * streams split into lines and judged as they arrive, a deadline that
 * kills it (locally its whole process group).  The loop must not set
 * SIGCHLD to SIG_IGN.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postsuper.h"
#include "queue.h"
#include "backends/backend.h"
#include "core/linebuf.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "net/cmdrun.h"

#define PS_LINE_MAX	512	/* longer lines are cut (and unexpected) */
#define PS_ID_SHOWN	40	/* bytes of a refused id shown in the message */

enum ps_state {
	PS_RUNNING,
	PS_DONE,
	PS_FAILED
};

struct postsuper_run {
	enum ps_state	 state;
	enum postsuper_op op;
	char		**argv;		/* base_argv, flag, "-"; copies */
	char		*ids;		/* "ID\n" for every id */
	size_t		*batch_off;	/* nbatch + 1 offsets into ids */
	size_t		 nids, nbatch, batch;
	struct cmdrun	*cr;		/* the batch running, or NULL */
	struct cmdrun_via via;		/* its strings in server, user */
	char		 server[128], user[128];
	struct linebuf	 out, err;	/* its output, into lines */
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
ps_line(void *arg, const char *p, size_t len, int cut)
{
	struct postsuper_run	*run = arg;
	const char		*c;
	size_t			 skip;

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

/* Split what a stream gave into lines (the batch's output callback). */
static void
ps_split(void *arg, int stream, const char *buf, size_t n)
{
	struct postsuper_run	*run = arg;

	linebuf_feed(stream == CMDRUN_STDOUT ? &run->out : &run->err, buf, n,
	    ps_line, run);
}

/* Start the current batch; -1 with run->error set. */
static int
ps_spawn(struct postsuper_run *run, int64_t now_ms)
{
	struct cmdrun_spec	 spec;
	size_t			 off = run->batch_off[run->batch];

	memset(&spec, 0, sizeof(spec));
	spec.argv = run->argv;
	spec.input = run->ids + off;
	spec.inlen = run->batch_off[run->batch + 1] - off;
	spec.deadline_ms = run->deadline_ms;
	spec.cb = ps_split;
	spec.arg = run;
	spec.name = run->cmd;
	spec.hint = "is Postfix installed and postsuper in PATH?";
	run->out.len = run->err.len = 0;	/* a killed batch's half line */
	run->out.cut = run->err.cut = 0;
	run->summary = 0;
	run->exit_status = -1;
	cmdrun_free(run->cr);
	run->cr = cmdrun_run(run->via.ssh != NULL ? &run->via : NULL, &spec,
	    now_ms, run->error, sizeof(run->error));
	if (run->cr == NULL) {
		run->state = PS_FAILED;
		return -1;
	}
	return 0;
}

/* See postsuper.h. */
struct postsuper_run *
postsuper_start(enum postsuper_op op, char *const base_argv[],
    const char *const *ids, size_t nids, int64_t now_ms, int deadline_ms,
    char *err, size_t errlen)
{
	return postsuper_start_via(NULL, op, base_argv, ids, nids, now_ms,
	    deadline_ms, err, errlen);
}

/* Validate the ids, then start the first batch; see postsuper.h. */
struct postsuper_run *
postsuper_start_via(const struct cmdrun_via *via, enum postsuper_op op,
    char *const base_argv[], const char *const *ids, size_t nids,
    int64_t now_ms, int deadline_ms, char *err, size_t errlen)
{
	struct postsuper_run	*run;
	size_t			 i, n, len, off;
	char			 cmd[96];

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
	run->exit_status = -1;
	run->deadline_ms = deadline_ms;
	run->nids = nids;
	linebuf_init(&run->out, PS_LINE_MAX);
	linebuf_init(&run->err, PS_LINE_MAX);
	snprintf(cmd, sizeof(cmd), "%s %s", base_argv[0], ps_ops[op].flag);
	sanitize_text(run->cmd, sizeof(run->cmd), cmd, strlen(cmd));
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

/* The descriptors to poll now (none over SSH). */
size_t
postsuper_fds(const struct postsuper_run *run, struct pollfd *pfd)
{
	if (run->state != PS_RUNNING || run->cr == NULL)
		return 0;
	return cmdrun_fds(run->cr, pfd);
}

/* The child's pid while it has not been reaped, else -1. */
pid_t
postsuper_pid(const struct postsuper_run *run)
{
	return run->cr != NULL ? cmdrun_pid(run->cr) : -1;
}

/* Set the error: what happened, the unexpected output, how far it got. */
static void
ps_fail(struct postsuper_run *run, const char *what)
{
	if (run->error[0] == '\0')
		snprintf(run->error, sizeof(run->error), "%s %s%s%s (batch %zu "
		    "of %zu; %zu of %zu done)", run->cr != NULL ?
		    cmdrun_name(run->cr) : run->cmd, what,
		    run->textlen > 0 ? ": " : "", run->text, run->batch + 1,
		    run->nbatch, run->done, run->nids);
	run->state = PS_FAILED;
}

/* Run the batches; see postsuper.h. */
int
postsuper_step(struct postsuper_run *run, int64_t now_ms)
{
	int	 rc;

	switch (run->state) {
	case PS_DONE:
		return 1;
	case PS_FAILED:
		return -1;
	case PS_RUNNING:
		break;
	}
	if ((rc = cmdrun_step(run->cr, now_ms)) == 0)
		return 0;
	linebuf_end(&run->out, ps_line, run);
	linebuf_end(&run->err, ps_line, run);
	run->exit_status = cmdrun_status(run->cr);
	if (rc == -1) {
		ps_fail(run, cmdrun_what(run->cr));
		return -1;
	}
	if (!run->summary) {
		ps_fail(run, "exited without its summary line (is it Postfix's "
		    "postsuper?)");
		return -1;
	}
	run->batches_done++;
	if (++run->batch == run->nbatch) {
		run->state = PS_DONE;
		return 1;
	}
	return ps_spawn(run, now_ms) == -1 ? -1 : 0;
}

/* Milliseconds until postsuper_step() must run again. */
int
postsuper_wait_ms(const struct postsuper_run *run, int64_t now_ms)
{
	if (run->state != PS_RUNNING || run->cr == NULL)
		return -1;
	return cmdrun_wait_ms(run->cr, now_ms);
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

/* Kill and reap a command still running, then free everything. */
void
postsuper_free(struct postsuper_run *run)
{
	int	 i;

	if (run == NULL)
		return;
	cmdrun_free(run->cr);
	for (i = 0; run->argv != NULL && run->argv[i] != NULL; i++)
		free(run->argv[i]);
	free(run->argv);
	free(run->ids);
	free(run->batch_off);
	linebuf_free(&run->out);
	linebuf_free(&run->err);
	free(run);
}
