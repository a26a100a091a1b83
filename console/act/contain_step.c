/*
 * contain_step.c: one step of a containment action (contain_int.h): its
 * intent written to the audit and durable before it runs, then a command
 * (a backend's step, a site's template), a read of the queue or a queue
 * operation, run here or over SSH without blocking, and its outcome
 * audited.  A step's completion sets last_ok, last_status and last_err;
 * the phases (contain_phase.c) decide what follows.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "contain.h"
#include "contain_int.h"
#include "queue.h"
#include "queue_op.h"
#include "backends/backend.h"
#include "core/xmalloc.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "net/cmdrun.h"

/* audit_intent() callback: the intent is durable (id > 0), or not. */
static void
contain_on_intent(int64_t id, const char *err, void *arg)
{
	struct contain	*c = arg;

	c->op = c->after_audit;
	c->audit_id = id;
	if (id <= 0) {
		c->last_ok = 0;
		snprintf(c->last_err, sizeof(c->last_err), "not run: the "
		    "audit could not record it (%s)", err != NULL ? err :
		    "unknown error");
		cp_argv_free(c->argv);
		c->argv = NULL;
		return;
	}
	if (c->nrows < CONTAIN_MAX_ROWS)
		c->rows[c->nrows++] = id;
}

/* Write the intent of the step in c->argv; the step runs once durable. */
static void
contain_intent(struct contain *c)
{
	struct audit_rec	 rec;
	const char		*list[2];

	memset(&rec, 0, sizeof(rec));
	rec.operator = c->operator[0] != '\0' ? c->operator : NULL;
	rec.server = c->sc->name;
	rec.account = c->account;
	rec.action = contain_action_name(c->req.action);
	rec.target = c->what;
	rec.argv = (const char *const *)c->argv + c->argv_shown;
	for (rec.argc = 0; rec.argv[rec.argc] != NULL; rec.argc++)
		;
	rec.secrets = contain_secrets(c, list);
	c->after_audit = c->op;
	c->op = OP_AUDIT;
	if (audit_intent(c->audit, &rec, contain_on_intent, c) == -1) {
		const char *e = audit_error(c->audit);

		contain_on_intent(-1, e != NULL ? e : "refused", c);
	}
}

/* See contain_int.h. */
void
contain_outcome(struct contain *c, int ok, int status, const char *counts,
    const char *err, size_t errlen)
{
	const char	*list[2];

	if (!c->audited || c->audit_id <= 0)
		return;
	audit_outcome(c->audit, c->audit_id, ok ? AUDIT_DONE : AUDIT_FAILED,
	    status, counts, err, errlen, contain_secrets(c, list), NULL, NULL);
	c->audit_id = 0;
}

/*
 * Run argv (taken) as the next step: audited (intent first) when it
 * changes something.  shown: leading words the audit leaves out (the
 * fixed "/bin/sh -c SCRIPT" of a built-in step).
 */
void
contain_run(struct contain *c, enum op op, char **argv, size_t shown,
    int audited, int with_password, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(c->what, sizeof(c->what), fmt, ap);
	va_end(ap);
	if (c->via.ssh != NULL) {
		/* the audit says where it ran */
		size_t len = strlen(c->what);

		snprintf(c->what + len, sizeof(c->what) - len, ", %s",
		    c->via_where);
	}
	c->argv = argv;
	c->step = NULL;
	c->argv_shown = shown;
	c->audited = audited;
	c->with_password = with_password;
	c->audit_id = 0;
	c->last_ok = 0;
	c->last_status = -1;
	c->last_err[0] = '\0';
	c->op = op;
	if (audited)
		contain_intent(c);
}

/* Start the command of the step (its intent is durable). */
static void
contain_spawn(struct contain *c, int64_t now)
{
	struct cmdrun_spec	 spec;
	char			 err[512], pw[CONTAIN_PW_LEN + 2];

	memset(&spec, 0, sizeof(spec));
	spec.argv = c->argv;
	spec.deadline_ms = c->deadline_ms;
	/* a built-in step by its name ($0), not as "/bin/sh" */
	if (c->argv_shown > 0)
		spec.name = c->argv[c->argv_shown];
	if (c->with_password) {
		spec.inlen = (size_t)snprintf(pw, sizeof(pw), "%s\n",
		    c->res.password);
		spec.input = pw;
		spec.secret_input = 1;	/* should it echo the password */
	}
	c->cmd = cmdrun_run(&c->via, &spec, now, err, sizeof(err));
	explicit_bzero(pw, sizeof(pw));
	if (c->cmd == NULL) {
		snprintf(c->last_err, sizeof(c->last_err), "%s", err);
		contain_outcome(c, 0, -1, NULL, err, strlen(err));
		c->op = OP_NONE;
	}
}

