/*
 * app_act.c: containment from the console and from the headless watch.
 *
 * One action at a time.  It is stepped by a timer of the loop, so the
 * screen is drawn and keys are read while the MTA works through three
 * million ids; its commands never run on the drawing path.  Suspend, hold,
 * release and unsuspend run on one key (they can be undone); purge and
 * reset-password open a dialog that names the account (and for purge the
 * number of messages, counted first) and defaults to No.  The result stays
 * on screen until a key; a new password is shown there once and wiped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_act.h"
#include "app_act_int.h"
#include "app_policy.h"
#include "app_alert.h"
#include "sesspids.h"
#include "act/audit.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/trace.h"
#include "core/xmalloc.h"
#include "detect/detect_detail.h"
#include "store/store.h"

#define ACT_STEP_MS	20	/* stepping a running action */
#define ACT_STEP_HEADLESS_MS 5	/* the same, with no screen: each step
				   waits for its audit row and its command,
				   a tick each, and at 100 messages a second
				   a 20 ms tick is two messages */

/* See app_act.h.  The line passes sanitize_line(): a piece not
   sanitised by its caller cannot reach the terminal raw. */
void
app_act_print(const char *fmt, ...)
{
	char		 when[32], *text, *line;
	struct timespec	 ts;
	struct tm	 tm;
	va_list		 ap;
	int		 n;
	size_t		 size;

	/* milliseconds: how fast a hijack was contained is read from here */
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	text = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	size = (size_t)n * 4 + 1;	/* a byte escaped is four at most */
	line = xmalloc(size);
	sanitize_line(line, size, text, (size_t)n);
	printf("%s.%03ldZ %s\n", when, ts.tv_nsec / 1000000, line);
	fflush(stdout);
	free(line);
	free(text);
}

/* See app_act.h. */
void
app_act_open(struct app *a)
{
	struct app_act	*x = &a->act;
	char		 err[512];

	x->timer = -1;
	x->sesspids = sesspids_new();
	act_operator(x->operator, sizeof(x->operator));
	if (a->read_only)
		return;
	if ((x->audit = act_audit_open(a->cfg, err, sizeof(err))) == NULL) {
		snprintf(x->audit_err, sizeof(x->audit_err), "%s", err);
		/* beside "history off" (the same file, often), not over it */
		app_note(a, 0, "actions off: %s", err);
		return;
	}
	if (a->headless)
		return;
	(void)audit_pending(x->audit, act_on_pending, a);
	if (a->history_since > 0)
		(void)audit_list(x->audit, a->history_since, act_on_row, a);
	if (x->earlier != NULL)
		x->state = ACTS_EARLIER;	/* the screen shows it */
}

/* Stop stepping and forget the action (wiping a password). */
static void
act_clear(struct app *a)
{
	struct app_act	*x = &a->act;

	if (x->timer != -1)
		loop_del_timer(a->loop, x->timer);
	x->timer = -1;
	contain_free(x->run);
	x->run = NULL;
	x->state = ACTS_IDLE;
	a->dirty |= APP_DIRTY_ALL;
}

/* See app_act.h. */
void
app_act_close(struct app *a)
{
	struct app_act	*x = &a->act;

	/* an action cut short by quitting stays "intent": listed next time */
	if (x->run != NULL)
		act_clear(a);
	audit_close(x->audit);
	x->audit = NULL;
	free(x->jobs);
	sesspids_free(x->sesspids);
	x->sesspids = NULL;
	free(x->sweeps);
	x->sweeps = NULL;
	x->nsweeps = 0;
	free(x->earlier);
	free(x->pending);
	x->jobs = NULL;
	x->earlier = NULL;
	x->pending = NULL;
	act_policy_forget();
}

static void	act_on_timer(void *);

/* contain_request pids_now: the session pids of the running action's
   account as the log names them now (it reads on while the action runs). */
static size_t
act_pids_now(void *arg, char *buf, size_t size)
{
	struct app	*a = arg;
	struct app_act	*x = &a->act;

	return sesspids_of(x->sesspids, x->server, x->account,
	    a->servers[x->server]->last_event, ACT_SESSION_AGE, buf, size,
	    CONTAIN_PIDS_MAX);
}

/* contain_request addrs_now: where the running action's account logged
   in from lately, as the log says now, but the addresses it shares. */
