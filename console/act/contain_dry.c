/*
 * contain_dry.c: --dry-run of a containment action.  It runs every
 * read-only check the real run would (the wiring: the configuration,
 * the tools, the files, wiring.h; the queue, to choose the messages),
 * then writes a numbered summary in plain words (which file gets which
 * line, which command runs, how many queued messages with their ids,
 * which checks passed) and the exact commands it would run, in order,
 * with what goes on their stdin (shown with --verbose).  Nothing is
 * changed and nothing is audited.  On a server behind SSH the command
 * lines are the ones its shell would get.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "contain.h"
#include "contain_int.h"
#include "sshtarget.h"
#include "wiring.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "net/cmdrun.h"

/*
 * One command of a dry run, quoted as the audit shows it, on its line;
 * on a server over SSH, as its shell gets it (sudo's words first).
 */
static void
contain_dry_line(struct contain *c, char **argv, const char *note)
{
	struct audit_rec	 rec;
	char			*line, **remote = NULL;
	size_t			 len = strlen(c->res.commands);
	int			 n;

	memset(&rec, 0, sizeof(rec));
	rec.argv = (const char *const *)argv;
	if (c->sc->ssh.host != NULL) {
		remote = cmdrun_remote_argv(argv, c->sc->ssh.sudo);
		rec.argv = (const char *const *)remote;
	}
	for (rec.argc = 0; rec.argv[rec.argc] != NULL; rec.argc++)
		;
	n = audit_command(&rec, NULL, 0);
	line = xmalloc((size_t)n + 1);
	audit_command(&rec, line, (size_t)n + 1);
	snprintf(c->res.commands + len, sizeof(c->res.commands) - len,
	    "%s%s%s\n", line, note != NULL ? "  " : "", note != NULL ? note :
	    "");
	free(line);
	free(remote);
	cp_argv_free(argv);
}

/* The queue commands of a dry run. */
static void
contain_dry_queue(struct contain *c, enum queue_op op)
{
	const struct backend_queue_op *qop = c->mta->queue->op[op];
	char	 note[400], **take;

	if ((take = cp_queue_take_argv(c->sc, c->account, op)) != NULL) {
		/* the real run's read gives the tool their ids as it goes */
		contain_dry_line(c, take, "# read the queue; each message of "
		    "its login to the tool as read");
		snprintf(note, sizeof(note), "# stdin: the ids of %s's queued "
		    "messages the read left (no login, locked), one per line",
		    c->account);
		contain_dry_line(c, cp_queue_op_argv(c->sc, op), note);
		return;
	}
	contain_dry_line(c, cp_queue_select_argv(c->sc, c->account),
	    "# read the queue");
	if (qop->ids == QIDS_STDIN)
		snprintf(note, sizeof(note), "# stdin: the ids of %s's queued "
		    "messages, one per line", c->account);
	else
		snprintf(note, sizeof(note), "# then the ids of %s's queued "
		    "messages, in batches", c->account);
	contain_dry_line(c, cp_queue_op_argv(c->sc, op), note);
}