/*
 * What a built-in step that succeeded said on stderr as "note: ..." lines
 * (a stale lock taken over, a file edited again), for the result's text.
 */
static void
contain_notes(struct contain *c, const char *e, size_t elen)
{
	char		 line[512];
	const char	*p = e, *end = e + elen, *nl;
	size_t		 n;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 6 && memcmp(p, "note: ", 6) == 0) {
			sanitize_text(line, sizeof(line), p + 6, n - 6);
			contain_say(c, "%s", line);
		}
		p = nl + 1;
	}
}

/*
 * A step whose tool answers in its output (backend.h, answer): 1 when it
 * says done (or the step has no such answer), 0 with last_err when not.
 */
static int
contain_answer(struct contain *c)
{
	const char	*out;
	char		 why[512], shown[512];
	size_t		 len;

	if (c->step == NULL || c->step->answer == NULL)
		return 1;
	out = cmdrun_stdout(c->cmd, &len);
	why[0] = '\0';
	if (c->step->answer(out, len, why, sizeof(why)))
		return 1;
	sanitize_text(shown, sizeof(shown), why, strlen(why));
	snprintf(c->last_err, sizeof(c->last_err), "%s said it failed: %s",
	    cmdrun_name(c->cmd), shown[0] != '\0' ? shown : "no reason given");
	return 0;
}

/* Advance the command step; 1 when it has ended. */
int
contain_cmd_step(struct contain *c, int64_t now)
{
	const char	*e;
	size_t		 elen;
	int		 rc;

	if (c->cmd == NULL) {
		if (c->argv == NULL)	/* refused by the audit */
			return 1;
		contain_spawn(c, now);
		if (c->cmd == NULL)
			return 1;
	}
	if ((rc = cmdrun_step(c->cmd, now)) == 0)
		return 0;
	e = cmdrun_stderr(c->cmd, &elen);
	c->last_status = cmdrun_status(c->cmd);
	if (rc == 1 && c->argv_shown > 0)
		contain_notes(c, e, elen);
	if (rc != 1)
		snprintf(c->last_err, sizeof(c->last_err), "%s",
		    cmdrun_error(c->cmd));
	else if (contain_answer(c) == 0) {
		rc = -1;
		e = c->last_err;
		elen = strlen(e);
	}
	c->last_ok = rc == 1;
	/* the suspension took effect now: what the account had queued by
	   then goes into this row (the caller's numbers, contain.h) */
	if (rc == 1 && c->req.counts != NULL && (c->phase == P_SUS_MAP_DONE ||
	    c->phase == P_SUS_TMPL_DONE))
		c->req.counts(c->sus_counts, sizeof(c->sus_counts),
		    c->req.counts_arg);
	contain_outcome(c, rc == 1, cmdrun_status(c->cmd),
	    c->sus_counts[0] != '\0' ? c->sus_counts : NULL, e, elen);
	return 1;
}

/* The end of a step: keep what it printed, free its command. */
void
contain_step_clear(struct contain *c)
{
	const char	*out;
	size_t		 len;

	c->last_out[0] = '\0';
	if (c->cmd != NULL) {
		out = cmdrun_stdout(c->cmd, &len);
		snprintf(c->last_out, sizeof(c->last_out), "%.*s",
		    (int)(len < sizeof(c->last_out) ? len :
		    sizeof(c->last_out) - 1), out);
		cmdrun_free(c->cmd);
		c->cmd = NULL;
	}
	cp_argv_free(c->argv);
	c->argv = NULL;
	c->op = OP_NONE;
}