static size_t
act_addrs_now(void *arg, char *buf, size_t size, char *spared,
    size_t spsize)
{
	struct app			*a = arg;
	struct app_act			*x = &a->act;
	const struct server_config	*sc = a->servers[x->server]->cfg;
	struct sesspids_spared		 sp;
	size_t				 n;

	n = sesspids_addrs_of(x->sesspids, x->server, x->account,
	    a->servers[x->server]->last_event, ACT_ADDR_AGE, sc->shared,
	    sc->nshared, &sp, buf, size, CONTAIN_ADDRS_MAX);
	sesspids_spared_say(&sp, spared, spsize);
	return n;
}

/* Trace what the action of x did (trace.h): never its password. */
static void
act_trace(struct app *a, const char *what, const char *text)
{
	struct app_act	*x = &a->act;
	char		 who[256];

	if (trace_level < 1)
		return;
	sanitize_str(who, sizeof(who), x->account);
	trace(1, "action %s of %s on %s%s: %s%s%s", x->req.count_only ?
	    "count" : contain_action_name(x->req.action), who,
	    a->servers[x->server]->name, x->sweep ? " (a sweep)" : "", what,
	    text[0] != '\0' ? ": " : "", text);
}

/*
 * contain_counts_cb: the account's messages queued after it was flagged
 * and after it was confirmed, as the log has shown them so far, at the
 * moment the suspension took effect (said, audited, printed); its count
 * then is where the sweep's "after the suspension" starts.
 */
static void
act_sus_counts(char *buf, size_t size, void *arg)
{
	struct app		*a = arg;
	struct app_act		*x = &a->act;
	struct act_numbers	 n;

	act_numbers_get(a->servers[x->server]->det, x->account, &n);
	x->sus_messages = n.messages;
	act_numbers_say(&n, buf, size);
}

/* contain_request.progress: a note on screen once the operation has
   taken a second (at most one a quarter second). */
static void
act_on_progress(void *arg, size_t done, size_t total)
{
	struct app	*a = arg;
	struct app_act	*x = &a->act;
	int64_t		 now = loop_now_ms();

	if (now - x->started_ms < 1000 || now - x->progress_ms < 250)
		return;
	x->progress_ms = now;
	app_note(a, 5, "%s %s on %s: %zu of %zu so far",
	    contain_action_name(x->req.action), x->account,
	    a->servers[x->server]->name, done, total);
}

/* Start the request in x->req (count_only for the purge dialog). */
static void
act_start(struct app *a, enum act_state state)
{
	struct app_act	*x = &a->act;

	x->req.account = x->account;
	x->req.server = a->servers[x->server]->cfg;
	x->req.ssh = a->servers[x->server]->ssh;
	x->req.operator = x->operator;
	x->req.sandbox = a->demo != NULL;
	x->owner.det = a->servers[x->server]->det;
	x->owner.index = detector_find(x->owner.det, x->account);
	x->owner.account = x->account;
	x->req.owns = act_owns;
	x->req.owns_arg = &x->owner;
	x->sus_messages = 0;
	x->sus_late = 0;
	x->started_ms = loop_now_ms();
	x->progress_ms = 0;
	if (!a->headless && !x->sweep) {
		x->req.progress = act_on_progress;
		x->req.progress_arg = a;
	}
	if (x->req.action == CA_SUSPEND) {
		x->req.counts = act_sus_counts;
		x->req.counts_arg = a;
		/* its sessions open now: what the log named, checked later */
		if (state == ACTS_RUNNING && !x->req.sandbox &&
		    sesspids_of(x->sesspids,
		    x->server, x->account, a->servers[x->server]->last_event,
		    ACT_SESSION_AGE, x->pids, sizeof(x->pids),
		    CONTAIN_PIDS_MAX) > 0)
			x->req.pids = x->pids;
		if (state == ACTS_RUNNING && !x->req.sandbox) {
			x->req.pids_now = act_pids_now;
			x->req.addrs_now = act_addrs_now;
			x->req.pids_arg = a;
		}
	} else if (x->sweep) {
		x->req.counts = act_sweep_counts;
		x->req.counts_arg = a;
	}
	x->run = contain_start(&x->req, state == ACTS_COUNTING ? NULL :
	    x->audit, loop_now_ms());
	x->state = state;
	act_trace(a, state == ACTS_COUNTING ? "counting its queued mail" :
	    "started", "");
	x->timer = loop_add_timer(a->loop, a->headless ? ACT_STEP_HEADLESS_MS :
	    ACT_STEP_MS, 1, act_on_timer, a);
	if (!a->headless)
		app_note(a, 30, "%s %s on %s: %s", state == ACTS_COUNTING ?
		    "counting the queued mail of" :
		    contain_action_name(x->req.action), x->account,
		    a->servers[x->server]->name, "running (keys still work)");
	act_on_timer(a);
}

