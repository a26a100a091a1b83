/*
 * app_act_sweep.c: a suspended account's new mail.  The suspension stops
 * new logins, not a session already open: what such a session still
 * submits is held (a quiet sweep) a moment after the log shows it, until
 * the account is unsuspended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app_act.h"
#include "app_act_int.h"
#include "sesspids.h"
#include "core/loop.h"
#include "core/xmalloc.h"

#define ACT_SWEEP_DELAY_MS 1000	/* a suspended account's new mail: held
				   this long after it shows in the log */

/* The sweep of server's account, or NULL. */
static struct act_sweep *
act_sweep_find(struct app *a, unsigned server, const char *account)
{
	size_t	 i;

	for (i = 0; i < a->act.nsweeps; i++)
		if (a->act.sweeps[i].server == server &&
		    strcasecmp(a->act.sweeps[i].account, account) == 0)
			return &a->act.sweeps[i];
	return NULL;
}

/* contain_counts_cb of a sweep: what came after the suspension. */
void
act_sweep_counts(char *buf, size_t size, void *arg)
{
	struct app		*a = arg;
	struct app_act		*x = &a->act;
	struct act_sweep	*w;
	struct act_numbers	 n;

	buf[0] = '\0';
	act_numbers_get(a->servers[x->server]->det, x->account, &n);
	if ((w = act_sweep_find(a, x->server, x->account)) == NULL ||
	    !n.found)
		return;
	snprintf(buf, size, "%llu messages queued after the suspension took "
	    "effect", (unsigned long long)(n.messages > w->base ?
	    n.messages - w->base : 0));
}

/*
 * Start (on) or stop (off) sweeping a suspended account's new mail; base:
 * its messages when the suspension took effect (what came after is
 * counted from there).
 */
void
act_sweep_set(struct app *a, unsigned server, const char *account, int on,
    uint64_t base)
{
	struct app_act	*x = &a->act;
	size_t		 i;

	for (i = 0; i < x->nsweeps; i++)
		if (x->sweeps[i].server == server &&
		    strcasecmp(x->sweeps[i].account, account) == 0)
			break;
	if (!on) {
		if (i < x->nsweeps)
			x->sweeps[i] = x->sweeps[--x->nsweeps];
		return;
	}
	if (i < x->nsweeps || !contain_capable(a->servers[server]->cfg,
	    CA_HOLD, NULL, 0))
		return;
	x->sweeps = xreallocarray(x->sweeps, x->nsweeps + 1,
	    sizeof(*x->sweeps));
	x->sweeps[x->nsweeps].server = server;
	x->sweeps[x->nsweeps].due = 0;
	x->sweeps[x->nsweeps].base = base;
	snprintf(x->sweeps[x->nsweeps].account,
	    sizeof(x->sweeps[0].account), "%s", account);
	x->nsweeps++;
}

/* A suspended account's sweep, due a moment from now (not yet due). */
void
act_sweep_due(struct app *a, unsigned server, const char *account)
{
	struct act_sweep	*w;

	if ((w = act_sweep_find(a, server, account)) != NULL && w->due == 0)
		w->due = loop_now_ms() + ACT_SWEEP_DELAY_MS;
}

/* See app_act.h. */
int
app_act_suspended(const struct app *a, unsigned server, const char *account)
{
	const struct app_act	*x = &a->act;
	size_t			 i;

	for (i = 0; i < x->nsweeps; i++)
		if (x->sweeps[i].server == server &&
		    strcasecmp(x->sweeps[i].account, account) == 0)
			return 1;
	return 0;
}

/* See app_act.h. */
void
app_act_event(struct app *a, unsigned server, const struct mail_event *ev)
{
	struct app_act	*x = &a->act;
	size_t		 i;

	sesspids_note(x->sesspids, server, ev);
	if (ev->kind != EV_SUBMIT || ev->account.len == 0)
		return;
	if (x->run != NULL && x->req.action == CA_SUSPEND && !x->sweep &&
	    x->server == server && strlen(x->account) == ev->account.len &&
	    strncasecmp(x->account, ev->account.p, ev->account.len) == 0)
		x->sus_late = 1;
	if (x->nsweeps == 0)
		return;
	for (i = 0; i < x->nsweeps; i++)
		if (x->sweeps[i].server == server && x->sweeps[i].due == 0 &&
		    strlen(x->sweeps[i].account) == ev->account.len &&
		    strncasecmp(x->sweeps[i].account, ev->account.p,
		    ev->account.len) == 0)
			/* let the session's next few messages come too */
			x->sweeps[i].due = loop_now_ms() + ACT_SWEEP_DELAY_MS;
}

/* See app_act.h. */
void
app_act_tick(struct app *a, int64_t now_ms)
{
	struct app_act	*x = &a->act;
	struct act_sweep *w;
	size_t		 i;

	for (i = 0; i < x->nsweeps; i++) {
		w = &x->sweeps[i];
		if (w->due == 0 || now_ms < w->due)
			continue;
		w->due = 0;
		act_job_add(a, CA_HOLD, w->server, w->account, 0)->sweep = 1;
	}
	act_next_job(a);
}