/*
 * contain_phase.c: the programs of the containment actions (contain.h):
 * which step follows which, what each outcome means in plain words, and
 * the check of a suspension in the backends' own words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contain.h"
#include "contain_int.h"
#include "queue_op.h"
#include "backends/backend.h"

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
	if (c->auth == c->mta)		/* one system, one part */
		v[1] = v[0];
	if (!c->last_ok || v[0] == -1 || v[1] == -1)
		contain_verified(c, 0, "could not check: %s", c->last_err[0] ?
		    c->last_err : "no answer from the check");
	else if (c->auth == c->mta)
		contain_verified(c, v[0] == want, "%s: %s", part[0]->label,
		    v[0] ? part[0]->yes : part[0]->no);
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

/* The number "KEY=N" in the last step's answer, or -1. */
static long
contain_out_count(const char *out, const char *key)
{
	size_t		 len = strlen(key);
	const char	*p = strstr(out, key);
	char		*end;
	long		 v;

	if (p == NULL || (p != out && p[-1] != ' ') || p[len] != '=')
		return -1;
	v = strtol(p + len + 1, &end, 10);
	return end == p + len + 1 || v < 0 ? -1 : v;
}

/*
 * What ending its open sessions did (what: "SMTP"): how many ended and
 * how many pids of the log were left alone (not the MTA's session process
 * now: exited, reused, forged), or why it failed.  A failure leaves the
 * suspension standing: said, not undone.  Said at once, or kept in
 * ended_say when later (defer): the result's first words are what the
 * suspension is ("logins and mail refused", "files updated; ...
 * NOT refused"), which a screen of 80 columns must show.
 */
static void
contain_ended(struct contain *c, const char *what, int defer)
{
	char	 text[sizeof(c->ended_say)];
	long	 n = contain_out_count(c->last_out, "ended");
	long	 s = contain_out_count(c->last_out, "skipped");
	long	 k;

	text[0] = '\0';
	if (!c->last_ok || n < 0)
		snprintf(text, sizeof(text), "its open %s sessions were not "
		    "ended: %s", what, c->last_err[0] != '\0' ? c->last_err :
		    "no answer");
	else if (s > 0)
		snprintf(text, sizeof(text), "%ld open %s session%s ended, "
		    "%ld process id%s of the log left alone (not a session of "
		    "its now)", n, what, n == 1 ? "" : "s", s, s == 1 ? "" :
		    "s");
	else if (n > 0 || strcmp(what, "SMTP") == 0)
		snprintf(text, sizeof(text), "%ld open %s session%s ended", n,
		    what, n == 1 ? "" : "s");
	if (c->last_ok && n > 0)
		c->ended += (unsigned)n;
	if (text[0] == '\0')
		return;
	/* its process killed, not its connection cut: the mail system may
	   be slow to start new sessions for a while (backend.h) */
	if (c->last_ok && (k = contain_out_count(c->last_out, "killed")) > 0)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    " (%ld by a signal to its process: its connection could "
		    "not be cut)", k);
	if (defer)
		snprintf(c->ended_say, sizeof(c->ended_say), "%s", text);
	else
		contain_say(c, "%s", text);
}

/* What the second pass of ending SMTP sessions did: said only when it
   ended some (a failure: the first pass's words stand). */
static void
contain_ended_more(struct contain *c)
{
	long	 n = contain_out_count(c->last_out, "ended");

	if (!c->last_ok || n <= 0)
		return;
	c->ended += (unsigned)n;
	contain_say(c, "%ld more open SMTP session%s ended (their first "
	    "message logged meanwhile)", n, n == 1 ? "" : "s");
}