/* See contain_int.h. */
char **
contain_step_argv(struct contain *c, const struct mail_backend *b,
    const struct backend_step *st)
{
	char	 err[256], **argv;

	if ((argv = cp_step_argv(b, st, c->sc, c->account, cp_lock_wait(c),
	    err, sizeof(err))) == NULL) {
		contain_say(c, "refused, nothing run: %s", err);
		contain_finish(c, CO_REFUSED);
	}
	return argv;
}

/*
 * A step of backend b's for the account (backend.h), audited or not, its
 * words in the audit after "/bin/sh -c SCRIPT"; what: NULL for the
 * step's own.  -1 when it does not render (refused and finished).
 */
int
contain_step_of(struct contain *c, const struct mail_backend *b,
    const struct backend_step *st, int audited, const char *what)
{
	char	**argv;

	if ((argv = contain_step_argv(c, b, st)) == NULL)
		return -1;
	contain_run(c, OP_CMD, argv, st->script != NULL ? 3 : 0, audited,
	    (st->flags & BSTEP_PASSWORD) != 0, "%s", what != NULL ? what :
	    st->what);
	c->step = st;
	return 0;
}

/* See contain_int.h. */
int
contain_step_extra(struct contain *c, const struct mail_backend *b,
    const struct backend_step *st, const char *pids)
{
	struct backend_env	 env;
	char			 err[256], **argv;
	const char		*spared;

	server_backend_env(c->sc, &env);
	env.account = c->account;
	env.lock_wait = cp_lock_wait(c);
	env.pids = pids;
	/* the MTA's step names them; another's template does not */
	env.addrs = c->addrs;
	if ((argv = backend_step_argv(b, st, &env, err, sizeof(err))) ==
	    NULL) {
		contain_say(c, "%s: not run: %s", st->what, err);
		return -1;
	}
	/* the MTA's cut: the audit says which addresses it left alone */
	spared = c->mta->accounts != NULL &&
	    st == c->mta->accounts->sessions_end ? c->spared : "";
	contain_run(c, OP_CMD, argv, st->script != NULL ? 3 : 0, 1, 0,
	    "%s%s%s", st->what, spared[0] != '\0' ? "; " : "", spared);
	c->step = st;
	return 0;
}

/* A site's template; refuses (and finishes) when it does not render. */
int
contain_template(struct contain *c, const char *tmpl, int with_password,
    const char *what)
{
	char	 err[256];
	char	**argv = cp_template_argv(tmpl, c->account, err, sizeof(err));

	if (argv == NULL) {
		contain_say(c, "refused, nothing run: %s", err);
		contain_finish(c, CO_REFUSED);
		return -1;
	}
	contain_run(c, OP_CMD, argv, 0, 1, with_password, "%s", what);
	return 0;
}


/* Start reading the queue (the selection or the verification). */
void
contain_read_queue(struct contain *c, int64_t now, int again)
{
	char	**argv = NULL, *in = NULL, err[512];
	size_t	 inlen = 0, i, n;

	if (again && (argv = cp_queue_still_argv(c->sc)) != NULL) {
		/* the chosen ids, one a line: valid ids, no newline */
		for (i = 0; i < c->nids; i++)
			inlen += strlen(c->ids[i]) + 1;
		in = xmalloc(inlen + 1);
		for (i = 0, inlen = 0; i < c->nids; i++) {
			n = strlen(c->ids[i]);
			memcpy(in + inlen, c->ids[i], n);
			in[inlen + n] = '\n';
			inlen += n + 1;
		}
	} else if (again)
		argv = cp_queue_list_argv(c->sc);
	else
		argv = cp_queue_select_argv(c->sc, c->account);
	c->last_ok = 0;
	c->last_err[0] = '\0';
	c->qr = queue_read_start_in(&c->via, c->mta->queue, argv, in, inlen,
	    now, CONTAIN_QUEUE_MS, err, sizeof(err));
	cp_argv_free(argv);
	free(in);
	if (c->qr == NULL) {
		snprintf(c->last_err, sizeof(c->last_err), "%s", err);
		c->op = OP_NONE;
	} else
		c->op = OP_QREAD;
}