/* The action ended: show its result (console) or print it (headless). */
static void
act_done(struct app *a)
{
	struct app_act			*x = &a->act;
	const struct contain_result	*r = contain_result(x->run);

	loop_del_timer(a->loop, x->timer);
	x->timer = -1;
	/* the result's words: a password it holds is <secret> already */
	act_trace(a, r->outcome == CO_DONE ? "done" : r->outcome ==
	    CO_PARTIAL ? "partly done" : r->outcome == CO_REFUSED ? "refused" :
	    "failed", r->text);
	if (!x->req.count_only && (r->outcome == CO_DONE ||
	    r->outcome == CO_PARTIAL)) {
		if (x->req.action == CA_SUSPEND) {
			act_sweep_set(a, x->server, x->account, 1,
			    x->sus_messages);
			/* read while it ran: maybe after the hold's queue
			   read, and no later line will bring a sweep (the
			   watch alone: in the console the admin's next key
			   comes first) */
			if (x->sus_late && a->headless)
				act_sweep_due(a, x->server, x->account);
		}
		else if (x->req.action == CA_UNSUSPEND)
			act_sweep_set(a, x->server, x->account, 0, 0);
	}
	if (!x->req.count_only && x->req.action == CA_SUSPEND)
		app_policy_decided(a, x->server, x->account, 0,
		    r->outcome == CO_DONE || r->outcome == CO_PARTIAL);
	if (!x->sweep && !x->req.count_only)
		app_alert(a, ALERT_CONTAINMENT, r->outcome == CO_DONE ?
		    LEVEL_SUSPICIOUS : LEVEL_CRITICAL, a->servers[x->server]->name,
		    x->account, NULL, "%s %s on %s: %s: %s",
		    contain_action_name(x->req.action), x->account,
		    a->servers[x->server]->name, r->outcome == CO_DONE ? "done" :
		    r->outcome == CO_PARTIAL ? "PARTLY DONE" : r->outcome ==
		    CO_REFUSED ? "refused" : "FAILED", r->text);
	if (x->sweep && !a->headless) {
		/* not a key of the admin's: a note, not a dialog */
		app_note(a, 15, "%s: %s", x->account, r->text);
		contain_free(x->run);
		x->run = NULL;
		x->state = ACTS_IDLE;
		act_next_job(a);
		return;
	}
	if (x->state == ACTS_COUNTING) {
		if (r->outcome == CO_DONE) {
			x->count = r->selected;
			contain_free(x->run);
			x->run = NULL;
			x->req.count_only = 0;
			x->state = ACTS_CONFIRM;
			a->note[0] = '\0';
			a->dirty |= APP_DIRTY_ALL;
			(void)app_dialog(a, APP_DIALOG_ACT);
			return;
		}
		x->state = ACTS_RESULT;	/* why the count failed */
		a->dirty |= APP_DIRTY_ALL;
		(void)app_dialog(a, APP_DIALOG_ACT);
		return;
	}
	if (a->headless) {
		app_act_print("%s%s %s on %s: %s: %s%s%s%s%s", x->sweep ?
		    "sweep: " : "", contain_action_name(x->req.action),
		    x->account,
		    a->servers[x->server]->name,
		    r->outcome == CO_DONE ? "done" : r->outcome == CO_PARTIAL ?
		    "PARTLY DONE" : r->outcome == CO_REFUSED ? "refused" :
		    "FAILED", r->text, r->verify[0] != '\0' ?
		    "; verification: " : "", r->verify,
		    x->sweep ? "" : "; ", x->sweep ? "" : act_policy_why);
		if (!x->sweep)
			x->contained++;
		contain_free(x->run);
		x->run = NULL;
		x->state = ACTS_IDLE;
		act_next_job(a);
		return;
	}
	x->state = ACTS_RESULT;
	a->note[0] = '\0';
	a->dirty |= APP_DIRTY_ALL;
	(void)app_dialog(a, APP_DIALOG_ACT);
	if (r->outcome != CO_DONE)
		app_bell(a);
}

