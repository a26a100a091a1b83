/*
 * app_act_earlier.c: the actions of earlier runs (the headless watch,
 * another admin) listed once at start, and the ones whose outcome never
 * came, marked as seen when the listing is read.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_act.h"
#include "app_act_int.h"
#include "act/audit.h"
#include "core/utctime.h"
#include "core/xmalloc.h"

#define ACT_EARLIER_MAX	16384	/* bytes of the start-up listing */

/* Append a line to the start-up listing. */
static void
act_earlier_add(struct app *a, const char *fmt, ...)
{
	size_t	 len = a->act.earlier != NULL ? strlen(a->act.earlier) : 0;
	va_list	 ap;

	if (a->act.earlier == NULL)
		a->act.earlier = xcalloc(1, ACT_EARLIER_MAX);
	if (len + 2 >= ACT_EARLIER_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(a->act.earlier + len, ACT_EARLIER_MAX - len, fmt, ap);
	va_end(ap);
	len = strlen(a->act.earlier);
	if (len + 1 < ACT_EARLIER_MAX) {
		a->act.earlier[len] = '\n';
		a->act.earlier[len + 1] = '\0';
	}
}

/* audit_pending callback: an action whose outcome never came. */
int
act_on_pending(const struct audit_row *r, void *arg)
{
	struct app	*a = arg;
	char		 when[32];

	a->act.pending = xreallocarray(a->act.pending, a->act.npending + 1,
	    sizeof(*a->act.pending));
	a->act.pending[a->act.npending++] = r->id;
	act_earlier_add(a, "NO OUTCOME %s %s %s on %s by %s: %s  (verify it: "
	    "the command may or may not have run)", utc_format(r->started,
	    UTC_CLOCK, when, sizeof(when)), r->action, r->account, r->server,
	    r->operator != NULL ? r->operator : "?",
	    r->target != NULL ? r->target : "");
	return a->act.npending >= 200;
}

/* audit_list callback: what earlier runs (headless watch) did. */
int
act_on_row(const struct audit_row *r, void *arg)
{
	struct app	*a = arg;
	char		 when[32];

	if (r->state == AUDIT_INTENT)
		return 0;	/* listed by act_on_pending */
	act_earlier_add(a, "%s %-7s %s %s on %s by %s: %s%s%s",
	    utc_format(r->started, UTC_CLOCK, when, sizeof(when)),
	    audit_state_name(r->state), r->action, r->account, r->server,
	    r->operator != NULL ? r->operator : "?",
	    r->counts != NULL && r->counts[0] != '\0' ? r->counts :
	    r->target != NULL ? r->target : "",
	    r->verified != NULL ? "; verified: " : "",
	    r->verified != NULL ? r->verified : "");
	return 0;
}

/* Mark the actions listed at start as seen: their outcome is unknown. */
void
act_pending_seen(struct app *a)
{
	struct app_act	*x = &a->act;
	size_t		 i;
	char		 text[128];

	snprintf(text, sizeof(text), "no outcome was recorded; listed to %s "
	    "at start for checking", x->operator);
	for (i = 0; i < x->npending; i++)
		(void)audit_outcome(x->audit, x->pending[i], AUDIT_UNKNOWN, -1,
		    NULL, text, strlen(text), NULL, NULL, NULL);
	x->npending = 0;
}