/* Advance the queue read; 1 when it has ended (c->last_ok). */
int
contain_qread_step(struct contain *c, int64_t now, enum phase next)
{
	struct queue_snapshot	 snap;
	int			 rc;

	if ((rc = queue_read_input(c->qr, now)) == 0)
		return 0;
	if (rc == 1) {
		queue_snapshot_init(&snap, 0);
		queue_read_take(c->qr, &snap);
		if (next == P_Q_READ_DONE)
			cq_select(c, &snap);
		else
			cq_verify(c, &snap);
		queue_snapshot_clear(&snap);
		c->last_ok = 1;
	} else
		snprintf(c->last_err, sizeof(c->last_err), "%s",
		    queue_read_error(c->qr));
	queue_read_free(c->qr);
	c->qr = NULL;
	c->op = OP_NONE;
	return 1;
}

/* What an operation does to the messages, as a verb. */
const char *
contain_verb(enum queue_op op)
{
	static const char *const verb[] = { "hold", "release", "purge" };

	return verb[op];
}

/* Start the queue operation on the ids chosen (audited as the whole
   command). */
void
contain_queue_op(struct contain *c)
{
	const struct backend_queue_op *op = c->mta->queue->op[c->qop];
	size_t	 n = c->took ? c->nopids : c->nids;

	contain_run(c, OP_QOP, cp_queue_op_argv(c->sc, c->qop), 0, 1, 0,
	    "%s %zu queued message%s%s (ids %s)", contain_verb(c->qop),
	    n, n == 1 ? "" : "s", c->took ? " the read left" : "",
	    op->ids == QIDS_STDIN ? "on stdin" : "as arguments");
}

/* Advance the queue operation; 1 when it has ended. */
int
contain_qop_step(struct contain *c, int64_t now)
{
	struct queue_op_result	 r;
	char			 err[512], counts[384], **tool;
	enum queue_name		*queues;
	/* after a take, only what it left */
	const char		**ids = c->took ? c->opids : c->ids;
	size_t			 i, n = c->took ? c->nopids : c->nids;
	int			 rc;

	if (c->qo == NULL) {
		if (c->argv == NULL)	/* refused by the audit */
			return 1;
		/* queue_op.c adds the operation's words and the ids, each
		   batch limited to one queue where the tool allows */
		tool = cp_queue_tool_argv(c->sc);
		queues = xcalloc(n + 1, sizeof(*queues));
		for (i = 0; i < n; i++)
			queues[i] = cq_queue(ids[i]);
		c->qo = queue_op_start_in(&c->via, c->mta, c->qop, tool,
		    ids, queues, n, now, c->deadline_ms, err, sizeof(err));
		free(queues);
		cp_argv_free(tool);
		if (c->qo == NULL) {
			snprintf(c->last_err, sizeof(c->last_err), "%s", err);
			contain_outcome(c, 0, -1, NULL, err, strlen(err));
			return 1;
		}
	}
	if ((rc = queue_op_step(c->qo, now)) == 0) {
		if (c->req.progress != NULL) {
			queue_op_result(c->qo, &r);
			if (r.lines != c->qo_shown) {
				c->qo_shown = r.lines;
				c->req.progress(c->req.progress_arg, r.lines,
				    r.requested);
			}
		}
		return 0;
	}
	queue_op_result(c->qo, &r);
	c->res.done = c->take_done + r.done;
	c->res.busy = r.busy;
	c->qo_lines = r.lines;
	c->qo_busy = r.busy;
	c->last_ok = rc == 1;
	snprintf(counts, sizeof(counts), "%zu of %zu", r.done, r.requested);
	/* a hold of its own (the sweep after a suspension): the caller's
	   numbers beside the tool's */
	if (c->req.counts != NULL && c->req.action != CA_SUSPEND) {
		c->req.counts(c->sus_counts, sizeof(c->sus_counts),
		    c->req.counts_arg);
		if (c->sus_counts[0] != '\0')
			snprintf(counts, sizeof(counts), "%zu of %zu; %s",
			    r.done, r.requested, c->sus_counts);
	}
	if (rc != 1)
		snprintf(c->last_err, sizeof(c->last_err), "%.1000s", r.error);
	contain_outcome(c, rc == 1, r.exit_status, counts, r.stderr_text,
	    strlen(r.stderr_text));
	queue_op_free(c->qo);
	c->qo = NULL;
	return 1;
}
