/*
 * contain_dry.c: --dry-run of a containment action: the exact commands it
 * would run, in order, with what goes on their stdin; nothing is run.  On
 * a server behind SSH the lines are the ones its shell would get.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "contain.h"
#include "contain_int.h"
#include "sshtarget.h"
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
	char	 note[400];

	contain_dry_line(c, cp_queue_list_argv(c->sc), "# read the queue");
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

/* See contain_int.h. */
void
contain_dry_run(struct contain *c)
{
	const struct action_config *ac = &c->sc->act;
	const struct backend_accounts *auth = c->auth->accounts;
	const struct backend_accounts *mta = c->mta->accounts;
	const char	*tmpl = NULL;
	char		 err[256], **argv, where[300];
	int		 r = 0;

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
	if (c->req.action >= CA_HOLD)
		contain_dry_queue(c, cp_queue_op(c->req.action));
	else if (c->req.action == CA_SUSPEND && c->req.hold_first &&
	    contain_capable(c->sc, CA_HOLD, err, sizeof(err)))
		contain_dry_queue(c, QOP_HOLD);
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
	contain_say(c, "dry run: nothing was run");
	contain_finish(c, CO_DONE);
}

