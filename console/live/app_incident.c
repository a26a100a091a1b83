/*
 * app_incident.c: accounts that reached suspicious or worse, as incidents:
 * opened once, raised to their peak, alerted, and (headless) contained by
 * the [watch] policy, at once when an event confirms one.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "app_act.h"
#include "app_alert.h"
#include "app_loop.h"
#include "history.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "detect/detect_detail.h"

/* An incident opened or got worse: say so (headless), apply the policy. */
static void
app_incident_peak(struct app *a, struct incident *n)
{
	char	 account[256], reason[256];

	if (n->peak >= LEVEL_SUSPICIOUS)
		app_alert(a, ALERT_ACCOUNT_LEVEL, n->peak,
		    a->servers[n->server]->name, n->account, NULL,
		    "%s %s on %s: %s", level_name(n->peak), n->account,
		    a->servers[n->server]->name, n->reason);
	if (!a->headless)
		return;
	sanitize_text(account, sizeof(account), n->account,
	    strlen(n->account));
	sanitize_text(reason, sizeof(reason), n->reason, strlen(n->reason));
	app_act_print("%s %s on %s: %s (%llu messages before it was "
	    "flagged)", level_name(n->peak), account,
	    a->servers[n->server]->name, reason,
	    (unsigned long long)n->messages_before);
	if (!n->contained && (int)n->peak >= a->cfg->watch.level)
		n->contained = app_act_policy(a, n->server, n->account,
		    n->peak);
}

/*
 * See app.h.  Record an account that reached suspicious or worse as an
 * incident.  One
 * an earlier session recorded for the same server, account and flagged
 * time (watch --headless handled it, and the console reads the same lines
 * again with --from-start) is the same incident: no second one, no second
 * alert.
 */
void
app_incident_seen(struct app *a, const struct account_report *r,
    unsigned server)
{
	struct incident	*n;
	size_t		 i;

	for (i = 0; i < a->nincidents; i++) {
		n = &a->incidents[i];
		if (n->server == server && (!n->earlier ||
		    n->opened == r->flagged_at) &&
		    strcmp(n->account, r->account) == 0) {
			if (r->peak_level > n->peak) {
				n->peak = r->peak_level;
				if (r->npeak_reasons > 0)
					snprintf(n->reason, sizeof(n->reason),
					    "%s", r->peak_reasons[0]);
				history_incident(a, n);
				app_incident_peak(a, n);
			} else if (!n->contained && a->headless &&
			    r->confirmed_at >= 0 &&
			    (int)n->peak >= a->cfg->watch.level)
				/* a second kind of evidence came */
				n->contained = app_act_policy(a, n->server,
				    n->account, n->peak);
			return;
		}
	}
	if (a->nincidents == a->capincidents) {
		a->capincidents = a->capincidents ? a->capincidents * 2 : 16;
		a->incidents = xreallocarray(a->incidents, a->capincidents,
		    sizeof(*a->incidents));
	}
	n = &a->incidents[a->nincidents++];
	memset(n, 0, sizeof(*n));
	snprintf(n->account, sizeof(n->account), "%s", r->account);
	n->server = server;
	n->opened = r->flagged_at;
	n->peak = r->peak_level;
	n->messages_before = r->messages_before_flag;
	if (r->npeak_reasons > 0)
		snprintf(n->reason, sizeof(n->reason), "%s",
		    r->peak_reasons[0]);
	history_incident(a, n);
	app_note(a, 10, "%s %s on %s: %s", level_name(r->peak_level),
	    r->account, a->servers[server]->name, n->reason);
	app_bell(a);
	app_incident_peak(a, n);
}

/* detector_foreach_range callback: the confirmed account's incident. */
static void
app_confirm_report(const struct account_report *r, void *arg)
{
	struct app	*a = arg;

	if (r->flagged_at >= 0)
		app_incident_seen(a, r, a->confirm_server);
}

/*
 * Headless: the event just fed confirmed an account (critical on two
 * kinds of evidence).  Apply the policy now: the snapshot would see it up
 * to REFRESH_MS later, and at 100 messages a second that is 50 more.
 */
void
app_confirm_now(struct app *a, unsigned server)
{
	struct server	*s = a->servers[server];
	long		 idx;

	if ((idx = detector_find(s->det, s->confirmed)) < 0)
		return;
	a->confirm_server = server;
	(void)detector_foreach_range(s->det, (size_t)idx, 1,
	    app_confirm_report, a);
}