/* A step of b's in a dry run; -1 when it does not render (refused). */
static int
contain_dry_step(struct contain *c, const struct mail_backend *b,
    const struct backend_step *st, const char *note)
{
	char	**argv;

	if ((argv = contain_step_argv(c, b, st)) == NULL)
		return -1;
	contain_dry_line(c, argv, note);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The summary: what it would do, then the checks                      */
/* ------------------------------------------------------------------ */

#define DRY_IDS_SHOWN	20	/* queue ids listed, then "and N more" */

/* Append printf-style text to the summary. */
static void
dry_put(struct contain *c, const char *fmt, ...)
{
	size_t	 len = strlen(c->res.summary);
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(c->res.summary + len, sizeof(c->res.summary) - len, fmt,
	    ap);
	va_end(ap);
}

/* argv as one quoted line (as the audit shows it) into buf; frees argv. */
static void
dry_words(char **argv, char *buf, size_t size)
{
	struct audit_rec	 rec;

	memset(&rec, 0, sizeof(rec));
	rec.argv = (const char *const *)argv;
	for (rec.argc = 0; argv != NULL && argv[rec.argc] != NULL; rec.argc++)
		;
	if (argv == NULL)
		snprintf(buf, size, "(cannot render)");
	else
		(void)audit_command(&rec, buf, size);
	cp_argv_free(argv);
}

/*
 * A command that is a script of the backend's (/bin/sh -c SCRIPT NAME
 * ARGS...) as NAME ARGS..., for a summary's line (the script is the
 * commands' part); argv is taken.
 */
static char **
dry_script_name(char **argv)
{
	const char	*base;
	size_t		 i;

	if (argv == NULL || argv[0] == NULL || argv[1] == NULL ||
	    strcmp(argv[1], "-c") != 0 || argv[2] == NULL || argv[3] == NULL)
		return argv;
	/* a tool's own -c (a configuration directory) is not a script */
	base = strrchr(argv[0], '/');
	if (strcmp(base != NULL ? base + 1 : argv[0], "sh") != 0)
		return argv;
	free(argv[0]);
	free(argv[1]);
	free(argv[2]);
	for (i = 3; argv[i] != NULL; i++)
		argv[i - 3] = argv[i];
	argv[i - 3] = NULL;
	return argv;
}

/* s with each tab written "<TAB>" (a map's line), into buf. */
static void
dry_tabs(const char *s, char *buf, size_t size)
{
	size_t	 n = 0;

	for (; *s != '\0' && n + 6 < size; s++) {
		if (*s == '\t') {
			memcpy(buf + n, "<TAB>", 5);
			n += 5;
		} else
			buf[n++] = *s;
	}
	buf[n] = '\0';
}

/* One numbered item of what a backend's step would do. */
static void
dry_item_step(struct contain *c, size_t *k, const struct mail_backend *b,
    const struct backend_step *st)
{
	struct backend_env	 env;
	char			 err[256], line[600], tabbed[300], **e = NULL;

	if (st == NULL)
		return;
	if (st->edit != NULL) {
		server_backend_env(c->sc, &env);
		env.account = c->account;
		e = backend_render(b, st->edit, &env, err, sizeof(err));
	}
	if (e != NULL && e[0] != NULL && e[1] != NULL) {
		dry_tabs(e[1], tabbed, sizeof(tabbed));
		sanitize_text(line, sizeof(line), tabbed, strlen(tabbed));
		dry_put(c, "  %zu. %s %s the line \"%s\": %s (%s)\n", ++*k,
		    e[0], st->flags & BSTEP_REMOVES ? "loses" : "gets", line,
		    st->what, st->name);
	} else
		dry_put(c, "  %zu. %s: %s\n", ++*k, st->name, st->what);
	cp_argv_free(e);
}

/* The numbered item of the queue operation, with the ids chosen. */
static void
dry_item_queue(struct contain *c, size_t *k, enum queue_op op)
{
	char	 cmd[1024];
	size_t	 i;

	dry_words(dry_script_name(cp_queue_op_argv(c->sc, op)), cmd,
	    sizeof(cmd));
	if (c->phase != P_Q_READ_DONE || !c->last_ok) {
		dry_put(c, "  %zu. %s the queued messages of %s: %s (the ids "
		    "on its input; the queue could not be read, see below)\n",
		    ++*k, contain_verb(op), c->account, cmd);
		return;
	}
	dry_put(c, "  %zu. %s %zu queued message%s of %s: %s (the ids on its "
	    "input)%s", ++*k, contain_verb(op), c->nids, c->nids == 1 ? "" :
	    "s", c->account, cmd, c->nids > 0 ? "\n     ids:" : "\n");
	for (i = 0; i < c->nids && i < DRY_IDS_SHOWN; i++)
		dry_put(c, " %s", c->ids[i]);
	if (c->nids > DRY_IDS_SHOWN)
		dry_put(c, " and %zu more", c->nids - DRY_IDS_SHOWN);
	if (c->nids > 0)
		dry_put(c, "\n");
}

/* The numbered items: what the real run would do, in order. */
static void
dry_items(struct contain *c, const char *tmpl, int queue, enum queue_op op)
{
	const struct backend_accounts *auth = c->auth->accounts;
	const struct backend_accounts *mta = c->mta->accounts;
	char	 cmd[1024], err[256];
	size_t	 k = 0;

	dry_put(c, "What it would do:\n");
	if (tmpl != NULL) {
		dry_words(cp_template_argv(tmpl, c->account, err, sizeof(err)),
		    cmd, sizeof(cmd));
		dry_put(c, "  %zu. run the site's command: %s\n", ++k, cmd);
	} else if (c->req.action == CA_SUSPEND) {
		dry_item_step(c, &k, c->auth, auth->deny_add);
		dry_item_step(c, &k, c->mta, mta->refuse_add);
	} else if (c->req.action == CA_UNSUSPEND) {
		dry_item_step(c, &k, c->mta, mta->refuse_del);
		dry_item_step(c, &k, c->auth, auth->deny_del);
	} else if (c->req.action == CA_RESET) {
		dry_item_step(c, &k, c->auth, auth->passwd_set);
		dry_put(c, "     the new password goes on its input, never in "
		    "its arguments, and is shown once\n");
		dry_item_step(c, &k, c->auth, auth->passwd_check);
	}
	if (queue)
		dry_item_queue(c, &k, op);
	if (tmpl == NULL && c->req.action <= CA_UNSUSPEND &&
	    cp_check_possible(c->sc))
		dry_put(c, "  %zu. read both back (mailcon-check): the "
		    "verification\n", ++k);
}

/* One check line: "ok", "FAIL", "note" or "??", the words, what to do. */
static void
dry_check(struct contain *c, const char *mark, const char *text,
    const char *fix)
{
	char	 t[WIRING_TEXT * 2], f[WIRING_TEXT * 2];

	sanitize_text(t, sizeof(t), text, strlen(text));
	sanitize_text(f, sizeof(f), fix, strlen(fix));
	dry_put(c, "  %-5s %s%s%s\n", mark, t, f[0] != '\0' ? ": " : "", f);
	if (strcmp(mark, "FAIL") == 0)
		c->res.checks_failed++;
}

/* The checks: the wiring's findings, the queue read. */
static void
dry_checks(struct contain *c, int queue)
{
	static const char *const mark[] = { "ok", "FAIL", "??", "note",
	    "note" };
	const struct wiring_report *r = c->wrep;
	char	 cmd[1024];
	size_t	 i;

	dry_put(c, "Checks (read-only, as the real run makes them):\n");
	if (c->offline[0] != '\0') {
		dry_check(c, "FAIL", "not made", c->offline);
		return;
	}
	if (r != NULL && r->err[0] != '\0')
		dry_check(c, "FAIL", r->err, "");
	for (i = 0; r != NULL && i < r->n; i++)
		dry_check(c, mark[r->f[i].state], r->f[i].text, r->f[i].fix);
	if (!queue)
		return;
	dry_words(dry_script_name(cp_queue_select_argv(c->sc, c->account)),
	    cmd, sizeof(cmd));
	if (c->phase == P_Q_READ_DONE && c->last_ok)
		dry_put(c, "  ok    the queue read (%s)\n", cmd);
	else
		dry_check(c, "FAIL", "the queue could not be read",
		    c->last_err[0] != '\0' ? c->last_err : cmd);
}

/* The whole summary, in res.summary. */
static void
dry_summary(struct contain *c, const char *tmpl, int queue, enum queue_op op)
{
	char	 where[300] = "here";

	if (c->sc->ssh.host != NULL)
		sshtarget_where(c->sc, where, sizeof(where));
	dry_put(c, "Dry run of %s %s on %s (%s%s%s): nothing was changed.\n",
	    contain_action_name(c->req.action), c->account, c->sc->name,
	    c->sc->ssh.host != NULL ? "over SSH as " : "", where,
	    c->sc->ssh.sudo ? ", through sudo" : "");
	dry_items(c, tmpl, queue, op);
	dry_checks(c, queue);
	if (c->res.checks_failed == 0)
		dry_put(c, "All checks passed.\n");
	else
		dry_put(c, "%zu check%s FAILED: the real run would not do all "
		    "of the above, or it would not take effect.\n",
		    c->res.checks_failed, c->res.checks_failed == 1 ? "" : "s");
}

/* Does the action touch queued mail (and which op)? */
static int
dry_queue_wanted(struct contain *c, enum queue_op *op)
{
	char	 err[256];

	if (c->req.action >= CA_HOLD) {
		*op = cp_queue_op(c->req.action);
		return 1;
	}
	*op = QOP_HOLD;
	return c->req.action == CA_SUSPEND && c->req.hold_first &&
	    contain_capable(c->sc, CA_HOLD, err, sizeof(err));
}

/* See contain_int.h: the wiring (contain_advance) first, then the queue
   read when the action moves mail, then the summary. */
int
contain_dry_advance(struct contain *c, int64_t now)
{
	enum queue_op	 op;

	switch (c->phase) {
	case P_START:
		if (dry_queue_wanted(c, &op)) {
			c->qop = op;
			contain_read_queue(c, now, 0);
			c->phase = P_Q_READ_DONE;
			return 1;
		}
		contain_dry_run(c);
		return 1;
	case P_Q_READ_DONE:
		contain_dry_run(c);
		return 1;
	default:
		return 0;
	}
}

/* See contain_int.h. */
void
contain_dry_run(struct contain *c)
{
	const struct action_config *ac = &c->sc->act;
	const struct backend_accounts *auth = c->auth->accounts;
	const struct backend_accounts *mta = c->mta->accounts;
	const char	*tmpl = NULL;
	char		 err[256], **argv, where[300];
	int		 r = 0, queue;
	enum queue_op	 op;

	if (c->sc->ssh.host != NULL) {
		sshtarget_where(c->sc, where, sizeof(where));
		snprintf(c->res.commands, sizeof(c->res.commands), "# on %s "
		    "over SSH as %s%s; each line is what its shell runs\n",
		    c->sc->name, where, c->sc->ssh.sudo ? ", through sudo" :
		    "");
	}

	switch (c->req.action) {
	case CA_SUSPEND:
		tmpl = ac->suspend_command;
		break;
	case CA_UNSUSPEND:
		tmpl = ac->unsuspend_command;
		break;
	case CA_RESET:
		tmpl = ac->password_command;
		break;
	default:
		break;
	}
	if (tmpl != NULL) {
		if ((argv = cp_template_argv(tmpl, c->account, err,
		    sizeof(err))) == NULL) {
			contain_say(c, "refused, nothing run: %s", err);
			contain_finish(c, CO_REFUSED);
			return;
		}
		contain_dry_line(c, argv, c->req.action == CA_RESET ?
		    "# stdin: the new password" : NULL);
	} else if (c->req.action == CA_SUSPEND) {
		/* the order contain_phase.c runs them in */
		r = contain_dry_step(c, c->mta, mta->refuse_add, NULL);
		if (r == 0)
			r = contain_dry_step(c, c->auth, auth->deny_add, NULL);
	} else if (c->req.action == CA_UNSUSPEND) {
		r = contain_dry_step(c, c->mta, mta->refuse_del, NULL);
		if (r == 0)
			r = contain_dry_step(c, c->auth, auth->deny_del, NULL);
	} else if (c->req.action == CA_RESET) {
		r = contain_dry_step(c, c->auth, auth->passwd_set,
		    "# stdin: the new password");
		if (r == 0)
			r = contain_dry_step(c, c->auth, auth->passwd_check,
			    "# stdin: the new password");
	}
	if (r == -1)
		return;
	queue = dry_queue_wanted(c, &op);
	if (queue)
		contain_dry_queue(c, op);
	if (tmpl == NULL && c->req.action <= CA_UNSUSPEND &&
	    cp_check_possible(c->sc)) {
		if ((argv = cp_check_argv(c->sc, c->account, cp_lock_wait(c),
		    err, sizeof(err))) == NULL) {
			contain_say(c, "refused, nothing run: %s", err);
			contain_finish(c, CO_REFUSED);
			return;
		}
		contain_dry_line(c, argv, "# verify");
	}
	dry_summary(c, tmpl, queue, op);
	contain_say(c, "dry run: nothing was run");
	contain_finish(c, CO_DONE);
}