/* Timer: advance the running action. */
static void
act_on_timer(void *arg)
{
	struct app	*a = arg;

	if (a->act.run == NULL || a->act.timer == -1)
		return;
	if (contain_step(a->act.run, loop_now_ms()) == 1)
		act_done(a);
}

/* See app_act.h. */
void
app_act_key(struct app *a, enum contain_action action, unsigned server,
    const char *account)
{
	struct app_act	*x = &a->act;
	char		 why[512];

	if (a->read_only) {
		app_note(a, 5, "read-only (--read-only): actions are off");
		return;
	}
	if (x->audit == NULL) {
		app_note(a, 8, "actions off: %s", x->audit_err);
		return;
	}
	if (x->state != ACTS_IDLE) {
		app_note(a, 5, "an action is running: wait for its result");
		return;
	}
	if (account == NULL || server >= a->nservers) {
		app_note(a, 5, "select an account first (accounts view or its "
		    "detail)");
		return;
	}
	if (!contain_capable(a->servers[server]->cfg, action, why,
	    sizeof(why))) {
		app_note(a, 10, "%s", why);
		return;
	}
	memset(&x->req, 0, sizeof(x->req));
	snprintf(x->account, sizeof(x->account), "%s", account);
	x->req.action = action;
	x->req.hold_first = 1;
	x->sweep = 0;
	x->server = server;
	if (action == CA_PURGE) {
		x->req.count_only = 1;
		act_start(a, ACTS_COUNTING);
	} else if (contain_action_dangerous(action)) {
		x->state = ACTS_CONFIRM;
		a->dirty |= APP_DIRTY_ALL;
		(void)app_dialog(a, APP_DIALOG_ACT);
	} else
		act_start(a, ACTS_RUNNING);
}

/* See app_act.h. */
void
app_act_answer(struct app *a, int yes)
{
	struct app_act	*x = &a->act;

	if (x->state != ACTS_CONFIRM)
		return;
	if (yes)
		act_start(a, ACTS_RUNNING);
	else {
		x->state = ACTS_IDLE;
		app_note(a, 5, "%s %s: not done",
		    contain_action_name(x->req.action), x->account);
	}
	a->dirty |= APP_DIRTY_ALL;
}

/* See app_act.h. */
void
app_act_dismiss(struct app *a)
{
	struct app_act	*x = &a->act;

	switch (x->state) {
	case ACTS_RESULT:
		act_clear(a);	/* wipes a new password */
		break;
	case ACTS_EARLIER:
		act_pending_seen(a);
		x->state = ACTS_IDLE;
		a->dirty |= APP_DIRTY_ALL;
		break;
	default:
		break;
	}
}

/* See app_act.h. */
const struct contain_result *
app_act_result(const struct app *a)
{
	return a->act.state == ACTS_RESULT && a->act.run != NULL ?
	    contain_result(a->act.run) : NULL;
}

/* Queue one policy action. */
struct act_job *
act_job_add(struct app *a, enum contain_action action, unsigned server,
    const char *account, int hold_first)
{
	struct app_act	*x = &a->act;
	struct act_job	*j;

	if (x->njobs == x->capjobs) {
		x->capjobs = x->capjobs ? x->capjobs * 2 : 8;
		x->jobs = xreallocarray(x->jobs, x->capjobs, sizeof(*x->jobs));
	}
	j = &x->jobs[x->njobs++];
	j->action = action;
	j->server = server;
	j->hold_first = hold_first;
	j->sweep = 0;
	snprintf(j->account, sizeof(j->account), "%s", account);
	return j;
}

/* Start the next queued policy action, if none runs. */
void
act_next_job(struct app *a)
{
	struct app_act	*x = &a->act;
	struct act_job	 j;

	if (x->state != ACTS_IDLE || x->njobs == 0)
		return;
	j = x->jobs[0];
	memmove(x->jobs, x->jobs + 1, (x->njobs - 1) * sizeof(*x->jobs));
	x->njobs--;
	memset(&x->req, 0, sizeof(x->req));
	x->req.action = j.action;
	x->req.hold_first = j.hold_first;
	x->sweep = j.sweep;
	x->server = j.server;
	snprintf(x->account, sizeof(x->account), "%s", j.account);
	act_start(a, ACTS_RUNNING);
}