/* Say what ending the SMTP sessions did, when it was kept for later. */
static void
contain_ended_said(struct contain *c)
{
	if (c->ended_say[0] == '\0')
		return;
	contain_say(c, "%s", c->ended_say);
	c->ended_say[0] = '\0';
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

/* What a queue operation left because a delivery kept it locked, said
   after its counts ("" when none). */
static const char *
contain_busy_text(const struct contain *c)
{
	static char	 text[128];

	if (c->res.busy == 0)
		return "";
	snprintf(text, sizeof(text), "; %zu locked by a running delivery "
	    "through %d tries, a second apart: run it again", c->res.busy,
	    QUEUE_OP_ROUNDS);
	return text;
}

/* The phases of every action; see contain.h for what each does. */
void
contain_advance(struct contain *c, int64_t now)
{
	const struct action_config *ac = &c->sc->act;
	const struct backend_accounts *mta = c->mta->accounts;
	const struct backend_accounts *auth = c->auth->accounts;
	char	 why[512];

	if (c->phase == P_START && contain_wire_wanted(c)) {
		contain_wire_start(c, now);
		return;
	}
	if (c->req.dry_run && contain_dry_advance(c, now))
		return;
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
			c->phase = P_SUS_MAP;
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
	case P_SUS_MAP:
		/*
		 * The MTA first: refusing its mail is what stops the flow
		 * (new sessions at once), and its open sessions can be ended
		 * as soon as it holds; logins are refused next.
		 */
		if (contain_step_of(c, c->mta, mta->refuse_add, 1, NULL) == 0)
			c->phase = P_SUS_MAP_DONE;
		return;
	case P_SUS_MAP_DONE:
		if (!c->last_ok) {
			contain_say(c, "nothing changed: refusing its mail "
			    "failed: %s", c->last_err);
			contain_finish(c, CO_FAILED);
			return;
		}
		c->map_done = 1;
		c->phase = P_SUS_END;
		return;
	case P_SUS_DENY:
		if (contain_step_of(c, c->auth, auth->deny_add, 1, NULL) == 0)
			c->phase = P_SUS_DENY_DONE;
		return;
	case P_SUS_DENY_DONE:
		if (!c->last_ok) {
			contain_say(c, "refusing its logins failed: %s",
			    c->last_err);
			contain_ended_said(c);
			if (contain_step_of(c, c->mta, mta->refuse_del, 1,
			    "undo: allow its mail again (refusing its logins "
			    "failed)") == 0)
				c->phase = P_SUS_UNDO_DONE;
			return;
		}
		c->deny_done = 1;
		if (contain_wire_wanted(c)) {
			c->phase = P_SUS_WIRED;
			contain_wire_start(c, now);
			return;
		}
		/* FALLTHROUGH */
	case P_SUS_WIRED:
		if (contain_wire_said(c, CA_SUSPEND))
			c->partial = 1;
		else
			contain_say(c, "logins and mail refused");
		contain_ended_said(c);
		if (c->sus_counts[0] != '\0')
			contain_say(c, "%s", c->sus_counts);
		c->phase = P_SUS_END2;
		return;
	case P_SUS_END2:
		/*
		 * Sessions that logged their first message since the first
		 * pass: opened before its mail was refused, they keep the
		 * map they started with.
		 */
		c->phase = P_SUS_KICK;
		if (mta->sessions_end != NULL && c->req.pids_now != NULL &&
		    contain_pids_refresh(c, 1) && contain_step_extra(c, c->mta,
		    mta->sessions_end, c->pids) == 0)
			c->phase = P_SUS_END2_DONE;
		return;
	case P_SUS_END2_DONE:
		contain_ended_more(c);
		c->phase = P_SUS_KICK;
		return;
	case P_SUS_TMPL_DONE:
		if (!c->last_ok) {
			contain_say(c, "the site's suspend command failed: %s",
			    c->last_err);
			contain_finish(c, CO_FAILED);
			return;
		}
		contain_say(c, "suspended by the site's command");
		if (c->sus_counts[0] != '\0')
			contain_say(c, "%s", c->sus_counts);
		contain_verified(c, -1, "not verified: no built-in check for "
		    "a site's command");
		c->phase = P_SUS_END;
		return;
	case P_SUS_UNDO_DONE:
		if (c->last_ok)
			contain_say(c, "its mail was allowed again: nothing "
			    "changed%s", c->ended > 0 ? " (but its open "
			    "sessions were ended)" : "");
		else
			contain_say(c, "PARTLY DONE: its mail is refused "
			    "but its logins are not, and undoing failed: %s",
			    c->last_err);
		contain_finish(c, c->last_ok ? CO_FAILED : CO_PARTIAL);
		return;
	case P_SUS_END:
		/* its sessions already open: the MTA's, by the log's pids
		   as read now (the log read on since the start) */
		c->phase = c->map_done ? P_SUS_DENY : P_SUS_KICK;
		if (mta->sessions_end != NULL && contain_pids_refresh(c, 0) &&
		    contain_step_extra(c, c->mta, mta->sessions_end,
		    c->pids) == 0)
			c->phase = P_SUS_END_DONE;
		return;
	case P_SUS_END_DONE:
		/* built in: said after the logins' step says what it is */
		contain_ended(c, "SMTP", c->map_done);
		c->phase = c->map_done ? P_SUS_DENY : P_SUS_KICK;
		return;
	case P_SUS_KICK:
		c->phase = P_SUS_HOLD;
		if (c->auth != c->mta && auth->sessions_end != NULL &&
		    !c->req.sandbox &&
		    contain_step_extra(c, c->auth, auth->sessions_end,
		    NULL) == 0)
			c->phase = P_SUS_KICK_DONE;
		return;
	case P_SUS_KICK_DONE:
		contain_ended(c, "IMAP/POP3", 0);
		c->phase = P_SUS_HOLD;
		return;
	case P_SUS_HOLD:
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
			contain_finish(c, c->partial ? CO_PARTIAL : CO_DONE);
			return;
		}
		contain_check_run(c);
		return;
	case P_CHECK_DONE:
		contain_check(c, c->req.action == CA_SUSPEND);
		if (c->req.action == CA_SUSPEND)
			contain_wire_verify(c);
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
		if (ac->password_command != NULL ||
		    !contain_wire_said(c, CA_RESET))
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
		contain_wire_verify(c);
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
		/* the read and the op at once, where the MTA can */
		if (contain_take_start(c) == -1)
			contain_read_queue(c, now, 0);
		c->phase = P_Q_READ_DONE;
		return;
	case P_Q_READ_DONE:
		if (!c->last_ok) {
			/* a take that failed on the way: what it did */
			if ((c->res.done = c->take_done) > 0)
				contain_say(c, "%zu of its queued messages %s "
				    "as read, then reading the queue failed: %s",
				    c->take_done, c->qop == QOP_HOLD ? "held" :
				    c->qop == QOP_RELEASE ? "released" :
				    "purged", c->last_err);
			else
				contain_say(c, "its queued mail was not "
				    "touched: reading the queue failed: %s",
				    c->last_err);
			if (c->req.action == CA_SUSPEND) {
				c->partial = 1;
				c->phase = P_CHECK;
			} else
				contain_finish(c, c->take_done > 0 ?
				    CO_PARTIAL : CO_FAILED);
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
			/* a hold of its own (a sweep): the caller's numbers */
			if (c->req.action != CA_SUSPEND && c->req.counts !=
			    NULL) {
				c->req.counts(c->sus_counts,
				    sizeof(c->sus_counts), c->req.counts_arg);
				if (c->sus_counts[0] != '\0')
					contain_say(c, "%s", c->sus_counts);
			}
			if (c->req.action == CA_SUSPEND)
				c->phase = P_CHECK;
			else {
				contain_verified(c, 1, "nothing to do");
				contain_finish(c, CO_DONE);
			}
			return;
		}
		if (c->took && c->nopids == 0) {
			/* the take did them all */
			c->res.done = c->take_done;
			c->last_ok = 1;
			c->phase = P_Q_RUN_DONE;
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
		contain_say(c, "%zu of %zu queued message%s %s%s", c->res.done,
		    c->nids, c->nids == 1 ? "" : "s",
		    c->qop == QOP_HOLD ? "held" :
		    c->qop == QOP_RELEASE ? "released" : "purged",
		    contain_busy_text(c));
		if (c->req.action != CA_SUSPEND && c->sus_counts[0] != '\0')
			contain_say(c, "%s", c->sus_counts);
		/* the ids chosen, read again (cheap when the MTA has still) */
		if (c->req.verify_read || cp_queue_has_still(c->sc)) {
			contain_read_queue(c, now, 1);
			c->phase = P_Q_VERIFY_DONE;
			return;
		}
		/* one read: the tool's own report is the check */
		cq_reported(c);
		c->last_ok = 1;
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
