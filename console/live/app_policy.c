/*
 * app_policy.c: the policy service of `mailcon watch --headless`
 * (app_policy.h, console/policy/).
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "app_act.h"
#include "app_policy.h"
#include "policy/policy_svc.h"

/* Which server the service answers for: [policy] server, else the
   first one on this machine. */
static int
app_policy_server(struct app *a, unsigned *out)
{
	const char	*name = a->cfg->policy.server;
	size_t		 i;

	for (i = 0; i < a->nservers; i++)
		if (name != NULL ? strcmp(a->cfg->servers[i].name, name) == 0 :
		    a->cfg->servers[i].ssh.host == NULL) {
			*out = (unsigned)i;
			return 0;
		}
	return -1;
}

/* See app_policy.h. */
void
app_policy_open(struct app *a)
{
	struct policy_svc_config	 pc;
	static const char *const	 def[] = { POLICY_LISTEN_DEFAULT, NULL };
	char				 err[1200];
	unsigned			 k;

	if (!a->headless || !a->cfg->policy.enabled)
		return;
	if (app_policy_server(a, &k) == -1) {
		app_act_print("policy: not started: %s", a->cfg->policy.server
		    != NULL ? "[policy] server names no [server] section" :
		    "no server on this machine is configured");
		return;
	}
	memset(&pc, 0, sizeof(pc));
	if (policy_svc_deny_of(&a->cfg->servers[k], &pc.deny_path,
	    &pc.deny_line, err, sizeof(err)) == -1)
		/* the containment's decisions are still refused */
		app_act_print("%s; refusing only what this watch decides", err);
	pc.server = a->cfg->servers[k].name;
	pc.listen = a->cfg->policy.listen != NULL ?
	    (const char *const *)a->cfg->policy.listen : def;
	pc.audit = a->act.audit;
	pc.det = a->servers[k]->det;
	pc.print = app_act_print;
	if ((a->policy = policy_svc_start(a->loop, &pc, err, sizeof(err))) ==
	    NULL) {
		app_act_print("%s; the watch goes on without it", err);
		return;
	}
	a->policy_server = k;
	app_act_print("policy: serving %s on %s%s; refusing the logins in %s "
	    "and those this watch suspends", pc.server, pc.listen[0],
	    pc.listen[1] != NULL ? " and more" : "", pc.deny_path != NULL ?
	    pc.deny_path : "no list");
}

/* See app_policy.h. */
void
app_policy_close(struct app *a)
{
	policy_svc_stop(a->policy);
	a->policy = NULL;
}

/* See app_policy.h. */
void
app_policy_decided(struct app *a, unsigned server, const char *account,
    int decided, int ok)
{
	if (a->policy == NULL || server != a->policy_server)
		return;
	if (decided)
		policy_svc_decide(a->policy, account);
	else
		policy_svc_settle(a->policy, account, ok);
}
