/*
 * contain.c: run one containment action as a program of steps without
 * blocking; see contain.h.  Each step is an audited command (cmdrun) of
 * the server's backends, a read of the queue (queue_read) or a queue
 * operation (queue_op); a step's completion sets last_ok / last_err and
 * the next phase decides what follows.  On a server behind SSH every step
 * runs over req.ssh (c->via), with the same commands, values and checks
 * as here.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "contain.h"
#include "contain_int.h"
#include "queue.h"
#include "queue_op.h"
#include "sshtarget.h"
#include "backends/backend.h"
#include "core/action.h"
#include "core/sanitize.h"
#include "core/secret.h"
#include "core/xmalloc.h"
#include "net/cmdrun.h"
#include "net/ssh_conn.h"


/* Monotonic milliseconds. */
static int64_t
contain_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* See contain_int.h. */
void
contain_say(struct contain *c, const char *fmt, ...)
{
	size_t	 len = strlen(c->res.text);
	va_list	 ap;

	if (len > 0 && len + 2 < sizeof(c->res.text)) {
		memcpy(c->res.text + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(c->res.text + len, sizeof(c->res.text) - len, fmt, ap);
	va_end(ap);
}

/* The password made for this action, as a secrets list (or NULL). */
static const char *const *
contain_secrets(const struct contain *c, const char *list[2])
{
	if (c->res.password[0] == '\0')
		return NULL;
	list[0] = c->res.password;
	list[1] = NULL;
	return list;
}

/* See contain_int.h. */
void
contain_finish(struct contain *c, enum contain_outcome o)
{
	const char	*list[2];
	size_t		 i;

	c->res.outcome = o;
	c->phase = P_FINISHED;
	/* a command that echoed the password it was given: not on screen */
	secret_scrub(c->res.text, strlen(c->res.text), sizeof(c->res.text),
	    contain_secrets(c, list), 1);
	secret_scrub(c->res.verify, strlen(c->res.verify),
	    sizeof(c->res.verify), contain_secrets(c, list), 1);
	if (c->audit == NULL || c->res.verified == -1)
		return;
	for (i = 0; i < c->nrows; i++)
		audit_verified(c->audit, c->rows[i], c->res.verified,
		    c->res.verify, contain_secrets(c, list), NULL, NULL);
}

/* See contain_int.h. */
void
contain_verified(struct contain *c, int ok, const char *fmt, ...)
{
	va_list	 ap;

	c->res.verified = ok;
	va_start(ap, fmt);
	vsnprintf(c->res.verify, sizeof(c->res.verify), fmt, ap);
	va_end(ap);
}

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

/* The outcome of the audited step that just ended. */
static void
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
static void
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

/* Advance the command step; 1 when it has ended. */
static int
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
	c->last_ok = rc == 1;
	c->last_status = cmdrun_status(c->cmd);
	if (rc == 1 && c->argv_shown > 0)
		contain_notes(c, e, elen);
	if (rc != 1)
		snprintf(c->last_err, sizeof(c->last_err), "%s",
		    cmdrun_error(c->cmd));
	contain_outcome(c, rc == 1, cmdrun_status(c->cmd), NULL, e, elen);
	return 1;
}

/* The end of a step: keep what it printed, free its command. */
static void
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
static int
contain_step_of(struct contain *c, const struct mail_backend *b,
    const struct backend_step *st, int audited, const char *what)
{
	char	**argv;

	if ((argv = contain_step_argv(c, b, st)) == NULL)
		return -1;
	contain_run(c, OP_CMD, argv, st->script != NULL ? 3 : 0, audited,
	    (st->flags & BSTEP_PASSWORD) != 0, "%s", what != NULL ? what :
	    st->what);
	return 0;
}

/* A site's template; refuses (and finishes) when it does not render. */
static int
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
static void
contain_read_queue(struct contain *c, int64_t now)
{
	char	**argv = cp_queue_list_argv(c->sc), err[512];

	c->last_ok = 0;
	c->last_err[0] = '\0';
	c->qr = queue_read_start_via(&c->via, c->mta->queue, argv, now,
	    CONTAIN_QUEUE_MS, err, sizeof(err));
	cp_argv_free(argv);
	if (c->qr == NULL) {
		snprintf(c->last_err, sizeof(c->last_err), "%s", err);
		c->op = OP_NONE;
	} else
		c->op = OP_QREAD;
}

/* Advance the queue read; 1 when it has ended (c->last_ok). */
static int
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
static const char *
contain_verb(enum queue_op op)
{
	static const char *const verb[] = { "hold", "release", "purge" };

	return verb[op];
}

/* Start the queue operation on the ids chosen (audited as the whole
   command). */
static void
contain_queue_op(struct contain *c)
{
	const struct backend_queue_op *op = c->mta->queue->op[c->qop];

	contain_run(c, OP_QOP, cp_queue_op_argv(c->sc, c->qop), 0, 1, 0,
	    "%s %zu queued message%s (ids %s)", contain_verb(c->qop),
	    c->nids, c->nids == 1 ? "" : "s", op->ids == QIDS_STDIN ?
	    "on stdin" : "as arguments");
}

/* Advance the queue operation; 1 when it has ended. */
static int
contain_qop_step(struct contain *c, int64_t now)
{
	struct queue_op_result	 r;
	char			 err[512], counts[128], **tool;
	int			 rc;

	if (c->qo == NULL) {
		if (c->argv == NULL)	/* refused by the audit */
			return 1;
		/* queue_op.c adds the operation's words and the ids */
		tool = cp_queue_tool_argv(c->sc);
		c->qo = queue_op_start(&c->via, c->mta, c->qop, tool, c->ids,
		    c->nids, now, c->deadline_ms, err, sizeof(err));
		cp_argv_free(tool);
		if (c->qo == NULL) {
			snprintf(c->last_err, sizeof(c->last_err), "%s", err);
			contain_outcome(c, 0, -1, NULL, err, strlen(err));
			return 1;
		}
	}
	if ((rc = queue_op_step(c->qo, now)) == 0)
		return 0;
	queue_op_result(c->qo, &r);
	c->res.done = r.done;
	c->last_ok = rc == 1;
	snprintf(counts, sizeof(counts), "%zu of %zu", r.done, r.requested);
	if (rc != 1)
		snprintf(c->last_err, sizeof(c->last_err), "%.1000s", r.error);
	contain_outcome(c, rc == 1, r.exit_status, counts, r.stderr_text,
	    strlen(r.stderr_text));
	queue_op_free(c->qo);
	c->qo = NULL;
	return 1;
}

/* The value of "KEY=V" in the check's answer: 0 or 1, -1 when absent. */
static int
contain_check_value(const char *out, const char *key)
{
	size_t		 len = strlen(key);
	const char	*p = out;

	for (; (p = strstr(p, key)) != NULL; p += len) {
		if ((p != out && p[-1] != ' ') || p[len] != '=')
			continue;
		if ((p[len + 1] == '0' || p[len + 1] == '1') &&
		    (p[len + 2] == ' ' || p[len + 2] == '\n' ||
		    p[len + 2] == '\0'))
			return p[len + 1] - '0';
	}
	return -1;
}

/*
 * The check's answer ("KEY=V" for the auth role's part, then the MTA's:
 * backend.h), in the backends' words: both as wanted, or each part's
 * state.
 */
static void
contain_check(struct contain *c, int want)
{
	const struct backend_check	*part[2] = {
	    c->auth->accounts->check, c->mta->accounts->check };
	char				 queue[sizeof(c->res.verify)];
	int				 v[2], queue_ok = c->res.verified;

	/* the hold's verification, if one ran, stands beside this one */
	snprintf(queue, sizeof(queue), "%s", c->res.verify);
	v[0] = contain_check_value(c->last_out, part[0]->key);
	v[1] = contain_check_value(c->last_out, part[1]->key);
	if (!c->last_ok || v[0] == -1 || v[1] == -1)
		contain_verified(c, 0, "could not check: %s", c->last_err[0] ?
		    c->last_err : "no answer from the check");
	else if (v[0] == want && v[1] == want && want)
		contain_verified(c, 1, "%s and %s", part[0]->on, part[1]->on);
	else if (v[0] == want && v[1] == want)
		contain_verified(c, 1, "neither in %s nor in %s",
		    part[0]->place, part[1]->place);
	else
		contain_verified(c, 0, "%s: %s; %s: %s", part[0]->label,
		    v[0] ? part[0]->yes : part[0]->no, part[1]->label,
		    v[1] ? part[1]->yes : part[1]->no);
	if (queue[0] != '\0') {
		size_t len = strlen(c->res.verify);

		snprintf(c->res.verify + len, sizeof(c->res.verify) - len,
		    "; %s", queue);
		if (queue_ok == 0)
			c->res.verified = 0;
	}
}

/* Start the suspension's check (not audited: it changes nothing). */
static void
contain_check_run(struct contain *c)
{
	char	 err[256], **argv;

	if ((argv = cp_check_argv(c->sc, c->account, cp_lock_wait(c), err,
	    sizeof(err))) == NULL) {
		contain_verified(c, 0, "could not check: %s", err);
		contain_finish(c, c->partial ? CO_PARTIAL : CO_DONE);
		return;
	}
	contain_run(c, OP_CMD, argv, 3, 0, 0, "check");
	c->phase = P_CHECK_DONE;
}

/* The phases of every action; see contain.h for what each does. */
static void
contain_advance(struct contain *c, int64_t now)
{
	const struct action_config *ac = &c->sc->act;
	const struct backend_accounts *mta = c->mta->accounts;
	const struct backend_accounts *auth = c->auth->accounts;
	char	 why[512];

	switch (c->phase) {
	case P_START:
		switch (c->req.action) {
		case CA_SUSPEND:
			if (ac->suspend_command != NULL) {
				if (contain_template(c, ac->suspend_command, 0,
				    "refuse its logins and mail (site "
				    "command)") == 0)
					c->phase = P_SUS_TMPL_DONE;
				return;
			}
			c->phase = P_SUS_DENY;
			return;
		case CA_UNSUSPEND:
			if (ac->unsuspend_command != NULL) {
				if (contain_template(c, ac->unsuspend_command,
				    0, "allow its logins and mail again (site "
				    "command)") == 0)
					c->phase = P_UNS_TMPL_DONE;
				return;
			}
			c->phase = P_UNS_MAP;
			return;
		case CA_RESET:
			if (ac->password_command != NULL) {
				if (contain_template(c, ac->password_command,
				    1, "set a new password (site command)") ==
				    0)
					c->phase = P_PW_SET_DONE;
				return;
			}
			if (contain_step_of(c, c->auth, auth->passwd_set, 1,
			    NULL) == 0)
				c->phase = P_PW_SET_DONE;
			return;
		default:
			c->qop = cp_queue_op(c->req.action);
			c->phase = P_Q_READ;
			return;
		}
	case P_SUS_DENY:
		if (contain_step_of(c, c->auth, auth->deny_add, 1, NULL) == 0)
			c->phase = P_SUS_DENY_DONE;
		return;
	case P_SUS_DENY_DONE:
		if (!c->last_ok) {
			contain_say(c, "nothing changed: refusing its logins "
			    "failed: %s", c->last_err);
			contain_finish(c, CO_FAILED);
			return;
		}
		c->deny_done = 1;
		if (contain_step_of(c, c->mta, mta->refuse_add, 1, NULL) == 0)
			c->phase = P_SUS_MAP_DONE;
		return;
	case P_SUS_MAP_DONE:
		if (!c->last_ok) {
			contain_say(c, "refusing its mail failed: %s",
			    c->last_err);
			if (contain_step_of(c, c->auth, auth->deny_del, 1,
			    "undo: allow its logins again (refusing its mail "
			    "failed)") == 0)
				c->phase = P_SUS_UNDO_DONE;
			return;
		}
		c->map_done = 1;
		contain_say(c, "logins and mail refused");
		goto hold;
	case P_SUS_TMPL_DONE:
		if (!c->last_ok) {
			contain_say(c, "the site's suspend command failed: %s",
			    c->last_err);
			contain_finish(c, CO_FAILED);
			return;
		}
		contain_say(c, "suspended by the site's command");
		contain_verified(c, -1, "not verified: no built-in check for "
		    "a site's command");
		goto hold;
	case P_SUS_UNDO_DONE:
		if (c->last_ok)
			contain_say(c, "its logins were allowed again: nothing "
			    "changed");
		else
			contain_say(c, "PARTLY DONE: its logins are refused "
			    "but its mail is not, and undoing failed: %s",
			    c->last_err);
		contain_finish(c, c->last_ok ? CO_FAILED : CO_PARTIAL);
		return;
	hold:
		if (c->req.hold_first && contain_capable(c->sc, CA_HOLD, why,
		    sizeof(why))) {
			c->qop = QOP_HOLD;
			c->phase = P_Q_READ;
			return;
		}
		c->phase = P_CHECK;
		return;
	case P_UNS_MAP:
		if (contain_step_of(c, c->mta, mta->refuse_del, 1, NULL) == 0)
			c->phase = P_UNS_MAP_DONE;
		return;
	case P_UNS_MAP_DONE:
		if (!c->last_ok) {
			contain_say(c, "nothing changed: allowing its mail "
			    "failed: %s", c->last_err);
			contain_finish(c, CO_FAILED);
			return;
		}
		c->map_done = 1;
		if (contain_step_of(c, c->auth, auth->deny_del, 1, NULL) == 0)
			c->phase = P_UNS_DENY_DONE;
		return;
	case P_UNS_DENY_DONE:
		if (!c->last_ok) {
			contain_say(c, "PARTLY DONE: its mail is allowed but "
			    "its logins are still refused: %s", c->last_err);
			contain_finish(c, CO_PARTIAL);
			return;
		}
		contain_say(c, "logins and mail allowed again (held mail "
		    "stays on hold: release or purge it)");
		c->phase = P_CHECK;
		return;
	case P_UNS_TMPL_DONE:
		if (!c->last_ok)
			contain_say(c, "the site's unsuspend command failed: "
			    "%s", c->last_err);
		else
			contain_say(c, "unsuspended by the site's command");
		contain_verified(c, -1, "not verified: no built-in check for "
		    "a site's command");
		contain_finish(c, c->last_ok ? CO_DONE : CO_FAILED);
		return;
	case P_CHECK:
		if (c->sc->act.suspend_command != NULL ||
		    !cp_check_possible(c->sc)) {
			contain_finish(c, CO_DONE);
			return;
		}
		contain_check_run(c);
		return;
	case P_CHECK_DONE:
		contain_check(c, c->req.action == CA_SUSPEND);
		/* a failed hold was said; the suspension itself stands */
		contain_finish(c, c->partial ? CO_PARTIAL : CO_DONE);
		return;
	case P_PW_SET_DONE:
		if (!c->last_ok) {
			contain_say(c, "nothing changed: setting the password "
			    "failed: %s", c->last_err);
			contain_finish(c, CO_FAILED);
			return;
		}
		contain_say(c, "new password set");
		if (ac->password_command != NULL) {
			contain_verified(c, -1, "not verified: no built-in "
			    "check for a site's command");
			contain_finish(c, CO_DONE);
			return;
		}
		if (contain_step_of(c, c->auth, auth->passwd_check, 0,
		    NULL) == 0)
			c->phase = P_PW_CHECK_DONE;
		return;
	case P_PW_CHECK_DONE:
		if (c->last_ok)
			contain_verified(c, 1, "%s", auth->passwd_check->ok !=
			    NULL ? auth->passwd_check->ok : "checked");
		else
			contain_verified(c, 0, "%s", c->last_err);
		/*
		 * Replaced after it was set (exit 4): a password that does
		 * not work is never shown.  Any other failure of the check
		 * says nothing of the file, so the password stays shown.
		 */
		if (!c->last_ok && c->last_status == 4) {
			explicit_bzero(c->res.password,
			    sizeof(c->res.password));
			contain_say(c, "then replaced: the password it set is "
			    "not in use");
			contain_finish(c, CO_FAILED);
			return;
		}
		contain_finish(c, CO_DONE);
		return;
	case P_Q_READ:
		contain_read_queue(c, now);
		c->phase = P_Q_READ_DONE;
		return;
	case P_Q_READ_DONE:
		if (!c->last_ok) {
			contain_say(c, "its queued mail was not touched: "
			    "reading the queue failed: %s", c->last_err);
			if (c->req.action == CA_SUSPEND) {
				c->partial = 1;
				c->phase = P_CHECK;
			} else
				contain_finish(c, CO_FAILED);
			return;
		}
		if (c->req.count_only) {
			contain_say(c, "%zu queued message%s of %s to %s",
			    c->nids, c->nids == 1 ? "" : "s", c->account,
			    contain_verb(c->qop));
			contain_finish(c, CO_DONE);
			return;
		}
		if (c->nids == 0) {
			contain_say(c, "no queued messages of %s to %s",
			    c->account, contain_verb(c->qop));
			if (c->req.action == CA_SUSPEND)
				c->phase = P_CHECK;
			else {
				contain_verified(c, 1, "nothing to do");
				contain_finish(c, CO_DONE);
			}
			return;
		}
		contain_queue_op(c);
		c->phase = P_Q_RUN_DONE;
		return;
	case P_Q_RUN_DONE:
		if (!c->last_ok) {
			contain_say(c, "%s failed (%zu of %zu done): %s",
			    contain_verb(c->qop), c->res.done, c->nids,
			    c->last_err);
			if (c->req.action == CA_SUSPEND) {
				c->partial = 1;
				c->phase = P_CHECK;
			} else
				contain_finish(c, c->res.done > 0 ?
				    CO_PARTIAL : CO_FAILED);
			return;
		}
		contain_say(c, "%zu of %zu queued message%s %s", c->res.done,
		    c->nids, c->nids == 1 ? "" : "s",
		    c->qop == QOP_HOLD ? "held" :
		    c->qop == QOP_RELEASE ? "released" : "purged");
		contain_read_queue(c, now);
		c->phase = P_Q_VERIFY_DONE;
		return;
	case P_Q_VERIFY_DONE:
		if (!c->last_ok)
			contain_verified(c, 0, "could not read the queue "
			    "again: %s", c->last_err);
		if (c->req.action == CA_SUSPEND) {
			c->phase = P_CHECK;
			return;
		}
		contain_finish(c, CO_DONE);
		return;
	case P_FINISHED:
		return;
	default:
		c->phase = P_START;
		contain_finish(c, CO_FAILED);
		return;
	}
}

/*
 * A server behind SSH: its commands go over req.ssh, which must be live
 * (or stale: a slow link may still carry them).  0, or -1 when refused.
 */
static int
contain_remote(struct contain *c, int64_t now_ms)
{
	enum ssh_state	 st;
	char		 err[512], where[256];

	if (c->sc->ssh.host == NULL)
		return 0;
	if (sshtarget_via(c->sc, c->req.ssh, &c->via, c->via_user,
	    sizeof(c->via_user), err, sizeof(err)) == -1) {
		contain_say(c, "refused, nothing run: %s", err);
		contain_finish(c, CO_REFUSED);
		return -1;
	}
	st = ssh_conn_state(c->req.ssh);
	if (st != SSH_LIVE && st != SSH_STALE) {
		ssh_conn_status(c->req.ssh, now_ms, err, sizeof(err));
		contain_say(c, "refused, nothing run: %s: not connected (%s)",
		    c->sc->name, err);
		contain_finish(c, CO_REFUSED);
		return -1;
	}
	sshtarget_where(c->sc, where, sizeof(where));
	snprintf(c->via_where, sizeof(c->via_where), "over SSH as %s%s",
	    where, c->sc->ssh.sudo ? " through sudo" : "");
	return 0;
}

/* See contain.h. */
int
contain_account_ok(enum contain_action a, const char *account, char *why,
    size_t size)
{
	/* the queue actions move ids; the name never reaches a command */
	if (a == CA_HOLD || a == CA_RELEASE || a == CA_PURGE)
		return action_login_ok(account, why, size);
	return action_account_ok(account, why, size);
}

/* See contain.h. */
struct contain *
contain_start(const struct contain_request *req, struct audit *audit,
    int64_t now_ms)
{
	struct contain	*c = xcalloc(1, sizeof(*c));
	char		 shown[80], reason[512], why[256];

	c->req = *req;
	c->sc = req->server;
	c->mta = server_mta(c->sc);
	c->auth = server_auth(c->sc);
	c->audit = audit;
	c->res.verified = -1;
	c->deadline_ms = req->deadline_ms > 0 ? req->deadline_ms :
	    CONTAIN_STEP_MS;
	snprintf(c->operator, sizeof(c->operator), "%s",
	    req->operator != NULL ? req->operator : "");
	c->req.account = c->account;
	c->req.operator = c->operator;
	if (req->account == NULL ||
	    !contain_account_ok(req->action, req->account, why, sizeof(why))) {
		sanitize_text(shown, sizeof(shown), req->account != NULL ?
		    req->account : "", req->account != NULL ?
		    strlen(req->account) : 0);
		contain_say(c, "refused, nothing run: the account \"%s\" %s",
		    shown, req->account == NULL ? "is missing" : why);
		contain_finish(c, CO_REFUSED);
		return c;
	}
	snprintf(c->account, sizeof(c->account), "%s", req->account);
	if ((unsigned)req->action >= CA_COUNT || c->sc == NULL ||
	    !contain_capable(c->sc, req->action, reason, sizeof(reason))) {
		contain_say(c, "refused, nothing run: %s", c->sc == NULL ?
		    "no server" : (unsigned)req->action >= CA_COUNT ?
		    "no such action" : reason);
		contain_finish(c, CO_REFUSED);
		return c;
	}
	if (req->dry_run) {
		contain_dry_run(c);
		return c;
	}
	if (contain_remote(c, now_ms) == -1)
		return c;
	if (req->count_only) {
		if (req->action < CA_HOLD) {
			contain_say(c, "refused: only queued mail can be "
			    "counted");
			contain_finish(c, CO_REFUSED);
		}
		return c;	/* reads, changes nothing: no audit */
	}
	if (audit == NULL) {
		contain_say(c, "refused, nothing run: the audit log is not "
		    "open, and nothing runs unaudited");
		contain_finish(c, CO_REFUSED);
		return c;
	}
	if (req->action == CA_RESET &&
	    cp_password(c->res.password, sizeof(c->res.password)) == -1) {
		contain_say(c, "refused, nothing run: no random numbers from "
		    "the kernel (%s)", strerror(errno));
		contain_finish(c, CO_REFUSED);
		return c;
	}
	return c;
}

/* See contain.h. */
size_t
contain_fds(const struct contain *c, struct pollfd *pfd)
{
	size_t	 n = 0;

	switch (c->op) {
	case OP_AUDIT:
		pfd[0].fd = audit_fd(c->audit);
		pfd[0].events = POLLIN;
		return 1;
	case OP_CMD:
		return c->cmd != NULL ? cmdrun_fds(c->cmd, pfd) : 0;
	case OP_QREAD:
		if (queue_read_fd(c->qr) != -1) {
			pfd[n].fd = queue_read_fd(c->qr);
			pfd[n++].events = POLLIN;
		}
		if (queue_read_errfd(c->qr) != -1) {
			pfd[n].fd = queue_read_errfd(c->qr);
			pfd[n++].events = POLLIN;
		}
		return n;
	case OP_QOP:
		return c->qo != NULL ? queue_op_fds(c->qo, pfd) : 0;
	default:
		return 0;
	}
}

/* See contain.h. */
int
contain_step(struct contain *c, int64_t now_ms)
{
	for (;;) {
		switch (c->op) {
		case OP_AUDIT:
			(void)audit_poll(c->audit);
			if (c->op == OP_AUDIT)
				return 0;
			continue;
		case OP_CMD:
			if (!contain_cmd_step(c, now_ms))
				return 0;
			break;
		case OP_QREAD:
			if (!contain_qread_step(c, now_ms, c->phase))
				return 0;
			break;
		case OP_QOP:
			if (!contain_qop_step(c, now_ms))
				return 0;
			break;
		case OP_NONE:
			break;
		}
		contain_step_clear(c);
		if (c->phase == P_FINISHED)
			return 1;
		contain_advance(c, now_ms);
	}
}

/* See contain.h. */
int
contain_wait_ms(const struct contain *c, int64_t now_ms)
{
	switch (c->op) {
	case OP_AUDIT:
		return 100;
	case OP_CMD:
		return c->cmd != NULL ? cmdrun_wait_ms(c->cmd, now_ms) : 0;
	case OP_QREAD:
		return queue_read_wait_ms(c->qr, now_ms);
	case OP_QOP:
		return c->qo != NULL ? queue_op_wait_ms(c->qo, now_ms) : 0;
	default:
		return c->phase == P_FINISHED ? -1 : 0;
	}
}

/*
 * See contain.h.  Nothing else steps a server's connection here, so this
 * does: its fd is polled beside the action's, and ssh_conn_step() runs
 * before each step (it moves the remote commands on).
 */
enum contain_outcome
contain_wait(struct contain *c)
{
	struct pollfd	 pfd[CONTAIN_NFDS + SSH_CONN_NFDS];
	struct ssh_conn	*ssh = c->via.ssh;
	size_t		 n;
	int		 ms, sms;

	for (;;) {
		if (ssh != NULL)
			ssh_conn_step(ssh, contain_now_ms());
		if (contain_step(c, contain_now_ms()) != 0)
			break;
		n = contain_fds(c, pfd);
		ms = contain_wait_ms(c, contain_now_ms());
		if (ssh != NULL) {
			n += ssh_conn_fds(ssh, pfd + n);
			sms = ssh_conn_wait_ms(ssh, contain_now_ms());
			if (ms < 0 || (sms >= 0 && sms < ms))
				ms = sms;
		}
		if (poll(pfd, n, ms) == -1 && errno != EINTR)
			break;
	}
	return c->res.outcome;
}

/* See contain.h. */
const struct contain_result *
contain_result(const struct contain *c)
{
	return &c->res;
}

/* See contain.h. */
void
contain_free(struct contain *c)
{
	if (c == NULL)
		return;
	cmdrun_free(c->cmd);
	queue_read_free(c->qr);
	queue_op_free(c->qo);
	cp_argv_free(c->argv);
	cq_free(c);
	explicit_bzero(c->res.password, sizeof(c->res.password));
	free(c);
}
