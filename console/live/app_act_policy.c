/*
 * app_act_policy.c: the [watch] policy of the headless watch: contain an
 * account at critical backed by two kinds of evidence, never on volume
 * alone; queue its actions (suspend, hold, purge) one after the other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app_act.h"
#include "app_act_int.h"
#include "app_policy.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "detect/detect_detail.h"

/*
 * The policy has seen server/account wait for a second kind of evidence
 * (said once); and the evidence it acted on last, printed with each of
 * the actions it queued.
 */
static char	**act_waiting;
static size_t	  act_nwaiting;
char		  act_policy_why[1400];

/* Forget the accounts said to wait (app_act_close). */
void
act_policy_forget(void)
{
	while (act_nwaiting > 0)
		free(act_waiting[--act_nwaiting]);
	free(act_waiting);
	act_waiting = NULL;
}

/* What the detector knows of one account when the policy looks at it. */
struct act_evidence {
	int		 found;
	int64_t		 confirmed_at;
	unsigned	 kinds;
	char		 why[1024];
};

/* detector_foreach_range callback: copy the account's evidence. */
static void
act_evidence_cb(const struct account_report *r, void *arg)
{
	struct act_evidence	*e = arg;

	e->found = 1;
	e->confirmed_at = r->confirmed_at;
	e->kinds = r->confirmed_at >= 0 ? r->confirmed_evidence :
	    r->peak_evidence;
	snprintf(e->why, sizeof(e->why), "%s", r->confirmed_why != NULL ?
	    r->confirmed_why : r->npeak_reasons > 0 ? r->peak_reasons[0] : "");
}

/* Whether this is the first time account waits (and remember it). */
static int
act_first_wait(unsigned server, const char *account)
{
	char	 key[300];
	size_t	 i;

	snprintf(key, sizeof(key), "%u\t%s", server, account);
	for (i = 0; i < act_nwaiting; i++)
		if (strcasecmp(act_waiting[i], key) == 0)
			return 0;
	act_waiting = xreallocarray(act_waiting, act_nwaiting + 1,
	    sizeof(*act_waiting));
	act_waiting[act_nwaiting++] = xstrdup(key);
	return 1;
}

/* See app_act.h. */
int
app_act_policy(struct app *a, unsigned server, const char *account,
    enum level level)
{
	const struct watch_config	*w = &a->cfg->watch;
	struct act_evidence		 ev;
	struct detector			*det = a->servers[server]->det;
	char				 why[512], shown[256], kinds[128];
	long				 idx;

	if (!a->headless || w->contain == 0 || (int)level < w->level)
		return 1;
	sanitize_text(shown, sizeof(shown), account, strlen(account));
	/* only critical backed by two kinds of evidence, never volume alone */
	memset(&ev, 0, sizeof(ev));
	ev.confirmed_at = -1;
	if ((idx = detector_find(det, account)) >= 0)
		(void)detector_foreach_range(det, (size_t)idx, 1,
		    act_evidence_cb, &ev);
	if (ev.confirmed_at < 0) {
		if (act_first_wait(server, account))
			app_act_print("%s on %s reached %s: not contained yet: "
			    "the policy acts on critical backed by two kinds of "
			    "evidence, and it has %s", shown,
			    a->servers[server]->name, level_name(level),
			    evidence_format(ev.kinds, kinds, sizeof(kinds)));
		return 0;
	}
	/* refused inline from now, before the line that says so is out,
	   not when the job runs */
	if ((w->contain & WATCH_SUSPEND) && a->act.audit != NULL &&
	    contain_account_ok(CA_SUSPEND, account, why, sizeof(why)) &&
	    contain_capable(a->servers[server]->cfg, CA_SUSPEND, why,
	    sizeof(why)))
		app_policy_decided(a, server, account, 1, 0);
	snprintf(act_policy_why, sizeof(act_policy_why), "policy: contain at "
	    "critical backed by two kinds of evidence; evidence: %s: %s",
	    evidence_format(ev.kinds, kinds, sizeof(kinds)), ev.why);
	app_act_print("%s on %s: %s", shown, a->servers[server]->name,
	    act_policy_why);
	if (a->act.audit == NULL) {
		app_act_print("%s on %s reached %s: not contained, actions are off "
		    "(%s)", shown, a->servers[server]->name,
		    level_name(level), a->act.audit_err);
		return 1;
	}
	if (w->contain & WATCH_SUSPEND) {
		if (!contain_account_ok(CA_SUSPEND, account, why,
		    sizeof(why))) {
			/* ".x" or "all": no command may name it, but its
			   mail can still be held by queue id */
			app_act_print("cannot suspend %s: the account %s%s",
			    shown, why, (w->contain & WATCH_HOLD) ?
			    "; holding its mail instead" : "");
			if (w->contain & WATCH_HOLD)
				act_job_add(a, CA_HOLD, server, account, 0);
		} else if (contain_capable(a->servers[server]->cfg,
		    CA_SUSPEND, why, sizeof(why))) {
			act_job_add(a, CA_SUSPEND, server, account,
			    (w->contain & WATCH_HOLD) != 0);
		} else
			app_act_print("cannot suspend %s: %s", shown, why);
	} else if (w->contain & WATCH_HOLD)
		act_job_add(a, CA_HOLD, server, account, 0);
	if (w->contain & WATCH_PURGE)
		act_job_add(a, CA_PURGE, server, account, 0);
	act_next_job(a);
	return 1;
}
